"""Slides: one reveal.js deck per notebook, from the cells' slideshow metadata.

``annotate`` fills in missing ``slideshow.slide_type`` cell metadata (title and
``##`` headings start a slide, ``###`` headings and prose that follows code
start a sub-slide, the badge and set-up cells are skipped); ``build_slides``
uses nbconvert's reveal.js exporter.  The command line is
``python -m mlp_helpers.instructor.course slides``.
"""
from __future__ import annotations

import copy
from pathlib import Path

def _first_line(cell) -> str:
    for line in cell.source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def slide_types(nb) -> list[str]:
    """The slide type each cell would get from its content (see the module docstring)."""
    from .course import BADGE_TAG, SETUP_TAG, _tags  # the cells that `course links` manages

    types = []
    prev = None
    for cell in nb.cells:
        tags = _tags(cell)
        first = _first_line(cell)
        if BADGE_TAG in tags or SETUP_TAG in tags:
            kind = "skip"
        elif cell.cell_type == "markdown" and (first.startswith("# ") or first.startswith("## ")):
            kind = "slide"
        elif cell.cell_type == "markdown" and first.startswith("### "):
            kind = "subslide"
        elif cell.cell_type == "markdown" and prev is not None and prev.cell_type == "code":
            kind = "subslide"
        else:
            kind = "-"
        types.append(kind)
        if kind != "skip":
            prev = cell
    return types


def annotate(nb, reset: bool = False):
    """Copy of ``nb`` with slideshow.slide_type on every cell (existing ones kept unless ``reset``)."""
    nb = copy.deepcopy(nb)
    for cell, kind in zip(nb.cells, slide_types(nb)):
        show = cell.metadata.setdefault("slideshow", {})
        if reset or "slide_type" not in show or kind == "skip":
            show["slide_type"] = kind
    return nb


ASSETS = "_assets"  # beside the decks: reveal.js/ and mathjax/ (copied from node_modules/)
TEMPLATE_DIR = Path(__file__).with_name("templates")


def run_links(course, nb_name: str) -> dict:
    """Where notebook ``nb_name`` runs live (for static copies): name -> URL, from course.toml."""
    if course is None:
        return {}
    return {"Google Colab": course.colab(nb_name), "Binder (JupyterLab)": course.binder_lab(nb_name),
            "the Voilà app on Binder": course.binder_voila(nb_name)}


def link_decks(nb, names):
    """Copy of ``nb`` whose markdown links to a notebook in ``names`` (file names such as
    ``01_forward_pass.ipynb``) point at that notebook's deck (``01_forward_pass.slides.html``):
    the decks are written side by side, and the ``.ipynb`` itself is not beside them."""
    import re

    names = {Path(n).name for n in names}
    link = re.compile(r"\]\(([^)\s#]+)\.ipynb(#[^)\s]*)?\)")

    def deck(m):
        target = m.group(1) + ".ipynb"
        if Path(target).name not in names or "/" in target:
            return m.group(0)
        return f"]({m.group(1)}.slides.html{m.group(2) or ''})"

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = link.sub(deck, cell.source)
    return nb


def build_slides(paths, out_dir: Path, reveal_prefix: str | None = None, offline: bool = True,
                 course=None, root: Path | None = None) -> list[Path]:
    """Write one reveal.js deck per notebook into ``out_dir``; return the deck paths.

    ``offline=True`` (the default): MathJax 3 and (unless ``reveal_prefix`` names another copy)
    reveal.js 4 are copied from the repository's ``node_modules/`` (installed with ``npm ci`` when
    missing, see :func:`mlp_helpers.instructor.static.vendor`) into ``out_dir/_assets/``, and the
    decks load them from there with a relative path: copy the whole folder to present from a
    machine with no network.  ``offline=False`` keeps nbconvert's own template (reveal.js from
    ``reveal_prefix`` or a CDN; jQuery, require.js and MathJax 2 from CDNs).  In both, widgets
    appear as static snapshots (their saved state) with links to where they run live, from
    ``course`` (default: course.toml of the repository holding the first notebook).  A markdown
    link to another of ``paths`` becomes a link to its deck (:func:`link_decks`).
    """
    import nbformat
    from nbconvert.exporters import SlidesExporter
    from traitlets.config import Config

    from . import static

    from .course import load

    paths = [Path(p) for p in paths]
    if course is None and paths:
        try:
            course = load(paths[0].resolve().parent)
        except FileNotFoundError:
            course = None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    c = Config()
    c.SlidesExporter.reveal_scroll = True
    c.SlidesExporter.reveal_theme = "white"  # its font ships with reveal.js ("simple" loads Google Fonts)
    c.SlidesExporter.reveal_transition = "none"
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    extra = {}
    if offline:
        if root is None:
            root = course.root if course is not None else Path.cwd()
        static.vendor(root)
        static.copy_mathjax(root, out_dir / ASSETS / "mathjax")
        if reveal_prefix:
            c.SlidesExporter.reveal_url_prefix = reveal_prefix
        else:
            static.copy_reveal(root, out_dir / ASSETS / "reveal.js")
            c.SlidesExporter.reveal_url_prefix = f"{ASSETS}/reveal.js"
        c.SlidesExporter.template_name = "mlp_reveal"
        c.SlidesExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
        extra["mlp_mathjax_script"] = static.mathjax_script(f"{ASSETS}/mathjax/tex-chtml-full.js")
    elif reveal_prefix:
        c.SlidesExporter.reveal_url_prefix = reveal_prefix
    exporter = SlidesExporter(config=c)
    course_names = [p.name for p in paths]  # the decks this call writes side by side
    decks = []
    for path in paths:
        path = Path(path)
        nb = link_decks(nbformat.read(path, as_version=4), course_names)
        nb = static.nest_output_headings(static.freeze_widgets(nb, run_links(course, path.name)))
        resources = {"metadata": {"name": path.stem, "path": str(path.parent)}, **extra}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        deck = out_dir / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    return decks
