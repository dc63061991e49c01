"""Run-anywhere checks: course.toml is the one place that says where the course lives.

* every notebook carries the badge cell and the Colab set-up cell generated from course.toml,
  and no link anywhere points at another repository or branch;
* the set-up cell prints nothing outside Colab, and inside Colab runs exactly
  ``pip install --quiet --no-deps git+https://github.com/OWNER/REPO@BRANCH``;
* ``python -m mlp_helpers.instructor.course fork`` retargets a copy of the repository completely (and back),
  to branches with '/' too, and refuses (one line on stderr, exit 2, every file byte for byte as it was)
  any owner, repository, branch or hub address that GitHub, git or a Markdown link would not take;
* ``check`` warns (exit 0) while course.toml names the placeholder repository;
* every cell has slideshow metadata, and ``python -m mlp_helpers.instructor.course slides`` builds a deck
  holding the notebook's headings;
* no stored output is an object repr (they would show as stray text in the Voila app).
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest

from mlp_helpers.instructor import course as course_tool

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COURSE = course_tool.load(ROOT)


def _nb(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _src(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _run_tool(*args, cwd=ROOT):
    """Run the documented command line; return the finished process."""
    return subprocess.run([sys.executable, "-m", "mlp_helpers.instructor.course", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _tool(*args, cwd=ROOT):
    """Run the documented command line and return its stdout (fails the test on a non-zero exit)."""
    done = _run_tool(*args, cwd=cwd)
    assert done.returncode == 0, f"course {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_course_toml_names_a_github_repository():
    assert re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", COURSE.slug)
    assert COURSE.branch
    data = tomllib.loads((ROOT / "course.toml").read_text(encoding="utf-8"))
    assert (data["repository"]["slug"], data["repository"].get("branch", "main")) == (COURSE.slug, COURSE.branch)


def test_the_course_has_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:4] == ["01_forward_pass.ipynb", "02_regularization.ipynb", "03_backprop.ipynb",
                         "04_update.ipynb"], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_badges_and_setup_cell_agree_with_course_toml(path):
    nb = _nb(path)
    cells = nb["cells"]
    slug, branch, name = COURSE.slug, COURSE.branch, path.name
    badge = cells[0]
    assert badge["cell_type"] == "markdown" and "course-badges" in badge["metadata"].get("tags", [])
    text = _src(badge)
    # the three links, written out here from course.toml's two values
    assert f"(https://colab.research.google.com/github/{slug}/blob/{branch}/notebooks/{name})" in text
    assert f"(https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/notebooks/{name})" in text
    assert f"(https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=voila/render/notebooks/{name})" in text
    assert "colab-badge.svg" in text

    setup = [i for i, c in enumerate(cells) if "colab-setup" in c["metadata"].get("tags", [])]
    assert len(setup) == 1, "exactly one Colab set-up cell"
    i = setup[0]
    first_code = next(j for j, c in enumerate(cells) if c["cell_type"] == "code")
    assert i == first_code, "the set-up cell must run before any other code"
    assert any(c["cell_type"] == "markdown" and _src(c).lstrip().startswith("# ") for c in cells[1:i]), (
        "the set-up cell comes after the title and goals")
    code = _src(cells[i])
    assert 'if "google.colab" in sys.modules:' in code
    assert f'"git+https://github.com/{slug}@{branch}"' in code
    assert '"--no-deps"' in code
    assert cells[i]["outputs"] == [], "the set-up cell must print nothing outside Colab"
    for j, cell in enumerate(cells):
        assert course_tool.link_problems(_src(cell), COURSE, f"{name} cell {j}") == []


def test_check_finds_nothing_to_fix():
    """What `python -m mlp_helpers.instructor.course check --slides` (the maintainers' command) reports."""
    assert course_tool.check(COURSE, slides=True) == []


def test_readme_badge_table_and_hub_link_agree_with_course_toml():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for region in ("notebooks", "hub"):
        assert f"<!-- course-links:{region} BEGIN" in text and f"<!-- course-links:{region} END -->" in text
    table = text.split("<!-- course-links:notebooks BEGIN", 1)[1].split("<!-- course-links:notebooks END", 1)[0]
    for path in NOTEBOOKS:
        assert f"https://colab.research.google.com/github/{COURSE.slug}/blob/{COURSE.branch}/notebooks/{path.name}" in table
        assert f"https://mybinder.org/v2/gh/{COURSE.slug}/{COURSE.branch}?urlpath=voila/render/notebooks/{path.name}" in table
    hub = text.split("<!-- course-links:hub BEGIN", 1)[1].split("<!-- course-links:hub END", 1)[0]
    owner, repo = COURSE.slug.split("/")
    assert (f"{COURSE.hub}/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F{owner}%2F{repo}"
            f"&urlpath=lab%2Ftree%2F{repo}%2Fnotebooks%2F") in hub
    assert course_tool.link_problems(text, COURSE, "README.md") == []


def _run_setup_cell(source, in_colab):
    """Run the set-up cell's code in a fresh interpreter; in 'Colab', record what it would run."""
    prelude = ""
    if in_colab:
        prelude = (
            "import sys, types, subprocess, json\n"
            "sys.modules['google'] = types.ModuleType('google')\n"
            "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
            "def fake_run(cmd, check=False):\n"
            "    print(json.dumps({'cmd': cmd[1:], 'check': check, 'python': cmd[0] == sys.executable}))\n"
            "subprocess.run = fake_run\n"
        )
    done = subprocess.run([sys.executable, "-c", prelude + source], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def test_setup_cell_is_silent_outside_colab_and_installs_without_deps_inside():
    source = course_tool.setup_source(COURSE)
    out, err = _run_setup_cell(source, in_colab=False)
    assert (out, err) == ("", "")
    out, err = _run_setup_cell(source, in_colab=True)
    assert err == ""
    assert json.loads(out) == {
        "cmd": ["-m", "pip", "install", "--quiet", "--no-deps", f"git+https://github.com/{COURSE.slug}@{COURSE.branch}"],
        "check": True, "python": True}


def _snapshot(root):
    """Every file under ``root``, byte for byte (temporary files left behind would show too)."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _copy_repo(dst):
    """A copy of every file `fork` reads or writes; returns its snapshot."""
    (dst / "notebooks").mkdir()
    for rel in ("course.toml", "README.md", "pyproject.toml", "notebooks/README.md", "CONTRIBUTING.md"):
        if (ROOT / rel).exists():
            shutil.copy(ROOT / rel, dst / rel)
    for path in NOTEBOOKS:
        shutil.copy(path, dst / "notebooks" / path.name)
    return _snapshot(dst)


def test_fork_retargets_every_badge_link_and_install_cell(tmp_path):
    before = _copy_repo(tmp_path)
    old_owner, old_repo = COURSE.slug.split("/")
    out = _tool("--root", str(tmp_path), "fork", "jdoe/mlp-fall", "--branch", "fall-2027",
                "--hub", "https://jupyter.uni.test")
    assert "course now at https://github.com/jdoe/mlp-fall (branch fall-2027)" in out
    cfg = (tmp_path / "course.toml").read_text(encoding="utf-8")
    assert 'slug = "jdoe/mlp-fall"' in cfg and 'branch = "fall-2027"' in cfg and 'url = "https://jupyter.uni.test"' in cfg
    for path in sorted((tmp_path / "notebooks").glob("*.ipynb")):
        cells = _nb(path)["cells"]
        text = "\n".join(_src(c) for c in cells)
        assert f"{old_owner}/{old_repo}" not in text, f"{path.name} still points at {COURSE.slug}"
        assert f"https://colab.research.google.com/github/jdoe/mlp-fall/blob/fall-2027/notebooks/{path.name}" in _src(cells[0])
        assert f"https://mybinder.org/v2/gh/jdoe/mlp-fall/fall-2027?urlpath=voila/render/notebooks/{path.name}" in _src(cells[0])
        setup = next(c for c in cells if "colab-setup" in c["metadata"].get("tags", []))
        assert '"git+https://github.com/jdoe/mlp-fall@fall-2027"' in _src(setup)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert f"github.com/{old_owner}/{old_repo}" not in readme and f"%2F{old_owner}%2F{old_repo}" not in readme
    assert ("https://jupyter.uni.test/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fjdoe%2Fmlp-fall"
            "&urlpath=lab%2Ftree%2Fmlp-fall%2Fnotebooks%2F") in readme
    assert course_tool.check(course_tool.load(tmp_path)) == []
    # ... and forking back restores every file byte for byte
    _tool("--root", str(tmp_path), "fork", COURSE.slug, "--branch", COURSE.branch, "--hub", COURSE.hub)
    assert _snapshot(tmp_path) == before


def test_links_is_idempotent(tmp_path):
    before = _copy_repo(tmp_path)
    assert course_tool.write_links(course_tool.load(tmp_path)) == []
    assert _snapshot(tmp_path) == before


# ---------------------------------------------------------------- fork: validate first, then write
@pytest.mark.parametrize("slug", [
    "not a slug", "owner", "owner/repo/extra", "-owner/repo", "",
    "a/..",            # reserved repository name: was accepted, `check` then found nothing
    "a/.",             # reserved
    "a/.git",          # GitHub strips '.git': was accepted
    "a/mlp.git",       # likewise, the repository would be called 'mlp'
    "a/mlp.wiki",      # reserved for wikis
    "a--b/mlp",        # double hyphen in an account name
    "ab-/mlp",         # account name ending in '-'
    "a" * 40 + "/mlp",  # account names have at most 39 characters
    "a/" + "m" * 101,  # repository names at most 100
    'a/mlp"x',         # a quote: corrupted course.toml before
    "a/mlp\nx",        # a line break: likewise
    "a/mlp)](javascript:alert(1))",
    "a/mlp x",
    "a/mlpé",
])
def test_fork_rejects_a_bad_slug(tmp_path, slug):
    before = _copy_repo(tmp_path)
    with pytest.raises(ValueError, match="slug must be 'OWNER/REPO'"):
        course_tool.fork(tmp_path, slug)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("branch", [
    "..",           # git refuses these three; all were accepted and `check` then found nothing
    "a..b",
    "main.lock",
    "feature/",     # git: may not end in '/'
    "-x",           # git: may not start with '-'
    ".hidden",      # git: no component may start with '.'
    "a//b",         # git: no empty component
    "@{-1}",        # git's "previous branch", not a name
    "a b",          # git refuses whitespace
    "a\nb",         # a line break: corrupted course.toml before
    'a"b',          # git takes it, but it would end the string in the Colab cell and course.toml
    "a)](javascript:x)",  # git takes it too, but not inside a Markdown link
    "a#b",          # git takes it; in a URL it starts the fragment
    "",
])
def test_fork_rejects_a_branch_git_or_a_url_would_not_take(tmp_path, branch):
    before = _copy_repo(tmp_path)
    with pytest.raises(ValueError, match="^branch must be"):
        course_tool.fork(tmp_path, "jdoe/mlp-fall", branch=branch)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("hub", [
    "https://hub.example.edu)](javascript:alert(1))",  # was written into README links as it stood
    "https://hub example.edu",                          # a space: likewise
    "https://hub.example.edu\n",
    'https://hub.example.edu"',
    "https://hub.example.edu/<script>",
    "javascript:alert(1)",
    "ftp://hub.example.edu",
    "hub.example.edu",
    "https://",
    "https://user:secret@hub.example.edu",
    "https://hub.example.edu/?next=/evil",
    "https://hub.example.edu/#top",
    "https://hub.example.edu:99999",
    "https://hub_example.edu",
])
def test_fork_rejects_a_bad_hub_address(tmp_path, hub):
    before = _copy_repo(tmp_path)
    with pytest.raises(ValueError, match="^hub must be an http"):
        course_tool.fork(tmp_path, "jdoe/mlp-fall", hub=hub)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("check", [course_tool.validate_slug, course_tool.validate_branch, course_tool.validate_hub])
@pytest.mark.parametrize("value", [None, 3, b"main", ["a/b"]])
def test_a_value_that_is_not_a_string_is_a_type_error(check, value):
    with pytest.raises(TypeError, match="must be a string"):
        check(value)


@pytest.mark.parametrize("slug", ["jdoe/mlp-fall", "a/b", "a-b-c/x.y_z", "A1/.github", "a" * 39 + "/" + "m" * 100])
def test_github_names_within_the_rules_are_accepted(slug):
    assert course_tool.validate_slug(slug) == slug


@pytest.mark.parametrize("branch", ["main", "feature/x", "fall-2027", "release/1.2.x", "v1.2", "a_b/c-d/e"])
def test_branches_git_takes_are_accepted(branch):
    assert course_tool.validate_branch(branch) == branch


@pytest.mark.parametrize("hub, stored", [
    ("https://hub.example.edu", "https://hub.example.edu"),
    ("https://hub.example.edu/", "https://hub.example.edu"),
    ("http://10.0.0.5:8000/jupyter/", "http://10.0.0.5:8000/jupyter"),
    ("https://uni.test/~course/hub%20a", "https://uni.test/~course/hub%20a"),
])
def test_hub_addresses_are_accepted_and_stored_without_a_trailing_slash(hub, stored):
    assert course_tool.validate_hub(hub) == stored


def test_fork_to_a_branch_with_a_slash_and_check_parses_it(tmp_path):
    """After a fork to 'feature/x', `check` reported 20 false problems (every Binder link)."""
    before = _copy_repo(tmp_path)
    _tool("--root", str(tmp_path), "fork", "jdoe/mlp-fall", "--branch", "feature/x")
    forked = course_tool.load(tmp_path)
    assert forked.branch == "feature/x"
    assert course_tool.check(forked) == []
    nb = NOTEBOOKS[0].name
    badge = _src(_nb(tmp_path / "notebooks" / nb)["cells"][0])
    # GitHub-style path for Colab, URL-encoded as Binder's own form writes it
    assert f"(https://colab.research.google.com/github/jdoe/mlp-fall/blob/feature/x/notebooks/{nb})" in badge
    assert f"(https://mybinder.org/v2/gh/jdoe/mlp-fall/feature%2Fx?urlpath=lab/tree/notebooks/{nb})" in badge
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "&branch=feature%2Fx" in readme
    setup = next(c for c in _nb(tmp_path / "notebooks" / nb)["cells"] if "colab-setup" in c["metadata"].get("tags", []))
    assert '"git+https://github.com/jdoe/mlp-fall@feature/x"' in _src(setup)
    # `check` reads such links, raw or encoded, and still sees a wrong branch
    raw = "[x](https://mybinder.org/v2/gh/jdoe/mlp-fall/feature/x?urlpath=lab)"
    assert course_tool.link_problems(raw, forked, "t") == []
    wrong = "[x](https://mybinder.org/v2/gh/jdoe/mlp-fall/feature%2Fy?urlpath=lab)"
    assert course_tool.link_problems(wrong, forked, "t") == [
        "t: Binder link points at jdoe/mlp-fall@feature/y, course.toml says jdoe/mlp-fall@feature/x"]
    _tool("--root", str(tmp_path), "fork", COURSE.slug, "--branch", COURSE.branch)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("args, message", [
    (["fork", "a/.."], "error: slug must be 'OWNER/REPO'"),
    (["fork", "jdoe/mlp-fall", "--branch", "main.lock"], "error: branch must be a valid git branch name"),
    (["fork", "jdoe/mlp-fall", "--hub", "https://hub.example.edu)](javascript:alert(1))"],
     "error: hub must be an http(s) address"),
])
def test_a_failing_command_prints_one_line_exits_2_and_changes_no_file(tmp_path, args, message):
    before = _copy_repo(tmp_path)
    done = _run_tool("--root", str(tmp_path), *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot(tmp_path) == before


def test_a_write_that_fails_half_way_puts_every_file_back(tmp_path, monkeypatch):
    """All or nothing: the third file's write fails, the two already replaced get their bytes back."""
    before = _copy_repo(tmp_path)
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(course_tool.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        course_tool.fork(tmp_path, "jdoe/mlp-fall", branch="fall-2027")
    assert len(calls) == 3
    assert _snapshot(tmp_path) == before


def test_course_toml_is_written_by_a_toml_library_with_its_comments(tmp_path):
    _copy_repo(tmp_path)
    course_tool.fork(tmp_path, "jdoe/mlp-fall", branch="fall-2027", hub="https://jupyter.uni.test/")
    text = (tmp_path / "course.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {"repository": {"slug": "jdoe/mlp-fall", "branch": "fall-2027"},
                                   "jupyterhub": {"url": "https://jupyter.uni.test"}}
    old_comments = [line for line in (ROOT / "course.toml").read_text(encoding="utf-8").splitlines()
                    if line.lstrip().startswith("#")]
    assert old_comments and [line for line in text.splitlines() if line.lstrip().startswith("#")] == old_comments
    assert 'slug = "jdoe/mlp-fall"  # OWNER/REPO on GitHub' in text
    # values a TOML library must escape come back as they went in (fork never writes these:
    # it refuses them first)
    hostile = course_tool._config_text(text, 'a"b\nc', "x\\y", "https://h\"\n[x]")
    assert tomllib.loads(hostile)["repository"] == {"slug": 'a"b\nc', "branch": "x\\y"}
    assert tomllib.loads(hostile)["jupyterhub"] == {"url": "https://h\"\n[x]"}


@pytest.mark.parametrize("edit, message", [
    (('branch = "main"', 'branch = "a..b"'), "course.toml: [repository] branch must be a valid git branch name"),
    (('slug = "mlp-course/mlp-by-hand"', 'slug = "a/.git"'), "course.toml: [repository] slug must be 'OWNER/REPO'"),
    (('url = "https://hub.example.edu"', 'url = "https://hub.example.edu)](javascript:x)"'),
     "course.toml: [jupyterhub] url must be an http(s) address"),
    (('branch = "main"', 'branch = "main'), "course.toml: not valid TOML"),
    (('branch = "main"', 'branch = 3'), "course.toml: [repository] branch must be a string"),
    (('[repository]\nslug', 'repository = "mlp-course/mlp-by-hand"\n[other]\nslug'),
     "course.toml: [repository] must be a table"),
])
def test_a_hand_edited_course_toml_is_checked_like_fork_arguments(tmp_path, edit, message):
    _copy_repo(tmp_path)
    good = ('[repository]\nslug = "mlp-course/mlp-by-hand"\nbranch = "main"\n\n'
            '[jupyterhub]\nurl = "https://hub.example.edu"\n')
    assert edit[0] in good
    (tmp_path / "course.toml").write_text(good.replace(edit[0], edit[1]), encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises((ValueError, TypeError), match=re.escape(message)):
        course_tool.load(tmp_path)
    for command in (["check"], ["links"], ["urls"], ["fork", "jdoe/mlp-fall"]):
        done = _run_tool("--root", str(tmp_path), *command)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert _snapshot(tmp_path) == before


def test_check_warns_while_course_toml_names_the_placeholder(tmp_path):
    _copy_repo(tmp_path)
    _tool("--root", str(tmp_path), "fork", course_tool.PLACEHOLDER_SLUG, "--branch", "main")
    done = _run_tool("--root", str(tmp_path), "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 problem(s)" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "placeholder mlp-course/mlp-by-hand" in warnings[0]
    assert "does not exist on GitHub" in warnings[0] and "fork OWNER/REPO" in warnings[0]
    _tool("--root", str(tmp_path), "fork", "jdoe/mlp-fall")
    done = _run_tool("--root", str(tmp_path), "check")
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_slideshow_metadata(path):
    cells = _nb(path)["cells"]
    kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
    assert None not in kinds, f"cells without slideshow metadata: {[i for i, k in enumerate(kinds) if k is None]}"
    assert set(kinds) <= {"slide", "subslide", "fragment", "skip", "notes", "-"}
    assert kinds[0] == "skip"  # the badge cell is not a slide
    assert kinds[1] == "slide"  # the title is


class _Headings(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.texts, self.sections = 0, [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            self.depth += 1
            self.texts.append("")
        elif tag == "section":
            self.sections += 1

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def _plain(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"[*_`¶]", "", text)
    return " ".join(text.split())


def test_slides_deck_contains_the_notebooks_headings(tmp_path):
    path = NOTEBOOKS[0]
    out = _tool("slides", "--out", str(tmp_path), str(path))
    deck = tmp_path / f"{path.stem}.slides.html"
    assert f"deck: {deck}" in out
    text = deck.read_text(encoding="utf-8")
    assert "reveal" in text.lower()
    parser = _Headings()
    parser.feed(text)
    in_deck = {_plain(t) for t in parser.texts}
    cells = _nb(path)["cells"]
    shown = [c for c in cells if c["metadata"].get("slideshow", {}).get("slide_type") != "skip"]
    headings = [_plain(line.lstrip("#")) for c in shown if c["cell_type"] == "markdown"
                for line in _src(c).splitlines() if re.match(r"#{1,3} ", line)]
    assert headings, "the notebook has no headings"
    missing = [h for h in headings if h not in in_deck]
    assert missing == [], f"headings missing from the deck: {missing}"
    slides = sum(1 for c in shown if c["metadata"]["slideshow"]["slide_type"] in ("slide", "subslide"))
    assert parser.sections >= slides
    assert "Google Colab only" not in text and "colab-badge.svg" not in text  # skipped cells stay out


def test_links_between_notebooks_point_at_the_decks():
    import nbformat

    from mlp_helpers.instructor.slides import link_decks

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("see **[notebook 01](01_forward_pass.ipynb)** and [03](03_backprop.ipynb#top), "
                                      "[elsewhere](https://example.org/x.ipynb), [other](99_none.ipynb)"),
        nbformat.v4.new_code_cell("'[a](01_forward_pass.ipynb)'")])
    out = link_decks(nb, ["notebooks/01_forward_pass.ipynb", "03_backprop.ipynb"])
    assert out.cells[0].source == ("see **[notebook 01](01_forward_pass.slides.html)** and "
                                   "[03](03_backprop.slides.html#top), [elsewhere](https://example.org/x.ipynb), "
                                   "[other](99_none.ipynb)")
    assert out.cells[1].source == nb.cells[1].source and "ipynb)**" in nb.cells[0].source  # code and input untouched


STRAY = re.compile(r"<[^<>\n]* at 0x[0-9a-f]+>|<Figure size \d+x\d+ with \d+ Axes>|^(VBox|HBox|interactive)\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stray_object_reprs_in_outputs(path):
    """Voila shows every output without its code: an object repr would be stray text there."""
    for i, cell in enumerate(_nb(path)["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if set(data) - {"text/plain"}:
                continue  # an image, HTML or widget: Voila shows that, not the text/plain fallback
            t = out.get("text", "") or data.get("text/plain", "")
            t = t if isinstance(t, str) else "".join(t)
            assert not STRAY.search(t), f"{path.name} cell {i} shows {STRAY.search(t).group(0)!r}"
