r"""Depth and initialisation: why deep networks' signals vanish or explode, and the He/Xavier rules.

A *deep stack* is ``depth`` hidden layers of equal width :math:`n`, every one
with the same activation :math:`f`, and a linear read-out to ``n_classes``
softmax outputs (cross-entropy, mean over the batch), in the rows layout:

.. math::

    z_l = h_{l-1} W_l,\quad h_l = f(z_l)\ (l = 1..D),\qquad
    \hat y = \mathrm{softmax}(h_D W_{D+1}),\qquad h_0 = x \sim N(0, 1).

Its weights are exactly ``init_params([n] * (D + 1) + [n_classes], seed,
scale="xavier")`` (standard deviation :math:`1/\sqrt{n_\text{in}}`)
multiplied by a **gain** :math:`g`, so every weight has variance
:math:`\sigma_w^2 = g^2 / n_\text{in}`; the biases are zero.  ``g = 1`` is the
Xavier (LeCun) scale of :func:`mlp_helpers.init_params`, ``g = √2`` its He
scale.

The variance argument (zero-mean weights independent of the layer's input):

.. math::

    \operatorname{Var}(z_{l}) = n_{l-1}\,\sigma_w^2\,\mathbb E[h_{l-1}^2],\qquad
    \mathbb E[\delta_{l-1}^2] = n_l\,\sigma_w^2\,\mathbb E[f'(z_{l-1})^2]\,\mathbb E[\delta_l^2],

where :math:`\delta_l = \partial L/\partial z_l`.  With :math:`z` Gaussian the
expectations are one-dimensional integrals (:func:`gaussian_expectation`);
:func:`mean_field` iterates both recursions.  For ReLU,
:math:`\mathbb E[\mathrm{relu}(z)^2] = \tfrac12\operatorname{Var}(z)` and
:math:`\mathbb E[\mathrm{relu}'(z)^2] = \tfrac12`, so :math:`\sigma_w^2 = 2/n`
(He) keeps both constant; for tanh near 0, :math:`f(z)\approx z`, so
:math:`\sigma_w^2 = 1/n` (Xavier/LeCun).

:func:`layer_statistics` measures the same quantities on real stacks, over
several seeds at once (a seed-batched transcription of
:func:`mlp_helpers.forward` and :func:`mlp_helpers.backward`; the tests check
that it agrees with them seed by seed).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ._validate import as_float_array, check_choice, check_finite_result, check_flag, check_scalar
from .activations import ACTIVATIONS, get_activation
from .check import Diagnosis, diagnose
from .losses import one_hot
from .network import init_params

#: Initialisation rules: name -> variance of each weight as a function of (n_in, n_out).
#: "xavier" is the package's convention (init_params(scale="xavier")): 1/n_in, LeCun's form of
#: Glorot & Bengio's rule; "glorot" is their compromise between the forward (n_in) and the
#: backward (n_out) condition.  They agree when n_in = n_out.
INIT_RULES = {
    "he": lambda n_in, n_out: 2.0 / n_in,
    "xavier": lambda n_in, n_out: 1.0 / n_in,
    "glorot": lambda n_in, n_out: 2.0 / (n_in + n_out),
}

#: The gain g (weight std = g / sqrt(n_in)) of each rule for square layers.
GAINS = {"xavier": 1.0, "he": math.sqrt(2.0)}

#: Defaults of the measured stacks (small enough for a 50 ms slider, see notebook 08).
WIDTH, N_SAMPLES, N_CLASSES, SEEDS = 32, 32, 10, (0, 1, 2, 3, 4)
MAX_DEPTH = 200


# --------------------------------------------------------------- checks
def _check_int(name, value, low, high=None):
    return check_scalar(name, value, low=low, high=high, integer=True)


def _check_seeds(seeds):
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds: expected a sequence of whole numbers >= 0 such as (0, 1, 2), got {seeds!r}")
    seeds = tuple(_check_int(f"seeds[{i}]", s, 0) for i, s in enumerate(seeds))
    if not seeds:
        raise ValueError("seeds: expected at least one seed, got an empty sequence")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: expected different seeds, got {seeds}")
    return seeds


def _check_gain(gain):
    return check_scalar("gain", gain, low=0.0, low_inclusive=False)


# ------------------------------------------------------------ the rules
def init_std(rule, n_in, n_out=None):
    r"""The standard deviation of each weight under ``rule``, a float.

    rule : ``"he"`` (:math:`\sqrt{2/n_\text{in}}`), ``"xavier"``
        (:math:`\sqrt{1/n_\text{in}}`, as :func:`mlp_helpers.init_params`) or
        ``"glorot"`` (:math:`\sqrt{2/(n_\text{in}+n_\text{out})}`, needs ``n_out``).
    n_in, n_out : whole numbers >= 1, the layer's fan-in and fan-out.
    """
    check_choice("rule", rule, INIT_RULES)
    n_in = _check_int("n_in", n_in, 1)
    if n_out is None:
        if rule == "glorot":
            raise ValueError("n_out: expected the layer's fan-out (a whole number >= 1) for rule 'glorot', got None")
        n_out = n_in
    n_out = _check_int("n_out", n_out, 1)
    return math.sqrt(INIT_RULES[rule](n_in, n_out))


def gaussian_expectation(fn, var):
    r""":math:`\mathbb E[\mathrm{fn}(z)]` for :math:`z \sim N(0, \mathrm{var})`, a float.

    With :math:`z = s x`, :math:`s = \sqrt{\mathrm{var}}`, :math:`x \sim N(0, 1)`: the midpoint rule on
    :math:`x \in [-12, 12]` (step ``min(0.02, 0.1/s)``, at most
    ``MAX_QUADRATURE_POINTS`` points),
    :math:`\sum_k h\,\varphi(x_k)\,\mathrm{fn}(s x_k)`.  For smooth
    ``fn`` (tanh, sigmoid, polynomials) it converges faster than any power of
    the step (relative error about 1e-13 up to ``var`` = 100); the nodes are
    symmetric and avoid 0, so a kink at 0 (ReLU: ``relu(z)**2``,
    ``relu'(z)**2``) gets exactly half of the symmetric sum.

    fn : callable mapping an array to an array of the same shape (element-wise).
    var : the variance, a number >= 0 (0 gives ``fn(0)``).
    """
    if not callable(fn):
        raise TypeError(f"fn: expected an element-wise function of an array, got {type(fn).__name__}")
    var = check_scalar("var", var, low=0.0)
    sigma = math.sqrt(var)
    x, w = _midpoint_nodes(_quadrature_step(sigma))
    values = as_float_array("fn", fn(sigma * x))  # real and finite at every node
    if values.shape != x.shape:
        raise ValueError(f"fn: expected an element-wise function (output shape {x.shape}), got shape {values.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        result = float(w @ values)
    return check_finite_result("fn, var", result, "the expectation")


def _expectation(fn, var):
    """``gaussian_expectation`` without its checks, for mean_field (which checks its own results)."""
    sigma = math.sqrt(var)
    x, w = _midpoint_nodes(_quadrature_step(sigma))
    return float(w @ np.asarray(fn(sigma * x), dtype=float))


QUADRATURE_HALF_WIDTH = 12.0      # phi(12) = 5e-32: nothing beyond it counts
MAX_QUADRATURE_POINTS = 200_000


def _quadrature_step(sigma):
    h = min(0.02, 0.1 / sigma) if sigma > 0 else 0.02
    h = max(h, 2 * QUADRATURE_HALF_WIDTH / MAX_QUADRATURE_POINTS)
    return float(f"{h:.3g}")  # a few distinct steps, so the node cache stays small


@lru_cache(maxsize=32)
def _midpoint_nodes(h):
    k = int(math.ceil(QUADRATURE_HALF_WIDTH / h))
    x = (np.arange(-k, k) + 0.5) * h             # symmetric, no node at 0
    w = h * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    for a in (x, w):
        a.setflags(write=False)
    return x, w


def mean_field(activation, depth, gain, q0=1.0):
    r"""The variance recursions of a deep stack, iterated with Gaussian :math:`z` (wide-layer limit).

    .. math::

        q_1 = g^2 q_0,\qquad q_l = g^2\,\mathbb E[f(z)^2]_{z\sim N(0, q_{l-1})},\qquad
        \chi_l = g^2\,\mathbb E[f'(z)^2]_{z\sim N(0, q_l)},

    :math:`q_l = \mathbb E[z_l^2]` and :math:`\mathbb E[\delta_l^2] = \chi_l\,\mathbb E[\delta_{l+1}^2]`.

    activation : a name in ``ACTIVATIONS``.  depth : D >= 1.  gain : g > 0.
    q0 : the input's second moment :math:`\mathbb E[x^2]` > 0.

    Returns a dict of arrays of shape ``(depth,)`` indexed by l - 1:
    ``"q"`` (:math:`q_l`), ``"chi"`` (:math:`\chi_l`) and ``"delta_ratio"``
    = :math:`\sqrt{\mathbb E[\delta_l^2]/\mathbb E[\delta_D^2]} = \sqrt{\prod_{k=l}^{D-1}\chi_k}`
    (1 at l = D), the predicted size of the gradient reaching layer l relative to the last.
    """
    act = get_activation(activation)
    depth = _check_int("depth", depth, 1, MAX_DEPTH)
    gain = _check_gain(gain)
    q0 = check_scalar("q0", q0, low=0.0, low_inclusive=False)
    q = np.empty(depth)
    chi = np.empty(depth)
    q_prev = None
    g2 = gain * gain  # inf for a huge gain (gain ** 2 would raise OverflowError): refused below
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(depth):
            q[l] = g2 * (q0 if l == 0 else _expectation(lambda z: act.f(z) ** 2, q_prev))
            if not np.isfinite(q[l]):
                raise ValueError(f"gain: the recursion overflows at layer {l + 1} with gain {gain}; "
                                 "use a gain closer to 1 or fewer layers")
            chi[l] = g2 * _expectation(lambda z: act.df(z) ** 2, q[l])
            q_prev = q[l]
    with np.errstate(under="ignore"):
        log_chi = np.log(np.maximum(chi, 1e-300))
    # E[delta_l^2]/E[delta_D^2] = prod_{k=l}^{D-1} chi_k (empty product at l = D)
    tail = np.concatenate([np.cumsum(log_chi[:-1][::-1])[::-1], [0.0]])
    with np.errstate(over="ignore"):
        ratio = np.exp(0.5 * tail)
    check_finite_result("gain", np.concatenate([chi, ratio]), "the gradient recursion")
    return {"q": q, "chi": chi, "delta_ratio": ratio}


# ------------------------------------------------------------ measured
def deep_stack(depth, gain=1.0, width=WIDTH, n_samples=N_SAMPLES, n_classes=N_CLASSES, seed=0):
    """One deep stack's parameters and data (rows layout), ready for ``forward``/``backward``.

    Returns ``(params, X, Y)``: ``params`` = ``init_params([width] * (depth + 1) +
    [n_classes], seed, scale="xavier")`` with every ``W{l}`` times ``gain``
    (``W1..W{depth}`` of shape ``(width, width)``, ``W{depth+1}`` ``(width,
    n_classes)``, zero biases); ``X`` ``(n_samples, width)`` standard normal and
    ``Y`` ``(n_samples, n_classes)`` one-hot random labels, both drawn with
    ``numpy.random.default_rng([seed, 1])``.
    """
    depth = _check_int("depth", depth, 1, MAX_DEPTH)
    gain = _check_gain(gain)
    width = _check_int("width", width, 1)
    n_samples = _check_int("n_samples", n_samples, 1)
    n_classes = _check_int("n_classes", n_classes, 2)
    seed = _check_int("seed", seed, 0)
    base, X, Y = _unit_stack(depth, width, n_samples, n_classes, seed)
    params = {k: (v * gain if k.startswith("W") else v.copy()) for k, v in base.items()}
    return params, X.copy(), Y.copy()


@lru_cache(maxsize=256)
def _unit_stack(depth, width, n_samples, n_classes, seed):
    """The gain-1 stack (cached: the slider demos reuse it for every gain)."""
    params = init_params([width] * (depth + 1) + [n_classes], seed=seed, layout="rows", scale="xavier")
    rng = np.random.default_rng([seed, 1])
    X = rng.normal(size=(n_samples, width))
    Y = one_hot(rng.integers(0, n_classes, n_samples), n_classes)
    for a in (*params.values(), X, Y):
        a.setflags(write=False)
    return params, X, Y


#: f' written with the layer's output h = f(z), for the activations the demos use: reusing h
#: saves a second exp/tanh per layer (tests check each against ACTIVATIONS[name].df).
DERIVATIVE_FROM_OUTPUT = {
    "sigmoid": lambda h: h * (1.0 - h),
    "tanh": lambda h: 1.0 - h * h,
    "relu": lambda h: (h > 0).astype(float),
    "identity": lambda h: np.ones_like(h),
}


def _batched_pass(Ws, X, Y, activation, weight_grads=True):
    """Forward and backward of the stacks of all seeds at once (leading axis S = seeds).

    Ws : list of ``(S, n_in, n_out)``; X ``(S, B, n)``; Y ``(S, B, K)`` one-hot.
    The same equations as ``network._forward_rows``/``_backward_rows`` with zero
    biases: Z_l = H_{l-1} W_l, H_l = f(Z_l), δ_L = (softmax(Z_L) − Y)/B,
    δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(Z_{l-1}), ∂L/∂W_l = H_{l-1}ᵀ δ_l.
    Returns ``(z2, delta_norm, grad_norm)``, each ``(S, L)``: the mean of Z_l²,
    ‖δ_l‖_F and ‖∂L/∂W_l‖_F (NaN unless ``weight_grads``) per seed and layer.
    """
    act = get_activation(activation)
    from_output = DERIVATIVE_FROM_OUTPUT.get(activation)
    L = len(Ws)
    Hs, Zs = [X], []
    for l, W in enumerate(Ws, start=1):
        Z = Hs[-1] @ W
        Zs.append(Z)
        if l < L:
            Hs.append(act.f(Z))
    Z = Zs[-1]
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    delta = (E / E.sum(axis=-1, keepdims=True) - Y) / X.shape[1]
    S = X.shape[0]
    z2 = np.stack([np.einsum("sbi,sbi->s", Z, Z) / (Z.shape[1] * Z.shape[2]) for Z in Zs], axis=1)
    dnorm, gnorm = np.empty((S, L)), np.full((S, L), np.nan)
    for l in range(L, 0, -1):
        dnorm[:, l - 1] = np.sqrt(np.einsum("sbi,sbi->s", delta, delta))
        if weight_grads:
            G = np.swapaxes(Hs[l - 1], 1, 2) @ delta
            gnorm[:, l - 1] = np.sqrt(np.einsum("sij,sij->s", G, G))
        if l > 1:
            fprime = from_output(Hs[l - 1]) if from_output else act.df(Zs[l - 2])
            delta = (delta @ np.swapaxes(Ws[l - 1], 1, 2)) * fprime
    return z2, dnorm, gnorm


def layer_statistics(activation, depth, gain=1.0, width=WIDTH, n_samples=N_SAMPLES, n_classes=N_CLASSES,
                     seeds=SEEDS, weight_grads=True):
    r"""Per-layer activation and gradient sizes of the deep stacks of several seeds.

    For every seed the stack is :func:`deep_stack` (``depth`` hidden layers of
    ``activation``, weights of variance :math:`g^2/n_\text{in}`, one batch of
    ``n_samples`` random inputs and labels, mean cross-entropy).

    Returns a dict; each array has shape ``(len(seeds), depth)`` with hidden
    layer l = 1..depth in column l - 1:

    * ``"z_second_moment"``: :math:`\overline{z_l^2}`, the mean of
      :math:`z_l^2` over the batch and the units (the variance of the
      pre-activations, whose mean is 0 in expectation);
    * ``"delta_norm"``: :math:`\lVert\delta_l\rVert_F = \lVert\partial L/\partial z_l\rVert_F`,
      the gradient that reaches layer l;
    * ``"weight_grad_norm"``: :math:`\lVert\partial L/\partial W_l\rVert_F`
      (all NaN with ``weight_grads=False``, which skips one matrix product per
      layer: the slider demos do not show it);

    and ``"seeds"``, ``"activation"``, ``"depth"``, ``"gain"``.
    """
    get_activation(activation)
    depth = _check_int("depth", depth, 1, MAX_DEPTH)
    gain = _check_gain(gain)
    width = _check_int("width", width, 1)
    n_samples = _check_int("n_samples", n_samples, 1)
    n_classes = _check_int("n_classes", n_classes, 2)
    seeds = _check_seeds(seeds)
    weight_grads = check_flag("weight_grads", weight_grads)
    Ws, X, Y = _stacked(depth, width, n_samples, n_classes, seeds)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # overflow is refused below
        Ws = [gain * W for W in Ws]
        z2, dnorm, gnorm = _batched_pass(Ws, X, Y, activation, weight_grads)
    finite = np.isfinite(z2).all() and np.isfinite(dnorm).all() and (not weight_grads or np.isfinite(gnorm).all())
    if not finite or np.any(dnorm == 0):
        raise ValueError(f"gain: {gain} overflows a {depth}-layer {activation} stack (or underflows its "
                         "gradient to 0); use a gain closer to 1 or fewer layers")
    return {"z_second_moment": z2[:, :depth], "delta_norm": dnorm[:, :depth],
            "weight_grad_norm": gnorm[:, :depth], "seeds": seeds, "activation": activation,
            "depth": depth, "gain": gain}


@lru_cache(maxsize=64)
def _stacked(depth, width, n_samples, n_classes, seeds):
    """The gain-1 stacks of ``seeds`` stacked on a leading axis: (Ws, X, Y), read-only."""
    stacks = [_unit_stack(depth, width, n_samples, n_classes, s) for s in seeds]
    Ws = [np.stack([p[f"W{l}"] for p, _, _ in stacks]) for l in range(1, depth + 2)]
    X = np.stack([x for _, x, _ in stacks])
    Y = np.stack([y for _, _, y in stacks])
    for a in (*Ws, X, Y):
        a.setflags(write=False)
    return Ws, X, Y


def summarize(values, kind="geometric"):
    r"""Mean and spread over seeds (axis 0) of positive per-layer values ``(n_seeds, n_layers)``.

    kind : ``"geometric"`` (:math:`\exp` of the mean of :math:`\log`, right for
    sizes that multiply layer by layer) or ``"arithmetic"`` (the plain mean,
    an estimate of the expectation).
    Returns ``(mean, low, high)``, each ``(n_layers,)``; low/high are the smallest
    and the largest seed's value.
    """
    check_choice("kind", kind, ("geometric", "arithmetic"))
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[0] < 1 or v.shape[1] < 1:
        raise ValueError(f"values: expected a 2-D array (n_seeds, n_layers), got shape {v.shape}")
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("values: expected positive finite sizes (norms, second moments)")
    mean = np.exp(np.mean(np.log(v), axis=0)) if kind == "geometric" else v.mean(axis=0)
    return mean, v.min(axis=0), v.max(axis=0)


def gradient_ratio(stats):
    r"""How much bigger the gradient at the first layer is than at the last, per seed and summarised.

    stats : a dict from :func:`layer_statistics`.
    Returns a dict: ``"ratio"`` (geometric mean over seeds of
    :math:`\lVert\delta_1\rVert/\lVert\delta_D\rVert`), ``"low"``/``"high"`` (its
    smallest and largest seed), ``"per_layer"`` = ratio :math:`^{1/(D-1)}` (the
    average factor per layer; 1.0 for ``depth`` 1), and ``"verdict"``:
    ``"vanishing"`` (ratio < 1/10), ``"exploding"`` (> 10) or ``"flat"``.
    """
    if not isinstance(stats, dict) or "delta_norm" not in stats:
        raise TypeError("stats: expected the dict returned by layer_statistics()")
    d = np.asarray(stats["delta_norm"], dtype=float)
    r = d[:, 0] / d[:, -1]
    ratio = float(np.exp(np.mean(np.log(r))))
    depth = d.shape[1]
    per_layer = ratio ** (1.0 / (depth - 1)) if depth > 1 else 1.0
    return {"ratio": ratio, "low": float(r.min()), "high": float(r.max()), "per_layer": per_layer,
            "verdict": verdict(ratio)}


#: A gradient that changes by less than this factor from the last layer to the first counts as flat.
FLAT_FACTOR = 10.0


def verdict(ratio):
    """``"vanishing"`` if ``ratio`` < 1/FLAT_FACTOR, ``"exploding"`` if > FLAT_FACTOR, else ``"flat"``."""
    ratio = check_scalar("ratio", ratio, low=0.0)
    if ratio < 1.0 / FLAT_FACTOR:
        return "vanishing"
    if ratio > FLAT_FACTOR:
        return "exploding"
    return "flat"


# ------------------------------------------------------------ exercise
#: The exercise's hidden cases: fan-ins and fan-outs drawn with this seed (a fixed answer fails).
EXERCISE_SEED = 8
_EXERCISE_ACTIVATIONS = ("relu", "tanh")


def _exercise_cases(seed):
    rng = np.random.default_rng(seed)
    n_in = rng.integers(3, 1000, size=8)
    n_out = rng.integers(3, 1000, size=8)
    acts = [_EXERCISE_ACTIVATIONS[i % 2] for i in range(8)]
    return [(int(a), int(b), c) for a, b, c in zip(n_in, n_out, acts)]


def _expected_std(n_in, n_out, activation):
    return init_std("he" if activation == "relu" else "xavier", n_in, n_out)


def check_init_std(fn, seed=EXERCISE_SEED):
    r"""Self-check of the exercise "the weight std that keeps the variance constant".

    fn : the student's function ``fn(n_in, n_out, activation)`` returning one
        number: the standard deviation for a layer with fan-in ``n_in`` and
        fan-out ``n_out`` followed by ``activation`` (``"relu"`` or ``"tanh"``),
        chosen so that :math:`\operatorname{Var}(z)` stays constant in the forward pass.
        ``None`` (the stub) or a function returning ``None`` is "missing".
    seed : the hidden cases' seed (random fan-ins, fan-outs and activations).

    Returns a :class:`mlp_helpers.check.Diagnosis` ``(ok, code, message)``.
    Known mistakes are recognised first (codes ``"variance"``: returns
    :math:`\sigma_w^2`; ``"relu_factor"``: no factor 2 for ReLU;
    ``"tanh_factor"``: the factor 2 also for tanh; ``"fan_out"``: divides by
    ``n_out``; ``"constant"``: the same number for every layer; ``"error"``:
    the function raised), then :func:`mlp_helpers.check.diagnose` on all
    cases.  Every message ends with ``(kind of mistake: CODE)``.
    """
    seed = _check_int("seed", seed, 0)
    if fn is None or fn is Ellipsis:
        return Diagnosis(False, "missing", "your std function is missing: replace None with your function "
                                           "and run the check again. (kind of mistake: missing)")
    if not callable(fn):
        raise TypeError(f"fn: expected your function fn(n_in, n_out, activation), got {type(fn).__name__}")
    cases = _exercise_cases(seed)
    answers = []
    for n_in, n_out, act in cases:
        try:
            a = fn(n_in, n_out, act)
        except Exception as exc:  # the student's code: report, do not raise
            return Diagnosis(False, "error", f"your function raised {type(exc).__name__}: {exc} "
                                             f"(for n_in={n_in}, n_out={n_out}, activation={act!r}). "
                                             "(kind of mistake: error)")
        if a is None or a is Ellipsis:
            return Diagnosis(False, "missing", "your function returns None: it still needs its return "
                                               "statement. (kind of mistake: missing)")
        try:
            answers.append(float(a))
        except (TypeError, ValueError):
            return Diagnosis(False, "shape", f"your function returned {type(a).__name__} {a!r}; expected one "
                                             "number, the standard deviation. (kind of mistake: shape)")
    answers = np.array(answers)
    expected = np.array([_expected_std(*c) for c in cases])
    d = diagnose("std", answers, expected)
    if d.ok:
        return Diagnosis(True, "correct", f"std is correct on all {len(cases)} hidden layer sizes.")
    is_relu = np.array([c[2] == "relu" for c in cases])
    n_in = np.array([c[0] for c in cases], dtype=float)
    n_out = np.array([c[1] for c in cases], dtype=float)
    factor = np.where(is_relu, 2.0, 1.0)

    def close(candidate):
        return bool(np.allclose(answers, candidate, rtol=1e-6, atol=1e-12))

    known = [
        ("variance", expected ** 2, "your function returns the variance sigma_w^2, not the standard deviation "
                                    "sigma_w: the rule is about Var(w); the std is its square root."),
        ("relu_factor", np.sqrt(1.0 / n_in), "your std is right for tanh but too small for ReLU: ReLU sets "
                                             "half of its inputs to zero, which halves the second moment, so "
                                             "ReLU layers need twice the variance."),
        ("tanh_factor", np.sqrt(2.0 / n_in), "your std is right for ReLU but too big for tanh: the factor 2 "
                                             "makes up for ReLU's zeroed half; tanh(z) is about z near 0 and "
                                             "needs none."),
        ("fan_out", np.sqrt(factor / n_out), "your std divides by the fan-out n_out: the forward pass sums "
                                             "n_in products w*h, so Var(z) = n_in Var(w) E[h^2]."),
        ("fan_out", np.sqrt(factor / n_out) ** 2, "your function returns factor/n_out: a variance, and with the "
                                                  "fan-out instead of the fan-in n_in."),
    ]
    for code, candidate, message in known:
        if close(candidate):
            return Diagnosis(False, code, f"{message} (kind of mistake: {code})")
    if np.ptp(answers) == 0:
        return Diagnosis(False, "constant", f"your function returns {answers[0]:.6g} for every layer; the std "
                                            "must depend on the layer's size. (kind of mistake: constant)")
    return Diagnosis(False, d.code, f"{d.message} (kind of mistake: {d.code})")


__all__ = ["INIT_RULES", "GAINS", "init_std", "gaussian_expectation", "mean_field", "deep_stack",
           "layer_statistics", "summarize", "gradient_ratio", "verdict", "check_init_std", "FLAT_FACTOR"]
