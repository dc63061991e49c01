"""Output functions chosen apart from the loss (issue 9, item 1).

Independent references: Matt Mazur's printed numbers (and a float64 hand
computation with the math module), PyTorch's autograd (values computed once and
typed in below), explicit Jacobians, and central differences (hypothesis).
"""
import math
import re

import numpy as np

from test_gradients import _problem
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers.examples import mazur
from mlp_helpers.outputs import softmax_vjp


def raises(exc, *words):
    """pytest.raises whose message must contain every word (the argument name, expected, got)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


# ------------------------------------------------------------ Mazur's example
def _hand_mazur():
    """Mazur's example by hand, scalar by scalar, in float64 (math module only)."""
    s = lambda z: 1.0 / (1.0 + math.exp(-z))
    i1, i2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
    b1, b2, lr = 0.35, 0.60, 0.5
    h1, h2 = s(w1 * i1 + w2 * i2 + b1), s(w3 * i1 + w4 * i2 + b1)
    net_o1 = w5 * h1 + w6 * h2 + b2
    o1, o2 = s(net_o1), s(w7 * h1 + w8 * h2 + b2)
    d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)   # dE/dnet_o
    e1 = (d1 * w5 + d2 * w7) * h1 * (1 - h1)                          # dE/dnet_h1
    e2 = (d1 * w6 + d2 * w8) * h2 * (1 - h2)
    return {
        "out_h1": h1, "out_h2": h2, "net_o1": net_o1, "out_o1": o1, "out_o2": o2,
        "E_total": 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2, "dE/dw5": d1 * h1,
        "w5+": w5 - lr * d1 * h1, "w6+": w6 - lr * d1 * h2, "w7+": w7 - lr * d2 * h1, "w8+": w8 - lr * d2 * h2,
        "w1+": w1 - lr * e1 * i1, "w2+": w2 - lr * e1 * i2, "w3+": w3 - lr * e2 * i1, "w4+": w4 - lr * e2 * i2,
    }


def _agrees_to_printed_digits(value, printed):
    """``value`` rounds to ``printed`` at the number of decimals printed."""
    decimals = len(printed.split(".")[1])
    return abs(value - float(printed)) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9)


# What the post prints (mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/),
# typed in here again so that the test does not read its expectations from the package.
MAZUR_PRINTED = {
    "out_h1": "0.593269992", "out_h2": "0.596884378", "net_o1": "1.105905967",
    "out_o1": "0.75136507", "out_o2": "0.772928465", "E_total": "0.298371109", "dE/dw5": "0.082167041",
    "w5+": "0.35891648", "w6+": "0.408666186", "w7+": "0.511301270", "w8+": "0.561370121",
    "w1+": "0.149780716", "w2+": "0.19956143", "w3+": "0.24975114", "w4+": "0.29950229",
}


def test_the_hand_computation_reproduces_every_printed_digit():
    """The float64 hand computation agrees with every digit the post prints
    (checked: no printed digit differs, so the post's numbers are the reference)."""
    hand = _hand_mazur()
    for key, printed in MAZUR_PRINTED.items():
        assert _agrees_to_printed_digits(hand[key], printed), (key, hand[key], printed)
    assert mazur()["printed"] == MAZUR_PRINTED


def test_mazur_is_one_call_each_to_forward_backward_sgd_step():
    """Sigmoid hidden AND sigmoid output with ½Σ(target − out)²: no fake identity layer.

    Mazur updates only the weights w1..w8; sgd_step updates the biases too, so the
    weights are compared (his biases stay 0.35 and 0.60)."""
    ex = mazur()
    cache = mh.forward(ex["params"], ex["X"], **ex["options"])
    grads, _ = mh.backward(ex["params"], cache, ex["Y"], reduction=ex["reduction"], **ex["options"])
    new = mh.sgd_step(ex["params"], grads, ex["lr"])
    loss = mh.loss_value(ex["params"], ex["X"], ex["Y"], reduction=ex["reduction"], **ex["options"])
    ours = {
        "out_h1": cache["H1"][0], "out_h2": cache["H1"][1], "net_o1": cache["Z2"][0],
        "out_o1": cache["Yhat"][0], "out_o2": cache["Yhat"][1], "E_total": loss, "dE/dw5": grads["W2"][0, 0],
    }
    for w, (key, idx) in ex["weights"].items():
        ours[w + "+"] = new[key][idx]
    hand = _hand_mazur()
    for key, printed in MAZUR_PRINTED.items():
        assert _agrees_to_printed_digits(ours[key], printed), (key, ours[key], printed)
        assert ours[key] == pytest.approx(hand[key], rel=1e-14, abs=1e-16), key
    # sigmoid output + half_sse is not the natural pair: with identity output the numbers differ
    wrong = mh.forward(ex["params"], ex["X"], **dict(ex["options"], output="identity"))
    assert not _agrees_to_printed_digits(wrong["Yhat"][0], MAZUR_PRINTED["out_o1"])


# ------------------------------------------------------ natural pairs, fused
@pytest.mark.parametrize("loss, natural", [("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid"),
                                           ("mse", "identity"), ("half_sse", "identity")])
def test_output_none_is_the_natural_output_and_takes_the_fused_path(loss, natural):
    assert mh.LOSSES[loss].output_name == natural
    params = mh.init_params([3, 4, 2], seed=5)
    X = np.random.default_rng(1).normal(size=(4, 3)) * 30  # saturating: the fused path stays exact
    Y = mh.one_hot(np.array([0, 1, 1, 0]), 2)
    a, b = mh.forward(params, X, loss=loss), mh.forward(params, X, loss=loss, output=natural)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    ga, ta = mh.backward(params, a, Y, loss=loss)
    gb, tb = mh.backward(params, b, Y, loss=loss, output=natural)
    for k in ga:
        np.testing.assert_array_equal(ga[k], gb[k])
    np.testing.assert_array_equal(ta["delta2"] * 4, (a["Yhat"] - Y) * (2 / 2 if loss == "mse" else 1))
    assert mh.loss_value(params, X, Y, loss=loss) == mh.loss_value(params, X, Y, loss=loss, output=natural)


# ------------------------------------------------ autograd reference (PyTorch)
# A 2-3-3 network with tanh hidden units, two samples, reduction "mean".  The
# loss and every gradient for each (output, loss) pair were computed once with
# PyTorch 2.13.0 (CPU, float64) by the script below and typed in as data (not
# run in CI; torch is not a dependency):
#
# import torch
# torch.set_default_dtype(torch.float64)
# W1 = torch.tensor([[0.4, -0.7, 0.2], [-0.3, 0.5, 0.9]], requires_grad=True)
# b1 = torch.tensor([0.1, -0.2, 0.05], requires_grad=True)
# W2 = torch.tensor([[0.6, -0.4, 0.3], [-0.8, 0.2, 0.7], [0.5, 0.9, -0.6]], requires_grad=True)
# b2 = torch.tensor([0.2, -0.1, 0.15], requires_grad=True)
# X = torch.tensor([[0.5, -1.2], [1.5, 0.3]])
# Y_onehot = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
# Y_multi = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
# Y_real = torch.tensor([[0.2, -0.4, 0.9], [0.7, 0.1, -0.3]])
# out = {
#     "identity": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
#     "softmax": lambda z: torch.softmax(z, dim=1),
#     "softplus": torch.nn.functional.softplus,
#     "relu_plus_sin": lambda z: torch.relu(z) + torch.sin(z),
# }
# loss = {  # per-sample losses, (n,)
#     "half_sse": lambda y, p: 0.5 * ((y - p) ** 2).sum(1),
#     "mse": lambda y, p: ((y - p) ** 2).mean(1),
#     "cross_entropy": lambda y, p: -(y * torch.log(p)).sum(1),
#     "binary_cross_entropy": lambda y, p: -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).sum(1),
# }
# targets = {"half_sse": Y_real, "mse": Y_real, "cross_entropy": Y_onehot, "binary_cross_entropy": Y_multi}
# pairs = [("softmax", "half_sse"), ("softmax", "mse"), ("softmax", "binary_cross_entropy"),
#          ("sigmoid", "cross_entropy"), ("sigmoid", "half_sse"), ("sigmoid", "mse"),
#          ("tanh", "half_sse"), ("tanh", "mse"), ("softplus", "mse"), ("relu_plus_sin", "half_sse")]
# for o, l in pairs:
#     for p in (W1, b1, W2, b2):
#         p.grad = None
#     H = torch.tanh(X @ W1 + b1)
#     L = loss[l](targets[l], out[o](H @ W2 + b2)).mean()
#     L.backward()
#     print(f'    ("{o}", "{l}"): {{')
#     print(f'        "loss": {L.item()!r},')
#     for name, p in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
#         print(f'        "{name}": {p.grad.tolist()!r},')
#     print("    },")
TORCH_PARAMS = {
    "W1": np.array([[0.4, -0.7, 0.2], [-0.3, 0.5, 0.9]]), "b1": np.array([0.1, -0.2, 0.05]),
    "W2": np.array([[0.6, -0.4, 0.3], [-0.8, 0.2, 0.7], [0.5, 0.9, -0.6]]), "b2": np.array([0.2, -0.1, 0.15]),
}
TORCH_X = np.array([[0.5, -1.2], [1.5, 0.3]])
TORCH_TARGETS = {
    "cross_entropy": np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    "binary_cross_entropy": np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
    "half_sse": np.array([[0.2, -0.4, 0.9], [0.7, 0.1, -0.3]]),
    "mse": np.array([[0.2, -0.4, 0.9], [0.7, 0.1, -0.3]]),
}
TORCH = {
    ("softmax", "half_sse"): {
        "loss": 0.22497212989857304,
        "W1": [[0.00019064130557746618, -0.011278102708197993, 0.011179767069784054], [-0.01415440423136572, 0.060403358910056666, -0.07333252633817462]],
        "b1": [0.007405315994734318, -0.03965154511402752, 0.04620624458607728],
        "W2": [[0.04435582185901156, 0.00933365043494064, -0.0536894722939522], [-0.062217973568705814, -0.013205899143548512, 0.07542387271225431], [-0.07579674399795644, -0.01143441042270583, 0.08723115442066227]],
        "b2": [0.07574720112137551, 0.016155050344201213, -0.09190225146557672],
    },
    ("softmax", "mse"): {
        "loss": 0.149981419932382,
        "W1": [[0.00012709420371830862, -0.007518735138798666, 0.007453178046522704], [-0.009436269487577148, 0.040268905940037784, -0.04888835089211642]],
        "b1": [0.004936877329822877, -0.026434363409351687, 0.030804163057384856],
        "W2": [[0.029570547906007702, 0.00622243362329376, -0.035792981529301465], [-0.04147864904580387, -0.008803932762365674, 0.05028258180816955], [-0.050531162665304295, -0.007622940281803887, 0.05815410294710819]],
        "b2": [0.050498134080916995, 0.01077003356280081, -0.061268167643717814],
    },
    ("softmax", "binary_cross_entropy"): {
        "loss": 2.789912873027203,
        "W1": [[0.22878946970923505, -0.5388359412745634, 0.7169645762659138], [0.10116519446383541, -0.03264517757122433, -0.019085005437541824]],
        "b1": [0.1241123128718037, -0.39774806889262604, 0.5612983947879039],
        "W2": [[0.3975245486551257, 0.03916425678611916, -0.4366888054412448], [-0.5823372816259655, -0.053522202832451266, 0.6358594844584167], [0.3038196631732016, -0.12312226080718994, -0.18069740236601176]],
        "b2": [0.7258497027944361, 0.06419543501087034, -0.7900451378053062],
    },
    ("sigmoid", "cross_entropy"): {
        "loss": 0.819545567382884,
        "W1": [[-0.00998093014784035, 0.028612826560135196, -0.12963430671798448], [-0.13349029522222672, 0.03845090349122835, 0.18134775493395566]],
        "b1": [0.06077892307716215, 0.002291454537935611, -0.1927175461594525],
        "W2": [[-0.05200980751890223, -0.21976497152392357, 0.0], [0.0765148439189281, 0.3107279914417468, 0.0], [-0.05267898390455829, 0.2776091003507552, 0.0]],
        "b2": [-0.09558393182122844, -0.37997730590716394, 0.0],
    },
    ("sigmoid", "half_sse"): {
        "loss": 0.34802660821946096,
        "W1": [[0.006366736280146975, 0.02036656267493129, 0.028831073903156975], [0.005574789063651572, 0.030302998594335082, -0.05787884398495294]],
        "b1": [0.0020386232597789174, 0.0001265873938778722, 0.051859207610096617],
        "W2": [[0.03493393276588293, 0.061279299839290056, 0.016030925845679212], [-0.04965556476609839, -0.08821869291069404, -0.02503123232759636], [-0.033708386672431444, -0.014783211787198922, 0.07376965986007522]],
        "b2": [0.06089941886036377, 0.1089462268849615, 0.032211600839775305],
    },
    ("sigmoid", "mse"): {
        "loss": 0.232017738812974,
        "W1": [[0.004244490853431316, 0.01357770844995419, 0.019220715935437983], [0.0037165260424343836, 0.020201999062890053, -0.03858589598996863]],
        "b1": [0.0013590821731859436, 8.439159591858147e-05, 0.034572805073397744],
        "W2": [[0.023289288510588618, 0.040852866559526704, 0.010687283897119475], [-0.0331037098440656, -0.05881246194046269, -0.016687488218397575], [-0.022472257781620958, -0.009855474524799287, 0.04917977324005014]],
        "b2": [0.04059961257357585, 0.07263081792330767, 0.021474400559850206],
    },
    ("tanh", "half_sse"): {
        "loss": 0.25260920378295343,
        "W1": [[0.004653987055453882, -0.10239028267510172, 0.07084396480488206], [-0.0005662250782805667, 0.13352146201582663, -0.11226230910311522]],
        "b1": [0.0038703618776725077, -0.14723430052742523, 0.11206577246689144],
        "W2": [[0.08508318334927686, -0.06216886514439655, -0.2427168782229661], [-0.1209062322881994, 0.0891739275277185, 0.3456882835716705], [-0.08337669363172132, 0.027934288994233985, 0.20688060096745625]],
        "b2": [0.14826220391476494, -0.10990942985258953, -0.4244279112027405],
    },
    ("tanh", "mse"): {
        "loss": 0.16840613585530229,
        "W1": [[0.003102658036969258, -0.06826018845006782, 0.04722930986992137], [-0.0003774833855203731, 0.08901430801055109, -0.0748415394020768]],
        "b1": [0.002580241251781672, -0.09815620035161682, 0.07471051497792762],
        "W2": [[0.05672212223285124, -0.04144591009626437, -0.16181125214864406], [-0.0806041548587996, 0.05944928501847899, 0.23045885571444696], [-0.05558446242114754, 0.018622859329489323, 0.13792040064497083]],
        "b2": [0.09884146927650997, -0.07327295323505968, -0.28295194080182695],
    },
    ("softplus", "mse"): {
        "loss": 0.5480505193982173,
        "W1": [[0.18565514717855652, -0.09751653692335163, 0.21471842479361353], [-0.059321836063527075, 0.061564757310447, -0.06382766973853767]],
        "b1": [0.17323310606736508, -0.10658439112588433, 0.19790015739946562],
        "W2": [[0.2739980496991531, 0.08633626606520622, 0.037239321372613536], [-0.39542634518700437, -0.12522756182810443, -0.05543528795917528], [-0.027369081120306005, 0.01640115078792863, 0.06356846609250941]],
        "b2": [0.4889823384668598, 0.15527352847354442, 0.06967419387381675],
    },
    ("relu_plus_sin", "half_sse"): {
        "loss": 1.3768162025032264,
        "W1": [[0.8057896127189403, -0.6832972618732545, 0.7003500873481041], [-0.3380051406240842, 0.42485901266019743, -0.3399897480816832]],
        "b1": [0.7931741331807665, -0.7434896951128611, 0.7130845533865844],
        "W2": [[1.1978124264632695, -0.09489236049299934, -0.3554546750901015], [-1.7240693196584687, 0.1361464127545508, 0.5057930413360717], [-0.30173551555277667, 0.04126718643463238, 0.321319501634308]],
        "b2": [2.1289364867799287, -0.16782738904926175, -0.6206904420758846],
    },
}


@pytest.mark.parametrize("pair", sorted(TORCH))
@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_new_pairs_match_pytorch_autograd(pair, layout):
    output, loss = pair
    ref = TORCH[pair]
    params, X, Y = TORCH_PARAMS, TORCH_X, TORCH_TARGETS[loss]
    if layout == "columns":
        params, X, Y = {k: v.T for k, v in params.items()}, X.T, Y.T
    opts = dict(activation="tanh", loss=loss, output=output, layout=layout)
    grads, _ = mh.backward(params, mh.forward(params, X, **opts), Y, **opts)
    assert mh.loss_value(params, X, Y, **opts) == pytest.approx(ref["loss"], rel=1e-14)
    for k in params:
        want = np.array(ref[k])
        np.testing.assert_allclose(grads[k], want.T if layout == "columns" and k.startswith("W") else want,
                                   rtol=1e-12, atol=1e-15)


# ----------------------------------------------- central differences (hypothesis)
PROBABILITY_OUTPUTS = ["softmax", "sigmoid"]
KINKED = {"relu", "leaky_relu", "relu_plus_sin"}
ANY_OUTPUTS = ["identity", "sigmoid", "tanh", "softmax", "relu", "leaky_relu", "softplus", "relu_plus_sin"]
PAIRS = ([(o, l) for l in ("cross_entropy", "binary_cross_entropy") for o in PROBABILITY_OUTPUTS]
         + [(o, l) for l in ("mse", "half_sse") for o in ANY_OUTPUTS])


def test_every_builtin_output_is_checked():
    assert set(ANY_OUTPUTS) == set(mh.OUTPUTS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    depth=st.integers(1, 4),
    widths=st.lists(st.integers(1, 5), min_size=5, max_size=5),
    n_samples=st.integers(1, 4),
    activation=st.sampled_from(["tanh", "sigmoid", "softplus", "relu_plus_sin"]),
    pair=st.sampled_from(PAIRS),
    layout=st.sampled_from(["rows", "columns"]),
    reduction=st.sampled_from(["sum", "mean"]),
    lam=st.sampled_from([0.0, 0.03]),
)
def test_every_pair_matches_central_differences(seed, depth, widths, n_samples, activation, pair, layout,
                                                reduction, lam):
    output, loss = pair
    sizes = widths[: depth + 1]
    if output == "softmax" and sizes[-1] == 1:
        sizes[-1] = 2  # a softmax over one column is constant
    params, X, Y = _problem(seed, sizes, n_samples, loss, layout)  # the random problem of test_gradients
    options = dict(activation=activation, loss=loss, output=output, layout=layout, reduction=reduction, lam=lam)
    fwd = {key: options[key] for key in ("activation", "loss", "output", "layout")}
    cache = mh.forward(params, X, **fwd)
    # Central differences are not the derivative within eps of a kink, and the
    # log of 1 - ŷ computed from ŷ ≈ 1 loses digits (the natural pairs are exact there).
    if output in KINKED:
        assume(np.min(np.abs(cache[f"Z{depth}"])) > 1e-4)
    if loss in ("cross_entropy", "binary_cross_entropy"):
        assume(np.min(np.minimum(cache["Yhat"], 1 - cache["Yhat"])) > 1e-3)
    analytic, _ = mh.backward(params, cache, Y, **options)
    numeric = mh.numerical_gradient(lambda p: mh.loss_value(p, X, Y, **options), params)
    a = np.concatenate([analytic[key].ravel() for key in params])
    n = np.concatenate([numeric[key].ravel() for key in params])
    # relative error 1e-7, above the round-off of the differences: eps_machine |L| / eps ≈ 1e-10 |L| per entry
    noise = 1e-8 * max(1.0, abs(mh.loss_value(params, X, Y, **options)))
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    assert np.linalg.norm(a - n) < 1e-7 * scale + noise
    for key in params:
        assert np.linalg.norm(analytic[key] - numeric[key]) < 1e-7 * scale + noise, key
    # gradient_check passes the output through to forward, backward and loss_value
    errors = mh.gradient_check(params, X, Y, **options)
    assert errors == {key: mh.relative_error(analytic[key], numeric[key]) for key in params}


def test_softmax_vjp_is_the_jacobian_product():
    rng = np.random.default_rng(3)
    z, g = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    y_hat = mh.softmax(z)
    for i in range(4):
        J = np.diag(y_hat[i]) - np.outer(y_hat[i], y_hat[i])  # dŷ_j/dz_k
        np.testing.assert_allclose(softmax_vjp(z, y_hat, g)[i], g[i] @ J, rtol=1e-13, atol=1e-16)


# ----------------------------------------------------------------- OUTPUTS
def test_outputs_table_holds_every_activation_live():
    assert {"identity", "sigmoid", "tanh", "softmax"} <= set(mh.OUTPUTS)
    assert set(mh.ACTIVATIONS) <= set(mh.OUTPUTS)
    assert all(mh.OUTPUTS[name].elementwise for name in mh.ACTIVATIONS)
    assert not mh.OUTPUTS["softmax"].elementwise
    name = "test_cube_out"
    try:
        mh.register_activation(name, lambda z: z**3, lambda z: 3 * z**2)
        assert name in mh.OUTPUTS
        params = mh.init_params([2, 3, 2], seed=0)
        X = np.array([[0.3, -0.2], [0.1, 0.4]])
        cache = mh.forward(params, X, activation="tanh", loss="half_sse", output=name)
        np.testing.assert_allclose(cache["Yhat"], cache["Z2"] ** 3)
        errors = mh.gradient_check(params, X, np.ones((2, 2)), activation="tanh", loss="half_sse", output=name)
        assert max(errors.values()) < 1e-7
    finally:
        mh.ACTIVATIONS.pop(name, None)
    assert name not in mh.OUTPUTS


def test_unknown_output_lists_the_known_ones():
    params = mh.init_params([2, 2], seed=0)
    with raises(ValueError, "output", "'softmaxx'", "softmax", "tanh", "relu"):
        mh.forward(params, np.ones((1, 2)), output="softmaxx")
    with raises(TypeError, "output", "expected one of", "3"):
        mh.loss_value(params, np.ones((1, 2)), np.ones((1, 2)), output=3)


def test_register_output_rowwise_and_elementwise():
    name, cube = "test_softmax_t2", "test_cube_only_out"
    try:
        mh.register_output(name, lambda z: mh.softmax(z / 2), vjp=lambda z, y, g: softmax_vjp(z, y, g) / 2)
        mh.register_output(cube, lambda z: z**3, lambda z: 3 * z**2)
        assert name in mh.OUTPUTS and cube not in mh.ACTIVATIONS
        params = mh.init_params([3, 4, 3], seed=2)
        X = np.random.default_rng(0).normal(size=(5, 3))
        Y = mh.one_hot(np.array([0, 1, 2, 1, 0]), 3)
        for out in (name, cube):
            loss = "cross_entropy" if out == name else "half_sse"
            errors = mh.gradient_check(params, X, Y, loss=loss, output=out, activation="tanh")
            assert max(errors.values()) < 1e-7, out
        with raises(ValueError, "name", "exists already", "overwrite=True"):
            mh.register_output(name, lambda z: z, lambda z: np.ones_like(z))
    finally:
        from mlp_helpers.outputs import _OWN
        _OWN.pop(name, None)
        _OWN.pop(cube, None)


@pytest.mark.parametrize("bad, words", [
    (lambda z: z.T, ["f:", "shape", "(3, 4)", "(4, 3)"]),                       # transposes
    (lambda z: z[:, :-1], ["f:", "shape", "(3, 4)", "(3, 3)"]),                 # drops entries
    (lambda z: z[::-1], ["f:", "row", "on its own"]),                           # reorders samples
    (lambda z: z - z.mean(axis=0), ["f:", "row", "on its own"]),                # mixes samples
])
def test_register_output_refuses_functions_that_mix_samples(bad, words):
    with raises(ValueError, *words):
        mh.register_output("test_bad_out", bad, vjp=lambda z, y, g: g)
    assert "test_bad_out" not in mh.OUTPUTS


def test_register_output_argument_checks():
    with raises(TypeError, "df, vjp", "exactly one"):
        mh.register_output("x", lambda z: z)
    with raises(TypeError, "df, vjp", "exactly one"):
        mh.register_output("x", lambda z: z, lambda z: z, vjp=lambda z, y, g: g)
    with raises(TypeError, "name", "non-empty string"):
        mh.register_output("", lambda z: z, lambda z: z)
    with raises(TypeError, "f:", "callable", "int"):
        mh.register_output("x", 3, lambda z: z)
    with raises(ValueError, "name", "'tanh'", "exists already"):
        mh.register_output("tanh", lambda z: z, lambda z: z)
    with raises(ValueError, "df:", "element-wise"):
        mh.register_output("x", lambda z: z, lambda z: np.sort(z, axis=None).reshape(z.shape))
    assert "x" not in mh.OUTPUTS


# ------------------------------------------------------- register_activation
@pytest.mark.parametrize("bad, words", [
    # a square probe cannot see a transpose: the old 2x2 probe accepted it
    (lambda z: z.T, ["f:", "shape", "(3, 4)", "(4, 3)"]),
    (lambda z: np.sort(z, axis=None).reshape(z.shape), ["f:", "element-wise", "entry"]),   # reorders
    (lambda z: np.tanh(z - z.mean(axis=0)), ["f:", "element-wise", "entry"]),               # mixes samples
    (lambda z: z.ravel()[: z.size - 1], ["f:", "shape"]),                                   # drops one
    (lambda z: np.log(z), ["f:", "finite"]),                                                # nan at z < 0
])
def test_register_activation_refuses_what_is_not_element_wise(bad, words):
    with raises(ValueError, *words):
        mh.register_activation("test_bad_act", bad, lambda z: np.ones_like(z))
    with raises(ValueError, *(["df:"] + words[1:])):
        mh.register_activation("test_bad_act", lambda z: np.tanh(z), bad)
    assert "test_bad_act" not in mh.ACTIVATIONS


def test_register_activation_refuses_a_function_that_changes_its_input():
    def in_place(z):
        z += 1.0
        return z

    with raises(ValueError, "f:", "changed its input"):
        mh.register_activation("test_in_place", in_place, lambda z: np.ones_like(z))
    assert "test_in_place" not in mh.ACTIVATIONS


def test_a_transposing_activation_would_have_mixed_samples():
    """Why the probe matters: forward with f = z.T on a square batch swaps samples."""
    params = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)}
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    mh.ACTIVATIONS["test_transpose"] = mh.Activation(lambda z: z.T, lambda z: np.ones_like(z))  # bypasses the probe
    try:
        mixed = mh.forward(params, X, activation="test_transpose", loss="mse")["H1"]
        assert mixed[0, 1] == 3.0  # sample 0 now holds a value of sample 1
        with raises(ValueError, "f:", "shape"):
            mh.register_activation("test_transpose", lambda z: z.T, lambda z: np.ones_like(z), overwrite=True)
    finally:
        mh.ACTIVATIONS.pop("test_transpose", None)


# ------------------------------------------------------------ register_loss
def _log_cosh(y, y_hat):
    return np.sum(np.log(np.cosh(y_hat - y)), axis=-1)


def _log_cosh_grad(y, y_hat):
    return np.tanh(y_hat - y)


def test_register_loss_works_everywhere():
    name = "test_log_cosh"
    try:
        entry = mh.register_loss(name, _log_cosh, _log_cosh_grad, output="tanh")
        assert entry.output_name == "tanh" and mh.LOSSES[name] is entry and not entry.fused
        params = mh.init_params([3, 5, 2], seed=4)
        X = np.random.default_rng(2).normal(size=(6, 3))
        Y = np.random.default_rng(3).normal(size=(6, 2)) * 0.5
        # output=None is the loss's natural output: tanh
        cache = mh.forward(params, X, loss=name)
        np.testing.assert_allclose(cache["Yhat"], np.tanh(cache["Z2"]))
        for output in (None, "identity", "softmax", "sigmoid"):
            errors = mh.gradient_check(params, X, Y, loss=name, output=output, activation="tanh",
                                       reduction="sum", lam=0.01)
            assert max(errors.values()) < 1e-7, output
        # the value is value(y, ŷ) reduced over the batch
        expected = np.mean(_log_cosh(Y, np.tanh(cache["Z2"])))
        assert mh.loss_value(params, X, Y, loss=name) == pytest.approx(expected, rel=1e-14)
        trained, hist = mh.train(params, X, Y, loss=name, epochs=30, lr=0.2, batch_size=3, record="full")
        assert hist["loss"][-1] < hist["loss"][0]
        assert hist["loss"][-1] == pytest.approx(mh.loss_value(trained, X, Y, loss=name), rel=1e-12)
        assert entry.from_output(Y, np.tanh(cache["Z2"]), "mean") == pytest.approx(expected, rel=1e-14)
        with raises(ValueError, "name", "exists already", "overwrite=True"):
            mh.register_loss(name, _log_cosh, _log_cosh_grad)
        mh.register_loss(name, _log_cosh, _log_cosh_grad, overwrite=True)
        assert mh.LOSSES[name].output_name == "identity"
    finally:
        mh.LOSSES.pop(name, None)


def test_register_loss_domain_is_checked():
    name = "test_neg_log"
    try:
        mh.register_loss(name, lambda y, p: -np.sum(y * np.log(p), axis=-1),
                         lambda y, p: -y / p, output="sigmoid", domain=(0.0, 1.0))
        params = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros(2)}
        X, Y = np.array([[0.5]]), np.array([[1.0, 0.0]])
        assert mh.loss_value(params, X, Y, loss=name) == pytest.approx(-math.log(1 / (1 + math.exp(-0.5))))
        with raises(ValueError, "output:", "[0.0, 1.0]", "'identity'", "-0.5"):
            mh.loss_value(params, X, Y, loss=name, output="identity")
    finally:
        mh.LOSSES.pop(name, None)


@pytest.mark.parametrize("value, grad, words", [
    (lambda y, p: np.sum((y - p) ** 2), lambda y, p: 2 * (p - y), ["value:", "shape", "(3,)", "()"]),
    (lambda y, p: np.sum((y - p) ** 2, axis=0), lambda y, p: 2 * (p - y), ["value:", "shape", "(3,)", "(2,)"]),
    (lambda y, p: np.sum((y - p) ** 2, axis=-1), lambda y, p: 2 * (p - y).T, ["grad:", "shape", "(3, 2)", "(2, 3)"]),
    (lambda y, p: np.sum((y - p) ** 2, axis=-1) - np.mean((y - p) ** 2), lambda y, p: 2 * (p - y),
     ["value:", "row", "on its own"]),                                         # mixes the samples
    (lambda y, p: np.sum((y - p) ** 2, axis=-1), lambda y, p: 2 * (p - y)[::-1], ["grad:", "row", "on its own"]),
    (lambda y, p: np.sum(np.log(p - 0.5), axis=-1), lambda y, p: 1 / (p - 0.5), ["value:", "finite"]),
    (lambda y, p: 1 / 0, lambda y, p: p, ["value:", "ZeroDivisionError"]),
])
def test_register_loss_probe_refuses_wrong_shapes_and_mixed_samples(value, grad, words):
    with raises(ValueError, *words):
        mh.register_loss("test_bad_loss", value, grad)
    assert "test_bad_loss" not in mh.LOSSES


def test_a_registered_loss_that_changes_its_shape_later_is_caught():
    """The probe sees 3 samples; a grad that only works for 3 is caught at the call."""
    name = "test_fixed_three"
    try:
        mh.register_loss(name, lambda y, p: np.sum((y - p) ** 2, axis=-1),
                         lambda y, p: 2 * (p - y) if len(y) == 3 else 2 * (p - y)[:1])
        params = mh.init_params([2, 2], seed=0)
        X, Y = np.ones((4, 2)), np.zeros((4, 2))
        with raises(ValueError, "loss:", "grad", f"'{name}'", "(1, 2)", "(4, 2)"):
            mh.backward(params, mh.forward(params, X, loss=name), Y, loss=name)
    finally:
        mh.LOSSES.pop(name, None)


def test_register_loss_argument_checks():
    ok = (lambda y, p: np.sum((y - p) ** 2, axis=-1), lambda y, p: 2 * (p - y))
    with raises(TypeError, "name", "non-empty string"):
        mh.register_loss(3, *ok)
    with raises(TypeError, "grad:", "callable", "NoneType"):
        mh.register_loss("x", ok[0], None)
    with raises(ValueError, "output", "'sigmoidd'", "sigmoid"):
        mh.register_loss("x", *ok, output="sigmoidd")
    with raises(ValueError, "domain", "(low, high)", "(1, 0)"):
        mh.register_loss("x", *ok, domain=(1, 0))
    with raises(ValueError, "name", "'mse'", "exists already"):
        mh.register_loss("mse", *ok)
    with raises(TypeError, "overwrite:", "True or False", "'no'"):
        mh.register_loss("x", *ok, overwrite="no")
    with raises(TypeError, "overwrite:", "True or False", "'yes'"):
        mh.register_output("x", lambda z: z, lambda z: np.ones_like(z), overwrite="yes")
    with raises(TypeError, "overwrite:", "True or False", "1"):
        mh.register_activation("x", lambda z: z, lambda z: np.ones_like(z), overwrite=1)
    assert "x" not in mh.LOSSES and "x" not in mh.OUTPUTS


# ------------------------------------- which pairs are defined: clear errors
def test_cross_entropy_needs_outputs_in_0_1():
    params = {"W1": np.array([[1.0, -1.0, 0.5]]), "b1": np.array([0.0, 0.0, 0.2])}
    X = np.array([[0.3], [0.6]])  # identity outputs: [0.3, -0.3, 0.35] leave [0, 1]
    Y = mh.one_hot(np.array([0, 2]), 3)
    for call in (lambda: mh.loss_value(params, X, Y, output="identity"),
                 lambda: mh.backward(params, mh.forward(params, X, output="identity"), Y, output="identity"),
                 lambda: mh.train(params, X, np.array([0, 2]), output="identity", epochs=1)):
        with raises(ValueError, "output:", "'cross_entropy'", "[0.0, 1.0]", "'identity'", "-0.3"):
            call()
    with raises(ValueError, "output:", "'binary_cross_entropy'", "'tanh'"):
        mh.loss_value(params, X, (Y > 0).astype(float), loss="binary_cross_entropy", output="tanh")
    # where identity outputs are probabilities, cross-entropy is defined: -Σ y log ŷ
    inside = {"W1": np.array([[0.5, 1.0]]), "b1": np.array([0.2, 0.1])}
    Y2 = mh.one_hot(np.array([0, 1]), 2)
    want = -(math.log(0.2 + 0.5 * 0.3) + math.log(0.1 + 1.0 * 0.6)) / 2
    assert mh.loss_value(inside, X, Y2, output="identity") == pytest.approx(want, rel=1e-14)
    errors = mh.gradient_check(inside, X, Y2, output="identity")
    assert max(errors.values()) < 1e-7


def test_a_saturated_output_off_its_natural_pair_raises_instead_of_inf():
    params = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros(2)}
    X, Y = np.array([[800.0]]), np.array([[0.0, 1.0]])  # sigmoid(-800) = 0 in float64 where y = 1
    for call in (lambda: mh.loss_value(params, X, Y, output="sigmoid"),
                 lambda: mh.backward(params, mh.forward(params, X, output="sigmoid"), Y, output="sigmoid")):
        with raises(ValueError, "output:", "not finite", "'sigmoid'", "saturated", "output=None"):
            call()
    # the natural pair is exact there: log-sum-exp of [800, -800]
    assert mh.loss_value(params, X, Y) == pytest.approx(1600.0)
