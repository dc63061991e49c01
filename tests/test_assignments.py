"""Assignments (issue 10): the exercises of notebooks 01-04, their checks, and grading with otter-grader.

The instructor solutions are read from the notebooks themselves (the cells between otter's
``# BEGIN SOLUTION`` and ``# END SOLUTION`` markers) and run against the public cases and against
hidden cases drawn with seeds other than the notebooks' own.  Expected values come from the
package's tested functions (the independent reference for a student's code); the planted mistakes
are the typical ones the issue names (a transposed product, a wrong sign, λ versus 2λ, a missing f').

The last test builds notebook 03 with ``otter assign`` and grades three submissions without Docker:
the solutions (full marks), the blank student version (0) and a copy with planted mistakes (partial,
each mistake named in the feedback).
"""
import copy
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import mlp_helpers as mh
from mlp_helpers import exercises as ex
from mlp_helpers.instructor import assign

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {name: ROOT / "notebooks" / f"{name}.ipynb" for name in assign.ASSIGNED}


def _cells(name):
    return nbformat.read(NOTEBOOKS[name], as_version=4).cells


def _questions(name):
    """{question: {"config": raw text, "cells": [cells inside the question]}} in notebook order."""
    out, current = {}, None
    for c in _cells(name):
        if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION"):
            qname = re.search(r"^name:\s*(\w+)", c.source, flags=re.M).group(1)
            current = out[qname] = {"config": c.source, "cells": []}
        elif c.cell_type == "raw" and c.source.startswith("# END QUESTION"):
            current = None
        elif current is not None:
            current["cells"].append(c)
    return out


def _solution_source(name, question):
    cells = _questions(name)[question]["cells"]
    code = [c for c in cells if c.cell_type == "code" and "# BEGIN SOLUTION" in c.source]
    assert len(code) == 1, f"{question}: expected one solution cell"
    return code[0].source


def _load(source, fname):
    ns = {"np": np, "mh": mh}
    exec(compile(source, f"<{fname}>", "exec"), ns)
    return ns[fname]


def _stub(source):
    """The student's version of a solution cell (what otter assign writes): the body becomes ``...``."""
    replace_solutions = assign.otter_module("otter.assign.solutions").replace_solutions
    return "\n".join(replace_solutions(source.split("\n"), "python"))


ALL = [(nb, q) for nb in assign.ASSIGNED for q in _questions(nb)]


# ------------------------------------------------------------ notebook format
@pytest.mark.parametrize("name", assign.ASSIGNED)
def test_each_notebook_has_at_least_four_exercises_in_otters_format(name):
    qs = _questions(name)
    assert len(qs) >= 4
    assert list(qs) == [e.name for e in ex.EXERCISES.values() if e.notebook == name]
    for q, info in qs.items():
        cells = info["cells"]
        raws = [c.source.strip() for c in cells if c.cell_type == "raw"]
        assert raws == ["# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN TESTS", "# END TESTS"], q
        assert "check_cell: false" in info["config"]  # no otter check cell: Colab never imports otter
        points = json.loads(re.search(r"points:\s*(\[.*\])", info["config"]).group(1))
        assert len(points) == 2 and all(p >= 1 for p in points)
        code = [c.source for c in cells if c.cell_type == "code"]
        solution = _solution_source(name, q)
        assert solution.startswith(f"def {q}(") and "# END SOLUTION" in solution
        # the slide decks (handouts) leave out the solutions, their checks and the tests
        for c in cells:
            if c.cell_type == "code" and not c.source.startswith("from mlp_helpers"):
                assert c.metadata["slideshow"]["slide_type"] == "skip", c.source[:60]
        assert f"check({q})" in code
        tests = code[-2:]  # public test, then hidden test
        assert f'grade("{q}", {q})' in tests[0] and not tests[0].startswith("# HIDDEN")
        assert tests[1].startswith("# HIDDEN") and re.search(rf'grade\("{q}", {q}, seed=\d+\)', tests[1])


def test_two_or_more_whole_functions_per_notebook():
    # every exercise is a function; at least two per notebook take a network of any depth or a loop
    whole = {"mlp_forward", "cross_entropy_from_logits", "numerical_gradient", "decay_step", "mlp_backward",
             "gradient_check", "deltas", "run_epoch", "train"}
    for name in assign.ASSIGNED:
        assert len(whole & set(_questions(name))) >= 2, name


# ---------------------------------------------------- solutions and checks
@pytest.mark.parametrize("name, question", ALL, ids=[q for _, q in ALL])
def test_the_notebooks_solution_passes_public_and_unseen_hidden_cases(name, question):
    fn = _load(_solution_source(name, question), question)
    report = ex.check(fn, quiet=True)
    assert report.ok and report.done, report
    ex.grade(question, fn)
    for seed in (7, 8):  # not the notebooks' own seeds
        ex.grade(question, fn, seed=seed)


@pytest.mark.parametrize("name, question", ALL, ids=[q for _, q in ALL])
def test_an_empty_stub_is_not_done_and_never_raises_in_check(name, question, capsys):
    stub_source = _stub(_solution_source(name, question))
    assert "# BEGIN SOLUTION" not in stub_source and stub_source.rstrip().endswith("...")
    fn = _load(stub_source, question)
    report = ex.check(fn)
    assert not report.done and not report.ok
    assert "not done yet" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="kind of mistake: not_done"):
        ex.grade(question, fn, seed=1)
    with pytest.raises(AssertionError, match="not_done"):
        ex.grade(question, None)  # the student deleted the function


PLANTED_EXTRA = [
    ("01_forward_pass", "dense_forward", "    return X @ W + b", "    return X @ W", "missing_bias"),
    ("01_forward_pass", "softmax_rows", "    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)",
     "    e = np.exp(Z - Z.max())\n    return e / e.sum()", "whole_array"),
    ("01_forward_pass", "cross_entropy_from_logits", "np.mean(-np.sum(", "np.sum(-np.sum(", "sum_not_mean"),
    ("01_forward_pass", "mlp_forward", '    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n    cache["Yhat"]',
     '    Z = f(Z)\n    e = np.exp(Z - Z.max(axis=1, keepdims=True))\n    cache["Yhat"]', "activation_on_output"),
    ("02_regularization", "l2_penalty", "    return lam * sum(", "    return 0.5 * lam * sum(", "factor_half"),
    ("02_regularization", "l2_penalty", ' if k.startswith("W"))', ")", "includes_biases"),
    ("02_regularization", "decay_step", "2 * lam * v if", "lam * v if", "half_convention"),
    ("02_regularization", "numerical_gradient", "g[idx] = (f(plus) - f(minus)) / (2 * eps)",
     "g[idx] = (f(plus) - f(params)) / eps", "one_sided"),
    ("03_backprop", "dense_backward", "    db = dZ.sum(axis=0)", "    db = dZ", "shape"),
    ("03_backprop", "mlp_backward", "            delta = (delta @ params[f\"W{l}\"].T) * df(Zs[l - 2])",
     "            delta = delta @ params[f\"W{l}\"].T", "missing_fprime"),
    ("03_backprop", "mlp_backward", "(e / e.sum(axis=1, keepdims=True) - Y) / n", "(Y - e / e.sum(axis=1, keepdims=True)) / n",
     "sign"),
    ("03_backprop", "gradient_check", " / max(np.linalg.norm(g) + np.linalg.norm(numeric), 1e-12)", "", "not_relative"),
    ("04_update", "momentum_step", "    return {k: params[k] + new_v[k] for k in params}, new_v",
     "    return {k: params[k] - lr * grads[k] for k in params}, new_v", "no_momentum"),
    ("04_update", "run_epoch", "        idx = order[start:start + batch_size]",
     "        idx = np.arange(len(order))[start:start + batch_size]", "ignores_order"),
]
PLANTED = [(nb, q, old, new, code) for nb, items in assign.PLANTED.items() for q, old, new, code in items] + PLANTED_EXTRA


# Public cases on which a planted mistake gives no error (none today).
PASSES_PUBLIC = set()


@pytest.mark.parametrize("name, question, old, new, code", PLANTED, ids=[f"{p[1]}-{p[4]}" for p in PLANTED])
def test_a_typical_mistake_is_named_in_public_and_hidden_feedback(name, question, old, new, code):
    source = _solution_source(name, question)
    assert old in source
    fn = _load(source.replace(old, new), question)
    with pytest.raises(AssertionError, match=f"kind of mistake: {code}"):
        ex.grade(question, fn, seed=3)
    report = ex.check(fn, quiet=True)
    if (question, code) in PASSES_PUBLIC:
        assert report.ok
    else:
        assert not report.ok and code in {r.code for r in report.results}


SINGLE = {"z_entry", "dense_forward", "softmax_rows", "cross_entropy_from_logits", "l2_penalty", "output_delta"}


def _answer_from(question, case):
    """What a student who copies the first public case's answer returns, in the exercise's structure."""
    e = case.expected
    if question in SINGLE:
        return next(iter(e.values()))
    if question == "dense_backward":
        return e["dW"], e["db"], e["dH_prev"]
    if question == "momentum_step":
        p = {k[len("params['"):-2]: v for k, v in e.items() if k.startswith("params[")}
        v = {k[len("velocity['"):-2]: w for k, w in e.items() if k.startswith("velocity[")}
        return p, v
    if question == "train":
        return {k: v for k, v in e.items() if k != "losses"}, list(e["losses"])
    return dict(e)


@pytest.mark.parametrize("question", list(ex.EXERCISES))
def test_a_hard_coded_public_answer_fails_the_hidden_cases(question):
    first = ex.EXERCISES[question].public()[0]
    answer = _answer_from(question, first)

    def copied(*args):
        return copy.deepcopy(answer)

    assert ex._evaluate(ex.EXERCISES[question], first, copied).ok  # it does match the public case it copies
    with pytest.raises(AssertionError):
        ex.grade(question, copied, seed=5)


def _shapes(value):
    if isinstance(value, dict):
        return tuple((k, _shapes(v)) for k, v in value.items())
    if isinstance(value, (tuple, list)):
        return tuple(_shapes(v) for v in value)
    return np.shape(value) if isinstance(value, np.ndarray) else ()


@pytest.mark.parametrize("question", list(ex.EXERCISES))
def test_hidden_cases_have_random_shapes_and_not_the_public_answers(question):
    e = ex.EXERCISES[question]
    rng = np.random.default_rng(0)
    hidden = [e.hidden(rng, i) for i in range(e.n_hidden)]
    assert len({_shapes(c.args) for c in hidden}) >= 2  # the inputs' shapes (or depths) vary

    def key(case):
        return json.dumps({k: np.round(np.asarray(v, float), 6).tolist() for k, v in case.expected.items()})
    public = {key(c) for c in e.public()}
    assert not any(key(c) in public for c in hidden)


def test_calling_the_package_that_is_the_exercise_is_reported():
    def dense_forward(X, W, b):
        return mh.forward({"W1": W, "b1": b}, X, activation="identity", loss="mse")["Z1"]

    with pytest.raises(AssertionError, match="kind of mistake: uses_reference"):
        ex.grade("dense_forward", dense_forward, seed=1)


def test_changing_the_arguments_in_place_is_reported():
    def sgd_step(params, grads, lr):
        for k in params:
            params[k] -= lr * grads[k]
        return params

    with pytest.raises(AssertionError, match="kind of mistake: changed_input"):
        ex.grade("sgd_step", sgd_step, seed=1)


def test_an_exception_in_the_students_code_is_reported_not_raised(capsys):
    def softmax_rows(Z):
        raise ValueError("oops")

    report = ex.check(softmax_rows)
    assert [r.code for r in report.results] == ["error"] * len(ex.EXERCISES["softmax_rows"].public())
    assert "raised ValueError: oops" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="kind of mistake: error"):
        ex.grade("softmax_rows", softmax_rows, seed=2)


def test_a_wrong_structure_is_reported():
    def dense_backward(dZ, H_prev, W):
        return H_prev.T @ dZ  # only dW

    with pytest.raises(AssertionError, match="kind of mistake: structure"):
        ex.grade("dense_backward", dense_backward)

    def mlp_forward(params, X, f):
        return {"Yhat": np.zeros(1)}

    with pytest.raises(AssertionError, match="key.*'Z1'.*kind of mistake: structure"):
        ex.grade("mlp_forward", mlp_forward)


def test_check_refuses_an_unknown_exercise():
    def not_an_exercise(x):
        return x

    with pytest.raises(KeyError, match="not an exercise"):
        ex.check(not_an_exercise)
    with pytest.raises(KeyError, match="no exercise called"):
        ex.grade("nope", not_an_exercise)


def test_own_gradient_check_runs_the_students_functions(capsys):
    backward = _load(_solution_source("03_backprop", "mlp_backward"), "mlp_backward")
    gcheck = _load(_solution_source("03_backprop", "gradient_check"), "gradient_check")
    errors = ex.own_gradient_check(backward, gcheck)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"} and max(errors.values()) < 1e-6
    assert capsys.readouterr().out.count("agree") == 6
    stub = _load(_stub(_solution_source("03_backprop", "mlp_backward")), "mlp_backward")
    assert ex.own_gradient_check(stub, gcheck) is None
    assert "not done yet" in capsys.readouterr().out
    bugged = _load(_solution_source("03_backprop", "mlp_backward").replace("* df(Zs[l - 2])", ""), "mlp_backward")
    errors = ex.own_gradient_check(bugged, gcheck)
    assert max(errors.values()) > 1e-3 and "DISAGREE" in capsys.readouterr().out


# ------------------------------------------------------ otter, end to end
@pytest.fixture(scope="module")
def built03(tmp_path_factory):
    """``assign build 03_backprop`` (otter assign) into a temporary dist/."""
    out = tmp_path_factory.mktemp("dist")
    rows = assign.build(["03_backprop"], out=out)
    return out, rows


def test_the_built_student_version_has_no_solutions_and_no_otter(built03):
    out, rows = built03
    assert rows[0]["questions"] == list(_questions("03_backprop"))
    student = nbformat.read(out / "student" / "03_backprop.ipynb", as_version=4)
    assert assign.student_problems(student) == []
    by_id = {c.get("id"): c for c in student.cells}
    for q in _questions("03_backprop"):
        body = _solution_source("03_backprop", q).split("# BEGIN SOLUTION", 1)[1].split("# END SOLUTION")[0]
        stub = by_id[f"ex-{q.replace('_', '-')}-solution"].source
        stub_lines = {line.strip() for line in stub.splitlines()}
        assert not [line for line in body.strip().splitlines() if line.strip() in stub_lines], q
        assert stub.rstrip().endswith("...")
        assert by_id[f"ex-{q.replace('_', '-')}-check"].source == f"check({q})"
    assert not any(c.cell_type == "code" and "otter" in c.source for c in student.cells)
    assert "widgets" not in student.metadata
    instructor = out / "instructor" / "03_backprop"
    assert (instructor / "03_backprop-autograder.zip").is_file()
    assert "mlp-helpers @ git+https://github.com/" in (instructor / "requirements.txt").read_text()


def test_grading_solutions_blank_and_planted_mistakes(built03, capsys):
    """otter's non-container grader on three submissions: full marks, 0, and partial with each mistake named."""
    out, _ = built03
    report = assign.selftest(["03_backprop"], out=out)
    scores = {r["kind"]: (r["score"], r["possible"]) for r in report}
    possible = scores["solutions"][1]
    assert scores["solutions"] == (possible, possible) and possible == 18
    assert scores["blank"] == (0, possible)
    assert 0 < scores["planted"][0] < possible
    planted = next(r for r in report if r["kind"] == "planted")
    feedback = {q["question"]: q["feedback"] for q in planted["questions"]}
    for question, _, _, code in assign.PLANTED["03_backprop"]:
        assert f"kind of mistake: {code}" in feedback[question]
    assert "03_backprop solutions: 18 / 18" in capsys.readouterr().out
    # what a student reads: scores and kinds of mistakes, not the hidden tests' code or seeds
    text = assign.student_feedback(planted, out / "instructor" / "03_backprop" / "03_backprop-autograder.zip")
    assert text.startswith(f"03_backprop: {scores['planted'][0]:g} / 18 points")
    assert "kind of mistake: missing_fprime" in text and "seed=" not in text and "grade(" not in text


def test_the_student_version_runs_with_empty_stubs(built03):
    """Top to bottom in a kernel, stubs empty: no cell fails and every check says "not done yet"."""
    out, _ = built03
    results = assign.smoke([out / "student" / "03_backprop.ipynb"])
    assert results[0]["checks"] == 5 and results[0]["widgets"] >= 1


def test_the_instructor_secret_changes_the_hidden_inputs(monkeypatch):
    """With MLP_HOMEWORK_SECRET set, the hidden cases cannot be computed from the public seed."""
    from mlp_helpers import exercises

    monkeypatch.delenv(exercises.SECRET_ENV, raising=False)
    public = exercises.hidden_rng(101).uniform(size=4)
    monkeypatch.setenv(exercises.SECRET_ENV, "class-A")
    a1, a2 = exercises.hidden_rng(101).uniform(size=4), exercises.hidden_rng(101).uniform(size=4)
    monkeypatch.setenv(exercises.SECRET_ENV, "class-B")
    b = exercises.hidden_rng(101).uniform(size=4)
    assert (a1 == a2).all()  # the same secret, the same hidden inputs
    assert not np.allclose(a1, public) and not np.allclose(a1, b)
