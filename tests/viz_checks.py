"""Helpers shared by the slider-callback and figure tests."""
import ipywidgets as widgets


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


def assert_labelled(fig):
    """Every panel of ``fig`` has a title, axis labels and a legend."""
    for ax in fig.axes:
        assert ax.get_title(), "every panel needs a title"
        assert ax.get_xlabel() and ax.get_ylabel(), "every panel needs axis labels"
        assert ax.get_legend() is not None, "every panel needs a legend"
