"""Extremes give finite results without warnings (warnings are errors in this
suite), and bad input raises an error that names the argument."""
import contextlib
import re
import warnings

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


# ------------------------------------------- issue 9: no silent wrong answer, no foreign error
# Each test below failed before issue 9 (numpy's own message, AttributeError, a
# silent wrong number, or NaN/inf with a RuntimeWarning) and now gets a
# ValueError/TypeError that names the argument.  tests/test_fuzz.py throws
# random bad input of the same kinds at every public function.
ELEMENTWISE = [mh.identity, mh.relu, mh.leaky_relu, mh.sigmoid, mh.tanh, mh.softplus, mh.relu_plus_sin]


@pytest.mark.parametrize("fn", ELEMENTWISE + [mh.softmax, mh.log_softmax], ids=lambda f: f.__name__)
def test_elementwise_helpers_refuse_strings_bools_nan_and_empty(fn):
    with raises(TypeError, "z:", "numbers", "<U1"):  # was: could not convert string to float / UFuncTypeError
        fn(np.array(["a", "b"]))
    with raises(TypeError, "z:", "dtype bool"):  # was: True silently the number 1
        fn(np.array([True, False]))
    with raises(ValueError, "z:", "finite", "nan", "(1,)"):  # was: nan out, no word
        fn(np.array([0.5, np.nan]))
    with raises(ValueError, "z:", "non-empty", "(0,)"):  # was: [] or "zero-size array to reduction"
        fn(np.zeros(0))


def test_softmax_axis_out_of_range_names_axis():
    z = np.array([[1.0, 2.0, 3.0]])
    with raises(ValueError, "axis:", "-2..1", "2"):  # was: numpy's AxisError
        mh.softmax(z, axis=2)
    with raises(TypeError, "axis:", "whole number", "None"):  # was: the maximum of the whole batch
        mh.log_softmax(z, axis=None)
    np.testing.assert_allclose(mh.softmax(z.T, axis=0).T, mh.softmax(z))  # the column layout still works


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.__name__)
def test_elementwise_helpers_are_finite_at_the_largest_floats(fn):
    big = np.finfo(float).max
    z = np.array([-big, -1e300, 0.0, 1e300, big])
    with warnings_as_errors():
        assert np.all(np.isfinite(fn(z)))
        act = mh.ACTIVATIONS[fn.__name__]
        assert np.all(np.isfinite(act.df(z)))


@contextlib.contextmanager
def warnings_as_errors():
    """Every warning is an error here, whatever the pytest configuration."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_losses_refuse_what_would_be_nan_or_inf():
    y = np.array([[1.0, 0.0]])
    with raises(ValueError, "y_hat:", "probabilities", "[0, 1]", "-0.2", "(0, 1)"):  # was: nan, "invalid value in log"
        mh.cross_entropy(y, np.array([[1.0, -0.2]]))
    with raises(ValueError, "y:", "targets", "[0, 1]", "2"):  # was: a negative "loss"
        mh.binary_cross_entropy_from_logits(np.array([2.0]), np.array([0.5]))
    with raises(ValueError, "y, y_hat:", "overflows float64"):  # was: inf with an overflow warning
        mh.mean_squared_error(np.array([1e200]), np.array([-1e200]))
    with raises(ValueError, "y, y_hat:", "overflows"):
        mh.half_sum_squared_error(np.array([1e300, 1e300]), np.array([-1e300, 0.0]))
    # exact where a finite answer exists: the loss of a certain, right prediction
    big = np.finfo(float).max
    assert mh.cross_entropy_from_logits(np.array([1.0, 0.0]), np.array([big, -big])) == 0.0
    with raises(ValueError, "y, z:", "overflows"):  # certain and wrong by 3.6e308: not a float64
        mh.cross_entropy_from_logits(np.array([0.0, 1.0]), np.array([big, -big]))


def test_cross_entropy_from_a_zero_probability_is_an_error_not_inf():
    with raises(ValueError, "y_hat:", "got 0 at index (0,)", "-log 0", "from the logits", "clip"):
        mh.cross_entropy(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    with raises(ValueError, "y_hat:", "1 - y_hat", "got 0 at index (0,)"):  # ŷ = 1 where y = 0
        mh.binary_cross_entropy(np.array([0.0]), np.array([1.0]))
    assert mh.cross_entropy(np.array([1.0, 0.0]), np.array([0.0, 1.0]), clip=1e-12) == pytest.approx(-np.log(1e-12))


def test_clip_of_the_wrong_type_is_a_type_error():
    with raises(TypeError, "clip:", "number", "ndarray"):  # was: "truth value of an array is ambiguous"
        mh.cross_entropy(np.array([1.0, 0.0]), np.array([0.6, 0.4]), clip=np.array([0.1, 0.2]))


def test_empty_batches_are_refused_everywhere():
    params, X, Y = _seed()
    empty = np.zeros((0, 2))
    with raises(ValueError, "y:", "non-empty", "(0, 2)"):  # was: 0.0, the "mean" of no samples
        mh.cross_entropy(empty, empty)
    with raises(ValueError, "X:", "at least one sample", "(0, 3)"):
        mh.forward(params, np.zeros((0, 3)))
    with raises(ValueError, "labels:", "at least one label"):
        mh.one_hot(np.zeros(0, dtype=int), 3)
    with raises(ValueError, "a:", "non-empty"):  # was: 0.0
        mh.relative_error(np.zeros(0), np.zeros(0))


def test_penalty_with_a_misnamed_key_is_an_error_not_zero():
    params, _, _ = _seed()
    misnamed = {("w1" if k == "W1" else k): v for k, v in params.items()}
    with raises(ValueError, "params:", "W1, b1, W2, b2", "unexpected 'w1'", "missing 'W1'"):  # was: W1 left out
        mh.penalty(misnamed, 0.01)
    with raises(ValueError, "params:", "unexpected 'W'"):
        mh.penalty_gradients({"W": np.ones(2)}, 0.01)  # was: a gradient, no W1 anywhere
    with raises(TypeError, "params:", "dict", "list"):  # was: AttributeError 'list' object has no attribute 'items'
        mh.penalty([params["W1"]], 0.01)
    with raises(ValueError, "params:", "unexpected 1"):  # was: AttributeError 'int' object has no attribute 'startswith'
        mh.penalty({1: np.ones(2), "W1": np.ones((1, 1)), "b1": np.ones(1)}, 0.01)


@pytest.mark.parametrize("flag", ["no", 1, 0, None, np.array([True, False])])
def test_include_biases_must_be_a_real_bool(flag):
    params, _, _ = _seed()
    with raises(TypeError, "include_biases:", "True or False"):  # was: "no" counted as True
        mh.penalty(params, 0.01, include_biases=flag)
    with raises(TypeError, "include_biases:", "True or False"):
        mh.penalty_gradients(params, 0.01, include_biases=flag)
    assert mh.penalty(params, 0.01, include_biases=np.True_) > mh.penalty(params, 0.01)


def test_penalty_that_overflows_is_an_error_and_lam_zero_is_zero():
    params = {"W1": np.array([[1e200]]), "b1": np.zeros(1)}
    with raises(ValueError, "params, lam:", "overflows"):  # was: inf, "overflow encountered"
        mh.penalty(params, 0.5)
    assert mh.penalty(params, 0.0) == 0.0


def test_relative_error_near_the_largest_float_is_exact():
    big = np.finfo(float).max
    # was: nan with "overflow encountered" (the norms overflow)
    assert mh.relative_error([big, big], [big, big]) == 0.0
    assert mh.relative_error([big, 0.0], [-big, 0.0]) == pytest.approx(1.0)
    assert mh.relative_error([1e300], [2e300]) == pytest.approx(1 / 3)
    with raises(TypeError, "a:", "numbers"):
        mh.relative_error("1.0", [1.0])  # was: could not convert string to float
    with raises(ValueError, "floor:", "> 0.0"):
        mh.relative_error([1.0], [1.0], floor=0.0)


def test_numerical_gradient_checks_what_f_returns():
    params = {"w": np.array([1.0, 2.0])}
    with raises(TypeError, "f:", "real number", "ndarray", "shape (2,)"):  # was: "only length-1 arrays ..."
        mh.numerical_gradient(lambda p: p["w"] * 2, params)
    with raises(ValueError, "f:", "finite", "nan", "params['w'][0]"):  # was: a nan gradient, no word
        mh.numerical_gradient(lambda p: np.nan, params)
    with raises(TypeError, "params:", "dict", "list"):  # was: AttributeError
        mh.numerical_gradient(lambda p: 0.0, [np.ones(2)])
    with raises(ValueError, "f, eps:", "overflows"):
        mh.numerical_gradient(lambda p: 1e308 * float(np.sign(p["w"][0])), {"w": np.zeros(1)}, eps=1e-300)
    g = mh.numerical_gradient(lambda p: np.sum(p["w"] ** 2), params)  # a 0-d or numpy number is fine
    np.testing.assert_allclose(g["w"], [2.0, 4.0], rtol=1e-8)


def test_momentum_step_checks_the_velocity():
    params, X, Y = _seed()
    grads, _ = mh.backward(params, mh.forward(params, X), Y)
    v = {k: np.zeros_like(g) for k, g in grads.items()}
    with raises(ValueError, "velocity['W1']", "(3, 4)", "(4, 3)"):  # was: named grads['W1']
        mh.momentum_step(params, grads, dict(v, W1=v["W1"].T), lr=0.1)
    with raises(ValueError, "velocity:", "missing 'b2'"):
        mh.momentum_step(params, grads, {k: a for k, a in v.items() if k != "b2"}, lr=0.1)
    with raises(ValueError, "velocity['b1']", "finite", "nan"):  # was: nan parameters, no word
        mh.momentum_step(params, grads, dict(v, b1=np.full((1, 4), np.nan)), lr=0.1)
    with raises(TypeError, "velocity:", "dict", "list"):  # was: AttributeError
        mh.momentum_step(params, grads, [0.0], lr=0.1)
    with raises(ValueError, "velocity['W1'], grads['W1'], lr:", "overflows"):
        mh.momentum_step(params, {k: np.full_like(g, 1e300) for k, g in grads.items()}, None, lr=1e10)


def test_sgd_step_refuses_bools_and_overflow():
    params, _, _ = _seed()
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    with raises(TypeError, "grads['W1']:", "dtype bool"):  # was: True used as 1
        mh.sgd_step(params, dict(grads, W1=np.ones((3, 4), dtype=bool)), 0.1)
    with raises(ValueError, "params['W2'], grads['W2'], lr:", "overflows"):  # was: inf, "overflow encountered"
        mh.sgd_step(params, dict(grads, W2=np.full((4, 2), -1e300)), 1e10)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e400])
def test_non_finite_counts_name_the_argument(bad):
    params, X, _ = _seed()
    with raises(ValueError, "epochs:", "finite"):  # was: "cannot convert float NaN to integer" / OverflowError
        mh.train(params, X, np.array([0]), epochs=bad)


def test_one_hot_refuses_huge_and_non_finite_labels():
    with raises(ValueError, "labels:", "0..1", "1e+300"):  # was: cast to -9223372036854775808 with a warning
        mh.one_hot(np.array([0.0, 1e300]), 2)
    with raises(ValueError, "labels:", "finite", "nan"):
        mh.one_hot(np.array([0.0, np.nan]), 2)
    with raises(TypeError, "labels:", "dtype bool"):
        mh.one_hot(np.array([True, False]), 2)
    with raises(TypeError, "n_classes:", "whole number", "str"):
        mh.one_hot(np.array([0, 1]), "2")
    np.testing.assert_array_equal(mh.one_hot([0, 1], np.int64(2)), np.eye(2))


def test_bool_arrays_are_not_numbers():
    params, X, Y = _seed()
    with raises(TypeError, "X:", "dtype bool", "astype(float)"):  # was: accepted as 0/1
        mh.forward(params, X > 1)
    with raises(TypeError, "y_hat:", "dtype bool"):
        mh.mean_squared_error(np.array([1.0, 0.0]), np.array([True, False]))


def test_check_unknown_name_is_a_key_and_a_value_error():
    from mlp_helpers.check import check

    key = {"delta1": np.array([1.0])}
    with pytest.raises(ValueError, match="name: 'delta3' is not in the answer key; known names: delta1"):
        check("delta3", [1.0], key)
    with pytest.raises(KeyError):
        check("delta3", [1.0], key)
    with raises(TypeError, "quiet:", "True or False"):  # was: "no" counted as true
        check("delta1", [1.0], key, quiet="no")
    with raises(TypeError, "key['delta1']:", "numbers"):  # was: named 'expected', not an argument of check
        check("delta1", [1.0], {"delta1": "one"})


def test_diagnose_at_the_largest_floats_warns_nothing():
    from mlp_helpers.check import diagnose

    big = np.finfo(float).max
    with warnings_as_errors():  # was: "overflow encountered in multiply" from the factor-2 test
        d = diagnose("v", [big, 1.0], [big / 3, 1.0])
    assert d.code == "wrong"


# --------------------------------------------------------- _validate's own rules
def test_check_seed_accepts_what_numpy_accepts():
    from mlp_helpers._validate import check_seed

    for ok in (None, 0, np.int64(7), 2**70, [1, 2], [], [[1, 2]], np.array([3, 4]), np.random.SeedSequence(1),
               np.random.default_rng(0), np.random.PCG64(1)):
        np.random.default_rng(check_seed("seed", ok))  # numpy takes it
    for bad, exc, words in ((-1, ValueError, ("seed:", "-1")), (2.5, TypeError, ("seed:", "float")),
                            (2.0, TypeError, ("seed:", "float")), ("7", TypeError, ("seed:", "str")),
                            (True, TypeError, ("seed:", "bool")), ([1, -2], ValueError, ("seed:", "negative entry -2")),
                            ([0.5], TypeError, ("seed:", "list"))):
        with raises(exc, *words):
            check_seed("seed", bad)


def test_check_scalar_never_gives_a_foreign_error():
    from mlp_helpers._validate import check_scalar

    with raises(ValueError, "n:", "finite", "nan"):
        check_scalar("n", np.nan, integer=True)  # was: "cannot convert float NaN to integer"
    with raises(ValueError, "n:", "finite"):
        check_scalar("n", 10**400)  # was: OverflowError "int too large to convert to float"
    with raises(TypeError, "n:", "number", "str"):
        check_scalar("n", np.array("3"))  # was: a 0-d string array went on to float()
    with raises(TypeError, "n:", "number", "bool"):
        check_scalar("n", np.array(True))  # was: a 0-d bool array was the number 1
    assert check_scalar("n", np.array(2.0), integer=True) == 2
    assert check_scalar("n", 2**70, integer=True) == 2**70


# ------------------------------------------------- momentum: the two conventions (issue 9, item 8)
def _pytorch_sgd_momentum(params, grads, buf, lr, momentum):
    """torch.optim.SGD's documented update, transcribed (weight_decay=0, dampening=0,
    nesterov=False, maximize=False): b_1 = g_1, then b_t = μ b_{t-1} + g_t; θ_t = θ_{t-1} − α b_t."""
    buf = {k: grads[k].copy() if buf is None else momentum * buf[k] + grads[k] for k in params}
    return {k: params[k] - lr * buf[k] for k in params}, buf


def test_momentum_conventions_agree_for_a_constant_rate_and_differ_when_it_changes():
    A = np.array([[3.0, 0.5], [0.5, 1.0]])  # L(θ) = ½ θᵀAθ, gradient Aθ

    def grad(p):
        return {"w": A @ p["w"]}

    mu, lr1, lr2 = 0.9, 0.1, 0.02
    ours = theirs = {"w": np.array([1.0, -2.0])}
    v = buf = None
    for _ in range(5):  # constant α: the same parameters, and v = −α b
        ours, v = mh.momentum_step(ours, grad(ours), v, lr=lr1, momentum=mu)
        theirs, buf = _pytorch_sgd_momentum(theirs, grad(theirs), buf, lr1, mu)
        np.testing.assert_allclose(ours["w"], theirs["w"], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(v["w"], -lr1 * buf["w"], rtol=1e-13, atol=1e-15)
    # α drops from 0.1 to 0.02: ours keeps the old velocity, PyTorch rescales its whole buffer
    before, v_before = ours["w"].copy(), v["w"].copy()
    ours, v = mh.momentum_step(ours, grad(ours), v, lr=lr2, momentum=mu)
    theirs, buf = _pytorch_sgd_momentum(theirs, grad(theirs), buf, lr2, mu)
    assert np.max(np.abs(ours["w"] - theirs["w"])) > 1e-3
    # by hand: θ_ours − θ_torch = μ v (1 − α₂/α₁), v the velocity before the step
    np.testing.assert_allclose(ours["w"] - theirs["w"], mu * v_before * (1 - lr2 / lr1), rtol=1e-10)
    assert np.all(before != ours["w"])


def test_momentum_step_docstring_states_the_relation():
    doc = " ".join(mh.momentum_step.__doc__.split())
    for words in ("PyTorch", "constant", "v = -\\alpha b", "changes", "velocity = -lr * buffer"):
        assert words in doc, words
