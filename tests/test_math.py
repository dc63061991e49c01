"""Activations, outputs, losses and penalties against independent references.

References: scipy.special and scikit-learn (reference libraries), Python's
math module, and central differences.
"""
import math

import numpy as np
import pytest
from scipy import special
from sklearn.metrics import log_loss

import mlp_helpers as mh

Z = np.array([-3.0, -1.0, -0.25, 0.3, 1.0, 2.5])

REFERENCE = {  # scalar formulas written out independently
    "identity": (lambda z: z, lambda z: 1.0),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z > 0 else 0.01 * z, lambda z: 1.0 if z > 0 else 0.01),
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    "tanh": (math.tanh, lambda z: 1 / math.cosh(z) ** 2),
    "softplus": (lambda z: math.log(1 + math.exp(z)), lambda z: 1 / (1 + math.exp(-z))),
    "relu_plus_sin": (lambda z: max(z, 0.0) + math.sin(z), lambda z: (1.0 if z > 0 else 0.0) + math.cos(z)),
}


def test_every_builtin_activation_has_a_reference():
    assert set(REFERENCE) == set(mh.ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_values_and_derivatives(name):
    f, df = REFERENCE[name]
    act = mh.ACTIVATIONS[name]
    np.testing.assert_allclose(act.f(Z), [f(z) for z in Z], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(act.df(Z), [df(z) for z in Z], rtol=1e-12, atol=1e-15)
    # and the derivative is the derivative: central differences away from kinks
    h = 1e-6
    numeric = (act.f(Z + h) - act.f(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(Z), numeric, rtol=1e-7, atol=1e-8)
    assert act.f(Z.reshape(2, 3)).shape == (2, 3)


def test_derivative_conventions_at_zero():
    zero = np.array([0.0])
    assert mh.ACTIVATIONS["relu"].df(zero)[0] == 0.0  # documented: 1[z > 0]
    assert mh.ACTIVATIONS["leaky_relu"].df(zero)[0] == 0.01
    assert mh.ACTIVATIONS["relu_plus_sin"].df(zero)[0] == 1.0  # 0 + cos 0
    assert mh.ACTIVATIONS["relu"].f(zero)[0] == 0.0


def test_sigmoid_no_overflow_at_1000():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        s = mh.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(mh.sigmoid(Z), special.expit(Z), rtol=1e-15)


def test_register_activation_is_used_by_forward_and_backward():
    name = "test_cube"
    try:
        mh.register_activation(name, lambda z: z**3, lambda z: 3 * z**2)
        with pytest.raises(ValueError, match="exists already"):
            mh.register_activation(name, lambda z: z, lambda z: z)
        p = mh.init_params([3, 4, 2], seed=1)
        X = np.random.default_rng(0).normal(size=(5, 3))
        Y = mh.one_hot(np.array([0, 1, 1, 0, 1]), 2)
        cache = mh.forward(p, X, activation=name)
        np.testing.assert_allclose(cache["H1"], (X @ p["W1"] + p["b1"]) ** 3)
        errors = mh.gradient_check(p, X, Y, activation=name)
        assert max(errors.values()) < 1e-7
    finally:
        mh.ACTIVATIONS.pop(name, None)


def test_register_activation_refuses_wrong_shape():
    with pytest.raises(ValueError, match="df: expected an output of the input's shape"):
        mh.register_activation("bad", lambda z: z, lambda z: np.sum(z))
    assert "bad" not in mh.ACTIVATIONS


# ------------------------------------------------------------- softmax & CE
def test_softmax_is_row_wise():
    Zb = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0], [-5.0, -5.0, -5.0]])
    np.testing.assert_allclose(mh.softmax(Zb), special.softmax(Zb, axis=1), rtol=1e-14)
    np.testing.assert_allclose(mh.softmax(Zb).sum(axis=1), 1.0)
    # each row equals the softmax of that row alone (seed 000's global version fails this)
    for i, row in enumerate(Zb):
        np.testing.assert_allclose(mh.softmax(Zb)[i], mh.softmax(row))
    np.testing.assert_allclose(mh.softmax(Zb[1]), special.softmax(Zb[1]), rtol=1e-14)
    np.testing.assert_allclose(mh.softmax(Zb.T, axis=0), special.softmax(Zb, axis=1).T, rtol=1e-14)


def test_softmax_differs_from_seed000_global_version_on_a_batch():
    Zb = np.array([[1.0, 2.0], [3.0, 5.0]])
    e = np.exp(Zb - Zb.max())
    seed_version = e / e.sum()  # the seed's function: sums over the whole array
    assert not np.allclose(seed_version.sum(axis=1), 1.0)
    np.testing.assert_allclose(mh.softmax(Zb).sum(axis=1), 1.0)


def test_log_softmax_matches_scipy_and_is_exact_when_saturated():
    Zb = np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 0.0]])
    np.testing.assert_allclose(mh.log_softmax(Zb), special.log_softmax(Zb, axis=1), rtol=1e-14)
    # log softmax of the winner = -log(1 + e^{-d}) = -log1p(e^{-d})
    d = 35.865
    assert mh.log_softmax(np.array([d, 0.0]))[0] == pytest.approx(-math.log1p(math.exp(-d)), rel=1e-12)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_cross_entropy_matches_sklearn(reduction):
    rng = np.random.default_rng(3)
    Zb = rng.normal(size=(6, 4))
    labels = np.array([0, 1, 2, 3, 1, 2])
    Y = mh.one_hot(labels, 4)
    P = special.softmax(Zb, axis=1)
    ref = log_loss(labels, P, labels=[0, 1, 2, 3], normalize=reduction == "mean")
    assert mh.cross_entropy(Y, P, reduction=reduction) == pytest.approx(ref, rel=1e-12)
    assert mh.cross_entropy_from_logits(Y, Zb, reduction=reduction) == pytest.approx(ref, rel=1e-12)


def test_cross_entropy_clip_is_optional():
    y = np.array([0.0, 1.0])
    p = np.array([1.0, 0.0])
    with pytest.raises(ValueError, match=r"y_hat: expected probabilities y_hat where y > 0 > 0, got 0 at index \(1,\).*-log 0 = inf"):
        mh.cross_entropy(y, p)  # the exact loss -log 0 is infinite: an error, not inf (issue 9)
    assert mh.cross_entropy(y, p, clip=1e-9) == pytest.approx(-math.log(1e-9))


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_binary_cross_entropy(reduction):
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    z = np.array([[2.0, -1.0], [0.5, 3.0], [-2.0, 0.1]])
    p = 1 / (1 + np.exp(-z))
    per = [sum(-(yy * math.log(pp) + (1 - yy) * math.log(1 - pp)) for yy, pp in zip(yr, pr)) for yr, pr in zip(y, p)]
    ref = sum(per) if reduction == "sum" else sum(per) / 3
    assert mh.binary_cross_entropy(y, p, reduction) == pytest.approx(ref, rel=1e-12)
    assert mh.binary_cross_entropy_from_logits(y, z, reduction) == pytest.approx(ref, rel=1e-12)
    # exact in the tails: log(1 + e^{-40}) for y = 1, z = 40
    assert mh.binary_cross_entropy_from_logits(np.array([1.0]), np.array([40.0])) == pytest.approx(math.exp(-40), rel=1e-12)


def test_squared_errors():
    y = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    yh = np.array([[0.5, 0.5, 1.0], [1.0, -1.0, 2.0]])
    per_mse = [(0.25 + 0.25 + 1.0) / 3, (1 + 1 + 4) / 3]
    assert mh.mean_squared_error(y, yh, "mean") == pytest.approx(sum(per_mse) / 2)
    assert mh.mean_squared_error(y, yh, "sum") == pytest.approx(sum(per_mse))
    per_half = [0.5 * 1.5, 0.5 * 6.0]
    assert mh.half_sum_squared_error(y, yh, "sum") == pytest.approx(sum(per_half))
    assert mh.half_sum_squared_error(y, yh, "mean") == pytest.approx(sum(per_half) / 2)


def test_softmax_cross_entropy_delta_is_the_gradient():
    z = np.array([0.2, -1.0, 0.7])
    y = np.array([0.0, 0.0, 1.0])
    h = 1e-6
    numeric = [
        (mh.cross_entropy_from_logits(y, z + h * e) - mh.cross_entropy_from_logits(y, z - h * e)) / (2 * h)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(mh.softmax_cross_entropy_delta(y, mh.softmax(z)), numeric, atol=1e-9)


def test_loss_table_from_logits_matches_from_output():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(4, 3))
    y = mh.one_hot(np.array([0, 2, 1, 1]), 3)
    for name, loss in mh.LOSSES.items():
        y_hat = loss.output(z)
        assert float(np.mean(loss.from_logits(y, z))) == pytest.approx(loss.from_output(y, y_hat, "mean"), rel=1e-12), name


def test_one_hot():
    np.testing.assert_array_equal(mh.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


# ------------------------------------------------------------------ penalties
P = {"W1": np.array([[1.0, -2.0], [0.0, 0.5]]), "b1": np.array([3.0, -1.0]), "W2": np.array([[-0.5], [4.0]]), "b2": np.array([2.0])}


def test_penalty_values():
    ws = [1.0, -2.0, 0.0, 0.5, -0.5, 4.0]
    bs = [3.0, -1.0, 2.0]
    lam = 0.1
    assert mh.penalty(P, lam, "l2") == pytest.approx(lam * sum(w * w for w in ws))
    assert mh.penalty(P, lam, "l2_half") == pytest.approx(lam * 0.5 * sum(w * w for w in ws))
    assert mh.penalty(P, lam, "l1") == pytest.approx(lam * sum(abs(w) for w in ws))
    assert mh.penalty(P, lam, "elastic_net") == pytest.approx(lam * sum(abs(w) + w * w for w in ws))
    assert mh.penalty(P, lam, "l1", include_biases=True) == pytest.approx(lam * sum(abs(w) for w in ws + bs))
    assert mh.penalty(P, 0.0, "l2") == 0.0


@pytest.mark.parametrize("kind", ["l2", "l2_half", "l1", "elastic_net"])
@pytest.mark.parametrize("include_biases", [False, True])
def test_penalty_gradients_by_finite_differences(kind, include_biases):
    # away from w = 0 (L1's kink): shift the zero entry
    params = {k: v + (0.3 if k == "W1" else 0.0) for k, v in P.items()}
    grads = mh.penalty_gradients(params, 0.2, kind, include_biases)
    numeric = mh.numerical_gradient(lambda p: mh.penalty(p, 0.2, kind, include_biases), params)
    for k in params:
        np.testing.assert_allclose(grads[k], numeric[k], atol=1e-8)


def test_l1_gradient_at_zero_is_zero_and_conventions_differ_by_two():
    g = mh.penalty_gradients(P, 0.1, "l1")
    assert g["W1"][1, 0] == 0.0  # sign(0) = 0
    np.testing.assert_allclose(g["W1"], 0.1 * np.sign(P["W1"]))
    np.testing.assert_array_equal(g["b1"], [0.0, 0.0])
    full, half = mh.penalty_gradients(P, 0.1, "l2"), mh.penalty_gradients(P, 0.1, "l2_half")
    np.testing.assert_allclose(full["W2"], 2 * 0.1 * P["W2"])
    np.testing.assert_allclose(half["W2"], 0.1 * P["W2"])


# --------------------------------------------------------------- the update
def test_sgd_step_is_pure_and_correct():
    grads = {k: np.ones_like(v) for k, v in P.items()}
    before = {k: v.copy() for k, v in P.items()}
    new = mh.sgd_step(P, grads, 0.5)
    for k in P:
        np.testing.assert_array_equal(P[k], before[k])  # unchanged
        np.testing.assert_allclose(new[k], before[k] - 0.5)


def test_momentum_step():
    grads = {k: np.full_like(v, 2.0) for k, v in P.items()}
    p1, v1 = mh.momentum_step(P, grads, None, lr=0.1, momentum=0.9)
    p2, v2 = mh.momentum_step(p1, grads, v1, lr=0.1, momentum=0.9)
    for k in P:
        np.testing.assert_allclose(v1[k], -0.2)
        np.testing.assert_allclose(v2[k], 0.9 * -0.2 - 0.2)
        np.testing.assert_allclose(p2[k], P[k] - 0.2 - 0.38)


def test_momentum_zero_equals_sgd():
    grads = {k: np.full_like(v, -1.5) for k, v in P.items()}
    p_m, _ = mh.momentum_step(P, grads, None, lr=0.3, momentum=0.0)
    p_s = mh.sgd_step(P, grads, 0.3)
    for k in P:
        np.testing.assert_allclose(p_m[k], p_s[k])


def test_relative_error_cannot_divide_by_zero():
    assert mh.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert mh.relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert mh.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0


# ------------------------------------------- argument checks of the loss functions
LOSS_FUNCTIONS = [mh.cross_entropy, mh.cross_entropy_from_logits, mh.binary_cross_entropy,
                  mh.binary_cross_entropy_from_logits, mh.mean_squared_error, mh.half_sum_squared_error,
                  mh.softmax_cross_entropy_delta]


@pytest.mark.parametrize("fn", LOSS_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_loss_function_refuses_mismatched_shapes_and_accepts_lists(fn):
    with pytest.raises(ValueError, match=r"y, (y_hat|z): expected the same shape, got y \(3, 2\) and (y_hat|z) \(2, 3\)"):
        fn(np.full((3, 2), 0.5), np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match=r"y: expected a 1-D or 2-D array, got 3-D"):
        fn(np.zeros((1, 1, 2)), np.zeros((1, 1, 2)))
    assert np.all(np.isfinite(fn([0.0, 1.0], [0.3, 0.7])))  # lists are fine


@pytest.mark.parametrize("fn", [mh.cross_entropy_from_logits, mh.binary_cross_entropy_from_logits], ids=lambda f: f.__name__)
def test_logits_must_be_finite(fn):
    with pytest.raises(ValueError, match=r"z: expected finite numbers, got nan at index \(1,\)"):
        fn([1.0, 0.0], [0.0, np.nan])


@pytest.mark.parametrize("fn", [mh.cross_entropy, mh.binary_cross_entropy], ids=lambda f: f.__name__)
def test_clip(fn):
    y, p = np.array([1.0, 0.0]), np.array([1e-12, 1e-12])
    clipped = fn(y, p, clip=1e-3)
    assert clipped == pytest.approx(fn(y, np.array([1e-3, 1e-3])), rel=1e-12)
    assert clipped < fn(y, p)
    for bad in (0.0, 0.5, -1e-9):
        with pytest.raises(ValueError, match="clip: expected None or a number in"):
            fn(y, p, clip=bad)
    with pytest.raises(TypeError, match="clip: expected a number, got str '1e-9'"):
        fn(y, p, clip="1e-9")


@pytest.mark.parametrize("reduction", ["avg", None])
def test_unknown_reduction_is_refused_everywhere(reduction):
    s_params = mh.init_params([2, 3, 2], seed=0)
    X, Y = np.ones((2, 2)), mh.one_hot(np.array([0, 1]), 2)
    for call in (lambda: mh.cross_entropy(Y, Y, reduction=reduction),
                 lambda: mh.loss_value(s_params, X, Y, reduction=reduction)):
        with pytest.raises((ValueError, TypeError), match="reduction"):
            call()


def test_one_hot_argument_checks():
    with pytest.raises(ValueError, match=r"n_classes: expected n_classes >= 1, got 0"):
        mh.one_hot(np.array([0]), 0)
    with pytest.raises(ValueError, match=r"labels: expected a 1-D array of class indices, got shape \(1, 2\)"):
        mh.one_hot(np.array([[0, 1]]), 2)
    np.testing.assert_array_equal(mh.one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])  # whole floats are fine


def test_register_activation_argument_checks():
    with pytest.raises(TypeError, match="name: expected a non-empty string"):
        mh.register_activation("", np.sin, np.cos)
    with pytest.raises(TypeError, match="f, df: expected two callables, got function and int"):
        mh.register_activation("sin_only", lambda z: z, 3)
    assert "sin_only" not in mh.ACTIVATIONS


def test_penalty_gradients_refuse_unknown_kind():
    with pytest.raises(ValueError, match=r"kind: unknown kind 'l3'; known: elastic_net, l1, l2, l2_half"):
        mh.penalty_gradients(P, 0.1, "l3")


def test_zero_probabilities_where_the_target_is_zero_are_fine():
    y = np.array([[0.0, 1.0, 0.0]])
    assert mh.cross_entropy(y, y) == 0.0
    assert mh.binary_cross_entropy(y, y) == 0.0
    with pytest.raises(ValueError, match=r"y_hat: expected probabilities y_hat where y > 0 > 0, got 0 at index \(0,\)"):
        mh.binary_cross_entropy(np.array([1.0]), np.array([0.0]))  # -log 0: infinite
