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


def plain_gd(lam, seed, kind="l2"):
    """Notebook 06's overfitting setting trained by full-batch gradient descent written out in numpy (the
    reference for the grids of 02 and 06): ReLU, softmax cross-entropy, and the penalty's
    gradient 2λW (L2) or λ·sign(W) (L1) on the weights only.  Returns (train accuracy, held-out accuracy)."""
    import numpy as np

    from mlp_helpers import generalisation as gen
    from mlp_helpers import init_params

    X, Xt, y, yt = gen.overfitting_setting(seed)
    p = init_params([X.shape[1], gen.OVERFIT["width"], 2], seed=seed)
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    Y, n, lr = np.eye(2)[y], len(X), gen.OVERFIT["lr"]
    pen = (lambda W: 2 * lam * W) if kind == "l2" else (lambda W: lam * np.sign(W))  # noqa: E731
    for _ in range(gen.OVERFIT["epochs"]):
        Z1 = X @ W1 + b1
        H = np.maximum(Z1, 0)
        Z2 = H @ W2 + b2
        P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        D2 = (P - Y) / n
        D1 = (D2 @ W2.T) * (Z1 > 0)
        W2, b2, W1, b1 = (W2 - lr * (H.T @ D2 + pen(W2)), b2 - lr * D2.sum(0),
                          W1 - lr * (X.T @ D1 + pen(W1)), b1 - lr * D1.sum(0))

    def acc(A, labels):
        return float(np.mean(np.argmax(np.maximum(A @ W1 + b1, 0) @ W2 + b2, axis=1) == labels))

    return acc(X, y), acc(Xt, yt)
