r"""Figures and slider callbacks for notebook 02 (regularization).

The math is :func:`mlp_helpers.penalty` and :func:`mlp_helpers.penalty_gradients`;
this module only draws it.

* :func:`penalty_callback` - one weight ``w`` and the strength ``lam``:
  the L2 penalty :math:`\lambda w^2` with gradient :math:`2\lambda w`, and the L1
  penalty :math:`\lambda|w|` with gradient :math:`\lambda\,\mathrm{sign}(w)` (the kink at 0).
* :func:`plot_l1_l2_geometry` - loss contours with the L1 diamond and the L2 circle.
* :func:`plot_training_comparison` - decision boundaries and weight histograms
  of networks trained with no penalty, L2 and L1.

Readouts follow the browser-test convention of :mod:`mlp_helpers.viz.forward`
(``span.mlp-readout`` with ``data-key``; :func:`browser_expected`).
"""
from __future__ import annotations

import numpy as np

from .a11y import accessible_sliders  # names sliders for screen readers (see a11y.py)
from .. import forward, penalty, penalty_gradients
from . import figure_image, show_figure  # noqa: F401 (show_figure: notebook 02 imports it from here)
from .forward import BlitPNG, _View, fmt, readout_html

# ------------------------------------------------ demo: one weight, one lambda
PENALTY_DEFAULTS = {"lam": 0.01, "w": 1.5}  # seed 000's lambda for L2 and its W2[0,0]
LAM_RANGE = {"min": 0.0, "max": 0.02, "step": 0.001}
W_RANGE = {"min": -3.0, "max": 3.0, "step": 0.1}
PENALTY_LABELS = {
    "l2_penalty": "L2 penalty λw²", "l2_grad": "L2 gradient 2λw",
    "l1_penalty": "L1 penalty λ|w|", "l1_grad": "L1 gradient λ·sign(w)",
}

BROWSER_SLIDER = "w"
BROWSER_DEFAULT = PENALTY_DEFAULTS["w"]
BROWSER_STEP = W_RANGE["step"]


def penalty_texts(l2_penalty, l2_grad, l1_penalty, l1_grad):
    """Readout texts of the penalty demo (KEY -> TEXT), 6 decimals as in seed 000."""
    return {
        "l2_penalty": fmt(l2_penalty, ".6f"), "l2_grad": fmt(l2_grad, ".6f"),
        "l1_penalty": fmt(l1_penalty, ".6f"), "l1_grad": fmt(l1_grad, ".6f"),
    }


def penalty_callback(lam=0.01, w=1.5, view=None):
    r"""Slider callback of the penalty demo for a single weight ``w``.

    Returns a dict of floats ``l2_penalty`` (:math:`\lambda w^2`), ``l2_grad``
    (:math:`2\lambda w`), ``l1_penalty`` (:math:`\lambda|w|`), ``l1_grad``
    (:math:`\lambda\,\mathrm{sign}(w)`, 0 at ``w = 0``), and ``texts``.
    With a ``view`` (from :func:`penalty_demo`) it also redraws the figure.
    """
    params = {"W": np.array([float(w)])}
    out = {
        "l2_penalty": penalty(params, lam, "l2"),
        "l2_grad": float(penalty_gradients(params, lam, "l2")["W"][0]),
        "l1_penalty": penalty(params, lam, "l1"),
        "l1_grad": float(penalty_gradients(params, lam, "l1")["W"][0]),
    }
    out["texts"] = penalty_texts(**out)
    if view is not None:
        ws = view.ws
        view.curve_l2.set_ydata(lam * ws ** 2)
        view.curve_l1.set_ydata(lam * np.abs(ws))
        view.grad_l2.set_ydata(2 * lam * ws)
        view.grad_l1.set_ydata(lam * np.sign(ws) + view.gap)
        view.kink.set_ydata([-lam, lam])
        view.mark_l2.set_data([w], [out["l2_penalty"]])
        view.mark_l1.set_data([w], [out["l1_penalty"]])
        view.mark_g2.set_data([w], [out["l2_grad"]])
        view.mark_g1.set_data([w], [out["l1_grad"]])
        view.image.value = view.blit.render()
        view.html.value = readout_html(out["texts"], PENALTY_LABELS)
    return out


def browser_expected(value):
    """Readout texts with slider ``w`` at ``value`` and ``lam`` at its default,
    computed with plain numpy from the definitions (not through the callback)."""
    lam, w = PENALTY_DEFAULTS["lam"], float(value)
    return penalty_texts(lam * w * w, 2 * lam * w, lam * abs(w), lam * float(np.sign(w)))


def penalty_view(dpi=80):
    """Build the penalty demo's figure once (closed, so inline does not show it) and its widgets."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    lam, w = PENALTY_DEFAULTS["lam"], PENALTY_DEFAULTS["w"]
    ws = np.linspace(W_RANGE["min"], W_RANGE["max"], 601)  # contains w = 0 exactly
    gap = np.where(ws == 0.0, np.nan, 0.0)  # break the L1 gradient line at its jump
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(7.6, 3.0))
    plt.close(fig)
    (curve_l2,) = a0.plot(ws, lam * ws ** 2, color="tab:blue", label="L2: λw²")
    (curve_l1,) = a0.plot(ws, lam * np.abs(ws), color="tab:red", label="L1: λ|w|")
    (mark_l2,) = a0.plot([w], [lam * w * w], "o", color="tab:blue")
    (mark_l1,) = a0.plot([w], [lam * abs(w)], "o", color="tab:red")
    lam_max, w_max = LAM_RANGE["max"], W_RANGE["max"]
    a0.set_ylim(-0.01, 1.05 * lam_max * w_max ** 2)
    a0.set_title("Penalty of one weight", fontsize=9)
    a0.set_xlabel("weight w", fontsize=8)
    a0.set_ylabel("penalty", fontsize=8)
    a0.legend(fontsize=7, loc="upper center")
    (grad_l2,) = a1.plot(ws, 2 * lam * ws, color="tab:blue", label="L2: 2λw")
    (grad_l1,) = a1.plot(ws, lam * np.sign(ws) + gap, color="tab:red", label="L1: λ·sign(w)")
    (kink,) = a1.plot([0.0, 0.0], [-lam, lam], ":", color="tab:red", lw=2,
                      label="L1 kink: any slope in [-λ, λ]")
    (mark_g2,) = a1.plot([w], [2 * lam * w], "o", color="tab:blue")
    (mark_g1,) = a1.plot([w], [lam * np.sign(w)], "o", color="tab:red")
    a1.set_ylim(-2.2 * lam_max * w_max, 2.2 * lam_max * w_max)
    a1.axhline(0, color="0.7", lw=0.6)
    a1.set_title("Its gradient (added to ∂L/∂w)", fontsize=9)
    a1.set_xlabel("weight w", fontsize=8)
    a1.set_ylabel("d penalty / dw", fontsize=8)
    a1.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    animated = [curve_l2, curve_l1, mark_l2, mark_l1, grad_l2, grad_l1, kink, mark_g2, mark_g1]
    return _View(fig=fig, ws=ws, gap=gap, curve_l2=curve_l2, curve_l1=curve_l1, grad_l2=grad_l2,
                 grad_l1=grad_l1, kink=kink, mark_l2=mark_l2, mark_l1=mark_l1, mark_g2=mark_g2,
                 mark_g1=mark_g1, blit=BlitPNG(fig, animated, dpi),
                 image=figure_image(fig, dpi), html=widgets.HTML())


def penalty_demo():
    """The slider demo (sliders ``lam`` and ``w``); returns ``(box, view)``."""
    import ipywidgets as widgets

    view = penalty_view()
    lam = widgets.FloatSlider(value=PENALTY_DEFAULTS["lam"], description="lam", readout_format=".3f",
                              continuous_update=True, **LAM_RANGE)
    w = widgets.FloatSlider(value=PENALTY_DEFAULTS["w"], description="w", readout_format=".1f",
                            continuous_update=True, **W_RANGE)

    def on_change(_change=None):
        penalty_callback(lam.value, w.value, view=view)

    lam.observe(on_change, names="value")
    w.observe(on_change, names="value")
    on_change()
    accessible_sliders()
    return widgets.VBox([widgets.HBox([widgets.VBox([lam, w]), view.html]), view.image]), view


# --------------------------------------------------------------- geometry
def plot_l1_l2_geometry(a, c, w_l1, w_l2, figsize=(5.2, 4.6)):
    r"""Contours of the data loss :math:`\tfrac12\sum_i a_i (w_i - c_i)^2`, the L1 diamond
    :math:`|w_1| + |w_2| = \|w_{L1}\|_1` and the L2 circle :math:`\|w\|_2 = \|w_{L2}\|_2`.

    a, c : shape ``(2,)``, curvatures and the unpenalised minimum.
    w_l1, w_l2 : shape ``(2,)``, the minima with the L1 and the L2 penalty.
    Returns ``fig``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    a, c, w_l1, w_l2 = (np.asarray(v, dtype=float) for v in (a, c, w_l1, w_l2))
    g = np.linspace(-1.6, 2.6, 241)
    W1, W2 = np.meshgrid(g, g)
    data = 0.5 * (a[0] * (W1 - c[0]) ** 2 + a[1] * (W2 - c[1]) ** 2)

    def data_loss(w):
        return 0.5 * float(np.sum(a * (w - c) ** 2))

    fig, ax = plt.subplots(figsize=figsize)
    ax.contour(W1, W2, data, levels=np.linspace(0.05, 4.0, 12), colors="0.75", linewidths=0.7)
    ax.contour(W1, W2, data, levels=sorted([data_loss(w_l1), data_loss(w_l2)]),
               colors=["tab:purple", "tab:purple"], linewidths=1.2, linestyles="--")
    t = float(np.sum(np.abs(w_l1)))
    ax.plot([t, 0, -t, 0, t], [0, t, 0, -t, 0], color="tab:red", lw=2)
    r = float(np.linalg.norm(w_l2))
    th = np.linspace(0, 2 * np.pi, 200)
    ax.plot(r * np.cos(th), r * np.sin(th), color="tab:blue", lw=2)
    ax.plot(*c, "k*", ms=12)
    ax.plot(*w_l1, "o", color="tab:red", ms=8)
    ax.plot(*w_l2, "s", color="tab:blue", ms=7)
    ax.axhline(0, color="0.5", lw=0.6)
    ax.axvline(0, color="0.5", lw=0.6)
    ax.set_aspect("equal")
    ax.set_xlabel("weight w1")
    ax.set_ylabel("weight w2")
    ax.set_title("Why L1 gives exact zeros: the diamond's corner", fontsize=10)
    handles = [
        Line2D([], [], color="0.75", label="data-loss contours"),
        Line2D([], [], color="tab:purple", ls="--", label="contour through each solution"),
        Line2D([], [], color="k", marker="*", ls="", ms=10, label=f"no penalty ({c[0]:.2f}, {c[1]:.2f})"),
        Line2D([], [], color="tab:red", marker="o", label=f"L1 diamond, solution ({w_l1[0]:.2f}, {w_l1[1]:.2f})"),
        Line2D([], [], color="tab:blue", marker="s", label=f"L2 circle, solution ({w_l2[0]:.2f}, {w_l2[1]:.2f})"),
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------ training runs
def plot_training_comparison(runs, X, y, figsize=(9.6, 5.6), grid=90):
    """Decision boundaries (top row) and weight histograms (bottom row) of trained networks.

    runs : list of ``(title, params)``; params in the rows layout, ReLU hidden
        layers and a softmax output over 2 classes.
    X : shape ``(n_samples, 2)``; y : int labels ``(n_samples,)``.
    Returns ``fig``.
    """
    import matplotlib.pyplot as plt

    X, y = np.asarray(X, dtype=float), np.asarray(y)
    pad = 0.5
    gx = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, grid)
    gy = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, grid)
    GX, GY = np.meshgrid(gx, gy)
    G = np.column_stack([GX.ravel(), GY.ravel()])
    all_w = np.concatenate([np.concatenate([np.ravel(p[k]) for k in p if k.startswith("W")]) for _, p in runs])
    bins = np.linspace(all_w.min(), all_w.max(), 41)
    fig, axes = plt.subplots(2, len(runs), figsize=figsize)
    for col, (title, params) in enumerate(runs):
        ax = axes[0, col]
        P = forward(params, G)["Yhat"][:, 1].reshape(GX.shape)
        ax.contourf(GX, GY, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5)
        ax.contour(GX, GY, P, levels=[0.5], colors="k", linewidths=1.2)
        for k, colour in ((0, "tab:blue"), (1, "tab:red")):
            ax.scatter(X[y == k, 0], X[y == k, 1], s=8, color=colour, edgecolor="none", label=f"class {k}")
        ax.plot([], [], "k-", label="boundary ŷ2 = 0.5")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("feature x1", fontsize=8)
        ax.set_ylabel("feature x2", fontsize=8)
        ax.legend(fontsize=6, loc="lower left")
        ax2 = axes[1, col]
        w = np.concatenate([np.ravel(params[k]) for k in params if k.startswith("W")])
        ax2.hist(w, bins=bins, color="tab:gray", label=f"{w.size} weights")
        ax2.set_yscale("log")
        ax2.set_title(f"weights: Σw² = {float(np.sum(w * w)):.1f}", fontsize=9)
        ax2.set_xlabel("weight value", fontsize=8)
        ax2.set_ylabel("count (log scale)", fontsize=8)
        ax2.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    return fig
