"""Argument checks shared by every public function.

Every error names the argument and shows what was expected and what was
got, so that a student who passes ``W1`` transposed reads
``W1: expected shape (3, 4), got (4, 3)`` instead of a broadcasting surprise.

The rules (issue 9, "no silent wrong answer, no foreign error"):

* arrays hold real numbers: strings, objects, complex numbers and booleans
  are a ``TypeError`` (``True`` is not silently the number 1);
* arrays are finite and non-empty unless a function says otherwise (``ValueError``);
* numbers are real, finite and in range; whole numbers for counts;
* flags are ``True`` or ``False``, not ``"no"`` or ``1``;
* seeds are what ``numpy.random.default_rng`` accepts;
* parameter dicts have exactly the keys ``W1, b1, ..., WL, bL``.
"""
from __future__ import annotations

import numbers
import re

import numpy as np

_PARAM_KEY = re.compile(r"([Wb])([1-9][0-9]*)\Z")


def _describe(value):
    """A short description of ``value`` for an error message (type, and the value if short)."""
    if isinstance(value, np.ndarray):
        return f"{type(value).__name__} of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def as_float_array(name, value, ndim=None, finite=True, allow_empty=False):
    """Return ``value`` as a new float64 array, checked.

    Parameters
    ----------
    name : str
        The argument's name, used in every message.
    value : array_like
        Real numbers (int or float).  Strings, objects, complex numbers and
        booleans are refused with a ``TypeError``.
    ndim : int or tuple of int, optional
        The allowed numbers of dimensions.
    finite : bool
        Refuse NaN and infinity.
    allow_empty : bool
        Accept an array with no entries (refused by default: an empty batch
        has no loss and no gradient).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__} ({exc})") from None
    if arr.dtype == bool:
        raise TypeError(
            f"{name}: expected an array of numbers, got dtype bool "
            "(True and False are not numbers here; convert on purpose with .astype(float))"
        )
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    with np.errstate(over="ignore"):  # a long double beyond float64 becomes inf, refused below
        arr = np.array(arr, dtype=np.float64)  # always a copy: callers may not mutate ours
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name}: expected a {want} array, got {arr.ndim}-D with shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape} with no entries")
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


def check_range(name, arr, low=None, high=None, what="values"):
    """Raise ``ValueError`` unless every entry of ``arr`` lies in ``[low, high]``."""
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= arr < low
    if high is not None:
        bad |= arr > high
    if np.any(bad):
        i = tuple(int(j) for j in np.argwhere(bad)[0])
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name}: expected {what} in [{lo}, {hi}], got {arr[i]:.6g} at index {i}")


def check_finite_result(names, value, what):
    """Raise ``ValueError`` naming ``names`` if ``value`` (a number or array) is not finite.

    Used where finite arguments can still overflow float64 (squares of 1e200,
    sums of 1e308): the answer is not representable, so say so instead of
    returning ``inf``.
    """
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"{names}: {what} overflows float64 (expected a finite result, got "
            f"{'inf or nan' if np.ndim(value) else value}); the values are too large, scale them down"
        )
    return value


def check_choice(name, value, known):
    """Raise ``ValueError`` unless ``value`` is one of ``known`` (the message lists them)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {sorted(known)}, got {_describe(value)}")
    if value not in known:
        raise ValueError(f"{name}: unknown {name} {value!r}; known: {', '.join(sorted(known))}")
    return value


def check_scalar(name, value, low=None, high=None, low_inclusive=True, integer=False):
    """Return ``value`` as a Python float (or int), checked against a range.

    Booleans, strings, complex numbers and arrays of more than one entry are a
    ``TypeError``; NaN, infinity, a fraction where a whole number is needed and
    values out of range are a ``ValueError``.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array is its entry
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name}: expected a {'whole ' if integer else ''}number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # a Python int beyond float64
        number = float("inf") if value > 0 else float("-inf")
    if not np.isfinite(number):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    if integer:
        if number != int(number):
            raise ValueError(f"{name}: expected a whole number, got {value}")
        value = int(value) if isinstance(value, (numbers.Integral, np.integer)) else int(number)
    else:
        value = number
    if low is not None:
        ok = value >= low if low_inclusive else value > low
        if not ok:
            sign = ">=" if low_inclusive else ">"
            raise ValueError(f"{name}: expected {name} {sign} {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name}: expected {name} <= {high}, got {value}")
    return value


def check_flag(name, value):
    """Return ``value`` as a bool: only ``True`` and ``False`` (or numpy's) are flags.

    ``include_biases="no"`` would be true, and ``1`` is a number: both are a ``TypeError``.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name}: expected True or False, got {_describe(value)}")


def check_seed(name, seed):
    """Check a seed for ``numpy.random.default_rng`` and return it.

    Accepted, as numpy accepts them: ``None`` (fresh entropy), a whole number
    >= 0, a sequence (or array) of whole numbers >= 0, a ``SeedSequence``, a
    ``BitGenerator`` or a ``Generator``.  Floats (even whole ones), booleans
    and strings are a ``TypeError``; negative numbers a ``ValueError``.
    """
    if seed is None or isinstance(seed, (np.random.SeedSequence, np.random.BitGenerator, np.random.Generator)):
        return seed
    want = "a whole number >= 0, a sequence of them, None or a numpy Generator"
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"{name}: expected {want}, got {_describe(seed)}")
    if isinstance(seed, (numbers.Integral, np.integer)):
        if seed < 0:
            raise ValueError(f"{name}: expected {want}, got {seed}")
        return int(seed)
    if isinstance(seed, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(seed)
        except Exception:  # ragged
            raise TypeError(f"{name}: expected {want}, got {_describe(seed)}") from None
        if arr.size == 0:
            return seed
        if arr.dtype == object and all(isinstance(s, (numbers.Integral, np.integer)) and not isinstance(s, bool)
                                       for s in np.ravel(arr)):
            entries = [int(s) for s in np.ravel(arr)]  # Python ints beyond 64 bits
        elif np.issubdtype(arr.dtype, np.integer):
            entries = [int(s) for s in np.ravel(arr)]
        else:
            raise TypeError(f"{name}: expected {want}, got {_describe(seed)}")
        if min(entries) < 0:
            raise ValueError(f"{name}: expected {want}, got the negative entry {min(entries)}")
        return seed
    raise TypeError(f"{name}: expected {want}, got {_describe(seed)}")


def _key_difference(got, expected):
    """'unexpected 'w1'; missing 'W1'': how the keys ``got`` differ from ``expected``."""
    unexpected = [k for k in got if k not in expected]
    missing = [k for k in expected if k not in got]
    return "; ".join(part for part in (
        f"unexpected {', '.join(map(repr, unexpected))}" if unexpected else "",
        f"missing {', '.join(map(repr, missing))}" if missing else "") if part)


def check_param_keys(name, params):
    """Check that ``params`` is a dict with exactly the keys ``W1, b1, ..., WL, bL``; return L.

    A misnamed key such as ``w1`` or ``W_1`` is an error, not a parameter that
    is silently left out of a penalty.
    """
    if not isinstance(params, dict):
        raise TypeError(f"{name}: expected a dict with keys W1, b1, W2, b2, ..., got {_describe(params)}")
    layers = [int(m.group(2)) for k in params if isinstance(k, str) and (m := _PARAM_KEY.match(k)) and m.group(1) == "W"]
    L = max(layers, default=0)
    expected = [f"{p}{l}" for l in range(1, max(L, 1) + 1) for p in "Wb"]
    if set(params) != set(expected):
        raise ValueError(
            f"{name}: expected exactly the keys {', '.join(expected)}, got {', '.join(map(repr, params)) or 'no keys'} "
            f"({_key_difference(params, expected)})"
        )
    return L


def check_array_dict(name, value, like=None, allow_empty_dict=False):
    """Check a dict of real, finite, non-empty arrays; return a new dict of float64 copies.

    like : dict of arrays, optional
        The dict ``value`` must match: the same keys (exactly) and shapes.
        Entries are named ``name['key']`` in messages.
    """
    if not isinstance(value, dict):
        raise TypeError(f"{name}: expected a dict of arrays, got {_describe(value)}")
    if not value and not allow_empty_dict:
        raise ValueError(f"{name}: expected a non-empty dict of arrays, got an empty dict")
    if like is not None and set(value) != set(like):
        raise ValueError(
            f"{name}: expected the keys of params ({', '.join(map(repr, like))}), got "
            f"{', '.join(map(repr, value)) or 'no keys'} ({_key_difference(value, like)})"
        )
    out = {}
    for k, v in value.items():
        label = f"{name}[{k!r}]"
        arr = as_float_array(label, v)
        if like is not None and arr.shape != np.shape(like[k]):
            raise ValueError(f"{label}: expected shape {np.shape(like[k])} (the shape of params[{k!r}]), got {arr.shape}")
        out[k] = arr
    return out
