"""Helpers shared by the slider-callback and figure tests."""
import base64
import html
import re

import ipywidgets as widgets

_IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')


def find_slider(box, description):
    """The one FloatSlider labelled ``description`` anywhere inside the widget ``box``."""
    stack, found = [box], []
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.FloatSlider) and w.description == description:
            found.append(w)
        stack.extend(getattr(w, "children", ()))
    assert len(found) == 1, f"expected one slider {description!r}, found {len(found)}"
    return found[0]


def shown_png(image_widget):
    """The PNG bytes a demo's image widget shows (its ``<img src=data:...>``); asserts it has an alt text."""
    m = _IMG.search(image_widget.value)
    assert m, f"no <img> with a PNG data URI and an alt text in {image_widget.value[:120]!r}"
    assert len(html.unescape(m.group(2)).split()) >= 5, "the <img> needs a text alternative of 5 words or more"
    png = base64.b64decode(m.group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return png


def assert_labelled(fig):
    """Every panel of ``fig`` has a title and axis labels, and the figure has a legend (on a panel or below)."""
    for ax in fig.axes:
        assert ax.get_title(), "every panel needs a title"
        assert ax.get_xlabel() and ax.get_ylabel(), "every panel needs axis labels"
    assert fig.legends or any(ax.get_legend() is not None for ax in fig.axes), "the figure needs a legend"
