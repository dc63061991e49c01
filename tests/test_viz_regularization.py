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
from viz_checks import assert_labelled, find_slider, plain_gd as _plain_gd, shown_png  # noqa: E402

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


# ------------------------------- notebook 02: does a penalty help? measured over seeds
from matplotlib.colors import to_hex  # noqa: E402

from mlp_helpers import generalisation as gen  # noqa: E402

MEASURED_POINTS = [R.MEASURED_MIN, -1.5, R.MEASURED_MAX]  # the λ slider's min, middle and max
OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


@pytest.fixture(scope="module")
def measured():
    return R.make_measured_demo()


@pytest.mark.parametrize("kind, i, seed", [("l1", 3, 0), ("l1", 4, 2), ("l2", 2, 5)])
def test_measured_grid_entry_matches_plain_numpy_gradient_descent(kind, i, seed):
    tr, te = gen.lambda_grid(penalty_kind=kind)
    ref_tr, ref_te = _plain_gd(gen.LAMBDAS[i], seed, kind)
    # one point of 400 (or of 40) may flip by round-off in a long run: allow 1.5 points
    assert te[i, seed] == pytest.approx(ref_te, abs=1.5 / gen.OVERFIT["n_test"])
    assert tr[i, seed] == pytest.approx(ref_tr, abs=1.5 / gen.OVERFIT["n_train"])


def test_lambda_zero_is_the_same_run_for_both_penalties():
    assert np.array_equal(gen.lambda_grid(penalty_kind="l1")[1][0], gen.lambda_grid(penalty_kind="l2")[1][0])


def test_the_measured_effect_of_both_penalties():
    """What notebook 02's text says, as inequalities over the 8 seeds (each seed against its own λ = 0 run)."""
    lams = list(gen.LAMBDAS)
    for kind in ("l2", "l1"):
        tr, te = gen.lambda_grid(penalty_kind=kind)
        assert np.all(tr[0] == 1.0)  # unpenalised, every training set is fitted: it overfits
        for lam in (10 ** -2.5, 0.01, 10 ** -1.5):  # a moderate λ helps on average, in most seeds
            gain = te[lams.index(lam)] - te[0]
            assert gain.mean() > 0.015 and np.sum(gain > 0) >= 5, (kind, lam, gain)
        gain = te[lams.index(10 ** -0.5)] - te[0]  # λ ≈ 0.32 underfits: worse in every seed
        assert np.all(gain < 0) and tr[lams.index(10 ** -0.5)].mean() < 0.7
    _, te2 = gen.lambda_grid(penalty_kind="l2")
    _, te1 = gen.lambda_grid(penalty_kind="l1")
    assert np.sum(te2[lams.index(0.01)] > te2[0]) >= 7  # L2 is the more reliable: 7 of 8 seeds at λ = 0.01
    assert (te1[lams.index(0.1)] - te1[0]).mean() < -0.1 < (te2[lams.index(0.1)] - te2[0]).mean()  # L1 breaks first


@pytest.mark.parametrize("v", MEASURED_POINTS)
def test_measured_callback_at_min_mid_max(measured, v):
    r = R.update_measured(measured, v)
    i = 1 + gen.LOG10_LAMBDAS.index(v)
    assert r["lam"] == pytest.approx(10 ** v)
    _, base = gen.lambda_grid()
    assert r["base_mean"] == pytest.approx(np.mean(base[0]))
    for kind in ("l2", "l1"):
        tr, te = gen.lambda_grid(penalty_kind=kind)
        n = r[kind]
        assert n["test_mean"] == pytest.approx(np.mean(te[i]))
        assert n["test_std"] == pytest.approx(np.sqrt(np.sum((te[i] - te[i].mean()) ** 2) / (te.shape[1] - 1)))
        assert n["gain"] == pytest.approx(np.mean(te[i]) - np.mean(te[0]))
        assert n["train_mean"] == pytest.approx(np.mean(tr[i]))
        xs, ys = measured.markers[kind].get_data()
        assert list(xs) == [pytest.approx(10 ** v)] and list(ys) == [pytest.approx(n["test_mean"])]
        xs, ys = measured.gain_markers[kind].get_data()
        assert list(ys) == [pytest.approx(n["gain"])]
    assert spans(measured.readout.value) == R.measured_expected(v) == r["texts"]
    shown_png(measured.image)
    assert R.ALT_MEASURED in measured.live.alt and f"λ = {r['lam']:.4f}" in measured.live.alt


def test_measured_slider_drives_the_callback(measured):
    slider = find_slider(measured.widget, R.MEASURED_SLIDER)
    assert (slider.min, slider.max, slider.step, slider.value) == (R.MEASURED_MIN, R.MEASURED_MAX, R.MEASURED_STEP,
                                                                   R.MEASURED_DEFAULT)
    R.update_measured(measured, slider.value)  # other tests called the callback directly
    first = shown_png(measured.image)
    slider.value = R.MEASURED_MAX
    assert spans(measured.readout.value) == R.measured_expected(R.MEASURED_MAX)
    assert shown_png(measured.image) != first
    slider.value = R.MEASURED_DEFAULT
    assert spans(measured.readout.value)["lam"] == "0.0100"


def test_measured_figure_is_labelled_and_not_colour_alone(measured):
    fig = measured.fig
    assert_labelled(fig)
    fig.canvas.draw()
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_visible():
            assert text.get_fontsize() >= 12, (text.get_text(), text.get_fontsize())
    for ax in fig.axes:
        lines = [ln for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")]
        assert len(lines) == 3 or ax is measured.ax_gain
        for ln in lines:
            assert to_hex(ln.get_color()) in OKABE_ITO, ln.get_label()
        styles = [(ln.get_linestyle(), ln.get_marker()) for ln in lines]
        assert len(set(styles)) == len(styles), styles  # each series has its own line style and marker
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 3


@pytest.mark.parametrize("v", [R.MEASURED_MIN - 1, R.MEASURED_MAX + 0.5, np.nan])
def test_measured_callback_bad_value(measured, v):
    with pytest.raises(ValueError, match="^log10_lam"):
        R.update_measured(measured, v)
    with pytest.raises(ValueError, match="^log10_lam"):
        R.measured_numbers(v)
