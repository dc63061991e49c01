"""Callbacks and figures of notebook 01 (mlp_helpers.viz.forward).

Expected numbers are written out here in plain numpy from seed 000's data
(the seed's own printed values where it printed them), never taken from the
callback under test.
"""
import html
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlp_helpers.viz import forward as F  # noqa: E402
from viz_checks import assert_labelled, find_slider, shown_png  # noqa: E402

W1 = np.array([[2.5, -1.2, 0.8, 3.1], [-0.5, 2.8, -1.5, 0.3], [1.7, -0.9, 2.3, -1.8]])
b1 = np.array([0.5, -0.3, 0.2, 0.7])
W2 = np.array([[1.5, -2.3], [-0.8, 1.9], [2.1, -0.6], [-1.3, 2.7]])
b2 = np.array([0.3, -0.5])
DEFAULTS = {"x1": 1.0, "x2": 0.5, "x3": 2.0, "w": 1.5}
LO, HI = -3.0, 3.0
SPAN = re.compile(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>')


def reference(x1, x2, x3, w):
    """Seed 000's forward pass written out: returns Z1, H1, Z2, Yhat, L."""
    W2w = W2.copy()
    W2w[0, 0] = w
    x = np.array([x1, x2, x3])
    Z1 = x @ W1 + b1
    H1 = np.maximum(Z1, 0.0)
    Z2 = H1 @ W2w + b2
    e = np.exp(Z2 - Z2.max())
    Yhat = e / e.sum()
    L = np.logaddexp(0.0, Z2[1] - Z2[0])  # -log softmax(Z2)[0] = log(1 + e^{z2_2 - z2_1}), no cancellation
    return Z1, H1, Z2, Yhat, L


def spans(markup):
    return {k: html.unescape(v) for k, v in SPAN.findall(markup)}


def slider_points(name):
    mid = 0.5 * (LO + HI)
    return [dict(DEFAULTS, **{name: v}) for v in (LO, mid, HI)]


@pytest.mark.parametrize("name", ["x1", "x2", "x3", "w"])
def test_forward_callback_min_mid_max(name):
    for values in slider_points(name):
        out = F.forward_callback(**values)
        Z1, H1, Z2, Yhat, L = reference(**values)
        np.testing.assert_allclose(out["Z1"], Z1, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out["H1"], H1, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out["Z2"], Z2, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out["Yhat"], Yhat, rtol=1e-12, atol=1e-15)
        assert out["L"] == pytest.approx(L, rel=1e-9, abs=1e-300)
        assert out["texts"]["L"] == f"{L:.3e}"
        assert out["texts"]["Z2"] == "[" + ", ".join(f"{v:.4f}" for v in Z2) + "]"


def test_forward_callback_defaults_are_seed000():
    out = F.forward_callback(**DEFAULTS)
    # seed 000 printed z = [6.15, -1.9, 4.85, 0.35], h = [6.15, 0, 4.85, 0.35], z2 = [19.255, -16.61], y_hat = [1, 0]
    np.testing.assert_allclose(out["Z1"], [6.15, -1.9, 4.85, 0.35], atol=1e-12)
    np.testing.assert_allclose(out["H1"], [6.15, 0.0, 4.85, 0.35], atol=1e-12)
    np.testing.assert_allclose(out["Z2"], [19.255, -16.61], atol=1e-12)
    assert out["texts"]["Yhat"] == "[1.000000, 0.000000]"
    # exact loss log(1 + e^{-35.865}) = 2.6548e-16, not the clipped 1e-9
    assert out["L"] == pytest.approx(np.exp(-35.865), rel=1e-6)


def test_forward_callback_does_not_change_the_seed():
    F.forward_callback(x1=2.0, x2=-1.0, x3=0.0, w=-2.0)
    np.testing.assert_array_equal(F.seed000()["params"]["W2"], W2)


@pytest.mark.parametrize("s", [0.0, 1.0, 2.0, 0.1])
def test_saturation_callback(s):
    z = s * np.array([19.255, -16.61])
    out = F.saturation_callback(s)
    e = np.exp(z - z.max())
    np.testing.assert_allclose(out["Yhat"], e / e.sum(), rtol=1e-12, atol=1e-300)
    assert out["L_exact"] == pytest.approx(np.log1p(np.exp(-(z[0] - z[1]))), rel=1e-9, abs=1e-300)
    assert out["L_clipped"] == pytest.approx(-np.log(np.clip((e / e.sum())[0], 1e-9, 1 - 1e-9)), rel=1e-9, abs=1e-300)


def test_saturation_clipped_vs_exact_at_seed():
    out = F.saturation_callback(1.0)
    assert out["L_clipped"] == pytest.approx(1e-9, rel=1e-6)
    assert out["L_exact"] == pytest.approx(2.6548e-16, rel=1e-4)
    assert F.saturation_callback(0.0)["L_exact"] == pytest.approx(np.log(2.0), rel=1e-12)



def test_browser_constants_match_the_demo_slider():
    box, view = F.forward_demo()
    slider = find_slider(box, F.BROWSER_SLIDER)
    assert slider.value == F.BROWSER_DEFAULT
    assert slider.step == F.BROWSER_STEP
    for v in (slider.min, 0.5 * (slider.min + slider.max), slider.max,
              F.BROWSER_DEFAULT, F.BROWSER_DEFAULT + F.BROWSER_STEP):
        slider.value = v  # the observer calls the callback, which rewrites the readout
        assert spans(view.html.value) == F.browser_expected(v)
        assert shown_png(view.image) == view.live.png


def test_browser_expected_matches_reference():
    for v in (LO, 0.0, HI):
        Z1, H1, Z2, Yhat, L = reference(v, 0.5, 2.0, 1.5)
        exp = F.browser_expected(v)
        assert exp["Z1"] == "[" + ", ".join(f"{a:.4f}" for a in Z1) + "]"
        assert exp["Yhat"] == "[" + ", ".join(f"{a:.6f}" for a in Yhat) + "]"
        assert exp["L"] == f"{L:.3e}"


def test_views_redraw_in_place():
    view = F.forward_view()
    F.forward_callback(**DEFAULTS, view=view)
    first = shown_png(view.image)
    F.forward_callback(x1=-3.0, x2=0.5, x3=2.0, w=-3.0, view=view)
    assert shown_png(view.image) != first
    edge = view.diagram.edges[("W2", 0, 0)]  # W2[0,0] = -3: a thick dashed edge
    assert edge.get_linewidth() == pytest.approx(0.6 + 1.3 * 3.0)
    assert edge.get_linestyle() == "--"
    assert spans(view.html.value) == F.forward_callback(x1=-3.0, x2=0.5, x3=2.0, w=-3.0)["texts"]
    sview = F.saturation_view()
    F.saturation_callback(0.0, view=sview)
    assert [b.get_height() for b in sview.bars] == pytest.approx([0.5, 0.5])
    assert set(spans(sview.html.value)) == {"Yhat", "L_exact", "L_clipped"}



def test_figures_have_titles_labels_legends():
    import matplotlib.pyplot as plt

    s = F.seed000()
    cache = F.forward(s["params"], s["X"])
    for fig in (F.draw_network(s["params"], cache), F.plot_activations(),
                F.forward_view().fig, F.saturation_view().fig):
        assert_labelled(fig)
        plt.close(fig)


def test_activation_figure_plots_f_and_derivative():
    import matplotlib.pyplot as plt

    fig = F.plot_activations(("relu_plus_sin",), z=np.array([-1.0, 0.5, 2.0]))
    (f_line,) = fig.axes[0].get_lines()[:1]
    df_line = [ln for ln in fig.axes[1].get_lines() if ln.get_label() == "relu_plus_sin'"][0]
    z = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(f_line.get_ydata(), np.maximum(z, 0) + np.sin(z))
    np.testing.assert_allclose(df_line.get_ydata(), (z > 0) + np.cos(z))
    plt.close(fig)
