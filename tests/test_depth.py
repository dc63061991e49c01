"""mlp_helpers.depth: the initialisation rules, the variance recursions and the measured deep stacks.

Independent references:
* the rules' standard deviations: PyTorch's torch.nn.init (2.13.0) values, typed in as data;
* init_params' draws: numpy's standard normals from the same seed times the rule's std;
* Gaussian expectations: closed forms (E[z^2] = s^2, E[z^4] = 3 s^4, E[relu(z)^2] = s^2/2,
  E[relu'(z)^2] = 1/2, E[e^z] = e^(s^2/2), E[sigmoid(z)] = 1/2) and scipy.integrate.quad;
* the recursions: their closed forms for ReLU and the identity, and a quad-based recursion;
* the measured statistics: mlp_helpers.forward/backward run seed by seed, central differences
  (mlp_helpers.numerical_gradient of loss_value), and, over many seeds, the closed-form
  expectation of E[z_l^2] for ReLU stacks (exact in expectation at any width).
"""
import math
import re

import numpy as np
import pytest
from scipy import integrate

import mlp_helpers as mh
from mlp_helpers import depth as dp


def raises(exc, *words):
    """pytest.raises whose message must contain every word (the argument name, expected, got)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # an identity, not the package's formula


# ------------------------------------------------------------------ init_std
# Produced with torch 2.13.0 (float64): torch.manual_seed(0); w = torch.empty(n_out, n_in);
# INIT(w); torch.manual_seed(0); (w / torch.randn(n_out, n_in)).mean().item(), where INIT is
# kaiming_normal_(w, nonlinearity="relu") [he], kaiming_normal_(w, nonlinearity="linear")
# [xavier, the package's 1/n_in convention] and xavier_normal_(w) [glorot].
TORCH_STD = [
    ("he", 50, 30, 0.20000000000000007),
    ("he", 300, 7, 0.0816496580927726),
    ("xavier", 50, 30, 0.14142135623730948),
    ("xavier", 300, 7, 0.05773502691896259),
    ("glorot", 50, 30, 0.15811388300841894),
    ("glorot", 300, 7, 0.08071343122712617),
]


@pytest.mark.parametrize("rule, n_in, n_out, torch_std", TORCH_STD)
def test_init_std_matches_torch_nn_init(rule, n_in, n_out, torch_std):
    assert dp.init_std(rule, n_in, n_out) == pytest.approx(torch_std, rel=1e-14)


def test_init_std_hand_values_and_defaults():
    assert dp.init_std("he", 8) == pytest.approx(0.5)            # sqrt(2/8)
    assert dp.init_std("xavier", 4) == pytest.approx(0.5)        # sqrt(1/4)
    assert dp.init_std("glorot", 3, 5) == pytest.approx(0.5)     # sqrt(2/8)
    assert dp.init_std("he", 8, 1000) == dp.init_std("he", 8)    # He and Xavier use the fan-in only
    assert dp.GAINS == {"xavier": 1.0, "he": pytest.approx(math.sqrt(2))}


@pytest.mark.parametrize("scale", ["he", "xavier"])
def test_init_params_draws_with_init_std(scale):
    params = mh.init_params([50, 30, 7], seed=3, scale=scale)
    z = np.random.default_rng(3).standard_normal(50 * 30 + 30 * 7)
    np.testing.assert_allclose(params["W1"], dp.init_std(scale, 50) * z[:1500].reshape(50, 30), rtol=1e-14)
    np.testing.assert_allclose(params["W2"], dp.init_std(scale, 30) * z[1500:].reshape(30, 7), rtol=1e-14)


# ------------------------------------------------------ gaussian_expectation
@pytest.mark.parametrize("var", [0.01, 0.5, 1.0, 3.7, 100.0])
def test_gaussian_expectation_closed_forms(var):
    E = dp.gaussian_expectation
    assert E(lambda z: z ** 2, var) == pytest.approx(var, rel=1e-12)
    assert E(lambda z: z ** 4, var) == pytest.approx(3 * var ** 2, rel=1e-12)
    assert E(lambda z: np.maximum(z, 0) ** 2, var) == pytest.approx(var / 2, rel=1e-12)   # ReLU halves it
    assert E(lambda z: (z > 0).astype(float), var) == pytest.approx(0.5, rel=1e-12)       # E[relu'(z)^2]
    assert E(sigmoid, var) == pytest.approx(0.5, rel=1e-12)
    if var <= 4:
        assert E(np.exp, var) == pytest.approx(math.exp(var / 2), rel=1e-10)             # log-normal mean


@pytest.mark.parametrize("var", [0.1, 1.0, 2.5, 9.0, 100.0])
@pytest.mark.parametrize("fn", [lambda z: np.tanh(z) ** 2, lambda z: (1 - np.tanh(z) ** 2) ** 2,
                                lambda z: sigmoid(z) ** 2, lambda z: (sigmoid(z) * (1 - sigmoid(z))) ** 2],
                         ids=["tanh^2", "tanh'^2", "sigmoid^2", "sigmoid'^2"])
def test_gaussian_expectation_against_scipy_quad(fn, var):
    s = math.sqrt(var)
    ref, _ = integrate.quad(lambda z: float(fn(np.array(z))) * math.exp(-z * z / (2 * var)) / (s * math.sqrt(2 * math.pi)),
                            -np.inf, np.inf, epsabs=1e-13)
    assert dp.gaussian_expectation(fn, var) == pytest.approx(ref, rel=1e-10, abs=1e-13)


def test_gaussian_expectation_at_zero_variance_is_fn_of_zero():
    assert dp.gaussian_expectation(np.cos, 0.0) == pytest.approx(1.0)
    assert dp.gaussian_expectation(lambda z: z + 3.0, 0.0) == pytest.approx(3.0)


# ---------------------------------------------------------------- mean_field
@pytest.mark.parametrize("gain", [0.7, 1.0, math.sqrt(2), 2.0])
def test_mean_field_relu_closed_form(gain):
    D, q0 = 12, 1.7
    r = dp.mean_field("relu", D, gain, q0=q0)
    l = np.arange(1, D + 1)
    np.testing.assert_allclose(r["q"], gain ** 2 * q0 * (gain ** 2 / 2) ** (l - 1), rtol=1e-12)
    np.testing.assert_allclose(r["chi"], gain ** 2 / 2, rtol=1e-12)
    np.testing.assert_allclose(r["delta_ratio"], (gain ** 2 / 2) ** ((D - l) / 2), rtol=1e-12)


def test_mean_field_he_keeps_relu_variance_and_identity_grows_like_g_squared():
    he = dp.mean_field("relu", 20, dp.init_std("he", 64) * math.sqrt(64))
    np.testing.assert_allclose(he["q"], 2.0, rtol=1e-12)
    np.testing.assert_allclose(he["delta_ratio"], 1.0, rtol=1e-12)
    ident = dp.mean_field("identity", 5, 1.5)
    np.testing.assert_allclose(ident["q"], 1.5 ** (2 * np.arange(1, 6)), rtol=1e-12)
    np.testing.assert_allclose(ident["chi"], 2.25, rtol=1e-12)


@pytest.mark.parametrize("activation, f, df", [
    ("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    ("sigmoid", sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
])
def test_mean_field_tanh_sigmoid_against_a_quad_recursion(activation, f, df):
    def E(fn, q):
        s = math.sqrt(q)
        return integrate.quad(lambda z: float(fn(np.array(z))) * math.exp(-z * z / (2 * q)) / (s * math.sqrt(2 * math.pi)),
                              -np.inf, np.inf, epsabs=1e-13)[0]

    g, D = 1.3, 6
    q, chi = [g ** 2], []
    for _ in range(D - 1):
        q.append(g ** 2 * E(lambda z: f(z) ** 2, q[-1]))
    chi = [g ** 2 * E(lambda z: df(z) ** 2, qq) for qq in q]
    ratio = [math.sqrt(math.prod(chi[l:D - 1])) for l in range(D)]
    r = dp.mean_field(activation, D, g)
    np.testing.assert_allclose(r["q"], q, rtol=1e-7)
    np.testing.assert_allclose(r["chi"], chi, rtol=1e-7)
    np.testing.assert_allclose(r["delta_ratio"], ratio, rtol=1e-7)


# ------------------------------------------------------------- deep stacks
def test_deep_stack_is_init_params_xavier_times_the_gain():
    params, X, Y = dp.deep_stack(4, gain=1.7, width=6, n_samples=5, n_classes=3, seed=2)
    ref = mh.init_params([6, 6, 6, 6, 6, 3], seed=2, scale="xavier")
    assert set(params) == set(ref)
    for k in ref:
        np.testing.assert_allclose(params[k], 1.7 * ref[k] if k.startswith("W") else ref[k], rtol=1e-15)
    rng = np.random.default_rng([2, 1])
    np.testing.assert_array_equal(X, rng.normal(size=(5, 6)))
    np.testing.assert_array_equal(Y, np.eye(3)[rng.integers(0, 3, 5)])
    params["W1"][0, 0] = 99.0  # the caller's copy: the cache behind it is untouched
    assert dp.deep_stack(4, 1.7, 6, 5, 3, 2)[0]["W1"][0, 0] != 99.0


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity", "softplus"])
@pytest.mark.parametrize("gain", [0.6, 1.0, 2.2])
def test_layer_statistics_equal_forward_and_backward_seed_by_seed(activation, gain):
    D, seeds = 7, (0, 3, 9)
    stats = dp.layer_statistics(activation, D, gain, width=8, n_samples=6, n_classes=4, seeds=seeds)
    for i, s in enumerate(seeds):
        params, X, Y = dp.deep_stack(D, gain, 8, 6, 4, seed=s)
        cache = mh.forward(params, X, activation=activation)
        grads, terms = mh.backward(params, cache, Y, activation=activation)
        for l in range(1, D + 1):
            assert stats["z_second_moment"][i, l - 1] == pytest.approx(np.mean(cache[f"Z{l}"] ** 2), rel=1e-12)
            assert stats["delta_norm"][i, l - 1] == pytest.approx(np.linalg.norm(terms[f"delta{l}"]), rel=1e-10)
            assert stats["weight_grad_norm"][i, l - 1] == pytest.approx(np.linalg.norm(grads[f"W{l}"]), rel=1e-10)
    assert stats["z_second_moment"].shape == stats["delta_norm"].shape == (3, D)
    assert stats["seeds"] == seeds and stats["depth"] == D and stats["gain"] == gain


def test_weight_gradient_norms_against_central_differences():
    D = 3
    params, X, Y = dp.deep_stack(D, 1.4, width=4, n_samples=5, n_classes=3, seed=1)
    numeric = mh.numerical_gradient(lambda p: mh.loss_value(p, X, Y, activation="tanh"), params, eps=1e-6)
    stats = dp.layer_statistics("tanh", D, 1.4, width=4, n_samples=5, n_classes=3, seeds=(1,))
    for l in range(1, D + 1):
        assert stats["weight_grad_norm"][0, l - 1] == pytest.approx(np.linalg.norm(numeric[f"W{l}"]), rel=1e-6)


def test_weight_grads_false_skips_them_and_changes_nothing_else():
    a = dp.layer_statistics("relu", 5, 1.2, width=6, n_samples=4, seeds=(0, 1))
    b = dp.layer_statistics("relu", 5, 1.2, width=6, n_samples=4, seeds=(0, 1), weight_grads=False)
    assert np.all(np.isnan(b["weight_grad_norm"]))
    np.testing.assert_array_equal(a["delta_norm"], b["delta_norm"])
    np.testing.assert_array_equal(a["z_second_moment"], b["z_second_moment"])


@pytest.mark.parametrize("name", sorted(dp.DERIVATIVE_FROM_OUTPUT))
def test_derivative_from_output_equals_df(name):
    z = np.linspace(-30, 30, 2001)
    act = mh.ACTIVATIONS[name]
    np.testing.assert_allclose(dp.DERIVATIVE_FROM_OUTPUT[name](act.f(z)), act.df(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("gain", [1.0, math.sqrt(2), 1.8])
def test_relu_variance_matches_its_expectation_over_many_seeds(gain):
    """For ReLU, E[z_l^2] = g^2 (g^2/2)^(l-1) exactly (over the weights), at any width."""
    D = 4
    stats = dp.layer_statistics("relu", D, gain, width=64, n_samples=64, seeds=tuple(range(60)))
    mean = stats["z_second_moment"].mean(axis=0)
    expected = gain ** 2 * (gain ** 2 / 2) ** np.arange(D)
    np.testing.assert_allclose(mean, expected, rtol=0.1)


def test_he_keeps_gradients_flat_and_xavier_lets_relu_gradients_vanish():
    he = dp.gradient_ratio(dp.layer_statistics("relu", 20, math.sqrt(2)))
    xavier = dp.gradient_ratio(dp.layer_statistics("relu", 20, 1.0))
    sig = dp.gradient_ratio(dp.layer_statistics("sigmoid", 20, 1.0))
    assert he["verdict"] == "flat" and 0.3 < he["ratio"] < 3
    # the backward factor per layer is sqrt(g^2 E[relu'^2]) = sqrt(1/2) at g = 1
    assert xavier["verdict"] == "vanishing" and xavier["per_layer"] == pytest.approx(math.sqrt(0.5), rel=0.1)
    assert sig["verdict"] == "vanishing" and sig["ratio"] < 1e-9 and sig["per_layer"] < 0.3


# --------------------------------------------------- summarize / ratios
def test_summarize_geometric_and_arithmetic():
    v = np.array([[1.0, 4.0], [100.0, 1.0]])
    mean, lo, hi = dp.summarize(v)
    np.testing.assert_allclose(mean, [10.0, 2.0])
    np.testing.assert_array_equal(lo, [1.0, 1.0])
    np.testing.assert_array_equal(hi, [100.0, 4.0])
    np.testing.assert_allclose(dp.summarize(v, "arithmetic")[0], [50.5, 2.5])


def test_gradient_ratio_and_verdicts():
    stats = {"delta_norm": np.array([[1.0, 10.0, 100.0], [4.0, 20.0, 400.0]])}
    r = dp.gradient_ratio(stats)
    assert r["ratio"] == pytest.approx(0.01) and r["low"] == r["high"] == pytest.approx(0.01)
    assert r["per_layer"] == pytest.approx(0.1) and r["verdict"] == "vanishing"
    assert dp.gradient_ratio({"delta_norm": np.array([[3.0]])})["per_layer"] == 1.0
    assert [dp.verdict(x) for x in (0.0999, 0.1, 1.0, 10.0, 10.01)] == \
        ["vanishing", "flat", "flat", "flat", "exploding"]


# ------------------------------------------------------------ the exercise
def right(n_in, n_out, activation):
    return math.sqrt((2.0 if activation == "relu" else 1.0) / n_in)


@pytest.mark.parametrize("seed", [dp.EXERCISE_SEED, 0, 12345])
def test_check_init_std_accepts_the_rule_on_any_hidden_cases(seed):
    d = dp.check_init_std(right, seed=seed)
    assert d.ok and d.code == "correct"


@pytest.mark.parametrize("fn, code", [
    (lambda n_in, n_out, a: (2.0 if a == "relu" else 1.0) / n_in, "variance"),
    (lambda n_in, n_out, a: math.sqrt(1.0 / n_in), "relu_factor"),
    (lambda n_in, n_out, a: math.sqrt(2.0 / n_in), "tanh_factor"),
    (lambda n_in, n_out, a: math.sqrt((2.0 if a == "relu" else 1.0) / n_out), "fan_out"),
    (lambda n_in, n_out, a: 0.1414, "constant"),
    (lambda n_in, n_out, a: -right(n_in, n_out, a), "sign"),
    (lambda n_in, n_out, a: round(right(n_in, n_out, a), 3), "rounded"),
    (lambda n_in, n_out, a: math.sqrt(3.0 / n_in), "wrong"),
    (lambda n_in, n_out, a: 1 / 0, "error"),
    (lambda n_in, n_out, a: None, "missing"),
    (lambda n_in, n_out, a: [1.0, 2.0], "shape"),
])
def test_check_init_std_names_the_mistake(fn, code):
    d = dp.check_init_std(fn)
    assert not d.ok and d.code == code, d.message
    assert d.message.endswith(f"(kind of mistake: {code})")


def test_check_init_std_hidden_cases_defeat_a_hard_coded_table():
    # right for the sizes a notebook would print, a guess everywhere else
    table = {(100, "relu"): math.sqrt(0.02), (100, "tanh"): 0.1, (256, "relu"): 0.088388}
    d = dp.check_init_std(lambda n_in, n_out, a: table.get((n_in, a), 0.1))
    assert not d.ok
    assert dp.check_init_std(None).code == "missing"


# ------------------------------------------------------------- bad input
def test_bad_input_init_std():
    with raises(ValueError, "rule:", "he", "xavier", "glorot", "'lecun'"):
        dp.init_std("lecun", 10)
    with raises(ValueError, "n_in:", ">= 1", "0"):
        dp.init_std("he", 0)
    with raises(ValueError, "n_in:", "whole number", "2.5"):
        dp.init_std("he", 2.5)
    with raises(TypeError, "n_in:", "number", "str"):
        dp.init_std("he", "10")
    with raises(ValueError, "n_out:", "fan-out", "None"):
        dp.init_std("glorot", 10)


def test_bad_input_gaussian_expectation():
    with raises(TypeError, "fn:", "function", "float"):
        dp.gaussian_expectation(1.0, 1.0)
    with raises(ValueError, "var:", ">= 0.0", "-1"):
        dp.gaussian_expectation(np.tanh, -1.0)
    with raises(ValueError, "var:", "finite", "inf"):
        dp.gaussian_expectation(np.tanh, np.inf)
    with raises(ValueError, "fn:", "element-wise", "()"):
        dp.gaussian_expectation(lambda z: float(np.sum(z)), 1.0)


def test_bad_input_mean_field():
    with raises(ValueError, "activation:", "relu", "'swish'"):
        dp.mean_field("swish", 3, 1.0)
    with raises(ValueError, "depth:", ">= 1", "0"):
        dp.mean_field("relu", 0, 1.0)
    with raises(ValueError, "depth:", "<= 200", "1000"):
        dp.mean_field("relu", 1000, 1.0)
    with raises(ValueError, "gain:", "> 0.0", "0.0"):
        dp.mean_field("relu", 3, 0.0)
    with raises(ValueError, "q0:", "> 0.0", "-2"):
        dp.mean_field("relu", 3, 1.0, q0=-2)
    with raises(ValueError, "gain:", "overflows"):
        dp.mean_field("relu", 200, 1e3)


def test_bad_input_stacks():
    with raises(ValueError, "seeds:", "at least one seed", "empty"):
        dp.layer_statistics("relu", 3, seeds=())
    with raises(ValueError, "seeds:", "different seeds", "(1, 1)"):
        dp.layer_statistics("relu", 3, seeds=(1, 1))
    with raises(ValueError, "seeds[1]:", ">= 0", "-4"):
        dp.layer_statistics("relu", 3, seeds=(0, -4))
    with raises(TypeError, "seeds:", "sequence", "'012'"):
        dp.layer_statistics("relu", 3, seeds="012")
    with raises(ValueError, "width:", ">= 1", "0"):
        dp.layer_statistics("relu", 3, width=0)
    with raises(ValueError, "n_classes:", ">= 2", "1"):
        dp.deep_stack(3, n_classes=1)
    with raises(ValueError, "gain:", "> 0.0", "-1"):
        dp.deep_stack(3, gain=-1.0)
    with raises(TypeError, "weight_grads:", "True or False", "1"):
        dp.layer_statistics("relu", 3, weight_grads=1)
    with raises(ValueError, "gain:", "overflows", "relu"):
        dp.layer_statistics("relu", 200, gain=30.0, width=4, n_samples=2, seeds=(0,))


def test_bad_input_summaries():
    with raises(ValueError, "values:", "2-D", "(3,)"):
        dp.summarize(np.ones(3))
    with raises(ValueError, "values:", "positive"):
        dp.summarize(np.array([[1.0, 0.0]]))
    with raises(ValueError, "kind:", "arithmetic", "geometric", "'median'"):
        dp.summarize(np.ones((2, 2)), "median")
    with raises(TypeError, "stats:", "layer_statistics"):
        dp.gradient_ratio([1.0, 2.0])
    with raises(ValueError, "ratio:", ">= 0.0", "-1"):
        dp.verdict(-1.0)
    with raises(TypeError, "fn:", "your function", "int"):
        dp.check_init_std(3)
    with raises(ValueError, "seed:", ">= 0", "-1"):
        dp.check_init_std(right, seed=-1)
