"""mlp_helpers.generalisation: the batched backward pass, the graded exercise, the three-way
protocol and the overfitting setting of notebook 06.

Independent references: an explicit loop of outer products and a hand example for
H^T Delta / B; the mean of one-sample ``mh.backward`` calls for the whole network
(hypothesis over shapes, depths and activations); central finite differences of the
mean loss; ``numpy``'s set operations for the split; ``mh.train`` called directly for
the schedules.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers import generalisation as gen
from mlp_helpers.datasets import make_moons

SMOOTH = ["tanh", "sigmoid", "softplus", "identity"]


# ------------------------------------------------------------ layer_gradients
def test_layer_gradients_hand_example():
    H = np.array([[1.0, 2.0], [3.0, 4.0]])
    D = np.array([[1.0, 0.0], [0.0, 1.0]])
    dW, db = gen.layer_gradients(H, D)
    # H^T D = [[1, 3], [2, 4]]; divided by B = 2.  Rows of D summed: [1, 1], / 2.
    np.testing.assert_array_equal(dW, [[0.5, 1.5], [1.0, 2.0]])
    np.testing.assert_array_equal(db, [0.5, 0.5])


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(B=st.integers(1, 6), n_in=st.integers(1, 5), n_out=st.integers(1, 4), seed=st.integers(0, 10 ** 6))
def test_layer_gradients_equal_mean_of_outer_products(B, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    H, D = rng.normal(size=(B, n_in)), rng.normal(size=(B, n_out))
    dW, db = gen.layer_gradients(H, D)
    ref_W = sum(np.outer(H[i], D[i]) for i in range(B)) / B
    ref_b = sum(D[i] for i in range(B)) / B
    np.testing.assert_allclose(dW, ref_W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db, ref_b, rtol=1e-12, atol=1e-14)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5), B=st.integers(1, 6),
       activation=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu", "softplus", "identity"]),
       loss=st.sampled_from(["cross_entropy", "mse", "binary_cross_entropy"]), seed=st.integers(0, 10 ** 6))
def test_batched_backward_equals_mean_of_per_sample_backward(sizes, B, activation, loss, seed):
    rng = np.random.default_rng(seed)
    params = mh.init_params(sizes, seed=seed % 1000)
    X = rng.normal(size=(B, sizes[0]))
    if loss == "cross_entropy":
        Y = mh.one_hot(rng.integers(0, sizes[-1], size=B), sizes[-1])
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(B, sizes[-1])).astype(float)
    else:
        Y = rng.normal(size=(B, sizes[-1]))
    opts = {"activation": activation, "loss": loss}
    batch, terms = mh.backward(params, mh.forward(params, X, **opts), Y, reduction="mean", **opts)
    loop = gen.per_sample_gradients(params, X, Y, **opts)
    for k in params:
        np.testing.assert_allclose(batch[k], loop[k], rtol=1e-10, atol=1e-13, err_msg=k)
    # The last layer from the formula: dW_L = H_{L-1}^T Delta_L / B with Delta_L = B * delta_L.
    L = len(sizes) - 1
    cache = mh.forward(params, X, **opts)
    H_prev = X if L == 1 else cache[f"H{L - 1}"]
    dW, db = gen.layer_gradients(H_prev, B * terms[f"delta{L}"])
    np.testing.assert_allclose(dW, batch[f"W{L}"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(db, batch[f"b{L}"], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("activation", SMOOTH)
def test_per_sample_mean_matches_finite_differences_of_the_mean_loss(activation):
    rng = np.random.default_rng(3)
    params = mh.init_params([3, 4, 2], seed=1)
    X, Y = rng.normal(size=(5, 3)), mh.one_hot(rng.integers(0, 2, size=5), 2)
    num = mh.numerical_gradient(lambda p: mh.loss_value(p, X, Y, activation=activation), params)
    got = gen.per_sample_gradients(params, X, Y, activation=activation)
    for k in params:
        np.testing.assert_allclose(got[k], num[k], rtol=1e-6, atol=1e-8, err_msg=k)


# ---------------------------------------------------------------- exercise check
def _correct(H, D):
    return H.T @ D / H.shape[0], D.sum(axis=0) / H.shape[0]


@pytest.mark.parametrize("fn, code", [
    (_correct, "correct"),
    (lambda H, D: (H.T @ D, D.sum(axis=0) / len(H)), "factor_B"),
    (lambda H, D: (H.T @ D / len(H) ** 2, D.sum(axis=0) / len(H)), "factor_B"),
    (lambda H, D: (H.T @ D / len(H), D.sum(axis=0)), "factor_B"),
    (lambda H, D: (D.T @ H / len(H), D.sum(axis=0) / len(H)), "transposed"),
    (lambda H, D: (H.T @ D / len(H), D.sum(axis=1) / len(H)), "axis"),
    (lambda H, D: (-H.T @ D / len(H), D.sum(axis=0) / len(H)), "sign"),
    (lambda H, D: (np.zeros((3, 2)), np.zeros(2)), "wrong"),  # hard-coded for the first hidden shape
    (lambda H, D: None, "missing"),
    (lambda H, D: 1 / 0, "error"),
    (lambda H, D: H.T @ D, "wrong"),  # not a pair
])
def test_check_layer_gradients_names_the_mistake(fn, code):
    d = gen.check_layer_gradients(fn)
    assert d.code == code, d.message
    assert d.ok == (code == "correct")


def test_hard_coding_the_first_hidden_answer_fails_on_the_next():
    (H0, D0), *_ = gen.exercise_inputs()
    answer = _correct(H0, D0)
    d = gen.check_layer_gradients(lambda H, D: answer)
    assert not d.ok and "B = 7" in d.message


def test_hidden_inputs_have_several_shapes_and_do_not_depend_on_the_student():
    shapes = {H.shape for H, _ in gen.exercise_inputs()}
    assert len(shapes) == len(gen.EXERCISE_SHAPES) >= 3
    seen = []
    gen.check_layer_gradients(lambda H, D: seen.append(H.copy()) or _correct(H, D))
    np.testing.assert_array_equal(seen[0], gen.exercise_inputs()[0][0])


# ------------------------------------------------------------------ the split
def test_split_sizes_disjoint_and_complete():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    Xtr, Xva, Xte, ytr, yva, yte = gen.train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=1)
    assert (len(ytr), len(yva), len(yte)) == (30, 10, 10)
    assert np.intersect1d(ytr, yva).size == np.intersect1d(ytr, yte).size == np.intersect1d(yva, yte).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yva, yte])), y)
    np.testing.assert_array_equal(Xtr[:, 0], 2 * ytr)  # rows stay with their labels
    again = gen.train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=1)
    np.testing.assert_array_equal(again[3], ytr)


def test_split_of_three_rows_gives_one_each():
    parts = gen.train_val_test_split(np.eye(3), np.arange(3), (0.4, 0.3, 0.3))
    assert [len(p) for p in parts[3:]] == [1, 1, 1]


# ------------------------------------------------------- schedules, selection
def _moons_split():
    X, y = make_moons(120, noise=0.2, seed=0)
    return gen.train_val_test_split(X, y, seed=0)


def test_a_one_phase_schedule_is_mh_train():
    Xtr, Xva, _, ytr, yva, _ = _moons_split()
    p0 = mh.init_params([2, 8, 2], seed=0)
    a, ha = gen.train_schedule(p0, Xtr, ytr, [(3, 0.3)], lam=1e-3, batch_size=16, seed=5, X_val=Xva, labels_val=yva)
    b, hb = mh.train(p0, Xtr, ytr, epochs=3, lr=0.3, batch_size=16, lam=1e-3, seed=5, X_val=Xva, labels_val=yva)
    for k in b:
        np.testing.assert_array_equal(a[k], b[k])
    assert ha == hb


def test_step_decay_is_two_train_calls_and_truncation_reproduces_an_epoch():
    Xtr, Xva, _, ytr, yva, _ = _moons_split()
    p0 = mh.init_params([2, 8, 2], seed=0)
    sched = [(2, 0.5), (3, 0.1)]
    full, hist = gen.train_schedule(p0, Xtr, ytr, sched, batch_size=16, X_val=Xva, labels_val=yva)
    p1, _ = mh.train(p0, Xtr, ytr, epochs=2, lr=0.5, batch_size=16, seed=0)
    p2, _ = mh.train(p1, Xtr, ytr, epochs=3, lr=0.1, batch_size=16, seed=1)
    for k in p2:
        np.testing.assert_allclose(full[k], p2[k], rtol=1e-12, atol=1e-14)
    assert len(hist["val_accuracy"]) == 5
    assert gen.truncate_schedule(sched, 3) == [(2, 0.5), (1, 0.1)]
    assert gen.truncate_schedule(sched, 1) == [(1, 0.5)]
    part, _ = gen.train_schedule(p0, Xtr, ytr, gen.truncate_schedule(sched, 3), batch_size=16)
    assert float(np.mean(mh.predict(part, Xva) == yva)) == pytest.approx(hist["val_accuracy"][2])


def test_select_on_validation_takes_the_first_best():
    assert gen.select_on_validation([0.5, 0.9, 0.9, 0.1]) == 1
    assert gen.select_on_validation([0.3]) == 0


# ------------------------------------------------------- overfitting setting
def test_overfitting_setting_is_moons_plus_noise_columns():
    Xtr, Xte, ytr, yte = gen.overfitting_setting(seed=2)
    assert Xtr.shape == (40, 12) and Xte.shape == (400, 12) and ytr.shape == (40,) and yte.shape == (400,)
    X, y = make_moons(440, noise=0.2, seed=2)
    np.testing.assert_array_equal(np.vstack([Xtr, Xte])[:, :2], X)
    np.testing.assert_array_equal(np.concatenate([ytr, yte]), y)
    extra = np.vstack([Xtr, Xte])[:, 2:]
    assert abs(extra.mean()) < 0.05 and abs(extra.std() - 1) < 0.05


def test_unregularised_net_overfits_and_a_moderate_penalty_helps_on_average():
    tr0, te0 = zip(*(gen.heldout_accuracy(0.0, s) for s in range(3)))
    tr1, te1 = zip(*(gen.heldout_accuracy(0.01, s) for s in range(3)))
    assert min(tr0) == 1.0                     # fits every training point
    assert np.mean(te0) < 0.8                  # ... but not new ones
    assert np.mean(te1) > np.mean(te0)         # the penalty helps on these seeds
    assert gen.heldout_accuracy(10 ** -0.5, 0)[0] < 0.8   # a large penalty underfits


def test_lambda_grid_shape_and_entries():
    tr, te = gen.lambda_grid(lambdas=[0.0, 0.01], seeds=[0, 1])
    assert tr.shape == te.shape == (2, 2)
    assert te[1, 1] == gen.heldout_accuracy(0.01, 1)[1]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("H, D, name", [
    (np.ones(3), np.ones((3, 2)), "H"),
    (np.ones((3, 2)), np.ones((4, 2)), "Delta"),
    (np.ones((0, 2)), np.ones((0, 2)), "H"),
    (np.full((2, 2), np.nan), np.ones((2, 2)), "H"),
    ("abc", np.ones((2, 2)), "H"),
])
def test_layer_gradients_bad_input(H, D, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        gen.layer_gradients(H, D)


def test_per_sample_gradients_bad_input():
    params = mh.init_params([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="^Y"):
        gen.per_sample_gradients(params, np.ones((3, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="^X"):
        gen.per_sample_gradients(params, np.ones((0, 2)), np.ones((0, 2)))
    with pytest.raises(ValueError, match="^X"):
        gen.per_sample_gradients(params, np.ones(2), np.ones(2))


def test_check_layer_gradients_bad_input():
    with pytest.raises(TypeError, match="^student_fn"):
        gen.check_layer_gradients("H.T @ D")


@pytest.mark.parametrize("kwargs, name", [
    ({"X": np.ones((2, 2)), "y": np.ones(2)}, "X"),
    ({"X": np.ones((5, 2)), "y": np.ones(4)}, "y"),
    ({"X": np.ones((5, 2)), "y": np.ones(5), "fractions": (0.5, 0.5)}, "fractions"),
    ({"X": np.ones((5, 2)), "y": np.ones(5), "fractions": (0.5, 0.6, -0.1)}, "fractions"),
    ({"X": np.ones((5, 2)), "y": np.ones(5), "fractions": (0.2, 0.2, 0.2)}, "fractions"),
    ({"X": np.ones((4, 2)), "y": np.ones(4), "fractions": (0.1, 0.4, 0.5)}, "fractions"),
    ({"X": np.ones((5, 2)), "y": np.ones(5), "seed": -1}, "seed"),
    ({"X": np.ones((5, 2)), "y": np.ones(5), "seed": 1.5}, "seed"),
])
def test_split_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        gen.train_val_test_split(**kwargs)


@pytest.mark.parametrize("schedule", [[], "constant", [(0, 0.1)], [(2, -0.1)], [(2,)], [(1.5, 0.1)]])
def test_train_schedule_bad_schedule(schedule):
    Xtr, _, _, ytr, _, _ = _moons_split()
    with pytest.raises((ValueError, TypeError), match="^schedule"):
        gen.train_schedule(mh.init_params([2, 3, 2], seed=0), Xtr, ytr, schedule)


@pytest.mark.parametrize("epochs", [0, 6, 1.5, np.nan])
def test_truncate_schedule_bad_epochs(epochs):
    with pytest.raises((ValueError, TypeError), match="^epochs"):
        gen.truncate_schedule([(2, 0.5), (3, 0.1)], epochs)


@pytest.mark.parametrize("scores", [[], [[0.1, 0.2]], [0.1, np.nan], "high"])
def test_select_on_validation_bad_input(scores):
    with pytest.raises((ValueError, TypeError), match="^val_scores"):
        gen.select_on_validation(scores)


@pytest.mark.parametrize("kwargs, name", [
    ({"seed": -1}, "seed"), ({"seed": True}, "seed"), ({"n_train": 1}, "n_train"),
    ({"n_test": 0}, "n_test"), ({"n_nuisance": -1}, "n_nuisance"), ({"noise": -0.1}, "noise"),
])
def test_overfitting_setting_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        gen.overfitting_setting(**kwargs)


@pytest.mark.parametrize("lam", [-0.1, np.nan, "big"])
def test_heldout_accuracy_bad_lambda(lam):
    with pytest.raises((ValueError, TypeError), match="^lam"):
        gen.heldout_accuracy(lam)


@pytest.mark.parametrize("kwargs, name", [({"lambdas": []}, "lambdas"), ({"lambdas": [-1.0]}, "lambdas"),
                                          ({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seeds"),
                                          ({"seeds": "01"}, "seeds"), ({"seeds": [0.5]}, "seeds")])
def test_lambda_grid_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        gen.lambda_grid(**kwargs)


def test_lambda_grid_returns_copies_of_its_remembered_runs():
    tr, te = gen.lambda_grid(lambdas=[0.0], seeds=[3])
    te[0, 0] = -1.0
    assert gen.lambda_grid(lambdas=[0.0], seeds=[3])[1][0, 0] == gen.heldout_accuracy(0.0, 3)[1]


@pytest.mark.parametrize("kwargs, name", [({"penalty_kind": "l3"}, "penalty_kind"), ({"penalty_kind": 2}, "penalty_kind"),
                                          ({"penalty_kind": "l2_half"}, "penalty_kind"), ({"seed": -1}, "seed"),
                                          ({"seed": 0.5}, "seed"), ({"seed": True}, "seed")])
def test_heldout_accuracy_bad_kind_or_seed(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}"):
        gen.heldout_accuracy(0.01, **kwargs)


@pytest.mark.parametrize("kind", ["L1", None, "dropout"])
def test_lambda_grid_bad_penalty_kind(kind):
    with pytest.raises((ValueError, TypeError), match="^penalty_kind"):
        gen.lambda_grid(lambdas=[0.0], seeds=[0], penalty_kind=kind)


def test_l1_and_l2_runs_differ_and_lambda_zero_is_shared():
    assert gen.heldout_accuracy(0.0, 2, "l1") == gen.heldout_accuracy(0.0, 2, "l2")
    l1 = [gen.heldout_accuracy(0.1, s, "l1")[0] for s in (0, 1)]
    l2 = [gen.heldout_accuracy(0.1, s, "l2")[0] for s in (0, 1)]
    assert l1 != l2  # the kind reaches the training (at λ = 0.1 L1 underfits far more)
