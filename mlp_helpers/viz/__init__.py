"""Figures and slider callbacks used by the notebooks (one module per notebook).

The math lives in the modules above; these only draw it.  Every slider
callback is a named function that returns the numbers it shows, so the
notebooks print them in checked cells and ``tests/`` call it across the
slider range.
"""


def figure_image(fig, dpi):
    """An empty ``widgets.Image`` for ``fig``'s PNG, at the figure's own pixel width.

    Without a width, Voila stretches the image to the page width and it looks blurred.
    """
    import ipywidgets as widgets

    return widgets.Image(format="png", width=str(int(round(fig.get_figwidth() * dpi))))


def render_png(fig, animated=(), background=None):
    """Render ``fig`` (with a ``FigureCanvasAgg``) to PNG bytes, fast.

    animated : artists created with ``animated=True``; they are drawn over
    ``background`` (from ``canvas.copy_from_bbox``) without redrawing the
    rest.  With ``background=None`` the whole figure is drawn first.
    Returns ``(png_bytes, background)``.
    """
    from io import BytesIO

    import numpy as np
    from PIL import Image

    canvas = fig.canvas
    if background is None:
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
    else:
        canvas.restore_region(background)
    for artist in animated:
        artist.axes.draw_artist(artist)
    buf = BytesIO()
    rgb = np.asarray(canvas.buffer_rgba())[:, :, :3]  # opaque figure: drop alpha, 25% less to encode
    Image.fromarray(rgb).save(buf, format="png", compress_level=1)
    return buf.getvalue(), background


def show_figure(fig):
    """Show ``fig`` in the notebook as a PNG only, then close it (every notebook's figures).

    ``plt.show()`` under the inline backend also stores a text form
    ``<Figure size WxH with N Axes>`` whose size depends on the installed
    matplotlib-inline's dpi; displaying only ``image/png`` keeps the stored
    outputs version-independent (nbval does not compare PNGs).
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(fig, include=["image/png"])
    plt.close(fig)
