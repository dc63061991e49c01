"""Worked solutions: hand mode reproduces seed 001 figure by figure (numbers typed from the seed text),
exact mode agrees with forward/backward/sgd_step, seed 000's parts A and B are reproduced, the textbook
2-2-2 example (sigmoid output, 1/2 SSE) is reproduced to every printed digit, and no finite input up to
logits of +-1000 crashes it (hypothesis, against a float64 reference built on scipy.special)."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special

import mlp_helpers as mh
from mlp_helpers.seeds import seed000, seed001
from mlp_helpers.instructor.worked import worked_solution

# Every figure seed 001 prints, typed in from /work/shared/seeds/001_*.txt (not computed here).
SEED001 = {
    "Z1": [1.35, 0.35, 0.60],
    "H1": [2.3257, 0.6929, 1.1646],
    "Z2": [-0.3926, 0.8832],
    "exp_Z2": [0.6753, 2.4186],
    "sum_exp": 3.0939,
    "Yhat": [0.2183, 0.7817],
    "delta2": [-0.7817, 0.7817],
    "db2": [-0.7817, 0.7817],
    "dW2": [[-1.8180, -0.5416, -0.9104], [1.8180, 0.5416, 0.9104]],
    "dH1": [0.5472, -0.5472, 0.1563],
    "fprime1": [1.2190, 1.9394, 1.8253],
    "delta1": [0.6670, -1.0612, 0.2853],
    "db1": [0.6670, -1.0612, 0.2853],
    "dW1": [[0.6670, -0.6670, 0.3335, 1.3340],
            [-1.0612, 1.0612, -0.5306, -2.1224],
            [0.2853, -0.2853, 0.1427, 0.5706]],
    "b2_new": [0.0508, -0.0508],
    "W2_new": [[-0.2982, 0.2005, 0.1009], [0.3982, -0.5005, 0.2991]],
    "b1_new": [0.0993, -0.0989, 0.0497],
    "step_W1": [[0.0007, -0.0007, 0.0003, 0.0013],
                [-0.0011, 0.0011, -0.0005, -0.0021],
                [0.0003, -0.0003, 0.0001, 0.0006]],
    "W1_new": [[0.0993, -0.1993, 0.2997, 0.3987],
               [0.5011, -0.3011, 0.1005, -0.1979],
               [0.3997, 0.2003, -0.5001, 0.2994]],
}
# Intermediate products the seed prints inside its sums (Z2 and W2^T delta2 rows).
SEED001_TEXT = ["-0.6977 + 0.1386 + 0.1165 + 0.05 = -0.3926", "0.9303 - 0.3465 + 0.3494 - 0.05 = 0.8832",
                "0.2345 + 0.3127 = 0.5472", "-0.1563 - 0.3909 = -0.5472", "-0.0782 + 0.2345 = 0.1563",
                r"\approx 0.6753 + 2.4186 = 3.0939", r"\frac{0.6753}{3.0939} = 0.2183",
                r"1.3500 + \sin(1.3500) \approx 1.3500 + 0.9757 = 2.3257",
                r"1 + \cos(1.3500) \approx 1 + 0.2190 = 1.2190"]


def _seed001(mode, **kw):
    s = seed001()
    return worked_solution(s["params"], s["X"], s["Y"], activation=s["activation"], loss=s["loss"],
                           layout=s["layout"], lr=s["lr"], mode=mode, decimals=4, **kw)


@pytest.fixture(scope="module")
def hand001():
    return _seed001("hand")


@pytest.mark.parametrize("name", sorted(SEED001))
def test_hand_mode_reproduces_seed001(hand001, name):
    got = hand001.key[name]
    want = np.array(SEED001[name])
    assert got.shape == want.shape
    # to the last printed digit: equal after rounding to 4 decimals, exactly
    assert np.array_equal(np.round(got, 4), np.round(want, 4)), (name, got, want)


def test_hand_mode_text_shows_the_seed_sums(hand001):
    md = hand001.markdown()
    for s in SEED001_TEXT:
        assert s in md, s


def test_hand_vs_exact_summary_lists_seed_slips(hand001):
    diffs = {(n, i): (h, e) for n, i, h, e in hand001.differences}
    # the seed's z_{2,0} = -0.3926 is -0.3927 in full precision; dL/dW2[0,0] -1.8180 vs -1.818139...
    # Indices are numpy's (0-based, the notation table of notebook 01): the entry named [0] is key[name][0].
    assert diffs[("Z2", "[0]")] == ("-0.3926", "-0.3927")
    assert diffs[("dW2", "[0,0]")] == ("-1.8180", "-1.8181")
    assert f"{hand001.key['Z2'][0]:.4f}" == "-0.3926" and f"{hand001.key['dW2'][0, 0]:.4f}" == "-1.8180"
    assert ("Z1", "[0]") not in diffs and ("H1", "[0]") not in diffs
    md = hand001.markdown()
    assert "Hand versus exact" in md and "| `dW2[0,0]` | -1.8180 | -1.8181 |" in md
    # the seed's first logit, written out entry by entry with the same 0-based subscript
    assert r"z_{2,0} &=" in md and r"z_{2,2}" not in md


def _helpers(s, lam=0.0, penalty_kind="l2", lr=0.001, **extra):
    o = dict(activation=s["activation"], loss=s["loss"], layout=s["layout"])
    cache = mh.forward(s["params"], s["X"], **o)
    grads, terms = mh.backward(s["params"], cache, s["Y"], **o, lam=lam, penalty_kind=penalty_kind, **extra)
    new = mh.sgd_step(s["params"], grads, lr)
    L = mh.loss_value(s["params"], s["X"], s["Y"], **o, lam=lam, penalty_kind=penalty_kind, **extra)
    return cache, grads, terms, new, L


@pytest.mark.parametrize("which", ["seed000", "seed001"])
@pytest.mark.parametrize("lam,kind", [(0.0, "l2"), (0.01, "l2"), (0.01, "l2_half"), (0.005, "l1"),
                                      (0.01, "elastic_net")])
def test_exact_mode_agrees_with_helpers(which, lam, kind):
    s = seed000() if which == "seed000" else seed001()
    ws = worked_solution(s["params"], s["X"], s["Y"], activation=s["activation"], loss=s["loss"],
                         layout=s["layout"], lam=lam, penalty_kind=kind, lr=0.001, mode="exact")
    cache, grads, terms, new, L = _helpers(s, lam, kind)
    for n in ("Z1", "H1", "Z2", "Yhat"):
        np.testing.assert_allclose(ws.key[n], cache[n].reshape(ws.key[n].shape), rtol=0, atol=1e-12)
    for n, g in grads.items():
        assert ws.key["d" + n].shape == g.shape
        np.testing.assert_allclose(ws.key["d" + n], g, rtol=0, atol=1e-12)
    for n, t in terms.items():
        np.testing.assert_allclose(ws.key[n], t.reshape(ws.key[n].shape), rtol=0, atol=1e-12)
    for n, p in new.items():
        assert ws.key[n + "_new"].shape == p.shape
        np.testing.assert_allclose(ws.key[n + "_new"], p, rtol=0, atol=1e-12)
    assert abs(float(ws.key["L"]) - L) < 1e-12


def test_exact_mode_other_activations_losses_and_depth():
    rng = np.random.default_rng(3)
    for act in ("relu", "leaky_relu", "sigmoid", "tanh", "softplus", "identity"):
        for loss, n_out in (("cross_entropy", 2), ("half_sse", 2), ("binary_cross_entropy", 1)):
            for layout in ("rows", "columns"):
                sizes = [3, 4, 3, n_out]
                p = mh.init_params(sizes, seed=1, layout=layout)
                x = rng.normal(size=3)
                y = np.eye(n_out)[0] if n_out > 1 else np.array([1.0])
                s = {"params": p, "X": x, "Y": y, "activation": act, "loss": loss, "layout": layout}
                ws = worked_solution(p, x, y, activation=act, loss=loss, layout=layout, lr=0.1, mode="exact")
                cache, grads, terms, new, L = _helpers(s, lr=0.1)
                np.testing.assert_allclose(ws.key["Yhat"], cache["Yhat"], atol=1e-12, rtol=0)
                for n, g in grads.items():
                    np.testing.assert_allclose(ws.key["d" + n], g, atol=1e-12, rtol=0)
                for n, q in new.items():
                    np.testing.assert_allclose(ws.key[n + "_new"], q, atol=1e-12, rtol=0)
                assert abs(float(ws.key["L"]) - L) < 1e-12


def test_seed000_parts_a_and_b():
    # typed from seed 000's printed outputs
    s = seed000()
    o = dict(activation="relu", loss="cross_entropy", layout="rows")
    for mode in ("hand", "exact"):
        ws = worked_solution(s["params"], s["X"], s["Y"], **o, mode=mode, decimals=4)
        assert np.allclose(ws.key["Z1"], [6.15, -1.9, 4.85, 0.35], atol=5e-5)
        assert np.allclose(ws.key["H1"], [6.15, 0.0, 4.85, 0.35], atol=5e-5)
        assert np.allclose(ws.key["Z2"], [19.255, -16.61], atol=5e-5)
        assert np.allclose(ws.key["Yhat"], [1.0, 0.0], atol=5e-5)
        assert f"{float(ws.key['L_data']):.6f}" == "0.000000"
        l2 = worked_solution(s["params"], s["X"], s["Y"], **o, mode=mode, lam=0.01, penalty_kind="l2")
        assert np.isclose(l2.key["R_sum"], 66.14) and np.isclose(l2.key["R"], 0.6614)
        assert np.isclose(l2.key["L"], 0.6614, atol=1e-6)
        assert np.isclose(l2.key["dR_W2"][0, 0], 0.03)          # 2 * 0.01 * 1.5
        assert np.isclose(-0.3 + l2.key["dR_W2"][0, 0], -0.27)  # the seed's stated data gradient -0.3
        l1 = worked_solution(s["params"], s["X"], s["Y"], **o, mode=mode, lam=0.005, penalty_kind="l1")
        assert np.isclose(l1.key["R_sum"], 32.6) and np.isclose(l1.key["R"], 0.163)
        assert np.isclose(l1.key["dR_W2"][0, 0], 0.005)
        assert np.isclose(-0.3 + l1.key["dR_W2"][0, 0], -0.295)
        assert l1.key["dW2"].shape == (4, 2) and l1.key["db2"].shape == (1, 2)


def test_outputs_md_tex(tmp_path, hand001):
    md, tex = hand001.save(tmp_path, "seed001")
    t = tex.read_text()
    assert t.startswith(r"\documentclass") and t.rstrip().endswith(r"\end{document}")
    assert t.count(r"\[") == t.count(r"\]")
    assert md.read_text() == hand001.markdown()
    assert hand001._repr_markdown_() == hand001.markdown()


def test_rows_layout_text_and_shapes():
    s = seed000()
    ws = worked_solution(s["params"], s["X"], s["Y"], activation="relu", layout="rows", lr=0.1)
    md = ws.markdown()
    assert r"z_{1} = x W_{1} + b_{1}" in md and r"h_{1}^T \delta_{2}" in md
    assert ws.key["W1_new"].shape == (3, 4) and ws.key["b1_new"].shape == (1, 4)


def test_bad_input():
    s = seed001()
    p = s["params"]
    with pytest.raises(ValueError, match="mode"):
        worked_solution(p, s["X"], s["Y"], activation="relu_plus_sin", mode="calculator")
    with pytest.raises(ValueError, match="x: expected one sample"):
        worked_solution(p, np.ones((4, 2)), s["Y"], activation="relu_plus_sin")
    with pytest.raises(ValueError, match="y"):
        worked_solution(p, s["X"], [1.0, 0.0, 0.0], activation="relu_plus_sin")
    with pytest.raises(ValueError, match="loss"):
        worked_solution(p, s["X"], s["Y"], activation="relu_plus_sin", loss="hinge")
    with pytest.raises(ValueError, match="decimals"):
        worked_solution(p, s["X"], s["Y"], activation="relu_plus_sin", decimals=0)
    with pytest.raises(TypeError, match="x"):
        worked_solution(p, "1 2 3 4", s["Y"], activation="relu_plus_sin")


# --------------------------------------------------------------------------- output functions
# Matt Mazur, "A Step by Step Backpropagation Example": a 2-2-2 network with sigmoid hidden AND sigmoid
# output units and E = 1/2 sum (target - out)^2.  Inputs, weights and the printed results typed from the post.
MAZUR = dict(x=[0.05, 0.10], y=[0.01, 0.99],
             params={"W1": np.array([[0.15, 0.20], [0.25, 0.30]]), "b1": np.array([0.35, 0.35]),
                     "W2": np.array([[0.40, 0.45], [0.50, 0.55]]), "b2": np.array([0.60, 0.60])})
MAZUR_TOTAL_ERROR = "0.298371109"
MAZUR_NEW = {("W2", 0, 0): "0.35891648", ("W2", 0, 1): "0.408666186", ("W2", 1, 0): "0.511301270",
             ("W2", 1, 1): "0.561370121", ("W1", 0, 0): "0.149780716", ("W1", 0, 1): "0.19956143",
             ("W1", 1, 0): "0.24975114", ("W1", 1, 1): "0.29950229"}


def _printed(value, shown):
    """``value`` rounded to as many decimals as the printed string ``shown`` has."""
    return f"{value:.{len(shown.split('.')[1])}f}"


def test_textbook_2_2_2_sigmoid_output_half_sse():
    ws = worked_solution(MAZUR["params"], MAZUR["x"], MAZUR["y"], activation="sigmoid", output="sigmoid",
                         loss="half_sse", lr=0.5, mode="exact", decimals=9, layout="columns")
    assert _printed(float(ws.key["L"]), MAZUR_TOTAL_ERROR) == MAZUR_TOTAL_ERROR
    for (n, i, j), shown in MAZUR_NEW.items():
        assert _printed(ws.key[f"{n}_new"][i, j], shown) == shown, (n, i, j)
    # the chain-rule terms the document writes out, against the float64 reference of this module
    ref = _reference(MAZUR["params"], np.array(MAZUR["x"]), np.array(MAZUR["y"]), "sigmoid", "half_sse", "sigmoid")
    for n in ("Yhat", "dYhat", "gprime2", "delta2", "dW2", "dH1", "fprime1", "delta1", "dW1", "L"):
        np.testing.assert_allclose(ws.key[n], ref[n], rtol=1e-12, atol=1e-15, err_msg=n)
    md = ws.markdown()
    assert r"\frac{\partial L}{\partial \hat y} \odot g'(z_{2})" in md and "0.298371109" in md
    # the rows layout gives the transposed weights, the same numbers
    rows = {k: (v.T.copy() if k[0] == "W" else v) for k, v in MAZUR["params"].items()}
    wr = worked_solution(rows, MAZUR["x"], MAZUR["y"], activation="sigmoid", output="sigmoid", loss="half_sse",
                         lr=0.5, mode="exact", layout="rows")
    np.testing.assert_allclose(wr.key["W1_new"], ws.key["W1_new"].T, rtol=0, atol=1e-15)


# An independent float64 reference, column layout, one sample: scipy.special for the stable pieces,
# the derivatives written out here (not mlp_helpers' code).
_F = {"identity": (lambda z: z, lambda z: np.ones_like(z)),
      "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
      "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
      "sigmoid": (special.expit, lambda z: special.expit(z) * special.expit(-z)),
      "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
      "softplus": (lambda z: np.logaddexp(0.0, z), special.expit),
      "relu_plus_sin": (lambda z: np.maximum(z, 0.0) + np.sin(z), lambda z: (z > 0) + np.cos(z))}


def _reference(params, x, y, act, loss, output, lr=None):
    L = len(params) // 2
    f, df = _F[act]
    hs, zs = [x], []
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ hs[-1] + params[f"b{l}"]
        zs.append(z)
        hs.append(f(z) if l < L else (special.softmax(z) if output == "softmax" else _F[output][0](z)))
    z, yhat, n = zs[-1], hs[-1], len(y)
    out = {"Yhat": yhat}
    if loss == "cross_entropy":
        if output == "softmax":  # log-softmax with log1p (scipy's log_softmax loses digits of a tiny loss)
            e = np.exp(z - z.max())
            e[np.argmax(z)] = 0.0
            logp = z - z.max() - np.log1p(e.sum())
        else:
            logp = special.log_expit(z)
        out["L"] = -np.sum(y * logp)
    elif loss == "binary_cross_entropy":
        out["L"] = -np.sum(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))
    else:
        out["L"] = 0.5 * np.sum((yhat - y) ** 2) if loss == "half_sse" else np.mean((yhat - y) ** 2)
    natural = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, "identity")
    if output == natural:
        delta = (yhat - y) * (2.0 / n if loss == "mse" else 1.0)
    elif loss == "cross_entropy":  # sigmoid output: -y/yhat * yhat (1 - yhat)
        delta = -y * special.expit(-z)
    else:
        g = (yhat - y) * (2.0 / n if loss == "mse" else 1.0)
        out["dYhat"] = g
        if output == "softmax":
            delta = special.softmax(z) * g - special.softmax(z) * np.dot(special.softmax(z), g)  # J^T g
        else:
            out[f"gprime{L}"] = _F[output][1](z)
            delta = g * out[f"gprime{L}"]
    for l in range(L, 0, -1):
        out[f"delta{l}"], out[f"dW{l}"], out[f"db{l}"] = delta, np.outer(delta, hs[l - 1]), delta
        if l > 1:
            out[f"dH{l - 1}"] = params[f"W{l}"].T @ delta
            out[f"fprime{l - 1}"] = df(zs[l - 2])
            delta = out[f"dH{l - 1}"] * out[f"fprime{l - 1}"]
    for l in range(1, L + 1):
        out[f"Z{l}"] = zs[l - 1]
    if lr is not None:
        for n in list(params):
            out[f"{n}_new"] = params[n] - lr * out[f"d{n}"]
    return out


PAIRS = [(loss, output) for loss in ("cross_entropy", "binary_cross_entropy", "half_sse", "mse")
         for output in ("softmax", "identity", "sigmoid", "tanh", "relu", "softplus")
         if not (loss == "cross_entropy" and output not in ("softmax", "sigmoid"))
         and not (loss == "binary_cross_entropy" and output != "sigmoid")]


def _net(sizes, weights, biases):
    """Column-layout params from flat lists of weights and biases."""
    p, wi, bi = {}, 0, 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        p[f"W{l}"] = np.array(weights[wi:wi + n_in * n_out]).reshape(n_out, n_in)
        p[f"b{l}"] = np.array(biases[bi:bi + n_out])
        wi, bi = wi + n_in * n_out, bi + n_out
    return p


@st.composite
def _cases(draw):
    act = draw(st.sampled_from(sorted(_F)))
    loss, output = draw(st.sampled_from(PAIRS))
    n_out = draw(st.integers(1, 3)) if loss in ("binary_cross_entropy", "half_sse", "mse") else draw(st.integers(2, 3))
    sizes = [draw(st.integers(1, 3)), draw(st.integers(1, 3)), n_out]
    n_w = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    # No magnitudes below 1e-100: a product of two such numbers underflows to 0 in float64 (the
    # reference) but not in the exact decimal mode, and at a kink (z = 0 of leaky_relu) the two
    # then take different one-sided derivatives: the exact mode is right, float64 is not comparable.
    small_ok = st.floats(-2, 2).filter(lambda v: v == 0.0 or abs(v) >= 1e-100)
    weights = draw(st.lists(small_ok, min_size=n_w, max_size=n_w))
    # biases up to +-1000: hidden and output pre-activations (logits) far into saturation
    biases = draw(st.lists(st.floats(-1000, 1000), min_size=sum(sizes[1:]), max_size=sum(sizes[1:])))
    x = np.array(draw(st.lists(small_ok, min_size=sizes[0], max_size=sizes[0])))
    if loss == "cross_entropy":
        y = np.eye(n_out)[draw(st.integers(0, n_out - 1))]
    elif loss == "binary_cross_entropy":
        y = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, 0.25]), min_size=n_out, max_size=n_out)))
    else:
        y = np.array(draw(st.lists(st.floats(-1, 1), min_size=n_out, max_size=n_out)))
    mode = draw(st.sampled_from(["exact", "hand"]))
    decimals = draw(st.integers(1, 6))
    return act, loss, output, _net(sizes, weights, biases), x, y, mode, decimals


@settings(max_examples=int(os.environ.get('WORKED_EXAMPLES', 250)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_never_crashes_and_exact_agrees_with_float64(case):
    act, loss, output, params, x, y, mode, decimals = case
    ws = worked_solution(params, x, y, activation=act, loss=loss, output=output, lr=0.1, mode=mode,
                         decimals=decimals)
    exact, hand = (ws.key, ws.other_key) if mode == "exact" else (ws.other_key, ws.key)
    assert set(hand) == set(exact) - {"shift_Z2"} | ({"shift_Z2"} & set(hand))
    for n, v in list(exact.items()) + list(hand.items()):
        assert np.all(np.isfinite(v)), n
    ref = _reference(params, x, y, act, loss, output, lr=0.1)
    for n, want in ref.items():
        # float64 round-off of the reference grows with the size of the numbers (up to ~1e3 here)
        scale = 1e-12 * max(1.0, float(np.max(np.abs(want))))
        np.testing.assert_allclose(exact[n], want, rtol=1e-9, atol=scale, err_msg=n)
    natural = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, "identity")
    labels_01 = loss != "binary_cross_entropy" or set(np.unique(y)) <= {0.0, 1.0}
    if output == natural and labels_01:
        # and with mlp_helpers' own float64 forward/backward/loss_value (natural pairs)
        o = dict(activation=act, loss=loss, layout="columns")
        cache = mh.forward(params, x, **o)
        grads, terms = mh.backward(params, cache, y, **o)
        pairs = [(n, cache[n]) for n in cache if n != "X"] + [("d" + n, g) for n, g in grads.items()]
        pairs += list(terms.items()) + [("L", mh.loss_value(params, x, y, **o))]
        for n, want in pairs:
            scale = 1e-12 * max(1.0, float(np.max(np.abs(want))))
            np.testing.assert_allclose(exact[n], want, rtol=1e-9, atol=scale, err_msg=n)
    # the first layer by hand: each product rounded, the sum rounded once more
    bound = (len(x) + 1) * 0.5 * 10.0 ** -decimals * (1 + 1e-9)
    assert np.all(np.abs(hand["Z1"] - exact["Z1"]) <= bound)
    md = ws.markdown()
    assert "NaN" not in md and "Infinity" not in md  # how Decimal writes them


@pytest.mark.parametrize("mode", ["exact", "hand"])
@pytest.mark.parametrize("logit", [10.0, -10.0, 20.0, -37.0, 56.0, 300.0, -1000.0, 1000.0])
def test_issue_examples_large_logits(mode, logit):
    # issue 9: binary cross-entropy with |z| >= 10, cross-entropy logits >= 56, sigmoid at very negative z
    p1 = {"W1": np.array([[1.0]]), "b1": np.array([0.0]), "W2": np.array([[logit]]), "b2": np.array([0.0])}
    for y in ([1.0], [0.0]):
        ws = worked_solution(p1, [1.0], y, activation="identity", loss="binary_cross_entropy", mode=mode, lr=0.1)
        ref = _reference(p1, np.array([1.0]), np.array(y), "identity", "binary_cross_entropy", "sigmoid", lr=0.1)
        exact = ws.key if mode == "exact" else ws.other_key
        np.testing.assert_allclose(exact["L"], ref["L"], rtol=1e-12)
        np.testing.assert_allclose(exact["delta2"], ref["delta2"], rtol=1e-12, atol=1e-15)  # float64 cancels in yhat - y
    p2 = {"W1": np.array([[1.0]]), "b1": np.array([0.0]), "W2": np.array([[logit], [0.0]]), "b2": np.array([0.0, 0.0])}
    for y in ([1.0, 0.0], [0.0, 1.0]):
        ws = worked_solution(p2, [1.0], y, activation="identity", mode=mode, lr=0.1)
        exact = ws.key if mode == "exact" else ws.other_key
        ref = _reference(p2, np.array([1.0]), np.array(y), "identity", "cross_entropy", "softmax", lr=0.1)
        np.testing.assert_allclose(exact["L"], ref["L"], rtol=1e-12)
        L_helpers = mh.loss_value(p2, np.array([1.0]), np.array(y), activation="identity", layout="columns")
        np.testing.assert_allclose(exact["L"], L_helpers, rtol=1e-12)
    p3 = {"W1": np.array([[logit, -logit]]).T, "b1": np.array([0.0, 0.0]), "W2": np.eye(2), "b2": np.zeros(2)}
    for act in ("sigmoid", "softplus", "tanh"):
        ws = worked_solution(p3, [1.0], [1.0, 0.0], activation=act, mode=mode, lr=0.1)
        exact = ws.key if mode == "exact" else ws.other_key
        cache = mh.forward(p3, np.array([1.0]), activation=act, layout="columns")
        np.testing.assert_allclose(exact["H1"], cache["H1"], rtol=1e-12)


def test_softmax_shift_text_and_key():
    # largest logit 56 > 20: subtracted first, exactly 1 for the largest exponential
    p = {"W1": np.array([[1.0]]), "b1": np.array([0.0]), "W2": np.array([[56.0], [0.0]]), "b2": np.array([0.0, 0.0])}
    ws = worked_solution(p, [1.0], [0.0, 1.0], activation="identity", mode="hand")
    assert float(ws.key["shift_Z2"]) == 56.0
    np.testing.assert_array_equal(ws.key["exp_Z2"], [1.0, 0.0])
    assert float(ws.key["L_data"]) == 56.0          # -log yhat_2 from the logits: 0 - 56 - log(1 + 0)
    assert "rounds to 0, so its logarithm is taken from the logits" in ws.markdown()
    # seed 001's logits lie in [0, 20]: no shift (its figures are reproduced above)
    s = seed001()
    assert "shift_Z2" not in worked_solution(s["params"], s["X"], s["Y"], activation=s["activation"]).key


def test_output_argument_checked():
    s = seed001()
    kw = dict(activation="relu_plus_sin")
    with pytest.raises(ValueError, match="output"):
        worked_solution(s["params"], s["X"], s["Y"], output="swish", **kw)
    with pytest.raises(ValueError, match="output: cross_entropy"):
        worked_solution(s["params"], s["X"], s["Y"], output="tanh", **kw)
    with pytest.raises(ValueError, match="output: binary_cross_entropy"):
        worked_solution(s["params"], s["X"], s["Y"], loss="binary_cross_entropy", output="softmax", **kw)
    with pytest.raises(TypeError, match="output"):
        worked_solution(s["params"], s["X"], s["Y"], output=3, **kw)
    # the natural output, named, is the default
    a = worked_solution(s["params"], s["X"], s["Y"], output="softmax", **kw)
    b = worked_solution(s["params"], s["X"], s["Y"], **kw)
    assert a.markdown() == b.markdown()


def test_numbers_beyond_float64_are_a_value_error():
    p = {"W1": np.array([[1e200]]), "b1": np.array([0.0]), "W2": np.array([[1e200]]), "b2": np.array([0.0])}
    with pytest.raises(ValueError, match="params, x, y: .*beyond float64"):
        worked_solution(p, [1e200], [1.0], activation="identity", loss="half_sse")
    with pytest.raises(ValueError, match="params, x, y"):
        worked_solution(p, [1e200], [1.0], activation="relu_plus_sin", loss="half_sse")
