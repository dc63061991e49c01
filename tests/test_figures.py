"""Every figure the viz modules make: one style, one palette, never colour alone, a text alternative.

Checked by construction on the matplotlib objects (every colour drawn comes
from ``mlp_helpers.viz.style``: an Okabe-Ito colour, a neutral grey, or a
colour map the style allows; every legend entry differs from the others in
line style, marker or hatch, not only in colour; every text is at least
12 pt), by simulating deuteranopia and protanopia on the series colours of
every legend (Machado et al. 2009, severity 100, through ``colorspacious``;
colour differences in CAM02-UCS), and on the outputs: the PNG's resolution
and display width, and the text alternative in every output.
"""
import base64
import itertools
import re
from io import BytesIO

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import Collection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import mlp_helpers as mh  # noqa: E402
from mlp_helpers.datasets import make_moons  # noqa: E402
from mlp_helpers.viz import backprop, forward, regularization, show_figure, style, update  # noqa: E402
from mlp_helpers.viz import depth as vdepth  # noqa: E402
from mlp_helpers.viz import dropout as vdropout  # noqa: E402
from mlp_helpers.viz import together as vtogether  # noqa: E402
from mlp_helpers import together as mtogether  # noqa: E402
from mlp_helpers.viz import generalisation as vgen  # noqa: E402
from mlp_helpers.viz import optimizers as vopt  # noqa: E402
from mlp_helpers import depth as mdepth  # noqa: E402
from mlp_helpers.graph import Value  # noqa: E402

GENERIC_ALT = re.compile(r"^(figure|image|plot|chart)\s*\d*\.?$", re.IGNORECASE)


# ------------------------------------------------------------ the figures
def _static_figures():
    s = forward.seed000()
    cache = mh.forward(s["params"], s["X"])
    X, y = make_moons(40, noise=0.2, seed=0)
    runs = [("run a", mh.init_params([2, 5, 2], seed=0)), ("run b", mh.init_params([2, 5, 2], seed=1))]
    hist = {"loss": [1.2, 0.5, 0.3], "accuracy": [0.6, 0.8, 0.9], "val_accuracy": [0.55, 0.75, 0.85]}
    hist2 = {"loss": [0.2, 0.19], "accuracy": [0.92, 0.93], "val_accuracy": [0.86, 0.86]}
    return {
        "01 network": lambda: forward.draw_network(s["params"], cache),
        "01 activations": forward.plot_activations,
        "02 geometry": lambda: regularization.plot_l1_l2_geometry([1.0, 2.0], [2.0, 0.5], [0.8, 0.0], [0.59, 0.23]),
        "02 training comparison": lambda: regularization.plot_training_comparison(runs, X, y, grid=20),
        "03 computational graph": backprop.draw_computational_graph,
        "04 learning curves": lambda: update.plot_learning_curves([hist, hist2], [0.2, 0.02], target=0.97),
        "06 protocol": lambda: vgen.protocol_figure([[0.90, 0.95, 0.96], [0.91, 0.94, 0.97], [0.88, 0.93, 0.95],
                                                     [0.90, 0.92, 0.94]], ["λ 0, constant", "λ 0, decay",
                                                                           "λ 1e-3, constant", "λ 1e-3, decay"],
                                                    chosen=1, epoch=3),
        "07 schedules": lambda: vopt.schedules_figure({"constant": np.full(50, 0.01), "step": np.repeat([0.01, 0.001], 25)},
                                                      {"constant": np.geomspace(4, 1e-3, 51), "step": np.geomspace(4, 1e-5, 51)}),
        "07 momentum conventions": lambda: vopt.momentum_conventions_figure(
            np.arange(61), {"velocity": np.geomspace(4, 0.1, 61), "buffer": np.geomspace(4, 0.2, 61)}, drops=(20, 40)),
        "07 gradient noise": lambda: vopt.gradient_noise_figure(np.array([1, 2, 4, 8]), 1.0 / np.array([1, 2, 4, 8]),
                                                                0.1 / np.array([1, 2, 4, 8]), 1.0 / np.array([1, 2, 4, 8]),
                                                                (10 - np.array([1, 2, 4, 8])) / 9 / np.array([1, 2, 4, 8])),
        "08 profile": lambda: vdepth.profile_figure(vdepth.scale_numbers(1.0)),
        "08 variance": lambda: vdepth.variance_figure(
            {lab: mdepth.layer_statistics(a, 20, g, seeds=(0, 1)) for lab, a, g, _ in vdepth.VARIANCE_SERIES}),
        "08 graph": lambda: vdepth.graph_figure(_small_graph()),
        "09 measurement": lambda: vdropout.measurement_figure(_fake_measurement()),
        "10 comparison": lambda: vtogether.comparison_figure(mtogether.summary()),
    }


def _small_graph():
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(1.0, "b")
    o = (x * w + b).tanh()
    o.label = "o"
    o.backward()
    return o


def _fake_measurement():
    """A measurement result shaped like mlp_helpers.viz.dropout.measure's (drawing only, no training)."""
    acc = {m: np.array([0.80, 0.82, 0.81, 0.83, 0.79]) + 0.02 * i for i, m in enumerate(vdropout.METHODS)}
    return {"acc": acc, "mean": {m: float(a.mean()) for m, a in acc.items()},
            "std": {m: float(a.std()) for m, a in acc.items()}, "seeds": (0, 1, 2, 3, 4)}


def _demo_figures():
    def forward_demo():
        view = forward.forward_view()
        forward.forward_callback(x1=-1.0, w=-2.0, view=view)  # a negative W2[0,0]: both edge styles shown
        return view.fig

    def saturation_demo():
        view = forward.saturation_view()
        forward.saturation_callback(0.5, view=view)
        return view.fig

    def penalty_demo():
        view = regularization.penalty_view()
        regularization.penalty_callback(0.02, -1.0, view=view)
        return view.fig

    def tangent_at_a_kink():
        return backprop.make_tangent_demo("b1[1]", -0.45).fig

    return {
        "01 forward demo": forward_demo,
        "01 saturation demo": saturation_demo,
        "02 penalty demo": penalty_demo,
        "02 measured demo": lambda: regularization.make_measured_demo().fig,
        "03 tangent demo at a kink": tangent_at_a_kink,
        "04 learning-rate demo": lambda: update.make_lr_demo(0.21).fig,
        "04 training demo": lambda: update.make_training_demo().fig,
        "06 lambda demo": lambda: vgen.make_lambda_demo().fig,
        "07 race demo": lambda: vopt.make_race_demo().fig,
        "08 scale demo": lambda: vdepth.make_scale_demo().fig,
        "08 depth demo": lambda: vdepth.make_depth_demo().fig,
        "09 patience demo": lambda: vdropout.make_patience_demo().fig,
        "09 width demo": lambda: vdropout.make_width_demo().fig,
        "10 training panel": lambda: vtogether.make_panel().fig,
    }


FIGURES = {**_static_figures(), **_demo_figures()}


@pytest.fixture(scope="module", params=list(FIGURES))
def figure(request):
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # the figures bring their own style, whatever the global rcParams are
        fig = FIGURES[request.param]()
    fig.canvas.draw()  # ticks and layout exist only after a draw
    return request.param, fig


# --------------------------------------------------------------- colours
def _cmap_colours():
    from matplotlib import colormaps

    return np.concatenate([colormaps[name](np.linspace(0, 1, 256))[:, :3] for name in style.ALLOWED_CMAPS])


CMAP_COLOURS = _cmap_colours()


def _allowed(colour):
    rgba = to_rgba(colour)
    if rgba[3] == 0:
        return True  # invisible
    if style.in_palette(rgba):
        return True
    return bool(np.min(np.abs(CMAP_COLOURS - np.array(rgba[:3])).max(axis=1)) < 1.5 / 255)


def _is_label(artist):
    """A Text or one of mlp_helpers.viz.sprite_text's fast labels."""
    return all(hasattr(artist, m) for m in ("get_text", "get_fontsize", "get_color"))


def _drawn_colours(fig):
    """(what, colour) for every colour an artist of ``fig`` draws; colour-mapped artists by their map."""
    out = []
    for artist in fig.findobj():
        if not artist.get_visible():
            continue
        what = f"{type(artist).__name__} {artist.get_label() if hasattr(artist, 'get_label') else ''}"
        if isinstance(artist, Line2D):
            out.append((what, artist.get_color()))
            for c in (artist.get_markerfacecolor(), artist.get_markeredgecolor()):
                if not (isinstance(c, str) and c == "none"):
                    out.append((what + " marker", c))
        elif isinstance(artist, Patch):
            if artist.get_fill():
                out.append((what + " face", artist.get_facecolor()))
            if artist.get_linewidth() > 0:
                out.append((what + " edge", artist.get_edgecolor()))
        elif isinstance(artist, Text) or _is_label(artist):
            if artist.get_text().strip():
                out.append((what + f" {artist.get_text()!r}", artist.get_color()))
        elif isinstance(artist, AxesImage):
            out.append((what + " colour map", artist.get_cmap().name))
        elif isinstance(artist, Collection):
            if artist.get_array() is not None:
                cmap = artist.get_cmap()
                if cmap.name in style.ALLOWED_CMAPS:
                    out.append((what + " colour map", cmap.name))
                else:  # contour lines in given colours: a map made of those colours
                    out.extend((what + " contour", c) for c in getattr(cmap, "colors", [cmap.name]))
                continue
            for c in list(artist.get_facecolors()) + list(artist.get_edgecolors()):
                out.append((what, tuple(c)))
    return out


def test_every_colour_comes_from_the_style_palette(figure):
    name, fig = figure
    bad = []
    for what, colour in _drawn_colours(fig):
        if what.endswith("colour map"):
            if colour not in style.ALLOWED_CMAPS:
                bad.append((what, colour))
        elif not _allowed(colour):
            bad.append((what, style.to_hex(colour)))
    assert not bad, f"{name}: colours outside mlp_helpers.viz.style: {bad[:8]}"


# ------------------------------------------------- never colour alone
def _legends(fig):
    return [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)


def _dashes(line):
    offset, seq = line._unscaled_dash_pattern
    return tuple(np.round(seq, 2)) if seq else ()


def _signature(handle):
    """What tells a legend entry apart besides its colour."""
    if isinstance(handle, Line2D):
        marker = handle.get_marker()
        marker = None if marker in ("None", "none", "", " ", None) else marker
        line = _dashes(handle) if handle.get_linestyle() not in ("None", "none", "", " ") else "no line"
        filled = not (isinstance(handle.get_markerfacecolor(), str) and handle.get_markerfacecolor() == "none")
        return ("line", line, marker, filled if marker else None)
    if isinstance(handle, Patch):
        return ("patch", handle.get_hatch() or "", handle.get_fill())
    return (type(handle).__name__,)


def _colour(handle):
    if isinstance(handle, Line2D):
        c = handle.get_color()
        if isinstance(handle.get_linestyle(), str) and handle.get_linestyle() in ("None", "none", "", " "):
            c = handle.get_markerfacecolor() if handle.get_markerfacecolor() != "none" else handle.get_markeredgecolor()
        return style.to_hex(c)
    if isinstance(handle, Patch):
        return style.to_hex(handle.get_facecolor())
    if hasattr(handle, "get_facecolor"):  # a collection, e.g. an error bar's LineCollection: its face, else its edge
        colours = [c for c in (*handle.get_facecolor(), *handle.get_edgecolor()) if c[3] > 0]
        return style.to_hex(colours[0]) if colours else None
    return None


def test_every_legend_entry_differs_in_more_than_colour(figure):
    name, fig = figure
    legends = _legends(fig)
    assert legends, f"{name}: no legend"
    for legend in legends:
        entries = list(zip(legend.legend_handles, [t.get_text() for t in legend.get_texts()]))
        for (h1, t1), (h2, t2) in itertools.combinations(entries, 2):
            assert _signature(h1) != _signature(h2), (
                f"{name}: legend entries {t1!r} and {t2!r} differ only in colour ({_signature(h1)})")


def _cvd(hex_colours, kind):
    import colorspacious

    rgb = np.array([to_rgba(c)[:3] for c in hex_colours])
    if kind is not None:
        rgb = np.clip(colorspacious.cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100},
                                                   "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")


@pytest.mark.parametrize("kind", ["deuteranomaly", "protanomaly"])
def test_series_colours_stay_apart_under_colour_blindness(figure, kind):
    """The palette colours that tell a legend's series apart stay apart under deuteranopia and protanopia.

    Severity 100 of these 'anomalies' is deuteranopia and protanopia (no M or no L cones).  Greys are
    context, not series; colours taken from viridis/cividis regions are checked as maps (both are
    designed to be read with these deficiencies) and differ from the series by hatch or kind anyway.
    """
    pytest.importorskip("colorspacious")
    name, fig = figure
    palette = {c.upper() for c in style.PALETTE.values()}
    for legend in _legends(fig):
        colours = sorted({c for c in (_colour(h) for h in legend.legend_handles)
                          if c is not None and c in palette and not style.is_grey(c)})
        if len(colours) < 2:
            continue
        ucs = _cvd(colours, kind)
        for (i, a), (j, b) in itertools.combinations(enumerate(colours), 2):
            distance = float(np.linalg.norm(ucs[i] - ucs[j]))
            assert distance >= 10, f"{name} under {kind}: {a} and {b} are only {distance:.1f} apart (CAM02-UCS)"


def test_the_simulation_sees_what_it_should():
    """The CVD check is not vacuous: matplotlib's tab:red and tab:green (the figures' old colours) merge
    under deuteranopia, tab:blue and tab:purple under protanopia; Okabe-Ito's pairs do not."""
    pytest.importorskip("colorspacious")

    def distance(pair, kind):
        ucs = _cvd(pair, kind)
        return float(np.linalg.norm(ucs[0] - ucs[1]))

    assert distance(["#D62728", "#2CA02C"], None) > 50 and distance(["#D62728", "#2CA02C"], "deuteranomaly") < 10
    assert distance(["#1F77B4", "#9467BD"], None) > 20 and distance(["#1F77B4", "#9467BD"], "protanomaly") < 10
    okabe = [c for c in style.PALETTE.values() if c != style.BLACK]
    for kind in ("deuteranomaly", "protanomaly"):
        ucs = _cvd(okabe, kind)
        closest = min(np.linalg.norm(ucs[i] - ucs[j]) for i, j in itertools.combinations(range(len(okabe)), 2))
        assert closest > 10


# ------------------------------------------------------------ the style
def test_text_is_at_least_12_pt_and_the_figure_fits_the_page(figure):
    name, fig = figure
    assert fig.get_figwidth() <= style.MAX_WIDTH + 1e-9, f"{name}: {fig.get_figwidth()} in wide"
    labels = fig.findobj(_is_label)
    assert any(isinstance(t, Text) for t in labels)
    small = [(t.get_text(), t.get_fontsize()) for t in labels
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < style.FONT_SIZE - 1e-9]
    assert not small, f"{name}: text smaller than {style.FONT_SIZE} pt: {small[:6]}"
    # shown at style.DISPLAY_DPI CSS px per inch, 12 pt is at least 16 CSS px
    assert style.FONT_SIZE / 72 * style.DISPLAY_DPI >= 16


def test_nothing_is_cut_off(figure):
    """Constrained layout: every panel with its ticks, labels, title and legend, and every figure legend,
    lies inside the figure."""
    name, fig = figure
    renderer = fig.canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    for what, bb in [(f"panel {ax.get_title()!r}", ax.get_tightbbox(renderer)) for ax in fig.axes] + [
            ("a figure legend", legend.get_window_extent(renderer)) for legend in fig.legends]:
        assert bb.x0 >= -1 and bb.y0 >= -1 and bb.x1 <= W + 1 and bb.y1 <= H + 1, f"{name}: {what} is cut off at {bb}"


def test_every_figure_has_a_text_alternative_that_says_what_it_shows(figure):
    name, fig = figure
    alt = style.get_alt(fig)
    assert alt, f"{name}: no text alternative (style.set_alt where the figure is made)"
    assert len(alt.split()) >= 12 and not GENERIC_ALT.match(alt), f"{name}: alt text too thin: {alt!r}"
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert not any(alt.strip() == t for t in titles), "an alt text says more than the title"


def test_sprite_labels_draw_their_text_where_a_text_would():
    """The fast node labels put ink where ax.text puts the same string (centred), at the same size."""
    from mlp_helpers.viz import figure_png, sprite_text
    from PIL import Image

    def ink(draw):
        fig = style.new_figure(4, 1.5, dpi=100)
        ax = fig.add_subplot()
        ax.set_axis_off()
        draw(ax)
        a = np.asarray(Image.open(BytesIO(figure_png(fig, dpi=100))).convert("L")) < 128
        rows, cols = np.nonzero(a)
        return rows.min(), rows.max(), cols.min(), cols.max()

    text = "z=-1.90 h=0.00"
    t = ink(lambda ax: ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=style.FONT_SIZE))
    s = ink(lambda ax: sprite_text(ax, 0.5, 0.5, text))
    assert abs((t[0] + t[1]) - (s[0] + s[1])) / 2 <= 3 and abs((t[2] + t[3]) - (s[2] + s[3])) / 2 <= 3  # centres
    assert abs((t[1] - t[0]) - (s[1] - s[0])) <= 4  # glyph height: the same 12 pt
    assert 0.9 < (s[3] - s[2]) / (t[3] - t[2]) < 1.3  # monospace is a little wider


def test_set_alt_refuses_a_token_description():
    fig = style.new_figure(4, 3)
    with pytest.raises(ValueError, match="text"):
        style.set_alt(fig, "Figure 1")


def test_the_computational_graph_has_arrowheads_outside_the_nodes():
    from matplotlib.patches import FancyArrowPatch

    fig = backprop.draw_computational_graph()
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 13
    for arrow in arrows:
        assert arrow.get_arrowstyle().__class__.__name__ == "CurveFilledB"  # "-|>": a filled head at the end
        assert arrow.patchA is not None and arrow.patchB is not None  # clipped at the node borders
    styles = {(style.to_hex(a.get_edgecolor()), a.get_linestyle()) for a in arrows}
    assert styles == {(style.BLUE.upper(), "-"), (style.VERMILLION.upper(), "--")}


def test_learning_curves_show_epoch_one():
    hist = {"loss": [1.2, 0.5], "accuracy": [0.40, 0.95], "val_accuracy": [0.38, 0.9]}
    fig = update.plot_learning_curves([hist], [0.1], target=0.97)
    ax_loss, ax_acc = fig.axes
    assert ax_acc.get_xlim()[0] < 1 and ax_acc.get_ylim()[0] <= 0.38  # epoch 1's accuracy is inside
    with pytest.raises(ValueError, match="lrs"):
        update.plot_learning_curves([hist], [0.1, 0.2])


# ------------------------------------------------------------- outputs
def _capture_display(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    return shown


def test_show_figure_outputs_png_with_its_text_alternative(monkeypatch):
    for var in ("VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_KERNEL_ID"):
        monkeypatch.delenv(var, raising=False)
    shown = _capture_display(monkeypatch)
    fig = backprop.draw_computational_graph()
    show_figure(fig)
    (args, kwargs), = shown
    data, meta = args[0], kwargs["metadata"]
    assert kwargs["raw"] is True and set(data) == {"image/png", "text/plain"}
    assert data["text/plain"] == style.get_alt(fig) == meta["image/png"]["alt"]
    from PIL import Image

    png = Image.open(BytesIO(base64.b64decode(data["image/png"])))
    assert png.size[0] == round(fig.get_figwidth() * style.PNG_DPI)
    assert meta["image/png"]["width"] == round(fig.get_figwidth() * style.DISPLAY_DPI)


def test_show_figure_under_voila_is_an_img_with_alt(monkeypatch):
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    shown = _capture_display(monkeypatch)
    fig = forward.plot_activations()
    show_figure(fig)
    (args, kwargs), = shown
    html = args[0]["text/html"]
    assert html.startswith('<img src="data:image/png;base64,')
    from html import unescape

    assert unescape(re.search(r'alt="([^"]*)"', html).group(1)) == style.get_alt(fig) == args[0]["text/plain"]


def test_show_figure_describes_a_figure_made_in_a_notebook(monkeypatch):
    """A figure drawn in a notebook cell, without alt: the text alternative comes from its labels."""
    import matplotlib.pyplot as plt

    shown = _capture_display(monkeypatch)
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2], label="training loss")
    ax.set_title("Loss per epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    show_figure(fig)
    text = shown[0][0][0]["text/plain"]
    assert text == 'Figure with 1 panel: "Loss per epoch" - x axis: epoch, y axis: loss - showing training loss.'
    assert not plt.fignum_exists(fig.number)  # closed, like plt.show() in a notebook


@pytest.mark.parametrize("build", [
    lambda: forward.forward_demo()[0], lambda: regularization.penalty_demo()[0],
    lambda: regularization.make_measured_demo().widget,
    lambda: backprop.make_tangent_demo().widget, lambda: update.make_lr_demo().widget,
    lambda: vgen.make_lambda_demo().widget, lambda: vopt.make_race_demo().widget,
    lambda: vdepth.make_scale_demo().widget, lambda: vdepth.make_depth_demo().widget,
    lambda: vdropout.make_patience_demo().widget, lambda: vdropout.make_width_demo().widget,
    lambda: vtogether.make_panel().widget,
], ids=["forward", "penalty", "measured", "tangent", "learning rate", "lambda", "race", "scale", "depth", "patience",
        "width", "together"])
def test_a_demo_displays_the_live_widget_and_a_static_picture(monkeypatch, build):
    shown = _capture_display(monkeypatch)
    box = build()
    box._ipython_display_()
    (args, kwargs), = shown
    data, meta = args[0], kwargs["metadata"]
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    alt = meta["image/png"]["alt"]
    assert len(alt.split()) >= 12 and alt in data["text/plain"]
    assert "kernel" in data["text/plain"]  # says why the sliders do not move in a static copy
    assert meta["image/png"]["width"] == box.mlp_live.width


def test_readouts_never_wrap_inside_a_number():
    html = forward.readout_html(forward.forward_callback()["texts"], forward.FORWARD_LABELS)
    cells = re.findall(r'<td style="([^"]*)"><span class="mlp-readout"', html)
    assert len(cells) == 5 and all("white-space: nowrap" in c for c in cells)
