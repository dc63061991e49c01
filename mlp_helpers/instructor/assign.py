r"""Hand out, collect, grade: student and instructor versions of notebooks 01-04 with otter-grader.

The teaching notebooks in ``notebooks/`` are the ONE source.  Their exercises are marked in
otter-grader's notebook format (raw cells ``# BEGIN QUESTION`` / ``# BEGIN SOLUTION`` /
``# BEGIN TESTS`` / ``# END ...``; a test cell whose first line is ``# HIDDEN`` is hidden).  This tool
adds the assignment configuration (below) and runs ``otter assign`` on each notebook::

    python -m mlp_helpers.instructor.assign build [NB ...] [--out dist] [--run-tests]
        dist/student/NN_name.ipynb       no solutions, no hidden tests, no outputs, no badge cell;
                                         runs in Colab (no otter import), Binder, Voila, Jupyter
        dist/instructor/NN_name/         NN_name.ipynb (solutions), NN_name-autograder.zip,
                                         requirements.txt, otter_config.json: keep private
    python -m mlp_helpers.instructor.assign grade NN_name SUBMISSION_OR_FOLDER ... [--csv F] [--feedback DIR]
        grades each submitted .ipynb with otter's non-container grader (otter.api.grade_submission,
        no Docker): prints the score per question, writes a CSV and one feedback text per student
    python -m mlp_helpers.instructor.assign selftest [NB ...]
        grades the instructor solutions (must get full marks), the blank student version (must get
        0) and a copy with planted typical mistakes (must get partial marks, and the feedback must
        name every planted mistake); prints scores and times
    python -m mlp_helpers.instructor.assign smoke STUDENT.ipynb ... [--expect PKG=VERSION ...]
        runs student notebooks top to bottom from an empty folder in THIS Python (e.g. a venv with
        Google Colab's pins): no cell may fail, every check must say "not done yet", every slider
        must be constructed.  Needs only nbclient, not otter.

The assignment configuration (``ASSIGNMENT_CONFIG``): no otter init, check-all or export cell in
the student notebook (``import otter`` would fail in Colab, whose ipywidgets 7.7.1 otter's wheel
would replace), ``check_cell: false`` on every question (students run ``check(fn)`` from
:mod:`mlp_helpers.exercises`, which needs only numpy), exception-based tests that call
``mlp_helpers.exercises.grade``, and an autograder zip whose ``requirements.txt`` installs this
course's package from ``course.toml``'s repository (for otter's Docker or Gradescope grading).

Only ``build``, ``grade`` and ``selftest`` import otter-grader (``pip install otter-grader==7.0.0``,
in requirements.txt); the package never needs it.
"""
from __future__ import annotations

import argparse
import copy
import csv
import gc
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ASSIGNED = ("01_forward_pass", "02_regularization", "03_backprop", "04_update")
DIST = "dist"
BADGE_TAG = "course-badges"

ASSIGNMENT_CONFIG = """\
# ASSIGNMENT CONFIG
name: {name}
requirements: {requirements}
init_cell: false
check_all_cell: false
export_cell: false
solutions_pdf: false
template_pdf: false
run_tests: {run_tests}
tests:
  files: false
  ok_format: false
generate:
  pdf: false
  show_stdout: false
  show_hidden: false
"""

# Typical mistakes planted into the instructor solutions by `selftest`: (question, solution line,
# mistaken line, the code the feedback must name).  Every notebook keeps some questions right.
PLANTED = {
    "01_forward_pass": [
        ("z_entry", "    total = b[j]", "    total = 0.0", "missing_bias"),
        ("dense_forward", "    return X @ W + b", "    return (X @ W + b).T", "transposed"),
        ("softmax_rows", "    e = np.exp(Z - Z.max(axis=1, keepdims=True))", "    e = np.exp(Z)", "overflow"),
    ],
    "02_regularization": [
        ("l2_penalty_gradients", "2 * lam * v if", "lam * v if", "factor_half"),
        ("decay_step", "        new[k] = v - lr * g", "        new[k] = v + lr * g", "wrong_direction"),
    ],
    "03_backprop": [
        ("output_delta", "    return Yhat - Y", "    return Y - Yhat", "sign"),
        ("dense_backward", "    dW = H_prev.T @ dZ", "    dW = dZ.T @ H_prev", "transposed"),
        ("deltas", '        out[f"delta{l - 1}"] = back * df(cache[f"Z{l - 1}"])',
         '        out[f"delta{l - 1}"] = back', "missing_fprime"),
        ("mlp_backward", "+ 2 * lam * params[", "+ lam * params[", "half_convention"),
    ],
    "04_update": [
        ("sgd_step", "params[k] - lr * grads[k] for k in params}", "params[k] + lr * grads[k] for k in params}",
         "wrong_direction"),
        ("train", "    for _ in range(epochs):\n", "    for _ in range(epochs):\n        rng = np.random.default_rng(seed)\n",
         "same_order_every_epoch"),
    ],
}


# ---------------------------------------------------------------- helpers
def repo_root() -> Path:
    """The course repository: around the working directory, else the one holding this package."""
    from .course import find_root

    try:
        return find_root(Path.cwd())
    except FileNotFoundError:
        return find_root(package_root())


def package_root() -> Path:
    """The folder that holds the mlp_helpers being run (put on the kernels' PYTHONPATH)."""
    import mlp_helpers

    return Path(mlp_helpers.__file__).resolve().parent.parent


def _env_with_package() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(package_root())] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def otter_module(name: str = "otter"):
    """Import an otter-grader module; its import of ipylab warns about an old traitlets API (not ours)."""
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module(name)


def _resolve_notebooks(root: Path, names) -> list[Path]:
    out = []
    for n in names or ASSIGNED:
        p = Path(n)
        if not p.suffix:
            p = root / "notebooks" / f"{n}.ipynb"
        if not p.is_file():
            raise FileNotFoundError(f"notebook: no such file {p}")
        out.append(p.resolve())
    return out


def autograder_requirements(root: Path) -> str:
    """requirements.txt of the autograder zip: this course's package from course.toml's repository."""
    from .course import load

    course = load(root)
    return ("# installed into otter's grading image (Docker or Gradescope); otter run uses the current env\n"
            f"mlp-helpers @ {course.pip_target}\n")


def student_problems(nb) -> list[str]:
    """What must not be in a student notebook; [] when it is clean."""
    problems = []
    for i, c in enumerate(nb.cells):
        src = c.source
        if c.cell_type == "code":
            if c.get("outputs"):
                problems.append(f"cell {i}: has stored outputs")
            if re.search(r"^\s*(import otter|from otter|grader\.)", src, flags=re.M):
                problems.append(f"cell {i}: uses otter: {src.splitlines()[0]!r}")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "# HIDDEN", "BEGIN TESTS", "BEGIN QUESTION", "_hidden(",
                       "import grade"):
            if marker in src:
                problems.append(f"cell {i}: contains {marker!r}")
        if BADGE_TAG in c.get("metadata", {}).get("tags", []):
            problems.append(f"cell {i}: the course badges (they open the source notebook, with solutions)")
    return problems


# ------------------------------------------------------------------ build
def _build_one(nb_path: Path, out: Path, run_tests: bool, requirements: Path) -> dict:
    import nbformat

    assign_main = otter_module("otter.assign").main
    name = nb_path.stem
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"assign-{name}-") as tmp:
        tmp = Path(tmp)
        nb = nbformat.read(nb_path, as_version=4)
        config = ASSIGNMENT_CONFIG.format(name=name, requirements=json.dumps(str(requirements)),
                                          run_tests=str(run_tests).lower())
        nb.cells.insert(0, nbformat.v4.new_raw_cell(config))
        master = tmp / nb_path.name
        nbformat.write(nb, master)
        cwd = os.getcwd()
        try:  # otter assign, in this process (importing otter costs more than assigning a notebook)
            assign_main(str(master), str(tmp / "out"), no_run_tests=not run_tests)
        except Exception as exc:
            raise RuntimeError(f"otter assign {name} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            os.chdir(cwd)
        # student version: otter's, without the badges (they open the source, with solutions) and
        # without the stale widget state of the source's last run (its outputs are gone)
        student = nbformat.read(tmp / "out" / "student" / nb_path.name, as_version=4)
        student.cells = [c for c in student.cells if BADGE_TAG not in c.get("metadata", {}).get("tags", [])]
        student.metadata.pop("widgets", None)
        problems = student_problems(student)
        if problems:
            raise RuntimeError(f"{name}: the student version is not clean: " + "; ".join(problems))
        (out / "student").mkdir(parents=True, exist_ok=True)
        nbformat.write(student, out / "student" / nb_path.name)
        # instructor version: otter's autograder folder, with a zip name that does not change
        dest = out / "instructor" / name
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(tmp / "out" / "autograder", dest)
        zips = sorted(dest.glob(f"{name}-autograder_*.zip"))
        if len(zips) != 1:
            raise RuntimeError(f"{name}: expected one autograder zip from otter, found {[z.name for z in zips]}")
        zips[0].rename(dest / f"{name}-autograder.zip")
    questions = [c.source.split("name:", 1)[1].split()[0] for c in nb.cells
                 if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
    return {"notebook": name, "questions": questions, "seconds": time.perf_counter() - start}


def build(names=None, out: str | Path = DIST, run_tests: bool = False) -> list[dict]:
    """Build dist/student and dist/instructor for the notebooks ``names`` (default: 01-04).

    ``run_tests``: let otter run every test on the solutions while building (off by default:
    ``pytest --nbval`` runs the same test cells on the source notebooks, and ``selftest`` grades
    the built solutions).
    """
    root = repo_root()
    nbs = _resolve_notebooks(root, names)
    out = Path(out).resolve()
    (out / "instructor").mkdir(parents=True, exist_ok=True)
    requirements = out / "instructor" / "autograder-requirements.txt"
    requirements.write_text(autograder_requirements(root), encoding="utf-8")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = _env_with_package()["PYTHONPATH"]  # for otter's test run's kernels
    try:
        return [_build_one(p, out, run_tests, requirements) for p in nbs]
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


# ------------------------------------------------------------------ grade
def _autograder_zip(spec: str, out: str | Path = DIST) -> Path:
    p = Path(spec)
    if p.suffix == ".zip":
        return p.resolve()
    z = Path(out) / "instructor" / spec / f"{spec}-autograder.zip"
    if not z.is_file():
        raise FileNotFoundError(f"autograder: no {z}; run `python -m mlp_helpers.instructor.assign build {spec}` first")
    return z.resolve()


def _submissions(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.glob("*.ipynb") if not q.name.startswith("."))
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"submission: no such file or folder {p}")
    return out


def grade_one(submission: Path, autograder: Path) -> dict:
    """Grade one notebook without Docker; returns score, possible, per-question rows and the feedback."""
    import warnings

    grade_submission = otter_module("otter.api").grade_submission
    capture_run_output = otter_module("otter.run").capture_run_output
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = _env_with_package()["PYTHONPATH"]  # the grading kernel imports mlp_helpers
    start = time.perf_counter()
    try:
        # otter's own summary table (printed through capture_run_output) and its pandas deprecation
        # warnings are not ours to show; the results object has everything
        before = set(threading.enumerate())
        with capture_run_output(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = grade_submission(str(submission), str(autograder))
            # otter's log server thread stops within a second and leaves its socket to the garbage
            # collector (a ResourceWarning): let it finish here, where warnings are ignored
            for t in set(threading.enumerate()) - before:
                t.join(timeout=5)
            gc.collect()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    seconds = time.perf_counter() - start
    questions = []
    for name, tf in results.results.items():
        failures = [r.message for r in tf.test_case_results if not r.passed]
        questions.append({"question": name, "score": tf.score, "possible": tf.possible,
                          "feedback": _feedback(failures)})
    return {"submission": str(submission), "score": results.total, "possible": results.possible,
            "questions": questions, "seconds": seconds, "summary": results.summary(),
            "error": str(results.catastrophic_error) if results.has_catastrophic_failure() else ""}


def _feedback(messages) -> str:
    """The AssertionError lines of otter's failure messages (what mlp_helpers.exercises.grade said)."""
    lines = []
    for m in messages:
        for line in m.splitlines():
            if line.startswith(("AssertionError: ", "NameError: ", "TypeError: ", "ValueError: ")):
                text = line.split(": ", 1)[1]
                if text not in lines:
                    lines.append(text)
    return " | ".join(lines)


def student_feedback(result: dict, autograder: Path) -> str:
    """What a student may read: the score per question and what kind of mistake each failed test saw
    (not otter's report, which quotes the hidden tests' code)."""
    name = autograder.name.replace("-autograder.zip", "")
    lines = [f"{name}: {result['score']:g} / {result['possible']:g} points", ""]
    for q in result["questions"]:
        lines.append(f"{q['question']}: {q['score']:g} / {q['possible']:g}")
        for text in filter(None, q["feedback"].split(" | ")):
            lines.append(f"  - {text}")
    if result["error"]:
        lines.append(f"The notebook could not be graded: {result['error']}")
    return "\n".join(lines) + "\n"


def grade(autograder: str, paths, csv_path=None, feedback_dir=None, out=DIST) -> list[dict]:
    zip_path = _autograder_zip(autograder, out)
    rows = []
    for sub in _submissions(paths):
        r = grade_one(sub, zip_path)
        rows.append(r)
        print(f"{sub.name}: {r['score']:g} / {r['possible']:g}  ({r['seconds']:.1f} s)")
        for q in r["questions"]:
            mark = "✓" if q["score"] == q["possible"] else "✗"
            line = f"  {mark} {q['question']}: {q['score']:g} / {q['possible']:g}"
            print(line + (f"  {q['feedback']}" if q["feedback"] else ""))
        if r["error"]:
            print(f"  grading error: {r['error']}")
        if feedback_dir:
            Path(feedback_dir).mkdir(parents=True, exist_ok=True)
            (Path(feedback_dir) / f"{sub.stem}.txt").write_text(student_feedback(r, zip_path), encoding="utf-8")
    if csv_path:
        names = [q["question"] for q in rows[0]["questions"]] if rows else []
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["submission", "score", "possible"] + names)
            for r in rows:
                by = {q["question"]: q["score"] for q in r["questions"]}
                w.writerow([Path(r["submission"]).name, r["score"], r["possible"]] + [by.get(n, "") for n in names])
    return rows


# --------------------------------------------------------------- selftest
def planted_notebook(instructor_nb: Path, dest: Path, name: str):
    """A copy of the instructor notebook with PLANTED[name]'s mistakes, outputs cleared."""
    import nbformat

    nb = nbformat.read(instructor_nb, as_version=4)
    for question, old, new, _ in PLANTED[name]:
        cells = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(f"def {question}(")]
        if len(cells) != 1 or old not in cells[0].source:
            raise RuntimeError(f"{name}: cannot plant the mistake in {question}: {old!r} not in its solution cell")
        cells[0].source = cells[0].source.replace(old, new)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    nbformat.write(nb, dest)


def selftest(names=None, out: str | Path = DIST) -> list[dict]:
    """Grade solutions, blank and planted versions; raise AssertionError if any expectation fails."""
    out = Path(out)
    report, failures = [], []
    for name in names or ASSIGNED:
        zip_path = _autograder_zip(name, out)
        with tempfile.TemporaryDirectory(prefix=f"selftest-{name}-") as tmp:
            planted = Path(tmp) / f"{name}.ipynb"
            planted_notebook(out / "instructor" / name / f"{name}.ipynb", planted, name)
            runs = {"solutions": out / "instructor" / name / f"{name}.ipynb",
                    "blank": out / "student" / f"{name}.ipynb", "planted": planted}
            for kind, path in runs.items():
                r = grade_one(path, zip_path)
                r["kind"], r["notebook"] = kind, name
                report.append(r)
                print(f"{name} {kind:9s}: {r['score']:g} / {r['possible']:g}  ({r['seconds']:.1f} s)")
                if r["error"]:
                    failures.append(f"{name} {kind}: grading error {r['error']}")
                if kind == "solutions" and r["score"] != r["possible"]:
                    failures.append(f"{name}: the solutions get {r['score']} of {r['possible']}")
                if kind == "blank" and r["score"] != 0:
                    failures.append(f"{name}: the blank student version gets {r['score']}, not 0")
                if kind == "planted":
                    if not 0 < r["score"] < r["possible"]:
                        failures.append(f"{name}: the planted mistakes get {r['score']} of {r['possible']}")
                    by = {q["question"]: q for q in r["questions"]}
                    for question, _, _, code in PLANTED[name]:
                        q = by.get(question)
                        named = q is not None and f"kind of mistake: {code}" in q["feedback"]
                        print(f"    planted in {question}: {q['score']:g} / {q['possible']:g}, "
                              f"feedback names {code}: {'yes' if named else 'NO'}")
                        print(f"      {q['feedback'][:300]}")
                        if not named or q["score"] >= q["possible"]:
                            failures.append(f"{name}: the feedback on {question} does not name {code}: {q['feedback']}")
    if failures:
        raise AssertionError("; ".join(failures))
    return report


# ------------------------------------------------------------------ smoke
def smoke(paths, expect=(), timeout=600) -> list[dict]:
    """Run student notebooks from an empty folder in this interpreter; raise on any failure."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    kernels = Path(tempfile.mkdtemp(prefix="assign-kernels-"))
    spec = kernels / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}, "display_name": "Python 3", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(kernels) + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    results, failures = [], []
    workdir = Path(tempfile.mkdtemp(prefix="assign-smoke-"))
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json, importlib\nout = {}\nfor m in ('numpy', 'matplotlib', 'ipywidgets', 'IPython', 'ipykernel', "
        "'mlp_helpers'):\n    out[m] = importlib.import_module(m).__version__\nimport sys, mlp_helpers\n"
        "out['python'] = sys.version.split()[0]\nout['mlp_helpers_file'] = mlp_helpers.__file__\n"
        "print(json.dumps(out))")])
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(probe, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    seen = json.loads(probe.cells[0].outputs[0]["text"])
    print("kernel sees: " + ", ".join(f"{k} {v}" for k, v in seen.items()))
    for item in expect:
        pkg, want = item.split("=", 1)
        if seen.get(pkg) != want:
            failures.append(f"{pkg}: expected {want}, the kernel has {seen.get(pkg)}")
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(workdir)}}).execute()
        except CellExecutionError as err:
            failures.append(f"{path.name}: a cell failed:\n{str(err)[-2000:]}")
            continue
        seconds = time.perf_counter() - start
        checks = [c for c in nb.cells if c.cell_type == "code" and re.match(r"check\(\w+\)$", c.source.strip())]
        not_done = [c for c in checks if "not done yet" in "".join(o.get("text", "") for o in c.outputs)]
        widgets = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                      if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
        stderr = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "code"
                  for o in c.get("outputs", []) if o.get("name") == "stderr"]
        print(f"ok   {path.name} ({seconds:.1f} s): {len(checks)} checks, {len(not_done)} say 'not done yet', "
              f"{widgets} widgets constructed" + (f"; stderr from {stderr}" if stderr else ""))
        if not checks or len(not_done) != len(checks):
            failures.append(f"{path.name}: {len(checks) - len(not_done)} of {len(checks)} checks do not say 'not done yet'")
        results.append({"notebook": path.name, "seconds": seconds, "checks": len(checks), "widgets": widgets})
    if failures:
        raise AssertionError("\n".join(failures))
    return results


# -------------------------------------------------------------------- CLI
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mlp_helpers.instructor.assign", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="dist/student and dist/instructor with otter assign")
    b.add_argument("notebooks", nargs="*", help=f"names or paths (default: {' '.join(ASSIGNED)})")
    b.add_argument("--out", default=DIST)
    b.add_argument("--run-tests", action="store_true",
                   help="also let otter run the tests on the solutions (pytest --nbval and selftest do it too)")
    g = sub.add_parser("grade", help="grade submissions without Docker")
    g.add_argument("autograder", help="a notebook name (dist/instructor/NAME/NAME-autograder.zip) or a zip")
    g.add_argument("submissions", nargs="+", help=".ipynb files or folders of them")
    g.add_argument("--csv", default=None)
    g.add_argument("--feedback", default=None, help="folder for one feedback .txt per submission")
    g.add_argument("--out", default=DIST)
    s = sub.add_parser("selftest", help="grade solutions, blank and planted-mistake versions")
    s.add_argument("notebooks", nargs="*")
    s.add_argument("--out", default=DIST)
    m = sub.add_parser("smoke", help="run student notebooks top to bottom in this Python")
    m.add_argument("notebooks", nargs="+")
    m.add_argument("--expect", action="append", default=[], help="PKG=VERSION the kernel must see")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.cmd == "build":
            rows = build(args.notebooks, args.out, run_tests=args.run_tests)
            for r in rows:
                print(f"{r['notebook']}: {len(r['questions'])} questions ({', '.join(r['questions'])}), "
                      f"{r['seconds']:.1f} s")
            print(f"built {Path(args.out) / 'student'} and {Path(args.out) / 'instructor'} "
                  f"(keep instructor/ private) in {time.perf_counter() - start:.1f} s")
        elif args.cmd == "grade":
            grade(args.autograder, args.submissions, args.csv, args.feedback, args.out)
        elif args.cmd == "selftest":
            selftest(args.notebooks, args.out)
            print(f"selftest passed in {time.perf_counter() - start:.1f} s")
        elif args.cmd == "smoke":
            smoke(args.notebooks, args.expect)
            print(f"all {len(args.notebooks)} student notebook(s) ran in {time.perf_counter() - start:.1f} s")
    except (AssertionError, RuntimeError, FileNotFoundError) as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
