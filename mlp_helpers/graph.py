r"""A tiny computational-graph engine on scalars: the chain rule node by node.

In the spirit of Karpathy's *micrograd*: every arithmetic operation on
:class:`Value` objects creates a new node that remembers its inputs (its
*parents*) and its **local derivatives** :math:`\partial\,\text{node}/\partial\,\text{parent}`,
computed once in the forward pass.  :meth:`Value.backward` then visits the
nodes from the output back to the inputs (reverse topological order) and
applies the chain rule at every node:

.. math::

    \text{parent.grad} \mathrel{+}= \frac{\partial\,\text{node}}{\partial\,\text{parent}}
    \times \text{node.grad}.

The ``+=`` matters: a value used by two nodes (a *fork*, as :math:`z` in
seed 001's :math:`f(z) = \mathrm{ReLU}(z) + \sin z`) receives one
contribution along each path, and its gradient is their sum.

:func:`scalar_network` builds a whole multilayer perceptron from scalars, so
its gradients can be checked against the matrix backprop of
:func:`mlp_helpers.backward`.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ._validate import as_float_array, check_choice
from .check import Diagnosis


def _as_number(name, x):
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        if isinstance(x, np.ndarray) and x.ndim == 0 and np.issubdtype(x.dtype, np.number):
            x = x.item()
        else:
            raise TypeError(f"{name}: expected a real number or a Value, got {type(x).__name__}")
    try:
        x = float(x)
    except OverflowError:  # a Python int beyond float64
        raise ValueError(f"{name}: expected a finite number, got an integer beyond float64") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite number, got {x}")
    return x


class Value:
    """A scalar node of a computational graph.

    Attributes
    ----------
    data : float
        The value computed in the forward pass.
    grad : float
        :math:`\\partial\\,\\text{root}/\\partial\\,\\text{self}` after ``root.backward()``; 0.0 before.
    parents : tuple of Value
        The inputs of the operation that made this node (empty for a leaf).
    local : tuple of float
        The local derivatives :math:`\\partial\\,\\text{self}/\\partial\\,\\text{parent}`, one per parent.
    op : str
        The operation's name (``""`` for a leaf), e.g. ``"*"``, ``"tanh"``.
    label : str
        An optional name used in traces and figures.
    """

    __slots__ = ("data", "grad", "parents", "local", "op", "label")
    __array_ufunc__ = None  # numpy scalars and arrays defer to Value's reflected operators

    def __init__(self, data, label="", *, parents=(), local=(), op=""):
        self.data = _as_number("data", data)
        if not isinstance(label, str):
            raise TypeError(f"label: expected a str, got {type(label).__name__}")
        if not isinstance(parents, (tuple, list)):
            raise TypeError(f"parents: expected a tuple of Value nodes, got {type(parents).__name__}")
        if isinstance(local, np.ndarray):
            local = as_float_array("local", local, ndim=1, allow_empty=True)
        elif not isinstance(local, (tuple, list)):
            raise TypeError(f"local: expected a tuple of numbers, one per parent, got {type(local).__name__}")
        if not isinstance(op, str):
            raise TypeError(f"op: expected a str such as '+' or 'tanh', got {type(op).__name__}")
        parents, local = tuple(parents), tuple(local)
        for i, p in enumerate(parents):
            if not isinstance(p, Value):
                raise TypeError(f"parents[{i}]: expected a Value, got {type(p).__name__}")
        if len(local) != len(parents):
            raise ValueError(f"local: expected one local derivative per parent ({len(parents)}), got {len(local)}")
        self.local = tuple(_as_number(f"local[{i}]", d) for i, d in enumerate(local))
        self.parents, self.op, self.label, self.grad = parents, op, label, 0.0

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ---------------------------------------------------------- binary ops
    @staticmethod
    def _wrap(other, name="other"):
        return other if isinstance(other, Value) else Value(_as_number(name, other))

    def __add__(self, other):
        other = self._wrap(other)
        return Value(self.data + other.data, parents=(self, other), local=(1.0, 1.0), op="+")

    def __mul__(self, other):
        other = self._wrap(other)
        return Value(self.data * other.data, parents=(self, other), local=(other.data, self.data), op="*")

    def __pow__(self, k):
        if isinstance(k, Value):
            raise TypeError("k: expected a constant exponent (a number), got a Value; use exp(k * log(x))")
        k = _as_number("k", k)
        if self.data == 0.0 and k < 1.0:
            raise ValueError(f"k: 0 ** {k} has no finite derivative; expected a base other than 0 or k >= 1")
        if self.data < 0.0 and k != int(k):
            raise ValueError(f"k: a negative base ({self.data}) needs a whole exponent, got {k}")
        return Value(self.data ** k, parents=(self,), local=(k * self.data ** (k - 1.0),), op=f"**{k:g}")

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __truediv__(self, other):
        other = self._wrap(other)
        if other.data == 0.0:
            raise ZeroDivisionError("other: division by a Value whose data is 0")
        return self * other ** -1.0

    def __radd__(self, other):
        return self._wrap(other) + self

    def __rmul__(self, other):
        return self._wrap(other) * self

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __rtruediv__(self, other):
        return self._wrap(other) / self

    # ----------------------------------------------------------- unary ops
    def exp(self):
        e = math.exp(self.data)  # OverflowError above ~709: a clear error, not inf
        return Value(e, parents=(self,), local=(e,), op="exp")

    def log(self):
        if self.data <= 0.0:
            raise ValueError(f"log: expected a positive argument, got {self.data}")
        return Value(math.log(self.data), parents=(self,), local=(1.0 / self.data,), op="log")

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, parents=(self,), local=(1.0 - t * t,), op="tanh")

    def sigmoid(self):
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Value(s, parents=(self,), local=(s * (1.0 - s),), op="sigmoid")

    def relu(self):
        return Value(max(self.data, 0.0), parents=(self,), local=(1.0 if self.data > 0 else 0.0,), op="relu")

    def sin(self):
        return Value(math.sin(self.data), parents=(self,), local=(math.cos(self.data),), op="sin")

    def cos(self):
        return Value(math.cos(self.data), parents=(self,), local=(-math.sin(self.data),), op="cos")

    # ------------------------------------------------------------ backward
    def backward(self, step=None):
        """Fill ``grad`` of every node this one depends on with ∂self/∂node.

        Sets every ``grad`` in the graph to 0, ``self.grad`` to 1, then calls
        ``step(node)`` for each node in reverse topological order (outputs
        before inputs).  ``step`` defaults to :func:`backward_step`, the chain
        rule; notebook 08's exercise passes its own.  Returns ``self``.
        """
        if step is None:
            step = backward_step
        elif not callable(step):
            raise TypeError(f"step: expected a function step(node), got {type(step).__name__}")
        order = topological_order(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            step(node)
        return self


def backward_step(node):
    """The chain rule at one node: ``parent.grad += local * node.grad`` for each parent."""
    for parent, local in zip(node.parents, node.local):
        parent.grad += local * node.grad


def topological_order(root):
    """Every node ``root`` depends on, inputs first, ``root`` last (each node once).

    Iterative depth-first search, so deep graphs do not hit Python's recursion limit.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root: expected a Value, got {type(root).__name__}")
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for p in reversed(node.parents):
            if id(p) not in seen:
                stack.append((p, False))
    return order


def value_sum(values, start=0.0):
    """The sum of ``values`` (an iterable of Values or numbers) as one chain of ``+`` nodes."""
    total = Value(_as_number("start", start)) if not isinstance(start, Value) else start
    for i, v in enumerate(values):
        if not isinstance(v, (Value, numbers.Real)) or isinstance(v, bool):
            raise TypeError(f"values[{i}]: expected a Value or a number, got {type(v).__name__}")
        total = total + v
    return total


def trace(root):
    """The nodes of ``root``'s graph as rows, inputs first: one dict per node.

    Each row: ``"name"`` (the label, else ``op`` and a number), ``"op"``,
    ``"data"``, ``"grad"``, ``"parents"`` (their names) and ``"local"``.
    """
    order = topological_order(root)
    names = {}
    for i, v in enumerate(order):
        names[id(v)] = v.label or (f"n{i}" if v.op else f"leaf{i}")
    return [{"name": names[id(v)], "op": v.op or "input", "data": v.data, "grad": v.grad,
             "parents": tuple(names[id(p)] for p in v.parents), "local": v.local} for v in order]


# ------------------------------------------------------- scalar network
_SCALAR_ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": lambda z: z.relu(),
    "sigmoid": lambda z: z.sigmoid(),
    "tanh": lambda z: z.tanh(),
    "relu_plus_sin": lambda z: z.relu() + z.sin(),
}


def scalar_network(params, x, y, activation="relu_plus_sin", layout="columns"):
    r"""A softmax/cross-entropy MLP for ONE sample, built from scalar :class:`Value` nodes.

    params : dict ``W1, b1, ..., WL, bL`` as for :func:`mlp_helpers.forward`
        (``layout="columns"``: ``W{l}`` has shape ``(n_l, n_{l-1})``;
        ``"rows"``: ``(n_{l-1}, n_l)``; biases ``(n_l,)`` or 2-D with one row/column).
    x : shape ``(n_0,)``, the sample.  y : shape ``(n_L,)``, its one-hot target.
    activation : one of ``"identity", "relu", "sigmoid", "tanh", "relu_plus_sin"``.

    Every :math:`z_{l,i} = b_{l,i} + \sum_j W_{l,ij} h_{l-1,j}` (columns) is a
    chain of ``*`` and ``+`` nodes; the loss is
    :math:`L = \log\sum_k e^{z_{L,k} - m} + m - \sum_k y_k z_{L,k}`
    with the constant :math:`m = \max_k z_{L,k}` (the stable log-sum-exp).

    Returns ``(loss, leaves)``: the loss Value (call ``loss.backward()``) and a
    dict with the keys of ``params`` holding arrays of Values of the
    parameters' shapes; :func:`gradients` turns it into arrays of ``grad``.
    """
    from .network import check_params

    check_choice("activation", activation, _SCALAR_ACTIVATIONS)
    Ws, bs, bias_shapes = check_params(params, layout)  # validated, row layout (n_in, n_out)
    x = as_float_array("x", x, ndim=1)
    if x.shape != (Ws[0].shape[0],):
        raise ValueError(f"x: expected shape ({Ws[0].shape[0]},), one sample, got {x.shape}")
    y = as_float_array("y", y, ndim=1)
    if y.shape != (Ws[-1].shape[1],):
        raise ValueError(f"y: expected shape ({Ws[-1].shape[1]},), a one-hot target, got {y.shape}")
    try:  # huge finite input overflows a node (inf is refused by Value, exp raises OverflowError)
        f = _SCALAR_ACTIVATIONS[activation]
        leaves = {}
        h = [Value(float(v), f"x[{i}]") for i, v in enumerate(x)]
        L = len(Ws)
        for l, (W, b) in enumerate(zip(Ws, bs), start=1):
            n_in, n_out = W.shape
            # leaves in the caller's layout, names as the caller indexes them
            Wv = np.empty((n_out, n_in) if layout == "columns" else (n_in, n_out), dtype=object)
            for i in range(n_out):
                for j in range(n_in):
                    idx = (i, j) if layout == "columns" else (j, i)
                    Wv[idx] = Value(float(W[j, i]), f"W{l}[{idx[0]},{idx[1]}]")
            bv = np.array([Value(float(b[i]), f"b{l}[{i}]") for i in range(n_out)], dtype=object)
            leaves[f"W{l}"] = Wv
            leaves[f"b{l}"] = bv.reshape(bias_shapes[l - 1])
            z = []
            for i in range(n_out):
                zi = bv[i]
                for j in range(n_in):
                    w = Wv[i, j] if layout == "columns" else Wv[j, i]
                    zi = zi + w * h[j]
                zi.label = f"z{l}[{i}]"
                z.append(zi)
            h = z if l == L else [f(zi) for zi in z]
        m = max(zi.data for zi in h)
        lse = value_sum((zi - m).exp() for zi in h).log() + m
        loss = lse - value_sum(zi * float(yk) for zi, yk in zip(h, y) if yk != 0.0)
        loss.label = "L"
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"params, x, y: the forward pass overflows float64 ({exc}); "
                         "the values are too large, scale them down") from None
    return loss, leaves


def gradients(leaves):
    """``{name: array of grad}`` for a dict of arrays of Values (as returned by :func:`scalar_network`)."""
    if not isinstance(leaves, dict):
        raise TypeError(f"leaves: expected a dict of arrays of Values, got {type(leaves).__name__}")
    out = {}
    for name, arr in leaves.items():
        arr = np.asarray(arr, dtype=object)
        if not all(isinstance(v, Value) for v in arr.flat):
            raise TypeError(f"leaves[{name!r}]: expected an array of Values")
        out[name] = np.vectorize(lambda v: v.grad, otypes=[float])(arr) if arr.size else np.zeros(arr.shape)
    return out


# ------------------------------------------------------------ exercise
#: Hidden cases of the backward-step exercise are drawn with this seed.
EXERCISE_SEED = 11


def _exercise_graphs(seed):
    """Small random graphs (each with a fork: a value used twice) as (root, leaves) builders."""
    rng = np.random.default_rng(seed)
    builders = []
    for _ in range(4):
        a0, b0, c0 = (float(v) for v in rng.uniform(-2.0, 2.0, size=3))

        def build(a0=a0, b0=b0, c0=c0):
            a, b, c = Value(a0, "a"), Value(b0, "b"), Value(c0, "c")
            z = a * b + c              # z is used twice below: a fork
            out = z.tanh() * z + z.sin()
            return out, (a, b, c)

        builders.append(build)
    return builders


def _wrong_steps():
    def overwrite(node):
        for p, d in zip(node.parents, node.local):
            p.grad = d * node.grad

    def no_upstream(node):
        for p, d in zip(node.parents, node.local):
            p.grad += d

    def no_local(node):
        for p, _ in zip(node.parents, node.local):
            p.grad += node.grad

    return [
        ("overwrite", overwrite, "your step overwrites parent.grad (=) instead of adding to it (+=): a value "
                                 "used by two nodes (a fork, like z in relu(z) + sin(z)) must collect one "
                                 "contribution per path, and their sum is its gradient."),
        ("no_upstream", no_upstream, "your step adds only the local derivative: the chain rule multiplies it "
                                     "by node.grad, the derivative of the output with respect to the node."),
        ("no_local", no_local, "your step passes node.grad on unchanged: each parent's share is node.grad "
                               "times the local derivative d node / d parent."),
    ]


def check_backward_step(step, seed=EXERCISE_SEED):
    r"""Self-check of the exercise "the chain rule at one node".

    step : the student's function ``step(node)`` that adds ``node``'s
        contribution to the ``grad`` of each of ``node.parents`` (it is called
        for every node, outputs first, by ``root.backward(step)``).  ``None``
        (the stub) is "missing".
    seed : the seed of the hidden random graphs (every one has a fork).

    Returns a :class:`mlp_helpers.check.Diagnosis`.  Known mistakes are
    recognised first: ``"overwrite"`` (``=`` instead of ``+=``),
    ``"no_upstream"`` (forgets ``node.grad``), ``"no_local"`` (forgets the
    local derivative), ``"error"`` (the function raised); otherwise
    :func:`mlp_helpers.check.diagnose`'s code.  Messages end with
    ``(kind of mistake: CODE)``.
    """
    from .check import diagnose
    from ._validate import check_scalar

    seed = check_scalar("seed", seed, low=0, integer=True)
    if step is None or step is Ellipsis:
        return Diagnosis(False, "missing", "your step is missing: replace None with your function step(node) "
                                           "and run the check again. (kind of mistake: missing)")
    if not callable(step):
        raise TypeError(f"step: expected your function step(node), got {type(step).__name__}")

    def grads_with(fn):
        out = []
        for build in _exercise_graphs(seed):
            root, leaves = build()
            root.backward(fn)
            out.append([v.grad for v in leaves])
        return np.array(out)

    try:
        answer = grads_with(step)
    except Exception as exc:  # the student's code: report, do not raise
        return Diagnosis(False, "error", f"your step raised {type(exc).__name__}: {exc}. (kind of mistake: error)")
    if not np.all(np.isfinite(answer)):
        return Diagnosis(False, "wrong", "your step gives NaN or infinite gradients. (kind of mistake: wrong)")
    expected = grads_with(backward_step)
    d = diagnose("gradients of a, b, c", answer, expected)
    if d.ok:
        return Diagnosis(True, "correct", "your step is correct: the gradients of all hidden graphs match.")
    for code, wrong, message in _wrong_steps():
        if np.allclose(answer, grads_with(wrong), rtol=1e-9, atol=1e-12):
            return Diagnosis(False, code, f"{message} (kind of mistake: {code})")
    if np.all(answer == 0):
        return Diagnosis(False, "wrong", "every gradient stays 0: your step does not change any parent's grad. "
                                         "(kind of mistake: wrong)")
    return Diagnosis(False, d.code, f"{d.message} (kind of mistake: {d.code})")


__all__ = ["Value", "backward_step", "topological_order", "value_sum", "trace", "scalar_network", "gradients",
           "check_backward_step"]
