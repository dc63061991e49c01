"""The benchmark script still runs (``benchmarks/run.py --quick``).

A smoke test so the script cannot rot: it must exit 0 and print every table
row.  Nothing here asserts on times (they depend on the machine and its load).
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_runs_and_prints_every_row(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for row in ("| (a) mlp_helpers.train |", "| (a, record=None) mlp_helpers.train |", '| (a, record="full") mlp_helpers.train |', "| (b) numpy floor |",
                "| (b + evaluation) numpy floor |", "| (d) scikit-learn MLPClassifier |"):
        assert row in out
    # PyTorch is optional (benchmarks/requirements.txt): either its row or the note saying why it is absent
    assert "| (c) PyTorch |" in out or "PyTorch is not installed" in out
    # the scaling tables: one row per grid value
    assert "| hidden width |" in out and "| batch size |" in out
    assert "| 16 |" in out and "| 8 |" in out
    # part 3: a row for the first notebook, or the note that there is none
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if notebooks:
        assert f"| {notebooks[0].name} |" in out
    else:
        assert "no notebooks/*.ipynb found" in out
    assert "| (a) within 1.3x of the floor (b) |" in out
    # part 4: each optimizer's step against torch.optim, or the note that PyTorch is absent
    if "| (c) PyTorch |" in out:
        for name in ("SGD (mh.sgd_step, optim.py)", "momentum (velocity)", "RMSProp", "Adam"):
            assert f"| 64-64-10 | {name} |" in out and f"| 784-512-10 | {name} |" in out
    else:
        assert "(skipped: PyTorch is not installed)" in out
    # the report and the plot were written where asked, not over benchmarks/README.md
    assert (tmp_path / "README.md").read_text(encoding="utf-8").startswith("# Benchmarks")
    assert (tmp_path / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
