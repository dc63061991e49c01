r"""Hidden-layer activations :math:`f` and their derivatives :math:`f'`.

Every function takes an array ``z`` of any shape and returns a new array of
the same shape, element by element.  ``ACTIVATIONS`` maps a name to an
``Activation(f, df)`` pair; :func:`register_activation` adds your own.

Conventions at the kinks (tested):

* ``relu'(0) = 0`` (the derivative of :math:`\max(0, z)` is :math:`1[z > 0]`,
  as in PyTorch and scikit-learn);
* ``leaky_relu'(0) = slope`` (same rule: :math:`1` only for :math:`z > 0`);
* ``relu_plus_sin'(0) = 1[0 > 0] + \cos 0 = 1``.

Every public function checks ``z`` first (real, finite, non-empty numbers:
strings, booleans, complex numbers, NaN and empty arrays are an error naming
``z``) and gives a finite result for every finite ``z``.  ``forward``,
``backward`` and ``train`` get the unchecked kernels (``_relu`` ...) through
:func:`get_activation`, because they have validated their arrays already.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validate import as_float_array

LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    """An activation ``f`` and its derivative ``df``, both ``(z) -> array``."""

    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]


# The kernels: one line per formula, no checks.  get_activation() hands these to
# forward/backward/train, whose inner loop has validated its arrays already.
def _identity(z):
    return np.array(z, dtype=float)


def _identity_prime(z):
    return np.ones_like(z, dtype=float)


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_prime(z):
    return (z > 0).astype(float)


def _leaky_relu(z):
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z):
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def _sigmoid(z):
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_prime(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh(z):
    return np.tanh(z)


def _tanh_prime(z):
    return 1.0 - np.tanh(z) ** 2


def _softplus(z):
    return np.logaddexp(0.0, z)


def _relu_plus_sin(z):
    return np.maximum(z, 0.0) + np.sin(z)


def _relu_plus_sin_prime(z):
    return (z > 0).astype(float) + np.cos(z)


def _z(z):
    """``z`` checked: real, finite, non-empty, any shape (a number is a 0-d array)."""
    return as_float_array("z", z)


# The public functions: ``z`` is checked (real, finite numbers, any shape), then the kernel runs.
# Every one returns a new float array of ``z``'s shape, finite for every finite ``z``.
def identity(z):
    """f(z) = z.  ``z``: any shape; returns the same shape."""
    return _identity(_z(z))


def identity_prime(z):
    """f'(z) = 1."""
    return _identity_prime(_z(z))


def relu(z):
    """f(z) = max(0, z)."""
    return _relu(_z(z))


def relu_prime(z):
    """f'(z) = 1[z > 0]; 0 at z = 0 by convention."""
    return _relu_prime(_z(z))


def leaky_relu(z):
    """f(z) = z for z > 0, 0.01 z otherwise."""
    return _leaky_relu(_z(z))


def leaky_relu_prime(z):
    """f'(z) = 1 for z > 0, 0.01 otherwise (so 0.01 at z = 0)."""
    return _leaky_relu_prime(_z(z))


def sigmoid(z):
    """f(z) = 1 / (1 + e^{-z}), computed without overflow for any finite z."""
    return _sigmoid(_z(z))


def sigmoid_prime(z):
    """f'(z) = σ(z)(1 − σ(z))."""
    return _sigmoid_prime(_z(z))


def tanh(z):
    """f(z) = tanh z."""
    return _tanh(_z(z))


def tanh_prime(z):
    """f'(z) = 1 − tanh² z."""
    return _tanh_prime(_z(z))


def softplus(z):
    """f(z) = log(1 + e^z), computed as logaddexp(0, z) (no overflow)."""
    return _softplus(_z(z))


def softplus_prime(z):
    """f'(z) = σ(z)."""
    return _sigmoid(_z(z))


def relu_plus_sin(z):
    """f(z) = ReLU(z) + sin z, the activation of seed 001."""
    return _relu_plus_sin(_z(z))


def relu_plus_sin_prime(z):
    """f'(z) = 1[z > 0] + cos z."""
    return _relu_plus_sin_prime(_z(z))


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(identity, identity_prime),
    "relu": Activation(relu, relu_prime),
    "leaky_relu": Activation(leaky_relu, leaky_relu_prime),
    "sigmoid": Activation(sigmoid, sigmoid_prime),
    "tanh": Activation(tanh, tanh_prime),
    "softplus": Activation(softplus, softplus_prime),
    "relu_plus_sin": Activation(relu_plus_sin, relu_plus_sin_prime),
}


def register_activation(name, f, df, *, overwrite=False):
    """Add an activation ``f`` with derivative ``df`` under ``name``.

    Both must work element by element: map an array to a new array of the same
    shape whose every entry depends on the same entry of the input only.  A
    probe on a non-square array of distinct values checks this, so a function
    that transposes, reorders, drops or mixes entries (and would mix the
    samples of a batch in :func:`mlp_helpers.forward`) is refused, as is one
    that changes its input or gives non-finite values there.  The gradient check
    (:func:`mlp_helpers.gradient_check`) then tells whether ``df`` is right.
    The new name is also an output function (``output=name``, see ``OUTPUTS``).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    if not (callable(f) and callable(df)):
        raise TypeError(f"f, df: expected two callables, got {type(f).__name__} and {type(df).__name__}")
    if not isinstance(overwrite, (bool, np.bool_)):
        raise TypeError(f"overwrite: expected True or False, got {type(overwrite).__name__} {overwrite!r}")
    if name in ACTIVATIONS and not overwrite:
        raise ValueError(f"name: activation {name!r} exists already; pass overwrite=True to replace it")
    _probe_elementwise("f", f)
    _probe_elementwise("df", df)
    ACTIVATIONS[name] = Activation(f, df)
    return ACTIVATIONS[name]


# Built-in public function -> its unchecked kernel (for the inner loops).
_KERNELS = {
    identity: _identity, identity_prime: _identity_prime, relu: _relu, relu_prime: _relu_prime,
    leaky_relu: _leaky_relu, leaky_relu_prime: _leaky_relu_prime, sigmoid: _sigmoid,
    sigmoid_prime: _sigmoid_prime, tanh: _tanh, tanh_prime: _tanh_prime, softplus: _softplus,
    softplus_prime: _sigmoid, relu_plus_sin: _relu_plus_sin, relu_plus_sin_prime: _relu_plus_sin_prime,
}


# Non-square, distinct values, both signs, no kink at 0: a transpose changes the
# shape, a reordering or a mix of entries changes some value.
_PROBE = np.array([[-1.7, 0.3, 2.2, -0.45], [0.85, -2.6, 1.35, 0.05], [1.9, -0.95, -0.15, 0.6]])


def _probe_elementwise(label, fn):
    """Raise ``ValueError`` unless ``fn`` acts element by element on a probe array."""
    z = _PROBE.copy()
    try:
        with np.errstate(all="ignore"):  # non-finite values are reported below
            whole = np.asarray(fn(z), dtype=float)
    except Exception as exc:  # the user's function failed on the probe
        raise ValueError(f"{label}: raised {type(exc).__name__} ({exc}) on a probe array of shape {z.shape}") from None
    if not np.array_equal(z, _PROBE):
        raise ValueError(f"{label}: changed its input array; expected it to return a new array")
    if whole.shape != z.shape:
        raise ValueError(f"{label}: expected an output of the input's shape {z.shape}, got {whole.shape}")
    if not np.all(np.isfinite(whole)):
        raise ValueError(f"{label}: expected finite values on the probe {z.tolist()}, got {whole.tolist()}")
    try:
        with np.errstate(all="ignore"):  # non-finite values are reported below
            single = np.array([np.asarray(fn(np.array([v])), dtype=float).reshape(-1)[0] for v in z.ravel()]).reshape(z.shape)
    except Exception as exc:
        raise ValueError(f"{label}: raised {type(exc).__name__} ({exc}) on a probe array of shape (1,)") from None
    if not np.allclose(whole, single, rtol=1e-12, atol=1e-12):
        i = tuple(int(j) for j in np.argwhere(~np.isclose(whole, single, rtol=1e-12, atol=1e-12))[0])
        raise ValueError(
            f"{label}: expected an element-wise function (each entry from the same entry of the input); "
            f"on a {z.shape} probe, entry {i} is {float(whole[i])!r} but {label} of that entry alone is {float(single[i])!r}"
        )


def get_activation(name):
    """Look up ``name`` in ``ACTIVATIONS``; the error lists the known names.

    For the built-in functions it returns their unchecked kernels: the
    callers (forward, backward, train) pass arrays they have validated
    already, and the training loop should not check every minibatch twice.
    A registered function is returned as it was registered.
    """
    from ._validate import check_choice

    check_choice("activation", name, ACTIVATIONS)
    act = ACTIVATIONS[name]
    return Activation(_KERNELS.get(act.f, act.f), _KERNELS.get(act.df, act.df))
