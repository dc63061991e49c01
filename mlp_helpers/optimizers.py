r"""Updates beyond plain SGD, learning-rate schedules, and the noise of a minibatch gradient.

Every update is a pure function
``step(params, grads, state, lr, ...) -> (new_params, new_state)``:
``params`` and ``grads`` are dicts of arrays with the same keys and shapes
(``{"W1": ..., "b1": ...}`` or any other names), ``state`` is what the
optimizer remembers between steps (``None`` before the first step: zeros),
a dict of dicts keyed like ``params``.  Nothing is changed in place.

=========================  ==========================================================  ===============
name                       update (``g`` the gradient, ``t = 1, 2, ...`` the step)     ``state`` keys
=========================  ==========================================================  ===============
``sgd``                    :math:`\theta \leftarrow \theta - \alpha g`                 (none)
``momentum``               :math:`v \leftarrow \mu v - \alpha g`,                      ``velocity``
                           :math:`\theta \leftarrow \theta + v` (velocity convention:
                           CS231n, Sutskever et al. 2013, ``mlp_helpers.momentum_step``)
``momentum_buffer``        :math:`b \leftarrow \mu b + g`,                             ``buffer``
                           :math:`\theta \leftarrow \theta - \alpha b`
                           (buffer convention: ``torch.optim.SGD``)
``nesterov``               :math:`b \leftarrow \mu b + g`,                             ``buffer``
                           :math:`\theta \leftarrow \theta - \alpha (g + \mu b)`
                           (``torch.optim.SGD(nesterov=True)``)
``rmsprop``                :math:`s \leftarrow \rho s + (1-\rho) g^2`,                 ``mean_square``
                           :math:`\theta \leftarrow \theta - \alpha g / (\sqrt{s} + \epsilon)`
                           (Hinton's lecture 6e; ε outside the root as in PyTorch)
``adam``                   :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`,             ``m``, ``v``
                           :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
                           :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)`,
                           :math:`\theta \leftarrow \theta - \alpha \hat m/(\sqrt{\hat v} + \epsilon)`
                           (Kingma & Ba 2015, Algorithm 1; ε after the bias correction
                           as in PyTorch)
=========================  ==========================================================  ===============

The two momentum conventions give the same iterates while α is constant
(:math:`v = -\alpha b` at every step) and differ once α changes: the velocity
keeps the old α inside it, the buffer is scaled by the new α at once.

Learning-rate schedules are functions of the 0-based step index ``t``
(the ``t``-th update uses ``schedule(t)``): :func:`step_decay`,
:func:`cosine_decay`, :func:`linear_warmup`, :func:`warmup_cosine`; the table
``SCHEDULES`` and :func:`lr_schedule` give the whole sequence.

Minibatch gradient noise: :func:`minibatch_gradient_variance` measures
:math:`E\lVert \hat g_B - g \rVert^2` by drawing batches;
:func:`predicted_gradient_variance` is the law
:math:`\sigma_g^2/B` (with replacement), times :math:`(n-B)/(n-1)` without.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validate import (as_float_array, check_choice, check_finite_result, check_flag, check_range, check_scalar,
                        check_seed)


# ---------------------------------------------------------------- the updates
# One kernel per optimizer, on plain arrays: theta, g and the state tuple have one shape.
# Each returns (new_theta, new_state).  The public *_step functions check their input
# and apply the kernel to every parameter; run_optimizer loops a kernel.
def _sgd(theta, g, state, lr, t):
    theta = theta - lr * g
    return theta, ()


def _momentum_velocity(theta, g, state, lr, t, momentum):
    (v,) = state
    v = momentum * v - lr * g
    theta = theta + v
    return theta, (v,)


def _momentum_buffer(theta, g, state, lr, t, momentum, nesterov=False):
    (b,) = state
    b = momentum * b + g
    direction = g + momentum * b if nesterov else b
    theta = theta - lr * direction
    return theta, (b,)


def _nesterov(theta, g, state, lr, t, momentum):
    return _momentum_buffer(theta, g, state, lr, t, momentum, nesterov=True)


def _rmsprop(theta, g, state, lr, t, rho, eps):
    (s,) = state
    s = rho * s + (1 - rho) * g ** 2
    theta = theta - lr * g / (np.sqrt(s) + eps)
    return theta, (s,)


def _adam(theta, g, state, lr, t, beta1, beta2, eps):
    m, v = state
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, (m, v)


class Optimizer(NamedTuple):
    """One row of ``OPTIMIZERS``.

    Attributes
    ----------
    kernel : callable
        ``kernel(theta, g, state, lr, t, **hyper) -> (theta, state)`` on arrays of one
        shape; ``state`` is a tuple of arrays in the order of ``state_names``.
    state_names : tuple of str
        The keys of the ``state`` dict of the public step function.
    defaults : dict
        Default hyperparameters (the keyword arguments of the kernel after ``t``).
    equations : str
        The update in LaTeX.
    """

    kernel: Callable
    state_names: tuple
    defaults: dict
    equations: str


OPTIMIZERS = {
    "sgd": Optimizer(_sgd, (), {}, r"\theta \leftarrow \theta - \alpha g"),
    "momentum": Optimizer(_momentum_velocity, ("velocity",), {"momentum": 0.9},
                          r"v \leftarrow \mu v - \alpha g,\quad \theta \leftarrow \theta + v"),
    "momentum_buffer": Optimizer(_momentum_buffer, ("buffer",), {"momentum": 0.9},
                                 r"b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \alpha b"),
    "nesterov": Optimizer(_nesterov, ("buffer",), {"momentum": 0.9},
                          r"b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \alpha (g + \mu b)"),
    "rmsprop": Optimizer(_rmsprop, ("mean_square",), {"rho": 0.9, "eps": 1e-8},
                         r"s \leftarrow \rho s + (1-\rho) g^2,\quad "
                         r"\theta \leftarrow \theta - \alpha\, g / (\sqrt{s} + \epsilon)"),
    "adam": Optimizer(_adam, ("m", "v"), {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                      r"m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad "
                      r"\theta \leftarrow \theta - \alpha \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}"),
}


# ---------------------------------------------------------------- checks
def _float_array(name, value):
    """``value`` checked as by ``as_float_array``, without its copy when it is a finite float64 array already.

    The kernels never write into their inputs (each returns new arrays), so no copy is needed.
    One sum tells whether every entry is finite (a NaN or infinity makes it non-finite); if the sum
    is not finite for any reason, the full check decides (and names the first bad entry).
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        with np.errstate(over="ignore", invalid="ignore"):  # huge finite entries may overflow the sum
            if np.isfinite(np.sum(value)):
                return value
    return as_float_array(name, value)


def _keys(d):
    """The keys of dict ``d`` for a message (any types: a misnamed key may be a number)."""
    return "[" + ", ".join(map(repr, d)) + "]"


#: The state entries that are running means of g**2: a negative one has no square root.
_NONNEGATIVE_STATE = ("mean_square", "v")


def _check_params_grads(params, grads):
    """``params`` and ``grads`` as dicts of float arrays with the same keys and shapes."""
    if not isinstance(params, dict) or not params:
        got = f"{type(params).__name__}" if not isinstance(params, dict) else "an empty dict"
        raise TypeError(f"params: expected a dict of arrays such as {{'W1': ..., 'b1': ...}}, got {got}")
    bad_keys = [k for k in params if not isinstance(k, str)]
    if bad_keys:
        raise TypeError(f"params: expected str keys such as 'W1', got {bad_keys[0]!r}")
    p = {k: _float_array(f"params['{k}']", v) for k, v in params.items()}
    if not isinstance(grads, dict) or set(grads) != set(params):
        got = _keys(grads) if isinstance(grads, dict) else type(grads).__name__
        raise ValueError(f"grads: expected the keys of params {_keys(params)}, got {got}")
    g = {}
    for k in params:
        g[k] = _float_array(f"grads['{k}']", grads[k])
        if g[k].shape != p[k].shape:
            raise ValueError(f"grads['{k}']: expected shape {p[k].shape} (that of params['{k}']), got {g[k].shape}")
    return p, g


def _check_state(state, params, names):
    """The optimizer state as a dict ``name -> {key: float array}``; ``None`` gives zeros."""
    if state is None:
        return {n: {k: np.zeros(v.shape) for k, v in params.items()} for n in names}
    if not isinstance(state, dict) or set(state) != set(names):
        got = _keys(state) if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"state: expected None (first step) or a dict with keys {list(names)}, got {got}")
    out = {}
    for n in names:
        part = state[n]
        if not isinstance(part, dict) or set(part) != set(params):
            got = _keys(part) if isinstance(part, dict) else type(part).__name__
            raise ValueError(f"state['{n}']: expected the keys of params {_keys(params)}, got {got}")
        out[n] = {}
        for k in params:
            arr = _float_array(f"state['{n}']['{k}']", part[k])
            if arr.shape != params[k].shape:
                raise ValueError(f"state['{n}']['{k}']: expected shape {params[k].shape}, got {arr.shape}")
            if n in _NONNEGATIVE_STATE:  # a running mean of g**2
                check_range(f"state['{n}']['{k}']", arr, low=0.0)
            out[n][k] = arr
    return out


def _check_rate(name, value):
    """A decay rate in [0, 1)."""
    value = check_scalar(name, value, low=0.0, high=1.0)
    if value >= 1.0:
        raise ValueError(f"{name}: expected a value in [0, 1), got {value}")
    return value


def _check_hyper(name, hyper):
    """Check the hyperparameters ``hyper`` of optimizer ``name``; return them as floats."""
    known = OPTIMIZERS[name].defaults
    allowed = set(known) | ({"nesterov"} if name == "momentum_buffer" else set())
    unknown = sorted(set(hyper) - allowed)
    if unknown:
        raise TypeError(f"hyper: unknown hyperparameter(s) {unknown} of optimizer {name!r}; "
                        f"known: {sorted(known) or 'none'}")
    out = dict(known, **hyper)
    for key, value in out.items():
        if key in ("momentum", "rho", "beta1", "beta2"):
            out[key] = _check_rate(key, value)
        elif key == "eps":
            out[key] = check_scalar("eps", value, low=0.0, low_inclusive=False)
        elif key == "nesterov":
            out[key] = check_flag("nesterov", value)
    return out


def _apply(name, params, grads, state, lr, t, hyper):
    """Check everything, then apply optimizer ``name``'s kernel to every parameter."""
    opt = OPTIMIZERS[name]
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    t = check_scalar("t", t, low=1, integer=True)
    hyper = _check_hyper(name, hyper)
    p, g = _check_params_grads(params, grads)
    s = _check_state(state, p, opt.state_names)
    new_params, new_state = {}, {n: {} for n in opt.state_names}
    for k in p:
        with np.errstate(over="ignore", invalid="ignore"):  # huge finite input may overflow: refused below
            theta, parts = opt.kernel(p[k], g[k], tuple(s[n][k] for n in opt.state_names), lr, t, **hyper)
        names = f"params['{k}'], grads['{k}'], " + (f"state, " if opt.state_names else "") + "lr"
        new_params[k] = check_finite_result(names, theta, f"the update of {k!r}")
        for n, arr in zip(opt.state_names, parts):
            new_state[n][k] = check_finite_result(names, arr, f"the new state['{n}'] of {k!r}")
    return new_params, new_state


# ---------------------------------------------------------------- public steps
def momentum_velocity_step(params, grads, state, lr, momentum=0.9):
    r"""SGD with momentum, velocity convention: :math:`v \leftarrow \mu v - \alpha g`, :math:`\theta \leftarrow \theta + v`.

    The convention of CS231n and Sutskever et al. (2013), and of
    :func:`mlp_helpers.momentum_step` (the same numbers).

    Parameters
    ----------
    params, grads : dict of str -> array
        Parameters θ and gradients g with the same keys and shapes (any shapes).
    state : dict or None
        ``{"velocity": {key: array like params[key]}}``; ``None`` at the first step (v = 0).
    lr : float > 0
        Learning rate α.
    momentum : float in [0, 1)
        μ.

    Returns
    -------
    new_params : dict like ``params``
    new_state : ``{"velocity": dict like params}``
    """
    return _apply("momentum", params, grads, state, lr, 1, {"momentum": momentum})


def momentum_buffer_step(params, grads, state, lr, momentum=0.9, nesterov=False):
    r"""SGD with momentum, buffer convention (``torch.optim.SGD``): :math:`b \leftarrow \mu b + g`, :math:`\theta \leftarrow \theta - \alpha b`.

    With ``nesterov=True``: :math:`\theta \leftarrow \theta - \alpha (g + \mu b)`, PyTorch's
    form of Nesterov's accelerated gradient (no gradient at a look-ahead point needed).
    At a constant α the buffer convention gives the same iterates as
    :func:`momentum_velocity_step` (:math:`b = -v/\alpha`); when α changes they differ.

    Parameters
    ----------
    params, grads : dict of str -> array
        θ and g, same keys and shapes.
    state : dict or None
        ``{"buffer": {key: array like params[key]}}``; ``None`` at the first step (b = 0,
        so the first buffer is g, as in PyTorch).
    lr : float > 0
        α.
    momentum : float in [0, 1)
        μ.
    nesterov : bool

    Returns
    -------
    new_params : dict like ``params``
    new_state : ``{"buffer": dict like params}``
    """
    return _apply("momentum_buffer", params, grads, state, lr, 1, {"momentum": momentum, "nesterov": nesterov})


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    r"""RMSProp: :math:`s \leftarrow \rho s + (1-\rho) g^2`, :math:`\theta \leftarrow \theta - \alpha g/(\sqrt{s}+\epsilon)`.

    Hinton's lecture 6e (Coursera, 2012) with ρ = 0.9; ε is added *outside*
    the square root, as in ``torch.optim.RMSprop`` (whose ``alpha`` is our ρ,
    default 0.99 there).

    Parameters
    ----------
    params, grads : dict of str -> array
        θ and g, same keys and shapes.
    state : dict or None
        ``{"mean_square": {key: array like params[key]}}``; ``None`` at the first step (s = 0).
    lr : float > 0
        α.
    rho : float in [0, 1)
        Decay of the running mean of g².
    eps : float > 0
        ε.

    Returns
    -------
    new_params : dict like ``params``
    new_state : ``{"mean_square": dict like params}``
    """
    return _apply("rmsprop", params, grads, state, lr, 1, {"rho": rho, "eps": eps})


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8, *, t):
    r"""Adam with bias correction (Kingma & Ba 2015, Algorithm 1).

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
        \hat m = \frac{m}{1-\beta_1^t},\quad \hat v = \frac{v}{1-\beta_2^t},\quad
        \theta \leftarrow \theta - \alpha\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}

    ε is added to :math:`\sqrt{\hat v}` *after* the bias correction, as in
    ``torch.optim.Adam`` (Keras adds an ε̂ to :math:`\sqrt{v}` before it).

    Parameters
    ----------
    params, grads : dict of str -> array
        θ and g, same keys and shapes.
    state : dict or None
        ``{"m": {...}, "v": {...}}``, each keyed like ``params``; ``None`` at the first step.
    lr : float > 0
        α.
    beta1, beta2 : float in [0, 1)
        Decay rates of the first and second moments.
    eps : float > 0
        ε.
    t : int >= 1
        The number of this step (1 for the first), for the bias correction.

    Returns
    -------
    new_params : dict like ``params``
    new_state : ``{"m": dict like params, "v": dict like params}``
    """
    return _apply("adam", params, grads, state, lr, t, {"beta1": beta1, "beta2": beta2, "eps": eps})


def run_optimizer(name, grad_fn, w0, lr, steps, **hyper):
    r"""Run optimizer ``name`` for ``steps`` steps on a function of one parameter vector.

    Parameters
    ----------
    name : str
        A key of ``OPTIMIZERS``.
    grad_fn : callable
        ``grad_fn(w)`` returns the gradient at ``w``, shape ``(d,)``.
    w0 : array_like, shape ``(d,)``
        The start.
    lr : float > 0, or array_like of shape ``(steps,)``
        α, constant or one value per step (a schedule, e.g. from :func:`lr_schedule`).
    steps : int >= 0
    **hyper
        The optimizer's hyperparameters (defaults in ``OPTIMIZERS[name].defaults``).

    Returns
    -------
    ndarray, shape ``(steps + 1, d)``
        The iterates :math:`w_0, w_1, \ldots`; the same numbers as calling the
        optimizer's step function ``steps`` times.
    """
    check_choice("name", name, OPTIMIZERS)
    if not callable(grad_fn):
        raise TypeError(f"grad_fn: expected a function w -> gradient, got {type(grad_fn).__name__}")
    w = as_float_array("w0", w0, ndim=1)
    steps = check_scalar("steps", steps, low=0, integer=True)
    lrs = _check_lrs(lr, steps)
    opt = OPTIMIZERS[name]
    hyper = _check_hyper(name, hyper)
    state = tuple(np.zeros_like(w) for _ in opt.state_names)
    path = np.empty((steps + 1, w.size))
    path[0] = w
    for i in range(steps):
        g = as_float_array("grad_fn", grad_fn(w))
        if g.shape != w.shape:
            raise ValueError(f"grad_fn: expected a gradient of shape {w.shape}, got {g.shape} at step {i}")
        with np.errstate(over="ignore", invalid="ignore"):  # huge finite w0 or lr may overflow: refused below
            w, state = opt.kernel(w, g, state, lrs[i], i + 1, **hyper)
        check_finite_result("w0, lr", w, f"step {i + 1}")
        for part in state:
            check_finite_result("w0, lr", part, f"the optimizer state at step {i + 1}")
        path[i + 1] = w
    return path


def _check_lrs(lr, steps):
    if np.ndim(lr) == 0:
        return np.full(steps, check_scalar("lr", lr, low=0.0, low_inclusive=False))
    lrs = as_float_array("lr", lr, ndim=1)
    if lrs.shape != (steps,):
        raise ValueError(f"lr: expected a number or one learning rate per step, shape ({steps},), got {lrs.shape}")
    if np.any(lrs <= 0):
        raise ValueError(f"lr: expected every learning rate > 0, got {lrs[lrs <= 0][0]} at step {int(np.argmax(lrs <= 0))}")
    return lrs


# ---------------------------------------------------------------- schedules
def _check_t(t):
    return check_scalar("t", t, low=0, integer=True)


def step_decay(t, lr, step_size, gamma=0.1):
    r"""Step decay :math:`\alpha_t = \alpha\,\gamma^{\lfloor t / s\rfloor}` (``torch.optim.lr_scheduler.StepLR``).

    t : int >= 0, the step (or epoch) index.  lr : α > 0.  step_size : s >= 1.
    gamma : γ in (0, 1].  Returns a float.
    """
    t = _check_t(t)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    step_size = check_scalar("step_size", step_size, low=1, integer=True)
    gamma = check_scalar("gamma", gamma, low=0.0, high=1.0, low_inclusive=False)
    return lr * gamma ** (t // step_size)


def cosine_decay(t, lr, total, lr_min=0.0):
    r"""Cosine decay :math:`\alpha_t = \alpha_{min} + \tfrac12(\alpha - \alpha_{min})(1 + \cos(\pi t / T))`.

    The closed form of ``torch.optim.lr_scheduler.CosineAnnealingLR`` (``T_max = T``,
    ``eta_min`` = α_min); after ``t = T`` it stays at α_min.
    t : int >= 0.  lr : α > 0.  total : T >= 1.  lr_min : 0 <= α_min <= α.  Returns a float.
    """
    t = _check_t(t)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    total = check_scalar("total", total, low=1, integer=True)
    lr_min = check_scalar("lr_min", lr_min, low=0.0, high=lr)
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(np.pi * min(t, total) / total))


def linear_warmup(t, lr, warmup, start_factor=0.1):
    r"""Linear warm-up :math:`\alpha_t = \alpha\,(f_0 + (1 - f_0)\min(t, W)/W)`.

    From :math:`f_0\alpha` at ``t = 0`` up to α at ``t = W``, then constant
    (``torch.optim.lr_scheduler.LinearLR(start_factor=f0, total_iters=W)``).
    t : int >= 0.  lr : α > 0.  warmup : W >= 1.  start_factor : f0 in (0, 1].  Returns a float.
    """
    t = _check_t(t)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    warmup = check_scalar("warmup", warmup, low=1, integer=True)
    start_factor = check_scalar("start_factor", start_factor, low=0.0, high=1.0, low_inclusive=False)
    return lr * (start_factor + (1 - start_factor) * min(t, warmup) / warmup)


def warmup_cosine(t, lr, warmup, total, start_factor=0.1, lr_min=0.0):
    r"""Linear warm-up for ``W`` steps, then cosine decay to α_min at ``t = T``.

    :math:`\alpha_t` = :func:`linear_warmup` for :math:`t < W`, else
    :func:`cosine_decay` of :math:`t - W` over :math:`T - W` steps.
    t : int >= 0.  lr : α > 0.  warmup : W >= 1.  total : T > W.  Returns a float.
    """
    t = _check_t(t)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    warmup = check_scalar("warmup", warmup, low=1, integer=True)
    total = check_scalar("total", total, low=1, integer=True)
    if total <= warmup:
        raise ValueError(f"total: expected total > warmup = {warmup}, got {total}")
    # both phases' arguments, whichever phase t is in
    start_factor = check_scalar("start_factor", start_factor, low=0.0, high=1.0, low_inclusive=False)
    lr_min = check_scalar("lr_min", lr_min, low=0.0, high=lr)
    if t < warmup:
        return linear_warmup(t, lr, warmup, start_factor)
    return cosine_decay(t - warmup, lr, total - warmup, lr_min)


def constant(t, lr):
    r"""The constant schedule :math:`\alpha_t = \alpha` (t : int >= 0, lr : α > 0); a float."""
    _check_t(t)
    return check_scalar("lr", lr, low=0.0, low_inclusive=False)


SCHEDULES = {
    "constant": constant,
    "step": step_decay,
    "cosine": cosine_decay,
    "warmup": linear_warmup,
    "warmup_cosine": warmup_cosine,
}


def lr_schedule(name, steps, lr, **kwargs):
    """The learning rates of steps ``t = 0 .. steps - 1`` of schedule ``name``.

    name : a key of ``SCHEDULES``.  steps : int >= 1.  lr : α > 0.
    kwargs : the schedule's other arguments (``step_size``, ``gamma``, ``total``, ...).
    Returns an array of shape ``(steps,)``.
    """
    import inspect

    check_choice("name", name, SCHEDULES)
    steps = check_scalar("steps", steps, low=1, integer=True)
    fn = SCHEDULES[name]
    known = [p for p in inspect.signature(fn).parameters if p not in ("t", "lr")]
    unknown = sorted(set(kwargs) - set(known))
    if unknown:
        raise TypeError(f"kwargs: unknown argument(s) {unknown} of {fn.__name__}; known: {known or 'none'}")
    return np.array([fn(t, lr, **kwargs) for t in range(steps)])


# ---------------------------------------------------------------- gradient noise
def _check_per_sample(per_sample_grads, batch_size):
    G = as_float_array("per_sample_grads", per_sample_grads, ndim=2)
    if G.shape[0] < 2:
        raise ValueError(f"per_sample_grads: expected at least 2 samples (rows), got shape {G.shape}")
    B = check_scalar("batch_size", batch_size, low=1, integer=True)
    return G, B


def predicted_gradient_variance(per_sample_grads, batch_size, replace=False):
    r"""The expected squared error :math:`E\lVert \hat g_B - g\rVert^2` of a minibatch gradient.

    With :math:`g_i` the per-sample gradients, :math:`g = \frac1n\sum_i g_i` and
    :math:`\sigma_g^2 = \frac1n\sum_i \lVert g_i - g\rVert^2`:

    .. math::
        E\lVert \hat g_B - g\rVert^2 = \frac{\sigma_g^2}{B}
        \quad\text{(with replacement)},\qquad
        \frac{\sigma_g^2}{B}\,\frac{n - B}{n - 1}\quad\text{(without, as a shuffled epoch draws)}.

    per_sample_grads : array ``(n, d)``, one flattened gradient per row.
    batch_size : B, 1 <= B (<= n without replacement).  Returns a float.
    """
    G, B = _check_per_sample(per_sample_grads, batch_size)
    replace = check_flag("replace", replace)
    n = G.shape[0]
    if not replace and B > n:
        raise ValueError(f"batch_size: expected at most n = {n} without replacement, got {B}")
    with np.errstate(over="ignore", invalid="ignore"):  # huge finite gradients may overflow: refused below
        sigma2 = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    check_finite_result("per_sample_grads", sigma2, "the variance of the per-sample gradients")
    return sigma2 / B if replace else sigma2 / B * (n - B) / (n - 1)


def minibatch_gradient_variance(per_sample_grads, batch_size, n_draws=200, seed=0, replace=False):
    r"""Measure :math:`E\lVert \hat g_B - g\rVert^2` by drawing ``n_draws`` minibatches.

    Each draw picks ``batch_size`` rows (``numpy.random.default_rng(seed)``; without
    replacement unless ``replace``), averages them into :math:`\hat g_B` and records
    :math:`\lVert \hat g_B - g\rVert^2`.

    per_sample_grads : array ``(n, d)``.  batch_size : B.  n_draws : int >= 1.
    Returns the mean over the draws, a float.
    """
    G, B = _check_per_sample(per_sample_grads, batch_size)
    n_draws = check_scalar("n_draws", n_draws, low=1, integer=True)
    seed = check_seed("seed", seed)
    replace = check_flag("replace", replace)
    n = G.shape[0]
    if not replace and B > n:
        raise ValueError(f"batch_size: expected at most n = {n} without replacement, got {B}")
    rng = np.random.default_rng(seed)
    with np.errstate(over="ignore", invalid="ignore"):
        g = G.mean(axis=0)
    if replace:
        idx = rng.integers(0, n, size=(n_draws, B))
    else:
        idx = np.array([rng.choice(n, size=B, replace=False) for _ in range(n_draws)])  # a B-subset per draw
    with np.errstate(over="ignore", invalid="ignore"):  # huge finite gradients may overflow: refused below
        g_hat = G[idx].mean(axis=1)
        result = float(np.mean(np.sum((g_hat - g) ** 2, axis=1)))
    return check_finite_result("per_sample_grads", result, "the measured variance")


# ---------------------------------------------------------------- the exercise's self-check
# Inputs the student never sees: a function that returns typed-in numbers fails them.
# Large ε (0.1, 0.5) makes where ε goes visible; t = 1 catches an off-by-one step count.
_HIDDEN_ADAM = (
    {"shape": (3,), "t": 1, "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "fresh": True},
    {"shape": (2, 3), "t": 4, "lr": 0.05, "beta1": 0.8, "beta2": 0.9, "eps": 0.5, "fresh": False},
    {"shape": (4,), "t": 2, "lr": 0.1, "beta1": 0.9, "beta2": 0.99, "eps": 0.1, "fresh": False},
    {"shape": (3, 2), "t": 30, "lr": 0.002, "beta1": 0.7, "beta2": 0.95, "eps": 1e-8, "fresh": False},
)

# Classic slips, each a wrong transcription of Algorithm 1: code -> (what it computes, message).
_ADAM_SLIPS = {
    "no_bias_correction": (lambda m, v, mh, vh, a: a["lr"] * m / (np.sqrt(v) + a["eps"]),
                           "the bias correction is missing: divide m by 1 - beta1**t and v by 1 - beta2**t "
                           "before the update (at t = 1 both moments are far too small without it)."),
    "m_not_corrected": (lambda m, v, mh, vh, a: a["lr"] * m / (np.sqrt(vh) + a["eps"]),
                        "only v is bias-corrected: use m_hat = m / (1 - beta1**t) in the update too."),
    "v_not_corrected": (lambda m, v, mh, vh, a: a["lr"] * mh / (np.sqrt(v) + a["eps"]),
                        "only m is bias-corrected: use v_hat = v / (1 - beta2**t) in the update too."),
    "eps_inside_sqrt": (lambda m, v, mh, vh, a: a["lr"] * mh / np.sqrt(vh + a["eps"]),
                        "eps is inside the square root: Algorithm 1 (and PyTorch) add it outside, "
                        "sqrt(v_hat) + eps."),
    "eps_before_correction": (lambda m, v, mh, vh, a: a["lr"] * np.sqrt(1 - a["beta2"] ** a["t"])
                              / (1 - a["beta1"] ** a["t"]) * m / (np.sqrt(v) + a["eps"]),
                              "eps is added to sqrt(v) before the bias correction (Keras' eps-hat form): "
                              "here add it to sqrt(v_hat), after the correction."),
    "no_sqrt": (lambda m, v, mh, vh, a: a["lr"] * mh / (vh + a["eps"]),
                "the square root is missing: divide by sqrt(v_hat) + eps, not by v_hat + eps."),
    "t_minus_1": (lambda m, v, mh, vh, a: _adam_update_with_t(m, v, a, a["t"] - 1),
                  "the bias correction uses t - 1: t is the number of this step, 1 at the first step "
                  "(not a 0-based index)."),
    "t_plus_1": (lambda m, v, mh, vh, a: _adam_update_with_t(m, v, a, a["t"] + 1),
                 "the bias correction uses t + 1: t is already the number of this step, 1 at the first step."),
}


def _adam_update_with_t(m, v, a, t):
    """The Adam step size with the bias correction of step ``t`` (for the slips above)."""
    return a["lr"] * (m / (1 - a["beta1"] ** t)) / (np.sqrt(v / (1 - a["beta2"] ** t)) + a["eps"])


def _adam_case(case, rng):
    shape = case["shape"]
    theta, g = rng.normal(size=shape), rng.normal(size=shape) * rng.choice([0.01, 1.0, 30.0], size=shape)
    if case["fresh"]:
        m, v = np.zeros(shape), np.zeros(shape)
    else:
        m, v = rng.normal(size=shape) * 0.3, rng.random(shape) * 2.0
    return dict(theta=theta, g=g, m=m, v=v, **{k: case[k] for k in ("t", "lr", "beta1", "beta2", "eps")})


def _call_student(fn, a):
    args = {k: np.array(a[k], dtype=float) if k in ("theta", "g", "m", "v") else a[k] for k in a}
    with np.errstate(all="ignore"):
        out = fn(args["theta"], args["g"], args["m"], args["v"], args["t"], args["lr"],
                 args["beta1"], args["beta2"], args["eps"])
    if not isinstance(out, tuple) or len(out) != 3:
        got = f"a tuple of {len(out)}" if isinstance(out, tuple) else type(out).__name__
        raise TypeError(f"expected it to return (theta_new, m_new, v_new), got {got}")
    return tuple(np.asarray(x, dtype=float) for x in out)


def _diagnose_adam_case(fn, a, where):
    """(code, message) for one case; code ``"correct"`` when every output is right."""
    from .check import diagnose

    try:
        theta_new, m_new, v_new = _call_student(fn, a)
    except Exception as exc:  # the student's code: say what it raised
        return "error", f"my_adam_step raised {type(exc).__name__} {where}: {exc}"
    new, state = adam_step({"w": a["theta"]}, {"w": a["g"]}, {"m": {"w": a["m"]}, "v": {"w": a["v"]}},
                           a["lr"], a["beta1"], a["beta2"], a["eps"], t=a["t"])
    m, v = state["m"]["w"], state["v"]["w"]
    checks = (("m_new", m_new, m, {"no_one_minus_beta1": (a["beta1"] * a["m"] + a["g"],
                                                          "m_new lacks the factor (1 - beta1) on g.")}),
              ("v_new", v_new, v, {"g_not_squared": (a["beta2"] * a["v"] + (1 - a["beta2"]) * a["g"],
                                                     "v_new averages g, not g**2."),
                                   "no_one_minus_beta2": (a["beta2"] * a["v"] + a["g"] ** 2,
                                                          "v_new lacks the factor (1 - beta2) on g**2.")}))
    for name, got, want, slips in checks:
        d = diagnose(name, got, want)
        if d.ok:
            continue
        for code, (wrong, msg) in slips.items():
            if got.shape == want.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-12):
                return code, f"{msg} ({where})"
        return d.code, f"{d.message} ({where})"
    step, want_step = theta_new - a["theta"], new["w"] - a["theta"]
    d = diagnose("the step theta_new - theta", step, want_step, rtol=1e-7, atol=1e-12)
    if d.ok:
        return "correct", "correct"
    if d.code == "sign":
        return "sign", ("the step goes uphill (it equals minus the right step): the update is "
                        f"theta - lr * m_hat / (sqrt(v_hat) + eps), with a minus ({where}).")
    m_hat, v_hat = m / (1 - a["beta1"] ** a["t"]), v / (1 - a["beta2"] ** a["t"])
    if step.shape == want_step.shape and np.all(np.isfinite(step)):
        for code, (formula, msg) in _ADAM_SLIPS.items():
            with np.errstate(all="ignore"):
                wrong = -formula(m, v, m_hat, v_hat, a)
            if np.allclose(step, wrong, rtol=1e-7, atol=1e-12) and not np.allclose(wrong, want_step, rtol=1e-7, atol=1e-12):
                return code, f"{msg} ({where})"
        old = -a["lr"] * (a["m"] / (1 - a["beta1"] ** a["t"])) / (np.sqrt(a["v"] / (1 - a["beta2"] ** a["t"])) + a["eps"])
        if np.allclose(step, old, rtol=1e-7, atol=1e-12):
            return "old_moments", f"the update uses the old m and v: update the moments first, then theta ({where})."
    elif step.shape == want_step.shape and a["t"] == 1:
        return "t_minus_1", ("the step is NaN or infinite at t = 1: the bias correction must use t, "
                             f"the number of this step (1 at the first), not t - 1 ({where}).")
    return d.code, f"{d.message} ({where})"


def check_adam_step(fn, example, quiet=False):
    """Self-check for the exercise: is ``fn`` a correct Adam step?

    ``fn(theta, g, m, v, t, lr, beta1, beta2, eps)`` must return
    ``(theta_new, m_new, v_new)`` for arrays ``theta, g, m, v`` of one shape (any).
    It is run on ``example`` (a dict with those nine keys: the inputs shown in the
    notebook) and on hidden inputs of other shapes, steps ``t`` and ε, and compared with
    :func:`adam_step` through :func:`mlp_helpers.check.diagnose`.  The message names
    the first mistake found: a diagnose code (``sign``, ``shape``, ...) or a classic
    Adam slip (``no_bias_correction``, ``eps_inside_sqrt``, ``t_minus_1``,
    ``g_not_squared``, ...); a function right on the example only is ``hard_coded``.

    Returns a :class:`mlp_helpers.check.Diagnosis` and prints its message
    (unless ``quiet``).
    """
    from .check import run_exercise_cases

    if not callable(fn):
        raise TypeError(f"fn: expected your function my_adam_step, got {type(fn).__name__}")
    keys = ("theta", "g", "m", "v", "t", "lr", "beta1", "beta2", "eps")
    if not isinstance(example, dict) or set(example) != set(keys):
        got = sorted(example) if isinstance(example, dict) else type(example).__name__
        raise ValueError(f"example: expected a dict with keys {sorted(keys)}, got {got}")
    rng = np.random.default_rng(20150101)
    cases = [(example, "on the example above")]
    cases += [(_adam_case(c, rng), f"on hidden input {i} of {len(_HIDDEN_ADAM)}: t = {c['t']}, eps = {c['eps']:g}, "
               f"shape {c['shape']}") for i, c in enumerate(_HIDDEN_ADAM, start=1)]
    return run_exercise_cases("my_adam_step", cases, lambda a, where: _diagnose_adam_case(fn, a, where), quiet)
