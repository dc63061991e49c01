r"""Figures and the λ slider of notebook 06 (batches and generalisation).

* :func:`lambda_demo_numbers` / :func:`make_lambda_demo` / :func:`update_lambda`:
  the slider answers ONE question: *how does held-out accuracy (mean ± spread
  over the seeds) change with the L2 strength λ, compared with no penalty?*
  The grid of runs (:func:`mlp_helpers.generalisation.lambda_grid`) is trained
  once when the demo is built; the slider only redraws.
* :func:`protocol_figure`: validation-accuracy curves of the digits
  candidates with the chosen (setting, epoch) marked.

Colours are Okabe–Ito, every line also has its own style and marker.
Browser-test convention: ``BROWSER_SLIDER``, ``BROWSER_DEFAULT``,
``BROWSER_STEP``, ``browser_expected(value)``.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import generalisation as gen
from . import LiveFigure, demo_box, readout_table, style

BROWSER_SLIDER = "log10 λ"
BROWSER_DEFAULT = -2.0
BROWSER_STEP = 0.5
LOG_MIN, LOG_MAX = gen.LOG10_LAMBDAS[0], gen.LOG10_LAMBDAS[-1]

ALT_LAMBDA = ("Line chart: held-out accuracy (mean over 8 seeds, shaded ± one standard deviation) against the L2 "
              "strength λ on a log axis, with a dashed line and band for λ = 0 and a marker at the slider's λ; "
              "training accuracy as a dotted line.")
ALT_PROTOCOL = ("Line chart: validation accuracy per epoch for four digits settings (two λ, two learning-rate "
                "schedules), each with its own colour, line style and marker; a star marks the chosen setting "
                "and epoch.")

READOUT = (
    ("lam", "λ", "{:.4f}"),
    ("test_mean", "held-out accuracy, mean over seeds", "{:.1%}"),
    ("test_std", "spread (std over seeds)", "{:.1%}"),
    ("gain", "gain over λ = 0 (mean of per-seed differences)", "{:+.1%}"),
    ("helped", "seeds where λ helped", "{}"),
    ("train_mean", "training accuracy, mean", "{:.1%}"),
)


def grid(penalty_kind="l2"):
    """The trained grid ``(train_acc, test_acc)``, shape ``(len(LAMBDAS), len(SEEDS))``, for the
    ``"l2"`` or ``"l1"`` penalty; trained once per process."""
    return gen.lambda_grid(penalty_kind=penalty_kind)


def _index(log10_lam):
    v = float(log10_lam)
    if not np.isfinite(v) or v < LOG_MIN - 1e-9 or v > LOG_MAX + 1e-9:
        raise ValueError(f"log10_lam: expected a value in [{LOG_MIN}, {LOG_MAX}], got {log10_lam!r}")
    return 1 + int(np.argmin(np.abs(np.array(gen.LOG10_LAMBDAS) - v)))


def lambda_demo_numbers(log10_lam, penalty_kind="l2"):
    """The readout numbers at the grid point nearest ``log10_lam``, for the ``penalty_kind`` grid
    (``"l2"``, notebook 06's, or ``"l1"``).

    Returns a dict: ``lam``, ``test_mean``, ``test_std`` (ddof=1), ``gain``
    (mean over seeds of test accuracy minus the same seed's λ = 0 accuracy),
    ``gain_std``, ``helped`` ("k of n"), ``train_mean``, and the baseline's
    ``base_mean``/``base_std``.
    """
    i = _index(log10_lam)
    tr, te = grid(penalty_kind)
    diff = te[i] - te[0]
    return {"lam": gen.LAMBDAS[i], "test_mean": float(te[i].mean()), "test_std": float(te[i].std(ddof=1)),
            "gain": float(diff.mean()), "gain_std": float(diff.std(ddof=1)),
            "helped": f"{int(np.sum(diff > 0))} of {len(diff)}", "train_mean": float(tr[i].mean()),
            "base_mean": float(te[0].mean()), "base_std": float(te[0].std(ddof=1))}


def readout_html(numbers):
    """HTML readout table; every number in ``<span class="mlp-readout" data-key=KEY>``."""
    return readout_table([(key, label, fmt.format(numbers[key])) for key, label, fmt in READOUT])


def browser_expected(value):
    """Readout texts with the slider at ``value``, from the grid with plain numpy (not the callback)."""
    v = float(value)
    i = 1 + int(np.argmin([abs(x - v) for x in gen.LOG10_LAMBDAS]))
    tr, te = grid()
    d = te[i] - te[0]
    return {"lam": f"{10.0 ** gen.LOG10_LAMBDAS[i - 1]:.4f}", "test_mean": f"{np.mean(te[i]):.1%}",
            "test_std": f"{np.std(te[i], ddof=1):.1%}", "gain": f"{np.mean(d):+.1%}",
            "helped": f"{int((d > 0).sum())} of {d.size}", "train_mean": f"{np.mean(tr[i]):.1%}"}


def _lambda_alt(numbers):
    return (f"{ALT_LAMBDA} The marker is at λ = {numbers['lam']:.4f}: held-out accuracy {numbers['test_mean']:.1%} "
            f"± {numbers['test_std']:.1%} against {numbers['base_mean']:.1%} ± {numbers['base_std']:.1%} without "
            f"the penalty (gain {numbers['gain']:+.1%}, helped {numbers['helped']} seeds).")


@style.styled
def make_lambda_demo(log10_lam=BROWSER_DEFAULT, dpi=style.LIVE_DPI):
    """Build the λ demo: the measured mean ± spread curve and a marker at the slider's λ.

    Returns a namespace with ``fig``, ``ax``, ``marker``, ``slider``, ``image``, ``readout``,
    ``live`` (the :class:`~mlp_helpers.viz.LiveFigure`), ``alt`` (``ALT_LAMBDA``) and
    ``widget`` (the box to display; building the demo again closes the previous copy's widgets).
    """
    import ipywidgets as widgets

    tr, te = grid()
    lams = np.array(gen.LAMBDAS[1:])
    fig = style.new_figure(7.6, 4.6, dpi=dpi)
    ax = fig.subplots()
    m, s = te[1:].mean(axis=1), te[1:].std(axis=1, ddof=1)
    ax.fill_between(lams, m - s, m + s, color=style.BLUE, alpha=0.2, lw=0)
    ax.plot(lams, m, color=style.BLUE, ls="-", marker="o", lw=2, label="held-out, mean ± std")
    ax.plot(lams, tr[1:].mean(axis=1), color=style.VERMILLION, ls=":", marker="s", lw=1.8, label="training, mean")
    b, bs = te[0].mean(), te[0].std(ddof=1)
    ax.axhspan(b - bs, b + bs, color=style.ORANGE, alpha=0.15, lw=0)
    ax.axhline(b, color=style.ORANGE, ls="--", lw=2, label="held-out with λ = 0")
    (marker,) = ax.plot([], [], marker="*", ms=18, color=style.BLACK, ls="none", animated=True,
                        label="slider's λ")
    ax.set_xscale("log")
    ax.set_ylim(0.6, 1.02)
    ax.set_xlabel("L2 strength λ (log scale)")
    ax.set_ylabel("accuracy")
    ax.set_title(f"{len(gen.SEEDS)} seeds, {gen.OVERFIT['n_train']} training points")
    ax.grid(True)
    ax.legend(loc="lower left")
    demo = SimpleNamespace(fig=fig, ax=ax, marker=marker, alt=ALT_LAMBDA)
    demo.live = LiveFigure(fig, (marker,), ALT_LAMBDA)
    demo.slider = widgets.FloatSlider(value=log10_lam, min=LOG_MIN, max=LOG_MAX, step=BROWSER_STEP,
                                      description=BROWSER_SLIDER, readout_format=".1f",
                                      style={"description_width": "initial"})
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_lambda(demo, change["new"]), names="value")
    update_lambda(demo, log10_lam)
    demo.widget = demo_box("lambda", [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_lambda(demo, log10_lam):
    """The λ slider callback: move the marker, redraw, and return :func:`lambda_demo_numbers`."""
    numbers = lambda_demo_numbers(log10_lam)
    demo.marker.set_data([numbers["lam"]], [numbers["test_mean"]])
    demo.live.render(_lambda_alt(numbers))
    demo.readout.value = readout_html(numbers)
    return numbers


#: One (colour, line style, marker) per candidate: never colour alone.
STYLES = ((style.BLUE, "-", "o"), (style.VERMILLION, "--", "s"), (style.GREEN, "-.", "^"), (style.PURPLE, ":", "D"))


@style.styled
def protocol_figure(histories, labels, chosen, epoch, dpi=style.PNG_DPI):
    """Validation accuracy per epoch for each candidate; a star at (``epoch``, chosen's value).

    histories : list of lists of validation accuracies (one per epoch);
    labels : list of str, one per history; chosen : index of the chosen
    candidate; epoch : the chosen stopping epoch (1-based).  Returns the figure (outside pyplot;
    show it with :func:`mlp_helpers.viz.show_figure`), text alternative ``ALT_PROTOCOL`` plus the choice.
    """
    if len(histories) != len(labels) or not 0 <= chosen < len(histories) or len(histories) > len(STYLES):
        raise ValueError(f"histories, labels, chosen: expected up to {len(STYLES)} histories, as many labels "
                         f"and a valid index; got {len(histories)}, {len(labels)}, {chosen}")
    fig = style.new_figure(7.6, 4.4, dpi=dpi)
    ax = fig.subplots()
    for h, lab, (c, ls, mk) in zip(histories, labels, STYLES):
        ax.plot(np.arange(1, len(h) + 1), h, color=c, ls=ls, marker=mk, ms=5, lw=1.8, label=lab)
    value = histories[chosen][epoch - 1]
    ax.plot([epoch], [value], "*", ms=18, color=style.BLACK, label="chosen on validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_ylim(0.85, 1.0)
    ax.set_title("Digits: validation accuracy of each candidate")
    ax.grid(True)
    ax.legend(loc="lower right")
    names = ", ".join(str(lab) for lab in labels)
    return style.set_alt(fig, f"Line chart: validation accuracy per epoch of {len(histories)} digits candidates "
                              f"({names}), each with its own colour, line style and marker; a black star marks the "
                              f"chosen candidate, {labels[chosen]}, at epoch {epoch} with validation accuracy "
                              f"{value:.1%}.")
