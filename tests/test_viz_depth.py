"""The slider callbacks and figures of notebook 08 (mlp_helpers.viz.depth).

Expected numbers are recomputed here seed by seed with mlp_helpers.init_params, forward and
backward (the package's tested matrix backprop), not with mlp_helpers.depth's seed-batched
pass that the callbacks use; the ReLU variance curves against their closed form.
"""
import math
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import mlp_helpers as mh  # noqa: E402
from mlp_helpers import depth as dp  # noqa: E402
from mlp_helpers.graph import Value  # noqa: E402
from mlp_helpers.viz import depth as vd  # noqa: E402
from viz_checks import shown_png  # noqa: E402

SEEDS, WIDTH, B, K = (0, 1, 2, 3, 4), 32, 32, 10


def readout_values(html):
    return dict(re.findall(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>', html))


def reference(activation, depth, gain):
    """Per seed: (mean z_l^2, ||delta_l||) from init_params / forward / backward, shapes (5, depth)."""
    z2, dn = [], []
    for s in SEEDS:
        params = mh.init_params([WIDTH] * (depth + 1) + [K], seed=s, scale="xavier")
        params = {k: v * gain if k.startswith("W") else v for k, v in params.items()}
        rng = np.random.default_rng([s, 1])
        X = rng.normal(size=(B, WIDTH))
        Y = mh.one_hot(rng.integers(0, K, B), K)
        cache = mh.forward(params, X, activation=activation)
        _, terms = mh.backward(params, cache, Y, activation=activation)
        z2.append([np.mean(cache[f"Z{l}"] ** 2) for l in range(1, depth + 1)])
        dn.append([np.linalg.norm(terms[f"delta{l}"]) for l in range(1, depth + 1)])
    return np.array(z2), np.array(dn)


def geo(v):
    return np.exp(np.mean(np.log(v), axis=0))


# ---------------------------------------------------------- the scale demo
@pytest.fixture(scope="module")
def scale_demo():
    return vd.make_scale_demo()


GAIN_POINTS = [vd.GAIN_MIN, (vd.GAIN_MIN + vd.GAIN_MAX) / 2, vd.GAIN_MAX]


@pytest.mark.parametrize("gain", GAIN_POINTS + [vd.BROWSER_DEFAULT, round(math.sqrt(2), 2)])
def test_scale_callback_matches_forward_backward(scale_demo, gain):
    r = vd.update_scale(scale_demo, gain)
    assert r["gain"] == gain and r["depth"] == vd.DEPTH == 20
    shown = readout_values(scale_demo.readout.value)
    for a in vd.ACTIVATIONS:
        z2, dn = reference(a, vd.DEPTH, gain)
        ratio = geo(dn[:, 0] / dn[:, -1])
        assert r["ratios"][a]["ratio"] == pytest.approx(ratio, rel=1e-9)
        word = "vanishing" if ratio < 0.1 else "exploding" if ratio > 10 else "flat"
        assert r["ratios"][a]["verdict"] == word
        assert shown[f"ratio_{a}"] == f"{ratio:.2g}" and shown[f"verdict_{a}"] == word
        (line_f, band_f), (line_b, band_b) = scale_demo.series[a]
        np.testing.assert_allclose(line_f.get_ydata(), np.clip(geo(z2), *vd.Y_LIMITS), rtol=1e-9)
        np.testing.assert_allclose(line_b.get_ydata(), np.clip(geo(dn / dn[:, -1:]), *vd.Y_LIMITS), rtol=1e-9)
        np.testing.assert_array_equal(line_b.get_xdata(), np.arange(1, 21))
    assert shown["gain"] == f"{gain:.2f}"
    assert vd.alt_text(scale_demo.fig).startswith(f"Slider demo, initial scale g = {gain:.2f}")


@pytest.mark.parametrize("gain", GAIN_POINTS + [vd.BROWSER_DEFAULT, vd.BROWSER_DEFAULT + vd.BROWSER_STEP])
def test_scale_browser_expected_equals_readout(scale_demo, gain):
    vd.update_scale(scale_demo, gain)
    assert readout_values(scale_demo.readout.value) == vd.browser_expected(gain)


def test_one_browser_step_changes_the_readout():
    assert vd.browser_expected(vd.BROWSER_DEFAULT) != vd.browser_expected(vd.BROWSER_DEFAULT + vd.BROWSER_STEP)


def test_the_scale_slider_answers_its_question():
    """At which g does the gradient stay flat (within 10x) from layer 20 to layer 1?

    The answer the slider gives, on its own grid: ReLU only near He's sqrt 2, tanh from about
    Xavier's 1 up to past 1.7 (PyTorch's tanh gain 5/3 is inside), sigmoid nowhere.
    """
    grid = np.round(np.arange(vd.GAIN_MIN, vd.GAIN_MAX + 1e-9, vd.BROWSER_STEP), 2)
    flat = {a: [g for g in grid if dp.gradient_ratio(dp.layer_statistics(a, 20, g, weight_grads=False))["verdict"]
                == "flat"] for a in vd.ACTIVATIONS}
    assert flat["sigmoid"] == []
    assert 1.3 <= min(flat["relu"]) <= 1.4 <= math.sqrt(2) <= max(flat["relu"]) <= 1.65
    assert min(flat["tanh"]) <= 1.0 and 5 / 3 <= max(flat["tanh"]) <= 2.0
    for a in ("relu", "tanh"):  # one interval
        steps = np.diff(flat[a])
        np.testing.assert_allclose(steps, vd.BROWSER_STEP, atol=1e-9)


def test_scale_slider_constants_and_observer():
    d = vd.make_scale_demo()
    assert d.slider.description == vd.BROWSER_SLIDER
    assert d.slider.value == vd.BROWSER_DEFAULT and d.slider.step == vd.BROWSER_STEP
    assert (d.slider.min, d.slider.max) == (vd.GAIN_MIN, vd.GAIN_MAX)
    first = shown_png(d.image)
    d.slider.value = 1.4  # the observer redraws
    assert readout_values(d.readout.value)["verdict_relu"] == "flat"
    assert shown_png(d.image) != first
    assert 1.4 in d.cache


# ---------------------------------------------------------- the depth demo
@pytest.fixture(scope="module")
def depth_demo():
    return vd.make_depth_demo()


DEPTH_POINTS = [vd.DEPTH_MIN, (vd.DEPTH_MIN + vd.DEPTH_MAX) // 2, vd.DEPTH_MAX]


@pytest.mark.parametrize("depth", DEPTH_POINTS)
def test_depth_callback_matches_forward_backward(depth_demo, depth):
    r = vd.update_depth(depth_demo, depth)
    shown = readout_values(depth_demo.readout.value)
    assert shown["depth"] == str(depth)
    for a, mark in zip(vd.ACTIVATIONS, depth_demo.markers):
        gain = 1.0 if a != "relu" else math.sqrt(2)
        _, dn = reference(a, depth, gain)
        ratio = geo(dn[:, 0] / dn[:, -1])
        assert r["ratios"][a]["ratio"] == pytest.approx(ratio, rel=1e-9)
        assert r["ratios"][a]["per_layer"] == pytest.approx(ratio ** (1 / (depth - 1)), rel=1e-9)
        assert shown[f"ratio_{a}"] == f"{ratio:.2g}"
        assert shown[f"per_layer_{a}"] == f"{ratio ** (1 / (depth - 1)):.2f}"
        line, _ = depth_demo.series[a]
        np.testing.assert_allclose(line.get_ydata(), geo(dn / dn[:, -1:]), rtol=1e-9)
        assert list(mark.get_xdata()) == [depth]
        assert mark.get_ydata()[0] == pytest.approx(ratio, rel=1e-9)
        # the static curve (all depths) passes through the marker
        assert depth_demo.curve[a][depth - vd.DEPTH_MIN] == pytest.approx(ratio, rel=1e-9)


def test_the_depth_slider_answers_its_question(depth_demo):
    """With the textbook scales, sigmoid loses a constant factor per layer, ReLU+He none."""
    sig = depth_demo.curve["sigmoid"]
    factors = sig[1:] / sig[:-1]                        # one more layer each
    assert np.all(factors < 0.4) and np.ptp(np.log(factors)) < 0.6   # about the same factor every layer
    assert np.all((depth_demo.curve["relu"] > 0.1) & (depth_demo.curve["relu"] < 10))
    assert np.all(np.diff(np.log(depth_demo.curve["tanh"])) < 0.2)


def test_depth_slider_constants_and_observer():
    d = vd.make_depth_demo()
    assert d.slider.description == vd.DEPTH_SLIDER and d.slider.value == vd.DEPTH_DEFAULT
    assert (d.slider.min, d.slider.max, d.slider.step) == (vd.DEPTH_MIN, vd.DEPTH_MAX, 1)
    first = shown_png(d.image)
    d.slider.value = 20
    assert readout_values(d.readout.value)["depth"] == "20" and shown_png(d.image) != first


# ---------------------------------------------------------------- figures
OKABE_ITO = {to_hex(c) for c in vd.OKABE_ITO.values()}


def check_fonts_and_alt(fig):
    fig.canvas.draw()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 12]
    assert not small, f"text below 12 pt: {small}"
    alt = vd.alt_text(fig)
    assert alt and len(alt.split()) >= 15


def check_series(lines):
    styles = {(to_hex(l.get_color()), l.get_linestyle(), l.get_marker()) for l in lines}
    assert len(styles) == len(lines)
    assert len({l.get_linestyle() for l in lines}) == len(lines), "line styles must differ, not only colours"
    assert len({l.get_marker() for l in lines}) == len(lines), "markers must differ, not only colours"
    assert {to_hex(l.get_color()) for l in lines} <= OKABE_ITO


def test_profile_figure():
    numbers = vd.scale_numbers(1.0)
    fig = vd.profile_figure(numbers)
    ax_f, ax_b = fig.axes
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_yscale() == "log"
    check_series([l for l in ax_b.get_lines() if len(l.get_xdata()) == 20])
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 4
    check_fonts_and_alt(fig)
    assert "sigmoid first-to-last gradient ratio" in vd.alt_text(fig)


def test_variance_figure_against_closed_form():
    measured = {lab: dp.layer_statistics(a, 20, g, seeds=(0, 1)) for lab, a, g, _ in vd.VARIANCE_SERIES}
    fig = vd.variance_figure(measured)
    (ax,) = fig.axes
    lines = ax.get_lines()
    data_lines = [l for l in lines if l.get_marker() not in ("None", None, "")]
    theory = [l for l in lines if l.get_marker() in ("None", None, "")]
    check_series(data_lines)
    assert len(theory) == 4
    for (lab, act, g, _), th in zip(vd.VARIANCE_SERIES, theory):
        if act == "relu":  # E[z_l^2] = g^2 (g^2/2)^(l-1)
            np.testing.assert_allclose(th.get_ydata(), g ** 2 * (g ** 2 / 2) ** np.arange(20), rtol=1e-12)
    for (lab, act, g, _), line in zip(vd.VARIANCE_SERIES, data_lines):
        np.testing.assert_allclose(line.get_ydata(), measured[lab]["z_second_moment"].mean(axis=0))
        assert line.get_label() == lab
    check_fonts_and_alt(fig)


def test_graph_figure_draws_every_node():
    x1, x2, w1, w2, b = (Value(v, n) for v, n in ((2.0, "x1"), (0.0, "x2"), (-3.0, "w1"), (1.0, "w2"),
                                                  (6.8813735870195432, "b")))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    fig = vd.graph_figure(o)
    boxes = [t.get_text() for t in fig.axes[0].texts if t.get_text()]  # arrows are empty annotations
    assert len(boxes) == 10
    assert "o (tanh)\ndata 0.7071\ngrad 1.0000" in boxes
    assert "x1\ndata 2.0000\ngrad -1.5000" in boxes
    pos = vd.graph_layout(o)
    assert pos[id(o)][0] == max(x for x, _ in pos.values())      # the output on the right
    assert all(pos[id(p)][0] < pos[id(v)][0] for v in (o,) for p in v.parents)
    check_fonts_and_alt(fig)


def test_power_label():
    assert [vd.power_label(v) for v in (1e-20, 1.0, 1e4, 0.0)] == ["10⁻²⁰", "1", "10⁴", ""]


def test_bad_input_figures():
    with pytest.raises(TypeError, match="root: expected a Value, got float"):
        vd.graph_figure(1.0)
    x = Value(1.0)
    y = x
    for _ in range(50):
        y = y + 1.0
    with pytest.raises(ValueError, match="root: a graph of 101 nodes is too big"):
        vd.graph_figure(y)
