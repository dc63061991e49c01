"""Backprop equals central differences for every activation x loss x penalty x layout,
over random shapes and depths 1-4 (hypothesis)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlp_helpers as mh

BUILTIN_ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "relu_plus_sin"]
PENALTY_KINDS = [None, "l2", "l2_half", "l1", "elastic_net"]


def _problem(seed, sizes, n_samples, loss, layout):
    rng = np.random.default_rng(seed)
    params = mh.init_params(sizes, seed=seed, layout=layout, scale="xavier")
    params = {k: v + (rng.normal(0, 0.1, v.shape) if k.startswith("b") else 0.0) for k, v in params.items()}
    X = rng.normal(size=(n_samples, sizes[0]))
    n_out = sizes[-1]
    if loss == "cross_entropy":
        Y = mh.one_hot(rng.integers(0, n_out, n_samples), n_out)
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, (n_samples, n_out)).astype(float)
    else:
        Y = rng.normal(size=(n_samples, n_out))
    if layout == "columns":
        X, Y = X.T, Y.T
    return params, X, Y


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    depth=st.integers(1, 4),
    widths=st.lists(st.integers(1, 5), min_size=5, max_size=5),
    n_samples=st.integers(1, 4),
    activation=st.sampled_from(BUILTIN_ACTIVATIONS),
    loss=st.sampled_from(sorted(mh.LOSSES)),
    kind=st.sampled_from(PENALTY_KINDS),
    include_biases=st.booleans(),
    layout=st.sampled_from(["rows", "columns"]),
    reduction=st.sampled_from(["sum", "mean"]),
)
def test_backprop_matches_finite_differences(seed, depth, widths, n_samples, activation, loss, kind,
                                             include_biases, layout, reduction):
    sizes = widths[: depth + 1]
    if loss == "cross_entropy" and sizes[-1] == 1:
        sizes[-1] = 2
    params, X, Y = _problem(seed, sizes, n_samples, loss, layout)
    options = dict(activation=activation, loss=loss, layout=layout, reduction=reduction,
                   lam=0.0 if kind is None else 0.05, penalty_kind=kind or "l2", include_biases=include_biases)
    fwd = {k: options[k] for k in ("activation", "loss", "layout")}
    analytic, _ = mh.backward(params, mh.forward(params, X, **fwd), Y, **options)
    numeric = mh.numerical_gradient(lambda p: mh.loss_value(p, X, Y, **options), params)
    assert set(analytic) == set(numeric) == set(params)
    a = np.concatenate([analytic[k].ravel() for k in params])
    n = np.concatenate([numeric[k].ravel() for k in params])
    # The whole gradient: relative error below 1e-7.
    assert mh.relative_error(a, n) < 1e-7
    # Each parameter, measured against the whole gradient's scale: a layer whose
    # gradient is 1e-4 of the rest (a chain of leaky units) only carries
    # finite-difference round-off, yet a wrong term there would still show.
    scale = np.linalg.norm(a) + np.linalg.norm(n) + 1e-12
    for k in params:
        assert np.linalg.norm(analytic[k] - numeric[k]) / scale < 1e-7, k


def test_gradient_check_detects_a_missing_penalty_term():
    """A check strong enough to fail: drop the L2 term from the analytic gradient."""
    params, X, Y = _problem(0, [3, 4, 2], 3, "cross_entropy", "rows")
    opts = dict(lam=0.1, penalty_kind="l2")
    cache = mh.forward(params, X)
    without, _ = mh.backward(params, cache, Y, lam=0.0)
    numeric = mh.numerical_gradient(lambda p: mh.loss_value(p, X, Y, **opts), params)
    assert mh.relative_error(without["W1"], numeric["W1"]) > 1e-3


@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_deltas_are_dL_dZ(layout):
    """delta_l is the gradient of the loss with respect to Z_l (perturb Z_l through b_l)."""
    params, X, Y = _problem(4, [3, 5, 4, 2], 1, "cross_entropy", layout)
    X, Y = X.ravel(), Y.ravel()  # one sample: dL/db_l = delta_l
    cache = mh.forward(params, X, layout=layout)
    _, terms = mh.backward(params, cache, Y, layout=layout, reduction="sum")
    numeric = mh.numerical_gradient(lambda p: mh.loss_value(p, X, Y, layout=layout, reduction="sum"), params)
    for l in (1, 2, 3):
        np.testing.assert_allclose(terms[f"delta{l}"], numeric[f"b{l}"], atol=1e-8)
    # dH1 = W2^T delta2 (columns) = delta2 W2^T (rows)
    W2 = params["W2"]
    expected = W2.T @ terms["delta2"] if layout == "columns" else terms["delta2"] @ W2.T
    np.testing.assert_allclose(terms["dH1"], expected, atol=1e-15)


def test_bias_gradient_keeps_the_given_shape():
    params, X, Y = _problem(1, [3, 4, 2], 2, "cross_entropy", "rows")
    params["b1"] = params["b1"].reshape(1, 4)
    grads, _ = mh.backward(params, mh.forward(params, X), Y)
    assert grads["b1"].shape == (1, 4) and grads["b2"].shape == (2,)
