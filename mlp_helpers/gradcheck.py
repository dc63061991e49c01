r"""Gradient checking with central differences.

:math:`\partial f/\partial\theta_i \approx \dfrac{f(\theta + \epsilon e_i) - f(\theta - \epsilon e_i)}{2\epsilon}`
for every entry of every parameter, compared with the analytic gradient by a
relative error that cannot divide by zero.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_scalar
from .network import backward, forward, loss_value


def numerical_gradient(f, params, eps=1e-6):
    """Central-difference gradient of a scalar function of ``params``.

    f : callable taking a dict like ``params`` and returning a number.
    params : dict of arrays (any shapes); not changed.
    eps : the step ε > 0.
    Returns a dict with the keys and shapes of ``params``.
    """
    eps = check_scalar("eps", eps, low=0.0, low_inclusive=False)
    if not callable(f):
        raise TypeError(f"f: expected a callable of params, got {type(f).__name__}")
    base = {k: as_float_array(k, v) for k, v in params.items()}
    grads = {}
    for name, value in base.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            shifted = dict(base)
            plus, minus = value.copy(), value.copy()
            plus[idx] += eps
            minus[idx] -= eps
            shifted[name] = plus
            f_plus = float(f(shifted))
            shifted[name] = minus
            f_minus = float(f(shifted))
            g[idx] = (f_plus - f_minus) / (2.0 * eps)
        grads[name] = g
    return grads


def relative_error(a, b, floor=1e-12):
    r"""Norm-wise relative error :math:`\|a-b\| / \max(\|a\|+\|b\|, \text{floor})`.

    a, b : arrays of the same shape.  Returns a float in [0, 1]; 0 when both are zero.
    """
    a = as_float_array("a", a)
    b = as_float_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a {a.shape}, got {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def gradient_check(params, X, Y, eps=1e-6, **options):
    """Compare :func:`backward` with :func:`numerical_gradient` of :func:`loss_value`.

    params, X, Y and ``options`` (activation, loss, output, layout, reduction,
    lam, penalty_kind, include_biases) are passed to both.
    Returns a dict ``{name: relative error}`` for every parameter.

    A relative error compares the two gradients with their size.  Where a
    parameter's true gradient is at round-off level (about 1e-15, as for seed
    000, whose softmax is saturated), both sides are round-off noise and the
    ratio can be large although nothing is wrong: compare the absolute values
    there (``numerical_gradient`` and ``backward`` give both).
    """
    fwd = {k: options[k] for k in ("activation", "loss", "layout", "output") if k in options}
    cache = forward(params, X, **fwd)
    analytic, _ = backward(params, cache, Y, **options)
    numeric = numerical_gradient(lambda p: loss_value(p, X, Y, **options), params, eps)
    return {k: relative_error(analytic[k], numeric[k]) for k in params}
