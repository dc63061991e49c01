r"""Weight penalties :math:`\lambda R(W)` and their gradients.

``params`` is the dict ``{"W1": ..., "b1": ..., "W2": ..., ...}`` used
everywhere in the package.  The penalty sums over every weight matrix; the
biases are left out unless ``include_biases=True``.

``PENALTIES`` maps a name to ``(R(w), ∂R/∂w)`` for one array:

============== ============================== =====================================
name           :math:`R(w)`                   gradient of :math:`\lambda R`
============== ============================== =====================================
``l2``         :math:`\sum w^2`               :math:`2\lambda w` (seed 000's convention)
``l2_half``    :math:`\tfrac12\sum w^2`        :math:`\lambda w` ("weight decay" convention)
``l1``         :math:`\sum |w|`               :math:`\lambda\,\mathrm{sign}(w)`, with sign(0) = 0
``elastic_net`` :math:`\sum |w| + \sum w^2`   :math:`\lambda(\mathrm{sign}(w) + 2w)`
============== ============================== =====================================

``l2`` and ``l2_half`` differ by a factor of 2 in the penalty *and* in the
gradient: the same λ is twice as strong under ``l2``.

:func:`penalty` and :func:`penalty_gradients` check ``params`` (exactly the keys
``W1, b1, ..., WL, bL``), ``lam``, ``kind`` and ``include_biases``; the entries
of ``PENALTIES`` are the unchecked kernels the training loop calls.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validate import (
    as_float_array, check_choice, check_finite_result, check_flag, check_param_keys, check_scalar,
)


class Penalty(NamedTuple):
    """``value(w) -> float`` and ``grad(w) -> array of w's shape``, before the factor λ."""

    value: Callable
    grad: Callable


PENALTIES: dict[str, Penalty] = {
    "l2": Penalty(lambda w: float(np.sum(w * w)), lambda w: 2.0 * w),
    "l2_half": Penalty(lambda w: 0.5 * float(np.sum(w * w)), lambda w: w),
    "l1": Penalty(lambda w: float(np.sum(np.abs(w))), lambda w: np.sign(w)),
    "elastic_net": Penalty(
        lambda w: float(np.sum(np.abs(w)) + np.sum(w * w)),
        lambda w: np.sign(w) + 2.0 * w,
    ),
}


def _penalised(params, include_biases):
    """``params`` checked (exact keys W1, b1, ..., WL, bL; real, finite, non-empty
    arrays of any shape); returns ``(arrays, names of the penalised ones)``."""
    L = check_param_keys("params", params)
    arrays = {k: as_float_array(k, v) for k, v in params.items()}
    names = [f"W{l}" for l in range(1, L + 1)]
    if include_biases:
        names += [f"b{l}" for l in range(1, L + 1)]
    return arrays, names


def penalty(params, lam, kind="l2", include_biases=False):
    r"""The penalty :math:`\lambda R(W)` summed over all weight matrices.

    params : dict with exactly the keys ``W1, b1, ..., WL, bL`` (any shapes):
        a misnamed key such as ``w1`` is a ``ValueError``, never a weight
        silently left out of the penalty.
    lam : λ >= 0.
    kind : a key of ``PENALTIES``.
    include_biases : ``True`` or ``False`` (a real bool: ``"no"`` is a ``TypeError``).
    Returns a finite float (a ``ValueError`` if it exceeds the largest float64).
    """
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("kind", kind, PENALTIES)
    include_biases = check_flag("include_biases", include_biases)
    arrays, names = _penalised(params, include_biases)
    if lam == 0:  # no penalty, however large the weights
        return 0.0
    R = PENALTIES[kind].value
    with np.errstate(over="ignore", invalid="ignore"):
        value = lam * sum(R(arrays[k]) for k in names)
    return check_finite_result("params, lam", value, "the penalty")


def penalty_gradients(params, lam, kind="l2", include_biases=False):
    r"""The gradient of :math:`\lambda R(W)` for every parameter.

    params, lam, kind, include_biases : as in :func:`penalty`.
    Returns a dict with the keys of ``params``; each value has that
    parameter's shape (zeros for the biases unless ``include_biases``).
    """
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("kind", kind, PENALTIES)
    include_biases = check_flag("include_biases", include_biases)
    arrays, names = _penalised(params, include_biases)
    dR = PENALTIES[kind].grad
    grads = {}
    for k, v in arrays.items():
        if k in names:
            with np.errstate(over="ignore", invalid="ignore"):
                g = lam * dR(v)
            if lam == 0:  # 0 * (2w overflowing) is still no gradient
                g[~np.isfinite(g)] = 0.0
            grads[k] = check_finite_result(f"{k}, lam", g, f"the penalty gradient of {k}")
        else:
            grads[k] = np.zeros(v.shape)
    return grads
