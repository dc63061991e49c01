"""Inverted dropout, the dropout training loop and early stopping (notebook 09).

Reference values: PyTorch 2.13.0 (CPU, float64) autograd with the same fixed
masks, typed in below as data (the script is in the comment above each
table); central finite differences (hypothesis); the package's own
``forward``/``backward``/``train`` for the no-dropout case; hand derivations
for early stopping.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers.datasets import make_moons
from mlp_helpers.dropout import diagnose_dropout, dropout_backward, dropout_forward, dropout_mask
from mlp_helpers.regularize import (
    dropout_network_backward, dropout_network_forward, early_stopping_epoch, evaluate, train_regularized,
)

# ---------------------------------------------------------------- PyTorch values
# Produced once with torch 2.13.0, float64:
#   H = torch.tensor(H_T, dtype=float64, requires_grad=True); out = H * M / (1 - p)
#   (out * G).sum().backward(); out and H.grad printed with .tolist()
H_T = [[0.5, -1.2, 2.0, 0.3], [1.5, 0.7, -0.4, -2.2], [0.0, 3.1, 1.1, -0.9]]
M_T = [[1., 0., 1., 1.], [0., 1., 1., 0.], [1., 1., 0., 1.]]
G_T = [[0.2, -0.5, 1.0, 0.7], [-1.3, 0.4, 0.9, 0.1], [0.6, -0.8, 0.3, -0.2]]
P_T = 0.4
OUT_TORCH = [[0.8333333333333334, -0.0, 3.3333333333333335, 0.5], [0.0, 1.1666666666666667, -0.6666666666666667, -0.0],
             [0.0, 5.166666666666667, 0.0, -1.5]]
DH_TORCH = [[0.33333333333333337, -0.0, 1.6666666666666667, 1.1666666666666667], [-0.0, 0.6666666666666667, 1.5, 0.0],
            [1.0, -1.3333333333333335, 0.0, -0.33333333333333337]]

# A 2-3-2 ReLU net, dropout q = 0.25 on the hidden layer with mask M1, mean cross-entropy:
#   Hd = relu(X @ W1 + b1) * M1 / (1 - q); loss = F.cross_entropy(Hd @ W2 + b2, y); loss.backward()
NET = {"W1": np.array([[0.4, -0.6, 0.9], [0.7, 0.2, -0.5]]), "b1": np.array([0.1, 0.05, 0.2]),
       "W2": np.array([[0.3, -0.8], [-0.4, 0.6], [1.1, 0.2]]), "b2": np.array([0.0, -0.1])}
X_NET = np.array([[0.1, -0.4], [1.2, 0.8], [-0.7, 0.5], [0.3, 0.9]])
Y_NET = np.array([0, 1, 1, 0])
M1_NET = np.array([[1., 0., 1.], [1., 1., 0.], [0., 1., 1.], [1., 1., 1.]])
Q_NET = 0.25
LOSS_TORCH = 0.7482427733676064
GRADS_TORCH = {
    "W1": [[0.3525865490398496, 0.10085516868264821, -0.02924867731281256],
           [0.18026126710188406, 0.007257842705812041, -0.017505624472970174]],
    "b1": [0.23511166106628645, -0.04241567277852211, -0.16439121720029665],
    "W2": [[0.26429879335807943, -0.26429879335807943], [0.06118231630735263, -0.06118231630735264],
           [-0.05605471198345062, 0.05605471198345062]],
    "b2": [0.1618687754626365, -0.16186877546263653],
}


def test_forward_and_backward_match_torch():
    out, mask = dropout_forward(H_T, P_T, mask=M_T)
    np.testing.assert_allclose(out, OUT_TORCH, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(mask, M_T)
    np.testing.assert_allclose(dropout_backward(G_T, M_T, P_T), DH_TORCH, rtol=1e-14, atol=0)


def test_network_gradients_match_torch():
    cache = dropout_network_forward(NET, X_NET, Q_NET, [M1_NET])
    Yhat = cache["Yhat"]
    loss = -np.mean(np.log(Yhat[np.arange(4), Y_NET]))
    assert loss == pytest.approx(LOSS_TORCH, rel=1e-13)
    grads = dropout_network_backward(NET, cache, mh.one_hot(Y_NET, 2))
    for key, want in GRADS_TORCH.items():
        np.testing.assert_allclose(grads[key], want, rtol=1e-12, atol=1e-15, err_msg=key)


# ------------------------------------------------------------- finite differences
def _central(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (f(xp) - f(xm)) / (2 * eps)
    return g


@settings(max_examples=30, deadline=None, derandomize=True)
@given(n=st.integers(1, 4), m=st.integers(1, 5), p=st.floats(0.0, 0.9), seed=st.integers(0, 2 ** 16))
def test_layer_backward_is_the_finite_difference_gradient(n, m, p, seed):
    rng = np.random.default_rng(seed)
    H, G = rng.normal(size=(n, m)), rng.normal(size=(n, m))
    mask = (rng.random((n, m)) >= p).astype(float)
    num = _central(lambda h: float(np.sum(G * dropout_forward(h, p, mask=mask)[0])), H)
    np.testing.assert_allclose(dropout_backward(G, mask, p), num, rtol=1e-6, atol=1e-8)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(hidden=st.lists(st.integers(1, 4), min_size=1, max_size=2), p=st.floats(0.0, 0.8),
       seed=st.integers(0, 2 ** 16), activation=st.sampled_from(["tanh", "sigmoid", "softplus"]))
def test_network_backward_is_the_finite_difference_gradient(hidden, p, seed, activation):
    rng = np.random.default_rng(seed)
    sizes = [3, *hidden, 2]
    params = mh.init_params(sizes, seed=seed)
    params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    masks = [(rng.random((5, h)) >= p).astype(float) for h in hidden]
    Y = mh.one_hot(y, 2)

    def loss(ps):
        Yhat = dropout_network_forward(ps, X, p, masks, activation)["Yhat"]
        return float(-np.mean(np.log(Yhat[np.arange(5), y])))

    grads = dropout_network_backward(params, dropout_network_forward(params, X, p, masks, activation), Y, activation)
    for key in params:
        num = _central(lambda v: loss({**params, key: v}), params[key])
        np.testing.assert_allclose(grads[key], num, rtol=1e-5, atol=1e-8, err_msg=key)


def test_without_dropout_the_network_is_the_public_forward_and_backward():
    params = mh.init_params([2, 5, 4, 3], seed=1)
    X, y = make_moons(7, seed=2)
    y = y + (X[:, 0] > 1)  # 3 classes
    masks = [np.ones((7, 5)), np.ones((7, 4))]
    cache = dropout_network_forward(params, X, 0.0, masks)
    np.testing.assert_allclose(cache["Yhat"], mh.forward(params, X)["Yhat"], rtol=1e-13)
    mine = dropout_network_backward(params, cache, mh.one_hot(y, 3))
    ref, _ = mh.backward(params, mh.forward(params, X), mh.one_hot(y, 3))
    for key in params:
        np.testing.assert_allclose(mine[key], ref[key], rtol=1e-12, atol=1e-15, err_msg=key)


# ----------------------------------------------------------------- the layer's rules
def test_test_time_has_no_mask_and_no_scaling():
    H = np.array([[1.0, -2.0], [0.5, 3.0]])
    out, mask = dropout_forward(H, 0.5, rng=0, train=False)
    np.testing.assert_array_equal(out, H)
    assert mask is None
    assert out is not H


def test_inverted_dropout_keeps_the_expected_value():
    # Bernoulli(1 - p) keep-mask: the kept fraction is within 5 binomial standard deviations of 1 - p,
    # and the mean of H_out over many draws is H within 5 standard errors.
    p, n = 0.3, 200_000
    mask = dropout_mask((n,), p, rng=3)
    assert abs(mask.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    out, _ = dropout_forward(np.full(n, 2.0), p, rng=4)
    se = 2.0 * np.sqrt(p / (1 - p) / n)  # sd of 2 * Bernoulli(1-p) / (1-p)
    assert abs(out.mean() - 2.0) < 5 * se
    assert set(np.unique(out)) == {0.0, 2.0 / (1 - p)}


def test_the_same_seed_gives_the_same_mask_and_arguments_are_not_changed():
    H = np.arange(12.0).reshape(3, 4)
    before = H.copy()
    a, ma = dropout_forward(H, 0.5, rng=7)
    b, mb = dropout_forward(H, 0.5, rng=7)
    np.testing.assert_array_equal(ma, mb)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(H, before)


def test_p_zero_keeps_everything():
    H = np.array([[1.0, 2.0]])
    out, mask = dropout_forward(H, 0.0, rng=0)
    np.testing.assert_array_equal(out, H)
    np.testing.assert_array_equal(mask, np.ones((1, 2)))


@pytest.mark.parametrize("call, name", [
    (lambda: dropout_forward([[1.0]], 1.0, rng=0), "p:"),
    (lambda: dropout_forward([[1.0]], -0.1, rng=0), "p:"),
    (lambda: dropout_forward([[1.0]], float("nan"), rng=0), "p:"),
    (lambda: dropout_forward("abc", 0.5, rng=0), "H:"),
    (lambda: dropout_forward([[np.nan]], 0.5, rng=0), "H:"),
    (lambda: dropout_forward([[1.0, 2.0]], 0.5, mask=[[1.0]]), "mask:"),
    (lambda: dropout_forward([[1.0, 2.0]], 0.5, mask=[[1.0, 0.5]]), "mask:"),
    (lambda: dropout_forward([[1.0, 2.0]], 0.5), "rng, mask:"),
    (lambda: dropout_forward([[1.0]], 0.5, rng=-1), "rng:"),
    (lambda: dropout_forward([[1.0]], 0.5, rng=0, train="no"), "train:"),
    (lambda: dropout_backward([[1.0, 2.0]], [[1.0, 0.0, 1.0]], 0.5), "mask:"),
    (lambda: dropout_backward([[1.0, 2.0]], [[1.0, 0.0]], 1.0), "p:"),
    (lambda: dropout_backward(None, [[1.0, 0.0]], 0.5), "dH_out:"),
    (lambda: dropout_mask((2, 0), 0.5), "shape[1]:"),
    (lambda: dropout_mask(3, 0.5), "shape:"),
    (lambda: dropout_network_forward(NET, X_NET, 0.2, []), "masks:"),
    (lambda: dropout_network_forward(NET, X_NET, 0.2, [np.ones((4, 2))]), "masks[0]:"),
    (lambda: dropout_network_forward({"W1": NET["W1"]}, X_NET, 0.2, []), "params:"),
    (lambda: early_stopping_epoch([1.0, 0.5], 0), "patience:"),
    (lambda: early_stopping_epoch([1.0, 0.5], 2, epochs=[1]), "epochs:"),
    (lambda: early_stopping_epoch([1.0, 0.5], 2, epochs=[2, 1]), "epochs:"),
    (lambda: train_regularized([2, 3, 2], X_NET, Y_NET, epochs=0), "epochs:"),
    (lambda: train_regularized([2, 3, 2], X_NET, Y_NET, p=1.0), "p:"),
    (lambda: train_regularized([2, 3, 2], X_NET, Y_NET, noise_std=-1.0), "noise_std:"),
    (lambda: train_regularized([2, 3, 2], X_NET, Y_NET[:3]), "labels:"),
    (lambda: train_regularized([2, 3, 2], X_NET, Y_NET, patience=5), "val:"),
    (lambda: train_regularized([2, 3, 2], X_NET, Y_NET, activation="nope"), "activation"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert str(info.value).startswith(name), str(info.value)


# ---------------------------------------------------------------- exercise check
@pytest.mark.parametrize("slip, code", [
    (lambda H, M, p: M * H / (1 - p), "correct"),
    (lambda H, M, p: M * H, "no_scaling"),
    (lambda H, M, p: M * H / p, "scaled_by_p"),
    (lambda H, M, p: M * H * (1 - p), "times_keep"),
    (lambda H, M, p: (1 - M) * H / (1 - p), "mask_inverted"),
    (lambda H, M, p: H / (1 - p), "no_mask"),
    (lambda H, M, p: H, "no_dropout"),
    (lambda H, M, p: -M * H / (1 - p), "sign"),
    (lambda H, M, p: (M * H / (1 - p)).T, "transposed"),
    (lambda H, M, p: None, "missing"),
    (lambda H, M, p: M * H / (1 - p) + 1.0, "wrong"),
])
def test_diagnose_dropout_names_the_kind_of_mistake(slip, code):
    rng = np.random.default_rng(11)
    H = rng.normal(size=(4, 3))
    M = np.array([[1., 0., 1.], [1., 1., 0.], [0., 1., 1.], [1., 0., 1.]])
    p = 0.3
    d = diagnose_dropout("H_out", slip(H, M, p), H, M, p)
    assert d.code == code, d.message
    assert d.ok == (code == "correct")
    assert "H_out" in d.message


# ---------------------------------------------------------------- early stopping
@pytest.mark.parametrize("curve, patience, expected", [
    ([5, 4, 3, 3.5, 3.6, 3.7, 2.0], 3, (6, 3)),   # best at 3; epochs 4, 5, 6 bring nothing: stop at 6
    ([5, 4, 3, 3.5, 3.6, 3.7, 2.0], 4, (7, 7)),   # patience 4 survives to epoch 7's new best
    ([5, 4, 3, 3.0, 3.0], 2, (5, 3)),            # equal is not better
    ([1, 2, 3], 1, (2, 1)),
    ([3, 2, 1], 1, (3, 3)),                        # never stops
])
def test_early_stopping_by_hand(curve, patience, expected):
    assert early_stopping_epoch(curve, patience) == expected


def test_early_stopping_counts_epochs_not_checks():
    # checks every 10 epochs; best at epoch 20; patience 25 epochs: the check at 50 is 30 after it
    assert early_stopping_epoch([3, 1, 2, 2, 2, 2], 25, epochs=[10, 20, 30, 40, 50, 60]) == (50, 20)


# ---------------------------------------------------------------- the training loop
def test_plain_loop_equals_public_train_full_batch():
    X, y = make_moons(24, noise=0.2, seed=5)
    mine, hist = train_regularized([2, 6, 2], X, y, epochs=25, lr=0.3, seed=4)
    ref, _ = mh.train(mh.init_params([2, 6, 2], seed=4), X, y, epochs=25, lr=0.3, batch_size=24, record=None)
    for key in ref:
        np.testing.assert_allclose(mine[key], ref[key], rtol=1e-10, atol=1e-12, err_msg=key)
    assert hist["epoch"] == list(range(1, 26))
    assert hist["train_accuracy"][-1] == pytest.approx(float(np.mean(mh.predict(ref, X) == y)))


def test_patience_returns_the_best_epochs_parameters():
    X, y = make_moons(30, noise=0.35, seed=100)
    Xv, yv = make_moons(40, noise=0.35, seed=200)
    params, hist = train_regularized([2, 32, 2], X, y, epochs=300, lr=1.0, seed=0,
                                     sets={"val": (Xv, yv)}, patience=20)
    best = hist["best_epoch"]
    v = hist["val_loss"]
    assert v[best - 1] == min(v)
    assert len(v) - best == 20 or len(v) == 300
    assert evaluate(params, Xv, yv)[0] == pytest.approx(min(v), rel=1e-12)
    assert early_stopping_epoch(v, 20) == (len(v), best)


def test_noise_and_dropout_change_the_training_but_are_seeded():
    X, y = make_moons(20, noise=0.2, seed=1)
    a, _ = train_regularized([2, 8, 2], X, y, epochs=5, p=0.5, noise_std=0.3, seed=2)
    b, _ = train_regularized([2, 8, 2], X, y, epochs=5, p=0.5, noise_std=0.3, seed=2)
    c, _ = train_regularized([2, 8, 2], X, y, epochs=5, seed=2)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert not np.allclose(a["W1"], c["W1"])


def test_evaluate_matches_loss_value_and_predict():
    params = mh.init_params([2, 5, 2], seed=3)
    X, y = make_moons(15, seed=3)
    loss, acc = evaluate(params, X, y)
    assert loss == pytest.approx(mh.loss_value(params, X, mh.one_hot(y, 2)), rel=1e-12)
    assert acc == pytest.approx(float(np.mean(mh.predict(params, X) == y)))


def test_check_dropout_functions_grades_hidden_inputs(capsys):
    from mlp_helpers.dropout import check_dropout_functions

    good = check_dropout_functions(lambda H, p, M: M * H / (1 - p), lambda G, M, p: M * G / (1 - p))
    assert good["forward"].ok and good["backward"].ok
    bad = check_dropout_functions(lambda H, p, M: (M * H, M), lambda G, M, p: G / (1 - p))
    assert bad["forward"].code == "no_scaling" and bad["backward"].code == "no_mask"
    hard = check_dropout_functions(lambda H, p, M: np.zeros((2, 2)), lambda G, M, p: 1 / 0)
    assert not hard["forward"].ok and hard["backward"].code == "error"
    assert "ZeroDivisionError" in capsys.readouterr().out
    with pytest.raises(TypeError, match="^forward_fn:"):
        check_dropout_functions(3, lambda G, M, p: G)
