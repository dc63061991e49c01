r"""One notation everywhere (issue 11, item 5): the checkable part of notebook 01's notation table.

The table in notebook 01 ("Notation used in all notebooks") is the single reference for every notebook,
the worked solutions and the homework.  What a test can check of it:

* the table exists in notebook 01, says what sigma and the index base are, and every other notebook links
  to it in its introduction;
* sigma is only the logistic sigmoid: applied to an argument (``\sigma(z)``, ``\sigma'(z)``), or with a
  subscript, a standard deviation (``\sigma_w``); never the softmax (no ``\hat y = \sigma(...)``, no
  component ``\sigma(z)_k``, no line defining softmax with sigma), never a bare ``\sigma`` or ``\sigma^2``;
* entries count from 0 as numpy's: no sum over entries or samples starting at 1, and the two-class seeds
  have no entry 2 (no ``\hat y_2``, no ``z_{2,2}``);
* the worked solution and the homework write one sample in lower case (``z_{l}``, ``h_{l}``), never ``Z_{l}``.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from mlp_helpers.instructor.homework import make_variant, write_variant
from mlp_helpers.instructor.worked import worked_solution
from mlp_helpers.seeds import seed000, seed001

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TABLE_NOTEBOOK = ROOT / "notebooks" / "01_forward_pass.ipynb"
TABLE_HEADING = "## Notation used in all notebooks"
LINK = "](01_forward_pass.ipynb)"

SIGMA = r"(?:\\sigma(?![A-Za-z])|σ)"
# sigma may be followed by an argument, a derivative mark or a subscript (a standard deviation) only
BARE_SIGMA = re.compile(SIGMA + r"(?!\s*[(_'])")
SIGMA_COMPONENT = re.compile(SIGMA + r"\s*\([^()]*\)\s*_")             # sigma(z)_k: a softmax component
YHAT_IS_SIGMA = re.compile(r"\\hat\s*[yY](?:_\{?\w\}?)?\s*=\s*" + SIGMA)  # yhat = sigma(...) in a softmax course
SUM_FROM_ONE = re.compile(r"\\(?:sum|prod)_\{\s*[a-km-su-z]\s*=\s*1\s*\}")  # entry/sample sums; l and t count from 1
ENTRY_TWO = re.compile(r"\\hat\s*y_\{?2\}?(?![0-9])|z_\{2,\s*2\}")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _markdown(path):
    return [_src(c) for c in _cells(path) if c["cell_type"] == "markdown"]


def sigma_problems(text):
    """Every use of sigma that is not the sigmoid (or a standard deviation with a subscript)."""
    found = []
    for line in text.splitlines():
        if BARE_SIGMA.search(line) and "sigmoid" not in line.lower():   # naming the symbol is fine
            found.append(f"bare sigma: {line.strip()[:120]}")
        if SIGMA_COMPONENT.search(line):
            found.append(f"a component of sigma(z) (the softmax): {line.strip()[:120]}")
        if re.search(SIGMA, line) and "softmax" in line.lower() and "sigmoid" not in line.lower():
            found.append(f"sigma next to softmax: {line.strip()[:120]}")
    return found


def index_problems(text):
    """Entry indices that are not numpy's 0-based ones."""
    found = [f"a sum from 1: {m.group(0)}" for m in SUM_FROM_ONE.finditer(text)]
    found += [f"entry 2 of a two-class seed: {m.group(0)}" for m in ENTRY_TWO.finditer(text)]
    return found


# --------------------------------------------------------------------------- the rules catch what they should
def test_the_rules_catch_the_old_notation():
    # lines as notebooks 01, 03, 07 and 09 had them before the table was written
    assert sigma_problems(r"| $\sigma$ | `softmax` | softmax, $\sigma(z)_k = e^{z_k} / \sum_j e^{z_j}$ | |")
    assert sigma_problems(r"$$\hat y_k = \sigma(z_2)_k = \frac{e^{z_{2,k}}}{\sum_j e^{z_{2,j}}}$$")
    assert YHAT_IS_SIGMA.search(r"write the forward pass $z_1 = xW_1 + b_1$, $\hat y = \sigma(z_2)$ and the")
    assert sigma_problems(r"\xrightarrow{\;\sigma\;} \hat y")
    assert sigma_problems(r"$$E\,\lVert \hat g_B - g\rVert^2 = \frac{\sigma^2}{B}$$")
    assert sigma_problems(r"every step trains on $\tilde X = X + \sigma E$")
    assert index_problems(r"$$z_{1,j} = \sum_{i=1}^{3} x_i W_{1,ij} + b_{1,j}.$$")
    assert index_problems(r"With two classes, $\hat y_2 = e^{-(z_{2,1} - z_{2,2})}$")
    # and let the table's own notation through
    ok = (r"$\sigma(z) = 1/(1 + e^{-z})$, $\sigma'(z) = \sigma(z)(1 - \sigma(z))$, $\sigma_w^2 = 2/n_\text{in}$, "
          r"$\log\sigma(-z)$, $\sum_{l=1}^L$, $\sum_{i=0}^{B-1} \ell_i$" "\n"
          r"$\hat y = \mathrm{softmax}(z_2)$, $\hat y_0 = 1 - 2.65\times10^{-16}$, $z_{2,1}$")
    assert sigma_problems(ok) == [] and index_problems(ok) == [] and not YHAT_IS_SIGMA.search(ok)


# --------------------------------------------------------------------------- the table and the links
def test_notebook_01_holds_the_table():
    cells = [t for t in _markdown(TABLE_NOTEBOOK) if t.startswith(TABLE_HEADING)]
    assert len(cells) == 1, f"notebook 01 needs exactly one cell starting with {TABLE_HEADING!r}"
    table = cells[0]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| $")}
    assert "sigmoid" in rows[r"$\sigma$"] and "softmax" not in rows[r"$\sigma$"].lower().replace("`mh.sigmoid`", "")
    assert r"$\mathrm{softmax}$" in rows
    for symbol in (r"$z_l$, $Z_l$", r"$h_l$, $H_l$", r"$\hat y$, $\hat Y$", r"$b_l$", r"$\delta_l$, $\Delta_l$",
                   r"$\ell$", r"$L$", r"$B$, $n$", r"$p$, $M$, $\tilde H$"):
        assert symbol in rows, symbol
    assert "(n_l,)$ or $(1, n_l)$" in rows[r"$b_l$"] and "(n_l,)$ or $(n_l, 1)$" in rows[r"$b_l$"]
    assert "count from **0, exactly as numpy does**" in table and "$\\hat y_0$" in table


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p != TABLE_NOTEBOOK], ids=lambda p: p.name)
def test_every_other_notebook_links_to_the_table(path):
    intro = _markdown(path)[:3]   # the badges, the title and introduction, and the first section
    assert any("Notation" in t and LINK in t for t in intro), (
        f"{path.name}: its introduction should say 'Notation: see the table in **[notebook 01](01_forward_pass.ipynb)**'")
    # A link inside running text must be told apart without colour (axe's link-in-text-block, WCAG 1.4.1):
    # JupyterLab, Voila and Colab draw links in colour only, so the link is bold (the <a> inherits the weight).
    assert any("**[notebook 01" + LINK + "**" in t for t in intro), f"{path.name}: the link to the table is not bold"


# --------------------------------------------------------------------------- the notebooks follow it
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_sigma_only_for_the_sigmoid(path):
    problems = []
    for text in _markdown(path):
        problems += sigma_problems(text)
        problems += [f"yhat = sigma(...): {m.group(0)}" for m in YHAT_IS_SIGMA.finditer(text)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_count_entries_from_zero(path):
    problems = [p for text in _markdown(path) for p in index_problems(text)]
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------- worked solutions and homework
def _worked_texts():
    s1, s0 = seed001(), seed000()
    yield "seed 001, hand", worked_solution(s1["params"], s1["X"], s1["Y"], activation=s1["activation"],
                                            layout=s1["layout"], lr=s1["lr"], mode="hand").markdown()
    yield "seed 000, rows, L2", worked_solution(s0["params"], s0["X"], s0["Y"], activation="relu", layout="rows",
                                                lam=0.01, lr=0.1).markdown()
    mazur = {"W1": np.array([[0.15, 0.20], [0.25, 0.30]]), "b1": np.array([0.35, 0.35]),
             "W2": np.array([[0.40, 0.45], [0.50, 0.55]]), "b2": np.array([0.60, 0.60])}
    yield "sigmoid output", worked_solution(mazur, [0.05, 0.10], [0.01, 0.99], activation="sigmoid",
                                            output="sigmoid", loss="half_sse", lr=0.5, mode="exact").markdown()


@pytest.mark.parametrize("name,text", list(_worked_texts()), ids=lambda v: v if len(v) < 40 else "")
def test_worked_solutions_follow_the_table(name, text):
    assert sigma_problems(text) == []
    assert index_problems(text) == []
    # one sample: lower case; the upper-case letters are for a batch
    assert not re.search(r"(?<![A-Za-z\\])[ZH]_\{", text), re.search(r".{40}(?<![A-Za-z\\])[ZH]_\{.{40}", text)
    assert re.search(r"z_\{1,0\} &=", text)   # the first entry is entry 0, as in numpy


def test_homework_follows_the_table(tmp_path):
    v = make_variant(7, arch="4-3-2", activation="relu_plus_sin")
    write_variant(v, tmp_path)
    for name in ("problem.md", "solution.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert sigma_problems(text) == [], name
        assert index_problems(text) == [], name
        assert not re.search(r"(?<![A-Za-z\\])[ZH]_\{", text), name
    assert "numbered from 0" in (tmp_path / "problem.md").read_text(encoding="utf-8")
