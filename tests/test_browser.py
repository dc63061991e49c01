"""Real-browser test: every notebook served as a Voila app and driven in headless Chromium.

For each ``notebooks/NN_*.ipynb``:

1. start Voila on a free 127.0.0.1 port (stopped by PID in teardown, also on failure);
2. open it in Debian's Chromium through Playwright and wait until the notebook has run
   (no cell may show an error);
3. find the notebook's viz module: ``metadata["mlp_course"]["viz_module"]`` if the notebook
   sets it, else the first ``mlp_helpers.viz.<name>`` module the notebook imports that defines
   ``BROWSER_SLIDER`` (a notebook with none, e.g. 05, is rendered and screenshotted, then skipped);
4. check every ``span.mlp-readout[data-key=K]`` shows ``browser_expected(BROWSER_DEFAULT)[K]``,
   press ArrowRight once on the slider whose description is ``BROWSER_SLIDER``, and check the
   readouts change to ``browser_expected(BROWSER_DEFAULT + BROWSER_STEP)`` (computed by the viz
   module directly with mlp_helpers math, not by the callback) and that the figure ``<img>``
   in the same cell is re-rendered with new pixels;
5. save ``artifacts/screenshots/NN_name.png`` (the slider's cell after the move) and
   ``NN_name-page.png`` (the whole app); the time per notebook (Voila start to last screenshot)
   goes to ``artifacts/browser_times.json``.

Needs Debian's Chromium (``apt-get install -y chromium``) and Playwright
(``pip install playwright``; never ``playwright install``: the test drives /usr/bin/chromium).
Without them the test skips with that hint, except under CI (``CI`` set), where it fails:
``.ci/steps/10_browser_deps.sh`` installs both.

Environment overrides (for developing the test itself): ``MLP_COURSE_NOTEBOOKS`` (folder of
notebooks), ``MLP_COURSE_ARTIFACTS`` (output folder), ``MLP_CHROMIUM`` (browser binary).
"""
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = Path(os.environ.get("MLP_COURSE_NOTEBOOKS", ROOT / "notebooks"))
ARTIFACTS = Path(os.environ.get("MLP_COURSE_ARTIFACTS", ROOT / "artifacts"))
CHROMIUM = os.environ.get("MLP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
INSTALL_HINT = ("install Debian's Chromium with `apt-get install -y chromium` and Playwright with "
                "`pip install playwright` (do NOT run `playwright install`; .ci/steps/10_browser_deps.sh does both)")
LOAD_TIMEOUT_MS = 180_000  # Voila runs the whole notebook before the app appears
UPDATE_TIMEOUT_MS = 20_000
SLIDER_HANDLE = ".noUi-handle, .ui-slider-handle"  # ipywidgets 8, ipywidgets 7

TIMES = {}


def course_notebooks():
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def viz_module_for(nb_path):
    """The viz module (imported) that drives ``nb_path``'s browser test, or None."""
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    explicit = nb.get("metadata", {}).get("mlp_course", {}).get("viz_module")
    if explicit:
        return importlib.import_module(explicit)
    names = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        for m in re.finditer(r"mlp_helpers\.viz\.(\w+)", src):
            names.append(m.group(1))
        for m in re.finditer(r"from\s+mlp_helpers\.viz\s+import\s+\(?([\w\s,]+)\)?", src):
            names += [n.split(" as ")[0].strip() for n in m.group(1).split(",") if n.strip()]
    for name in dict.fromkeys(names):
        try:
            module = importlib.import_module(f"mlp_helpers.viz.{name}")
        except ImportError:
            continue  # an imported function, not a module
        if hasattr(module, "BROWSER_SLIDER"):
            return module
    return None


def _require_browser():
    def missing(why):
        if os.environ.get("CI"):
            pytest.fail(f"{why} under CI: {INSTALL_HINT}")
        pytest.skip(f"{why}: {INSTALL_HINT}")

    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        missing("Playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium not found at {CHROMIUM}")


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception:
        pw.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()
        if TIMES:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            total = round(sum(TIMES.values()), 1)
            (ARTIFACTS / "browser_times.json").write_text(
                json.dumps({"seconds_per_notebook": TIMES, "total_seconds": total}, indent=2) + "\n")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _voila_command():
    exe = Path(sys.executable).with_name("voila")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("voila")
    if found:
        return [found]
    pytest.skip("voila is not installed in this environment: pip install -r requirements.txt")


def _stop(proc):
    """Stop a server we started, by its PID (SIGTERM: Voila shuts its kernels down), then its group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group we created with start_new_session
            proc.wait(timeout=10)


@pytest.fixture
def voila_app(request):
    """Start Voila for request.param (a notebook path); yield (url, log path, start time); always stop it."""
    nb = request.param
    started = time.monotonic()
    port = _free_port()
    logdir = ARTIFACTS / "voila"
    logdir.mkdir(parents=True, exist_ok=True)
    log_path = logdir / f"{nb.stem}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        _voila_command() + [str(nb), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                            "--show_tracebacks=True"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"voila exited with {proc.returncode}; log: {log_path}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"voila did not listen on 127.0.0.1:{port} within 60 s; log: {log_path}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", log_path, started
    finally:
        _stop(proc)
        log.close()


_IMAGE_DIGESTS_JS = """async (imgs) => Promise.all(imgs.map(async (img) => {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return [img.src, Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, "0")).join("")];
}))"""


def _images(scope):
    return [tuple(x) for x in scope.locator("img").evaluate_all(_IMAGE_DIGESTS_JS)]


def _expect_readouts(scope, expected):
    from playwright.sync_api import expect

    for key, text in expected.items():
        spans = scope.locator(f'span.mlp-readout[data-key="{key}"]')
        exact = re.compile(rf"^\s*{re.escape(text)}\s*$")
        try:
            expect(spans.filter(has_text=exact)).not_to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
        except AssertionError:
            shown = spans.all_inner_texts()
            raise AssertionError(f"readout {key!r} should show {text!r}; the page shows {shown}") from None


def _full_page_screenshot(page, path):
    height = page.evaluate(
        "() => { const c = document.querySelector('#rendered_cells');"
        " return Math.ceil(Math.max(c ? c.scrollHeight : 0, document.body.scrollHeight)); }")
    page.set_viewport_size({"width": 1280, "height": max(720, min(int(height) + 40, 30000))})
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("voila_app", course_notebooks(), ids=lambda p: p.stem, indirect=True)
def test_notebook_in_voila(voila_app, browser, request):
    from playwright.sync_api import expect

    url, log_path, start = voila_app  # start: when Voila was launched
    nb = request.node.callspec.params["voila_app"]
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    viz = viz_module_for(nb)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        # Voila streams the cells while the kernel runs them; the app shell appears when it is done.
        page.wait_for_selector("#loading", state="detached", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".jp-LabShell, #rendered_cells", timeout=LOAD_TIMEOUT_MS)
        body = page.locator("body")
        expect(body).not_to_contain_text("There was an error when executing cell")
        expect(body).not_to_contain_text("Traceback (most recent call last)")
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0, (
            f"{nb.name}: a cell wrote to stderr in Voila (see {log_path})")
        if viz is None:
            _full_page_screenshot(page, shots / f"{nb.stem}-page.png")
            TIMES[nb.stem] = round(time.monotonic() - start, 1)
            pytest.skip(f"{nb.name} imports no mlp_helpers.viz module defining BROWSER_SLIDER "
                        "(rendered in Voila without error; no slider to move)")

        label = page.locator(".widget-label").filter(
            has_text=re.compile(rf"^\s*{re.escape(viz.BROWSER_SLIDER)}\s*$"))
        slider = page.locator(".widget-slider").filter(has=label).first
        try:
            expect(slider).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
        except AssertionError:
            found = page.locator(".widget-slider .widget-label").all_inner_texts()
            pytest.fail(f"{nb.name}: no slider described {viz.BROWSER_SLIDER!r} "
                        f"({viz.__name__}.BROWSER_SLIDER); slider labels on the page: {found}")
        cell = slider.locator("xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' jp-Cell ')][1]")
        scope = cell if cell.count() and cell.locator("span.mlp-readout").count() else page

        before = viz.browser_expected(viz.BROWSER_DEFAULT)
        target = round(viz.BROWSER_DEFAULT + viz.BROWSER_STEP, 12)
        after = viz.browser_expected(target)
        assert before and after.keys() == before.keys(), f"{viz.__name__}.browser_expected keys differ"
        assert before != after, (f"{viz.__name__}: one BROWSER_STEP ({viz.BROWSER_STEP}) changes no readout, "
                                 "so the browser test could not see a change")
        _expect_readouts(scope, before)  # the app starts where the viz module says
        images_before = _images(scope)
        assert images_before, f"{nb.name}: no figure <img> in the slider's cell"

        handle = slider.locator(SLIDER_HANDLE).first
        handle.focus()
        handle.press("ArrowRight")
        _expect_readouts(scope, after)

        # The figure is re-rendered: some <img> gets a new source, and its pixels differ.
        deadline = time.monotonic() + UPDATE_TIMEOUT_MS / 1000
        old_srcs = {src for src, _ in images_before}
        old_digests = {digest for _, digest in images_before}
        while True:
            images_after = _images(scope)
            new = [(src, d) for src, d in images_after if src not in old_srcs]
            if new or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert new, f"{nb.name}: no figure was re-rendered after moving {viz.BROWSER_SLIDER!r}"
        assert any(d not in old_digests for _, d in new), (
            f"{nb.name}: the figure was re-rendered but its pixels did not change")

        target_shot = shots / f"{nb.stem}.png"
        (cell if cell.count() else page).screenshot(path=str(target_shot))
        _full_page_screenshot(page, shots / f"{nb.stem}-page.png")
        TIMES[nb.stem] = round(time.monotonic() - start, 1)
    except (Exception, pytest.fail.Exception):
        try:
            page.screenshot(path=str(shots / f"{nb.stem}-FAILED.png"))
        except Exception:
            pass
        raise
    finally:
        page.close()

