"""Binary classification with one sigmoid output, end to end (issue 9, item 2).

Before: ``predict`` took the arg-max over one column (always 0), ``train``
wanted labels in ``0..0`` for one output, and with ``(n, 1)`` float targets it
recorded accuracy 1.0 every epoch, even at ``lr=1e-9``.
"""
import re

import numpy as np
import pytest
from sklearn.datasets import make_moons

import mlp_helpers as mh

BCE = dict(loss="binary_cross_entropy")


def raises(exc, *words):
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


def _line():
    """One layer, one output: z = x (so the logits are the inputs)."""
    return {"W1": np.array([[1.0]]), "b1": np.array([0.0])}


def test_predict_thresholds_one_output_at_one_half():
    X = np.array([[-3.0], [-1e-20], [0.0], [1e-20], [0.2], [4.0]])
    # sigmoid output: class 1 where z > 0 (σ(1e-20) rounds to 0.5, z > 0 does not round)
    np.testing.assert_array_equal(mh.predict(_line(), X, **BCE), [0, 0, 0, 1, 1, 1])
    # identity output (e.g. mse on 0/1 targets): class 1 where ŷ > 0.5
    Xi = np.array([[0.2], [0.5], [0.5000001], [0.9]])
    np.testing.assert_array_equal(mh.predict(_line(), Xi, loss="mse"), [0, 0, 1, 1])
    # tanh output: ŷ > 0.5 is z > atanh(0.5) = 0.5493...
    np.testing.assert_array_equal(mh.predict(_line(), np.array([[0.549], [0.5495]]), loss="mse", output="tanh"), [0, 1])
    # columns layout and a single 1-D sample
    np.testing.assert_array_equal(mh.predict(_line(), X.T, layout="columns", **BCE), [0, 0, 0, 1, 1, 1])
    assert mh.predict(_line(), np.array([2.0]), **BCE) == 1
    assert mh.predict(_line(), np.array([-2.0]), **BCE) == 0


def test_predict_refuses_a_softmax_over_one_column():
    with raises(ValueError, "loss:", "softmax over one output column", "binary_cross_entropy", "'cross_entropy'"):
        mh.predict(_line(), np.ones((2, 1)))
    with raises(ValueError, "output:", "softmax", "'softmax'"):
        mh.predict(_line(), np.ones((2, 1)), loss="mse", output="softmax")
    with raises(ValueError, "loss:", "softmax over one output column"):
        mh.train(_line(), np.ones((2, 1)), np.array([0, 1]))


def test_train_accepts_labels_0_1_for_one_output_and_refuses_others():
    X = np.array([[0.5], [-1.0], [2.0]])
    p, hist = mh.train(_line(), X, np.array([1, 0, 1]), epochs=2, **BCE)
    assert len(hist["accuracy"]) == 2
    p2, _ = mh.train(_line(), X, np.array([1.0, 0.0, 1.0]), epochs=2, **BCE)  # whole floats are labels too
    np.testing.assert_array_equal(p["W1"], p2["W1"])
    with raises(ValueError, "labels", "0..1", "2"):
        mh.train(_line(), X, np.array([1, 2, 0]), **BCE)
    with raises(ValueError, "labels", "0..1", "-1"):
        mh.train(_line(), X, np.array([1, -1, 0]), **BCE)
    with raises(TypeError, "labels", "whole-number", "float"):
        mh.train(_line(), X, np.array([0.5, 0.0, 1.0]), **BCE)
    with raises(TypeError, "labels", "bool"):
        mh.train(_line(), X, np.array([True, False, True]), **BCE)
    with raises(ValueError, "labels", "3 labels", "(2,)"):
        mh.train(_line(), X, np.array([1, 0]), **BCE)


def test_float_targets_of_one_output_must_be_0_or_1_for_binary_cross_entropy():
    X = np.array([[0.5], [-1.0], [2.0]])
    with raises(ValueError, "labels", "0 or 1", "0.3", "sample 1"):
        mh.train(_line(), X, np.array([[1.0], [0.3], [0.0]]), **BCE)
    with raises(ValueError, "labels", "[0.0, 1.0]", "1.5"):
        mh.train(_line(), X, np.array([[1.0], [1.5], [0.0]]), **BCE)
    with raises(ValueError, "labels_val", "0 or 1", "0.5"):
        mh.train(_line(), X, np.array([[1.0], [0.0], [0.0]]), X_val=X, labels_val=np.array([[0.5], [0.0], [1.0]]),
                 **BCE)
    # a squared error on one output is regression: any targets
    _, hist = mh.train(_line(), X, np.array([[0.3], [-2.0], [7.0]]), epochs=1, loss="mse", record="full")
    assert 0.0 <= hist["accuracy"][0] <= 1.0


@pytest.mark.parametrize("record", ["running", "full"])
@pytest.mark.parametrize("targets", ["labels", "column"])
def test_accuracy_at_lr_1e_9_is_that_of_the_initial_network(record, targets):
    """At lr = 1e-9 nothing is learnt: the recorded accuracy is the initial network's, not 1.0."""
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    Xv, yv = make_moons(n_samples=100, noise=0.2, random_state=1)
    p0 = mh.init_params([2, 8, 1], seed=3)
    labels = y if targets == "labels" else y[:, None].astype(float)
    labels_val = yv if targets == "labels" else yv[:, None].astype(float)
    p1, hist = mh.train(p0, X, labels, epochs=3, lr=1e-9, batch_size=200, record=record,
                        X_val=Xv, labels_val=labels_val, **BCE)
    start = np.mean(mh.predict(p0, X, **BCE) == y)
    assert 0.2 < start < 0.8  # the initial network is no classifier
    assert all(a != 1.0 for a in hist["accuracy"] + hist["val_accuracy"])
    # one full batch: the running record is the accuracy of the parameters the epoch started from
    assert hist["accuracy"][0] == pytest.approx(start)
    assert hist["val_accuracy"][-1] == pytest.approx(np.mean(mh.predict(p1, Xv, **BCE) == yv))
    assert hist["loss"][0] == pytest.approx(mh.loss_value(p0 if record == "running" else p1, X, y[:, None], **BCE),
                                            rel=1e-6)


def test_binary_accuracy_records_match_predict():
    X, y = make_moons(n_samples=120, noise=0.2, random_state=4)
    p0 = mh.init_params([2, 6, 1], seed=1)
    p1, full = mh.train(p0, X, y, epochs=5, lr=0.5, batch_size=30, record="full", **BCE)
    assert full["accuracy"][-1] == pytest.approx(np.mean(mh.predict(p1, X, **BCE) == y))
    assert full["loss"][-1] == pytest.approx(mh.loss_value(p1, X, y[:, None], **BCE), rel=1e-12)
    # "running": each minibatch's accuracy from the parameters its step started from
    order = np.random.default_rng(7).permutation(120)
    q, correct = p0, 0
    for start in range(0, 120, 40):
        idx = order[start:start + 40]
        correct += int(np.sum(mh.predict(q, X[idx], **BCE) == y[idx]))
        g, _ = mh.backward(q, mh.forward(q, X[idx], **BCE), y[idx, None].astype(float), **BCE)
        q = mh.sgd_step(q, g, 0.5)
    trained, running = mh.train(p0, X, y, epochs=1, lr=0.5, batch_size=40, seed=7, **BCE)
    assert running["accuracy"][0] == pytest.approx(correct / 120)
    for k in q:
        np.testing.assert_allclose(trained[k], q[k], atol=1e-12)


def test_a_one_output_classifier_learns_two_moons():
    """Held-out accuracy over five seeds (sklearn's make_moons); a linear boundary gets about 0.86."""
    accuracies = []
    for seed in range(5):
        X, y = make_moons(n_samples=300, noise=0.2, random_state=seed)
        X_train, y_train, X_test, y_test = X[:200], y[:200], X[200:], y[200:]
        p0 = mh.init_params([2, 16, 1], seed=seed, scale="xavier")
        p, hist = mh.train(p0, X_train, y_train, epochs=200, lr=0.5, batch_size=20, activation="tanh",
                           seed=seed, **BCE)
        assert hist["loss"][-1] < hist["loss"][0] / 2
        predictions = mh.predict(p, X_test, activation="tanh", **BCE)
        assert set(np.unique(predictions)) == {0, 1}
        accuracies.append(np.mean(predictions == y_test))
    assert np.mean(accuracies) > 0.92, accuracies
    assert min(accuracies) > 0.88, accuracies
