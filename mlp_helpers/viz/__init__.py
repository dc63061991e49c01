"""Figures and slider callbacks used by the notebooks (one module per notebook).

The math lives in the modules above; these only draw it.  Every slider
callback is a named function that returns the numbers it shows, so the
notebooks print them in checked cells and ``tests/`` call it across the
slider range.

This package also holds what every figure and demo shares:

* :mod:`mlp_helpers.viz.style` - the one figure style (sizes, fonts,
  palette, text alternatives); importing this package applies it;
* :func:`show_figure` - a static figure as a PNG output with its text
  alternative;
* :class:`LiveFigure` - a slider demo's figure, redrawn in place, shown as an
  ``<img alt=...>``;
* :func:`readout_table` - the numbers next to a demo, never wrapped inside a
  number;
* :func:`demo_box` - the demo's widget: one live copy per demo (re-running a
  cell closes the widgets it replaces), and a static copy of the figure for
  front ends without a kernel.

**Where the text alternative goes.**  A static figure is one
``display_data`` output with ``image/png`` (not compared by nbval),
``text/plain`` = the alt text (compared by nbval: stable), and metadata
``{"image/png": {"alt": ..., "width": ...}}``.  nbconvert's *classic* HTML
template writes that metadata as ``<img alt>``; its *lab* template, myst-nb
(which reads alt only from the cell's ``mystnb.image.alt`` metadata) and
JupyterLab do not, so a website builder copies ``metadata["image/png"]["alt"]``
into the ``<img>`` (e.g. a myst-nb mime-render plugin or a pre-processing step
that sets ``mystnb.image.alt``).  Under Voila (whose outputs are never stored
or compared) :func:`show_figure` outputs ``text/html`` ``<img alt src=...>``
instead, so the live app carries the alt text as well; the slider demos are
``<img alt>`` in every live front end.
"""
from __future__ import annotations

import base64
import html as _html
import os
from io import BytesIO

from . import style

style.use()

__all__ = ["style", "show_figure", "figure_png", "LiveFigure", "readout_table", "demo_box", "close_widgets",
           "img_tag", "sprite_text"]


# ------------------------------------------------------------ static figures
def figure_png(fig, dpi=style.PNG_DPI):
    """``fig`` as PNG bytes at ``dpi`` (default ``style.PNG_DPI``), white background."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _under_voila():
    """True in a kernel started by Voila (it sets these variables in the kernel's environment)."""
    return any(os.environ.get(k) for k in ("VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_KERNEL_ID"))


def img_tag(png, alt, width):
    """``<img>`` HTML for PNG bytes ``png`` with text alternative ``alt``, shown ``width`` CSS pixels wide."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{_html.escape(alt, quote=True)}" '
            f'width="{int(width)}" style="max-width: 100%; height: auto">')


def show_figure(fig, alt=None):
    """Show ``fig`` in the notebook as a PNG with its text alternative, then close it.

    fig : a matplotlib Figure.  alt : what the figure shows, in words; default
    the one set where the figure was made (:func:`style.set_alt`), else one
    made from its titles, axis labels and legends (:func:`style.describe`).

    The output is ``image/png`` (``style.PNG_DPI``, shown ``style.DISPLAY_DPI``
    pixels per inch wide) and ``text/plain`` = ``alt``, with ``alt`` and the
    width in the PNG's metadata.  Like ``plt.show()`` but without the text
    form ``<Figure size WxH with N Axes>``, whose size depends on the installed
    matplotlib-inline; nbval compares the ``text/plain`` and skips the PNG.
    """
    from IPython.display import display

    text = " ".join(str(alt if alt is not None else style.get_alt(fig) or style.describe(fig)).split())
    style.finish(fig)
    png = figure_png(fig)
    width = style.display_width(fig)
    if _under_voila():
        display({"text/html": img_tag(png, text, width), "text/plain": text}, raw=True)
    else:
        display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text}, raw=True,
                metadata={"image/png": {"alt": text, "width": width}})
    close_figure(fig)


def close_figure(fig):
    """Close ``fig`` if pyplot manages it (figures from ``style.new_figure`` are not: nothing to do)."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")  # a figure made through pyplot implies pyplot is imported
    if plt is not None:
        plt.close(fig)  # a no-op for a figure pyplot does not manage


# ------------------------------------------------------------- live figures
def render_png(fig, animated=(), background=None):
    """Render ``fig`` (with a ``FigureCanvasAgg``) to PNG bytes, fast.

    animated : artists created with ``animated=True``; they are drawn over
    ``background`` (from ``canvas.copy_from_bbox``) without redrawing the
    rest.  With ``background=None`` the whole figure is drawn first.
    Returns ``(png_bytes, background)``.
    """
    import numpy as np
    from PIL import Image

    canvas = fig.canvas
    if background is None:
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
    else:
        canvas.restore_region(background)
    for artist in animated:
        artist.axes.draw_artist(artist) if artist.axes is not None else fig.draw_artist(artist)
    buf = BytesIO()
    rgb = np.asarray(canvas.buffer_rgba())[:, :, :3]  # opaque figure: drop alpha, 25% less to encode
    Image.fromarray(rgb).save(buf, format="png", compress_level=1)
    return buf.getvalue(), background


class LiveFigure:
    """A slider demo's figure: drawn once, then only its ``animated`` artists are redrawn.

    fig : from :func:`style.new_figure` (``dpi=style.LIVE_DPI``).
    animated : the artists a slider changes (matplotlib's blitting: the rest
    of the figure is kept as a bitmap, so an update costs a few ms).
    alt : the text alternative; :meth:`render` may replace it with one that
    names the current values.

    ``widget`` is a ``widgets.HTML`` holding ``<img alt=... src=data:...>``
    (a ``widgets.Image`` cannot carry a text alternative); ``png`` the last
    frame's bytes.
    """

    def __init__(self, fig, animated, alt):
        import ipywidgets as widgets

        style.finish(fig)
        self.fig, self.animated, self.alt = fig, list(animated), alt
        for artist in self.animated:
            artist.set_animated(True)
        self.background = None
        self.png = b""
        self.width = style.display_width(fig)
        self.widget = widgets.HTML(layout=widgets.Layout(width=f"{self.width + 8}px", max_width="100%"))
        style.set_alt(fig, alt)

    def render(self, alt=None):
        """Redraw the animated artists, update the ``<img>``; returns the PNG bytes."""
        if alt is not None:
            self.alt = " ".join(alt.split())
            style.set_alt(self.fig, self.alt)
        self.png, self.background = render_png(self.fig, self.animated, self.background)
        self.widget.value = img_tag(self.png, self.alt, self.width)
        return self.png

    def redraw_all(self):
        """Forget the cached background (after a change to a static artist); the next render draws everything."""
        self.background = None

    def static_png(self):
        """The current frame as a well-compressed PNG (for the demo's static copy)."""
        from PIL import Image

        buf = BytesIO()
        Image.open(BytesIO(self.png or self.render())).save(buf, format="png", optimize=True)
        return buf.getvalue()


# --------------------------------------------------------- fast labels
_GLYPHS = {}  # (char, points, dpi, colour) -> RGBA cell, shape (height, advance, 4)


def _glyph_cell(char, points, dpi, colour):
    """One character of ``SPRITE_FAMILY`` drawn once by Agg into a cell of the font's advance width."""
    key = (char, points, dpi, colour)
    if key not in _GLYPHS:
        import numpy as np
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(family=SPRITE_FAMILY, size=points)
        probe = RendererAgg(8, 8, dpi)
        advance = probe.get_text_width_height_descent("0" * 10, prop, ismath=False)[0] / 10
        height, descent = probe.get_text_width_height_descent("Mgŷ|", prop, ismath=False)[1:]
        w, h = max(1, int(round(advance))), int(np.ceil(height)) + 2
        r = RendererAgg(w, h, dpi)
        gc = r.new_gc()
        gc.set_foreground(colour)
        r.draw_text(gc, 0, h - 1 - descent, char, prop, 0)  # y: the baseline, counted from the top
        _GLYPHS[key] = np.asarray(r.buffer_rgba()).copy()
    return _GLYPHS[key]


SPRITE_FAMILY = "DejaVu Sans Mono"  #: monospace (ships with matplotlib): every character is one cell wide


def sprite_text(ax, x, y, text, fontsize=style.FONT_SIZE, color="black", zorder=3):
    """A one-line, centred label at data point ``(x, y)`` of ``ax`` that redraws ~20x faster than ``ax.text``.

    Matplotlib lays out and rasterises every glyph of a ``Text`` each time it
    is drawn (about 2 ms for a 12-character label at 12 pt); a slider demo
    that rewrites a dozen labels per frame spends most of its time there.
    This label pastes cached bitmaps of a monospace font's characters
    (drawn once by Agg), so a frame costs a NumPy concatenation per label.
    The artist has ``set_text``/``get_text``, ``get_fontsize`` and ``get_color``.
    """
    from matplotlib.artist import Artist

    class _Sprite(Artist):
        def __init__(self):
            super().__init__()
            self._text, self._size, self._colour = str(text), float(fontsize), color
            self.set_zorder(zorder)
            self.set_in_layout(False)

        def set_text(self, value):
            self._text = str(value)
            self.stale = True

        def get_text(self):
            return self._text

        def get_fontsize(self):
            return self._size

        def get_color(self):
            return self._colour

        def draw(self, renderer):
            import numpy as np

            if not self.get_visible() or not self._text:
                return
            cells = [_glyph_cell(ch, self._size, renderer.dpi, self._colour) for ch in self._text]
            image = np.concatenate(cells, axis=1)
            px, py = ax.transData.transform((x, y))
            h, w = image.shape[:2]
            gc = renderer.new_gc()
            renderer.draw_image(gc, int(round(px - w / 2)), int(round(py - h / 2)), image[::-1])
            gc.restore()
            self.stale = False

    label = _Sprite()
    ax.add_artist(label)
    return label


# ------------------------------------------------------------------ readouts
def readout_table(rows):
    """HTML table of a demo's numbers: one row per ``(key, label, text)``.

    Every number is ``<span class="mlp-readout" data-key="KEY">TEXT</span>``
    (the browser tests read them) inside a cell that never wraps, so a long
    readout wraps between rows and labels, never inside a number.
    ``label`` may contain HTML; ``text`` is escaped.
    """
    cells = []
    for key, label, text in rows:
        cells.append(
            '<tr><th scope="row" style="text-align: left; font-weight: normal; padding: 1px 0.8em 1px 0">'
            f'{label}</th><td style="white-space: nowrap; font-family: monospace; padding: 1px 0">'
            f'<span class="mlp-readout" data-key="{_html.escape(key, quote=True)}">{_html.escape(text)}</span>'
            "</td></tr>")
    return ('<table class="mlp-readouts" style="border-collapse: collapse; font-size: 15px; line-height: 1.4">'
            + "".join(cells) + "</table>")


# ------------------------------------------------------------------- demos
_LIVE_DEMOS = {}  # demo name -> the DemoBox shown last


def close_widgets(widget):
    """Close ``widget`` and every widget it holds (children, layout, style), depth first."""
    import ipywidgets as widgets

    seen, stack = set(), [widget]
    while stack:
        w = stack.pop()
        if not isinstance(w, widgets.Widget) or id(w) in seen:
            continue
        seen.add(id(w))
        for name in w.keys:
            if name.startswith("_"):
                continue
            value = getattr(w, name, None)
            if isinstance(value, widgets.Widget):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, widgets.Widget))
        w.close()


def demo_box(name, rows, live):
    """The widget of the slider demo ``name``: a VBox of ``rows`` whose figure is ``live``.

    name : one live copy per name: building the demo again (re-running its
    cell) closes the widgets of the copy it replaces, so their figure and
    callbacks are freed (:func:`close_widgets`).
    rows : the VBox's children.  live : the demo's :class:`LiveFigure`.

    Displayed, the box is one output holding the live widget *and* a PNG of
    the figure as it is now, with its text alternative (``text/plain`` and the
    PNG's metadata).  A front end with a kernel shows the widget; one without
    (GitHub, nbviewer, a website, a slide deck) shows the picture instead of a
    blank or a text form.
    """
    box = _demo_box_class()(children=list(rows))
    box.mlp_live = live
    box.mlp_name = name
    old = _LIVE_DEMOS.pop(name, None)
    if old is not None and old is not box:
        close_widgets(old)
    _LIVE_DEMOS[name] = box
    from . import a11y

    a11y.accessible_sliders()  # every slider gets an accessible name and keeps its arrow keys
    return box


_DEMO_BOX = None


def _demo_box_class():
    global _DEMO_BOX
    if _DEMO_BOX is None:
        import ipywidgets as widgets

        class DemoBox(widgets.VBox):
            """A VBox that displays as the live widget plus a static PNG of its figure (see demo_box)."""

            def mimebundle(self):
                """``(data, metadata)`` of the output: widget view, PNG and text alternative."""
                live = self.mlp_live
                text = f"Interactive demo (sliders need a running Python kernel). The figure shows: {live.alt}"
                data = {
                    "application/vnd.jupyter.widget-view+json": {
                        "version_major": 2, "version_minor": 0, "model_id": self.model_id},
                    "image/png": base64.b64encode(live.static_png()).decode("ascii"),
                    "text/plain": text,
                }
                return data, {"image/png": {"alt": live.alt, "width": live.width}}

            def _ipython_display_(self, **kwargs):
                from IPython.display import display

                data, metadata = self.mimebundle()
                display(data, raw=True, metadata=metadata)

        _DEMO_BOX = DemoBox
    return _DEMO_BOX
