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
