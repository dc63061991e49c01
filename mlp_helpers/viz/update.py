r"""Figures and slider demos of notebook 04 (the update rule and training).

Two demos, each built once and redrawn in place by a named callback that
returns the numbers it shows:

* learning rate on a loss surface (:func:`make_lr_demo`, callback
  :func:`update_lr`): gradient descent
  :math:`w \leftarrow w - \alpha \nabla L(w)` with
  :func:`mlp_helpers.sgd_step` on the bowl
  :math:`L(w) = \tfrac12 (a\,w_1^2 + b\,w_2^2)`, ``a = 1``, ``b = 10``, from
  a fixed start.  Along :math:`w_i` each step multiplies the coordinate by
  :math:`1 - \alpha a_i`, so the path converges when every
  :math:`|1 - \alpha a_i| < 1`, i.e. :math:`\alpha < 2/10 = 0.2`.
* minibatch training on the two-moons data (:func:`make_training_demo`,
  callback :func:`update_training`) with sliders for :math:`\alpha` and
  :math:`\lambda`: loss and accuracy curves and the decision boundary.

Browser-test convention (for the learning-rate demo): ``BROWSER_SLIDER`` is
its slider's description, ``browser_expected(value)`` the readout texts.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .a11y import accessible_sliders  # names sliders for screen readers (see a11y.py)
from .. import forward, init_params, loss_value, one_hot, predict, sgd_step, train
from ..datasets import make_moons, train_test_split
from . import render_png

# ------------------------------------------------------------ loss surface
CURVATURES = np.array([1.0, 10.0])  # a, b of L(w) = 1/2 (a w1^2 + b w2^2)
W_START = np.array([-4.0, 1.5])
N_STEPS = 30
LR_MIN, LR_MAX = 0.01, 0.22

BROWSER_SLIDER = "learning rate"
BROWSER_DEFAULT = 0.1
BROWSER_STEP = 0.01

LR_READOUT = (
    ("lr", "α", "{:.2f}"),
    ("factor_w1", "factor on w1 per step, |1 - α·1|", "{:.2f}"),
    ("factor_w2", "factor on w2 per step, |1 - α·10|", "{:.2f}"),
    ("final_loss", f"L after {N_STEPS} steps", "{:.4g}"),
    ("verdict", "verdict", "{}"),
)


def bowl_loss(w):
    """L(w) = 1/2 (w1^2 + 10 w2^2) for ``w`` of shape ``(..., 2)``; returns shape ``(...)``."""
    w = np.asarray(w, dtype=float)
    return 0.5 * (CURVATURES * w ** 2).sum(axis=-1)


def bowl_gradient(w):
    """dL/dw = (w1, 10 w2) for ``w`` of shape ``(2,)``."""
    return CURVATURES * np.asarray(w, dtype=float)


def verdict(factor, start_loss, final_loss):
    """Classify a run from its largest shrink factor ``factor`` = max |1 - lr a_i| and its losses.

    'diverges' (factor > 1: some coordinate grows every step), 'oscillates'
    (factor = 1: it bounces for ever), 'good' (the loss fell at least 100x),
    else 'too small' (it converges, slowly).
    """
    if factor > 1 + 1e-9:
        return "diverges"
    if factor > 1 - 1e-9:
        return "oscillates"
    return "good" if final_loss < 0.01 * start_loss else "too small"


def lr_trajectory(lr, steps=N_STEPS):
    """Gradient descent on the bowl from ``W_START`` with step size ``lr``.

    Returns a dict: ``path`` (steps + 1, 2) of the iterates, ``losses``
    (steps + 1,), ``factor_w1``/``factor_w2`` = |1 - lr a_i|, ``final_loss``,
    ``verdict`` and ``lr``.
    """
    lr = float(lr)
    params = {"w": W_START.copy()}
    path = [params["w"]]
    for _ in range(steps):
        params = sgd_step(params, {"w": bowl_gradient(params["w"])}, lr)
        path.append(params["w"])
    path = np.array(path)
    losses = bowl_loss(path)
    factors = np.abs(1.0 - lr * CURVATURES)
    return {"lr": lr, "path": path, "losses": losses, "factor_w1": float(factors[0]),
            "factor_w2": float(factors[1]), "final_loss": float(losses[-1]),
            "verdict": verdict(float(factors.max()), losses[0], losses[-1])}


def readout_html(numbers, spec):
    """HTML readout; every number in ``<span class="mlp-readout" data-key=KEY>``."""
    return "<br>".join(
        f'{label} = <span class="mlp-readout" data-key="{key}">{fmt.format(numbers[key])}</span>'
        for key, label, fmt in spec)


def browser_expected(value):
    """Readout texts of the learning-rate demo with its slider at ``value``.

    Computed here with plain numpy (the closed form of each step), not through the callback.
    """
    lr = float(value)
    w = W_START.copy()
    for _ in range(N_STEPS):
        w = w * (1.0 - lr * CURVATURES)
    start, final = 0.5 * float(np.sum(CURVATURES * W_START ** 2)), 0.5 * float(np.sum(CURVATURES * w ** 2))
    worst = max(abs(1 - lr * a) for a in CURVATURES)
    if worst > 1 + 1e-9:
        word = "diverges"
    elif worst > 1 - 1e-9:
        word = "oscillates"
    elif final < 0.01 * start:
        word = "good"
    else:
        word = "too small"
    return {"lr": f"{lr:.2f}", "factor_w1": f"{abs(1 - lr * CURVATURES[0]):.2f}",
            "factor_w2": f"{abs(1 - lr * CURVATURES[1]):.2f}", "final_loss": f"{final:.4g}",
            "verdict": word}




def _agg_figure(figsize, dpi):
    """A Figure with its own Agg canvas, outside pyplot (rendered into a widgets.Image)."""
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def make_lr_demo(lr=BROWSER_DEFAULT, dpi=80):
    """Build the learning-rate demo: contours of the bowl with the path, and the loss per step.

    Returns a namespace with the figure, artists, ``slider``, ``image``,
    ``readout`` and ``widget`` (the VBox to display).
    """
    import ipywidgets as widgets

    fig = _agg_figure((8.4, 3.4), dpi)
    ax, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    g1, g2 = np.meshgrid(np.linspace(-5, 5, 121), np.linspace(-3, 3, 81))
    levels = np.geomspace(0.05, 60, 10)
    ax.contour(g1, g2, bowl_loss(np.stack([g1, g2], axis=-1)), levels=levels, cmap="viridis", linewidths=0.8)
    ax.plot([], [], color="tab:green", lw=0.8, label="loss contours")
    ax.plot([0], [0], "*", color="black", ms=10, label="minimum")
    ax.plot(*W_START, "s", color="tab:gray", ms=6, label="start")
    (path,) = ax.plot([], [], "o-", color="tab:red", ms=3, lw=1.2, animated=True, label="gradient-descent path")
    ax.set_xlim(-5, 5)
    ax.set_ylim(-3, 3)
    ax.set_xlabel("$w_1$ (gentle direction, curvature 1)")
    ax.set_ylabel("$w_2$ (steep, curvature 10)")
    ax.set_title(r"$L(w)=\frac{1}{2}(w_1^2+10\,w_2^2)$: the path", fontsize=10)
    ax.legend(loc="lower left", fontsize=7)
    (curve,) = ax_loss.plot([], [], "o-", color="tab:red", ms=3, animated=True, label="loss at each step")
    ax_loss.axhline(bowl_loss(W_START), color="tab:gray", ls="--", lw=1, label="starting loss")
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, N_STEPS)
    ax_loss.set_ylim(1e-6, 1e6)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss L (log scale)")
    ax_loss.set_title("Loss per step", fontsize=10)
    ax_loss.legend(loc="upper right", fontsize=7)
    ax_loss.grid(alpha=0.3)
    fig.tight_layout()
    demo = SimpleNamespace(fig=fig, ax=ax, ax_loss=ax_loss, path=path, curve=curve, background=None)
    demo.slider = widgets.FloatSlider(value=lr, min=LR_MIN, max=LR_MAX, step=BROWSER_STEP,
                                      description=BROWSER_SLIDER, readout_format=".2f",
                                      style={"description_width": "initial"})
    demo.image = widgets.Image(format="png")
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_lr(demo, change["new"]), names="value")
    demo.widget = widgets.VBox([demo.slider, widgets.HBox([demo.image, demo.readout])])
    update_lr(demo, lr)
    accessible_sliders()
    return demo


def update_lr(demo, lr):
    """The learning-rate slider callback: redraw the path and the loss curve; return :func:`lr_trajectory`."""
    numbers = lr_trajectory(lr)
    path = np.clip(numbers["path"], -1e6, 1e6)  # a diverging path leaves the plot; keep it finite
    demo.path.set_data(path[:, 0], path[:, 1])
    demo.curve.set_data(np.arange(N_STEPS + 1), np.clip(numbers["losses"], 1e-12, 1e12))
    demo.image.value, demo.background = render_png(demo.fig, (demo.path, demo.curve), demo.background)
    demo.readout.value = readout_html(numbers, LR_READOUT)
    return numbers


# ------------------------------------------------------- training on moons
MOONS = {"n_samples": 200, "noise": 0.2, "seed": 0}
SIZES = [2, 16, 2]
EPOCHS = 60
BATCH_SIZE = 50
TRAIN_LR_DEFAULT, TRAIN_LAM_DEFAULT = 1.5, 0.0
TRAIN_READOUT = (
    ("lr", "α", "{:.2f}"),
    ("lam", "λ", "{:.3f}"),
    ("loss", "final training loss", "{:.4f}"),
    ("train_acc", "training accuracy", "{:.1%}"),
    ("test_acc", "held-out accuracy", "{:.1%}"),
)


def moons_data():
    """The two-moons data split 150/50: ``X_train, X_test, y_train, y_test``."""
    X, y = make_moons(**MOONS)
    return train_test_split(X, y, test_fraction=0.25, seed=0)


def train_moons(lr=TRAIN_LR_DEFAULT, lam=TRAIN_LAM_DEFAULT):
    r"""Train a 2-16-2 ReLU/softmax net on the moons with minibatch SGD (seeded).

    Returns a dict: ``params``, ``history`` (per epoch, as recorded by
    :func:`mlp_helpers.train`: ``loss``, ``accuracy``, ``val_accuracy``), and
    floats computed from the final parameters: ``loss`` (the training loss
    with its penalty, :math:`L_\text{data} + \lambda\sum w^2`), ``train_acc``,
    ``test_acc``; and ``lr``, ``lam``.
    """
    X_train, X_test, y_train, y_test = moons_data()
    params, history = train(init_params(SIZES, seed=0), X_train, y_train, epochs=EPOCHS, lr=float(lr),
                            batch_size=BATCH_SIZE, lam=float(lam), seed=0, X_val=X_test, labels_val=y_test)
    loss = loss_value(params, X_train, one_hot(y_train, SIZES[-1]), lam=float(lam))
    return {"params": params, "history": history, "loss": loss,
            "train_acc": float(np.mean(predict(params, X_train) == y_train)),
            "test_acc": float(np.mean(predict(params, X_test) == y_test)),
            "lr": float(lr), "lam": float(lam)}


_GRID = np.meshgrid(np.linspace(-1.7, 2.7, 70), np.linspace(-1.5, 1.9, 55))


def class1_probability(params):
    """P(class 1) of the network on the plotting grid, shape ``(55, 70)``."""
    g1, g2 = _GRID
    P = forward(params, np.column_stack([g1.ravel(), g2.ravel()]))["Yhat"][:, 1]
    return P.reshape(g1.shape)


def make_training_demo(lr=TRAIN_LR_DEFAULT, lam=TRAIN_LAM_DEFAULT, dpi=80):
    """Build the training demo (decision boundary + loss/accuracy curves) with α and λ sliders.

    Returns a namespace with the figure, artists, ``lr_slider``,
    ``lam_slider``, ``image``, ``readout``, ``widget`` and a ``cache`` of
    finished runs keyed by (α, λ).
    """
    import ipywidgets as widgets

    X_train, X_test, y_train, y_test = moons_data()
    fig = _agg_figure((8.4, 3.8), dpi)
    ax, ax_c = fig.subplots(1, 2)
    g1, g2 = _GRID
    extent = (g1.min(), g1.max(), g2.min(), g2.max())
    cmap = colormaps["RdBu_r"]
    field = ax.imshow(np.zeros_like(g1), extent=extent, origin="lower", cmap=cmap, vmin=-0.6, vmax=1.6,
                      aspect="auto", animated=True)
    ax.scatter([], [], marker="s", color=cmap((1 + 0.6) / 2.2), label="predicted class 1 region")
    ax.scatter([], [], marker="s", color=cmap(0.6 / 2.2), label="predicted class 0 region")
    pts = [ax.scatter(X_train[y_train == k, 0], X_train[y_train == k, 1], s=10, color=c, ec="white",
                      lw=0.4, animated=True, label=f"class {k} (training)")
           for k, c in ((0, "tab:blue"), (1, "tab:red"))]
    pts.append(ax.scatter(X_test[:, 0], X_test[:, 1], s=14, facecolor="none", ec="black", lw=0.7,
                          animated=True, label="held-out points"))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("Decision regions after training", fontsize=10)
    epochs = np.arange(1, EPOCHS + 1)
    (loss_line,) = ax_c.plot([], [], color="tab:purple", animated=True, label="training loss")
    (acc_line,) = ax_c.plot([], [], color="tab:green", animated=True, label="training accuracy")
    (val_line,) = ax_c.plot([], [], color="tab:orange", ls="--", animated=True, label="held-out accuracy")
    ax_c.set_xlim(0, EPOCHS)
    ax_c.set_ylim(0, 1.05)
    ax_c.set_xlabel("epoch")
    ax_c.set_ylabel("loss / accuracy")
    ax_c.set_title("Learning curves", fontsize=10)
    ax_c.grid(alpha=0.3)
    # One legend below both panels: outside the axes, so it stays in the cached background.
    handles = ax.get_legend_handles_labels()[0] + ax_c.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7)
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    demo = SimpleNamespace(fig=fig, field=field, pts=pts, loss_line=loss_line, acc_line=acc_line,
                           val_line=val_line, epochs=epochs, background=None, cache={})
    style = {"description_width": "initial"}
    demo.lr_slider = widgets.FloatSlider(value=lr, min=0.1, max=3.0, step=0.1, description="training α",
                                         readout_format=".2f", continuous_update=False, style=style)
    demo.lam_slider = widgets.FloatSlider(value=lam, min=0.0, max=0.01, step=0.001, description="λ (L2)",
                                          readout_format=".3f", continuous_update=False, style=style)
    demo.image = widgets.Image(format="png")
    demo.readout = widgets.HTML()
    demo.lr_slider.observe(lambda ch: update_training(demo, ch["new"], demo.lam_slider.value), names="value")
    demo.lam_slider.observe(lambda ch: update_training(demo, demo.lr_slider.value, ch["new"]), names="value")
    demo.widget = widgets.VBox([widgets.HBox([demo.lr_slider, demo.lam_slider]),
                                widgets.HBox([demo.image, demo.readout])])
    update_training(demo, lr, lam)
    accessible_sliders()
    return demo


def update_training(demo, lr, lam):
    """The α/λ slider callback: train (or reuse a cached run), redraw, and return :func:`train_moons`' dict."""
    key = (round(float(lr), 6), round(float(lam), 6))
    if key not in demo.cache:
        demo.cache[key] = train_moons(*key)
    run = demo.cache[key]
    demo.field.set_data(class1_probability(run["params"]))
    h = run["history"]
    demo.loss_line.set_data(demo.epochs, np.minimum(h["loss"], 1.05))
    demo.acc_line.set_data(demo.epochs, h["accuracy"])
    demo.val_line.set_data(demo.epochs, h["val_accuracy"])
    artists = (demo.field, *demo.pts, demo.loss_line, demo.acc_line, demo.val_line)
    demo.image.value, demo.background = render_png(demo.fig, artists, demo.background)
    demo.readout.value = readout_html(run, TRAIN_READOUT)
    return run
