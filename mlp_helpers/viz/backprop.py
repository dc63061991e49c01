r"""Figures and the slider demo of notebook 03 (backprop).

The math is :func:`mlp_helpers.forward`, :func:`mlp_helpers.backward` and
:func:`mlp_helpers.loss_value` on seed 001's 4-3-2 network (columns layout,
:math:`f(z) = \mathrm{ReLU}(z) + \sin z`, softmax + cross-entropy); this
module only draws it.

Slider demo ("tangent"): move one weight :math:`w` of seed 001 and see the
loss curve :math:`L(w)` (every other parameter fixed) with the tangent line
at the current :math:`w` whose slope is the backprop gradient
:math:`\partial L/\partial w`.

* :func:`make_tangent_demo` builds the figure and widgets once;
* :func:`update_tangent` is the slider callback: it updates the artists in
  place, re-renders the PNG and the HTML readout and returns the numbers;
* :func:`tangent_numbers` is the math behind it (no drawing).

Browser-test convention: ``BROWSER_SLIDER`` is the description of the
slider, ``browser_expected(value)`` the readout texts for that value with
every other control at its default.
"""
from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .a11y import accessible_sliders  # names sliders for screen readers (see a11y.py)
from .. import backward, forward, loss_value
from ..seeds import seed001
from . import render_png

# ------------------------------------------------------------------ settings
#: The weights the dropdown offers: label -> (parameter name, index).
WEIGHTS = {
    "W2[0,0]": ("W2", (0, 0)),
    "W2[1,2]": ("W2", (1, 2)),
    "b2[0]": ("b2", (0,)),
    "W1[0,0]": ("W1", (0, 0)),
    "W1[1,3]": ("W1", (1, 3)),
    "b1[1]": ("b1", (1,)),
}
DEFAULT_WEIGHT = "W2[0,0]"
SLIDER_MIN, SLIDER_MAX = -2.0, 2.0

BROWSER_SLIDER = "weight value"
BROWSER_DEFAULT = -0.3  # seed 001's W2[0,0]
BROWSER_STEP = 0.05

#: Readout keys, their labels and formats (the same as the notebook prints).
READOUT = (
    ("weight", "w", "{:.2f}"),
    ("loss", "L(w)", "{:.4f}"),
    ("grad", "backprop dL/dw", "{:.4f}"),
    ("fd_grad", "finite difference", "{:.4f}"),
)
FD_EPS = 1e-5
_HALF_WIDTH = 0.6  # the tangent segment spans w +- this


def _options():
    s = seed001()
    return s, {"activation": s["activation"], "loss": s["loss"], "layout": s["layout"]}


def _check_weight(weight):
    if weight not in WEIGHTS:
        raise ValueError(f"weight: expected one of {sorted(WEIGHTS)}, got {weight!r}")
    return WEIGHTS[weight]


def with_weight(params, weight, value):
    """A copy of ``params`` with the entry ``weight`` (a key of ``WEIGHTS``) set to ``value``."""
    name, idx = _check_weight(weight)
    new = {k: np.array(v, dtype=float) for k, v in params.items()}
    new[name][idx] = float(value)
    return new


def tangent_numbers(value, weight=DEFAULT_WEIGHT):
    """Loss and gradient of seed 001 with one weight set to ``value``.

    value : the weight's value (float).  weight : a key of ``WEIGHTS``.
    Returns a dict of floats: ``weight`` (the value), ``loss`` L(w),
    ``grad`` (backprop dL/dw) and ``fd_grad`` (central difference with
    step ``FD_EPS``).
    """
    value = float(value)
    name, idx = _check_weight(weight)
    s, opt = _options()
    p = with_weight(s["params"], weight, value)
    loss = loss_value(p, s["X"], s["Y"], **opt)
    grads, _ = backward(p, forward(p, s["X"], **opt), s["Y"], **opt)
    plus = loss_value(with_weight(p, weight, value + FD_EPS), s["X"], s["Y"], **opt)
    minus = loss_value(with_weight(p, weight, value - FD_EPS), s["X"], s["Y"], **opt)
    return {"weight": value, "loss": loss, "grad": float(grads[name][idx]),
            "fd_grad": (plus - minus) / (2 * FD_EPS)}


def loss_curve(weight=DEFAULT_WEIGHT, n=161):
    """``(ws, losses)``: L(w) of seed 001 on ``n`` points of [SLIDER_MIN, SLIDER_MAX], both shape ``(n,)``."""
    s, opt = _options()
    ws = np.linspace(SLIDER_MIN, SLIDER_MAX, n)
    losses = np.array([loss_value(with_weight(s["params"], weight, w), s["X"], s["Y"], **opt) for w in ws])
    return ws, losses


def readout_html(numbers):
    """The HTML readout: every number in ``<span class="mlp-readout" data-key=KEY>``."""
    rows = [f'{label} = <span class="mlp-readout" data-key="{key}">{fmt.format(numbers[key])}</span>'
            for key, label, fmt in READOUT]
    return "<br>".join(rows)


def browser_expected(value):
    """Readout texts when the slider is at ``value`` and the dropdown at its default.

    Computed directly from seed 001 with mlp_helpers (not through the callback).
    """
    s, opt = _options()
    p = {k: np.array(v, dtype=float) for k, v in s["params"].items()}
    p["W2"][0, 0] = float(value)
    grads, _ = backward(p, forward(p, s["X"], **opt), s["Y"], **opt)
    p_plus = {k: v.copy() for k, v in p.items()}
    p_minus = {k: v.copy() for k, v in p.items()}
    p_plus["W2"][0, 0] += FD_EPS
    p_minus["W2"][0, 0] -= FD_EPS
    fd = (loss_value(p_plus, s["X"], s["Y"], **opt) - loss_value(p_minus, s["X"], s["Y"], **opt)) / (2 * FD_EPS)
    return {
        "weight": f"{float(value):.2f}",
        "loss": f"{loss_value(p, s['X'], s['Y'], **opt):.4f}",
        "grad": f"{float(grads['W2'][0, 0]):.4f}",
        "fd_grad": f"{fd:.4f}",
    }


# ------------------------------------------------------------------ the demo


def make_tangent_demo(weight=DEFAULT_WEIGHT, value=None, dpi=80):
    """Build the tangent demo once and draw it at ``value`` (default: the seed's value).

    Returns a namespace with ``fig``, ``ax``, the artists, the widgets
    (``dropdown``, ``slider``, ``image``, ``readout``) and ``widget`` (the
    VBox to display).  Moving the slider or the dropdown calls
    :func:`update_tangent`.
    """
    import ipywidgets as widgets

    name, idx = _check_weight(weight)
    if value is None:
        value = float(seed001()["params"][name][idx])
    # A Figure with its own Agg canvas, outside pyplot: the inline backend
    # never shows it; it is rendered into a widgets.Image.
    fig = Figure(figsize=(5.4, 3.5), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    # Every artist that changes is animated: a slider move or a new weight redraws only them
    # over the cached background (axes, labels, legend), which keeps an update to a few ms.
    (curve,) = ax.plot([], [], color="tab:blue", lw=2, animated=True, label="loss L(w), other weights fixed")
    (tangent,) = ax.plot([], [], color="tab:red", lw=2, animated=True,
                         label="tangent, slope = backprop dL/dw")
    (point,) = ax.plot([], [], "o", color="black", ms=6, animated=True, label="current w")
    ax.set_xlim(SLIDER_MIN, SLIDER_MAX)
    ax.set_ylim(0.0, 5.6)  # L(w) of every weight in WEIGHTS lies in [0.01, 5.3] on the slider's range
    ax.set_ylabel("loss L")
    ax.set_xlabel("value of the chosen weight w")
    ax.set_title("Seed 001: loss along one weight, tangent from backprop", fontsize=10)
    ax.legend(loc="upper right", fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    demo = SimpleNamespace(fig=fig, ax=ax, curve=curve, tangent=tangent, point=point,
                           weight=None, curves={w: loss_curve(w) for w in WEIGHTS}, background=None)
    demo.dropdown = widgets.Dropdown(options=list(WEIGHTS), value=weight, description="weight")
    demo.slider = widgets.FloatSlider(value=value, min=SLIDER_MIN, max=SLIDER_MAX, step=BROWSER_STEP,
                                      description=BROWSER_SLIDER, readout_format=".2f",
                                      style={"description_width": "initial"})
    demo.image = widgets.Image(format="png")
    demo.readout = widgets.HTML()
    demo.busy = False

    def on_slider(change):
        if not demo.busy:
            update_tangent(demo, change["new"])

    def on_dropdown(change):
        n, i = WEIGHTS[change["new"]]
        demo.busy = True  # move the slider to the seed's value without drawing twice
        demo.slider.value = float(seed001()["params"][n][i])
        demo.busy = False
        update_tangent(demo, demo.slider.value, change["new"])

    demo.slider.observe(on_slider, names="value")
    demo.dropdown.observe(on_dropdown, names="value")
    demo.widget = widgets.VBox([widgets.HBox([demo.dropdown, demo.slider]),
                                widgets.HBox([demo.image, demo.readout])])
    update_tangent(demo, value, weight)
    accessible_sliders()
    return demo


def update_tangent(demo, value, weight=None):
    """The slider callback: redraw the demo for ``value`` (and ``weight``) and return the numbers.

    demo : from :func:`make_tangent_demo`.  value : float in [SLIDER_MIN, SLIDER_MAX].
    weight : a key of ``WEIGHTS``, or None to keep the current one.
    Returns :func:`tangent_numbers`' dict (loss, grad, fd_grad, weight).
    The curve is computed once per weight; a slider move redraws only the
    curve, the tangent and the point over the cached background.
    """
    weight = demo.dropdown.value if weight is None else weight
    numbers = tangent_numbers(value, weight)
    if weight != demo.weight:  # the curve depends only on which weight moves
        if weight not in demo.curves:
            demo.curves[weight] = loss_curve(weight)
        demo.curve.set_data(*demo.curves[weight])
        demo.weight = weight
    w, L, g = numbers["weight"], numbers["loss"], numbers["grad"]
    xs = np.array([w - _HALF_WIDTH, w + _HALF_WIDTH])
    demo.tangent.set_data(xs, L + g * (xs - w))
    demo.point.set_data([w], [L])
    demo.image.value, demo.background = render_png(demo.fig, (demo.curve, demo.tangent, demo.point),
                                                   demo.background)
    demo.readout.value = f"<b>{weight}</b><br>" + readout_html(numbers)
    return numbers


# ------------------------------------------------------ computational graph
def draw_computational_graph():
    """The computational graph of a 2-layer network with the forward and backward edges.

    Returns the matplotlib Figure (the caller shows it with ``plt.show()``).
    """
    fig, ax = plt.subplots(figsize=(10, 4), dpi=80)  # fixed dpi: the same stored figure text everywhere
    nodes = {  # name: (x, y, label)
        "x": (0, 0, "$x$"), "z1": (2, 0, "$z_1$"), "h1": (4, 0, "$h_1$"), "z2": (6, 0, "$z_2$"),
        "yhat": (8, 0, r"$\hat y$"), "L": (10, 0, "$L$"),
        "W1": (1.3, 1.3, "$W_1, b_1$"), "W2": (5.3, 1.3, "$W_2, b_2$"), "y": (9.3, 1.3, "$y$"),
    }
    for key, (x, y, label) in nodes.items():
        param = key in ("W1", "W2", "y")
        ax.add_patch(plt.Circle((x, y), 0.42, color="#fde9c8" if param else "#d6e6f5", ec="black", zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=12, zorder=3)

    def arrow(a, b, color, text, dy, curve=0.0, dx=0.0):
        (x0, y0, _), (x1, y1, _) = nodes[a], nodes[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6, shrinkA=14, shrinkB=14,
                                    connectionstyle=f"arc3,rad={curve}"), zorder=1)
        ax.text((x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy, text, ha="left" if dx else "center",
                fontsize=9, color=color)

    fwd, bwd = "tab:blue", "tab:red"
    arrow("x", "z1", fwd, "$W_1x+b_1$", 0.12)
    arrow("W1", "z1", fwd, "", 0)
    arrow("z1", "h1", fwd, "$f$", 0.12)
    arrow("h1", "z2", fwd, "$W_2h_1+b_2$", 0.12)
    arrow("W2", "z2", fwd, "", 0)
    arrow("z2", "yhat", fwd, r"$\sigma$", 0.12)
    arrow("yhat", "L", fwd, r"$-\sum y\log\hat y$", 0.12)
    arrow("y", "L", fwd, "", 0)
    arrow("L", "z2", bwd, r"$\delta_2=\hat y-y$", -0.95, curve=-0.35)
    arrow("z2", "h1", bwd, r"$W_2^T\delta_2$", -0.62, curve=-0.35)
    arrow("h1", "z1", bwd, r"$\delta_1 = W_2^T\delta_2\odot f'(z_1)$", -0.62, curve=-0.35)
    arrow("z2", "W2", bwd, r"$\partial L/\partial W_2=\delta_2 h_1^T,\ \partial L/\partial b_2=\delta_2$", 0.1,
          curve=0.3, dx=0.45)
    arrow("z1", "W1", bwd, r"$\partial L/\partial W_1=\delta_1 x^T,\ \partial L/\partial b_1=\delta_1$", 0.1,
          curve=0.3, dx=0.45)
    ax.plot([], [], color=fwd, lw=2, label="forward: compute values")
    ax.plot([], [], color=bwd, lw=2, label="backward: multiply local derivatives")
    ax.scatter([], [], s=120, color="#d6e6f5", ec="black", label="computed values")
    ax.scatter([], [], s=120, color="#fde9c8", ec="black", label="parameters and target")
    ax.set_xlim(-0.7, 12.6)
    ax.set_ylim(-1.3, 2.0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("order of computation: forward left to right, backward right to left")
    ax.set_ylabel("values / parameters")
    ax.set_title("Computational graph of the 2-layer network (column layout)")
    fig.legend(loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
