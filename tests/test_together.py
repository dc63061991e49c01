"""The composed training of notebook 10 (mlp_helpers.together) against independent references.

* one step with a fixed dropout mask against a plain transcription, written here, of the
  published formulas: inverted dropout, backprop of softmax + cross-entropy, the L2 gradient
  2λW on the weights only, and the update rules of SGD, momentum (velocity form), RMSProp
  (Hinton's lecture 6e, ε outside the root) and Adam (Kingma & Ba, Algorithm 1);
* the gradient against central finite differences of the regularised loss with that mask
  (hypothesis draws shapes, p, λ and masks);
* three Adam steps with L2 and fixed masks on a 3-4-3-2 network against PyTorch 2.13.0
  (``torch.optim.Adam`` with ``weight_decay=2λ`` on the weights, 0 on the biases: coupled
  L2, not AdamW), computed once and typed in below as data;
* the training loop against the public ``mlp_helpers.train`` where they must agree;
* notebook 10's measurement (``MEASURED``) recomputed;
* the exercise check: every kind of mistake, written here by hand, is named; a correct step
  passes; a hard-coded answer is caught.
"""
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers import together as T
from mlp_helpers.regularize import early_stopping_epoch


# ------------------------------------------------------------ the hand transcription
def relu(z):
    return np.maximum(0.0, z)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def hand_loss(P, X, Y, M, p, lam):
    """J = mean cross-entropy of the dropout network + λ ΣW², one hidden layer, written out."""
    H = M * relu(X @ P["W1"] + P["b1"]) / (1 - p)
    Yhat = softmax(H @ P["W2"] + P["b2"])
    return -np.sum(Y * np.log(Yhat)) / X.shape[0] + lam * (np.sum(P["W1"] ** 2) + np.sum(P["W2"] ** 2))


def hand_gradients(P, X, Y, M, p, lam):
    B = X.shape[0]
    Z1 = X @ P["W1"] + P["b1"]
    H = M * relu(Z1) / (1 - p)
    Yhat = softmax(H @ P["W2"] + P["b2"])
    d2 = (Yhat - Y) / B                              # softmax + cross-entropy, mean over the batch
    d1 = (M * (d2 @ P["W2"].T) / (1 - p)) * (Z1 > 0)  # through dropout (same mask, same scale), then ReLU
    return {"W1": X.T @ d1 + 2 * lam * P["W1"], "b1": d1.sum(axis=0),
            "W2": H.T @ d2 + 2 * lam * P["W2"], "b2": d2.sum(axis=0)}


def hand_update(name, theta, g, s, lr, t):
    """The published update rules, one parameter; returns (theta, state tuple)."""
    if name == "sgd":
        return theta - lr * g, ()
    if name == "momentum":  # Sutskever et al. 2013 / CS231n: v = mu v - lr g
        v = 0.9 * s[0] - lr * g
        return theta + v, (v,)
    if name == "rmsprop":
        ms = 0.9 * s[0] + 0.1 * g * g
        return theta - lr * g / (np.sqrt(ms) + 1e-8), (ms,)
    m = 0.9 * s[0] + 0.1 * g
    v = 0.999 * s[1] + 0.001 * g * g
    return theta - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8), (m, v)


def small_problem(seed=0, B=5, n_in=3, n_h=4, n_out=3, p=0.4):
    rng = np.random.default_rng(seed)
    P = {"W1": rng.normal(0, 0.7, (n_in, n_h)), "b1": rng.normal(0, 0.2, n_h),
         "W2": rng.normal(0, 0.7, (n_h, n_out)), "b2": rng.normal(0, 0.2, n_out)}
    X = rng.normal(size=(B, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, B)]
    M = (rng.random((B, n_h)) >= p).astype(float)
    if M.size > 1:
        M.flat[0], M.flat[1] = 1.0, 0.0  # one kept and one dropped unit at least
    return P, X, Y, M


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_two_steps_match_the_hand_transcription(optimizer):
    P, X, Y, M = small_problem()
    p, lam, lr = 0.4, 0.03, 0.05
    names = {"sgd": (), "momentum": ("velocity",), "rmsprop": ("mean_square",), "adam": ("m", "v")}[optimizer]
    hand = {k: (v, tuple(np.zeros_like(v) for _ in names)) for k, v in P.items()}
    params, state = P, None
    for t in (1, 2):
        Mt = M if t == 1 else 1.0 - M  # a different fixed mask at the second step
        g = hand_gradients({k: hand[k][0] for k in hand}, X, Y, Mt, p, lam)
        hand = {k: hand_update(optimizer, hand[k][0], g[k], hand[k][1], lr, t) for k in hand}
        params, state, J = mh.together_step(params, X, Y, [Mt], state, t, lr, p=p, lam=lam, optimizer=optimizer)
    for k in P:
        np.testing.assert_allclose(params[k], hand[k][0], rtol=1e-12, atol=1e-14)
        for i, n in enumerate(names):
            np.testing.assert_allclose(state[n][k], hand[k][1][i], rtol=1e-12, atol=1e-14)


def test_the_loss_matches_the_hand_transcription():
    P, X, Y, M = small_problem(seed=3)
    J, _ = mh.together_gradients(P, X, Y, [M], p=0.4, lam=0.02)
    assert J == pytest.approx(hand_loss(P, X, Y, M, 0.4, 0.02), rel=1e-13)


def central_differences(f, P, eps=1e-6):
    out = {}
    for k, v in P.items():
        g = np.zeros_like(v)
        for i in np.ndindex(v.shape):
            plus = {kk: vv.copy() for kk, vv in P.items()}
            minus = {kk: vv.copy() for kk, vv in P.items()}
            plus[k][i] += eps
            minus[k][i] -= eps
            g[i] = (f(plus) - f(minus)) / (2 * eps)
        out[k] = g
    return out


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), B=st.integers(1, 6), n_h=st.integers(1, 5), n_out=st.integers(2, 4),
       p=st.sampled_from([0.0, 0.2, 0.5, 0.8]), lam=st.sampled_from([0.0, 0.01, 0.3]))
def test_gradient_matches_finite_differences_with_a_fixed_mask(seed, B, n_h, n_out, p, lam):
    P, X, Y, _ = small_problem(seed, B=B, n_h=n_h, n_out=n_out)
    M = (np.random.default_rng(seed + 1).random((B, n_h)) >= p).astype(float)
    # move pre-activations away from ReLU's kink, where finite differences are not the derivative
    Z1 = X @ P["W1"] + P["b1"]
    P["b1"] = P["b1"] + np.where(np.abs(Z1).min(axis=0) < 1e-3, 0.01, 0.0)
    _, grads = mh.together_gradients(P, X, Y, [M], p=p, lam=lam)
    numeric = central_differences(lambda Q: hand_loss(Q, X, Y, M, p, lam), P)
    for k in P:
        assert mh.relative_error(grads[k], numeric[k]) < 1e-6, k


# --------------------------------------------------------------- PyTorch, typed in
# torch 2.13.0, float64: X, the weights and masks below; 3 steps of torch.optim.Adam(lr=0.1) with
# param groups {weights: weight_decay=2*0.05}, {biases: weight_decay=0}; dropout as relu(.) * M / (1 - 0.5)
# with the fixed masks; loss = F.cross_entropy (mean).  J is the regularised loss before each step.
TORCH_X = [[0.5, -1.2, 0.3], [1.1, 0.4, -0.7], [-0.2, 0.9, 1.5], [0.8, -0.6, -1.1]]
TORCH_LABELS = [0, 1, 1, 0]
TORCH_START = {
    "W1": [[0.2, -0.4, 0.6, 0.1], [-0.3, 0.5, 0.2, -0.6], [0.7, 0.1, -0.5, 0.3]], "b1": [0.1, -0.2, 0.05, 0.0],
    "W2": [[0.4, -0.3, 0.2], [-0.6, 0.5, 0.1], [0.3, 0.2, -0.4], [0.1, -0.7, 0.6]], "b2": [0.0, 0.1, -0.1],
    "W3": [[0.5, -0.5], [-0.2, 0.4], [0.6, 0.3]], "b3": [0.05, -0.05],
}
TORCH_MASKS = [
    ([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1], [1, 0, 0, 1]], [[1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]),
    ([[0, 1, 1, 1], [1, 1, 0, 1], [1, 0, 1, 0], [0, 1, 1, 1]], [[0, 1, 1], [1, 1, 0], [1, 1, 1], [0, 0, 1]]),
    ([[1, 1, 0, 0], [1, 0, 1, 1], [0, 1, 1, 1], [1, 1, 1, 0]], [[1, 0, 1], [1, 1, 1], [0, 1, 0], [1, 0, 1]]),
]
TORCH_J = [0.8190615294889827, 0.9250505352022994, 0.6796876708225557]
TORCH_AFTER_3 = {
    "W1": [[0.43715956476169365, -0.4175811866269529, 0.35112894977591164, 0.23838863722500692],
           [-0.5713003511987274, 0.6793490274655923, 0.1983879960778626, -0.6501228717377578],
           [0.4215563541332864, 0.3169584541642225, -0.22535215517487894, 0.0946331771340183]],
    "b1": [-0.1625632484205265, 0.025011387812814277, 0.255665537214525, 0.193207324057397],
    "W2": [[0.16768482192952716, -0.05065986307392052, -0.02712276554456887],
           [-0.7569106443894014, 0.3112156107088982, -0.11438027997449526],
           [0.017506101819603187, 0.42194924615186913, -0.10583649267648744],
           [0.2896114556262702, -0.40116195821698875, 0.36014982014681146]],
    "b2": [-0.19835794365722653, 0.3763828008137507, -0.19039212487598925],
    "W3": [[0.25654957394163475, -0.2565495739416347], [-0.46448481752459225, 0.6331958657400218],
           [0.48827646589805945, 0.2963103684619377]],
    "b3": [-0.0628421444854266, 0.0628421444854266],
}


def test_three_adam_steps_with_l2_and_dropout_match_pytorch():
    params = {k: np.array(v) for k, v in TORCH_START.items()}
    X, Y = np.array(TORCH_X), np.eye(2)[TORCH_LABELS]
    state = None
    for t, masks in enumerate(TORCH_MASKS, start=1):
        params, state, J = mh.together_step(params, X, Y, [np.array(m, float) for m in masks], state, t, 0.1,
                                            p=0.5, lam=0.05, optimizer="adam")
        assert J == pytest.approx(TORCH_J[t - 1], rel=1e-12)
    for k, v in TORCH_AFTER_3.items():
        np.testing.assert_allclose(params[k], np.array(v), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ the training loop
def tiny_data(seed=0, n=40, n_val=16):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n + n_val, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.8).astype(int) + (X[:, 2] > 0.5).astype(int)
    return X[:n], y[:n], X[n:], y[n:]


@pytest.mark.parametrize("optimizer, momentum", [("sgd", 0.0), ("momentum", 0.9)])
def test_plain_settings_are_exactly_the_public_train(optimizer, momentum):
    X, y, Xv, yv = tiny_data()
    sizes = [4, 6, 3]
    params, h = mh.train_together(X, y, Xv, yv, sizes=sizes, optimizer=optimizer, lr=0.05, lam=0.01,
                                  batch_size=8, epochs=7, seed=3)
    ref, _ = mh.train(mh.init_params(sizes, seed=3), X, y, epochs=7, lr=0.05, batch_size=8, lam=0.01,
                      momentum=momentum, seed=3, record=None)
    for k in ref:
        np.testing.assert_allclose(params[k], ref[k], rtol=1e-12, atol=1e-14)
    assert h["kept_epoch"] == h["stopped_epoch"] == 7


@pytest.mark.parametrize("init", ["he", "xavier"])
def test_he_and_xavier_draw_what_init_params_draws(init):
    a = T.init_network([5, 7, 3], init, seed=4)
    b = mh.init_params([5, 7, 3], seed=4, scale=init)
    for k in b:
        np.testing.assert_array_equal(a[k], b[k])


def test_glorot_and_plain_standard_deviations():
    big = T.init_network([400, 600, 300], "glorot", seed=1)
    assert big["W1"].std() == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert big["W2"].std() == pytest.approx(np.sqrt(2 / 900), rel=0.02)
    plain = T.init_network([400, 600, 300], "plain", seed=1, init_scale=0.01)
    assert plain["W1"].std() == pytest.approx(0.01, rel=0.02) and plain["W2"].std() == pytest.approx(0.01, rel=0.02)
    assert not np.any(plain["b1"]) and not np.any(big["b2"])


def numpy_loss_accuracy(params, X, y):
    H = relu(X @ params["W1"] + params["b1"])
    Yhat = softmax(H @ params["W2"] + params["b2"])
    return -np.mean(np.log(Yhat[np.arange(len(y)), y])), np.mean(np.argmax(Yhat, axis=1) == y)


def test_history_records_every_epoch_and_the_best():
    X, y, Xv, yv = tiny_data(1)
    params, h = mh.train_together(X, y, Xv, yv, sizes=[4, 8, 3], optimizer="adam", lr=0.05, p=0.3,
                                  schedule="cosine", batch_size=10, epochs=12, seed=2)
    assert h["epoch"] == list(range(1, 13))
    np.testing.assert_allclose(h["lr"], [0.025 * (1 + np.cos(np.pi * e / 12)) for e in range(12)], rtol=1e-12)
    assert h["best_epoch"] == 1 + int(np.argmin(h["val_loss"]))
    loss, acc = numpy_loss_accuracy(params, Xv, yv)  # no patience: the last epoch's parameters
    assert h["val_loss"][-1] == pytest.approx(loss, rel=1e-12) and h["val_accuracy"][-1] == acc
    loss, acc = numpy_loss_accuracy(params, X, y)
    assert h["train_loss"][-1] == pytest.approx(loss, rel=1e-12) and h["train_accuracy"][-1] == acc


def test_early_stopping_keeps_the_best_epoch_and_stops_by_the_rule():
    X, y, Xv, yv = tiny_data(2, n=30, n_val=12)
    full_params, full = mh.train_together(X, y, Xv, yv, sizes=[4, 32, 3], optimizer="adam", lr=0.05,
                                          epochs=60, seed=0)
    stop, best = early_stopping_epoch(full["val_loss"], 5)
    assert stop < 60, "the setting must overfit for this test to mean something"
    params, h = mh.train_together(X, y, Xv, yv, sizes=[4, 32, 3], optimizer="adam", lr=0.05, epochs=60,
                                  patience=5, seed=0)
    assert (h["stopped_epoch"], h["best_epoch"], h["kept_epoch"]) == (stop, best, best)
    assert h["val_loss"] == full["val_loss"][:stop]  # the same run, cut short
    assert numpy_loss_accuracy(params, Xv, yv)[0] == pytest.approx(full["val_loss"][best - 1], rel=1e-12)


def test_step_schedule_is_notebook_04s_twenty_then_ten_epochs():
    lrs = T.epoch_learning_rates("step", 0.2, 30)
    np.testing.assert_allclose(lrs, [0.2] * 20 + [0.02] * 10, rtol=1e-15)
    warm = T.epoch_learning_rates("warmup_cosine", 0.1, 20)
    assert warm[0] == pytest.approx(0.01) and warm[2] == pytest.approx(0.1) and warm[-1] < 0.01


def test_the_training_function_never_sees_the_test_set():
    args = inspect.signature(mh.train_together).parameters
    assert not [a for a in args if "test" in a.lower()]


def test_evaluate_once_matches_numpy():
    X, y, Xv, yv = tiny_data(4)
    params = mh.init_params([4, 5, 3], seed=1)
    out = mh.evaluate_once(params, Xv, yv)
    loss, acc = numpy_loss_accuracy(params, Xv, yv)
    assert out["loss"] == pytest.approx(loss, rel=1e-13) and out["accuracy"] == acc


@pytest.mark.parametrize("call, name", [
    (lambda: mh.together_gradients(small_problem()[0], np.ones((5, 4)), small_problem()[2]), "X:"),
    (lambda: mh.together_gradients(*small_problem()[:3], [np.ones((5, 3))]), "masks[0]:"),
    (lambda: mh.together_gradients(*small_problem()[:3], [small_problem()[3]], p=1.0), "p:"),
    (lambda: mh.together_gradients(*small_problem()[:2], small_problem()[2] * 2), "Y:"),
    (lambda: mh.together_step(*small_problem(), None, 1, 0.1, optimizer="adamw"), "optimizer:"),
    (lambda: mh.train_together(*tiny_data(), sizes=[4, 3, 2]), "y_train:"),
    (lambda: mh.train_together(*tiny_data(), sizes=[5, 3, 3]), "X_train:"),
    (lambda: mh.train_together(*tiny_data(), sizes=[4, 3, 3], schedule="linear"), "schedule:"),
    (lambda: mh.train_together(*tiny_data(), sizes=[4, 3, 3], init="lecun"), "init:"),
    (lambda: mh.train_together(*tiny_data(), sizes=[4, 3, 3], patience=0), "patience:"),
    (lambda: mh.train_together(*tiny_data(), sizes=[4, 3, 3], lr=1e300, epochs=3), "lr, lam, init_scale:"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name.replace("[", r"\[").replace("]", r"\]")):
        call()


# ---------------------------------------------------------------- notebook 10's numbers
def test_summary_is_mean_and_spread_over_seeds():
    s = T.summary()
    chosen = np.array(T.MEASURED["test_correct"]["chosen"]) / 359
    base = np.array(T.MEASURED["test_correct"]["baseline"]) / 359
    assert s["test_mean"]["chosen"] == pytest.approx(chosen.mean())
    assert s["test_std"]["baseline"] == pytest.approx(np.sqrt(np.mean((base - base.mean()) ** 2)))
    assert s["gain"] == pytest.approx((chosen - base).mean())
    assert (s["wins"], s["losses"]) == (int(np.sum(chosen > base)), int(np.sum(chosen < base)))
    # chosen on validation: the highest mean validation accuracy (ties: the earlier setting)
    means = [np.mean(T.MEASURED["val_correct"][n]) for n in T.GRID]
    assert T.MEASURED["chosen"] == list(T.GRID)[int(np.argmax(means))]
    assert list(T.MEASURED["val_correct"]) == list(T.GRID)


def test_the_split_is_train_val_test_split_of_all_digits():
    from sklearn.datasets import load_digits

    X_tr, X_va, X_te, y_tr, y_va, y_te = T.digits_split(0)
    assert (len(y_tr), len(y_va), len(y_te)) == (1079, 359, 359)
    digits = load_digits()
    rows = {r.tobytes(): lab for r, lab in zip(digits.data / 16.0, digits.target)}
    both = np.vstack([X_tr, X_va, X_te])
    assert len({r.tobytes() for r in both}) == len({r.tobytes() for r in digits.data / 16.0})
    assert all(rows[r.tobytes()] == lab for r, lab in zip(X_te, y_te))
    # seed 0 is notebook 04's split: the same call on scikit-learn's digits as 04 makes
    from mlp_helpers.generalisation import train_val_test_split

    ref = train_val_test_split(digits.data / 16.0, digits.target, fractions=(0.6, 0.2, 0.2), seed=0)
    for got, want in zip(T.digits_split(0), ref):
        np.testing.assert_array_equal(got, want)


def test_the_baseline_at_seed_0_is_notebook_04s_run():
    """At seed 0 the baseline is notebook 04's chosen run (train_schedule, constant 0.2, 30 epochs): the
    same weights to round-off, and notebook 04 prints 351 of 359 test images for it."""
    import mlp_helpers as mh
    from mlp_helpers.generalisation import train_schedule

    X_tr, X_va, X_te, y_tr, y_va, y_te = T.digits_split(0)
    ours, _ = T.run_setting(T.BASELINE, 0)
    theirs, _ = train_schedule(mh.init_params([64, 100, 10], seed=0), X_tr, y_tr, [(30, 0.2)], batch_size=32, seed=0)
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-10, atol=1e-12, err_msg=k)
    assert int(np.sum(mh.predict(theirs, X_te) == y_te)) == 351


def test_measured_numbers_recompute():
    """MEASURED recomputed: every setting's validation accuracy on seed 0, and the test accuracies of
    the chosen and the baseline setting on all five seeds (within one image: BLAS sums may differ)."""
    for name, setting in T.GRID.items():
        _, h = T.run_setting(setting, 0)
        got = h["val_accuracy"][h["kept_epoch"] - 1] * 359
        assert abs(got - T.MEASURED["val_correct"][name][0]) <= 1, name
    for label, name in (("chosen", T.MEASURED["chosen"]), ("baseline", "04: SGD, constant 0.2")):
        for i, seed in enumerate(T.SEEDS):
            params, _ = T.run_setting(T.GRID[name], seed)
            _, _, X_te, _, _, y_te = T.digits_split(seed)
            acc = numpy_loss_accuracy(params, X_te, y_te)[1]
            assert abs(acc * 359 - T.MEASURED["test_correct"][label][i]) <= 1, (label, seed)


# ------------------------------------------------------------------- the exercise check
def student_step(params, X, Y, mask, p, lam, state, t, lr, mistake=None):
    """A student's step, written independently of mlp_helpers, with one deliberate ``mistake``."""
    B = len(X)
    keep = 1 if mistake == "no_rescale" else 1 - p
    m_ = 1 - mask if mistake == "mask_inverted" else mask
    z1 = X @ params["W1"] + params["b1"]
    h = relu(z1)
    hd = h if mistake == "no_dropout" else h * m_ / keep
    yhat = softmax(hd @ params["W2"] + params["b2"])
    d2 = (yhat - Y) / (1 if mistake == "sum_not_mean" else B)
    dhd = d2 @ params["W2"].T
    if mistake in ("no_dropout", "backward_no_dropout"):
        dh = dhd
    elif mistake == "mask_not_in_backward":
        dh = dhd / keep
    elif mistake == "backward_not_rescaled":
        dh = dhd * m_
    else:
        dh = dhd * m_ / keep
    d1 = dh * (z1 > 0)
    grads = {"W1": X.T @ d1, "b1": d1.sum(0), "W2": hd.T @ d2, "b2": d2.sum(0)}
    factor = {"l2_missing": 0, "l2_half": 1, "decoupled": 0}.get(mistake, 2)
    for k in grads:
        if k[0] == "W" or mistake == "l2_on_biases":
            grads[k] = grads[k] + factor * lam * params[k]
    new, m_new, v_new = {}, {}, {}
    for k in params:
        m_new[k] = 0.9 * state["m"][k] + 0.1 * grads[k]
        v_new[k] = 0.999 * state["v"][k] + 0.001 * grads[k] ** 2
        if mistake == "no_bias_correction":
            step = lr * m_new[k] / (np.sqrt(v_new[k]) + 1e-8)
        else:
            step = lr * (m_new[k] / (1 - 0.9 ** t)) / (np.sqrt(v_new[k] / (1 - 0.999 ** t)) + 1e-8)
        if mistake == "decoupled" and k[0] == "W":
            step = step + lr * 2 * lam * params[k]
        new[k] = params[k] + step if mistake == "sign" else params[k] - step
    return new, {"m": m_new, "v": v_new}


EXAMPLE = T.exercise_case()


def test_a_correct_step_passes(capsys):
    d = T.check_together_step(student_step, EXAMPLE)
    assert d.ok and d.code == "correct"
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("mistake", list(T.STEP_SLIPS))
def test_each_kind_of_mistake_is_named(mistake):
    d = T.check_together_step(lambda *a: student_step(*a, mistake=mistake), EXAMPLE, quiet=True)
    assert not d.ok and d.code == mistake, d.message


def test_a_hard_coded_answer_is_caught():
    answer = student_step(*(EXAMPLE[k] for k in ("params", "X", "Y", "mask", "p", "lam", "state", "t", "lr")))
    d = T.check_together_step(lambda *a: answer, EXAMPLE, quiet=True)
    assert d.code == "hard_coded"


def test_an_unknown_mistake_is_located_not_fixed():
    def wrong_relu_derivative(params, X, Y, mask, p, lam, state, t, lr):
        P = dict(params)
        P["b1"] = P["b1"] + 0.0
        new, st_ = student_step(params, X, Y, mask, p, lam, state, t, lr)
        new["W1"] = new["W1"] + 1e-3  # only the first layer off
        st_["m"]["W1"] = st_["m"]["W1"] + 1e-3
        return new, st_
    d = T.check_together_step(wrong_relu_derivative, EXAMPLE, quiet=True)
    assert d.code == "wrong" and "first layer" in d.message


def test_missing_and_raising_answers():
    assert T.check_together_step(lambda *a: None, EXAMPLE, quiet=True).code == "missing"
    assert T.check_together_step(lambda *a: 1 / 0, EXAMPLE, quiet=True).code == "error"
    with pytest.raises(TypeError, match="fn:"):
        T.check_together_step(3, EXAMPLE)
    with pytest.raises(ValueError, match="example:"):
        T.check_together_step(student_step, {"X": 1})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_checks_transcription_without_a_slip_is_together_step(seed):
    case = T.exercise_case(shape=(3 + seed, 2, 4, 3), p=0.3, lam=0.02, t=2 + seed, lr=0.01, seed=seed)
    want_params, want_state, _ = mh.together_step(case["params"], case["X"], case["Y"], [case["mask"]],
                                                  case["state"], case["t"], case["lr"], p=case["p"], lam=case["lam"])
    got_params, got_state = T._transcribed_step(case)
    for k in want_params:
        np.testing.assert_allclose(got_params[k], want_params[k], rtol=1e-12, atol=1e-15)
        for n in ("m", "v"):
            np.testing.assert_allclose(got_state[n][k], want_state[n][k], rtol=1e-12, atol=1e-15)
