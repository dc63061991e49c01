r"""Regularization beyond penalties: a small full-batch training loop with
inverted dropout, input noise and early stopping (notebook 09).

One epoch is one gradient step on the whole training set (full batch: the
data sets here have a few dozen points).  With drop probability ``p`` on every
hidden layer and input-noise level ``noise_std``:

.. math::

    \tilde X &= X + \sigma_x\,E,\quad E_{ij}\sim\mathcal N(0,1)\ \text{(fresh every epoch)}\\
    Z_l &= \tilde H_{l-1} W_l + b_l,\quad H_l = f(Z_l),\quad
    \tilde H_l = M_l \odot H_l / (1-p)\quad (\tilde H_0 = \tilde X)\\
    \hat Y &= \operatorname{softmax}(Z_L)\\
    \delta_L &= (\hat Y - Y)/n,\quad
    \partial L/\partial W_l = \tilde H_{l-1}^\top \delta_l,\quad
    \partial L/\partial b_l = \textstyle\sum_\text{rows} \delta_l\\
    \delta_{l-1} &= \bigl(M_{l-1} \odot (\delta_l W_l^\top) / (1-p)\bigr) \odot f'(Z_{l-1})

Evaluation (the curves in ``history``) uses the public :func:`mlp_helpers.forward`
with no mask and no noise.  The update is :func:`mlp_helpers.sgd_step`'s rule
:math:`\theta \leftarrow \theta - \alpha g` (inline: the loop's arrays are checked once).

Early stopping: after each epoch the validation loss is compared with the best
so far; training stops after ``patience`` epochs without a new best, and the
parameters of the best epoch are returned (:func:`early_stopping_epoch` does
the same on a recorded curve).
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_scalar, check_seed
from .activations import get_activation
from .dropout import _check_mask, _p_below_one
from .losses import one_hot
from .network import forward, init_params

__all__ = ["dropout_network_forward", "dropout_network_backward", "train_regularized",
           "early_stopping_epoch", "evaluate"]


def _dropout(A, mask, p):
    """mask ⊙ A / (1 - p): dropout_forward's and dropout_backward's equation, unchecked."""
    return mask * A / (1.0 - p)


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _layers(params):
    L = len(params) // 2
    keys = [f"W{l}" for l in range(1, L + 1)] + [f"b{l}" for l in range(1, L + 1)]
    if sorted(params) != sorted(keys):
        raise ValueError(f"params: expected keys {keys}, got {sorted(params)}")
    return L


def dropout_network_forward(params, X, p, masks, activation="relu"):
    r"""Forward pass with inverted dropout on every hidden layer, fixed masks.

    params : dict ``W1, b1, ..., WL, bL`` (rows layout: ``W_l`` is ``(n_{l-1}, n_l)``).
    X : ``(n_samples, n_in)``.
    p : drop probability, ``0 <= p < 1``.
    masks : list of ``L - 1`` 0/1 arrays, ``masks[l-1]`` of shape ``(n_samples, n_l)``.
    Returns a cache dict: ``"X"``, ``"Z{l}"``, ``"H{l}"`` (before dropout),
    ``"Hd{l}"`` (after dropout), ``"masks"``, ``"p"`` and ``"Yhat"`` (softmax, ``(n_samples, n_L)``).
    """
    L = _layers(params)
    if not isinstance(masks, (list, tuple)) or len(masks) != L - 1:
        raise ValueError(f"masks: expected a list of {L - 1} masks (one per hidden layer), got {masks!r:.60}")
    X = as_float_array("X", X, ndim=2)
    p = _p_below_one(p)
    for l, mask in enumerate(masks, start=1):
        _check_mask(mask, (X.shape[0], params[f"W{l}"].shape[1]), name=f"masks[{l - 1}]")
    return _forward_unchecked(params, X, p, masks, get_activation(activation).f)


def _forward_unchecked(params, X, p, masks, f):
    """The equations of :func:`dropout_network_forward` on checked arrays (the training loop's inner step)."""
    L = len(masks) + 1
    H = X
    cache = {"X": X, "masks": list(masks), "p": p}
    for l in range(1, L + 1):
        Z = H @ params[f"W{l}"] + params[f"b{l}"]
        cache[f"Z{l}"] = Z
        if l == L:
            cache["Yhat"] = _softmax(Z)
        else:
            cache[f"H{l}"] = f(Z)
            H = _dropout(cache[f"H{l}"], masks[l - 1], p)
            cache[f"Hd{l}"] = H
    return cache


def dropout_network_backward(params, cache, Y, activation="relu"):
    r"""Gradients of the mean cross-entropy through the dropout forward pass ``cache``.

    Y : one-hot targets ``(n_samples, n_L)``.  Returns a dict of the keys and shapes of ``params``.
    """
    _layers(params)
    Y = as_float_array("Y", Y, ndim=2)
    if Y.shape != cache["Yhat"].shape:
        raise ValueError(f"Y: expected shape {cache['Yhat'].shape} (one-hot, like Yhat), got {Y.shape}")
    return _backward_unchecked(params, cache, Y, get_activation(activation).df)


def _backward_unchecked(params, cache, Y, df):
    """The equations of :func:`dropout_network_backward` on checked arrays."""
    L = len(cache["masks"]) + 1
    p, n = cache["p"], Y.shape[0]
    grads = {}
    delta = (cache["Yhat"] - Y) / n
    for l in range(L, 0, -1):
        H_in = cache["X"] if l == 1 else cache[f"Hd{l - 1}"]
        grads[f"W{l}"] = H_in.T @ delta
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            dHd = delta @ params[f"W{l}"].T
            dH = _dropout(dHd, cache["masks"][l - 2], p)  # same mask, same 1/(1-p): dropout_backward
            delta = dH * df(cache[f"Z{l - 1}"])
    return grads


def evaluate(params, X, labels, activation="relu"):
    """Mean cross-entropy and accuracy of ``params`` on ``X`` ``(n, n_in)``, int ``labels`` ``(n,)``.

    Uses the public :func:`mlp_helpers.forward` (test time: no dropout, no noise).
    Returns ``(loss, accuracy)`` as floats.
    """
    Yhat = forward(params, X, activation=activation)["Yhat"]
    n = len(labels)
    loss = float(-np.mean(np.log(np.clip(Yhat[np.arange(n), labels], 1e-300, None))))
    return loss, float(np.mean(np.argmax(Yhat, axis=1) == labels))


def early_stopping_epoch(val_losses, patience, epochs=None):
    """Where early stopping with ``patience`` stops on a recorded validation curve.

    val_losses : shape ``(n_checks,)``, the validation loss at each check.
    patience : number of epochs >= 1: stop at the first check that comes
        ``patience`` or more epochs after the best (strictly lowest) loss so far.
    epochs : shape ``(n_checks,)``, increasing epoch numbers of the checks
        (``history["epoch"]``); default ``1, 2, ..., n_checks``.
    Returns ``(stop, best)`` as epochs: training ran until ``stop`` and the
    parameters of epoch ``best`` are kept (``stop`` is the last epoch if it never stops).
    """
    v = as_float_array("val_losses", val_losses, ndim=1)
    patience = check_scalar("patience", patience, low=1, integer=True)
    if epochs is None:
        e = np.arange(1, len(v) + 1)
    else:
        e = as_float_array("epochs", epochs, ndim=1)
        if e.shape != v.shape:
            raise ValueError(f"epochs: expected shape {v.shape} (one epoch per loss), got {e.shape}")
        if np.any(np.diff(e) <= 0):
            raise ValueError("epochs: expected strictly increasing epoch numbers")
        e = e.astype(int)
    best = 0
    for i in range(1, len(v)):
        if v[i] < v[best]:
            best = i
        elif e[i] - e[best] >= patience:
            return int(e[i]), int(e[best])
    return int(e[-1]), int(e[best])


def train_regularized(sizes, X, labels, epochs=500, lr=0.5, p=0.0, noise_std=0.0, seed=0,
                      activation="relu", sets=None, patience=None, val="val", record_every=1):
    r"""Full-batch gradient descent with optional dropout, input noise and early stopping.

    sizes : layer sizes ``[n_in, n_1, ..., n_L]`` (:func:`mlp_helpers.init_params`, seed ``seed``).
    X, labels : training inputs ``(n, n_in)`` and int labels ``(n,)``.
    epochs, lr : number of full-batch steps and the step size α.
    p : dropout probability on every hidden layer (0: none).
    noise_std : σ_x, the standard deviation of the Gaussian noise added to ``X`` every epoch (0: none).
    seed : seeds the initial weights and the ``default_rng`` drawing masks and noise.
    sets : optional dict name -> ``(X_set, labels_set)`` evaluated after every
        epoch (``"train"`` is always added: the clean training set).
    patience : None, or stop after this many epochs without a new best loss on
        ``sets[val]`` and return the best epoch's parameters.
    record_every : evaluate the sets every this many epochs (and at the last epoch).
    Returns ``(params, history)``: ``history["epoch"]`` (1-based epochs evaluated),
    ``history[f"{name}_loss"]``, ``history[f"{name}_accuracy"]`` (one entry per evaluation) and
    ``history["best_epoch"]`` (1-based; the last epoch without ``patience``).
    """
    epochs = check_scalar("epochs", epochs, low=1, integer=True)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    noise_std = check_scalar("noise_std", noise_std, low=0.0)
    record_every = check_scalar("record_every", record_every, low=1, integer=True)
    check_seed("seed", seed)
    X = as_float_array("X", X, ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels: expected shape ({X.shape[0]},) (one int label per row of X), got {labels.shape}")
    params = init_params(list(sizes), seed=seed)
    p = _p_below_one(p)
    act = get_activation(activation)
    sets = {"train": (X, labels), **(sets or {})}
    if patience is not None:
        patience = check_scalar("patience", patience, low=1, integer=True)
        if val not in sets:
            raise ValueError(f"val: expected one of the names in sets {sorted(sets)}, got {val!r}")
    rng = np.random.default_rng(seed)
    Y = one_hot(labels, sizes[-1])
    L = len(sizes) - 1
    history = {"epoch": [], **{f"{name}_{what}": [] for name in sets for what in ("loss", "accuracy")}}
    best, best_loss, best_params = 0, np.inf, params
    for epoch in range(1, epochs + 1):
        X_in = X + noise_std * rng.standard_normal(X.shape) if noise_std > 0 else X
        masks = [(rng.random((X.shape[0], n)) >= p).astype(float) for n in sizes[1:L]]
        cache = _forward_unchecked(params, X_in, p, masks, act.f)
        grads = _backward_unchecked(params, cache, Y, act.df)
        params = {k: params[k] - lr * grads[k] for k in params}  # θ ← θ − α g: sgd_step's rule, unchecked
        if epoch % record_every and epoch != epochs:
            continue
        history["epoch"].append(epoch)
        for name, (Xs, ys) in sets.items():
            loss, acc = evaluate(params, Xs, ys, activation)
            history[f"{name}_loss"].append(loss)
            history[f"{name}_accuracy"].append(acc)
        if patience is None:
            best = epoch
            continue
        if history[f"{val}_loss"][-1] < best_loss:
            best, best_loss, best_params = epoch, history[f"{val}_loss"][-1], params
        elif epoch - best >= patience:
            break
    history["best_epoch"] = best
    return (params if patience is None else best_params), history
