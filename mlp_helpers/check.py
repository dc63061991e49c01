r"""Self-checks for students: compare your intermediate answer with an answer key.

``diagnose(name, answer, expected)`` says in one sentence what is wrong with
``answer`` (the student's value, "your ...") compared with ``expected`` (the
key's value, "the expected ..."), in this order of tests:

========================  ==========================================================
code                      meaning
========================  ==========================================================
``"missing"``             no answer yet: ``answer`` is ``None`` or ``...`` (an
                          exercise stub left as it was handed out)
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

``check(name, answer, key)`` looks ``name`` up in an answer key and prints the
diagnosis; it returns the :class:`Diagnosis`, which a notebook does not show a
second time when ``check(...)`` is the last line of a cell.  The key is

* a dict of arrays (e.g. ``worked_solution(...).key``): checked with
  ``rtol=1e-6, atol=1e-9`` unless you pass other tolerances;
* an :class:`AnswerKey`, e.g. ``load_key("key.json")`` for a homework
  variant's key file (or that file's path, or its parsed JSON): it carries the
  rounding rule its numbers follow and the tolerance to grade by.  For the
  ``"hand"`` rule (every intermediate rounded to ``decimals`` places) an
  answer within half a unit of the last decimal is correct, and a larger
  rounding-sized difference means the answer was rounded differently from the
  rule; for the ``"exact"`` rule (full precision, only the written answer
  rounded) the same difference means it was rounded too early.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_flag, check_scalar

CODES = ("correct", "shape", "transposed", "sign", "factor_2", "factor_half", "rounded", "wrong", "missing")
RULES = ("exact", "hand")
KEY_FORMAT = "mlp-helpers answer key 1"

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


def run_exercise_cases(fn_name, cases, diagnose_case, quiet=False):
    """Run a student's function over ``cases`` and report the first mistake (the notebooks' own checks).

    fn_name : the function's name as the student wrote it (e.g. ``"my_step"``), used in messages.
    cases : list of ``(case, where)``; the first is the public example, the rest hidden inputs.
    diagnose_case : ``(case, where) -> (code, message)``, code ``"correct"`` when right.
    A function right on the example but wrong (``wrong``/``shape``/``error``) on a hidden input
    is reported as ``hard_coded``.  Returns a :class:`Diagnosis` and prints its message (unless
    ``quiet``).
    """
    result = ("correct", f"{fn_name} is correct on the example and on all {len(cases) - 1} hidden inputs.")
    for i, (case, where) in enumerate(cases):
        code, message = diagnose_case(case, where)
        if code != "correct":
            if i > 0 and code in ("wrong", "shape", "error") and diagnose_case(cases[0][0], "")[0] == "correct":
                code, message = "hard_coded", (f"{fn_name} is right on the example but not on other inputs: "
                                               f"it must compute from its arguments. {message}")
            result = (code, message if code in ("hard_coded", "error") else f"{fn_name}: {message}")
            break
    d = Diagnosis(result[0] == "correct", *result)
    if quiet:
        return d
    print(("✓ " if d.ok else "✗ ") + d.message)
    return _Printed(*d)


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
    """Compare ``answer`` (yours) with ``expected`` (the key's) and say what is wrong.

    Parameters
    ----------
    name : str
        What is checked, e.g. ``"delta1"``; used in the message.
    answer : array_like of numbers, any shape, or None / ``...``
        The student's value (``None`` or ``...``: not answered yet, code ``"missing"``).
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
        ``(ok, code, message)``, code one of ``CODES``; the message says
        "your <name>" for the answer and "the expected <name>" for the key's value.

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
    missing = answer is None or answer is Ellipsis
    a = None if missing else as_float_array("answer", answer, finite=False)
    e = as_float_array(expected_name, expected)
    rtol = check_scalar("rtol", rtol, low=0.0)
    atol = check_scalar("atol", atol, low=0.0)
    if decimals is not None:
        decimals = check_scalar("decimals", decimals, low=0, high=15, integer=True)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # 2 * 1e308 is inf: then "not close"
        return _diagnose(name, answer, a, e, rtol, atol, decimals, missing)


def _diagnose(name, answer, a, e, rtol, atol, decimals, missing):
    def result(code, message):
        return Diagnosis(code == "correct", code, message)

    yours, theirs = f"your {name}", f"the expected {name}"
    if missing:
        return result("missing", f"{yours} is missing: the answer is still {'None' if answer is None else '...'}; "
                                 "replace it with your computation and run the check again.")
    # Shapes first: a value of the wrong shape cannot be compared entry by entry.
    if a.shape != e.shape:
        if e.ndim == 2 and a.shape == e.T.shape and _close(a, e.T, rtol, atol):
            return result("transposed", f"{yours} is transposed: it has shape {a.shape} and equals the "
                                        f"transpose of {theirs}, which has shape {e.shape} "
                                        "(a product in the wrong order, or a transpose missing or extra).")
        hint = ""
        if a.size == e.size and _close(a.reshape(e.shape), e, rtol, atol):
            hint = "; the numbers are right, only arranged in another shape"
        return result("shape", f"{yours} has shape {a.shape}; {theirs} has shape {e.shape}{hint}.")

    if not np.all(np.isfinite(a)):
        return result("wrong", f"{yours} contains NaN or infinity; {theirs} is finite.")
    if _close(a, e, rtol, atol):
        return result("correct", f"{name} is correct.")
    if e.ndim == 2 and e.shape[0] == e.shape[1] and _close(a, e.T, rtol, atol):
        return result("transposed", f"{yours} is transposed: it equals the transpose of {theirs} "
                                    "(a product in the wrong order, or a transpose missing or extra).")
    if _close(a, -e, rtol, atol):
        return result("sign", f"{yours} has the wrong sign: it equals minus {theirs}.")
    if _close(a, 2.0 * e, rtol, atol):
        return result("factor_2", f"{yours} is off by a factor of 2 (twice {theirs}), the factor between the "
                                  "two lambda conventions of the penalty, lam*sum(w^2) and lam/2*sum(w^2).")
    if _close(a, 0.5 * e, rtol, atol):
        return result("factor_half", f"{yours} is off by a factor of 2 (half {theirs}), the factor between the "
                                     "two lambda conventions of the penalty, lam*sum(w^2) and lam/2*sum(w^2).")

    diff = np.abs(a - e)
    if decimals is not None:
        candidates = [decimals]
    else:  # the decimals the answer shows (a rounded value), then the usual 4 of a hand calculation
        shown = _shown_decimals(a)
        candidates = [k for k in (shown, DEFAULT_DECIMALS) if k is not None and k >= MIN_DECIMALS]
    for k in candidates:
        allowed = ROUNDING_UNITS * 10.0 ** (-k) * np.maximum(1.0, np.abs(e))
        if np.all(diff <= allowed):
            return result("rounded", f"{yours} agrees with {theirs} only to about {k} decimals "
                                     f"(largest difference {float(diff.max()):.1e}): it was rounded too early.")
    i = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    where = f" at index {tuple(int(j) for j in i)}" if a.ndim else ""
    got = _fmt(float(a[i])) if diff.size else "?"
    want = _fmt(float(e[i])) if diff.size else "?"
    return result("wrong", f"{yours} is wrong: the largest difference is{where}, where yours is {got} "
                           f"and the expected value is {want}.")


class AnswerKey(dict):
    """An answer key, name -> array, that knows the rounding rule of its numbers and how to grade by it.

    Attributes
    ----------
    rule : {"exact", "hand"}
        ``"exact"``: full-precision values; ``"hand"``: every intermediate
        rounded to ``decimals`` places and used rounded (the rules of
        :mod:`mlp_helpers.instructor.worked`).
    decimals : int or None
        The precision answers are written with.
    rtol, atol : float
        The tolerance :func:`check` grades by (unless it is given other ones).
    """

    def __init__(self, answers, rule="exact", decimals=None, rtol=None, atol=None):
        super().__init__((str(n), np.asarray(v, dtype=float)) for n, v in dict(answers).items())
        if rule not in RULES:
            raise ValueError(f"rule: expected one of {', '.join(RULES)}, got {rule!r}")
        if rule == "hand" and decimals is None:
            raise ValueError("decimals: the 'hand' rule needs the number of decimals every intermediate is rounded to")
        if decimals is not None:
            decimals = check_scalar("decimals", decimals, low=1, high=15, integer=True)
        half_unit = None if decimals is None else 0.5 * 10.0 ** (-decimals) + 1e-12
        self.rule, self.decimals = rule, decimals
        self.rtol = check_scalar("rtol", rtol, low=0.0) if rtol is not None else (0.0 if half_unit else 1e-6)
        self.atol = check_scalar("atol", atol, low=0.0) if atol is not None else (half_unit or 1e-9)

    @classmethod
    def from_json(cls, data):
        """The key in a parsed ``key.json`` (a dict with ``"answers"`` and ``"rule"``)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("answers"), Mapping):
            raise ValueError("key: expected a key file with an 'answers' table (written by "
                             "python -m mlp_helpers.instructor.homework)")
        rule = data.get("rule", {})
        tol = data.get("tolerance", {})
        return cls(data["answers"], rule=rule.get("name", "exact"), decimals=rule.get("decimals"),
                   rtol=tol.get("rtol"), atol=tol.get("atol"))

    def to_json(self):
        """The JSON-ready dict of this key (``answers``, ``rule``, ``tolerance``); :meth:`from_json` reads it."""
        return {"format": KEY_FORMAT, "rule": {"name": self.rule, "decimals": self.decimals},
                "tolerance": {"rtol": self.rtol, "atol": self.atol},
                "answers": {n: v.tolist() for n, v in sorted(self.items())}}


def load_key(path):
    """Read a homework key file (``key.json``) into an :class:`AnswerKey`.

    ``check(name, value, load_key("key.json"))`` then grades by the file's
    rounding rule.  A plain JSON table ``{name: numbers}`` is read as a full-precision key.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file name such as 'key.json', got {type(path).__name__}")
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"path: no key file {str(p)!r}")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"path: {str(p)!r} is not a JSON key file ({exc})") from None
    if isinstance(data, Mapping) and "answers" in data:
        return AnswerKey.from_json(data)
    if isinstance(data, Mapping):
        return AnswerKey(data)
    raise ValueError(f"path: {str(p)!r} holds a JSON {type(data).__name__}, not a key")


def _as_key(key):
    if isinstance(key, AnswerKey):
        return key
    if isinstance(key, (str, os.PathLike)):
        try:
            return load_key(key)
        except ValueError as exc:  # name the argument the caller passed: key
            raise ValueError(f"key: {exc}") from None
    if not isinstance(key, Mapping):
        raise TypeError(f"key: expected a dict of arrays (an answer key) or a key file's name, got {type(key).__name__}")
    if "answers" in key and isinstance(key["answers"], Mapping):
        return AnswerKey.from_json(key)
    return key


def check(name, answer, key, rtol=None, atol=None, decimals=None, quiet=False):
    """Check ``answer`` against ``key[name]``, print the verdict and return it.

    Parameters
    ----------
    name : str
        A name in ``key``, e.g. ``"delta1"``.
    answer : array_like of numbers
        The student's value.
    key : Mapping[str, array_like], AnswerKey, or a key file's name
        The answer key: name -> expected array (any shape); an
        :class:`AnswerKey` (from :func:`load_key`), a ``key.json`` file name,
        or that file's parsed JSON grade by the key's rounding rule.
    rtol, atol, decimals : see :func:`diagnose`.
        Default: the key's own tolerance (an :class:`AnswerKey`), else
        ``rtol=1e-6, atol=1e-9``.
    quiet : bool
        Do not print the message (the returned Diagnosis still has it).

    Returns
    -------
    Diagnosis

    Raises
    ------
    UnknownNameError (a KeyError and a ValueError)
        ``name`` is not in ``key``; the message lists the known names.
    TypeError, ValueError
        ``key`` is not a mapping or a key file, ``quiet`` not a bool, or see :func:`diagnose`.
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str such as 'delta1', got {type(name).__name__}")
    key = _as_key(key)
    if name not in key:
        known = ", ".join(sorted(map(str, key)))
        raise UnknownNameError(f"name: {name!r} is not in the answer key; known names: {known}")
    quiet = check_flag("quiet", quiet)
    ak = key if isinstance(key, AnswerKey) else None
    rtol = rtol if rtol is not None else (ak.rtol if ak else 1e-6)
    atol = atol if atol is not None else (ak.atol if ak else 1e-9)
    decimals = decimals if decimals is not None else (ak.decimals if ak else None)
    d = _checked_diagnose(name, answer, key[name], rtol, atol, decimals, f"key[{name!r}]")
    if ak is not None and ak.rule == "hand" and d.code == "rounded":
        diff = float(np.max(np.abs(as_float_array("answer", answer) - key[name])))
        d = Diagnosis(False, "rounded", f"your {name} differs from the expected {name} by up to {diff:.1e}, a "
                                        f"rounding difference: the key follows the rounding rule of the problem "
                                        f"(every intermediate rounded to {ak.decimals} decimals and used rounded); "
                                        "round as the rule says.")
    if quiet:
        return d
    print(("✓ " if d.ok else "✗ ") + d.message)
    return _Printed(*d)
