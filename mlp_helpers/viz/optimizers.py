r"""Figures and the slider race of notebook 07 (optimizers beyond plain SGD).

The race (:func:`make_race_demo`, callback :func:`update_race`) answers one question:
**how does the condition number κ of a valley change the number of steps each optimizer
needs?**  Two valleys whose floor gets flatter as κ grows while the walls stay the same:

* the quadratic :math:`L(w) = \tfrac12 (w_1^2/\kappa + w_2^2)` (curvatures 1/κ and 1,
  condition number κ), from ``(-4, 1.5)``, minimum at 0;
* Rosenbrock's valley :math:`f(x, y) = (1-x)^2/\kappa + (y - x^2)^2`, from ``(-1.2, 1)``,
  minimum at ``(1, 1)``; κ = 100 is Rosenbrock's classic function divided by 100.

Every optimizer keeps its hyperparameters for every κ (``RACE``): SGD, momentum and
Nesterov take α = 1/L with L the largest curvature on the way (1 and 16), μ = 0.9;
RMSProp (α = 0.01) and Adam (α = 0.1) take steps whose length does not depend on the
gradient's scale.  The score is the number of steps after which the iterate stays within
``TOL`` of the minimum (``None``: not within ``N_STEPS``).  The update of every optimizer
acts on each coordinate separately, so all κ positions of the slider run at once as one
long vector (:func:`race_table`, when the demo is built); the callback only looks up and draws.

Static figures: :func:`schedules_figure`, :func:`momentum_conventions_figure`,
:func:`gradient_noise_figure`.

Browser-test convention: ``BROWSER_SLIDER`` is the slider's description,
``browser_expected(value)`` the readout texts at ``value``, computed with plain numpy
transcriptions of the update rules (not through :mod:`mlp_helpers.optimizers`).
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from ..optimizers import run_optimizer
from . import LiveFigure, demo_box, readout_table, style

# ------------------------------------------------------------------ the race
N_STEPS = 1000
TOL = 0.01
LOG_KAPPAS = np.round(np.arange(0.0, 2.0 + 1e-9, 0.1), 1)  # the slider's positions: κ = 10**x
PROBLEMS = {
    "quad": {"label": r"quadratic $\frac{1}{2}(w_1^2/\kappa + w_2^2)$", "start": (-4.0, 1.5),
             "minimum": (0.0, 0.0), "L": 1.0},
    "ros": {"label": r"Rosenbrock $(1-x)^2/\kappa + (y-x^2)^2$", "start": (-1.2, 1.0),
            "minimum": (1.0, 1.0), "L": 16.0},
}
# name -> label, learning rate (None: 1/L of the problem), hyperparameters, colour, line style, marker
RACE = {
    "sgd": ("SGD", None, {}, style.BLACK, "-", "o"),
    "momentum": ("momentum μ=0.9", None, {"momentum": 0.9}, style.ORANGE, "--", "s"),
    "nesterov": ("Nesterov μ=0.9", None, {"momentum": 0.9}, style.BLUE, "-.", "^"),
    "rmsprop": ("RMSProp α=0.01", 0.01, {"rho": 0.9, "eps": 1e-8}, style.GREEN, ":", "D"),
    "adam": ("Adam α=0.1", 0.1, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, style.VERMILLION, "-", "v"),
}

BROWSER_SLIDER = "log₁₀ κ"
BROWSER_DEFAULT = 1.0
BROWSER_STEP = 0.1


def race_lr(name, problem):
    """The learning rate optimizer ``name`` uses on ``problem`` ("quad" or "ros") in the race."""
    lr = RACE[name][1]
    return 1.0 / PROBLEMS[problem]["L"] if lr is None else lr


def snap(log10_kappa):
    """The slider position nearest ``log10_kappa`` (a value of ``LOG_KAPPAS``), as a float."""
    x = float(log10_kappa)
    return float(LOG_KAPPAS[int(np.argmin(np.abs(LOG_KAPPAS - x)))])


def valley_loss(problem, w, kappa):
    """The loss of ``problem`` at ``w`` (shape ``(..., 2)``) for condition ``kappa``; shape ``(...)``."""
    w = np.asarray(w, dtype=float)
    x, y = w[..., 0], w[..., 1]
    if problem == "quad":
        return 0.5 * (x ** 2 / kappa + y ** 2)
    return (1 - x) ** 2 / kappa + (y - x ** 2) ** 2


def valley_gradient(problem, w, kappa):
    """The gradient of :func:`valley_loss` at ``w`` (shape ``(..., 2)``); ``kappa`` broadcasts with ``w[..., 0]``."""
    w = np.asarray(w, dtype=float)
    x, y = w[..., 0], w[..., 1]
    if problem == "quad":
        return np.stack([x / kappa, y], axis=-1)
    return np.stack([-2 * (1 - x) / kappa - 4 * x * (y - x ** 2), 2 * (y - x ** 2)], axis=-1)


def settled_step(distances, tol=TOL):
    """The first step after which ``distances`` (shape ``(steps + 1, ...)``) stay below ``tol``.

    Returns an int array of shape ``distances.shape[1:]``, -1 where the last one is not below.
    """
    inside = np.asarray(distances) < tol
    last_outside = inside.shape[0] - np.argmax(~inside[::-1], axis=0)  # index after the last step outside
    return np.where(inside[-1], np.where(inside.all(axis=0), 0, last_outside), -1)


@lru_cache(maxsize=2)
def race_table(steps=N_STEPS):
    """Run every optimizer of ``RACE`` on both problems for every κ of ``LOG_KAPPAS`` at once.

    Returns a dict: ``paths[problem][name]`` of shape ``(steps + 1, n_kappa, 2)`` and
    ``settled[problem][name]`` of shape ``(n_kappa,)`` (-1: not settled).  Computed once per
    ``steps`` and process (cached; the arrays are read-only).
    """
    kappas = np.array([10.0 ** float(x) for x in LOG_KAPPAS])  # Python's pow, as browser_expected uses
    out = {"paths": {}, "settled": {}}
    for problem, spec in PROBLEMS.items():
        start = np.tile(spec["start"], len(kappas))  # one long vector: (x, y) of every κ in turn

        def grad(w, problem=problem):
            return valley_gradient(problem, w.reshape(-1, 2), kappas).ravel()

        out["paths"][problem], out["settled"][problem] = {}, {}
        for name, (_, _, hyper, *_rest) in RACE.items():
            with np.errstate(over="ignore", invalid="ignore"):
                path = run_optimizer(name, grad, start, race_lr(name, problem), steps, **hyper)
            path = path.reshape(steps + 1, len(kappas), 2)
            settled = settled_step(np.linalg.norm(path - spec["minimum"], axis=-1))
            path.flags.writeable = settled.flags.writeable = False  # shared by every demo through the cache
            out["paths"][problem][name] = path
            out["settled"][problem][name] = settled
    return out


def race_numbers(table, log10_kappa):
    """The race at one slider position: ``{"log10_kappa", "kappa", "quad": {name: steps}, "ros": {...}}``.

    ``steps`` is an int, or None when the optimizer did not settle within ``N_STEPS``.
    """
    x = snap(log10_kappa)
    i = int(np.argmin(np.abs(LOG_KAPPAS - x)))
    numbers = {"log10_kappa": x, "kappa": 10.0 ** x}
    for problem in PROBLEMS:
        numbers[problem] = {name: (None if s[i] < 0 else int(s[i])) for name, s in table["settled"][problem].items()}
    return numbers


def _steps_text(s):
    return f"> {N_STEPS}" if s is None else str(s)


def race_texts(numbers):
    """The readout texts of :func:`race_numbers`' dict, keyed like the readout's spans."""
    texts = {"kappa": f"{numbers['kappa']:.3g}"}
    for problem in PROBLEMS:
        for name in RACE:
            texts[f"{problem}_{name}"] = _steps_text(numbers[problem][name])
    return texts


def race_html(texts):
    """HTML readout table; every number in ``<span class="mlp-readout" data-key=KEY>``."""
    rows = [("kappa", "κ", texts["kappa"])]
    for problem, where in (("quad", "quadratic"), ("ros", "Rosenbrock")):
        rows += [(f"{problem}_{n}", f"{RACE[n][0]}, {where}: steps", texts[f"{problem}_{n}"]) for n in RACE]
    return f"<div>steps until within {TOL} of the minimum</div>" + readout_table(rows)


def browser_expected(value):
    """Readout texts with the slider at ``value``: plain numpy transcriptions, not the package's code."""
    x = snap(value)
    kappa = 10.0 ** x
    texts = {"kappa": f"{kappa:.3g}"}
    for problem, spec in PROBLEMS.items():
        w_star = np.array(spec["minimum"])
        for name, (_, _, hyper, *_rest) in RACE.items():
            lr = race_lr(name, problem)
            w = np.array(spec["start"], dtype=float)
            a, b = np.zeros(2), np.zeros(2)  # velocity / buffer / mean square / m, and v
            dist = [np.linalg.norm(w - w_star)]
            for t in range(1, N_STEPS + 1):
                g = valley_gradient(problem, w, kappa)
                if name == "sgd":
                    w = w - lr * g
                elif name == "momentum":  # Sutskever et al. / CS231n
                    a = 0.9 * a - lr * g
                    w = w + a
                elif name == "nesterov":  # PyTorch's SGD(nesterov=True)
                    a = 0.9 * a + g
                    w = w - lr * (g + 0.9 * a)
                elif name == "rmsprop":  # Hinton's lecture 6e, eps outside the root
                    a = 0.9 * a + (1 - 0.9) * g ** 2  # 1 - 0.9 (not 0.1) and (g ** 2): bit for bit the same
                    w = w - lr * g / (np.sqrt(a) + 1e-8)
                else:  # Kingma & Ba, Algorithm 1
                    a = 0.9 * a + (1 - 0.9) * g
                    b = 0.999 * b + (1 - 0.999) * g ** 2
                    w = w - lr * (a / (1 - 0.9 ** t)) / (np.sqrt(b / (1 - 0.999 ** t)) + 1e-8)
                dist.append(np.linalg.norm(w - w_star) if np.all(np.isfinite(w)) else np.inf)
            dist = np.array(dist)
            if dist[-1] >= TOL:
                texts[f"{problem}_{name}"] = f"> {N_STEPS}"
            else:
                outside = np.nonzero(dist >= TOL)[0]
                texts[f"{problem}_{name}"] = str(outside[-1] + 1 if outside.size else 0)
    return texts


_EXTENT = {"quad": (-4.5, 1.0, -1.0, 1.8), "ros": (-1.6, 1.4, -0.4, 1.8)}
CONTOUR_LEVELS = np.geomspace(0.003, 3.0, 7)


def contour_lines(problem, kappa, levels=CONTOUR_LEVELS, n=200):
    r"""The level sets ``loss = c`` of ``problem`` for each ``c`` in ``levels``, as one polyline.

    Solved in closed form (an ellipse for the quadratic; for Rosenbrock
    :math:`y = x^2 \pm \sqrt{c - (1-x)^2/\kappa}`); the curves are separated by NaN rows.
    Returns an array of shape ``(m, 2)``.
    """
    pieces = []
    theta = np.linspace(0, 2 * np.pi, n)
    for c in levels:
        if problem == "quad":
            curve = np.column_stack([np.sqrt(2 * c * kappa) * np.cos(theta), np.sqrt(2 * c) * np.sin(theta)])
        else:
            half = np.sqrt(c * kappa)
            x = 1 + half * np.cos(theta)  # x from 1 - sqrt(c kappa) to 1 + sqrt(c kappa) and back
            root = np.sqrt(np.maximum(c - (1 - x) ** 2 / kappa, 0.0))
            curve = np.column_stack([x, x ** 2 + np.where(np.sin(theta) >= 0, root, -root)])
        pieces += [curve, np.full((1, 2), np.nan)]
    return np.vstack(pieces)


def _race_alt(numbers):
    steps = "; ".join(f"{RACE[n][0]} {_steps_text(numbers['quad'][n])} on the quadratic and "
                      f"{_steps_text(numbers['ros'][n])} on Rosenbrock" for n in RACE)
    return ("Four panels. Top: the loss contours of the quadratic valley (left) and of Rosenbrock's valley (right) "
            f"with condition number κ = {numbers['kappa']:.3g}, the start (purple plus) and the minimum (yellow "
            "star), and the path of each of five optimizers (SGD, momentum, Nesterov, RMSProp, Adam), each with "
            "its own colour, line style and marker. Bottom: each optimizer's distance to the minimum per step on "
            f"log scales, with a dotted line at {TOL}. Steps until within {TOL} of the minimum: {steps}.")


@style.styled
def make_race_demo(log10_kappa=BROWSER_DEFAULT, dpi=style.LIVE_DPI, steps=N_STEPS):
    """Build the race: paths over both valleys (top) and the distance to the minimum per step (bottom).

    Uses :func:`race_table` (every slider position, computed once per process).  Returns a namespace
    with the figure, its artists, ``table``, ``slider``, ``image``, ``readout``, ``live`` and ``widget``
    (building the demo again closes the previous copy's widgets).
    """
    import ipywidgets as widgets
    from matplotlib.lines import Line2D

    table = race_table(steps)
    marks = [0] + [int(k) for k in 2 ** np.arange(int(np.log2(max(steps, 1))) + 1)]  # markers at steps 0, 1, 2, 4, ...
    # The steps drawn: every one of the first 64, then ~80 on a log scale (the axes of the distances are
    # logarithmic and late paths sit near the minimum): a frame draws ~150 points per line, not 1001.
    idx = np.unique(np.concatenate([np.arange(min(steps, 64) + 1), np.geomspace(1, steps, 80).round().astype(int),
                                    [m for m in marks if m <= steps]]))
    marks = [int(np.searchsorted(idx, m)) for m in marks if m <= steps]  # the markers' positions among them
    fig = style.new_figure(8.5, 6.6, dpi=dpi)
    axes = fig.subplots(2, 2)
    demo = SimpleNamespace(fig=fig, axes=axes, table=table, lines={}, fields={}, curves={}, idx=idx)
    for col, (problem, spec) in enumerate(PROBLEMS.items()):
        ax, ax_d = axes[0, col], axes[1, col]
        (demo.fields[problem],) = ax.plot([], [], color=style.LIGHT_GREY, lw=1, animated=True)
        ax.plot(*spec["start"], "P", color=style.PURPLE, ms=12)
        ax.plot(*spec["minimum"], "*", color=style.YELLOW, mec=style.BLACK, ms=16)
        for name, (label, _, _, colour, ls, marker) in RACE.items():
            for store, where in ((demo.lines, ax), (demo.curves, ax_d)):
                (store[problem, name],) = where.plot([], [], color=colour, ls=ls, marker=marker, markevery=marks,
                                                     ms=6, lw=1.8, animated=True)
        ax.set_xlim(*_EXTENT[problem][:2])
        ax.set_ylim(*_EXTENT[problem][2:])
        ax.set_xlabel("$w_1$" if problem == "quad" else "$x$")
        ax.set_ylabel("$w_2$" if problem == "quad" else "$y$")
        ax.set_title(spec["label"])
        ax_d.axhline(TOL, color=style.BLACK, lw=1, ls=(0, (1, 3)))
        ax_d.set_yscale("log")
        ax_d.set_xscale("symlog", linthresh=10)
        ax_d.set_xlim(0, steps)
        ax_d.set_ylim(1e-6, 1e2)
        ax_d.set_xlabel("step")
        ax_d.set_ylabel("distance to the minimum")
        ax_d.set_title("distance per step (log scales)")
    # One legend below the panels, from stand-in lines: outside the axes, so it stays in the cached background.
    handles = [Line2D([], [], color=style.LIGHT_GREY, lw=1, label="loss contours"),
               Line2D([], [], color=style.PURPLE, marker="P", ls="none", ms=12, label="start"),
               Line2D([], [], color=style.YELLOW, mec=style.BLACK, marker="*", ls="none", ms=16, label="minimum"),
               Line2D([], [], color=style.BLACK, lw=1, ls=(0, (1, 3)), label=f"within {TOL} of the minimum")]
    handles += [Line2D([], [], color=c, ls=st, marker=m, ms=6, lw=1.8, label=lab) for lab, _, _, c, st, m in RACE.values()]
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    demo.steps = idx
    artists = (*demo.fields.values(), *demo.lines.values(), *demo.curves.values())
    demo.live = LiveFigure(fig, artists, _race_alt(race_numbers(table, log10_kappa)))
    demo.slider = widgets.FloatSlider(value=log10_kappa, min=float(LOG_KAPPAS[0]), max=float(LOG_KAPPAS[-1]),
                                      step=BROWSER_STEP, description=BROWSER_SLIDER, readout_format=".1f",
                                      style={"description_width": "initial"})
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_race(demo, change["new"]), names="value")
    update_race(demo, log10_kappa)
    demo.widget = demo_box("race", [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_race(demo, log10_kappa):
    """The slider callback: draw the race at the nearest slider position; return :func:`race_numbers`' dict."""
    numbers = race_numbers(demo.table, log10_kappa)
    i = int(np.argmin(np.abs(LOG_KAPPAS - numbers["log10_kappa"])))
    for problem, spec in PROBLEMS.items():
        demo.fields[problem].set_data(*contour_lines(problem, numbers["kappa"]).T)
        for name in RACE:
            path = demo.table["paths"][problem][name][demo.idx, i, :]
            path = np.clip(np.nan_to_num(path, nan=1e6), -1e6, 1e6)
            demo.lines[problem, name].set_data(path[:, 0], path[:, 1])
            dist = np.linalg.norm(path - spec["minimum"], axis=-1)
            demo.curves[problem, name].set_data(demo.steps, np.clip(dist, 1e-12, 1e12))
    demo.live.render(_race_alt(numbers))
    demo.readout.value = race_html(race_texts(numbers))
    return numbers


# ------------------------------------------------------------------ static figures
def _style(ax, title, xlabel, ylabel):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True)
    ax.legend()


#: One (colour, line style, marker) per series: never colour alone.
_SERIES_STYLE = [(style.BLACK, "-", "o"), (style.ORANGE, "--", "s"), (style.BLUE, "-.", "^"),
                 (style.VERMILLION, ":", "D"), (style.GREEN, "-", "v"), (style.PURPLE, "--", "P")]


def _series(ax, x, ys, markevery=0.1):
    """Plot each ``label -> y`` of ``ys`` over ``x`` with its own colour, line style and marker."""
    if len(ys) > len(_SERIES_STYLE):
        raise ValueError(f"ys: expected at most {len(_SERIES_STYLE)} series, got {len(ys)}")
    for (label, y), (colour, ls, marker) in zip(ys.items(), _SERIES_STYLE):
        ax.plot(x, y, color=colour, ls=ls, marker=marker, markevery=markevery, ms=6, lw=2, label=label)


def _ends(ys, fmt="{:.3g}"):
    return "; ".join(f"{label} from {fmt.format(float(y[0]))} to {fmt.format(float(y[-1]))}" for label, y in ys.items())


@style.styled
def schedules_figure(lrs, distances, dpi=style.PNG_DPI):
    """Two panels: the learning rate per step of each schedule, and what it does to an optimizer.

    lrs : dict label -> array ``(steps,)`` of learning rates.
    distances : dict label -> array ``(steps + 1,)`` of distances to the minimum.
    Returns the figure (outside pyplot, text alternative attached; show it with
    :func:`mlp_helpers.viz.show_figure`).
    """
    fig = style.new_figure(8.5, 4.4, dpi=dpi)
    ax, ax_d = fig.subplots(1, 2)
    _series(ax, np.arange(len(next(iter(lrs.values())))), lrs)
    _style(ax, "learning-rate schedules", "step t", r"learning rate $\alpha_t$")
    _series(ax_d, np.arange(len(next(iter(distances.values())))), distances)
    ax_d.set_yscale("log")
    ax_d.set_ylim(1e-8, 10)  # below 1e-8: settled
    _style(ax_d, "RMSProp on the quadratic, κ = 10", "step t", "distance to the minimum (log)")
    return style.set_alt(fig, (
        f"Two line charts over the steps, one line per learning-rate schedule ({', '.join(lrs)}), each with its "
        f"own colour, line style and marker. Left: the learning rate per step, {_ends(lrs)}. Right: RMSProp's "
        f"distance to the minimum of the quadratic with κ = 10 on a log scale, {_ends(distances)}."))


@style.styled
def momentum_conventions_figure(steps, distances, drops=(), dpi=style.PNG_DPI):
    """Distance to the minimum per step for the two momentum conventions.

    steps : array ``(n,)``.  distances : dict label -> array ``(n,)``.
    drops : the steps where α drops (vertical lines).
    Returns the figure (outside pyplot, text alternative attached).
    """
    fig = style.new_figure(7.6, 4.4, dpi=dpi)
    ax = fig.subplots()
    _series(ax, steps, distances, markevery=0.08)
    for i, t in enumerate(drops):
        ax.axvline(t, color=style.SKY_BLUE, lw=2, ls=(0, (4, 2)), label="α drops 10×" if i == 0 else None)
    ax.set_yscale("log")
    _style(ax, "momentum: velocity vs buffer convention", "step t", "distance to the minimum")
    drop_text = (f" Dashed sky-blue vertical lines mark the steps where the learning rate drops tenfold "
                 f"({', '.join(str(int(t)) for t in drops)}).") if len(drops) else ""
    return style.set_alt(fig, (
        "Line chart on a log scale: distance to the minimum per step for each momentum run, one line per run "
        f"with its own colour, line style and marker: {_ends(distances)}.{drop_text}"))


@style.styled
def gradient_noise_figure(batch_sizes, measured_mean, measured_std, law, law_fpc, dpi=style.PNG_DPI):
    """Measured variance of the minibatch gradient against B (log-log) with the two laws.

    batch_sizes : array ``(k,)``.  measured_mean, measured_std : arrays ``(k,)`` over seeds.
    law : σ_g²/B, ``(k,)``.  law_fpc : σ_g²/B·(n−B)/(n−1), ``(k,)``.
    Returns the figure (outside pyplot, text alternative attached).
    """
    fig = style.new_figure(7.6, 4.8, dpi=dpi)
    ax = fig.subplots()
    ax.plot(batch_sizes, law, color=style.BLACK, ls="--", lw=2, label=r"$\sigma_g^2/B$")
    ax.plot(batch_sizes, law_fpc, color=style.BLUE, ls="-.", lw=2,
            label=r"$\frac{\sigma_g^2}{B}\,\frac{n-B}{n-1}$ (without replacement)")
    ax.errorbar(batch_sizes, measured_mean, yerr=measured_std, color=style.VERMILLION, ls="none",
                marker="o", ms=8, capsize=4, label="measured (mean ± sd over seeds)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    _style(ax, "noise of the minibatch gradient", "batch size B", r"$E\,\Vert\hat g_B - g\Vert^2$")
    b = np.asarray(batch_sizes)
    m = np.asarray(measured_mean)
    return style.set_alt(fig, (
        "Log-log chart of the variance of the minibatch gradient against the batch size B: the measured mean "
        "with ± one standard deviation over seeds as vermillion dots with error bars, the law sigma_g squared over B "
        "as a dashed black line and the law without replacement, sigma_g squared over B times (n - B)/(n - 1), as "
        f"a dash-dotted blue line. From B = {b[0]:g} to B = {b[-1]:g} the measured variance falls from "
        f"{m[0]:.3g} to {m[-1]:.3g}."))
