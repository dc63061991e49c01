"""The slider callbacks and figures of notebook 04 (mlp_helpers.viz.update).

Expected numbers: the closed form of gradient descent on the quadratic bowl
(each step multiplies w_i by 1 - lr a_i), and, for the training demo,
accuracies and losses recomputed here from the returned parameters with a
plain-numpy forward pass on the moons data.
"""
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlp_helpers.datasets import make_moons, train_test_split  # noqa: E402
from mlp_helpers.viz import update as up  # noqa: E402
from viz_checks import assert_labelled, shown_png  # noqa: E402

A = np.array([1.0, 10.0])
START = np.array([-4.0, 1.5])


def readout_values(html):
    return dict(re.findall(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>', html))


# ------------------------------------------------------- learning-rate demo
@pytest.fixture(scope="module")
def lr_demo():
    return up.make_lr_demo()


LR_POINTS = [up.LR_MIN, round((up.LR_MIN + up.LR_MAX) / 2, 2), up.LR_MAX]


@pytest.mark.parametrize("lr", LR_POINTS + [0.1, 0.2, 0.21])
def test_lr_callback_matches_closed_form(lr_demo, lr):
    r = up.update_lr(lr_demo, lr)
    k = np.arange(up.N_STEPS + 1)[:, None]
    path = START * (1 - lr * A) ** k
    np.testing.assert_allclose(r["path"], path, rtol=1e-12, atol=1e-12)
    losses = 0.5 * (A * path ** 2).sum(axis=1)
    np.testing.assert_allclose(r["losses"], losses, rtol=1e-12)
    assert r["factor_w1"] == pytest.approx(abs(1 - lr))
    assert r["factor_w2"] == pytest.approx(abs(1 - 10 * lr))
    xs, ys = lr_demo.path.get_data()
    np.testing.assert_allclose(np.column_stack([xs, ys]), path, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lr, verdict", [(0.01, "too small"), (0.05, "too small"), (0.1, "good"),
                                         (0.19, "good"), (0.2, "oscillates"), (0.21, "diverges"),
                                         (0.22, "diverges")])
def test_lr_verdicts(lr, verdict):
    # too small: 30 steps lower the loss < 100x; stable iff |1 - 10 lr| < 1, i.e. lr < 0.2
    assert up.lr_trajectory(lr)["verdict"] == verdict


@pytest.mark.parametrize("lr", LR_POINTS + [up.BROWSER_DEFAULT, 0.2, 0.21])
def test_lr_browser_expected_equals_readout(lr_demo, lr):
    up.update_lr(lr_demo, lr)
    assert readout_values(lr_demo.readout.value) == up.browser_expected(lr)


def test_lr_browser_constants_match_the_slider():
    d = up.make_lr_demo()
    assert d.slider.description == up.BROWSER_SLIDER
    assert d.slider.value == up.BROWSER_DEFAULT
    assert d.slider.step == up.BROWSER_STEP
    assert (d.slider.min, d.slider.max) == (up.LR_MIN, up.LR_MAX)
    first = shown_png(d.image)
    d.slider.value = 0.21  # the observer redraws
    assert readout_values(d.readout.value)["verdict"] == "diverges"
    assert shown_png(d.image) != first


def test_lr_figure_has_title_labels_legend(lr_demo):
    assert_labelled(lr_demo.fig)
    assert len(lr_demo.fig.legends) == 1 and len(lr_demo.fig.legends[0].get_texts()) == 5


# ----------------------------------------------------------- training demo
def numpy_forward_logits(params, X):
    h = np.maximum(X @ params["W1"] + params["b1"], 0)
    return h @ params["W2"] + params["b2"]


def numpy_mean_ce(Z, y):
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y])


@pytest.fixture(scope="module")
def train_demo():
    return up.make_training_demo()


@pytest.mark.parametrize("lr, lam", [(0.1, 0.0), (1.5, 0.005), (3.0, 0.01), (1.5, 0.0)])
def test_training_callback_numbers(train_demo, lr, lam):
    r = up.update_training(train_demo, lr, lam)
    X, y = make_moons(200, 0.2, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.25, seed=0)
    p = r["params"]
    assert p["W1"].shape == (2, 16) and p["W2"].shape == (16, 2)
    Z_tr, Z_te = numpy_forward_logits(p, X_tr), numpy_forward_logits(p, X_te)
    assert r["train_acc"] == pytest.approx(np.mean(Z_tr.argmax(1) == y_tr))
    assert r["test_acc"] == pytest.approx(np.mean(Z_te.argmax(1) == y_te))
    penalty = lam * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))  # lam * sum w^2, biases not penalised
    assert r["loss"] == pytest.approx(numpy_mean_ce(Z_tr, y_tr) + penalty, rel=1e-10)
    assert len(r["history"]["loss"]) == len(r["history"]["val_accuracy"]) == up.EPOCHS
    assert r["history"]["val_accuracy"][-1] == pytest.approx(r["test_acc"])
    shown = readout_values(train_demo.readout.value)
    assert shown == {"lr": f"{lr:.2f}", "lam": f"{lam:.3f}", "loss": f"{r['loss']:.4f}",
                     "train_acc": f"{r['train_acc']:.1%}", "test_acc": f"{r['test_acc']:.1%}"}
    # the decision regions drawn are the network's P(class 1) on the grid
    g1, g2 = up._GRID
    Z = numpy_forward_logits(p, np.column_stack([g1.ravel(), g2.ravel()]))
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(train_demo.field.get_array(), (e[:, 1] / e.sum(axis=1)).reshape(g1.shape),
                               rtol=1e-9, atol=1e-12)
    xs, ys = train_demo.val_line.get_data()
    np.testing.assert_allclose(ys, r["history"]["val_accuracy"])


def test_training_default_learns_and_lambda_shrinks_weights():
    plain, decayed = up.train_moons(1.5, 0.0), up.train_moons(1.5, 0.01)
    assert plain["test_acc"] >= 0.9 and plain["train_acc"] >= 0.9
    norm = lambda p: np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2)  # noqa: E731
    assert norm(decayed["params"]) < 0.5 * norm(plain["params"])


def test_training_sliders_drive_the_callback():
    d = up.make_training_demo()
    d.lam_slider.value = 0.01
    assert readout_values(d.readout.value)["lam"] == "0.010"
    d.lr_slider.value = 0.1
    assert readout_values(d.readout.value)["lr"] == "0.10"
    assert (0.1, 0.01) in d.cache


def test_training_figure_has_titles_labels_legend(train_demo):
    for ax in train_demo.fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(train_demo.fig.legends) == 1 and len(train_demo.fig.legends[0].get_texts()) == 8


# ------------------------------------------- notebook 04: what λ does on the moons, over seeds
import mlp_helpers as mh  # noqa: E402


def _direct_run(lam, seed, lr=up.TRAIN_LR_DEFAULT):
    """The run written out with mlp_helpers.train and the data built here (not through train_moons)."""
    X, y = make_moons(200, noise=0.2, seed=seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.25, seed=seed)
    p, _ = mh.train(mh.init_params([2, 16, 2], seed=seed), X_tr, y_tr, epochs=60, lr=lr, batch_size=50, lam=lam,
                    seed=seed)
    Z_tr, Z_te = numpy_forward_logits(p, X_tr), numpy_forward_logits(p, X_te)
    return float(np.mean(Z_tr.argmax(1) == y_tr)), float(np.mean(Z_te.argmax(1) == y_te))


@pytest.mark.parametrize("i, seed", [(0, 3), (3, 5), (4, 7)])
def test_moons_grid_entry_matches_a_direct_training_run(i, seed):
    tr, te = up.moons_lambda_grid()
    assert tr.shape == te.shape == (len(up.MOONS_LAMBDAS), len(up.MOONS_SEEDS))
    assert (tr[i, seed], te[i, seed]) == pytest.approx(_direct_run(up.MOONS_LAMBDAS[i], seed))


def test_on_the_moons_a_penalty_does_not_help():
    """What notebook 04's text says, as inequalities over the 8 seeds: the network does not overfit, λ = 0.001 is
    within noise, and from λ = 0.003 on the mean held-out accuracy falls, with training accuracy (underfitting)."""
    tr, te = up.moons_lambda_grid()
    lams = list(up.MOONS_LAMBDAS)
    assert abs(tr[0].mean() - te[0].mean()) < 0.03  # no gap to close
    assert abs((te[lams.index(0.001)] - te[0]).mean()) < 0.01
    means = te.mean(axis=1)
    k = lams.index(0.003)
    assert np.all(np.diff(means[k - 1:]) < 0) and np.all(np.diff(tr.mean(axis=1)[k - 1:]) < 0)
    assert np.all(te[lams.index(0.01)] < te[0])  # worse in every seed at the slider's end


def test_train_moons_seed_and_memory():
    assert up.train_moons(1.5, 0.0)["test_acc"] == up.train_moons(1.5, 0.0, seed=0)["test_acc"]
    assert up.train_moons(1.5, 0.0, seed=1)["test_acc"] == pytest.approx(_direct_run(0.0, 1)[1])
    a = up.train_moons(1.5, 0.002)
    a["test_acc"] = -1.0  # a caller's change to its dict does not reach the remembered run
    assert up.train_moons(1.5, 0.002)["test_acc"] >= 0.0


def test_every_position_of_one_slider_is_trained_in_advance(train_demo):
    lams, lrs = up.slider_values(up.TRAIN_LAM_RANGE), up.slider_values(up.TRAIN_LR_RANGE)
    assert lams[0] == 0.0 and lams[-1] == 0.01 and len(lams) == 11
    assert lrs[0] == 0.1 and lrs[-1] == 3.0 and len(lrs) == 30
    assert {(up.TRAIN_LR_DEFAULT, v) for v in lams} <= set(train_demo.cache)
    assert {(v, up.TRAIN_LAM_DEFAULT) for v in lrs} <= set(train_demo.cache)
    s = train_demo.lam_slider
    assert (s.min, s.max, s.step) == (up.TRAIN_LAM_RANGE["min"], up.TRAIN_LAM_RANGE["max"], up.TRAIN_LAM_RANGE["step"])


@pytest.mark.parametrize("kwargs, name", [({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"),
                                          ({"lr": 0.0}, "lr"), ({"lr": np.nan}, "lr"), ({"lam": -0.1}, "lam"),
                                          ({"lam": "big"}, "lam")])
def test_train_moons_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        up.train_moons(**kwargs)


@pytest.mark.parametrize("kwargs, name", [({"lambdas": []}, "lambdas"), ({"lambdas": [-1.0]}, "lambdas"),
                                          ({"lambdas": [[0.0]]}, "lambdas"), ({"seeds": []}, "seeds"),
                                          ({"seeds": [-1]}, "seeds"), ({"seeds": "01"}, "seeds"),
                                          ({"seeds": [0.5]}, "seeds"), ({"lr": -1.0}, "lr")])
def test_moons_lambda_grid_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        up.moons_lambda_grid(**kwargs)


def test_moons_data_bad_seed():
    with pytest.raises(ValueError, match="^seed"):
        up.moons_data(seed=-3)


@pytest.mark.parametrize("value, r, expected", [(0.149, up.TRAIN_LR_RANGE, 0.1), (0.151, up.TRAIN_LR_RANGE, 0.2),
                                                (2.96, up.TRAIN_LR_RANGE, 3.0), (0.00449, up.TRAIN_LAM_RANGE, 0.004),
                                                (0.0, up.TRAIN_LAM_RANGE, 0.0), (0.0097, up.TRAIN_LAM_RANGE, 0.01)])
def test_snap_to_the_slider_step(value, r, expected):
    assert up.snap(value, r) == expected


def test_off_grid_values_are_shown_as_the_slider_would_take_them(train_demo):
    r = up.update_training(train_demo, 1.53, 0.0041)  # a slider only takes 1.5 and 0.004
    assert (r["lr"], r["lam"]) == (1.5, 0.004)
    assert readout_values(train_demo.readout.value)["lam"] == "0.004"
    assert r["test_acc"] == up.train_moons(1.5, 0.004)["test_acc"]


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_snap_bad_value(value):
    with pytest.raises(ValueError, match="^value"):
        up.snap(value, up.TRAIN_LR_RANGE)


def test_the_lambda_slider_for_the_notebook_seed_never_helps():
    """Notebook 04's text: for seed 0 held-out accuracy never rises along the λ slider, 96 % at 0 and 76 % at 0.01."""
    acc = [_direct_run(v, 0)[1] for v in up.slider_values(up.TRAIN_LAM_RANGE)]
    assert np.all(np.diff(acc) <= 0) and acc[0] == pytest.approx(0.96) and acc[-1] == pytest.approx(0.76)
