r"""The update :math:`\theta \leftarrow \theta - \alpha\,\partial L/\partial\theta` and a training loop."""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_array_dict, check_choice, check_finite_result, check_scalar
from .activations import get_activation
from .losses import get_loss, one_hot
from .network import (
    LAYOUTS,
    _backward_rows,
    _check_input,
    _check_not_softmax_of_one,
    _check_seed,
    _check_target_values,
    _finite_forward,
    _forward_rows,
    _whole,
    check_params,
)
from .outputs import predicted_classes, resolve
from .regularization import PENALTIES


def _step(params, grads, lr, velocity=None, momentum=0.0):
    """Checked arrays for one update: ``(P, G, V)`` (V is None without ``velocity``)."""
    P = check_array_dict("params", params)
    G = check_array_dict("grads", grads, like=P)
    V = None if velocity is None else check_array_dict("velocity", velocity, like=P)
    return P, G, V


def _finite_update(new, what):
    for k, v in new.items():
        check_finite_result(f"params[{k!r}], grads[{k!r}], lr", v, f"{what} of {k!r}")
    return new


def sgd_step(params, grads, lr):
    r"""One gradient-descent step :math:`\theta - \alpha g` for every parameter.

    params, grads : dicts with exactly the same keys, of real, finite arrays
        with the same shapes.  lr : α > 0.
    Returns a new dict; ``params`` is not changed.  A ``ValueError`` if a new
    value overflows float64 (a learning rate or gradient far too large).
    """
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    P, G, _ = _step(params, grads, lr)
    with np.errstate(over="ignore", invalid="ignore"):
        new = {k: P[k] - lr * G[k] for k in P}
    return _finite_update(new, "the step")


def momentum_step(params, grads, velocity, lr, momentum=0.9):
    r"""One step of SGD with momentum: :math:`v \leftarrow \mu v - \alpha g`, :math:`\theta \leftarrow \theta + v`.

    params, grads : dicts with exactly the same keys, of real, finite arrays
        with the same shapes.
    velocity : dict like ``params`` (the same keys and shapes), or ``None`` for
        zeros at the first step.
    lr : α > 0.  momentum : μ in [0, 1).
    Returns ``(new_params, new_velocity)``; nothing passed in is changed.

    **Two conventions.**  This is the form of Sutskever et al. (2013), CS231n
    and Keras: the velocity :math:`v` is a step in parameter units and already
    contains α.  PyTorch's ``torch.optim.SGD(momentum=μ)`` (dampening 0) keeps
    a buffer of gradients instead and multiplies by α at the end:

    .. math::

        b \leftarrow \mu b + g, \qquad \theta \leftarrow \theta - \alpha b.

    With a **constant** learning rate the two give the same parameters at every
    step, and :math:`v = -\alpha b` (by induction: :math:`\mu v - \alpha g =
    -\alpha(\mu b + g)`), so PyTorch's buffer is ``-velocity / lr``.  When α
    **changes** (a schedule, or a different ``lr`` passed to the next call)
    they differ: here the accumulated velocity keeps the old α and only the new
    gradient is scaled by the new α, while PyTorch rescales the whole buffer at
    once.  From α₁ to α₂ the next parameters differ by
    :math:`\mu v\,(1 - \alpha_2/\alpha_1)`.  To continue a PyTorch run here,
    pass ``velocity = -lr * buffer``.
    """
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    momentum = check_scalar("momentum", momentum, low=0.0)
    if momentum >= 1.0:
        raise ValueError(f"momentum: expected a value in [0, 1), got {momentum}")
    P, G, V = _step(params, grads, lr, velocity, momentum)
    if V is None:
        V = {k: np.zeros(v.shape) for k, v in P.items()}
    with np.errstate(over="ignore", invalid="ignore"):
        new_v = {k: momentum * V[k] - lr * G[k] for k in P}
        for k, v in new_v.items():
            check_finite_result(f"velocity[{k!r}], grads[{k!r}], lr", v, f"the new velocity of {k!r}")
        new_p = {k: P[k] + new_v[k] for k in P}
    return _finite_update(new_p, "the step"), new_v


def train(params, X, labels, epochs=10, lr=0.1, batch_size=32, activation="relu",
          loss="cross_entropy", lam=0.0, penalty_kind="l2", momentum=0.0, seed=0,
          X_val=None, labels_val=None, layout="rows", record="running", output=None):
    r"""Minibatch SGD on the mean loss :math:`\frac1B\sum_{i\in\text{batch}}\ell_i + \lambda R(W)`.

    params : initial dict ``W1, b1, ...`` (not changed; a trained copy is returned).
    X : inputs, ``(n_samples, n_in)`` in the rows layout, ``(n_in, n_samples)`` in
        columns; at least one sample.
    labels : int class labels, shape ``(n_samples,)``: ``0 .. k-1`` for ``k``
        outputs, or ``0``/``1`` for one output (binary classification, with
        ``loss="binary_cross_entropy"``); or float targets of the output's shape
        (for one output and binary cross-entropy they must be 0 or 1).
    epochs, lr, batch_size : whole passes over shuffled data (a whole number
        >= 0), α > 0, rows per step (>= 1).
    lam, penalty_kind : the penalty; momentum : μ in [0, 1) (0 for plain SGD).
    seed : seeds the ``numpy.random.default_rng`` that shuffles every epoch:
        None, a whole number >= 0 or a ``numpy.random.SeedSequence``.
    X_val, labels_val : optional held-out data, recorded as ``val_accuracy``.
    layout, activation, loss, output : as for :func:`mlp_helpers.forward`.
    record : what goes into ``history`` after each epoch:
        ``"running"`` (the default, as Keras and most tutorials report it): the
        mean over the epoch's minibatches of each batch's loss and accuracy,
        taken from the forward pass the step computes anyway, so almost free;
        the penalty λR(W) is added at the end of the epoch.  The parameters
        change during the epoch, so this trails the end-of-epoch value a little.
        ``"full"``: the exact loss (from the logits for a natural pair) and
        accuracy of the whole training set with the end-of-epoch parameters:
        one more forward pass over all the data each epoch.
        ``None``: record nothing (``val_accuracy`` too).

    Returns ``(params, history)``; ``history`` has lists ``"loss"``,
    ``"accuracy"`` (and ``"val_accuracy"``, always at the end of the epoch),
    one entry per epoch.  Accuracy is the fraction of predictions (as
    :func:`mlp_helpers.predict` makes them: the arg-max, or ŷ > 0.5 for one
    output) equal to the class of the target (its label, its arg-max, or
    y > 0.5 for one output).  A step whose parameters overflow raises
    ``ValueError`` naming ``lr``.
    """
    check_choice("layout", layout, LAYOUTS)
    Ws, bs, bias_shapes = check_params(params, layout)
    act = get_activation(activation)
    pair = resolve(loss, output)
    entry = get_loss(loss)
    epochs = _whole("epochs", epochs, 0)
    batch_size = _whole("batch_size", batch_size, 1)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    lam = check_scalar("lam", lam, low=0.0)
    momentum = check_scalar("momentum", momentum, low=0.0, high=1.0)
    if momentum >= 1.0:
        raise ValueError(f"momentum: expected a value in [0, 1), got {momentum}")
    check_choice("penalty_kind", penalty_kind, PENALTIES)
    if record is not None:
        check_choice("record", record, ("running", "full"))
    seed = _check_seed(seed)
    n_out = Ws[-1].shape[1]
    _check_not_softmax_of_one(pair, n_out, output)
    X2, _ = _check_input(X, Ws[0].shape[0], layout)  # a 1-D X is a batch of one
    n = X2.shape[0]
    Y2, y_idx = _targets(labels, n, n_out, layout, "labels", entry)
    if X_val is not None:
        Xv, _ = _check_input(X_val, Ws[0].shape[0], layout, name="X_val")
        _, yv_idx = _targets(labels_val, Xv.shape[0], n_out, layout, "labels_val", entry)
    elif labels_val is not None:
        raise ValueError("labels_val: expected None without X_val (pass X_val too), got labels")

    f, df, g, delta_rows = act.f, act.df, pair.g, pair.delta_rows
    # running loss of a natural pair: the cheap per-sample values from ŷ
    batch_loss = (lambda Y, Z, Yh: entry.per_sample(Y, Yh)) if pair.fused else pair.loss_rows
    dR = PENALTIES[penalty_kind].grad
    R = PENALTIES[penalty_kind].value
    vW = [np.zeros_like(W) for W in Ws]
    vb = [np.zeros_like(b) for b in bs]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "accuracy": []}
    if X_val is not None:
        history["val_accuracy"] = []
    running = record == "running"
    # "running": each step copies its logits and outputs into these buffers (rows in
    # the epoch's shuffled order); loss and accuracy are computed from them once per epoch.
    logits = np.empty((n, n_out)) if running else None
    outputs = np.empty((n, n_out)) if running else None
    for epoch in range(epochs):
        order = rng.permutation(n)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked below
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                Xb, Yb = X2[idx], Y2[idx]
                Zs, Hs = _forward_rows(Ws, bs, Xb, f, g)
                if running:
                    logits[start:start + len(idx)] = Zs[-1]
                    outputs[start:start + len(idx)] = Hs[-1]
                dWs, dbs, _, _ = _backward_rows(Ws, Zs, Hs, delta_rows(Yb, Zs[-1], Hs[-1]) / len(idx), df)
                # θ ← θ − α g.  In place: Ws and bs are this function's own copies
                # (check_params copied them), so the caller's params never change.
                for l in range(len(Ws)):
                    gW = dWs[l] + lam * dR(Ws[l]) if lam > 0 else dWs[l]
                    if momentum > 0:
                        vW[l] = momentum * vW[l] - lr * gW
                        vb[l] = momentum * vb[l] - lr * dbs[l]
                        Ws[l] += vW[l]
                        bs[l] += vb[l]
                    else:
                        Ws[l] -= lr * gW
                        bs[l] -= lr * dbs[l]
        if not all(np.all(np.isfinite(A)) for A in Ws + bs):
            raise ValueError(
                f"lr: training diverged in epoch {epoch + 1} (the parameters overflowed to inf/nan in "
                f"float64); expected a smaller learning rate than lr={lr}"
            )
        if record is None:
            continue
        if running:
            data = float(np.mean(batch_loss(Y2[order], logits, outputs)))
            accuracy = float(np.mean(predicted_classes(pair, logits, outputs) == y_idx[order]))
        else:
            Zs, Hs = _finite_forward(Ws, bs, X2, f, g)
            data = float(np.mean(pair.loss_rows(Y2, Zs[-1], Hs[-1])))
            accuracy = float(np.mean(predicted_classes(pair, Zs[-1], Hs[-1]) == y_idx))
        history["loss"].append(data + (lam * sum(R(W) for W in Ws) if lam > 0 else 0.0))
        history["accuracy"].append(accuracy)
        if X_val is not None:
            Zs, Hs = _finite_forward(Ws, bs, Xv, f, g)
            history["val_accuracy"].append(float(np.mean(predicted_classes(pair, Zs[-1], Hs[-1]) == yv_idx)))
    new = {}
    for l in range(1, len(Ws) + 1):
        new[f"W{l}"] = Ws[l - 1].T.copy() if layout == "columns" else Ws[l - 1]
        new[f"b{l}"] = bs[l - 1].reshape(bias_shapes[l - 1])
    return new, history


def _targets(labels, n, n_out, layout, name, entry):
    """Row-layout float targets ``(n, n_out)`` and the class of each target ``(n,)``."""
    if labels is None:
        raise ValueError(f"{name}: expected labels for the inputs, got None")
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name}: expected an array of class labels or targets, got {type(labels).__name__}")
    try:
        arr = np.asarray(labels)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of class labels or targets, got {type(labels).__name__} ({exc})") from None
    if arr.ndim == 1:
        if arr.shape[0] != n:
            raise ValueError(f"{name}: expected {n} labels (one per sample), got shape {arr.shape}")
        if n_out == 1:  # binary classification: labels 0/1, one target column
            Y = one_hot(arr, 2, name)[:, 1:]
            return Y, Y[:, 0].astype(int)
        Y = one_hot(arr, n_out, name)
        return Y, np.argmax(Y, axis=1)
    Y = as_float_array(name, arr, ndim=2)
    if layout == "columns":
        Y = Y.T
    if Y.shape != (n, n_out):
        want = (n, n_out) if layout == "rows" else (n_out, n)
        raise ValueError(f"{name}: expected shape {want} or ({n},) class labels, got {arr.shape}")
    _check_target_values(Y, entry, name)
    if n_out == 1:
        if entry.targets == (0.0, 1.0) and not np.all((Y == 0) | (Y == 1)):
            i = int(np.argwhere((Y != 0) & (Y != 1))[0][0])
            raise ValueError(
                f"{name}: expected targets 0 or 1 for one output with this loss (binary classification), "
                f"got {float(Y[i, 0])!r} for sample {i}"
            )
        return Y, (Y[:, 0] > 0.5).astype(int)
    return Y, np.argmax(Y, axis=1)
