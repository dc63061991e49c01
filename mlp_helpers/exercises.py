r"""Exercises of notebooks 01-04: the checks a student runs, and the hidden checks of the autograder.

Every exercise asks for a *function* (``dense_forward(X, W, b)``, ``mlp_backward(...)``, ...).
Two entry points, both by the exercise's name (the function's name):

``check(fn)`` (or ``check("name", fn)``)
    For students: runs the exercise's **public** cases (built from the seeds' numbers and small
    fixed arrays), prints one line per case (✓, or ✗ with what *kind* of mistake it is), and
    never raises: an empty stub prints "not done yet", an exception inside ``fn`` is reported
    as such.  Returns a :class:`Report` (shown only once in a notebook).

``grade("name", fn, seed=None)``
    For the autograder (otter-grader's test cells call it): silent when every case passes,
    otherwise raises ``AssertionError`` whose message names the kind of mistake.  Without
    ``seed`` it runs the public cases; with ``seed`` it runs ``n_hidden`` **hidden** cases
    drawn with ``numpy.random.default_rng(seed)``: random shapes, depths and values that no
    notebook prints, so an answer copied from the notebook fails.

Expected values come from the package's tested functions (``forward``, ``backward``,
``penalty_gradients``, ``numerical_gradient``, ``sgd_step``, ``momentum_step``, ``train``, ...):
the package is the reference for the student's code.  A student's function may not call the
package function that *is* the exercise (``forward`` inside ``mlp_forward``, ...): that is
reported as the mistake ``uses_reference``.

Feedback goes through :func:`mlp_helpers.check.diagnose` (shape, transposed, sign, factor 2,
rounded, wrong), preceded by the exercise's own known mistakes (a missing f', the ½λ
convention in one term, biases penalised, a one-sided difference, ...).  Each message says what
kind of mistake was made and ends with ``(kind of mistake: CODE)``; it does not give the fix.

This module needs only numpy and the package itself (no otter-grader), so the checks run in
Google Colab with its own package versions.
"""
from __future__ import annotations

import copy
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import numpy as np

from . import activations as _act
from . import gradcheck as _gc
from . import losses as _losses
from . import network as _net
from . import optim as _optim
from . import regularization as _reg
from .check import diagnose
from .seeds import seed000, seed001

__all__ = ["EXERCISES", "Exercise", "Report", "CaseResult", "check", "grade", "own_gradient_check"]

NOT_DONE = "not_done"


# ----------------------------------------------------------------- data types
@dataclass
class Case:
    """One set of inputs and the expected outputs (name -> array or number)."""

    label: str
    args: tuple
    expected: dict
    # known mistakes: list of (code, message, outputs-dict or predicate(got) -> bool), computed lazily
    mistakes: Callable[[], list] = field(default=lambda: [])


@dataclass
class Exercise:
    """One exercise: the function a student writes and how it is checked."""

    name: str
    notebook: str
    summary: str
    public: Callable[[], list]                      # () -> [Case]
    hidden: Callable[[np.random.Generator, int], Case]  # (rng, i) -> Case
    outputs: Callable[[Any, Case], dict]            # the student's return value -> {name: value}
    forbidden: tuple = ()                           # package functions the student may not call
    rtol: float = 1e-6
    atol: float = 1e-9
    n_hidden: int = 6


class CaseResult(NamedTuple):
    """The verdict on one case: ``ok``, a ``code`` (``correct``, ``not_done``, a diagnose code
    or an exercise's own) and a ``message``."""

    label: str
    ok: bool
    code: str
    message: str


class Report(NamedTuple):
    """What :func:`check` found: the exercise's name and one :class:`CaseResult` per case."""

    name: str
    results: list

    @property
    def ok(self):
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def done(self):
        return not any(r.code == NOT_DONE for r in self.results)

    def __str__(self):
        return "\n".join(_report_lines(self))

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _ipython_display_(self):  # check() printed it already
        return None


class _Shown(dict):
    """A dict that a notebook does not display (its contents were printed already)."""

    def _ipython_display_(self):
        return None


class _Structure(Exception):
    """The student's return value does not have the asked-for structure."""


# --------------------------------------------------------------- evaluation
@contextmanager
def _watch(names):
    """Record which of the package functions ``names`` are called inside the block."""
    import mlp_helpers as mh

    codes = {}
    for n in names:
        fn = getattr(mh, n, None)
        code = getattr(fn, "__code__", None)
        if code is not None:
            codes[code] = n
    used = []
    if not codes:
        yield used
        return

    def profile(frame, event, arg):
        if event == "call":
            n = codes.get(frame.f_code)
            if n is not None and n not in used:
                used.append(n)

    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield used
    finally:
        sys.setprofile(old)


def _same(a, b):
    """Deep equality of the arguments before and after the student's call."""
    if callable(a) and not isinstance(a, np.ndarray):
        return True
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    return a == b


def _changed_names(names, before, after):
    return [n for n, a, b in zip(names, before, after) if not _same(a, b)]


def _arg_names(fn, n):
    try:
        code = fn.__code__
        return list(code.co_varnames[:code.co_argcount])[:n] + [f"argument {i + 1}" for i in range(code.co_argcount, n)]
    except AttributeError:
        return [f"argument {i + 1}" for i in range(n)]


def _close(a, b, rtol, atol):
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _evaluate(ex: Exercise, case: Case, fn) -> CaseResult:
    def res(ok, code, message):
        return CaseResult(case.label, ok, code, message)

    if fn is None or fn is Ellipsis:
        return res(False, NOT_DONE, f"{ex.name} is not defined yet.")
    if not callable(fn):
        return res(False, "not_a_function", f"{ex.name} should be a function, but it is a {type(fn).__name__}.")
    args = copy.deepcopy(case.args)
    before = copy.deepcopy(case.args)
    try:  # numpy's overflow and 0/0 warnings are not errors here: the diagnosis names them
        with _watch(ex.forbidden) as used, np.errstate(all="ignore"):
            answer = fn(*args)
    except NotImplementedError:
        return res(False, NOT_DONE, f"{ex.name} raises NotImplementedError: not done yet.")
    except Exception as exc:  # the student's code failed: say how, do not crash the check
        return res(False, "error", f"{ex.name} raised {type(exc).__name__}: {exc}")
    if answer is None or answer is Ellipsis:
        return res(False, NOT_DONE, f"{ex.name} returns {answer!r}: not done yet.")
    if used:
        return res(False, "uses_reference",
                   f"{ex.name} calls mlp_helpers.{used[0]}, the package's own answer to this exercise; "
                   "the exercise is to compute it without that function.")
    changed = _changed_names(_arg_names(fn, len(args)), before, args)
    if changed:
        return res(False, "changed_input",
                   f"{ex.name} changed its argument {changed[0]!r} in place; a function of this course "
                   "leaves its arguments as they were and returns new arrays.")
    try:
        got = ex.outputs(answer, case)
        verdicts = {k: diagnose(k, got[k], v, rtol=ex.rtol, atol=ex.atol) for k, v in case.expected.items()}
    except _Structure as exc:
        return res(False, "structure", f"{ex.name} returned {exc}")
    except (TypeError, ValueError) as exc:
        return res(False, "structure", f"{ex.name} returned something that is not numbers where numbers "
                                       f"were expected ({exc}).")
    if all(d.ok for d in verdicts.values()):
        return res(True, "correct", "correct")
    for code, message, test in case.mistakes():
        if callable(test):
            hit = bool(test(got))
        else:
            hit = all(k in got and _close(got[k], v, ex.rtol, ex.atol) for k, v in test.items())
        if hit:
            return res(False, code, message)
    bad = next(d for d in verdicts.values() if not d.ok)
    return res(False, bad.code, bad.message)


def _with_code(r: CaseResult) -> str:
    return f"{r.message} (kind of mistake: {r.code})"


def _report_lines(report: Report):
    ex = EXERCISES[report.name]
    rs = report.results
    if any(r.code == NOT_DONE for r in rs):
        r = next(r for r in rs if r.code == NOT_DONE)
        return [f"… {r.message} Write its body, then run this cell again."]
    lines = [f"{report.name}: {len(rs)} public case{'s' if len(rs) != 1 else ''}"]
    for r in rs:
        lines.append(f"  ✓ {r.label}" if r.ok else f"  ✗ {r.label}: {_with_code(r)}")
    n_ok = sum(r.ok for r in rs)
    if n_ok == len(rs):
        lines.append(f"all {len(rs)} correct; the autograder also tries {ex.n_hidden} hidden cases with random "
                     "shapes and values.")
    else:
        lines.append(f"{n_ok} of {len(rs)} correct.")
    return lines


def _lookup(name):
    if not isinstance(name, str):
        raise TypeError(f"name: expected the exercise's name as a str, got {type(name).__name__}")
    if name not in EXERCISES:
        raise KeyError(f"name: no exercise called {name!r}; the exercises are {', '.join(EXERCISES)}")
    return EXERCISES[name]


def check(name_or_fn, fn=None, quiet=False):
    """Run an exercise's public cases on your function and print what is right and what is wrong.

    ``check(dense_forward)`` finds the exercise by the function's name; ``check("dense_forward",
    my_function)`` names it explicitly.  Never raises because of your function: an empty stub
    prints "not done yet", an exception inside it is reported.  Returns a :class:`Report`.
    """
    if fn is None and not isinstance(name_or_fn, str):
        fn = name_or_fn
        name = getattr(fn, "__name__", None)
        if name not in EXERCISES:
            raise KeyError(f"name: {name!r} is not an exercise's name; call check('NAME', fn) with one of "
                           f"{', '.join(EXERCISES)}")
    else:
        name = name_or_fn
    ex = _lookup(name)
    results = []
    for case in ex.public():
        r = _evaluate(ex, case, fn)
        results.append(r)
        if r.code == NOT_DONE:
            break
    report = Report(name, results)
    if not quiet:
        print(str(report))
    return report


def grade(name, fn, seed=None, n=None):
    """The autograder's check: silent if every case passes, else ``AssertionError`` naming the mistake.

    seed : ``None`` for the public cases; an int for ``n`` (default ``n_hidden``) hidden random cases.
    """
    ex = _lookup(name)
    if seed is None:
        cases, kind = ex.public(), "public"
    else:
        rng = hidden_rng(seed)
        count = ex.n_hidden if n is None else int(n)
        cases, kind = [ex.hidden(rng, i) for i in range(count)], "hidden"
    results = []
    for case in cases:
        results.append(_evaluate(ex, case, fn))
        if results[-1].code == NOT_DONE:
            raise AssertionError(f"{results[-1].message} (kind of mistake: {NOT_DONE})")
    failed = [r for r in results if not r.ok]
    if failed:
        first = failed[0]
        raise AssertionError(f"{name}: {len(failed)} of {len(results)} {kind} cases fail. "
                             f"First, {first.label}: {_with_code(first)}")


SECRET_ENV = "MLP_HOMEWORK_SECRET"  # the instructor's secret, the same as for homework variants


def hidden_rng(seed):
    """The random stream of the hidden cases: ``seed`` alone, or mixed with the instructor's secret.

    The hidden tests' seeds stand in the public notebooks; with the environment variable
    ``MLP_HOMEWORK_SECRET`` set where the autograder runs, the hidden inputs depend on the
    secret too, so nobody can compute them from the public repository.
    """
    import hashlib
    import os

    secret = os.environ.get(SECRET_ENV)
    if not secret:
        return np.random.default_rng(seed)
    digest = hashlib.sha256(b"mlp-helpers grading secret\0" + secret.encode("utf-8")).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest[:8], "big")])


# ------------------------------------------------------------------ helpers
def _rand(rng, *shape, scale=1.0):
    return rng.uniform(-scale, scale, size=shape)


def _rand_params(rng, sizes, scale=1.0, bias_scale=0.5):
    p = {}
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        p[f"W{l}"] = _rand(rng, a, b, scale=scale)
        p[f"b{l}"] = _rand(rng, b, scale=bias_scale)
    return p


def _rand_sizes(rng, n_layers, low=1, high=5):
    return [int(v) for v in rng.integers(low, high + 1, size=n_layers + 1)]


def _one_hot_rows(rng, n, k):
    return _losses.one_hot(rng.integers(0, k, size=n), k)


def _rows_seed000():
    s = seed000()
    p = {k: (v.reshape(-1) if k.startswith("b") else v) for k, v in s["params"].items()}
    return p, s["X"], s["Y"]


def _rows_seed001():
    """Seed 001 turned into the row layout: weights transposed, x as a (1, 4) row."""
    s = seed001()
    p = {k: (v.T.copy() if k.startswith("W") else v) for k, v in s["params"].items()}
    return p, s["X"][None, :], s["Y"][None, :]


def _as_dict(answer, keys, what):
    if not isinstance(answer, dict):
        raise _Structure(f"a {type(answer).__name__}; expected a dict with the keys {', '.join(keys)}.")
    missing = [k for k in keys if k not in answer]
    if missing:
        raise _Structure(f"a dict without the key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                         f"({what} needs {', '.join(keys)}).")
    return {k: answer[k] for k in keys}


def _as_tuple(answer, names):
    if not isinstance(answer, (tuple, list)) or len(answer) != len(names):
        got = f"a {type(answer).__name__} of length {len(answer)}" if isinstance(answer, (tuple, list)) \
            else f"a {type(answer).__name__}"
        raise _Structure(f"{got}; expected a tuple ({', '.join(names)}).")
    return dict(zip(names, answer))


def _rows(n):
    return "1 row" if n == 1 else f"{n} rows"


def _single(key):
    return lambda answer, case: {key: answer}


def _keys_of(case):
    return list(case.expected)


ACT_NAMES = ("relu", "tanh", "sigmoid", "relu_plus_sin")


def _act_fns(name):
    a = _act.ACTIVATIONS[name]
    return a.f, a.df


def _identity_layer(X, W, b):
    return _net.forward({"W1": W, "b1": b}, X, activation="identity", loss="mse")["Z1"]


# ====================================================== 01 · the forward pass
def _z_entry_case(label, x, W, b, j):
    z = _identity_layer(x, W, b)
    return Case(label, (x, W, b, j), {"z_j": float(z[j])},
                lambda: [("missing_bias", "z_j leaves out the bias b_j.", {"z_j": float((x @ W)[j])})])


def _z_entry_public():
    p, X, _ = _rows_seed000()
    q, X1, _ = _rows_seed001()
    return [_z_entry_case("seed 000, j = 0", X[0], p["W1"], p["b1"], 0),
            _z_entry_case("seed 000, j = 3", X[0], p["W1"], p["b1"], 3),
            _z_entry_case("seed 001 in the row layout, j = 2", X1[0], q["W1"], q["b1"], 2)]


def _z_entry_hidden(rng, i):
    n_in, n_out = (int(v) for v in rng.integers(2, 7, size=2))
    j = int(rng.integers(0, n_out))
    return _z_entry_case(f"random case {i + 1}: {n_in} inputs, {n_out} neurons, j = {j}",
                         _rand(rng, n_in, scale=2), _rand(rng, n_in, n_out), _rand(rng, n_out), j)


def _dense_case(label, X, W, b):
    return Case(label, (X, W, b), {"Z": _identity_layer(X, W, b)},
                lambda: [("missing_bias", "Z leaves out the bias b.", {"Z": X @ W})])


def _dense_public():
    p, X, _ = _rows_seed000()
    s = seed001()
    X_rows = np.array([[1.0, -1.0, 0.5, 2.0], [0.0, 1.0, -1.0, 0.5]])
    return [_dense_case("seed 000, one sample (1, 3), 3 -> 4", X, p["W1"], p["b1"]),
            _dense_case("seed 001's layer 1 in the row layout, a batch of 2 rows", X_rows,
                        s["params"]["W1"].T.copy(), s["params"]["b1"])]


def _dense_hidden(rng, i):
    n, n_in, n_out = (int(v) for v in rng.integers(1, 7, size=3))
    if n == n_out:
        n += 1  # a transposed Z must not fit the expected shape by accident
    return _dense_case(f"random case {i + 1}: a batch of {_rows(n)}, {n_in} -> {n_out}",
                       _rand(rng, n, n_in, scale=2), _rand(rng, n_in, n_out), _rand(rng, n_out))


def _softmax_case(label, Z):
    def mistakes():
        e = np.exp(Z - Z.max())
        out = [("whole_array", "each row of Yhat should sum to 1 on its own; yours is normalised over the "
                               "whole batch at once.", {"Yhat": e / e.sum()})]
        if Z.shape[0] > 1:
            out.append(("wrong_axis", "Yhat is normalised down the columns (over the samples) instead of "
                                      "along each row (over the classes).", {"Yhat": _losses.softmax(Z, axis=0)}))
        if np.max(np.abs(Z)) > 700:
            out.append(("overflow", "Yhat contains NaN or infinity for a batch with logits near 750: e^z "
                                    "overflowed (the largest float is about e^709) or a row's exponentials all "
                                    "rounded to 0.",
                        lambda got: not np.all(np.isfinite(np.asarray(got["Yhat"], dtype=float)))))
        return out
    return Case(label, (Z,), {"Yhat": _losses.softmax(Z, axis=1)}, mistakes)


def _softmax_public():
    return [_softmax_case("seed 000's logits z2 = [[19.255, -16.61]]", np.array([[19.255, -16.61]])),
            _softmax_case("a batch of 2: seed 000's logits and those of x = (0, 0, 0)",
                          np.array([[19.255, -16.61], [0.56, 0.12]])),
            _softmax_case("a batch of 2, one row of logits near 750", np.array([[750.0, 748.5], [0.5, -0.5]]))]


def _softmax_hidden(rng, i):
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    Z = rng.normal(0.0, 3.0, size=(n, k))
    big = i % 2 == 1
    if big:
        Z[int(rng.integers(0, n))] += 750.0
    note = ", one row of logits near 750" if big else ""
    return _softmax_case(f"random case {i + 1}: {n} rows, {k} classes{note}", Z)


def _ce_case(label, Z, Y):
    n = Z.shape[0]

    def mistakes():
        p = _losses.softmax(Z, axis=1)
        out = [("clipped", "the loss matches -log of probabilities clipped to [1e-9, 1 - 1e-9] (the clip puts "
                           "a floor under the loss), not the loss from the logits.",
                {"L": _losses.cross_entropy(Y, p, clip=1e-9)})]
        if n > 1:
            out.append(("sum_not_mean", "the loss is the sum over the batch, not the mean.",
                        {"L": _losses.cross_entropy_from_logits(Y, Z, reduction="sum")}))
        out.append(("log_of_zero", "the loss is infinite or NaN: the log of a probability that rounded to 0.",
                    lambda got: not np.all(np.isfinite(np.asarray(got["L"], dtype=float)))))
        return out
    return Case(label, (Z, Y), {"L": _losses.cross_entropy_from_logits(Y, Z)}, mistakes)


def _ce_public():
    p, X, Y = _rows_seed000()
    Z2 = _net.forward(p, X)["Z2"]
    return [_ce_case("seed 000: one saturated sample, the true loss is about 2.65e-16", Z2, Y),
            _ce_case("a batch of 2 with targets (1, 0) and (0, 1)", np.array([[19.255, -16.61], [0.56, 0.12]]),
                     np.array([[1.0, 0.0], [0.0, 1.0]]))]


def _ce_hidden(rng, i):
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    Z = rng.normal(0.0, 3.0, size=(n, k))
    Y = _one_hot_rows(rng, n, k)
    note = ""
    if i % 3 == 1:  # a sample whose correct class is hopeless: its probability underflows to 0
        r = int(rng.integers(0, n))
        Z[r] = Z[r] - 800.0 * Y[r]
        note = ", one sample's correct class 800 below the others"
    elif i % 3 == 2:  # a saturated, correct sample: the loss is below 1e-15
        r = int(rng.integers(0, n))
        Z[r] = Z[r] + 40.0 * Y[r]
        note = ", one saturated sample"
    return _ce_case(f"random case {i + 1}: {n} rows, {k} classes{note}", Z, Y)


def _mlp_forward_case(label, params, X, act):
    L = _net.n_layers(params)
    cache = _net.forward(params, X, activation=act)
    keys = [f"Z{l}" for l in range(1, L + 1)] + [f"H{l}" for l in range(1, L)] + ["Yhat"]
    expected = {k: cache[k] for k in keys}
    f = _act.ACTIVATIONS[act].f

    def mistakes():
        H, out = X, {}
        for l in range(1, L + 1):
            Z = H @ params[f"W{l}"] + params[f"b{l}"]
            H = f(Z)
        out["Yhat"] = _losses.softmax(H, axis=1)
        return [("activation_on_output", f"Yhat matches a network that applies the hidden activation f to the "
                                         f"output logits Z{L} before the softmax.", out)]
    return Case(label, (params, X, f), expected, mistakes)


def _mlp_forward_public():
    p, X, _ = _rows_seed000()
    q, X1, _ = _rows_seed001()
    return [_mlp_forward_case("seed 000 (3-4-2, ReLU)", p, X, "relu"),
            _mlp_forward_case("seed 001 in the row layout (4-3-2, ReLU + sin)", q, X1, "relu_plus_sin")]


def _mlp_forward_hidden(rng, i):
    L = int(rng.integers(1, 5))
    sizes = _rand_sizes(rng, L, 1, 5)
    sizes[-1] = max(sizes[-1], 2)
    n = int(rng.integers(1, 6))
    act = ACT_NAMES[int(rng.integers(0, len(ACT_NAMES)))]
    return _mlp_forward_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} "
                             f"{'-'.join(map(str, sizes))}, {act}, a batch of {n}",
                             _rand_params(rng, sizes), _rand(rng, n, sizes[0], scale=2), act)


# ====================================================== 02 · regularization
def _l2_case(label, params, lam):
    with_b = _reg.penalty(params, lam, "l2", include_biases=True)
    return Case(label, (params, lam), {"penalty": _reg.penalty(params, lam, "l2")},
                lambda: [("includes_biases", "the penalty includes the biases; only the weights W are penalised.",
                          {"penalty": with_b})])


def _l2_public():
    s = seed000()
    q = seed001()
    return [_l2_case("seed 000, lam = 0.01", s["params"], 0.01),
            _l2_case("seed 001, lam = 0.1", q["params"], 0.1)]


def _rand_net_params(rng, i, low_layers=1, high_layers=4):
    L = int(rng.integers(low_layers, high_layers + 1))
    sizes = _rand_sizes(rng, L, 1, 5)
    return L, sizes, _rand_params(rng, sizes, scale=2.0, bias_scale=1.0)


def _l2_hidden(rng, i):
    L, sizes, p = _rand_net_params(rng, i)
    lam = float(rng.uniform(0.001, 0.5))
    return _l2_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} {'-'.join(map(str, sizes))}, "
                    f"lam = {lam:.3f}", p, lam)


def _l2_grad_case(label, params, lam):
    return Case(label, (params, lam), _reg.penalty_gradients(params, lam, "l2"),
                lambda: [("includes_biases", "the bias gradients are not zero: the biases are penalised too.",
                          _reg.penalty_gradients(params, lam, "l2", include_biases=True))])


def _l2_grad_public():
    s, q = seed000(), seed001()
    return [_l2_grad_case("seed 000, lam = 0.01", s["params"], 0.01),
            _l2_grad_case("seed 001, lam = 0.1", q["params"], 0.1)]


def _l2_grad_hidden(rng, i):
    L, sizes, p = _rand_net_params(rng, i)
    lam = float(rng.uniform(0.001, 0.5))
    return _l2_grad_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} {'-'.join(map(str, sizes))}, "
                         f"lam = {lam:.3f}", p, lam)


def _decay_case(label, params, grads, lr, lam):
    def step(kind, include_biases=False, sign=1.0):
        pen = _reg.penalty_gradients(params, lam, kind, include_biases)
        return {k: np.asarray(params[k], float) - sign * lr * (np.asarray(grads[k], float) + pen[k]) for k in params}

    expected = _optim.sgd_step(params, {k: np.asarray(grads[k], float) + g
                                        for k, g in _reg.penalty_gradients(params, lam, "l2").items()}, lr)
    return Case(label, (params, grads, lr, lam), expected, lambda: [
        ("half_convention", "the weights shrink by the factor (1 - lr*lam) of the ½λ convention, not by the "
                            "(1 - 2*lr*lam) of lam * sum(w^2).", step("l2_half")),
        ("decays_biases", "the biases shrink too; the penalty is on the weights only.", step("l2", True)),
        ("wrong_direction", "the step goes along the gradient (uphill), not against it.", step("l2", sign=-1.0)),
    ])


def _decay_public():
    s = seed000()
    p = s["params"]
    zero = {k: np.zeros_like(v) for k, v in p.items()}
    given = {k: np.round(np.linspace(-0.3, 0.3, v.size).reshape(v.shape), 3) for k, v in p.items()}
    return [_decay_case("seed 000, data gradient zero, lr = 0.1, lam = 0.01", p, zero, 0.1, 0.01),
            _decay_case("seed 000 with a given data gradient, lr = 0.5, lam = 0.05", p, given, 0.5, 0.05)]


def _decay_hidden(rng, i):
    L, sizes, p = _rand_net_params(rng, i)
    grads = {k: _rand(rng, *v.shape) for k, v in p.items()}
    lr, lam = float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.01, 0.3))
    return _decay_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} {'-'.join(map(str, sizes))}, "
                       f"lr = {lr:.3f}, lam = {lam:.3f}", p, grads, lr, lam)


def _numgrad_case(label, f, params, eps):
    def one_sided():
        base = {k: np.asarray(v, float) for k, v in params.items()}
        f0 = float(f(base))
        out = {}
        for k, v in base.items():
            g = np.zeros_like(v)
            for idx in np.ndindex(v.shape):
                shifted = dict(base)
                plus = v.copy()
                plus[idx] += eps
                shifted[k] = plus
                g[idx] = (float(f(shifted)) - f0) / eps
            out[k] = g
        return out

    return Case(label, (f, params, eps), _gc.numerical_gradient(f, params, eps),
                lambda: [("one_sided", "the estimate matches the one-sided difference (f(θ + ε) - f(θ)) / ε, "
                                       "whose error shrinks only like ε, not the central difference.", one_sided())])


def _numgrad_public():
    s = seed000()
    q = seed001()
    opts = {"activation": q["activation"], "layout": q["layout"]}
    return [_numgrad_case("f = seed 000's L2 penalty (lam = 0.01), eps = 1e-4",
                          lambda p: _reg.penalty(p, 0.01, "l2"), s["params"], 1e-4),
            _numgrad_case("f = seed 001's loss, eps = 1e-5",
                          lambda p: _net.loss_value(p, q["X"], q["Y"], **opts), q["params"], 1e-5)]


def _numgrad_hidden(rng, i):
    L = int(rng.integers(1, 3))
    sizes = _rand_sizes(rng, L, 1, 4)
    sizes[-1] = max(sizes[-1], 2)
    p = _rand_params(rng, sizes)
    n = int(rng.integers(1, 4))
    X, Y = _rand(rng, n, sizes[0], scale=2), _one_hot_rows(rng, n, sizes[-1])
    eps = float([1e-3, 1e-4, 1e-5][i % 3])
    act = ("tanh", "sigmoid")[i % 2]
    lam = float(rng.uniform(0.01, 0.2))
    f = (lambda p_, X=X, Y=Y, act=act, lam=lam: _net.loss_value(p_, X, Y, activation=act, lam=lam))
    return _numgrad_case(f"random case {i + 1}: f = a {'-'.join(map(str, sizes))} {act} network's loss with "
                         f"an L2 penalty, eps = {eps:g}", f, p, eps)


# ====================================================== 03 · backpropagation
def _out_delta_case(label, Z, Y):
    return Case(label, (Z, Y), {"delta": _losses.softmax_cross_entropy_delta(Y, _losses.softmax(Z, axis=1))},
                lambda: [("logits_not_probabilities", "delta matches Z - Y: the logits are used where the "
                                                      "probabilities ŷ belong.", {"delta": Z - Y})])


def _out_delta_public():
    q, X1, Y1 = _rows_seed001()
    Z2 = _net.forward(q, X1, activation="relu_plus_sin")["Z2"]
    return [_out_delta_case("seed 001's output layer as a (1, 2) row", Z2, Y1),
            _out_delta_case("a batch of 2", np.array([[19.255, -16.61], [0.56, 0.12]]),
                            np.array([[1.0, 0.0], [0.0, 1.0]]))]


def _out_delta_hidden(rng, i):
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    return _out_delta_case(f"random case {i + 1}: {n} rows, {k} classes",
                           rng.normal(0.0, 2.0, size=(n, k)), _one_hot_rows(rng, n, k))


def _dense_backward_case(label, dZ, H_prev, W):
    n_in, n_out = W.shape
    params = {"W1": np.eye(n_in), "b1": np.zeros(n_in), "W2": W, "b2": np.zeros(n_out)}
    cache = _net.forward(params, H_prev, activation="identity", loss="half_sse")
    Y = cache["Z2"] - dZ  # half_sse with reduction="sum": delta2 = Z2 - Y = dZ
    grads, terms = _net.backward(params, cache, Y, activation="identity", loss="half_sse", reduction="sum")
    expected = {"dW": grads["W2"], "db": grads["b2"], "dH_prev": terms["dH1"]}
    n = dZ.shape[0]
    return Case(label, (dZ, H_prev, W), expected, lambda: [
        ("mean_not_sum", "dW and db are averaged over the batch; here the batch's gradients add up.",
         {"dW": expected["dW"] / n, "db": expected["db"] / n})] if n > 1 else [])


def _dense_backward_public():
    q, X1, Y1 = _rows_seed001()
    cache = _net.forward(q, X1, activation="relu_plus_sin")
    delta2 = cache["Yhat"] - Y1
    rng = np.random.default_rng(2024)
    return [_dense_backward_case("seed 001's layer 2 in the row layout: dZ = delta2 (1, 2), H_prev = h1 (1, 3)",
                                 delta2, cache["H1"], q["W2"]),
            _dense_backward_case("a batch of 4 rows, 3 -> 2", np.round(rng.uniform(-1, 1, (4, 2)), 2),
                                 np.round(rng.uniform(-1, 1, (4, 3)), 2), np.round(rng.uniform(-1, 1, (3, 2)), 2))]


def _dense_backward_hidden(rng, i):
    n, n_in, n_out = (int(v) for v in rng.integers(2, 7, size=3))
    if n_in == n_out:
        n_out += 1
    return _dense_backward_case(f"random case {i + 1}: a batch of {n} rows, {n_in} -> {n_out}",
                                _rand(rng, n, n_out), _rand(rng, n, n_in, scale=2), _rand(rng, n_in, n_out))


def _deltas_case(label, params, X, Y, act, layout):
    L = _net.n_layers(params)
    cache = _net.forward(params, X, activation=act, layout=layout)
    _, terms = _net.backward(params, cache, Y, activation=act, layout=layout, reduction="sum")
    expected = {f"delta{l}": terms[f"delta{l}"] for l in range(1, L + 1)}
    f, df = _act_fns(act)

    def without_fprime():
        # the same sweep with f' = 1: a cache of the identity activation (H_l = Z_l) and the same logits
        flat = {**cache, **{f"H{l}": cache[f"Z{l}"] for l in range(1, L)}}
        _, t = _net.backward(params, flat, Y, activation="identity", layout=layout, reduction="sum")
        return {k: t[k] for k in expected if k != f"delta{L}"}
    return Case(label, (params, cache, Y, df, layout), expected,
                lambda: [("missing_fprime", "the hidden deltas match backpropagation without the activation's "
                                            "derivative f'(z) (missing f').", without_fprime())])


def _deltas_public():
    q = seed001()
    rng = np.random.default_rng(303)
    p3 = {k: np.round(v, 2) for k, v in _rand_params(rng, [3, 4, 3, 2]).items()}
    X3 = np.round(rng.uniform(-2, 2, (2, 3)), 1)
    Y3 = np.array([[1.0, 0.0], [0.0, 1.0]])
    p3c = {k: (v.T.copy() if k.startswith("W") else v) for k, v in p3.items()}
    return [_deltas_case("seed 001 (columns, one sample, 2 layers)", q["params"], q["X"], q["Y"],
                         "relu_plus_sin", "columns"),
            _deltas_case("a 3-4-3-2 tanh network, a batch of 2, rows", p3, X3, Y3, "tanh", "rows"),
            _deltas_case("the same network in the columns layout", p3c, X3.T.copy(), Y3.T.copy(), "tanh", "columns")]


def _deltas_hidden(rng, i):
    layout = ("rows", "columns")[i % 2]
    L = (3, 3, 2, 4)[i % 4]
    sizes = _rand_sizes(rng, L, 2, 5)
    n = int(rng.integers(2, 6))
    act = ACT_NAMES[int(rng.integers(0, len(ACT_NAMES)))]
    p = _rand_params(rng, sizes)
    X, Y = _rand(rng, n, sizes[0], scale=2), _one_hot_rows(rng, n, sizes[-1])
    if layout == "columns":
        p = {k: (v.T.copy() if k.startswith("W") else v) for k, v in p.items()}
        X, Y = X.T.copy(), Y.T.copy()
    return _deltas_case(f"random case {i + 1}: {L} layers {'-'.join(map(str, sizes))}, {act}, {layout} layout, "
                        f"a batch of {n}", p, X, Y, act, layout)


def _grads_without_fprime(params, X, Y, act, lam):
    """The gradients (mean over the batch, L2 penalty) that backpropagation gives with f' taken as 1."""
    Ws, bs, shapes = _net.check_params(params)
    Zs, Hs = _net._forward_rows(Ws, bs, np.asarray(X, float), _act.ACTIVATIONS[act].f, _losses.softmax)
    dWs, dbs, _, _ = _net._backward_rows(Ws, Zs, Hs, (Hs[-1] - Y) / X.shape[0], np.ones_like)
    pen = _reg.penalty_gradients(params, lam, "l2")
    out = {}
    for l in range(1, len(Ws) + 1):
        out[f"W{l}"] = dWs[l - 1] + pen[f"W{l}"]
        out[f"b{l}"] = dbs[l - 1].reshape(shapes[l - 1]) + pen[f"b{l}"]
    return out


def _mlp_backward_case(label, params, X, Y, act, lam):
    f, df = _act_fns(act)
    cache = _net.forward(params, X, activation=act)

    def grads(**kw):
        opts = dict(activation=act, reduction="mean", lam=lam, penalty_kind="l2")
        opts.update(kw)
        return _net.backward(params, cache, Y, **opts)[0]

    expected = grads()

    def mistakes():
        n = X.shape[0]
        out = []
        if lam > 0:
            out.append(("half_convention", "the penalty's part of the gradient is lam*W (the ½λ convention), "
                                           "not the 2*lam*W of lam * sum(w^2).", grads(penalty_kind="l2_half")))
            out.append(("penalised_biases", "the bias gradients include a penalty term; only the weights are "
                                            "penalised.", grads(include_biases=True)))
        if _net.n_layers(params) > 1:
            out.append(("missing_fprime", "the gradients of the hidden layers match backpropagation without the "
                                          "activation's derivative f'(z) (missing f').",
                        _grads_without_fprime(params, X, Y, act, lam)))
        if n > 1:
            out.append(("sum_not_mean", "the data part of the gradient is summed over the batch, not averaged.",
                        grads(reduction="sum")))
        data, pen = grads(lam=0.0), _reg.penalty_gradients(params, lam, "l2")
        out.append(("sign", "the data part of the gradient has the wrong sign (the penalty's part does not).",
                    {k: pen[k] - data[k] for k in data}))
        return out
    return Case(label, (params, X, Y, f, df, lam), expected, mistakes)


def _mlp_backward_public():
    p, X, Y = _rows_seed000()
    q, X1, Y1 = _rows_seed001()
    return [_mlp_backward_case("seed 001 in the row layout (ReLU + sin), lam = 0", q, X1, Y1, "relu_plus_sin", 0.0),
            _mlp_backward_case("seed 000 (ReLU, saturated), lam = 0.01", p, X, Y, "relu", 0.01)]


def _mlp_backward_hidden(rng, i):
    L = (2, 3, 2, 3, 1, 4)[i % 6]
    sizes = _rand_sizes(rng, L, 2, 5)
    n = int(rng.integers(2, 6))
    act = ACT_NAMES[int(rng.integers(0, len(ACT_NAMES)))]
    lam = float(rng.uniform(0.005, 0.2))
    return _mlp_backward_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} {'-'.join(map(str, sizes))}, "
                              f"{act}, a batch of {n}, lam = {lam:.3f}",
                              _rand_params(rng, sizes), _rand(rng, n, sizes[0], scale=2),
                              _one_hot_rows(rng, n, sizes[-1]), act, lam)


def _gradcheck_case(label, f, params, grads, eps):
    numeric = _gc.numerical_gradient(f, params, eps)
    expected = {k: _gc.relative_error(grads[k], numeric[k]) for k in params}

    def mistakes():
        absolute = {k: float(np.linalg.norm(np.asarray(grads[k], float) - numeric[k])) for k in params}
        return [("not_relative", "the errors match the norm of the difference ||g - n|| alone, without "
                                 "dividing by the sizes of the two gradients.", absolute)]
    return Case(label, (f, params, grads, eps), expected, mistakes)


def _bugged(rng, grads, names):
    """Copies of ``grads`` with a typical bug in the entries ``names``: sign, half, transposed (square), noise."""
    out = {k: np.array(v, float) for k, v in grads.items()}
    for j, k in enumerate(names):
        v = out[k]
        kind = j % 3
        if kind == 0:
            out[k] = -v
        elif kind == 1:
            out[k] = 0.5 * v
        else:
            out[k] = v + rng.uniform(-0.5, 0.5, size=v.shape)
    return out


def _gradcheck_public():
    q = seed001()
    opts = {"activation": q["activation"], "layout": q["layout"]}

    def f(p):
        return _net.loss_value(p, q["X"], q["Y"], **opts)
    g, _ = _net.backward(q["params"], _net.forward(q["params"], q["X"], **opts), q["Y"], **opts)
    wrong = dict(g)
    wrong["W2"] = -g["W2"]
    wrong["b1"] = 0.5 * g["b1"]
    return [_gradcheck_case("seed 001, backprop's gradients, eps = 1e-5", f, q["params"], g, 1e-5),
            _gradcheck_case("seed 001, with dL/dW2's sign flipped and dL/db1 halved", f, q["params"], wrong, 1e-5)]


def _gradcheck_hidden(rng, i):
    L = int(rng.integers(1, 3))
    sizes = _rand_sizes(rng, L, 2, 4)
    p = _rand_params(rng, sizes)
    n = int(rng.integers(1, 4))
    X, Y = _rand(rng, n, sizes[0], scale=2), _one_hot_rows(rng, n, sizes[-1])
    act = ("tanh", "sigmoid")[i % 2]

    def f(p_, X=X, Y=Y, act=act):
        return _net.loss_value(p_, X, Y, activation=act)
    g, _ = _net.backward(p, _net.forward(p, X, activation=act), Y, activation=act)
    names = [k for k in p if rng.random() < 0.5] or ["W1"]
    return _gradcheck_case(f"random case {i + 1}: a {'-'.join(map(str, sizes))} {act} network, "
                           f"{len(names)} of {len(p)} gradients with a bug", f, p, _bugged(rng, g, names), 1e-5)


def own_gradient_check(mlp_backward, gradient_check, seed=0):
    """Your gradient check on your backward pass: a random 3-4-3-2 tanh network with a penalty.

    Prints, for every parameter, the relative error your ``gradient_check`` finds between your
    ``mlp_backward`` and central differences of the loss (from ``mlp_helpers.loss_value``), or
    "not done yet" while either function is an empty stub.  Returns the dict of errors (not shown
    again in a notebook) or None.
    """
    rng = np.random.default_rng(seed)
    sizes = [3, 4, 3, 2]
    params = _rand_params(rng, sizes)
    X, Y = _rand(rng, 5, 3, scale=2), _one_hot_rows(rng, 5, 2)
    lam = 0.01
    f, df = _act_fns("tanh")
    try:
        grads = mlp_backward(copy.deepcopy(params), X.copy(), Y.copy(), f, df, lam)
        if grads is None or grads is Ellipsis:
            print("… not done yet: write mlp_backward first, then run this cell again.")
            return None
        errors = gradient_check(lambda p: _net.loss_value(p, X, Y, activation="tanh", lam=lam),
                                copy.deepcopy(params), grads, 1e-5)
        if errors is None or errors is Ellipsis:
            print("… not done yet: write gradient_check first, then run this cell again.")
            return None
        for k in params:
            err = float(errors[k])
            verdict = "agree" if err < 1e-6 else "DISAGREE: one of the two has a bug"
            size = "< 1e-6" if err < 1e-6 else f"= {err:.1e}"
            print(f"{k}: relative error {size}  ->  backward and finite differences {verdict}")
        return _Shown(errors)
    except Exception as exc:  # the student's code: report, do not crash the notebook
        print(f"✗ raised {type(exc).__name__}: {exc}")
        return None


# ====================================================== 04 · the update
def _sgd_case(label, params, grads, lr):
    expected = _optim.sgd_step(params, grads, lr)
    uphill = {k: np.asarray(params[k], float) + lr * np.asarray(grads[k], float) for k in params}
    return Case(label, (params, grads, lr), expected,
                lambda: [("wrong_direction", "the step goes along the gradient (uphill), not against it.", uphill)])


def _sgd_public():
    q = seed001()
    opts = {"activation": q["activation"], "layout": q["layout"]}
    g, _ = _net.backward(q["params"], _net.forward(q["params"], q["X"], **opts), q["Y"], **opts)
    s = seed000()
    ones = {k: np.ones_like(v) for k, v in s["params"].items()}
    return [_sgd_case("seed 001, lr = 0.001", q["params"], g, 0.001),
            _sgd_case("seed 000 with every gradient 1, lr = 0.5", s["params"], ones, 0.5)]


def _sgd_hidden(rng, i):
    L, sizes, p = _rand_net_params(rng, i)
    g = {k: _rand(rng, *v.shape) for k, v in p.items()}
    lr = float(rng.uniform(0.01, 1.0))
    return _sgd_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} {'-'.join(map(str, sizes))}, "
                     f"lr = {lr:.3f}", p, g, lr)


def _momentum_case(label, params, grads, velocity, lr, mu):
    new_p, new_v = _optim.momentum_step(params, grads, velocity, lr, mu)
    expected = {f"params[{k!r}]": v for k, v in new_p.items()}
    expected.update({f"velocity[{k!r}]": v for k, v in new_v.items()})
    v0 = velocity if velocity is not None else {k: np.zeros(np.shape(v)) for k, v in params.items()}

    def mistakes():
        plain = {f"params[{k!r}]": np.asarray(params[k], float) - lr * np.asarray(grads[k], float) for k in params}
        up_v = {k: mu * np.asarray(v0[k], float) + lr * np.asarray(grads[k], float) for k in params}
        up = {f"params[{k!r}]": np.asarray(params[k], float) + up_v[k] for k in params}
        out = [("wrong_direction", "the step goes along the gradient (uphill), not against it.", up)]
        if velocity is not None:
            out.append(("no_momentum", "the new parameters ignore the old velocity: a plain SGD step.", plain))
        return out
    return Case(label, (params, grads, velocity, lr, mu), expected, mistakes)


def _momentum_outputs(answer, case):
    parts = _as_tuple(answer, ["new_params", "new_velocity"])
    keys = [k[len("params['"):-2] for k in case.expected if k.startswith("params[")]
    p = _as_dict(parts["new_params"], keys, "new_params")
    v = _as_dict(parts["new_velocity"], keys, "new_velocity")
    out = {f"params[{k!r}]": p[k] for k in keys}
    out.update({f"velocity[{k!r}]": v[k] for k in keys})
    return out


def _momentum_public():
    q = seed001()
    opts = {"activation": q["activation"], "layout": q["layout"]}
    g, _ = _net.backward(q["params"], _net.forward(q["params"], q["X"], **opts), q["Y"], **opts)
    _, v1 = _optim.momentum_step(q["params"], g, None, 0.1, 0.9)
    return [_momentum_case("seed 001, first step (velocity None), lr = 0.1, momentum = 0.9", q["params"], g, None,
                           0.1, 0.9),
            _momentum_case("seed 001, a second step with the first step's velocity", q["params"], g, v1, 0.1, 0.9)]


def _momentum_hidden(rng, i):
    L, sizes, p = _rand_net_params(rng, i)
    g = {k: _rand(rng, *v.shape) for k, v in p.items()}
    v = None if i % 3 == 0 else {k: _rand(rng, *w.shape, scale=0.3) for k, w in p.items()}
    lr, mu = float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.95))
    return _momentum_case(f"random case {i + 1}: {L} layer{'s' if L > 1 else ''} {'-'.join(map(str, sizes))}, "
                          f"{'no velocity yet' if v is None else 'a given velocity'}, lr = {lr:.3f}, "
                          f"momentum = {mu:.2f}", p, g, v, lr, mu)


def _reference_epoch(params, X, labels, order, lr, batch_size, act, reduction="mean", drop_last=False):
    Y = _losses.one_hot(np.asarray(labels), params[f"W{_net.n_layers(params)}"].shape[1])
    p = {k: np.asarray(v, float) for k, v in params.items()}
    for start in range(0, len(order), batch_size):
        idx = np.asarray(order[start:start + batch_size])
        if drop_last and len(idx) < batch_size:
            break
        cache = _net.forward(p, X[idx], activation=act)
        grads, _ = _net.backward(p, cache, Y[idx], activation=act, reduction=reduction)
        p = _optim.sgd_step(p, grads, lr)
    return p


def _epoch_case(label, params, X, labels, order, lr, batch_size, act):
    expected = _reference_epoch(params, X, labels, order, lr, batch_size, act)

    def mistakes():
        out = [("ignores_order", "the parameters match an epoch over the samples in their stored order, "
                                 "not in the order given.",
                _reference_epoch(params, X, labels, np.arange(len(order)), lr, batch_size, act))]
        if len(order) % batch_size:
            out.append(("drops_last_batch", "the last, smaller batch is left out of the epoch.",
                        _reference_epoch(params, X, labels, order, lr, batch_size, act, drop_last=True)))
        out.append(("sum_not_mean", "each batch's gradient is the sum over its samples, not the mean.",
                    _reference_epoch(params, X, labels, order, lr, batch_size, act, reduction="sum")))
        return out
    return Case(label, (params, X, labels, order, lr, batch_size, act), expected, mistakes)


def _small_problem(rng, n, n_in, n_classes, hidden):
    X = rng.normal(0.0, 1.0, size=(n, n_in))
    labels = rng.integers(0, n_classes, size=n)
    if n_in >= n_classes:  # a learnable signal: class c pushes feature c up
        X[:, :n_classes] += 1.5 * _losses.one_hot(labels, n_classes)
    params = _rand_params(rng, [n_in, hidden, n_classes], scale=0.8, bias_scale=0.1)
    return params, X, labels


def _epoch_public():
    from .datasets import make_moons

    X, labels = make_moons(10, noise=0.1, seed=1)
    params = _net.init_params([2, 4, 2], seed=0)
    order = np.array([3, 7, 0, 9, 1, 4, 8, 2, 6, 5])
    return [_epoch_case("10 moons points, a 2-4-2 ReLU network, batches of 4 (4 + 4 + 2), lr = 0.5",
                        params, X, labels, order, 0.5, 4, "relu"),
            _epoch_case("the same with batches of 5 and tanh, lr = 0.2", params, X, labels, order[::-1].copy(), 0.2,
                        5, "tanh")]


def _epoch_hidden(rng, i):
    n, n_in, k, h = int(rng.integers(7, 16)), int(rng.integers(2, 5)), int(rng.integers(2, 4)), int(rng.integers(2, 6))
    params, X, labels = _small_problem(rng, n, n_in, k, h)
    batch = int(rng.integers(2, 6))
    lr = float(rng.uniform(0.05, 0.5))
    act = ACT_NAMES[int(rng.integers(0, len(ACT_NAMES)))]
    return _epoch_case(f"random case {i + 1}: {n} samples, a {n_in}-{h}-{k} {act} network, batches of {batch}, "
                       f"lr = {lr:.3f}", params, X, labels, rng.permutation(n), lr, batch, act)


def _train_reference(params, X, labels, epochs, lr, batch_size, seed, lam, same_order=False):
    if not same_order:
        p, hist = _optim.train(params, X, labels, epochs=epochs, lr=lr, batch_size=batch_size, lam=lam,
                               penalty_kind="l2", seed=seed, record="full")
        return p, hist["loss"]
    p, losses = params, []
    Y = _losses.one_hot(np.asarray(labels), params[f"W{_net.n_layers(params)}"].shape[1])
    for _ in range(epochs):  # the mistake: a new generator each epoch, so every epoch has the same order
        p, _ = _optim.train(p, X, labels, epochs=1, lr=lr, batch_size=batch_size, lam=lam, penalty_kind="l2",
                            seed=seed, record=None)
        losses.append(_net.loss_value(p, X, Y, lam=lam))
    return p, losses


def _train_case(label, params, X, labels, epochs, lr, batch_size, seed, lam):
    p, losses = _train_reference(params, X, labels, epochs, lr, batch_size, seed, lam)
    expected = dict(p)
    expected["losses"] = np.asarray(losses)

    def mistakes():
        q, ls = _train_reference(params, X, labels, epochs, lr, batch_size, seed, lam, same_order=True)
        out = dict(q)
        out["losses"] = np.asarray(ls)
        return [("same_order_every_epoch", "every epoch visits the samples in the same order: the shuffling "
                                           "generator starts again at each epoch.", out)] if epochs > 1 else []
    return Case(label, (params, X, labels, epochs, lr, batch_size, seed, lam), expected, mistakes)


def _train_outputs(answer, case):
    parts = _as_tuple(answer, ["params", "losses"])
    keys = [k for k in case.expected if k != "losses"]
    out = _as_dict(parts["params"], keys, "params")
    out["losses"] = parts["losses"]
    return out


def _train_public():
    from .datasets import make_moons

    X, labels = make_moons(20, noise=0.2, seed=2)
    params = _net.init_params([2, 5, 2], seed=1)
    return [_train_case("20 moons points, a 2-5-2 network, 3 epochs, lr = 0.5, batches of 8, seed 0, lam = 0",
                        params, X, labels, 3, 0.5, 8, 0, 0.0),
            _train_case("the same, 2 epochs, batches of 6, seed 7, lam = 0.01", params, X, labels, 2, 0.5, 6, 7, 0.01)]


def _train_hidden(rng, i):
    n, n_in, k, h = int(rng.integers(8, 20)), int(rng.integers(2, 5)), int(rng.integers(2, 4)), int(rng.integers(2, 6))
    params, X, labels = _small_problem(rng, n, n_in, k, h)
    epochs, batch = int(rng.integers(2, 5)), int(rng.integers(3, 7))
    lr, lam = float(rng.uniform(0.05, 0.5)), float((0.0, 0.01, 0.05)[i % 3])
    seed = int(rng.integers(0, 10_000))
    return _train_case(f"random case {i + 1}: {n} samples, a {n_in}-{h}-{k} ReLU network, {epochs} epochs, "
                       f"batches of {batch}, lr = {lr:.3f}, lam = {lam}, seed {seed}",
                       params, X, labels, epochs, lr, batch, seed, lam)


# ================================================================= registry
def _dict_outputs(what):
    return lambda answer, case: _as_dict(answer, _keys_of(case), what)


_LIST = [
    # 01 · the forward pass
    Exercise("z_entry", "01_forward_pass", "one entry z_j of a layer's pre-activation, as an explicit sum",
             _z_entry_public, _z_entry_hidden, _single("z_j"), ("forward",)),
    Exercise("dense_forward", "01_forward_pass", "a whole layer Z = XW + b over a batch (row layout)",
             _dense_public, _dense_hidden, _single("Z"), ("forward",)),
    Exercise("softmax_rows", "01_forward_pass", "a numerically stable softmax of every row of a batch",
             _softmax_public, _softmax_hidden, _single("Yhat"), ("softmax", "log_softmax", "forward")),
    Exercise("cross_entropy_from_logits", "01_forward_pass", "the mean cross-entropy of a batch, from the logits",
             _ce_public, _ce_hidden, _single("L"),
             ("cross_entropy_from_logits", "cross_entropy", "log_softmax", "loss_value"), rtol=1e-6, atol=1e-15),
    Exercise("mlp_forward", "01_forward_pass", "the forward pass of a network of any depth",
             _mlp_forward_public, _mlp_forward_hidden, _dict_outputs("the forward pass"), ("forward", "loss_value")),
    # 02 · regularization
    Exercise("l2_penalty", "02_regularization", "the L2 penalty lam * sum of w^2 over every weight matrix",
             _l2_public, _l2_hidden, _single("penalty"), ("penalty", "loss_value")),
    Exercise("l2_penalty_gradients", "02_regularization", "the gradient of the L2 penalty for every parameter",
             _l2_grad_public, _l2_grad_hidden, _dict_outputs("the gradient"), ("penalty_gradients", "backward")),
    Exercise("decay_step", "02_regularization", "one gradient-descent step with the L2 penalty (weight decay)",
             _decay_public, _decay_hidden, _dict_outputs("the new parameters"),
             ("sgd_step", "momentum_step", "penalty_gradients", "backward")),
    Exercise("numerical_gradient", "02_regularization", "central differences for every entry of every parameter",
             _numgrad_public, _numgrad_hidden, _dict_outputs("the gradient"),
             ("numerical_gradient", "gradient_check", "penalty_gradients", "backward"), rtol=1e-6, atol=1e-7),
    # 03 · backpropagation
    Exercise("output_delta", "03_backprop", "the output error delta = softmax(Z) - Y of a batch",
             _out_delta_public, _out_delta_hidden, _single("delta"), ("softmax_cross_entropy_delta", "backward")),
    Exercise("dense_backward", "03_backprop", "a layer's backward pass over a batch: dW, db and dH_prev",
             _dense_backward_public, _dense_backward_hidden,
             lambda answer, case: _as_tuple(answer, ["dW", "db", "dH_prev"]), ("backward",)),
    Exercise("deltas", "03_backprop", "every layer's delta, in the rows and in the columns layout",
             _deltas_public, _deltas_hidden, _dict_outputs("the deltas"), ("backward", "gradient_check")),
    Exercise("mlp_backward", "03_backprop", "forward and backward pass of any depth, with the L2 penalty",
             _mlp_backward_public, _mlp_backward_hidden, _dict_outputs("the gradient"),
             ("backward", "forward", "loss_value", "penalty_gradients", "numerical_gradient", "gradient_check")),
    Exercise("gradient_check", "03_backprop", "a gradient check from scratch: central differences and relative errors",
             _gradcheck_public, _gradcheck_hidden, _dict_outputs("the relative errors"),
             ("numerical_gradient", "relative_error", "gradient_check"), rtol=1e-5, atol=1e-7),
    # 04 · the update
    Exercise("sgd_step", "04_update", "one gradient-descent step for every parameter",
             _sgd_public, _sgd_hidden, _dict_outputs("the new parameters"), ("sgd_step", "momentum_step", "train")),
    Exercise("momentum_step", "04_update", "one step of SGD with momentum",
             _momentum_public, _momentum_hidden, _momentum_outputs, ("momentum_step", "sgd_step", "train")),
    Exercise("run_epoch", "04_update", "one epoch of minibatch SGD in a given order",
             _epoch_public, _epoch_hidden, _dict_outputs("the new parameters"), ("train",), n_hidden=4),
    Exercise("train", "04_update", "the whole training loop: shuffling, minibatches, penalty, loss per epoch",
             _train_public, _train_hidden, _train_outputs, ("train",), n_hidden=4),
]

EXERCISES: dict[str, Exercise] = {ex.name: ex for ex in _LIST}
