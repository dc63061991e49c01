"""The slider callbacks and figures of notebook 09 (mlp_helpers.viz.dropout).

Expected numbers: the unregularised runs are re-trained with the public
``mlp_helpers.train`` (full batch, same initial weights) and scored with a
plain-numpy forward pass; the patience readouts come from
``browser_expected``'s vectorised stopping rule (not the callback's loop).
"""
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mlp_helpers as mh  # noqa: E402
from mlp_helpers.viz import dropout as vd  # noqa: E402
from viz_checks import assert_labelled, shown_png  # noqa: E402
from mlp_helpers.viz import style  # noqa: E402


def readout_values(html):
    return dict(re.findall(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>', html))


def numpy_accuracy(params, X, y):
    H = X
    L = len(params) // 2
    for l in range(1, L):
        H = np.maximum(0.0, H @ params[f"W{l}"] + params[f"b{l}"])
    Z = H @ params[f"W{L}"] + params[f"b{L}"]
    return float(np.mean(np.argmax(Z, axis=1) == y))


def public_train_accuracies(seed, width):
    (X, y), _, (Xt, yt) = vd.data(seed)
    sizes = [2, width, width, 2]
    params, _ = mh.train(mh.init_params(sizes, seed=seed), X, y, epochs=vd.SETTING["epochs"],
                         lr=vd.SETTING["lr"], batch_size=len(X), record=None)
    return numpy_accuracy(params, X, y), numpy_accuracy(params, Xt, yt)


@pytest.fixture(scope="module")
def result():
    return vd.measure()


def test_measurement_unregularised_matches_public_train(result):
    train_acc, test_acc = public_train_accuracies(0, vd.SETTING["hidden"][0])
    assert result["acc"]["none"][0] == pytest.approx(test_acc, abs=1e-12)


def test_measurement_summary_is_mean_and_spread_over_seeds(result):
    assert result["seeds"] == vd.SEEDS and len(vd.SEEDS) >= 5
    for m in vd.METHODS:
        a = result["acc"][m]
        assert a.shape == (len(vd.SEEDS),)
        assert result["mean"][m] == pytest.approx(sum(a) / len(a))
        assert result["std"][m] == pytest.approx(np.sqrt(np.mean((a - a.mean()) ** 2)))
        d = a - result["acc"]["none"]
        assert result["gain"][m] == pytest.approx(d.mean())
        assert result["wins"][m] == int(np.sum(d > 0))


def test_the_notebooks_claims_hold(result):
    # The notebook says: unregularised, the net fits the training set (>= 95 %) better than held-out data;
    # input noise and early stopping beat it on every seed; dropout on average and never loses.
    assert result["train_acc"]["none"] >= 0.95
    assert result["mean"]["none"] < result["train_acc"]["none"] - 0.1
    for m in ("input noise", "early stopping"):
        assert result["wins"][m] == len(vd.SEEDS), m
        assert result["gain"][m] > result["gain_std"][m] / np.sqrt(len(vd.SEEDS)), m
    assert result["gain"]["dropout"] > 0
    assert np.all(result["acc"]["dropout"] >= result["acc"]["none"])


def test_measurement_figure_is_labelled_and_readable(result):
    fig = vd.measurement_figure(result)
    assert_labelled(fig)
    sizes = [t.get_fontsize() for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]
    assert min(sizes) >= 12
    assert style.get_alt(fig).startswith(vd.ALT_MEASUREMENT)


# --------------------------------------------------------------- patience demo
@pytest.fixture(scope="module")
def patience_demo():
    return vd.make_patience_demo()


PATIENCE_POINTS = [vd.PATIENCE_MIN, (vd.PATIENCE_MIN + vd.PATIENCE_MAX) // 2, vd.PATIENCE_MAX]


@pytest.mark.parametrize("patience", PATIENCE_POINTS + [vd.BROWSER_DEFAULT, vd.BROWSER_DEFAULT + vd.BROWSER_STEP, 4])
def test_patience_callback_matches_browser_expected(patience_demo, patience):
    numbers = vd.update_patience(patience_demo, patience)
    assert readout_values(patience_demo.readout.value) == vd.browser_expected(patience)
    assert numbers["best"] <= numbers["stop"]
    assert patience_demo.best_pt.get_data()[0][0] == numbers["best"]
    assert patience_demo.stop_line.get_xdata()[0] == numbers["stop"]
    shown_png(patience_demo.image)
    assert f"stops after epoch {numbers['stop']} and keeps epoch {numbers['best']}" in style.get_alt(patience_demo.fig)


def test_too_little_patience_keeps_a_worse_epoch():
    # the notebook's answer: patience 2 stops at the first bump; from 4 epochs on the same, better epoch is kept
    short, enough = vd.browser_expected(2), vd.browser_expected(4)
    assert float(short["test_accuracy"]) < float(enough["test_accuracy"])
    assert {vd.browser_expected(p)["best"] for p in range(4, vd.PATIENCE_MAX + 1, 2)} == {enough["best"]}


def test_patience_figure_labelled(patience_demo):
    assert_labelled(patience_demo.fig)


# ------------------------------------------------------------------ width demo
@pytest.fixture(scope="module")
def width_demo():
    return vd.make_width_demo()


@pytest.mark.parametrize("width", [vd.WIDTHS[0], vd.WIDTHS[len(vd.WIDTHS) // 2], vd.WIDTHS[-1]])
def test_width_callback_matches_public_train(width_demo, width):
    numbers = vd.update_width(width_demo, width)
    train_acc, test_acc = public_train_accuracies(vd.WIDTH_SEED, width)
    assert numbers["train_accuracy"] == pytest.approx(train_acc, abs=1e-12)
    assert numbers["test_accuracy"] == pytest.approx(test_acc, abs=1e-12)
    n_weights = sum(v.size for v in mh.init_params([2, width, width, 2]).values())
    assert numbers["weights"] == n_weights
    shown = readout_values(width_demo.readout.value)
    assert shown["width"] == str(width)
    assert shown["test_accuracy"] == f"{test_acc:.3f}"
    shown_png(width_demo.image)
    assert f"At width {width} " in style.get_alt(width_demo.fig)


def test_width_figure_labelled(width_demo):
    assert_labelled(width_demo.fig)
