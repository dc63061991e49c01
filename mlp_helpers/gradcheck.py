r"""Gradient checking with central differences.

:math:`\partial f/\partial\theta_i \approx \dfrac{f(\theta + \epsilon e_i) - f(\theta - \epsilon e_i)}{2\epsilon}`
for every entry of every parameter, compared with the analytic gradient by a
relative error that cannot divide by zero.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._validate import _describe, as_float_array, check_array_dict, check_scalar
from .network import backward, forward, loss_value


def _value_of(f, params, where):
    """``f(params)`` as a finite float; a clear error if it is anything else."""
    value = f(params)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"f: expected f(params) to return a real number, got {_describe(value)}{where}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"f: expected f(params) to return a finite number, got {value}{where}")
    return value


def numerical_gradient(f, params, eps=1e-6):
    """Central-difference gradient of a scalar function of ``params``.

    f : callable taking a dict like ``params`` and returning a real, finite
        number (a float, an int or a 0-d array).
    params : a non-empty dict of real, finite, non-empty arrays (any keys and
        shapes); not changed.
    eps : the step ε > 0.
    Returns a dict with the keys and shapes of ``params``, every entry finite
    (a ``ValueError`` naming ``f`` and ``eps`` if a difference quotient overflows).
    """
    eps = check_scalar("eps", eps, low=0.0, low_inclusive=False)
    if not callable(f):
        raise TypeError(f"f: expected a callable of params, got {type(f).__name__}")
    base = check_array_dict("params", params)
    grads = {}
    for name, value in base.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            shifted = dict(base)
            plus, minus = value.copy(), value.copy()
            with np.errstate(over="ignore"):
                plus[idx] += eps
                minus[idx] -= eps
            where = f" at params[{name!r}]{list(idx)} ± eps"
            if not (np.isfinite(plus[idx]) and np.isfinite(minus[idx])):
                raise ValueError(f"eps: params[{name!r}]{list(idx)} = {value[idx]:.6g} ± eps = {eps:.6g} "
                                 "overflows float64; expected a small step such as 1e-6")
            shifted[name] = plus
            f_plus = _value_of(f, shifted, where)
            shifted[name] = minus
            f_minus = _value_of(f, shifted, where)
            with np.errstate(over="ignore", invalid="ignore"):
                g[idx] = (f_plus - f_minus) / (2.0 * eps)
            if not np.isfinite(g[idx]):
                raise ValueError(
                    f"f, eps: the difference quotient (f(θ + ε) − f(θ − ε)) / 2ε overflows float64{where} "
                    f"(f(θ + ε) = {f_plus:.6g}, f(θ − ε) = {f_minus:.6g}, eps = {eps:.6g}); use a larger eps "
                    "or a function of smaller values"
                )
        grads[name] = g
    return grads


def relative_error(a, b, floor=1e-12):
    r"""Norm-wise relative error :math:`\|a-b\| / \max(\|a\|+\|b\|, \text{floor})`.

    a, b : real, finite arrays of the same shape.  floor : a number > 0.
    Returns a float in [0, 1]; 0 when both are zero.  Computed on ``a`` and ``b``
    scaled by their largest entry, so that values near 1e308 do not overflow.
    """
    a = as_float_array("a", a)
    b = as_float_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a, b: expected arrays of the same shape, got a {a.shape} and b {b.shape}")
    floor = check_scalar("floor", floor, low=0.0, low_inclusive=False)
    s = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if s == 0.0:
        return 0.0
    a_s, b_s = a / s, b / s  # the ratio does not change; nothing overflows
    num, den = float(np.linalg.norm(a_s - b_s)), float(np.linalg.norm(a_s) + np.linalg.norm(b_s))
    if den * s >= floor:
        return num / den
    return num * s / floor  # both norms are below the floor (s < floor here: no overflow)


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
    known = ("activation", "loss", "layout", "reduction", "lam", "penalty_kind", "include_biases", "output")
    unknown = sorted(map(str, set(options) - set(known)))
    if unknown:
        raise TypeError(f"options: unknown option(s) {', '.join(unknown)}; expected some of {', '.join(known)}")
    fwd = {k: options[k] for k in ("activation", "loss", "layout", "output") if k in options}
    cache = forward(params, X, **fwd)
    analytic, _ = backward(params, cache, Y, **options)
    numeric = numerical_gradient(lambda p: loss_value(p, X, Y, **options), params, eps)
    return {k: relative_error(analytic[k], numeric[k]) for k in params}
