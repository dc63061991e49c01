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

    Both must map an array to an array of the same shape.  A quick check on a
    few points makes sure they do; the gradient check
    (:func:`mlp_helpers.gradient_check`) then tells whether ``df`` is right.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    if not (callable(f) and callable(df)):
        raise TypeError(f"f, df: expected two callables, got {type(f).__name__} and {type(df).__name__}")
    if name in ACTIVATIONS and not overwrite:
        raise ValueError(f"name: activation {name!r} exists already; pass overwrite=True to replace it")
    probe = np.array([[-1.0, 0.5], [0.0, 2.0]])
    for label, fn in (("f", f), ("df", df)):
        out = np.asarray(fn(probe))
        if out.shape != probe.shape:
            raise ValueError(f"{label}: expected an output of the input's shape {probe.shape}, got {out.shape}")
    ACTIVATIONS[name] = Activation(f, df)
    return ACTIVATIONS[name]


# Built-in public function -> its unchecked kernel (for the inner loops).
_KERNELS = {
    identity: _identity, identity_prime: _identity_prime, relu: _relu, relu_prime: _relu_prime,
    leaky_relu: _leaky_relu, leaky_relu_prime: _leaky_relu_prime, sigmoid: _sigmoid,
    sigmoid_prime: _sigmoid_prime, tanh: _tanh, tanh_prime: _tanh_prime, softplus: _softplus,
    softplus_prime: _sigmoid, relu_plus_sin: _relu_plus_sin, relu_plus_sin_prime: _relu_plus_sin_prime,
}


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
