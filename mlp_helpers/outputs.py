r"""Output functions :math:`\hat y = g(z_L)`, chosen apart from the loss.

``OUTPUTS`` maps a name to an ``Output``.  It holds ``identity``, ``sigmoid``,
``tanh`` and ``softmax`` and, live, every name in ``ACTIVATIONS`` (including
activations registered later) as an element-wise output function;
:func:`register_output` adds your own.  Its own entries come first: replacing
the activation ``"tanh"`` (``register_activation(..., overwrite=True)``) leaves
the output ``"tanh"`` as it is.

Backpropagation through the output needs, for the gradient
:math:`g = \partial\ell/\partial\hat y` from the loss, the vector-Jacobian product
:math:`\partial\ell/\partial z = g^\top\,\partial\hat y/\partial z`:

* element-wise :math:`f`: :math:`\partial\ell/\partial z = g \odot f'(z)`;
* softmax (row-wise): :math:`\partial\ell/\partial z = \hat y \odot (g - \sum_k g_k \hat y_k)`.

Which (output, loss) pairs are defined
--------------------------------------
* The *natural* pairs (softmax + ``cross_entropy``, sigmoid +
  ``binary_cross_entropy``, identity + ``mse``/``half_sse``) take the fused,
  exact path: the loss from the logits (log-sum-exp, ``log1p``) and
  :math:`\delta_L = \hat y - y` (times :math:`2/k` for ``mse``).  ``output=None``
  means the loss's natural output.
* ``mse`` and ``half_sse`` are defined for every output function.
* ``cross_entropy`` and ``binary_cross_entropy`` are logarithms of
  probabilities: they are defined for any output function *at outputs in*
  :math:`[0, 1]` where the loss and its gradient are finite.  Softmax and
  sigmoid outputs always qualify (up to float64 saturation); any other output
  (identity, tanh, relu, ...) is checked at every call, and an output outside
  :math:`[0, 1]` raises ``ValueError`` naming ``output``.  So does a saturated
  probability (e.g. :math:`\hat y_k` rounded to 0 where :math:`y_k = 1`): use
  the natural pair, whose fused path is exact there.
* A loss added with :func:`mlp_helpers.register_loss` always takes the general
  path; its ``domain`` (if given) is checked the same way.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, NamedTuple, Optional

import numpy as np

from ._validate import check_choice
from .activations import (
    ACTIVATIONS,
    _identity,
    _identity_prime,
    _probe_elementwise,
    _sigmoid,
    _sigmoid_prime,
    _tanh,
    _tanh_prime,
    get_activation,
)
from .losses import _softmax, get_loss


class Output(NamedTuple):
    r"""One entry of ``OUTPUTS`` (arrays are rows = samples, shape ``(n, k)``).

    f : z -> ŷ, shape ``(n, k)`` -> ``(n, k)``.
    vjp : (z, ŷ, g) -> ∂ℓ/∂z, given g = ∂ℓ/∂ŷ; all shape ``(n, k)``.
    elementwise : whether ŷ_ik depends on z_ik only.
    df : f' for an element-wise output (``None`` otherwise).
    increasing : whether ŷ keeps the order of z within a row (so the arg-max
        of ŷ is the arg-max of z).
    """

    f: Callable
    vjp: Callable
    elementwise: bool
    df: Optional[Callable] = None
    increasing: bool = False


def _elementwise(f, df, increasing=False):
    return Output(f=f, vjp=lambda z, y_hat, g: g * df(z), elementwise=True, df=df, increasing=increasing)


def softmax_vjp(z, y_hat, g):
    r"""Softmax's vector-Jacobian product per row: :math:`\hat y \odot (g - \sum_k g_k\hat y_k)`.

    z, y_hat, g : shape ``(n, k)`` (``z`` is unused: the Jacobian needs only ŷ).
    """
    return y_hat * (g - np.sum(g * y_hat, axis=-1, keepdims=True))


_OWN: dict[str, Output] = {
    # the unchecked kernels: forward/backward/train pass arrays they have validated
    "identity": _elementwise(_identity, _identity_prime, increasing=True),
    "sigmoid": _elementwise(_sigmoid, _sigmoid_prime, increasing=True),
    "tanh": _elementwise(_tanh, _tanh_prime, increasing=True),
    "softmax": Output(f=_softmax, vjp=softmax_vjp, elementwise=False, increasing=True),
}


class _OutputTable(Mapping):
    """``OUTPUTS``: its own entries first, then every activation (live) as an element-wise output."""

    def __getitem__(self, name):
        if name in _OWN:
            return _OWN[name]
        if isinstance(name, str) and name in ACTIVATIONS:
            act = get_activation(name)  # built-ins as their unchecked kernels
            return _elementwise(act.f, act.df)
        raise KeyError(name)

    def __iter__(self):
        yield from _OWN
        yield from (name for name in ACTIVATIONS if name not in _OWN)

    def __len__(self):
        return len(set(_OWN) | set(ACTIVATIONS))

    def __contains__(self, name):
        return isinstance(name, str) and (name in _OWN or name in ACTIVATIONS)

    def __repr__(self):
        return f"OUTPUTS({sorted(self)})"


OUTPUTS = _OutputTable()


def get_output(name):
    """Look up ``name`` in ``OUTPUTS``; the error lists the known names."""
    check_choice("output", name, OUTPUTS)
    return OUTPUTS[name]


def register_output(name, f, df=None, *, vjp=None, overwrite=False):
    r"""Add an output function under ``name`` (usable as ``output=name``).

    Element-wise: give ``f`` and its derivative ``df`` (both ``z -> array`` of
    z's shape).  Row-wise like softmax: give ``f`` (row ``z`` -> row ``ŷ``) and
    ``vjp(z, y_hat, g)`` = :math:`g^\top\,\partial\hat y/\partial z` per row.

    Probed on a non-square array of distinct values: ``f`` (and ``df``) must
    keep the shape, not change their input, give finite values, and act on each
    entry (element-wise) or each row (row-wise) on its own, so a function that
    transposes, reorders, drops or mixes entries is refused.  Whether ``df``/``vjp``
    is the right derivative is what :func:`mlp_helpers.gradient_check` tells.
    Returns the new ``Output``.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    if (df is None) == (vjp is None):
        raise TypeError("df, vjp: expected exactly one of them: df for an element-wise output, vjp for a row-wise one")
    for label, fn in (("f", f), ("df", df), ("vjp", vjp)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{label}: expected a callable, got {type(fn).__name__}")
    if not isinstance(overwrite, (bool, np.bool_)):
        raise TypeError(f"overwrite: expected True or False, got {type(overwrite).__name__} {overwrite!r}")
    if name in OUTPUTS and not overwrite:
        raise ValueError(f"name: output {name!r} exists already; pass overwrite=True to replace it")
    if df is not None:
        _probe_elementwise("f", f)
        _probe_elementwise("df", df)
        entry = _elementwise(f, df)
    else:
        _probe_rowwise(f, vjp)
        entry = Output(f=f, vjp=vjp, elementwise=False)
    _OWN[name] = entry
    return entry


_ROW_PROBE = np.array([[-1.3, 0.4, 2.1, -0.2], [0.7, -2.4, 1.1, 0.05], [1.6, -0.6, -1.9, 0.9]])


def _probe_rowwise(f, vjp):
    """Refuse a row-wise ``f``/``vjp`` that changes shapes or mixes the rows (samples)."""
    z = _ROW_PROBE.copy()
    g = np.linspace(-1.0, 1.0, z.size).reshape(z.shape)
    y_hat = _call("f", f, z)
    grad = _call("vjp", vjp, z, y_hat, g)
    for label, whole, rows in (
        ("f", y_hat, [_call("f", f, z[i:i + 1]) for i in range(z.shape[0])]),
        ("vjp", grad, [_call("vjp", vjp, z[i:i + 1], y_hat[i:i + 1], g[i:i + 1]) for i in range(z.shape[0])]),
    ):
        if whole.shape != z.shape:
            raise ValueError(f"{label}: expected an output of the input's shape {z.shape}, got {whole.shape}")
        if not np.all(np.isfinite(whole)):
            raise ValueError(f"{label}: expected finite values on the probe {z.tolist()}, got {whole.tolist()}")
        stacked = np.concatenate([np.reshape(r, (1, -1)) for r in rows])
        if stacked.shape != z.shape or not np.allclose(whole, stacked, rtol=1e-12, atol=1e-12):
            raise ValueError(
                f"{label}: expected each row (sample) to be computed on its own; applied to a "
                f"{z.shape} array it gave {whole.tolist()}, row by row {stacked.tolist()}"
            )


def _call(label, fn, *args):
    copies = [a.copy() for a in args]
    try:
        with np.errstate(all="ignore"):  # non-finite values are reported below
            out = np.asarray(fn(*args), dtype=float)
    except Exception as exc:  # the user's function failed on the probe
        raise ValueError(f"{label}: raised {type(exc).__name__} ({exc}) on a probe array of shape {args[0].shape}") from None
    if any(not np.array_equal(a, c) for a, c in zip(args, copies)):
        raise ValueError(f"{label}: changed its input array; expected it to return a new array")
    return out


# ------------------------------------------------------------ (output, loss)
class Pair(NamedTuple):
    r"""An output function and a loss, resolved (rows = samples, shape ``(n, k)``).

    loss, output : the names.
    fused : True for a natural pair (exact loss from the logits, δ = ŷ − y).
    g : z -> ŷ.
    loss_rows : (y, z, ŷ) -> per-sample losses ``(n,)``.
    delta_rows : (y, z, ŷ) -> ∂ℓ/∂z per sample, ``(n, k)``.
    """

    loss: str
    output: str
    fused: bool
    g: Callable
    loss_rows: Callable
    delta_rows: Callable
    increasing: bool


def resolve(loss, output=None):
    """The :class:`Pair` for ``loss`` (a name in ``LOSSES``) and ``output``
    (a name in ``OUTPUTS``, or ``None`` for the loss's natural output)."""
    entry = get_loss(loss)
    name = entry.output_name if output is None else output
    out = get_output(name)
    if entry.fused and name == entry.output_name:
        return Pair(loss, name, True, out.f,
                    lambda y, z, y_hat: entry.from_logits(y, z),
                    lambda y, z, y_hat: entry.delta(y, y_hat),
                    out.increasing)

    def loss_rows(y, z, y_hat):
        _check_domain(loss, name, entry.domain, y_hat)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            per = np.asarray(entry.value(y, y_hat), dtype=float)
        _check_result(loss, "value", per, y.shape[:1])
        _check_finite(loss, name, "loss", per, y_hat)
        return per

    def delta_rows(y, z, y_hat):
        _check_domain(loss, name, entry.domain, y_hat)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            dy = np.asarray(entry.grad(y, y_hat), dtype=float)
            _check_result(loss, "grad", dy, y.shape)
            d = np.asarray(out.vjp(z, y_hat, dy), dtype=float)
        _check_result(name, "vjp", d, y.shape, what="output")
        _check_finite(loss, name, "gradient", d, y_hat)
        return d

    return Pair(loss, name, False, out.f, loss_rows, delta_rows, out.increasing)


def _check_domain(loss, output, domain, y_hat):
    if domain is None:
        return
    low, high = domain
    bad = (y_hat < low) | (y_hat > high)
    if np.any(bad):
        i = tuple(int(j) for j in np.argwhere(bad)[0])
        raise ValueError(
            f"output: loss {loss!r} is defined for outputs in [{low}, {high}] (probabilities), "
            f"but output {output!r} gave {float(y_hat[i])!r} at (sample, unit) {i}; use an output "
            f"function with values in [{low}, {high}] (softmax, sigmoid) or a squared-error loss"
        )


def _check_result(name, fn, values, shape, what="loss"):
    """A registered function's result must have the shape it promised (the probe saw one batch size)."""
    if values.shape != tuple(shape):
        raise ValueError(f"{what}: the {fn} of {what} {name!r} returned shape {values.shape}, expected {tuple(shape)}")


def _check_finite(loss, output, what, values, y_hat):
    if not np.all(np.isfinite(values)):
        i = tuple(int(j) for j in np.argwhere(~np.isfinite(values))[0])
        row = i[0] if len(i) else 0
        raise ValueError(
            f"output: the {what} of loss {loss!r} is not finite at output {output!r} = "
            f"{np.asarray(y_hat)[row].tolist()} (sample {row}): outside where the loss is defined, or "
            f"the output saturated in float64 (for a built-in loss use its natural output, "
            f"output=None, whose fused path is exact)"
        )


def predicted_classes(pair, z, y_hat):
    """Class predictions from row-layout logits ``z`` and outputs ``y_hat`` ``(n, k)``.

    One column: 1 where ŷ > 0.5 (for a sigmoid output, z > 0: the same test
    without rounding), else 0.  Several columns: the arg-max of ŷ (of z when the
    output keeps the order of z, which avoids ties of saturated outputs).
    Returns an int array ``(n,)``.
    """
    if z.shape[-1] == 1:
        hit = z[:, 0] > 0 if pair.output == "sigmoid" else y_hat[:, 0] > 0.5
        return hit.astype(int)
    return np.argmax(z if pair.increasing else y_hat, axis=-1)
