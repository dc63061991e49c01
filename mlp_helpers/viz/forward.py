r"""Figures and slider callbacks for notebook 01 (the forward pass).

The math is :func:`mlp_helpers.forward` and the losses; this module only draws
it.  Two slider demos:

* :func:`forward_callback` - seed 000's 3-4-2 network with the inputs
  ``x[0], x[1], x[2]`` (keywords ``x1, x2, x3``) and the weight ``W2[0,0]`` on sliders, redrawing the network
  diagram and the bar chart of :math:`\hat y`;
* :func:`saturation_callback` - :math:`\hat y = \mathrm{softmax}(s\,z_2)` for a
  logit scale :math:`s` (an inverse temperature, :math:`s = 1/T`), showing how
  softmax saturates and how the clipped loss stops at :math:`10^{-9}`.

Each callback is a plain function of the slider values that returns what it
computes (numbers and the readout texts); given a ``view`` it also updates
that view's figure in place (a :class:`mlp_helpers.viz.LiveFigure`) and its
readout (a ``widgets.HTML``).

Readouts follow the browser-test convention: every number is in
``<span class="mlp-readout" data-key="KEY">TEXT</span>``, and
:func:`browser_expected` gives the texts for the ``BROWSER_SLIDER`` slider
computed directly from ``mlp_helpers`` (not through the callback).
"""
from __future__ import annotations

import numpy as np

from .. import cross_entropy, cross_entropy_from_logits, forward, loss_value, softmax
from ..seeds import seed000
from . import LiveFigure, demo_box, readout_table, show_figure, sprite_text, style  # noqa: F401 (notebook 01 imports show_figure from here)


# --------------------------------------------------------------- formatting
def fmt(x, spec=".4f"):
    """One number as the notebooks print it: ``format(float(x), spec)``."""
    return format(float(x), spec)


def fmt_vec(a, spec=".4f"):
    """A vector as the notebooks print it: ``[a, b, c]`` with ``spec`` per entry."""
    return "[" + ", ".join(format(float(v), spec) for v in np.ravel(a)) + "]"


def readout_html(texts, labels=None):
    """HTML for a readout: a table with one ``<span class="mlp-readout" data-key=KEY>TEXT</span>`` per key.

    texts : dict KEY -> TEXT (strings, already formatted).
    labels : optional dict KEY -> label shown before the number (HTML allowed).
    """
    import html as _html

    labels = labels or {}
    return readout_table([(key, labels.get(key, _html.escape(key)), text) for key, text in texts.items()])


class _View:
    """Holder for a demo's figure, its artists and its output widgets."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


# ------------------------------------------------------ the 3-4-2 diagram
LAYER_NAMES = ("input x", "hidden h = ReLU(z1)", "output ŷ = softmax(z2)")
#: Edges: positive weights blue and solid, negative vermillion and dashed; width grows with |w|.
POSITIVE_EDGE = {"color": style.BLUE, "linestyle": "-"}
NEGATIVE_EDGE = {"color": style.VERMILLION, "linestyle": (0, (3, 1.5))}
NODE_BOX_WIDTHS = (0.52, 0.82, 1.1)  # data units, per layer: wide enough for the longest label


LAYER_X = (0.0, 1.0, 2.12)  # the output layer a little further right: its labels are the longest


def _node_positions(sizes):
    """(x, y) of every node: layer l at x = LAYER_X[l], nodes centred vertically."""
    pos = []
    for l, n in enumerate(sizes):
        ys = np.arange(n)[::-1] - (n - 1) / 2.0
        pos.append([(LAYER_X[l], float(y)) for y in ys])
    return pos


def _edge_style(w):
    """Colour, line style and width of an edge of weight ``w``."""
    kind = POSITIVE_EDGE if w >= 0 else NEGATIVE_EDGE
    return kind["color"], kind["linestyle"], 0.6 + 1.3 * abs(float(w))


def _node_labels(cache):
    """Texts on the nodes: input values, z and h for hidden nodes, z2 and ŷ for outputs."""
    X, Z1, H1, Z2, Yhat = (np.ravel(cache[k]) for k in ("X", "Z1", "H1", "Z2", "Yhat"))
    return [
        [f"x{i}={v:.2f}" for i, v in enumerate(X)],  # 0-based, as the notation table of notebook 01
        [f"z={z:.2f} h={h:.2f}" for z, h in zip(Z1, H1)],
        [f"z2={z:.2f} ŷ={p:.3f}" for z, p in zip(Z2, Yhat)],
    ]


def network_alt(params, cache, title):
    """Text alternative of the network diagram: its layers, the edge code, and the values shown."""
    X, H1, Yhat = (np.ravel(cache[k]) for k in ("X", "H1", "Yhat"))
    W2 = np.asarray(params["W2"])
    return (f"{title}: a diagram of the network with {X.size} inputs on the left "
            f"({', '.join(f'x{i} = {v:.2f}' for i, v in enumerate(X))}), {H1.size} hidden ReLU units "
            f"in the middle (h = {fmt_vec(H1, '.2f')}) and {Yhat.size} softmax outputs on the right "
            f"(ŷ = {fmt_vec(Yhat, '.3f')}). Every weight is an edge: blue solid for positive, vermillion dashed "
            f"for negative, thicker for larger |w|; W2[0,0] = {W2[0, 0]:.2f}.")


class NetworkDiagram:
    """A 2-layer network drawn on ``ax``: nodes with their values, edges styled by
    weight.  ``update(params, cache)`` changes the artists in place.

    params : rows-layout dict ``W1 (n0, n1), b1, W2 (n1, n2), b2``.
    cache : ``forward(params, X)`` for one sample.
    """

    def __init__(self, ax, params, cache, title="Seed 000's 3-4-2 network"):
        from matplotlib.patches import FancyBboxPatch

        W1, W2 = np.asarray(params["W1"]), np.asarray(params["W2"])
        self.sizes = (W1.shape[0], W1.shape[1], W2.shape[1])
        self.pos = _node_positions(self.sizes)
        self.ax = ax
        self.edges = {}
        for name, W, l in (("W1", W1, 0), ("W2", W2, 1)):
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    (x0, y0), (x1, y1) = self.pos[l][i], self.pos[l + 1][j]
                    colour, ls, width = _edge_style(W[i, j])
                    (line,) = ax.plot([x0, x1], [y0, y1], color=colour, ls=ls, lw=width, zorder=1,
                                      solid_capstyle="butt", dash_capstyle="butt")
                    self.edges[(name, i, j)] = line
        # Node boxes are fixed-size patches, not text bboxes: a text bbox must measure
        # its text first, which doubles the cost of each redraw.  The labels are sprite
        # texts (cached glyphs of a monospace font): a frame rewrites nine of them.
        self.texts, self.boxes = [], []
        labels = _node_labels(cache)
        for l, layer in enumerate(self.pos):
            row = []
            bw, bh = NODE_BOX_WIDTHS[l], 0.42
            for (x, y), text in zip(layer, labels[l]):
                box = FancyBboxPatch((x - bw / 2, y - bh / 2), bw, bh, boxstyle="round,pad=0.02",
                                     fc=style.PALE_GREY, ec=style.GREY, zorder=2)
                ax.add_patch(box)
                self.boxes.append(box)
                row.append(sprite_text(ax, x, y, text, fontsize=style.FONT_SIZE, zorder=3))  # fast to redraw
            self.texts.append(row)
        ax.set_xlim(-0.32, 2.72)
        ax.set_ylim(-2.25, 2.25)
        ax.set_xticks(LAYER_X)
        ax.set_xticklabels([name.replace(" = ", "\n= ") for name in LAYER_NAMES])
        ax.set_yticks([])
        ax.set_xlabel("layer (left to right: the forward pass)")
        ax.set_ylabel("neurons of the layer")
        ax.set_title(title)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)

    @staticmethod
    def legend_handles():
        """Legend entries for the edge code (to place below the figure)."""
        from matplotlib.lines import Line2D

        return [
            Line2D([], [], color=POSITIVE_EDGE["color"], ls=POSITIVE_EDGE["linestyle"], lw=3, label="positive weight"),
            Line2D([], [], color=NEGATIVE_EDGE["color"], ls=NEGATIVE_EDGE["linestyle"], lw=3, label="negative weight"),
            Line2D([], [], color=style.GREY, ls=":", lw=1.5, label="line width ∝ |w|"),
        ]

    def update(self, params, cache, changed=None):
        """Restyle the edges (only the keys in ``changed``, e.g. ``[("W2", 0, 0)]``,
        or all when None) and rewrite the node texts."""
        keys = self.edges if changed is None else changed
        for key in keys:
            name, i, j = key
            colour, ls, width = _edge_style(np.asarray(params[name])[i, j])
            self.edges[key].set_color(colour)
            self.edges[key].set_linestyle(ls)
            self.edges[key].set_linewidth(width)
        for row, labels in zip(self.texts, _node_labels(cache)):
            for artist, text in zip(row, labels):
                artist.set_text(text)


@style.styled
def draw_network(params, cache, title="Seed 000's 3-4-2 network", figsize=(8.5, 4.6)):
    """A static figure of the network diagram; returns ``fig`` (caller shows it with ``show_figure``)."""
    fig = style.new_figure(*figsize)
    ax = fig.add_subplot()
    NetworkDiagram(ax, params, cache, title=title)
    fig.legend(handles=NetworkDiagram.legend_handles(), loc="outside lower center", ncol=3)
    style.set_alt(fig, network_alt(params, cache, title))
    return fig


# -------------------------------------------- demo 1: inputs and one weight
FORWARD_DEFAULTS = {"x1": 1.0, "x2": 0.5, "x3": 2.0, "w": 1.5}  # seed 000; w = W2[0,0]
FORWARD_RANGE = {"min": -3.0, "max": 3.0, "step": 0.1}
FORWARD_LABELS = {
    "Z1": "z1 = x W1 + b1", "H1": "h = ReLU(z1)", "Z2": "z2 = h W2 + b2",
    "Yhat": "ŷ = softmax(z2)", "L": "L (exact, from z2)",
}

BROWSER_SLIDER = "x[0]"
BROWSER_DEFAULT = FORWARD_DEFAULTS["x1"]
BROWSER_STEP = FORWARD_RANGE["step"]


def forward_texts(Z1, H1, Z2, Yhat, L):
    """The readout texts of the forward demo (KEY -> TEXT), as the notebook prints them."""
    return {
        "Z1": fmt_vec(Z1), "H1": fmt_vec(H1), "Z2": fmt_vec(Z2),
        "Yhat": fmt_vec(Yhat, ".6f"), "L": fmt(L, ".3e"),
    }


def seed000_with(x1, x2, x3, w):
    """Seed 000's parameters, input and target with ``x = [x1, x2, x3]`` and ``W2[0,0] = w``."""
    s = seed000()
    params = s["params"]
    params["W2"][0, 0] = float(w)
    X = np.array([[float(x1), float(x2), float(x3)]])
    return params, X, s["Y"]


def forward_callback(x1=1.0, x2=0.5, x3=2.0, w=1.5, view=None):
    """Slider callback of the forward demo.

    Runs seed 000's forward pass with input ``[x1, x2, x3]`` and ``W2[0,0] = w``.
    Returns a dict: ``Z1, H1`` (shape ``(4,)``), ``Z2, Yhat`` (``(2,)``), ``L``
    (float, exact cross-entropy from the logits) and ``texts`` (KEY -> readout text).
    With a ``view`` (from :func:`forward_view`) it also redraws the diagram and bars.
    """
    params, X, Y = seed000_with(x1, x2, x3, w)
    cache = forward(params, X)
    L = cross_entropy_from_logits(Y, cache["Z2"])
    out = {k: cache[k][0] for k in ("Z1", "H1", "Z2", "Yhat")}
    out["L"] = L
    out["texts"] = forward_texts(out["Z1"], out["H1"], out["Z2"], out["Yhat"], L)
    if view is not None:
        view.diagram.update(params, cache, changed=[("W2", 0, 0)])
        for bar, p in zip(view.bars, out["Yhat"]):
            bar.set_height(p)
        view.live.render(network_alt(params, cache, "Forward pass of seed 000")
                         + f" Bar chart: the class probabilities ŷ = {fmt_vec(out['Yhat'], '.3f')}.")
        view.html.value = readout_html(out["texts"], FORWARD_LABELS)
    return out


def browser_expected(value):
    """Readout texts of the forward demo with slider ``x1`` at ``value``, the rest at defaults,
    computed with ``mlp_helpers.forward`` and ``loss_value`` directly."""
    s = seed000()
    X = s["X"].copy()
    X[0, 0] = float(value)
    cache = forward(s["params"], X)
    L = loss_value(s["params"], X, s["Y"])
    return {
        "Z1": fmt_vec(cache["Z1"]), "H1": fmt_vec(cache["H1"]), "Z2": fmt_vec(cache["Z2"]),
        "Yhat": fmt_vec(cache["Yhat"], ".6f"), "L": fmt(L, ".3e"),
    }


#: The two bars of ŷ: colour and hatch differ (never colour alone).
BAR_STYLES = ({"color": style.BLUE, "hatch": None}, {"color": style.ORANGE, "hatch": "//"})


def _probability_bars(ax, y_hat, labels, title):
    """Two bars for the class probabilities ŷ on ``ax``; returns the bar artists."""
    bars = []
    for k, (p, label, st) in enumerate(zip(y_hat, labels, BAR_STYLES)):
        (bar,) = ax.bar([k], [p], color=st["color"], hatch=st["hatch"], edgecolor=style.BLACK, lw=1.0)
        bar.set_label(label)
        bars.append(bar)
    ax.set_ylim(0, 1.05)
    ax.set_yticks([0, 0.5, 1.0])
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["class 0", "class 1"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_xlabel("class")
    ax.set_ylabel("probability ŷ")
    ax.set_title(title)
    return bars


@style.styled
def forward_view(dpi=style.LIVE_DPI):
    """Build the forward demo's figure once (outside pyplot) and its output widgets."""
    import ipywidgets as widgets

    params, X, _ = seed000_with(**FORWARD_DEFAULTS)
    cache = forward(params, X)
    fig = style.new_figure(8.5, 4.9, dpi=dpi)
    ax, axb = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3.4, 1]})
    diagram = NetworkDiagram(ax, params, cache, title="Forward pass, live (seed 000)")
    bars = _probability_bars(axb, cache["Yhat"][0], ["ŷ1 (class 0, the target)", "ŷ2 (class 1)"], "softmax output")
    fig.legend(handles=NetworkDiagram.legend_handles() + bars, loc="outside lower center", ncol=3)
    animated = ([diagram.edges[("W2", 0, 0)]] + diagram.boxes + [t for row in diagram.texts for t in row]
                + list(bars))
    live = LiveFigure(fig, animated, network_alt(params, cache, "Forward pass of seed 000"))
    return _View(fig=fig, diagram=diagram, bars=list(bars), live=live, image=live.widget, html=widgets.HTML())


def forward_demo():
    """The slider demo: sliders x[0], x[1], x[2] (keywords x1, x2, x3) and w = W2[0,0], the diagram and the readout.

    Returns ``(box, view)``; ``box`` is the widget to display (re-running the
    demo closes the previous copy's widgets).
    """
    import ipywidgets as widgets

    view = forward_view()
    sliders = {
        name: widgets.FloatSlider(value=FORWARD_DEFAULTS[name], description=desc,
                                  readout_format=".1f", continuous_update=True, **FORWARD_RANGE)
        for name, desc in (("x1", "x[0]"), ("x2", "x[1]"), ("x3", "x[2]"), ("w", "W2[0,0]"))
    }

    def on_change(_change=None):
        forward_callback(**{k: s.value for k, s in sliders.items()}, view=view)

    for s in sliders.values():
        s.observe(on_change, names="value")
    on_change()
    box = demo_box("forward", [widgets.HBox([widgets.VBox(list(sliders.values())), view.html]), view.image],
                   view.live)
    return box, view


# ------------------------------------------- demo 2: softmax saturation
Z2_SEED = np.array([19.255, -16.61])  # seed 000's logits
Y_SEED = np.array([1.0, 0.0])
SCALE_DEFAULTS = {"s": 1.0}
SCALE_RANGE = {"min": 0.0, "max": 2.0, "step": 0.05}
SATURATION_LABELS = {
    "Yhat": "ŷ = softmax(s·z2)", "L_exact": "L exact (log-sum-exp)", "L_clipped": "L clipped at 1e-9",
}


def saturation_texts(Yhat, L_exact, L_clipped):
    """Readout texts of the saturation demo (KEY -> TEXT)."""
    return {"Yhat": fmt_vec(Yhat, ".6f"), "L_exact": fmt(L_exact, ".3e"), "L_clipped": fmt(L_clipped, ".3e")}


def _saturation_alt(s, L_exact, L_clipped, Yhat):
    return ("Left: bar chart of the two class probabilities ŷ = softmax(s·z2), now "
            f"{fmt_vec(Yhat, '.3f')} at logit scale s = {float(s):.2f}. Right: the cross-entropy loss against s on "
            "a log scale; the exact loss (green solid line) keeps falling towards 1e-35, while the loss from the "
            f"clipped ŷ (vermillion dashed line) stops at 1e-9; now exact {L_exact:.3e}, clipped {L_clipped:.3e}.")


def saturation_callback(s=1.0, view=None):
    r"""Slider callback of the saturation demo: logits :math:`s\,z_2` with seed 000's :math:`z_2`.

    Returns a dict: ``Yhat`` (shape ``(2,)``), ``L_exact`` (float,
    cross-entropy from the logits), ``L_clipped`` (float, from ŷ clipped to
    ``[1e-9, 1 - 1e-9]`` as seed 000 does) and ``texts``.
    """
    z = float(s) * Z2_SEED
    Yhat = softmax(z)
    L_exact = cross_entropy_from_logits(Y_SEED, z)
    L_clipped = cross_entropy(Y_SEED, Yhat, clip=1e-9)
    out = {"Yhat": Yhat, "L_exact": L_exact, "L_clipped": L_clipped}
    out["texts"] = saturation_texts(Yhat, L_exact, L_clipped)
    if view is not None:
        for bar, p in zip(view.bars, Yhat):
            bar.set_height(p)
        view.mark_exact.set_data([float(s)], [max(L_exact, view.floor)])
        view.mark_clipped.set_data([float(s)], [L_clipped])
        view.live.render(_saturation_alt(s, L_exact, L_clipped, Yhat))
        view.html.value = readout_html(out["texts"], SATURATION_LABELS)
    return out


@style.styled
def saturation_view(dpi=style.LIVE_DPI):
    """Build the saturation demo's figure (outside pyplot) and widgets."""
    import ipywidgets as widgets

    fig = style.new_figure(8.5, 4.2, dpi=dpi)
    axb, axl = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2.2]})
    Yhat = softmax(Z2_SEED)
    bars = _probability_bars(axb, Yhat, ["ŷ1 (target class)", "ŷ2"], "ŷ = softmax(s·z2)")
    ss = np.linspace(SCALE_RANGE["min"], SCALE_RANGE["max"], 201)
    floor = 1e-40
    exact = np.array([cross_entropy_from_logits(Y_SEED, s * Z2_SEED) for s in ss])
    clipped = np.array([cross_entropy(Y_SEED, softmax(s * Z2_SEED), clip=1e-9) for s in ss])
    axl.semilogy(ss, np.maximum(exact, floor), color=style.GREEN, ls="-", label="exact (logits)")
    axl.semilogy(ss, clipped, color=style.VERMILLION, ls="--", label="clipped ŷ, 1e-9")
    (mark_exact,) = axl.plot([1.0], [cross_entropy_from_logits(Y_SEED, Z2_SEED)], "o", color=style.GREEN, ms=9,
                             label="now, exact")
    (mark_clipped,) = axl.plot([1.0], [1e-9], "s", color=style.VERMILLION, mfc="none", mew=2, ms=10,
                               label="now, clipped")
    axl.set_ylim(1e-35, 10)
    axl.set_xlabel("logit scale s = 1/T (s = 1 is seed 000)")
    axl.set_ylabel("loss L (log scale)")
    axl.set_title("Cross-entropy as softmax saturates")
    axl.legend(loc="lower left")
    live = LiveFigure(fig, list(bars) + [mark_exact, mark_clipped],
                      _saturation_alt(1.0, cross_entropy_from_logits(Y_SEED, Z2_SEED), 1e-9, Yhat))
    return _View(fig=fig, bars=list(bars), mark_exact=mark_exact, mark_clipped=mark_clipped,
                 floor=floor, live=live, image=live.widget, html=widgets.HTML())


def saturation_demo():
    """The saturation slider demo; returns ``(box, view)`` (re-running it closes the previous copy)."""
    import ipywidgets as widgets

    view = saturation_view()
    slider = widgets.FloatSlider(value=SCALE_DEFAULTS["s"], description="s", readout_format=".2f",
                                 continuous_update=True, **SCALE_RANGE)
    slider.observe(lambda change: saturation_callback(change["new"], view=view), names="value")
    saturation_callback(slider.value, view=view)
    return demo_box("saturation", [widgets.HBox([slider, view.html]), view.image], view.live), view


# ---------------------------------------------- activations and derivatives
@style.styled
def plot_activations(names=("relu", "sigmoid", "tanh", "relu_plus_sin"), z=None, figsize=(8.5, 4.0)):
    """Two panels: each activation f(z) and its derivative f'(z). Returns ``fig``.

    Each activation has its own colour *and* line style (``style.SERIES``).
    """
    from ..activations import ACTIVATIONS

    z = np.linspace(-4, 4, 801) if z is None else np.asarray(z, dtype=float)
    fig = style.new_figure(*figsize)
    a0, a1 = fig.subplots(1, 2)
    for name, st in zip(names, style.SERIES * 2):
        act = ACTIVATIONS[name]
        a0.plot(z, act.f(z), color=st["color"], ls=st["linestyle"], label=name)
        a1.plot(z, act.df(z), color=st["color"], ls=st["linestyle"], label=f"{name}'")
    for ax, title, ylab in ((a0, "Activations f(z)", "f(z)"), (a1, "Derivatives f'(z)", "f'(z)")):
        ax.axhline(0, color=style.LIGHT_GREY, lw=0.8)
        ax.axvline(0, color=style.LIGHT_GREY, lw=0.8)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(ylab)
        ax.set_title(title)
        ax.legend(loc="upper left", handlelength=3)
    style.set_alt(fig, "Two line plots over z from -4 to 4. Left: the activations "
                  + ", ".join(names) + " as functions f(z). Right: their derivatives f'(z); ReLU's derivative "
                  "jumps from 0 to 1 at z = 0, the sigmoid's peaks at 0.25 and tanh's at 1, and relu_plus_sin's "
                  "is 1[z > 0] + cos z.")
    return fig
