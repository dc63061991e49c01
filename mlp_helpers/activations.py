r"""Hidden-layer activations :math:`f` and their derivatives :math:`f'`.

Every function takes an array ``z`` of any shape and returns a new array of
the same shape, element by element.  ``ACTIVATIONS`` maps a name to an
``Activation(f, df)`` pair; :func:`register_activation` adds your own.

Conventions at the kinks (tested):

* ``relu'(0) = 0`` (the derivative of :math:`\max(0, z)` is :math:`1[z > 0]`,
  as in PyTorch and scikit-learn);
* ``leaky_relu'(0) = slope`` (same rule: :math:`1` only for :math:`z > 0`);
* ``relu_plus_sin'(0) = 1[0 > 0] + \cos 0 = 1``.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    """An activation ``f`` and its derivative ``df``, both ``(z) -> array``."""

    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]


def identity(z):
    """f(z) = z.  ``z``: any shape; returns the same shape."""
    return np.array(z, dtype=float)


def identity_prime(z):
    """f'(z) = 1."""
    return np.ones_like(z, dtype=float)


def relu(z):
    """f(z) = max(0, z)."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """f'(z) = 1[z > 0]; 0 at z = 0 by convention."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z):
    """f(z) = z for z > 0, 0.01 z otherwise."""
    return np.where(np.asarray(z) > 0, z, LEAKY_SLOPE * np.asarray(z))


def leaky_relu_prime(z):
    """f'(z) = 1 for z > 0, 0.01 otherwise (so 0.01 at z = 0)."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def sigmoid(z):
    """f(z) = 1 / (1 + e^{-z}), computed without overflow for any finite z."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """f'(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """f(z) = tanh z."""
    return np.tanh(z)


def tanh_prime(z):
    """f'(z) = 1 − tanh² z."""
    return 1.0 - np.tanh(z) ** 2


def softplus(z):
    """f(z) = log(1 + e^z), computed as logaddexp(0, z) (no overflow)."""
    return np.logaddexp(0.0, z)


def softplus_prime(z):
    """f'(z) = σ(z)."""
    return sigmoid(z)


def relu_plus_sin(z):
    """f(z) = ReLU(z) + sin z, the activation of seed 001."""
    return np.maximum(z, 0.0) + np.sin(z)


def relu_plus_sin_prime(z):
    """f'(z) = 1[z > 0] + cos z."""
    return (np.asarray(z) > 0).astype(float) + np.cos(z)


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


def get_activation(name):
    """Look up ``name`` in ``ACTIVATIONS``; the error lists the known names."""
    from ._validate import check_choice

    check_choice("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]
