"""The course website, the slide decks, and what the notebooks' markdown must do for them.

Without a browser:

* every notebook has one ``#`` title first and never skips a heading level; no link text is
  "here", "this", a bare address or empty (notebooks and the landing page);
* :func:`mlp_helpers.instructor.static.freeze_widgets` turns every widget output into a static
  snapshot that shows the saved slider values, readouts and figure, with the note and the links
  to where the sliders run live, and never the raw text repr;
* the built website (``python -m mlp_helpers.instructor.site build``; reused from ``build/site``
  when its stamp matches the sources, else built into a temporary folder) lists the notebooks in
  order and gives every page the Colab / Binder / Voila / slides links that course.toml implies,
  and loads nothing from another host.

In headless Chromium with every non-loopback request aborted (``webcheck.offline``):

* every page loads, every image shows (``naturalWidth > 0``), every formula is typeset by the
  local MathJax, the page has one ``h1`` and no skipped heading level, every internal link
  (and its ``#fragment``) resolves, and axe-core finds no serious or critical violation;
* the search page finds the backpropagation notebook;
* every deck starts reveal.js with its styles, typesets its formulas, and passes axe-core with
  all its slides laid out (reveal's ``?print-pdf`` view).

Audit results: ``artifacts/a11y/site.json`` and ``artifacts/a11y/decks.json``.
"""
from __future__ import annotations

import base64
import html as html_lib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import nbformat
import pytest

import webcheck
from mlp_helpers.instructor import course as course_mod
from mlp_helpers.instructor import site, static

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "artifacts"
BAD_LINK_TEXTS = {"here", "click here", "this", "this link", "link", "more", "read more", "this page", "go"}
MD_LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]*)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")


# --------------------------------------------------------------------------- markdown rules
def _prose_lines(source: str):
    """Lines of a markdown cell outside fenced code blocks."""
    fence = None
    for line in source.splitlines():
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
            continue
        if fence is None:
            yield line


def heading_levels(nb) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading in the notebook's markdown cells, in order."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in _prose_lines(cell.source):
            m = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
            if m:
                out.append((len(m.group(1)), m.group(2)))
    return out


def test_heading_rule_catches_a_skipped_level():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T\n\n```\n# not a heading\n```\n### Skip")])
    assert heading_levels(nb) == [(1, "T"), (3, "Skip")]
    assert _heading_problems(heading_levels(nb)) == ["'Skip' is level 3 right after level 1"]


def _heading_problems(levels):
    problems = []
    if not levels or levels[0][0] != 1:
        problems.append(f"the first heading must be the '# ' title, got {levels[:1]}")
    ones = [t for lvl, t in levels if lvl == 1]
    if len(ones) != 1:
        problems.append(f"exactly one '# ' heading per notebook, got {ones}")
    for (prev, _), (lvl, text) in zip(levels, levels[1:]):
        if lvl > prev + 1:
            problems.append(f"{text!r} is level {lvl} right after level {prev}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_headings_in_order(path):
    levels = heading_levels(nbformat.read(path, as_version=4))
    assert _heading_problems(levels) == []


def link_text_problems(markdown: str) -> list[str]:
    problems = []
    for line in _prose_lines(markdown):
        for m in MD_LINK.finditer(line):
            text = re.sub(r"[*_`]", "", m.group(1)).strip()
            if text.startswith("!["):
                continue  # an image link: its alt text names it
            if not text:
                problems.append(f"empty link text for {m.group(2)}")
            elif text.lower().rstrip(".:") in BAD_LINK_TEXTS:
                problems.append(f"link text {text!r} does not say where {m.group(2)} goes")
            elif re.match(r"^(https?://|www\.)", text):
                problems.append(f"link text is a bare address: {text!r}")
        for m in AUTOLINK.finditer(line):
            problems.append(f"bare address as a link: <{m.group(1)}>")
    return problems


def test_link_text_rule():
    bad = "See [here](a.md), [https://x.org](https://x.org), <https://y.org> and [](b.md)."
    assert len(link_text_problems(bad)) == 4
    assert link_text_problems("[notebook 02](02_regularization.ipynb) and [![Colab](c.svg)](u)") == []


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "book" / "index.md"], ids=lambda p: p.name)
def test_link_texts_say_where_they_go(path):
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        texts = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    else:
        texts = [(0, path.read_text(encoding="utf-8"))]
    problems = [f"cell {i}: {p}" for i, src in texts for p in link_text_problems(src)]
    assert problems == []


# --------------------------------------------------------------------------- static snapshots
PNG_1x1 = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5dd3a2c0000000049454e44ae426082")).decode()


def _widget_notebook():
    """A notebook with one saved widget tree: HBox(slider 'x', HTML readout), Image (with tooltip)."""
    def model(name, state, buffers=None):
        m = {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
             "state": state}
        if buffers:
            m["buffers"] = buffers
        return m

    state = {
        "box": model("VBoxModel", {"children": ["IPY_MODEL_row", "IPY_MODEL_img"]}),
        "row": model("HBoxModel", {"children": ["IPY_MODEL_x", "IPY_MODEL_html"]}),
        "x": model("FloatSliderModel", {"description": "x", "value": 0.25, "min": -1.0, "max": 1.0,
                                        "readout_format": ".2f"}),
        "html": model("HTMLModel", {"value": '<span class="mlp-readout" data-key="y">0.0625</span>'}),
        "img": model("ImageModel", {"format": "png", "width": "40", "tooltip": "The curve y = x² with x marked"},
                     [{"path": ["value"], "encoding": "base64", "data": PNG_1x1}]),
    }
    cell = nbformat.v4.new_code_cell("display(demo)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        static.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HBox(children=(FloatSlider(value=0.25, ..."})]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["widgets"] = {static.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    return nb


def test_freeze_widgets_writes_a_static_snapshot():
    links = {"Google Colab": "https://colab.example/nb", "Binder (JupyterLab)": "https://binder.example/nb"}
    frozen = static.freeze_widgets(_widget_notebook(), links)
    assert "widgets" not in frozen.metadata
    (out,) = frozen.cells[0].outputs
    assert list(out["data"]) == ["text/html"]
    snap = out["data"]["text/html"]
    assert "VBox(children" not in snap
    assert "Static snapshot" in snap and "cannot move" in snap
    assert '<span class="mlp-snapshot-name">x</span> = <strong>0.25</strong>' in snap
    assert "(slider from -1.00 to 1.00)" in snap
    assert '<span class="mlp-readout" data-key="y">0.0625</span>' in snap
    assert f'src="data:image/png;base64,{PNG_1x1}"' in snap
    assert 'alt="The curve y = x² with x marked"' in snap and 'width="40"' in snap
    assert '<a href="https://colab.example/nb">Google Colab</a>' in snap
    # the readout row comes before the figure, as in the live widget
    assert snap.index("mlp-snapshot-control") < snap.index("mlp-readout") < snap.index("<img")


def test_freeze_widgets_leaves_out_the_figure_when_the_cell_shows_it_already():
    nb = _widget_notebook()
    nb.cells[0].outputs.insert(0, nbformat.v4.new_output("display_data", data={"image/png": PNG_1x1}))
    frozen = static.freeze_widgets(nb, None)
    snap = frozen.cells[0].outputs[1]["data"]["text/html"]
    assert "<img" not in snap and "x</span> = <strong>0.25</strong>" in snap
    assert "Colab, Binder or the Voilà app" in snap


def test_freeze_widgets_drops_the_slider_script():
    from mlp_helpers.viz.a11y import SLIDER_SCRIPT

    nb = _widget_notebook()
    nb.cells[0].outputs.insert(0, nbformat.v4.new_output("display_data", data={
        "application/javascript": SLIDER_SCRIPT, "text/plain": "<IPython.core.display.Javascript object>"}))
    frozen = static.freeze_widgets(nb)
    assert [list(o["data"]) for o in frozen.cells[0].outputs] == [["text/html"]]


@pytest.mark.parametrize("path", NOTEBOOKS[:4], ids=lambda p: p.name)
def test_every_course_widget_becomes_a_snapshot(path):
    nb = nbformat.read(path, as_version=4)
    views = sum(static.WIDGET_VIEW in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert views >= 1
    frozen = static.freeze_widgets(nb)
    text = json.dumps(frozen)
    assert static.WIDGET_VIEW not in text and "widget-state" not in text
    snaps = [o["data"]["text/html"] for c in frozen.cells for o in c.get("outputs", [])
             if static.SNAPSHOT_CLASS in o.get("data", {}).get("text/html", "")]
    assert len(snaps) == views
    assert all("<strong>" in s for s in snaps), "every snapshot names at least one control's value"


def test_static_notebook_links_and_cells():
    course = course_mod.load(ROOT)
    path = ROOT / "notebooks" / "02_regularization.ipynb"
    nb = site.static_notebook(path, course, {p.name for p in NOTEBOOKS})
    first = nb.cells[0].source
    for url in (course.colab(path.name), course.binder_lab(path.name), course.binder_voila(path.name)):
        assert f'href="{html_lib.escape(url)}"' in first
    assert 'href="../slides/02_regularization.slides.html"' in first
    assert "<img" not in first  # no badge images from other hosts
    setup = [c for c in nb.cells if course_mod.SETUP_TAG in c.metadata.get("tags", [])]
    assert setup and "remove-cell" in setup[0].metadata["tags"]


def test_links_that_leave_the_website_point_at_github():
    course = course_mod.Course(root=ROOT, slug="someone/mlp", branch="dev", hub="https://hub.example.edu")
    text = "[notebook 03](03_backprop.ipynb), [timings](../benchmarks/README.md#x), [web](https://a.org)"
    out = site._rewrite_links(text, course, {"03_backprop.ipynb"})
    assert out == ("[notebook 03](03_backprop.ipynb), "
                   "[timings](https://github.com/someone/mlp/blob/dev/benchmarks/README.md#x), [web](https://a.org)")


def test_png_alt_text_from_output_metadata_reaches_the_page():
    out = nbformat.v4.new_output("display_data", data={"image/png": PNG_1x1},
                                 metadata={"image/png": {"alt": "Loss against epoch, falling"}})
    site._carry_alt_text(out)
    assert out["data"]["text/html"] == f'<img src="data:image/png;base64,{PNG_1x1}" alt="Loss against epoch, falling">'


# --------------------------------------------------------------------------- the built website
@pytest.fixture(scope="module")
def site_html(tmp_path_factory):
    prebuilt = ROOT / "build" / "site" / "html"
    stamp = prebuilt / site.STAMP
    if stamp.is_file():
        info = json.loads(stamp.read_text(encoding="utf-8"))
        if info.get("digest") == site.source_digest(ROOT) and info.get("slides"):
            return prebuilt
    try:
        import jupyter_book  # noqa: F401
    except ImportError:
        webcheck.missing("jupyter-book is not installed", "pip install -r requirements.txt")
    if shutil.which("npm") is None and not (ROOT / "node_modules" / "mathjax").is_dir():
        webcheck.missing("npm is not installed", "apt-get install -y npm (the build runs `npm ci` once)")
    return site.build(ROOT, tmp_path_factory.mktemp("site"))


def _pages(html_dir: Path) -> list[str]:
    """Every HTML page of the website (theme internals and reveal.js's own files left out)."""
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
                  if not p.relative_to(html_dir).parts[0].startswith("_") and "_assets" not in p.parts)


def test_site_lists_the_notebooks_in_order(site_html):
    index = (site_html / "index.html").read_text(encoding="utf-8")
    pages = [f"notebooks/{p.stem}.html" for p in NOTEBOOKS]
    positions = [index.find(f'href="{p}"') for p in pages]
    assert all(i >= 0 for i in positions) and positions == sorted(positions), positions
    for p in NOTEBOOKS:
        assert (site_html / "notebooks" / f"{p.stem}.html").is_file()
        assert (site_html / "slides" / f"{p.stem}.slides.html").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_page_links_to_where_it_runs(site_html, path):
    course = course_mod.load(ROOT)
    page = (site_html / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    for url in (course.colab(path.name), course.binder_lab(path.name), course.binder_voila(path.name)):
        assert f'href="{html_lib.escape(url)}"' in page, url
    assert f'href="../slides/{path.stem}.slides.html"' in page
    assert "VBox(children" not in page and "HBox(children" not in page
    assert static.WIDGET_VIEW not in page


def test_site_loads_nothing_from_other_hosts(site_html):
    remote = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)
    offenders = {}
    for rel in _pages(site_html):
        found = remote.findall((site_html / rel).read_text(encoding="utf-8"))
        if found:
            offenders[rel] = found[:3]
    assert offenders == {}


# --------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def browser():
    webcheck.require_browser()
    webcheck.require_axe()
    with webcheck.chromium() as b:
        yield b


PAGE_FACTS_JS = """() => ({
  images: Array.from(document.images).map(i => ({src: i.currentSrc.slice(0, 120), ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  headings: Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6, article h1, article h2, article h3, article h4, article h5, article h6'))
    .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1])),
  math: document.querySelectorAll('.math').length,
  mathUntypeset: Array.from(document.querySelectorAll('.math')).filter(m => !m.querySelector('mjx-container')).length,
})"""


def test_site_in_the_browser(site_html, browser):
    """Every page offline: loads, images show, math typeset, headings in order, axe clean; then
    every internal link and fragment resolves."""
    results, problems = {}, []
    ids, links = {}, set()
    with webcheck.serve(site_html) as base:
        for rel in _pages(site_html):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            blocked = webcheck.offline(page)
            try:
                response = page.goto(base + rel, wait_until="load")
                if response is None or response.status != 200:
                    problems.append(f"{rel}: HTTP {response and response.status}")
                    continue
                page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=20_000)
                facts = page.evaluate(PAGE_FACTS_JS)
                if facts["math"]:
                    webcheck.wait_for_math(page)
                    facts = page.evaluate(PAGE_FACTS_JS)
                    raw = webcheck.math_status(page)["raw"]
                    if facts["mathUntypeset"] or raw:
                        problems.append(f"{rel}: {facts['mathUntypeset']} formula(s) not typeset; raw TeX {raw}")
                if blocked:
                    problems.append(f"{rel}: requested other hosts: {blocked[:3]}")
                broken = [i["src"] for i in facts["images"] if not i["ok"]]
                if broken:
                    problems.append(f"{rel}: images that do not show: {broken}")
                levels = facts["headings"]
                if rel != "search.html" and rel != "genindex.html":
                    if levels.count(1) != 1:
                        problems.append(f"{rel}: {levels.count(1)} h1 headings")
                    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
                    if skips:
                        problems.append(f"{rel}: heading levels skipped {skips}")
                violations = webcheck.axe(page)
                results[rel] = {"counts": webcheck.impact_counts(violations), "violations": violations}
                bad = webcheck.blocking(violations)
                if bad:
                    problems.append(f"{rel}: serious/critical accessibility violations:\n{webcheck.describe(bad)}")
                ids[urljoin(base, rel)] = set(facts["ids"])
                links.update(facts["links"])
            finally:
                page.close()
        # every internal link: the file is served, and its #fragment exists on that page
        request = browser.new_context().request
        for link in sorted(links):
            if not link.startswith(base):
                continue
            url, fragment = urldefrag(link)
            if urlparse(url).path.endswith("/"):
                url += "index.html"
            if url not in ids:
                status = request.get(url).status
                if status != 200:
                    problems.append(f"broken internal link {link} (HTTP {status})")
                    continue
            if fragment and url in ids and fragment not in ids[url]:
                problems.append(f"broken internal link {link}: no id {fragment!r} on that page")
    webcheck.write_json(ARTIFACTS / "a11y" / "site.json", results)
    assert len(results) >= len(NOTEBOOKS) + 1, sorted(results)
    assert problems == [], "\n".join(problems)


def test_search_finds_a_notebook(site_html, browser):
    with webcheck.serve(site_html) as base:
        page = browser.new_page()
        webcheck.offline(page)
        page.goto(base + "search.html?q=backpropagation", wait_until="load")
        hits = page.locator("#search-results a[href*='03_backprop']")
        hits.first.wait_for(state="attached", timeout=30_000)
        assert hits.count() >= 1
        page.close()


DECK_FACTS_JS = """() => ({
  ready: !!document.querySelector('.reveal.ready'),
  slides: document.querySelectorAll('.reveal .slides section').length,
  styled: getComputedStyle(document.querySelector('.reveal .slides')).position === 'absolute'
      || getComputedStyle(document.querySelector('.reveal')).position === 'relative',
  font: getComputedStyle(document.querySelector('.reveal')).fontFamily,
})"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_deck_offline(site_html, browser, path):
    """Each deck with no network: reveal.js running and styled, formulas typeset, and an axe-core
    audit of all slides at once (reveal's print layout shows every slide) with no serious or
    critical violation."""
    decks = site_html / "slides"
    with webcheck.serve(decks) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        blocked = webcheck.offline(page)
        page.goto(base + f"{path.stem}.slides.html", wait_until="load")
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        facts = page.evaluate(DECK_FACTS_JS)
        assert facts["ready"] and facts["slides"] > 1 and facts["styled"], facts
        assert "Source Sans Pro" in facts["font"], facts  # the white theme's font, from the local copy
        webcheck.wait_for_math(page)
        math = webcheck.math_status(page)
        assert math["rendered"] > 0 and not math["raw"], math
        assert blocked == []
        page.close()

        page = browser.new_page(viewport={"width": 1280, "height": 800})
        webcheck.offline(page)
        page.goto(base + f"{path.stem}.slides.html?print-pdf", wait_until="load")
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        webcheck.wait_for_math(page)
        violations = webcheck.axe(page)
        page.close()
    store = ARTIFACTS / "a11y" / "decks.json"
    data = json.loads(store.read_text(encoding="utf-8")) if store.is_file() else {}
    data[path.stem] = {"counts": webcheck.impact_counts(violations), "violations": violations}
    webcheck.write_json(store, data)
    bad = webcheck.blocking(violations)
    assert not bad, f"{path.stem} deck: serious/critical accessibility violations:\n{webcheck.describe(bad)}"


def test_markdown_output_headings_nest_under_the_notebook_heading():
    md = nbformat.v4.new_markdown_cell("# Title\n\n## Worked solutions")
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": "# Solution\n\n```\n# code comment\n```\n## Step 1\n### Detail", "text/plain": "<Markdown>"})]
    nb = static.nest_output_headings(nbformat.v4.new_notebook(cells=[md, code]))
    assert nb.cells[1].outputs[0]["data"]["text/markdown"] == (
        "### Solution\n\n```\n# code comment\n```\n#### Step 1\n##### Detail")
