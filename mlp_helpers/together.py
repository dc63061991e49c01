r"""Putting it together (notebook 10): one training function that composes the pieces of 06-09.

Every choice a student makes in notebook 10 is a name in a table the course already tests:
the activation (``ACTIVATIONS``), the initialisation rule (:data:`INITS`: He, Xavier and
Glorot from :data:`mlp_helpers.depth.INIT_RULES`, or a plain constant standard deviation),
inverted dropout on the hidden layers (:mod:`mlp_helpers.dropout`, through the
fixed-mask forward and backward of :mod:`mlp_helpers.regularize`), the L2 penalty on the
weights (``PENALTIES["l2"]``, the convention of :func:`mlp_helpers.train`), the update
(``OPTIMIZERS``), the learning-rate schedule (``SCHEDULES``), the minibatch size, the
number of epochs and early stopping on the validation loss.

One step on a minibatch :math:`X` (``B`` rows, one-hot targets :math:`Y`, rows layout) with
keep-masks :math:`M_l` (0/1, drawn with probability :math:`1-p` of keeping a unit):

.. math::

    \tilde H_0 &= X,\qquad Z_l = \tilde H_{l-1} W_l + b_l,\qquad
    H_l = f(Z_l),\qquad \tilde H_l = \frac{M_l \odot H_l}{1-p}\quad (l < L)\\
    \hat Y &= \operatorname{softmax}(Z_L),\qquad
    J = -\frac1B \sum_{i,k} Y_{ik}\log \hat Y_{ik} \;+\; \lambda \sum_{l} \sum W_l^2\\
    \delta_L &= \frac{\hat Y - Y}{B},\qquad
    \delta_{l} = \frac{M_l \odot (\delta_{l+1} W_{l+1}^\top)}{1-p} \odot f'(Z_l)\\
    g_{W_l} &= \tilde H_{l-1}^\top \delta_l + 2\lambda W_l,\qquad
    g_{b_l} = \textstyle\sum_\text{rows} \delta_l \quad\text{(no penalty on biases)}\\
    \theta &\leftarrow \text{optimizer}(\theta, g, \text{state}, \alpha_e, t)

The penalty's gradient is added to the gradient *before* the optimizer sees it ("coupled" L2):
with Adam this is ``torch.optim.Adam(weight_decay=2λ)`` on the weights, **not** AdamW's
decoupled weight decay.  :math:`\alpha_e` is the schedule's learning rate of epoch ``e``
(the schedule is stepped once per epoch, as ``torch.optim.lr_scheduler`` usually is) and
:math:`t = 1, 2, \dots` counts the updates (Adam's bias correction).

* :func:`together_gradients` - :math:`J` and its gradient for fixed masks (tested against a
  hand transcription, finite differences and PyTorch).
* :func:`together_step` - one step: :func:`together_gradients`, then the optimizer's update.
* :func:`train_together` - the training loop: shuffled minibatches, fresh masks every step,
  the history of every epoch, early stopping on the validation loss (patience) with the best
  epoch's parameters kept.  The test set is not one of its arguments.
* :func:`evaluate_once` - loss and accuracy on a data set (the test set: call it once, at the end).
* :func:`digits_split`, :data:`BASELINE`, :data:`GRID`, :func:`measure` and :data:`MEASURED` -
  notebook 10's honest comparison with notebook 04 (choose on validation, report test once,
  five seeds).
* :func:`check_together_step` - the graded exercise's check.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ._validate import as_float_array, check_choice, check_range, check_scalar
from .activations import ACTIVATIONS, get_activation
from .depth import INIT_RULES
from .dropout import _check_mask, _p_below_one
from .losses import one_hot
from .network import _check_seed, check_params
from .optimizers import OPTIMIZERS, SCHEDULES, _apply, lr_schedule
from .regularization import PENALTIES
from .regularize import _backward_unchecked, _forward_unchecked

__all__ = ["together_gradients", "together_step", "train_together", "evaluate_once", "INITS",
           "init_network", "epoch_learning_rates", "digits_split", "BASELINE", "GRID", "measure", "MEASURED", "summary",
           "check_together_step"]

#: The initialisation rules: name -> standard deviation of a weight of a layer with fan-in n_in,
#: fan-out n_out (and the ``init_scale`` of the plain rule).  He, Xavier and Glorot are
#: ``mlp_helpers.depth.INIT_RULES``; "plain" is one constant for every layer (CS231n's 0.01 * randn).
INITS = {
    "he": lambda n_in, n_out, scale: math.sqrt(INIT_RULES["he"](n_in, n_out)),
    "xavier": lambda n_in, n_out, scale: math.sqrt(INIT_RULES["xavier"](n_in, n_out)),
    "glorot": lambda n_in, n_out, scale: math.sqrt(INIT_RULES["glorot"](n_in, n_out)),
    "plain": lambda n_in, n_out, scale: scale,
}

_L2 = PENALTIES["l2"]  # R(W) = sum W^2, gradient 2W (train's default penalty_kind)


# ------------------------------------------------------------------ checks
def _check_sizes(sizes):
    if isinstance(sizes, np.ndarray) and sizes.ndim == 1:
        sizes = sizes.tolist()
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"sizes: expected a list [n_in, n_1, ..., n_L] of at least 2 sizes, got {sizes!r:.60}")
    return [check_scalar(f"sizes[{i}]", n, low=1, integer=True) for i, n in enumerate(sizes)]


def _check_net(params):
    """``params`` as a dict of row-layout float arrays (biases 1-D); returns ``(params, L)``."""
    Ws, bs, _ = check_params(params, "rows")
    out = {}
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        out[f"W{l}"], out[f"b{l}"] = W, b
    return out, len(Ws)


def _check_targets(Y, n, n_out):
    Y = as_float_array("Y", Y, ndim=2)
    if Y.shape != (n, n_out):
        raise ValueError(f"Y: expected shape ({n}, {n_out}) (one row of class probabilities per row of X), "
                         f"got {Y.shape}")
    check_range("Y", Y, low=0.0, high=1.0)
    sums = Y.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-9):
        i = int(np.argmax(np.abs(sums - 1.0)))
        raise ValueError(f"Y: expected rows that sum to 1 (one-hot targets), got row {i} summing to {sums[i]:.6g}")
    return Y


def _check_masks(masks, params, L, n, p):
    """The list of L - 1 keep-masks (None: keep every unit)."""
    widths = [params[f"W{l}"].shape[1] for l in range(1, L)]
    if masks is None:
        return [np.ones((n, w)) for w in widths]
    if not isinstance(masks, (list, tuple)):
        raise TypeError(f"masks: expected a list of {L - 1} 0/1 arrays (one per hidden layer) or None, "
                        f"got {type(masks).__name__}")
    if len(masks) != L - 1:
        raise ValueError(f"masks: expected {L - 1} masks (one per hidden layer), got {len(masks)}")
    return [_check_mask(m, (n, w), name=f"masks[{i}]") for i, (m, w) in enumerate(zip(masks, widths))]


def _finite_or_raise(names, values, what):
    for v in values:
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{names}: {what} overflows float64 (expected finite numbers, got inf or nan); "
                             "the values are too large, scale them down")


# ------------------------------------------------------------------ one step
def _log_softmax(Z):
    Zs = Z - Z.max(axis=1, keepdims=True)
    return Zs - np.log(np.exp(Zs).sum(axis=1, keepdims=True))


def _gradients_unchecked(params, X, Y, masks, p, lam, act, with_loss=False):
    """The gradient of J (and J itself if ``with_loss``) on checked arrays: the loop's inner step."""
    cache = _forward_unchecked(params, X, p, masks, act.f)       # Z_l, H_l, H~_l = M ⊙ H_l / (1-p), Ŷ
    grads = _backward_unchecked(params, cache, Y, act.df)        # δ_L = (Ŷ - Y)/B, same masks backwards
    L = len(masks) + 1
    if lam > 0:
        for l in range(1, L + 1):
            grads[f"W{l}"] = grads[f"W{l}"] + lam * _L2.grad(params[f"W{l}"])  # + 2λW, weights only
    if not with_loss:
        return None, grads
    data = -float(np.sum(Y * _log_softmax(cache[f"Z{L}"]))) / X.shape[0]
    return data + lam * sum(_L2.value(params[f"W{l}"]) for l in range(1, L + 1)), grads


def together_gradients(params, X, Y, masks=None, p=0.0, lam=0.0, activation="relu"):
    r"""The regularised loss :math:`J` and its gradient for fixed dropout masks.

    .. math::
        J = -\frac1B\sum_{i,k} Y_{ik}\log\hat Y_{ik} + \lambda\sum_l\sum W_l^2,\qquad
        g_{W_l} = \tilde H_{l-1}^\top\delta_l + 2\lambda W_l,\qquad g_{b_l} = \textstyle\sum_\text{rows}\delta_l

    with :math:`\hat Y` from the forward pass with inverted dropout
    :math:`\tilde H_l = M_l\odot H_l/(1-p)` on every hidden layer (module docstring).

    params : dict ``W1, b1, ..., WL, bL``, rows layout (``W_l`` of shape ``(n_{l-1}, n_l)``).
    X : shape ``(B, n_0)``.  Y : one-hot targets, shape ``(B, n_L)`` (rows summing to 1).
    masks : list of ``L - 1`` 0/1 arrays, ``masks[l-1]`` of shape ``(B, n_l)`` (1 = kept);
        None keeps every unit.
    p : drop probability, ``0 <= p < 1``.  lam : λ >= 0 (biases are not penalised).
    activation : a key of ``ACTIVATIONS`` (hidden layers; the output is softmax).

    Returns ``(J, grads)``: a float and a dict with the keys and shapes of ``params``
    (biases 1-D).
    """
    P, L = _check_net(params)
    X = as_float_array("X", X, ndim=2)
    if X.shape[1] != P["W1"].shape[0]:
        raise ValueError(f"X: expected shape (n_samples, {P['W1'].shape[0]}) (W1 has {P['W1'].shape[0]} rows), "
                         f"got {X.shape}")
    Y = _check_targets(Y, X.shape[0], P[f"W{L}"].shape[1])
    p = _p_below_one(p)
    lam = check_scalar("lam", lam, low=0.0)
    masks = _check_masks(masks, P, L, X.shape[0], p)
    act = get_activation(activation)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        J, grads = _gradients_unchecked(P, X, Y, masks, p, lam, act, with_loss=True)
    _finite_or_raise("params, X, lam", [J, *grads.values()], "the loss or its gradient")
    return J, grads


def together_step(params, X, Y, masks, state, t, lr, p=0.0, lam=0.0, optimizer="adam", activation="relu"):
    r"""One composed training step: :func:`together_gradients`, then optimizer ``optimizer``'s update.

    params, X, Y, masks, p, lam, activation : as for :func:`together_gradients`.
    state : the optimizer's state, ``{name: {key: array like params[key]}}`` with the names
        ``OPTIMIZERS[optimizer].state_names`` (e.g. ``{"m": ..., "v": ...}`` for Adam), or
        None before the first step (zeros).
    t : the number of this update, 1 for the first (Adam's bias correction).
    lr : α > 0.  optimizer : a key of ``OPTIMIZERS`` (its default hyperparameters).

    The L2 gradient is added before the update (coupled): for ``"adam"`` this is PyTorch's
    ``Adam(weight_decay=2λ)`` on the weights and 0 on the biases, not ``AdamW``.
    Returns ``(new_params, new_state, J)`` (``J`` before the step).
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    J, grads = together_gradients(params, X, Y, masks, p, lam, activation)
    P, _ = _check_net(params)
    new_params, new_state = _apply(optimizer, P, grads, state, lr, t, {})
    return new_params, new_state, J


# ------------------------------------------------------------------ training
def init_network(sizes, init="he", seed=0, init_scale=0.01):
    r"""Initial parameters: :math:`W_l \sim \mathcal N(0, s_l^2)`, :math:`b_l = 0`, rows layout.

    sizes : ``[n_0, n_1, ..., n_L]``.  init : a key of :data:`INITS`:
    ``"he"`` :math:`s_l = \sqrt{2/n_{l-1}}`, ``"xavier"`` :math:`\sqrt{1/n_{l-1}}`,
    ``"glorot"`` :math:`\sqrt{2/(n_{l-1}+n_l)}`, ``"plain"`` :math:`s_l` = ``init_scale``.
    seed : as :func:`mlp_helpers.init_params` (the same draws: ``"he"`` and ``"xavier"`` give
    exactly ``init_params(sizes, seed, scale=init)``).
    """
    sizes = _check_sizes(sizes)
    check_choice("init", init, INITS)
    init_scale = check_scalar("init_scale", init_scale, low=0.0, low_inclusive=False)
    rng = np.random.default_rng(_check_seed(seed))
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0.0, INITS[init](n_in, n_out, init_scale), size=(n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
    return params


def schedule_options(schedule, epochs):
    """The other arguments of ``SCHEDULES[schedule]`` for a run of ``epochs`` epochs (a dict).

    ``"step"``: ×0.1 after two thirds of the epochs (notebook 04's 20 + 10 of 30);
    ``"cosine"``: down to 0 over the run; ``"warmup"``: linear from 0.1 α over the first tenth
    (at least 1 epoch); ``"warmup_cosine"``: that warm-up, then cosine over the rest.
    """
    return {"constant": {},
            "step": {"step_size": max(1, round(2 * epochs / 3)), "gamma": 0.1},
            "cosine": {"total": epochs},
            "warmup": {"warmup": max(1, epochs // 10)},
            "warmup_cosine": {"warmup": max(1, epochs // 10), "total": epochs}}[schedule]


def epoch_learning_rates(schedule, lr, epochs):
    """The learning rate of each epoch, shape ``(epochs,)``: :func:`mlp_helpers.lr_schedule` with
    :func:`schedule_options`."""
    check_choice("schedule", schedule, SCHEDULES)
    epochs = check_scalar("epochs", epochs, low=1, integer=True)
    lr = check_scalar("lr", lr, low=0.0, low_inclusive=False)
    if schedule == "warmup_cosine" and epochs < 2:
        raise ValueError(f"epochs: expected at least 2 epochs for schedule 'warmup_cosine' (a warm-up, then a "
                         f"decay), got {epochs}")
    return lr_schedule(schedule, epochs, lr, **schedule_options(schedule, epochs))


def _check_set(name_X, name_y, X, y, n_in, n_out):
    X = as_float_array(name_X, X, ndim=2)
    if X.shape[1] != n_in:
        raise ValueError(f"{name_X}: expected shape (n_samples, {n_in}) (sizes[0] = {n_in}), got {X.shape}")
    labels = np.asarray(y) if not isinstance(y, (str, bytes)) and y is not None else y
    Y = one_hot(labels, n_out, name_y)  # checks type, 1-D, whole numbers in 0 .. n_out - 1
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"{name_y}: expected {X.shape[0]} labels (one per row of {name_X}), got {Y.shape[0]}")
    return X, Y, np.argmax(Y, axis=1)


def _loss_accuracy(params, X, labels, f, L):
    """Mean cross-entropy and accuracy, no dropout (test-time network), checked arrays."""
    H = X
    for l in range(1, L):
        H = f(H @ params[f"W{l}"] + params[f"b{l}"])
    Z = H @ params[f"W{L}"] + params[f"b{L}"]
    loss = -float(np.mean(_log_softmax(Z)[np.arange(len(labels)), labels]))
    return loss, float(np.mean(np.argmax(Z, axis=1) == labels))


def _update_unchecked(params, grads, state, opt, lr, t, hyper):
    """θ, state ← OPTIMIZERS[name].kernel(θ, g, state, α, t) for every parameter."""
    new_params, new_state = {}, {}
    for k in params:
        new_params[k], new_state[k] = opt.kernel(params[k], grads[k], state[k], lr, t, **hyper)
    return new_params, new_state


def train_together(X_train, y_train, X_val, y_val, sizes=(64, 100, 10), activation="relu", init="he",
                   init_scale=0.01, p=0.0, lam=0.0, optimizer="sgd", lr=0.1, schedule="constant", batch_size=32,
                   epochs=30, patience=None, seed=0):
    r"""Train one network with every choice of notebook 10; returns ``(params, history)``.

    X_train, y_train : training inputs ``(n, n_0)`` and int labels ``(n,)`` in ``0 .. n_L - 1``.
    X_val, y_val : validation set (same form): its loss decides early stopping; the test
        set is *not* an argument (evaluate it once, afterwards, with :func:`evaluate_once`).
    sizes : ``[n_0, ..., n_L]``.  activation : key of ``ACTIVATIONS`` (hidden layers).
    init, init_scale : :func:`init_network`.  p : dropout probability on every hidden layer.
    lam : λ of the penalty :math:`\lambda\sum W^2` (weights only; gradient :math:`2\lambda W`
        added before the update, as in :func:`mlp_helpers.train`).
    optimizer : key of ``OPTIMIZERS`` (default hyperparameters).  lr : α.
    schedule : key of ``SCHEDULES``; one learning rate per epoch (:func:`epoch_learning_rates`).
    batch_size : rows per step (the last batch of an epoch may be smaller).  epochs : at most this many.
    patience : None (train every epoch, return the last parameters) or stop once ``patience``
        epochs passed without a new lowest validation loss and return the parameters of that
        best epoch (:func:`mlp_helpers.regularize.early_stopping_epoch`'s rule).
    seed : the initial weights (:func:`init_network`) and a second ``default_rng(seed)`` that
        shuffles every epoch and then draws that epoch's masks, batch by batch.  With ``p = 0``
        and ``optimizer="sgd"`` or ``"momentum"`` and a constant schedule this is exactly
        :func:`mlp_helpers.train` (same shuffles, same steps).

    ``history`` has one entry per epoch trained in ``"epoch"`` (1, 2, ...), ``"lr"``,
    ``"train_loss"``, ``"train_accuracy"`` (the whole training set, no dropout, end of the
    epoch; the loss without the penalty), ``"val_loss"``, ``"val_accuracy"``; and
    ``"best_epoch"`` (lowest validation loss), ``"kept_epoch"`` (whose parameters are returned)
    and ``"stopped_epoch"`` (the last epoch trained).
    """
    sizes = _check_sizes(sizes)
    X, Y, y_idx = _check_set("X_train", "y_train", X_train, y_train, sizes[0], sizes[-1])
    Xv, _, yv_idx = _check_set("X_val", "y_val", X_val, y_val, sizes[0], sizes[-1])
    act = get_activation(activation)
    check_choice("init", init, INITS)
    init_scale = check_scalar("init_scale", init_scale, low=0.0, low_inclusive=False)
    p = _p_below_one(p)
    lam = check_scalar("lam", lam, low=0.0)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    lrs = epoch_learning_rates(schedule, lr, epochs)
    batch_size = check_scalar("batch_size", batch_size, low=1, integer=True)
    if patience is not None:
        patience = check_scalar("patience", patience, low=1, integer=True)
    seed = _check_seed(seed)

    params = init_network(sizes, init, seed, init_scale)
    opt = OPTIMIZERS[optimizer]
    hyper = dict(opt.defaults)
    state = {k: tuple(np.zeros_like(v) for _ in opt.state_names) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    n, L, widths = X.shape[0], len(sizes) - 1, sizes[1:-1]
    history = {"epoch": [], "lr": [], "train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": []}
    best, best_loss, best_params = 0, np.inf, params
    t = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):  # checked each epoch
        for epoch in range(1, len(lrs) + 1):
            alpha = float(lrs[epoch - 1])
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                if p > 0:
                    masks = [(rng.random((len(idx), w)) >= p).astype(float) for w in widths]
                else:
                    masks = [np.ones((len(idx), w)) for w in widths]
                _, grads = _gradients_unchecked(params, X[idx], Y[idx], masks, p, lam, act)
                t += 1
                params, state = _update_unchecked(params, grads, state, opt, alpha, t, hyper)
            if not all(np.all(np.isfinite(v)) for v in params.values()):
                raise ValueError(f"lr, lam, init_scale: training diverged in epoch {epoch} (the parameters "
                                 f"overflowed to inf/nan in float64); expected a smaller learning rate than "
                                 f"lr={lr}, a smaller lam or init_scale, or inputs of a sensible size")
            train_loss, train_acc = _loss_accuracy(params, X, y_idx, act.f, L)
            val_loss, val_acc = _loss_accuracy(params, Xv, yv_idx, act.f, L)
            _finite_or_raise("X_train, lr", [train_loss], "the training loss")
            _finite_or_raise("X_val", [val_loss], "the validation loss")
            for key, value in (("epoch", epoch), ("lr", alpha), ("train_loss", train_loss),
                               ("train_accuracy", train_acc), ("val_loss", val_loss), ("val_accuracy", val_acc)):
                history[key].append(value)
            if val_loss < best_loss:
                best, best_loss, best_params = epoch, val_loss, params
            elif patience is not None and epoch - best >= patience:
                break
    history["best_epoch"] = best
    history["stopped_epoch"] = history["epoch"][-1]
    history["kept_epoch"] = best if patience is not None else history["stopped_epoch"]
    return (best_params if patience is not None else params), history


def evaluate_once(params, X, labels, activation="relu"):
    """Mean cross-entropy and accuracy of ``params`` on ``(X, labels)`` (no dropout): a dict
    ``{"loss": float, "accuracy": float}``.

    For the test set: call it once, for the setting chosen on validation.
    params : dict ``W1, b1, ...`` (rows layout).  X : ``(n, n_0)``.  labels : ints ``(n,)``.
    """
    P, L = _check_net(params)
    X, _, y_idx = _check_set("X", "labels", X, labels, P["W1"].shape[0], P[f"W{L}"].shape[1])
    f = get_activation(activation).f
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        loss, accuracy = _loss_accuracy(P, X, y_idx, f, L)
    _finite_or_raise("params, X", [loss], "the loss")
    return {"loss": loss, "accuracy": accuracy}


# ---------------------------------------------------- notebook 10's measurement
FRACTIONS = (0.6, 0.2, 0.2)  # train / validation / test of the 1797 digits: 1079 / 359 / 359, as notebooks 04 and 06
SEEDS = (0, 1, 2, 3, 4)


@lru_cache(maxsize=8)
def _digits_split(seed):
    from sklearn.datasets import load_digits

    from .generalisation import train_val_test_split

    digits = load_digits()  # all 1797 images in scikit-learn's order, pixels / 16, as notebook 04 splits them
    return train_val_test_split(digits.data / 16.0, digits.target, FRACTIONS, seed=seed)


def digits_split(seed=0):
    """The digits split three ways by :func:`mlp_helpers.generalisation.train_val_test_split`
    (``FRACTIONS`` = 60 / 20 / 20 %, shuffled with ``seed``): at ``seed=0`` exactly notebook 04's split.

    Returns copies of ``X_train (1079, 64), X_val (359, 64), X_test (359, 64), y_train, y_val, y_test``.
    """
    return tuple(a.copy() for a in _digits_split(check_scalar("seed", seed, low=0, integer=True)))


#: Notebook 04's chosen setting: 64-100-10 ReLU (He), plain SGD at a constant α = 0.2 for 30 epochs,
#: minibatches of 32, no dropout, no penalty, no early stopping.  At seed 0 this is notebook 04's run.
BASELINE = {"sizes": (64, 100, 10), "activation": "relu", "init": "he", "p": 0.0, "lam": 0.0, "optimizer": "sgd",
            "lr": 0.2, "schedule": "constant", "batch_size": 32, "epochs": 30, "patience": None}

#: The small grid notebook 10 chooses from on validation: notebook 04's two candidates first (the
#: baseline is the first entry), then the settings of notebooks 06-09.  Each is at most about 1 s of training.
GRID = {
    "04: SGD, constant 0.2": BASELINE,
    "04: SGD, step 0.2 → 0.02": {**BASELINE, "schedule": "step"},
    "SGD, cosine, 60 epochs": {**BASELINE, "schedule": "cosine", "epochs": 60},
    "momentum, cosine": {**BASELINE, "optimizer": "momentum", "lr": 0.05, "schedule": "cosine"},
    "Adam, cosine": {**BASELINE, "optimizer": "adam", "lr": 0.005, "schedule": "cosine"},
    "Adam, warm-up + cosine, dropout 0.2, L2 1e-4, 60 epochs": {
        **BASELINE, "optimizer": "adam", "lr": 0.002, "schedule": "warmup_cosine", "p": 0.2, "lam": 1e-4,
        "epochs": 60},
    "Adam, cosine, 256 wide, dropout 0.3, 40 epochs": {
        **BASELINE, "sizes": (64, 256, 10), "optimizer": "adam", "lr": 0.005, "schedule": "cosine", "p": 0.3,
        "epochs": 40},
    "Adam, cosine, 256 wide, dropout 0.3, 40 epochs, patience 10": {
        **BASELINE, "sizes": (64, 256, 10), "optimizer": "adam", "lr": 0.005, "schedule": "cosine", "p": 0.3,
        "epochs": 40, "patience": 10},
}


def run_setting(setting, seed):
    """Train ``setting`` (a dict of :func:`train_together`'s options) on :func:`digits_split` ``(seed)``
    with ``seed``; returns ``(params, history)``.  The test part of the split is not used."""
    X_tr, X_va, _, y_tr, y_va, _ = _digits_split(seed)
    return train_together(X_tr, y_tr, X_va, y_va, seed=seed, **setting)


def measure(names=tuple(GRID), seeds=SEEDS):
    """Notebook 10's protocol, run in full: validation accuracy of every setting in ``names``
    (keys of :data:`GRID`) on every seed; the setting with the highest mean validation accuracy
    is chosen (ties: the earlier); then the TEST accuracy of the chosen setting and of
    :data:`BASELINE` on every seed (the only time the test sets are used).

    Returns a dict: ``"val"`` {name: list over seeds}, ``"chosen"``, ``"test"`` {"chosen": list,
    "baseline": list}, ``"seeds"``.  :data:`MEASURED` holds its result for the defaults (the
    notebook prints it; ``tests/test_together.py`` recomputes it).
    """
    from .generalisation import select_on_validation

    val = {name: [] for name in names}
    params = {}
    for name in names:
        for s in seeds:
            params[name, s], h = run_setting(GRID[name], s)
            val[name].append(h["val_accuracy"][h["kept_epoch"] - 1])
    chosen = list(names)[select_on_validation([np.mean(val[n]) for n in names])]
    base = list(GRID)[0]
    test = {"chosen": [], "baseline": []}
    for s in seeds:
        _, _, X_te, _, _, y_te = _digits_split(s)
        for label, name in (("chosen", chosen), ("baseline", base)):
            p = params[name, s] if name in names else run_setting(GRID[name], s)[0]
            test[label].append(evaluate_once(p, X_te, y_te, GRID[name]["activation"])["accuracy"])
    return {"val": val, "chosen": chosen, "test": test, "seeds": tuple(seeds)}


#: :func:`measure` ``()`` as measured on the course machine, typed in as counts of correctly classified
#: images (of ``n_val`` = 359 validation and ``n_test`` = 359 test images per seed); the notebook
#: prints :func:`summary` of it and tests/test_together.py recomputes it.
MEASURED = {
    "seeds": SEEDS, "n_val": 359, "n_test": 359,
    "val_correct": {
        "04: SGD, constant 0.2": (348, 350, 345, 347, 350),
        "04: SGD, step 0.2 → 0.02": (349, 349, 343, 345, 347),
        "SGD, cosine, 60 epochs": (349, 351, 344, 348, 349),
        "momentum, cosine": (350, 352, 344, 348, 350),
        "Adam, cosine": (353, 350, 348, 348, 350),
        "Adam, warm-up + cosine, dropout 0.2, L2 1e-4, 60 epochs": (354, 349, 347, 347, 347),
        "Adam, cosine, 256 wide, dropout 0.3, 40 epochs": (354, 352, 349, 350, 349),
        "Adam, cosine, 256 wide, dropout 0.3, 40 epochs, patience 10": (354, 353, 349, 351, 350),
    },
    "chosen": "Adam, cosine, 256 wide, dropout 0.3, 40 epochs, patience 10",
    "test_correct": {"chosen": (351, 352, 352, 355, 353), "baseline": (351, 347, 349, 353, 346)},
}


def summary(measured=None):
    """Accuracies, mean and spread of :data:`MEASURED` (or of a :func:`measure` result).

    Returns a dict: ``"val"`` {name: array over seeds}, ``"val_mean"``, ``"val_std"``, ``"chosen"``,
    ``"test"`` {"chosen", "baseline": arrays}, ``"test_mean"``, ``"test_std"`` (population standard
    deviation over seeds), ``"gain"`` (mean per-seed test difference chosen - baseline),
    ``"gain_std"``, ``"wins"``, ``"losses"`` (seeds where the chosen setting is better / worse).
    """
    if measured is None:
        m = MEASURED
        val = {k: np.array(v) / m["n_val"] for k, v in m["val_correct"].items()}
        test = {k: np.array(v) / m["n_test"] for k, v in m["test_correct"].items()}
        chosen, seeds = m["chosen"], m["seeds"]
    else:
        val = {k: np.array(v, dtype=float) for k, v in measured["val"].items()}
        test = {k: np.array(v, dtype=float) for k, v in measured["test"].items()}
        chosen, seeds = measured["chosen"], measured["seeds"]
    d = test["chosen"] - test["baseline"]
    return {"val": val, "val_mean": {k: float(v.mean()) for k, v in val.items()},
            "val_std": {k: float(v.std()) for k, v in val.items()}, "chosen": chosen, "test": test,
            "test_mean": {k: float(v.mean()) for k, v in test.items()},
            "test_std": {k: float(v.std()) for k, v in test.items()}, "gain": float(d.mean()),
            "gain_std": float(d.std()), "wins": int(np.sum(d > 0)), "losses": int(np.sum(d < 0)),
            "seeds": tuple(seeds)}


# ------------------------------------------------------------ the graded exercise
EXERCISE_HYPER = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
# The student writes one composed step for a one-hidden-layer ReLU network:
#     my_step(params, X, Y, mask, p, lam, state, t, lr) -> (new_params, new_state)
# with params {"W1", "b1", "W2", "b2"} (rows layout), the keep-mask of the hidden layer, the
# penalty λ ΣW² on the weights (gradient 2λW, added before the update) and Adam (β1 = 0.9,
# β2 = 0.999, ε = 1e-8) with state {"m": {...}, "v": {...}} keyed like params.  The check runs it
# on the notebook's example and on hidden inputs, and compares it with together_step and with
# the same step carrying one classic slip each (the table below): it names the kind of mistake.
EXERCISE_SHAPES = ((5, 3, 4, 3), (8, 4, 6, 2), (3, 2, 5, 4))  # (B, n_in, n_hidden, n_out) of the hidden inputs
_EXERCISE_CASES = ({"p": 0.25, "lam": 0.01, "t": 3, "lr": 0.01},
                   {"p": 0.5, "lam": 0.05, "t": 2, "lr": 0.05},
                   {"p": 0.4, "lam": 0.02, "t": 7, "lr": 0.002})
_EXERCISE_SECRET = 20261010

#: code -> what the slipped step does (the message says what kind of mistake it is, not the fix).
STEP_SLIPS = {
    "no_rescale": "the dropout is not rescaled: the kept units are not divided by 1 - p (forward and backward), "
                  "so the layer is smaller while training than at test time",
    "backward_not_rescaled": "the forward pass is right, but the backward pass through dropout applies the mask "
                             "without the same 1/(1 - p) scaling",
    "mask_not_in_backward": "the mask is not applied in the backward pass: dropped units still pass gradient back",
    "backward_no_dropout": "the backward pass ignores dropout (neither mask nor scaling), although the forward "
                           "pass used it",
    "no_dropout": "dropout is missing: neither the forward nor the backward pass uses the mask",
    "mask_inverted": "the mask is inverted: the units with mask 0 were kept and those with mask 1 dropped",
    "sum_not_mean": "the gradient is summed over the batch, not averaged: it is B times too large "
                    "(the loss is the mean over the B rows)",
    "l2_missing": "the L2 penalty is missing from the gradient",
    "l2_half": "the penalty gradient is λW: that is the gradient of ½λΣW², not of this exercise's λΣW²",
    "l2_on_biases": "the penalty is applied to the biases too: only the weights are penalised",
    "decoupled": "the penalty is applied after Adam's normalisation (AdamW's decoupled weight decay); "
                 "this exercise adds it to the gradient before Adam sees it",
    "no_bias_correction": "Adam's bias correction is missing (m and v are used without dividing by "
                          "1 - β1^t and 1 - β2^t)",
    "sign": "the update goes uphill: parameters move along the gradient instead of against it",
}


def _transcribed_step(case, slip=None):
    """The exercise's step written out line by line, with one ``slip`` of ``STEP_SLIPS`` (None: correct).

    ``case``: dict with params, X, Y, mask, p, lam, state, t, lr.  Returns ``(new_params, new_state)``.
    """
    P, X, Y, M = case["params"], case["X"], case["Y"], case["mask"]
    p, lam, t, lr = case["p"], case["lam"], case["t"], case["lr"]
    b1_, b2_, eps = EXERCISE_HYPER["beta1"], EXERCISE_HYPER["beta2"], EXERCISE_HYPER["eps"]
    B = X.shape[0]
    keep = 1.0 if slip == "no_rescale" else 1.0 - p
    if slip == "mask_inverted":
        M = 1.0 - M
    Z1 = X @ P["W1"] + P["b1"]
    H1 = np.maximum(0.0, Z1)
    Hd = H1 if slip == "no_dropout" else M * H1 / keep
    Z2 = Hd @ P["W2"] + P["b2"]
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    Yhat = E / E.sum(axis=1, keepdims=True)
    D2 = (Yhat - Y) if slip == "sum_not_mean" else (Yhat - Y) / B
    g = {"W2": Hd.T @ D2, "b2": D2.sum(axis=0)}
    dHd = D2 @ P["W2"].T
    dH1 = {"mask_not_in_backward": dHd / keep, "backward_no_dropout": dHd, "no_dropout": dHd,
           "backward_not_rescaled": M * dHd}.get(slip, M * dHd / keep)
    D1 = dH1 * (Z1 > 0)
    g["W1"], g["b1"] = X.T @ D1, D1.sum(axis=0)
    c = {"l2_missing": 0.0, "l2_half": 1.0, "decoupled": 0.0}.get(slip, 2.0)
    for k in ("W1", "W2"):
        g[k] = g[k] + c * lam * P[k]
    if slip == "l2_on_biases":
        for k in ("b1", "b2"):
            g[k] = g[k] + 2.0 * lam * P[k]
    new_p, new_m, new_v = {}, {}, {}
    for k in P:
        m = b1_ * case["state"]["m"][k] + (1 - b1_) * g[k]
        v = b2_ * case["state"]["v"][k] + (1 - b2_) * g[k] ** 2
        m_hat, v_hat = (m, v) if slip == "no_bias_correction" else (m / (1 - b1_ ** t), v / (1 - b2_ ** t))
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
        if slip == "decoupled" and k.startswith("W"):
            step = step + lr * 2.0 * lam * P[k]
        new_p[k] = P[k] + step if slip == "sign" else P[k] - step
        new_m[k], new_v[k] = m, v
    return new_p, {"m": new_m, "v": new_v}


def exercise_case(shape=(4, 3, 5, 3), p=0.5, lam=0.01, t=2, lr=0.01, seed=0):
    """Inputs of the exercise: a dict with ``params`` (W1, b1, W2, b2), ``X (B, n_in)``, one-hot
    ``Y (B, n_out)``, ``mask (B, n_hidden)`` (at least one 0 and one 1), ``p``, ``lam``, Adam's
    ``state`` after ``t - 1`` steps (``{"m": ..., "v": ...}``, v >= 0), ``t`` and ``lr``."""
    B, n_in, n_h, n_out = (check_scalar(f"shape[{i}]", n, low=1, integer=True) for i, n in enumerate(shape))
    rng = np.random.default_rng(check_scalar("seed", seed, low=0, integer=True))
    params = {"W1": rng.normal(0, 0.6, (n_in, n_h)), "b1": rng.normal(0, 0.2, n_h),
              "W2": rng.normal(0, 0.6, (n_h, n_out)), "b2": rng.normal(0, 0.2, n_out)}
    mask = (rng.random((B, n_h)) >= p).astype(float)
    mask.flat[0], mask.flat[-1] = 1.0, 0.0
    state = {"m": {k: rng.normal(0, 0.05, v.shape) for k, v in params.items()},
             "v": {k: rng.uniform(0, 0.01, v.shape) for k, v in params.items()}}
    return {"params": params, "X": np.round(rng.normal(size=(B, n_in)), 3),
            "Y": np.eye(n_out)[rng.integers(0, n_out, B)], "mask": mask, "p": p, "lam": lam, "state": state,
            "t": t, "lr": lr}


def _copy_case(case):
    return {k: ({n: ({kk: np.array(vv) for kk, vv in v.items()} if isinstance(v, dict) else np.array(v))
                 for n, v in val.items()} if isinstance(val, dict) else
                (np.array(val) if isinstance(val, np.ndarray) else val)) for k, val in case.items()}


def _outputs(result):
    """The student's ``(new_params, new_state)`` as a flat dict name -> array, or a message."""
    if result is None or result is Ellipsis:
        return "my_step returns nothing yet (None): write the step and return (new_params, new_state)"
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], dict)
            and isinstance(result[1], dict)):
        return "my_step must return a pair (new_params, new_state) of dicts"
    new_params, new_state = result
    out = {}
    for k in ("W1", "b1", "W2", "b2"):
        if k not in new_params:
            return f"new_params has no entry {k!r} (expected the keys W1, b1, W2, b2)"
        out[k] = new_params[k]
    for n in ("m", "v"):
        if not isinstance(new_state.get(n), dict):
            return f"new_state has no dict {n!r} (expected {{'m': {{...}}, 'v': {{...}}}} keyed like params)"
        for k in ("W1", "b1", "W2", "b2"):
            if k not in new_state[n]:
                return f"new_state[{n!r}] has no entry {k!r}"
            out[f"{n}[{k!r}]"] = new_state[n][k]
    try:
        return {k: np.asarray(v, dtype=float) for k, v in out.items()}
    except (TypeError, ValueError) as exc:
        return f"my_step returned something that is not an array of numbers ({exc})"


def _flat(new_params, new_state):
    out = dict(new_params)
    for n in ("m", "v"):
        out.update({f"{n}[{k!r}]": v for k, v in new_state[n].items()})
    return out


def _same(a, b):
    return all(a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=1e-6, atol=1e-10) for k in b)


def _diagnose_step(fn, case, where):
    """``(code, message)`` of the student's step on one case; code ``"correct"`` if every output is right."""
    try:
        with np.errstate(all="ignore"):
            got = _outputs(fn(*(_copy_case(case)[k] for k in ("params", "X", "Y", "mask", "p", "lam", "state",
                                                                 "t", "lr"))))
    except Exception as exc:  # the student's code: say what it raised, do not crash the check
        return "error", f"my_step raised {type(exc).__name__} {where}: {exc}"
    if isinstance(got, str):
        return ("missing" if "returns nothing" in got else "format"), f"{got} ({where})"
    want = _flat(*_transcribed_step(case))
    for k, w in want.items():
        if got[k].shape != w.shape:
            return "shape", f"your {k} has shape {got[k].shape}, expected {w.shape} ({where})"
    if _same(got, want):
        return "correct", "correct"
    for code, what in STEP_SLIPS.items():
        if _same(got, _flat(*_transcribed_step(case, code))):
            return code, f"{what} ({where})."
    wrong = [k for k in want if not np.allclose(got[k], want[k], rtol=1e-6, atol=1e-10)]
    if not any(k.startswith(("m[", "v[")) for k in wrong):
        where_kind = ("m and v are right, so the gradient is right: the mistake is in the Adam update of "
                      "the parameters")
    elif all(k in ("W1", "b1", "m['W1']", "m['b1']", "v['W1']", "v['b1']") for k in wrong):
        where_kind = ("only the first layer is wrong: the mistake is in the backward pass below the output layer "
                      "(through the dropout mask and the ReLU)")
    elif all(not k.startswith("v[") for k in wrong):
        where_kind = "m is wrong but v is right: the mistake is in the first-moment update"
    else:
        where_kind = "the gradient itself is wrong (m and v differ)"
    return "wrong", f"{', '.join(wrong)} differ from the expected step: {where_kind} ({where})."


def check_together_step(fn, example, quiet=False):
    """Self-check of the exercise: is ``fn(params, X, Y, mask, p, lam, state, t, lr)`` the composed step?

    It is run on ``example`` (:func:`exercise_case`'s dict shown in the notebook) and on hidden
    inputs of other shapes, p, λ, t and α (``EXERCISE_SHAPES``), and compared with the correct
    step and with the step carrying each slip of ``STEP_SLIPS``.  The message names the kind of
    mistake (``no_rescale``, ``mask_not_in_backward``, ``l2_on_biases``, ``no_bias_correction``,
    ...), or where the outputs go wrong; a step right on the example only is ``hard_coded``.
    Returns a :class:`mlp_helpers.check.Diagnosis` and prints its message (unless ``quiet``).
    """
    from .check import run_exercise_cases

    if not callable(fn):
        raise TypeError(f"fn: expected your function my_step, got {type(fn).__name__}")
    keys = ("params", "X", "Y", "mask", "p", "lam", "state", "t", "lr")
    if not isinstance(example, dict) or set(example) != set(keys):
        got = sorted(example) if isinstance(example, dict) else type(example).__name__
        raise ValueError(f"example: expected a dict with keys {sorted(keys)} (from exercise_case), got {got}")
    cases = [(example, "on the example above")]
    for i, (shape, c) in enumerate(zip(EXERCISE_SHAPES, _EXERCISE_CASES), start=1):
        cases.append((exercise_case(shape, seed=_EXERCISE_SECRET + i, **c),
                      f"on hidden input {i} of {len(EXERCISE_SHAPES)}: B = {shape[0]}, p = {c['p']}, "
                      f"λ = {c['lam']}, t = {c['t']}"))
    return run_exercise_cases("my_step", cases, lambda case, where: _diagnose_step(fn, case, where), quiet)
