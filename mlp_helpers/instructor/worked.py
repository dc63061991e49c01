r"""Step-by-step worked solutions of one forward pass, backward pass and update.

``worked_solution(params, x, y, ...)`` writes out, for one sample, every
equation and then the same equation with the numbers substituted entry by
entry, as the hand derivation of seed 001 does: the pre-activations
:math:`Z_l`, the activations :math:`H_l`, the softmax sum, :math:`\hat y`,
the loss, the penalty, :math:`\delta_L`, :math:`\partial L/\partial W_L`,
:math:`W_L^T\delta_L`, :math:`f'(Z_l)`, :math:`\delta_l`, ... and the update
:math:`\theta^{new} = \theta - \alpha\,\partial L/\partial\theta`.

Two arithmetic modes
--------------------
``mode="exact"``
    Every value in full precision (decimal arithmetic with 40 digits, the
    functions sin, cos, tanh in float64), shown to ``decimals`` places.
    The answer key agrees with :func:`mlp_helpers.forward`, ``backward`` and
    ``sgd_step`` to about 1e-15.
``mode="hand"``
    What a person with a calculator does: every intermediate is rounded to
    ``decimals`` places (half away from zero, as a calculator display rounds)
    and the rounded value is used from then on.  The rules, chosen so that
    seed 001 is reproduced to the last printed digit:

    1. each product in a sum is rounded, then the rounded products are added
       (``-0.3 * 2.3257 = -0.6977``); the sum of a dot product and its bias
       is rounded once more (only matters when a bias has more decimals);
    2. each function value is rounded as read off the calculator:
       :math:`\sin z`, :math:`\cos z`, :math:`e^z`, :math:`\log z`,
       :math:`\tanh z` (``1.35 + sin 1.35 = 1.35 + 0.9757 = 2.3257``);
    3. the softmax denominator is the sum of the rounded exponentials and
       each :math:`\hat y_i` is the rounded quotient (``0.6753 / 3.0939 = 0.2183``);
    4. :math:`\delta_L = \hat y - y` uses the rounded :math:`\hat y`, every
       gradient entry is the rounded product of rounded factors
       (``-0.7817 * 2.3257 = -1.8180``, where full precision gives -1.818139);
    5. the update step :math:`\alpha\,\partial L/\partial\theta` is rounded
       before it is subtracted, as the seed writes it
       (``0.001 * 0.6670 -> 0.0007``, then ``0.1 - 0.0007 = 0.0993``).  A
       consequence, kept on purpose because it is what the hand calculation
       does: with ``alpha = 0.001`` and 4 decimals, a gradient entry smaller
       than 0.05 in size leaves its weight unchanged.

    The seed's rounding is consistent with these rules everywhere; where rule 5
    and "subtract, then round" differ the seed agrees with rule 5 (for seed
    001 both give the same figures).

Every :class:`WorkedSolution` also computes the other mode and lists every
entry where hand and exact differ at the shown precision (``.differences``).

Supported: any depth (``W1, b1, ..., WL, bL``), both layouts, one sample
(1-D ``x``), hidden activations from ``ACTIVATIONS`` (any registered one is
shown generically as :math:`f(z)`), losses ``cross_entropy`` (softmax),
``binary_cross_entropy`` (sigmoid, one output) and ``half_sse`` (identity),
penalties from ``PENALTIES``.
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import numpy as np

from .._validate import as_float_array, check_choice, check_scalar
from ..activations import ACTIVATIONS
from ..network import check_params
from ..regularization import PENALTIES

MODES = ("exact", "hand")
LOSS_NAMES = ("cross_entropy", "binary_cross_entropy", "half_sse")
LAYOUTS = ("rows", "columns")
PRECISION = 40  # decimal digits of the exact mode


# --------------------------------------------------------------------------- numbers
def _dec(v):
    """A float as the decimal number it prints as (0.1 -> Decimal('0.1'))."""
    return Decimal(repr(float(v)))


class _Arith:
    """Rounding and display rules for one mode."""

    def __init__(self, mode, k):
        self.hand = mode == "hand"
        self.k = k
        self.q = Decimal(1).scaleb(-k)

    def r(self, d):
        """Round an intermediate (hand mode only)."""
        return d.quantize(self.q, ROUND_HALF_UP) if self.hand else +d

    def fn(self, f, d):
        """A calculator function value (float64), rounded in hand mode."""
        return self.r(_dec(f(float(d))))

    def exp(self, d):
        return self.r(d.exp())

    def ln(self, d):
        return self.r(d.ln())

    def show(self, d):
        """A computed value, ``k`` decimals."""
        s = f"{d.quantize(self.q, ROUND_HALF_UP):f}"
        return s[1:] if s.startswith("-") and Decimal(s) == 0 else s

    def given(self, d):
        """A given (or exactly computed) value: no trailing zeros, at most k + 2 decimals."""
        n = d.normalize()
        if n.as_tuple().exponent < -(self.k + 2):
            return self.show(d)
        s = f"{n:f}"
        return "0" if Decimal(s) == 0 else s


def _rel(z):
    return ">" if z > 0 else r"\le"


def _eq(a):
    return r"\approx" if a.hand else "="


def _join(terms):
    """Join signed number strings into a sum: ['0.1', '-0.2'] -> '0.1 - 0.2'."""
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def _pmatrix(rows):
    return r"\begin{pmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{pmatrix}"


# --------------------------------------------------------------------------- activations
class _ActText:
    """How an activation is written and evaluated by hand."""

    def __init__(self, name, f_tex, df_tex, value, deriv, kinks=()):
        self.name, self.f_tex, self.df_tex = name, f_tex, df_tex
        self.value, self.deriv, self.kinks = value, deriv, kinks


def _act_relu():
    def value(a, z):
        h = z if z > 0 else Decimal(0)
        return h, rf"\max(0,\ {a.show(z)}) = {a.show(h)}"

    def deriv(a, z):
        d = Decimal(1) if z > 0 else Decimal(0)
        return d, rf"{a.show(d)} \quad ({a.show(z)} {_rel(z)} 0)"

    return _ActText("relu", r"f(z) = \max(0, z)",
                    r"f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}", value, deriv, (0.0,))


def _act_leaky():
    from ..activations import LEAKY_SLOPE
    s = _dec(LEAKY_SLOPE)

    def value(a, z):
        if z > 0:
            return +z, rf"{a.show(z)} \quad ({a.show(z)} > 0)"
        h = a.r(s * z)
        return h, rf"{a.given(s)}({a.show(z)}) = {a.show(h)}"

    def deriv(a, z):
        d = Decimal(1) if z > 0 else s
        return d, rf"{a.given(d)} \quad ({a.show(z)} {_rel(z)} 0)"

    return _ActText("leaky_relu", rf"f(z) = \begin{{cases}} z & z > 0 \\ {a_slope(s)} z & z \le 0 \end{{cases}}",
                    rf"f'(z) = \begin{{cases}} 1 & z > 0 \\ {a_slope(s)} & z \le 0 \end{{cases}}",
                    value, deriv, (0.0,))


def a_slope(s):
    return f"{s.normalize():f}"


def _act_relu_plus_sin():
    def value(a, z):
        s = a.fn(math.sin, z)
        relu = z if z > 0 else Decimal(0)
        h = a.r(relu + s)
        rz = a.show(relu)
        return h, rf"{rz} + \sin({a.show(z)}) \approx {_join([rz, a.show(s)])} = {a.show(h)}"

    def deriv(a, z):
        c = a.fn(math.cos, z)
        one = Decimal(1) if z > 0 else Decimal(0)
        d = a.r(one + c)
        return d, rf"{one} + \cos({a.show(z)}) \approx {_join([str(one), a.show(c)])} = {a.show(d)}"

    return _ActText("relu_plus_sin", r"f(z) = \mathrm{ReLU}(z) + \sin z",
                    r"f'(z) = \begin{cases} 1 + \cos z & z > 0 \\ \cos z & z \le 0 \end{cases}",
                    value, deriv, (0.0,))


def _act_sigmoid():
    def value(a, z):
        e = a.exp(-z)
        h = a.r(1 / (1 + e))
        return h, rf"\frac{{1}}{{1 + e^{{{a.show(-z)}}}}} \approx \frac{{1}}{{1 + {a.show(e)}}} = {a.show(h)}"

    def deriv(a, z):
        s, _ = value(a, z)
        d = a.r(s * (1 - s))
        return d, rf"\sigma(z)(1 - \sigma(z)) = ({a.show(s)})({a.show(1 - s)}) = {a.show(d)}"

    return _ActText("sigmoid", r"f(z) = \sigma(z) = \frac{1}{1 + e^{-z}}",
                    r"f'(z) = \sigma(z)\,(1 - \sigma(z))", value, deriv)


def _act_tanh():
    def value(a, z):
        h = a.fn(math.tanh, z)
        return h, rf"\tanh({a.show(z)}) \approx {a.show(h)}"

    def deriv(a, z):
        t = a.fn(math.tanh, z)
        t2 = a.r(t * t)
        d = a.r(1 - t2)
        return d, rf"1 - \tanh^2({a.show(z)}) \approx 1 - ({a.show(t)})^2 = 1 - {a.show(t2)} = {a.show(d)}"

    return _ActText("tanh", r"f(z) = \tanh z", r"f'(z) = 1 - \tanh^2 z", value, deriv)


def _act_softplus():
    def value(a, z):
        e = a.exp(z)
        h = a.ln(1 + e)
        return h, rf"\log(1 + e^{{{a.show(z)}}}) \approx \log(1 + {a.show(e)}) \approx {a.show(h)}"

    def deriv(a, z):
        e = a.exp(-z)
        d = a.r(1 / (1 + e))
        return d, rf"\frac{{1}}{{1 + e^{{{a.show(-z)}}}}} \approx \frac{{1}}{{1 + {a.show(e)}}} = {a.show(d)}"

    return _ActText("softplus", r"f(z) = \log(1 + e^z)", r"f'(z) = \sigma(z) = \frac{1}{1 + e^{-z}}",
                    value, deriv)


def _act_identity():
    def value(a, z):
        return +z, a.show(z)

    def deriv(a, z):
        return Decimal(1), "1"

    return _ActText("identity", "f(z) = z", "f'(z) = 1", value, deriv)


def _act_generic(name):
    act = ACTIVATIONS[name]

    def value(a, z):
        h = a.r(_dec(act.f(np.array(float(z)))))
        return h, rf"f({a.show(z)}) \approx {a.show(h)}"

    def deriv(a, z):
        d = a.r(_dec(act.df(np.array(float(z)))))
        return d, rf"f'({a.show(z)}) \approx {a.show(d)}"

    return _ActText(name, r"f = \texttt{" + name.replace("_", r"\_") + "}", r"f' \text{ (its derivative)}", value, deriv)


_ACT_TEXT = {
    "relu": _act_relu, "leaky_relu": _act_leaky, "relu_plus_sin": _act_relu_plus_sin,
    "sigmoid": _act_sigmoid, "tanh": _act_tanh, "softplus": _act_softplus, "identity": _act_identity,
}


def activation_text(name):
    """The hand-calculation description of activation ``name`` (any name in ``ACTIVATIONS``)."""
    check_choice("activation", name, ACTIVATIONS)
    return _ACT_TEXT[name]() if name in _ACT_TEXT else _act_generic(name)


def kinks(name):
    """The points where activation ``name`` has a kink (0 for the ReLU family), as a tuple of floats."""
    return activation_text(name).kinks


# --------------------------------------------------------------------------- the document
class _Doc:
    """Blocks: ('h2'|'h3'|'p'|'m', text) or ('table', header, rows)."""

    def __init__(self):
        self.blocks = []

    def h2(self, t):
        self.blocks.append(("h2", t))

    def h3(self, t):
        self.blocks.append(("h3", t))

    def p(self, t):
        self.blocks.append(("p", t))

    def m(self, *lines):
        """One display equation; several lines are aligned at their first '&'."""
        if len(lines) == 1:
            self.blocks.append(("m", lines[0]))
        else:
            self.blocks.append(("m", r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))


def _md(blocks):
    out = []
    for b in blocks:
        if b[0] == "h2":
            out.append(f"## {b[1]}")
        elif b[0] == "h3":
            out.append(f"### {b[1]}")
        elif b[0] == "p":
            out.append(b[1])
        elif b[0] == "m":
            out.append(f"$$\n{b[1]}\n$$")
        else:
            _, header, rows = b
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(r) + " |" for r in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _tex_text(t):
    """Paragraph text (with inline $...$ math) for LaTeX: escape outside math."""
    parts = t.split("$")
    for i in range(0, len(parts), 2):  # outside math
        p = parts[i]
        for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"), ("_", r"\_")):
            p = p.replace(a, b)
        parts[i] = p.replace("`", "")
    return "$".join(parts)


def _tex(blocks, title):
    out = [r"\documentclass[11pt]{article}", r"\usepackage[margin=2cm]{geometry}",
           r"\usepackage{amsmath,amssymb}", r"\usepackage[T1]{fontenc}",
           r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{4pt}",
           r"\begin{document}", rf"\section*{{{_tex_text(title)}}}"]
    for b in blocks:
        if b[0] == "h2":
            out.append(rf"\subsection*{{{_tex_text(b[1])}}}")
        elif b[0] == "h3":
            out.append(rf"\subsubsection*{{{_tex_text(b[1])}}}")
        elif b[0] == "p":
            out.append(_tex_text(b[1]))
        elif b[0] == "m":
            out.append(rf"\[ {b[1]} \]")
        else:
            _, header, rows = b
            out.append(r"\begin{tabular}{" + "l" * len(header) + r"}\hline")
            out.append(" & ".join(_tex_text(h) for h in header) + r" \\ \hline")
            out += [" & ".join(_tex_text(c) for c in r) + r" \\" for r in rows]
            out.append(r"\hline\end{tabular}")
        out.append("")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- the solver
def _solve(Wc, bc, x, y, act, loss, lam, penalty_kind, include_biases, lr, layout, mode, k, doc):
    """Compute everything in ``mode`` and (if ``doc``) write the steps.

    ``Wc[l]``: list of rows, shape (n_out, n_in) (column convention), Decimals.
    Returns the key: name -> nested lists of Decimal (column convention).
    """
    a = _Arith(mode, k)
    L = len(Wc)
    cols = layout == "columns"
    key = {}
    W = (lambda l: f"W_{{{l}}}")

    def vec(v, fmt=None):
        fmt = fmt or a.show
        return _pmatrix([[fmt(e)] for e in v]) if cols else _pmatrix([[fmt(e) for e in v]])

    def mat(M, fmt=None):  # M in column convention (n_out, n_in)
        fmt = fmt or a.show
        rows = M if cols else [list(r) for r in zip(*M)]
        return _pmatrix([[fmt(e) for e in r] for r in rows])

    def Hname(l):
        return "x" if l == 0 else f"H_{{{l}}}"

    def emit(*lines):
        if doc is not None:
            doc.m(*lines)

    def text(t):
        if doc is not None:
            doc.p(t)

    def head(t, level=3):
        if doc is not None:
            (doc.h3 if level == 3 else doc.h2)(t)

    # ---------------- forward
    head("Forward pass", 2)
    hs = [x]  # H_0 = x
    zs = []
    for l in range(1, L + 1):
        prev, Wl, bl = hs[-1], Wc[l - 1], bc[l - 1]
        first = l == 1
        pf = a.given if first else a.show
        head(f"Step {2 * l - 1}: the pre-activation $Z_{{{l}}}$")
        if cols:
            emit(rf"Z_{{{l}}} = {W(l)} {Hname(l - 1)} + b_{{{l}}} = {mat(Wl, a.given)} {vec(prev, pf)} + {vec(bl, a.given)}")
        else:
            emit(rf"Z_{{{l}}} = {Hname(l - 1)} {W(l)} + b_{{{l}}} = {vec(prev, pf)} {mat(Wl, a.given)} + {vec(bl, a.given)}")
        z = []
        lines = []
        for i, row in enumerate(Wl):
            prods = [a.r(w * h) for w, h in zip(row, prev)]
            zi = a.r(sum(prods, Decimal(0)) + bl[i])
            z.append(zi)
            if cols:
                sym = " + ".join(f"({a.given(w)})({pf(h)})" for w, h in zip(row, prev))
            else:
                sym = " + ".join(f"({pf(h)})({a.given(w)})" for w, h in zip(row, prev))
            sym = _join([sym, a.given(bl[i])])
            shown = _join([(a.given(p) if first else a.show(p)) for p in prods] + [a.given(bl[i])])
            lines.append(rf"Z_{{{l},{i + 1}}} &= {sym} = {shown} = {a.show(zi)}")
        emit(*lines)
        emit(rf"Z_{{{l}}} = {vec(z)}")
        zs.append(z)
        key[f"Z{l}"] = z
        if l < L:
            head(f"Step {2 * l}: the activation $H_{{{l}}} = f(Z_{{{l}}})$")
            text(rf"With ${act.f_tex}$, entry by entry:")
            h, lines = [], []
            for i, zi in enumerate(z):
                hi, sub = act.value(a, zi)
                h.append(hi)
                lines.append(rf"H_{{{l},{i + 1}}} &= f({a.show(zi)}) = {sub}")
            emit(*lines)
            emit(rf"H_{{{l}}} = {vec(h)}")
            hs.append(h)
            key[f"H{l}"] = h

    zL = zs[-1]
    head(rf"Step {2 * L}: the output $\hat y$")
    if loss == "cross_entropy":
        e = [a.exp(zi) for zi in zL]
        S = a.r(sum(e, Decimal(0)))
        yhat = [a.r(ei / S) for ei in e]
        emit(rf"\hat y = \operatorname{{softmax}}(Z_{{{L}}}), \quad \hat y_i = \frac{{e^{{Z_{{{L},i}}}}}}{{\sum_j e^{{Z_{{{L},j}}}}}}")
        text("First the denominator, the sum of the exponentials:")
        emit(r"\sum_j e^{Z_{" + str(L) + ",j}} = " + " + ".join(f"e^{{{a.show(zi)}}}" for zi in zL)
             + r" \approx " + " + ".join(a.show(ei) for ei in e) + f" = {a.show(S)}")
        emit(*[rf"\hat y_{{{i + 1}}} &= \frac{{{a.show(ei)}}}{{{a.show(S)}}} = {a.show(yi)}"
               for i, (ei, yi) in enumerate(zip(e, yhat))])
        key[f"exp_Z{L}"], key["sum_exp"] = e, S
    elif loss == "binary_cross_entropy":
        yhat, lines = [], []
        for i, zi in enumerate(zL):
            ei = a.exp(-zi)
            yi = a.r(1 / (1 + ei))
            yhat.append(yi)
            lines.append(rf"\hat y_{{{i + 1}}} &= \sigma({a.show(zi)}) = \frac{{1}}{{1 + e^{{{a.show(-zi)}}}}}"
                         rf" \approx \frac{{1}}{{1 + {a.show(ei)}}} = {a.show(yi)}")
        emit(rf"\hat y = \sigma(Z_{{{L}}}) = \frac{{1}}{{1 + e^{{-Z_{{{L}}}}}}}")
        emit(*lines)
    else:  # half_sse: identity output
        yhat = list(zL)
        emit(rf"\hat y = Z_{{{L}}}")
    emit(rf"\hat y = {vec(yhat)}")
    key["Yhat"] = yhat

    # ---------------- loss
    head("Loss", 2)
    if loss == "cross_entropy":
        emit(r"L_\text{data} = -\sum_i y_i \log \hat y_i")
        terms, subs, vals = [], [], []
        for i, (yi, pi) in enumerate(zip(y, yhat)):
            if yi == 0:
                continue
            if pi > 0:
                lg = a.ln(pi)
                subs.append(rf"({a.given(yi)})\log({a.show(pi)})")
            else:  # rounded to 0: log from the logits
                lg = a.r(zL[i] - a.ln(S))
                subs.append(rf"({a.given(yi)})\left(Z_{{{L},{i + 1}}} - \log \textstyle\sum_j e^{{Z_{{{L},j}}}}\right)")
                text(rf"$\hat y_{{{i + 1}}}$ rounds to 0, so its logarithm is taken from the logits: "
                     rf"$\log \hat y_{{{i + 1}}} = Z_{{{L},{i + 1}}} - \log\sum_j e^{{Z_{{{L},j}}}}$.")
            t = a.r(yi * lg)
            terms.append(t)
            vals.append(f"({a.given(yi)})({a.show(lg)})")
        Ld = a.r(-sum(terms, Decimal(0)))
        emit(rf"L_\text{{data}} = -\left[{' + '.join(subs)}\right] \approx -\left[{' + '.join(vals)}\right] = {a.show(Ld)}")
        text("(Only the terms with $y_i \\neq 0$ are written.)")
    elif loss == "binary_cross_entropy":
        emit(r"L_\text{data} = -\sum_i \left[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\right]")
        terms, lines = [], []
        for i, (yi, pi) in enumerate(zip(y, yhat)):
            l1, l0 = a.ln(pi), a.ln(1 - pi)
            t = a.r(a.r(yi * l1) + a.r((1 - yi) * l0))
            terms.append(t)
            lines.append(rf"&\text{{term {i + 1}: }} ({a.given(yi)})\log({a.show(pi)}) + ({a.given(1 - yi)})\log({a.show(1 - pi)})"
                         rf" \approx ({a.given(yi)})({a.show(l1)}) + ({a.given(1 - yi)})({a.show(l0)}) = {a.show(t)}")
        Ld = a.r(-sum(terms, Decimal(0)))
        emit(*lines)
        emit(rf"L_\text{{data}} = {a.show(Ld)}")
    else:
        emit(r"L_\text{data} = \tfrac12 \sum_i (\hat y_i - y_i)^2")
        sq, subs = [], []
        for yi, pi in zip(y, yhat):
            d = a.r(pi - yi)
            sq.append(a.r(d * d))
            subs.append(f"({a.show(d)})^2")
        Ld = a.r(sum(sq, Decimal(0)) / 2)
        emit(rf"L_\text{{data}} = \tfrac12\left[{' + '.join(subs)}\right] = \tfrac12\left[{_join([a.show(s) for s in sq])}\right] = {a.show(Ld)}")
    key["L_data"] = Ld

    names = [f"W{l}" for l in range(1, L + 1)] + ([f"b{l}" for l in range(1, L + 1)] if include_biases else [])

    def param(n):
        l = int(n[1:])
        return Wc[l - 1] if n[0] == "W" else [[v] for v in bc[l - 1]]

    def ptex(n):
        return f"{n[0]}_{{{n[1:]}}}"

    pen_grad = {}
    if lam > 0:
        lam_s = a.given(lam)
        head(rf"Penalty ({penalty_kind}, $\lambda = {lam_s}$)")
        sums2, sums1 = {}, {}
        for n in names:
            P = [w for row in param(n) for w in row]
            if penalty_kind in ("l2", "l2_half", "elastic_net"):
                sq = [a.r(w * w) for w in P]
                sums2[n] = sum(sq, Decimal(0))
                emit(rf"\textstyle\sum {ptex(n)}^2 = " + " + ".join(f"({a.given(w)})^2" for w in P)
                     + f" = {a.given(sums2[n])}")
            if penalty_kind in ("l1", "elastic_net"):
                ab = [abs(w) for w in P]
                sums1[n] = sum(ab, Decimal(0))
                emit(rf"\textstyle\sum |{ptex(n)}| = " + " + ".join(a.given(w) for w in ab) + f" = {a.given(sums1[n])}")
        s2, s1 = sum(sums2.values(), Decimal(0)), sum(sums1.values(), Decimal(0))
        allw = " + ".join(ptex(n) for n in names)
        if penalty_kind == "l2":
            R = a.r(lam * s2)
            emit(rf"R = \lambda \textstyle\sum w^2 = {lam_s} \times {a.given(s2)} = {a.show(R)}")
            key["R_sum"] = s2
        elif penalty_kind == "l2_half":
            R = a.r(lam * s2 / 2)
            emit(rf"R = \tfrac{{\lambda}}{{2}} \textstyle\sum w^2 = \tfrac{{{lam_s}}}{{2}} \times {a.given(s2)} = {a.show(R)}")
            key["R_sum"] = s2
        elif penalty_kind == "l1":
            R = a.r(lam * s1)
            emit(rf"R = \lambda \textstyle\sum |w| = {lam_s} \times {a.given(s1)} = {a.show(R)}")
            key["R_sum"] = s1
        else:
            R = a.r(lam * (s1 + s2))
            emit(rf"R = \lambda \left(\textstyle\sum |w| + \sum w^2\right) = {lam_s} ({a.given(s1)} + {a.given(s2)}) = {a.show(R)}")
            key["R_sum"] = s1 + s2
        text(f"(The sums run over {'the weights and biases' if include_biases else 'the weights only'}: ${allw}$.)")
        Lt = a.r(Ld + R)
        emit(rf"L = L_\text{{data}} + R = {_join([a.show(Ld), a.show(R)])} = {a.show(Lt)}")
        key["R"], key["L"] = R, Lt
        # penalty gradients, element by element
        gtex = {"l2": (r"2\lambda w", lambda w: 2 * lam * w),
                "l2_half": (r"\lambda w", lambda w: lam * w),
                "l1": (r"\lambda \operatorname{sign}(w)", lambda w: lam * (w > 0) - lam * (w < 0)),
                "elastic_net": (r"\lambda(\operatorname{sign}(w) + 2w)",
                                lambda w: lam * ((w > 0) - (w < 0) + 2 * w))}[penalty_kind]
        for n in names:
            pen_grad[n] = [[a.r(Decimal(gtex[1](w))) for w in row] for row in param(n)]
        text(rf"Its gradient, entry by entry: $\partial R / \partial w = {gtex[0]}$ "
             "(added to the data gradient of every penalised parameter below).")
    else:
        key["L"] = Ld

    # ---------------- backward
    head("Backward pass", 2)
    delta = [a.r(pi - yi) for pi, yi in zip(yhat, y)]
    head(rf"Step {2 * L + 1}: the output error $\delta_{{{L}}}$")
    why = {"cross_entropy": "softmax with cross-entropy", "binary_cross_entropy": "sigmoid with binary cross-entropy",
           "half_sse": r"identity output with $\frac12\sum(\hat y - y)^2$"}[loss]
    text(f"For {why}, the gradient with respect to the pre-activation is $\\hat y - y$:")
    emit(rf"\delta_{{{L}}} = \frac{{\partial L}}{{\partial Z_{{{L}}}}} = \hat y - y = {vec(yhat)} - {vec(y, a.given)} = {vec(delta)}")
    grads = {}
    step_no = 2 * L + 2
    for l in range(L, 0, -1):
        prev = hs[l - 1]
        pf = a.given if l == 1 else a.show
        Wl = Wc[l - 1]
        key[f"delta{l}"] = delta
        head(rf"Step {step_no}: the gradients of layer {l}")
        step_no += 1
        dW = [[a.r(d * h) for h in prev] for d in delta]
        if cols:
            prodm = _pmatrix([[f"({a.show(d)})({pf(h)})" for h in prev] for d in delta])
            emit(rf"\frac{{\partial L_\text{{data}}}}{{\partial {W(l)}}} &= \delta_{{{l}}} {Hname(l - 1)}^T = {vec(delta)} {_pmatrix([[pf(h) for h in prev]])}",
                 rf"&= {prodm}", rf"&= {mat(dW)}")
        else:
            prodm = _pmatrix([[f"({pf(h)})({a.show(d)})" for d in delta] for h in prev])
            emit(rf"\frac{{\partial L_\text{{data}}}}{{\partial {W(l)}}} &= {Hname(l - 1)}^T \delta_{{{l}}} = {_pmatrix([[pf(h)] for h in prev])} {vec(delta)}",
                 rf"&= {prodm}", rf"&= {mat(dW)}")
        db = list(delta)
        emit(rf"\frac{{\partial L_\text{{data}}}}{{\partial b_{{{l}}}}} = \delta_{{{l}}} = {vec(db)}")
        if lam > 0:
            key[f"dW{l}_data"], key[f"db{l}_data"] = dW, db
            g = pen_grad[f"W{l}"]
            tot = [[a.r(u + v) for u, v in zip(r1, r2)] for r1, r2 in zip(dW, g)]
            emit(rf"\frac{{\partial R}}{{\partial {W(l)}}} = {gtex[0].replace('w', W(l))} = {mat(g)}")
            emit(rf"\frac{{\partial L}}{{\partial {W(l)}}} = \frac{{\partial L_\text{{data}}}}{{\partial {W(l)}}} + \frac{{\partial R}}{{\partial {W(l)}}} = {mat(tot)}")
            key[f"dR_W{l}"] = g
            dW = tot
            if include_biases:
                gb = [r[0] for r in pen_grad[f"b{l}"]]
                db = [a.r(u + v) for u, v in zip(db, gb)]
                emit(rf"\frac{{\partial L}}{{\partial b_{{{l}}}}} = \delta_{{{l}}} + {gtex[0].replace('w', f'b_{{{l}}}')} = {vec(db)}")
                key[f"dR_b{l}"] = gb
        grads[f"W{l}"], grads[f"b{l}"] = dW, db
        key[f"dW{l}"], key[f"db{l}"] = dW, db
        if l == 1:
            break
        # back to the hidden layer l-1
        head(rf"Step {step_no}: back through $W_{{{l}}}$ and $f$ to $\delta_{{{l - 1}}}$")
        step_no += 1
        n_prev = len(prev)
        dH, lines = [], []
        for j in range(n_prev):
            prods = [a.r(Wl[i][j] * delta[i]) for i in range(len(delta))]
            v = a.r(sum(prods, Decimal(0)))
            dH.append(v)
            if cols:
                sym = " + ".join(f"({a.given(Wl[i][j])})({a.show(delta[i])})" for i in range(len(delta)))
            else:
                sym = " + ".join(f"({a.show(delta[i])})({a.given(Wl[i][j])})" for i in range(len(delta)))
            lines.append(rf"\text{{entry {j + 1}: }} &{sym} = {_join([a.show(p) for p in prods])} = {a.show(v)}")
        if cols:
            WT = [list(r) for r in zip(*Wl)]
            emit(rf"\frac{{\partial L}}{{\partial H_{{{l - 1}}}}} = W_{{{l}}}^T \delta_{{{l}}} = {_pmatrix([[a.given(w) for w in r] for r in WT])} {vec(delta)}")
        else:
            emit(rf"\frac{{\partial L}}{{\partial H_{{{l - 1}}}}} = \delta_{{{l}}} W_{{{l}}}^T = {vec(delta)} {_pmatrix([[a.given(w) for w in r] for r in Wl])}")
        emit(*lines)
        dHname = rf"W_{{{l}}}^T \delta_{{{l}}}" if cols else rf"\delta_{{{l}}} W_{{{l}}}^T"
        emit(rf"{dHname} = {vec(dH)}")
        key[f"dH{l - 1}"] = dH
        text(f"The derivative of the activation, ${act.df_tex}$, at $Z_{{{l - 1}}}$:")
        fp, lines = [], []
        for j, zj in enumerate(zs[l - 2]):
            d, sub = act.deriv(a, zj)
            fp.append(d)
            lines.append(rf"f'({a.show(zj)}) &= {sub}")
        emit(*lines)
        key[f"fprime{l - 1}"] = fp
        new_delta = [a.r(u * v) for u, v in zip(dH, fp)]
        emit(rf"\delta_{{{l - 1}}} = \frac{{\partial L}}{{\partial Z_{{{l - 1}}}}} = ({dHname}) \odot f'(Z_{{{l - 1}}})"
             rf" = {vec(dH)} \odot {vec(fp)} = {vec(new_delta)}")
        emit(*[rf"\delta_{{{l - 1},{j + 1}}} &= ({a.show(u)})({a.show(v)}) = {a.show(w)}"
               for j, (u, v, w) in enumerate(zip(dH, fp, new_delta))])
        delta = new_delta

    # ---------------- update
    if lr is not None:
        lr_s = a.given(lr)
        head(rf"Update ($\alpha = {lr_s}$)", 2)
        emit(r"\theta^{new} = \theta - \alpha \frac{\partial L}{\partial \theta}")
        if a.hand:
            text(f"As by hand, each step $\\alpha\\,\\partial L/\\partial\\theta$ is rounded to {k} decimals first, "
                 "then subtracted.")
        for l in range(L, 0, -1):
            for n in (f"b{l}", f"W{l}"):
                g = grads[n] if n[0] == "W" else [[v] for v in grads[n]]
                old = Wc[l - 1] if n[0] == "W" else [[v] for v in bc[l - 1]]
                step = [[a.r(lr * v) for v in row] for row in g]
                new = [[a.r(o - s) for o, s in zip(r1, r2)] for r1, r2 in zip(old, step)]
                show_m = (mat if n[0] == "W" else (lambda M, fmt=None: vec([r[0] for r in M], fmt)))
                emit(rf"\alpha \frac{{\partial L}}{{\partial {ptex(n)}}} &= {lr_s} {show_m(g)} {_eq(a)} {show_m(step)}",
                     rf"{ptex(n)}^{{new}} &= {show_m(old, a.given)} - {show_m(step)}", rf"&= {show_m(new)}")
                if n[0] == "W":
                    key[f"step_{n}"], key[f"{n}_new"] = step, new
                else:
                    key[f"step_{n}"], key[f"{n}_new"] = [r[0] for r in step], [r[0] for r in new]
    return key


# --------------------------------------------------------------------------- public API
class WorkedSolution:
    r"""A worked solution: the answer key, the document, and hand-vs-exact differences.

    Attributes
    ----------
    key : dict[str, ndarray]
        Every intermediate in the caller's layout, float64: ``Z1, H1, ..., ZL,
        Yhat, L_data, L`` (and ``R, R_sum`` with a penalty), ``exp_ZL, sum_exp``
        (softmax), ``deltaL ... delta1``, ``dH{l}`` (:math:`W_{l+1}^T\delta_{l+1}`),
        ``fprime{l}`` (:math:`f'(Z_l)`), ``dW{l}_data, db{l}_data`` (data part),
        ``dR_W{l}`` (penalty part), ``dW{l}, db{l}`` (total, as ``backward``),
        and with ``lr``: ``step_W{l}, step_b{l}`` (:math:`\alpha\,\partial L/\partial\theta`)
        and ``W{l}_new, b{l}_new`` (as ``sgd_step``).  Vectors are 1-D (one
        sample); matrices have the shape of ``W{l}``; new biases have the
        shape the bias was given in.
    other_key : dict[str, ndarray]
        The same in the other mode.
    differences : list of (name, index, hand, exact)
        Every entry whose hand and exact values differ at ``decimals`` places
        (index 1-based, strings as shown).
    mode, decimals, layout, title
    """

    def __init__(self, key, other_key, blocks, mode, decimals, layout, title, differences):
        self.key, self.other_key, self.blocks = key, other_key, blocks
        self.mode, self.decimals, self.layout, self.title = mode, decimals, layout, title
        self.differences = differences

    def markdown(self):
        """The solution as Markdown with LaTeX ($$ ... $$ display math) for a notebook or a .md file."""
        return f"# {self.title}\n\n" + _md(self.blocks)

    def latex(self):
        """The solution as a standalone LaTeX document (article, amsmath)."""
        return _tex(self.blocks, self.title)

    def _repr_markdown_(self):
        return self.markdown()

    def save(self, directory, stem="worked_solution"):
        """Write ``stem.md`` and ``stem.tex`` into ``directory``; return their paths."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        md, tex = d / f"{stem}.md", d / f"{stem}.tex"
        md.write_text(self.markdown(), encoding="utf-8")
        tex.write_text(self.latex(), encoding="utf-8")
        return md, tex


_BIAS_SHAPED = re.compile(r"^(db\d+(_data)?|dR_b\d+|step_b\d+|b\d+_new)$")


def _to_arrays(key, layout, bias_shapes):
    """Decimal nested lists (column convention) -> float arrays in the caller's layout."""
    out = {}
    for n, v in key.items():
        if isinstance(v, list) and v and isinstance(v[0], list):
            arr = np.array([[float(e) for e in r] for r in v])
            if layout == "rows":
                arr = arr.T
        elif isinstance(v, list):
            arr = np.array([float(e) for e in v])
        else:
            arr = np.array(float(v))
        if _BIAS_SHAPED.match(n):
            l = int(re.findall(r"\d+", n)[0])
            arr = arr.reshape(bias_shapes[l - 1])
        out[n] = arr
    return out


def worked_solution(params, x, y, activation="relu", loss="cross_entropy", layout="columns",
                    lam=0.0, penalty_kind="l2", include_biases=False, lr=None, mode="hand",
                    decimals=4, title="Worked solution"):
    r"""The step-by-step solution of one forward pass, backward pass and update.

    Parameters
    ----------
    params : dict
        ``W1, b1, ..., WL, bL`` in ``layout`` (see :func:`mlp_helpers.forward`).
    x : array_like, shape (n_in,)
        One sample ((1, n_in) in the rows layout and (n_in, 1) in the columns
        layout are accepted too).
    y : array_like, shape (n_out,)
        Its target (one-hot for cross-entropy).
    activation : str
        A name in ``ACTIVATIONS``.
    loss : {"cross_entropy", "binary_cross_entropy", "half_sse"}
    layout : {"columns", "rows"}
    lam : float >= 0
        Penalty strength :math:`\lambda` (0: no penalty); ``penalty_kind`` and
        ``include_biases`` as in ``PENALTIES`` / :func:`mlp_helpers.penalty`.
    lr : float > 0, optional
        The learning rate :math:`\alpha`; without it there is no update step.
    mode : {"hand", "exact"}
        See the module docstring.
    decimals : int in 1..10
        The shown precision (and the rounding of hand mode).
    title : str

    Returns
    -------
    WorkedSolution
    """
    check_choice("layout", layout, LAYOUTS)
    check_choice("mode", mode, MODES)
    check_choice("loss", loss, LOSS_NAMES)
    act = activation_text(activation)
    k = check_scalar("decimals", decimals, low=1, high=10, integer=True)
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("penalty_kind", penalty_kind, PENALTIES)
    if lr is not None:
        lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    if not isinstance(title, str):
        raise TypeError(f"title: expected a str, got {type(title).__name__}")
    Ws, bs, bias_shapes = check_params(params, layout)  # row convention (n_in, n_out)
    n_in, n_out = Ws[0].shape[0], Ws[-1].shape[1]
    xa = as_float_array("x", x, ndim=(1, 2))
    if xa.ndim == 2 and xa.shape in ((1, n_in), (n_in, 1)):
        xa = xa.reshape(n_in)
    if xa.shape != (n_in,):
        raise ValueError(f"x: expected one sample of shape ({n_in},), got {xa.shape}")
    ya = as_float_array("y", y, ndim=(1, 2))
    if ya.ndim == 2 and ya.shape in ((1, n_out), (n_out, 1)):
        ya = ya.reshape(n_out)
    if ya.shape != (n_out,):
        raise ValueError(f"y: expected a target of shape ({n_out},), got {ya.shape}")
    if loss == "binary_cross_entropy" and np.any((ya < 0) | (ya > 1)):
        raise ValueError(f"y: expected targets in [0, 1] for binary_cross_entropy, got {ya}")

    Wc = [[[_dec(v) for v in row] for row in W.T] for W in Ws]
    bc = [[_dec(v) for v in b] for b in bs]
    xd, yd = [_dec(v) for v in xa], [_dec(v) for v in ya]
    lamd = _dec(lam)
    lrd = None if lr is None else _dec(lr)

    with localcontext() as ctx:
        ctx.prec = PRECISION
        doc = _Doc()
        sizes = "-".join(str(n) for n in [n_in] + [W.shape[1] for W in Ws])
        doc.p(f"Network {sizes}, {layout} layout, hidden activation ${act.f_tex}$, loss {loss.replace('_', ' ')}"
              + (f", penalty {penalty_kind.replace('_', ' ')} with $\\lambda = {_Arith(mode, k).given(lamd)}$" if lam > 0 else "")
              + (f", learning rate $\\alpha = {_Arith(mode, k).given(lrd)}$" if lr is not None else "") + ". "
              + ("Hand arithmetic: every intermediate is rounded to " f"{k} decimals and used rounded."
                 if mode == "hand" else f"Exact arithmetic, shown to {k} decimals."))
        a = _Arith(mode, k)
        if layout == "columns":
            doc.m(rf"x = {_pmatrix([[a.given(v)] for v in xd])}, \quad y = {_pmatrix([[a.given(v)] for v in yd])}")
        else:
            doc.m(rf"x = {_pmatrix([[a.given(v) for v in xd]])}, \quad y = {_pmatrix([[a.given(v) for v in yd]])}")
        for l, (W, b) in enumerate(zip(Wc, bc), start=1):
            Wshow = W if layout == "columns" else [list(r) for r in zip(*W)]
            bshow = [[a.given(v)] for v in b] if layout == "columns" else [[a.given(v) for v in b]]
            doc.m(rf"W_{{{l}}} = {_pmatrix([[a.given(v) for v in r] for r in Wshow])}, \quad b_{{{l}}} = {_pmatrix(bshow)}")
        key_d = _solve(Wc, bc, xd, yd, act, loss, lamd, penalty_kind, include_biases, lrd, layout, mode, k, doc)
        other = "exact" if mode == "hand" else "hand"
        other_d = _solve(Wc, bc, xd, yd, act, loss, lamd, penalty_kind, include_biases, lrd, layout, other, k, None)

    hand_d, exact_d = (key_d, other_d) if mode == "hand" else (other_d, key_d)
    diffs = []
    for n in hand_d:
        if n == "L" and lam == 0:
            continue  # the same as L_data
        hv, ev = hand_d[n], exact_d[n]
        if not isinstance(hv, list):
            hv, ev = [[hv]], [[ev]]
        elif not isinstance(hv[0], list):
            hv, ev = [hv], [ev]
        matrix = isinstance(hand_d[n], list) and isinstance(hand_d[n][0], list)
        for i, (rh, re_) in enumerate(zip(hv, ev)):
            for j, (u, v) in enumerate(zip(rh, re_)):
                su, sv = a.show(u), a.show(v)
                if su != sv:
                    if matrix:
                        idx = (i + 1, j + 1) if layout == "columns" else (j + 1, i + 1)
                        idx_s = f"[{idx[0]},{idx[1]}]"
                    elif isinstance(hand_d[n], list):
                        idx_s = f"[{j + 1}]"
                    else:
                        idx_s = ""
                    diffs.append((n, idx_s, su, sv))
    doc.h2(f"Hand versus exact at {k} decimals")
    if diffs:
        doc.p(f"{len(diffs)} entries differ at the shown precision (indices from 1):")
        doc.table(["value", "hand", "exact"], [[f"`{n}{i}`", h, e] for n, i, h, e in diffs])
    else:
        doc.p("Hand and exact arithmetic agree on every entry at the shown precision.")

    key = _to_arrays(key_d, layout, bias_shapes)
    other_key = _to_arrays(other_d, layout, bias_shapes)
    return WorkedSolution(key, other_key, doc.blocks, mode, k, layout, title, diffs)
