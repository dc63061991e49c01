r"""Figures and slider callbacks for notebook 02 (regularization).

The math is :func:`mlp_helpers.penalty` and :func:`mlp_helpers.penalty_gradients`;
this module only draws it.

* :func:`penalty_callback` - one weight ``w`` and the strength ``lam``:
  the L2 penalty :math:`\lambda w^2` with gradient :math:`2\lambda w`, and the L1
  penalty :math:`\lambda|w|` with gradient :math:`\lambda\,\mathrm{sign}(w)` (the kink at 0).
* :func:`plot_l1_l2_geometry` - loss contours with the L1 diamond and the L2 circle.
* :func:`plot_training_comparison` - decision boundaries and weight histograms
  of networks trained with no penalty, L2 and L1.
* :func:`make_measured_demo` / :func:`update_measured` (numbers:
  :func:`measured_numbers`) - the λ slider answers ONE question: *does a
  penalty raise held-out accuracy (mean ± spread over 8 seeds), L2 and L1
  at the same λ, compared with no penalty?*  The grids of runs are notebook
  06's setting (:func:`mlp_helpers.generalisation.lambda_grid`), trained once
  per kernel; the slider only looks them up.

Readouts follow the browser-test convention of :mod:`mlp_helpers.viz.forward`
(``span.mlp-readout`` with ``data-key``; :func:`browser_expected`).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import forward, penalty, penalty_gradients
from .. import generalisation as gen
from . import LiveFigure, demo_box, readout_table, show_figure, style  # noqa: F401 (show_figure: notebook 02 imports it from here)
from . import generalisation as vgen
from .forward import _View, fmt, readout_html

# ------------------------------------------------ demo: one weight, one lambda
PENALTY_DEFAULTS = {"lam": 0.01, "w": 1.5}  # seed 000's lambda for L2 and its W2[0,0]
LAM_RANGE = {"min": 0.0, "max": 0.02, "step": 0.001}
W_RANGE = {"min": -3.0, "max": 3.0, "step": 0.1}
PENALTY_LABELS = {
    "l2_penalty": "L2 penalty λw²", "l2_grad": "L2 gradient 2λw",
    "l1_penalty": "L1 penalty λ|w|", "l1_grad": "L1 gradient λ·sign(w)",
}
#: L2 blue, solid, round markers; L1 vermillion, dashed, square markers.
L2_STYLE = {"color": style.BLUE, "ls": "-", "marker": "o"}
L1_STYLE = {"color": style.VERMILLION, "ls": "--", "marker": "s"}

BROWSER_SLIDER = "w"
BROWSER_DEFAULT = PENALTY_DEFAULTS["w"]
BROWSER_STEP = W_RANGE["step"]


def penalty_texts(l2_penalty, l2_grad, l1_penalty, l1_grad):
    """Readout texts of the penalty demo (KEY -> TEXT), 6 decimals as in seed 000."""
    return {
        "l2_penalty": fmt(l2_penalty, ".6f"), "l2_grad": fmt(l2_grad, ".6f"),
        "l1_penalty": fmt(l1_penalty, ".6f"), "l1_grad": fmt(l1_grad, ".6f"),
    }


def _penalty_alt(lam, w, out):
    return ("Two line plots over the weight w from -3 to 3. Left: the L2 penalty λw² (blue solid parabola) and the "
            "L1 penalty λ|w| (vermillion dashed V with its kink at w = 0). Right: their gradients, the straight "
            "line 2λw (blue solid) and the step λ·sign(w) (vermillion dashed), with a dotted vertical segment at "
            f"w = 0 for L1's kink. Now λ = {float(lam):.3f} and w = {float(w):.1f}: L2 penalty "
            f"{out['l2_penalty']:.6f}, gradient {out['l2_grad']:.6f}; L1 penalty {out['l1_penalty']:.6f}, "
            f"gradient {out['l1_grad']:.6f}.")


def penalty_callback(lam=0.01, w=1.5, view=None):
    r"""Slider callback of the penalty demo for a single weight ``w``.

    Returns a dict of floats ``l2_penalty`` (:math:`\lambda w^2`), ``l2_grad``
    (:math:`2\lambda w`), ``l1_penalty`` (:math:`\lambda|w|`), ``l1_grad``
    (:math:`\lambda\,\mathrm{sign}(w)`, 0 at ``w = 0``), and ``texts``.
    With a ``view`` (from :func:`penalty_view`) it also redraws the figure.
    """
    params = {"W1": np.array([[float(w)]]), "b1": np.zeros(1)}  # a one-weight network
    out = {
        "l2_penalty": penalty(params, lam, "l2"),
        "l2_grad": float(penalty_gradients(params, lam, "l2")["W1"][0, 0]),
        "l1_penalty": penalty(params, lam, "l1"),
        "l1_grad": float(penalty_gradients(params, lam, "l1")["W1"][0, 0]),
    }
    out["texts"] = penalty_texts(**out)
    if view is not None:
        ws = view.ws
        view.curve_l2.set_ydata(lam * ws ** 2)
        view.curve_l1.set_ydata(lam * np.abs(ws))
        view.grad_l2.set_ydata(2 * lam * ws)
        view.grad_l1.set_ydata(lam * np.sign(ws) + view.gap)
        view.kink.set_ydata([-lam, lam])
        view.mark_l2.set_data([w], [out["l2_penalty"]])
        view.mark_l1.set_data([w], [out["l1_penalty"]])
        view.mark_g2.set_data([w], [out["l2_grad"]])
        view.mark_g1.set_data([w], [out["l1_grad"]])
        view.live.render(_penalty_alt(lam, w, out))
        view.html.value = readout_html(out["texts"], PENALTY_LABELS)
    return out


def browser_expected(value):
    """Readout texts with slider ``w`` at ``value`` and ``lam`` at its default,
    computed with plain numpy from the definitions (not through the callback)."""
    lam, w = PENALTY_DEFAULTS["lam"], float(value)
    return penalty_texts(lam * w * w, 2 * lam * w, lam * abs(w), lam * float(np.sign(w)))


@style.styled
def penalty_view(dpi=style.LIVE_DPI):
    """Build the penalty demo's figure once (outside pyplot) and its widgets."""
    import ipywidgets as widgets

    lam, w = PENALTY_DEFAULTS["lam"], PENALTY_DEFAULTS["w"]
    ws = np.linspace(W_RANGE["min"], W_RANGE["max"], 601)  # contains w = 0 exactly
    gap = np.where(ws == 0.0, np.nan, 0.0)  # break the L1 gradient line at its jump
    fig = style.new_figure(8.5, 4.0, dpi=dpi)
    a0, a1 = fig.subplots(1, 2)
    l2, l1 = L2_STYLE, L1_STYLE
    (curve_l2,) = a0.plot(ws, lam * ws ** 2, color=l2["color"], ls=l2["ls"], label="L2: λw²")
    (curve_l1,) = a0.plot(ws, lam * np.abs(ws), color=l1["color"], ls=l1["ls"], label="L1: λ|w|")
    (mark_l2,) = a0.plot([w], [lam * w * w], l2["marker"], color=l2["color"], ms=9)
    (mark_l1,) = a0.plot([w], [lam * abs(w)], l1["marker"], color=l1["color"], ms=9)
    lam_max, w_max = LAM_RANGE["max"], W_RANGE["max"]
    a0.set_ylim(-0.01, 1.05 * lam_max * w_max ** 2)
    a0.set_title("Penalty of one weight")
    a0.set_xlabel("weight w")
    a0.set_ylabel("penalty")
    a0.legend(loc="upper center")
    (grad_l2,) = a1.plot(ws, 2 * lam * ws, color=l2["color"], ls=l2["ls"], label="L2: 2λw")
    (grad_l1,) = a1.plot(ws, lam * np.sign(ws) + gap, color=l1["color"], ls=l1["ls"], label="L1: λ·sign(w)")
    (kink,) = a1.plot([0.0, 0.0], [-lam, lam], ":", color=l1["color"], lw=3,
                      label="L1 kink: any slope\nin [-λ, λ]")
    (mark_g2,) = a1.plot([w], [2 * lam * w], l2["marker"], color=l2["color"], ms=9)
    (mark_g1,) = a1.plot([w], [lam * np.sign(w)], l1["marker"], color=l1["color"], ms=9)
    a1.set_ylim(-2.2 * lam_max * w_max, 2.2 * lam_max * w_max)
    a1.axhline(0, color=style.LIGHT_GREY, lw=0.8)
    a1.set_title("Its gradient (added to ∂L/∂w)")
    a1.set_xlabel("weight w")
    a1.set_ylabel("d penalty / dw")
    a1.legend(loc="upper left")
    animated = [curve_l2, curve_l1, mark_l2, mark_l1, grad_l2, grad_l1, kink, mark_g2, mark_g1]
    live = LiveFigure(fig, animated, _penalty_alt(lam, w, penalty_callback(lam, w)))
    return _View(fig=fig, ws=ws, gap=gap, curve_l2=curve_l2, curve_l1=curve_l1, grad_l2=grad_l2,
                 grad_l1=grad_l1, kink=kink, mark_l2=mark_l2, mark_l1=mark_l1, mark_g2=mark_g2,
                 mark_g1=mark_g1, live=live, image=live.widget, html=widgets.HTML())


def penalty_demo():
    """The slider demo (sliders ``lam`` and ``w``); returns ``(box, view)`` (re-running it closes the previous copy)."""
    import ipywidgets as widgets

    view = penalty_view()
    lam = widgets.FloatSlider(value=PENALTY_DEFAULTS["lam"], description="lam", readout_format=".3f",
                              continuous_update=True, **LAM_RANGE)
    w = widgets.FloatSlider(value=PENALTY_DEFAULTS["w"], description="w", readout_format=".1f",
                            continuous_update=True, **W_RANGE)

    def on_change(_change=None):
        penalty_callback(lam.value, w.value, view=view)

    lam.observe(on_change, names="value")
    w.observe(on_change, names="value")
    on_change()
    return demo_box("penalty", [widgets.HBox([widgets.VBox([lam, w]), view.html]), view.image], view.live), view


# --------------------------------------------------------------- geometry
@style.styled
def plot_l1_l2_geometry(a, c, w_l1, w_l2, figsize=(8.0, 5.2)):
    r"""Contours of the data loss :math:`\tfrac12\sum_i a_i (w_i - c_i)^2`, the L1 diamond
    :math:`|w_1| + |w_2| = \|w_{L1}\|_1` and the L2 circle :math:`\|w\|_2 = \|w_{L2}\|_2`.

    a, c : shape ``(2,)``, curvatures and the unpenalised minimum.
    w_l1, w_l2 : shape ``(2,)``, the minima with the L1 and the L2 penalty.
    Returns ``fig`` (the legend sits beside the plot, off the data).
    """
    from matplotlib.lines import Line2D

    a, c, w_l1, w_l2 = (np.asarray(v, dtype=float) for v in (a, c, w_l1, w_l2))
    g = np.linspace(-1.6, 2.6, 241)
    W1, W2 = np.meshgrid(g, g)
    data = 0.5 * (a[0] * (W1 - c[0]) ** 2 + a[1] * (W2 - c[1]) ** 2)

    def data_loss(w):
        return 0.5 * float(np.sum(a * (w - c) ** 2))

    fig = style.new_figure(*figsize)
    ax = fig.add_subplot()
    ax.contour(W1, W2, data, levels=np.linspace(0.05, 4.0, 12), colors=style.LIGHT_GREY, linewidths=1.0)
    ax.contour(W1, W2, data, levels=sorted([data_loss(w_l1), data_loss(w_l2)]),
               colors=[style.PURPLE, style.PURPLE], linewidths=1.8, linestyles=":")
    t = float(np.sum(np.abs(w_l1)))
    ax.plot([t, 0, -t, 0, t], [0, t, 0, -t, 0], color=L1_STYLE["color"], ls=L1_STYLE["ls"], lw=2.5)
    r = float(np.linalg.norm(w_l2))
    th = np.linspace(0, 2 * np.pi, 200)
    ax.plot(r * np.cos(th), r * np.sin(th), color=L2_STYLE["color"], ls=L2_STYLE["ls"], lw=2.5)
    ax.plot(*c, "*", color=style.BLACK, ms=16)
    ax.plot(*w_l1, L1_STYLE["marker"], color=L1_STYLE["color"], ms=11, mec=style.BLACK)
    ax.plot(*w_l2, L2_STYLE["marker"], color=L2_STYLE["color"], ms=11, mec=style.BLACK)
    ax.axhline(0, color=style.GREY, lw=0.8)
    ax.axvline(0, color=style.GREY, lw=0.8)
    ax.set_aspect("equal")
    ax.set_xlabel("weight w1")
    ax.set_ylabel("weight w2")
    ax.set_title("Why L1 gives exact zeros:\nthe diamond's corner")
    handles = [
        Line2D([], [], color=style.LIGHT_GREY, lw=1.0, label="data-loss contours"),
        Line2D([], [], color=style.PURPLE, ls=":", lw=1.8, label="contour through\neach solution"),
        Line2D([], [], color=style.BLACK, marker="*", ls="", ms=14,
               label=f"no penalty\n({c[0]:.2f}, {c[1]:.2f})"),
        Line2D([], [], color=L1_STYLE["color"], ls=L1_STYLE["ls"], marker=L1_STYLE["marker"], mec=style.BLACK,
               ms=10, label=f"L1 diamond, solution\n({w_l1[0]:.2f}, {w_l1[1]:.2f})"),
        Line2D([], [], color=L2_STYLE["color"], ls=L2_STYLE["ls"], marker=L2_STYLE["marker"], mec=style.BLACK,
               ms=10, label=f"L2 circle, solution\n({w_l2[0]:.2f}, {w_l2[1]:.2f})"),
    ]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), labelspacing=0.9)
    style.set_alt(fig, (
        f"Contour plot of the data loss over two weights w1 and w2, with its unpenalised minimum (black star) at "
        f"({c[0]:.2f}, {c[1]:.2f}). The L1 ball is a diamond (vermillion dashed) and the L2 ball a circle (blue "
        f"solid), each drawn through its solution. The L1 solution (square) sits on the diamond's corner at "
        f"({w_l1[0]:.2f}, {w_l1[1]:.2f}), so one weight is exactly zero; the L2 solution (circle) at "
        f"({w_l2[0]:.2f}, {w_l2[1]:.2f}) has both weights shrunk but non-zero."))
    return fig


# ------------------------------------------------------------ training runs
@style.styled
def plot_training_comparison(runs, X, y, figsize=(8.5, 6.6), grid=90):
    """Decision boundaries (top row) and weight histograms (bottom row) of trained networks.

    runs : list of ``(title, params)``; params in the rows layout, ReLU hidden
        layers and a softmax output over 2 classes.
    X : shape ``(n_samples, 2)``; y : int labels ``(n_samples,)``.
    Returns ``fig``; one legend below the panels, so none covers data.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    X, y = np.asarray(X, dtype=float), np.asarray(y)
    pad = 0.5
    gx = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, grid)
    gy = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, grid)
    GX, GY = np.meshgrid(gx, gy)
    G = np.column_stack([GX.ravel(), GY.ravel()])
    all_w = np.concatenate([np.concatenate([np.ravel(p[k]) for k in p if k.startswith("W")]) for _, p in runs])
    bins = np.linspace(all_w.min(), all_w.max(), 41)
    fig = style.new_figure(*figsize)
    axes = fig.subplots(2, len(runs), squeeze=False, gridspec_kw={"height_ratios": [1.15, 1]})
    summaries = []
    for col, (title, params) in enumerate(runs):
        ax = axes[0, col]
        P = forward(params, G)["Yhat"][:, 1].reshape(GX.shape)
        ax.contourf(GX, GY, P, levels=np.linspace(0, 1, 11), cmap=style.PROBABILITY_CMAP, alpha=0.3)
        ax.contour(GX, GY, P, levels=[0.5], colors=style.BLACK, linewidths=2.0)
        for k, st in enumerate(style.CLASS_STYLE):
            ax.scatter(X[y == k, 0], X[y == k, 1], s=26, color=st["color"], marker=st["marker"],
                       edgecolor=style.BLACK, linewidths=0.5, label=f"class {k}")
        ax.set_title(title)
        ax.set_xlabel("feature x1")
        ax.set_ylabel("feature x2")
        ax2 = axes[1, col]
        w = np.concatenate([np.ravel(params[k]) for k in params if k.startswith("W")])
        ax2.hist(w, bins=bins, color=style.GREY, label="weights")
        ax2.set_yscale("log")
        ax2.set_title(f"Σw² = {float(np.sum(w * w)):.1f}")
        ax2.set_xlabel("weight value")
        ax2.set_ylabel("count (log scale)")
        summaries.append(f"{title}: sum of squared weights {float(np.sum(w * w)):.1f}")
    handles = [
        Line2D([], [], ls="", marker=st["marker"], color=st["color"], mec=style.BLACK, ms=8, label=f"class {k}")
        for k, st in enumerate(style.CLASS_STYLE)
    ] + [
        Line2D([], [], color=style.BLACK, lw=2, label="boundary ŷ2 = 0.5"),
        Patch(facecolor=style.GREY, label=f"histogram of the {all_w.size // len(runs)} weights"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, handletextpad=0.4, columnspacing=1.2)
    style.set_alt(fig, (
        f"{len(runs)} columns, one per trained network ({', '.join(t for t, _ in runs)}). Top row: the training "
        "points of the two classes (blue circles and orange triangles) on the network's class probability, with "
        "the decision boundary as a black line. Bottom row: histograms of all weights on a log scale. "
        + "; ".join(summaries) + "."))
    return fig



# ------------------------------------- measured: does a penalty help on new data?
MEASURED_SLIDER = "log10 λ"
MEASURED_DEFAULT = -2.0
MEASURED_STEP = 0.5
MEASURED_MIN, MEASURED_MAX = vgen.LOG_MIN, vgen.LOG_MAX
#: (penalty kind, name shown, style): the same styles as the penalty demo (never colour alone).
MEASURED_KINDS = (("l2", "L2", L2_STYLE), ("l1", "L1", L1_STYLE))
MEASURED_LABELS = {
    "lam": "λ",
    "base": "no penalty: held-out mean ± std",
    "l2_test": "L2: held-out mean ± std",
    "l2_gain": "L2: gain over no penalty",
    "l2_helped": "L2: seeds where it helped",
    "l2_train": "L2: training accuracy, mean",
    "l1_test": "L1: held-out mean ± std",
    "l1_gain": "L1: gain over no penalty",
    "l1_helped": "L1: seeds where it helped",
    "l1_train": "L1: training accuracy, mean",
}
ALT_MEASURED = (
    "Two line charts against the penalty strength λ on a log axis, each point the mean over 8 seeds with a shaded "
    "band of ± one standard deviation: L2 as a blue solid line with round markers, L1 as a vermillion dashed line "
    "with square markers. Left: held-out accuracy, with the unpenalised network (λ = 0) as a black dotted line and "
    "a grey band. Right: the gain, each seed's held-out accuracy minus the same seed's λ = 0 run, with a black "
    "dotted line at zero. A thin vertical line and a large marker on each curve show the slider's λ.")


def measured_numbers(log10_lam):
    """The measured numbers at the grid point nearest ``log10_lam`` (in ``[-3, -0.5]``).

    Returns a dict: ``lam``; ``base_mean``/``base_std`` (λ = 0, the same runs for both
    penalties); and for ``"l2"`` and ``"l1"`` the dict of
    :func:`mlp_helpers.viz.generalisation.lambda_demo_numbers` (``test_mean``,
    ``test_std``, ``gain``, ``gain_std``, ``helped``, ``train_mean``, ...); and ``texts``
    (KEY -> the readout's text).
    """
    out = {kind: vgen.lambda_demo_numbers(log10_lam, kind) for kind, _, _ in MEASURED_KINDS}
    out["lam"] = out["l2"]["lam"]
    out["base_mean"], out["base_std"] = out["l2"]["base_mean"], out["l2"]["base_std"]
    texts = {"lam": f"{out['lam']:.4f}", "base": f"{out['base_mean']:.1%} ± {out['base_std']:.1%}"}
    for kind, _, _ in MEASURED_KINDS:
        n = out[kind]
        texts.update({f"{kind}_test": f"{n['test_mean']:.1%} ± {n['test_std']:.1%}",
                      f"{kind}_gain": f"{n['gain']:+.1%} ± {n['gain_std']:.1%}",
                      f"{kind}_helped": f"{n['helped']}", f"{kind}_train": f"{n['train_mean']:.1%}"})
    out["texts"] = texts
    return out


def measured_expected(value):
    """Readout texts with the λ slider at ``value``, from the grids with plain numpy (not the callback)."""
    i = 1 + int(np.argmin([abs(x - float(value)) for x in gen.LOG10_LAMBDAS]))
    _, te0 = gen.lambda_grid()
    texts = {"lam": f"{10.0 ** gen.LOG10_LAMBDAS[i - 1]:.4f}",
             "base": f"{np.mean(te0[0]):.1%} ± {np.std(te0[0], ddof=1):.1%}"}
    for kind, _, _ in MEASURED_KINDS:
        tr, te = gen.lambda_grid(penalty_kind=kind)
        d = te[i] - te[0]
        texts.update({f"{kind}_test": f"{np.mean(te[i]):.1%} ± {np.std(te[i], ddof=1):.1%}",
                      f"{kind}_gain": f"{np.mean(d):+.1%} ± {np.std(d, ddof=1):.1%}",
                      f"{kind}_helped": f"{int((d > 0).sum())} of {d.size}", f"{kind}_train": f"{np.mean(tr[i]):.1%}"})
    return texts


def _measured_alt(numbers):
    l2, l1 = numbers["l2"], numbers["l1"]
    return (f"{ALT_MEASURED} At λ = {numbers['lam']:.4f}: L2 {l2['test_mean']:.1%} ± {l2['test_std']:.1%} "
            f"(gain {l2['gain']:+.1%}, helped {l2['helped']} seeds), L1 {l1['test_mean']:.1%} ± "
            f"{l1['test_std']:.1%} (gain {l1['gain']:+.1%}, helped {l1['helped']} seeds), against "
            f"{numbers['base_mean']:.1%} ± {numbers['base_std']:.1%} without a penalty.")


@style.styled
def make_measured_demo(log10_lam=MEASURED_DEFAULT, dpi=style.LIVE_DPI):
    """Build the measured demo: held-out accuracy (mean ± std over the seeds) against λ for L2
    and L1, the λ = 0 baseline, and markers at the slider's λ.

    Trains the two grids on first use (about 2.5 s; then remembered by the kernel).
    Left panel: held-out accuracy; right panel: the gain over the same seed's λ = 0 run.
    Returns a namespace with ``fig``, ``ax``, ``ax_gain``, ``vlines``, ``markers`` and
    ``gain_markers`` (kind -> artist),
    ``slider``, ``image``, ``readout``, ``live``, ``alt`` (``ALT_MEASURED``) and ``widget``
    (the box to display; building the demo again closes the previous copy's widgets).
    """
    import ipywidgets as widgets

    lams = np.array(gen.LAMBDAS[1:])
    fig = style.new_figure(8.5, 5.0, dpi=dpi)
    ax, ax_gain = fig.subplots(1, 2)
    _, te0 = gen.lambda_grid()
    b, bs = te0[0].mean(), te0[0].std(ddof=1)
    ax.axhspan(b - bs, b + bs, color=style.LIGHT_GREY, alpha=0.35, lw=0)
    ax.axhline(b, color=style.BLACK, ls=":", lw=2, label="no penalty (λ = 0)")
    ax_gain.axhline(0.0, color=style.BLACK, ls=":", lw=2)
    markers, gain_markers = {}, {}
    for kind, name, st in MEASURED_KINDS:
        _, te = gen.lambda_grid(penalty_kind=kind)
        m, s = te[1:].mean(axis=1), te[1:].std(axis=1, ddof=1)
        d = te[1:] - te[0]
        dm, ds = d.mean(axis=1), d.std(axis=1, ddof=1)
        for a, mean, spread in ((ax, m, s), (ax_gain, dm, ds)):
            a.fill_between(lams, mean - spread, mean + spread, color=st["color"], alpha=0.15, lw=0)
            a.plot(lams, mean, color=st["color"], ls=st["ls"], marker=st["marker"], ms=7, lw=2.2,
                   label=f"{name}, mean ± std over seeds")
        ms = 18 if kind == "l2" else 11  # L1's square drawn smaller, on top: both stay visible where they meet
        (markers[kind],) = ax.plot([], [], marker=st["marker"], ms=ms, color=st["color"], mec=style.BLACK, mew=1.5,
                                   ls="none", animated=True)
        (gain_markers[kind],) = ax_gain.plot([], [], marker=st["marker"], ms=ms, color=st["color"], mec=style.BLACK,
                                             mew=1.5, ls="none", animated=True)
    vlines = [a.axvline(lams[0], color=style.GREY, lw=1.2, animated=True) for a in (ax, ax_gain)]
    for a in (ax, ax_gain):
        a.set_xscale("log")
        a.set_xlabel("penalty strength λ (log scale)")
        a.grid(True)
    ax.set_ylim(0.3, 1.0)
    ax.set_ylabel("held-out accuracy")
    ax.set_title("Held-out accuracy")
    ax_gain.set_ylim(-0.3, 0.1)
    ax_gain.set_ylabel("held-out accuracy minus\nthe same seed's λ = 0 run")
    ax_gain.set_title("Gain over no penalty")
    fig.suptitle(f"{len(gen.SEEDS)} seeds, {gen.OVERFIT['n_train']} noisy training points, "
                 f"{gen.OVERFIT['width']} hidden neurons", fontsize=13)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3)
    demo = SimpleNamespace(fig=fig, ax=ax, ax_gain=ax_gain, vlines=vlines, markers=markers,
                           gain_markers=gain_markers, alt=ALT_MEASURED)
    demo.live = LiveFigure(fig, (*vlines, *markers.values(), *gain_markers.values()), ALT_MEASURED)
    demo.slider = widgets.FloatSlider(value=log10_lam, min=MEASURED_MIN, max=MEASURED_MAX, step=MEASURED_STEP,
                                      description=MEASURED_SLIDER, readout_format=".1f",
                                      style={"description_width": "initial"})
    demo.image = demo.live.widget
    demo.readout = widgets.HTML()
    demo.slider.observe(lambda change: update_measured(demo, change["new"]), names="value")
    update_measured(demo, log10_lam)
    demo.widget = demo_box("measured", [demo.slider, widgets.HBox([demo.image, demo.readout])], demo.live)
    return demo


def update_measured(demo, log10_lam):
    """The λ slider callback: move the markers and the vertical line, redraw, and return
    :func:`measured_numbers` (a look-up in the trained grids; nothing is trained)."""
    numbers = measured_numbers(log10_lam)
    for vline in demo.vlines:
        vline.set_xdata([numbers["lam"], numbers["lam"]])
    for kind, _, _ in MEASURED_KINDS:
        demo.markers[kind].set_data([numbers["lam"]], [numbers[kind]["test_mean"]])
        demo.gain_markers[kind].set_data([numbers["lam"]], [numbers[kind]["gain"]])
    demo.live.render(_measured_alt(numbers))
    demo.readout.value = readout_table([(k, MEASURED_LABELS[k], numbers["texts"][k]) for k in MEASURED_LABELS])
    return numbers
