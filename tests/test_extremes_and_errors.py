"""Extremes give finite results without warnings (warnings are errors in this
suite), and bad input raises an error that names the argument."""
import re

import numpy as np
import pytest

import mlp_helpers as mh
from mlp_helpers.seeds import seed000


# ------------------------------------------------------------------ extremes
@pytest.mark.parametrize("loss", sorted(mh.LOSSES))
def test_logits_plus_minus_1000(loss):
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    entry = mh.LOSSES[loss]
    y_hat = entry.output(z)
    assert np.all(np.isfinite(y_hat))
    per = entry.from_logits(y, z)
    assert np.all(np.isfinite(per))
    if loss == "cross_entropy":
        np.testing.assert_allclose(per, [0.0, 2000.0])  # right with certainty / wrong by 2000
        np.testing.assert_allclose(mh.softmax(z), [[1, 0], [0, 1]])
        np.testing.assert_allclose(mh.log_softmax(z), [[0, -2000], [-2000, 0]])
    if loss == "binary_cross_entropy":
        np.testing.assert_allclose(per, [0.0, 1000.0 + 1000.0])  # log(1 + e^{1000}) - 0 twice


@pytest.mark.parametrize("activation", sorted(["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "relu_plus_sin"]))
def test_activations_at_extremes_and_zero(activation):
    act = mh.ACTIVATIONS[activation]
    z = np.array([-1000.0, -0.0, 0.0, 1000.0])
    assert np.all(np.isfinite(act.f(z))) and np.all(np.isfinite(act.df(z)))


def test_all_zero_weights_network():
    params = {"W1": np.zeros((3, 4)), "b1": np.zeros(4), "W2": np.zeros((4, 2)), "b2": np.zeros(2)}
    X = np.ones((2, 3))
    Y = mh.one_hot(np.array([0, 1]), 2)
    cache = mh.forward(params, X)
    np.testing.assert_allclose(cache["Yhat"], 0.5)
    grads, _ = mh.backward(params, cache, Y, lam=0.1, penalty_kind="l1")
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    np.testing.assert_array_equal(grads["W1"], 0.0)  # relu'(0) = 0 and sign(0) = 0
    assert mh.loss_value(params, X, Y) == pytest.approx(np.log(2))


@pytest.mark.parametrize("n", [1, 10_000])
@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_batch_of_1_and_10000(n, layout):
    rng = np.random.default_rng(0)
    params = mh.init_params([5, 8, 3], seed=0, layout=layout)
    X = rng.normal(size=(n, 5)) * 50
    Y = mh.one_hot(rng.integers(0, 3, n), 3)
    if layout == "columns":
        X, Y = X.T, Y.T
    cache = mh.forward(params, X, layout=layout)
    grads, _ = mh.backward(params, cache, Y, layout=layout)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    assert np.isfinite(mh.loss_value(params, X, Y, layout=layout))
    trained, hist = mh.train(params, X, Y, epochs=1, lr=0.01, layout=layout)
    assert np.isfinite(hist["loss"][0])


def test_train_learns_and_is_seeded():
    from mlp_helpers.datasets import make_moons

    X, y = make_moons(200, noise=0.1, seed=0)
    p0 = mh.init_params([2, 16, 2], seed=0)
    p1, h1 = mh.train(p0, X, y, epochs=200, lr=0.5, batch_size=16, seed=3, record="full")
    p2, h2 = mh.train(p0, X, y, epochs=200, lr=0.5, batch_size=16, seed=3, record="full")
    assert h1 == h2
    assert h1["accuracy"][-1] > 0.95 and h1["loss"][-1] < h1["loss"][0] / 3
    # record="full": the recorded loss is the loss of the returned parameters
    assert h1["loss"][-1] == pytest.approx(mh.loss_value(p1, X, mh.one_hot(y, 2)))
    assert h1["accuracy"][-1] == pytest.approx(np.mean(mh.predict(p1, X) == y))
    # recording does not change the training
    p3, h3 = mh.train(p0, X, y, epochs=200, lr=0.5, batch_size=16, seed=3)
    p4, h4 = mh.train(p0, X, y, epochs=200, lr=0.5, batch_size=16, seed=3, record=None)
    for k in p1:
        np.testing.assert_array_equal(p1[k], p3[k])
        np.testing.assert_array_equal(p1[k], p4[k])
    assert h4 == {"loss": [], "accuracy": []}
    assert abs(h3["loss"][-1] - h1["loss"][-1]) < 0.05 and h3["accuracy"][-1] > 0.9


@pytest.mark.parametrize("loss", sorted(mh.LOSSES))
def test_running_record_is_the_mean_minibatch_loss(loss):
    """Two minibatches an epoch: the record is the mean of the two batch losses,
    each at the parameters the step started from, plus the penalty at the end."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(8, 3))
    y = rng.integers(0, 2, 8)
    Y = mh.one_hot(y, 2)
    p = mh.init_params([3, 5, 2], seed=2)
    opts = dict(loss=loss, lam=0.01, penalty_kind="l1")
    trained, hist = mh.train(p, X, Y, epochs=1, lr=0.2, batch_size=4, seed=11, **opts)
    order = np.random.default_rng(11).permutation(8)  # the same shuffle as train's
    q, losses, correct = p, [], 0
    for idx in (order[:4], order[4:]):
        data_only = mh.loss_value(q, X[idx], Y[idx], loss=loss)
        losses.append(data_only)
        correct += int(np.sum(mh.predict(q, X[idx], loss=loss) == y[idx]))
        g, _ = mh.backward(q, mh.forward(q, X[idx], loss=loss), Y[idx], **opts)
        q = mh.sgd_step(q, g, 0.2)
    for k in p:
        np.testing.assert_allclose(trained[k], q[k], atol=1e-12)
    assert hist["loss"][0] == pytest.approx(np.mean(losses) + mh.penalty(q, 0.01, "l1"), rel=1e-9)
    assert hist["accuracy"][0] == pytest.approx(correct / 8)


def test_record_must_be_known():
    with pytest.raises(ValueError, match="record: unknown record 'all'; known: full, running"):
        mh.train(mh.init_params([2, 2]), np.ones((1, 2)), np.array([0]), record="all")


def test_train_one_epoch_of_full_batch_equals_sgd_steps():
    """With batch_size = n_samples, each epoch is one sgd_step on the mean loss."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6, 3))
    y = np.array([0, 1, 2, 1, 0, 2])
    p = mh.init_params([3, 4, 3], seed=1)
    trained, _ = mh.train(p, X, y, epochs=2, lr=0.3, batch_size=6, lam=0.01, penalty_kind="l1")
    Y = mh.one_hot(y, 3)
    q = p
    for _ in range(2):
        g, _ = mh.backward(q, mh.forward(q, X), Y, lam=0.01, penalty_kind="l1")
        q = mh.sgd_step(q, g, 0.3)
    for k in p:
        np.testing.assert_allclose(trained[k], q[k], atol=1e-12)


def test_train_momentum_matches_momentum_step():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 2))
    y = np.array([0, 1, 1, 0, 1])
    p = mh.init_params([2, 3, 2], seed=1)
    trained, _ = mh.train(p, X, y, epochs=3, lr=0.2, batch_size=5, momentum=0.8)
    Y, q, v = mh.one_hot(y, 2), p, None
    for _ in range(3):
        g, _ = mh.backward(q, mh.forward(q, X), Y)
        q, v = mh.momentum_step(q, g, v, lr=0.2, momentum=0.8)
    for k in p:
        np.testing.assert_allclose(trained[k], q[k], atol=1e-12)


# ----------------------------------------------------------------- bad input
def _seed():
    s = seed000()
    return s["params"], s["X"], s["Y"]


def raises(exc, *words):
    """pytest.raises whose message must contain every word (the argument name, expected, got)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


def test_wrong_input_shape():
    params, X, _ = _seed()
    with raises(ValueError, "X:", "(n_samples, 3)", "(1, 4)"):
        mh.forward(params, np.ones((1, 4)))
    with raises(ValueError, "X:", "(3,)", "(4,)"):
        mh.forward(params, np.ones(4))
    with raises(ValueError, "X:", "(3, n_samples)", "columns layout", "(2, 3)"):
        mh.forward({k: v.T for k, v in params.items()}, np.ones((2, 3)), layout="columns")
    with raises(ValueError, "X:", "1-D or 2-D", "3-D"):
        mh.forward(params, np.ones((1, 1, 3)))


def test_layers_that_do_not_chain():
    params, X, _ = _seed()
    bad = dict(params, W2=np.ones((5, 2)))
    with raises(ValueError, "W2:", "do not chain", "4 rows", "(4, n_2)", "(5, 2)"):
        mh.forward(bad, X)


def test_transposed_weight_in_columns_layout():
    from mlp_helpers.seeds import seed001

    s = seed001()  # columns layout, W2 given transposed (3, 2) instead of (2, 3)
    params = dict(s["params"], W2=s["params"]["W2"].T)
    with raises(ValueError, "W2:", "do not chain", "3 columns", "(n_2, 3)", "columns layout", "(3, 2)"):
        mh.forward(params, s["X"], layout="columns", activation="relu_plus_sin")


def test_bias_of_the_wrong_shape_is_not_broadcast():
    params, X, _ = _seed()
    with raises(ValueError, "b1:", "(4,)", "(3,)"):
        mh.forward(dict(params, b1=np.ones(3)), X)
    with raises(ValueError, "b1:", "(1, 4)", "(4, 1)"):
        mh.forward(dict(params, b1=np.ones((4, 1))), X)  # a column bias in the rows layout
    with raises(ValueError, "b2:", "(2,)", "(1, 1)"):
        mh.forward(dict(params, b2=np.ones((1, 1))), X)


def test_missing_or_extra_params():
    params, X, _ = _seed()
    with raises(ValueError, "params:", "W2", "b2"):
        mh.forward({"W1": params["W1"], "b1": params["b1"], "W2": params["W2"]}, X)
    with raises(TypeError, "params:", "dict"):
        mh.forward([params["W1"]], X)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs(bad):
    params, X, Y = _seed()
    Xb = X.copy()
    Xb[0, 1] = bad
    with raises(ValueError, "X:", "finite", "(0, 1)"):
        mh.forward(params, Xb)
    W = params["W1"].copy()
    W[2, 3] = bad
    with raises(ValueError, "W1:", "finite"):
        mh.forward(dict(params, W1=W), X)
    with raises(ValueError, "Y:", "finite"):
        mh.backward(params, mh.forward(params, X), np.array([[bad, 0.0]]))


def test_non_numeric_inputs():
    params, X, _ = _seed()
    with raises(TypeError, "X:", "numbers"):
        mh.forward(params, "1, 2, 3")
    with raises(TypeError, "X:", "numbers"):
        mh.forward(params, np.array(["a", "b", "c"]))


def test_unknown_names_list_the_known_ones():
    params, X, Y = _seed()
    with raises(ValueError, "activation", "'relux'", "relu_plus_sin", "sigmoid"):
        mh.forward(params, X, activation="relux")
    with raises(ValueError, "loss", "'crossentropy'", "cross_entropy", "mse"):
        mh.forward(params, X, loss="crossentropy")
    with raises(ValueError, "kind", "'l3'", "l1", "l2_half"):
        mh.penalty(params, 0.1, "l3")
    with raises(ValueError, "layout", "'cols'", "columns", "rows"):
        mh.forward(params, X, layout="cols")
    with raises(ValueError, "reduction", "'avg'", "mean", "sum"):
        mh.backward(params, mh.forward(params, X), Y, reduction="avg")
    with raises(ValueError, "penalty_kind", "'l3'"):
        mh.backward(params, mh.forward(params, X), Y, lam=0.1, penalty_kind="l3")


def test_negative_lambda_and_learning_rate():
    params, X, Y = _seed()
    with raises(ValueError, "lam", ">= 0", "-0.1"):
        mh.penalty(params, -0.1)
    with raises(ValueError, "lam", "-0.1"):
        mh.penalty_gradients(params, -0.1)
    with raises(ValueError, "lam", "-0.1"):
        mh.backward(params, mh.forward(params, X), Y, lam=-0.1)
    grads, _ = mh.backward(params, mh.forward(params, X), Y)
    with raises(ValueError, "lr", "> 0", "-0.01"):
        mh.sgd_step(params, grads, -0.01)
    with raises(ValueError, "lr", "0.0"):
        mh.sgd_step(params, grads, 0.0)
    with raises(ValueError, "lr"):
        mh.train(params, X, np.array([0]), lr=-1)
    with raises(ValueError, "momentum", "[0, 1)"):
        mh.momentum_step(params, grads, None, lr=0.1, momentum=1.0)


def test_labels_out_of_range():
    params, X, _ = _seed()
    with raises(ValueError, "labels", "0..1", "2"):
        mh.one_hot(np.array([0, 2]), 2)
    with raises(ValueError, "labels", "0..1", "-1"):
        mh.train(params, X, np.array([-1]))
    with raises(ValueError, "labels", "1 labels", "(2,)"):
        mh.train(params, X, np.array([0, 1]))
    with raises(TypeError, "labels", "whole-number"):
        mh.one_hot(np.array([0.5]), 2)


def test_targets_of_the_wrong_shape():
    params, X, Y = _seed()
    cache = mh.forward(params, X)
    with raises(ValueError, "Y:", "(1, 2)", "(2,)", "one_hot"):
        mh.backward(params, cache, np.array([1.0, 0.0]))
    with raises(ValueError, "Y:", "(1, 2)", "(2, 1)"):
        mh.loss_value(params, X, Y.T)
    with raises(ValueError, "y, y_hat:", "y (3,)", "y_hat (2,)"):
        mh.cross_entropy(np.array([1.0, 0.0, 0.0]), np.array([0.5, 0.5]))


def test_grads_that_do_not_match_params():
    params, X, Y = _seed()
    grads, _ = mh.backward(params, mh.forward(params, X), Y)
    with raises(ValueError, "grads['W1']", "(3, 4)", "(4, 3)"):
        mh.sgd_step(params, dict(grads, W1=grads["W1"].T), 0.1)
    with raises(ValueError, "grads:", "keys"):
        mh.sgd_step(params, {"W1": grads["W1"]}, 0.1)


def test_backward_needs_the_forward_cache():
    params, X, Y = _seed()
    with raises(ValueError, "cache:", "forward()"):
        mh.backward(params, {"Z1": 1}, Y)


def test_inputs_are_not_changed():
    params, X, Y = _seed()
    copies = {k: v.copy() for k, v in params.items()}
    cache = mh.forward(params, X)
    mh.backward(params, cache, Y, lam=0.1)
    mh.train(params, X, np.array([0]), epochs=2)
    for k in params:
        np.testing.assert_array_equal(params[k], copies[k])


def test_train_records_held_out_accuracy_of_the_end_of_epoch_parameters():
    from mlp_helpers.datasets import make_moons

    X, y = make_moons(120, noise=0.2, seed=1)
    Xv, yv = make_moons(60, noise=0.2, seed=2)
    p0 = mh.init_params([2, 8, 2], seed=0)
    p1, hist = mh.train(p0, X, y, epochs=3, lr=0.3, batch_size=20, X_val=Xv, labels_val=yv)
    assert len(hist["val_accuracy"]) == 3
    assert hist["val_accuracy"][-1] == pytest.approx(np.mean(mh.predict(p1, Xv) == yv))
    with raises(ValueError, "labels_val", "0..1", "5"):
        mh.train(p0, X, y, X_val=Xv, labels_val=np.full(60, 5))


def test_train_2d_targets_of_the_wrong_shape():
    p = mh.init_params([3, 4, 2], seed=0)
    X = np.ones((5, 3))
    with raises(ValueError, "labels:", "(5, 2)", "(5,) class labels", "(5, 3)"):
        mh.train(p, X, np.zeros((5, 3)))
    with raises(ValueError, "labels:", "(2, 5)", "(5, 2)"):
        mh.train({k: v.T for k, v in p.items()}, X.T, np.zeros((5, 2)), layout="columns")


def test_argument_types_and_ranges():
    params, X, Y = _seed()
    with raises(TypeError, "X:", "array of numbers", "NoneType"):
        mh.forward(params, None)
    with raises(TypeError, "X:", "array of numbers", "list"):
        mh.forward(params, [[1.0, 2.0], [3.0]])  # ragged
    with raises(TypeError, "X:", "real numbers", "complex"):
        mh.forward(params, np.array([[1.0, 0.5, 2.0j]]))
    with raises(TypeError, "activation", "expected one of", "3"):
        mh.forward(params, X, activation=3)
    with raises(TypeError, "lr:", "expected a number", "str"):
        mh.sgd_step(params, {k: np.zeros_like(v) for k, v in params.items()}, "0.1")
    with raises(ValueError, "epochs:", "whole number", "2.5"):
        mh.train(params, X, np.array([0]), epochs=2.5)
    with raises(ValueError, "lr:", "finite", "inf"):
        mh.train(params, X, np.array([0]), lr=np.inf)
    with raises(ValueError, "momentum", "<= 1.0", "1.5"):
        mh.train(params, X, np.array([0]), momentum=1.5)
    # a 0-d array is a number
    new = mh.sgd_step(params, {k: np.ones_like(v) for k, v in params.items()}, np.array(0.5))
    np.testing.assert_allclose(new["W1"], params["W1"] - 0.5)
    for two in (np.int64(2), 2.0):  # whole numbers of any type
        _, hist = mh.train(params, X, np.array([0]), epochs=two)
        assert len(hist["loss"]) == 2


def test_relative_error_argument_checks():
    with raises(ValueError, "b:", "(2,)", "(3,)"):
        mh.relative_error(np.zeros(2), np.zeros(3))
    assert mh.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0


def test_numerical_gradient_argument_checks():
    params, _, _ = _seed()
    with raises(ValueError, "eps", "> 0.0", "0.0"):
        mh.numerical_gradient(lambda p: 0.0, params, eps=0.0)
    with raises(TypeError, "f:", "callable", "int"):
        mh.numerical_gradient(3, params)
