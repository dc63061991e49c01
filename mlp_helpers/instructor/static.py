"""Static copies of the notebooks (website, slide decks): widget snapshots and offline browser files.

Two things every static copy needs:

* :func:`freeze_widgets` replaces each live widget output (``application/vnd.jupyter.widget-view+json``,
  whose only fallback is a raw text repr such as ``VBox(children=(...``) by a **static snapshot** in
  HTML built from the widget state the notebook saved: the controls with their saved values, the
  readouts and the figure as it was drawn, under a note that the sliders need a live kernel and
  links to Colab, Binder and the Voila app.  The notebook's saved widget state is then dropped, so
  no page tries to load a widget manager from a CDN.
* :func:`vendor` makes sure the browser files the copies use offline (MathJax 3, reveal.js 4,
  axe-core for the accessibility test) are installed from the npm registry into ``node_modules/``
  (``npm ci``, exact versions from ``package.json``/``package-lock.json``; gitignored, never
  committed), and :func:`copy_mathjax` / :func:`copy_reveal` copy them beside a build.
"""
from __future__ import annotations

import base64
import copy
import html
import json
import shutil
import subprocess
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SNAPSHOT_CLASS = "mlp-widget-snapshot"
NPM_PACKAGES = ("mathjax", "reveal.js", "axe-core")
A11Y_MARKER = "mlp_helpers.viz.a11y"  # the comment that starts mlp_helpers.viz.a11y.SLIDER_SCRIPT

# MathJax 3 configuration for pages that carry $...$ text (nbconvert's decks); the website gets
# \(...\) from Sphinx and uses Sphinx's own configuration.
MATHJAX_CONFIG = {
    "tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
            "processEscapes": True, "processEnvironments": True},
    "options": {"ignoreHtmlClass": "tex2jax_ignore|mlp-no-math", "processHtmlClass": "tex2jax_process"},
}


# --------------------------------------------------------------------------- widget snapshots
def widget_models(nb) -> dict:
    """The notebook's saved widget models: model id -> {"model_name", "state", "buffers"}."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return dict(state)


def _ref(value):
    """Model id from an ``IPY_MODEL_<id>`` reference (None if it is not one)."""
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return value[len("IPY_MODEL_"):]
    return None


def _fmt(value, spec):
    spec = (spec or "").strip()
    try:
        return format(value, spec) if spec else f"{value}"
    except (TypeError, ValueError):
        return f"{value}"


def _buffer(model, key):
    for buf in model.get("buffers", []) or []:
        if buf.get("path") == [key] and buf.get("encoding", "base64") == "base64":
            return buf.get("data")
    value = model.get("state", {}).get(key)
    if isinstance(value, str):
        return value
    return None


def _describe(models, model_id, parts, images, controls):
    """Append the HTML of one widget (and its children) to ``parts``."""
    model = models.get(model_id)
    if model is None:
        return
    name = model.get("model_name", "")
    st = model.get("state", {})
    desc = html.escape(str(st.get("description", "") or "").strip())
    if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"):
        kind = "row" if name == "HBoxModel" else "column"
        parts.append(f'<div class="mlp-snapshot-{kind}">')
        for child in st.get("children", []):
            _describe(models, _ref(child), parts, images, controls)
        parts.append("</div>")
    elif name in ("FloatSliderModel", "IntSliderModel", "FloatLogSliderModel", "BoundedFloatTextModel",
                  "BoundedIntTextModel", "FloatTextModel", "IntTextModel"):
        fmt = st.get("readout_format", ".2f" if "Float" in name else "d")
        shown = _fmt(st.get("value"), fmt)
        lo, hi = st.get("min"), st.get("max")
        if name == "FloatLogSliderModel" and lo is not None and hi is not None:
            base = st.get("base", 10)
            lo, hi = base ** lo, base ** hi  # its min and max are exponents
        where = ""
        if lo is not None and hi is not None:
            kind = "slider" if "Slider" in name else "number box"
            where = f' <span class="mlp-snapshot-range">({kind} from {html.escape(_fmt(lo, fmt))} to {html.escape(_fmt(hi, fmt))})</span>'
        controls.append(f"{desc or 'value'} = {shown}")
        parts.append(f'<p class="mlp-snapshot-control"><span class="mlp-snapshot-name">{desc or "value"}</span> = '
                     f"<strong>{html.escape(shown)}</strong>{where}</p>")
    elif name in ("DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectionSliderModel"):
        labels = st.get("_options_labels", [])
        index = st.get("index")
        chosen = labels[index] if isinstance(index, int) and 0 <= index < len(labels) else "(none)"
        controls.append(f"{desc or 'choice'} = {chosen}")
        options = ", ".join(html.escape(str(x)) for x in labels)
        parts.append(f'<p class="mlp-snapshot-control"><span class="mlp-snapshot-name">{desc or "choice"}</span> = '
                     f'<strong>{html.escape(str(chosen))}</strong> <span class="mlp-snapshot-range">(one of: {options})</span></p>')
    elif name in ("CheckboxModel", "ToggleButtonModel"):
        controls.append(f"{desc} = {st.get('value')}")
        parts.append(f'<p class="mlp-snapshot-control"><span class="mlp-snapshot-name">{desc}</span> = '
                     f"<strong>{'on' if st.get('value') else 'off'}</strong></p>")
    elif name in ("HTMLModel", "HTMLMathModel"):
        # Our own readouts (mlp_helpers.viz): HTML we generated, shown as saved.
        parts.append(f'<div class="mlp-snapshot-html">{st.get("value", "")}</div>')
    elif name == "LabelModel":
        parts.append(f"<p>{html.escape(str(st.get('value', '')))}</p>")
    elif name == "ImageModel":
        data = _buffer(model, "value")
        fmt = st.get("format", "png")
        if data:
            images.append((data, fmt, st))
            parts.append("{IMAGE%d}" % (len(images) - 1))
    elif name == "OutputModel":
        for out in st.get("outputs", []):
            d = out.get("data", {})
            if "image/png" in d:
                images.append((d["image/png"], "png", {}))
                parts.append("{IMAGE%d}" % (len(images) - 1))
            elif "text/html" in d:
                parts.append(f'<div class="mlp-snapshot-html">{"".join(d["text/html"])}</div>')
            elif "text/plain" in d or out.get("output_type") == "stream":
                text = "".join(d.get("text/plain", out.get("text", "")))
                parts.append(f"<pre>{html.escape(text)}</pre>")
    # other models (layouts, styles, buttons) carry nothing a reader needs


def snapshot_html(models: dict, model_id: str, links: dict | None = None, show_images: bool = True) -> str:
    """HTML of a static snapshot of widget ``model_id`` (and its children) as the notebook saved it.

    ``links``: {"Colab": url, "Binder": url, "Voilà app": url} for the note (None: no links);
    ``show_images=False`` leaves out the figure (when the cell already shows it as a PNG output).
    """
    parts: list[str] = []
    images: list = []
    controls: list[str] = []
    _describe(models, model_id, parts, images, controls)
    body = "\n".join(parts)
    where = "at " + ", ".join(controls) if controls else "as saved"
    for i, (data, fmt, st) in enumerate(images):
        tag = ""
        if show_images:
            alt = str(st.get("tooltip") or st.get("description") or "").strip() or (
                f"The demo's figure {where}")
            width = str(st.get("width") or "").strip()
            size = f' width="{html.escape(width)}"' if width.isdigit() else ""
            tag = (f'<img class="mlp-snapshot-image" src="data:image/{html.escape(fmt)};base64,{data}"'
                   f' alt="{html.escape(alt)}"{size}>')
        body = body.replace("{IMAGE%d}" % i, tag)
    if links:
        where_live = ", ".join(f'<a href="{html.escape(url)}">{html.escape(name)}</a>' for name, url in links.items())
        live = f" To move them, open this notebook with a live Python kernel: {where_live}."
    else:
        live = " To move them, open the notebook with a live Python kernel (Colab, Binder or the Voilà app)."
    note = (f'<p class="mlp-snapshot-note"><strong>Static snapshot.</strong> The sliders of this demo are '
            f"shown at their starting values; here they cannot move.{live}</p>")
    return f'<div class="{SNAPSHOT_CLASS}">\n{note}\n{body}\n</div>'


def freeze_widgets(nb, links: dict | None = None):
    """Copy of ``nb`` with every widget output replaced by its static snapshot (HTML) and the
    saved widget state removed (so nothing loads a widget manager)."""
    nb = copy.deepcopy(nb)
    models = widget_models(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # the slider-labelling script of mlp_helpers.viz.a11y has nothing to do in a static copy
        cell.outputs = [o for o in cell.get("outputs", [])
                        if A11Y_MARKER not in "".join(o.get("data", {}).get("application/javascript", ""))]
        has_png = any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])
                      if WIDGET_VIEW not in o.get("data", {}))
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            model_id = data[WIDGET_VIEW].get("model_id")
            if model_id in models:
                text = snapshot_html(models, model_id, links, show_images=not has_png)
            else:
                text = ('<div class="%s"><p class="mlp-snapshot-note"><strong>Interactive demo.</strong> '
                        "Its sliders need a live Python kernel (Colab, Binder or the Voilà app).</p></div>"
                        % SNAPSHOT_CLASS)
            out["data"] = {"text/html": text}
            out.setdefault("metadata", {})
    nb.metadata.pop("widgets", None)
    return nb


def _heading_lines(text: str):
    """(index, level) of every ATX heading line of markdown ``text`` outside code fences."""
    import re

    fence = None
    for i, line in enumerate(text.split("\n")):
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
            continue
        if fence is None:
            h = re.match(r"^(#{1,6})\s", line)
            if h:
                yield i, len(h.group(1))


def nest_output_headings(nb):
    """Copy of ``nb`` whose markdown *outputs* (e.g. a worked solution shown with ``display(Markdown(...))``)
    have their headings moved under the notebook heading above them, so a static page keeps one
    ``h1`` and no skipped level."""
    nb = copy.deepcopy(nb)
    current = 1
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            levels = [lvl for _, lvl in _heading_lines(cell.source)]
            current = levels[-1] if levels else current
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" not in data:
                continue
            text = data["text/markdown"] if isinstance(data["text/markdown"], str) else "".join(data["text/markdown"])
            found = list(_heading_lines(text))
            if not found:
                continue
            shift = current + 1 - min(lvl for _, lvl in found)
            if shift <= 0:
                continue
            lines = text.split("\n")
            for i, lvl in found:
                lines[i] = "#" * min(6, lvl + shift) + lines[i][lvl:]
            data["text/markdown"] = "\n".join(lines)
    return nb


# --------------------------------------------------------------------------- vendored browser files
def node_modules(root: Path) -> Path:
    return Path(root) / "node_modules"


def _installed_version(root: Path, package: str) -> str | None:
    meta = node_modules(root) / package / "package.json"
    if not meta.is_file():
        return None
    return json.loads(meta.read_text(encoding="utf-8")).get("version")


def vendor(root: Path, quiet: bool = True) -> Path:
    """Install the pinned browser files into ``root/node_modules`` with ``npm ci`` unless they are
    already there at the versions ``package.json`` names; return the node_modules path."""
    root = Path(root)
    wanted = json.loads((root / "package.json").read_text(encoding="utf-8"))["dependencies"]
    if all(_installed_version(root, name) == version for name, version in wanted.items()):
        return node_modules(root)
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError(
            "the website and offline slides need MathJax and reveal.js from the npm registry, and `npm` "
            "was not found: install Node.js (Debian: `apt-get install -y npm`), then run this again "
            "(it runs `npm ci` once; the files go to node_modules/, which git ignores)")
    cmd = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(cmd, cwd=root, check=True, stdout=subprocess.DEVNULL if quiet else None)
    missing = [n for n, v in wanted.items() if _installed_version(root, n) != v]
    if missing:
        raise RuntimeError(f"`npm ci` did not install {missing} at the versions in package.json")
    return node_modules(root)


MATHJAX_ENTRY = "tex-chtml-full.js"  # TeX input, HTML output, menu and assistive MathML in one file


def copy_mathjax(root: Path, dest: Path) -> Path:
    """Copy MathJax 3's browser build (es5/) to ``dest``: the one combined file the pages load,
    plus the folders it loads on demand (fonts, menu, accessibility extensions, speech rules),
    without the other combined files; return ``dest``."""
    src = node_modules(root) / "mathjax" / "es5"
    if dest.exists():
        shutil.rmtree(dest)

    def skip(folder, names):
        if Path(folder) == src:
            return [n for n in names if n.endswith(".js") and n not in (MATHJAX_ENTRY, "core.js", "loader.js", "startup.js")]
        return []

    shutil.copytree(src, dest, ignore=skip)
    shutil.copy2(node_modules(root) / "mathjax" / "LICENSE", dest / "LICENSE")
    return dest


def copy_reveal(root: Path, dest: Path) -> Path:
    """Copy reveal.js 4 (dist/ and the speaker-notes plugin) to ``dest``; return ``dest``."""
    src = node_modules(root) / "reveal.js"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src / "dist", dest / "dist")
    shutil.copytree(src / "plugin" / "notes", dest / "plugin" / "notes")
    shutil.copy2(src / "LICENSE", dest / "LICENSE")
    return dest


def mathjax_script(src: str) -> str:
    """<script> tags that configure MathJax 3 for $...$ and load it from ``src`` (a local path)."""
    return ("<script>window.MathJax = " + json.dumps(MATHJAX_CONFIG) + ";</script>\n"
            f'<script defer src="{html.escape(src)}"></script>')
