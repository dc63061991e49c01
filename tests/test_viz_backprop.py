"""The slider callback and figures of notebook 03 (mlp_helpers.viz.backprop).

Expected numbers come from seed 001's data with the forward and backward pass
written out in plain numpy here (not from mlp_helpers), from central
differences of that numpy loss, and from the seed's hand-derived gradient.
"""
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlp_helpers.viz import backprop as bp  # noqa: E402
from viz_checks import shown_png  # noqa: E402

# Seed 001, typed in from the seed text (column layout).
X = np.array([1.0, -1.0, 0.5, 2.0])
W1 = np.array([[0.1, -0.2, 0.3, 0.4], [0.5, -0.3, 0.1, -0.2], [0.4, 0.2, -0.5, 0.3]])
B1 = np.array([0.1, -0.1, 0.05])
W2 = np.array([[-0.3, 0.2, 0.1], [0.4, -0.5, 0.3]])
B2 = np.array([0.05, -0.05])
Y = np.array([1.0, 0.0])


def numpy_pass(W1, b1, W2, b2):
    """Loss and all gradients of seed 001's network, written out."""
    z1 = W1 @ X + b1
    h1 = np.maximum(z1, 0) + np.sin(z1)
    z2 = W2 @ h1 + b2
    e = np.exp(z2 - z2.max())
    yhat = e / e.sum()
    loss = -np.sum(Y * np.log(yhat))
    d2 = yhat - Y
    d1 = (W2.T @ d2) * ((z1 > 0) + np.cos(z1))
    return loss, {"W1": np.outer(d1, X), "b1": d1, "W2": np.outer(d2, h1), "b2": d2}


def numpy_numbers(weight, value):
    name, idx = bp.WEIGHTS[weight]
    p = {"W1": W1.copy(), "b1": B1.copy(), "W2": W2.copy(), "b2": B2.copy()}
    p[name][idx] = value
    loss, grads = numpy_pass(p["W1"], p["b1"], p["W2"], p["b2"])
    eps = 1e-6
    losses = []
    for sign in (1, -1):
        q = {k: v.copy() for k, v in p.items()}
        q[name][idx] = value + sign * eps
        losses.append(numpy_pass(q["W1"], q["b1"], q["W2"], q["b2"])[0])
    return loss, grads[name][idx], (losses[0] - losses[1]) / (2 * eps)


def readout_values(html):
    return dict(re.findall(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>', html))


@pytest.fixture(scope="module")
def demo():
    return bp.make_tangent_demo()


SLIDER_POINTS = [bp.SLIDER_MIN, (bp.SLIDER_MIN + bp.SLIDER_MAX) / 2, bp.SLIDER_MAX]


@pytest.mark.parametrize("weight", ["W2[0,0]", "W1[1,3]", "b2[0]", "b1[1]"])
@pytest.mark.parametrize("value", SLIDER_POINTS)
def test_callback_matches_numpy_at_slider_min_middle_max(demo, weight, value):
    result = bp.update_tangent(demo, value, weight)
    loss, grad, fd = numpy_numbers(weight, value)
    assert result["weight"] == value
    assert result["loss"] == pytest.approx(loss, rel=1e-12)
    assert result["grad"] == pytest.approx(grad, rel=1e-10, abs=1e-12)
    assert result["fd_grad"] == pytest.approx(fd, rel=1e-5, abs=1e-7)
    # the tangent drawn has the backprop slope and touches the curve at the current point
    xs, ys = demo.tangent.get_data()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(grad, rel=1e-9, abs=1e-12)
    assert list(demo.point.get_data()[1]) == pytest.approx([loss])
    shown = readout_values(demo.readout.value)
    assert shown["loss"] == f"{loss:.4f}"
    assert shown["grad"] == f"{grad:.4f}"


def test_seed_value_gives_seed_gradient(demo):
    result = bp.update_tangent(demo, -0.3, "W2[0,0]")
    assert result["grad"] == pytest.approx(-1.818139, abs=5e-7)  # exact, to the 6 decimals the notebook shows
    assert result["grad"] == pytest.approx(-1.8180, abs=2e-4)    # the seed's 4-decimal hand value
    assert result["loss"] == pytest.approx(-np.log(0.218248), abs=1e-5)  # seed's y_hat_0 = 0.2183 (hand)


@pytest.mark.parametrize("value", [bp.SLIDER_MIN, bp.BROWSER_DEFAULT, 0.55, bp.SLIDER_MAX])
def test_browser_expected_equals_readout(demo, value):
    demo.dropdown.value = bp.DEFAULT_WEIGHT
    bp.update_tangent(demo, value)
    assert readout_values(demo.readout.value) == bp.browser_expected(value)


def test_browser_constants_match_the_slider():
    d = bp.make_tangent_demo()
    assert d.slider.description == bp.BROWSER_SLIDER
    assert d.slider.value == bp.BROWSER_DEFAULT
    assert d.slider.step == bp.BROWSER_STEP
    assert readout_values(d.readout.value) == bp.browser_expected(bp.BROWSER_DEFAULT)


def test_slider_and_dropdown_drive_the_callback():
    d = bp.make_tangent_demo()
    first = shown_png(d.image)
    d.slider.value = 1.0
    assert readout_values(d.readout.value)["grad"] == f"{numpy_numbers('W2[0,0]', 1.0)[1]:.4f}"
    assert shown_png(d.image) != first
    d.dropdown.value = "W1[1,3]"  # moves the slider to the seed's W1[1,3] = -0.2
    assert d.slider.value == pytest.approx(-0.2)
    _, grad, _ = numpy_numbers("W1[1,3]", -0.2)
    assert readout_values(d.readout.value)["grad"] == f"{grad:.4f}"
    assert "W1[1,3]" in d.readout.value
    np.testing.assert_allclose(d.curve.get_data()[1][::40],
                               [numpy_numbers("W1[1,3]", w)[0] for w in np.linspace(-2, 2, 161)[::40]], rtol=1e-12)


def test_figures_have_title_labels_legend(demo):
    ax = demo.ax
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(demo.fig.legends) == 1 and len(demo.fig.legends[0].get_texts()) == 4
    fig = bp.draw_computational_graph()
    gax = fig.axes[0]
    assert gax.get_title() and gax.get_xlabel() and gax.get_ylabel()
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 4


def test_bad_weight_names_the_argument():
    with pytest.raises(ValueError, match="weight"):
        bp.tangent_numbers(0.0, "W3[0,0]")


# ------------------------------------------------------------------ kinks
def numpy_grad_with_relu_prime(weight, value, relu_prime_of_kink_unit):
    """Seed 001's dL/dw with the kink unit's ReLU derivative forced to 0 or 1 (a one-sided slope)."""
    name, idx = bp.WEIGHTS[weight]
    p = {"W1": W1.copy(), "b1": B1.copy(), "W2": W2.copy(), "b2": B2.copy()}
    p[name][idx] = value
    z1 = p["W1"] @ X + p["b1"]
    h1 = np.maximum(z1, 0) + np.sin(z1)
    z2 = p["W2"] @ h1 + p["b2"]
    e = np.exp(z2 - z2.max())
    d2 = e / e.sum() - Y
    step = (z1 > 0).astype(float)
    step[idx[0]] = relu_prime_of_kink_unit
    d1 = (p["W2"].T @ d2) * (step + np.cos(z1))
    return np.outer(d1, X)[idx] if name == "W1" else d1[idx]


# Where seed 001's hidden pre-activations cross 0, by hand: z1[0] = w + 1.25 for W1[0,0],
# z1[1] = 0.75 + 2 w for W1[1,3], z1[1] = 0.45 + w for b1[1].
KINKS = {"W1[0,0]": -1.25, "W1[1,3]": -0.375, "b1[1]": -0.45}


@pytest.mark.parametrize("weight, w_kink", sorted(KINKS.items()))
def test_kinks_are_found_with_their_one_sided_slopes(weight, w_kink):
    k = bp.kink_at(w_kink, weight)
    assert k is not None and k["w"] == pytest.approx(w_kink, abs=1e-12)
    dz = X[bp.WEIGHTS[weight][1][1]] if weight.startswith("W") else 1.0  # dz1/dw > 0 for all three
    assert dz > 0  # so left of the kink the unit is off (relu' = 0), right of it on (relu' = 1)
    assert k["left"] == pytest.approx(numpy_grad_with_relu_prime(weight, w_kink, 0.0), rel=1e-6, abs=1e-9)
    assert k["right"] == pytest.approx(numpy_grad_with_relu_prime(weight, w_kink, 1.0), rel=1e-6, abs=1e-9)
    assert abs(k["left"] - k["right"]) > 0.1
    assert bp.kink_at(w_kink + 3 * bp.FD_EPS, weight) is None
    assert bp.kink_at(0.3, "W2[0,0]") is None and bp.kink_at(-0.45, "b2[0]") is None


def slider_values():
    """Every value the slider can send: the grid as Python computes it and as min + k * step (float error)."""
    n = int(round((bp.SLIDER_MAX - bp.SLIDER_MIN) / bp.BROWSER_STEP))
    return sorted({round(bp.SLIDER_MIN + k * bp.BROWSER_STEP, 10) for k in range(n + 1)}
                  | {bp.SLIDER_MIN + k * bp.BROWSER_STEP for k in range(n + 1)})


@pytest.mark.parametrize("weight", list(bp.WEIGHTS))
def test_readout_never_shows_disagreeing_slopes_without_saying_why(demo, weight):
    explained = 0
    for value in slider_values():
        numbers = bp.update_tangent(demo, value, weight)
        shown = readout_values(demo.readout.value)
        if shown["grad"] != shown["fd_grad"]:
            kink = numbers["kink"]
            assert kink is not None, f"{weight} = {value!r}: backprop {shown['grad']} vs {shown['fd_grad']}, no word why"
            assert shown["kink_left"] == f"{kink['left']:.4f}" and shown["kink_right"] == f"{kink['right']:.4f}"
            assert "kink" in demo.readout.value and "averages" in demo.readout.value
            # backprop is one of the one-sided slopes; the central difference lies between them
            assert numbers["grad"] == pytest.approx(kink[kink["backprop_side"]], abs=1e-6)
            lo, hi = sorted((kink["left"], kink["right"]))
            assert lo - 1e-6 <= numbers["fd_grad"] <= hi + 1e-6
            explained += 1
        elif numbers["kink"] is None:
            assert "kink_left" not in shown
    on_grid = {"W1[0,0]": 2, "b1[1]": 2}.get(weight, 0)  # -1.25 and -0.45 are grid points (twice: both spellings)
    assert explained <= on_grid and (explained > 0) == (on_grid > 0)
