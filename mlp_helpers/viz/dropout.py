r"""Figures and slider demos of notebook 09 (regularization beyond penalties).

The setting (``SETTING``): two moons with noise 0.35, only 30 training points,
a 2-32-32-2 ReLU network (1,218 weights and biases), 400 full-batch epochs at
α = 1.0.  Unregularised, it fits the training points almost perfectly and the
held-out accuracy suffers; every regulariser is measured over ``SEEDS``
(each seed draws its own training, validation and initial weights; the
held-out test set of 500 points is shared).

* :func:`measure` trains each seed without regularisation, with dropout and with
  input noise, and early-stops the unregularised run on its validation curve;
  :func:`measurement_figure` draws every seed's held-out accuracy and the mean ± spread.
* Early stopping (:func:`make_patience_demo`, callback :func:`update_patience`):
  one question, "how long should I wait for a new best validation loss?".
* Over/under-fitting (:func:`make_width_demo`, callback :func:`update_width`):
  one question, "from which width on does the training accuracy keep rising
  while the held-out accuracy does not?".

Browser-test convention (the patience demo): ``BROWSER_SLIDER``,
``BROWSER_DEFAULT``, ``BROWSER_STEP`` and ``browser_expected(value)``.
Figures follow :mod:`mlp_helpers.viz.style`: Okabe–Ito colours, each also with its
own line style and marker, 12 pt text, and a text alternative (the ``ALT_*``
strings with the numbers shown filled in).
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from ..datasets import make_moons
from ..regularize import early_stopping_epoch, train_regularized
from . import LiveFigure, demo_box, readout_table, style

SETTING = {"n_train": 30, "n_val": 40, "n_test": 500, "noise": 0.35, "hidden": [32, 32],
           "epochs": 400, "lr": 1.0, "record_every": 20}
SEEDS = (0, 1, 2, 3, 4)
DROPOUT_P = 0.5
NOISE_STD = 0.3
PATIENCE = 40  # epochs, used in the measurement
METHODS = ("none", "dropout", "input noise", "early stopping")

# Okabe–Ito colours (mlp_helpers.viz.style), each with its own marker and line style.
STYLE = {
    "none": dict(color=style.BLACK, marker="o", ls="-"),
    "dropout": dict(color=style.BLUE, marker="s", ls="--"),
    "input noise": dict(color=style.VERMILLION, marker="^", ls="-."),
    "early stopping": dict(color=style.GREEN, marker="D", ls=":"),
}
#: The patience and width demos: training (orange, dashed, squares) vs held-out / validation (blue, solid, circles).
TRAIN_STYLE = dict(color=style.ORANGE, ls="--", marker="s")
HELD_OUT_STYLE = dict(color=style.BLUE, ls="-", marker="o")

ALT_MEASUREMENT = ("Held-out accuracy of five seeds for four methods (none, dropout, input noise, early "
                   "stopping): one marker per seed, a bar for the mean and a line for ± one standard deviation.")
ALT_PATIENCE = ("Validation loss per epoch of the unregularised network, falling then rising; a star marks the "
                "best epoch and a vertical line where early stopping with the chosen patience stops; below, "
                "held-out accuracy per epoch with the kept epoch marked.")
ALT_WIDTH = ("Left: training and held-out accuracy per epoch for the chosen width. Right: final training and "
             "held-out accuracy against the hidden width (log scale), the chosen width marked.")


def readout_html(numbers, spec):
    """HTML readout table; every number in ``<span class="mlp-readout" data-key=KEY>``."""
    return readout_table([(key, label, fmt.format(numbers[key])) for key, label, fmt in spec])


# --------------------------------------------------------------- the data
def data(seed):
    """The seed's training (30) and validation (40) points and the shared test set (500).

    Returns ``(X_train, y_train), (X_val, y_val), (X_test, y_test)``; X's are ``(n, 2)``.
    """
    s = SETTING
    train = make_moons(s["n_train"], noise=s["noise"], seed=100 + seed)
    val = make_moons(s["n_val"], noise=s["noise"], seed=200 + seed)
    test = make_moons(s["n_test"], noise=s["noise"], seed=999)
    return train, val, test


@lru_cache(maxsize=None)
def run(seed, method="none", width=None):
    """Train one seed with ``method`` in ``("none", "dropout", "input noise")`` (cached).

    ``width`` replaces both hidden widths (the width demo).  Returns the
    history of :func:`mlp_helpers.regularize.train_regularized` with sets
    ``val`` and ``test``, recorded every ``SETTING["record_every"]`` epochs.
    """
    (X, y), val, test = data(seed)
    hidden = SETTING["hidden"] if width is None else [int(width)] * len(SETTING["hidden"])
    extra = {"dropout": {"p": DROPOUT_P}, "input noise": {"noise_std": NOISE_STD}, "none": {}}[method]
    _, history = train_regularized([2, *hidden, 2], X, y, epochs=SETTING["epochs"], lr=SETTING["lr"],
                                   seed=seed, sets={"val": val, "test": test},
                                   record_every=SETTING["record_every"], **extra)
    return history


def measure(seeds=SEEDS, patience=PATIENCE):
    """Held-out (test) accuracy per method and seed, and mean ± spread.

    ``"early stopping"`` is the unregularised run stopped with ``patience``
    epochs on its validation loss, evaluated at its best epoch.  Returns a
    dict: ``acc[method]`` (array over seeds), ``mean[method]``, ``std[method]``
    (population standard deviation over seeds), ``gain[method]`` (mean of the
    per-seed difference to ``"none"``), ``gain_std[method]``,
    ``wins[method]`` (seeds where it beat ``"none"``), ``train_acc[method]``
    (mean final training accuracy) and ``seeds``.
    """
    acc = {m: [] for m in METHODS}
    train_acc = {m: [] for m in METHODS}
    for seed in seeds:
        for m in METHODS[:3]:
            h = run(seed, m)
            acc[m].append(h["test_accuracy"][-1])
            train_acc[m].append(h["train_accuracy"][-1])
        h = run(seed, "none")
        _, best = early_stopping_epoch(h["val_loss"], patience, epochs=h["epoch"])
        i = h["epoch"].index(best)
        acc["early stopping"].append(h["test_accuracy"][i])
        train_acc["early stopping"].append(h["train_accuracy"][i])
    acc = {m: np.array(v) for m, v in acc.items()}
    diff = {m: acc[m] - acc["none"] for m in METHODS}
    return {"acc": acc, "mean": {m: float(v.mean()) for m, v in acc.items()},
            "std": {m: float(v.std()) for m, v in acc.items()},
            "gain": {m: float(d.mean()) for m, d in diff.items()},
            "gain_std": {m: float(d.std()) for m, d in diff.items()},
            "wins": {m: int(np.sum(d > 0)) for m, d in diff.items()},
            "train_acc": {m: float(np.mean(v)) for m, v in train_acc.items()},
            "seeds": tuple(seeds)}


@style.styled
def measurement_figure(result, dpi=style.PNG_DPI):
    """Every seed's held-out accuracy per method, with the mean (bar) and ± one standard deviation.

    Returns the figure (outside pyplot), its text alternative ``ALT_MEASUREMENT`` plus the means.
    """
    fig = style.new_figure(8.5, 4.6, dpi=dpi)
    ax = fig.subplots()
    for i, m in enumerate(METHODS):
        st = STYLE[m]
        a = result["acc"][m]
        jitter = np.linspace(-0.15, 0.15, len(a))
        ax.plot(i + jitter, a, st["marker"], color=st["color"], ms=8, mfc="none", mew=1.5,
                label=f"{m}: {result['mean'][m]:.3f} ± {result['std'][m]:.3f}")
        ax.errorbar(i + 0.3, result["mean"][m], yerr=result["std"][m], fmt=st["marker"], color=st["color"],
                    ms=9, capsize=5, lw=2, ls="none")
    ax.set_xticks(range(len(METHODS)), METHODS)
    ax.set_xlabel("method (markers: seeds; right of them: mean ± standard deviation)")
    ax.set_ylabel("held-out accuracy (500 points)")
    ax.set_title(f"{len(result['seeds'])} seeds, 30 noisy training points, 2-32-32-2 ReLU")
    ax.grid(True)
    fig.legend(loc="outside lower center", ncol=2)
    means = "; ".join(f"{m} {result['mean'][m]:.3f} ± {result['std'][m]:.3f}" for m in METHODS)
    return style.set_alt(fig, f"{ALT_MEASUREMENT} Mean ± standard deviation: {means}.")


# ------------------------------------------------------------ patience demo
BROWSER_SLIDER = "patience (epochs)"
BROWSER_DEFAULT = 10
BROWSER_STEP = 2
PATIENCE_MIN, PATIENCE_MAX = 2, 100
PATIENCE_SEED = 2
# The patience demo's own run: seed 2 unregularised, 200 epochs, every 2nd epoch recorded,
# so that the validation curve's small bumps (40 points) are visible.
PATIENCE_RUN = {"epochs": 200, "lr": SETTING["lr"], "record_every": 2}

PATIENCE_READOUT = (
    ("patience", "patience", "{:d} epochs"),
    ("stop", "training stops after epoch", "{:d}"),
    ("best", "kept parameters of epoch", "{:d}"),
    ("val_loss", "validation loss there", "{:.4f}"),
    ("test_accuracy", "held-out accuracy there", "{:.3f}"),
    ("epochs_run", f"share of the {PATIENCE_RUN['epochs']} epochs run", "{:.0%}"),
)


@lru_cache(maxsize=None)
def patience_history():
    """History (sets ``val``, ``test``) of the patience demo's run, ``PATIENCE_RUN`` (cached)."""
    (X, y), val, test = data(PATIENCE_SEED)
    _, history = train_regularized([2, *SETTING["hidden"], 2], X, y, seed=PATIENCE_SEED,
                                   sets={"val": val, "test": test}, **PATIENCE_RUN)
    return history


def patience_numbers(history, patience):
    """Where early stopping with ``patience`` stops on ``history`` and what it keeps (a dict)."""
    stop, best = early_stopping_epoch(history["val_loss"], patience, epochs=history["epoch"])
    i = history["epoch"].index(best)
    return {"patience": int(patience), "stop": stop, "best": best, "val_loss": history["val_loss"][i],
            "test_accuracy": history["test_accuracy"][i], "epochs_run": stop / history["epoch"][-1]}


def browser_expected(value):
    """Readout texts of the patience demo at ``value``, computed with plain numpy.

    The stopping rule here is vectorised (a running minimum), not
    :func:`early_stopping_epoch`'s loop: the first check at least ``value``
    epochs after the epoch of the running best, where the running best did not improve.
    """
    h = patience_history()
    v, e = np.array(h["val_loss"]), np.array(h["epoch"])
    running = np.minimum.accumulate(v)
    is_new = np.concatenate([[True], v[1:] < running[:-1]])
    best_idx = np.maximum.accumulate(np.where(is_new, np.arange(len(v)), 0))
    late = (~is_new) & (e - e[best_idx] >= int(value))
    stop_i = int(np.argmax(late)) if late.any() else len(v) - 1
    b = best_idx[stop_i]
    return {"patience": f"{int(value):d} epochs", "stop": f"{int(e[stop_i]):d}", "best": f"{int(e[b]):d}",
            "val_loss": f"{v[b]:.4f}", "test_accuracy": f"{h['test_accuracy'][b]:.3f}",
            "epochs_run": f"{e[stop_i] / e[-1]:.0%}"}


def _patience_alt(numbers):
    return (f"{ALT_PATIENCE} With a patience of {numbers['patience']} epochs training stops after epoch "
            f"{numbers['stop']} and keeps epoch {numbers['best']} (validation loss {numbers['val_loss']:.4f}, "
            f"held-out accuracy {numbers['test_accuracy']:.3f}).")


@style.styled
def make_patience_demo(patience=BROWSER_DEFAULT, dpi=style.LIVE_DPI):
    """Validation loss and held-out accuracy of :func:`patience_history`, with a patience slider.

    Returns a namespace with the figure, its artists, ``slider``, ``image``, ``readout``, ``live`` and
    ``widget`` (building the demo again closes the previous copy's widgets).
    """
    import ipywidgets as widgets
    from matplotlib.lines import Line2D

    h = patience_history()
    fig = style.new_figure(7.6, 6.0, dpi=dpi)
    ax, ax_acc = fig.subplots(2, 1, sharex=True)
    ax.plot(h["epoch"], h["val_loss"], **HELD_OUT_STYLE, ms=3, markevery=5)
    ax.plot(h["epoch"], h["train_loss"], **TRAIN_STYLE, ms=3, markevery=5)
    (best_pt,) = ax.plot([], [], "*", color=style.VERMILLION, ms=16, animated=True)
    stop_line = ax.axvline(1, color=style.BLACK, ls=":", lw=2, animated=True)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title("Early stopping on the validation loss")
    ax_acc.plot(h["epoch"], h["test_accuracy"], color=style.GREEN, ls="-.", marker="^", ms=3, markevery=5)
    ax_acc.plot(h["epoch"], h["train_accuracy"], **TRAIN_STYLE, ms=3, markevery=5)
    (best_acc,) = ax_acc.plot([], [], "*", color=style.VERMILLION, ms=16, animated=True)
    stop_acc = ax_acc.axvline(1, color=style.BLACK, ls=":", lw=2, animated=True)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("Accuracy at the same epochs")
    for a in (ax, ax_acc):
        a.grid(True)
    handles = [Line2D([], [], **HELD_OUT_STYLE, ms=5, label="validation loss (40 points)"),
               Line2D([], [], color=style.GREEN, ls="-.", marker="^", ms=5, label="held-out accuracy (500 points)"),
               Line2D([], [], **TRAIN_STYLE, ms=5, label="training loss / accuracy (30 points)"),
               Line2D([], [], ls="none", marker="*", color=style.VERMILLION, ms=14, label="best epoch (kept)"),
               Line2D([], [], color=style.BLACK, ls=":", lw=2, label="training stops")]
    # One legend below both panels: outside the data, so it stays in the cached background.
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    demo = SimpleNamespace(fig=fig, history=h, best_pt=best_pt, stop_line=stop_line, best_acc=best_acc,
                           stop_acc=stop_acc)
    demo.live = LiveFigure(fig, (best_pt, stop_line, best_acc, stop_acc), ALT_PATIENCE)
    demo.slider = widgets.IntSlider(value=patience, min=PATIENCE_MIN, max=PATIENCE_MAX, step=BROWSER_STEP,
                                    description=BROWSER_SLIDER, style={"description_width": "initial"})
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_patience(demo, change["new"]), names="value")
    update_patience(demo, patience)
    demo.widget = demo_box("patience", [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_patience(demo, patience):
    """The patience slider callback: mark the best and stop epochs; return :func:`patience_numbers`."""
    numbers = patience_numbers(demo.history, int(patience))
    demo.best_pt.set_data([numbers["best"]], [numbers["val_loss"]])
    demo.best_acc.set_data([numbers["best"]], [numbers["test_accuracy"]])
    demo.stop_line.set_xdata([numbers["stop"], numbers["stop"]])
    demo.stop_acc.set_xdata([numbers["stop"], numbers["stop"]])
    demo.live.render(_patience_alt(numbers))
    demo.readout.value = readout_html(numbers, PATIENCE_READOUT)
    return numbers


# --------------------------------------------------------------- width demo
WIDTHS = (1, 2, 4, 8, 16, 32, 64)
WIDTH_SEED = 0
WIDTH_READOUT = (
    ("width", "hidden width", "{:d}"),
    ("weights", "number of weights and biases", "{:d}"),
    ("train_accuracy", "final training accuracy", "{:.3f}"),
    ("test_accuracy", "final held-out accuracy", "{:.3f}"),
    ("gap", "gap (training − held-out)", "{:+.3f}"),
)


def width_numbers(width):
    """Final training and held-out accuracy of seed 0's unregularised run with both hidden layers ``width`` wide."""
    h = run(WIDTH_SEED, "none", int(width))
    w = int(width)
    n_weights = 2 * w + w + w * w + w + w * 2 + 2
    return {"width": w, "weights": n_weights, "train_accuracy": h["train_accuracy"][-1],
            "test_accuracy": h["test_accuracy"][-1], "gap": h["train_accuracy"][-1] - h["test_accuracy"][-1],
            "history": h}


def _width_alt(numbers):
    return (f"{ALT_WIDTH} At width {numbers['width']} ({numbers['weights']} weights and biases) the final training "
            f"accuracy is {numbers['train_accuracy']:.3f} and the held-out accuracy {numbers['test_accuracy']:.3f}.")


@style.styled
def make_width_demo(width=8, dpi=style.LIVE_DPI):
    """Training vs held-out accuracy per epoch for one width, and final accuracies against width.

    Returns a namespace with the figure, its artists, ``slider``, ``image``, ``readout``, ``live`` and
    ``widget`` (building the demo again closes the previous copy's widgets).
    """
    import ipywidgets as widgets
    from matplotlib.lines import Line2D

    finals = [width_numbers(w) for w in WIDTHS]
    fig = style.new_figure(8.5, 4.4, dpi=dpi)
    ax, ax_w = fig.subplots(1, 2)
    (tr,) = ax.plot([], [], **TRAIN_STYLE, ms=4, animated=True)
    (te,) = ax.plot([], [], **HELD_OUT_STYLE, ms=4, animated=True)
    ax.set_xlim(0, SETTING["epochs"])
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy per epoch")
    ax_w.plot(WIDTHS, [f["train_accuracy"] for f in finals], **TRAIN_STYLE)
    ax_w.plot(WIDTHS, [f["test_accuracy"] for f in finals], **HELD_OUT_STYLE)
    (mark,) = ax_w.plot([], [], "|", color=style.VERMILLION, ms=40, mew=3, animated=True)
    ax_w.set_xscale("log", base=2)
    ax_w.set_ylim(0.4, 1.02)
    ax_w.set_xlabel("hidden width (both layers)")
    ax_w.set_ylabel("final accuracy")
    ax_w.set_title(f"After {SETTING['epochs']} epochs")
    for a in (ax, ax_w):
        a.grid(True)
    handles = [Line2D([], [], **TRAIN_STYLE, ms=6, label="training"),
               Line2D([], [], **HELD_OUT_STYLE, ms=6, label="held-out"),
               Line2D([], [], ls="none", marker="|", color=style.VERMILLION, ms=16, mew=3, label="chosen width")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    demo = SimpleNamespace(fig=fig, tr=tr, te=te, mark=mark)
    demo.live = LiveFigure(fig, (tr, te, mark), ALT_WIDTH)
    demo.slider = widgets.SelectionSlider(options=list(WIDTHS), value=width, description="hidden width",
                                          style={"description_width": "initial"})
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_width(demo, change["new"]), names="value")
    update_width(demo, width)
    demo.widget = demo_box("width", [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_width(demo, width):
    """The width slider callback: redraw the curves and the marker; return :func:`width_numbers`."""
    numbers = width_numbers(width)
    h = numbers["history"]
    demo.tr.set_data(h["epoch"], h["train_accuracy"])
    demo.te.set_data(h["epoch"], h["test_accuracy"])
    demo.mark.set_data([numbers["width"]], [0.5 * (numbers["train_accuracy"] + numbers["test_accuracy"])])
    demo.live.render(_width_alt(numbers))
    demo.readout.value = readout_html(numbers, WIDTH_READOUT)
    return numbers
