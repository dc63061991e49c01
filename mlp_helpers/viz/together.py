r"""The panel and figures of notebook 10 (putting it together).

* The training panel (:func:`make_panel`): the student picks activation, initialisation,
  dropout p, L2 λ, optimizer, learning rate, schedule, batch size, epochs and patience with
  widgets and presses **Train** (:func:`train_panel`: one run of
  :func:`mlp_helpers.together.train_together` on seed 0's digits split, 64-100-10, well under
  2 s; runs are remembered, so pressing Train again with the same choices is instant).
  Changing the optimizer sets its usual learning rate (:func:`on_optimizer`).
* The epoch slider (:func:`update_epoch`) scrubs through the recorded curves: it answers one
  question instantly, "after which epoch does more training stop helping on the validation
  set?" (marks that epoch on both panels and shows its numbers and the best epoch's).
* :func:`comparison_figure`: the validation grid and the five-seed test comparison with
  notebook 04's setting (:func:`mlp_helpers.together.summary`).

Browser-test convention (the epoch slider): ``BROWSER_SLIDER``, ``BROWSER_DEFAULT``,
``BROWSER_STEP`` and ``browser_expected(value)``.  Figures follow :mod:`mlp_helpers.viz.style`:
training orange, dashed, squares; validation blue, solid, circles (never colour alone), 12 pt
text, and a text alternative with the numbers shown.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from .. import together as T
from . import LiveFigure, demo_box, readout_table, style

SIZES = (64, 100, 10)
#: The panel's choices (the widgets offer exactly these values).
CHOICES = {
    "activation": ("relu", "tanh", "sigmoid"),
    "init": ("he", "xavier", "plain"),
    "p": (0.0, 0.1, 0.2, 0.3, 0.5),
    "lam": (0.0, 1e-5, 1e-4, 1e-3),
    "optimizer": ("sgd", "momentum", "rmsprop", "adam"),
    "lr": (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
    "schedule": ("constant", "step", "cosine", "warmup", "warmup_cosine"),
    "batch_size": (16, 32, 64, 128),
    "epochs": (5, 10, 15, 20, 25, 30, 35, 40),
    "patience": (None, 3, 5, 10),
}
#: The usual learning rate of each optimizer (set when the optimizer changes).
LR_BY_OPTIMIZER = {"sgd": 0.2, "momentum": 0.05, "rmsprop": 0.002, "adam": 0.005}
#: The choices the panel starts with (its first run; the browser test's curves).
PANEL_DEFAULT = {"activation": "relu", "init": "he", "p": 0.2, "lam": 1e-4, "optimizer": "adam", "lr": 0.005,
                 "schedule": "cosine", "batch_size": 32, "epochs": 30, "patience": None}
SPLIT_SEED = 0

TRAIN_STYLE = dict(color=style.ORANGE, ls="--", marker="s")
VAL_STYLE = dict(color=style.BLUE, ls="-", marker="o")

ALT_PANEL = ("Left: training loss (dashed, squares) and validation loss (solid, circles) per epoch; a star marks "
             "the epoch of the lowest validation loss and a dotted vertical line the epoch chosen on the slider. "
             "Right: training and validation accuracy per epoch, with the same marks.")
ALT_COMPARISON = ("Left: mean validation accuracy of each setting in the grid over five seeds, one marker per seed, "
                  "the chosen setting marked. Right: test accuracy of notebook 04's setting and of the chosen "
                  "setting on each of five seeds, a line joining the two runs of each seed, and 97 % dashed.")


# ------------------------------------------------------------------ the runs
def _key(choices):
    unknown = sorted(set(choices) - set(CHOICES))
    if unknown:
        raise ValueError(f"choices: unknown option(s) {unknown}; known: {sorted(CHOICES)}")
    full = {**PANEL_DEFAULT, **choices}
    for name, value in full.items():
        if value not in CHOICES[name] and name != "lr":
            raise ValueError(f"{name}: expected one of {CHOICES[name]}, got {value!r}")
    return tuple(sorted(full.items(), key=lambda kv: kv[0]))


@lru_cache(maxsize=64)
def _run(key):
    X_tr, X_va, _, y_tr, y_va, _ = T.digits_split(SPLIT_SEED)
    _, history = T.train_together(X_tr, y_tr, X_va, y_va, sizes=SIZES, seed=SPLIT_SEED, **dict(key))
    return history


def panel_history(**choices):
    """The history of :func:`mlp_helpers.together.train_together` with ``choices`` (the others as
    ``PANEL_DEFAULT``) on seed 0's training and validation digits (remembered per choice)."""
    return _run(_key(choices))


def default_history():
    """The history of the panel's first run, ``PANEL_DEFAULT``."""
    return panel_history()


# ------------------------------------------------------------------ the epoch slider
BROWSER_SLIDER = "epoch"
BROWSER_DEFAULT = 10
BROWSER_STEP = 1

EPOCH_READOUT = (
    ("epoch", "epoch", "{:d}"),
    ("lr", "learning rate α in this epoch", "{:.5f}"),
    ("train_loss", "training loss", "{:.4f}"),
    ("val_loss", "validation loss", "{:.4f}"),
    ("train_accuracy", "training accuracy", "{:.4f}"),
    ("val_accuracy", "validation accuracy", "{:.4f}"),
    ("best_epoch", "best epoch (lowest validation loss)", "{:d}"),
    ("best_val_accuracy", "validation accuracy at the best epoch", "{:.4f}"),
)


def epoch_numbers(history, epoch):
    """The numbers of ``epoch`` (1-based, clipped to the epochs trained) and of the best epoch (a dict)."""
    e = int(min(max(1, int(epoch)), history["stopped_epoch"]))
    i, b = e - 1, history["best_epoch"] - 1
    return {"epoch": e, "lr": history["lr"][i], "train_loss": history["train_loss"][i],
            "val_loss": history["val_loss"][i], "train_accuracy": history["train_accuracy"][i],
            "val_accuracy": history["val_accuracy"][i], "best_epoch": history["best_epoch"],
            "best_val_accuracy": history["val_accuracy"][b]}


def browser_expected(value):
    """Readout texts of the epoch slider at ``value`` on the default run, read straight from its
    recorded history (argmin for the best epoch; not the callback)."""
    h = default_history()
    e = int(value)
    b = int(np.argmin(h["val_loss"]))
    return {"epoch": f"{e:d}", "lr": f"{h['lr'][e - 1]:.5f}", "train_loss": f"{h['train_loss'][e - 1]:.4f}",
            "val_loss": f"{h['val_loss'][e - 1]:.4f}", "train_accuracy": f"{h['train_accuracy'][e - 1]:.4f}",
            "val_accuracy": f"{h['val_accuracy'][e - 1]:.4f}", "best_epoch": f"{b + 1:d}",
            "best_val_accuracy": f"{h['val_accuracy'][b]:.4f}"}


def _panel_alt(numbers, choices):
    return (f"{ALT_PANEL} Run: {choices}. At epoch {numbers['epoch']} the training loss is "
            f"{numbers['train_loss']:.4f} and the validation loss {numbers['val_loss']:.4f} (validation accuracy "
            f"{numbers['val_accuracy']:.4f}); the lowest validation loss is at epoch {numbers['best_epoch']} "
            f"(validation accuracy {numbers['best_val_accuracy']:.4f}).")


def describe_choices(choices):
    c = {**PANEL_DEFAULT, **choices}
    patience = "no early stopping" if c["patience"] is None else f"patience {c['patience']}"
    return (f"{c['activation']}, {c['init']} init, dropout p = {c['p']:g}, λ = {c['lam']:g}, {c['optimizer']} "
            f"α = {c['lr']:g}, {c['schedule']} schedule, batch {c['batch_size']}, {c['epochs']} epochs, {patience}")


# ------------------------------------------------------------------ the panel
@style.styled
def make_panel(dpi=style.LIVE_DPI):
    """The training panel: choice widgets, a Train button, the curves and the epoch slider.

    Returns a namespace with ``widgets`` (name -> widget), ``button``, ``slider``, ``readout``,
    ``status``, ``live``, ``fig`` and ``widget`` (building it again closes the previous copy's
    widgets).  It starts with the run of ``PANEL_DEFAULT``.
    """
    import ipywidgets as widgets
    from matplotlib.lines import Line2D

    fig = style.new_figure(8.5, 4.6, dpi=dpi)
    ax_loss, ax_acc = fig.subplots(1, 2)
    lines = {}
    for ax, what, title in ((ax_loss, "loss", "Cross-entropy loss per epoch"),
                            (ax_acc, "accuracy", "Accuracy per epoch")):
        (lines[f"train_{what}"],) = ax.plot([], [], **TRAIN_STYLE, ms=4, markevery=5)
        (lines[f"val_{what}"],) = ax.plot([], [], **VAL_STYLE, ms=4, markevery=5)
        (lines[f"best_{what}"],) = ax.plot([], [], "*", color=style.VERMILLION, ms=16, ls="none")
        ax.set_xlabel("epoch")
        ax.set_ylabel(what)
        ax.set_title(title)
        ax.grid(True)
    ax_loss.set_yscale("log")
    # plain tick labels ("0.05", not mathtext 5×10⁻²): legible, and 3x faster to draw after each Train
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax_loss.yaxis.set_major_locator(FixedLocator([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0]))
    ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax_loss.yaxis.set_minor_locator(NullLocator())
    marks = {"loss": ax_loss.axvline(1, color=style.BLACK, ls=":", lw=2),
             "accuracy": ax_acc.axvline(1, color=style.BLACK, ls=":", lw=2)}
    handles = [Line2D([], [], **TRAIN_STYLE, ms=6, label="training (1079 images)"),
               Line2D([], [], **VAL_STYLE, ms=6, label="validation (359 images)"),
               Line2D([], [], ls="none", marker="*", color=style.VERMILLION, ms=14, label="lowest validation loss"),
               Line2D([], [], color=style.BLACK, ls=":", lw=2, label="epoch on the slider")]
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    demo = SimpleNamespace(fig=fig, ax_loss=ax_loss, ax_acc=ax_acc, lines=lines, marks=marks, history=None,
                           choices=dict(PANEL_DEFAULT))
    demo.live = LiveFigure(fig, tuple(marks.values()), ALT_PANEL)
    wide = {"description_width": "initial"}
    demo.widgets = {
        "activation": widgets.ToggleButtons(options=list(CHOICES["activation"]), description="activation f",
                                            style=wide),
        "init": widgets.ToggleButtons(options=list(CHOICES["init"]), description="initialisation", style=wide),
        "p": widgets.SelectionSlider(options=list(CHOICES["p"]), description="dropout p", style=wide),
        "lam": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in CHOICES["lam"]], description="L2 λ",
                                       style=wide),
        "optimizer": widgets.ToggleButtons(options=list(CHOICES["optimizer"]), description="optimizer", style=wide),
        "lr": widgets.Dropdown(options=[(f"{v:g}", v) for v in CHOICES["lr"]], description="learning rate α",
                               style=wide),
        "schedule": widgets.Dropdown(options=list(CHOICES["schedule"]), description="schedule", style=wide),
        "batch_size": widgets.SelectionSlider(options=list(CHOICES["batch_size"]), description="batch size B",
                                              style=wide),
        "epochs": widgets.SelectionSlider(options=list(CHOICES["epochs"]), description="epochs", style=wide),
        # "off" is 0 in the widget (a Dropdown shows the value None as no selection), None for train_together
        "patience": widgets.Dropdown(options=[("off", 0)] + [(str(v), v) for v in CHOICES["patience"][1:]],
                                     description="early stopping patience", style=wide),
    }
    for name, w in demo.widgets.items():
        w.value = _to_widget(name, PANEL_DEFAULT[name])
    demo.widgets["optimizer"].observe(lambda change: on_optimizer(demo, change["new"]), names="value")
    demo.button = widgets.Button(description="Train", button_style="primary", tooltip="train with these choices")
    demo.button.on_click(lambda _: train_panel(demo))
    demo.status = widgets.HTML()
    demo.slider = widgets.IntSlider(value=BROWSER_DEFAULT, min=1, max=PANEL_DEFAULT["epochs"], step=BROWSER_STEP,
                                    description=BROWSER_SLIDER, style=wide)
    demo.slider.observe(lambda change: update_epoch(demo, change["new"]), names="value")
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    train_panel(demo)
    update_epoch(demo, BROWSER_DEFAULT)
    fig.set_layout_engine("none")  # laid out once: each Train redraws the curves without re-solving the layout
    w = demo.widgets
    rows = [widgets.HBox([w["activation"]]), widgets.HBox([w["init"]]), widgets.HBox([w["p"], w["lam"]]),
            widgets.HBox([w["optimizer"]]), widgets.HBox([w["lr"], w["schedule"]]),
            widgets.HBox([w["batch_size"], w["epochs"]]), widgets.HBox([w["patience"], demo.button]),
            demo.status, demo.slider, widgets.HBox([demo.image, demo.readout])]
    demo.widget = demo_box("together", rows, demo.live)
    return demo


def _to_widget(name, value):
    """A choice as its widget holds it (patience None is 0, "off")."""
    return 0 if name == "patience" and value is None else value


def on_optimizer(demo, name):
    """Optimizer callback: set the learning-rate widget to ``LR_BY_OPTIMIZER[name]``; returns it."""
    lr = LR_BY_OPTIMIZER[name]
    demo.widgets["lr"].value = lr
    return lr


def train_panel(demo, **choices):
    """The Train button's callback: train with the widgets' choices (``choices`` set them first),
    redraw the curves, move the slider into the new range and show that epoch.

    Returns a dict: ``choices``, ``best_epoch``, ``stopped_epoch``, ``kept_epoch``,
    ``best_val_accuracy``, ``final_val_accuracy``.
    """
    for name, value in sorted(choices.items(), key=lambda kv: kv[0] != "optimizer"):  # the optimizer sets lr
        if name not in demo.widgets:
            raise ValueError(f"choices: unknown option {name!r}; known: {sorted(demo.widgets)}")
        demo.widgets[name].value = _to_widget(name, value)
    current = {name: (w.value or None) if name == "patience" else w.value for name, w in demo.widgets.items()}
    h = panel_history(**current)
    demo.history, demo.choices = h, current
    epochs = h["epoch"]
    for what in ("loss", "accuracy"):
        demo.lines[f"train_{what}"].set_data(epochs, h[f"train_{what}"])
        demo.lines[f"val_{what}"].set_data(epochs, h[f"val_{what}"])
        demo.lines[f"best_{what}"].set_data([h["best_epoch"]], [h[f"val_{what}"][h["best_epoch"] - 1]])
    for ax in (demo.ax_loss, demo.ax_acc):
        ax.set_xlim(0.5, max(epochs) + 0.5)
    losses = h["train_loss"] + h["val_loss"]
    demo.ax_loss.set_ylim(min(losses) * 0.8, max(losses) * 1.25)
    accs = h["train_accuracy"] + h["val_accuracy"]
    demo.ax_acc.set_ylim(max(0.0, min(accs) - 0.02), 1.005)
    demo.live.redraw_all()
    b = h["best_epoch"] - 1
    demo.status.value = (f"<b>Trained:</b> {describe_choices(current)}. Stopped after epoch {h['stopped_epoch']}; "
                         f"lowest validation loss at epoch {h['best_epoch']} (validation accuracy "
                         f"{h['val_accuracy'][b]:.4f}).")
    demo.slider.max = h["stopped_epoch"]
    if demo.slider.value > h["stopped_epoch"]:
        demo.slider.value = h["stopped_epoch"]  # the observer redraws
    update_epoch(demo, demo.slider.value)
    return {"choices": current, "best_epoch": h["best_epoch"], "stopped_epoch": h["stopped_epoch"],
            "kept_epoch": h["kept_epoch"], "best_val_accuracy": h["val_accuracy"][b],
            "final_val_accuracy": h["val_accuracy"][-1]}


def update_epoch(demo, epoch):
    """The epoch slider's callback: mark ``epoch`` on both panels; return :func:`epoch_numbers`."""
    numbers = epoch_numbers(demo.history, epoch)
    for mark in demo.marks.values():
        mark.set_xdata([numbers["epoch"], numbers["epoch"]])
    demo.live.render(_panel_alt(numbers, describe_choices(demo.choices)))
    demo.readout.value = readout_table([(key, label, fmt.format(numbers[key])) for key, label, fmt in EPOCH_READOUT])
    return numbers


# ------------------------------------------------------------------ the comparison
SHORT = {
    "04: SGD, constant 0.2": "04: SGD, constant",
    "04: SGD, step 0.2 → 0.02": "04: SGD, step",
    "SGD, cosine, 60 epochs": "SGD, cosine, 60 ep.",
    "momentum, cosine": "momentum, cosine",
    "Adam, cosine": "Adam, cosine",
    "Adam, warm-up + cosine, dropout 0.2, L2 1e-4, 60 epochs": "Adam, warm-up, p .2, L2",
    "Adam, cosine, 256 wide, dropout 0.3, 40 epochs": "Adam, 256 wide, p .3",
    "Adam, cosine, 256 wide, dropout 0.3, 40 epochs, patience 10": "Adam, 256, p .3, stop",
}


@style.styled
def comparison_figure(s, dpi=style.PNG_DPI):
    """Left: validation accuracy of every grid setting (seeds and mean); right: test accuracy of
    notebook 04's setting and the chosen one, paired by seed.  ``s`` = :func:`mlp_helpers.together.summary`."""
    fig = style.new_figure(8.5, 4.8, dpi=dpi)
    ax_val, ax_test = fig.subplots(1, 2, width_ratios=(1.35, 1))
    names = list(s["val"])
    for i, name in enumerate(names):
        chosen = name == s["chosen"]
        a = s["val"][name]
        ax_val.plot(a, np.full(len(a), i) + np.linspace(-0.15, 0.15, len(a)), "o", mfc="none",
                    color=style.GREY, ms=6)
        ax_val.plot([s["val_mean"][name]], [i], "D" if chosen else "|", color=style.BLUE if chosen else style.BLACK,
                    ms=11 if chosen else 18, mew=2)
    ax_val.set_yticks(range(len(names)), [SHORT.get(n, n) + (" ◆ chosen" if n == s["chosen"] else "") for n in names])
    ax_val.invert_yaxis()
    ax_val.set_xlabel("validation accuracy (359 images each)")
    ax_val.set_ylabel("setting")
    ax_val.set_title("Choose on validation")
    ax_val.grid(True, axis="x")
    seeds = s["seeds"]
    base, chosen = s["test"]["baseline"], s["test"]["chosen"]
    for j in range(len(seeds)):
        ax_test.plot([0, 1], [base[j], chosen[j]], color=style.LIGHT_GREY, ls="-", lw=1.5)
    ax_test.plot(np.zeros(len(seeds)), base, "s", color=style.ORANGE, ms=9, mfc="none", mew=2,
                 label=f"04's setting: {s['test_mean']['baseline']:.4f} ± {s['test_std']['baseline']:.4f}")
    ax_test.plot(np.ones(len(seeds)), chosen, "o", color=style.BLUE, ms=9,
                 label=f"chosen: {s['test_mean']['chosen']:.4f} ± {s['test_std']['chosen']:.4f}")
    ax_test.axhline(0.97, color=style.BLACK, ls="--", lw=1.5, label="97 %")
    ax_test.set_xticks([0, 1], ["04's setting", "chosen"])
    ax_test.set_xlim(-0.5, 1.5)
    ax_test.set_xlabel("setting (line: one seed)")
    ax_test.set_ylabel("test accuracy (359 images)")
    ax_test.set_title(f"Test, once, {len(seeds)} seeds")
    ax_test.grid(True, axis="y")
    fig.legend(*ax_test.get_legend_handles_labels(), loc="outside lower center", ncol=3)
    text = (f"{ALT_COMPARISON} Chosen: {s['chosen']}. Test accuracy mean ± standard deviation: notebook 04's "
            f"setting {s['test_mean']['baseline']:.4f} ± {s['test_std']['baseline']:.4f}, chosen "
            f"{s['test_mean']['chosen']:.4f} ± {s['test_std']['chosen']:.4f}; better on {s['wins']} of "
            f"{len(seeds)} seeds, worse on {s['losses']}.")
    return style.set_alt(fig, text)
