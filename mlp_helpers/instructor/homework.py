r"""Homework variants: a random network with "nice" numbers, its problem statement and answer key.

``make_variant(seed, arch="4-3-2", activation="relu_plus_sin")`` draws

* weights with one decimal from -0.5 ... 0.5 (never 0), biases from
  {-0.1, -0.05, 0.05, 0.1}, inputs from {-2, -1, -0.5, 0.5, 1, 1.5, 2},
  a one-hot target (a 0/1 target for binary cross-entropy);
* and redraws (same random stream, so the same seed gives the same variant)
  until the variant satisfies the rules (:func:`rule_failures`), in hand and
  in exact arithmetic:

  ``"kink"``
      every hidden pre-activation is at least ``KINK_MARGIN`` = 0.05 away
      from each kink of the activation (0 for the ReLU family);
  ``"saturated"``
      every output probability (softmax or sigmoid output) lies in
      [``P_MIN``, 1 - ``P_MIN``] = [0.05, 0.95];
  ``"steps"``
      every update step :math:`\alpha\,\partial L/\partial\theta` of a
      nonzero gradient entry (at least ``ZERO_GRADIENT`` = 1e-12 in size) shows at the stated precision (it does not
      round to 0, so every such weight visibly changes).  With ``lr="auto"``
      (the default) :math:`\alpha` is the smallest of ``LR_CHOICES``
      (0.001 ... 1) for which that holds; a fixed ``lr`` must satisfy it.

  At most ``MAX_TRIES`` draws are made (a fixed number, so that the result
  does not depend on the machine's speed); when none satisfies the rules,
  :class:`NoVariantError` says how often each rule failed and which option
  to change.

**One key per stated rounding rule.**  ``rule="hand"`` (default): the problem
tells the student to round every intermediate to ``decimals`` places (the
rules of :mod:`mlp_helpers.instructor.worked`), and the key holds exactly those
numbers; an answer within half a unit of the last decimal counts as correct.
``rule="exact"``: the student keeps full precision and rounds only what is
written down; the key holds full-precision numbers.  Either way ``key.json``
carries the rule and the grading tolerance, and the problem text shows the
call that checks an answer against it and names every quantity of the key.

**The instructor's secret.**  ``secret=`` (on the command line ``--secret`` or
the environment variable ``MLP_HOMEWORK_SECRET``) is mixed into the seed:
without it anyone can regenerate a variant (and its key) from the public
command; with it only who knows the secret can.  Use a long random secret
(``python -c "import secrets; print(secrets.token_hex(16))"``), keep it out of
the course repository, and use the same one to regenerate a class's keys.  The
files record only *whether* a secret was used.

``write_variant(variant, out)`` writes ``problem.md``, ``problem.tex``,
``solution.md``, ``solution.tex`` (the worked solution in the stated rule's
arithmetic) and ``key.json`` (the network, the options, the rule and its key),
byte for byte the same for the same arguments.  From the shell::

    MLP_HOMEWORK_SECRET=... python -m mlp_helpers.instructor.homework --seed 7 --arch 4-3-2 --out DIR

Give students ``problem.md`` (or ``.tex``/PDF); keep ``solution.*`` and
``key.json`` until you want them to check their answers.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

from .._validate import check_choice, check_scalar
from ..activations import ACTIVATIONS
from ..check import AnswerKey
from ..check import load_key as _load_key
from ..losses import softmax
from ..regularization import PENALTIES
from .worked import (LOSS_NAMES, WorkedSolution, _Arith, _dec, _md, _pmatrix, _tex, activation_text, check_output,
                     kinks, worked_keys, worked_solution)

KINK_MARGIN = 0.05
P_MIN = 0.05
MAX_TRIES = 2000
LR_CHOICES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
SECRET_ENV = "MLP_HOMEWORK_SECRET"
RULES = ("hand", "exact")
MAX_LAM = 10.0  # the largest penalty strength a variant takes
WEIGHTS = np.round(np.arange(-5, 6) / 10, 1)
WEIGHTS = WEIGHTS[WEIGHTS != 0]
BIASES = np.array([-0.1, -0.05, 0.05, 0.1])
INPUTS = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])
FILES = ("problem.md", "problem.tex", "solution.md", "solution.tex", "key.json")
# A gradient entry smaller than this is zero up to round-off (a dead ReLU, or W2^T delta2 with equal
# weights against the +-a of a two-class softmax): its weight rightly stays, so no visible step is needed.
ZERO_GRADIENT = 1e-12


class NoVariantError(ValueError):
    """No draw satisfied the rules; ``failures`` counts the first failed rule of every draw."""

    def __init__(self, message, failures):
        super().__init__(message)
        self.failures = failures


@dataclass
class Variant:
    """One homework variant.

    params : dict, ``W1, b1, ...`` in ``layout``; x : (n_in,); y : (n_out,);
    options : dict of the worked-solution options (``lr`` the chosen
    :math:`\\alpha`, ``lr_auto`` whether it was chosen by the rules), the
    ``rule`` and whether a ``secret`` was used; solution : the
    :class:`WorkedSolution` in the rule's arithmetic; hand_key, exact_key :
    both keys (name -> array); tries : how many draws the rules needed;
    failures : how often each rule failed before.
    """

    seed: int
    sizes: tuple
    params: dict
    x: np.ndarray
    y: np.ndarray
    options: dict
    solution: WorkedSolution
    tries: int
    hand_key: dict = field(repr=False, default=None)
    exact_key: dict = field(repr=False, default=None)
    failures: Counter = field(default_factory=Counter)

    @property
    def rule(self):
        return self.options["rule"]

    @property
    def key(self):
        """The answer key of the stated rule, an :class:`mlp_helpers.check.AnswerKey` for ``check``."""
        answers = self.hand_key if self.rule == "hand" else self.exact_key
        return AnswerKey(answers, rule=self.rule, decimals=self.options["decimals"])


def parse_arch(arch):
    """'4-3-2' -> (4, 3, 2); at least two layers (three sizes), each 1..8."""
    if isinstance(arch, str):
        try:
            sizes = tuple(int(s) for s in arch.split("-"))
        except ValueError:
            raise ValueError(f"arch: expected sizes joined by '-' such as '4-3-2', got {arch!r}") from None
    else:
        try:
            items = list(arch)
        except TypeError:
            raise TypeError(f"arch: expected a string such as '4-3-2' or a list of sizes, got {arch!r}") from None
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
            raise TypeError(f"arch: expected whole-number sizes such as [4, 3, 2], got {arch!r}")
        sizes = tuple(int(v) for v in items)
    if len(sizes) < 3 or any(s < 1 or s > 8 for s in sizes):
        raise ValueError(f"arch: expected at least 3 sizes from 1 to 8 (input-hidden-output), got {arch!r}")
    return sizes


def _rng(seed, secret):
    """The variant's random stream: the seed alone, or the seed mixed with the secret's SHA-256."""
    if secret is None:
        return np.random.default_rng(seed)
    digest = hashlib.sha256(b"mlp-helpers homework secret\0" + secret.encode("utf-8")).digest()
    words = np.frombuffer(digest, dtype="<u4").tolist()
    return np.random.default_rng(np.random.SeedSequence([seed, *words]))


def _draw(rng, sizes, layout, loss):
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W = rng.choice(WEIGHTS, size=(n_out, n_in))
        b = rng.choice(BIASES, size=n_out)
        params[f"W{l}"] = W if layout == "columns" else W.T.copy()
        params[f"b{l}"] = b
    x = rng.choice(INPUTS, size=sizes[0])
    n_out = sizes[-1]
    if loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=n_out).astype(float)
    else:
        y = np.zeros(n_out)
        y[rng.integers(0, n_out)] = 1.0
    return params, x, y


def _rule_text(name, activation, decimals, lr):
    if name == "kink":
        return f"a hidden pre-activation closer than {KINK_MARGIN} to the kink of {activation}"
    if name == "saturated":
        return f"an output probability outside [{P_MIN}, {1 - P_MIN:.2f}]"
    what = "every alpha in 0.001 ... 1" if lr == "auto" else f"alpha = {lr}"
    return f"an update step alpha * dL/dtheta that rounds to 0 at {decimals} decimals (with {what})"


def _float_failure(params, x, y, activation, loss, output, layout, n_layers, lr, decimals):
    """The first rule a float64 pass already breaks ('kink', 'saturated', 'steps') or None.

    A quick pre-check before the decimal keys: float64 agrees with the exact key
    to ~1e-15, and the margins here are 1e-9 (1e-6 for the steps) looser than
    :func:`rule_failures`, so it rejects only draws that the full check rejects too.
    The steps are pre-checked for a fixed ``lr`` (a number) without a penalty (the caller passes
    ``lr=None`` otherwise); "auto" is chosen later.
    """
    act = ACTIVATIONS[activation]
    Ws = [params[f"W{l}"] if layout == "columns" else params[f"W{l}"].T for l in range(1, n_layers + 1)]
    bs = [params[f"b{l}"] for l in range(1, n_layers + 1)]
    hs, zs = [x], []
    points = kinks(activation)
    for l in range(n_layers):
        z = Ws[l] @ hs[-1] + bs[l]
        zs.append(z)
        if l < n_layers - 1:
            if any(np.any(np.abs(z - k) < KINK_MARGIN - 1e-9) for k in points):
                return "kink"
            hs.append(act.f(z))
    g = ACTIVATIONS.get(output)
    yhat = softmax(z) if output == "softmax" else g.f(z)
    if output in ("softmax", "sigmoid") and (np.any(yhat < P_MIN - 1e-9) or np.any(yhat > 1 - P_MIN + 1e-9)):
        return "saturated"
    if lr is None or isinstance(lr, str):
        return None
    n = len(y)
    if output == check_output(loss, None):
        delta = (yhat - y) * (2.0 / n if loss == "mse" else 1.0)
    elif loss == "cross_entropy":  # sigmoid output
        delta = -y * (1.0 - yhat)
    else:
        dY = (yhat - y) * (2.0 / n if loss == "mse" else 1.0)
        delta = yhat * (dY - yhat @ dY) if output == "softmax" else dY * g.df(z)
    half_unit = 0.5 * 10.0 ** -decimals
    for l in range(n_layers - 1, -1, -1):
        for grad in (np.outer(delta, hs[l]), delta):  # the data gradients (a penalty only adds to them)
            step = np.abs(lr * grad)
            if np.any((np.abs(grad) >= ZERO_GRADIENT * (1 + 1e-6)) & (step < half_unit * (1 - 1e-6))):
                return "steps"
        if l > 0:
            delta = (Ws[l].T @ delta) * act.df(zs[l - 1])
    return None


def rule_failures(hand_key, exact_key, activation, n_layers, decimals, output="softmax"):
    """The rules (``"kink"``, ``"saturated"``, ``"steps"``) that a variant's keys break, in that order.

    ``hand_key``/``exact_key``: the hand and exact answer keys (name -> array);
    the steps rule is checked when they hold update steps (``step_W1``, ...).
    """
    failed = []
    points = kinks(activation)
    half_unit = 0.5 * 10.0 ** -decimals
    for key in (hand_key, exact_key):
        for l in range(1, n_layers):
            z = key[f"Z{l}"]
            if any(np.any(np.abs(z - k) < KINK_MARGIN - 1e-12) for k in points) and "kink" not in failed:
                failed.append("kink")
        if output in ("softmax", "sigmoid"):
            p = key["Yhat"]
            if (np.any(p < P_MIN) or np.any(p > 1 - P_MIN)) and "saturated" not in failed:
                failed.append("saturated")
    steps = [n for n in exact_key if n.startswith("step_")]
    for n in steps:
        nonzero = np.abs(exact_key["d" + n[5:]]) >= ZERO_GRADIENT  # a zero gradient rightly leaves its weight
        visible_hand = hand_key[n] != 0
        visible_exact = np.abs(exact_key[n]) >= half_unit * (1 + 1e-9)
        if np.any(nonzero & ~(visible_hand & visible_exact)):
            failed.append("steps")
            break
    return failed


def satisfies_rules(solution, activation, loss, n_layers, output=None):
    """True if ``solution`` (a :class:`WorkedSolution`) breaks none of the rules (see :func:`rule_failures`)."""
    hand, exact = ((solution.key, solution.other_key) if solution.mode == "hand"
                   else (solution.other_key, solution.key))
    return not rule_failures(hand, exact, activation, n_layers, solution.decimals, check_output(loss, output))


def _choose_lr(hand, exact, decimals):
    """The smallest alpha of LR_CHOICES whose steps all show at ``decimals`` places, or None.

    A step shows when it is at least half a unit of the last decimal (it rounds, half away from zero,
    to one unit or more).  The hand step is alpha times the rounded gradient, compared exactly (in
    decimal: ties such as 0.02 * 0.0025 = 0.00005 are common and do show); the exact step with a
    1e-9 margin.
    """
    half_unit = 0.5 * 10.0 ** -decimals
    half_d = Decimal(1).scaleb(-decimals) / 2
    grads = [(exact[n], hand[n]) for n in exact if n[0] == "d" and n[1] in "Wb" and n[2:].isdigit()]
    for lr in LR_CHOICES:
        lr_d = Decimal(repr(lr))
        ok = True
        for g_exact, g_hand in grads:
            nonzero = np.abs(g_exact) >= ZERO_GRADIENT
            if np.any(nonzero & (np.abs(lr * g_exact) < half_unit * (1 + 1e-9))):
                ok = False
            elif any(abs(lr_d * Decimal(repr(float(g)))) < half_d for g in g_hand[nonzero]):
                ok = False
            if not ok:
                break
        if ok:
            return lr
    return None


def _suggestion(rule, lr_auto):
    return {"kink": "an activation without a kink (--activation sigmoid, tanh or softplus)",
            "saturated": "a smaller network (--arch with fewer or narrower layers)",
            "steps": ("more --decimals or a smaller network" if lr_auto
                      else "--lr auto (the smallest alpha from 0.001 to 1 that shows every step), "
                           "a larger --lr, or more --decimals")}[rule]


def make_variant(seed, arch="4-3-2", activation="relu_plus_sin", loss="cross_entropy", layout="columns",
                 lr="auto", lam=0.0, penalty_kind="l2", decimals=4, output=None, rule="hand", secret=None):
    """Draw a variant with nice numbers that satisfies the rules.

    Parameters
    ----------
    seed : int >= 0
        The variant number: the same seed (secret and options) gives the same variant.
    arch : str or sequence of int, e.g. "4-3-2"
    activation, loss, layout, lam, penalty_kind, decimals, output
        As in :func:`mlp_helpers.instructor.worked.worked_solution`.
    lr : "auto", float > 0 or None
        The learning rate: ``"auto"`` picks the smallest of ``LR_CHOICES``
        that shows every update step; a number must show them all (rule
        ``"steps"``); ``None``: no update task.
    rule : {"hand", "exact"}
        The rounding rule the problem states and the key follows.
    secret : str, optional
        The instructor's secret, mixed into the seed (see the module docstring).

    Returns
    -------
    Variant

    Raises
    ------
    TypeError, ValueError
        A bad argument (the message names it).
    NoVariantError
        (a ValueError) No draw of ``MAX_TRIES`` satisfied the rules; the
        message counts each rule's failures and suggests an option.
    """
    seed = check_scalar("seed", seed, low=0, integer=True)
    sizes = parse_arch(arch)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("loss", loss, LOSS_NAMES)
    output = check_output(loss, output)
    check_choice("layout", layout, ("rows", "columns"))
    check_choice("penalty_kind", penalty_kind, PENALTIES)
    check_choice("rule", rule, RULES)
    lam = check_scalar("lam", lam, low=0.0, high=MAX_LAM)  # a hand-worked penalty, not a stress test
    decimals = check_scalar("decimals", decimals, low=1, high=10, integer=True)
    lr_auto = isinstance(lr, str)
    if lr_auto and lr != "auto":
        raise ValueError(f"lr: expected 'auto', a number > 0 or None, got {lr!r}")
    if lr is not None and not lr_auto:
        lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    if secret is not None and not isinstance(secret, str):
        raise TypeError(f"secret: expected a string, got {type(secret).__name__}")
    if secret == "":
        raise ValueError("secret: expected a non-empty string, got ''")
    if loss == "binary_cross_entropy" and sizes[-1] != 1:
        raise ValueError(f"arch: binary_cross_entropy needs 1 output, got {sizes[-1]}")
    n_layers = len(sizes) - 1
    base = dict(activation=activation, loss=loss, layout=layout, lam=lam, penalty_kind=penalty_kind,
                decimals=decimals, output=output)
    rng = _rng(seed, secret)
    failures = Counter()
    for tries in range(1, MAX_TRIES + 1):
        params, x, y = _draw(rng, sizes, layout, loss)
        failed = _float_failure(params, x, y, activation, loss, output, layout, n_layers,
                                None if lam > 0 else lr, decimals)
        if failed:
            failures[failed] += 1
            continue
        hand, exact = worked_keys(params, x, y, **base)
        failed = rule_failures(hand, exact, activation, n_layers, decimals, output)
        if failed:
            failures[failed[0]] += 1
            continue
        chosen = lr
        if lr_auto:
            chosen = _choose_lr(hand, exact, decimals)
            if chosen is None:
                failures["steps"] += 1
                continue
        if chosen is not None:
            hand, exact = worked_keys(params, x, y, lr=chosen, **base)
            if "steps" in rule_failures(hand, exact, activation, n_layers, decimals, output):
                failures["steps"] += 1
                continue
        options = dict(base, lr=chosen, lr_auto=lr_auto, rule=rule, secret=secret is not None)
        sol = worked_solution(params, x, y, mode=rule, lr=chosen,
                              title=f"Homework variant {seed} ({'-'.join(map(str, sizes))}): worked solution",
                              **base)
        return Variant(seed, sizes, params, x, y, options, sol, tries, hand, exact, failures)
    counts = ", ".join(f"{n} draws had {_rule_text(r, activation, decimals, 'auto' if lr_auto else lr)}"
                       for r, n in failures.most_common())
    worst = failures.most_common(1)[0][0]
    raise NoVariantError(f"no variant of seed {seed} satisfied the rules in {MAX_TRIES} draws ({counts}); "
                         f"try {_suggestion(worst, lr_auto)}", failures)


# --------------------------------------------------------------------------- the problem text
_QUANTITY = [  # (name pattern with {l} for a layer and {L} for the last one, its description: text with $math$)
    ("Z{l}", "$z_{l}$"), ("H{l}", "$h_{l} = f(z_{l})$"),
    ("shift_Z{L}", r"$m = \max_j z_{L,j}$, subtracted from the logits before the softmax"),
    ("exp_Z{L}", r"the exponentials $e^{z_{L,i}}$ (after a shift: $e^{z_{L,i} - m}$)"),
    ("sum_exp", r"their sum, the softmax denominator"), ("Yhat", r"$\hat y = g(z_{L})$"),
    ("L_data", r"the loss $L_\text{data}$"), ("R_sum", "the sum in the penalty"), ("R", "the penalty $R$"),
    ("L", r"the total loss $L = L_\text{data} + R$ ($= L_\text{data}$ without a penalty)"),
    ("dYhat", r"$\partial L / \partial \hat y$"),
    ("sum_Yhat_dYhat", r"$\sum_j \hat y_j\,\partial L/\partial \hat y_j$ (the softmax's chain rule)"),
    ("gprime{L}", r"$g'(z_{L})$, the output function's derivative"),
    ("delta{l}", r"$\delta_{l} = \partial L / \partial z_{l}$"),
    ("dW{l}_data", r"$\partial L_\text{data} / \partial W_{l}$"), ("db{l}_data", r"$\partial L_\text{data} / \partial b_{l}$"),
    ("dR_W{l}", r"$\partial R / \partial W_{l}$"), ("dR_b{l}", r"$\partial R / \partial b_{l}$"),
    ("dW{l}", r"$\partial L / \partial W_{l}$"), ("db{l}", r"$\partial L / \partial b_{l}$"),
    ("dH{l}", r"$\partial L / \partial h_{l}$ (from the layer above)"), ("fprime{l}", r"$f'(z_{l})$"),
    ("step_W{l}", r"the step $\alpha\,\partial L / \partial W_{l}$"),
    ("step_b{l}", r"the step $\alpha\,\partial L / \partial b_{l}$"),
    ("W{l}_new", r"$W_{l}^{new} = W_{l} - \alpha\,\partial L / \partial W_{l}$"),
    ("b{l}_new", r"$b_{l}^{new} = b_{l} - \alpha\,\partial L / \partial b_{l}$"),
]


def key_names_table(names, n_layers):
    """Rows ``(name, description)`` for every key name, in the order of the calculation.

    Raises ValueError for a name without a description (so that a problem never lists an unexplained name).
    """
    text = dict(_QUANTITY)
    L = n_layers
    order = [p.format(l=l) for l in range(1, L + 1) for p in ("Z{l}", "H{l}")]
    order += [p.format(L=L) for p in ("shift_Z{L}", "exp_Z{L}", "sum_exp", "Yhat", "L_data", "R_sum", "R", "L",
                                      "dYhat", "sum_Yhat_dYhat", "gprime{L}")]
    for l in range(L, 0, -1):
        order += [p.format(l=l) for p in ("delta{l}", "dW{l}_data", "db{l}_data", "dR_W{l}", "dR_b{l}", "dW{l}", "db{l}")]
        if l > 1:
            order += [p.format(l=l - 1) for p in ("dH{l}", "fprime{l}")]
    for l in range(L, 0, -1):
        order += [p.format(l=l) for p in ("step_W{l}", "W{l}_new", "step_b{l}", "b{l}_new")]
    patterns = {}
    for pattern in text:
        for l in range(1, L + 1):
            patterns.setdefault(pattern.format(l=l, L=L), (pattern, l))
    rows = []
    for name in order:
        if name in names:
            pattern, l = patterns[name]
            rows.append((name, text[pattern].replace("{l}", str(l)).replace("{L}", str(L))
                         .replace("_{L,", f"_{{{L},")))
    missing = sorted(set(names) - {r[0] for r in rows})
    if missing:
        raise ValueError(f"names: no description for {', '.join(missing)}")
    return rows


def problem_blocks(v):
    """The problem statement as document blocks (see :mod:`mlp_helpers.instructor.worked`)."""
    k = v.options["decimals"]
    a = _Arith("hand", k)
    cols = v.options["layout"] == "columns"
    L = len(v.sizes) - 1
    at = activation_text(v.options["activation"])
    output = v.options["output"]

    def vec(u):
        return _pmatrix([[a.given(_dec(e))] for e in u]) if cols else _pmatrix([[a.given(_dec(e)) for e in u]])

    loss_tex = {"cross_entropy": r"the cross-entropy loss $L = -\sum_i y_i \log \hat y_i$",
                "binary_cross_entropy": r"the binary cross-entropy loss $L = -\sum_i [y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)]$",
                "half_sse": r"the loss $L = \frac12 \sum_i (\hat y_i - y_i)^2$",
                "mse": r"the loss $L = \frac1n \sum_i (\hat y_i - y_i)^2$"}[v.options["loss"]]
    if output in ("softmax", "identity"):
        out_tex = output
    else:
        out_tex = "$" + activation_text(output).f_tex.replace("f(z)", "g(z)", 1) + "$"
    blocks = [("p", f"A {'-'.join(map(str, v.sizes))} network in the {v.options['layout']} layout "
                    + (r"($z_l = W_l h_{l-1} + b_l$, column vectors)" if cols else r"($z_l = h_{l-1} W_l + b_l$, row vectors)")
                    + f" has the hidden activation ${at.f_tex}$, the output function {out_tex} "
                    + rf"($\hat y = g(z_{L})$) and {loss_tex}. Entries are numbered from 0, as numpy numbers them: "
                    + r"$\hat y_0$ is the first entry of $\hat y$, $W_{1,ij}$ is `W1[i, j]`.")]
    blocks.append(("m", rf"x = {vec(v.x)}, \quad y = {vec(v.y)}"))
    for l in range(1, L + 1):
        W = v.params[f"W{l}"]
        blocks.append(("m", rf"W_{{{l}}} = {_pmatrix([[a.given(_dec(e)) for e in r] for r in W])}, \quad b_{{{l}}} = {vec(v.params[f'b{l}'])}"))
    forward_steps = ", ".join(f"$z_{l}$, $h_{l}$" for l in range(1, L)) + f", $z_{L}$"
    backward_steps = ", ".join(
        f"$\\delta_{l}$, $\\partial L/\\partial W_{l}$, $\\partial L/\\partial b_{l}$" for l in range(L, 0, -1))
    tasks = [
        f"Compute the forward pass: {forward_steps} and $\\hat y$.",
        "Compute the loss" + (f" with the penalty $\\lambda = {a.given(_dec(v.options['lam']))}$ ({v.options['penalty_kind']})"
                              if v.options["lam"] > 0 else "") + ".",
        f"Backpropagate: {backward_steps}.",
    ]
    lr = v.options["lr"]
    if lr is not None:
        tasks.append(f"Update every weight and bias once with $\\alpha = {a.given(_dec(lr))}$: "
                     r"$\theta^{new} = \theta - \alpha\,\partial L/\partial\theta$.")
    blocks.append(("h2", "Tasks"))
    blocks += [("p", f"{i}. {t}") for i, t in enumerate(tasks, start=1)]

    blocks.append(("h2", "Rounding rule"))
    if v.rule == "hand":
        blocks.append(("p", f"Work as with a calculator: round every intermediate result to {k} decimals "
                            "(half away from zero) and use the rounded value from then on. In detail: each product "
                            "in a sum is rounded before the products are added; every function value ($e^z$, "
                            r"$\log$, $\sin$, $\cos$, $\tanh$) is rounded as read off the calculator; "
                            r"the sigmoid $\sigma(z) = 1/(1 + e^{-z})$ for $z \ge 0$ and $e^{z}/(1 + e^{z})$ for $z < 0$; "
                            r"the softmax sum is the sum of the rounded exponentials (when the largest logit $m$ "
                            r"lies outside $[0, 20]$, use $e^{z_i - m}$); "
                            + (r"the update step $\alpha\,\partial L/\partial\theta$ is rounded before it is "
                               "subtracted. " if lr is not None else "")
                            + f"Write every answer with {k} decimals. An answer within half a unit of the "
                            "last decimal of the key counts as correct."))
    else:
        blocks.append(("p", f"Keep full precision in every intermediate result (use the calculator's memory or a "
                            f"computer) and round only the answers you write down, to {k} decimals. An answer within "
                            "half a unit of the last decimal of the exact value counts as correct; rounding "
                            "intermediate results instead usually misses that by a little."))

    names = sorted(v.key)
    blocks.append(("h2", "Checking your answers"))
    example = "delta1" if "delta1" in names else names[0]
    shape = np.shape(v.key[example])
    blocks.append(("p", "When your instructor gives you this variant's key file `key.json`, check each answer "
                        "in Python (with this course's package `mlp_helpers` installed): give its name from the "
                        "table below and your value as a list (a vector as one list, a matrix as a list of rows, "
                        "in the shape of the matrix it belongs to: `dW1` like $W_1$, `W1_new` like $W_1$). "
                        f"For example, for `{example}` (shape {shape}):"))
    blocks.append(("code", "from mlp_helpers.check import check, load_key\n\n"
                           'key = load_key("key.json")\n'
                           f'check("{example}", {_example_value(shape)}, key)   # put your numbers here'))
    blocks.append(("p", "The check says whether the answer is correct and, if not, what is wrong with it: "
                        "the shape, a transpose, the sign, a factor of 2, a rounding difference, or where it differs."))
    blocks.append(("table", ["name", "quantity"], [[f"`{n}`", t] for n, t in key_names_table(names, L)]))
    return blocks


def _example_value(shape):
    if len(shape) == 0:
        return "0.1234"
    if len(shape) == 1:
        return "[" + ", ".join("0.1234" for _ in range(shape[0])) + "]"
    return "[" + ", ".join("[" + ", ".join("0.1234" for _ in range(shape[1])) + "]" for _ in range(shape[0])) + "]"


def _jsonable(key):
    return {n: np.asarray(v).tolist() for n, v in sorted(key.items())}


def _check_out(out, force):
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {str(out)!r} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ValueError(f"out: the folder {str(out)!r} is not empty; choose a new folder or pass --force "
                         "(force=True) to overwrite the variant's files in it")
    return out


def write_variant(v, out, force=False):
    """Write problem.md/.tex, solution.md/.tex and key.json for variant ``v`` into ``out``; return the paths.

    ``out`` must be a new or empty folder unless ``force`` (then the five
    files are overwritten and any other file is left alone).
    """
    out = _check_out(out, force)
    title = f"Homework variant {v.seed} ({'-'.join(map(str, v.sizes))})"
    blocks = problem_blocks(v)
    key = v.key.to_json()
    key.update({"variant": v.seed, "arch": "-".join(map(str, v.sizes)), "options": v.options,
                "params": _jsonable(v.params), "x": v.x.tolist(), "y": v.y.tolist(),
                "rules": {"kink_margin": KINK_MARGIN, "p_min": P_MIN, "steps_visible": v.options["lr"] is not None}})
    texts = {
        "problem.md": f"# {title}\n\n" + _md(blocks),
        "problem.tex": _tex(blocks, title),
        "solution.md": v.solution.markdown(),
        "solution.tex": v.solution.latex(),
        "key.json": json.dumps(key, indent=1, sort_keys=True) + "\n",
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        p = out / name
        p.write_text(texts[name], encoding="utf-8")
        written.append(p)
    return written


def load_key(path):
    """Read a key.json written by :func:`write_variant` (the same as :func:`mlp_helpers.check.load_key`)."""
    return _load_key(path)


# --------------------------------------------------------------------------- command line
class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of the usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _lr(text):
    if text == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a number, got {text!r}") from None


def main(argv=None):
    """Command line: python -m mlp_helpers.instructor.homework --seed 7 --out DIR [options]."""
    p = _Parser(prog="python -m mlp_helpers.instructor.homework", description=__doc__.splitlines()[0],
                epilog=f"The secret can also come from the environment variable {SECRET_ENV} (preferred: it stays "
                       "out of the shell history). Exit status: 0 written, 2 bad arguments or --out not empty, "
                       "1 no variant satisfied the rules.")
    p.add_argument("--seed", type=int, required=True, help="the variant number")
    p.add_argument("--arch", default="4-3-2", help="layer sizes, e.g. 4-3-2")
    p.add_argument("--activation", default="relu_plus_sin", choices=sorted(ACTIVATIONS))
    p.add_argument("--loss", default="cross_entropy", choices=LOSS_NAMES)
    p.add_argument("--output", default=None, help="the output function (default: the loss's natural one)")
    p.add_argument("--layout", default="columns", choices=["columns", "rows"])
    p.add_argument("--lr", type=_lr, default="auto", help="learning rate, or 'auto' (default): the smallest "
                                                          "alpha from 0.001 to 1 that shows every update step")
    p.add_argument("--lam", type=float, default=0.0)
    p.add_argument("--penalty", default="l2", choices=sorted(PENALTIES))
    p.add_argument("--decimals", type=int, default=4)
    p.add_argument("--rule", default="hand", choices=RULES,
                   help="the rounding rule the problem states and the key follows (default: hand)")
    p.add_argument("--secret", default=None, help=f"the instructor's secret (or set {SECRET_ENV})")
    p.add_argument("--out", required=True, help="a new or empty folder")
    p.add_argument("--force", action="store_true", help="write into a non-empty --out folder")
    args = p.parse_args(argv)
    secret = args.secret if args.secret is not None else (os.environ.get(SECRET_ENV) or None)
    try:
        _check_out(args.out, args.force)
        v = make_variant(args.seed, args.arch, args.activation, args.loss, args.layout, args.lr, args.lam,
                         args.penalty, args.decimals, output=args.output, rule=args.rule, secret=secret)
    except NoVariantError as exc:
        print(f"{p.prog}: error: {exc}", file=sys.stderr)
        return 1
    except (TypeError, ValueError) as exc:
        p.error(str(exc))
    try:
        paths = write_variant(v, args.out, force=True)
    except OSError as exc:
        print(f"{p.prog}: error: out: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    if secret is None:
        print(f"{p.prog}: note: no --secret (or {SECRET_ENV}) given: anyone can regenerate this key "
              "with the same command", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
