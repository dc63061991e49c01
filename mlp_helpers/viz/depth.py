r"""Figures and slider demos of notebook 08 (depth and initialisation).

The math is :mod:`mlp_helpers.depth` (per-layer statistics of deep stacks,
the variance recursions) and :mod:`mlp_helpers.graph` (the scalar graph);
this module only draws it.

Two slider demos, each answering one question, each built once and redrawn
in place by a named callback that returns the numbers it shows:

* **initial scale** (:func:`make_scale_demo`, callback :func:`update_scale`):
  20-layer sigmoid, tanh and ReLU stacks whose weights have standard
  deviation :math:`g/\sqrt{n_\text{in}}`; the slider moves the gain
  :math:`g`.  Question: *at which initial scale does the gradient stay the
  same size from the last layer to the first?*
* **depth** (:func:`make_depth_demo`, callback :func:`update_depth`): each
  activation at its textbook scale (Xavier, g = 1, for sigmoid and tanh; He,
  g = √2, for ReLU); the slider moves the number of layers.  Question: *with
  the textbook initialisation, does adding layers still shrink the gradient
  at the first layer, and how fast?*

Every curve is the geometric mean over ``SEEDS`` (5 seeds) with a band from
the smallest to the largest seed.

Figures follow :mod:`mlp_helpers.viz.style`: Okabe–Ito colours *and* a line
style and marker per series, fonts of at least 12 pt, and a text alternative
``ALT[name]`` (numbers filled in) attached with ``style.set_alt``, so
``show_figure`` and the slider demos' ``<img alt>`` carry it.

Browser-test convention (for the scale demo): ``BROWSER_SLIDER`` is its
slider's description, ``BROWSER_DEFAULT``/``BROWSER_STEP`` its start and step,
``browser_expected(value)`` the readout texts at ``value``.
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from ..depth import gradient_ratio, layer_statistics, mean_field, summarize
from ..graph import Value, topological_order
from . import LiveFigure, demo_box, readout_table, style

# ---------------------------------------------------------------- style
#: Okabe & Ito (2008), from the course style: colours that stay distinguishable with colour vision deficiencies.
OKABE_ITO = style.PALETTE
GREY = style.GREY
FONT_SIZE = style.FONT_SIZE
TITLE_SIZE = style.TITLE_SIZE
#: One series per activation: colour, line style AND marker differ (readable in grey scale too).
ACTIVATION_STYLE = {
    "sigmoid": {"color": OKABE_ITO["vermillion"], "linestyle": "--", "marker": "s"},
    "tanh": {"color": OKABE_ITO["blue"], "linestyle": "-.", "marker": "^"},
    "relu": {"color": OKABE_ITO["bluish_green"], "linestyle": "-", "marker": "o"},
}
ACTIVATIONS = tuple(ACTIVATION_STYLE)

#: Text alternatives, one per figure (the figure functions attach them; numbers are filled in).
ALT = {
    "profile": ("Two log-scale panels over the layers 1 to {depth} of sigmoid, tanh and ReLU stacks at gain "
                "g = {gain:.2f}. Left: the variance of the pre-activations per layer. Right: the size of the "
                "gradient reaching each layer relative to the last layer; {summary}."),
    "variance": ("Log-scale plot of the variance of the pre-activations per layer of 20-layer stacks, measured "
                 "(markers, mean over seeds with a band) and predicted by the variance recursion (thin black "
                 "lines): ReLU with g = 1 halves it every layer, ReLU with g = sqrt 2 (He) keeps it constant, "
                 "ReLU with g = 2 doubles it every layer, and tanh with g = 1 (Xavier) decays slowly."),
    "graph": ("Computational graph of {n} scalar nodes, inputs on the left and the output {root} on the right; "
              "each box shows the node's name, its value (data) and its gradient (grad) after backward."),
    "scale_demo": ("Slider demo, initial scale g = {gain:.2f}: per-layer variance and relative gradient size of "
                   "20-layer sigmoid, tanh and ReLU stacks; {summary}."),
    "depth_demo": ("Slider demo, depth {depth}: left, the relative gradient per layer of sigmoid and tanh stacks "
                   "at g = 1 and a ReLU stack at g = sqrt 2; right, the first-to-last gradient ratio against "
                   "depth, a straight line on the log scale; {summary}."),
}


def alt_text(fig):
    """The text alternative attached to ``fig`` (:func:`mlp_helpers.viz.style.get_alt`; None if none)."""
    return style.get_alt(fig)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_label(value, _pos=None):
    """A log-axis tick label as plain Unicode text, ``10⁻⁵`` (no mathtext: its parser is slow)."""
    if value <= 0:
        return ""
    k = int(round(math.log10(value)))
    return "1" if k == 0 else f"10{str(k).translate(_SUPERSCRIPT)}"


def _log_axis(ax, ticks):
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(power_label))
    ax.yaxis.set_minor_locator(NullLocator())


def _style_axes(ax, title, xlabel, ylabel):
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.grid(True)


def _summary(ratios):
    return "; ".join(f"{a} first-to-last gradient ratio {r['ratio']:.2g} ({r['verdict']})" for a, r in ratios.items())


# ------------------------------------------------------------ the numbers
DEPTH = 20                       # layers of the scale demo
GAIN_MIN, GAIN_MAX = 0.5, 3.0
DEPTH_MIN, DEPTH_MAX = 2, 20
#: The depth demo's scales: Xavier (g = 1) for sigmoid and tanh, He (g = sqrt 2) for ReLU.
TEXTBOOK_GAINS = {"sigmoid": 1.0, "tanh": 1.0, "relu": math.sqrt(2.0)}
Y_LIMITS = (1e-20, 1e20)         # every value on the sliders' ranges lies inside; drawn clipped for safety

BROWSER_SLIDER = "initial scale g"
BROWSER_DEFAULT = 1.0
BROWSER_STEP = 0.05
DEPTH_SLIDER = "depth (layers)"
DEPTH_DEFAULT = 10


def _stats(gain, depth, gains=None):
    """{activation: layer_statistics} at ``gain`` (or per-activation ``gains``) and ``depth``."""
    return {a: layer_statistics(a, depth, gains[a] if gains else gain, weight_grads=False) for a in ACTIVATIONS}


def scale_numbers(gain, depth=DEPTH):
    """The scale demo's numbers at ``gain``: a dict with ``"gain"``, ``"depth"``, ``"stats"``
    (``{activation: layer_statistics}``) and ``"ratios"`` (``{activation: gradient_ratio}``)."""
    stats = _stats(float(gain), depth)
    return {"gain": float(gain), "depth": depth, "stats": stats,
            "ratios": {a: gradient_ratio(s) for a, s in stats.items()}}


def depth_numbers(depth):
    """The depth demo's numbers at ``depth`` (each activation at its ``TEXTBOOK_GAINS`` scale)."""
    stats = _stats(None, int(depth), TEXTBOOK_GAINS)
    return {"depth": int(depth), "stats": stats, "ratios": {a: gradient_ratio(s) for a, s in stats.items()}}


SCALE_READOUT = [("gain", "g", "{:.2f}")] + [
    (f"{key}_{a}", f"{a}: {label}", fmt) for a in ACTIVATIONS
    for key, label, fmt in (("ratio", "|dL/dz_1| / |dL/dz_20|", "{:.2g}"), ("verdict", "verdict", "{}"))]
DEPTH_READOUT = [("depth", "layers", "{:d}")] + [
    (f"{key}_{a}", f"{a}: {label}", fmt) for a in ACTIVATIONS
    for key, label, fmt in (("ratio", "|dL/dz_1| / |dL/dz_D|", "{:.2g}"), ("per_layer", "factor per layer", "{:.2f}"))]


def _flat(numbers):
    out = {k: numbers[k] for k in ("gain", "depth") if k in numbers}
    for a, r in numbers["ratios"].items():
        for key in ("ratio", "per_layer", "verdict"):
            out[f"{key}_{a}"] = r[key]
    return out


def readout_html(numbers, spec):
    """HTML readout table; every number in ``<span class="mlp-readout" data-key=KEY>``."""
    flat = _flat(numbers)
    return readout_table([(key, label, fmt.format(flat[key])) for key, label, fmt in spec])


def browser_expected(value):
    """Readout texts of the scale demo with its slider at ``value``.

    Computed here from :func:`mlp_helpers.depth.layer_statistics` and the ratio
    of the first and last layers' gradient norms (not through the callback).
    """
    gain = float(value)
    out = {"gain": f"{gain:.2f}"}
    for a in ACTIVATIONS:
        d = layer_statistics(a, DEPTH, gain, weight_grads=False)["delta_norm"]
        ratio = float(np.exp(np.mean(np.log(d[:, 0] / d[:, -1]))))
        out[f"ratio_{a}"] = f"{ratio:.2g}"
        out[f"verdict_{a}"] = "vanishing" if ratio < 0.1 else ("exploding" if ratio > 10 else "flat")
    return out


# ---------------------------------------------------------- drawing parts
def _band_verts(x, lo, hi):
    lo, hi = np.clip(lo, *Y_LIMITS), np.clip(hi, *Y_LIMITS)
    return np.concatenate([np.column_stack([x, lo]), np.column_stack([x[::-1], hi[::-1]])])


def _series(ax, activation, animated, label=None):
    """An empty mean line and band for ``activation`` on ``ax``."""
    st = ACTIVATION_STYLE[activation]
    band = ax.fill_between([0, 1], [1, 1], [1, 1], color=st["color"], alpha=0.18, lw=0, animated=animated)
    (line,) = ax.plot([], [], color=st["color"], ls=st["linestyle"], marker=st["marker"], ms=6, lw=2,
                      animated=animated, label=label or activation)
    return line, band


def _set_series(line, band, values, kind="geometric"):
    mean, lo, hi = summarize(values, kind)
    x = np.arange(1, len(mean) + 1)
    line.set_data(x, np.clip(mean, *Y_LIMITS))
    band.set_verts([_band_verts(x, lo, hi)])


def _legend_below(fig, n_seeds=5):
    """One legend under the panels (outside the data; static, so it stays in the cached background)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=s["color"], ls=s["linestyle"], marker=s["marker"], ms=6, lw=2, label=a)
               for a, s in ACTIVATION_STYLE.items()]
    handles.append(Patch(color=GREY, alpha=0.3, label=f"band: range over {n_seeds} seeds"))
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=FONT_SIZE, frameon=False)


def _profile_axes(fig, depth):
    ax_f, ax_b = fig.subplots(1, 2)
    _style_axes(ax_f, "Forward: variance per layer", "layer l", "variance of z (log scale)")
    _style_axes(ax_b, "Backward: gradient per layer", "layer l", "‖∂L/∂z‖ at layer l ÷ at layer D")
    for ax in (ax_f, ax_b):
        _log_axis(ax, [1e-20, 1e-10, 1e0, 1e10, 1e20])
        ax.set_ylim(*Y_LIMITS)
        ax.set_xlim(0.5, depth + 0.5)
        ax.axhline(1.0, color=GREY, lw=1, ls=":")
    return ax_f, ax_b


def _draw_profiles(series, stats):
    for a, st in stats.items():
        (lf, bf), (lb, bb) = series[a]
        _set_series(lf, bf, st["z_second_moment"])
        d = st["delta_norm"]
        _set_series(lb, bb, d / d[:, -1:])


@style.styled
def profile_figure(numbers, dpi=style.PNG_DPI):
    """Static figure of :func:`scale_numbers`' result: forward variance and relative gradient per layer.

    Returns the Figure (text alternative attached, see ``ALT["profile"]``).
    """
    depth = numbers["depth"]
    fig = style.new_figure(8.5, 4.3, dpi=dpi)
    ax_f, ax_b = _profile_axes(fig, depth)
    series = {a: (_series(ax_f, a, False), _series(ax_b, a, False)) for a in ACTIVATIONS}
    _draw_profiles(series, numbers["stats"])
    _legend_below(fig)
    fig.suptitle(f"{depth}-layer stacks, weights with std g/sqrt(n_in), g = {numbers['gain']:.2f}",
                 fontsize=TITLE_SIZE)
    return style.set_alt(fig, ALT["profile"].format(depth=depth, gain=numbers["gain"],
                                               summary=_summary(numbers["ratios"])))


#: The stacks of the variance figure: (label, activation, gain, style).
VARIANCE_SERIES = (
    ("ReLU, g = 1", "relu", 1.0, {"color": OKABE_ITO["vermillion"], "linestyle": "--", "marker": "s"}),
    ("ReLU, g = √2 (He)", "relu", math.sqrt(2.0), {"color": OKABE_ITO["bluish_green"], "linestyle": "-",
                                                   "marker": "o"}),
    ("ReLU, g = 2", "relu", 2.0, {"color": OKABE_ITO["orange"], "linestyle": ":", "marker": "v"}),
    ("tanh, g = 1 (Xavier)", "tanh", 1.0, {"color": OKABE_ITO["blue"], "linestyle": "-.", "marker": "^"}),
)


@style.styled
def variance_figure(measured, dpi=style.PNG_DPI):
    """Measured vs predicted variance per layer for the stacks of ``VARIANCE_SERIES``.

    measured : ``{label: layer_statistics(...)}`` for every label of ``VARIANCE_SERIES``.
    The thin black lines are :func:`mlp_helpers.depth.mean_field`'s ``q``.
    """
    fig = style.new_figure(8.0, 4.2, dpi=dpi)
    ax = fig.subplots()
    _style_axes(ax, "Variance of the pre-activations through 20 layers", "layer l", "variance of z (log scale)")
    _log_axis(ax, [10.0 ** k for k in range(-6, 8, 2)])
    for i, (label, act, gain, st) in enumerate(VARIANCE_SERIES):
        s = measured[label]
        mean, lo, hi = summarize(s["z_second_moment"], "arithmetic")
        x = np.arange(1, len(mean) + 1)
        ax.fill_between(x, lo, hi, color=st["color"], alpha=0.15, lw=0)
        ax.plot(x, mean, color=st["color"], ls=st["linestyle"], marker=st["marker"], ms=6, lw=2, label=label)
        ax.plot(x, mean_field(act, len(mean), gain)["q"], color=style.BLACK, lw=1,
                label="predicted by the recursion" if i == 0 else None)
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.legend(loc="upper left", fontsize=FONT_SIZE, ncol=2)
    return style.set_alt(fig, ALT["variance"])


# ----------------------------------------------------------- graph figure
def graph_layout(root):
    """Positions ``{id(node): (x, y)}`` for drawing ``root``'s graph left to right.

    x is the node's level: one more than its deepest parent's for an operation,
    one less than its earliest child's for an input (so inputs sit next to
    where they are used); within a level the nodes are ordered by the mean
    height of their children, the root at height 0.
    """
    order = topological_order(root)
    children = {id(v): [] for v in order}
    for v in order:
        for p in v.parents:
            children[id(p)].append(v)
    level = {}
    for v in order:  # inputs first
        level[id(v)] = 1 + max((level[id(p)] for p in v.parents), default=-1)
    for v in order:
        if not v.parents and children[id(v)]:
            level[id(v)] = min(level[id(c)] for c in children[id(v)]) - 1
    columns = {}
    for v in order:
        columns.setdefault(level[id(v)], []).append(v)
    pos = {}
    for lev in sorted(columns, reverse=True):  # from the root leftwards
        nodes = columns[lev]
        key = {id(v): np.mean([pos[id(c)][1] for c in children[id(v)] if id(c) in pos] or [0.0]) for v in nodes}
        nodes = sorted(nodes, key=lambda v: -key[id(v)])
        for i, v in enumerate(nodes):
            pos[id(v)] = (float(lev), (len(nodes) - 1) / 2 - i)
    shift = min(x for x, _ in pos.values())
    return {k: (x - shift, y) for k, (x, y) in pos.items()}


@style.styled
def graph_figure(root, dpi=style.PNG_DPI, width=8.5):
    """Draw ``root``'s graph left to right: one box per node with its label (or op), data and grad.

    root : a :class:`mlp_helpers.graph.Value` (call ``root.backward()`` first to show gradients).
    Returns the Figure (text alternative attached).
    """
    if not isinstance(root, Value):
        raise TypeError(f"root: expected a Value, got {type(root).__name__}")
    order = topological_order(root)
    if len(order) > 40:
        raise ValueError(f"root: a graph of {len(order)} nodes is too big to draw legibly; expected at most 40")
    pos = graph_layout(root)
    n_levels = int(max(x for x, _ in pos.values())) + 1
    ys = [y for _, y in pos.values()]
    height = max(ys) - min(ys) + 1
    fig = style.new_figure(width, 0.95 * height + 1.4, dpi=dpi)  # + the legend below
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_xticks([])
    ax.set_yticks([])
    for v in order:
        for p in v.parents:
            (x0, y0), (x1, y1) = pos[id(p)], pos[id(v)]
            ax.annotate("", xy=(x1 - 0.36, y1), xytext=(x0 + 0.36, y0),
                        arrowprops={"arrowstyle": "-|>", "color": OKABE_ITO["blue"], "lw": 1.4})
    for v in order:
        x, y = pos[id(v)]
        name = v.label or v.op
        op = f" ({v.op})" if v.label and v.op else ""
        ax.text(x, y, f"{name}{op}\ndata {v.data:.4f}\ngrad {v.grad:.4f}", ha="center", va="center",
                fontsize=FONT_SIZE, family="monospace",
                bbox={"boxstyle": "round,pad=0.3", "fc": style.PALE_GREY if v is root else style.WHITE,
                      "ec": OKABE_ITO["vermillion"] if v is root else style.GREY, "lw": 2.8 if v is root else 1.4})
    ax.set_xlim(-0.5, n_levels - 0.5)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_title("Computational graph: forward values and backward gradients", fontsize=TITLE_SIZE)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=OKABE_ITO["blue"], lw=1.4, marker=">", ms=8, label="edge: input → operation"),
               Line2D([], [], ls="none", marker="s", ms=14, mfc=style.WHITE, mec=style.GREY,
                      label="node: name (op), data, grad; the output shaded, thick border")]
    fig.legend(handles=handles, loc="outside lower center", ncol=1)
    return style.set_alt(fig, ALT["graph"].format(n=len(order), root=root.label or root.op))


# ------------------------------------------------------------- the demos
def _base_demo(fig, artists, spec, slider, update_fn, alt):
    import ipywidgets as widgets

    demo = SimpleNamespace(fig=fig, artists=artists, cache={}, spec=spec)
    demo.live = LiveFigure(fig, artists, alt)
    demo.slider = slider
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_fn(demo, change["new"]), names="value")
    return demo


def _box(name, demo):
    import ipywidgets as widgets

    demo.widget = demo_box(name, [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


@style.styled
def make_scale_demo(gain=BROWSER_DEFAULT, dpi=style.LIVE_DPI):
    """Build the initial-scale demo (20-layer stacks, slider for g).

    Returns a namespace with ``fig``, ``series`` (artists per activation),
    ``slider``, ``image``, ``readout``, ``widget`` (the VBox to display) and
    ``cache`` (numbers per visited g).
    """
    import ipywidgets as widgets

    fig = style.new_figure(8.5, 4.0, dpi=dpi)
    ax_f, ax_b = _profile_axes(fig, DEPTH)
    series = {a: (_series(ax_f, a, True), _series(ax_b, a, True)) for a in ACTIVATIONS}
    _legend_below(fig)
    slider = widgets.FloatSlider(value=gain, min=GAIN_MIN, max=GAIN_MAX, step=BROWSER_STEP,
                                 description=BROWSER_SLIDER, readout_format=".2f",
                                 style={"description_width": "initial"})
    artists = [x for a in ACTIVATIONS for pair in series[a] for x in pair]
    demo = _base_demo(fig, artists, SCALE_READOUT, slider, update_scale,
                      "Slider demo: per-layer variance and relative gradient size of 20-layer sigmoid, tanh and "
                      "ReLU stacks against the initial scale g.")
    demo.series, demo.ax_forward, demo.ax_backward = series, ax_f, ax_b
    update_scale(demo, gain)
    return _box("initial scale", demo)


def update_scale(demo, gain):
    """The initial-scale slider callback: redraw both panels; return :func:`scale_numbers`' dict."""
    key = round(float(gain), 6)
    if key not in demo.cache:
        demo.cache[key] = scale_numbers(key)
    numbers = demo.cache[key]
    _draw_profiles(demo.series, numbers["stats"])
    demo.live.render(ALT["scale_demo"].format(gain=key, summary=_summary(numbers["ratios"])))
    demo.readout.value = readout_html(numbers, demo.spec)
    return numbers


def depth_curve(depths=range(DEPTH_MIN, DEPTH_MAX + 1)):
    """``{activation: array of first-to-last gradient ratios}`` for every depth in ``depths`` (textbook scales)."""
    depths = list(depths)
    return {a: np.array([gradient_ratio(layer_statistics(a, d, TEXTBOOK_GAINS[a], weight_grads=False))["ratio"]
                         for d in depths])
            for a in ACTIVATIONS}


@style.styled
def make_depth_demo(depth=DEPTH_DEFAULT, dpi=style.LIVE_DPI):
    """Build the depth demo (textbook scales, slider for the number of layers).

    The right panel (first-to-last ratio against depth, all depths) is drawn
    once; the slider redraws the per-layer profile and moves the marker.
    Returns a namespace like :func:`make_scale_demo`'s, plus ``curve``.
    """
    import ipywidgets as widgets

    fig = style.new_figure(8.5, 3.9, dpi=dpi)
    ax, ax_r = fig.subplots(1, 2)
    _style_axes(ax, "Gradient per layer", "layer l", "‖∂L/∂z‖ at layer l ÷ at layer D")
    _style_axes(ax_r, "First layer vs last, by depth", "depth D (layers)", "‖∂L/∂z‖ at layer 1 ÷ at layer D")
    for a_ in (ax, ax_r):
        _log_axis(a_, [1e-12, 1e-8, 1e-4, 1e0])
        a_.set_ylim(1e-14, 1e2)
        a_.axhline(1.0, color=GREY, lw=1, ls=":")
    ax.set_xlim(0.5, DEPTH_MAX + 0.5)
    ax_r.set_xlim(DEPTH_MIN - 0.5, DEPTH_MAX + 0.5)
    depths = np.arange(DEPTH_MIN, DEPTH_MAX + 1)
    curve = depth_curve(depths)
    series, markers = {}, []
    for a, st in ACTIVATION_STYLE.items():
        label = f"{a}, g = {'√2' if a == 'relu' else '1'}"
        ax_r.plot(depths, curve[a], color=st["color"], ls=st["linestyle"], marker=st["marker"], ms=5, lw=2,
                  label=label)
        line, band = _series(ax, a, True)
        (mark,) = ax_r.plot([], [], "o", ms=13, mfc="none", mec=style.BLACK, mew=2, animated=True)
        series[a] = (line, band)
        markers.append(mark)
    ax_r.legend(loc="lower left", fontsize=FONT_SIZE)
    slider = widgets.IntSlider(value=depth, min=DEPTH_MIN, max=DEPTH_MAX, step=1, description=DEPTH_SLIDER,
                               style={"description_width": "initial"})
    artists = [x for a in ACTIVATIONS for x in series[a]] + markers
    demo = _base_demo(fig, artists, DEPTH_READOUT, slider, update_depth,
                      "Slider demo: relative gradient per layer of sigmoid, tanh and ReLU stacks at their textbook "
                      "scales, and the first-to-last gradient ratio against depth.")
    demo.series, demo.markers, demo.curve, demo.depths = series, markers, curve, depths
    update_depth(demo, depth)
    return _box("depth", demo)


def update_depth(demo, depth):
    """The depth slider callback: redraw the profile, move the markers; return :func:`depth_numbers`' dict."""
    key = int(depth)
    if key not in demo.cache:
        demo.cache[key] = depth_numbers(key)
    numbers = demo.cache[key]
    for a, mark in zip(ACTIVATIONS, demo.markers):
        d = numbers["stats"][a]["delta_norm"]
        _set_series(*demo.series[a], d / d[:, -1:])
        mark.set_data([key], [np.clip(numbers["ratios"][a]["ratio"], *Y_LIMITS)])
    demo.live.render(ALT["depth_demo"].format(depth=key, summary=_summary(numbers["ratios"])))
    demo.readout.value = readout_html(numbers, demo.spec)
    return numbers
