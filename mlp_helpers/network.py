r"""Forward and backward passes for a multilayer perceptron of any depth.

Notation (the same in every notebook): layer :math:`l = 1..L` has weights
``W{l}``, biases ``b{l}``, pre-activation ``Z{l}`` and activation ``H{l}``;
:math:`H_0 = X`, :math:`H_l = f(Z_l)` for hidden layers and
:math:`\hat y = g(Z_L)` where :math:`g` is the output function of the loss
(softmax for cross-entropy).  The error terms are
:math:`\delta_l = \partial L/\partial Z_l`.

Two layouts, chosen explicitly with ``layout=``:

``"rows"`` (seed 000, batch rows)
    :math:`Z_l = H_{l-1} W_l + b_l`; ``X`` has shape ``(n_samples, n_in)``,
    ``W{l}`` ``(n_{l-1}, n_l)``, ``b{l}`` ``(n_l,)`` or ``(1, n_l)``.
``"columns"`` (seed 001, column vectors)
    :math:`Z_l = W_l H_{l-1} + b_l`; ``X`` has shape ``(n_in, n_samples)``,
    ``W{l}`` ``(n_l, n_{l-1})``, ``b{l}`` ``(n_l,)`` or ``(n_l, 1)``.

A 1-D ``X`` of shape ``(n_in,)`` is one sample in either layout, and every
array computed from it is 1-D too.  The column layout is computed as the row
layout of the transposes, so the two agree exactly.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_choice, check_scalar, check_shape
from .activations import get_activation
from .losses import REDUCTIONS, get_loss
from .regularization import PENALTIES, penalty, penalty_gradients

LAYOUTS = ("rows", "columns")


# --------------------------------------------------------------------- checks
def n_layers(params):
    """The number of layers L of ``params`` (keys ``W1, b1, ..., WL, bL``)."""
    if not isinstance(params, dict):
        raise TypeError(f"params: expected a dict with keys W1, b1, W2, b2, ..., got {type(params).__name__}")
    L = sum(1 for k in params if k.startswith("W"))
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if L == 0 or set(params) != expected:
        raise ValueError(
            f"params: expected keys {sorted(expected) or ['W1', 'b1']}, got {sorted(params)}"
        )
    return L


def check_params(params, layout="rows"):
    """Validate ``params`` for ``layout`` and return them as row-layout float arrays.

    Returns ``(Ws, bs, bias_shapes)``: lists of ``W`` with shape ``(n_in, n_out)``,
    ``b`` with shape ``(n_out,)``, and each bias's shape as given.
    Raises ``ValueError`` naming the parameter when layers do not chain or a
    bias has the wrong shape.
    """
    check_choice("layout", layout, LAYOUTS)
    L = n_layers(params)
    Ws, bs, bias_shapes = [], [], []
    for l in range(1, L + 1):
        W = as_float_array(f"W{l}", params[f"W{l}"], ndim=2)
        if layout == "columns":
            W = W.T
        n_in, n_out = W.shape
        if l > 1 and n_in != Ws[-1].shape[1]:
            prev = Ws[-1].shape[1]
            need = f"{prev} rows (shape ({prev}, n_{l}))" if layout == "rows" else f"{prev} columns (shape (n_{l}, {prev}))"
            got = W.shape if layout == "rows" else W.T.shape
            raise ValueError(
                f"W{l}: layers do not chain: layer {l - 1} has {prev} outputs, so W{l} "
                f"needs {need} in the {layout} layout, got shape {got}"
            )
        b = as_float_array(f"b{l}", params[f"b{l}"], ndim=(1, 2))
        allowed = [(n_out,), (1, n_out) if layout == "rows" else (n_out, 1)]
        if b.shape not in allowed:
            raise ValueError(f"b{l}: expected shape {allowed[0]} or {allowed[1]}, got {b.shape}")
        Ws.append(W)
        bs.append(b.reshape(n_out))
        bias_shapes.append(b.shape)
    return Ws, bs, bias_shapes


def _check_input(X, n_in, layout, name="X"):
    """Return X as a 2-D row-layout array ``(n_samples, n_in)`` and whether it was 1-D."""
    X = as_float_array(name, X, ndim=(1, 2))
    if X.ndim == 1:
        check_shape(name, X, (n_in,))
        return X[None, :], True
    if layout == "columns":
        if X.shape[0] != n_in:
            raise ValueError(f"{name}: expected shape ({n_in}, n_samples) in the columns layout, got {X.shape}")
        return X.T, False
    if X.shape[1] != n_in:
        raise ValueError(f"{name}: expected shape (n_samples, {n_in}) in the rows layout, got {X.shape}")
    return X, False


def _to_layout(A, layout, one_sample):
    """Row-layout ``(n_samples, k)`` back to the caller's layout."""
    if one_sample:
        return A[0]
    return A.T if layout == "columns" else A


# ----------------------------------------------------------- row-layout core
# These work on validated row-layout arrays and are what the training loop
# calls in its inner loop: one line per equation, no checks, no copies.
def _forward_rows(Ws, bs, X, f, g):
    """Z_l = H_{l-1} W_l + b_l; H_l = f(Z_l); ŷ = g(Z_L). Returns (Zs, Hs) with Hs[0] = X."""
    Hs, Zs = [X], []
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        Z = Hs[-1] @ W + b
        Zs.append(Z)
        Hs.append(g(Z) if l == len(Ws) else f(Z))
    return Zs, Hs


def _backward_rows(Ws, Zs, Hs, delta_L, df):
    """δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(Z_{l-1}); ∂L/∂W_l = H_{l-1}ᵀ δ_l; ∂L/∂b_l = Σ_rows δ_l.

    Returns lists (dWs, dbs, deltas, dHs) indexed by layer - 1; dHs[l-1] is
    ∂L/∂H_l for the hidden layers (None for the last).
    """
    L = len(Ws)
    dWs, dbs, deltas, dHs = [None] * L, [None] * L, [None] * L, [None] * L
    delta = delta_L
    for l in range(L, 0, -1):
        deltas[l - 1] = delta
        dWs[l - 1] = Hs[l - 1].T @ delta
        dbs[l - 1] = delta.sum(axis=0)
        if l > 1:
            dH = delta @ Ws[l - 1].T
            dHs[l - 2] = dH
            delta = dH * df(Zs[l - 2])
    return dWs, dbs, deltas, dHs


# -------------------------------------------------------------- public API
def forward(params, X, activation="relu", loss="cross_entropy", layout="rows"):
    r"""The forward pass.

    params : dict ``W1, b1, ..., WL, bL`` (shapes in the module docstring).
    X : shape ``(n_samples, n_in)`` (rows), ``(n_in, n_samples)`` (columns) or ``(n_in,)``.
    activation : name in ``ACTIVATIONS``, used by every hidden layer.
    loss : name in ``LOSSES``; it fixes the output function (softmax for
        ``"cross_entropy"``, sigmoid for ``"binary_cross_entropy"``, identity
        for ``"mse"`` and ``"half_sse"``).
    layout : ``"rows"`` or ``"columns"``.

    Returns a dict with ``"X"``, ``"Z1"``, ``"H1"``, ..., ``"Z{L}"`` and
    ``"Yhat"`` (= H_L); each ``Z{l}``/``H{l}`` has shape ``(n_samples, n_l)``
    in the rows layout, ``(n_l, n_samples)`` in the columns layout, ``(n_l,)``
    for a 1-D ``X``.
    """
    Ws, bs, _ = check_params(params, layout)
    act = get_activation(activation)
    out = get_loss(loss)
    X2, one = _check_input(X, Ws[0].shape[0], layout)
    Zs, Hs = _forward_rows(Ws, bs, X2, act.f, out.output)
    cache = {"X": _to_layout(X2, layout, one)}
    for l in range(1, len(Ws) + 1):
        cache[f"Z{l}"] = _to_layout(Zs[l - 1], layout, one)
        if l < len(Ws):
            cache[f"H{l}"] = _to_layout(Hs[l], layout, one)
    cache["Yhat"] = _to_layout(Hs[-1], layout, one)
    return cache


def _check_targets(Y, shape_rows, layout, one):
    Y = as_float_array("Y", Y, ndim=(1, 2))
    want = (shape_rows[1],) if one else (shape_rows if layout == "rows" else shape_rows[::-1])
    if Y.shape != want:
        raise ValueError(
            f"Y: expected shape {want} (one-hot targets, like Yhat; make them with one_hot(labels, n_classes)), got {Y.shape}"
        )
    if one:
        return Y[None, :]
    return Y.T if layout == "columns" else Y


def loss_value(params, X, Y, activation="relu", loss="cross_entropy", layout="rows",
               reduction="mean", lam=0.0, penalty_kind="l2", include_biases=False):
    r"""The total loss :math:`L = L_\text{data} + \lambda R(W)`, a float.

    The data loss is computed from the logits :math:`Z_L` exactly
    (log-sum-exp), so a saturated softmax gives the true tiny loss, not a
    clipped one.  ``Y`` has the shape of ``forward(...)["Yhat"]``.
    """
    Ws, bs, _ = check_params(params, layout)
    act, out = get_activation(activation), get_loss(loss)
    check_choice("reduction", reduction, REDUCTIONS)
    X2, one = _check_input(X, Ws[0].shape[0], layout)
    Zs, _ = _forward_rows(Ws, bs, X2, act.f, out.output)
    Y2 = _check_targets(Y, Zs[-1].shape, layout, one)
    per_sample = out.from_logits(Y2, Zs[-1])
    data = float(per_sample.sum() if reduction == "sum" else per_sample.mean())
    return data + penalty(params, lam, penalty_kind, include_biases)


def backward(params, cache, Y, activation="relu", loss="cross_entropy", layout="rows",
             reduction="mean", lam=0.0, penalty_kind="l2", include_biases=False):
    r"""Backpropagation: the gradient of :math:`L = L_\text{data} + \lambda R(W)`.

    params, activation, loss, layout : as given to :func:`forward`.
    cache : the dict returned by :func:`forward`.
    Y : one-hot targets of ``cache["Yhat"]``'s shape.
    reduction : ``"sum"`` or ``"mean"`` of the per-sample losses over the batch.
    lam, penalty_kind, include_biases : the penalty (see ``PENALTIES``);
        ``lam=0`` for none.

    Returns ``(grads, terms)``.  ``grads`` has the keys and shapes of
    ``params`` (the bias gradient in the shape the bias was given).
    ``terms`` holds ``"delta{l}"`` = :math:`\delta_l = \partial L/\partial Z_l`
    (shape of ``Z{l}``) for every layer and ``"dH{l}"`` =
    :math:`\partial L/\partial H_l` (= :math:`W_{l+1}^T\delta_{l+1}` in the
    column layout) for every hidden layer.
    """
    Ws, bs, bias_shapes = check_params(params, layout)
    act, out = get_activation(activation), get_loss(loss)
    check_choice("reduction", reduction, REDUCTIONS)
    check_scalar("lam", lam, low=0.0)
    check_choice("penalty_kind", penalty_kind, PENALTIES)
    if not isinstance(cache, dict) or "X" not in cache or f"Z{len(Ws)}" not in cache:
        raise ValueError(f"cache: expected the dict returned by forward() for this {len(Ws)}-layer network")
    X2, one = _check_input(cache["X"], Ws[0].shape[0], layout, name="cache['X']")
    Zs = []
    for l in range(1, len(Ws) + 1):
        Z = as_float_array(f"cache['Z{l}']", cache[f"Z{l}"], ndim=(1, 2))
        Zs.append(Z[None, :] if one else (Z.T if layout == "columns" else Z))
    Hs = [X2] + [act.f(Z) for Z in Zs[:-1]] + [out.output(Zs[-1])]
    Y2 = _check_targets(Y, Zs[-1].shape, layout, one)
    delta_L = out.delta(Y2, Hs[-1])
    if reduction == "mean":
        delta_L = delta_L / X2.shape[0]
    dWs, dbs, deltas, dHs = _backward_rows(Ws, Zs, Hs, delta_L, act.df)
    pen = penalty_gradients(params, lam, penalty_kind, include_biases) if lam > 0 else None
    grads, terms = {}, {}
    for l in range(1, len(Ws) + 1):
        dW = dWs[l - 1].T if layout == "columns" else dWs[l - 1]
        db = dbs[l - 1].reshape(bias_shapes[l - 1])
        if pen is not None:
            dW = dW + pen[f"W{l}"]
            db = db + pen[f"b{l}"]
        grads[f"W{l}"], grads[f"b{l}"] = dW, db
        terms[f"delta{l}"] = _to_layout(deltas[l - 1], layout, one)
        if dHs[l - 1] is not None:
            terms[f"dH{l}"] = _to_layout(dHs[l - 1], layout, one)
    return grads, terms


def init_params(sizes, seed=0, layout="rows", scale="he"):
    """Random initial parameters for layer sizes ``[n_in, n_1, ..., n_L]``.

    Weights are drawn from a normal distribution with standard deviation
    ``sqrt(2 / n_in)`` (``scale="he"``, for ReLU-like activations) or
    ``sqrt(1 / n_in)`` (``"xavier"``) using ``numpy.random.default_rng(seed)``;
    biases start at zero.  Returns a dict ``W1, b1, ...`` in ``layout``.
    """
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"sizes: expected a list [n_in, n_1, ..., n_L] of at least 2 sizes, got {sizes!r}")
    for i, n in enumerate(sizes):
        check_scalar(f"sizes[{i}]", n, low=1, integer=True)
    check_choice("layout", layout, LAYOUTS)
    check_choice("scale", scale, ("he", "xavier"))
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = np.sqrt((2.0 if scale == "he" else 1.0) / n_in)
        W = rng.normal(0.0, std, size=(n_in, n_out))
        params[f"W{l}"] = W.T.copy() if layout == "columns" else W
        params[f"b{l}"] = np.zeros(n_out)
    return params


def predict(params, X, activation="relu", loss="cross_entropy", layout="rows"):
    """Class predictions: the arg-max of ``Yhat`` over the classes.

    Returns an int array of shape ``(n_samples,)`` (a 0-d int for a 1-D ``X``).
    """
    Yhat = forward(params, X, activation, loss, layout)["Yhat"]
    axis = 0 if (layout == "columns" and Yhat.ndim == 2) else -1
    return np.argmax(Yhat, axis=axis)
