"""Helpers shared by the slider-callback tests."""
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
