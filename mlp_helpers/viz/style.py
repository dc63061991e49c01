"""The course's one figure style: sizes, resolution, fonts, layout and palette.

Every figure of the course is made here or follows these numbers, so that it
is legible on a projector in a lecture hall and distinguishable with colour
vision deficiencies:

* **Size.** Figures are at most ``MAX_WIDTH`` inches wide and are *shown* at
  ``DISPLAY_DPI`` CSS pixels per inch (the PNG output carries that width), so
  a 12 pt label is about 17 CSS pixels on screen, whatever the front end.
* **Resolution.** Static PNGs are rendered at ``PNG_DPI`` (sharp when the page
  is zoomed or projected); slider frames at ``LIVE_DPI`` (one PNG pixel per CSS
  pixel), which keeps a slider update within its time budget.
* **Fonts.** Every text is at least ``FONT_SIZE`` (12) points; titles
  ``TITLE_SIZE``.
* **Layout.** Matplotlib's constrained layout (:func:`new_figure`): nothing is
  cut off, legends outside the data where they would cover it.  (Not in
  ``RC``: a notebook's own ``fig.tight_layout()`` would then warn.)
* **Colour.** Categories use the Okabe-Ito palette (``PALETTE``), maps use
  ``viridis``/``cividis`` (``SEQUENTIAL_CMAP``, ``PROBABILITY_CMAP``), and
  greys.  **Never colour alone:** every series also has its own line style or
  marker (``SERIES``), so the figures read the same in grey scale and under
  deuteranopia and protanopia (tests/test_figures.py simulates both).
* **Text alternative.** Every figure made in :mod:`mlp_helpers.viz` gets a
  description with :func:`set_alt`; :func:`mlp_helpers.viz.show_figure` and
  the slider demos put it into the output (see there).

Importing :mod:`mlp_helpers.viz` applies ``RC`` to matplotlib's rcParams
(:func:`use`), so the figures a notebook draws itself share the style;
``matplotlib.rcdefaults()`` undoes it.
"""
from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------- sizes
DISPLAY_DPI = 100  #: CSS pixels per figure inch as shown (the PNG's display width)
PNG_DPI = 150      #: pixels per inch of a static figure's PNG
LIVE_DPI = 100     #: pixels per inch of a slider demo's frames (1 PNG pixel = 1 CSS pixel)
MAX_WIDTH = 8.5    #: inches: the widest figure (850 CSS pixels, the width of a notebook or book page)
FONT_SIZE = 12     #: points: every text, tick label and legend
TITLE_SIZE = 13    #: points: axes titles

# --------------------------------------------------------------- palette
#: Okabe & Ito (2008), "Color Universal Design": eight colours that stay
#: distinguishable for the common colour vision deficiencies.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
BLACK, ORANGE, SKY_BLUE, GREEN = PALETTE["black"], PALETTE["orange"], PALETTE["sky_blue"], PALETTE["bluish_green"]
YELLOW, BLUE, VERMILLION, PURPLE = PALETTE["yellow"], PALETTE["blue"], PALETTE["vermillion"], PALETTE["reddish_purple"]
#: Neutral colours for grids, reference lines, contours and node fills (not for telling series apart).
GREYS = {"grey": "#777777", "light_grey": "#BBBBBB", "pale_grey": "#EEEEEE", "white": "#FFFFFF"}
GREY, LIGHT_GREY, PALE_GREY, WHITE = GREYS["grey"], GREYS["light_grey"], GREYS["pale_grey"], GREYS["white"]

SEQUENTIAL_CMAP = "viridis"   #: colour maps of magnitudes (loss surfaces)
PROBABILITY_CMAP = "cividis"  #: P(class 1) behind decision boundaries
ALLOWED_CMAPS = ("viridis", "cividis")

#: The default series, in order: colour, line style and marker all differ.
SERIES = (
    {"color": BLUE, "linestyle": "-", "marker": "o"},
    {"color": VERMILLION, "linestyle": "--", "marker": "s"},
    {"color": GREEN, "linestyle": "-.", "marker": "^"},
    {"color": PURPLE, "linestyle": ":", "marker": "D"},
    {"color": ORANGE, "linestyle": (0, (5, 1, 1, 1, 1, 1)), "marker": "v"},
    {"color": SKY_BLUE, "linestyle": (0, (1, 1)), "marker": "P"},
)
#: The two classes of the two-moons data: colour and marker.
CLASS_STYLE = ({"color": BLUE, "marker": "o"}, {"color": ORANGE, "marker": "^"})


def _rc():
    from cycler import cycler

    return {
        "figure.dpi": DISPLAY_DPI,
        "savefig.dpi": PNG_DPI,
        "figure.facecolor": WHITE,
        "savefig.facecolor": WHITE,
        "font.size": FONT_SIZE,
        "axes.titlesize": TITLE_SIZE,
        "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE,
        "ytick.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE,
        "legend.title_fontsize": FONT_SIZE,
        "figure.titlesize": TITLE_SIZE + 1,
        "axes.prop_cycle": cycler(color=[s["color"] for s in SERIES],
                                  linestyle=[s["linestyle"] for s in SERIES]),
        "lines.linewidth": 2.2,
        "lines.markersize": 7,
        "axes.linewidth": 1.0,
        "grid.color": LIGHT_GREY,
        "grid.alpha": 0.6,
        "legend.framealpha": 0.92,
        "legend.edgecolor": LIGHT_GREY,
        "image.cmap": SEQUENTIAL_CMAP,
        "patch.edgecolor": BLACK,
        "hatch.linewidth": 1.0,
    }


RC = _rc()


def use():
    """Apply the course style (``RC``) to matplotlib's rcParams."""
    import matplotlib

    matplotlib.rcParams.update(RC)


def new_figure(width, height, dpi=PNG_DPI):
    """A ``Figure`` in the course style with its own Agg canvas, outside pyplot.

    width, height : inches (width at most ``MAX_WIDTH``).  dpi : the PNG
    resolution (``PNG_DPI`` for static figures, ``LIVE_DPI`` for slider frames).
    Outside pyplot, the figure is never shown twice by the inline backend,
    never counted by ``plt.get_fignums()``, and freed with its last reference.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not 0 < width <= MAX_WIDTH + 1e-9:
        raise ValueError(f"width: expected 0 < width <= {MAX_WIDTH} inches, got {width}")
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def styled(func):
    """Decorator: run a figure-making function under ``RC`` (whatever the global rcParams are) and
    :func:`finish` the Figure it returns."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import matplotlib
        from matplotlib.figure import Figure

        with matplotlib.rc_context(RC):
            out = func(*args, **kwargs)
        if isinstance(out, Figure):
            finish(out)
        return out

    return wrapper


def finish(fig):
    """Apply the font sizes to every axes' ticks (ticks are made lazily, outside any rc context)."""
    for ax in fig.axes:
        ax.tick_params(labelsize=FONT_SIZE)
    return fig


# ------------------------------------------------------ text alternatives
_ALT = "mlp_alt_text"


def set_alt(fig, text):
    """Attach the text alternative ``text`` (what the figure shows, in words) to ``fig``."""
    text = " ".join(str(text).split())
    if len(text.split()) < 5:
        raise ValueError(f"text: a text alternative says what the figure shows (5 words or more), got {text!r}")
    setattr(fig, _ALT, text)
    return fig


def get_alt(fig):
    """The text alternative set with :func:`set_alt`, or None."""
    return getattr(fig, _ALT, None)


def describe(fig):
    """A text alternative made from ``fig``'s titles, axis labels and legend entries.

    The fallback of :func:`mlp_helpers.viz.show_figure` for figures drawn in a
    notebook without an explicit ``alt``.
    """
    panels = []
    for ax in fig.axes:
        if not ax.get_visible() or not (ax.get_title() or ax.get_xlabel() or ax.has_data()):
            continue
        parts = []
        if ax.get_title():
            parts.append(f'"{ax.get_title()}"')
        axes_text = [f"{name} axis: {label}" for name, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel()))
                     if label]
        if axes_text:
            parts.append(", ".join(axes_text))
        legend = ax.get_legend()
        if legend is not None and legend.get_texts():
            parts.append("showing " + "; ".join(t.get_text() for t in legend.get_texts()))
        panels.append(" - ".join(parts))
    for legend in fig.legends:
        panels.append("legend: " + "; ".join(t.get_text() for t in legend.get_texts()))
    n = len([ax for ax in fig.axes if ax.get_visible()])
    head = f"Figure with {n} panel{'s' if n != 1 else ''}"
    return head + (": " + ". ".join(p for p in panels if p) if panels else "") + "."


# ----------------------------------------------------------- helpers
def display_width(fig):
    """The figure's width in CSS pixels as shown: ``width_in * DISPLAY_DPI``."""
    return int(round(fig.get_figwidth() * DISPLAY_DPI))


def to_hex(colour):
    """``colour`` (any matplotlib colour) as ``#rrggbb`` (alpha dropped)."""
    from matplotlib.colors import to_hex as _to_hex

    return _to_hex(colour, keep_alpha=False).upper()


def is_grey(colour):
    """True for a neutral colour (r = g = b), e.g. black, white and the GREYS."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return bool(np.ptp([r, g, b]) < 1e-6)


def in_palette(colour):
    """True if ``colour`` is an Okabe-Ito colour or a neutral grey."""
    return to_hex(colour) in {c.upper() for c in PALETTE.values()} or is_grey(colour)
