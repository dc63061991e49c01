"""Run-anywhere checks: course.toml is the one place that says where the course lives.

* every notebook carries the badge cell and the Colab set-up cell generated from course.toml,
  and no link anywhere points at another repository or branch;
* the set-up cell prints nothing outside Colab, and inside Colab runs exactly
  ``pip install --quiet --no-deps git+https://github.com/OWNER/REPO@BRANCH``;
* ``python -m mlp_helpers.instructor.course fork`` retargets a copy of the repository completely (and back);
* every cell has slideshow metadata, and ``python -m mlp_helpers.instructor.course slides`` builds a deck
  holding the notebook's headings;
* no stored output is an object repr (they would show as stray text in the Voila app).
"""
import html.parser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlp_helpers.instructor import course as course_tool

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COURSE = course_tool.load(ROOT)


def _nb(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _src(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _tool(*args, cwd=ROOT):
    """Run the documented command line and return its stdout (fails the test on a non-zero exit)."""
    done = subprocess.run([sys.executable, "-m", "mlp_helpers.instructor.course", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"course {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_course_toml_names_a_github_repository():
    assert re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", COURSE.slug)
    assert COURSE.branch
    text = (ROOT / "course.toml").read_text(encoding="utf-8")
    assert f'slug = "{COURSE.slug}"' in text and f'branch = "{COURSE.branch}"' in text


def test_the_course_has_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:4] == ["01_forward_pass.ipynb", "02_regularization.ipynb", "03_backprop.ipynb",
                         "04_update.ipynb"], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_badges_and_setup_cell_agree_with_course_toml(path):
    nb = _nb(path)
    cells = nb["cells"]
    slug, branch, name = COURSE.slug, COURSE.branch, path.name
    badge = cells[0]
    assert badge["cell_type"] == "markdown" and "course-badges" in badge["metadata"].get("tags", [])
    text = _src(badge)
    # the three links, written out here from course.toml's two values
    assert f"(https://colab.research.google.com/github/{slug}/blob/{branch}/notebooks/{name})" in text
    assert f"(https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/notebooks/{name})" in text
    assert f"(https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=voila/render/notebooks/{name})" in text
    assert "colab-badge.svg" in text

    setup = [i for i, c in enumerate(cells) if "colab-setup" in c["metadata"].get("tags", [])]
    assert len(setup) == 1, "exactly one Colab set-up cell"
    i = setup[0]
    first_code = next(j for j, c in enumerate(cells) if c["cell_type"] == "code")
    assert i == first_code, "the set-up cell must run before any other code"
    assert any(c["cell_type"] == "markdown" and _src(c).lstrip().startswith("# ") for c in cells[1:i]), (
        "the set-up cell comes after the title and goals")
    code = _src(cells[i])
    assert 'if "google.colab" in sys.modules:' in code
    assert f'"git+https://github.com/{slug}@{branch}"' in code
    assert '"--no-deps"' in code
    assert cells[i]["outputs"] == [], "the set-up cell must print nothing outside Colab"
    for j, cell in enumerate(cells):
        assert course_tool.link_problems(_src(cell), COURSE, f"{name} cell {j}") == []


def test_check_finds_nothing_to_fix():
    """What `python -m mlp_helpers.instructor.course check --slides` (the maintainers' command) reports."""
    assert course_tool.check(COURSE, slides=True) == []


def test_readme_badge_table_and_hub_link_agree_with_course_toml():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for region in ("notebooks", "hub"):
        assert f"<!-- course-links:{region} BEGIN" in text and f"<!-- course-links:{region} END -->" in text
    table = text.split("<!-- course-links:notebooks BEGIN", 1)[1].split("<!-- course-links:notebooks END", 1)[0]
    for path in NOTEBOOKS:
        assert f"https://colab.research.google.com/github/{COURSE.slug}/blob/{COURSE.branch}/notebooks/{path.name}" in table
        assert f"https://mybinder.org/v2/gh/{COURSE.slug}/{COURSE.branch}?urlpath=voila/render/notebooks/{path.name}" in table
    hub = text.split("<!-- course-links:hub BEGIN", 1)[1].split("<!-- course-links:hub END", 1)[0]
    owner, repo = COURSE.slug.split("/")
    assert (f"{COURSE.hub}/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F{owner}%2F{repo}"
            f"&urlpath=lab%2Ftree%2F{repo}%2Fnotebooks%2F") in hub
    assert course_tool.link_problems(text, COURSE, "README.md") == []


def _run_setup_cell(source, in_colab):
    """Run the set-up cell's code in a fresh interpreter; in 'Colab', record what it would run."""
    prelude = ""
    if in_colab:
        prelude = (
            "import sys, types, subprocess, json\n"
            "sys.modules['google'] = types.ModuleType('google')\n"
            "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
            "def fake_run(cmd, check=False):\n"
            "    print(json.dumps({'cmd': cmd[1:], 'check': check, 'python': cmd[0] == sys.executable}))\n"
            "subprocess.run = fake_run\n"
        )
    done = subprocess.run([sys.executable, "-c", prelude + source], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def test_setup_cell_is_silent_outside_colab_and_installs_without_deps_inside():
    source = course_tool.setup_source(COURSE)
    out, err = _run_setup_cell(source, in_colab=False)
    assert (out, err) == ("", "")
    out, err = _run_setup_cell(source, in_colab=True)
    assert err == ""
    assert json.loads(out) == {
        "cmd": ["-m", "pip", "install", "--quiet", "--no-deps", f"git+https://github.com/{COURSE.slug}@{COURSE.branch}"],
        "check": True, "python": True}


def _copy_repo(dst):
    shutil.copy(ROOT / "course.toml", dst / "course.toml")
    shutil.copy(ROOT / "README.md", dst / "README.md")
    (dst / "notebooks").mkdir()
    for path in NOTEBOOKS:
        shutil.copy(path, dst / "notebooks" / path.name)
    return {p.relative_to(dst): p.read_bytes() for p in dst.rglob("*") if p.is_file()}


def test_fork_retargets_every_badge_link_and_install_cell(tmp_path):
    before = _copy_repo(tmp_path)
    old_owner, old_repo = COURSE.slug.split("/")
    out = _tool("--root", str(tmp_path), "fork", "jdoe/mlp-fall", "--branch", "fall-2027",
                "--hub", "https://jupyter.uni.test")
    assert "course now at https://github.com/jdoe/mlp-fall (branch fall-2027)" in out
    cfg = (tmp_path / "course.toml").read_text(encoding="utf-8")
    assert 'slug = "jdoe/mlp-fall"' in cfg and 'branch = "fall-2027"' in cfg and 'url = "https://jupyter.uni.test"' in cfg
    for path in sorted((tmp_path / "notebooks").glob("*.ipynb")):
        cells = _nb(path)["cells"]
        text = "\n".join(_src(c) for c in cells)
        assert f"{old_owner}/{old_repo}" not in text, f"{path.name} still points at {COURSE.slug}"
        assert f"https://colab.research.google.com/github/jdoe/mlp-fall/blob/fall-2027/notebooks/{path.name}" in _src(cells[0])
        assert f"https://mybinder.org/v2/gh/jdoe/mlp-fall/fall-2027?urlpath=voila/render/notebooks/{path.name}" in _src(cells[0])
        setup = next(c for c in cells if "colab-setup" in c["metadata"].get("tags", []))
        assert '"git+https://github.com/jdoe/mlp-fall@fall-2027"' in _src(setup)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert f"github.com/{old_owner}/{old_repo}" not in readme and f"%2F{old_owner}%2F{old_repo}" not in readme
    assert ("https://jupyter.uni.test/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fjdoe%2Fmlp-fall"
            "&urlpath=lab%2Ftree%2Fmlp-fall%2Fnotebooks%2F") in readme
    assert course_tool.check(course_tool.load(tmp_path)) == []
    # ... and forking back restores every file byte for byte
    _tool("--root", str(tmp_path), "fork", COURSE.slug, "--branch", COURSE.branch, "--hub", COURSE.hub)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_links_is_idempotent(tmp_path):
    before = _copy_repo(tmp_path)
    assert course_tool.write_links(course_tool.load(tmp_path)) == []
    assert {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("slug", ["not a slug", "owner", "owner/repo/extra", "-owner/repo", ""])
def test_fork_rejects_a_bad_slug(tmp_path, slug):
    before = _copy_repo(tmp_path)
    with pytest.raises(ValueError, match="slug must be 'OWNER/REPO'"):
        course_tool.fork(tmp_path, slug)
    assert {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_slideshow_metadata(path):
    cells = _nb(path)["cells"]
    kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
    assert None not in kinds, f"cells without slideshow metadata: {[i for i, k in enumerate(kinds) if k is None]}"
    assert set(kinds) <= {"slide", "subslide", "fragment", "skip", "notes", "-"}
    assert kinds[0] == "skip"  # the badge cell is not a slide
    assert kinds[1] == "slide"  # the title is


class _Headings(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.texts, self.sections = 0, [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            self.depth += 1
            self.texts.append("")
        elif tag == "section":
            self.sections += 1

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def _plain(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"[*_`¶]", "", text)
    return " ".join(text.split())


def test_slides_deck_contains_the_notebooks_headings(tmp_path):
    path = NOTEBOOKS[0]
    out = _tool("slides", "--out", str(tmp_path), str(path))
    deck = tmp_path / f"{path.stem}.slides.html"
    assert f"deck: {deck}" in out
    text = deck.read_text(encoding="utf-8")
    assert "reveal" in text.lower()
    parser = _Headings()
    parser.feed(text)
    in_deck = {_plain(t) for t in parser.texts}
    cells = _nb(path)["cells"]
    shown = [c for c in cells if c["metadata"].get("slideshow", {}).get("slide_type") != "skip"]
    headings = [_plain(line.lstrip("#")) for c in shown if c["cell_type"] == "markdown"
                for line in _src(c).splitlines() if re.match(r"#{1,3} ", line)]
    assert headings, "the notebook has no headings"
    missing = [h for h in headings if h not in in_deck]
    assert missing == [], f"headings missing from the deck: {missing}"
    slides = sum(1 for c in shown if c["metadata"]["slideshow"]["slide_type"] in ("slide", "subslide"))
    assert parser.sections >= slides
    assert "Google Colab only" not in text and "colab-badge.svg" not in text  # skipped cells stay out


STRAY = re.compile(r"<[^<>\n]* at 0x[0-9a-f]+>|<Figure size \d+x\d+ with \d+ Axes>|^(VBox|HBox|interactive)\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stray_object_reprs_in_outputs(path):
    """Voila shows every output without its code: an object repr would be stray text there."""
    for i, cell in enumerate(_nb(path)["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if set(data) - {"text/plain"}:
                continue  # an image, HTML or widget: Voila shows that, not the text/plain fallback
            t = out.get("text", "") or data.get("text/plain", "")
            t = t if isinstance(t, str) else "".join(t)
            assert not STRAY.search(t), f"{path.name} cell {i} shows {STRAY.search(t).group(0)!r}"
