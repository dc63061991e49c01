"""The race slider and the figures of notebook 07 (mlp_helpers.viz.optimizers).

Expected numbers: the closed form of gradient descent on the quadratic valley (each step multiplies w1 by
1 - 1/kappa when alpha = 1), the invariance of RMSProp and Adam to a rescaled coordinate (by hand: with
g -> c g, both s and sqrt(s) scale so that g / sqrt(s) does not change), finite differences for the
gradients, the level-set equation for the contour lines, and browser_expected's plain loops (which do not
use mlp_helpers.optimizers).
"""
import html
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlp_helpers.viz import optimizers as V  # noqa: E402
from mlp_helpers.viz import style  # noqa: E402
from viz_checks import assert_labelled, find_slider, shown_png  # noqa: E402

SPAN = re.compile(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>')
POINTS = (0.0, 1.0, 2.0)  # the slider's min, middle and max


def readout(markup):
    return {k: html.unescape(v) for k, v in SPAN.findall(markup)}


@pytest.fixture(scope="module")
def demo():
    return V.make_race_demo()


@pytest.mark.parametrize("x", POINTS + (0.5, 1.3))
def test_race_callback_shows_what_plain_loops_compute(demo, x):
    numbers = V.update_race(demo, x)
    expected = V.browser_expected(x)
    assert readout(demo.readout.value) == expected
    assert V.race_texts(numbers) == expected
    assert numbers["kappa"] == pytest.approx(10 ** x)


@pytest.mark.parametrize("x", POINTS + (0.3, 1.5))
def test_sgd_on_the_quadratic_takes_the_closed_form_number_of_steps(demo, x):
    kappa = 10 ** x
    steps = V.update_race(demo, x)["quad"]["sgd"]
    # alpha = 1: w2 = 0 after one step, |w1| = 4 (1 - 1/kappa)^t; within 0.01 once that is below 0.01
    expected = 1 if kappa == 1 else int(np.ceil(np.log(4 / V.TOL) / -np.log(1 - 1 / kappa)))
    assert steps == expected


def test_rmsprop_and_adam_do_not_see_an_axis_aligned_condition_number(demo):
    for name in ("rmsprop", "adam"):
        counts = {V.update_race(demo, x)["quad"][name] for x in V.LOG_KAPPAS}
        assert len(counts) == 1 and None not in counts, (name, counts)
    # ... while SGD slows down with kappa, and everybody slows down in Rosenbrock's curved valley
    sgd = [V.update_race(demo, x)["quad"]["sgd"] for x in POINTS]
    assert sgd[0] < sgd[1] < sgd[2]
    adam = [V.update_race(demo, x)["ros"]["adam"] for x in POINTS]
    assert adam[0] < adam[1] < adam[2]


def test_the_drawn_paths_are_the_runs(demo):
    V.update_race(demo, 2.0)
    i = list(V.LOG_KAPPAS).index(2.0)
    for (problem, name), line in demo.lines.items():
        xs, ys = line.get_data()
        np.testing.assert_allclose(np.column_stack([xs, ys]), demo.table["paths"][problem][name][demo.idx, i, :])
        _, dist = demo.curves[problem, name].get_data()
        minimum = np.array(V.PROBLEMS[problem]["minimum"])
        expected = np.linalg.norm(np.column_stack([xs, ys]) - minimum, axis=1)
        np.testing.assert_allclose(dist, np.clip(expected, 1e-12, None))  # the log axis shows 1e-12 for 0


@pytest.mark.parametrize("problem", sorted(V.PROBLEMS))
@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_contour_lines_lie_on_their_levels(problem, kappa):
    lines = V.contour_lines(problem, kappa)
    pieces = np.split(lines, np.nonzero(np.isnan(lines[:, 0]))[0])
    pieces = [p[~np.isnan(p[:, 0])] for p in pieces if np.any(~np.isnan(p[:, 0]))]
    assert len(pieces) == len(V.CONTOUR_LEVELS)
    for level, piece in zip(V.CONTOUR_LEVELS, pieces):
        np.testing.assert_allclose(V.valley_loss(problem, piece, kappa), level, rtol=1e-9)


@pytest.mark.parametrize("problem", sorted(V.PROBLEMS))
def test_valley_gradient_matches_finite_differences(problem):
    rng = np.random.default_rng(0)
    h = 1e-6
    for kappa in (1.0, 7.0, 100.0):
        w = rng.normal(size=2)
        fd = [(V.valley_loss(problem, w + h * e, kappa) - V.valley_loss(problem, w - h * e, kappa)) / (2 * h)
              for e in np.eye(2)]
        np.testing.assert_allclose(V.valley_gradient(problem, w, kappa), fd, rtol=1e-6, atol=1e-8)


def test_settled_step_by_hand():
    d = np.array([5.0, 0.001, 0.5, 0.002, 0.001])  # inside from step 3 on
    assert int(V.settled_step(d)) == 3
    assert int(V.settled_step(np.array([0.001, 0.002]))) == 0
    assert int(V.settled_step(np.array([0.001, 0.5]))) == -1
    assert int(V.settled_step(np.array([1.0, np.nan]))) == -1  # a diverged run never settles


def test_off_grid_values_snap_to_the_nearest_position(demo):
    assert V.snap(1.04) == 1.0 and V.snap(1.06) == 1.1 and V.snap(-3) == 0.0 and V.snap(9) == 2.0
    assert V.update_race(demo, 1.04) == V.update_race(demo, 1.0)


def test_browser_constants_match_the_slider():
    d = V.make_race_demo(steps=50)
    slider = find_slider(d.widget, V.BROWSER_SLIDER)
    assert slider.value == V.BROWSER_DEFAULT and slider.step == V.BROWSER_STEP
    assert (slider.min, slider.max) == (V.LOG_KAPPAS[0], V.LOG_KAPPAS[-1])
    first = shown_png(d.image)
    slider.value = 2.0  # the observer redraws
    assert readout(d.readout.value)["kappa"] == "100"
    assert shown_png(d.image) != first
    assert "κ = 100" in style.get_alt(d.fig)
    assert V.browser_expected(V.BROWSER_DEFAULT) != V.browser_expected(V.BROWSER_DEFAULT + V.BROWSER_STEP)


def test_race_figure_has_titles_labels_and_one_legend(demo):
    for ax in demo.fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    texts = [t.get_text() for t in demo.fig.legends[0].get_texts()]
    assert len(demo.fig.legends) == 1 and all(RACE_LABEL in texts for RACE_LABEL, *_ in V.RACE.values())


def test_every_race_line_has_its_own_style_and_marker():
    styles = [(ls, marker) for _, _, _, _, ls, marker in V.RACE.values()]
    assert len(set(m for _, m in styles)) == len(styles)
    colours = [c for _, _, _, c, _, _ in V.RACE.values()]
    assert len(set(colours)) == len(colours) and set(colours) <= set(style.PALETTE.values())


# ------------------------------------------------------------------ static figures
def _lines(ax):
    return {line.get_label(): line.get_ydata() for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_schedules_figure():
    lrs = {"a": np.linspace(1, 0, 5), "b": np.ones(5)}
    dist = {"a": np.geomspace(1, 1e-3, 6), "b": np.ones(6)}
    fig = V.schedules_figure(lrs, dist)
    try:
        assert_labelled(fig)
        ax, ax_d = fig.axes
        np.testing.assert_array_equal(_lines(ax)["a"], lrs["a"])
        np.testing.assert_array_equal(_lines(ax_d)["a"], dist["a"])
        assert ax_d.get_yscale() == "log"
    finally:
        plt.close(fig)


def test_momentum_conventions_figure():
    d = {"velocity": np.geomspace(4, 0.1, 61), "buffer": np.geomspace(4, 0.2, 61)}
    fig = V.momentum_conventions_figure(np.arange(61), d, drops=(20, 40))
    try:
        assert_labelled(fig)
        (ax,) = fig.axes
        np.testing.assert_array_equal(_lines(ax)["buffer"], d["buffer"])
        assert [t.get_text() for t in ax.get_legend().get_texts()].count("α drops 10×") == 1
    finally:
        plt.close(fig)


def test_gradient_noise_figure():
    B = np.array([1, 2, 4, 8])
    fig = V.gradient_noise_figure(B, 1.0 / B, 0.1 / B, 1.0 / B, (1.0 / B) * (10 - B) / 9)
    try:
        assert_labelled(fig)
        (ax,) = fig.axes
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        np.testing.assert_allclose(_lines(ax)[r"$\sigma_g^2/B$"], 1.0 / B)
    finally:
        plt.close(fig)
