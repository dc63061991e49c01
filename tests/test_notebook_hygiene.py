"""What keeps `pytest --nbval` honest, checked on the stored notebooks themselves.

nbval compares stored outputs with a fresh run, but it cannot tell that a
notebook was stored from a fresh run, that an ignore marker it does not
recognise was meant to ignore, or that an ignored cell says why.
"""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
# nbval (plugin.find_comment_markers) recognises a marker only when the whole
# comment line is exactly the marker.
MARKERS = {"NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT", "NBVAL_SKIP", "NBVAL_RAISES_EXCEPTION"}


def _code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb, [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_as_a_fresh_top_to_bottom_run(path):
    nb, cells = _code_cells(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    for c in cells:
        for out in c["outputs"]:
            assert out["output_type"] != "error", "".join(c["source"])[:80]
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), "".join(out["text"])[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_markers_are_exact_and_explained(path):
    _, cells = _code_cells(path)
    for c in cells:
        lines = "".join(c["source"]).splitlines()
        for i, line in enumerate(lines):
            if "NBVAL_" not in line:
                continue
            comment = line.strip().lstrip("#").strip()
            assert comment in MARKERS, f"nbval ignores {line.strip()!r}: the marker must be alone on its line"
            if comment in ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP"):
                reason = lines[i + 1].strip() if i + 1 < len(lines) else ""
                assert reason.startswith("#") and len(reason) > 20, f"say why on the line after {comment}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_bare_numpy_scalar_reprs_or_memory_addresses(path):
    _, cells = _code_cells(path)
    for c in cells:
        for out in c["outputs"]:
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"np\.(float|int)\d+\(", text), text[:200]
            assert not re.search(r" at 0x[0-9a-f]+>", text), text[:200]
            # its size depends on the installed matplotlib-inline: show figures with mlp_helpers.viz.show_figure
            assert "<Figure size" not in text, text[:200]
