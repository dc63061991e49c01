"""mlp_helpers.optimizers against outside references.

* PyTorch 2.13.0 (CPU, float64): torch.optim.Adam, SGD (momentum, Nesterov), RMSprop and the
  lr_scheduler classes, run once; their numbers are typed in below as data (torch is not a
  requirement of this project).  How they were produced:

      import torch; torch.set_default_dtype(torch.float64)
      w = torch.tensor([-1.2, 1.0], requires_grad=True)           # Rosenbrock's classic start
      opt = torch.optim.Adam([w], lr=0.1)                           # (or one of CONFIGS below)
      for _ in range(3):
          opt.zero_grad(); ((1 - w[0])**2 + 100*(w[1] - w[0]**2)**2).backward(); opt.step()
          print([float(x) for x in w.detach()])
      print(opt.state[w])                                           # exp_avg, exp_avg_sq, ...

  and for the schedules, ``opt.param_groups[0]["lr"]`` before each ``opt.step(); sched.step()``.
* Plain transcriptions of the published rules, in hypothesis tests: Kingma & Ba (2015),
  Algorithm 1; Hinton's lecture 6e (RMSProp: MeanSquare = 0.9 MeanSquare + 0.1 g^2, divide the
  gradient by its root); Sutskever et al. (2013) for the velocity convention; the pseudo-code of
  torch.optim.SGD's documentation for the buffer convention and Nesterov.
* Exact enumeration of every minibatch of a tiny data set for the gradient-noise law.
"""
import itertools
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers import optimizers as O


def raises(exc, *words):
    """pytest.raises whose message must contain every word (the argument name, expected, got)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


def rosenbrock_grad(w):
    """Gradient of (1 - x)^2 + 100 (y - x^2)^2, by hand."""
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


START = np.array([-1.2, 1.0])

# ---------------------------------------------------------------- PyTorch's numbers (typed in)
# name -> (our optimizer, learning rate, our hyperparameters, torch's three iterates)
TORCH = {
    # torch.optim.Adam(lr=0.1)
    "adam_default": ("adam", 0.1, {}, [
        [-1.1000000000046382, 1.0999999999886363],
        [-1.017259582788236, 1.1830597533458147],
        [-0.9709867583811591, 1.2242180561995206]]),
    # torch.optim.Adam(lr=0.1, betas=(0.8, 0.9), eps=0.5): a large eps shows where eps goes
    "adam_eps": ("adam", 0.1, {"beta1": 0.8, "beta2": 0.9, "eps": 0.5}, [
        [-1.1002313743637204, 1.0994350282485876],
        [-1.018754574476241, 1.1808818551406153],
        [-0.9779160208690525, 1.2159044536984456]]),
    # torch.optim.SGD(lr=1e-3, momentum=0.9)
    "sgd_momentum": ("momentum_buffer", 1e-3, {"momentum": 0.9}, [
        [-0.9843999999999999, 1.088],
        [-0.8332315665664001, 1.143408672],
        [-0.8432065067430705, 1.1034497111045394]]),
    # torch.optim.SGD(lr=1e-3, momentum=0.9, nesterov=True)
    "sgd_nesterov": ("nesterov", 1e-3, {"momentum": 0.9}, [
        [-0.7903600000000001, 1.1672],
        [-0.9348047231690214, 1.0323181932480001],
        [-1.0188861829366709, 0.9483659971834222]]),
    # torch.optim.RMSprop(lr=0.01, alpha=0.9)
    "rmsprop": ("rmsprop", 0.01, {"rho": 0.9}, [
        [-1.1683772234029544, 1.03162277659032],
        [-1.1488789101272259, 1.051360980562228],
        [-1.1343297935203098, 1.0661665731428904]]),
    # torch.optim.RMSprop(lr=0.01, alpha=0.9, eps=1.0): eps outside the square root
    "rmsprop_eps": ("rmsprop", 0.01, {"rho": 0.9, "eps": 1.0}, [
        [-1.1688343405990949, 1.0305258316528885],
        [-1.1494901480044266, 1.0497737847221955],
        [-1.1350055936483643, 1.0642802340755342]]),
}
# opt.state[w] after the three steps
TORCH_STATE = {
    "adam_default": {"m": [-16.568999852189986, -6.143146108961845], "v": [52.32254696775554, 9.091071603940224]},
    "adam_eps": {"m": [-25.241372123314928, -9.097530679368248], "v": [4312.9966667281105, 753.4987934786755]},
    "sgd_momentum": {"buffer": [9.974940176670486, 39.95896089546062]},
    "sgd_nesterov": {"buffer": [31.888926429543872, 58.067257229777866]},
    "rmsprop": {"mean_square": [7705.762021187304, 1316.12391945454]},
    "rmsprop_eps": {"mean_square": [7773.8981810342675, 1327.8041067372321]},
}
# torch.optim.SGD(lr=1e-3, momentum=0.9) with param_groups[0]["lr"] set to 1e-3, 1e-3, 1e-4, 1e-4 before
# the four steps: PyTorch scales the whole buffer by the new lr (the buffer convention).
TORCH_LR_DROP = [[-0.9843999999999999, 1.088], [-0.8332315665664001, 1.143408672],
                 [-0.8342290605840671, 1.139412775910454], [-0.8495583370272743, 1.126946976422113]]
LR_DROP = [1e-3, 1e-3, 1e-4, 1e-4]
# lr_scheduler on SGD(lr=0.1)
TORCH_STEP_LR = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125]  # StepLR(3, 0.5)
TORCH_COSINE = [0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129, 0.06890576474687264,
                0.05500000000000001, 0.04109423525312737, 0.028549663646838717, 0.01859423525312737,
                0.012202456766718092, 0.01]  # CosineAnnealingLR(T_max=10, eta_min=0.01)
TORCH_LINEAR = [0.010000000000000002, 0.03250000000000001, 0.055000000000000014, 0.07750000000000003,
                0.10000000000000003, 0.10000000000000003, 0.10000000000000003]  # LinearLR(0.1, total_iters=4)
# SequentialLR([LinearLR(start_factor=0.1, total_iters=3), CosineAnnealingLR(T_max=7)], milestones=[3])
TORCH_WARMUP_COSINE = [0.010000000000000002, 0.04, 0.07, 0.1, 0.09504844339512096, 0.08117449009293669,
                       0.061126046697815725, 0.03887395330218429, 0.018825509907063328, 0.004951556604879048, 0.0]

STEP_FUNCTIONS = {
    "adam": lambda p, g, s, lr, t, **h: O.adam_step(p, g, s, lr, t=t, **h),
    "momentum": lambda p, g, s, lr, t, **h: O.momentum_velocity_step(p, g, s, lr, **h),
    "momentum_buffer": lambda p, g, s, lr, t, **h: O.momentum_buffer_step(p, g, s, lr, **h),
    "nesterov": lambda p, g, s, lr, t, **h: O.momentum_buffer_step(p, g, s, lr, nesterov=True, **h),
    "rmsprop": lambda p, g, s, lr, t, **h: O.rmsprop_step(p, g, s, lr, **h),
    "sgd": lambda p, g, s, lr, t, **h: (mh.sgd_step(p, g, lr), None),
}


@pytest.mark.parametrize("config", sorted(TORCH))
def test_three_steps_match_torch(config):
    name, lr, hyper, expected = TORCH[config]
    params, state = {"w": START.copy()}, None
    for t, want in enumerate(expected, start=1):
        params, state = STEP_FUNCTIONS[name](params, {"w": rosenbrock_grad(params["w"])}, state, lr, t, **hyper)
        np.testing.assert_allclose(params["w"], want, rtol=1e-13, atol=1e-15)
    for key, want in TORCH_STATE[config].items():
        np.testing.assert_allclose(state[key]["w"], want, rtol=1e-13)
    # run_optimizer loops the same kernel
    path = O.run_optimizer(name, rosenbrock_grad, START, lr, 3, **hyper)
    np.testing.assert_allclose(path[1:], expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(path[0], START)


def test_eps_placement_matters_and_torch_has_it_after_the_correction():
    # With eps = 0.5 the other placements give different numbers than PyTorch's.
    _, lr, hyper, expected = TORCH["adam_eps"]
    g = rosenbrock_grad(START)
    b1, b2, eps = hyper["beta1"], hyper["beta2"], hyper["eps"]
    m, v = (1 - b1) * g, (1 - b2) * g * g
    inside = START - lr * (m / (1 - b1)) / np.sqrt(v / (1 - b2) + eps)
    keras = START - lr * np.sqrt(1 - b2) / (1 - b1) * m / (np.sqrt(v) + eps)
    for other in (inside, keras):
        assert not np.allclose(other, expected[0], rtol=1e-6)
    _, lr, hyper, expected = TORCH["rmsprop_eps"]
    s = 0.1 * g * g
    assert not np.allclose(START - lr * g / np.sqrt(s + 1.0), expected[0], rtol=1e-6)  # eps inside: not torch


def test_torch_scales_the_whole_buffer_by_the_new_lr():
    buffer = O.run_optimizer("momentum_buffer", rosenbrock_grad, START, LR_DROP, 4, momentum=0.9)
    np.testing.assert_allclose(buffer[1:], TORCH_LR_DROP, rtol=1e-13)
    velocity = O.run_optimizer("momentum", rosenbrock_grad, START, LR_DROP, 4, momentum=0.9)
    np.testing.assert_allclose(velocity[1:3], TORCH_LR_DROP[:2], rtol=1e-13)  # same while lr is constant
    assert not np.allclose(velocity[3:], TORCH_LR_DROP[2:], rtol=1e-3)  # then the velocity keeps the old lr


@pytest.mark.parametrize("name, kwargs, expected", [
    ("step", {"step_size": 3, "gamma": 0.5}, TORCH_STEP_LR),
    ("cosine", {"total": 10, "lr_min": 0.01}, TORCH_COSINE),
    ("warmup", {"warmup": 4, "start_factor": 0.1}, TORCH_LINEAR),
    ("warmup_cosine", {"warmup": 3, "total": 10, "start_factor": 0.1}, TORCH_WARMUP_COSINE),
])
def test_schedules_match_torch(name, kwargs, expected):
    np.testing.assert_allclose(O.lr_schedule(name, len(expected), 0.1, **kwargs), expected, rtol=1e-13, atol=1e-17)


# ---------------------------------------------------------------- the published rules, transcribed
def kingma_ba(theta, grads, alpha, beta1, beta2, eps):
    """Kingma & Ba (2015), Algorithm 1, line by line; grads: the gradient of each step."""
    m = np.zeros_like(theta)  # Initialize 1st moment vector
    v = np.zeros_like(theta)  # Initialize 2nd moment vector
    t = 0  # Initialize timestep
    for g in grads:
        t = t + 1
        m = beta1 * m + (1 - beta1) * g  # Update biased first moment estimate
        v = beta2 * v + (1 - beta2) * g * g  # Update biased second raw moment estimate
        m_hat = m / (1 - beta1 ** t)  # Compute bias-corrected first moment estimate
        v_hat = v / (1 - beta2 ** t)  # Compute bias-corrected second raw moment estimate
        theta = theta - alpha * m_hat / (np.sqrt(v_hat) + eps)  # Update parameters
    return theta, m, v


def hinton_rmsprop(theta, grads, lr, decay, eps):
    """Hinton, lecture 6e: MeanSquare(w, t) = 0.9 MeanSquare(w, t-1) + 0.1 (dE/dw)^2, divide by its root."""
    mean_square = np.zeros_like(theta)
    for g in grads:
        mean_square = decay * mean_square + (1 - decay) * g * g
        theta = theta - lr * g / (np.sqrt(mean_square) + eps)
    return theta, mean_square


def sutskever_momentum(theta, grads, lr, mu):
    """Sutskever et al. (2013), classical momentum: v_{t+1} = mu v_t - lr g, theta_{t+1} = theta_t + v_{t+1}."""
    v = np.zeros_like(theta)
    for g in grads:
        v = mu * v - lr * g
        theta = theta + v
    return theta, v


def torch_sgd_doc(theta, grads, lrs, mu, nesterov):
    """torch.optim.SGD's documented algorithm (dampening 0, no weight decay)."""
    b = None
    for g, lr in zip(grads, lrs):
        b = g if b is None else mu * b + g  # b_1 = g_1, then b_t = mu b_{t-1} + (1 - 0) g_t
        step = g + mu * b if nesterov else b
        theta = theta - lr * step
    return theta, b


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
rates = st.floats(0.0, 0.999)


def _params_and_grads(seed, shape_w, shape_b, n_steps):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=shape_w), "b1": rng.normal(size=shape_b)}
    scales = {k: 10.0 ** rng.uniform(-3, 2, size=np.shape(v)) for k, v in params.items()}  # gradients of many sizes
    grads = [{k: rng.normal(size=np.shape(v)) * scales[k] for k, v in params.items()} for _ in range(n_steps)]
    return params, grads


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), shape_w=shapes, shape_b=shapes, n_steps=st.integers(1, 6),
       lr=st.floats(1e-4, 1.0), beta1=rates, beta2=rates, eps=st.floats(1e-10, 1.0))
def test_adam_is_kingma_ba_algorithm_1(seed, shape_w, shape_b, n_steps, lr, beta1, beta2, eps):
    params, grads = _params_and_grads(seed, shape_w, shape_b, n_steps)
    p, state = params, None
    for t, g in enumerate(grads, start=1):
        p, state = O.adam_step(p, g, state, lr, beta1, beta2, eps, t=t)
    for k in params:
        theta, m, v = kingma_ba(params[k], [g[k] for g in grads], lr, beta1, beta2, eps)
        np.testing.assert_allclose(p[k], theta, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(state["m"][k], m, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(state["v"][k], v, rtol=1e-12, atol=1e-300)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), shape_w=shapes, shape_b=shapes, n_steps=st.integers(1, 6),
       lr=st.floats(1e-4, 1.0), rho=rates, eps=st.floats(1e-10, 1.0))
def test_rmsprop_is_hintons_rule(seed, shape_w, shape_b, n_steps, lr, rho, eps):
    params, grads = _params_and_grads(seed, shape_w, shape_b, n_steps)
    p, state = params, None
    for g in grads:
        p, state = O.rmsprop_step(p, g, state, lr, rho, eps)
    for k in params:
        theta, ms = hinton_rmsprop(params[k], [g[k] for g in grads], lr, rho, eps)
        np.testing.assert_allclose(p[k], theta, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(state["mean_square"][k], ms, rtol=1e-12, atol=1e-300)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), shape_w=shapes, shape_b=shapes, n_steps=st.integers(1, 6),
       lr=st.floats(1e-4, 1.0), mu=rates)
def test_velocity_momentum_is_sutskever_and_momentum_step(seed, shape_w, shape_b, n_steps, lr, mu):
    params, grads = _params_and_grads(seed, shape_w, shape_b, n_steps)
    p, state, q, velocity = params, None, params, None
    for g in grads:
        p, state = O.momentum_velocity_step(p, g, state, lr, mu)
        q, velocity = mh.momentum_step(q, g, velocity, lr, mu)  # the package's older function: same convention
    for k in params:
        theta, v = sutskever_momentum(params[k], [g[k] for g in grads], lr, mu)
        np.testing.assert_allclose(p[k], theta, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(state["velocity"][k], v, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(q[k], p[k], rtol=1e-12, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), shape_w=shapes, shape_b=shapes, n_steps=st.integers(1, 6),
       lrs=st.lists(st.floats(1e-4, 1.0), min_size=6, max_size=6), mu=rates, nesterov=st.booleans())
def test_buffer_momentum_is_torchs_documented_sgd(seed, shape_w, shape_b, n_steps, lrs, mu, nesterov):
    params, grads = _params_and_grads(seed, shape_w, shape_b, n_steps)
    p, state = params, None
    for g, lr in zip(grads, lrs):
        p, state = O.momentum_buffer_step(p, g, state, lr, mu, nesterov=nesterov)
    for k in params:
        theta, b = torch_sgd_doc(params[k], [g[k] for g in grads], lrs, mu, nesterov)
        np.testing.assert_allclose(p[k], theta, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(state["buffer"][k], b, rtol=1e-12, atol=1e-300)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), n_steps=st.integers(1, 8), lr=st.floats(1e-4, 1.0), mu=rates)
def test_the_two_momentum_conventions_agree_at_a_constant_lr(seed, n_steps, lr, mu):
    params, grads = _params_and_grads(seed, (3, 2), (2,), n_steps)
    p, sv, q, sb = params, None, params, None
    for g in grads:
        p, sv = O.momentum_velocity_step(p, g, sv, lr, mu)
        q, sb = O.momentum_buffer_step(q, g, sb, lr, mu)
        for k in params:  # v = -lr * b at every step
            np.testing.assert_allclose(sv["velocity"][k], -lr * sb["buffer"][k], rtol=1e-12, atol=1e-300)
            np.testing.assert_allclose(p[k], q[k], rtol=1e-12, atol=1e-12)


def test_adam_first_step_is_lr_times_the_sign_of_the_gradient():
    # at t = 1, m_hat = g and v_hat = g^2 exactly (hand derivation), so the step is lr * g / (|g| + eps)
    g = np.array([3.0, -0.002, 40.0])
    new, _ = O.adam_step({"w": np.zeros(3)}, {"w": g}, None, 0.1, eps=1e-8, t=1)
    np.testing.assert_allclose(new["w"], -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-14)


def test_huge_finite_entries_pass_without_warnings():
    # their sum overflows (warnings are errors in this suite): the full check must decide, and accept them
    p = {"w": np.array([1e308, 1e308, -1e308])}
    new, _ = O.adam_step(p, {"w": np.array([1e8, 1.0, -1e8])}, None, 0.1, t=1)
    np.testing.assert_allclose(new["w"], [1e308, 1e308, -1e308])  # a step of 0.1 is lost in 1e308
    with raises(ValueError, "params['w']", "finite", "inf", "(1,)"):
        O.rmsprop_step({"w": np.array([1e308, np.inf])}, {"w": np.zeros(2)}, None, 0.1)


def test_steps_do_not_change_their_arguments():
    params, grads = _params_and_grads(0, (3, 2), (2,), 1)
    state = {"m": {k: np.ones_like(v) for k, v in params.items()}, "v": {k: np.ones_like(v) for k, v in params.items()}}
    copies = [{k: v.copy() for k, v in d.items()} for d in (params, grads[0], state["m"], state["v"])]
    O.adam_step(params, grads[0], state, 0.1, t=3)
    for before, after in zip(copies, (params, grads[0], state["m"], state["v"])):
        for k in before:
            np.testing.assert_array_equal(before[k], after[k])


# ---------------------------------------------------------------- schedules by hand
def test_schedules_by_hand():
    assert O.step_decay(0, 0.1, 5) == 0.1 and O.step_decay(4, 0.1, 5) == 0.1
    assert O.step_decay(5, 0.1, 5) == pytest.approx(0.01) and O.step_decay(10, 0.1, 5, 0.5) == pytest.approx(0.025)
    assert O.cosine_decay(0, 0.1, 20) == pytest.approx(0.1)
    assert O.cosine_decay(10, 0.1, 20) == pytest.approx(0.05)  # half way: the mean of lr and lr_min
    assert O.cosine_decay(20, 0.1, 20, 0.02) == pytest.approx(0.02)
    assert O.cosine_decay(35, 0.1, 20, 0.02) == pytest.approx(0.02)  # stays at lr_min after total
    assert O.linear_warmup(0, 0.2, 4, 0.25) == pytest.approx(0.05) and O.linear_warmup(2, 0.2, 4, 0.25) == pytest.approx(0.125)
    assert O.linear_warmup(9, 0.2, 4, 0.25) == pytest.approx(0.2)
    assert O.warmup_cosine(4, 0.2, 4, 12) == pytest.approx(0.2)  # warm-up ends at the peak
    assert O.warmup_cosine(8, 0.2, 4, 12) == pytest.approx(0.1)  # half way through the cosine
    assert O.constant(7, 0.3) == 0.3
    np.testing.assert_array_equal(O.lr_schedule("constant", 3, 0.3), [0.3, 0.3, 0.3])


# ---------------------------------------------------------------- gradient noise
def _exact_variance(G, B, replace):
    """E||mean of a random batch - mean||^2 over every possible batch (each equally likely)."""
    n = len(G)
    g = G.mean(axis=0)
    batches = itertools.product(range(n), repeat=B) if replace else itertools.combinations(range(n), B)
    errors = [np.sum((G[list(idx)].mean(axis=0) - g) ** 2) for idx in batches]
    return float(np.mean(errors))


@pytest.mark.parametrize("B, replace", [(1, False), (2, False), (3, False), (5, False), (7, False),
                                        (1, True), (2, True), (3, True), (4, True)])  # 7**4 ordered batches
def test_predicted_variance_equals_enumeration_of_every_batch(B, replace):
    G = np.random.default_rng(B).normal(size=(7, 3)) * [1.0, 5.0, 0.1] + [2.0, -1.0, 0.0]
    assert O.predicted_gradient_variance(G, B, replace=replace) == pytest.approx(_exact_variance(G, B, replace), rel=1e-12)


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("B", [1, 4, 16])
def test_measured_variance_approaches_the_law(B, replace):
    G = np.random.default_rng(0).normal(size=(40, 5)) * [1.0, 2.0, 3.0, 0.5, 4.0]
    law = O.predicted_gradient_variance(G, B, replace=replace)
    measured = O.minibatch_gradient_variance(G, B, n_draws=20000, seed=1, replace=replace)
    assert measured == pytest.approx(law, rel=0.05)  # 20000 draws: the relative sd is about 1-2 %


def test_a_batch_of_everything_has_no_noise():
    G = np.random.default_rng(0).normal(size=(6, 2))
    assert O.predicted_gradient_variance(G, 6) == 0.0
    assert O.minibatch_gradient_variance(G, 6, n_draws=10) == pytest.approx(0.0, abs=1e-28)


# ---------------------------------------------------------------- bad input
def _p():
    return {"W1": np.ones((2, 3)), "b1": np.zeros(3)}


def test_bad_learning_rates_and_rates():
    p = _p()
    with raises(ValueError, "lr", "> 0", "-0.1"):
        O.adam_step(p, p, None, -0.1, t=1)
    with raises(ValueError, "lr", "0.0"):
        O.rmsprop_step(p, p, None, 0.0)
    with raises(ValueError, "momentum", "[0, 1)", "1.0"):
        O.momentum_velocity_step(p, p, None, 0.1, momentum=1.0)
    with raises(ValueError, "beta2", "[0, 1)", "1.0"):
        O.adam_step(p, p, None, 0.1, beta2=1.0, t=1)
    with raises(ValueError, "beta1", ">= 0.0", "-0.5"):
        O.adam_step(p, p, None, 0.1, beta1=-0.5, t=1)
    with raises(ValueError, "rho", "<= 1.0", "1.5"):
        O.rmsprop_step(p, p, None, 0.1, rho=1.5)
    with raises(ValueError, "eps", "> 0", "0.0"):
        O.adam_step(p, p, None, 0.1, eps=0.0, t=1)
    with raises(TypeError, "nesterov", "True or False", "'yes'"):
        O.momentum_buffer_step(p, p, None, 0.1, nesterov="yes")
    with raises(TypeError, "lr", "number", "str"):
        O.adam_step(p, p, None, "0.1", t=1)


def test_bad_step_number():
    p = _p()
    with raises(ValueError, "t:", ">= 1", "0"):
        O.adam_step(p, p, None, 0.1, t=0)
    with raises(ValueError, "t:", "whole number", "1.5"):
        O.adam_step(p, p, None, 0.1, t=1.5)
    with pytest.raises(TypeError, match="t"):
        O.adam_step(p, p, None, 0.1)  # t is required: the bias correction needs it


def test_grads_and_state_that_do_not_match_params():
    p = _p()
    with raises(ValueError, "grads['W1']", "(2, 3)", "(3, 2)"):
        O.adam_step(p, dict(p, W1=np.ones((3, 2))), None, 0.1, t=1)
    with raises(ValueError, "grads:", "keys", "['W1']"):
        O.rmsprop_step(p, {"W1": p["W1"]}, None, 0.1)
    with raises(ValueError, "state:", "['m', 'v']", "['velocity']"):
        O.adam_step(p, p, {"velocity": p}, 0.1, t=2)
    with raises(ValueError, "state['m']['b1']", "(3,)", "(1, 3)"):
        O.adam_step(p, p, {"m": dict(p, b1=np.zeros((1, 3))), "v": p}, 0.1, t=2)
    with raises(ValueError, "state['buffer']", "keys", "['W1']"):
        O.momentum_buffer_step(p, p, {"buffer": {"W1": p["W1"]}}, 0.1)
    with raises(ValueError, "grads['b1']", "finite", "nan"):
        O.adam_step(p, dict(p, b1=np.array([0.0, np.nan, 1.0])), None, 0.1, t=1)
    with raises(TypeError, "params", "dict", "ndarray"):
        O.adam_step(np.ones(3), np.ones(3), None, 0.1, t=1)
    with raises(TypeError, "params", "empty dict"):
        O.rmsprop_step({}, {}, None, 0.1)


def test_bad_schedule_arguments():
    with raises(ValueError, "t:", ">= 0", "-1"):
        O.step_decay(-1, 0.1, 5)
    with raises(ValueError, "step_size", ">= 1", "0"):
        O.step_decay(3, 0.1, 0)
    with raises(ValueError, "gamma", "<= 1.0", "2.0"):
        O.step_decay(3, 0.1, 2, gamma=2.0)
    with raises(ValueError, "lr_min", "<= 0.1", "0.2"):
        O.cosine_decay(3, 0.1, 10, lr_min=0.2)
    with raises(ValueError, "total", "> warmup = 5", "5"):
        O.warmup_cosine(0, 0.1, 5, 5)
    with raises(ValueError, "start_factor", "> 0", "0.0"):
        O.linear_warmup(0, 0.1, 5, start_factor=0.0)
    with raises(ValueError, "name", "unknown", "'exp'", "cosine"):
        O.lr_schedule("exp", 10, 0.1)
    with raises(TypeError, "step_decay", "unknown", "gama", "gamma"):
        O.lr_schedule("step", 10, 0.1, step_size=2, gama=0.5)


def test_bad_run_optimizer_arguments():
    with raises(ValueError, "name", "unknown", "'adagrad'", "adam"):
        O.run_optimizer("adagrad", rosenbrock_grad, START, 0.1, 3)
    with raises(TypeError, "grad_fn", "function", "ndarray"):
        O.run_optimizer("adam", np.zeros(2), START, 0.1, 3)
    with raises(ValueError, "grad_fn", "(2,)", "(3,)"):
        O.run_optimizer("adam", lambda w: np.zeros(3), START, 0.1, 3)
    with raises(ValueError, "lr", "(3,)", "(2,)"):
        O.run_optimizer("sgd", rosenbrock_grad, START, [0.1, 0.1], 3)
    with raises(ValueError, "lr", "> 0", "step 1"):
        O.run_optimizer("sgd", rosenbrock_grad, START, [0.1, 0.0, 0.1], 3)
    with raises(ValueError, "w0", "1-D", "(1, 2)"):
        O.run_optimizer("sgd", rosenbrock_grad, START[None, :], 0.1, 3)
    with raises(TypeError, "rmsprop", "unknown hyperparameter", "['beta1']", "eps", "rho"):
        O.run_optimizer("rmsprop", rosenbrock_grad, START, 0.1, 3, beta1=0.9)


def test_bad_gradient_noise_arguments():
    G = np.ones((5, 2))
    with raises(ValueError, "per_sample_grads", "2-D", "(5,)"):
        O.predicted_gradient_variance(np.ones(5), 2)
    with raises(ValueError, "per_sample_grads", "at least 2", "(1, 2)"):
        O.minibatch_gradient_variance(np.ones((1, 2)), 1)
    with raises(ValueError, "batch_size", "at most n = 5", "6"):
        O.minibatch_gradient_variance(G, 6)
    with raises(ValueError, "batch_size", ">= 1", "0"):
        O.predicted_gradient_variance(G, 0)
    with raises(ValueError, "n_draws", ">= 1", "0"):
        O.minibatch_gradient_variance(G, 2, n_draws=0)
    assert O.predicted_gradient_variance(G, 6, replace=True) == 0.0  # with replacement B > n is fine


# ---------------------------------------------------------------- the exercise's self-check
def _adam_variant(kind):
    def fn(theta, g, m, v, t, lr, beta1, beta2, eps):
        m_old, v_old = m, v
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        if kind == "g_not_squared":
            v = beta2 * v_old + (1 - beta2) * g
        step_t = {"t_minus_1": t - 1, "t_plus_1": t + 1}.get(kind, t)
        m_hat, v_hat = m / (1 - beta1 ** step_t), v / (1 - beta2 ** step_t)
        if kind == "no_bias_correction":
            m_hat, v_hat = m, v
        if kind == "eps_inside_sqrt":
            return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
        if kind == "sign":
            return theta + lr * m_hat / (np.sqrt(v_hat) + eps), m, v
        if kind == "old_moments":
            return theta - lr * (m_old / (1 - beta1 ** t)) / (np.sqrt(v_old / (1 - beta2 ** t)) + eps), m, v
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    return fn


EXAMPLE = dict(theta=np.array([-1.1, 1.1]), g=np.array([-20.0, -2.0]), m=np.array([-2.16, -0.44]),
               v=np.array([0.46, 0.019]), t=2, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)


@pytest.mark.parametrize("kind", ["correct", "g_not_squared", "t_minus_1", "t_plus_1", "no_bias_correction",
                                  "eps_inside_sqrt", "sign", "old_moments"])
def test_check_adam_step_names_the_mistake(kind):
    d = O.check_adam_step(_adam_variant(kind), EXAMPLE, quiet=True)
    assert d.code == kind and d.ok == (kind == "correct")
    assert "my_adam_step" in d.message


def test_check_adam_step_fails_a_hard_coded_answer(capsys):
    right = O.adam_step({"w": EXAMPLE["theta"]}, {"w": EXAMPLE["g"]},
                        {"m": {"w": EXAMPLE["m"]}, "v": {"w": EXAMPLE["v"]}}, 0.1, t=2)
    typed = (right[0]["w"].copy(), right[1]["m"]["w"].copy(), right[1]["v"]["w"].copy())
    d = O.check_adam_step(lambda *args: typed, EXAMPLE)
    assert d.code == "hard_coded" and not d.ok
    assert capsys.readouterr().out.startswith("✗ my_adam_step is right on the example but not on other inputs")


def test_check_adam_step_reports_an_exception_and_bad_arguments():
    def broken(*args):
        raise ZeroDivisionError("oops")

    d = O.check_adam_step(broken, EXAMPLE, quiet=True)
    assert d.code == "error" and "ZeroDivisionError" in d.message and "oops" in d.message
    d = O.check_adam_step(lambda *a: [1, 2], EXAMPLE, quiet=True)
    assert d.code == "error" and "(theta_new, m_new, v_new)" in d.message
    with raises(TypeError, "fn", "my_adam_step", "int"):
        O.check_adam_step(3, EXAMPLE)
    with raises(ValueError, "example", "keys", "['t']"):
        O.check_adam_step(_adam_variant("correct"), {"t": 1})
