"""Argument checks shared by every public function.

Every error names the argument and shows what was expected and what was
got, so that a student who passes ``W1`` transposed reads
``W1: expected shape (3, 4), got (4, 3)`` instead of a broadcasting surprise.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_float_array(name, value, ndim=None, finite=True):
    """Return ``value`` as a new float64 array, checked.

    Parameters
    ----------
    name : str
        The argument's name, used in every message.
    value : array_like
        Numbers (bool, int or float); strings, objects and complex are refused.
    ndim : int or tuple of int, optional
        The allowed numbers of dimensions.
    finite : bool
        Refuse NaN and infinity.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__} ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    arr = np.array(arr, dtype=np.float64)  # always a copy: callers may not mutate ours
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name}: expected a {want} array, got {arr.ndim}-D with shape {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name}: expected finite numbers, got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
        )
    return arr


def check_shape(name, arr, expected):
    """Raise ``ValueError`` unless ``arr.shape == expected``."""
    if arr.shape != tuple(expected):
        raise ValueError(f"{name}: expected shape {tuple(expected)}, got {arr.shape}")


def check_choice(name, value, known):
    """Raise ``ValueError`` unless ``value`` is one of ``known`` (the message lists them)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {sorted(known)}, got {value!r}")
    if value not in known:
        raise ValueError(f"{name}: unknown {name} {value!r}; known: {', '.join(sorted(known))}")
    return value


def check_scalar(name, value, low=None, high=None, low_inclusive=True, integer=False):
    """Return ``value`` as a Python float (or int), checked against a range."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        else:
            raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    if integer:
        if float(value) != int(value):
            raise ValueError(f"{name}: expected a whole number, got {value}")
        value = int(value)
    else:
        value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    if low is not None:
        ok = value >= low if low_inclusive else value > low
        if not ok:
            sign = ">=" if low_inclusive else ">"
            raise ValueError(f"{name}: expected {name} {sign} {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name}: expected {name} <= {high}, got {value}")
    return value
