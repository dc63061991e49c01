"""Callbacks and figures of notebook 02 (mlp_helpers.viz.regularization).

Expected numbers come from the definitions written out in plain numpy here
(lam*w^2, 2*lam*w, lam*|w|, lam*sign(w)), from seed 000's printed values,
and from central finite differences; never from the callback under test.
"""
import html
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlp_helpers.viz import regularization as R  # noqa: E402
from viz_checks import assert_labelled, find_slider, shown_png  # noqa: E402

SPAN = re.compile(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>')
LAMS = (0.0, 0.01, 0.02)   # slider lam: min, middle, max
WS = (-3.0, 0.0, 3.0)      # slider w: min, middle, max


def spans(markup):
    return {k: html.unescape(v) for k, v in SPAN.findall(markup)}


@pytest.mark.parametrize("lam", LAMS)
@pytest.mark.parametrize("w", WS)
def test_penalty_callback_min_mid_max(lam, w):
    out = R.penalty_callback(lam=lam, w=w)
    assert out["l2_penalty"] == pytest.approx(lam * w * w, abs=1e-15)
    assert out["l2_grad"] == pytest.approx(2 * lam * w, abs=1e-15)
    assert out["l1_penalty"] == pytest.approx(lam * abs(w), abs=1e-15)
    assert out["l1_grad"] == pytest.approx(lam * np.sign(w), abs=1e-15)
    assert out["texts"]["l2_grad"] == f"{2 * lam * w:.6f}"


def test_penalty_callback_seed000_numbers():
    # seed 000: 2 * 0.01 * 1.5 = 0.030000 and 0.005 * sign(1.5) = 0.005000
    assert R.penalty_callback(lam=0.01, w=1.5)["texts"]["l2_grad"] == "0.030000"
    assert R.penalty_callback(lam=0.005, w=1.5)["texts"]["l1_grad"] == "0.005000"


def test_l1_gradient_at_the_kink_is_zero():
    out = R.penalty_callback(lam=0.02, w=0.0)
    assert out["l1_grad"] == 0.0 and out["l1_penalty"] == 0.0


@pytest.mark.parametrize("w", [-2.7, -0.3, 0.4, 2.9])
def test_gradients_match_finite_differences(w):
    lam, h = 0.013, 1e-6
    up, down = R.penalty_callback(lam, w + h), R.penalty_callback(lam, w - h)
    out = R.penalty_callback(lam, w)
    for name in ("l2", "l1"):
        fd = (up[f"{name}_penalty"] - down[f"{name}_penalty"]) / (2 * h)
        assert out[f"{name}_grad"] == pytest.approx(fd, rel=1e-6, abs=1e-9)



def test_browser_constants_match_the_demo_slider():
    box, view = R.penalty_demo()
    slider = find_slider(box, R.BROWSER_SLIDER)
    assert slider.value == R.BROWSER_DEFAULT
    assert slider.step == R.BROWSER_STEP
    for v in (slider.min, 0.0, slider.max, R.BROWSER_DEFAULT, R.BROWSER_DEFAULT + R.BROWSER_STEP):
        slider.value = v  # the observer calls the callback, which rewrites the readout
        assert spans(view.html.value) == R.browser_expected(v)
        assert shown_png(view.image) == view.live.png


def test_browser_expected_default_is_seed000():
    exp = R.browser_expected(1.5)
    assert exp == {"l2_penalty": "0.022500", "l2_grad": "0.030000", "l1_penalty": "0.015000", "l1_grad": "0.010000"}


def test_view_updates_curves_in_place():
    view = R.penalty_view()
    R.penalty_callback(0.02, -3.0, view=view)
    np.testing.assert_allclose(view.curve_l2.get_ydata(), 0.02 * view.ws ** 2)
    assert view.mark_g1.get_ydata()[0] == pytest.approx(-0.02)
    first = shown_png(view.image)
    R.penalty_callback(0.0, 0.0, view=view)
    assert shown_png(view.image) != first
    np.testing.assert_allclose(view.curve_l1.get_ydata(), 0.0)



def test_figures_have_titles_labels_legends():
    import matplotlib.pyplot as plt

    from mlp_helpers import init_params
    from mlp_helpers.datasets import make_moons

    X, y = make_moons(40, noise=0.2, seed=0)
    runs = [("a", init_params([2, 5, 2], seed=0)), ("b", init_params([2, 5, 2], seed=1))]
    figs = [
        R.penalty_view().fig,
        R.plot_l1_l2_geometry([1.0, 2.0], [2.0, 0.5], [0.8, 0.0], [0.59, 0.23]),
        R.plot_training_comparison(runs, X, y, grid=20),
    ]
    for fig in figs:
        assert_labelled(fig)
        plt.close(fig)


# ------------------------------------- notebook 02: the true data gradient
def _notebook_cell(nb, marker):
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"expected one code cell with {marker!r}"
    return cells[0].source


def test_notebook_02_prints_the_true_data_gradient_not_the_round_off():
    """Seed 000's true dL/dW2[0,0] = h1[0] (y_hat[0] - 1) = -h1[0] / (1 + exp(z2[0] - z2[1])), computed
    here at 50 digits with mpmath from the seed's decimal numbers; float64 backprop gives -1.366e-15
    (it stores y_hat[0] as 1 - 2.2e-16), and notebook 02 must label that as round-off."""
    import contextlib
    import io
    from pathlib import Path

    import mpmath
    import nbformat

    mpmath.mp.dps = 50
    D = mpmath.mpf
    x = [D("1.0"), D("0.5"), D("2.0")]
    W1 = [["2.5", "-1.2", "0.8", "3.1"], ["-0.5", "2.8", "-1.5", "0.3"], ["1.7", "-0.9", "2.3", "-1.8"]]
    b1 = ["0.5", "-0.3", "0.2", "0.7"]
    W2 = [["1.5", "-2.3"], ["-0.8", "1.9"], ["2.1", "-0.6"], ["-1.3", "2.7"]]
    b2 = ["0.3", "-0.5"]
    h1 = [max(D(0), sum(x[i] * D(W1[i][j]) for i in range(3)) + D(b1[j])) for j in range(4)]
    z2 = [sum(h1[j] * D(W2[j][k]) for j in range(4)) + D(b2[k]) for k in range(2)]
    true = -h1[0] / (1 + mpmath.exp(z2[0] - z2[1]))
    assert mpmath.nstr(true, 4) == "-1.633e-15"  # the value the issue names

    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "02_regularization.ipynb", as_version=4)
    setup = _notebook_cell(nb, "s = seed000()")
    cell = _notebook_cell(nb, "true data gradient dL/dW2[0,0]")
    out = io.StringIO()
    namespace = {}
    with contextlib.redirect_stdout(out):
        exec(compile(setup, "02 setup cell", "exec"), namespace)
        exec(compile(cell, "02 gradient cell", "exec"), namespace)
    lines = out.getvalue().splitlines()
    true_line = [line for line in lines if line.startswith("true data gradient")]
    roundoff_line = [line for line in lines if "round-off" in line]
    assert len(true_line) == 1 and true_line[0].split("=")[1].split()[0] == f"{float(true):.3e}" == "-1.633e-15"
    assert len(roundoff_line) == 1 and roundoff_line[0].split("=")[1].split()[0] == "-1.366e-15"
