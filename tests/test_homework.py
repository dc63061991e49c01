"""Homework variants: the rules hold over 200 seeds, the key equals the helpers' results,
the same seed gives the same files byte for byte, and the CLI works."""
import json
import subprocess
import sys

import numpy as np
import pytest

import mlp_helpers as mh
from mlp_helpers.check import check
from mlp_helpers.instructor.homework import load_key, make_variant, write_variant


def _z_and_p(v):
    """Pre-activations and probabilities recomputed with plain numpy (columns layout), not the worked code."""
    f = mh.ACTIVATIONS[v.options["activation"]].f
    h, zs = v.x, []
    L = len(v.sizes) - 1
    for l in range(1, L + 1):
        z = v.params[f"W{l}"] @ h + v.params[f"b{l}"]
        zs.append(z)
        h = f(z) if l < L else z
    e = np.exp(zs[-1] - zs[-1].max())
    return zs, e / e.sum()


@pytest.mark.parametrize("arch,activation", [("4-3-2", "relu_plus_sin"), ("3-4-2", "relu"),
                                             ("4-3-2", "leaky_relu"), ("2-3-3-2", "relu")])
def test_rules_over_200_seeds(arch, activation):
    for seed in range(200):
        v = make_variant(seed, arch, activation)
        zs, p = _z_and_p(v)
        for z in zs[:-1]:  # hidden pre-activations, full precision
            assert np.all(np.abs(z) >= 0.05 - 1e-12), (seed, z)
        for z in (v.key[f"Z{l}"] for l in range(1, len(zs))):  # and as rounded by hand
            assert np.all(np.abs(z) >= 0.05 - 1e-12), (seed, z)
        assert np.all((p >= 0.05) & (p <= 0.95)), (seed, p)
        # nice numbers
        for l in range(1, len(zs) + 1):
            W = v.params[f"W{l}"]
            assert np.all(np.round(W, 1) == W) and np.all(np.abs(W) <= 0.5) and np.all(W != 0)
        assert np.all(np.abs(v.x) <= 2) and np.all(np.round(2 * v.x) == 2 * v.x)
        assert v.y.sum() == 1 and set(np.unique(v.y)) <= {0.0, 1.0}


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_key_equals_helpers(seed):
    v = make_variant(seed, "4-3-2", "relu_plus_sin", lr=0.001)
    o = dict(activation="relu_plus_sin", loss="cross_entropy", layout="columns")
    cache = mh.forward(v.params, v.x, **o)
    grads, terms = mh.backward(v.params, cache, v.y, **o)
    new = mh.sgd_step(v.params, grads, 0.001)
    ex = v.exact_key
    for n in ("Z1", "H1", "Z2", "Yhat"):
        np.testing.assert_allclose(ex[n], cache[n], atol=1e-12, rtol=0)
    for n in grads:
        np.testing.assert_allclose(ex["d" + n], grads[n], atol=1e-12, rtol=0)
        np.testing.assert_allclose(ex[n + "_new"], new[n], atol=1e-12, rtol=0)
    for n in terms:
        np.testing.assert_allclose(ex[n], terms[n], atol=1e-12, rtol=0)
    # the hand key is within hand-rounding distance of the helpers' values
    for n in ("Z1", "H1", "Z2", "Yhat"):
        np.testing.assert_allclose(v.key[n], cache[n], atol=2e-3, rtol=0)
    for n in grads:
        np.testing.assert_allclose(v.key["d" + n], grads[n], atol=2e-3, rtol=0)
    # the self-check accepts the helpers' delta1 against the exact key
    assert check("delta1", terms["delta1"], ex, quiet=True).ok


def test_same_seed_same_bytes_and_cli(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_variant(make_variant(7, "4-3-2", "relu_plus_sin"), a)
    r = subprocess.run([sys.executable, "-m", "mlp_helpers.instructor.homework", "--seed", "7", "--arch", "4-3-2",
                        "--activation", "relu_plus_sin", "--out", str(b)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in a.iterdir())
    assert names == ["key.json", "problem.md", "problem.tex", "solution.md", "solution.tex"]
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    c = tmp_path / "c"
    write_variant(make_variant(8, "4-3-2", "relu_plus_sin"), c)
    assert (a / "key.json").read_bytes() != (c / "key.json").read_bytes()
    data = json.loads((a / "key.json").read_text())
    assert data["seed"] == 7 and data["arch"] == "4-3-2"
    key = load_key(a / "key.json")
    assert key["W1_new"].shape == (3, 4)
    assert "Homework variant 7" in (a / "problem.md").read_text()


def test_rows_layout_and_bad_input():
    v = make_variant(1, "3-4-2", "relu", layout="rows")
    assert v.params["W1"].shape == (3, 4) and v.key["dW1"].shape == (3, 4)
    with pytest.raises(ValueError, match="arch"):
        make_variant(1, "4-2")
    with pytest.raises(ValueError, match="arch"):
        make_variant(1, "4-x-2")
    with pytest.raises(ValueError, match="activation"):
        make_variant(1, "4-3-2", "swish")
    with pytest.raises(ValueError, match="seed"):
        make_variant(-1)
