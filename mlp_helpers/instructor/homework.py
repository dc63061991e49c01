r"""Homework variants: a random network with "nice" numbers, its problem statement and answer key.

``make_variant(seed, arch="4-3-2", activation="relu_plus_sin")`` draws

* weights with one decimal from -0.5 ... 0.5 (never 0), biases from
  {-0.1, -0.05, 0.05, 0.1}, inputs from {-2, -1, -0.5, 0.5, 1, 1.5, 2},
  a one-hot target (a 0/1 target for binary cross-entropy);
* and redraws (same random stream, so the same seed gives the same variant)
  until every hidden pre-activation is at least ``KINK_MARGIN`` = 0.05 away from
  each kink of the activation (0 for the ReLU family), in hand and in exact
  arithmetic, and every output probability lies in [``P_MIN``, 1 - ``P_MIN``]
  (not saturated).

``write_variant(variant, out)`` writes ``problem.md``, ``problem.tex``,
``solution.md``, ``solution.tex`` (the hand-mode worked solution) and
``key.json`` (the network, the options and both answer keys), byte for byte the
same for the same arguments.  From the shell::

    python -m mlp_helpers.instructor.homework --seed 7 --arch 4-3-2 --activation relu_plus_sin --out DIR
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._validate import check_choice, check_scalar
from ..activations import ACTIVATIONS
from ..regularization import PENALTIES
from .worked import LOSS_NAMES, WorkedSolution, _Arith, _md, _pmatrix, _tex, kinks, worked_solution

KINK_MARGIN = 0.05
P_MIN = 0.05
MAX_TRIES = 10_000
WEIGHTS = np.round(np.arange(-5, 6) / 10, 1)
WEIGHTS = WEIGHTS[WEIGHTS != 0]
BIASES = np.array([-0.1, -0.05, 0.05, 0.1])
INPUTS = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])


@dataclass
class Variant:
    """One homework variant.

    params : dict, ``W1, b1, ...`` in ``layout``; x : (n_in,); y : (n_out,);
    options : dict of the worked-solution options; solution : the hand-mode
    :class:`WorkedSolution` (``solution.key`` hand, ``solution.other_key`` exact);
    tries : how many draws the rules needed.
    """

    seed: int
    sizes: tuple
    params: dict
    x: np.ndarray
    y: np.ndarray
    options: dict
    solution: WorkedSolution
    tries: int

    @property
    def key(self):
        """The hand-mode answer key (name -> array), for :func:`mlp_helpers.check.check`."""
        return self.solution.key

    @property
    def exact_key(self):
        """The full-precision answer key."""
        return self.solution.other_key


def parse_arch(arch):
    """'4-3-2' -> (4, 3, 2); at least two layers (three sizes), each 1..8."""
    if isinstance(arch, str):
        try:
            sizes = tuple(int(s) for s in arch.split("-"))
        except ValueError:
            raise ValueError(f"arch: expected sizes joined by '-' such as '4-3-2', got {arch!r}") from None
    else:
        sizes = tuple(int(s) for s in arch)
    if len(sizes) < 3 or any(s < 1 or s > 8 for s in sizes):
        raise ValueError(f"arch: expected at least 3 sizes from 1 to 8 (input-hidden-output), got {arch!r}")
    return sizes


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


def satisfies_rules(solution, activation, loss, n_layers):
    """True if every hidden pre-activation is KINK_MARGIN from a kink and no probability is saturated.

    Checked in both the hand and the exact key of ``solution``.
    """
    points = kinks(activation)
    for key in (solution.key, solution.other_key):
        for l in range(1, n_layers):
            z = key[f"Z{l}"]
            for k in points:
                if np.any(np.abs(z - k) < KINK_MARGIN - 1e-12):
                    return False
        if loss in ("cross_entropy", "binary_cross_entropy"):
            p = key["Yhat"]
            if np.any(p < P_MIN) or np.any(p > 1 - P_MIN):
                return False
    return True


def make_variant(seed, arch="4-3-2", activation="relu_plus_sin", loss="cross_entropy", layout="columns",
                 lr=0.001, lam=0.0, penalty_kind="l2", decimals=4):
    """Draw a variant with nice numbers that satisfies the kink and saturation rules.

    Parameters
    ----------
    seed : int >= 0
        The random seed: the same seed (and options) gives the same variant.
    arch : str or sequence of int, e.g. "4-3-2"
    activation, loss, layout, lr, lam, penalty_kind, decimals
        As in :func:`mlp_helpers.instructor.worked.worked_solution`.

    Returns
    -------
    Variant
    """
    seed = check_scalar("seed", seed, low=0, integer=True)
    sizes = parse_arch(arch)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("loss", loss, LOSS_NAMES)
    check_choice("layout", layout, ("rows", "columns"))
    check_choice("penalty_kind", penalty_kind, PENALTIES)
    if loss == "binary_cross_entropy" and sizes[-1] != 1:
        raise ValueError(f"arch: binary_cross_entropy needs 1 output, got {sizes[-1]}")
    options = dict(activation=activation, loss=loss, layout=layout, lam=lam, penalty_kind=penalty_kind,
                   lr=lr, decimals=decimals)
    rng = np.random.default_rng(seed)
    for tries in range(1, MAX_TRIES + 1):
        params, x, y = _draw(rng, sizes, layout, loss)
        sol = worked_solution(params, x, y, mode="hand",
                              title=f"Homework variant {seed} ({'-'.join(map(str, sizes))}): worked solution",
                              **options)
        if satisfies_rules(sol, activation, loss, len(sizes) - 1):
            return Variant(seed, sizes, params, x, y, options, sol, tries)
    raise RuntimeError(f"no variant satisfied the rules in {MAX_TRIES} draws for arch {arch!r}")


def problem_blocks(v):
    """The problem statement as document blocks (see :mod:`mlp_helpers.instructor.worked`)."""
    a = _Arith("hand", v.options["decimals"])
    cols = v.options["layout"] == "columns"
    L = len(v.sizes) - 1
    act = v.options["activation"]
    from .worked import activation_text
    at = activation_text(act)

    def vec(u):
        return _pmatrix([[a.given(a_d(e))] for e in u]) if cols else _pmatrix([[a.given(a_d(e)) for e in u]])

    blocks = [("p", f"A {'-'.join(map(str, v.sizes))} network in the {v.options['layout']} layout "
                    + (r"($Z_l = W_l H_{l-1} + b_l$, column vectors)" if cols else r"($Z_l = H_{l-1} W_l + b_l$, row vectors)")
                    + f" has the hidden activation ${at.f_tex}$ and the output "
                    + {"cross_entropy": "softmax with the cross-entropy loss $L = -\\sum_i y_i \\log \\hat y_i$",
                       "binary_cross_entropy": "sigmoid with the binary cross-entropy loss",
                       "half_sse": r"identity with the loss $L = \frac12 \sum_i (\hat y_i - y_i)^2$"}[v.options["loss"]]
                    + ".")]
    blocks.append(("m", rf"x = {vec(v.x)}, \quad y = {vec(v.y)}"))
    for l in range(1, L + 1):
        W = v.params[f"W{l}"]
        blocks.append(("m", rf"W_{{{l}}} = {_pmatrix([[a.given(a_d(e)) for e in r] for r in W])}, \quad b_{{{l}}} = {vec(v.params[f'b{l}'])}"))
    forward_steps = ", ".join(f"$Z_{l}$, $H_{l}$" for l in range(1, L)) + f", $Z_{L}$"
    backward_steps = ", ".join(
        f"$\\delta_{l}$, $\\partial L/\\partial W_{l}$, $\\partial L/\\partial b_{l}$" for l in range(L, 0, -1))
    tasks = [
        f"Compute the forward pass: {forward_steps} and $\\hat y$.",
        "Compute the loss" + (f" with the penalty $\\lambda = {a.given(a_d(v.options['lam']))}$ ({v.options['penalty_kind']})"
                              if v.options["lam"] > 0 else "") + ".",
        f"Backpropagate: {backward_steps}.",
    ]
    if v.options["lr"] is not None:
        tasks.append(f"Update every parameter with $\\alpha = {a.given(a_d(v.options['lr']))}$.")
    blocks.append(("h2", "Tasks"))
    blocks += [("p", f"{i}. {t}") for i, t in enumerate(tasks, start=1)]
    blocks.append(("p", f"Round every intermediate to {v.options['decimals']} decimals, as with a calculator. "
                        "Check your answers with `mlp_helpers.check.check(name, value, key)` and the key of this variant."))
    return blocks


def a_d(v):
    from .worked import _dec
    return _dec(v)


def _jsonable(key):
    return {n: np.asarray(v).tolist() for n, v in sorted(key.items())}


def write_variant(v, out):
    """Write problem.md/.tex, solution.md/.tex and key.json for variant ``v`` into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    title = f"Homework variant {v.seed} ({'-'.join(map(str, v.sizes))})"
    blocks = problem_blocks(v)
    paths = {
        "problem.md": f"# {title}\n\n" + _md(blocks),
        "problem.tex": _tex(blocks, title),
        "solution.md": v.solution.markdown(),
        "solution.tex": v.solution.latex(),
        "key.json": json.dumps({
            "seed": v.seed, "arch": "-".join(map(str, v.sizes)), "options": v.options,
            "params": _jsonable(v.params), "x": v.x.tolist(), "y": v.y.tolist(),
            "rules": {"kink_margin": KINK_MARGIN, "p_min": P_MIN},
            "key_hand": _jsonable(v.key), "key_exact": _jsonable(v.exact_key),
        }, indent=1, sort_keys=True) + "\n",
    }
    written = []
    for name, text in paths.items():
        p = out / name
        p.write_text(text, encoding="utf-8")
        written.append(p)
    return written


def load_key(path, exact=False):
    """Read the answer key (name -> array) from a key.json written by :func:`write_variant`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {n: np.array(v) for n, v in data["key_exact" if exact else "key_hand"].items()}


def main(argv=None):
    """Command line: python -m mlp_helpers.instructor.homework --seed 7 --arch 4-3-2 --activation relu_plus_sin --out DIR."""
    p = argparse.ArgumentParser(prog="python -m mlp_helpers.instructor.homework", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--arch", default="4-3-2")
    p.add_argument("--activation", default="relu_plus_sin", choices=sorted(ACTIVATIONS))
    p.add_argument("--loss", default="cross_entropy", choices=LOSS_NAMES)
    p.add_argument("--layout", default="columns", choices=["columns", "rows"])
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--lam", type=float, default=0.0)
    p.add_argument("--penalty", default="l2", choices=sorted(PENALTIES))
    p.add_argument("--decimals", type=int, default=4)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    v = make_variant(args.seed, args.arch, args.activation, args.loss, args.layout, args.lr, args.lam,
                     args.penalty, args.decimals)
    for path in write_variant(v, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
