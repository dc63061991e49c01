r"""Batches and generalisation (notebook 06): the batched backward pass and an honest protocol.

* :func:`layer_gradients` is the batched backward pass of one layer,
  :math:`\partial L/\partial W = H^\top\Delta / B` and
  :math:`\partial L/\partial b = \frac1B\sum_\text{rows}\Delta` for the mean
  loss, where the rows of :math:`\Delta` (shape ``(B, n_out)``) are the
  per-sample error terms :math:`\delta_i = \partial\ell_i/\partial z_i`.
* :func:`per_sample_gradients` is the slow reference: one
  :func:`mlp_helpers.backward` call per sample, averaged.
* :func:`check_layer_gradients` grades a student's ``layer_gradients`` on
  hidden random inputs and says what kind of mistake it made.
* :func:`train_val_test_split`, :func:`train_schedule` and
  :func:`select_on_validation`: choose every setting on the validation set,
  then report the test set once.
* :func:`overfitting_setting`, :func:`heldout_accuracy` and :func:`lambda_grid`:
  a small noisy problem with many weights where an unregularised network
  overfits, trained for every (λ, seed) with an L2 or an L1 penalty (the
  setting of notebook 06's λ demo and of notebook 02's measured demo).

Everything is in the rows layout (one sample per row).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import backward, forward, init_params, predict, train
from ._validate import as_float_array, check_choice, check_scalar
from .check import Diagnosis, diagnose
from .datasets import make_moons


# ------------------------------------------------------- batched backward
def layer_gradients(H, Delta):
    r"""The batched backward pass of one layer :math:`Z = HW + b` for the mean loss.

    H : shape ``(B, n_in)``, the layer's inputs, one sample per row.
    Delta : shape ``(B, n_out)``, row i = :math:`\delta_i = \partial\ell_i/\partial z_i`
        (the per-sample error terms, *not* divided by B).

    Returns ``(dW, db)``: ``dW = Hᵀ Δ / B`` of shape ``(n_in, n_out)`` and
    ``db = Σ_rows Δ / B`` of shape ``(n_out,)``.
    """
    H = as_float_array("H", H, ndim=2)
    Delta = as_float_array("Delta", Delta, ndim=2)
    if Delta.shape[0] != H.shape[0]:
        raise ValueError(f"Delta: expected {H.shape[0]} rows (one per row of H), got shape {Delta.shape}")
    if H.shape[0] == 0:
        raise ValueError("H: expected at least one sample (row), got shape " f"{H.shape}")
    B = H.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        dW, db = H.T @ Delta / B, Delta.sum(axis=0) / B
    if not (np.all(np.isfinite(dW)) and np.all(np.isfinite(db))):
        raise ValueError("H, Delta: the products or sums overflow float64 (entries near 1e308); "
                         "expected values of a sensible size")
    return dW, db


def per_sample_gradients(params, X, Y, activation="relu", loss="cross_entropy"):
    r"""The mean over samples of one-sample gradients: :math:`\frac1B\sum_i \nabla\ell_i`.

    params : dict ``W1, b1, ...`` (rows layout).
    X : shape ``(B, n_in)``; Y : targets of shape ``(B, n_out)``.

    Calls :func:`mlp_helpers.forward`/:func:`mlp_helpers.backward` once per
    row (a 1-D sample), so it is the slow reference for the batched pass.
    Returns a dict with the keys and shapes of ``params``.
    """
    X = as_float_array("X", X, ndim=2)
    Y = as_float_array("Y", Y, ndim=2)
    if X.shape[0] == 0:
        raise ValueError(f"X: expected at least one sample (row), got shape {X.shape}")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y: expected {X.shape[0]} rows (one per row of X), got shape {Y.shape}")
    total = None
    for x, y in zip(X, Y):
        g, _ = backward(params, forward(params, x, activation, loss), y, activation, loss)
        total = g if total is None else {k: total[k] + g[k] for k in total}
    return {k: v / X.shape[0] for k, v in total.items()}


# ------------------------------------------------ the graded exercise
EXERCISE_SHAPES = ((5, 3, 2), (7, 4, 3), (2, 6, 1))  # (B, n_in, n_out) of the hidden inputs
_SECRET = 20261122


def exercise_inputs(seed=_SECRET):
    """Random ``(H, Delta)`` pairs, one per shape in ``EXERCISE_SHAPES`` (hidden test inputs)."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(B, n_in)), rng.normal(size=(B, n_out))) for B, n_in, n_out in EXERCISE_SHAPES]


def _diagnose_batched(name, answer, expected, B):
    d = diagnose(name, answer, expected)
    if d.code in ("wrong", "factor_2", "factor_half"):
        a = np.asarray(answer, dtype=float)
        if B > 1 and a.shape == expected.shape and np.allclose(a, B * expected, rtol=1e-6, atol=1e-9):
            return Diagnosis(False, "factor_B", f"your {name} is B = {B} times too large: you summed over the "
                                                "batch but forgot to divide by B (the loss is the mean).")
        if B > 1 and a.shape == expected.shape and np.allclose(a * B, expected, rtol=1e-6, atol=1e-9):
            return Diagnosis(False, "factor_B", f"your {name} is B = {B} times too small: divide by B once, "
                                                "not twice.")
    if d.code == "shape" and np.ndim(answer) >= 1 and np.shape(answer)[0] == B and expected.ndim == 1:
        return Diagnosis(False, "axis", f"your {name} has shape {np.shape(answer)}, one entry per sample: you "
                                        f"summed over the wrong axis; sum over the rows (axis=0) to get shape "
                                        f"{expected.shape}.")
    return d


def check_layer_gradients(student_fn, seed=_SECRET):
    r"""Grade ``student_fn(H, Delta) -> (dW, db)`` on hidden random inputs.

    Runs it on every pair of :func:`exercise_inputs` (several shapes, so a
    hard-coded answer fails) and compares with :func:`layer_gradients`.
    Returns the first :class:`~mlp_helpers.check.Diagnosis` that is not
    correct (codes of :func:`~mlp_helpers.check.diagnose` plus ``"factor_B"``:
    forgot or repeated the 1/B; ``"axis"``: a sum over the wrong axis; and
    ``"error"``: the function raised), or the correct one.
    """
    if not callable(student_fn):
        raise TypeError(f"student_fn: expected a function (H, Delta) -> (dW, db), got {type(student_fn).__name__}")
    for H, Delta in exercise_inputs(seed):
        B = H.shape[0]
        try:
            out = student_fn(H.copy(), Delta.copy())
        except Exception as exc:  # a student's bug, reported as a diagnosis, not a crash
            return Diagnosis(False, "error", f"your function raised {type(exc).__name__}: {exc} "
                                            f"(on H of shape {H.shape}, Delta of shape {Delta.shape}).")
        if out is None or out is Ellipsis:
            return diagnose("dW", None if out is None else ..., np.zeros(1))
        if not (isinstance(out, tuple) and len(out) == 2):
            return Diagnosis(False, "wrong", "your function must return a pair (dW, db).")
        dW_e, db_e = layer_gradients(H, Delta)
        for name, answer, expected in (("dW", out[0], dW_e), ("db", out[1], db_e)):
            d = _diagnose_batched(name, answer, expected, B)
            if not d.ok:
                return Diagnosis(False, d.code, d.message + f" (hidden test with B = {B}, H of shape {H.shape})")
    return Diagnosis(True, "correct", f"dW and db are correct on all {len(EXERCISE_SHAPES)} hidden tests.")


# --------------------------------------------- train / validation / test
def train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), seed=0):
    """Shuffle with ``default_rng(seed)`` and split three ways.

    X : shape ``(n, ...)``; y : shape ``(n,)`` (or ``(n, ...)``).
    fractions : (train, validation, test), positive, summing to 1.
    Returns ``X_train, X_val, X_test, y_train, y_val, y_test``; each part
    has at least one row.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or X.shape[0] < 3:
        raise ValueError(f"X: expected at least 3 rows to split three ways, got shape {X.shape}")
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y: expected {X.shape[0]} labels (one per row of X), got shape {y.shape}")
    f = as_float_array("fractions", fractions, ndim=1)
    if f.shape != (3,) or np.any(f <= 0) or not np.isclose(f.sum(), 1.0):
        raise ValueError(f"fractions: expected 3 positive numbers (train, validation, test) summing to 1, got {fractions!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    n = X.shape[0]
    n_val, n_test = max(1, int(round(f[1] * n))), max(1, int(round(f[2] * n)))
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(f"fractions: {fractions!r} leaves no training rows out of {n}")
    order = np.random.default_rng(seed).permutation(n)
    tr, va, te = order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]
    return X[tr], X[va], X[te], y[tr], y[va], y[te]


def train_schedule(params, X, labels, schedule, lam=0.0, batch_size=32, seed=0, X_val=None, labels_val=None,
                   activation="relu"):
    """Minibatch SGD (:func:`mlp_helpers.train`) through a piecewise-constant learning-rate schedule.

    schedule : list of ``(n_epochs, lr)`` phases, e.g. ``[(20, 0.2)]`` (constant)
        or ``[(10, 0.2), (10, 0.05)]`` (step decay).  Phase k shuffles with seed ``seed + k``.
    Returns ``(params, history)`` like :func:`mlp_helpers.train`, the
    histories of the phases joined (one entry per epoch).  Training for the
    first m epochs of a schedule gives exactly the parameters the full run
    had after epoch m (see :func:`truncate_schedule`).
    """
    if not isinstance(schedule, (list, tuple)) or not schedule:
        raise ValueError(f"schedule: expected a non-empty list of (n_epochs, lr) phases, got {schedule!r}")
    history = {}
    for k, phase in enumerate(schedule):
        if not (isinstance(phase, (list, tuple)) and len(phase) == 2):
            raise ValueError(f"schedule: phase {k} must be a pair (n_epochs, lr), got {phase!r}")
        epochs = check_scalar("schedule", phase[0], low=1, integer=True)
        lr = check_scalar("schedule", phase[1], low=0.0, low_inclusive=False)
        params, h = train(params, X, labels, epochs=epochs, lr=lr, batch_size=batch_size, lam=lam,
                          seed=seed + k, X_val=X_val, labels_val=labels_val, activation=activation)
        for key, values in h.items():
            history.setdefault(key, []).extend(values)
    return params, history


def truncate_schedule(schedule, epochs):
    """The first ``epochs`` epochs of ``schedule`` (a list of ``(n_epochs, lr)``) as a schedule."""
    total = sum(int(n) for n, _ in schedule)
    epochs = check_scalar("epochs", epochs, low=1, high=total, integer=True)
    out, left = [], epochs
    for n, lr in schedule:
        if left <= 0:
            break
        out.append((min(int(n), left), lr))
        left -= int(n)
    return out


def select_on_validation(val_scores):
    """The index of the best validation score (the highest; a tie goes to the first).

    val_scores : 1-D sequence of floats, one per candidate setting, in the
    order you would prefer them when tied (simplest first).
    Returns an int.  The test set takes no part: evaluate it once, afterwards,
    for the chosen candidate only.
    """
    s = as_float_array("val_scores", val_scores, ndim=1)
    if s.size == 0:
        raise ValueError("val_scores: expected at least one score, got an empty sequence")
    return int(np.argmax(s))


# ------------------------------------------------- the overfitting demo
OVERFIT = {"n_train": 40, "n_test": 400, "noise": 0.2, "n_nuisance": 10, "width": 100,
           "epochs": 150, "lr": 1.0}
LOG10_LAMBDAS = (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5)  # the slider's positions
LAMBDAS = (0.0,) + tuple(10.0 ** v for v in LOG10_LAMBDAS)  # λ = 0 is the baseline
SEEDS = tuple(range(8))
PENALTY_KINDS = ("l2", "l1")  # the penalties the demos compare (mlp_helpers.PENALTIES has more)


def overfitting_setting(seed=0, n_train=OVERFIT["n_train"], n_test=OVERFIT["n_test"], noise=OVERFIT["noise"],
                        n_nuisance=OVERFIT["n_nuisance"]):
    """A small noisy problem with many weights: two moons plus pure-noise input features.

    Columns 0-1 are :func:`mlp_helpers.datasets.make_moons` (``noise``),
    columns 2.. are ``n_nuisance`` standard-normal features unrelated to the
    label.  Returns ``X_train (n_train, 2 + n_nuisance), X_test, y_train, y_test``,
    all drawn from ``seed``.
    """
    n_train = check_scalar("n_train", n_train, low=2, integer=True)
    n_test = check_scalar("n_test", n_test, low=1, integer=True)
    n_nuisance = check_scalar("n_nuisance", n_nuisance, low=0, integer=True)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    X, y = make_moons(n_train + n_test, noise=noise, seed=seed)
    extra = np.random.default_rng(seed + 1000).normal(size=(len(X), n_nuisance))
    X = np.hstack([X, extra])
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


def heldout_accuracy(lam, seed=0, penalty_kind="l2"):
    """Train the 12-100-2 ReLU net of :data:`OVERFIT` (full-batch gradient descent) on
    :func:`overfitting_setting` ``(seed)`` with penalty strength ``lam``.

    penalty_kind : ``"l2"`` (:math:`\\lambda\\sum w^2`, gradient :math:`2\\lambda w`) or
        ``"l1"`` (:math:`\\lambda\\sum|w|`, gradient :math:`\\lambda\\,\\mathrm{sign}(w)`);
        see :data:`PENALTY_KINDS`.
    Returns ``(train_accuracy, test_accuracy)`` as floats.  The runs are deterministic and
    remembered per process (the λ = 0 run is shared by both kinds).
    """
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("penalty_kind", penalty_kind, PENALTY_KINDS)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    return _heldout(lam, int(seed), penalty_kind if lam > 0 else "l2")  # λ = 0: one run serves both kinds


@lru_cache(maxsize=1024)
def _heldout(lam, seed, penalty_kind):
    X_tr, X_te, y_tr, y_te = overfitting_setting(seed)
    p = init_params([X_tr.shape[1], OVERFIT["width"], 2], seed=seed)
    p, _ = train(p, X_tr, y_tr, epochs=OVERFIT["epochs"], lr=OVERFIT["lr"], batch_size=len(X_tr), lam=lam,
                 penalty_kind=penalty_kind, seed=seed, record=None)
    return float(np.mean(predict(p, X_tr) == y_tr)), float(np.mean(predict(p, X_te) == y_te))


def check_grid(lambdas, seeds):
    """Validate a grid of penalty strengths and seeds; returns them as tuples of floats and ints.

    lambdas : non-empty 1-D sequence of values >= 0; seeds : non-empty sequence of ints >= 0.
    """
    lambdas = as_float_array("lambdas", lambdas, ndim=1)
    if lambdas.size == 0 or np.any(lambdas < 0):
        raise ValueError(f"lambdas: expected a non-empty list of values >= 0, got {lambdas!r}")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__") or len(seeds) == 0:
        raise ValueError(f"seeds: expected a non-empty list of seeds, got {seeds!r}")
    for s in seeds:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds: expected non-negative ints, got {s!r}")
    return tuple(float(v) for v in lambdas), tuple(int(s) for s in seeds)


def lambda_grid(lambdas=LAMBDAS, seeds=SEEDS, penalty_kind="l2"):
    """Train every (λ, seed) with :func:`heldout_accuracy`; returns ``(train_acc, test_acc)``,
    arrays of shape ``(len(lambdas), len(seeds))``.

    penalty_kind : ``"l2"`` or ``"l1"`` (every λ of the grid uses it; λ = 0 is the same
        unpenalised run for both).

    The runs are deterministic, so each grid is trained once per process and
    remembered (the notebook's table and its slider share one grid); the
    arrays returned are fresh copies.
    """
    lambdas, seeds = check_grid(lambdas, seeds)
    check_choice("penalty_kind", penalty_kind, PENALTY_KINDS)
    tr, te = _grid(lambdas, seeds, penalty_kind)
    return tr.copy(), te.copy()


@lru_cache(maxsize=8)
def _grid(lambdas, seeds, penalty_kind):
    res = np.array([[heldout_accuracy(lam, s, penalty_kind) for s in seeds] for lam in lambdas])
    return res[..., 0], res[..., 1]
