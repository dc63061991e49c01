r"""Self-checks for students: compare your intermediate answer with an answer key.

``diagnose(name, answer, expected)`` says in one sentence what is wrong with
``answer``, in this order of tests:

========================  ==========================================================
code                      meaning
========================  ==========================================================
``"correct"``             equal to ``expected`` within ``rtol``/``atol``
``"shape"``               the shapes differ and it is not a transpose
``"transposed"``          ``answer`` equals ``expected.T`` (and not ``expected``)
``"sign"``                ``answer`` equals ``-expected``
``"factor_2"``            ``answer`` equals ``2 * expected`` (the ½λ confusion)
``"factor_half"``         ``answer`` equals ``expected / 2`` (the ½λ confusion)
``"rounded"``             right to a few decimals but off beyond the tolerance:
                          an intermediate value was rounded too early
``"wrong"``               none of the above
========================  ==========================================================

``check(name, answer, key)`` looks ``name`` up in an answer key (a dict of
arrays, e.g. ``worked_solution(...).key`` or a homework variant's key) and
prints the diagnosis; it returns the :class:`Diagnosis`, which a notebook does
not show a second time when ``check(...)`` is the last line of a cell.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_flag, check_scalar

CODES = ("correct", "shape", "transposed", "sign", "factor_2", "factor_half", "rounded", "wrong")

# A "rounded" answer may be off by up to this many units in its last decimal,
# relative to max(1, |expected|): rounding errors grow a little through the
# products and sums that follow the rounded value.
ROUNDING_UNITS = 3.0
# Without ``decimals``, an answer counts as rounded only if it shows at most
# this many decimals (and at least MIN_DECIMALS, so that a crude guess such as
# 0.3 for 0.2817 is "wrong", not "rounded").
MAX_DECIMALS = 6
MIN_DECIMALS = 2
# ... or agrees to within ROUNDING_UNITS in this decimal (products of rounded values show more decimals).
DEFAULT_DECIMALS = 4


class Diagnosis(NamedTuple):
    """The result of a self-check.

    Attributes
    ----------
    ok : bool
        True only for code ``"correct"``.
    code : str
        One of ``CODES``.
    message : str
        One sentence saying what is wrong (or that it is correct).
    """

    ok: bool
    code: str
    message: str

    def __str__(self):
        return self.message

    def _repr_pretty_(self, p, cycle):  # IPython/Jupyter display: the message only
        p.text(self.message)


class _Printed(Diagnosis):
    """A Diagnosis that :func:`check` has already printed: a notebook shows it only once."""

    __slots__ = ()

    def _ipython_display_(self):  # IPython: displaying it is handled (by the print in check)
        return None


def _close(a, b, rtol, atol):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _shown_decimals(a):
    """The fewest decimals (0..MAX_DECIMALS) that every entry of ``a`` shows, or None."""
    for k in range(MAX_DECIMALS + 1):
        if np.all(np.abs(a - np.round(a, k)) <= 1e-9 * np.maximum(1.0, np.abs(a))):
            return k
    return None


def _fmt(v):
    return f"{v:.6g}"


class UnknownNameError(KeyError, ValueError):
    """``name`` is not in the answer key: both a ``KeyError`` (a failed look-up) and a
    ``ValueError`` (a bad argument value)."""

    def __str__(self):  # the message as written, not KeyError's repr of it
        return str(self.args[0]) if self.args else ""


def diagnose(name, answer, expected, rtol=1e-6, atol=1e-9, decimals=None):
    """Compare ``answer`` with ``expected`` and say what is wrong.

    Parameters
    ----------
    name : str
        What is checked, e.g. ``"delta1"``; used in the message.
    answer : array_like of numbers, any shape
        The student's value.
    expected : array_like of numbers, any shape
        The answer key's value.
    rtol, atol : float >= 0
        Tolerances as in ``numpy.allclose(answer, expected, rtol, atol)``.
    decimals : int, optional
        The number of decimals the student rounded to, if known.  Without it
        the number is read off ``answer`` (at most 6, at least 2 decimals).

    Returns
    -------
    Diagnosis
        ``(ok, code, message)``, code one of ``CODES``.

    Raises
    ------
    TypeError, ValueError
        ``name`` not a string; ``answer`` or ``expected`` not numbers;
        bad ``rtol``, ``atol`` or ``decimals``.
    """
    return _checked_diagnose(name, answer, expected, rtol, atol, decimals, "expected")


def _checked_diagnose(name, answer, expected, rtol, atol, decimals, expected_name):
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str such as 'delta1', got {type(name).__name__}")
    rtol = check_scalar("rtol", rtol, low=0.0)
    atol = check_scalar("atol", atol, low=0.0)
    if decimals is not None:
        decimals = check_scalar("decimals", decimals, low=0, high=15, integer=True)
    a = as_float_array("answer", answer, finite=False)
    e = as_float_array(expected_name, expected)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # 2 * 1e308 is inf: then "not close"
        return _diagnose(name, a, e, rtol, atol, decimals)


def _diagnose(name, a, e, rtol, atol, decimals):
    def result(code, message):
        return Diagnosis(code == "correct", code, message)

    # Shapes first: a value of the wrong shape cannot be compared entry by entry.
    if a.shape != e.shape:
        if e.ndim == 2 and a.shape == e.T.shape and _close(a, e.T, rtol, atol):
            return result("transposed", f"{name} is transposed: it has shape {a.shape} and equals the "
                                        f"transpose of the answer, which has shape {e.shape}; "
                                        "use .T or swap the factors of the product.")
        hint = ""
        if a.size == e.size and _close(a.reshape(e.shape), e, rtol, atol):
            hint = f"; the numbers are right, reshape it with .reshape{e.shape}"
        return result("shape", f"{name} has shape {a.shape} but the answer has shape {e.shape}{hint}.")

    if not np.all(np.isfinite(a)):
        return result("wrong", f"{name} contains NaN or infinity; the answer is finite.")
    if _close(a, e, rtol, atol):
        return result("correct", f"{name} is correct.")
    if e.ndim == 2 and e.shape[0] == e.shape[1] and _close(a, e.T, rtol, atol):
        return result("transposed", f"{name} is transposed: it equals the transpose of the answer; "
                                    "use .T or swap the factors of the product.")
    if _close(a, -e, rtol, atol):
        return result("sign", f"{name} has the wrong sign: it equals minus the answer "
                              "(check y_hat - y versus y - y_hat, and the minus in the update).")
    if _close(a, 2.0 * e, rtol, atol):
        return result("factor_2", f"{name} is off by a factor of 2 (twice the answer): did you use the "
                                  "other lambda convention? lam*sum(w^2) has gradient 2*lam*w, "
                                  "lam/2*sum(w^2) has gradient lam*w.")
    if _close(a, 0.5 * e, rtol, atol):
        return result("factor_half", f"{name} is off by a factor of 2 (half the answer): did you use the "
                                     "1/2 lambda convention? lam*sum(w^2) has gradient 2*lam*w, "
                                     "lam/2*sum(w^2) has gradient lam*w.")

    diff = np.abs(a - e)
    if decimals is not None:
        candidates = [decimals]
    else:  # the decimals the answer shows (a rounded value), then the usual 4 of a hand calculation
        shown = _shown_decimals(a)
        candidates = [k for k in (shown, DEFAULT_DECIMALS) if k is not None and k >= MIN_DECIMALS]
    for k in candidates:
        allowed = ROUNDING_UNITS * 10.0 ** (-k) * np.maximum(1.0, np.abs(e))
        if np.all(diff <= allowed):
            return result("rounded", f"{name} agrees with the answer only to about {k} decimals "
                                     f"(largest difference {float(diff.max()):.1e}): it was rounded too "
                                     "early; keep full precision in the intermediate steps.")
    i = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    where = f" at index {tuple(int(j) for j in i)}" if a.ndim else ""
    got = _fmt(float(a[i])) if diff.size else "?"
    want = _fmt(float(e[i])) if diff.size else "?"
    return result("wrong", f"{name} is wrong: the largest difference is{where}, where you have {got} "
                           f"and the answer is {want}.")


def check(name, answer, key, rtol=1e-6, atol=1e-9, decimals=None, quiet=False):
    """Check ``answer`` against ``key[name]``, print the verdict and return it.

    Parameters
    ----------
    name : str
        A name in ``key``, e.g. ``"delta1"``.
    answer : array_like of numbers
        The student's value.
    key : Mapping[str, array_like]
        The answer key: name -> expected array (any shape).
    rtol, atol, decimals : see :func:`diagnose`.
    quiet : bool
        Do not print the message (the returned Diagnosis still has it).

    Returns
    -------
    Diagnosis

    Raises
    ------
    UnknownNameError (a KeyError and a ValueError)
        ``name`` is not in ``key``; the message lists the known names.
    TypeError
        ``key`` is not a mapping, ``quiet`` not a bool, or see :func:`diagnose`.
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str such as 'delta1', got {type(name).__name__}")
    if not hasattr(key, "keys") or not hasattr(key, "__getitem__"):
        raise TypeError(f"key: expected a dict of arrays (an answer key), got {type(key).__name__}")
    if name not in key:
        known = ", ".join(sorted(map(str, key)))
        raise UnknownNameError(f"name: {name!r} is not in the answer key; known names: {known}")
    quiet = check_flag("quiet", quiet)
    d = _checked_diagnose(name, answer, key[name], rtol, atol, decimals, f"key[{name!r}]")
    if quiet:
        return d
    print(("✓ " if d.ok else "✗ ") + d.message)
    return _Printed(*d)
