r"""Forward and backward passes for a multilayer perceptron of any depth.

Notation (the same in every notebook): layer :math:`l = 1..L` has weights
``W{l}``, biases ``b{l}``, pre-activation ``Z{l}`` and activation ``H{l}``;
:math:`H_0 = X`, :math:`H_l = f(Z_l)` for hidden layers and
:math:`\hat y = g(Z_L)` where :math:`g` is the output function: ``output=None``
for the loss's natural one (softmax for cross-entropy, sigmoid for binary
cross-entropy, identity for the squared errors), or any name in ``OUTPUTS``
(see :mod:`mlp_helpers.outputs` for which pairs are defined).  The error terms
are :math:`\delta_l = \partial L/\partial Z_l`.

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

import math
import numbers

import numpy as np

from ._validate import as_float_array, check_choice, check_flag, check_param_keys, check_scalar, check_shape
from .activations import get_activation
from .losses import REDUCTIONS, get_loss
from .outputs import predicted_classes, resolve
from .regularization import PENALTIES, penalty, penalty_gradients

LAYOUTS = ("rows", "columns")


# --------------------------------------------------------------------- checks
def _whole(name, value, low):
    """Return ``value`` as an int, checked: a finite whole number (of any numeric type) >= ``low``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a whole number >= {low}, got {type(value).__name__} {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name}: expected a finite whole number >= {low}, got {value}")
    if float(value) != int(value):
        raise ValueError(f"{name}: expected a whole number, got {value}")
    if int(value) < low:
        raise ValueError(f"{name}: expected {name} >= {low}, got {value}")
    return int(value)


def _check_seed(seed, name="seed"):
    """Return ``seed`` if ``numpy.random.default_rng`` accepts it: None, a whole number >= 0, a SeedSequence."""
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"{name}: expected None, a whole number >= 0 or a numpy.random.SeedSequence, "
            f"got {type(seed).__name__} {seed!r}"
        )
    if seed < 0:
        raise ValueError(f"{name}: expected a whole number >= 0, got {seed}")
    return int(seed)


def n_layers(params):
    """The number of layers L of ``params`` (exactly the keys ``W1, b1, ..., WL, bL``)."""
    return check_param_keys("params", params)


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
        if W.size == 0:
            raise ValueError(f"W{l}: expected a matrix with at least one row and one column, got shape {W.shape}")
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
    X = as_float_array(name, X, ndim=(1, 2), allow_empty=True)  # an empty batch: the message below
    if X.ndim == 1:
        check_shape(name, X, (n_in,))
        return X[None, :], True
    if layout == "columns":
        if X.shape[0] != n_in:
            raise ValueError(f"{name}: expected shape ({n_in}, n_samples) in the columns layout, got {X.shape}")
        X = X.T
    elif X.shape[1] != n_in:
        raise ValueError(f"{name}: expected shape (n_samples, {n_in}) in the rows layout, got {X.shape}")
    if X.shape[0] == 0:
        want = f"({n_in}, n_samples)" if layout == "columns" else f"(n_samples, {n_in})"
        got = X.T.shape if layout == "columns" else X.shape
        raise ValueError(f"{name}: expected at least one sample, shape {want} with n_samples >= 1, got {got}")
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


def _finite_forward(Ws, bs, X2, f, g):
    """``_forward_rows`` for the public functions: overflow raises ``ValueError``, never a warning."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        Zs, Hs = _forward_rows(Ws, bs, X2, f, g)
    for l, (Z, H) in enumerate(zip(Zs, Hs[1:]), start=1):
        for label, A in ((f"Z{l}", Z), ("Yhat" if l == len(Zs) else f"H{l}", H)):
            if not np.all(np.isfinite(A)):
                raise ValueError(
                    f"params, X: {label} is not finite in float64 (the activations overflowed); "
                    f"expected weights and inputs of a size whose products fit, got max |W{l}| = "
                    f"{np.max(np.abs(Ws[l - 1])):.3g}, max |X| = {np.max(np.abs(X2)):.3g}"
                )
    return Zs, Hs


# -------------------------------------------------------------- public API
def forward(params, X, activation="relu", loss="cross_entropy", layout="rows", output=None):
    r"""The forward pass.

    params : dict ``W1, b1, ..., WL, bL`` (shapes in the module docstring).
    X : shape ``(n_samples, n_in)`` (rows), ``(n_in, n_samples)`` (columns) or
        ``(n_in,)``; at least one sample.
    activation : name in ``ACTIVATIONS``, used by every hidden layer.
    loss : name in ``LOSSES``; with ``output=None`` it fixes the output function
        (softmax for ``"cross_entropy"``, sigmoid for ``"binary_cross_entropy"``,
        identity for ``"mse"`` and ``"half_sse"``).
    layout : ``"rows"`` or ``"columns"``.
    output : ``None`` (the loss's natural output) or a name in ``OUTPUTS``
        (``"identity"``, ``"sigmoid"``, ``"tanh"``, ``"softmax"`` or any activation).

    Returns a dict with ``"X"``, ``"Z1"``, ``"H1"``, ..., ``"Z{L}"`` and
    ``"Yhat"`` (= g(Z_L)); each ``Z{l}``/``H{l}`` has shape ``(n_samples, n_l)``
    in the rows layout, ``(n_l, n_samples)`` in the columns layout, ``(n_l,)``
    for a 1-D ``X``.
    """
    Ws, bs, _ = check_params(params, layout)
    act = get_activation(activation)
    pair = resolve(loss, output)
    X2, one = _check_input(X, Ws[0].shape[0], layout)
    Zs, Hs = _finite_forward(Ws, bs, X2, act.f, pair.g)
    cache = {"X": _to_layout(X2, layout, one)}
    for l in range(1, len(Ws) + 1):
        cache[f"Z{l}"] = _to_layout(Zs[l - 1], layout, one)
        if l < len(Ws):
            cache[f"H{l}"] = _to_layout(Hs[l], layout, one)
    cache["Yhat"] = _to_layout(Hs[-1], layout, one)
    return cache


def _check_targets(Y, shape_rows, layout, one, entry=None, name="Y"):
    Y = as_float_array(name, Y, ndim=(1, 2))
    want = (shape_rows[1],) if one else (shape_rows if layout == "rows" else shape_rows[::-1])
    if Y.shape != want:
        raise ValueError(
            f"{name}: expected shape {want} (one-hot targets, like Yhat; make them with one_hot(labels, n_classes)), got {Y.shape}"
        )
    _check_target_values(Y, entry, name)
    if one:
        return Y[None, :]
    return Y.T if layout == "columns" else Y


def _check_target_values(Y, entry, name):
    if entry is None or entry.targets is None:
        return
    low, high = entry.targets
    bad = (Y < low) | (Y > high)
    if np.any(bad):
        i = tuple(int(j) for j in np.argwhere(bad)[0])
        raise ValueError(f"{name}: expected target values in [{low}, {high}] for this loss, got {float(Y[i])!r} at index {i}")


def _data_loss(pair, Y2, Zs, Hs, reduction):
    per_sample = pair.loss_rows(Y2, Zs[-1], Hs[-1])
    return float(per_sample.sum() if reduction == "sum" else per_sample.mean())


def loss_value(params, X, Y, activation="relu", loss="cross_entropy", layout="rows",
               reduction="mean", lam=0.0, penalty_kind="l2", include_biases=False, output=None):
    r"""The total loss :math:`L = L_\text{data} + \lambda R(W)`, a float.

    For a natural (output, loss) pair (``output=None``) the data loss is computed
    from the logits :math:`Z_L` exactly (log-sum-exp), so a saturated softmax
    gives the true tiny loss, not a clipped one; for any other pair it is
    computed from the outputs ŷ (see :mod:`mlp_helpers.outputs`: the
    cross-entropies need outputs in [0, 1]).  ``Y`` has the shape of
    ``forward(...)["Yhat"]``; the other arguments are those of :func:`backward`.
    """
    Ws, bs, _ = check_params(params, layout)
    act = get_activation(activation)
    pair = resolve(loss, output)
    check_choice("reduction", reduction, REDUCTIONS)
    X2, one = _check_input(X, Ws[0].shape[0], layout)
    Zs, Hs = _finite_forward(Ws, bs, X2, act.f, pair.g)
    Y2 = _check_targets(Y, Zs[-1].shape, layout, one, get_loss(loss))
    data = _data_loss(pair, Y2, Zs, Hs, reduction)
    check_choice("penalty_kind", penalty_kind, PENALTIES)  # named as the caller knows it (penalty() says 'kind')
    return data + penalty(params, lam, penalty_kind, check_flag("include_biases", include_biases))


def _cache_keys(L):
    return ["X"] + [k for l in range(1, L + 1) for k in (f"Z{l}", f"H{l}")][:-1] + ["Yhat"]


def _check_cache(cache, Ws, layout, act, pair, activation):
    """Validate a cache of :func:`forward` against the parameters; return (X2, one, Zs, Hs[1:]) in rows."""
    L = len(Ws)
    keys = _cache_keys(L)
    if not isinstance(cache, dict):
        raise TypeError(f"cache: expected the dict returned by forward(), with keys {keys}, got {type(cache).__name__}")
    if set(cache) != set(keys):
        missing = [k for k in keys if k not in cache]
        extra = sorted(map(str, set(cache) - set(keys)))
        raise ValueError(
            f"cache: expected the dict returned by forward() for this {L}-layer network, with keys "
            f"{keys}; missing {missing}, unexpected {extra}"
        )
    X2, one = _check_input(cache["X"], Ws[0].shape[0], layout, name="cache['X']")
    n = X2.shape[0]

    def to_rows(key, A, width, what):
        want = (width,) if one else ((n, width) if layout == "rows" else (width, n))
        A = as_float_array(f"cache['{key}']", A, ndim=(1, 2))
        if A.shape != want:
            raise ValueError(
                f"cache['{key}']: expected shape {want} ({what} has {width} units and cache['X'] "
                f"{'is one sample' if one else f'has {n} samples'}, {layout} layout), got {A.shape}"
            )
        return A[None, :] if one else (A.T if layout == "columns" else A)

    Zs = [to_rows(f"Z{l}", cache[f"Z{l}"], W.shape[1], f"layer {l}") for l, W in enumerate(Ws, start=1)]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        Hs = [act.f(Z) for Z in Zs[:-1]] + [pair.g(Zs[-1])]
    for l, H in enumerate(Hs, start=1):
        key = "Yhat" if l == L else f"H{l}"
        given = to_rows(key, cache[key], Ws[l - 1].shape[1], f"layer {l}")
        if not np.allclose(given, H, rtol=1e-9, atol=1e-12):
            fn = f"output {pair.output!r}" if l == L else f"activation {activation!r}"
            i = tuple(int(j) for j in np.argwhere(~np.isclose(given, H, rtol=1e-9, atol=1e-12))[0])
            raise ValueError(
                f"cache['{key}']: expected the {fn} of cache['Z{l}'] ({float(H[i])!r} at row-layout index {i}), "
                f"got {float(given[i])!r}: was forward() called with other options than backward()?"
            )
    return X2, one, Zs, Hs


def backward(params, cache, Y, activation="relu", loss="cross_entropy", layout="rows",
             reduction="mean", lam=0.0, penalty_kind="l2", include_biases=False, output=None):
    r"""Backpropagation: the gradient of :math:`L = L_\text{data} + \lambda R(W)`.

    params, activation, loss, layout, output : as given to :func:`forward`.
    cache : the dict returned by :func:`forward`, checked in full: exactly the
        keys ``X, Z1, H1, ..., Z{L}, Yhat`` for this depth, each of the shape
        the parameters and ``X`` imply, and ``H{l}``, ``Yhat`` equal to the
        activation and output of ``Z{l}``.
    Y : targets of ``cache["Yhat"]``'s shape (one-hot rows for cross-entropy).
    reduction : ``"sum"`` or ``"mean"`` of the per-sample losses over the batch.
    lam, penalty_kind, include_biases : the penalty (see ``PENALTIES``);
        ``lam=0`` for none.

    The output error :math:`\delta_L` is :math:`\hat y - y` for a natural pair
    (times 2/k for ``mse``), otherwise the chain rule through the output:
    :math:`\partial\ell/\partial\hat y \odot g'(Z_L)` (softmax: its
    Jacobian-vector product :math:`\hat y \odot (g - \sum_k g_k\hat y_k)`).

    Returns ``(grads, terms)``.  ``grads`` has the keys and shapes of
    ``params`` (the bias gradient in the shape the bias was given).
    ``terms`` holds ``"delta{l}"`` = :math:`\delta_l = \partial L/\partial Z_l`
    (shape of ``Z{l}``) for every layer and ``"dH{l}"`` =
    :math:`\partial L/\partial H_l` (= :math:`W_{l+1}^T\delta_{l+1}` in the
    column layout) for every hidden layer.
    """
    Ws, bs, bias_shapes = check_params(params, layout)
    act = get_activation(activation)
    pair = resolve(loss, output)
    check_choice("reduction", reduction, REDUCTIONS)
    check_scalar("lam", lam, low=0.0)
    include_biases = check_flag("include_biases", include_biases)
    check_choice("penalty_kind", penalty_kind, PENALTIES)
    X2, one, Zs, Hs = _check_cache(cache, Ws, layout, act, pair, activation)
    Hs = [X2] + Hs
    Y2 = _check_targets(Y, Zs[-1].shape, layout, one, get_loss(loss))
    delta_L = pair.delta_rows(Y2, Zs[-1], Hs[-1])
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

    sizes : list, tuple or 1-D int array of at least 2 whole numbers >= 1.
    seed : what ``numpy.random.default_rng`` accepts: None, a whole number
        >= 0, or a ``numpy.random.SeedSequence``.

    Weights are drawn from a normal distribution with standard deviation
    ``sqrt(2 / n_in)`` (``scale="he"``, for ReLU-like activations) or
    ``sqrt(1 / n_in)`` (``"xavier"``) using ``numpy.random.default_rng(seed)``;
    biases start at zero.  Returns a dict ``W1, b1, ...`` in ``layout``.
    """
    if isinstance(sizes, np.ndarray) and sizes.ndim == 1:
        sizes = sizes.tolist()
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"sizes: expected a list [n_in, n_1, ..., n_L] of at least 2 sizes, got {sizes!r}")
    sizes = [_whole(f"sizes[{i}]", n, 1) for i, n in enumerate(sizes)]
    seed = _check_seed(seed)
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


def _check_not_softmax_of_one(pair, n_out, output):
    if pair.output == "softmax" and n_out == 1:
        arg = "output" if output is not None else "loss"
        raise ValueError(
            f"{arg}: a softmax over one output column is always 1, so it cannot classify; expected "
            f"loss='binary_cross_entropy' (sigmoid output) for two classes with one output, or "
            f"two outputs with loss='cross_entropy', got {arg}={pair.output if output is not None else pair.loss!r} "
            f"with 1 output"
        )


def predict(params, X, activation="relu", loss="cross_entropy", layout="rows", output=None):
    """Class predictions.

    Several outputs: the arg-max of ``Yhat`` over the classes.  One output
    (binary classification): 1 where ŷ > 0.5, else 0; for a sigmoid output
    this is z > 0, the same test without rounding.  Pass the ``loss`` (and
    ``output``) the network was trained with; a softmax over one column is refused.

    Returns an int array of shape ``(n_samples,)`` (a 0-d int for a 1-D ``X``).
    """
    Ws, bs, _ = check_params(params, layout)
    act = get_activation(activation)
    pair = resolve(loss, output)
    _check_not_softmax_of_one(pair, Ws[-1].shape[1], output)
    X2, one = _check_input(X, Ws[0].shape[0], layout)
    Zs, Hs = _finite_forward(Ws, bs, X2, act.f, pair.g)
    classes = predicted_classes(pair, Zs[-1], Hs[-1])
    return classes[0] if one else classes
