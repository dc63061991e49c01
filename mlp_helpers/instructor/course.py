"""Run the course anywhere: badges, the Colab set-up cell, fork links and slides.

Where the course lives (GitHub ``OWNER/REPO`` and branch) is written in ONE
place, ``course.toml`` at the repository root.  Everything that points there
is generated from it by this tool, run from anywhere inside the repository::

    python -m mlp_helpers.instructor.course links     # write badges + Colab set-up cell into every
                                           # notebooks/NN_*.ipynb, and the README tables
    python -m mlp_helpers.instructor.course check     # exit 1 (and say what) if anything disagrees
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

``slides --annotate`` fills in missing ``slideshow.slide_type`` cell metadata
(title and ``##`` headings start a slide, ``###`` headings and prose that
follows code start a sub-slide, the badge and set-up cells are skipped) and
the build uses nbconvert's reveal.js exporter.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

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

SLUG_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
BRANCH_RE = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


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

    def binder_lab(self, nb: str) -> str:
        return f"https://mybinder.org/v2/gh/{self.slug}/{self.branch}?urlpath=lab/tree/notebooks/{nb}"

    def binder_voila(self, nb: str) -> str:
        return f"https://mybinder.org/v2/gh/{self.slug}/{self.branch}?urlpath=voila/render/notebooks/{nb}"

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


def _parse_toml(text: str) -> dict:
    try:
        import tomllib  # Python >= 3.11
    except ModuleNotFoundError:  # Python 3.10: the few `key = "string"` lines this file uses
        data: dict = {}
        section = data
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line)
            if m:
                section = data.setdefault(m.group(1), {})
                continue
            m = re.fullmatch(r'([A-Za-z0-9_-]+)\s*=\s*"([^"]*)"\s*(#.*)?', line)
            if m:
                section[m.group(1)] = m.group(2)
        return data
    return tomllib.loads(text)


def find_root(start: Path | str | None = None) -> Path:
    """The folder holding course.toml: ``start`` (default: the working directory) or a parent of it."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise FileNotFoundError(f"no {CONFIG_NAME} in {here} or any parent folder: run this inside the course repository")


def load(root: Path | str | None = None) -> Course:
    """Read course.toml (from ``root`` or the repository around the working directory)."""
    root = find_root(root)
    data = _parse_toml((root / CONFIG_NAME).read_text(encoding="utf-8"))
    repo = data.get("repository", {})
    slug, branch = repo.get("slug"), repo.get("branch", "main")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ValueError(f"{CONFIG_NAME}: [repository] slug must be 'OWNER/REPO', got {slug!r}")
    if not isinstance(branch, str) or not BRANCH_RE.match(branch):
        raise ValueError(f"{CONFIG_NAME}: [repository] branch must be a git branch name, got {branch!r}")
    hub = data.get("jupyterhub", {}).get("url", "https://hub.example.edu")
    if not isinstance(hub, str) or not re.match(r"^https?://[^\s/]+", hub):
        raise ValueError(f"{CONFIG_NAME}: [jupyterhub] url must be an http(s) address, got {hub!r}")
    return Course(root=root, slug=slug, branch=branch, hub=hub.rstrip("/"))


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


def _write_if_changed(path: Path, nb) -> bool:
    import nbformat

    new = nbformat.writes(nb) + "\n"
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if new == old:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def write_links(course: Course, readme: Path | None = None) -> list[str]:
    """Rewrite badges and set-up cells in every notebook and the README regions; return what changed."""
    import nbformat

    changed = []
    for path in notebooks(course.root):
        nb = nbformat.read(path, as_version=4)
        if _write_if_changed(path, apply_links(nb, course, path.name)):
            changed.append(str(path.relative_to(course.root)))
    readme = readme or course.root / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        new, missing = fill_regions(text, readme_regions(course))
        for name in missing:
            print(f"note: {readme} has no course-links:{name} markers; paste this block there:\n"
                  f"{region_block(name, readme_regions(course)[name])}\n")
        if new != text:
            readme.write_text(new, encoding="utf-8")
            changed.append(str(readme))
    return changed


# --------------------------------------------------------------------------- checking
_URL_CHECKS = (
    # (what, regex with groups slug[, branch])
    ("Colab link", re.compile(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w./-]+?)/notebooks/")),
    ("Binder link", re.compile(r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/([\w.%-]+)")),
    ("pip install target", re.compile(r"git\+https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?@([\w./-]+)")),
    ("nbgitpuller repo", re.compile(r"git-pull\?repo=https%3A%2F%2Fgithub\.com%2F([\w.-]+%2F[\w.-]+)[^\s)\"'>]*?&branch=([\w.%-]+)")),
)


def link_problems(text: str, course: Course, where: str) -> list[str]:
    """Every course link in ``text`` that points somewhere other than course.toml's slug and branch."""
    problems = []
    for what, rx in _URL_CHECKS:
        for m in rx.finditer(text):
            slug = m.group(1).replace("%2F", "/")
            branch = m.group(2).replace("%2F", "/")
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
    oe, ne = re.escape(quote(old.slug, safe="")), quote(new.slug, safe="")
    subs = [
        (rf"(colab\.research\.google\.com/github/){o}/blob/{ob}/", rf"\g<1>{n}/blob/{new.branch}/"),
        (rf"(mybinder\.org/v2/gh/){o}/{ob}(?=[?/#)\s\"']|$)", rf"\g<1>{n}/{new.branch}"),
        (rf"(git\+https://github\.com/){o}(\.git)?@{ob}(?![\w./-])", rf"\g<1>{n}\g<2>@{new.branch}"),
        (rf"(github\.com/){o}/(blob|tree)/{ob}/", rf"\g<1>{n}/\g<2>/{new.branch}/"),
        (rf"(github\.com%2F){oe}", rf"\g<1>{ne}"),
        (rf"(colab\.research\.google\.com/github/|mybinder\.org/v2/gh/|github\.com/){o}(?=[/@#?)\]\s\"'`<>.]|$)",
         rf"\g<1>{n}"),
    ]
    for pattern, repl in subs:
        text = re.sub(pattern, repl, text)
    return text


def _set_toml_value(text: str, section: str, key: str, value: str) -> str:
    sec = re.search(rf"^\[{re.escape(section)}\][^\n]*\n", text, re.M)
    if not sec:
        return text.rstrip("\n") + f'\n\n[{section}]\n{key} = "{value}"\n'
    start = sec.end()
    nxt = re.search(r"^\[", text[start:], re.M)
    end = start + nxt.start() if nxt else len(text)
    body = text[start:end]
    line = re.compile(rf'^({re.escape(key)}\s*=\s*)"[^"]*"', re.M)
    body = line.sub(lambda m: f'{m.group(1)}"{value}"', body, count=1) if line.search(body) \
        else f'{key} = "{value}"\n' + body
    return text[:start] + body + text[end:]


def fork(root: Path | str | None, slug: str, branch: str | None = None, hub: str | None = None) -> list[str]:
    """Retarget the repository at ``root`` to ``slug`` (and ``branch``/``hub``); return the files changed."""
    import nbformat

    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ValueError(f"slug must be 'OWNER/REPO' (a GitHub account and repository name), got {slug!r}")
    if branch is not None and not BRANCH_RE.match(branch):
        raise ValueError(f"branch must be a git branch name, got {branch!r}")
    if hub is not None and not re.match(r"^https?://[^\s/]+", hub):
        raise ValueError(f"hub must be an http(s) address, got {hub!r}")
    old = load(root)
    cfg = old.root / CONFIG_NAME
    text = cfg.read_text(encoding="utf-8")
    text = _set_toml_value(text, "repository", "slug", slug)
    text = _set_toml_value(text, "repository", "branch", branch or old.branch)
    if hub is not None:
        text = _set_toml_value(text, "jupyterhub", "url", hub.rstrip("/"))
    cfg.write_text(text, encoding="utf-8")
    new = load(old.root)
    changed = [CONFIG_NAME]
    for rel in LINKED_TEXT_FILES:
        p = old.root / rel
        if p.exists():
            t = p.read_text(encoding="utf-8")
            t2 = retarget(t, old, new)
            if t2 != t:
                p.write_text(t2, encoding="utf-8")
                changed.append(rel)
    for path in notebooks(old.root):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = retarget(cell.source, old, new)
        if _write_if_changed(path, nb):
            changed.append(str(path.relative_to(old.root)))
    for rel in write_links(new):
        rel = str(Path(rel).relative_to(old.root)) if Path(rel).is_absolute() else rel
        if rel not in changed:
            changed.append(rel)
    return changed


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
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


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
