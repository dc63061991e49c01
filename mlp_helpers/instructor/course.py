"""Run the course anywhere: badges, the Colab set-up cell, fork links and slides.

Where the course lives (GitHub ``OWNER/REPO`` and branch) is written in ONE
place, ``course.toml`` at the repository root.  Everything that points there
is generated from it by this tool, run from anywhere inside the repository::

    python -m mlp_helpers.instructor.course links     # write badges + Colab set-up cell into every
                                           # notebooks/NN_*.ipynb, and the README tables
    python -m mlp_helpers.instructor.course check     # exit 1 (and say what) if anything disagrees;
                                           # warns while course.toml names the placeholder
    python -m mlp_helpers.instructor.course fork OWNER/REPO [--branch B] [--hub URL]
                                           # retarget course.toml, every badge, link and
                                           # install cell, and the README, to a fork
    python -m mlp_helpers.instructor.course slides [--annotate] [--out slides] [NB ...]
                                           # one reveal.js deck per notebook into slides/
    python -m mlp_helpers.instructor.course urls      # print every link (Colab, Binder, Voila, hub)

What ``links`` manages in each notebook (found again by their cell tags, so
re-running it changes nothing):

* cell 0, markdown, tag ``course-badges``: "Open in Colab", "Binder:
  JupyterLab" and "Voila app" badges for this notebook;
* a code cell tagged ``colab-setup`` right after the title cell (title and
  learning goals), before any other code.  Only inside Google Colab does it
  ``pip install --no-deps git+https://github.com/OWNER/REPO@BRANCH``; anywhere
  else it does nothing and prints nothing.  ``--no-deps`` leaves Colab's own
  numpy, matplotlib and ipywidgets (7.7.1) alone.

In README.md it rewrites what stands between the HTML comment markers
``<!-- course-links:notebooks BEGIN ... -->`` / ``<!-- course-links:notebooks END -->``
(the badge table) and ``course-links:hub`` (the nbgitpuller example).

``fork`` validates every value before it touches a file (GitHub's rules for the
owner and repository names, ``git check-ref-format --branch`` for the branch, an
http(s) address with a host for the hub), computes every new file in memory, and
only then writes them; a command that fails leaves every file byte for byte as it
was.  ``course.toml`` is read with :mod:`tomllib` (``tomli`` on Python 3.10) and
written with ``tomlkit``, which keeps its comments.  Errors print one line
(``error: ...``) on stderr and exit with status 2.

``slides --annotate`` fills in missing ``slideshow.slide_type`` cell metadata
(title and ``##`` headings start a slide, ``###`` headings and prose that
follows code start a sub-slide, the badge and set-up cells are skipped) and
the build uses nbconvert's reveal.js exporter.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI (a dependency there, see pyproject.toml)
    import tomli as tomllib

from .slides import _first_line, annotate, build_slides, slide_types

CONFIG_NAME = "course.toml"
BADGE_TAG = "course-badges"
SETUP_TAG = "colab-setup"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
MARK_BEGIN = "<!-- course-links:{name} BEGIN (generated from course.toml by `python -m mlp_helpers.instructor.course links`; do not edit by hand) -->"
MARK_END = "<!-- course-links:{name} END -->"
REGION_RE = r"(<!-- course-links:{name} BEGIN[^\n]*-->\n)(.*?)(<!-- course-links:{name} END -->)"
REGIONS = ("notebooks", "hub")
# Text files (relative to the root) whose course links `fork` rewrites besides the notebooks.
LINKED_TEXT_FILES = ("README.md", "notebooks/README.md", "pyproject.toml", "CONTRIBUTING.md")

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
VOILA_BADGE = "https://img.shields.io/badge/Binder-Voil%C3%A0%20app-579ACA"

# The placeholder this course ships with: no such repository exists on GitHub, so every Colab
# badge and the Colab install cell fail until the course is published (or forked) and
# course.toml names the real repository.  `check` warns while it is in place.
PLACEHOLDER_SLUG = "mlp-course/mlp-by-hand"
DEFAULT_HUB = "https://hub.example.edu"

# GitHub's rules.  Account (user or organisation) names: 1-39 characters, letters, digits and
# single hyphens, not starting or ending with a hyphen.  Repository names: at most 100 ASCII
# letters, digits, '.', '-' and '_'; '.' and '..' are reserved, a '.git' suffix is stripped by
# GitHub (so the repository would have another name) and '.wiki' is reserved for wikis.
OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
REPO_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")
# Branch names: `git check-ref-format --branch` decides; on top of that the course only takes
# characters that stand for themselves in a URL path, a Markdown link, a Python string and
# pip's `@REF` (git would also allow quotes, parentheses, '#', '%', '&', ... there).
BRANCH_CHARS_RE = re.compile(r"[A-Za-z0-9._/-]+")
# Hub addresses: http(s)://HOST[:PORT][/PATH] with a DNS name or IPv4 host and a plain path.
HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
HUB_PATH_RE = re.compile(r"(?:/(?:[A-Za-z0-9._~!$&*+,;=:@-]|%[0-9A-Fa-f]{2})*)*")
HUB_FORBIDDEN = set("\"'`()[]{}<>\\|^")


def _bad(what: str, value, rule: str) -> ValueError:
    return ValueError(f"{what} {rule}; got {value!r}")


def validate_slug(slug, what: str = "slug") -> str:
    """``slug`` if it is a GitHub ``OWNER/REPO`` by GitHub's naming rules, else ``ValueError``."""
    if not isinstance(slug, str):
        raise TypeError(f"{what} must be a string 'OWNER/REPO'; got {type(slug).__name__} {slug!r}")
    owner, sep, repo = slug.partition("/")
    if not sep or "/" in repo:
        raise _bad(what, slug, "must be 'OWNER/REPO' (a GitHub account and a repository name, one '/')")
    if not OWNER_RE.fullmatch(owner):
        raise _bad(what, slug, f"must be 'OWNER/REPO': the account name {owner!r} breaks GitHub's rules "
                               "(1-39 letters, digits or single hyphens, not starting or ending with '-')")
    if not REPO_RE.fullmatch(repo):
        raise _bad(what, slug, f"must be 'OWNER/REPO': the repository name {repo!r} breaks GitHub's rules "
                               "(1-100 ASCII letters, digits, '.', '-' or '_')")
    if repo in (".", ".."):
        raise _bad(what, slug, f"must be 'OWNER/REPO': the repository name {repo!r} is reserved on GitHub")
    for suffix, why in ((".git", "GitHub strips it, so the repository would be named otherwise"),
                        (".wiki", "GitHub reserves it for wikis")):
        if repo.lower().endswith(suffix):
            raise _bad(what, slug, f"must be 'OWNER/REPO': a repository name may not end in {suffix!r} ({why})")
    return slug


def validate_branch(branch, what: str = "branch") -> str:
    """``branch`` if ``git check-ref-format --branch`` accepts it and it is URL-safe, else ``ValueError``."""
    if not isinstance(branch, str):
        raise TypeError(f"{what} must be a string (a git branch name); got {type(branch).__name__} {branch!r}")
    if not BRANCH_CHARS_RE.fullmatch(branch):
        raise _bad(what, branch, "must be a git branch name made of letters, digits, '.', '_', '-' and '/' "
                                 "(it goes into URLs and the Colab install line)")
    with tempfile.TemporaryDirectory() as empty:  # outside any repository: no `@{-1}` expansion
        env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(Path(empty).parent), LC_ALL="C")
        try:
            done = subprocess.run(["git", "check-ref-format", "--branch", branch], cwd=empty, env=env,
                                  capture_output=True, text=True, timeout=60)
        except FileNotFoundError:
            raise ValueError(f"cannot check {what} {branch!r}: git is not installed "
                             "(the course checks branch names with `git check-ref-format --branch`)") from None
    if done.returncode != 0 or done.stdout.strip() != branch:
        raise _bad(what, branch, "must be a valid git branch name (`git check-ref-format --branch` refuses it)")
    return branch


def validate_hub(url, what: str = "hub") -> str:
    """``url`` without a trailing '/', if it is a plain http(s) address with a host, else ``ValueError``."""
    if not isinstance(url, str):
        raise TypeError(f"{what} must be a string (an http(s) address); got {type(url).__name__} {url!r}")
    rule = "must be an http(s) address such as https://hub.your-school.edu"
    if any(c.isspace() for c in url) or not url.isascii() or not url.isprintable():
        raise _bad(what, url, rule + " without spaces, line breaks or non-ASCII characters")
    forbidden = sorted(HUB_FORBIDDEN.intersection(url))
    if forbidden:
        raise _bad(what, url, rule + " without quotes, brackets or parentheses (found "
                              + " ".join(forbidden) + ")")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise _bad(what, url, f"{rule} ({err})") from None
    if parts.scheme not in ("http", "https") or not url.lower().startswith(parts.scheme + "://"):
        raise _bad(what, url, rule + " (starting with http:// or https://)")
    if parts.username is not None or parts.password is not None:
        raise _bad(what, url, rule + " without a user name or password")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise _bad(what, url, rule + " without '?' or '#' (the course adds the hub's own path and query)")
    host = parts.hostname or ""
    if not HOST_RE.fullmatch(host) or (port is not None and not 0 < port < 65536):
        raise _bad(what, url, rule + " with a host name (letters, digits, '-' and '.') and an optional :PORT")
    if not HUB_PATH_RE.fullmatch(parts.path):
        raise _bad(what, url, rule + " with a plain path after the host")
    return url.rstrip("/")


# --------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Course:
    """What course.toml says: ``slug`` "OWNER/REPO", ``branch``, ``hub`` URL, and the repo ``root``."""

    root: Path
    slug: str
    branch: str
    hub: str

    @property
    def repo_name(self) -> str:
        return self.slug.split("/", 1)[1]

    @property
    def github(self) -> str:
        return f"https://github.com/{self.slug}"

    def colab(self, nb: str) -> str:
        return f"https://colab.research.google.com/github/{self.slug}/blob/{self.branch}/notebooks/{nb}"

    @property
    def binder_ref(self) -> str:
        """The branch as Binder's own launch form writes it: URL-encoded, so ``feature/x`` is ``feature%2Fx``."""
        return quote(self.branch, safe="")

    def binder_lab(self, nb: str) -> str:
        return f"https://mybinder.org/v2/gh/{self.slug}/{self.binder_ref}?urlpath=lab/tree/notebooks/{nb}"

    def binder_voila(self, nb: str) -> str:
        return f"https://mybinder.org/v2/gh/{self.slug}/{self.binder_ref}?urlpath=voila/render/notebooks/{nb}"

    @property
    def is_placeholder(self) -> bool:
        """True while course.toml names the placeholder repository the course ships with."""
        return self.slug.lower() == PLACEHOLDER_SLUG

    @property
    def pip_target(self) -> str:
        return f"git+https://github.com/{self.slug}@{self.branch}"

    def nbgitpuller(self, nb: str, app: str = "lab") -> str:
        """Link that pulls the course into each student's home on the hub and opens ``nb``."""
        if app == "lab":
            urlpath = f"lab/tree/{self.repo_name}/notebooks/{nb}"
        elif app == "voila":
            urlpath = f"voila/render/{self.repo_name}/notebooks/{nb}"
        else:
            raise ValueError(f"app must be 'lab' or 'voila', got {app!r}")
        return (f"{self.hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(self.github, safe='')}"
                f"&urlpath={quote(urlpath, safe='')}&branch={quote(self.branch, safe='')}")


def find_root(start: Path | str | None = None) -> Path:
    """The folder holding course.toml: ``start`` (default: the working directory) or a parent of it."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise FileNotFoundError(f"no {CONFIG_NAME} in {here} or any parent folder: run this inside the course repository")


def read_config(root: Path) -> dict:
    """course.toml parsed by tomllib (a ``ValueError`` naming the file if it is not valid TOML)."""
    path = root / CONFIG_NAME
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML ({' '.join(str(err).split())})") from None


def _table(data: dict, name: str) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise TypeError(f"{CONFIG_NAME}: [{name}] must be a table; got {table!r}")
    return table


def load(root: Path | str | None = None) -> Course:
    """Read course.toml (from ``root`` or the repository around the working directory), validated.

    Every value passes the same checks as ``fork``'s arguments; a bad one raises ``ValueError``
    (``TypeError`` for a value that is not a string) that names the file, the key and the rule."""
    root = find_root(root)
    data = read_config(root)
    repo, hubs = _table(data, "repository"), _table(data, "jupyterhub")
    slug = validate_slug(repo.get("slug"), f"{CONFIG_NAME}: [repository] slug")
    branch = validate_branch(repo.get("branch", "main"), f"{CONFIG_NAME}: [repository] branch")
    hub = validate_hub(hubs.get("url", DEFAULT_HUB), f"{CONFIG_NAME}: [jupyterhub] url")
    return Course(root=root, slug=slug, branch=branch, hub=hub)


def notebooks(root: Path) -> list[Path]:
    """The course notebooks, in order: notebooks/NN_*.ipynb."""
    return sorted((root / "notebooks").glob(NOTEBOOK_GLOB))


# --------------------------------------------------------------------------- generated text
def badge_source(course: Course, nb: str) -> str:
    """Markdown of the badge cell for notebook file name ``nb``."""
    return (
        "<!-- Badges generated from course.toml by `python -m mlp_helpers.instructor.course links`: do not edit by hand. -->\n"
        f"[![Open In Colab]({COLAB_BADGE})]({course.colab(nb)}) "
        f"[![Binder: JupyterLab]({BINDER_BADGE})]({course.binder_lab(nb)}) "
        f"[![Binder: Voilà app]({VOILA_BADGE})]({course.binder_voila(nb)})"
    )


def setup_source(course: Course) -> str:
    """Python of the Colab set-up cell: installs mlp_helpers inside Colab only, silent elsewhere."""
    return (
        "# Google Colab only: install this course's helper package, mlp_helpers, from GitHub.\n"
        "# Anywhere else (Jupyter, Binder, Voila, a JupyterHub) this cell does nothing.\n"
        "# --no-deps keeps Colab's own numpy, matplotlib and ipywidgets (its widgets need ipywidgets 7.7.1).\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        "    import subprocess\n"
        "\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", \"--no-deps\",\n"
        f"                    \"{course.pip_target}\"], check=True)"
    )


def notebook_title(nb_path: Path) -> str:
    """The text of the notebook's first '# ' heading (the badge cell excluded), or its file stem."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown" or BADGE_TAG in cell.metadata.get("tags", []):
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return nb_path.stem


def readme_regions(course: Course) -> dict[str, str]:
    """Markdown for each README region, keyed by region name."""
    rows = ["| notebook | Google Colab | Binder: JupyterLab | Binder: Voilà app (no code, live sliders) |",
            "|---|---|---|---|"]
    for path in notebooks(course.root):
        nb = path.name
        title = notebook_title(path).replace("|", "\\|")
        rows.append(
            f"| [{title}](notebooks/{nb}) "
            f"| [![Open In Colab]({COLAB_BADGE})]({course.colab(nb)}) "
            f"| [![Binder: JupyterLab]({BINDER_BADGE})]({course.binder_lab(nb)}) "
            f"| [![Binder: Voilà app]({VOILA_BADGE})]({course.binder_voila(nb)}) |"
        )
    first = notebooks(course.root)[0].name if notebooks(course.root) else "01_forward_pass.ipynb"
    lab = course.nbgitpuller(first, "lab")
    voila = course.nbgitpuller(first, "voila")
    hub = "\n".join([
        f"Course repository: <{course.github}> (branch `{course.branch}`), hub: <{course.hub}>.",
        "",
        f"* [Open the course in JupyterLab on the hub]({lab}):",
        "",
        "  ```text",
        f"  {lab}",
        "  ```",
        f"* [Open notebook 01 as a Voilà app on the hub]({voila}) (the hub needs `voila` installed):",
        "",
        "  ```text",
        f"  {voila}",
        "  ```",
    ])
    return {"notebooks": "\n".join(rows), "hub": hub}


def region_block(name: str, body: str) -> str:
    """A whole marked region (markers included), for pasting into a README."""
    return f"{MARK_BEGIN.format(name=name)}\n{body}\n{MARK_END.format(name=name)}"


def fill_regions(text: str, regions: dict[str, str]) -> tuple[str, list[str]]:
    """Replace the body of every marked region present in ``text``; return (new text, missing names)."""
    missing = []
    for name, body in regions.items():
        pattern = re.compile(REGION_RE.format(name=re.escape(name)), re.S)
        if not pattern.search(text):
            missing.append(name)
            continue
        text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(3), text)
    return text, missing


# --------------------------------------------------------------------------- notebooks
def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _managed_cell(nb, existing, kind: str, source: str, tag: str):
    import nbformat

    if existing is not None and existing.source == source:
        cell = existing
    elif kind == "markdown":
        cell = nbformat.v4.new_markdown_cell(source)
    else:
        cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [tag] + [t for t in _tags(cell) if t != tag]
    cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
    if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
        cell["id"] = tag  # fixed ids keep the file stable between runs
    else:
        cell.pop("id", None)
    return cell


def apply_links(nb, course: Course, nb_name: str):
    """Return a copy of notebook ``nb`` with its badge cell and Colab set-up cell (re)written."""
    nb = copy.deepcopy(nb)
    old_badge = next((c for c in nb.cells if BADGE_TAG in _tags(c)), None)
    old_setup = next((c for c in nb.cells if SETUP_TAG in _tags(c)), None)
    cells = [c for c in nb.cells if BADGE_TAG not in _tags(c) and SETUP_TAG not in _tags(c)]
    badge = _managed_cell(nb, old_badge, "markdown", badge_source(course, nb_name), BADGE_TAG)
    setup = _managed_cell(nb, old_setup, "code", setup_source(course), SETUP_TAG)
    # right after the title cell (title and goals), and in any case before the first code cell
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    title = next((i for i, c in enumerate(cells)
                  if c.cell_type == "markdown" and _first_line(c).startswith("# ")), None)
    at = first_code if title is None else min(title + 1, first_code)
    nb.cells = [badge] + cells[:at] + [setup] + cells[at:]
    return nb


def _nb_text(nb) -> str:
    """A notebook as this tool writes it (nbformat's 1-space JSON and a final newline)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def _read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:  # newline="": keep the file's own line ends
        return f.read()


def _write_if_changed(path: Path, nb) -> bool:
    new = _nb_text(nb)
    if path.exists() and _read_text(path) == new:
        return False
    write_files({path: new})
    return True


def write_files(plan: dict[Path, str]) -> None:
    """Write every ``path: text`` of ``plan``, all or nothing.

    Each file is written to a temporary file beside it and moved into place; if any write
    fails, the files already replaced get their old bytes back, so a failure leaves every
    file as it was."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, text in plan.items():
            old = path.read_bytes() if path.exists() else None
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
                if old is not None:
                    os.chmod(tmp, path.stat().st_mode & 0o7777)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            done.append((path, old))
    except BaseException:
        for path, old in reversed(done):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        raise


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def plan_links(course: Course, readme: Path | None = None,
               sources: dict[Path, object] | None = None) -> tuple[dict[Path, str], list[str]]:
    """What ``links`` would write: ({path: new text} for every file that changes, notes to print).

    ``sources`` may give notebooks (already read, e.g. retargeted by ``fork``) to start from
    instead of the files on disk, and the README's text likewise (as a string)."""
    import nbformat

    sources = sources or {}
    plan: dict[Path, str] = {}
    for path in notebooks(course.root):
        nb = sources.get(path)
        nb = nbformat.read(path, as_version=4) if nb is None else nb
        new = _nb_text(apply_links(nb, course, path.name))
        if new != _read_text(path):
            plan[path] = new
    notes = []
    readme = readme or course.root / "README.md"
    if readme.exists() or readme in sources:
        text = sources.get(readme)
        text = _read_text(readme) if text is None else text
        regions = readme_regions(course)
        new, missing = fill_regions(text, regions)
        for name in missing:
            notes.append(f"note: {readme} has no course-links:{name} markers; paste this block there:\n"
                         f"{region_block(name, regions[name])}\n")
        if not readme.exists() or new != _read_text(readme):
            plan[readme] = new
    return plan, notes


def write_links(course: Course, readme: Path | None = None) -> list[str]:
    """Rewrite badges and set-up cells in every notebook and the README regions; return what changed."""
    plan, notes = plan_links(course, readme)
    for note in notes:
        print(note)
    write_files(plan)
    return [_display(path, course.root) for path in plan]


# --------------------------------------------------------------------------- checking
# The part of a URL that can hold a branch: up to whitespace, '?', '#' or a Markdown/HTML delimiter.
_REF = r"[^\s?#()\[\]\"'`<>]+"
_URL_CHECKS = (
    # (what, regex with groups slug, branch); branches may contain '/' (raw or as %2F)
    ("Colab link", re.compile(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w./%-]+?)/notebooks/")),
    ("Binder link", re.compile(rf"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/({_REF})")),
    ("pip install target", re.compile(r"git\+https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?@([\w./%-]+)")),
    ("nbgitpuller repo", re.compile(r"git-pull\?repo=https%3A%2F%2Fgithub\.com%2F([\w.-]+%2F[\w.-]+)[^\s)\"'>]*?&branch=([\w.%-]+)")),
)


def link_problems(text: str, course: Course, where: str) -> list[str]:
    """Every course link in ``text`` that points somewhere other than course.toml's slug and branch."""
    problems = []
    for what, rx in _URL_CHECKS:
        for m in rx.finditer(text):
            slug = unquote(m.group(1))
            branch = unquote(m.group(2)).rstrip(".")  # a branch never ends in '.': that is the sentence's
            if slug == "OWNER/REPO":
                continue  # the placeholder used in prose
            if slug != course.slug or branch != course.branch:
                problems.append(f"{where}: {what} points at {slug}@{branch}, course.toml says "
                                f"{course.slug}@{course.branch}")
    # plain github.com links to a repository of the course's name
    for m in re.finditer(r"github\.com/([\w.-]+)/([\w.-]+?)(?=[/@#?)\]\s\"'`<>]|\.git|$)", text):
        owner, name = m.group(1), m.group(2)
        if name == course.repo_name and f"{owner}/{name}" != course.slug:
            problems.append(f"{where}: github.com/{owner}/{name} is not course.toml's {course.slug}")
    return problems


def course_warnings(course: Course) -> list[str]:
    """What is not wrong but will not work yet (``check`` prints these and still exits 0)."""
    notes = []
    if course.is_placeholder:
        notes.append(
            f"course.toml names the placeholder {PLACEHOLDER_SLUG}, which does not exist on GitHub: every "
            "Colab badge, Binder badge and the Colab install cell fail until you push this repository to "
            "GitHub as OWNER/REPO and run `python -m mlp_helpers.instructor.course fork OWNER/REPO`")
    return notes


def check(course: Course, readme: Path | None = None, slides: bool = False) -> list[str]:
    """Everything that disagrees with course.toml (empty list: all agree)."""
    import nbformat

    problems = []
    nbs = notebooks(course.root)
    if not nbs:
        problems.append("no notebooks/NN_*.ipynb found")
    for path in nbs:
        rel = path.relative_to(course.root)
        nb = nbformat.read(path, as_version=4)
        expected = apply_links(nb, course, path.name)
        if [c.source for c in nb.cells] != [c.source for c in expected.cells]:
            problems.append(f"{rel}: badge cell or Colab set-up cell missing, misplaced or out of date "
                            "(run `python -m mlp_helpers.instructor.course links`)")
        for i, cell in enumerate(nb.cells):
            problems += link_problems(cell.source, course, f"{rel} cell {i}")
            if slides and "slide_type" not in cell.metadata.get("slideshow", {}):
                problems.append(f"{rel} cell {i}: no slideshow.slide_type metadata "
                                "(run `python -m mlp_helpers.instructor.course slides --annotate`)")
        setup = [c for c in nb.cells if SETUP_TAG in _tags(c)]
        if setup and setup[0].get("outputs"):
            problems.append(f"{rel}: the Colab set-up cell has stored outputs (it must print nothing outside Colab)")
    readme = readme or course.root / "README.md"
    if not readme.exists():
        problems.append(f"{readme} does not exist")
    else:
        text = readme.read_text(encoding="utf-8")
        new, missing = fill_regions(text, readme_regions(course))
        problems += [f"{readme.name}: no course-links:{name} markers" for name in missing]
        if new != text:
            problems.append(f"{readme.name}: badge table or hub link out of date (run `python -m mlp_helpers.instructor.course links`)")
        problems += link_problems(text, course, readme.name)
    for rel in LINKED_TEXT_FILES[1:]:
        p = course.root / rel
        if p.exists():
            problems += link_problems(p.read_text(encoding="utf-8"), course, rel)
    return problems


# --------------------------------------------------------------------------- forking
def retarget(text: str, old: Course, new: Course) -> str:
    """Point every course link in ``text`` from ``old``'s slug/branch to ``new``'s."""
    o, n = re.escape(old.slug), new.slug
    ob = re.escape(old.branch)
    obq = re.escape(quote(old.branch, safe=""))  # as Binder and nbgitpuller links write it
    nbq = quote(new.branch, safe="")
    oe, ne = re.escape(quote(old.slug, safe="")), quote(new.slug, safe="")
    subs = [
        (rf"(colab\.research\.google\.com/github/){o}/blob/{ob}/", rf"\g<1>{n}/blob/{new.branch}/"),
        (rf"(mybinder\.org/v2/gh/){o}/(?:{obq}|{ob})(?=[?#)\]\s\"'`<>]|$)", rf"\g<1>{n}/{new.binder_ref}"),
        (rf"(git\+https://github\.com/){o}(\.git)?@{ob}(?![\w/-]|\.\w)", rf"\g<1>{n}\g<2>@{new.branch}"),
        (rf"(github\.com/){o}/(blob|tree)/{ob}/", rf"\g<1>{n}/\g<2>/{new.branch}/"),
        (rf"(git-pull\?repo=[^\s)\"'>]*?&branch=){obq}(?![\w.%-])", rf"\g<1>{nbq}"),
        (rf"(github\.com%2F){oe}", rf"\g<1>{ne}"),
        (rf"(colab\.research\.google\.com/github/|mybinder\.org/v2/gh/|github\.com/){o}(?=[/@#?)\]\s\"'`<>.]|$)",
         rf"\g<1>{n}"),
    ]
    for pattern, repl in subs:
        text = re.sub(pattern, lambda m, repl=repl: m.expand(repl), text)
    return text


def _config_text(text: str, slug: str, branch: str, hub: str | None) -> str:
    """course.toml's ``text`` with new values, written by tomlkit (comments and layout kept)."""
    import tomlkit

    doc = tomlkit.parse(text)
    values = {("repository", "slug"): slug, ("repository", "branch"): branch}
    if hub is not None:
        values[("jupyterhub", "url")] = hub
    for (table, key), value in values.items():
        if table not in doc:
            doc[table] = tomlkit.table()
        doc[table][key] = value
    return tomlkit.dumps(doc)


def fork(root: Path | str | None, slug: str, branch: str | None = None, hub: str | None = None) -> list[str]:
    """Retarget the repository at ``root`` to ``slug`` (and ``branch``/``hub``); return the files changed.

    Every value is validated first (``validate_slug``, ``validate_branch``, ``validate_hub``),
    then every new file is computed in memory, and only then written (all or nothing, see
    ``write_files``): a ``ValueError`` leaves every file byte for byte as it was."""
    import nbformat

    slug = validate_slug(slug)
    if branch is not None:
        branch = validate_branch(branch)
    if hub is not None:
        hub = validate_hub(hub)
    old = load(root)
    root = old.root
    new = Course(root=root, slug=slug, branch=old.branch if branch is None else branch,
                 hub=old.hub if hub is None else hub)

    cfg = root / CONFIG_NAME
    cfg_text = _read_text(cfg)
    new_cfg = _config_text(cfg_text, new.slug, new.branch, hub)
    written = tomllib.loads(new_cfg)  # read back exactly as `load` will read it
    if (written["repository"]["slug"], written["repository"]["branch"]) != (new.slug, new.branch) or (
            hub is not None and written["jupyterhub"]["url"] != hub):
        raise ValueError(f"{cfg}: could not write the new values into it (left unchanged)")

    plan: dict[Path, str] = {}
    if new_cfg != cfg_text:
        plan[cfg] = new_cfg
    texts = {}
    for rel in LINKED_TEXT_FILES:
        path = root / rel
        if path.exists():
            texts[path] = retarget(_read_text(path), old, new)
    sources: dict[Path, object] = {}
    for path in notebooks(root):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = retarget(cell.source, old, new)
        sources[path] = nb
    readme = root / "README.md"
    if readme in texts:
        sources[readme] = texts[readme]
    linked, notes = plan_links(new, readme, sources)
    for path, text in texts.items():
        if path not in linked and text != _read_text(path):
            plan[path] = text
    plan.update(linked)
    for note in notes:
        print(note)
    write_files(plan)
    return [_display(path, root) for path in plan]


# --------------------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlp_helpers.instructor.course", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_links = sub.add_parser("links", help="write badges and the Colab set-up cell into every notebook, and the README tables")
    p_links.add_argument("--readme", type=Path, default=None, help="markdown file with the course-links markers (default README.md)")
    p_check = sub.add_parser("check", help="exit 1 if any notebook, link or README table disagrees with course.toml")
    p_check.add_argument("--readme", type=Path, default=None)
    p_check.add_argument("--slides", action="store_true", help="also require slideshow metadata on every cell")
    p_fork = sub.add_parser("fork", help="retarget course.toml, every badge, link and install cell to OWNER/REPO")
    p_fork.add_argument("slug", help="OWNER/REPO of your fork on GitHub")
    p_fork.add_argument("--branch", default=None, help="branch to point at (default: keep course.toml's)")
    p_fork.add_argument("--hub", default=None, help="your JupyterHub's address, for the nbgitpuller link")
    p_slides = sub.add_parser("slides", help="build a reveal.js deck per notebook (slides/NN_name.slides.html)")
    p_slides.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: all notebooks/NN_*.ipynb)")
    p_slides.add_argument("--out", type=Path, default=None, help="output folder (default: slides/ in the repository)")
    p_slides.add_argument("--annotate", action="store_true", help="first write missing slideshow metadata into the notebooks")
    p_slides.add_argument("--reset", action="store_true", help="with --annotate: recompute every cell's slide type")
    p_slides.add_argument("--reveal-prefix", default=None, help="where the decks load reveal.js from (default: the local copy the build puts in OUT/_assets/reveal.js)")
    sub.add_parser("urls", help="print every link for every notebook")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (ValueError, TypeError, FileNotFoundError) as err:  # bad input: one line, exit 2, as argparse does
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 2
    except OSError as err:  # the file system refused (permissions, disk full): nothing was half-written
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 1


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).splitlines()) or type(err).__name__


def _run(args) -> int:
    if args.command == "fork":
        changed = fork(args.root, args.slug, args.branch, args.hub)
        course = load(args.root)
        print(f"course now at {course.github} (branch {course.branch}); files changed:")
        for rel in changed:
            print(f"  {rel}")
        return 0

    course = load(args.root)
    if args.command == "links":
        changed = write_links(course, args.readme)
        print("updated: " + (", ".join(changed) if changed else "nothing (already up to date)"))
        return 0
    if args.command == "check":
        problems = check(course, args.readme, slides=args.slides)
        for p in problems:
            print(p)
        for note in course_warnings(course):
            print(f"warning: {note}", file=sys.stderr)
        print(f"{len(problems)} problem(s); course.toml: {course.slug}@{course.branch}")
        return 1 if problems else 0
    if args.command == "slides":
        import nbformat

        paths = [p.resolve() for p in args.notebooks] or notebooks(course.root)
        if not paths:
            print("no notebooks found", file=sys.stderr)
            return 1
        if args.annotate:
            for path in paths:
                nb = nbformat.read(path, as_version=4)
                if _write_if_changed(path, annotate(nb, reset=args.reset)):
                    print(f"slide metadata written: {path.name}")
        out = args.out or course.root / "slides"
        for deck in build_slides(paths, out, args.reveal_prefix):
            print(f"deck: {deck}")
        return 0
    if args.command == "urls":
        print(json.dumps({
            "repository": course.github, "branch": course.branch, "pip": course.pip_target,
            "notebooks": {p.name: {"colab": course.colab(p.name), "binder_lab": course.binder_lab(p.name),
                                   "binder_voila": course.binder_voila(p.name),
                                   "hub_lab": course.nbgitpuller(p.name, "lab")}
                          for p in notebooks(course.root)},
        }, indent=2))
        return 0
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
