"""Re-running a slider-demo cell must not leak its figure, widgets or memory.

Every demo builder is called 20 times after a warm-up, as a student re-runs
its cell: the number of open pyplot figures, the number of live widgets and
the process's resident memory (after ``gc.collect`` and glibc's
``malloc_trim``, so that freed memory the allocator keeps does not count)
must stay flat.  Before the fix, 20 re-runs of the forward demo left 460
more live widgets and 55 MB more memory.  One test does the same in a real
kernel (nbclient, the inline backend), as a notebook would: before the fix,
re-runs 5 to 20 of notebook 03's demo cell grew that kernel by 39 MB
(tracemalloc: +11.5 MB of Python objects); after it, by about 2 MB.
"""
import ctypes
import gc
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from mlp_helpers.viz import (backprop, depth, dropout, forward, generalisation, optimizers, regularization,  # noqa: E402
                             together, update)

ROOT = Path(__file__).resolve().parents[1]
RERUNS = 20
WARM_UP = 20  # caches (fonts, text layout, mathtext) and malloc's arenas fill in the first builds; the larger
# figures of 06-09 needed more than 8 before the growth levelled off (race: +6 MB in its first 10 builds, +1 MB in the next 20)
KERNEL_WARM_UP = 12
# Allocator noise after the warm-up is 1-7 MB here.  A leaked demo costs at least its figure's
# pixel buffer (1.2-1.7 MB) per re-run, so 20 leaky re-runs add 25 MB or more (before the fix: 40-60 MB).
RSS_SLACK_MB = 10.0

DEMOS = {
    "forward": forward.forward_demo,
    "saturation": forward.saturation_demo,
    "penalty": regularization.penalty_demo,
    "measured": regularization.make_measured_demo,
    "tangent": backprop.make_tangent_demo,
    "learning rate": update.make_lr_demo,
    "training": update.make_training_demo,
    "lambda": generalisation.make_lambda_demo,
    "race": optimizers.make_race_demo,
    "scale": depth.make_scale_demo,
    "depth": depth.make_depth_demo,
    "patience": dropout.make_patience_demo,
    "width": dropout.make_width_demo,
    "together": together.make_panel,
}


def live_widgets():
    try:
        from ipywidgets.widgets.widget import _instances  # ipywidgets 8
    except ImportError:  # ipywidgets 7
        import ipywidgets

        _instances = ipywidgets.Widget.widgets
    return len(_instances)


def rss_mb():
    """Resident memory of this process in MB, after collecting garbage and trimming malloc's free lists."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc
        pass
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


_PROBE = """
import gc, json, os, ctypes, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
sys.path.insert(0, {tests!r})
import test_demo_leaks as t
build = t.DEMOS[{name!r}]
for _ in range(t.WARM_UP):
    build()
figs, widgets, rss = len(plt.get_fignums()), t.live_widgets(), t.rss_mb()
for _ in range(t.RERUNS):
    build()
print("PROBE " + json.dumps([figs, len(plt.get_fignums()), widgets, t.live_widgets(), t.rss_mb() - rss]))
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc for the resident memory")
@pytest.mark.parametrize("name", list(DEMOS))
def test_rerunning_a_demo_keeps_figures_widgets_and_memory_flat(name):
    # In a process of its own, as a kernel is: the heap the rest of the test session left behind
    # (fragmentation) would otherwise add tens of MB of noise to the measurement.
    import json
    import subprocess
    import sys

    code = _PROBE.format(tests=str(Path(__file__).parent), name=name)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(l for l in done.stdout.splitlines() if l.startswith("PROBE "))
    figs_before, figs_after, widgets_before, widgets_after, grown = json.loads(line[len("PROBE "):])
    assert figs_after == figs_before, "a re-run left a pyplot figure open"
    assert widgets_after == widgets_before, f"{RERUNS} re-runs left {widgets_after - widgets_before} more live widgets"
    assert grown < RSS_SLACK_MB, f"{RERUNS} re-runs of the {name} demo grew the process by {grown:.1f} MB"


def test_the_replaced_demo_is_closed_and_the_new_one_lives():
    old = regularization.penalty_demo()[0]
    new = regularization.penalty_demo()[0]
    assert old.comm is None and all(child.comm is None for child in old.children)
    assert new.comm is not None  # the live copy is open


KERNEL_CELLS = [
    "import gc, os, ctypes\nimport matplotlib.pyplot as plt\nfrom mlp_helpers.viz.backprop import make_tangent_demo",
    "def probe():\n"
    "    gc.collect(); ctypes.CDLL('libc.so.6').malloc_trim(0)\n"
    "    rss = int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20\n"
    "    print(f'PROBE {len(plt.get_fignums())} {rss:.1f}')",
]
DEMO_CELL = "demo = make_tangent_demo()\ndisplay(demo.widget)"


def _probe(cell):
    for out in cell.outputs:
        for line in out.get("text", "").splitlines():
            if line.startswith("PROBE "):
                figs, rss = line.split()[1:]
                return int(figs), float(rss)
    raise AssertionError(f"the probe printed nothing: {cell.outputs}")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc for the resident memory")
def test_rerunning_the_demo_cell_in_a_kernel_stays_flat():
    """20 re-runs of notebook 03's demo cell in a real kernel (inline backend)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in KERNEL_CELLS]
    demo = nbformat.v4.new_code_cell(DEMO_CELL)
    probe = nbformat.v4.new_code_cell("probe()")
    nb.cells += [demo, probe]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               OPENBLAS_NUM_THREADS="1")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    with client.setup_kernel(env=env):
        for i, cell in enumerate(nb.cells[:2]):
            client.execute_cell(cell, i)
        for _ in range(KERNEL_WARM_UP):
            client.execute_cell(demo, 2)
        client.execute_cell(probe, 3)
        figs0, rss0 = _probe(probe)
        for _ in range(RERUNS):
            client.execute_cell(demo, 2)
        client.execute_cell(probe, 3)
        figs1, rss1 = _probe(probe)
    assert figs1 == figs0, f"open figures went from {figs0} to {figs1}"
    assert rss1 - rss0 < RSS_SLACK_MB, f"the kernel grew from {rss0:.1f} to {rss1:.1f} MB in {RERUNS} re-runs"
    # the demo cell's output: the live widget and the static picture with its text alternative
    data = demo.outputs[-1]["data"]
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(data)
