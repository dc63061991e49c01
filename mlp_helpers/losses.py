r"""Output functions and losses.

Rows are samples: ``Z`` and ``Y`` have shape ``(n_samples, n_out)``, or
``(n_out,)`` for one sample.  (For the column layout pass ``Z.T``, or use
:func:`mlp_helpers.forward` with ``layout="columns"``, which does it for you.)

``reduction`` says how per-sample losses combine over the batch: ``"sum"``
or ``"mean"``.  For a single sample the two agree.

``LOSSES`` maps a loss name to its natural output function, its exact value
from the logits, the error at the output :math:`\delta_L = \partial L/\partial z_L`
of that natural pair (*canonical*: :math:`\hat y - y`, times 2/n_out for the
mean squared error), and its value and gradient :math:`\partial\ell/\partial\hat y`
from the outputs for any other output function (see :mod:`mlp_helpers.outputs`
for which pairs are defined).  :func:`register_loss` adds your own.

The public functions check their arguments (real, finite, non-empty arrays of
matching shapes; targets and probabilities in [0, 1] where the loss needs
them) and return finite numbers: where the exact answer is infinite (−log 0)
or beyond float64, they raise a ``ValueError`` that says so.  ``LOSSES``
holds the unchecked kernels the training loop calls on validated arrays.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Optional

import numbers

import numpy as np

from ._validate import as_float_array, check_choice, check_finite_result, check_range, check_scalar
from .activations import _identity, _sigmoid

REDUCTIONS = ("sum", "mean")


# ------------------------------------------------------------------ kernels
# Unchecked, for the training loop (the LOSSES table below uses them); the
# public functions check their arguments and then call these.
def _softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(z, axis=-1):
    top = np.argmax(z, axis=axis, keepdims=True)
    m = np.take_along_axis(z, top, axis=axis)
    e = np.exp(z - m)
    np.put_along_axis(e, top, 0.0, axis=axis)  # the max's own term e^0 = 1 goes into log1p
    # log sum_j e^{z_j - m} = log(1 + rest), with log1p so a tiny rest (a saturated
    # softmax) is not rounded away: seed 000's loss is log1p(e^{-35.865}) = 2.65e-16.
    return z - m - np.log1p(np.sum(e, axis=axis, keepdims=True))


def _axis(axis, z):
    """``axis`` checked against ``z``'s dimensions; returns an int."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"axis: expected a whole number (-1 for rows, 0 for the column layout), got {axis!r}")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis: expected an axis of z (shape {z.shape}) in {-z.ndim}..{z.ndim - 1}, got {axis}")
    return int(axis)


# ------------------------------------------------------------- public functions
def softmax(z, axis=-1):
    r"""Row-wise softmax :math:`\hat y_k = e^{z_k} / \sum_j e^{z_j}`.

    Numerically stable: each row's own maximum is subtracted first (seed
    000 subtracted the maximum of the whole array and summed over the whole
    array, which mixes the samples of a batch).

    z : array of real finite numbers, shape ``(n_out,)`` or ``(n_samples, n_out)``.
    axis : the class axis; ``-1`` for rows, ``0`` for the column layout.
    Returns an array of ``z``'s shape whose entries along ``axis`` sum to 1.
    """
    z = as_float_array("z", z, ndim=(1, 2))
    axis = _axis(axis, z)
    with np.errstate(over="ignore", under="ignore"):  # z - max below -1.8e308 is e^{-inf} = 0: right
        return _softmax(z, axis)


def log_softmax(z, axis=-1):
    r""":math:`\log \hat y_k = z_k - \log\sum_j e^{z_j}` (log-sum-exp, exact for any finite z).

    z : array, shape ``(n_out,)`` or ``(n_samples, n_out)``; returns the same shape.
    axis : the class axis, as in :func:`softmax`.
    Raises ``ValueError`` if a value is below the smallest float64 (logits more
    than about 1.8e308 apart), instead of returning ``-inf``.
    """
    z = as_float_array("z", z, ndim=(1, 2))
    axis = _axis(axis, z)
    with np.errstate(over="ignore", under="ignore"):
        out = _log_softmax(z, axis)
    return check_finite_result("z", out, "log_softmax(z)")


def _reduce(per_sample, reduction):
    check_choice("reduction", reduction, REDUCTIONS)
    total = float(np.sum(per_sample))
    if reduction == "mean":
        return total / max(np.size(per_sample), 1)
    return total


def _per_sample(values):
    """Sum the last axis: per-sample values, shape ``(n_samples,)`` or ``()``."""
    return np.sum(values, axis=-1)


def _check_pair(y, out, out_name, probabilities=False, targets_in_01=False):
    """``y`` and ``out`` checked: real, finite, 1-D or 2-D, non-empty, the same shape.

    probabilities : ``out`` must lie in [0, 1] (it is ŷ from softmax or sigmoid).
    targets_in_01 : ``y`` must lie in [0, 1] (one-hot rows, soft labels, 0/1 targets).
    """
    y = as_float_array("y", y, ndim=(1, 2))
    out = as_float_array(out_name, out, ndim=(1, 2))
    if y.shape != out.shape:
        raise ValueError(
            f"y, {out_name}: expected the same shape, got y {y.shape} and {out_name} {out.shape} "
            "(targets are one-hot rows; make them with one_hot(labels, n_classes))"
        )
    if targets_in_01:
        check_range("y", y, 0.0, 1.0, "targets")
    if probabilities:
        check_range(out_name, out, 0.0, 1.0, "probabilities")
    return y, out


def _clip(y_hat, clip):
    """``y_hat`` clipped to [clip, 1 - clip], or unchanged for ``clip=None``."""
    if clip is None:
        return y_hat
    clip = check_scalar("clip", clip)
    if not 0 < clip < 0.5:
        raise ValueError(f"clip: expected None or a number in (0, 0.5), got {clip!r}")
    return np.clip(y_hat, clip, 1.0 - clip)


def _refuse_log_zero(y_hat, weight, what):
    """A probability 0 with a positive weight makes the loss -log 0 = inf: say so."""
    bad = (y_hat == 0) & (weight > 0)
    if np.any(bad):
        i = tuple(int(j) for j in np.argwhere(bad)[0])
        raise ValueError(
            f"y_hat: expected {what} > 0, got 0 at index {i}, which makes the loss -log 0 = inf; "
            "compute the loss from the logits (the *_from_logits functions), or pass clip=1e-12"
        )


def cross_entropy(y, y_hat, reduction="mean", clip=None):
    r"""Cross-entropy :math:`L = -\sum_k y_k \log \hat y_k` from probabilities.

    y : targets in [0, 1] (one-hot rows or soft labels); y_hat : probabilities
        in [0, 1]; both of shape ``(n_out,)`` or ``(n_samples, n_out)``.
    clip : ``None`` (exact: terms with :math:`y_k = 0` count 0; a
        :math:`\hat y_k = 0` where :math:`y_k > 0` would make the loss infinite
        and is a ``ValueError``), or a small ``epsilon``: :math:`\hat y` is
        clipped to :math:`[\epsilon, 1-\epsilon]` first, as seed 000 does with
        ``1e-9``.  Then a saturated :math:`\hat y = 1` gives
        :math:`-\log(1 - 10^{-9}) \approx 10^{-9}` instead of the true
        :math:`\approx 2.6\times10^{-16}`: use :func:`cross_entropy_from_logits`.
    Returns a finite float.
    """
    check_choice("reduction", reduction, REDUCTIONS)
    y, y_hat = _check_pair(y, y_hat, "y_hat", probabilities=True, targets_in_01=True)
    y_hat = _clip(y_hat, clip)
    _refuse_log_zero(y_hat, y, "probabilities y_hat where y > 0")
    logs = np.log(y_hat, out=np.zeros_like(y_hat), where=y != 0)  # 0 log 0 = 0
    terms = -y * logs
    return _reduce(_per_sample(terms), reduction)


def cross_entropy_from_logits(y, z, reduction="mean"):
    r"""Cross-entropy of ``softmax(z)`` computed exactly from the logits:
    :math:`L = -\sum_k y_k (z_k - \log\sum_j e^{z_j})`.  No clipping, finite for any finite z
    (a ``ValueError`` only if the loss itself exceeds the largest float64, about 1.8e308).

    y : targets in [0, 1]; z : real logits; shape ``(n_out,)`` or ``(n_samples, n_out)``.
    Returns a float.
    """
    check_choice("reduction", reduction, REDUCTIONS)
    y, z = _check_pair(y, z, "z", targets_in_01=True)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        log_p = _log_softmax(z)
        terms = np.multiply(-y, log_p, out=np.zeros_like(z), where=y != 0)  # 0 log 0 = 0
        value = _reduce(_per_sample(terms), reduction)
    return check_finite_result("y, z", value, "the cross-entropy")


def binary_cross_entropy(y, y_hat, reduction="mean", clip=None):
    r"""Binary cross-entropy :math:`-\sum_k [y_k\log\hat y_k + (1-y_k)\log(1-\hat y_k)]`
    from probabilities (one sigmoid output per column).

    y : targets in [0, 1]; y_hat : probabilities in [0, 1]; shape ``(n_out,)`` or
    ``(n_samples, n_out)``; ``clip`` as in :func:`cross_entropy` (without it, a
    :math:`\hat y = 0` where :math:`y > 0`, or :math:`\hat y = 1` where :math:`y < 1`,
    is a ``ValueError``: the loss would be infinite).
    """
    check_choice("reduction", reduction, REDUCTIONS)
    y, y_hat = _check_pair(y, y_hat, "y_hat", probabilities=True, targets_in_01=True)
    y_hat = _clip(y_hat, clip)
    _refuse_log_zero(y_hat, y, "probabilities y_hat where y > 0")
    _refuse_log_zero(1.0 - y_hat, 1.0 - y, "1 - y_hat where y < 1 (y_hat = 1 is certain of the wrong class)")
    # only the terms whose weight y or 1 - y is non-zero
    log_p = np.log(y_hat, out=np.zeros_like(y_hat), where=y != 0)
    log_q = np.log1p(-y_hat, out=np.zeros_like(y_hat), where=y != 1)
    terms = -y * log_p - (1 - y) * log_q
    return _reduce(_per_sample(terms), reduction)


def binary_cross_entropy_from_logits(y, z, reduction="mean"):
    r"""Binary cross-entropy of ``sigmoid(z)`` from the logits:
    :math:`\log(1+e^{z}) - y z`, computed as :math:`\max(z,0) - yz + \log(1+e^{-|z|})`,
    exact for any finite z (no overflow, no cancellation).

    y : targets in [0, 1]; z : real logits; shape ``(n_out,)`` or ``(n_samples, n_out)``.
    """
    check_choice("reduction", reduction, REDUCTIONS)
    y, z = _check_pair(y, z, "z", targets_in_01=True)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        value = _reduce(_per_sample(_bce_logits(y, z)), reduction)
    return check_finite_result("y, z", value, "the binary cross-entropy")


def _bce_logits(y, z):
    """Elementwise log(1 + e^z) - y z without overflow or cancellation."""
    return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))


def mean_squared_error(y, y_hat, reduction="mean"):
    r"""Mean over the outputs of :math:`(y_k - \hat y_k)^2` per sample, then
    ``reduction`` over the batch.  y, y_hat : real, shape ``(n_out,)`` or ``(n_samples, n_out)``.
    A ``ValueError`` if the result exceeds the largest float64 (about 1.8e308)."""
    check_choice("reduction", reduction, REDUCTIONS)
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    with np.errstate(over="ignore", invalid="ignore"):
        value = _reduce(np.mean((y - y_hat) ** 2, axis=-1), reduction)
    return check_finite_result("y, y_hat", value, "the mean squared error")


def half_sum_squared_error(y, y_hat, reduction="mean"):
    r"""The textbook :math:`\tfrac12\sum_k (y_k - \hat y_k)^2` per sample, then
    ``reduction`` over the batch (its gradient is :math:`\hat y - y`).
    A ``ValueError`` if the result exceeds the largest float64 (about 1.8e308)."""
    check_choice("reduction", reduction, REDUCTIONS)
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    with np.errstate(over="ignore", invalid="ignore"):
        value = _reduce(0.5 * np.sum((y - y_hat) ** 2, axis=-1), reduction)
    return check_finite_result("y, y_hat", value, "the half sum of squared errors")


def softmax_cross_entropy_delta(y, y_hat):
    r"""Combined gradient :math:`\partial L/\partial z = \hat y - y` of
    softmax + cross-entropy for one sample (each row of a batch).

    y : targets in [0, 1]; y_hat : probabilities in [0, 1]; shape ``(n_out,)``
    or ``(n_samples, n_out)``; returns the same shape.
    """
    y, y_hat = _check_pair(y, y_hat, "y_hat", probabilities=True, targets_in_01=True)
    return y_hat - y


class Loss(NamedTuple):
    """One entry of ``LOSSES`` (all arrays rows = samples, shape ``(n, n_out)``).

    output : z -> ŷ, the loss's natural output function (named ``output_name``).
    from_logits : (y, z) -> per-sample losses, shape ``(n,)``, of the natural
        output computed from z exactly (the fused path).
    from_output : (y, ŷ, reduction) -> float, the loss from the outputs ŷ (checked).
    per_sample : (y, ŷ) -> per-sample losses ``(n,)`` from the outputs, unchecked and
        cheap (a probability below the smallest float counts as that float): what
        the training loop records for each minibatch of a natural pair.
    delta : (y, ŷ) -> ∂ℓ/∂z per sample, shape ``(n, n_out)``, for the natural
        output (fused: ŷ − y); ``None`` for a registered loss.
    output_name : the name in ``OUTPUTS`` of the natural output function.
    value : (y, ŷ) -> per-sample losses ``(n,)`` from any outputs (general path).
    grad : (y, ŷ) -> ∂ℓ/∂ŷ, shape ``(n, n_out)`` (general path).
    domain : ``(low, high)``: the loss is defined for outputs in that closed
        interval only (``(0.0, 1.0)`` for the cross-entropies), or ``None``.
    fused : whether the natural pair takes the exact path ``from_logits``/``delta``.
    targets : ``(low, high)``: the range of valid target values (``(0.0, 1.0)`` for
        the cross-entropies), or ``None`` for any finite targets.
    """

    output: Callable
    from_logits: Optional[Callable]
    from_output: Callable
    per_sample: Callable
    delta: Optional[Callable]
    output_name: str = "identity"
    value: Optional[Callable] = None
    grad: Optional[Callable] = None
    domain: Optional[tuple] = None
    fused: bool = True
    targets: Optional[tuple] = None


_TINY = np.finfo(float).tiny


def _log(p):
    return np.log(np.maximum(p, _TINY))


# The general path (any output function): the loss and dℓ/dŷ from the outputs,
# exact (no clipping).  log 0 where the target weight is 0 counts 0.
def _ce_value(y, y_hat):
    logs = np.log(y_hat, out=np.zeros_like(y_hat), where=y != 0)
    return -np.sum(y * logs, axis=-1)


def _ce_grad(y, y_hat):
    return -np.divide(y, y_hat, out=np.zeros_like(y_hat), where=y != 0)


def _bce_value(y, y_hat):
    log_p = np.log(y_hat, out=np.zeros_like(y_hat), where=y != 0)
    log_q = np.log1p(-y_hat, out=np.zeros_like(y_hat), where=y != 1)
    return -np.sum(y * log_p + (1 - y) * log_q, axis=-1)


def _bce_grad(y, y_hat):
    p = np.divide(y, y_hat, out=np.zeros_like(y_hat), where=y != 0)
    q = np.divide(1 - y, 1 - y_hat, out=np.zeros_like(y_hat), where=y != 1)
    return q - p


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss(
        output=_softmax,
        from_logits=lambda y, z: np.sum(-y * _log_softmax(z), axis=-1),
        from_output=cross_entropy,
        per_sample=lambda y, y_hat: -np.sum(y * _log(y_hat), axis=-1),
        delta=lambda y, y_hat: y_hat - y,
        output_name="softmax",
        value=_ce_value,
        grad=_ce_grad,
        domain=(0.0, 1.0),
        targets=(0.0, 1.0),
    ),
    "binary_cross_entropy": Loss(
        output=_sigmoid,
        from_logits=lambda y, z: np.sum(_bce_logits(y, z), axis=-1),
        from_output=binary_cross_entropy,
        per_sample=lambda y, y_hat: -np.sum(y * _log(y_hat) + (1 - y) * _log(1 - y_hat), axis=-1),
        delta=lambda y, y_hat: y_hat - y,
        output_name="sigmoid",
        value=_bce_value,
        grad=_bce_grad,
        domain=(0.0, 1.0),
        targets=(0.0, 1.0),
    ),
    "mse": Loss(
        output=_identity,
        from_logits=lambda y, z: np.mean((y - z) ** 2, axis=-1),
        from_output=mean_squared_error,
        per_sample=lambda y, y_hat: np.mean((y - y_hat) ** 2, axis=-1),
        delta=lambda y, y_hat: 2.0 * (y_hat - y) / y.shape[-1],
        output_name="identity",
        value=lambda y, y_hat: np.mean((y - y_hat) ** 2, axis=-1),
        grad=lambda y, y_hat: 2.0 * (y_hat - y) / y.shape[-1],
    ),
    "half_sse": Loss(
        output=_identity,
        from_logits=lambda y, z: 0.5 * np.sum((y - z) ** 2, axis=-1),
        from_output=half_sum_squared_error,
        per_sample=lambda y, y_hat: 0.5 * np.sum((y - y_hat) ** 2, axis=-1),
        delta=lambda y, y_hat: y_hat - y,
        output_name="identity",
        value=lambda y, y_hat: 0.5 * np.sum((y - y_hat) ** 2, axis=-1),
        grad=lambda y, y_hat: y_hat - y,
    ),
}


def get_loss(name):
    """Look up ``name`` in ``LOSSES``; the error lists the known names."""
    check_choice("loss", name, LOSSES)
    return LOSSES[name]


# More one-hot entries than this is a mistake (8 GB of float64), not a dataset.
MAX_ONE_HOT_ENTRIES = 10**9


# Non-square, distinct values inside (0, 1) (so a log-loss is defined there).
_Y_PROBE = np.array([[0.0, 1.0], [1.0, 0.0], [0.25, 0.75]])
_YHAT_PROBE = np.array([[0.2, 0.7], [0.45, 0.15], [0.85, 0.35]])


def register_loss(name, value, grad, output="identity", *, domain=None, overwrite=False):
    r"""Add a loss under ``name`` (usable as ``loss=name`` everywhere).

    value : (y, ŷ) -> per-sample losses, shape ``(n,)``, for ``y``, ``ŷ`` of shape ``(n, k)``.
    grad : (y, ŷ) -> :math:`\partial\ell/\partial\hat y` per sample, shape ``(n, k)``.
    output : the name in ``OUTPUTS`` of its natural output function (used for ``output=None``).
    domain : ``None``, or ``(low, high)``: the outputs the loss is defined for
        (checked at every call; ``(0.0, 1.0)`` for a loss of probabilities).
    overwrite : replace an existing loss of that name.

    Backpropagation takes the general chain rule: ``grad`` then the output
    function's derivative.  Probed on a non-square batch of distinct values in
    (0, 1): both must give finite values of the right shapes, not change their
    inputs, and compute each row (sample) on its own.  Whether ``grad`` is the
    derivative of ``value`` is what :func:`mlp_helpers.gradient_check` tells.
    Returns the new ``Loss``.
    """
    from .outputs import get_output

    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    for label, fn in (("value", value), ("grad", grad)):
        if not callable(fn):
            raise TypeError(f"{label}: expected a callable (y, y_hat) -> array, got {type(fn).__name__}")
    out = get_output(output)
    if domain is not None:
        ok = isinstance(domain, (tuple, list)) and len(domain) == 2 and all(
            isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in domain
        )
        if not ok or not domain[0] < domain[1]:
            raise ValueError(f"domain: expected None or a pair of numbers (low, high) with low < high, got {domain!r}")
        domain = (float(domain[0]), float(domain[1]))
    if not isinstance(overwrite, (bool, np.bool_)):
        raise TypeError(f"overwrite: expected True or False, got {type(overwrite).__name__} {overwrite!r}")
    if name in LOSSES and not overwrite:
        raise ValueError(f"name: loss {name!r} exists already; pass overwrite=True to replace it")
    n, k = _Y_PROBE.shape
    for label, fn, want in (("value", value, (n,)), ("grad", grad, (n, k))):
        whole = _probe_call(label, fn, _Y_PROBE, _YHAT_PROBE)
        if whole.shape != want:
            raise ValueError(f"{label}: expected shape {want} for y and y_hat of shape {(n, k)}, got {whole.shape}")
        if not np.all(np.isfinite(whole)):
            raise ValueError(f"{label}: expected finite values on the probe y_hat = {_YHAT_PROBE.tolist()}, got {whole.tolist()}")
        rows = [_probe_call(label, fn, _Y_PROBE[i:i + 1], _YHAT_PROBE[i:i + 1]).reshape(want[1:]) for i in range(n)]
        if not np.allclose(whole, np.stack(rows), rtol=1e-12, atol=1e-12):
            raise ValueError(
                f"{label}: expected each row (sample) to be computed on its own; on {n} samples it gave "
                f"{whole.tolist()}, one sample at a time {np.stack(rows).tolist()}"
            )

    def from_output(y, y_hat, reduction="mean"):
        y, y_hat = _check_pair(y, y_hat, "y_hat")
        y2, yh2 = np.atleast_2d(y), np.atleast_2d(y_hat)
        return _reduce(np.asarray(value(y2, yh2), dtype=float), reduction)

    LOSSES[name] = Loss(
        output=out.f,
        from_logits=None,
        from_output=from_output,
        per_sample=value,
        delta=None,
        output_name=output,
        value=value,
        grad=grad,
        domain=domain,
        fused=False,
    )
    return LOSSES[name]


def _probe_call(label, fn, y, y_hat):
    yc, hc = y.copy(), y_hat.copy()
    try:
        with np.errstate(all="ignore"):  # non-finite values are reported below
            out = np.asarray(fn(yc, hc), dtype=float)
    except Exception as exc:  # the user's function failed on the probe
        raise ValueError(f"{label}: raised {type(exc).__name__} ({exc}) on probe arrays of shape {y.shape}") from None
    if not (np.array_equal(yc, y) and np.array_equal(hc, y_hat)):
        raise ValueError(f"{label}: changed its input arrays; expected it to return a new array")
    return out


def one_hot(labels, n_classes, name="labels"):
    """One-hot rows from integer class labels.

    labels : whole numbers (int, or floats such as 2.0), shape ``(n_samples,)``,
        each in ``0 .. n_classes-1``; not empty.  Booleans are refused
        (``TypeError``): convert them on purpose with ``.astype(int)``.
    n_classes : a whole number >= 1.
    name : the argument's name in error messages.
    Returns float array, shape ``(n_samples, n_classes)``.
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str (the argument's name in messages), got {type(name).__name__}")
    n_classes = check_scalar("n_classes", n_classes, low=1, integer=True)
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"{name}: expected a 1-D array of whole-number class indices, got {type(labels).__name__}")
    try:
        arr = np.asarray(labels)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected a 1-D array of class indices, got {type(labels).__name__} ({exc})") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name}: expected whole-number class indices, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of class indices, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected at least one label, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: expected finite class indices, got {arr[~np.isfinite(arr)][0]}")
        if not np.all(arr == np.round(arr)):
            raise TypeError(f"{name}: expected whole-number class indices, got {arr[arr != np.round(arr)][0]} "
                            f"(dtype {arr.dtype})")
    out_of_range = (arr < 0) | (arr >= n_classes)
    if np.any(out_of_range):  # before any cast: 1e300 must not wrap around to a negative int
        raise ValueError(f"{name}: expected values in 0..{n_classes - 1}, got {arr[out_of_range][0]:g}")
    if arr.size * n_classes > MAX_ONE_HOT_ENTRIES:
        raise ValueError(f"n_classes: expected at most {MAX_ONE_HOT_ENTRIES // arr.size} classes for "
                         f"{arr.size} labels (a one-hot array of at most {MAX_ONE_HOT_ENTRIES} entries), got {n_classes}")
    out = np.zeros((arr.size, n_classes))
    out[np.arange(arr.size), arr.astype(np.int64)] = 1.0
    return out
