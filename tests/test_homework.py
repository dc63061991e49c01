"""Homework variants: the rules hold over many seeds, architectures and activations (kinks, saturation,
every update step visible), the key equals the helpers' results, the key file follows the rounding rule the
problem states and the problem's own check call works on it, the instructor's secret changes the numbers,
the same arguments give the same bytes, and the command line behaves like one (one-line errors, exit 2,
no overwriting without --force, a failed search says which rule failed)."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import mlp_helpers as mh
from mlp_helpers.check import check, load_key
from mlp_helpers.instructor import homework
from mlp_helpers.instructor.homework import LR_CHOICES, NoVariantError, make_variant, write_variant

CLI = [sys.executable, "-m", "mlp_helpers.instructor.homework"]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != homework.SECRET_ENV}
    env.update(extra)
    return env


def _run(*args, **env):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=_env(**env))


def _z_and_p(v):
    """Pre-activations and output probabilities with plain numpy (not the worked code)."""
    cols = v.options["layout"] == "columns"
    f = mh.ACTIVATIONS[v.options["activation"]].f
    h, zs = v.x, []
    L = len(v.sizes) - 1
    for l in range(1, L + 1):
        W = v.params[f"W{l}"] if cols else v.params[f"W{l}"].T
        z = W @ h + v.params[f"b{l}"]
        zs.append(z)
        h = f(z) if l < L else z
    if v.options["loss"] == "binary_cross_entropy":
        return zs, 1.0 / (1.0 + np.exp(-zs[-1]))
    e = np.exp(zs[-1] - zs[-1].max())
    return zs, e / e.sum()


CONFIGS = [("4-3-2", "relu_plus_sin", {}), ("3-4-2", "relu", {}), ("4-3-2", "leaky_relu", {}),
           ("2-3-3-2", "relu", {}), ("3-4-2", "sigmoid", {}), ("3-4-2", "tanh", {"layout": "rows"}),
           ("3-3-1", "softplus", {"loss": "binary_cross_entropy"}), ("4-3-2", "relu_plus_sin", {"decimals": 3})]


@pytest.mark.parametrize("arch,activation,kw", CONFIGS)
def test_rules_over_many_seeds(arch, activation, kw):
    for seed in range(60):
        v = make_variant(seed, arch, activation, **kw)
        k = v.options["decimals"]
        zs, p = _z_and_p(v)
        if activation in ("relu", "leaky_relu", "relu_plus_sin"):  # a kink at 0
            for z in zs[:-1]:  # hidden pre-activations, full precision
                assert np.all(np.abs(z) >= 0.05 - 1e-12), (seed, z)
            for z in (v.hand_key[f"Z{l}"] for l in range(1, len(zs))):  # and as rounded by hand
                assert np.all(np.abs(z) >= 0.05 - 1e-12), (seed, z)
        assert np.all((p >= 0.05) & (p <= 0.95)), (seed, p)
        # nice numbers
        for l in range(1, len(zs) + 1):
            W = v.params[f"W{l}"]
            assert np.all(np.round(W, 1) == W) and np.all(np.abs(W) <= 0.5) and np.all(W != 0)
        assert np.all(np.abs(v.x) <= 2) and np.all(np.round(2 * v.x) == 2 * v.x)
        assert set(np.unique(v.y)) <= {0.0, 1.0}
        # every update step shows at the stated precision: recomputed with the helpers' float64 gradients
        o = dict(activation=activation, loss=v.options["loss"], layout=v.options["layout"])
        grads, _ = mh.backward(v.params, mh.forward(v.params, v.x, **o), v.y, **o)
        lr = v.options["lr"]
        assert lr in LR_CHOICES
        half = 0.5 * 10.0 ** -k
        smaller = LR_CHOICES[LR_CHOICES.index(lr) - 1] if lr != LR_CHOICES[0] else None
        smaller_fails = False
        for n, g in grads.items():
            nz = np.abs(g) >= 1e-12
            assert np.all(np.abs(lr * g[nz]) >= half), (seed, n)                 # exact step rounds to >= 1 unit
            assert np.all(v.hand_key[f"step_{n}"][nz] != 0), (seed, n)           # so does the hand step
            for key in (v.hand_key, v.exact_key):                                # and the weight visibly moves
                assert np.all(np.round(key[f"{n}_new"], k)[nz] != np.round(v.params[n], k)[nz]), (seed, n)
            if smaller is not None:
                hand_g = v.hand_key["d" + n]
                # (an exact step needs a 1e-9 margin; a hand step alpha * (4-decimal number) is compared exactly)
                smaller_fails |= bool(np.any(nz & ((np.abs(smaller * g) < half * (1 + 1e-9))
                                                   | (np.abs(smaller * hand_g) < half * (1 - 1e-9)))))
        assert smaller is None or smaller_fails, (seed, "a smaller alpha would have shown every step")


def test_issue_example_every_w1_step_shows():
    # issue 10: with alpha = 0.001 and 4 decimals, 9 of 12 W1 steps of this variant rounded to 0.0000
    v = make_variant(3, "3-4-2", "sigmoid")
    assert np.count_nonzero(v.key["step_W1"]) == 12
    assert v.options["lr"] == 0.002 and v.options["lr_auto"]
    # a fixed alpha must show every step as well: this one finds another draw that does
    w = make_variant(3, "3-4-2", "sigmoid", lr=0.001)
    grads = w.exact_key
    assert np.all(np.abs(0.001 * grads["dW1"]) >= 0.5e-4) and np.count_nonzero(w.key["step_W1"]) == 12
    assert w.tries > 1 and w.failures["steps"] >= 1


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_key_equals_helpers(seed):
    v = make_variant(seed, "4-3-2", "relu_plus_sin")
    lr = v.options["lr"]
    o = dict(activation="relu_plus_sin", loss="cross_entropy", layout="columns")
    cache = mh.forward(v.params, v.x, **o)
    grads, terms = mh.backward(v.params, cache, v.y, **o)
    new = mh.sgd_step(v.params, grads, lr)
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
        np.testing.assert_allclose(v.hand_key[n], cache[n], atol=2e-3, rtol=0)
    for n in grads:
        np.testing.assert_allclose(v.hand_key["d" + n], grads[n], atol=2e-3, rtol=0)


def _code_block(problem_md):
    return re.search(r"```python\n(.*?)\n```", problem_md, re.S).group(1)


def _replace_example(code, name, value):
    """The problem's check call with the placeholder numbers replaced by ``value``."""
    return re.sub(rf'check\("{name}", .*?, key\)', f'check("{name}", {json.dumps(np.asarray(value).tolist())}, key)', code)


@pytest.mark.parametrize("rule", ["hand", "exact"])
def test_problem_names_every_key_and_its_check_call_works_on_the_file(tmp_path, rule):
    v = make_variant(11, "3-4-2", "relu", lam=0.01, rule=rule)
    write_variant(v, tmp_path)
    problem = (tmp_path / "problem.md").read_text()
    data = json.loads((tmp_path / "key.json").read_text())
    assert data["rule"] == {"name": rule, "decimals": 4} and set(data) >= {"answers", "tolerance", "params"}
    assert "key_hand" not in data and "key_exact" not in data   # one key: the stated rule's
    for name in data["answers"]:
        assert f"`{name}`" in problem, name                    # every name of the key is in the problem
    tex = (tmp_path / "problem.tex").read_text()
    assert r"\begin{verbatim}" in tex and r"\texttt{step\_W1}" in tex
    code = _code_block(problem)
    assert 'key = load_key("key.json")' in code
    want = data["answers"]["delta1"]
    for value, mark in ((want, "✓ delta1 is correct."), (np.array(want) + 0.3, "✗ your delta1")):
        r = subprocess.run([sys.executable, "-c", _replace_example(code, "delta1", value)], cwd=tmp_path,
                           capture_output=True, text=True, env=_env())
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert r.stdout.startswith(mark), r.stdout
    # the placeholder numbers as handed out: a diagnosis, not a crash
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=_env())
    assert r.returncode == 0 and r.stdout.startswith("✗ your delta1"), (r.stdout, r.stderr)


def test_stated_rule_and_key_agree(tmp_path):
    # hand rule: the numbers of the rule are correct; full precision is a rounding difference *from the rule*
    v = make_variant(5, "4-3-2", "relu_plus_sin")
    write_variant(v, tmp_path)
    key = load_key(tmp_path / "key.json")
    assert "round every intermediate result to 4 decimals" in (tmp_path / "problem.md").read_text()
    assert key.rule == "hand"
    differs = [n for n in v.hand_key if not np.array_equal(np.round(v.hand_key[n], 4), np.round(v.exact_key[n], 4))]
    assert differs, "this variant has entries where hand and exact differ"
    for n in v.hand_key:
        assert check(n, np.round(v.hand_key[n], 4), key, quiet=True).ok, n
    for n in differs:
        d = check(n, v.exact_key[n], key, quiet=True)
        assert d.code == "rounded" and "rounding rule of the problem" in d.message, (n, d)
    # exact rule: the full-precision numbers, rounded only when written, are correct
    w = make_variant(5, "4-3-2", "relu_plus_sin", rule="exact")
    write_variant(w, tmp_path / "exact")
    key = load_key(tmp_path / "exact" / "key.json")
    assert key.rule == "exact" and "Keep full precision" in (tmp_path / "exact" / "problem.md").read_text()
    for n in w.exact_key:
        assert check(n, np.round(w.exact_key[n], 4), key, quiet=True).ok, n
    assert any(check(n, np.round(w.hand_key[n], 4), key, quiet=True).code == "rounded" for n in differs)


def test_secret(tmp_path):
    a = make_variant(7, secret="s3cret-class-A")
    b = make_variant(7, secret="s3cret-class-A")
    c = make_variant(7, secret="s3cret-class-B")
    public = make_variant(7)
    for n in a.params:
        assert np.array_equal(a.params[n], b.params[n])
    assert any(not np.array_equal(a.params[n], c.params[n]) for n in a.params)
    assert any(not np.array_equal(a.params[n], public.params[n]) for n in a.params)
    assert a.options["secret"] is True and public.options["secret"] is False
    # the same secret gives the same bytes, from the API, the --secret option and the environment variable
    write_variant(a, tmp_path / "api")
    r1 = _run("--seed", 7, "--secret", "s3cret-class-A", "--out", tmp_path / "opt")
    r2 = _run("--seed", 7, "--out", tmp_path / "env", MLP_HOMEWORK_SECRET="s3cret-class-A")
    assert r1.returncode == 0 and r2.returncode == 0, (r1.stderr, r2.stderr)
    assert "note: no --secret" not in r1.stderr + r2.stderr
    for f in homework.FILES:
        data = (tmp_path / "api" / f).read_bytes()
        assert data == (tmp_path / "opt" / f).read_bytes() == (tmp_path / "env" / f).read_bytes(), f
        assert b"s3cret" not in data, f                        # the secret itself is written nowhere
    r3 = _run("--seed", 7, "--out", tmp_path / "public")
    assert "note: no --secret" in r3.stderr
    assert (tmp_path / "public" / "key.json").read_bytes() != (tmp_path / "api" / "key.json").read_bytes()


def test_same_seed_same_bytes_and_cli(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_variant(make_variant(7, "4-3-2", "relu_plus_sin"), a)
    r = _run("--seed", 7, "--arch", "4-3-2", "--activation", "relu_plus_sin", "--out", b)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [str(b / n) for n in homework.FILES]
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(homework.FILES)
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    c = tmp_path / "c"
    write_variant(make_variant(8, "4-3-2", "relu_plus_sin"), c)
    assert (a / "key.json").read_bytes() != (c / "key.json").read_bytes()
    data = json.loads((a / "key.json").read_text())
    assert data["variant"] == 7 and data["arch"] == "4-3-2"
    key = load_key(a / "key.json")
    assert key["W1_new"].shape == (3, 4)
    assert "Homework variant 7" in (a / "problem.md").read_text()


def _one_line_error(r, *words):
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m mlp_helpers.instructor.homework: error: "), lines
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_cli_errors_are_one_line_exit_2(tmp_path):
    out = tmp_path / "x"
    # checked by make_variant (a ValueError) and by argparse (a bad choice or number, a missing option)
    _one_line_error(_run("--seed", 1, "--arch", "4-x-2", "--out", out), "arch: expected sizes")
    _one_line_error(_run("--seed", -1, "--out", out), "seed")
    _one_line_error(_run("--seed", 1, "--output", "tanh", "--out", out), "output: cross_entropy")
    _one_line_error(_run("--seed", 1, "--activation", "swish", "--out", out), "--activation")
    _one_line_error(_run("--seed", 1, "--lr", "fast", "--out", out), "--lr", "'auto' or a number")
    _one_line_error(_run("--seed", 1), "--out")
    assert not out.exists()                                    # nothing written on an error


def test_cli_out_folder(tmp_path):
    out = tmp_path / "hw"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "key.json").write_text("old")
    _one_line_error(_run("--seed", 1, "--out", out), "not empty", "--force")
    assert (out / "key.json").read_text() == "old" and sorted(p.name for p in out.iterdir()) == ["key.json", "notes.txt"]
    r = _run("--seed", 1, "--out", out, "--force")
    assert r.returncode == 0, r.stderr
    assert (out / "notes.txt").read_text() == "mine" and json.loads((out / "key.json").read_text())["variant"] == 1
    f = tmp_path / "file"
    f.write_text("x")
    _one_line_error(_run("--seed", 1, "--out", f), "is a file")
    with pytest.raises(ValueError, match="out: the folder .* is not empty"):
        write_variant(make_variant(1), out)


def test_cli_no_variant_says_which_rule_failed(tmp_path):
    # alpha = 1e-6 cannot show a step at 4 decimals: the search ends after MAX_TRIES draws
    r = _run("--seed", 3, "--lr", "1e-6", "--out", tmp_path / "x")
    assert r.returncode == 1 and "Traceback" not in r.stderr and r.stdout == ""
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1
    m = re.search(r"in (\d+) draws \((\d+) draws had an update step alpha \* dL/dtheta that rounds to 0 at 4 "
                  r"decimals \(with alpha = 1e-06\)", line)
    assert m and int(m.group(1)) == homework.MAX_TRIES and int(m.group(2)) > homework.MAX_TRIES // 2, line
    assert "try --lr auto" in line
    counts = [int(n) for n in re.findall(r"(\d+) draws had", line)]
    assert sum(counts) == homework.MAX_TRIES                   # every draw is accounted to one rule
    assert not (tmp_path / "x").exists()


def test_no_variant_error_from_the_api(monkeypatch):
    monkeypatch.setattr(homework, "MAX_TRIES", 40)
    with pytest.raises(NoVariantError, match="no variant of seed 0 satisfied the rules in 40 draws") as e:
        make_variant(0, "4-3-2", "relu", lr=1e-7)
    assert isinstance(e.value, ValueError) and sum(e.value.failures.values()) == 40
    assert e.value.failures["steps"] > 0


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
    with pytest.raises(ValueError, match="lr"):
        make_variant(1, lr="fast")
    with pytest.raises(ValueError, match="rule"):
        make_variant(1, rule="calculator")
    with pytest.raises(ValueError, match="secret"):
        make_variant(1, secret="")
    with pytest.raises(TypeError, match="secret"):
        make_variant(1, secret=123)
    with pytest.raises(ValueError, match="output"):
        make_variant(1, output="tanh")


def test_textbook_style_variant_sigmoid_output():
    # sigmoid hidden and output units with 1/2 SSE (the textbook 2-2-2 example's pairing)
    v = make_variant(2, "2-2-2", "sigmoid", loss="half_sse", output="sigmoid")
    assert {"dYhat", "gprime2"} <= set(v.key)
    assert np.all((v.exact_key["Yhat"] >= 0.05) & (v.exact_key["Yhat"] <= 0.95))
