"""Every number printed in the two seed solutions, reproduced by mlp_helpers.

Expected values come from the seed texts (typed in here) and from a scalar
reference written out below with Python's ``math`` module, one loop per
equation; neither is computed by the code under test.
"""
import math

import numpy as np
import pytest

import mlp_helpers as mh
from mlp_helpers.seeds import seed000, seed001


# ----------------------------------------------------------------- seed 000
def test_seed000_forward_prints():
    s = seed000()
    cache = mh.forward(s["params"], s["X"], "relu", "cross_entropy", "rows")
    # The seed's printed arrays (np.set_printoptions(precision=4, suppress=True)).
    np.testing.assert_allclose(cache["Z1"], [[6.15, -1.9, 4.85, 0.35]], atol=1e-12)
    np.testing.assert_allclose(cache["H1"], [[6.15, 0.0, 4.85, 0.35]], atol=1e-12)
    np.testing.assert_allclose(cache["Z2"], [[19.255, -16.61]], atol=1e-12)
    # Printed as [[1., 0.]]: saturated.  The exact second probability is e^{-35.865}.
    assert np.array2string(cache["Yhat"], precision=4, suppress_small=True) == "[[1. 0.]]"
    assert cache["Yhat"][0, 1] == pytest.approx(math.exp(-(19.255 + 16.61)) / (1 + math.exp(-(19.255 + 16.61))), rel=1e-9)


def test_seed000_loss_clipped_and_exact():
    s = seed000()
    y_hat = mh.forward(s["params"], s["X"])["Yhat"]
    clipped = mh.cross_entropy(s["Y"], y_hat, clip=1e-9)
    assert f"{clipped:.6f}" == "0.000000"  # the seed's print
    # -log(1 - 1e-9) = 1e-9 + 5e-19 ...: the clip, not the network, sets this value.
    assert clipped == pytest.approx(1e-9, rel=1e-6)
    exact = mh.cross_entropy_from_logits(s["Y"], mh.forward(s["params"], s["X"])["Z2"])
    # log(1 + e^{-35.865}) ~= e^{-35.865} ~= 2.6548e-16
    assert exact == pytest.approx(math.log1p(math.exp(-35.865)), rel=1e-6)
    assert 2.6e-16 < exact < 2.7e-16


def test_seed000_part_b_l2_and_l1():
    s = seed000()
    p = s["params"]
    sum_sq = sum(v * v for W in (p["W1"], p["W2"]) for v in W.ravel().tolist())
    assert sum_sq == pytest.approx(66.14)
    assert mh.penalty(p, 1.0, "l2") == pytest.approx(66.14, abs=1e-12)
    l2 = mh.penalty(p, s["lam_l2"], "l2")
    assert f"{l2:.4f}" == "0.6614"
    data_clipped = mh.cross_entropy(s["Y"], mh.forward(p, s["X"])["Yhat"], clip=1e-9)
    assert f"{data_clipped + l2:.9f}" == "0.661400001"
    assert mh.penalty(p, 1.0, "l1") == pytest.approx(32.6, abs=1e-12)
    l1 = mh.penalty(p, s["lam_l1"], "l1")
    assert l1 == pytest.approx(0.163, abs=1e-15)
    assert f"{data_clipped + l1:.9f}" == "0.163000001"
    # Biases are not penalised by default; with them, b1 and b2 add their squares.
    b_sq = 0.5**2 + 0.3**2 + 0.2**2 + 0.7**2 + 0.3**2 + 0.5**2
    assert mh.penalty(p, 1.0, "l2", include_biases=True) == pytest.approx(66.14 + b_sq)


def test_seed000_penalty_gradients_at_W2_00():
    s = seed000()
    p = s["params"]
    g_l2 = mh.penalty_gradients(p, s["lam_l2"], "l2")["W2"][0, 0]
    g_l1 = mh.penalty_gradients(p, s["lam_l1"], "l1")["W2"][0, 0]
    assert g_l2 == pytest.approx(2 * 0.01 * 1.5)  # 0.030000
    assert g_l1 == pytest.approx(0.005)  # 0.005 * sign(1.5)
    given = s["given_data_grad_W2_00"]
    assert f"{given + g_l2:.6f}" == "-0.270000"
    assert f"{given + g_l1:.6f}" == "-0.295000"
    # The half convention halves the L2 gradient: lam * w = 0.015.
    assert mh.penalty_gradients(p, s["lam_l2"], "l2_half")["W2"][0, 0] == pytest.approx(0.015)


def test_seed000_given_data_gradient_is_not_the_true_one():
    """The seed's -0.3 is given, not computed: the true dL/dW2[0,0] is ~0 (softmax saturated)."""
    s = seed000()
    cache = mh.forward(s["params"], s["X"])
    grads, _ = mh.backward(s["params"], cache, s["Y"])
    # dL/dW2[0,0] = h1 * (yhat_1 - 1) = 6.15 * (-e^{-35.865}/(1+e^{-35.865}))
    p2 = math.exp(-35.865) / (1 + math.exp(-35.865))
    assert abs(grads["W2"][0, 0]) < 1e-14
    assert grads["W2"][0, 1] == pytest.approx(6.15 * p2, rel=1e-6)


# ----------------------------------------------------------------- seed 001
def _reference_seed001():
    """Seed 001 by hand, in scalars: column vectors, f = ReLU + sin, softmax, CE."""
    W1 = [[0.1, -0.2, 0.3, 0.4], [0.5, -0.3, 0.1, -0.2], [0.4, 0.2, -0.5, 0.3]]
    b1 = [0.1, -0.1, 0.05]
    W2 = [[-0.3, 0.2, 0.1], [0.4, -0.5, 0.3]]
    b2 = [0.05, -0.05]
    x = [1.0, -1.0, 0.5, 2.0]
    y = [1.0, 0.0]
    Z1 = [sum(W1[i][j] * x[j] for j in range(4)) + b1[i] for i in range(3)]
    H = [max(z, 0.0) + math.sin(z) for z in Z1]
    Z2 = [sum(W2[k][i] * H[i] for i in range(3)) + b2[k] for k in range(2)]
    E = [math.exp(z) for z in Z2]
    S = sum(E)
    yhat = [e / S for e in E]
    d2 = [yhat[k] - y[k] for k in range(2)]
    dW2 = [[d2[k] * H[i] for i in range(3)] for k in range(2)]
    W2Td2 = [sum(W2[k][i] * d2[k] for k in range(2)) for i in range(3)]
    fprime = [(1.0 if z > 0 else 0.0) + math.cos(z) for z in Z1]
    d1 = [W2Td2[i] * fprime[i] for i in range(3)]
    dW1 = [[d1[i] * x[j] for j in range(4)] for i in range(3)]
    a = 0.001
    return {
        "Z1": Z1, "H": H, "Z2": Z2, "expZ2": E, "sum": S, "yhat": yhat, "delta2": d2,
        "dW2": dW2, "W2Td2": W2Td2, "fprime": fprime, "delta1": d1, "dW1": dW1,
        "b2_new": [b2[k] - a * d2[k] for k in range(2)],
        "W2_new": [[W2[k][i] - a * dW2[k][i] for i in range(3)] for k in range(2)],
        "b1_new": [b1[i] - a * d1[i] for i in range(3)],
        "W1_new": [[W1[i][j] - a * dW1[i][j] for j in range(4)] for i in range(3)],
        "loss": -math.log(yhat[0]),
    }


# The seed's printed values (4-decimal hand arithmetic).
SEED001 = {
    "Z1": [1.35, 0.35, 0.60],
    "H": [2.3257, 0.6929, 1.1646],
    "Z2": [-0.3926, 0.8832],
    "expZ2": [0.6753, 2.4186],
    "sum": 3.0939,
    "yhat": [0.2183, 0.7817],
    "delta2": [-0.7817, 0.7817],
    "dW2": [[-1.8180, -0.5416, -0.9104], [1.8180, 0.5416, 0.9104]],
    "W2Td2": [0.5472, -0.5472, 0.1563],
    "fprime": [1.2190, 1.9394, 1.8253],
    "delta1": [0.6670, -1.0612, 0.2853],
    "dW1": [[0.6670, -0.6670, 0.3335, 1.3340], [-1.0612, 1.0612, -0.5306, -2.1224], [0.2853, -0.2853, 0.1427, 0.5706]],
    "b2_new": [0.0508, -0.0508],
    "W2_new": [[-0.2982, 0.2005, 0.1009], [0.3982, -0.5005, 0.2991]],
    "b1_new": [0.0993, -0.0989, 0.0497],
    "W1_new": [[0.0993, -0.1993, 0.2997, 0.3987], [0.5011, -0.3011, 0.1005, -0.1979], [0.3997, 0.2003, -0.5001, 0.2994]],
}

# Entries where the seed's hand rounding changed the 4th decimal: (seed wrote, exact to 6 decimals).
HAND_SLIPS = {
    ("Z2", (0,)): (-0.3926, -0.392673),
    ("yhat", (0,)): (0.2183, 0.218248),
    ("yhat", (1,)): (0.7817, 0.781752),
    ("delta2", (0,)): (-0.7817, -0.781752),
    ("delta2", (1,)): (0.7817, 0.781752),
    ("dW2", (0, 0)): (-1.8180, -1.818139),
    ("dW2", (0, 1)): (-0.5416, -0.541674),
    ("dW2", (0, 2)): (-0.9104, -0.910462),
    ("dW2", (1, 0)): (1.8180, 1.818139),
    ("dW2", (1, 1)): (0.5416, 0.541674),
    ("dW2", (1, 2)): (0.9104, 0.910462),
    ("W2Td2", (2,)): (0.1563, 0.156350),
    ("delta1", (0,)): (0.6670, 0.667073),
    ("delta1", (1,)): (-1.0612, -1.061276),
    ("delta1", (2,)): (0.2853, 0.285392),
    ("dW1", (0, 0)): (0.6670, 0.667073),
    ("dW1", (0, 1)): (-0.6670, -0.667073),
    ("dW1", (0, 3)): (1.3340, 1.334146),
    ("dW1", (1, 0)): (-1.0612, -1.061276),
    ("dW1", (1, 1)): (1.0612, 1.061276),
    ("dW1", (1, 3)): (-2.1224, -2.122552),
    ("dW1", (2, 0)): (0.2853, 0.285392),
    ("dW1", (2, 1)): (-0.2853, -0.285392),
    ("dW1", (2, 3)): (0.5706, 0.570784),
    ("expZ2", (0,)): (0.6753, 0.675249),
    ("expZ2", (1,)): (2.4186, 2.418707),
    ("sum", ()): (3.0939, 3.093957),
}


def _helpers_seed001():
    s = seed001()
    opts = dict(activation=s["activation"], loss=s["loss"], layout=s["layout"])
    cache = mh.forward(s["params"], s["X"], **opts)
    grads, terms = mh.backward(s["params"], cache, s["Y"], **opts)
    new = mh.sgd_step(s["params"], grads, s["lr"])
    z2 = cache["Z2"]
    return {
        "Z1": cache["Z1"], "H": cache["H1"], "Z2": z2, "expZ2": np.exp(z2), "sum": np.sum(np.exp(z2)),
        "yhat": cache["Yhat"], "delta2": terms["delta2"], "dW2": grads["W2"], "W2Td2": terms["dH1"],
        "fprime": mh.ACTIVATIONS["relu_plus_sin"].df(cache["Z1"]), "delta1": terms["delta1"],
        "dW1": grads["W1"], "b2_new": new["b2"], "W2_new": new["W2"], "b1_new": new["b1"], "W1_new": new["W1"],
        "loss": mh.loss_value(s["params"], s["X"], s["Y"], **opts),
    }


@pytest.mark.parametrize("name", sorted(SEED001))
def test_seed001_every_printed_number(name):
    ref = np.array(_reference_seed001()[name], dtype=float)
    got = np.asarray(_helpers_seed001()[name])
    # 1. The helpers agree with the independent scalar reference.
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    # 2. At the seed's precision, exact and seed agree except the listed hand-rounding slips.
    seed = np.array(SEED001[name], dtype=float)
    assert got.shape == seed.shape
    for idx in np.ndindex(seed.shape):
        key = (name, idx)
        if key in HAND_SLIPS:
            wrote, exact = HAND_SLIPS[key]
            assert seed[idx] == wrote
            assert got[idx] == pytest.approx(exact, abs=5e-7)  # assert the exact value
            assert round(float(got[idx]), 4) != wrote  # really differs in the 4th decimal
            assert abs(wrote - got[idx]) < 3e-4  # a rounding slip, not an error
        else:
            assert round(float(got[idx]), 4) == pytest.approx(seed[idx], abs=1e-12), key


def test_seed001_dW2_00_is_minus_1_818139():
    assert _helpers_seed001()["dW2"][0, 0] == pytest.approx(-1.818139, abs=5e-7)


def test_seed001_layouts_agree_after_transposition():
    s = seed001()
    cols = {k: np.asarray(v) for k, v in s["params"].items()}
    rows = {k: (v.T if k.startswith("W") else v) for k, v in cols.items()}
    X = s["X"][None, :]  # one row
    opts = dict(activation="relu_plus_sin", loss="cross_entropy")
    cr = mh.forward(rows, X, layout="rows", **opts)
    cc = mh.forward(cols, X.T, layout="columns", **opts)
    for k in ("Z1", "H1", "Z2", "Yhat"):
        np.testing.assert_allclose(cr[k], cc[k].T, rtol=0, atol=1e-15)
    gr, tr = mh.backward(rows, cr, s["Y"][None, :], layout="rows", **opts)
    gc, tc = mh.backward(cols, cc, s["Y"][:, None], layout="columns", **opts)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(gr[k], gc[k].T, rtol=0, atol=1e-15)
    for k in ("b1", "b2"):
        np.testing.assert_allclose(gr[k], gc[k], rtol=0, atol=1e-15)
    for k in ("delta1", "delta2", "dH1"):
        np.testing.assert_allclose(tr[k], tc[k].T, rtol=0, atol=1e-15)


def test_seed001_loss_before_and_after_the_update():
    s = seed001()
    opts = dict(activation=s["activation"], loss=s["loss"], layout=s["layout"])
    ref = _reference_seed001()
    before = mh.loss_value(s["params"], s["X"], s["Y"], **opts)
    assert before == pytest.approx(ref["loss"], abs=1e-12)
    assert before == pytest.approx(-math.log(0.218248), abs=1e-5)
    grads, _ = mh.backward(s["params"], mh.forward(s["params"], s["X"], **opts), s["Y"], **opts)
    after = mh.loss_value(mh.sgd_step(s["params"], grads, s["lr"]), s["X"], s["Y"], **opts)
    # A small step along -g lowers the loss by about lr * ||g||^2.
    g2 = sum(float(np.sum(g * g)) for g in grads.values())
    assert before - after == pytest.approx(0.001 * g2, rel=1e-2)
