"""The λ slider and the figures of notebook 06 (mlp_helpers.viz.generalisation).

Expected numbers: one grid entry is re-trained here with a plain-numpy full-batch
gradient-descent loop (ReLU, softmax cross-entropy, L2 penalty λΣw² on the weights,
gradient 2λW), and the readouts are re-derived from the grid with numpy.
"""
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from mlp_helpers import generalisation as gen  # noqa: E402
from mlp_helpers.viz import generalisation as vg  # noqa: E402
from mlp_helpers.viz import style as mlp_style  # noqa: E402
from viz_checks import assert_labelled, find_slider, plain_gd, shown_png  # noqa: E402

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}
POINTS = [vg.LOG_MIN, -1.5, vg.LOG_MAX]  # the slider's min, middle and max


def readout_values(html):
    return dict(re.findall(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>', html))


@pytest.fixture(scope="module")
def demo():
    return vg.make_lambda_demo()


@pytest.mark.parametrize("i, seed", [(0, 0), (4, 1)])
def test_grid_entry_matches_plain_numpy_gradient_descent(i, seed):
    _, te = vg.grid()
    assert te[i, seed] == pytest.approx(plain_gd(gen.LAMBDAS[i], seed)[1], abs=1.5 / 400)


def test_grid_shape_and_the_measured_effect():
    tr, te = vg.grid()
    assert tr.shape == te.shape == (len(gen.LAMBDAS), len(gen.SEEDS)) and len(gen.SEEDS) >= 5
    assert np.all(tr[0] == 1.0)  # the unregularised network fits every training set
    gain = te[3] - te[0]          # λ = 0.01
    assert gain.mean() > 0.01 and np.sum(gain > 0) >= 6
    assert te[-1].mean() < te[0].mean() - 0.1  # λ ≈ 0.32 underfits


@pytest.mark.parametrize("v", POINTS)
def test_callback_at_min_mid_max(demo, v):
    r = vg.update_lambda(demo, v)
    i = 1 + gen.LOG10_LAMBDAS.index(v)
    tr, te = vg.grid()
    assert r["lam"] == pytest.approx(10 ** v)
    assert r["test_mean"] == pytest.approx(np.mean(te[i]))
    assert r["test_std"] == pytest.approx(np.sqrt(np.sum((te[i] - te[i].mean()) ** 2) / (te.shape[1] - 1)))
    assert r["gain"] == pytest.approx(np.mean(te[i]) - np.mean(te[0]))
    assert r["train_mean"] == pytest.approx(np.mean(tr[i]))
    xs, ys = demo.marker.get_data()
    assert list(xs) == [pytest.approx(10 ** v)] and list(ys) == [pytest.approx(r["test_mean"])]
    assert readout_values(demo.readout.value) == vg.browser_expected(v)
    shown_png(demo.image)
    assert vg.ALT_LAMBDA in demo.live.alt and f"λ = {r['lam']:.4f}" in demo.live.alt


def test_browser_convention(demo):
    slider = find_slider(demo.widget, vg.BROWSER_SLIDER)
    assert (slider.min, slider.max, slider.step, slider.value) == (vg.LOG_MIN, vg.LOG_MAX, vg.BROWSER_STEP,
                                                                   vg.BROWSER_DEFAULT)
    before = vg.browser_expected(vg.BROWSER_DEFAULT)
    after = vg.browser_expected(vg.BROWSER_DEFAULT + vg.BROWSER_STEP)
    assert before.keys() == after.keys() and before != after
    slider.value = vg.LOG_MAX
    assert readout_values(demo.readout.value) == vg.browser_expected(vg.LOG_MAX)
    slider.value = vg.BROWSER_DEFAULT


def _check_accessible(fig):
    fig.canvas.draw()  # tick labels exist after a draw
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_visible():
            assert text.get_fontsize() >= 12, (text.get_text(), text.get_fontsize())
    for ax in fig.axes:
        lines = [ln for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")]
        for ln in lines:
            assert to_hex(ln.get_color()) in OKABE_ITO, ln.get_label()
        styles = [(ln.get_linestyle(), ln.get_marker()) for ln in lines]
        assert len(set(styles)) == len(styles), styles


def test_lambda_figure_is_labelled_and_colour_blind_safe(demo):
    assert_labelled(demo.fig)
    _check_accessible(demo.fig)
    assert demo.alt == vg.ALT_LAMBDA and len(vg.ALT_LAMBDA) > 50
    assert mlp_style.get_alt(demo.fig).startswith(vg.ALT_LAMBDA)


def test_protocol_figure():
    curves = [[0.9, 0.95, 0.96], [0.91, 0.94, 0.97]]
    fig = vg.protocol_figure(curves, ["a", "b"], chosen=1, epoch=3)
    assert_labelled(fig)
    _check_accessible(fig)
    star = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "chosen on validation"][0]
    assert list(star.get_xdata()) == [3] and list(star.get_ydata()) == [0.97]
    assert "chosen candidate, b, at epoch 3" in mlp_style.get_alt(fig)


@pytest.mark.parametrize("v", [vg.LOG_MIN - 1, vg.LOG_MAX + 0.5, np.nan])
def test_callback_bad_value(demo, v):
    with pytest.raises(ValueError, match="^log10_lam"):
        vg.update_lambda(demo, v)


@pytest.mark.parametrize("args", [([[0.9]], ["a", "b"], 0, 1), ([[0.9]], ["a"], 1, 1),
                                  ([[0.9]] * 5, ["a"] * 5, 0, 1)])
def test_protocol_figure_bad_input(args):
    with pytest.raises(ValueError, match="^histories"):
        vg.protocol_figure(*args)
