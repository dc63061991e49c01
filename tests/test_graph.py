"""mlp_helpers.graph: the scalar computational graph.

Independent references:
* PyTorch autograd values (torch 2.13.0, float64) for four expressions, typed in as data
  (how each was produced is in the comment above it);
* central differences on random expression programs evaluated with Python's math module
  (hypothesis);
* seeds 000 and 001: mlp_helpers.backward (matrix backprop) and central differences of
  mlp_helpers.loss_value.
"""
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import mlp_helpers as mh
from mlp_helpers import graph as gr
from mlp_helpers.graph import Value
from mlp_helpers.seeds import seed000, seed001


def raises(exc, *words):
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


# ------------------------------------------------------ PyTorch references
def test_neuron_against_torch():
    # torch: x1, x2, w1, w2, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in
    #   (2.0, 0.0, -3.0, 1.0, 6.8813735870195432)); o = torch.tanh(x1*w1 + x2*w2 + b); o.backward()
    x1, x2, w1, w2, b = (Value(v) for v in (2.0, 0.0, -3.0, 1.0, 6.8813735870195432))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476, rel=1e-14)
    for v, ref in zip((x1, x2, w1, w2, b), (-1.4999999999999998, 0.49999999999999994, 0.9999999999999999,
                                            0.0, 0.49999999999999994)):
        assert v.grad == pytest.approx(ref, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("z0, value, grad", [
    # torch: z = tensor(z0, requires_grad=True); f = torch.relu(z) + torch.sin(z); f.backward()
    (0.5, 0.979425538604203, 1.8775825618903728),
    (-0.7, -0.644217687237691, 0.7648421872844885),
])
def test_fork_relu_plus_sin_against_torch(z0, value, grad):
    z = Value(z0)
    f = z.relu() + z.sin()
    f.backward()
    assert f.data == pytest.approx(value, rel=1e-14)
    assert z.grad == pytest.approx(grad, rel=1e-14)   # 1[z > 0] + cos z: both paths add up


def test_micrograd_readme_expression_against_torch():
    # micrograd's README example, run in torch with c += ... written c = c + ... (float64):
    # g.item() = 24.70408163265306, a.grad = 138.83381924198252, b.grad = 645.5772594752186
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-14)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-12)


def test_exp_log_sigmoid_division_against_torch():
    # torch: L = torch.log(1 + torch.exp(x*y)) / torch.sigmoid(y) + torch.cos(x)**2 - x / (y*y + 0.5)
    # at x = 0.3, y = -1.2 (float64): L = 3.044495654587982, x.grad = -3.2105784413811604,
    # y.grad = -1.4158947569406348
    x, y = Value(0.3), Value(-1.2)
    L = (1 + (x * y).exp()).log() / y.sigmoid() + x.cos() ** 2 - x / (y * y + 0.5)
    L.backward()
    assert L.data == pytest.approx(3.044495654587982, rel=1e-14)
    assert x.grad == pytest.approx(-3.2105784413811604, rel=1e-12)
    assert y.grad == pytest.approx(-1.4158947569406348, rel=1e-12)


# ---------------------------------------------- finite differences (hypothesis)
UNARY = {
    "tanh": (lambda v: v.tanh(), math.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda a: 1 / (1 + math.exp(-a))),
    "sin": (lambda v: v.sin(), math.sin),
    "cos": (lambda v: v.cos(), math.cos),
    "exp_tanh": (lambda v: v.tanh().exp(), lambda a: math.exp(math.tanh(a))),
    "log1p_sq": (lambda v: (1 + v * v).log(), lambda a: math.log(1 + a * a)),
    "square": (lambda v: v ** 2, lambda a: a ** 2),
    "neg": (lambda v: -v, lambda a: -a),
    "relu": (lambda v: v.relu(), lambda a: max(a, 0.0)),
}
BINARY = {
    "add": (lambda u, v: u + v, lambda a, b: a + b),
    "sub": (lambda u, v: u - v, lambda a, b: a - b),
    "mul": (lambda u, v: u * v, lambda a, b: a * b),
    "div": (lambda u, v: u / (1 + v * v), lambda a, b: a / (1 + b * b)),
    "radd": (lambda u, v: 0.5 + u, lambda a, b: 0.5 + a),
    "rsub": (lambda u, v: 2.0 - v * u, lambda a, b: 2.0 - b * a),
}

step = st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 20), st.integers(0, 20)),
)


def run(program, inputs, as_values):
    """Evaluate ``program`` (steps referring to earlier nodes by index mod their count)."""
    nodes = [Value(x) for x in inputs] if as_values else list(inputs)
    relu_args = []
    for kind, op, i, j in program:
        a = nodes[i % len(nodes)]
        if kind == "u":
            if op == "relu":
                relu_args.append(a.data if as_values else a)
            nodes.append(UNARY[op][0 if as_values else 1](a))
        else:
            nodes.append(BINARY[op][0 if as_values else 1](a, nodes[j % len(nodes)]))
    out = nodes[-1]
    for n in nodes[len(inputs):-1]:   # every intermediate counts: the output sums them (more forks)
        out = out + 0.1 * n if as_values else out + 0.1 * n
    return out, nodes[:len(inputs)], relu_args


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=st.lists(st.floats(-2, 2), min_size=1, max_size=3), program=st.lists(step, min_size=1, max_size=8))
def test_backward_equals_central_differences(inputs, program):
    out, leaves, relu_args = run(program, inputs, True)
    assume(all(abs(a) > 1e-3 for a in relu_args))        # away from ReLU's kink
    assume(abs(out.data) < 1e6)
    out.backward()
    eps = 1e-6
    for k, leaf in enumerate(leaves):
        plus = list(inputs)
        minus = list(inputs)
        plus[k] += eps
        minus[k] -= eps
        _, _, ra = run(program, plus, False)
        _, _, rb = run(program, minus, False)
        assume(all(abs(a) > 1e-3 for a in ra + rb))
        numeric = (run(program, plus, False)[0] - run(program, minus, False)[0]) / (2 * eps)
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6 * max(1.0, abs(out.data)))


# ------------------------------------------------------------ the engine
def test_a_value_used_twice_collects_both_contributions():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y = x + x + x
    y.backward()
    assert x.grad == 3.0


def test_backward_twice_gives_the_same_gradients():
    x, w = Value(0.4), Value(-1.3)
    L = (x * w).tanh() * x
    L.backward()
    first = (x.grad, w.grad)
    L.backward()
    assert (x.grad, w.grad) == first


def test_topological_order_puts_parents_first_and_handles_deep_chains():
    x = Value(1.0)
    y = x
    for _ in range(5000):   # deeper than Python's recursion limit
        y = y * 1.0001
    order = gr.topological_order(y)
    assert order[0] is x or x in order
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(p)] < position[id(v)] for v in order for p in v.parents)
    assert len(order) == len({id(v) for v in order})
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 5000, rel=1e-9)


def test_trace_lists_nodes_inputs_first():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    c.backward()
    rows = gr.trace(c)
    assert [r["name"] for r in rows] == ["a", "b", "c"]
    assert rows[-1]["op"] == "*" and rows[-1]["parents"] == ("a", "b") and rows[-1]["local"] == (-3.0, 2.0)
    assert rows[0]["op"] == "input" and rows[0]["grad"] == -3.0


def test_value_sum_and_numpy_scalars():
    xs = [Value(float(i)) for i in range(4)]
    s = gr.value_sum(xs, start=1.0)
    s.backward()
    assert s.data == 7.0 and all(x.grad == 1.0 for x in xs)
    y = np.float64(2.0) * xs[1] + np.float64(1.0)
    assert isinstance(y, Value) and y.data == 3.0


# --------------------------------------------------- the network from scalars
@pytest.mark.parametrize("seed", [seed001, seed000])
def test_scalar_network_equals_matrix_backprop(seed):
    s = seed()
    opts = {"activation": s["activation"], "layout": s["layout"]}
    x, y = np.ravel(s["X"]), np.ravel(s["Y"])
    loss, leaves = gr.scalar_network(s["params"], x, y, **opts)
    loss.backward()
    grads = gr.gradients(leaves)
    assert loss.data == pytest.approx(mh.loss_value(s["params"], s["X"], s["Y"], **opts), rel=1e-12, abs=1e-15)
    ref, _ = mh.backward(s["params"], mh.forward(s["params"], s["X"], **opts), s["Y"], **opts)
    for k in s["params"]:
        assert grads[k].shape == np.shape(s["params"][k])
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "identity", "relu_plus_sin"])
@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_scalar_network_against_central_differences(activation, layout):
    params = mh.init_params([3, 4, 2, 3], seed=5, layout=layout)
    params = {k: v + 0.1 for k, v in params.items()}    # nonzero biases
    x = np.array([0.3, -1.1, 0.8])
    y = np.array([0.0, 0.0, 1.0])
    loss, leaves = gr.scalar_network(params, x, y, activation=activation, layout=layout)
    loss.backward()
    grads = gr.gradients(leaves)
    numeric = mh.numerical_gradient(lambda p: mh.loss_value(p, x, y, activation=activation, layout=layout),
                                    params, eps=1e-6)
    for k in params:
        np.testing.assert_allclose(grads[k], numeric[k], rtol=1e-5, atol=1e-8)


def test_scalar_network_names_its_leaves_like_the_arrays():
    s = seed001()
    _, leaves = gr.scalar_network(s["params"], s["X"], s["Y"])
    assert leaves["W1"][2, 3].label == "W1[2,3]" and leaves["W1"][2, 3].data == s["params"]["W1"][2, 3]
    assert leaves["b2"][1].label == "b2[1]"


# ----------------------------------------------------------- the exercise
def test_check_backward_step_accepts_the_chain_rule():
    def mine(node):
        for parent, local in zip(node.parents, node.local):
            parent.grad = parent.grad + local * node.grad

    for seed in (gr.EXERCISE_SEED, 0, 99):
        d = gr.check_backward_step(mine, seed=seed)
        assert d.ok and d.code == "correct"


def _overwrite(node):
    for p, d in zip(node.parents, node.local):
        p.grad = d * node.grad


def _no_upstream(node):
    for p, d in zip(node.parents, node.local):
        p.grad += d


def _no_local(node):
    for p in node.parents:
        p.grad += node.grad


def _half(node):
    for p, d in zip(node.parents, node.local):
        p.grad += 0.5 * d * node.grad


def _sign(node):
    for p, d in zip(node.parents, node.local):
        p.grad -= d * node.grad


def _raises(node):
    raise RuntimeError("not yet")


def _nothing(node):
    pass


@pytest.mark.parametrize("fn, code", [(_overwrite, "overwrite"), (_no_upstream, "no_upstream"),
                                      (_no_local, "no_local"), (_raises, "error"), (_nothing, "wrong"),
                                      (_sign, "wrong"), (_half, "wrong"), (None, "missing")])
def test_check_backward_step_names_the_mistake(fn, code):
    d = gr.check_backward_step(fn)
    assert not d.ok and d.code == code, d.message
    assert d.message.endswith(f"(kind of mistake: {code})")


# ------------------------------------------------------------- bad input
def test_bad_input_values():
    with raises(TypeError, "data:", "real number", "str"):
        Value("1.0")
    with raises(TypeError, "data:", "real number", "bool"):
        Value(True)
    with raises(ValueError, "data:", "finite", "nan"):
        Value(float("nan"))
    with raises(TypeError, "label:", "str", "int"):
        Value(1.0, label=3)
    with raises(TypeError, "parents[0]:", "Value", "float"):
        Value(1.0, parents=(1.0,), local=(1.0,))
    with raises(ValueError, "local:", "one local derivative per parent", "(1)", "2"):
        Value(1.0, parents=(Value(1.0),), local=(1.0, 2.0))
    with raises(TypeError, "other:", "real number", "str"):
        Value(1.0) + "2"
    with raises(TypeError, "k:", "constant exponent", "Value"):
        Value(2.0) ** Value(2.0)
    with raises(ValueError, "k:", "base other than 0", "-1"):
        Value(0.0) ** -1
    with raises(ValueError, "k:", "whole exponent", "0.5"):
        Value(-2.0) ** 0.5
    with raises(ValueError, "log:", "positive", "0.0"):
        Value(0.0).log()
    with raises(ZeroDivisionError, "other:", "0"):
        Value(1.0) / 0.0
    with raises(TypeError, "step:", "function", "int"):
        Value(1.0).backward(step=3)
    with raises(TypeError, "root:", "Value", "float"):
        gr.topological_order(1.0)
    with raises(TypeError, "values[1]:", "Value or a number", "str"):
        gr.value_sum([Value(1.0), "x"])


def test_bad_input_scalar_network():
    s = seed001()
    with raises(ValueError, "activation:", "relu", "'softmax'"):
        gr.scalar_network(s["params"], s["X"], s["Y"], activation="softmax")
    with raises(ValueError, "x:", "(4,)", "(3,)"):
        gr.scalar_network(s["params"], s["X"][:3], s["Y"])
    with raises(ValueError, "x:", "1-D", "2-D"):
        gr.scalar_network(s["params"], s["X"][None, :], s["Y"])
    with raises(ValueError, "y:", "(2,)", "(3,)"):
        gr.scalar_network(s["params"], s["X"], np.ones(3))
    with raises(ValueError, "W2:", "do not chain"):
        gr.scalar_network(dict(s["params"], W2=s["params"]["W2"].T), s["X"], s["Y"])
    with raises(TypeError, "leaves:", "dict", "list"):
        gr.gradients([Value(1.0)])
    with raises(TypeError, "leaves['W1']:", "array of Values"):
        gr.gradients({"W1": np.ones((2, 2))})
    with raises(TypeError, "step:", "your function", "int"):
        gr.check_backward_step(3)
