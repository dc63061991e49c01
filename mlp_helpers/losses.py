r"""Output functions and losses.

Rows are samples: ``Z`` and ``Y`` have shape ``(n_samples, n_out)``, or
``(n_out,)`` for one sample.  (For the column layout pass ``Z.T``, or use
:func:`mlp_helpers.forward` with ``layout="columns"``, which does it for you.)

``reduction`` says how per-sample losses combine over the batch: ``"sum"``
or ``"mean"``.  For a single sample the two agree.

``LOSSES`` maps a loss name to its output function, its exact value from
the logits, and the error at the output :math:`\delta_L = \partial L/\partial z_L`
for one sample.  Every pairing here is *canonical*, so that error is
:math:`\hat y - y` (times 2/n_out for the mean squared error).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validate import as_float_array, check_choice
from .activations import identity, sigmoid

REDUCTIONS = ("sum", "mean")


def softmax(z, axis=-1):
    r"""Row-wise softmax :math:`\hat y_k = e^{z_k} / \sum_j e^{z_j}`.

    Numerically stable: each row's own maximum is subtracted first (seed
    000 subtracted the maximum of the whole array and summed over the whole
    array, which mixes the samples of a batch).

    z : array, shape ``(n_out,)`` or ``(n_samples, n_out)``.
    axis : the class axis; ``-1`` for rows, ``0`` for the column layout.
    Returns an array of ``z``'s shape whose entries along ``axis`` sum to 1.
    """
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    r""":math:`\log \hat y_k = z_k - \log\sum_j e^{z_j}` (log-sum-exp, exact for any finite z).

    z : array, shape ``(n_out,)`` or ``(n_samples, n_out)``; returns the same shape.
    """
    z = np.asarray(z, dtype=float)
    top = np.argmax(z, axis=axis, keepdims=True)
    m = np.take_along_axis(z, top, axis=axis)
    e = np.exp(z - m)
    np.put_along_axis(e, top, 0.0, axis=axis)  # the max's own term e^0 = 1 goes into log1p
    # log sum_j e^{z_j - m} = log(1 + rest), with log1p so a tiny rest (a saturated
    # softmax) is not rounded away: seed 000's loss is log1p(e^{-35.865}) = 2.65e-16.
    return z - m - np.log1p(np.sum(e, axis=axis, keepdims=True))


def _reduce(per_sample, reduction):
    check_choice("reduction", reduction, REDUCTIONS)
    total = float(np.sum(per_sample))
    if reduction == "mean":
        return total / max(np.size(per_sample), 1)
    return total


def _per_sample(values):
    """Sum the last axis: per-sample values, shape ``(n_samples,)`` or ``()``."""
    return np.sum(values, axis=-1)


def _check_pair(y, out, out_name):
    y = as_float_array("y", y, ndim=(1, 2))
    out = as_float_array(out_name, out, ndim=(1, 2), finite=out_name != "y_hat")
    if y.shape != out.shape:
        raise ValueError(
            f"y: expected the shape of {out_name} {out.shape}, got {y.shape} "
            "(targets are one-hot rows; make them with one_hot(labels, n_classes))"
        )
    return y, out


def _clip(y_hat, clip):
    """``y_hat`` clipped to [clip, 1 - clip], or unchanged for ``clip=None``."""
    if clip is None:
        return y_hat
    if isinstance(clip, bool) or not isinstance(clip, (int, float, np.floating)) or not (0 < clip < 0.5):
        raise ValueError(f"clip: expected None or a number in (0, 0.5), got {clip!r}")
    return np.clip(y_hat, clip, 1.0 - clip)


def cross_entropy(y, y_hat, reduction="mean", clip=None):
    r"""Cross-entropy :math:`L = -\sum_k y_k \log \hat y_k` from probabilities.

    y, y_hat : arrays of shape ``(n_out,)`` or ``(n_samples, n_out)``.
    clip : ``None`` (exact: terms with :math:`y_k = 0` count 0, and
        :math:`\hat y_k = 0` where :math:`y_k > 0` gives ``inf``), or a small
        ``epsilon``: :math:`\hat y` is clipped to :math:`[\epsilon, 1-\epsilon]` first,
        as seed 000 does with ``1e-9``.  Then a saturated :math:`\hat y = 1` gives
        :math:`-\log(1 - 10^{-9}) \approx 10^{-9}` instead of the true
        :math:`\approx 2.6\times10^{-16}`: use :func:`cross_entropy_from_logits`.
    Returns a float.
    """
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    y_hat = _clip(y_hat, clip)
    with np.errstate(divide="ignore"):  # log 0 = -inf where y > 0: the loss is inf
        logs = np.log(y_hat, out=np.zeros_like(y_hat), where=y != 0)  # 0 log 0 = 0
    terms = -y * logs
    return _reduce(_per_sample(terms), reduction)


def cross_entropy_from_logits(y, z, reduction="mean"):
    r"""Cross-entropy of ``softmax(z)`` computed exactly from the logits:
    :math:`L = -\sum_k y_k (z_k - \log\sum_j e^{z_j})`.  No clipping, finite for any finite z.

    y, z : arrays of shape ``(n_out,)`` or ``(n_samples, n_out)``.  Returns a float.
    """
    y, z = _check_pair(y, z, "z")
    return _reduce(_per_sample(-y * log_softmax(z)), reduction)


def binary_cross_entropy(y, y_hat, reduction="mean", clip=None):
    r"""Binary cross-entropy :math:`-\sum_k [y_k\log\hat y_k + (1-y_k)\log(1-\hat y_k)]`
    from probabilities (one sigmoid output per column).

    y, y_hat : shape ``(n_out,)`` or ``(n_samples, n_out)``; ``clip`` as in :func:`cross_entropy`.
    """
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    y_hat = _clip(y_hat, clip)
    with np.errstate(divide="ignore"):  # only the terms whose weight y or 1 - y is non-zero
        log_p = np.log(y_hat, out=np.zeros_like(y_hat), where=y != 0)
        log_q = np.log1p(-y_hat, out=np.zeros_like(y_hat), where=y != 1)
    terms = -y * log_p - (1 - y) * log_q
    return _reduce(_per_sample(terms), reduction)


def binary_cross_entropy_from_logits(y, z, reduction="mean"):
    r"""Binary cross-entropy of ``sigmoid(z)`` from the logits:
    :math:`\log(1+e^{z}) - y z`, computed as :math:`\max(z,0) - yz + \log(1+e^{-|z|})`,
    exact for any finite z (no overflow, no cancellation).

    y, z : shape ``(n_out,)`` or ``(n_samples, n_out)``.
    """
    y, z = _check_pair(y, z, "z")
    return _reduce(_per_sample(_bce_logits(y, z)), reduction)


def _bce_logits(y, z):
    """Elementwise log(1 + e^z) - y z without overflow or cancellation."""
    return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))


def mean_squared_error(y, y_hat, reduction="mean"):
    r"""Mean over the outputs of :math:`(y_k - \hat y_k)^2` per sample, then
    ``reduction`` over the batch.  y, y_hat : shape ``(n_out,)`` or ``(n_samples, n_out)``."""
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    return _reduce(np.mean((y - y_hat) ** 2, axis=-1), reduction)


def half_sum_squared_error(y, y_hat, reduction="mean"):
    r"""The textbook :math:`\tfrac12\sum_k (y_k - \hat y_k)^2` per sample, then
    ``reduction`` over the batch (its gradient is :math:`\hat y - y`)."""
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    return _reduce(0.5 * np.sum((y - y_hat) ** 2, axis=-1), reduction)


def softmax_cross_entropy_delta(y, y_hat):
    r"""Combined gradient :math:`\partial L/\partial z = \hat y - y` of
    softmax + cross-entropy for one sample (each row of a batch).

    y, y_hat : shape ``(n_out,)`` or ``(n_samples, n_out)``; returns the same shape.
    """
    y, y_hat = _check_pair(y, y_hat, "y_hat")
    return y_hat - y


class Loss(NamedTuple):
    """One entry of ``LOSSES`` (all arrays rows = samples, shape ``(n, n_out)``).

    output : z -> ŷ, the output function paired with this loss.
    from_logits : (y, z) -> per-sample losses, shape ``(n,)``, computed from z exactly.
    from_output : (y, ŷ, reduction) -> float, the loss from the outputs ŷ (checked).
    per_sample : (y, ŷ) -> per-sample losses ``(n,)`` from the outputs, unchecked and
        cheap (a probability below the smallest float counts as that float): what
        the training loop records for each minibatch.
    delta : (y, ŷ) -> ∂ℓ/∂z per sample, shape ``(n, n_out)``.
    """

    output: Callable
    from_logits: Callable
    from_output: Callable
    per_sample: Callable
    delta: Callable


_TINY = np.finfo(float).tiny


def _log(p):
    return np.log(np.maximum(p, _TINY))


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss(
        output=softmax,
        from_logits=lambda y, z: np.sum(-y * log_softmax(z), axis=-1),
        from_output=cross_entropy,
        per_sample=lambda y, y_hat: -np.sum(y * _log(y_hat), axis=-1),
        delta=lambda y, y_hat: y_hat - y,
    ),
    "binary_cross_entropy": Loss(
        output=sigmoid,
        from_logits=lambda y, z: np.sum(_bce_logits(y, z), axis=-1),
        from_output=binary_cross_entropy,
        per_sample=lambda y, y_hat: -np.sum(y * _log(y_hat) + (1 - y) * _log(1 - y_hat), axis=-1),
        delta=lambda y, y_hat: y_hat - y,
    ),
    "mse": Loss(
        output=identity,
        from_logits=lambda y, z: np.mean((y - z) ** 2, axis=-1),
        from_output=mean_squared_error,
        per_sample=lambda y, y_hat: np.mean((y - y_hat) ** 2, axis=-1),
        delta=lambda y, y_hat: 2.0 * (y_hat - y) / y.shape[-1],
    ),
    "half_sse": Loss(
        output=identity,
        from_logits=lambda y, z: 0.5 * np.sum((y - z) ** 2, axis=-1),
        from_output=half_sum_squared_error,
        per_sample=lambda y, y_hat: 0.5 * np.sum((y - y_hat) ** 2, axis=-1),
        delta=lambda y, y_hat: y_hat - y,
    ),
}


def get_loss(name):
    """Look up ``name`` in ``LOSSES``; the error lists the known names."""
    check_choice("loss", name, LOSSES)
    return LOSSES[name]


def one_hot(labels, n_classes, name="labels"):
    """One-hot rows from integer class labels.

    labels : int array, shape ``(n_samples,)``, each in ``0 .. n_classes-1``.
    name : the argument's name in error messages.
    Returns float array, shape ``(n_samples, n_classes)``.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes: expected a positive whole number, got {n_classes!r}")
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of class indices, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(int)
        else:
            raise TypeError(f"{name}: expected whole-number class indices, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][0]
        raise ValueError(f"{name}: expected values in 0..{n_classes - 1}, got {int(bad)}")
    out = np.zeros((arr.size, n_classes))
    out[np.arange(arr.size), arr.astype(int)] = 1.0
    return out
