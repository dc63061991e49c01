r"""Inverted dropout: forward and backward with an explicit mask.

During training each entry of a hidden layer :math:`H` (shape
``(n_samples, n_units)``) is kept with probability :math:`1-p` and set to zero
with probability :math:`p`.  The kept entries are divided by :math:`1-p`
("inverted" dropout), so the expected value of every entry is unchanged:

.. math::

    M_{ij} \sim \text{Bernoulli}(1-p), \qquad
    \tilde H = \frac{M \odot H}{1-p}, \qquad
    \mathbb E[\tilde H_{ij}] = \frac{(1-p)\,H_{ij}}{1-p} = H_{ij}.

At test time there is no mask and no scaling: :math:`\tilde H = H`.
The layer is linear in :math:`H` for a fixed mask, so the backward pass is the
same mask and the same scaling applied to the upstream gradient:

.. math::

    \frac{\partial L}{\partial H} = \frac{M \odot \partial L/\partial \tilde H}{1-p}.

``mask`` is a 0/1 float array of ``H``'s shape (1 = kept).  Every function is
pure: it returns new arrays and never changes its arguments.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_finite_result, check_scalar, check_seed

__all__ = ["dropout_forward", "dropout_backward", "dropout_mask", "diagnose_dropout"]


def _p_below_one(p):
    p = check_scalar("p", p, low=0.0)
    if p >= 1.0:
        raise ValueError(f"p: expected 0 <= p < 1 (the probability of dropping a unit; "
                         f"p = 1 drops every unit and 1/(1-p) is infinite), got {p}")
    return p


def _check_mask(mask, shape, name="mask"):
    m = as_float_array(name, mask, ndim=len(shape))
    if m.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)} (the shape of the layer it masks), got {m.shape}")
    if not np.all((m == 0.0) | (m == 1.0)):
        raise ValueError(f"{name}: expected only 0 (dropped) and 1 (kept), got values such as "
                         f"{float(m[(m != 0.0) & (m != 1.0)][0])}")
    return m


def dropout_mask(shape, p, rng=0):
    r"""A random keep-mask :math:`M_{ij} \sim \text{Bernoulli}(1-p)` of ``shape`` (0/1 floats).

    shape : tuple of whole numbers, e.g. ``(n_samples, n_units)``.
    p : drop probability, ``0 <= p < 1``.
    rng : a seed or a ``numpy.random.Generator`` (``numpy.random.default_rng(rng)``).
    """
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(f"shape: expected a tuple of whole numbers such as (4, 3), got {shape!r}")
    shape = tuple(check_scalar(f"shape[{i}]", n, low=1, integer=True) for i, n in enumerate(shape))
    p = _p_below_one(p)
    gen = np.random.default_rng(check_seed("rng", rng))
    return (gen.random(shape) >= p).astype(float)


def dropout_forward(H, p, rng=None, mask=None, train=True):
    r"""Inverted dropout of a layer ``H``: returns ``(H_out, mask)``.

    H : shape ``(n_samples, n_units)`` (any shape works; the mask has it too).
    p : probability of dropping a unit, ``0 <= p < 1``.
    rng : seed or ``numpy.random.Generator`` to draw the mask from, used when
        ``mask`` is None (give one of the two while training).
    mask : optional fixed 0/1 keep-mask of ``H``'s shape (1 = kept).
    train : False at test time: returns ``(H.copy(), None)``, no mask, no scaling.

    Training: ``H_out = mask * H / (1 - p)``, shape of ``H``.
    """
    H = as_float_array("H", H)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train: expected True or False, got {type(train).__name__}")
    if not train:
        check_scalar("p", p, low=0.0, high=1.0)
        return H.copy(), None
    p = _p_below_one(p)
    if mask is None:
        if rng is None:
            raise ValueError("rng, mask: give a seed/Generator (rng) or a fixed 0/1 mask while training")
        mask = dropout_mask(H.shape, p, rng)
    else:
        mask = _check_mask(mask, H.shape)
    with np.errstate(over="ignore"):  # 1e308 / 0.5 overflows: refused below, naming H and p
        H_out = mask * H / (1.0 - p)
    check_finite_result("H, p", H_out, "mask * H / (1 - p)")
    return H_out, mask


def dropout_backward(dH_out, mask, p):
    r"""The gradient through inverted dropout: ``dH = mask * dH_out / (1 - p)``.

    dH_out : :math:`\partial L/\partial \tilde H`, shape ``(n_samples, n_units)``.
    mask : the 0/1 keep-mask the forward pass used, same shape.
    p : the same drop probability, ``0 <= p < 1``.
    Returns :math:`\partial L/\partial H`, shape of ``dH_out``.
    """
    dH_out = as_float_array("dH_out", dH_out)
    mask = _check_mask(mask, dH_out.shape)
    p = _p_below_one(p)
    with np.errstate(over="ignore"):
        dH = mask * dH_out / (1.0 - p)
    check_finite_result("dH_out, p", dH, "mask * dH_out / (1 - p)")
    return dH


# ----------------------------------------------------------------- exercise check
def diagnose_dropout(name, answer, H, mask, p):
    """Say what KIND of mistake a student's inverted-dropout output (or gradient) has.

    name : what is checked, e.g. ``"H_out"`` or ``"dH"``.
    answer : the student's array (or None / ``...`` if not done yet).
    H : the layer (forward) or the upstream gradient (backward) the student was given.
    mask, p : the keep-mask and drop probability.

    The dropout-specific slips are tested first (no 1/(1-p) scaling; divided by
    p instead of 1-p; multiplied by 1-p; the mask inverted; no mask at all), then
    :func:`mlp_helpers.check.diagnose` names shape, sign, rounding and other mistakes.
    Returns a :class:`mlp_helpers.check.Diagnosis`.
    """
    from .check import Diagnosis, diagnose

    H = as_float_array("H", H)
    mask = _check_mask(mask, H.shape)
    p = _p_below_one(p)
    expected = mask * H / (1.0 - p)
    first = diagnose(name, answer, expected)
    if first.code in ("correct", "missing", "shape"):
        return first
    a = np.asarray(answer, dtype=float)
    slips = (
        ("no_scaling", mask * H,
         "you applied the mask but forgot to divide by 1 - p: yours is (1 - p) times too small, "
         "so the layer's expected value shrinks while training"),
        ("scaled_by_p", mask * H / p if p > 0 else None,
         "you divided by p; inverted dropout divides by 1 - p, the probability of KEEPING a unit"),
        ("times_keep", mask * H * (1.0 - p),
         "you multiplied by 1 - p; inverted dropout divides by it (keep the expected value)"),
        ("mask_inverted", (1.0 - mask) * H / (1.0 - p),
         "your mask is inverted: you kept the units the mask drops (1 = kept, 0 = dropped)"),
        ("no_mask", H / (1.0 - p),
         "you scaled but did not multiply by the mask: no unit was dropped"),
        ("no_dropout", H,
         "yours is the layer unchanged: neither mask nor scaling was applied (that is test-time behaviour)"),
    )
    for code, value, why in slips:
        if value is not None and a.shape == value.shape and np.allclose(a, value, rtol=1e-6, atol=1e-9):
            return Diagnosis(False, code, f"your {name} is wrong: {why}.")
    return first


def check_dropout_functions(forward_fn, backward_fn, seed=2026, cases=3):
    """Grade a student's ``forward_fn(H, p, mask) -> H_out`` and ``backward_fn(dH_out, mask, p) -> dH``.

    Each is called on ``cases`` hidden random inputs (shapes 2..5 x 2..5, p in
    [0.1, 0.6], a mask with at least one 0 and one 1, drawn with
    ``numpy.random.default_rng(seed)``), so a hard-coded answer fails.  A
    returned tuple counts by its first entry.  Prints one line per function and
    returns ``{"forward": Diagnosis, "backward": Diagnosis}`` (the first failing
    case's, else the last case's).
    """
    from .check import Diagnosis

    for name, fn in (("forward_fn", forward_fn), ("backward_fn", backward_fn)):
        if not callable(fn):
            raise TypeError(f"{name}: expected a function, got {type(fn).__name__}")
    cases = check_scalar("cases", cases, low=1, integer=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    results = {}
    for label, fn, what in (("forward", forward_fn, "H_out"), ("backward", backward_fn, "dH")):
        for _ in range(cases):
            shape = tuple(int(k) for k in rng.integers(2, 6, size=2))
            p = float(np.round(rng.uniform(0.1, 0.6), 2))
            mask = (rng.random(shape) >= p).astype(float)
            mask.flat[0], mask.flat[-1] = 1.0, 0.0
            A = np.round(rng.normal(size=shape), 3)
            args = (A.copy(), p, mask.copy()) if label == "forward" else (A.copy(), mask.copy(), p)
            try:
                answer = fn(*args)
            except Exception as exc:  # the student's code failed: say so, do not crash the check
                results[label] = Diagnosis(False, "error", f"your {what} function raised {type(exc).__name__}: {exc}")
                break
            if isinstance(answer, tuple):
                answer = answer[0] if answer else None
            results[label] = diagnose_dropout(what, answer, A, mask, p)
            if not results[label].ok:
                break
        print(f"{label}: {results[label].message}")
    return results
