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


def build_slides(paths, out_dir: Path, reveal_prefix: str | None = None) -> list[Path]:
    """Write one reveal.js deck per notebook into ``out_dir``; return the deck paths."""
    import nbformat
    from nbconvert.exporters import SlidesExporter
    from traitlets.config import Config

    c = Config()
    c.SlidesExporter.reveal_scroll = True
    c.SlidesExporter.reveal_theme = "simple"
    c.SlidesExporter.reveal_transition = "none"
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    if reveal_prefix:
        c.SlidesExporter.reveal_url_prefix = reveal_prefix
    exporter = SlidesExporter(config=c)
    out_dir.mkdir(parents=True, exist_ok=True)
    decks = []
    for path in paths:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem, "path": str(path.parent)}})
        deck = out_dir / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    return decks
