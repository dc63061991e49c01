"""Real-browser test: every notebook served as a Voila app and driven in headless Chromium.

For each ``notebooks/NN_*.ipynb``:

1. start Voila on a free 127.0.0.1 port (stopped by PID in teardown, also on failure);
2. open it in Debian's Chromium through Playwright with every request that leaves this machine
   aborted (a lecture hall with no network), time it until the first slider shows, and wait
   until the notebook has run (no cell may show an error);
3. the formulas are typeset offline (MathJax output present, no raw ``$...$`` left);
4. find the notebook's viz module: ``metadata["mlp_course"]["viz_module"]`` if the notebook
   sets it, else the first ``mlp_helpers.viz.<name>`` module the notebook imports that defines
   ``BROWSER_SLIDER`` (a notebook with none, e.g. 05, is rendered, audited and screenshotted,
   then skipped);
5. the slider whose accessible name is ``BROWSER_SLIDER`` is reached with the Tab key alone from
   the top of the page, every ``span.mlp-readout[data-key=K]`` shows
   ``browser_expected(BROWSER_DEFAULT)[K]``, ArrowRight moves the slider one step, and the
   readouts change to ``browser_expected(BROWSER_DEFAULT + BROWSER_STEP)`` (computed by the viz
   module directly with mlp_helpers math, not by the callback) and the figure ``<img>`` in the
   same cell is re-rendered with new pixels;
6. 20 more arrow-key moves are timed from the key press to the new figure painted;
7. save ``artifacts/screenshots/NN_name.png`` (the slider's cell after the move) and
   ``NN_name-page.png`` (the whole app);
8. an axe-core audit of the app (WCAG 2.1 A/AA and best practices) finds no serious or critical
   violation (run last, so that a failure still leaves every timing recorded).

``test_keyboard_in_notebook7`` opens notebook 02 in Notebook 7 (``jupyter notebook``), runs it,
and moves its main slider with the arrow keys.

``test_preheated_voila`` serves notebook 02 with Voila's pre-heated kernels
(``--preheat_kernel=True --pool_size=1``, as the README recommends for lectures) and times a
visit once the pool's kernel has run the notebook.

Timings go to ``artifacts/browser_times.json`` (``benchmarks/browser.py`` copies them into
benchmarks/README.md), audit results to ``artifacts/a11y/voila.json``.  Timings are reported,
never asserted (speed targets are checked by the benchmark, not by timed tests).

Needs Debian's Chromium (``apt-get install -y chromium``), Playwright (``pip install
playwright``; never ``playwright install``: the test drives /usr/bin/chromium) and axe-core
(``npm ci``).  Without them the test skips with that hint, except under CI (``CI`` set), where it
fails: ``.ci/steps/10_browser_deps.sh`` installs them.

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
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

import webcheck

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = Path(os.environ.get("MLP_COURSE_NOTEBOOKS", ROOT / "notebooks"))
ARTIFACTS = Path(os.environ.get("MLP_COURSE_ARTIFACTS", ROOT / "artifacts"))
CHROMIUM = webcheck.CHROMIUM
CHROMIUM_ARGS = webcheck.CHROMIUM_ARGS
INSTALL_HINT = webcheck.INSTALL_HINT
LOAD_TIMEOUT_MS = 180_000  # Voila runs the whole notebook before the app appears
UPDATE_TIMEOUT_MS = 20_000
SLIDER_HANDLE = ".noUi-handle, .ui-slider-handle"  # ipywidgets 8, ipywidgets 7
MAX_TABS = 400  # Tab presses allowed to reach the main slider from the top of the page
TIMED_MOVES = 20
PREHEAT_NOTEBOOK = "02_regularization.ipynb"

TIMES = {}
AUDITS = {}


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
    webcheck.require_browser()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    webcheck.require_axe()
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
            try:
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            except OSError:
                load = "unknown"
            webcheck.write_json(ARTIFACTS / "browser_times.json", {
                "measured": time.strftime("%Y-%m-%d %H:%M %Z"), "load_average_after": load,
                "cores": os.cpu_count(), "notebooks": TIMES})
        if AUDITS:
            webcheck.write_json(ARTIFACTS / "a11y" / "voila.json", AUDITS)


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


def _start_voila(nb, log_path, extra=()):
    """Start Voila on ``nb`` on a free loopback port; wait until it listens; return (proc, url)."""
    port = _free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        _voila_command() + [str(nb), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                            "--show_tracebacks=True", *extra],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()  # the child keeps its own descriptor
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"voila exited with {proc.returncode}; log: {log_path}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                _stop(proc)
                pytest.fail(f"voila did not listen on 127.0.0.1:{port} within 60 s; log: {log_path}")
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}/"


@pytest.fixture
def voila_app(request):
    """Start Voila for request.param (a notebook path); yield (url, log path, seconds to listen); always stop it."""
    nb = request.param
    started = time.monotonic()
    logdir = ARTIFACTS / "voila"
    logdir.mkdir(parents=True, exist_ok=True)
    log_path = logdir / f"{nb.stem}.log"
    proc, url = _start_voila(nb, log_path)
    try:
        yield url, log_path, round(time.monotonic() - started, 2)
    finally:
        _stop(proc)


_IMAGE_DIGESTS_JS = """async (imgs) => Promise.all(imgs.map(async (img) => {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return [img.src, Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, "0")).join("")];
}))"""

# Paint timing: a key press's time (capture phase, before the widget sees it) and, for every <img>
# in the slider's cell whose src changes, the time the new picture is decoded and painted.
_PAINT_PROBE_JS = """(imgs) => {
    window.__mlpPaints = [];
    window.__mlpKeys = [];
    document.addEventListener("keydown", () => window.__mlpKeys.push(performance.now()), true);
    // A live figure is redrawn either by a new src on its <img> (an Image widget) or by a new <img>
    // element in the same container (viz.LiveFigure's HTML widget): watch the container for both.
    const containers = new Set(imgs.map((img) => img.parentElement).filter((el) => el));
    containers.forEach((box) => new MutationObserver(() => {
        const img = box.querySelector("img");
        if (!img) { return; }
        img.decode().catch(() => null).then(() => requestAnimationFrame(() =>
            window.__mlpPaints.push(performance.now())));
    }).observe(box, {childList: true, subtree: true, attributes: true, attributeFilter: ["src"]}));
}"""


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


def _tab_to(page, handle):
    """Press Tab from the top of the page until ``handle`` has the keyboard focus; return the count."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); }")
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if handle.evaluate("h => h === document.activeElement"):
            return presses
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"{MAX_TABS} presses of Tab never reached the slider; focus ended on {focused}")


def _timed_moves(page, scope, n):
    """Press ArrowLeft/ArrowRight ``n`` times on the focused slider; return the milliseconds from
    each key press to the new figure painted."""
    scope.locator("img").evaluate_all(_PAINT_PROBE_JS)
    times = []
    for i in range(n):
        key = "ArrowLeft" if i % 2 == 0 else "ArrowRight"  # stay around the default value
        painted = page.evaluate("() => window.__mlpPaints.length")
        page.keyboard.press(key)
        page.wait_for_function(f"() => window.__mlpPaints.length > {painted}", timeout=UPDATE_TIMEOUT_MS)
        times.append(page.evaluate(
            "() => { const k = window.__mlpKeys[window.__mlpKeys.length - 1];"
            " const p = window.__mlpPaints.find((t) => t > k); return p - k; }"))
        page.wait_for_timeout(150)  # let the kernel settle before the next move
    return [round(t, 1) for t in times]


def _math(page, nb, record):
    """The formulas are typeset with the network blocked (Voila bundles MathJax)."""
    webcheck.wait_for_math(page)
    math = webcheck.math_status(page)
    record["math_rendered"] = math["rendered"]
    assert math["rendered"] > 0, f"{nb.name}: no formula was typeset (MathJax) with the network blocked"
    assert not math["raw"], f"{nb.name}: TeX source left untypeset: {math['raw']}"


def _audit(page, nb):
    """axe-core audit of the rendered app; fails on serious or critical violations."""
    violations = webcheck.axe(page)
    AUDITS[nb.stem] = {"counts": webcheck.impact_counts(violations), "violations": violations}
    bad = webcheck.blocking(violations)
    assert not bad, f"{nb.name} in Voila: serious/critical accessibility violations:\n{webcheck.describe(bad)}"


@pytest.mark.parametrize("voila_app", course_notebooks(), ids=lambda p: p.stem, indirect=True)
def test_notebook_in_voila(voila_app, browser, request):
    from playwright.sync_api import expect

    url, log_path, listen_s = voila_app
    nb = request.node.callspec.params["voila_app"]
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    viz = viz_module_for(nb)
    record = TIMES.setdefault(nb.stem, {})
    record["voila_listening_s"] = listen_s
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    blocked = webcheck.offline(page)
    try:
        opened = time.monotonic()
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        if viz is not None:
            page.locator(".widget-slider").first.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
            record["first_slider_s"] = round(time.monotonic() - opened, 2)
        # Voila streams the cells while the kernel runs them; the app shell appears when it is done.
        page.wait_for_selector("#loading", state="detached", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".jp-LabShell, #rendered_cells", timeout=LOAD_TIMEOUT_MS)
        record["app_rendered_s"] = round(time.monotonic() - opened, 2)
        body = page.locator("body")
        expect(body).not_to_contain_text("There was an error when executing cell")
        expect(body).not_to_contain_text("Traceback (most recent call last)")
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0, (
            f"{nb.name}: a cell wrote to stderr in Voila (see {log_path})")
        _math(page, nb, record)
        record["blocked_requests"] = len(blocked)
        if viz is None:
            _full_page_screenshot(page, shots / f"{nb.stem}-page.png")
            _audit(page, nb)
            pytest.skip(f"{nb.name} imports no mlp_helpers.viz module defining BROWSER_SLIDER "
                        "(rendered offline in Voila without error and audited; no slider to move)")

        # The slider is found by its accessible name, as a screen reader announces it.
        handle = page.get_by_role("slider", name=viz.BROWSER_SLIDER, exact=True)
        try:
            expect(handle).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
        except AssertionError:
            names = page.locator('[role="slider"]').evaluate_all(
                "hs => hs.map(h => h.getAttribute('aria-label') || (h.getAttribute('aria-labelledby') &&"
                " (document.getElementById(h.getAttribute('aria-labelledby')) || {}).textContent) || null)")
            pytest.fail(f"{nb.name}: no slider with the accessible name {viz.BROWSER_SLIDER!r} "
                        f"({viz.__name__}.BROWSER_SLIDER); slider names on the page: {names}")
        slider = page.locator(".widget-slider").filter(has=handle).first
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

        # Keyboard only: Tab to the slider, then one ArrowRight.
        record["tabs_to_main_slider"] = _tab_to(page, handle)
        page.keyboard.press("ArrowRight")
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

        # Key press -> new figure painted, TIMED_MOVES times (the slider still has the focus).
        moves = _timed_moves(page, scope, TIMED_MOVES)
        record["main_slider"] = viz.BROWSER_SLIDER
        record["move_to_paint_ms_median"] = round(statistics.median(moves), 1)
        record["move_to_paint_ms"] = moves
        _full_page_screenshot(page, shots / f"{nb.stem}-page.png")
        _audit(page, nb)  # last, so that a failing audit still leaves every timing recorded
    except (Exception, pytest.fail.Exception):
        try:
            page.screenshot(path=str(shots / f"{nb.stem}-FAILED.png"))
        except Exception:
            pass
        raise
    finally:
        page.close()


def _wait_until_idle(proc, timeout=180.0, quiet_s=1.5):
    """Wait until Voila's kernels (children of ``proc``) have stopped computing: the pre-heated
    kernel has run the notebook."""
    import psutil

    deadline = time.monotonic() + timeout
    parent = psutil.Process(proc.pid)
    calm_since = None
    while time.monotonic() < deadline:
        kids = parent.children(recursive=True)
        for k in kids:
            try:
                k.cpu_percent(interval=None)  # starts the measurement
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.5)
        busy = 0.0
        for k in kids:
            try:
                busy += k.cpu_percent(interval=None)
            except psutil.NoSuchProcess:
                pass
        if kids and busy < 5.0:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet_s:
                return
        else:
            calm_since = None
    pytest.fail("Voila's pre-heated kernel was still busy after 180 s")


def test_preheated_voila(browser):
    """Lecture set-up: a pre-heated kernel pool; time from opening the page to the first slider."""
    nb = NOTEBOOK_DIR / PREHEAT_NOTEBOOK
    if not nb.exists():
        pytest.skip(f"no {nb}")
    logdir = ARTIFACTS / "voila"
    logdir.mkdir(parents=True, exist_ok=True)
    proc, url = _start_voila(nb, logdir / f"{nb.stem}-preheated.log",
                             extra=("--preheat_kernel=True", "--pool_size=1"))
    page = None
    try:
        _wait_until_idle(proc)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        webcheck.offline(page)
        opened = time.monotonic()
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        page.locator(".widget-slider").first.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
        first = round(time.monotonic() - opened, 2)
        page.wait_for_selector("#loading", state="detached", timeout=LOAD_TIMEOUT_MS)
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
        TIMES.setdefault(f"{nb.stem} (pre-heated)", {})["first_slider_s"] = first
    finally:
        if page is not None:
            page.close()
        _stop(proc)


NOTEBOOK7_NOTEBOOK = "02_regularization.ipynb"


def _jupyter_command():
    exe = Path(sys.executable).with_name("jupyter")
    return [str(exe)] if exe.exists() else [shutil.which("jupyter") or "jupyter"]


def test_keyboard_in_notebook7(browser, tmp_path):
    """Notebook 7 (the classic-style front-end): after Run All, the main slider of 02, announced by
    its name, moves with the arrow keys (Notebook 7's own shortcuts used to swallow them) and the
    readouts follow."""
    from playwright.sync_api import expect

    try:
        import notebook  # noqa: F401
    except ImportError:
        webcheck.missing("Notebook 7 is not installed", "pip install -r requirements.txt")
    src = NOTEBOOK_DIR / NOTEBOOK7_NOTEBOOK
    viz = viz_module_for(src)
    work = tmp_path / "nb7"
    work.mkdir()
    shutil.copy(src, work / src.name)  # a copy: the server may autosave what it runs
    port = _free_port()
    logdir = ARTIFACTS / "voila"
    logdir.mkdir(parents=True, exist_ok=True)
    log_path = logdir / "notebook7.log"
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the page (Notebook 7 otherwise renders only the cells near the viewport)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings")}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            _jupyter_command() + ["notebook", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                                  "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root",
                                  f"--ServerApp.root_dir={work}"],
            cwd=work, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env)
    page = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter notebook did not start; log: {log_path}")
                time.sleep(0.2)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        webcheck.offline(page)
        page.goto(f"http://127.0.0.1:{port}/notebooks/{src.name}", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=LOAD_TIMEOUT_MS)
        select = page.get_by_role("button", name="Select", exact=True)  # "Select Kernel" dialog
        try:
            select.wait_for(state="visible", timeout=15_000)
            select.click()
        except Exception:
            pass  # no dialog: the kernel started by itself
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
        handle = page.get_by_role("slider", name=viz.BROWSER_SLIDER, exact=True)
        expect(handle).to_have_count(1, timeout=LOAD_TIMEOUT_MS)
        cell = page.locator(".jp-Cell").filter(has=handle).first
        _expect_readouts(cell, viz.browser_expected(viz.BROWSER_DEFAULT))
        handle.focus()  # as Tab would: the test of reaching it with Tab runs in Voila above
        page.keyboard.press("ArrowRight")
        _expect_readouts(cell, viz.browser_expected(round(viz.BROWSER_DEFAULT + viz.BROWSER_STEP, 12)))
        page.keyboard.press("ArrowLeft")
        _expect_readouts(cell, viz.browser_expected(viz.BROWSER_DEFAULT))
    finally:
        if page is not None:
            page.close()
        _stop(proc)
