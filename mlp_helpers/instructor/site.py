"""The course website: Jupyter Book 1 from the stored notebooks, offline math, slides included.

One command, from anywhere inside the repository::

    python -m mlp_helpers.instructor.site build [--out build/site] [--no-slides]

It never executes a notebook (``pytest --nbval`` already proves the stored outputs).  It

1. installs the pinned browser files (MathJax 3, reveal.js 4, axe-core) with ``npm ci`` into
   ``node_modules/`` unless they are there already (:func:`mlp_helpers.instructor.static.vendor`);
2. stages ``book/`` (``_config.yml``, the landing page ``index.md``, ``_static/``) and a static copy
   of every ``notebooks/NN_*.ipynb`` in ``OUT/src``: widget outputs become static snapshots, the
   badge cell becomes plain links to Colab, Binder, the Voila app and the slides (generated from
   course.toml, no external images), the Colab set-up cell is hidden, links that leave the
   website point at the repository on GitHub; ``_toc.yml`` lists the notebooks in order;
3. runs ``jupyter-book build`` (Sphinx, sphinx-book-theme, myst-nb with execution off), moves the
   HTML to ``OUT/html`` and copies MathJax 3 into ``OUT/html/_static/mathjax`` (the pages' only
   MathJax, Sphinx's ``mathjax_path``);
4. builds one reveal.js deck per notebook into ``OUT/html/slides/`` (offline, see
   :mod:`mlp_helpers.instructor.slides`).

Open ``OUT/html/index.html`` in a browser, or serve the folder with any static web server.
"""
from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import static
from .course import BADGE_TAG, SETUP_TAG, Course, _tags, load, notebook_title, notebooks
from .slides import build_slides, run_links

BOOK_DIR = "book"
NOTEBOOK_TABLE_MARK = "<!-- notebook-table (filled in from notebooks/ and course.toml by the site build) -->"
_MD_LINK = re.compile(r"(\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")


def slides_href(nb_name: str, from_page: bool = True) -> str:
    """Relative address of a notebook's deck from its page (``notebooks/X.html``) or from the site root."""
    deck = f"slides/{Path(nb_name).stem}.slides.html"
    return f"../{deck}" if from_page else deck


def links_html(course: Course, nb_name: str) -> str:
    """The links at the top of each notebook's page (replacing the badge images)."""
    items = [f'<a href="{html.escape(url)}">Open in {html.escape(name)}</a>'
             for name, url in run_links(course, nb_name).items()]
    items.append(f'<a href="{slides_href(nb_name)}">Slides of this notebook (reveal.js)</a>')
    return ('<nav class="mlp-run-links" aria-label="Run this notebook">\n'
            "<strong>Run it live</strong> (the sliders need a Python kernel): " + " · ".join(items) +
            "\n</nav>")


def _rewrite_links(text: str, course: Course, staged: set[str]) -> str:
    """Markdown links from a notebook that would leave the website point at the repository on GitHub."""
    def fix(m):
        target = m.group(2)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", target, re.I):
            return m.group(0)  # absolute URL, anchor, site-absolute path
        path, _, anchor = target.partition("#")
        if Path(path).name in staged and not path.startswith(".."):
            return m.group(0)  # another notebook: a page of this website
        repo_path = (Path("notebooks") / path).as_posix()
        parts = []
        for part in repo_path.split("/"):
            if part == "..":
                if parts:
                    parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        rel = "/".join(parts)
        kind = "tree" if (course.root / rel).is_dir() else "blob"
        url = f"{course.github}/{kind}/{course.branch}/{rel}" + (f"#{anchor}" if anchor else "")
        return m.group(1) + url + m.group(3)
    return _MD_LINK.sub(fix, text)


def image_alt(output) -> str | None:
    """The text alternative a PNG output carries in its metadata (``metadata["image/png"]["alt"]``
    or ``metadata["alt"]``), if any."""
    meta = output.get("metadata", {}) or {}
    alt = (meta.get("image/png") or {}).get("alt") if isinstance(meta.get("image/png"), dict) else None
    return alt or meta.get("alt")


def _carry_alt_text(output) -> None:
    """A PNG output with a text alternative in its metadata becomes an <img> with that ``alt``
    (myst-nb would otherwise write the image's file name as its alt text)."""
    data = output.get("data", {})
    alt = image_alt(output)
    if "image/png" in data and alt and "text/html" not in data:
        png = data["image/png"].replace("\n", "") if isinstance(data["image/png"], str) else "".join(data["image/png"])
        data["text/html"] = f'<img src="data:image/png;base64,{png}" alt="{html.escape(str(alt))}">'


def static_notebook(path: Path, course: Course, staged: set[str]):
    """The notebook at ``path`` as the website shows it (see the module docstring, step 2)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb = static.nest_output_headings(static.freeze_widgets(nb, run_links(course, path.name)))
    cells = []
    for cell in nb.cells:
        tags = _tags(cell)
        if BADGE_TAG in tags:
            cell = nbformat.v4.new_markdown_cell(links_html(course, path.name))
        elif SETUP_TAG in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
        elif cell.cell_type == "markdown":
            cell.source = _rewrite_links(cell.source, course, staged)
        for out in cell.get("outputs", []):
            _carry_alt_text(out)
        cells.append(cell)
    nb.cells = cells
    return nb


def notebook_table(course: Course) -> str:
    """The landing page's table: each notebook's page, and where it runs live."""
    rows = ["| notebook | run it live | slides |", "|---|---|---|"]
    for path in notebooks(course.root):
        title = notebook_title(path).replace("|", "\\|")
        live = " · ".join(f"[{name}]({url})" for name, url in run_links(course, path.name).items())
        rows.append(f"| [{title}](notebooks/{path.name}) | {live} "
                    f'| <a href="{slides_href(path.name, from_page=False)}">slides of {path.stem[:2]}</a> |')
    return "\n".join(rows)


def stage(course: Course, src: Path) -> Path:
    """Write the book's source (``book/`` plus static notebooks, ``_toc.yml``) into ``src``."""
    import nbformat
    import yaml

    book = course.root / BOOK_DIR
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(book, src, ignore=shutil.ignore_patterns("_build", "_toc.yml"))
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("repository", {}).update(url=course.github, branch=course.branch)
    (src / "_config.yml").write_text(
        "# Staged by mlp_helpers.instructor.site from book/_config.yml and course.toml: do not edit.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    index = (src / "index.md").read_text(encoding="utf-8")
    if NOTEBOOK_TABLE_MARK not in index:
        raise ValueError(f"{book / 'index.md'} has lost the line {NOTEBOOK_TABLE_MARK!r}")
    (src / "index.md").write_text(index.replace(NOTEBOOK_TABLE_MARK, notebook_table(course)), encoding="utf-8")
    paths = notebooks(course.root)
    staged = {p.name for p in paths}
    (src / "notebooks").mkdir()
    for path in paths:
        nbformat.write(static_notebook(path, course, staged), src / "notebooks" / path.name)
    toc = ["# Staged by mlp_helpers.instructor.site: the notebooks in order.", "format: jb-book",
           "root: index", "chapters:"] + [f"- file: notebooks/{p.stem}" for p in paths]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    return src


STAMP = "_mlp_site.json"  # in the HTML folder: the digest of everything the site was built from


def source_digest(root: Path) -> str:
    """SHA-256 over every file the website is built from (notebooks, book/, course.toml, the
    pinned npm packages and this builder's code), so a test can tell a stale build from a fresh one."""
    import hashlib

    root = Path(root)
    here = Path(__file__).parent
    files = sorted([*notebooks(root), *(p for p in (root / BOOK_DIR).rglob("*") if p.is_file()),
                    root / "course.toml", root / "package-lock.json",
                    *(here / name for name in ("site.py", "static.py", "slides.py", "course.py")),
                    *(p for p in (here / "templates").rglob("*") if p.is_file())])
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(root) if f.is_relative_to(root) else f.name).encode() + b"\0")
            h.update(f.read_bytes())
    return h.hexdigest()


def build(root: Path | str | None = None, out: Path | str | None = None, slides: bool = True,
          quiet: bool = True) -> Path:
    """Build the website into ``out/html`` (default ``build/site/html``); return that folder."""
    course = load(root)
    out = Path(out) if out is not None else course.root / "build" / "site"
    out = out if out.is_absolute() else Path.cwd() / out
    static.vendor(course.root)
    src = stage(course, out / "src")
    work = out / "jb"
    if work.exists():
        shutil.rmtree(work)
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(src), "--path-output", str(work),
           "--all", "-W", "--keep-going"]
    if quiet:
        cmd.append("-q")
    subprocess.run(cmd, check=True, cwd=course.root)
    html_dir = out / "html"
    if html_dir.exists():
        shutil.rmtree(html_dir)
    shutil.move(str(work / "_build" / "html"), html_dir)
    shutil.rmtree(work)
    # After the build: Jupyter Book would add a <script> for every .js file found in the source's
    # _static/ (MathJax has dozens); the pages load only mathjax_path (_static/mathjax/tex-chtml-full.js).
    static.copy_mathjax(course.root, html_dir / "_static" / "mathjax")
    if slides:
        build_slides(notebooks(course.root), html_dir / "slides", course=course)
    import json

    (html_dir / STAMP).write_text(json.dumps({"digest": source_digest(course.root), "slides": slides}) + "\n",
                                  encoding="utf-8")
    return html_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlp_helpers.instructor.site",
                                     description="Build the course website from the stored notebooks.")
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found from here)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="build the website into build/site/html (no notebook is run)")
    p_build.add_argument("--out", type=Path, default=None, help="output folder (default: build/site)")
    p_build.add_argument("--no-slides", action="store_true", help="leave out the slide decks")
    p_build.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    try:
        html_dir = build(args.root, args.out, slides=not args.no_slides, quiet=not args.verbose)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as err:
        print(f"error: {' '.join(map(str, err.cmd[:4]))} ... failed with exit code {err.returncode}", file=sys.stderr)
        return 1
    pages = sorted(p.relative_to(html_dir) for p in html_dir.rglob("*.html")
                   if not p.relative_to(html_dir).parts[0].startswith("_"))
    print(f"website: {html_dir / 'index.html'} ({len(pages)} HTML files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
