"""No silent wrong answer, no foreign error, in forward/backward/loss_value/predict/
train/init_params (issue 9: the malformed cache, empty batches, epochs and seeds).

The checks of bad input failed before (checked against the previous commit):
a gradient of the wrong shape, a bare KeyError, numpy's own message, an
OverflowError, a silent empty result.  A few guards pin down what keeps working
(the seeds numpy accepts, whole-number epochs).
"""
import re

import numpy as np
import pytest

import mlp_helpers as mh
from mlp_helpers.seeds import seed000, seed001


def raises(exc, *words):
    """pytest.raises whose message must contain every word (the argument name, expected, got)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


def _seed():
    s = seed000()
    return s["params"], s["X"], s["Y"]


# -------------------------------------------------------------- the cache
def test_backward_refuses_a_z_of_the_wrong_width():
    """Before: backward returned a W1 gradient of shape (3, 5) for W1 of shape (3, 4)."""
    params, X, Y = _seed()
    cache = mh.forward(params, X)
    bad = dict(cache, Z1=np.ones((1, 5)), H1=np.ones((1, 5)))
    with raises(ValueError, "cache['Z1']", "expected shape (1, 4)", "layer 1 has 4 units", "got (1, 5)"):
        mh.backward(params, bad, Y)
    with raises(ValueError, "cache['Z2']", "(1, 2)", "(2, 1)"):
        mh.backward(params, dict(cache, Z2=cache["Z2"].T, Yhat=cache["Yhat"].T), Y)
    with raises(ValueError, "cache['H1']", "(1, 4)", "(1, 3)"):
        mh.backward(params, dict(cache, H1=np.ones((1, 3))), Y)
    with raises(ValueError, "cache['Yhat']", "(1, 2)", "(2,)"):
        mh.backward(params, dict(cache, Yhat=cache["Yhat"][0]), Y)


def test_backward_refuses_a_cache_of_another_batch_or_layout():
    params, X, Y = _seed()
    two = mh.forward(params, np.vstack([X, X]))
    with raises(ValueError, "cache['Z1']", "(1, 4)", "1 samples", "(2, 4)"):
        mh.backward(params, dict(two, X=X), Y)
    s = seed001()
    cache = mh.forward(s["params"], s["X"][:, None], activation="relu_plus_sin", layout="columns")
    with raises(ValueError, "cache['X']", "(4, n_samples)", "columns", "(1, 4)"):
        mh.backward(s["params"], dict(cache, X=cache["X"].T), s["Y"][:, None], activation="relu_plus_sin",
                    layout="columns")


def test_backward_names_missing_and_unexpected_keys():
    """Before: a missing H1 or Z1 gave a bare KeyError."""
    params, X, Y = _seed()
    cache = mh.forward(params, X)
    for key in ("H1", "Z1", "Yhat", "X", "Z2"):
        partial = {k: v for k, v in cache.items() if k != key}
        with raises(ValueError, "cache:", "forward()", "2-layer", f"missing ['{key}']"):
            mh.backward(params, partial, Y)
    with raises(ValueError, "cache:", "unexpected ['Z3']"):
        mh.backward(params, dict(cache, Z3=cache["Z2"]), Y)
    with raises(TypeError, "cache:", "dict", "list"):
        mh.backward(params, [cache["X"]], Y)


def test_backward_refuses_a_cache_computed_with_other_options():
    """Before: forward with tanh, backward with the default relu gave relu's gradient
    for a network whose cache shows tanh units, silently."""
    params, X, Y = _seed()
    with raises(ValueError, "cache['H1']", "activation 'relu'", "other options"):
        mh.backward(params, mh.forward(params, X, activation="tanh"), Y)
    with raises(ValueError, "cache['Yhat']", "output 'softmax'", "other options"):
        mh.backward(params, mh.forward(params, X, loss="mse"), Y)
    changed = mh.forward(params, X)
    changed["H1"] = changed["H1"] + 0.5
    with raises(ValueError, "cache['H1']"):
        mh.backward(params, changed, Y)


def test_gradients_always_have_the_parameters_shapes():
    params, X, Y = _seed()
    grads, _ = mh.backward(params, mh.forward(params, X), Y)
    assert {k: g.shape for k, g in grads.items()} == {k: np.shape(v) for k, v in params.items()}


# ---------------------------------------------------------------- empty batches
@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_empty_batches_name_X(layout):
    """Before: forward returned empty arrays and loss_value a NaN with a RuntimeWarning."""
    params = mh.init_params([3, 4, 2], seed=0, layout=layout)
    X = np.ones((0, 3)) if layout == "rows" else np.ones((3, 0))
    Y = np.ones((0, 2)) if layout == "rows" else np.ones((2, 0))
    shape = "(n_samples, 3)" if layout == "rows" else "(3, n_samples)"
    for call in (lambda: mh.forward(params, X, layout=layout),
                 lambda: mh.loss_value(params, X, Y, layout=layout),
                 lambda: mh.predict(params, X, layout=layout),
                 lambda: mh.train(params, X, np.zeros(0, int), layout=layout)):
        with raises(ValueError, "X:", "at least one sample", shape, str(X.shape)):
            call()
    full = mh.forward(params, np.ones((1, 3)) if layout == "rows" else np.ones((3, 1)), layout=layout)
    with raises(ValueError, "cache['X']", "at least one sample"):
        mh.backward(params, dict(full, X=X), Y, layout=layout)
    Xok = np.ones((2, 3)) if layout == "rows" else np.ones((3, 2))
    with raises(ValueError, "X_val:", "at least one sample"):
        mh.train(params, Xok, np.array([0, 1]), layout=layout, X_val=X, labels_val=np.zeros(0, int))


def test_weights_without_entries_are_refused():
    with raises(ValueError, "W1:", "non-empty", "(0, 4)"):
        mh.forward({"W1": np.ones((0, 4)), "b1": np.zeros(4)}, np.ones(0))


# ---------------------------------------------------------- epochs and sizes
@pytest.mark.parametrize("bad, exc, words", [
    (np.nan, ValueError, ["finite", "nan"]),        # before: "cannot convert float NaN to integer"
    (np.inf, ValueError, ["finite", "inf"]),        # before: OverflowError
    (-1, ValueError, [">= 0", "-1"]),
    (2.5, ValueError, ["whole number", "2.5"]),
    ("3", TypeError, ["whole number", "str"]),
    (True, TypeError, ["whole number", "bool"]),
])
def test_epochs_must_be_a_whole_number(bad, exc, words):
    params, X, _ = _seed()
    with raises(exc, "epochs:", *words):
        mh.train(params, X, np.array([0]), epochs=bad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 0, 1.5])
def test_batch_size_must_be_a_positive_whole_number(bad):
    params, X, _ = _seed()
    with raises(ValueError, "batch_size:"):
        mh.train(params, X, np.array([0]), batch_size=bad)


def test_init_params_sizes():
    with raises(ValueError, "sizes[1]:", "finite", "nan"):   # before: numpy's "cannot convert float NaN"
        mh.init_params([2, np.nan])
    with raises(ValueError, "sizes[1]:", "finite", "inf"):   # before: OverflowError
        mh.init_params([2, np.inf])
    with raises(ValueError, "sizes[0]:", ">= 1", "0"):
        mh.init_params([0, 3])
    with raises(TypeError, "sizes[1]:", "whole number", "str"):
        mh.init_params([2, "3"])
    with raises(ValueError, "sizes:", "at least 2"):
        mh.init_params([3])
    p = mh.init_params(np.array([2, 3]), seed=1)           # a 1-D int array of sizes is fine
    assert p["W1"].shape == (2, 3)
    assert mh.init_params([2.0, np.int64(3)])["W1"].shape == (2, 3)


# ------------------------------------------------------------------- seeds
@pytest.mark.parametrize("fn", ["train", "init_params"])
@pytest.mark.parametrize("bad, exc, words", [
    (-1, ValueError, [">= 0", "-1"]),
    (1.5, TypeError, ["SeedSequence", "float"]),
    ("0", TypeError, ["SeedSequence", "str"]),
    (True, TypeError, ["SeedSequence", "bool"]),
    ([1, 2], TypeError, ["SeedSequence", "list"]),
    (np.random.default_rng(0), TypeError, ["SeedSequence", "Generator"]),
])
def test_bad_seeds_name_seed(fn, bad, exc, words):
    params, X, _ = _seed()
    call = (lambda: mh.train(params, X, np.array([0]), seed=bad)) if fn == "train" else (
        lambda: mh.init_params([2, 3], seed=bad))
    with raises(exc, "seed:", *words):
        call()


@pytest.mark.parametrize("seed", [None, 0, 7, np.int64(7), np.random.SeedSequence(7)])
def test_seeds_numpy_accepts_are_accepted(seed):
    params, X, _ = _seed()
    _, hist = mh.train(params, X, np.array([0]), epochs=1, seed=seed)
    assert len(hist["loss"]) == 1
    assert mh.init_params([2, 3], seed=seed)["W1"].shape == (2, 3)
    if seed is not None and not isinstance(seed, np.random.SeedSequence):
        np.testing.assert_array_equal(mh.init_params([2, 3], seed=seed)["W1"],
                                      mh.init_params([2, 3], seed=np.random.SeedSequence(int(seed)))["W1"])


# -------------------------------------------------- overflow and divergence
def test_forward_overflow_is_an_error_not_a_warning():
    params = {"W1": np.full((2, 2), 1e200), "b1": np.zeros(2), "W2": np.full((2, 2), 1e200), "b2": np.zeros(2)}
    X = np.ones((1, 2))
    with raises(ValueError, "params, X:", "Z2", "not finite", "1e+200"):
        mh.forward(params, X, activation="identity")
    with raises(ValueError, "params, X:", "not finite"):
        mh.loss_value(params, X, np.array([[1.0, 0.0]]), activation="identity")


def test_training_that_diverges_names_lr():
    X = np.random.default_rng(0).normal(size=(20, 2)) * 10
    y = np.random.default_rng(1).normal(size=(20, 1)) * 10
    p0 = mh.init_params([2, 8, 1], seed=0)
    with raises(ValueError, "lr:", "diverged", "epoch", "lr=1000000.0"):
        mh.train(p0, X, y, loss="mse", activation="identity", lr=1e6, epochs=50)


# -------------------------------------------------------------- targets
def test_cross_entropy_targets_must_be_in_0_1():
    params, X, _ = _seed()
    with raises(ValueError, "Y:", "[0.0, 1.0]", "2.0", "(0, 0)"):
        mh.loss_value(params, X, np.array([[2.0, -1.0]]))
    with raises(ValueError, "Y:", "[0.0, 1.0]", "2.0"):
        mh.backward(params, mh.forward(params, X), np.array([[2.0, 0.0]]))
    with raises(ValueError, "labels:", "[0.0, 1.0]", "3.0"):
        mh.train(params, X, np.array([[3.0, 0.0]]))


def test_labels_val_without_X_val_is_an_error():
    params, X, _ = _seed()
    with raises(ValueError, "labels_val:", "X_val"):
        mh.train(params, X, np.array([0]), labels_val=np.array([0]))


def test_train_labels_that_are_not_numbers():
    params, X, _ = _seed()
    with raises(TypeError, "labels:", "str"):
        mh.train(params, X, "0")
    with raises(TypeError, "labels"):
        mh.train(params, X, np.array(["a"]))
