r"""Figures and slider callbacks for notebook 01 (the forward pass).

The math is :func:`mlp_helpers.forward` and the losses; this module only draws
it.  Two slider demos:

* :func:`forward_callback` - seed 000's 3-4-2 network with the inputs
  ``x1, x2, x3`` and the weight ``W2[0,0]`` on sliders, redrawing the network
  diagram and the bar chart of :math:`\hat y`;
* :func:`saturation_callback` - :math:`\hat y = \mathrm{softmax}(s\,z_2)` for a
  logit scale :math:`s` (an inverse temperature, :math:`s = 1/T`), showing how
  softmax saturates and how the clipped loss stops at :math:`10^{-9}`.

Each callback is a plain function of the slider values that returns what it
computes (numbers and the readout texts); given a ``view`` it also updates
that view's figure in place and its ``widgets.Image``/``widgets.HTML``.

Readouts follow the browser-test convention: every number is in
``<span class="mlp-readout" data-key="KEY">TEXT</span>``, and
:func:`browser_expected` gives the texts for the ``BROWSER_SLIDER`` slider
computed directly from ``mlp_helpers`` (not through the callback).
"""
from __future__ import annotations

import html as _html
from io import BytesIO

import numpy as np

from .a11y import accessible_sliders  # names sliders for screen readers (see a11y.py)
from .. import cross_entropy, cross_entropy_from_logits, forward, loss_value, softmax
from ..seeds import seed000
from . import figure_image, show_figure  # noqa: F401 (show_figure: notebook 01 imports it from here)

# --------------------------------------------------------------- formatting
def fmt(x, spec=".4f"):
    """One number as the notebooks print it: ``format(float(x), spec)``."""
    return format(float(x), spec)


def fmt_vec(a, spec=".4f"):
    """A vector as the notebooks print it: ``[a, b, c]`` with ``spec`` per entry."""
    return "[" + ", ".join(format(float(v), spec) for v in np.ravel(a)) + "]"


def readout_html(texts, labels=None):
    """HTML for a readout: one ``<span class="mlp-readout" data-key=KEY>TEXT</span>`` per key.

    texts : dict KEY -> TEXT (strings, already formatted).
    labels : optional dict KEY -> label shown before the number (HTML allowed).
    """
    labels = labels or {}
    rows = []
    for key, text in texts.items():
        label = labels.get(key, _html.escape(key))
        rows.append(
            f'<div style="font-family: monospace">{label} = '
            f'<span class="mlp-readout" data-key="{_html.escape(key)}">{_html.escape(text)}</span></div>'
        )
    return "\n".join(rows)


def render_png(fig, dpi=80):
    """The whole figure as PNG bytes (for a ``widgets.Image``)."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class BlitPNG:
    """Fast PNG frames of a figure whose only changing artists are ``animated``.

    The static part (axes, ticks, labels, legends, fixed curves) is drawn once
    with Agg and kept as a bitmap; each :meth:`render` pastes that bitmap back,
    draws only the animated artists (in the order given) and encodes the
    pixels as PNG with Pillow (a matplotlib dependency).  This is
    matplotlib's blitting technique, used here so a slider update stays far
    below 50 ms.
    """

    def __init__(self, fig, animated, dpi=80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig, self.animated = fig, list(animated)
        fig.set_dpi(dpi)
        self.canvas = FigureCanvasAgg(fig)
        for artist in self.animated:
            artist.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def render(self):
        """Redraw the animated artists over the static background; returns PNG bytes."""
        from PIL import Image

        self.canvas.restore_region(self.background)
        for artist in self.animated:
            self.fig.draw_artist(artist)
        buf = BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()


# ------------------------------------------------------ the 3-4-2 diagram
LAYER_NAMES = ("input x", "hidden h = ReLU(z1)", "output ŷ = softmax(z2)")
WEIGHT_CMAP = "coolwarm_r"  # blue = positive weight, red = negative
WEIGHT_VMAX = 3.5
NODE_BOX_WIDTHS = (0.42, 0.66, 0.72)  # data units, per layer: wide enough for the longest label


def _node_positions(sizes):
    """(x, y) of every node: layer l at x = l, nodes centred vertically."""
    pos = []
    for l, n in enumerate(sizes):
        ys = np.arange(n)[::-1] - (n - 1) / 2.0
        pos.append([(float(l), float(y)) for y in ys])
    return pos


def _edge_style(w):
    import matplotlib

    cmap = matplotlib.colormaps[WEIGHT_CMAP]
    colour = cmap(0.5 + 0.5 * np.clip(w / WEIGHT_VMAX, -1.0, 1.0))
    return colour, 0.5 + 1.6 * abs(float(w))


def _node_labels(cache):
    """Texts on the nodes: input values, z and h for hidden nodes, z2 and ŷ for outputs."""
    X, Z1, H1, Z2, Yhat = (np.ravel(cache[k]) for k in ("X", "Z1", "H1", "Z2", "Yhat"))
    return [
        [f"x{i + 1}={v:.2f}" for i, v in enumerate(X)],
        [f"z={z:.2f} h={h:.2f}" for z, h in zip(Z1, H1)],
        [f"z2={z:.2f} ŷ={p:.3f}" for z, p in zip(Z2, Yhat)],
    ]


class NetworkDiagram:
    """A 2-layer network drawn on ``ax``: nodes with their values, edges coloured
    and sized by weight.  ``update(params, cache)`` changes the artists in place.

    params : rows-layout dict ``W1 (n0, n1), b1, W2 (n1, n2), b2``.
    cache : ``forward(params, X)`` for one sample.
    """

    def __init__(self, ax, params, cache, title="Seed 000's 3-4-2 network"):
        from matplotlib.lines import Line2D

        W1, W2 = np.asarray(params["W1"]), np.asarray(params["W2"])
        self.sizes = (W1.shape[0], W1.shape[1], W2.shape[1])
        self.pos = _node_positions(self.sizes)
        self.ax = ax
        self.edges = {}
        for name, W, l in (("W1", W1, 0), ("W2", W2, 1)):
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    (x0, y0), (x1, y1) = self.pos[l][i], self.pos[l + 1][j]
                    colour, width = _edge_style(W[i, j])
                    (line,) = ax.plot([x0, x1], [y0, y1], color=colour, lw=width, zorder=1)
                    self.edges[(name, i, j)] = line
        # Node boxes are fixed-size patches, not text bboxes: a text bbox must measure
        # its text first, which doubles the cost of each redraw.
        from matplotlib.patches import FancyBboxPatch

        self.texts, self.boxes = [], []
        labels = _node_labels(cache)
        for l, layer in enumerate(self.pos):
            row = []
            bw, bh = NODE_BOX_WIDTHS[l], 0.36
            for (x, y), text in zip(layer, labels[l]):
                box = FancyBboxPatch((x - bw / 2, y - bh / 2), bw, bh, boxstyle="round,pad=0.02",
                                     fc="#f4f4f4", ec="0.3", zorder=2)
                ax.add_patch(box)
                self.boxes.append(box)
                row.append(ax.text(x, y, text, ha="center", va="center", fontsize=7, zorder=3))
            self.texts.append(row)
        ax.set_xlim(-0.4, 2.4)
        ax.set_ylim(-2.2, 2.2)
        ax.set_xticks([0, 1, 2])
        ax.set_xticklabels(LAYER_NAMES, fontsize=7)
        ax.set_yticks([])
        ax.set_xlabel("layer (left to right: the forward pass)", fontsize=8)
        ax.set_ylabel("neurons of the layer", fontsize=8)
        ax.set_title(title, fontsize=9)
        handles = [
            Line2D([], [], color=_edge_style(2.5)[0], lw=3, label="positive weight"),
            Line2D([], [], color=_edge_style(-2.5)[0], lw=3, label="negative weight"),
            Line2D([], [], color="0.5", lw=0.8, label="line width ∝ |w|"),
        ]
        ax.legend(handles=handles, loc="lower center", fontsize=6, ncol=3, frameon=False,
                  bbox_to_anchor=(0.5, -0.02))

    def update(self, params, cache, changed=None):
        """Restyle the edges (only the keys in ``changed``, e.g. ``[("W2", 0, 0)]``,
        or all when None) and rewrite the node texts."""
        keys = self.edges if changed is None else changed
        for key in keys:
            name, i, j = key
            colour, width = _edge_style(np.asarray(params[name])[i, j])
            self.edges[key].set_color(colour)
            self.edges[key].set_linewidth(width)
        for row, labels in zip(self.texts, _node_labels(cache)):
            for artist, text in zip(row, labels):
                artist.set_text(text)


def draw_network(params, cache, title="Seed 000's 3-4-2 network", figsize=(6.4, 3.6)):
    """A static figure of the network diagram; returns ``fig`` (caller shows it)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    NetworkDiagram(ax, params, cache, title=title)
    fig.tight_layout()
    return fig


# -------------------------------------------- demo 1: inputs and one weight
FORWARD_DEFAULTS = {"x1": 1.0, "x2": 0.5, "x3": 2.0, "w": 1.5}  # seed 000; w = W2[0,0]
FORWARD_RANGE = {"min": -3.0, "max": 3.0, "step": 0.1}
FORWARD_LABELS = {
    "Z1": "z1 = x W1 + b1", "H1": "h = ReLU(z1)", "Z2": "z2 = h W2 + b2",
    "Yhat": "ŷ = softmax(z2)", "L": "L (exact, from z2)",
}

BROWSER_SLIDER = "x1"
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
    With a ``view`` (from :func:`forward_demo`) it also redraws the diagram and bars.
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
        view.image.value = view.blit.render()
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


class _View:
    """Holder for a demo's figure, its artists and its output widgets."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _probability_bars(ax, y_hat, labels, title):
    """Two bars for the class probabilities ŷ on ``ax``; returns the bar artists."""
    bars = ax.bar([0, 1], y_hat, color=["tab:blue", "tab:orange"], label=labels)
    ax.set_ylim(0, 1.4)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["class 0", "class 1"], fontsize=8)
    ax.set_xlabel("class", fontsize=8)
    ax.set_ylabel("probability ŷ", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6, loc="upper center")
    return bars


def forward_view(dpi=80):
    """Build the forward demo's figure once (closed, so inline does not show it) and its widgets."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    params, X, _ = seed000_with(**FORWARD_DEFAULTS)
    cache = forward(params, X)
    fig, (ax, axb) = plt.subplots(1, 2, figsize=(7.6, 3.4), gridspec_kw={"width_ratios": [3, 1]})
    plt.close(fig)
    diagram = NetworkDiagram(ax, params, cache, title="Forward pass, live (seed 000)")
    bars = _probability_bars(axb, cache["Yhat"][0], ["ŷ1 (class 0, the target)", "ŷ2 (class 1)"], "softmax output")
    fig.tight_layout()
    animated = ([diagram.edges[("W2", 0, 0)]] + diagram.boxes + [t for row in diagram.texts for t in row]
                + list(bars))
    return _View(fig=fig, diagram=diagram, bars=list(bars), blit=BlitPNG(fig, animated, dpi),
                 image=figure_image(fig, dpi), html=widgets.HTML())


def forward_demo():
    """The slider demo: sliders x1, x2, x3 and w = W2[0,0], the live diagram and the readout.

    Returns ``(box, view)``; ``box`` is the widget to display.
    """
    import ipywidgets as widgets

    view = forward_view()
    sliders = {
        name: widgets.FloatSlider(value=FORWARD_DEFAULTS[name], description=desc,
                                  readout_format=".1f", continuous_update=True, **FORWARD_RANGE)
        for name, desc in (("x1", "x1"), ("x2", "x2"), ("x3", "x3"), ("w", "W2[0,0]"))
    }

    def on_change(_change=None):
        forward_callback(**{k: s.value for k, s in sliders.items()}, view=view)

    for s in sliders.values():
        s.observe(on_change, names="value")
    on_change()
    box = widgets.VBox([widgets.HBox([widgets.VBox(list(sliders.values())), view.html]), view.image])
    accessible_sliders()
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
        view.image.value = view.blit.render()
        view.html.value = readout_html(out["texts"], SATURATION_LABELS)
    return out


def saturation_view(dpi=80):
    """Build the saturation demo's figure (closed) and widgets."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    fig, (axb, axl) = plt.subplots(1, 2, figsize=(7.6, 3.0), gridspec_kw={"width_ratios": [1, 2]})
    plt.close(fig)
    Yhat = softmax(Z2_SEED)
    bars = _probability_bars(axb, Yhat, ["ŷ1 (target class)", "ŷ2"], "ŷ = softmax(s·z2)")
    ss = np.linspace(SCALE_RANGE["min"], SCALE_RANGE["max"], 201)
    floor = 1e-40
    exact = np.array([cross_entropy_from_logits(Y_SEED, s * Z2_SEED) for s in ss])
    clipped = np.array([cross_entropy(Y_SEED, softmax(s * Z2_SEED), clip=1e-9) for s in ss])
    axl.semilogy(ss, np.maximum(exact, floor), color="tab:green", label="exact, from the logits")
    axl.semilogy(ss, clipped, color="tab:red", ls="--", label="clipped ŷ (seed 000), floor 1e-9")
    (mark_exact,) = axl.plot([1.0], [cross_entropy_from_logits(Y_SEED, Z2_SEED)], "o", color="tab:green")
    (mark_clipped,) = axl.plot([1.0], [1e-9], "s", color="tab:red", mfc="none")
    axl.set_ylim(1e-35, 10)
    axl.set_xlabel("logit scale s = 1/T (s = 1 is seed 000)", fontsize=8)
    axl.set_ylabel("loss L (log scale)", fontsize=8)
    axl.set_title("Cross-entropy as softmax saturates", fontsize=9)
    axl.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    blit = BlitPNG(fig, list(bars) + [mark_exact, mark_clipped], dpi)
    return _View(fig=fig, bars=list(bars), mark_exact=mark_exact, mark_clipped=mark_clipped,
                 floor=floor, blit=blit, image=figure_image(fig, dpi), html=widgets.HTML())


def saturation_demo():
    """The saturation slider demo; returns ``(box, view)``."""
    import ipywidgets as widgets

    view = saturation_view()
    slider = widgets.FloatSlider(value=SCALE_DEFAULTS["s"], description="s", readout_format=".2f",
                                 continuous_update=True, **SCALE_RANGE)
    slider.observe(lambda change: saturation_callback(change["new"], view=view), names="value")
    saturation_callback(slider.value, view=view)
    accessible_sliders()
    return widgets.VBox([widgets.HBox([slider, view.html]), view.image]), view


# ---------------------------------------------- activations and derivatives
def plot_activations(names=("relu", "sigmoid", "tanh", "relu_plus_sin"), z=None, figsize=(8.0, 3.2)):
    """Two panels: each activation f(z) and its derivative f'(z). Returns ``fig``."""
    import matplotlib.pyplot as plt

    from ..activations import ACTIVATIONS

    z = np.linspace(-4, 4, 801) if z is None else np.asarray(z, dtype=float)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=figsize)
    for name in names:
        act = ACTIVATIONS[name]
        (line,) = a0.plot(z, act.f(z), label=name)
        a1.plot(z, act.df(z), color=line.get_color(), label=f"{name}'")
    for ax, title, ylab in ((a0, "Activations f(z)", "f(z)"), (a1, "Derivatives f'(z)", "f'(z)")):
        ax.axhline(0, color="0.7", lw=0.6)
        ax.axvline(0, color="0.7", lw=0.6)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(ylab)
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------ showing figures
