"""Property-based fuzzing of every public function (issue 9, item 3).

Hypothesis throws bad input at every name in ``mlp_helpers.__all__`` (read when
the tests run, so a name added later is included) and at the instructor tools
(``worked_solution``, ``make_variant``, ``check``, ``diagnose``).  One argument
is spoiled at a time, the others stay valid, and the outcome must be

* a result that is finite everywhere (numbers, arrays, dicts, tuples of them), or
* a ``ValueError`` or ``TypeError`` whose message names the spoiled argument
  (``name:``, ``name[...]:`` or ``name, other:``; for a dict argument its key,
  e.g. ``W1:``), or for huge finite values any argument of the function;

never another exception, never a warning, never a non-finite result.  For the
categories where the input is certainly wrong (a string for an array, NaN, an
empty batch, a misnamed key, an unknown choice, a fractional count, a bad
seed, an out-of-range number) the call must raise: a result there is a silent
wrong answer.

Every public name needs a row in ``ROWS`` (a builder of valid arguments and
the kind of each argument); a name in ``__all__`` without a row, or an
argument without a kind, fails ``test_every_public_name_has_a_row`` /
``test_every_argument_has_a_kind`` with a message saying what to add.

``python tests/test_fuzz.py --count`` prints the probe table (cases, examples,
categories) without running it; ``--run`` runs every probe outside pytest and
prints how many calls each category made and how they ended.
"""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
import io
import math
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers import check as check_module
from mlp_helpers.instructor import homework, worked

CATEGORIES = {
    "type": "wrong type: str, None, dict, list of str, object/complex/bool arrays, ragged lists, non-callables",
    "ndim": "wrong number of dimensions (0-D to 4-D)",
    "shape": "wrong shape (one axis longer or shorter)",
    "empty": "zero-size arrays, empty lists and dicts",
    "nonfinite": "NaN, +inf or -inf in an array or number (or returned by a callable)",
    "huge": "huge finite values: +-1e200, +-1e300, +-1.8e308 (a result must stay finite or be refused)",
    "range": "numbers out of their range: negative rates, probabilities outside [0, 1], axis out of range",
    "keys": "wrong dict keys: misnamed (w1, W_1), missing, extra, non-string",
    "choice": "unknown choice strings (activation, loss, layout, ...)",
    "count": "non-whole, zero, negative or non-finite counts (epochs, sizes, decimals, ...)",
    "seed": "seeds numpy refuses: negative, fractional, str, bool, NaN, negative entries",
}
EXAMPLES = 8  # hypothesis examples per (function, argument, category) case
SLOW_EXAMPLES = 4  # for the functions that train or write a worked solution
FUZZ_SETTINGS = dict(deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck), print_blob=False)

HUGE = [1e200, -1e200, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308]


# ------------------------------------------------------------------ argument kinds
@dataclass
class Bad:
    """One spoiled value: what to pass, whether the call must raise, and which names
    an error may name besides the spoiled argument (e.g. a dict's key)."""

    value: object
    must_raise: bool
    names: tuple = ()


class Kind:
    """How an argument can be spoiled: ``categories`` it supports, and ``bad``."""

    categories: tuple = ()

    def bad(self, category, valid, data):  # pragma: no cover - abstract
        raise NotImplementedError


def _type_junk(valid=None):
    junk = ["0.5", "", None, {"a": 1}, ["a", "b"], object(), 1j, b"1"]
    if isinstance(valid, np.ndarray) and valid.size:
        junk += [valid.astype(object), valid + 1j, valid > 0, [[1.0], [1.0, 2.0]]]
    return junk


@dataclass
class Arr(Kind):
    """A real array.  ndim: allowed dimensions (None: any); fixed: the axes whose
    length is fixed by the other arguments (None: all); low/high: the valid range."""

    ndim: tuple | None = None
    fixed: tuple | None = None
    low: float | None = None
    high: float | None = None
    optional: bool = False  # None is valid

    @property
    def categories(self):
        cats = ["type", "empty", "nonfinite", "huge"]
        if self.ndim is not None:
            cats.append("ndim")
        if self.fixed is None or self.fixed:
            cats.append("shape")
        if self.low is not None or self.high is not None:
            cats.append("range")
        return tuple(cats)

    def _fill(self):
        lo = -1.0 if self.low is None else self.low
        hi = 1.0 if self.high is None else self.high
        return (lo + hi) / 2

    def bad(self, category, valid, data):
        v = np.asarray(valid, dtype=float)
        ranged = self.low is not None or self.high is not None
        if category == "type":
            junk = [j for j in _type_junk(v) if not (j is None and self.optional)]
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        if category == "ndim":
            options = [d for d in range(5) if d not in self.ndim]
            d = data.draw(st.sampled_from(options), label="ndim")
            shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=d, max_size=d), label="shape"))
            return Bad(np.full(shape, self._fill()), True)
        if category == "shape":
            axes = [a for a in range(v.ndim) if self.fixed is None or a in self.fixed or a - v.ndim in self.fixed]
            if not axes:  # a 0-d or 1-D value whose only axis is free: wrong ndim instead
                return Bad(np.full((1, 1, 1), self._fill()), True)
            axis = data.draw(st.sampled_from(axes), label="axis")
            n = v.shape[axis]
            new = data.draw(st.sampled_from([m for m in (n - 2, n - 1, n + 1, n + 3) if m >= 1]), label="length")
            shape = list(v.shape)
            shape[axis] = new
            return Bad(np.full(shape, self._fill()), True)
        if category == "empty":
            if v.ndim == 0:
                return Bad(np.zeros(0), True)
            axis = data.draw(st.integers(0, v.ndim - 1), label="axis")
            shape = list(v.shape)
            shape[axis] = 0
            return Bad(np.zeros(shape), True)
        if category == "nonfinite":
            w = v.copy()
            bad = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]), label="value")
            if w.ndim == 0:
                return Bad(np.array(bad), True)
            i = data.draw(st.integers(0, w.size - 1), label="index")
            w.flat[i] = bad
            return Bad(w, True)
        if category == "huge":
            w = v.copy().reshape(-1) if v.ndim else v.reshape(1).copy()
            if data.draw(st.booleans(), label="all at the largest float"):
                signs = data.draw(st.lists(st.sampled_from([1.0, -1.0]), min_size=w.size, max_size=w.size), label="signs")
                w[:] = np.array(signs) * np.finfo(float).max
            else:
                picks = data.draw(st.lists(st.sampled_from(HUGE), min_size=1, max_size=w.size), label="huge")
                idx = data.draw(st.permutations(range(w.size)), label="where")[:len(picks)]
                w[list(idx)] = picks
            return Bad(w.reshape(v.shape), ranged)
        if category == "range":
            w = v.copy()
            outside = []
            if self.low is not None:
                outside += [self.low - 1e-3, self.low - 1.0, self.low - 1e6]
            if self.high is not None:
                outside += [self.high + 1e-3, self.high + 1.0, self.high + 1e6]
            value = data.draw(st.sampled_from(outside), label="value")
            if w.ndim == 0:
                return Bad(np.array(value), True)
            w.flat[data.draw(st.integers(0, w.size - 1), label="index")] = value
            return Bad(w, True)
        raise AssertionError(category)


@dataclass
class Scalar(Kind):
    """A real number in [low, high] (``low_open``/``high_open`` exclude the ends)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    optional: bool = False

    @property
    def categories(self):
        cats = ["type", "nonfinite", "huge"]
        if self.low is not None or self.high is not None:
            cats.append("range")
        return tuple(cats)

    def bad(self, category, valid, data):
        if category == "type":
            junk = ["0.1", [0.1], np.array([0.1, 0.2]), 1j, True, np.True_, {}, b"1"]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        if category == "nonfinite":
            return Bad(data.draw(st.sampled_from([math.nan, math.inf, -math.inf, np.float64("nan")]), label="x"), True)
        if category == "huge":
            options = [h for h in HUGE + [10**400] if self._inside(h)]
            if not options:  # nothing huge is valid here: huge is out of range
                return Bad(data.draw(st.sampled_from(HUGE), label="x"), True)
            return Bad(data.draw(st.sampled_from(options), label="x"), False)
        if category == "range":
            outside = []
            if self.low is not None:
                outside += [self.low - 1e-6, self.low - 1.0, -1e300] + ([self.low] if self.low_open else [])
            if self.high is not None:
                outside += [self.high + 1e-6, self.high + 1.0, 1e300] + ([self.high] if self.high_open else [])
            return Bad(data.draw(st.sampled_from([o for o in outside if not self._inside(o)]), label="x"), True)
        raise AssertionError(category)

    def _inside(self, x):
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        if self.high is not None and (x > self.high or (self.high_open and x == self.high)):
            return False
        return True


@dataclass
class Count(Kind):
    """A whole number >= low (and <= high).  Huge counts are valid and slow, so not probed."""

    low: int = 1
    high: int | None = None
    optional: bool = False
    categories: tuple = ("type", "count")

    def bad(self, category, valid, data):
        if category == "type":
            junk = ["3", [3], 3j, True, np.array([2, 3]), {}]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        options = [self.low + 0.5, 2.5, self.low - 1, -1, math.nan, math.inf, -math.inf]
        if self.high is not None:
            options += [self.high + 1]
        return Bad(data.draw(st.sampled_from(options), label="count"), True)


@dataclass
class Flag(Kind):
    categories: tuple = ("type",)

    def bad(self, category, valid, data):
        return Bad(data.draw(st.sampled_from(["no", "yes", "False", 1, 0, None, 1.0, np.array([True]), [True]]),
                             label="flag"), True)


@dataclass
class Choice(Kind):
    """One of the strings ``known()`` (a callable: tables can grow at run time)."""

    known: Callable = tuple
    optional: bool = False
    categories: tuple = ("type", "choice")

    def bad(self, category, valid, data):
        if category == "type":
            junk = [3, 1.5, b"relu", ["relu"], {"relu": 1}, True]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        known = set(self.known())
        text = data.draw(st.one_of(st.sampled_from(["", "Relu", "relu ", "cross-entropy", "row", "L2", "mean "]),
                                   st.text(min_size=1, max_size=8)), label="choice")
        if text in known:
            text = text + "_x"
        return Bad(text, True)


@dataclass
class Seed(Kind):
    categories: tuple = ("seed",)

    def bad(self, category, valid, data):
        return Bad(data.draw(st.sampled_from([-1, -(2**70), 2.5, "7", math.nan, math.inf, True, [1, -2], 1j,
                                              object(), [0.5]]), label="seed"), True)


@dataclass
class Text(Kind):
    """A str argument (a title, a name used in messages); ``optional``: None is valid."""

    nonempty: bool = False
    optional: bool = False
    categories: tuple = ("type",)

    def bad(self, category, valid, data):
        junk = [3, b"x", ["x"], 1.5] + ([] if self.optional else [None]) + ([""] if self.nonempty else [])
        return Bad(data.draw(st.sampled_from(junk), label="junk"), True)


@dataclass
class Fn(Kind):
    """A callable.  ``returns``: spoil what it returns too (numerical_gradient's f)."""

    returns: bool = False
    optional: bool = False  # None is valid

    @property
    def categories(self):
        return ("type", "nonfinite") if self.returns else ("type",)

    def bad(self, category, valid, data):
        if category == "type":
            junk = [3, "f", np.zeros(2), {"f": 1}] + ([] if self.optional else [None])
            if self.returns:
                junk += [lambda p: "1.0", lambda p: None, lambda p: np.array([1.0, 2.0]),
                         lambda p: [1.0], lambda p: 1j, lambda p: True]
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        value = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="value")
        return Bad(lambda p: value, True)


@dataclass
class Domain(Kind):
    """register_loss's ``domain``: None or a pair (low, high) with low < high."""

    categories: tuple = ("type",)

    def bad(self, category, valid, data):
        junk = ["0,1", (1.0,), (1.0, 0.0), (math.nan, 1.0), (0.0, "1"), (True, 2.0), 3.0, [0.0, 1.0, 2.0]]
        return Bad(data.draw(st.sampled_from(junk), label="domain"), True)


def _entry_kind(key, value, keys):
    if keys == "network":
        return Arr(ndim=(2,)) if str(key).startswith("W") else Arr(ndim=(1, 2))
    return Arr(ndim=(np.ndim(value),))


@dataclass
class Params(Kind):
    """A dict of arrays.  keys: "network" (exactly W1, b1, ..., WL, bL), "like" (exactly
    the keys of another dict argument) or "any"; shapes: the entries' shapes matter
    (layers chain, or they match another dict)."""

    keys: str = "network"
    shapes: bool = True
    optional: bool = False

    @property
    def categories(self):
        cats = ["type", "keys", "empty", "nonfinite", "huge"]
        if self.shapes:
            cats += ["shape", "ndim"]
        return tuple(cats)

    def bad(self, category, valid, data):
        if category == "type":
            junk = ["W1", 3.0, [np.ones((2, 2))], list(valid.items()), np.ones(3)]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        keys = list(valid)
        if category == "keys":
            d = dict(valid)
            how = data.draw(st.sampled_from(["rename", "drop", "extra", "empty"]), label="how")
            if how == "empty" or (how == "drop" and len(d) == 1):
                return Bad({}, True)
            k = data.draw(st.sampled_from(keys), label="key")
            if how == "drop":
                del d[k]
            elif how == "extra":
                extra = data.draw(st.sampled_from(["W9", "c1", "W", "bias", 7]), label="extra")
                d[extra] = np.ones((2, 2))
            else:
                new = data.draw(st.sampled_from([k.lower(), k.upper(), k[0] + "_" + k[1:], k + " ",
                                                 k[0] + "0" + k[1:], 1]), label="new")
                if new == k:
                    new = k + "x"
                d = {(new if kk == k else kk): vv for kk, vv in d.items()}
            return Bad(d, self.keys != "any")  # any keys: a renamed, extra or dropped entry is fine
        # spoil one entry as an array
        k = data.draw(st.sampled_from(keys), label="key")
        kind = _entry_kind(k, valid[k], self.keys) if self.shapes else Arr()
        spoiled = kind.bad(category, valid[k], data)
        d = dict(valid)
        d[k] = spoiled.value
        return Bad(d, spoiled.must_raise, (k,))


@dataclass
class Like(Params):
    """A dict with exactly the keys and shapes of another (grads, velocity: like params)."""

    keys: str = "like"
    shapes: bool = True


@dataclass
class Labels(Kind):
    """Integer class labels ``(n,)`` in 0..n_classes-1."""

    n_classes: int = 2
    optional: bool = False
    fixed_length: bool = True  # the number of labels is fixed by another argument (train's X)

    @property
    def categories(self):
        cats = ("type", "ndim", "shape", "empty", "nonfinite", "range", "huge")
        return cats if self.fixed_length else tuple(c for c in cats if c != "shape")

    def bad(self, category, valid, data):
        v = np.asarray(valid)
        if category == "type":
            junk = ["0 1", ["a", "b"], v > 0, v.astype(object), v + 0j, 0.5 + v]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        if category == "ndim":
            return Bad(data.draw(st.sampled_from([np.int64(0), v[:, None], v[None, None, :]]), label="ndim"), True)
        if category == "shape":
            return Bad(data.draw(st.sampled_from([v[:-1], np.concatenate([v, v[:2]])]), label="shape"), True)
        if category == "empty":
            return Bad(np.zeros(0, dtype=int), True)
        if category == "nonfinite":
            w = v.astype(float)
            w[data.draw(st.integers(0, len(w) - 1), label="i")] = data.draw(st.sampled_from([np.nan, np.inf]), label="x")
            return Bad(w, True)
        if category in ("range", "huge"):
            w = v.astype(float) if category == "huge" else v.copy()
            value = data.draw(st.sampled_from([1e300, -1e300, 1.8e308] if category == "huge"
                                              else [-1, self.n_classes, self.n_classes + 5]), label="x")
            w[data.draw(st.integers(0, len(w) - 1), label="i")] = value
            return Bad(w, True)
        raise AssertionError(category)


@dataclass
class Sizes(Kind):
    """Layer sizes ``[n_in, n_1, ..., n_L]`` (init_params).  Huge sizes are valid (and big): not probed."""

    categories: tuple = ("type", "count", "shape", "empty")

    def bad(self, category, valid, data):
        if category == "type":
            return Bad(data.draw(st.sampled_from(["3-4-2", None, 3, {3: 4}, [3, "4", 2], np.array([3.0, 4.0]) + 1j]),
                                 label="junk"), True)
        if category == "count":
            i = data.draw(st.integers(0, len(valid) - 1), label="i")
            value = data.draw(st.sampled_from([0, -1, 2.5, math.nan, math.inf, True]), label="x")
            return Bad([value if j == i else s for j, s in enumerate(valid)], True)
        if category == "shape":
            return Bad(data.draw(st.sampled_from([[3], (4,), [[3, 4], [4, 2]]]), label="shape"), True)
        return Bad([], True)


@dataclass
class Arch(Kind):
    """make_variant's ``arch``: '4-3-2' or a sequence of sizes 1..8."""

    categories: tuple = ("type", "count")

    def bad(self, category, valid, data):
        if category == "type":
            return Bad(data.draw(st.sampled_from([None, 3.5, {}, [4, "x", 2], ["4", "3"], 432, b"4-3-2"]),
                                 label="junk"), True)
        return Bad(data.draw(st.sampled_from(["4-0-2", "4-x-2", "4-9-2", "4-3", "", "4--2", "4-3-2.5", [4, 3.5, 2],
                                              [4, -3, 2], "4-3-2-", (4, 3)]), label="arch"), True)


@dataclass
class Axis(Kind):
    categories: tuple = ("type", "range")

    def bad(self, category, valid, data):
        if category == "type":
            return Bad(data.draw(st.sampled_from(["0", None, 1.0, True, [0], (0, 1)]), label="junk"), True)
        return Bad(data.draw(st.sampled_from([2, -3, 5, -100]), label="axis"), True)


@dataclass
class Cache(Kind):
    """backward's cache: the dict forward returns."""

    categories: tuple = ("type", "keys", "shape", "empty", "nonfinite")

    def bad(self, category, valid, data):
        if category == "type":
            return Bad(data.draw(st.sampled_from([None, "cache", [1, 2], list(valid.values())]), label="junk"), True)
        d = dict(valid)
        if category == "keys":
            k = data.draw(st.sampled_from([k for k in d if k != "Yhat"]), label="key")
            how = data.draw(st.sampled_from(["drop", "rename"]), label="how")
            v = d.pop(k)
            if how == "rename":
                d[k.lower()] = v
            return Bad(d, True)
        k = data.draw(st.sampled_from([k for k in d if k[0] in "XZ"]), label="key")
        kind = Arr(ndim=(1, 2))
        spoiled = kind.bad(category, d[k], data)
        d[k] = spoiled.value
        return Bad(d, True, (f"cache['{k}']",))


@dataclass
class AnswerKey(Kind):
    """check's answer key: a mapping name -> array."""

    categories: tuple = ("type", "keys", "nonfinite", "empty")

    def bad(self, category, valid, data):
        if category == "type":
            return Bad(data.draw(st.sampled_from([None, "key", [1, 2], 3.0]), label="junk"), True)
        if category == "keys":
            return Bad({k + "x": v for k, v in valid.items()}, True)
        d = dict(valid)
        k = next(iter(d))
        d[k] = Arr().bad(category, d[k], data).value
        return Bad(d, True, (f"key['{k}']",))


@dataclass
class Options(Kind):
    """A ``**options`` argument: an unknown option name must be refused.  ``exclude``: the
    function's own arguments among the probe names (run_optimizer's ``lr`` is no option)."""

    exclude: tuple = ()
    categories: tuple = ("keys",)

    def bad(self, category, valid, data):
        names = [n for n in ("activaton", "lr", "Loss", "penalty") if n not in self.exclude]
        return Bad({data.draw(st.sampled_from(names), label="opt"): "relu"}, True)


@dataclass
class State(Kind):
    """An optimizer's ``state``: None, or ``{name: dict like params}`` for each of ``names``;
    the entries of ``nonnegative`` (running means of g**2) must be >= 0."""

    names: tuple = ()
    nonnegative: tuple = ()
    optional: bool = True

    @property
    def categories(self):
        cats = ("type", "keys", "empty", "nonfinite", "huge", "shape", "ndim")
        return cats + (("range",) if self.nonnegative else ())

    def bad(self, category, valid, data):
        if category == "type":
            junk = ["velocity", 3.0, [np.ones(2)], list(valid.items()), np.ones(3), {n: 3.0 for n in valid},
                    {n: list(v.values()) for n, v in valid.items()}]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        if category == "range":
            n = data.draw(st.sampled_from(self.nonnegative), label="name")
            k = data.draw(st.sampled_from(list(valid[n])), label="key")
            spoiled = Arr(low=0.0).bad("range", valid[n][k], data)
            return Bad({**valid, n: {**valid[n], k: spoiled.value}}, True, (n, k))
        if category == "keys" and data.draw(st.booleans(), label="outer keys"):
            d = dict(valid)
            how = data.draw(st.sampled_from(["rename", "drop", "extra"]), label="how")
            n = data.draw(st.sampled_from(list(d)), label="name")
            if how == "drop":
                del d[n]
            elif how == "extra":
                d["extra"] = d[n]
            else:
                d[n.upper() if n.upper() != n else n + "x"] = d.pop(n)
            return Bad(d, True)
        n = data.draw(st.sampled_from(list(valid)), label="name")
        spoiled = Like().bad(category, valid[n], data)
        return Bad({**valid, n: spoiled.value}, spoiled.must_raise, (n, *spoiled.names))


@dataclass
class Masks(Kind):
    """A list of 0/1 keep-masks, one per hidden layer (together_gradients); ``optional``: None is valid."""

    optional: bool = True
    categories: tuple = ("type", "shape", "empty", "nonfinite", "range")

    def bad(self, category, valid, data):
        if category == "type":
            junk = ["mask", 3.0, valid[0], [None], [valid[0].astype(object)], [valid[0] > 0], {"0": valid[0]}]
            if not self.optional:
                junk.append(None)
            return Bad(data.draw(st.sampled_from(junk), label="junk"), True)
        if category == "empty" and data.draw(st.booleans(), label="no masks"):
            return Bad([], True)
        spoiled = Arr(ndim=(2,), low=0.0, high=1.0).bad(category, valid[0], data)
        return Bad([spoiled.value, *valid[1:]], True, ("masks[0]",))


@dataclass
class Parents(Kind):
    """Value's ``parents``: a sequence of Value nodes (as many as ``local`` has entries)."""

    categories: tuple = ("type",)

    def bad(self, category, valid, data):
        return Bad(data.draw(st.sampled_from([None, 3, 1.5, "ab", [1.0, 2.0], (mh.Value(1.0),), [mh.Value(1.0), None],
                                              {"a": 1}, object()]), label="parents"), True)


# ------------------------------------------------------------------ fixtures
def _net(sizes=(3, 4, 2), seed=0, layout="rows"):
    rng = np.random.default_rng(seed)
    params = {}
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W = rng.normal(0.0, 0.7, size=(a, b))
        params[f"W{l}"] = W if layout == "rows" else W.T.copy()
        params[f"b{l}"] = rng.normal(0.0, 0.1, size=b)
    return params


def _xy(n=4, n_in=3, n_out=2, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    labels = np.arange(n) % n_out
    return X, labels, np.eye(n_out)[labels]


def _probs(n=3, k=4, seed=2):
    z = np.random.default_rng(seed).normal(size=(n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _z(shape=(3, 4), seed=3):
    return np.random.default_rng(seed).normal(size=shape) * 2


def _act_names():
    return tuple(mh.ACTIVATIONS)


def _loss_names():
    return tuple(mh.LOSSES)


def _penalty_names():
    return tuple(mh.PENALTIES)


LAYOUT = Choice(lambda: ("rows", "columns"))
REDUCTION = Choice(lambda: ("sum", "mean"))


# ------------------------------------------------------------------ rows
@dataclass
class Row:
    """A public function: ``build()`` returns valid keyword arguments; ``kinds`` says
    how each can be spoiled; ``alias`` lists other names an error about an
    argument may use (a mismatch between two dicts names either)."""

    fn: Callable | str  # a str: the name in mlp_helpers, looked up when used (names other branches add)
    build: Callable
    kinds: dict
    alias: dict = field(default_factory=dict)
    examples: int = EXAMPLES
    restore: Callable | None = None  # state to put back after each call (registries)


@dataclass
class NotFuzzed:
    """A public name that is not a function to fuzz, and why."""

    reason: str


def _elementwise(fn):
    return Row(fn, lambda: {"z": _z()}, {"z": Arr(fixed=())})


def _network_options(loss=True, reduction=False, penalty=False):
    kinds = {"activation": Choice(_act_names), "layout": LAYOUT}
    if loss:
        kinds["loss"] = Choice(_loss_names)
    if reduction:
        kinds["reduction"] = REDUCTION
    if penalty:
        kinds.update(lam=Scalar(low=0.0), penalty_kind=Choice(_penalty_names), include_biases=Flag())
    return kinds


def _forward_args():
    X, labels, Y = _xy()
    return {"params": _net(), "X": X}


def _backward_args():
    X, labels, Y = _xy()
    params = _net()
    return {"params": params, "cache": mh.forward(params, X), "Y": Y}


def _loss_value_args():
    X, labels, Y = _xy()
    return {"params": _net(), "X": X, "Y": Y}


def _train_args():
    X, labels, Y = _xy(n=6)
    Xv, lv, _ = _xy(n=4, seed=5)
    return {"params": _net(), "X": X, "labels": labels, "epochs": 2, "batch_size": 4, "X_val": Xv, "labels_val": lv}


def _grads():
    p = _net()
    return {k: np.random.default_rng(9).normal(size=v.shape) for k, v in p.items()}


def _bounded(p):
    """A smooth function of every entry, finite for any finite params (sin and cos are bounded)."""
    return float(sum(np.sum(np.sin(v) + 0.5 * np.cos(v)) for v in p.values()))


def _registry_restore(table_name):
    def restore(snapshot=None):
        table = getattr(mh, table_name)
        if snapshot is None:
            return dict(table)
        table.clear()
        table.update(snapshot)
    return restore


def _outputs_restore(snapshot=None):
    from mlp_helpers import outputs

    if snapshot is None:
        return dict(outputs._OWN)
    outputs._OWN.clear()
    outputs._OWN.update(snapshot)


def _worked_args():
    return {"params": _net((2, 2, 2), seed=4, layout="columns"), "x": np.array([0.5, -1.0]),
            "y": np.array([1.0, 0.0]), "lr": 0.1}


def _check_key():
    return {"delta1": np.array([0.25, -0.5]), "dW1": np.array([[0.1, 0.2], [0.3, 0.4]])}


def _rows():
    """name -> Row or NotFuzzed.  Rows for names that other branches add are here
    already; they are skipped until the name is in ``__all__``."""
    rows = {}
    for name in ("identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "relu_plus_sin"):
        rows[name] = _elementwise(getattr(mh, name))
    rows["Activation"] = NotFuzzed("a NamedTuple type: building one computes nothing; register_activation checks its f and df")
    rows["ACTIVATIONS"] = NotFuzzed("a table: every built-in entry's f and df are fuzzed as 'ACTIVATIONS[name].f/df' rows")
    rows["LOSSES"] = NotFuzzed("a table of the training loop's unchecked kernels; its checked faces are the public loss functions")
    rows["PENALTIES"] = NotFuzzed("a table of the training loop's unchecked kernels; its checked faces are penalty and penalty_gradients")
    rows["OUTPUTS"] = NotFuzzed("a table; its functions are fuzzed through forward/backward's output=")
    rows["register_activation"] = Row(
        mh.register_activation,
        lambda: {"name": "fuzz_activation", "f": np.tanh, "df": lambda z: 1 - np.tanh(z) ** 2},
        {"name": Text(nonempty=True), "f": Fn(), "df": Fn(), "overwrite": Flag()},
        restore=_registry_restore("ACTIVATIONS"))
    rows["register_loss"] = Row(
        mh.register_loss,
        lambda: {"name": "fuzz_loss", "value": lambda y, y_hat: 0.5 * np.sum((y - y_hat) ** 2, axis=-1),
                 "grad": lambda y, y_hat: y_hat - y},
        {"name": Text(nonempty=True), "value": Fn(), "grad": Fn(), "output": Choice(lambda: tuple(mh.OUTPUTS)),
         "domain": Domain(), "overwrite": Flag()},
        restore=_registry_restore("LOSSES"))
    rows["register_output"] = Row(
        mh.register_output,
        lambda: {"name": "fuzz_output", "f": np.tanh, "df": lambda z: 1 - np.tanh(z) ** 2},
        {"name": Text(nonempty=True), "f": Fn(), "df": Fn(optional=True), "vjp": Fn(optional=True),
         "overwrite": Flag()},
        restore=_outputs_restore)
    rows["Loss"] = NotFuzzed("a NamedTuple type: building one computes nothing; register_loss checks its functions")
    rows["Output"] = NotFuzzed("a NamedTuple type: building one computes nothing; register_output checks its functions")

    rows["softmax"] = Row(mh.softmax, lambda: {"z": _z()}, {"z": Arr(ndim=(1, 2), fixed=()), "axis": Axis()})
    rows["log_softmax"] = Row(mh.log_softmax, lambda: {"z": _z()}, {"z": Arr(ndim=(1, 2), fixed=()), "axis": Axis()})
    pair = dict(ndim=(1, 2), fixed=None)
    for name, out, prob in (("cross_entropy", "y_hat", True), ("cross_entropy_from_logits", "z", False),
                            ("binary_cross_entropy", "y_hat", True), ("binary_cross_entropy_from_logits", "z", False),
                            ("mean_squared_error", "y_hat", False), ("half_sum_squared_error", "y_hat", False),
                            ("softmax_cross_entropy_delta", "y_hat", True)):
        binary = name.startswith("binary")
        in01 = "squared" not in name

        def build(out=out, prob=prob, binary=binary):
            y = (_z() > 0).astype(float) if binary else np.eye(4)[[0, 3, 1]]
            if prob:
                o = 1 / (1 + np.exp(-_z())) if binary else _probs()
            else:
                o = _z()
            return {"y": y, out: o}

        kinds = {"y": Arr(**pair, low=0.0, high=1.0) if in01 else Arr(**pair),
                 out: Arr(**pair, low=0.0, high=1.0) if prob else Arr(**pair)}
        if name != "softmax_cross_entropy_delta":
            kinds["reduction"] = REDUCTION
        if name in ("cross_entropy", "binary_cross_entropy"):
            kinds["clip"] = Scalar(low=0.0, high=0.5, low_open=True, high_open=True, optional=True)
        rows[name] = Row(getattr(mh, name), build, kinds)
    rows["one_hot"] = Row(mh.one_hot, lambda: {"labels": np.array([0, 2, 1, 2]), "n_classes": 3},
                          {"labels": Labels(n_classes=3, fixed_length=False), "n_classes": Count(low=1), "name": Text()})

    for name in ("penalty", "penalty_gradients"):
        rows[name] = Row(getattr(mh, name), lambda: {"params": _net(), "lam": 0.01},
                         {"params": Params(shapes=False), "lam": Scalar(low=0.0),
                          "kind": Choice(_penalty_names), "include_biases": Flag()})

    # a first-layer W1 of the wrong width is found as a mismatch with X: either may be named
    rows["forward"] = Row(mh.forward, _forward_args,
                          {"params": Params(), "X": Arr(ndim=(1, 2), fixed=(1,)), **_network_options()},
                          alias={"params": ("X",)})
    rows["predict"] = Row(mh.predict, _forward_args,
                          {"params": Params(), "X": Arr(ndim=(1, 2), fixed=(1,)), **_network_options()},
                          alias={"params": ("X",)})
    rows["backward"] = Row(mh.backward, _backward_args,
                           {"params": Params(), "cache": Cache(), "Y": Arr(ndim=(1, 2)),
                            **_network_options(reduction=True, penalty=True)},
                           alias={"params": ("cache",), "cache": ("params",)})
    rows["loss_value"] = Row(mh.loss_value, _loss_value_args,
                             {"params": Params(), "X": Arr(ndim=(1, 2), fixed=(1,)), "Y": Arr(ndim=(1, 2)),
                              **_network_options(reduction=True, penalty=True)},
                             alias={"params": ("X", "Y")})
    rows["init_params"] = Row(mh.init_params, lambda: {"sizes": [3, 4, 2]},
                              {"sizes": Sizes(), "seed": Seed(), "layout": LAYOUT,
                               "scale": Choice(lambda: ("he", "xavier"))})
    rows["sgd_step"] = Row(mh.sgd_step, lambda: {"params": _net(), "grads": _grads(), "lr": 0.1},
                           {"params": Params(keys="like"), "grads": Like(), "lr": Scalar(low=0.0, low_open=True)},
                           alias={"params": ("grads",), "grads": ("params",)})
    rows["momentum_step"] = Row(
        mh.momentum_step, lambda: {"params": _net(), "grads": _grads(), "velocity": _grads(), "lr": 0.1},
        {"params": Params(keys="like"), "grads": Like(), "velocity": Like(optional=True),
         "lr": Scalar(low=0.0, low_open=True), "momentum": Scalar(low=0.0, high=1.0, high_open=True)},
        alias={"params": ("grads", "velocity"), "grads": ("params",), "velocity": ("params",)})
    rows["train"] = Row(
        mh.train, _train_args,
        {"params": Params(), "X": Arr(ndim=(1, 2), fixed=(1,)), "labels": Labels(n_classes=2),
         "epochs": Count(low=0), "lr": Scalar(low=0.0, low_open=True), "batch_size": Count(low=1),
         **_network_options(penalty=True), "momentum": Scalar(low=0.0, high=1.0, high_open=True), "seed": Seed(),
         "X_val": Arr(ndim=(1, 2), fixed=(1,), optional=True), "labels_val": Labels(n_classes=2, optional=True),
         "record": Choice(lambda: ("running", "full"), optional=True)},
        alias={"params": ("X", "X_val"), "X": ("labels",), "X_val": ("labels_val",)}, examples=SLOW_EXAMPLES)
    del rows["train"].kinds["include_biases"]
    mask01 = lambda: (np.arange(12).reshape(3, 4) % 3 != 0).astype(float)  # noqa: E731 (0/1, shape of _z())
    rows["dropout_forward"] = Row(mh.dropout_forward, lambda: {"H": _z(), "p": 0.3, "rng": 0},
                                  {"H": Arr(fixed=()), "p": Scalar(low=0.0, high=1.0, high_open=True), "rng": Seed(),
                                   "mask": Arr(low=0.0, high=1.0, optional=True), "train": Flag()},
                                  alias={"H": ("mask",)})
    rows["dropout_backward"] = Row(mh.dropout_backward, lambda: {"dH_out": _z(), "mask": mask01(), "p": 0.3},
                                   {"dH_out": Arr(), "mask": Arr(low=0.0, high=1.0),
                                    "p": Scalar(low=0.0, high=1.0, high_open=True)},
                                   alias={"dH_out": ("mask",)})
    rows["numerical_gradient"] = Row(
        mh.numerical_gradient, lambda: {"f": _bounded, "params": {"W1": np.ones((2, 2)), "b1": np.zeros(2)}},
        {"f": Fn(returns=True), "params": Params(keys="any", shapes=False), "eps": Scalar(low=0.0, low_open=True)},
        alias={"params": ("f",)})
    rows["relative_error"] = Row(mh.relative_error, lambda: {"a": _z(), "b": _z(seed=4)},
                                 {"a": Arr(), "b": Arr(), "floor": Scalar(low=0.0, low_open=True)})
    rows["gradient_check"] = Row(
        mh.gradient_check, _loss_value_args,
        {"params": Params(), "X": Arr(ndim=(1, 2), fixed=(1,)), "Y": Arr(ndim=(1, 2)),
         "eps": Scalar(low=0.0, low_open=True), "options": Options()},
        alias={"params": ("X", "Y")}, examples=SLOW_EXAMPLES)
    rows["layer_gradients"] = Row(  # notebook 06: dW = H^T Delta / B, db = sum of rows / B
        "layer_gradients", lambda: {"H": _z(), "Delta": _z(seed=4)[:, :2]},
        {"H": Arr(ndim=(2,), fixed=(0,)), "Delta": Arr(ndim=(2,), fixed=(0,))},
        alias={"H": ("Delta",), "Delta": ("H",)})

    # optimizers (notebook 07): state is None or {name: dict like params}
    def opt_args(names=(), **extra):
        def build():
            state = {n: {k: np.abs(v) for k, v in _grads().items()} for n in names} if names else None
            return {"params": _net(), "grads": _grads(), "state": state, "lr": 0.1, **extra}
        return build

    opt_alias = {"params": ("grads", "state"), "grads": ("params",), "state": ("params",)}
    opt_kinds = {"params": Params(keys="like"), "grads": Like(), "lr": Scalar(low=0.0, low_open=True)}
    rate = Scalar(low=0.0, high=1.0, high_open=True)
    positive = Scalar(low=0.0, low_open=True)
    rows["OPTIMIZERS"] = NotFuzzed("a table of unchecked kernels; they are fuzzed through the *_step functions "
                                   "and run_optimizer")
    rows["momentum_velocity_step"] = Row(
        "momentum_velocity_step", opt_args(("velocity",)),
        {**opt_kinds, "state": State(("velocity",)), "momentum": rate}, alias=opt_alias)
    rows["momentum_buffer_step"] = Row(
        "momentum_buffer_step", opt_args(("buffer",)),
        {**opt_kinds, "state": State(("buffer",)), "momentum": rate, "nesterov": Flag()}, alias=opt_alias)
    rows["rmsprop_step"] = Row(
        "rmsprop_step", opt_args(("mean_square",)),
        {**opt_kinds, "state": State(("mean_square",), nonnegative=("mean_square",)), "rho": rate, "eps": positive},
        alias=opt_alias)
    rows["adam_step"] = Row(
        "adam_step", opt_args(("m", "v"), t=3),
        {**opt_kinds, "state": State(("m", "v"), nonnegative=("v",)), "beta1": rate, "beta2": rate, "eps": positive,
         "t": Count(low=1)}, alias=opt_alias)
    rows["run_optimizer"] = Row(
        "run_optimizer", lambda: {"name": "adam", "grad_fn": np.cos, "w0": np.array([1.0, -2.0, 0.5]), "lr": 0.1,
                                  "steps": 4},
        {"name": Choice(lambda: tuple(mh.OPTIMIZERS)), "grad_fn": Fn(returns=True), "w0": Arr(ndim=(1,), fixed=()),
         "lr": Scalar(low=0.0, low_open=True), "steps": Count(low=0), "options": Options(exclude=("lr",))},
        alias={"grad_fn": ("w0",), "options": ("hyper",)})
    rows["SCHEDULES"] = NotFuzzed("a table of the schedule functions, each fuzzed under its own name "
                                  "(and through lr_schedule)")
    rows["lr_schedule"] = Row(
        "lr_schedule", lambda: {"name": "warmup_cosine", "steps": 6, "lr": 0.1, "warmup": 2, "total": 5},
        {"name": Choice(lambda: tuple(mh.SCHEDULES)), "steps": Count(low=1), "lr": positive, "options": Options(exclude=("lr",))},
        alias={"options": ("kwargs",)})
    t_kind = Count(low=0)
    rows["step_decay"] = Row(
        "step_decay", lambda: {"t": 5, "lr": 0.1, "step_size": 2},
        {"t": t_kind, "lr": positive, "step_size": Count(low=1),
         "gamma": Scalar(low=0.0, high=1.0, low_open=True)})
    rows["cosine_decay"] = Row(
        "cosine_decay", lambda: {"t": 3, "lr": 0.1, "total": 8, "lr_min": 0.01},
        {"t": t_kind, "lr": positive, "total": Count(low=1), "lr_min": Scalar(low=0.0)}, alias={"lr_min": ("lr",)})
    rows["linear_warmup"] = Row(
        "linear_warmup", lambda: {"t": 1, "lr": 0.1, "warmup": 4},
        {"t": t_kind, "lr": positive, "warmup": Count(low=1), "start_factor": Scalar(low=0.0, high=1.0, low_open=True)})
    rows["warmup_cosine"] = Row(
        "warmup_cosine", lambda: {"t": 1, "lr": 0.1, "warmup": 3, "total": 8, "lr_min": 0.01},
        {"t": t_kind, "lr": positive, "warmup": Count(low=1), "total": Count(low=1),
         "start_factor": Scalar(low=0.0, high=1.0, low_open=True), "lr_min": Scalar(low=0.0)},
        alias={"lr_min": ("lr",), "total": ("warmup",), "warmup": ("total",)})
    grads_kind = Arr(ndim=(2,), fixed=())
    rows["predicted_gradient_variance"] = Row(
        "predicted_gradient_variance", lambda: {"per_sample_grads": _z((6, 3)), "batch_size": 2},
        {"per_sample_grads": grads_kind, "batch_size": Count(low=1), "replace": Flag()},
        alias={"batch_size": ("per_sample_grads",)})
    rows["minibatch_gradient_variance"] = Row(
        "minibatch_gradient_variance", lambda: {"per_sample_grads": _z((6, 3)), "batch_size": 2, "n_draws": 20},
        {"per_sample_grads": grads_kind, "batch_size": Count(low=1), "n_draws": Count(low=1), "seed": Seed(),
         "replace": Flag()},
        alias={"batch_size": ("per_sample_grads",)})

    # depth and scalar graphs (notebook 08)
    rows["init_std"] = Row("init_std", lambda: {"rule": "glorot", "n_in": 3, "n_out": 5},
                           {"rule": Choice(lambda: ("he", "xavier", "glorot")), "n_in": Count(low=1),
                            "n_out": Count(low=1, optional=True)})
    rows["gaussian_expectation"] = Row("gaussian_expectation", lambda: {"fn": np.cos, "var": 2.0},
                                       {"fn": Fn(returns=True), "var": Scalar(low=0.0)})
    rows["mean_field"] = Row("mean_field", lambda: {"activation": "tanh", "depth": 4, "gain": 1.2},
                             {"activation": Choice(_act_names), "depth": Count(low=1, high=200),
                              "gain": positive, "q0": positive})
    rows["layer_statistics"] = Row(
        "layer_statistics", lambda: {"activation": "tanh", "depth": 3, "gain": 1.0, "width": 4, "n_samples": 3,
                                     "n_classes": 2, "seeds": (0, 1)},
        {"activation": Choice(_act_names), "depth": Count(low=1, high=200), "gain": positive, "width": Count(low=1),
         "n_samples": Count(low=1), "n_classes": Count(low=2), "seeds": Seed(), "weight_grads": Flag()})
    rows["Value"] = Row(  # a class: its constructor is what takes input
        "Value", lambda: {"data": 1.5, "label": "a", "parents": (mh.Value(1.0), mh.Value(2.0)),
                          "local": np.array([0.5, -1.0]), "op": "+"},
        {"data": Scalar(), "label": Text(), "parents": Parents(), "local": Arr(ndim=(1,)), "op": Text()},
        alias={"parents": ("local",), "local": ("parents",)})
    rows["scalar_network"] = Row(
        "scalar_network", lambda: {"params": _net((2, 3, 2), seed=4, layout="columns"), "x": np.array([0.5, -1.0]),
                                   "y": np.array([1.0, 0.0])},
        {"params": Params(), "x": Arr(ndim=(1,)), "y": Arr(ndim=(1,)),
         "activation": Choice(lambda: ("identity", "relu", "sigmoid", "tanh", "relu_plus_sin")), "layout": LAYOUT},
        alias={"params": ("x", "y"), "x": ("params",), "y": ("params",)})

    # putting it together (notebook 10): the composed step and training loop
    def together_args():
        X, labels, Y = _xy(n=4)
        mask = (np.arange(16).reshape(4, 4) % 3 != 0).astype(float)  # 0/1, shape (n, hidden width 4)
        return {"params": _net(), "X": X, "Y": Y, "masks": [mask], "p": 0.3, "lam": 0.01}

    together_kinds = {"params": Params(), "X": Arr(ndim=(2,), fixed=(1,)), "Y": Arr(ndim=(2,), low=0.0, high=1.0),
                      "masks": Masks(), "p": Scalar(low=0.0, high=1.0, high_open=True), "lam": Scalar(low=0.0),
                      "activation": Choice(_act_names)}
    together_alias = {"params": ("X", "Y", "masks"), "X": ("Y", "masks"), "Y": ("X",)}
    rows["together_gradients"] = Row("together_gradients", together_args, together_kinds, alias=together_alias)

    def together_step_args():
        state = {n: {k: np.abs(v) for k, v in _grads().items()} for n in ("m", "v")}
        return {**together_args(), "state": state, "t": 3, "lr": 0.1, "optimizer": "adam"}

    rows["together_step"] = Row(
        "together_step", together_step_args,
        {**together_kinds, "state": State(("m", "v"), nonnegative=("v",)), "t": Count(low=1),
         "lr": Scalar(low=0.0, low_open=True), "optimizer": Choice(lambda: tuple(mh.OPTIMIZERS))},
        alias={**together_alias, "params": ("X", "Y", "masks", "state"), "state": ("params",)})

    def train_together_args():
        X, labels, _ = _xy(n=6, n_in=3, n_out=3)
        Xv, lv, _ = _xy(n=4, n_in=3, n_out=3, seed=5)
        return {"X_train": X, "y_train": labels, "X_val": Xv, "y_val": lv, "sizes": [3, 4, 3], "epochs": 2,
                "batch_size": 4, "optimizer": "adam", "lr": 0.01, "p": 0.2, "lam": 0.01, "patience": 1}

    rows["train_together"] = Row(
        "train_together", train_together_args,
        {"X_train": Arr(ndim=(2,), fixed=(1,)), "y_train": Labels(n_classes=3), "X_val": Arr(ndim=(2,), fixed=(1,)),
         "y_val": Labels(n_classes=3), "sizes": Sizes(), "activation": Choice(_act_names),
         "init": Choice(lambda: ("he", "xavier", "glorot", "plain")), "init_scale": Scalar(low=0.0, low_open=True),
         "p": Scalar(low=0.0, high=1.0, high_open=True), "lam": Scalar(low=0.0),
         "optimizer": Choice(lambda: tuple(mh.OPTIMIZERS)), "lr": Scalar(low=0.0, low_open=True),
         "schedule": Choice(lambda: tuple(mh.SCHEDULES)), "batch_size": Count(low=1), "epochs": Count(low=1),
         "patience": Count(low=1, optional=True), "seed": Seed()},
        alias={"sizes": ("X_train", "X_val", "y_train", "y_val"), "X_train": ("y_train",), "X_val": ("y_val",)},
        examples=SLOW_EXAMPLES)
    rows["evaluate_once"] = Row(
        "evaluate_once", lambda: dict(zip(("X", "labels"), _xy(n=5)[:2]), params=_net()),
        {"params": Params(), "X": Arr(ndim=(2,), fixed=(1,)), "labels": Labels(n_classes=2),
         "activation": Choice(_act_names)},
        alias={"params": ("X", "labels"), "X": ("labels",)})

    # instructor tools (not in __all__)
    rows["instructor.worked.worked_solution"] = Row(
        worked.worked_solution, _worked_args,
        {"params": Params(), "x": Arr(ndim=(1, 2)), "y": Arr(ndim=(1, 2)), "activation": Choice(_act_names),
         "loss": Choice(lambda: worked.LOSS_NAMES), "layout": LAYOUT, "lam": Scalar(low=0.0),
         "penalty_kind": Choice(_penalty_names), "include_biases": Flag(),
         "lr": Scalar(low=0.0, low_open=True, optional=True), "mode": Choice(lambda: worked.MODES),
         "decimals": Count(low=1, high=10), "title": Text(),
         "output": Choice(lambda: worked.output_names(), optional=True)},
        alias={"params": ("x", "y")}, examples=SLOW_EXAMPLES)
    rows["instructor.homework.make_variant"] = Row(
        homework.make_variant, lambda: {"seed": 3, "arch": "2-2-2", "activation": "tanh"},
        {"seed": Seed(), "arch": Arch(), "activation": Choice(_act_names), "loss": Choice(lambda: worked.LOSS_NAMES),
         "layout": LAYOUT, "lr": Scalar(low=0.0, low_open=True), "lam": Scalar(low=0.0),
         "penalty_kind": Choice(_penalty_names), "decimals": Count(low=1, high=10),
         "output": Choice(lambda: worked.output_names(), optional=True), "rule": Choice(lambda: homework.RULES),
         "secret": Text(optional=True)},
        examples=SLOW_EXAMPLES)
    rows["check.check"] = Row(
        check_module.check, lambda: {"name": "delta1", "answer": np.array([0.25, -0.5]), "key": _check_key(), "quiet": True},
        {"name": Text(), "answer": Arr(), "key": AnswerKey(), "rtol": Scalar(low=0.0, optional=True),
         "atol": Scalar(low=0.0, optional=True), "decimals": Count(low=0, high=15, optional=True), "quiet": Flag()})
    rows["check.diagnose"] = Row(
        check_module.diagnose, lambda: {"name": "delta1", "answer": np.array([0.25, -0.5]), "expected": np.array([0.25, -0.4])},
        {"name": Text(), "answer": Arr(), "expected": Arr(fixed=()), "rtol": Scalar(low=0.0), "atol": Scalar(low=0.0),
         "decimals": Count(low=0, high=15, optional=True)})
    # the answer may contain NaN (diagnosed as wrong) and have any shape (diagnosed as "shape")
    # (None or ... is an answer not written yet: diagnosed as "missing")
    rows["check.check"].kinds["answer"] = _Answer(optional=True)
    rows["check.diagnose"].kinds["answer"] = _Answer(optional=True)
    return rows


@dataclass
class _Answer(Arr):
    """A student's answer: NaN and a wrong shape are diagnoses, not errors."""

    @property
    def categories(self):
        return ("type", "empty", "nonfinite", "huge", "shape")

    def bad(self, category, valid, data):
        spoiled = super().bad(category, valid, data)
        return Bad(spoiled.value, category in ("type", "empty"))


ROWS = _rows()


def _activation_entry_rows():
    """Every built-in ACTIVATIONS entry's f and df, like the public functions."""
    out = {}
    for name, act in mh.ACTIVATIONS.items():
        if getattr(act.f, "__module__", "") == "mlp_helpers.activations":
            out[f"ACTIVATIONS[{name!r}].f"] = _elementwise(act.f)
            out[f"ACTIVATIONS[{name!r}].df"] = _elementwise(act.df)
    return out


INSTRUCTOR = ("instructor.worked.worked_solution", "instructor.homework.make_variant", "check.check", "check.diagnose")

# (row, argument, category) -> why it fails today.  Each is a strict xfail: once fixed it
# passes, the xfail turns into a failure, and the entry must go.  None today.
KNOWN_GAPS: dict[tuple, str] = {}


def fuzzed_rows():
    """The rows that run now: public names (in __all__ now), table entries, instructor tools."""
    rows = {name: ROWS[name] for name in mh.__all__ if isinstance(ROWS.get(name), Row)}
    for row in rows.values():
        if isinstance(row.fn, str):
            row.fn = getattr(mh, row.fn)
    rows.update(_activation_entry_rows())
    rows.update({name: ROWS[name] for name in INSTRUCTOR})
    return rows


def _signature_args(row):
    fn = row.fn
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p.name for p in sig.parameters.values()]


def _kinds(row):
    """The row's kinds, with the ``output=`` keyword (branch h-core) added if the function has it."""
    kinds = dict(row.kinds)
    if "output" in _signature_args(row) and "output" not in kinds:
        kinds["output"] = Choice(lambda: tuple(getattr(mh, "OUTPUTS", ())), optional=True)
    return kinds


def cases():
    """Every (row, argument, category) to fuzz."""
    out = []
    for name, row in fuzzed_rows().items():
        for arg, kind in _kinds(row).items():
            for category in kind.categories:
                out.append((name, arg, category))
    return out


# ------------------------------------------------------------------ the probe
PROBES = Counter()  # (row, category, outcome) -> calls


def _finite(value):
    """True if every number inside ``value`` is finite."""
    if isinstance(value, (bool, np.bool_, str, bytes, type(None))):
        return True
    if isinstance(value, (int, np.integer)):
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isfinite(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            return bool(np.all(np.isfinite(value)))
        if value.dtype == object:
            return all(_finite(v) for v in value.ravel())
        return True
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    if dataclasses.is_dataclass(value):
        return all(_finite(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, worked.WorkedSolution):
        return _finite(value.key) and _finite(value.other_key)
    return True  # other objects (Diagnosis texts, figures): nothing numeric to check


def _names_pattern(names):
    alts = "|".join(re.escape(str(n)) for n in sorted(set(names), key=lambda n: -len(str(n))))
    # the name, optionally indexed (grads['W1'], sizes[1]), followed by ':' or ', other:'
    return re.compile(rf"(?<![\w']){'(?:' + alts + ')'}(?:\[[^\]]*\])*(?=[:,])")


def _allowed_exception(exc):
    if type(exc) in (ValueError, TypeError):
        return True
    return isinstance(exc, (ValueError, TypeError)) and type(exc).__module__.startswith("mlp_helpers")


def run_probe(name, row, kwargs, arg, category, bad):
    """Call ``row.fn(**kwargs)``; return the outcome or raise AssertionError saying what went wrong."""
    args_of_fn = _signature_args(row)
    names = {arg, *bad.names, *row.alias.get(arg, ())}
    if isinstance(kwargs.get(arg), dict) and arg not in ("options",):
        names |= {k for k in kwargs[arg] if isinstance(k, str)}
    if category == "huge":
        names |= set(args_of_fn) | {k for v in kwargs.values() if isinstance(v, dict) for k in v if isinstance(k, str)}
    call = kwargs
    if arg == "options":  # gradient_check(**options)
        call = {k: v for k, v in kwargs.items() if k != "options"}
        call.update(kwargs["options"])
    snapshot = row.restore() if row.restore else None
    shown = f"{name}({arg}={_short(bad.value)}) [{category}]"
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("error")
            try:
                result = row.fn(**call)
            except (ValueError, TypeError) as exc:
                message = str(exc)
                if not _allowed_exception(exc):
                    PROBES[name, category, "foreign"] += 1
                    raise AssertionError(f"{shown}: foreign {type(exc).__name__}: {message}") from exc
                if not _names_pattern(names).search(message):
                    PROBES[name, category, "unnamed"] += 1
                    raise AssertionError(
                        f"{shown}: {type(exc).__name__} does not name {sorted(map(str, names))}: {message}") from exc
                PROBES[name, category, "error"] += 1
                return "error"
            except Warning as w:
                PROBES[name, category, "warning"] += 1
                raise AssertionError(f"{shown}: warned {type(w).__name__}: {w}") from w
            except AssertionError:
                raise
            except Exception as exc:
                PROBES[name, category, "foreign"] += 1
                raise AssertionError(f"{shown}: foreign {type(exc).__name__}: {exc}") from exc
    finally:
        if row.restore:
            row.restore(snapshot)
    if bad.must_raise:
        PROBES[name, category, "silent"] += 1
        raise AssertionError(f"{shown}: accepted bad input silently and returned {_short(result)}")
    if not _finite(result):
        PROBES[name, category, "nonfinite"] += 1
        raise AssertionError(f"{shown}: returned a non-finite result from finite input: {_short(result)}")
    PROBES[name, category, "finite"] += 1
    return "finite"


def _short(value):
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."


def fuzz_case(name, arg, category, examples=None):
    """The hypothesis test of one (row, argument, category) case."""
    row = fuzzed_rows()[name]
    kind = _kinds(row)[arg]

    extra = {}
    if (name, arg, category) in KNOWN_GAPS:  # expected to fail: stop at the first failure, no shrinking
        extra = dict(phases=(Phase.explicit, Phase.reuse, Phase.generate), report_multiple_bugs=False)

    @settings(max_examples=examples or row.examples, **FUZZ_SETTINGS, **extra)
    @given(data=st.data())
    def probe(data):
        kwargs = row.build()
        valid = kwargs.get(arg)
        if arg == "options":
            valid = {}
        bad = kind.bad(category, valid, data)
        kwargs[arg] = bad.value
        run_probe(name, row, kwargs, arg, category, bad)

    probe()


# ------------------------------------------------------------------ the tests
def _params():
    out = []
    for case in cases():
        gap = KNOWN_GAPS.get(case)
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        out.append(pytest.param(*case, id="-".join(case), marks=marks))
    return out


def test_every_public_name_has_a_row():
    missing = [name for name in mh.__all__ if name not in ROWS]
    assert not missing, (
        f"{missing} in mlp_helpers.__all__ have no row in tests/test_fuzz.py: add a Row (a builder of valid "
        "arguments and the Kind of each argument) or a NotFuzzed(reason) to _rows()")


@pytest.mark.parametrize("name", sorted(fuzzed_rows()))
def test_every_argument_has_a_kind(name):
    row = fuzzed_rows()[name]
    sig = inspect.signature(row.fn)
    kinds = _kinds(row)
    missing = []
    for p in sig.parameters.values():
        key = "options" if p.kind is inspect.Parameter.VAR_KEYWORD else p.name
        if key not in kinds:
            missing.append(p.name)
    assert not missing, f"{name}: arguments {missing} have no Kind in tests/test_fuzz.py: add them to its Row"


@pytest.mark.parametrize("name", sorted(fuzzed_rows()))
def test_valid_arguments_give_a_finite_result(name):
    """The builders are right: valid arguments give a finite result without warnings."""
    row = fuzzed_rows()[name]
    snapshot = row.restore() if row.restore else None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("error")
            result = row.fn(**row.build())
    finally:
        if row.restore:
            row.restore(snapshot)
    assert _finite(result)


@pytest.mark.parametrize("name, arg, category", _params())
def test_fuzz(name, arg, category):
    fuzz_case(name, arg, category)


def test_the_probe_table_covers_every_category():
    used = {c for _, _, c in cases()}
    assert used == set(CATEGORIES), set(CATEGORIES) ^ used


# ------------------------------------------------------------------ the table
def probe_table():
    """Rows of (row, cases, planned examples, categories)."""
    by_row = {}
    for name, arg, category in cases():
        entry = by_row.setdefault(name, [0, 0, set()])
        entry[0] += 1
        entry[1] += fuzzed_rows()[name].examples
        entry[2].add(category)
    return by_row


def main(argv):
    if "--run" in argv:
        failures = []
        for case in cases():
            try:
                fuzz_case(*case)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append((case, KNOWN_GAPS.get(case), str(exc).splitlines()[0][:200]))
        calls = Counter()
        for (name, category, outcome), n in PROBES.items():
            calls[category, outcome] += n
        print(f"{sum(PROBES.values())} calls in {len(cases())} cases over {len(fuzzed_rows())} functions")
        print("| category | error naming the argument | finite result | other (failures) |")
        print("|---|---:|---:|---:|")
        for c in CATEGORIES:
            other = sum(n for (cat, o), n in calls.items() if cat == c and o not in ("error", "finite"))
            print(f"| {c} | {calls[c, 'error']} | {calls[c, 'finite']} | {other} |")
        for case, gap, msg in failures:
            print(("known gap " if gap else "FAILED ") + "-".join(case) + ": " + msg)
        return 1 if any(gap is None for _, gap, _ in failures) else 0
    table = probe_table()
    total_cases = sum(v[0] for v in table.values())
    total_examples = sum(v[1] for v in table.values())
    print(f"{len(table)} functions, {total_cases} (function, argument, category) cases, "
          f"at most {total_examples} hypothesis examples")
    print("| function | cases | examples | categories |")
    print("|---|---:|---:|---|")
    for name, (n, ex, cats) in table.items():
        print(f"| {name} | {n} | {ex} | {', '.join(c for c in CATEGORIES if c in cats)} |")
    print()
    for c, text in CATEGORIES.items():
        n = sum(1 for _, _, cat in cases() if cat == c)
        print(f"- {c} ({n} cases): {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
