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
  :func:`moons_lambda_grid` measures what :math:`\lambda` does to held-out
  accuracy there over several seeds (on these data the network does not
  overfit, and every :math:`\lambda > 0` of the grid costs accuracy on average).

* :func:`plot_learning_curves` - loss and accuracy per epoch of runs trained
  one after the other (e.g. a learning-rate decay).  Notebook 04's digits
  section shows instead the validation curves of its two candidate schedules
  (:func:`mlp_helpers.viz.generalisation.protocol_figure`), since it chooses
  between them on a validation set.

Browser-test convention (for the learning-rate demo): ``BROWSER_SLIDER`` is
its slider's description, ``browser_expected(value)`` the readout texts.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from .. import forward, init_params, loss_value, one_hot, predict, sgd_step, train
from .._validate import check_scalar
from ..datasets import make_moons, train_test_split
from . import LiveFigure, demo_box, readout_table, style

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
    """HTML readout (a table); every number in ``<span class="mlp-readout" data-key=KEY>``."""
    return readout_table([(key, label, fmt.format(numbers[key])) for key, label, fmt in spec])


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


#: The gradient-descent path and the loss per step: vermillion, solid, round markers.
PATH_STYLE = {"color": style.VERMILLION, "ls": "-", "marker": "o"}


def _lr_alt(numbers):
    return ("Left: contour lines of the bowl-shaped loss L(w) = 1/2 (w1² + 10 w2²) over two weights, with the "
            f"minimum at the origin (black star), the start (-4, 1.5) (grey square) and {N_STEPS} steps of gradient "
            f"descent with learning rate α = {numbers['lr']:.2f} as a vermillion path of dots. Right: the loss after "
            f"each step on a log scale. Each step multiplies w1 by {numbers['factor_w1']:.2f} and w2 by "
            f"{numbers['factor_w2']:.2f} in size; after {N_STEPS} steps the loss is {numbers['final_loss']:.4g} "
            f"({numbers['verdict']}).")


@style.styled
def make_lr_demo(lr=BROWSER_DEFAULT, dpi=style.LIVE_DPI):
    """Build the learning-rate demo: contours of the bowl with the path, and the loss per step.

    Returns a namespace with the figure, artists, ``slider``, ``image``,
    ``readout``, ``live`` and ``widget`` (the box to display; building the demo
    again closes the previous copy's widgets).
    """
    import ipywidgets as widgets
    from matplotlib.lines import Line2D

    fig = style.new_figure(8.5, 4.4, dpi=dpi)
    ax, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.45, 1]})
    g1, g2 = np.meshgrid(np.linspace(-5, 5, 121), np.linspace(-3, 3, 81))
    levels = np.geomspace(0.05, 60, 10)
    ax.contour(g1, g2, bowl_loss(np.stack([g1, g2], axis=-1)), levels=levels, colors=style.LIGHT_GREY,
               linewidths=1.0)
    ax.plot([0], [0], "*", color=style.BLACK, ms=15)
    ax.plot(*W_START, "s", color=style.GREY, ms=10)
    (path,) = ax.plot([], [], color=PATH_STYLE["color"], ls=PATH_STYLE["ls"], marker=PATH_STYLE["marker"], ms=5,
                      lw=1.6, animated=True)
    ax.set_xlim(-5, 5)
    ax.set_ylim(-3, 3)
    ax.set_xlabel("$w_1$ (gentle direction, curvature 1)")
    ax.set_ylabel("$w_2$ (steep, curvature 10)")
    ax.set_title(r"$L(w)=\frac{1}{2}(w_1^2+10\,w_2^2)$: the path")
    (curve,) = ax_loss.plot([], [], color=PATH_STYLE["color"], ls=PATH_STYLE["ls"], marker=PATH_STYLE["marker"],
                            ms=5, animated=True)
    ax_loss.axhline(bowl_loss(W_START), color=style.GREY, ls="--", lw=1.5)
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, N_STEPS)
    ax_loss.set_ylim(1e-6, 1e6)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss L (log scale)")
    ax_loss.set_title("Loss per step")
    ax_loss.grid(True)
    handles = [
        Line2D([], [], color=style.LIGHT_GREY, lw=1.0, label="loss contours"),
        Line2D([], [], ls="", marker="*", color=style.BLACK, ms=13, label="minimum"),
        Line2D([], [], ls="", marker="s", color=style.GREY, ms=9, label="start"),
        Line2D([], [], color=PATH_STYLE["color"], ls=PATH_STYLE["ls"], marker=PATH_STYLE["marker"], ms=5,
               label="gradient descent (path, loss)"),
        Line2D([], [], color=style.GREY, ls="--", lw=1.5, label="starting loss"),
    ]
    # One legend below both panels: outside the data, and in the cached background.
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    demo = SimpleNamespace(fig=fig, ax=ax, ax_loss=ax_loss, path=path, curve=curve)
    demo.live = LiveFigure(fig, (path, curve), _lr_alt(lr_trajectory(lr)))
    demo.slider = widgets.FloatSlider(value=lr, min=LR_MIN, max=LR_MAX, step=BROWSER_STEP,
                                      description=BROWSER_SLIDER, readout_format=".2f",
                                      style={"description_width": "initial"})
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_lr(demo, change["new"]), names="value")
    update_lr(demo, lr)
    demo.widget = demo_box("learning rate", [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_lr(demo, lr):
    """The learning-rate slider callback: redraw the path and the loss curve; return :func:`lr_trajectory`."""
    numbers = lr_trajectory(lr)
    path = np.clip(numbers["path"], -1e6, 1e6)  # a diverging path leaves the plot; keep it finite
    demo.path.set_data(path[:, 0], path[:, 1])
    demo.curve.set_data(np.arange(N_STEPS + 1), np.clip(numbers["losses"], 1e-12, 1e12))
    demo.live.render(_lr_alt(numbers))
    demo.readout.value = readout_html(numbers, LR_READOUT)
    return numbers


# ------------------------------------------------------- training on moons
MOONS = {"n_samples": 200, "noise": 0.2, "seed": 0}
SIZES = [2, 16, 2]
EPOCHS = 60
BATCH_SIZE = 50
TRAIN_LR_DEFAULT, TRAIN_LAM_DEFAULT = 1.5, 0.0
TRAIN_LR_RANGE = {"min": 0.1, "max": 3.0, "step": 0.1}
TRAIN_LAM_RANGE = {"min": 0.0, "max": 0.01, "step": 0.001}
TRAIN_READOUT = (
    ("lr", "α", "{:.2f}"),
    ("lam", "λ", "{:.3f}"),
    ("loss", "final training loss", "{:.4f}"),
    ("train_acc", "training accuracy", "{:.1%}"),
    ("test_acc", "held-out accuracy", "{:.1%}"),
)


def _check_seed(seed):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    return int(seed)


def moons_data(seed=MOONS["seed"]):
    """The two-moons data (drawn with ``seed``) split 150/50 (shuffled with ``seed``):
    ``X_train, X_test, y_train, y_test``."""
    seed = _check_seed(seed)
    X, y = make_moons(**{**MOONS, "seed": seed})
    return train_test_split(X, y, test_fraction=0.25, seed=seed)


def train_moons(lr=TRAIN_LR_DEFAULT, lam=TRAIN_LAM_DEFAULT, seed=MOONS["seed"]):
    r"""Train a 2-16-2 ReLU/softmax net on the moons with minibatch SGD (seeded).

    seed : one seed for everything random: the data and its split
        (:func:`moons_data`), the initial weights and the shuffling.
    Returns a dict: ``params``, ``history`` (per epoch, as recorded by
    :func:`mlp_helpers.train`: ``loss``, ``accuracy``, ``val_accuracy``), and
    floats computed from the final parameters: ``loss`` (the training loss
    with its penalty, :math:`L_\text{data} + \lambda\sum w^2`), ``train_acc``,
    ``test_acc``; and ``lr``, ``lam``.  The runs are deterministic and
    remembered per process (the λ table, the slider and its pre-trained λ
    values share them): a new dict each call, whose arrays must not be
    changed in place.
    """
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    lam = check_scalar("lam", lam, low=0.0)
    return dict(_train_moons(round(lr, 9), round(lam, 9), _check_seed(seed)))


@lru_cache(maxsize=512)
def _train_moons(lr, lam, seed):
    X_train, X_test, y_train, y_test = moons_data(seed)
    params, history = train(init_params(SIZES, seed=seed), X_train, y_train, epochs=EPOCHS, lr=lr,
                            batch_size=BATCH_SIZE, lam=lam, seed=seed, X_val=X_test, labels_val=y_test)
    loss = loss_value(params, X_train, one_hot(y_train, SIZES[-1]), lam=lam)
    return {"params": params, "history": history, "loss": loss,
            "train_acc": float(np.mean(predict(params, X_train) == y_train)),
            "test_acc": float(np.mean(predict(params, X_test) == y_test)),
            "lr": lr, "lam": lam}


MOONS_LAMBDAS = (0.0, 0.001, 0.003, 0.005, 0.01)  # λ = 0 first: the baseline; the slider's range is 0 to 0.01
MOONS_SEEDS = tuple(range(8))


def moons_lambda_grid(lambdas=MOONS_LAMBDAS, seeds=MOONS_SEEDS, lr=TRAIN_LR_DEFAULT):
    """Held-out accuracy of :func:`train_moons` ``(lr, λ, seed)`` for every λ and seed.

    Returns ``(train_acc, test_acc)``, arrays of shape ``(len(lambdas), len(seeds))``.
    The runs are deterministic, so each grid is trained once per process and
    remembered; the arrays returned are fresh copies.
    """
    from ..generalisation import check_grid

    lambdas, seeds = check_grid(lambdas, seeds)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    tr, te = _moons_grid(lambdas, seeds, lr)
    return tr.copy(), te.copy()


@lru_cache(maxsize=4)
def _moons_grid(lambdas, seeds, lr):
    runs = [[train_moons(lr, lam, s) for s in seeds] for lam in lambdas]
    return (np.array([[r["train_acc"] for r in row] for row in runs]),
            np.array([[r["test_acc"] for r in row] for row in runs]))


_GRID = np.meshgrid(np.linspace(-1.7, 2.7, 70), np.linspace(-1.5, 1.9, 55))


def class1_probability(params):
    """P(class 1) of the network on the plotting grid, shape ``(55, 70)``."""
    g1, g2 = _GRID
    P = forward(params, np.column_stack([g1.ravel(), g2.ravel()]))["Yhat"][:, 1]
    return P.reshape(g1.shape)


#: Learning curves: colour and line style differ (and the markers of plot_learning_curves).
CURVE_STYLES = {
    "loss": {"color": style.PURPLE, "ls": "-", "marker": "o", "label": "training loss"},
    "accuracy": {"color": style.GREEN, "ls": "--", "marker": "s", "label": "training accuracy"},
    "val_accuracy": {"color": style.ORANGE, "ls": "-.", "marker": "^", "label": "held-out accuracy"},
}
FIELD_RANGE = (-0.6, 1.6)  # P(class 1) in [0, 1] maps to the middle of the colour map
FIELD_ALPHA = 0.5          # and half transparent: light regions, the points stand out


def _training_alt(run):
    return ("Left: the two-moons training points, class 0 as blue circles and class 1 as orange triangles, with "
            "the held-out points as open black squares, on the regions the trained 2-16-2 network assigns to each "
            "class (cividis colours, darker for class 0, lighter for class 1). Right: training loss, training "
            f"accuracy and held-out accuracy over {EPOCHS} epochs. With α = {run['lr']:.2f} and λ = "
            f"{run['lam']:.3f} the final training loss is {run['loss']:.4f}, training accuracy "
            f"{run['train_acc']:.1%}, held-out accuracy {run['test_acc']:.1%}.")


@style.styled
def make_training_demo(lr=TRAIN_LR_DEFAULT, lam=TRAIN_LAM_DEFAULT, dpi=style.LIVE_DPI):
    """Build the training demo (decision boundary + loss/accuracy curves) with α and λ sliders.

    Returns a namespace with the figure, artists, ``lr_slider``,
    ``lam_slider``, ``image``, ``readout``, ``live``, ``widget`` (building the
    demo again closes the previous copy's widgets) and a ``cache`` of
    finished runs keyed by (α, λ), holding every λ of its slider at the starting α
    and every α at the starting λ (so moving one slider from the start never trains).
    """
    import ipywidgets as widgets
    from matplotlib import colormaps
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    X_train, X_test, y_train, y_test = moons_data()
    fig = style.new_figure(8.5, 5.0, dpi=dpi)
    ax, ax_c = fig.subplots(1, 2)
    g1, g2 = _GRID
    extent = (g1.min(), g1.max(), g2.min(), g2.max())
    cmap = colormaps[style.PROBABILITY_CMAP]
    lo, hi = FIELD_RANGE
    field = ax.imshow(np.zeros_like(g1), extent=extent, origin="lower", cmap=cmap, vmin=lo, vmax=hi,
                      aspect="auto", alpha=FIELD_ALPHA, animated=True)
    pts = [ax.scatter(X_train[y_train == k, 0], X_train[y_train == k, 1], s=28, color=st["color"],
                      marker=st["marker"], ec=style.BLACK, lw=0.5, animated=True)
           for k, st in enumerate(style.CLASS_STYLE)]
    pts.append(ax.scatter(X_test[:, 0], X_test[:, 1], s=30, marker="s", facecolor="none", ec=style.BLACK, lw=1.0,
                          animated=True))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("Decision regions after training")
    epochs = np.arange(1, EPOCHS + 1)
    lines = {key: ax_c.plot([], [], color=st["color"], ls=st["ls"], lw=2.2, animated=True)[0]
             for key, st in CURVE_STYLES.items()}
    ax_c.set_xlim(0.5, EPOCHS + 0.5)
    ax_c.set_ylim(0, 1.05)
    ax_c.set_xlabel("epoch")
    ax_c.set_ylabel("loss / accuracy")
    ax_c.set_title("Learning curves")
    ax_c.grid(True)
    handles = [
        Line2D([], [], ls="", marker=st["marker"], color=st["color"], mec=style.BLACK, ms=8,
               label=f"class {k} (training)") for k, st in enumerate(style.CLASS_STYLE)
    ] + [
        Line2D([], [], ls="", marker="s", mfc="none", mec=style.BLACK, ms=8, label="held-out points"),
        Patch(facecolor=cmap((0 - lo) / (hi - lo)), alpha=FIELD_ALPHA, edgecolor=style.BLACK,
              label="region: class 0"),
        Patch(facecolor=cmap((1 - lo) / (hi - lo)), alpha=FIELD_ALPHA, edgecolor=style.BLACK, hatch="..",
              label="region: class 1"),
    ] + [Line2D([], [], color=st["color"], ls=st["ls"], lw=2.2, label=st["label"]) for st in CURVE_STYLES.values()]
    # One legend below both panels: outside the axes, so it stays in the cached background.
    fig.legend(handles=handles, loc="outside lower center", ncol=3, columnspacing=1.0)
    demo = SimpleNamespace(fig=fig, field=field, pts=pts, loss_line=lines["loss"], acc_line=lines["accuracy"],
                           val_line=lines["val_accuracy"], epochs=epochs, cache={})
    artists = (field, *pts, lines["loss"], lines["accuracy"], lines["val_accuracy"])
    demo.live = LiveFigure(fig, artists, "Decision regions and learning curves of a network trained on two moons.")
    slider_style = {"description_width": "initial"}
    demo.lr_slider = widgets.FloatSlider(value=lr, description="training α", readout_format=".2f",
                                         continuous_update=False, style=slider_style, **TRAIN_LR_RANGE)
    demo.lam_slider = widgets.FloatSlider(value=lam, description="λ (L2)", readout_format=".3f",
                                          continuous_update=False, style=slider_style, **TRAIN_LAM_RANGE)
    # Every λ of its slider at the starting α, and every α at the starting λ, is trained now (41 runs,
    # about 1 s once per kernel: train_moons remembers them): moving one slider from the start only
    # looks a run up and redraws; moving both trains the new pair (about 30 ms more).
    lr0, lam0 = snap(lr, TRAIN_LR_RANGE), snap(lam, TRAIN_LAM_RANGE)
    for v in slider_values(TRAIN_LAM_RANGE):
        demo.cache[(lr0, v)] = train_moons(lr0, v)
    for v in slider_values(TRAIN_LR_RANGE):
        demo.cache[(v, lam0)] = train_moons(v, lam0)
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.lr_slider.observe(lambda ch: update_training(demo, ch["new"], demo.lam_slider.value), names="value")
    demo.lam_slider.observe(lambda ch: update_training(demo, demo.lr_slider.value, ch["new"]), names="value")
    update_training(demo, lr, lam)
    demo.widget = demo_box("training", [widgets.HBox([demo.lr_slider, demo.lam_slider]),
                                        widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def slider_values(r):
    """Every value of a slider with range ``r`` (``min``, ``max``, ``step``), rounded as the callback's cache keys."""
    n = int(round((r["max"] - r["min"]) / r["step"]))
    return [snap(r["min"] + k * r["step"], r) for k in range(n + 1)]


def snap(value, r):
    """``value`` rounded to the grid ``min + k·step`` of a slider with range ``r``, as the slider itself does."""
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"value: expected a finite number, got {value!r}")
    return round(r["min"] + round((v - r["min"]) / r["step"]) * r["step"], 6)


def update_training(demo, lr, lam):
    """The α/λ slider callback: train (or reuse a cached run), redraw, and return :func:`train_moons`' dict.

    ``lr`` and ``lam`` are first rounded to their sliders' steps (0.1 and 0.001), the values a slider can take.
    """
    key = (snap(lr, TRAIN_LR_RANGE), snap(lam, TRAIN_LAM_RANGE))
    if key not in demo.cache:
        demo.cache[key] = train_moons(*key)
    run = demo.cache[key]
    demo.field.set_data(class1_probability(run["params"]))
    h = run["history"]
    demo.loss_line.set_data(demo.epochs, np.minimum(h["loss"], 1.05))
    demo.acc_line.set_data(demo.epochs, h["accuracy"])
    demo.val_line.set_data(demo.epochs, h["val_accuracy"])
    demo.live.render(_training_alt(run))
    demo.readout.value = readout_html(run, TRAIN_READOUT)
    return run


# ------------------------------------------------------ learning curves
@style.styled
def plot_learning_curves(histories, lrs, target=None, title="Digits, 64-100-10"):
    """Loss and accuracy per epoch of runs trained one after the other (learning-rate decay).

    histories : list of :func:`mlp_helpers.train` histories (dicts with
        ``loss``, ``accuracy`` and ``val_accuracy``, one entry per epoch),
        trained in this order.
    lrs : the learning rate of each run (same length).
    target : optional accuracy to mark with a horizontal line (e.g. 0.97).
    Returns ``fig``: epochs are numbered from 1, and the accuracy axis starts
    below the lowest accuracy, so epoch 1 is on the plot.
    """
    from matplotlib.lines import Line2D

    if not histories or len(histories) != len(lrs):
        raise ValueError(f"lrs: expected one learning rate per history ({len(histories)}), got {len(lrs)}")
    series = {key: np.concatenate([np.asarray(h[key], dtype=float) for h in histories])
              for key in ("loss", "accuracy", "val_accuracy")}
    n = series["loss"].size
    epochs = np.arange(1, n + 1)
    switches = np.cumsum([len(h["loss"]) for h in histories])[:-1]
    fig = style.new_figure(8.5, 4.3)
    ax_loss, ax_acc = fig.subplots(1, 2)
    st = CURVE_STYLES
    ax_loss.plot(epochs, series["loss"], color=st["loss"]["color"], ls=st["loss"]["ls"], marker=st["loss"]["marker"],
                 ms=4)
    for key in ("accuracy", "val_accuracy"):
        ax_acc.plot(epochs, series[key], color=st[key]["color"], ls=st[key]["ls"], marker=st[key]["marker"], ms=4)
    handles = [Line2D([], [], color=st[key]["color"], ls=st[key]["ls"], marker=st[key]["marker"], ms=5,
                      label=st[key]["label"]) for key in ("loss", "accuracy", "val_accuracy")]
    lowest = float(min(series["accuracy"].min(), series["val_accuracy"].min()))
    if target is not None:
        ax_acc.axhline(target, color=style.BLACK, lw=1.0, ls=(0, (8, 3)))
        handles.append(Line2D([], [], color=style.BLACK, lw=1.0, ls=(0, (8, 3)), label=f"target {target:.0%}"))
        lowest = min(lowest, float(target))
    for ax in (ax_loss, ax_acc):
        for s in switches:
            ax.axvline(s + 0.5, color=style.GREY, ls=":", lw=2)
        ax.set_xlabel("epoch")
        ax.set_xlim(0.5, n + 0.5)
        ax.grid(True)
    if len(switches):
        handles.append(Line2D([], [], color=style.GREY, ls=":", lw=2, label="learning rate "
                              + r" $\to$ ".join(f"{lr:g}" for lr in lrs)))
    ax_loss.set_ylim(0, None)
    ax_loss.set_ylabel("cross-entropy loss")
    ax_loss.set_title(f"{title}: training loss")
    ax_acc.set_ylim(max(0.0, np.floor((lowest - 0.02) * 20) / 20), 1.005)
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("Accuracy per epoch")
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    style.set_alt(fig, (
        f"Two line plots over {n} epochs. Left: the training loss falls from {series['loss'][0]:.3f} to "
        f"{series['loss'][-1]:.3f}. Right: training accuracy goes from {series['accuracy'][0]:.1%} to "
        f"{series['accuracy'][-1]:.1%} and held-out accuracy from {series['val_accuracy'][0]:.1%} to "
        f"{series['val_accuracy'][-1]:.1%}"
        + (f", against a target line at {target:.0%}" if target is not None else "")
        + (". A dotted vertical line marks each change of the learning rate ("
           + " to ".join(f"{lr:g}" for lr in lrs) + ")." if len(switches) else ".")))
    return fig
