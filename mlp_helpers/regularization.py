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
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validate import check_choice, check_scalar


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


def _penalised_names(params, include_biases):
    return [k for k in params if k.startswith("W") or (include_biases and k.startswith("b"))]


def penalty(params, lam, kind="l2", include_biases=False):
    r"""The penalty :math:`\lambda R(W)` summed over all weight matrices.

    params : dict of arrays ``W1, b1, ...`` (any shapes).
    lam : λ >= 0.
    kind : a key of ``PENALTIES``.
    Returns a float.
    """
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("kind", kind, PENALTIES)
    R = PENALTIES[kind].value
    return lam * sum(R(np.asarray(params[k], dtype=float)) for k in _penalised_names(params, include_biases))


def penalty_gradients(params, lam, kind="l2", include_biases=False):
    r"""The gradient of :math:`\lambda R(W)` for every parameter.

    Returns a dict with the keys of ``params``; each value has that
    parameter's shape (zeros for the biases unless ``include_biases``).
    """
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("kind", kind, PENALTIES)
    dR = PENALTIES[kind].grad
    names = set(_penalised_names(params, include_biases))
    return {
        k: lam * dR(np.asarray(v, dtype=float)) if k in names else np.zeros(np.shape(v))
        for k, v in params.items()
    }
