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

**Kinks.** :math:`f` has ReLU's kink at :math:`z = 0`, so :math:`L(w)` of a
layer-1 weight has a kink where that weight makes a hidden pre-activation
zero (e.g. ``b1[1] = -0.45`` and ``W1[0,0] = -1.25`` lie on the slider's
grid).  There the two one-sided slopes differ, backprop returns one of them
(``relu'(0) = 0``) and the central difference their average, so the readout
adds both one-sided slopes and says why (:func:`kink_at`).  Layer-2 weights
never move a hidden pre-activation: no kinks.

Browser-test convention: ``BROWSER_SLIDER`` is the description of the
slider, ``browser_expected(value)`` the readout texts for that value with
every other control at its default.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import backward, forward, loss_value
from ..seeds import seed001
from . import LiveFigure, demo_box, readout_table, style

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
#: Extra readout rows at a kink of L(w).
KINK_READOUT = (
    ("kink_left", "slope from the left", "{:.4f}"),
    ("kink_right", "slope from the right", "{:.4f}"),
)
FD_EPS = 1e-5
_HALF_WIDTH = 0.6  # the tangent segment spans w +- this
_SIDE_STEP = 1e-9  # one-sided slopes: backprop this far to each side of the kink

#: Curve, tangent, current point and the one-sided tangents at a kink: colour and line style differ.
CURVE_STYLE = {"color": style.BLUE, "ls": "-"}
TANGENT_STYLE = {"color": style.VERMILLION, "ls": "--"}
POINT_STYLE = {"color": style.BLACK, "marker": "o"}
KINK_STYLE = {"color": style.PURPLE, "ls": ":"}


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


def _grad(s, opt, weight, value):
    name, idx = _check_weight(weight)
    p = with_weight(s["params"], weight, value)
    grads, _ = backward(p, forward(p, s["X"], **opt), s["Y"], **opt)
    return float(grads[name][idx])


def kink_at(value, weight=DEFAULT_WEIGHT, window=FD_EPS):
    r"""The kink of :math:`L(w)` within ``window`` of ``value``, or None.

    Only a layer-1 weight ``W1[j,k]`` or ``b1[j]`` moves a hidden
    pre-activation, :math:`z_{1,j}(w) = z_{1,j}(\text{value}) + (w - \text{value})\,d`
    with :math:`d = x_k` or :math:`1`; :math:`L` has a kink where it is 0.
    Returns a dict: ``w`` (the kink), ``unit`` (j), ``left``/``right`` (the
    one-sided slopes, by backprop just left and right of the kink) and
    ``backprop_side`` ('left' or 'right': the slope backprop returns at
    ``value``), or None when no kink is that close (the central difference of
    step ``FD_EPS`` then agrees with backprop).
    """
    name, idx = _check_weight(weight)
    if name not in ("W1", "b1"):
        return None
    value = float(value)
    s, opt = _options()
    j = idx[0]
    p = with_weight(s["params"], weight, value)
    z = float((p["W1"] @ s["X"] + p["b1"])[j])
    dz = float(s["X"][idx[1]]) if name == "W1" else 1.0
    if dz == 0.0:
        return None
    w_kink = value - z / dz
    if abs(w_kink - value) > window:
        return None
    step = _SIDE_STEP * max(1.0, abs(w_kink))
    left, right = _grad(s, opt, weight, w_kink - step), _grad(s, opt, weight, w_kink + step)
    g = _grad(s, opt, weight, value)
    side = "left" if abs(g - left) <= abs(g - right) else "right"
    return {"w": w_kink, "unit": j, "left": left, "right": right, "backprop_side": side}


def tangent_numbers(value, weight=DEFAULT_WEIGHT):
    """Loss and gradient of seed 001 with one weight set to ``value``.

    value : the weight's value (float).  weight : a key of ``WEIGHTS``.
    Returns a dict: floats ``weight`` (the value), ``loss`` L(w), ``grad``
    (backprop dL/dw) and ``fd_grad`` (central difference with step
    ``FD_EPS``), and ``kink`` (:func:`kink_at`: None, or the one-sided slopes
    when the central difference straddles a kink of L).
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
            "fd_grad": (plus - minus) / (2 * FD_EPS), "kink": kink_at(value, weight)}


def loss_curve(weight=DEFAULT_WEIGHT, n=161):
    """``(ws, losses)``: L(w) of seed 001 on ``n`` points of [SLIDER_MIN, SLIDER_MAX], both shape ``(n,)``."""
    s, opt = _options()
    ws = np.linspace(SLIDER_MIN, SLIDER_MAX, n)
    losses = np.array([loss_value(with_weight(s["params"], weight, w), s["X"], s["Y"], **opt) for w in ws])
    return ws, losses


def kink_note(kink):
    """One sentence on the kink (HTML-safe text): why backprop and the central difference differ there."""
    return (f"At a kink of L: hidden unit z1[{kink['unit']}] = 0 at w = {kink['w']:.4f}, where ReLU bends. "
            f"The slopes from the left and the right differ; backprop returns the {kink['backprop_side']} one "
            "(it uses relu'(0) = 0 and the side z1 is on), the central difference averages the two.")


def readout_html(numbers):
    """The HTML readout: every number in ``<span class="mlp-readout" data-key=KEY>`` (a table).

    At a kink (``numbers["kink"]``) two more rows give the one-sided slopes,
    followed by :func:`kink_note`.
    """
    rows = [(key, label, fmt.format(numbers[key])) for key, label, fmt in READOUT]
    kink = numbers.get("kink")
    if kink is None:
        return readout_table(rows)
    rows += [(key, label, fmt.format(kink[key.split("_")[1]])) for key, label, fmt in KINK_READOUT]
    return (readout_table(rows) + '<p class="mlp-kink-note" style="max-width: 22em; margin: 0.4em 0">'
            + kink_note(kink) + "</p>")


def browser_expected(value):
    """Readout texts when the slider is at ``value`` and the dropdown at its default.

    Computed directly from seed 001 with mlp_helpers (not through the callback).
    The default weight, W2[0,0], moves no hidden pre-activation, so it has no kink rows.
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
def _tangent_alt(weight, numbers):
    text = (f"Line plot of seed 001's loss L as a function of the weight {weight} from {SLIDER_MIN:g} to "
            f"{SLIDER_MAX:g} with every other parameter fixed (blue solid curve). The black dot marks the current "
            f"value w = {numbers['weight']:.2f} with loss {numbers['loss']:.4f}; the vermillion dashed line is "
            f"the tangent there, with the backprop slope {numbers['grad']:.4f}.")
    if numbers.get("kink") is not None:
        k = numbers["kink"]
        text += (f" w is at a kink of the curve: purple dotted lines show the slope from the left, {k['left']:.4f}, "
                 f"and from the right, {k['right']:.4f}.")
    return text


@style.styled
def make_tangent_demo(weight=DEFAULT_WEIGHT, value=None, dpi=style.LIVE_DPI):
    """Build the tangent demo once and draw it at ``value`` (default: the seed's value).

    Returns a namespace with ``fig``, ``ax``, the artists, the widgets
    (``dropdown``, ``slider``, ``image``, ``readout``), ``live`` (the
    :class:`mlp_helpers.viz.LiveFigure`) and ``widget`` (the box to display;
    building the demo again closes the previous copy's widgets).  Moving the
    slider or the dropdown calls :func:`update_tangent`.
    """
    import ipywidgets as widgets

    name, idx = _check_weight(weight)
    if value is None:
        value = float(seed001()["params"][name][idx])
    fig = style.new_figure(6.6, 5.0, dpi=dpi)
    ax = fig.add_subplot()
    # Every artist that changes is animated: a slider move or a new weight redraws only them
    # over the cached background (axes, labels, legend), which keeps an update to a few ms.
    (curve,) = ax.plot([], [], color=CURVE_STYLE["color"], ls=CURVE_STYLE["ls"], lw=2.5,
                       label="loss L(w)")
    (tangent,) = ax.plot([], [], color=TANGENT_STYLE["color"], ls=TANGENT_STYLE["ls"], lw=2.5,
                         label="tangent: backprop slope")
    (kink_lines,) = ax.plot([], [], color=KINK_STYLE["color"], ls=KINK_STYLE["ls"], lw=3,
                            label="one-sided slopes at a kink")
    (point,) = ax.plot([], [], POINT_STYLE["marker"], color=POINT_STYLE["color"], ms=9, label="current w")
    ax.set_xlim(SLIDER_MIN, SLIDER_MAX)
    ax.set_ylim(0.0, 5.6)  # L(w) of every weight in WEIGHTS lies in [0.01, 5.3] on the slider's range
    ax.set_ylabel("loss L")
    ax.set_xlabel("value of the chosen weight w")
    ax.set_title("Seed 001: the loss along one weight\n(all others fixed) and its tangent")
    fig.legend(loc="outside lower center", ncol=2, handlelength=2.5, columnspacing=1.0)
    ax.grid(True)
    demo = SimpleNamespace(fig=fig, ax=ax, curve=curve, tangent=tangent, point=point, kink_lines=kink_lines,
                           weight=None, curves={w: loss_curve(w) for w in WEIGHTS})
    demo.live = LiveFigure(fig, (curve, tangent, kink_lines, point),
                           "Line plot of seed 001's loss along one weight with its tangent from backprop.")
    demo.dropdown = widgets.Dropdown(options=list(WEIGHTS), value=weight, description="weight")
    demo.slider = widgets.FloatSlider(value=value, min=SLIDER_MIN, max=SLIDER_MAX, step=BROWSER_STEP,
                                      description=BROWSER_SLIDER, readout_format=".2f",
                                      style={"description_width": "initial"})
    demo.image = demo.live.widget
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
    update_tangent(demo, value, weight)
    demo.widget = demo_box("tangent", [widgets.HBox([demo.dropdown, demo.slider]),
                                       widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_tangent(demo, value, weight=None):
    """The slider callback: redraw the demo for ``value`` (and ``weight``) and return the numbers.

    demo : from :func:`make_tangent_demo`.  value : float in [SLIDER_MIN, SLIDER_MAX].
    weight : a key of ``WEIGHTS``, or None to keep the current one.
    Returns :func:`tangent_numbers`' dict (loss, grad, fd_grad, weight, kink).
    The curve is computed once per weight; a slider move redraws only the
    curve, the tangent(s) and the point over the cached background.
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
    kink = numbers["kink"]
    if kink is None:
        demo.kink_lines.set_data([], [])
    else:  # the two one-sided tangents, left of w and right of w
        h = _HALF_WIDTH
        demo.kink_lines.set_data([w - h, w, np.nan, w, w + h],
                                 [L - kink["left"] * h, L, np.nan, L, L + kink["right"] * h])
    demo.point.set_data([w], [L])
    demo.live.render(_tangent_alt(weight, numbers))
    demo.readout.value = (f'<div style="font-size: 15px; margin-bottom: 0.3em"><b>{weight}</b></div>'
                          + readout_html(numbers))
    return numbers


# ------------------------------------------------------ computational graph
#: Forward edges blue and solid, backward edges vermillion and dashed.
FORWARD_EDGE = {"color": style.BLUE, "ls": "-"}
BACKWARD_EDGE = {"color": style.VERMILLION, "ls": "--"}


@style.styled
def draw_computational_graph():
    """The computational graph of a 2-layer network with its forward and backward edges.

    Computed values are circles, parameters and the target rounded squares;
    forward edges are blue solid arrows, backward edges vermillion dashed
    arrows (each arrow ends at the edge of its node, head visible).
    Returns the matplotlib Figure (show it with :func:`mlp_helpers.viz.show_figure`).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    fig = style.new_figure(8.5, 4.6)
    ax = fig.add_subplot()
    r = 0.46
    nodes = {  # name: (x, y, label)
        "x": (0, 0, "$x$"), "z1": (2, 0, "$z_1$"), "h1": (4, 0, "$h_1$"), "z2": (6, 0, "$z_2$"),
        "yhat": (8, 0, r"$\hat y$"), "L": (10, 0, "$L$"),
        "W1": (2, 2.0, "$W_1, b_1$"), "W2": (6, 2.0, "$W_2, b_2$"), "y": (10, 2.0, "$y$"),
    }
    patches = {}
    for key, (x, y, label) in nodes.items():
        if key in ("W1", "W2", "y"):
            w = 1.25 if key != "y" else 2 * r
            patch = FancyBboxPatch((x - w / 2, y - r), w, 2 * r, boxstyle="round,pad=0.02,rounding_size=0.15",
                                   fc=style.ORANGE, alpha=0.45, ec=style.BLACK, lw=1.2, zorder=2)
        else:
            patch = Circle((x, y), r, fc=style.SKY_BLUE, alpha=0.45, ec=style.BLACK, lw=1.2, zorder=2)
        ax.add_patch(patch)
        patches[key] = patch
        ax.text(x, y, label, ha="center", va="center", fontsize=style.FONT_SIZE + 2, zorder=3)

    def arrow(a, b, edge, text="", at=(0.0, 0.0), curve=0.0, ha="center"):
        (x0, y0, _), (x1, y1, _) = nodes[a], nodes[b]
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=22, lw=2.2,
                                     color=edge["color"], linestyle=edge["ls"], patchA=patches[a],
                                     patchB=patches[b], shrinkA=1, shrinkB=1,
                                     connectionstyle=f"arc3,rad={curve}", zorder=1))
        if text:
            ax.text(at[0], at[1], text, ha=ha, va="center", color=edge["color"], fontsize=style.FONT_SIZE)

    fwd, bwd = FORWARD_EDGE, BACKWARD_EDGE
    arrow("x", "z1", fwd, "$W_1x+b_1$", (1.0, 0.3))
    arrow("W1", "z1", fwd)
    arrow("z1", "h1", fwd, "$f$", (3.0, 0.3))
    arrow("h1", "z2", fwd, "$W_2h_1+b_2$", (5.0, 0.3))
    arrow("W2", "z2", fwd)
    arrow("z2", "yhat", fwd, "softmax", (7.0, 0.3))
    arrow("yhat", "L", fwd, r"$-\sum y\log\hat y$", (9.0, 0.55))
    arrow("y", "L", fwd)
    arrow("L", "z2", bwd, r"$\delta_2=\hat y-y$", (8.0, -1.28), curve=-0.45)
    arrow("z2", "h1", bwd, r"$W_2^T\delta_2$", (5.0, -0.95), curve=-0.5)
    arrow("h1", "z1", bwd, r"$\delta_1 = W_2^T\delta_2\odot f'(z_1)$", (3.0, -0.95), curve=-0.5)
    arrow("z2", "W2", bwd, "$\\partial L/\\partial W_2=\\delta_2 h_1^T$\n$\\partial L/\\partial b_2=\\delta_2$",
          (6.75, 1.0), curve=0.55, ha="left")
    arrow("z1", "W1", bwd, "$\\partial L/\\partial W_1=\\delta_1 x^T$\n$\\partial L/\\partial b_1=\\delta_1$",
          (2.75, 1.0), curve=0.55, ha="left")
    handles = [
        Line2D([], [], color=fwd["color"], ls=fwd["ls"], lw=2.2, marker=">", ms=9, label="forward: compute values"),
        Line2D([], [], color=bwd["color"], ls=bwd["ls"], lw=2.2, marker="<", ms=9,
               label="backward: multiply local derivatives"),
        Line2D([], [], ls="", marker="o", ms=15, mfc=style.SKY_BLUE, alpha=0.6, mec=style.BLACK,
               label="computed value"),
        Line2D([], [], ls="", marker="s", ms=14, mfc=style.ORANGE, alpha=0.6, mec=style.BLACK,
               label="parameter or target"),
    ]
    ax.set_xlim(-0.7, 10.8)
    ax.set_ylim(-1.6, 2.65)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("order of computation: forward left to right, backward right to left")
    ax.set_ylabel("values (bottom),\nparameters (top)")
    ax.set_title("Computational graph of the 2-layer network (column layout)")
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    style.set_alt(fig, (
        "Computational graph of the 2-layer network. A row of circles, left to right: x, z1, h1, z2, y-hat and "
        "the loss L, joined by blue solid forward arrows labelled W1 x + b1, f, W2 h1 + b2, softmax and the "
        "cross-entropy; the parameters W1, b1 and W2, b2 and the target y sit in rounded squares above and feed "
        "z1, z2 and L. Vermillion dashed backward arrows run right to left below the row: delta2 = y-hat minus "
        "y from L to z2, W2 transpose delta2 to h1, and delta1 = W2 transpose delta2 times f'(z1) to z1; two "
        "more go up from z2 to W2, b2 (gradient delta2 h1 transpose and delta2) and from z1 to W1, b1 "
        "(delta1 x transpose and delta1)."))
    return fig
