r"""Step-by-step worked solutions of one forward pass, backward pass and update.

``worked_solution(params, x, y, ...)`` writes out, for one sample, every
equation and then the same equation with the numbers substituted entry by
entry, as the hand derivation of seed 001 does: the pre-activations
:math:`z_l`, the activations :math:`h_l` (lower-case: one sample, as in the
notation table of notebook 01), the softmax sum, :math:`\hat y`,
the loss, the penalty, :math:`\delta_L`, :math:`\partial L/\partial W_L`,
:math:`W_L^T\delta_L`, :math:`f'(z_l)`, :math:`\delta_l`, ... and the update
:math:`\theta^{new} = \theta - \alpha\,\partial L/\partial\theta`.

Two arithmetic modes
--------------------
``mode="exact"``
    Every value in full precision (decimal arithmetic with 40 digits, the
    functions sin, cos, tanh in float64), shown to ``decimals`` places.
    The answer key agrees with :func:`mlp_helpers.forward`, ``backward`` and
    ``sgd_step`` to about 1e-15.  Logarithms of probabilities are taken
    from the logits (log-sum-exp, :math:`\log\sigma(z) = -\max(-z, 0) -
    \log(1 + e^{-|z|})`, with an accurate ``log1p``), so a saturated output
    gives the true tiny loss, and no exponential of a positive number above
    20 is ever formed: the key is finite for any finite input whose values
    fit in float64 (tested at logits up to ±1000).
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
       the sigmoid is written two-sided, :math:`1/(1 + e^{-z})` for
       :math:`z \ge 0` and :math:`e^{z}/(1 + e^{z})` for :math:`z < 0`, and
       the softplus as :math:`\max(0, z) + \log(1 + e^{-|z|})`, so that
       only exponentials of numbers :math:`\le 0` are needed;
    3. the softmax denominator is the sum of the rounded exponentials and
       each :math:`\hat y_i` is the rounded quotient (``0.6753 / 3.0939 = 0.2183``);
       when the largest logit :math:`m` lies outside [0, ``SOFTMAX_SHIFT_ABOVE`` = 20]
       it is subtracted first (:math:`e^{z_i - m}`), which leaves
       :math:`\hat y` unchanged and keeps every exponential at most 1 (and
       the largest exactly 1, so the denominator never rounds to 0);
    4. :math:`\delta_L = \hat y - y` uses the rounded :math:`\hat y`, every
       gradient entry is the rounded product of rounded factors
       (``-0.7817 * 2.3257 = -1.8180``, where full precision gives -1.818139);
       a logarithm of a probability that rounds to 0 is taken from the logit
       instead (:math:`\log\hat y_i = z_i - m - \log\sum_j e^{z_j - m}`, or
       :math:`\log\sigma(z) = -\max(-z, 0) - \log(1 + e^{-|z|})`);
    5. the update step :math:`\alpha\,\partial L/\partial\theta` is rounded
       before it is subtracted, as the seed writes it
       (``0.001 * 0.6670 -> 0.0007``, then ``0.1 - 0.0007 = 0.0993``).  A
       consequence, kept on purpose because it is what the hand calculation
       does: with ``alpha = 0.001`` and 4 decimals, a gradient entry smaller
       than 0.05 in size leaves its weight unchanged (the homework generator,
       :mod:`mlp_helpers.instructor.homework`, picks a learning rate that
       avoids this).

    The seed's rounding is consistent with these rules everywhere; where rule 5
    and "subtract, then round" differ the seed agrees with rule 5 (for seed
    001 both give the same figures).

Every :class:`WorkedSolution` also computes the other mode and lists every
entry where hand and exact differ at the shown precision (``.differences``).

Output functions
----------------
The output function :math:`g` (``output=``) is its own choice: ``"softmax"``
or any name in ``ACTIVATIONS`` (identity, sigmoid, tanh, ...); ``None`` takes
the loss's natural one (softmax for cross-entropy, sigmoid for binary
cross-entropy, identity for ``half_sse`` and ``mse``).  The natural pairs have
:math:`\delta_L = \hat y - y` (:math:`\tfrac{2}{n}(\hat y - y)` for ``mse``);
any other pair goes through the chain rule,
:math:`\delta_L = \partial L/\partial\hat y \odot g'(z_L)`, or with a softmax
output :math:`\delta_{L,i} = \hat y_i(\partial L/\partial\hat y_i - \sum_j
\hat y_j\,\partial L/\partial\hat y_j)` (its Jacobian).  This is how the
textbook 2-2-2 example (sigmoid hidden and output units with
:math:`\tfrac12\sum(y - \hat y)^2`) is written: ``activation="sigmoid",
output="sigmoid", loss="half_sse"``.  Cross-entropy takes a softmax or a
sigmoid output (:math:`\delta_{L,i} = -y_i(1 - \hat y_i)` for the sigmoid),
binary cross-entropy a sigmoid output.

Supported: any depth (``W1, b1, ..., WL, bL``), both layouts, one sample
(1-D ``x``), hidden activations from ``ACTIVATIONS`` (any registered one is
shown generically as :math:`f(z)`), losses ``cross_entropy``,
``binary_cross_entropy``, ``half_sse`` and ``mse`` with the output functions
above, penalties from ``PENALTIES``.
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext
from pathlib import Path

import numpy as np

from .._validate import as_float_array, check_choice, check_scalar
from ..activations import ACTIVATIONS
from ..network import check_params
from ..regularization import PENALTIES

MODES = ("exact", "hand")
LOSS_NAMES = ("cross_entropy", "binary_cross_entropy", "half_sse", "mse")
NATURAL_OUTPUT = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid",
                  "half_sse": "identity", "mse": "identity"}
# The outputs each loss is written out with (None: every output function).
LOSS_OUTPUTS = {"cross_entropy": ("softmax", "sigmoid"), "binary_cross_entropy": ("sigmoid",),
                "half_sse": None, "mse": None}
LAYOUTS = ("rows", "columns")
PRECISION = 40  # decimal digits of the exact mode
SOFTMAX_SHIFT_ABOVE = 20  # the softmax subtracts its largest logit m unless 0 <= m <= 20
_SCIENTIFIC_FROM = 15  # numbers of at least 1e15 are shown as m x 10^e


def output_names():
    """The names ``output=`` accepts: ``"softmax"`` and every name in ``ACTIVATIONS``."""
    return ("softmax",) + tuple(ACTIVATIONS)


def check_output(loss, output):
    """The output function for ``loss`` (``None``: its natural one), checked; returns the name."""
    check_choice("loss", loss, LOSS_NAMES)
    if output is None:
        return NATURAL_OUTPUT[loss]
    check_choice("output", output, output_names())
    allowed = LOSS_OUTPUTS[loss]
    if allowed is not None and output not in allowed:
        raise ValueError(f"output: {loss} is written out with the output "
                         f"{' or '.join(repr(o) for o in allowed)}, got {output!r}")
    return output


# --------------------------------------------------------------------------- numbers
class _OutOfRange(ValueError):
    """A value the worked solution cannot write out (beyond float64, or not finite)."""


def _dec(v):
    """A float as the decimal number it prints as (0.1 -> Decimal('0.1'))."""
    return Decimal(repr(float(v)))


def _log1p(u):
    """log(1 + u) for a Decimal u > -1, accurate also when u is tiny (e^-1000)."""
    if abs(u) < Decimal("1e-6"):
        # the series u - u^2/2 + u^3/3 - ...: 8 terms leave a relative error below 1e-45
        total, power = Decimal(0), u
        for n in range(1, 9):
            total += power / n if n % 2 else -power / n
            power *= u
        return +total
    return (1 + u).ln()


def _sigmoid_d(z):
    """The exact two-sided sigmoid of a Decimal: never forms e^z for z > 0."""
    if z >= 0:
        return 1 / (1 + (-z).exp())
    e = z.exp()
    return e / (1 + e)


def _log_sigmoid_d(z):
    """log sigma(z) = -max(-z, 0) - log(1 + e^{-|z|}), exactly (no log of a rounded 0)."""
    return -(max(-z, Decimal(0)) + _log1p((-abs(z)).exp()))


class _Arith:
    """Rounding and display rules for one mode."""

    def __init__(self, mode, k, silent=False):
        self.hand = mode == "hand"
        self.k = k
        self.q = Decimal(1).scaleb(-k)
        self.silent = silent  # no document: every shown number is "" (the key alone is much faster)

    def _quantize(self, d):
        """``d`` rounded to k decimals (half away from zero), at any magnitude."""
        if not d.is_finite():
            raise _OutOfRange(f"a value of the calculation is {d}")
        with localcontext() as ctx:
            ctx.prec = max(PRECISION, d.adjusted() + self.k + 3)
            return d.quantize(self.q, ROUND_HALF_UP)

    def r(self, d):
        """Round an intermediate (hand mode only)."""
        return self._quantize(d) if self.hand else +d

    def fn(self, f, d):
        """A calculator function value (float64), rounded in hand mode."""
        z = float(d)
        v = f(z) if math.isfinite(z) else math.nan
        if not math.isfinite(v):
            raise _OutOfRange(f"{getattr(f, '__name__', 'f')}({d}) is not a finite float64 number")
        return self.r(_dec(v))

    def exp(self, d):
        return self.r(d.exp())

    def ln(self, d):
        return self.r(d.ln())

    def show(self, d, tex=True):
        """A computed value, ``k`` decimals (from 1e15 on: ``m \\times 10^{e}``, or ``me+e`` with ``tex=False``)."""
        if self.silent:
            return ""
        if d.is_finite() and d != 0 and d.adjusted() >= _SCIENTIFIC_FROM:
            e = d.adjusted()
            m = self._quantize(d.scaleb(-e))
            if abs(m) >= 10:
                e, m = e + 1, self._quantize(d.scaleb(-e - 1))
            return rf"{m:f} \times 10^{{{e}}}" if tex else f"{m:f}e+{e}"
        s = f"{self._quantize(d):f}"
        return s[1:] if s.startswith("-") and Decimal(s) == 0 else s

    def given(self, d):
        """A given (or exactly computed) value: no trailing zeros, at most k + 2 decimals."""
        if self.silent:
            return ""
        if not d.is_finite() or (d != 0 and d.adjusted() >= _SCIENTIFIC_FROM):
            return self.show(d)
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


def _sigmoid_text(a, z):
    """sigma(z), two-sided: ``(value, substituted text)``; only e^{-|z|} is formed."""
    if z >= 0:
        e = a.exp(-z)
        h = a.r(1 / (1 + e))
        return h, rf"\frac{{1}}{{1 + e^{{{a.show(-z)}}}}} \approx \frac{{1}}{{1 + {a.show(e)}}} = {a.show(h)}"
    e = a.exp(z)
    h = a.r(e / (1 + e))
    return h, (rf"\frac{{e^{{{a.show(z)}}}}}{{1 + e^{{{a.show(z)}}}}} \approx \frac{{{a.show(e)}}}{{1 + {a.show(e)}}}"
               rf" = {a.show(h)}")


def _one_minus_sigmoid(a, z, s):
    """1 - sigma(z): by hand 1 minus the rounded sigma(z); exactly sigma(-z) (no cancellation)."""
    return a.r(1 - s) if a.hand else _sigmoid_d(-z)


def _log_sigmoid_hand(a, z):
    """log sigma(z) from the logit, by the hand rules: ``(value, substituted text)``."""
    m = max(-z, Decimal(0))
    e = a.exp(-abs(z))
    l1 = a.r(_log1p(e))
    v = a.r(-(m + l1))
    return v, (rf"-\left(\max({a.show(-z)},\ 0) + \log(1 + e^{{{a.show(-abs(z))}}})\right) \approx "
               rf"-\left({a.show(m)} + \log(1 + {a.show(e)})\right) \approx -({a.show(m)} + {a.show(l1)}) = {a.show(v)}")


def _act_sigmoid():
    def value(a, z):
        return _sigmoid_text(a, z)

    def deriv(a, z):
        s, _ = _sigmoid_text(a, z)
        om = _one_minus_sigmoid(a, z, s)
        d = a.r(s * om)
        return d, rf"\sigma(z)(1 - \sigma(z)) = ({a.show(s)})({a.show(om)}) = {a.show(d)}"

    return _ActText("sigmoid", r"f(z) = \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}",
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
        m = z if z > 0 else Decimal(0)
        e = a.exp(-abs(z))
        l1 = a.r(_log1p(e))
        h = a.r(m + l1)
        return h, (rf"\max(0,\ {a.show(z)}) + \log(1 + e^{{{a.show(-abs(z))}}}) \approx {a.show(m)} + "
                   rf"\log(1 + {a.show(e)}) \approx {_join([a.show(m), a.show(l1)])} = {a.show(h)}")

    def deriv(a, z):
        return _sigmoid_text(a, z)

    return _ActText("softplus", r"f(z) = \log(1 + e^z) = \max(0, z) + \log(1 + e^{-|z|})",
                    r"f'(z) = \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}", value, deriv)


def _act_identity():
    def value(a, z):
        return +z, a.show(z)

    def deriv(a, z):
        return Decimal(1), "1"

    return _ActText("identity", "f(z) = z", "f'(z) = 1", value, deriv)


def _act_generic(name):
    act = ACTIVATIONS[name]

    def call(fn, z):
        with np.errstate(all="ignore"):
            return float(np.asarray(fn(np.array([float(z)])), dtype=float).reshape(-1)[0])

    def value(a, z):
        h = a.fn(lambda v: call(act.f, v), z)
        return h, rf"f({a.show(z)}) \approx {a.show(h)}"

    def deriv(a, z):
        d = a.fn(lambda v: call(act.df, v), z)
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
    """Blocks: ('h2'|'h3'|'p'|'m'|'code', text) or ('table', header, rows)."""

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
        elif b[0] == "code":
            out.append(f"```python\n{b[1]}\n```")
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
        parts[i] = re.sub(r"`([^`]*)`", r"\\texttt{\1}", p).replace("`", "")
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
        elif b[0] == "code":
            out.append("\\begin{verbatim}\n" + b[1] + "\n\\end{verbatim}")
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
def _solve(Wc, bc, x, y, act, out, output, loss, lam, penalty_kind, include_biases, lr, layout, mode, k, doc):
    """Compute everything in ``mode`` and (if ``doc``) write the steps.

    ``Wc[l]``: list of rows, shape (n_out, n_in) (column convention), Decimals.
    Returns the key: name -> nested lists of Decimal (column convention).
    """
    a = _Arith(mode, k, silent=doc is None)
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
        return "x" if l == 0 else f"h_{{{l}}}"

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
        head(f"Step {2 * l - 1}: the pre-activation $z_{{{l}}}$")
        if cols:
            emit(rf"z_{{{l}}} = {W(l)} {Hname(l - 1)} + b_{{{l}}} = {mat(Wl, a.given)} {vec(prev, pf)} + {vec(bl, a.given)}")
        else:
            emit(rf"z_{{{l}}} = {Hname(l - 1)} {W(l)} + b_{{{l}}} = {vec(prev, pf)} {mat(Wl, a.given)} + {vec(bl, a.given)}")
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
            lines.append(rf"z_{{{l},{i}}} &= {sym} = {shown} = {a.show(zi)}")
        emit(*lines)
        emit(rf"z_{{{l}}} = {vec(z)}")
        zs.append(z)
        key[f"Z{l}"] = z
        if l < L:
            head(f"Step {2 * l}: the activation $h_{{{l}}} = f(z_{{{l}}})$")
            text(rf"With ${act.f_tex}$, entry by entry:")
            h, lines = [], []
            for i, zi in enumerate(z):
                hi, sub = act.value(a, zi)
                h.append(hi)
                lines.append(rf"h_{{{l},{i}}} &= f({a.show(zi)}) = {sub}")
            emit(*lines)
            emit(rf"h_{{{l}}} = {vec(h)}")
            hs.append(h)
            key[f"H{l}"] = h

    zL = zs[-1]
    n_out = len(zL)
    head(rf"Step {2 * L}: the output $\hat y$")
    top_i = max(range(n_out), key=lambda i: zL[i])
    top = zL[top_i]
    shift = Decimal(0)
    S = None
    if output == "softmax":
        shifted = not (0 <= top <= SOFTMAX_SHIFT_ABOVE)
        shift = top if shifted else Decimal(0)
        e = [a.exp(zi - shift) for zi in zL]
        S = a.r(sum(e, Decimal(0)))
        yhat = [a.r(ei / S) for ei in e]
        if not shifted:
            emit(rf"\hat y = \operatorname{{softmax}}(z_{{{L}}}), \quad \hat y_i = \frac{{e^{{z_{{{L},i}}}}}}{{\sum_j e^{{z_{{{L},j}}}}}}")
            text("First the denominator, the sum of the exponentials:")
            emit(r"\sum_j e^{z_{" + str(L) + ",j}} = " + " + ".join(f"e^{{{a.show(zi)}}}" for zi in zL)
                 + r" \approx " + " + ".join(a.show(ei) for ei in e) + f" = {a.show(S)}")
        else:
            text(f"The largest logit, $m = {a.show(shift)}$, lies outside $[0, {SOFTMAX_SHIFT_ABOVE}]$, so it is "
                 "subtracted from every logit first: the softmax does not change when the same number is "
                 "subtracted from every entry, and every exponential is then at most $e^0 = 1$.")
            emit(rf"\hat y = \operatorname{{softmax}}(z_{{{L}}}), \quad \hat y_i = \frac{{e^{{z_{{{L},i}} - m}}}}{{\sum_j e^{{z_{{{L},j}} - m}}}}, \quad m = \max_j z_{{{L},j}} = {a.show(shift)}")
            text("First the denominator, the sum of the exponentials:")
            emit(r"\sum_j e^{z_{" + str(L) + ",j} - m} = " + " + ".join(f"e^{{{a.show(zi - shift)}}}" for zi in zL)
                 + r" \approx " + " + ".join(a.show(ei) for ei in e) + f" = {a.show(S)}")
            key[f"shift_Z{L}"] = shift
        emit(*[rf"\hat y_{{{i}}} &= \frac{{{a.show(ei)}}}{{{a.show(S)}}} = {a.show(yi)}"
               for i, (ei, yi) in enumerate(zip(e, yhat))])
        key[f"exp_Z{L}"], key["sum_exp"] = e, S
    elif output == "identity":
        yhat = list(zL)
        emit(rf"\hat y = z_{{{L}}}")
    else:
        yhat, lines = [], []
        for i, zi in enumerate(zL):
            yi, sub = out.value(a, zi)
            yhat.append(yi)
            lines.append(rf"\hat y_{{{i}}} &= g({a.show(zi)}) = {sub}")
        emit(rf"\hat y = g(z_{{{L}}}), \quad {out.f_tex.replace('f(z)', 'g(z)', 1)}")
        emit(*lines)
    emit(rf"\hat y = {vec(yhat)}")
    key["Yhat"] = yhat

    def log_yhat(i, negate=False):
        """log yhat_i (or log(1 - yhat_i) with ``negate``, sigmoid outputs only): (value, symbol, note)."""
        zi = -zL[i] if negate else zL[i]
        if output == "softmax":
            if not a.hand:  # log-sum-exp around the largest logit, with log1p
                rest = sum(((zj - top).exp() for j, zj in enumerate(zL) if j != top_i), Decimal(0))
                return (zi - top) - _log1p(rest), rf"\log({a.show(yhat[i])})", None
            if yhat[i] > 0:
                return a.ln(yhat[i]), rf"\log({a.show(yhat[i])})", None
            v = a.r(zi - shift - a.ln(S))
            m_tex = " - m" if shift else ""
            return (v, rf"\left(z_{{{L},{i}}}{m_tex} - \log \textstyle\sum_j e^{{z_{{{L},j}}{m_tex}}}\right)",
                    rf"$\hat y_{{{i}}}$ rounds to 0, so its logarithm is taken from the logits: "
                    rf"$\log \hat y_{{{i}}} = z_{{{L},{i}}}{m_tex} - \log\sum_j e^{{z_{{{L},j}}{m_tex}}}$.")
        p = _one_minus_sigmoid(a, zL[i], yhat[i]) if negate else yhat[i]
        sym = rf"\log({a.show(p)})"
        if not a.hand:
            return _log_sigmoid_d(zi), sym, None
        if p > 0:
            return a.ln(p), sym, None
        v, sub = _log_sigmoid_hand(a, zi)
        what = rf"1 - \hat y_{{{i}}}" if negate else rf"\hat y_{{{i}}}"
        lhs = r"\log(1 - \sigma(z)) = \log\sigma(-z)" if negate else r"\log\sigma(z)"
        return (v, rf"\log\sigma({a.show(zi)})",
                rf"${what}$ rounds to 0, so its logarithm is taken from the logit $z = {a.show(zL[i])}$: "
                rf"${lhs} = {sub}$.")

    # ---------------- loss
    head("Loss", 2)
    if loss == "cross_entropy":
        emit(r"L_\text{data} = -\sum_i y_i \log \hat y_i")
        terms, subs, vals = [], [], []
        for i, yi in enumerate(y):
            if yi == 0:
                continue
            lg, sym, note = log_yhat(i)
            if note:
                text(note)
            subs.append(rf"({a.given(yi)}){sym}")
            t = a.r(yi * lg)
            terms.append(t)
            vals.append(f"({a.given(yi)})({a.show(lg)})")
        Ld = a.r(-sum(terms, Decimal(0)))
        if subs:
            emit(rf"L_\text{{data}} = -\left[{' + '.join(subs)}\right] \approx -\left[{' + '.join(vals)}\right] = {a.show(Ld)}")
        else:
            emit(r"L_\text{data} = 0")
        text("(Only the terms with $y_i \\neq 0$ are written.)")
    elif loss == "binary_cross_entropy":
        emit(r"L_\text{data} = -\sum_i \left[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\right]")
        terms, lines = [], []
        for i, yi in enumerate(y):
            parts_sym, parts_val, t = [], [], Decimal(0)
            for coef, neg in ((yi, False), (1 - yi, True)):
                if coef == 0:
                    continue
                lg, sym, note = log_yhat(i, negate=neg)
                if note:
                    text(note)
                t += a.r(coef * lg)
                parts_sym.append(rf"({a.given(coef)}){sym}")
                parts_val.append(rf"({a.given(coef)})({a.show(lg)})")
            t = a.r(t)
            terms.append(t)
            lines.append(rf"&\text{{term {i}: }} {' + '.join(parts_sym)} \approx {' + '.join(parts_val)} = {a.show(t)}")
        Ld = a.r(-sum(terms, Decimal(0)))
        emit(*lines)
        emit(rf"L_\text{{data}} = {a.show(Ld)}")
        text("(A term whose factor $y_i$ or $1 - y_i$ is 0 is left out.)")
    else:
        mean = loss == "mse"
        frac = rf"\tfrac{{1}}{{{n_out}}}" if mean else r"\tfrac12"
        emit(rf"L_\text{{data}} = {frac} \sum_i (\hat y_i - y_i)^2")
        sq, subs = [], []
        for yi, pi in zip(y, yhat):
            d = a.r(pi - yi)
            sq.append(a.r(d * d))
            subs.append(f"({a.show(d)})^2")
        Ld = a.r(sum(sq, Decimal(0)) / (n_out if mean else 2))
        emit(rf"L_\text{{data}} = {frac}\left[{' + '.join(subs)}\right] = {frac}\left[{_join([a.show(s) for s in sq])}\right] = {a.show(Ld)}")
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
    head(rf"Step {2 * L + 1}: the output error $\delta_{{{L}}}$")
    natural = output == NATURAL_OUTPUT[loss]
    dtex = rf"\delta_{{{L}}} = \frac{{\partial L}}{{\partial z_{{{L}}}}}"
    if natural and loss != "mse":
        delta = [a.r(pi - yi) for pi, yi in zip(yhat, y)]
        why = {"cross_entropy": "softmax with cross-entropy", "binary_cross_entropy": "sigmoid with binary cross-entropy",
               "half_sse": r"identity output with $\frac12\sum(\hat y - y)^2$"}[loss]
        text(f"For {why}, the gradient with respect to the pre-activation is $\\hat y - y$:")
        emit(rf"{dtex} = \hat y - y = {vec(yhat)} - {vec(y, a.given)} = {vec(delta)}")
    elif natural:  # identity with the mean squared error
        diff = [a.r(pi - yi) for pi, yi in zip(yhat, y)]
        delta = [a.r(2 * d / n_out) for d in diff]
        text(rf"For the identity output with $\frac{{1}}{{n}}\sum(\hat y - y)^2$ ($n = {n_out}$ outputs), "
             r"the gradient with respect to the pre-activation is $\frac{2}{n}(\hat y - y)$:")
        emit(rf"{dtex} = \tfrac{{2}}{{{n_out}}}(\hat y - y) = \tfrac{{2}}{{{n_out}}} {vec(diff)} = {vec(delta)}")
    elif loss == "cross_entropy":  # sigmoid outputs
        om = [_one_minus_sigmoid(a, zi, pi) for zi, pi in zip(zL, yhat)]
        delta = [a.r(-yi * o) for yi, o in zip(y, om)]
        text(r"The chain rule through the sigmoid output: $\partial L/\partial \hat y_i = -y_i/\hat y_i$ and "
             r"$\sigma'(z_i) = \hat y_i(1 - \hat y_i)$, so their product is $-y_i(1 - \hat y_i)$:")
        emit(rf"{dtex} = -y \odot (1 - \hat y) = -{vec(y, a.given)} \odot {vec(om)} = {vec(delta)}")
    else:  # half_sse or mse through another output function: the chain rule
        diff = [a.r(pi - yi) for pi, yi in zip(yhat, y)]
        if loss == "mse":
            dY = [a.r(2 * d / n_out) for d in diff]
            emit(rf"\frac{{\partial L}}{{\partial \hat y}} = \tfrac{{2}}{{{n_out}}}(\hat y - y) = \tfrac{{2}}{{{n_out}}} {vec(diff)} = {vec(dY)}")
        else:
            dY = diff
            emit(rf"\frac{{\partial L}}{{\partial \hat y}} = \hat y - y = {vec(yhat)} - {vec(y, a.given)} = {vec(dY)}")
        key["dYhat"] = dY
        if output == "softmax":
            prods = [a.r(pi * gi) for pi, gi in zip(yhat, dY)]
            sm = a.r(sum(prods, Decimal(0)))
            key["sum_Yhat_dYhat"] = sm
            delta = [a.r(pi * a.r(gi - sm)) for pi, gi in zip(yhat, dY)]
            text(r"The softmax couples its outputs: its Jacobian is $\partial \hat y_i / \partial z_j = "
                 r"\hat y_i(1[i = j] - \hat y_j)$, so $\delta_i = \hat y_i\left(\partial L/\partial \hat y_i - "
                 r"\sum_j \hat y_j\, \partial L/\partial \hat y_j\right)$:")
            emit(r"\textstyle\sum_j \hat y_j \frac{\partial L}{\partial \hat y_j} = "
                 + " + ".join(f"({a.show(pi)})({a.show(gi)})" for pi, gi in zip(yhat, dY))
                 + f" = {_join([a.show(q) for q in prods])} = {a.show(sm)}")
            emit(*[rf"\delta_{{{L},{i}}} &= ({a.show(pi)})({a.show(gi)} - ({a.show(sm)})) = {a.show(di)}"
                   for i, (pi, gi, di) in enumerate(zip(yhat, dY, delta))])
        else:
            g_tex = out.df_tex.replace("f'", "g'", 1)
            text(f"The chain rule through the output function, ${g_tex}$, at $z_{{{L}}}$:")
            gp, lines = [], []
            for zi in zL:
                d, sub = out.deriv(a, zi)
                gp.append(d)
                lines.append(rf"g'({a.show(zi)}) &= {sub}")
            emit(*lines)
            key[f"gprime{L}"] = gp
            delta = [a.r(u * v) for u, v in zip(dY, gp)]
            emit(rf"{dtex} = \frac{{\partial L}}{{\partial \hat y}} \odot g'(z_{{{L}}}) = {vec(dY)} \odot {vec(gp)} = {vec(delta)}")
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
            lines.append(rf"\text{{entry {j}: }} &{sym} = {_join([a.show(p) for p in prods])} = {a.show(v)}")
        if cols:
            WT = [list(r) for r in zip(*Wl)]
            emit(rf"\frac{{\partial L}}{{\partial h_{{{l - 1}}}}} = W_{{{l}}}^T \delta_{{{l}}} = {_pmatrix([[a.given(w) for w in r] for r in WT])} {vec(delta)}")
        else:
            emit(rf"\frac{{\partial L}}{{\partial h_{{{l - 1}}}}} = \delta_{{{l}}} W_{{{l}}}^T = {vec(delta)} {_pmatrix([[a.given(w) for w in r] for r in Wl])}")
        emit(*lines)
        dHname = rf"W_{{{l}}}^T \delta_{{{l}}}" if cols else rf"\delta_{{{l}}} W_{{{l}}}^T"
        emit(rf"{dHname} = {vec(dH)}")
        key[f"dH{l - 1}"] = dH
        text(f"The derivative of the activation, ${act.df_tex}$, at $z_{{{l - 1}}}$:")
        fp, lines = [], []
        for j, zj in enumerate(zs[l - 2]):
            d, sub = act.deriv(a, zj)
            fp.append(d)
            lines.append(rf"f'({a.show(zj)}) &= {sub}")
        emit(*lines)
        key[f"fprime{l - 1}"] = fp
        new_delta = [a.r(u * v) for u, v in zip(dH, fp)]
        emit(rf"\delta_{{{l - 1}}} = \frac{{\partial L}}{{\partial z_{{{l - 1}}}}} = ({dHname}) \odot f'(z_{{{l - 1}}})"
             rf" = {vec(dH)} \odot {vec(fp)} = {vec(new_delta)}")
        emit(*[rf"\delta_{{{l - 1},{j}}} &= ({a.show(u)})({a.show(v)}) = {a.show(w)}"
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
        ``fprime{l}`` (:math:`f'(z_l)`), ``dW{l}_data, db{l}_data`` (data part),
        ``shift_Z{L}`` (the softmax's subtracted largest logit, when it
        subtracts one: ``exp_Z{L}`` then holds :math:`e^{z_L - m}`), and for
        an output other than the loss's natural one ``dYhat``
        (:math:`\partial L/\partial\hat y`) with ``gprime{L}``
        (:math:`g'(z_L)`) or, for a softmax output, ``sum_Yhat_dYhat``;
        ``dR_W{l}`` (penalty part), ``dW{l}, db{l}`` (total, as ``backward``),
        and with ``lr``: ``step_W{l}, step_b{l}`` (:math:`\alpha\,\partial L/\partial\theta`)
        and ``W{l}_new, b{l}_new`` (as ``sgd_step``).  Vectors are 1-D (one
        sample); matrices have the shape of ``W{l}``; new biases have the
        shape the bias was given in.
    other_key : dict[str, ndarray]
        The same in the other mode.
    differences : list of (name, index, hand, exact)
        Every entry whose hand and exact values differ at ``decimals`` places
        (index 0-based as numpy's, e.g. ``"[0,0]"`` for ``key[name][0, 0]``;
        strings as shown).
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
    """Decimal nested lists (column convention) -> float arrays in the caller's layout.

    Raises ValueError when a value does not fit in float64.
    """
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
        if not np.all(np.isfinite(arr)):
            big = next(e for e in (v if isinstance(v, list) else [v]) for e in (e if isinstance(e, list) else [e])
                       if not math.isfinite(float(e)))
            raise ValueError(f"params, x, y: the worked solution's {n} reaches {big:.4e}, beyond float64's range; "
                             "use smaller weights or inputs")
        if _BIAS_SHAPED.match(n):
            l = int(re.findall(r"\d+", n)[0])
            arr = arr.reshape(bias_shapes[l - 1])
        out[n] = arr + 0.0  # no negative zeros
    return out


class _Prepared:
    """Checked arguments as Decimals (column convention), ready for :func:`_solve`."""

    def __init__(self, params, x, y, activation, loss, output, layout, lam, penalty_kind, include_biases, lr,
                 mode, decimals, title):
        check_choice("layout", layout, LAYOUTS)
        check_choice("mode", mode, MODES)
        check_choice("loss", loss, LOSS_NAMES)
        self.output = check_output(loss, output)
        self.act = activation_text(activation)
        self.out = None if self.output == "softmax" else activation_text(self.output)
        self.k = check_scalar("decimals", decimals, low=1, high=10, integer=True)
        self.lam = check_scalar("lam", lam, low=0.0)
        check_choice("penalty_kind", penalty_kind, PENALTIES)
        if not isinstance(include_biases, (bool, np.bool_)):
            raise TypeError(f"include_biases: expected True or False, got {include_biases!r}")
        if lr is not None:
            lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
        if not isinstance(title, str):
            raise TypeError(f"title: expected a str, got {type(title).__name__}")
        Ws, bs, self.bias_shapes = check_params(params, layout)  # row convention (n_in, n_out)
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
        self.sizes = [n_in] + [W.shape[1] for W in Ws]
        self.Wc = [[[_dec(v) for v in row] for row in W.T] for W in Ws]
        self.bc = [[_dec(v) for v in b] for b in bs]
        self.xd, self.yd = [_dec(v) for v in xa], [_dec(v) for v in ya]
        self.lamd = _dec(self.lam)
        self.lrd = None if lr is None else _dec(lr)
        self.loss, self.layout, self.mode, self.title = loss, layout, mode, title
        self.penalty_kind, self.include_biases = penalty_kind, bool(include_biases)

    def solve(self, mode, doc=None):
        """The key (Decimal nested lists) in ``mode``, writing the steps into ``doc`` if given."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            try:
                return _solve(self.Wc, self.bc, self.xd, self.yd, self.act, self.out, self.output, self.loss,
                              self.lamd, self.penalty_kind, self.include_biases, self.lrd, self.layout, mode,
                              self.k, doc)
            except _OutOfRange as exc:
                raise ValueError(f"params, x, y: {exc}; use smaller weights or inputs") from None
            except (DecimalException, OverflowError) as exc:
                raise ValueError(f"params, x, y: the numbers leave the range the worked solution can write out "
                                 f"({type(exc).__name__}); use smaller weights or inputs") from None


def worked_keys(params, x, y, activation="relu", loss="cross_entropy", layout="columns", lam=0.0,
                penalty_kind="l2", include_biases=False, lr=None, decimals=4, output=None):
    """Only the answer keys ``(hand, exact)`` of :func:`worked_solution` (no document: faster).

    Same arguments (without ``mode`` and ``title``); returns two dicts name -> float array.
    """
    pr = _Prepared(params, x, y, activation, loss, output, layout, lam, penalty_kind, include_biases, lr,
                   "hand", decimals, "")
    return (_to_arrays(pr.solve("hand"), layout, pr.bias_shapes),
            _to_arrays(pr.solve("exact"), layout, pr.bias_shapes))


def worked_solution(params, x, y, activation="relu", loss="cross_entropy", layout="columns",
                    lam=0.0, penalty_kind="l2", include_biases=False, lr=None, mode="hand",
                    decimals=4, title="Worked solution", output=None):
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
        A name in ``ACTIVATIONS``: the hidden layers' activation.
    loss : {"cross_entropy", "binary_cross_entropy", "half_sse", "mse"}
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
    output : str, optional
        The output function :math:`g`: ``"softmax"`` or a name in
        ``ACTIVATIONS`` (``"identity"``, ``"sigmoid"``, ``"tanh"``, ...);
        ``None`` (default) is the loss's natural one (see the module
        docstring for the pairs that are written out).

    Returns
    -------
    WorkedSolution

    Raises
    ------
    TypeError, ValueError
        A bad argument (the message names it), or numbers so large that a
        value of the solution does not fit in float64.
    """
    pr = _Prepared(params, x, y, activation, loss, output, layout, lam, penalty_kind, include_biases, lr,
                   mode, decimals, title)
    k, act, lam = pr.k, pr.act, pr.lam
    doc = _Doc()
    a = _Arith(mode, k)
    sizes = "-".join(str(n) for n in pr.sizes)
    out_tex = {"softmax": r"$g = \operatorname{softmax}$", "identity": "identity"}.get(
        pr.output, f"${pr.out.f_tex.replace('f(z)', 'g(z)', 1)}$" if pr.out is not None else "")
    doc.p(f"Network {sizes}, {layout} layout, hidden activation ${act.f_tex}$, output function {out_tex}, "
          f"loss {loss.replace('_', ' ')}"
          + (f", penalty {penalty_kind.replace('_', ' ')} with $\\lambda = {a.given(pr.lamd)}$" if lam > 0 else "")
          + (f", learning rate $\\alpha = {a.given(pr.lrd)}$" if lr is not None else "") + ". "
          + ("Hand arithmetic: every intermediate is rounded to " f"{k} decimals and used rounded."
             if mode == "hand" else f"Exact arithmetic, shown to {k} decimals."))
    xd, yd = pr.xd, pr.yd
    if layout == "columns":
        doc.m(rf"x = {_pmatrix([[a.given(v)] for v in xd])}, \quad y = {_pmatrix([[a.given(v)] for v in yd])}")
    else:
        doc.m(rf"x = {_pmatrix([[a.given(v) for v in xd]])}, \quad y = {_pmatrix([[a.given(v) for v in yd]])}")
    for l, (W, b) in enumerate(zip(pr.Wc, pr.bc), start=1):
        Wshow = W if layout == "columns" else [list(r) for r in zip(*W)]
        bshow = [[a.given(v)] for v in b] if layout == "columns" else [[a.given(v) for v in b]]
        doc.m(rf"W_{{{l}}} = {_pmatrix([[a.given(v) for v in r] for r in Wshow])}, \quad b_{{{l}}} = {_pmatrix(bshow)}")
    key_d = pr.solve(mode, doc)
    other_d = pr.solve("exact" if mode == "hand" else "hand")

    hand_d, exact_d = (key_d, other_d) if mode == "hand" else (other_d, key_d)
    diffs = []
    for n in hand_d:
        if n == "L" and lam == 0:
            continue  # the same as L_data
        hv, ev = hand_d[n], exact_d.get(n)
        if ev is None:
            continue  # e.g. a softmax shift only one mode needed
        if not isinstance(hv, list):
            hv, ev = [[hv]], [[ev]]
        elif not isinstance(hv[0], list):
            hv, ev = [hv], [ev]
        matrix = isinstance(hand_d[n], list) and isinstance(hand_d[n][0], list)
        for i, (rh, re_) in enumerate(zip(hv, ev)):
            for j, (u, v) in enumerate(zip(rh, re_)):
                su, sv = a.show(u, tex=False), a.show(v, tex=False)
                if su != sv:
                    if matrix:
                        idx = (i, j) if layout == "columns" else (j, i)
                        idx_s = f"[{idx[0]},{idx[1]}]"
                    elif isinstance(hand_d[n], list):
                        idx_s = f"[{j}]"
                    else:
                        idx_s = ""
                    diffs.append((n, idx_s, su, sv))
    doc.h2(f"Hand versus exact at {k} decimals")
    if diffs:
        doc.p(f"{len(diffs)} entries differ at the shown precision (indices from 0, as numpy's):")
        doc.table(["value", "hand", "exact"], [[f"`{n}{i}`", h, e] for n, i, h, e in diffs])
    else:
        doc.p("Hand and exact arithmetic agree on every entry at the shown precision.")

    key = _to_arrays(key_d, layout, pr.bias_shapes)
    other_key = _to_arrays(other_d, layout, pr.bias_shapes)
    return WorkedSolution(key, other_key, doc.blocks, mode, k, layout, title, diffs)
