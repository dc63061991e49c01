"""Shared helpers of the browser tests (test_browser.py, test_site.py): Chromium through Playwright,
a static web server on 127.0.0.1, an offline switch, the axe-core audit and the math check.

Not a test module (pytest collects only test_*.py).
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socketserver
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("MLP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
INSTALL_HINT = ("install Debian's Chromium with `apt-get install -y chromium` and Playwright with "
                "`pip install playwright` (do NOT run `playwright install`; .ci/steps/10_browser_deps.sh does both)")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_HINT = "install the pinned browser files with `npm ci` in the repository root (node_modules/axe-core)"
# WCAG 2.1 A and AA rules, plus axe's best practices (landmarks, headings, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = ("serious", "critical")


def missing(why: str, hint: str = INSTALL_HINT):
    """Skip with a hint, except under CI (``CI`` set), where a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} under CI: {hint}")
    pytest.skip(f"{why}: {hint}")


def require_browser():
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        missing("Playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium not found at {CHROMIUM}")


def require_axe():
    if not AXE_JS.is_file():
        missing(f"axe-core not found at {AXE_JS}", AXE_HINT)


@contextmanager
def chromium():
    """A headless Debian Chromium (Playwright), closed afterwards."""
    require_browser()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path):
    """Serve ``folder`` on a free 127.0.0.1 port; yield the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def offline(page) -> list:
    """Abort every request that leaves this machine (anything but 127.0.0.1/localhost, data:, blob:),
    as in a lecture hall with no network; return the list the aborted URLs are appended to."""
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "http://localhost:", "ws://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return blocked


def axe(page, context=None, disable=()) -> list[dict]:
    """Run axe-core on ``page`` (WCAG 2.1 A/AA and best-practice rules); return its violations
    as {"id", "impact", "help", "nodes": [target, ...]} (at most 5 nodes each)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS},
               "rules": {rule: {"enabled": False} for rule in disable}}
    result = page.evaluate(
        "async ([ctx, opts]) => { const r = await axe.run(ctx || document, opts);"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " count: v.nodes.length, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})); }",
        [context, options])
    return result


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def impact_counts(violations: list[dict]) -> dict:
    """Number of failing elements by impact (minor, moderate, serious, critical)."""
    counts = {k: 0 for k in ("minor", "moderate", "serious", "critical")}
    for v in violations:
        counts[v["impact"] or "minor"] += v["count"]
    return counts


def describe(violations: list[dict]) -> str:
    return "\n".join(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s), e.g. {v['nodes'][:3]})"
                     for v in violations)


MATH_JS = """() => {
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      const el = node.parentElement;
      if (!el || el.closest('script, style, pre, code, textarea, mjx-container, .jp-InputArea, .highlight, .mlp-no-math'))
        return NodeFilter.FILTER_REJECT;
      return NodeFilter.FILTER_ACCEPT;
    }});
  let node;
  while ((node = walker.nextNode())) {
    const t = node.nodeValue;
    if (/\\$[^$\\s][^$]*\\$|\\\\\\(|\\\\\\[|\\\\frac|\\\\sum|\\\\lambda/.test(t)) raw.push(t.trim().slice(0, 80));
  }
  return {rendered: document.querySelectorAll('mjx-container').length, raw: raw.slice(0, 10)};
}"""


def math_status(page) -> dict:
    """{"rendered": number of MathJax outputs, "raw": up to 10 texts that still show TeX source}."""
    return page.evaluate(MATH_JS)


def wait_for_math(page, timeout_ms: int = 30_000):
    """Wait until MathJax (2, 3 or JupyterLab's) has typeset something and stopped adding output."""
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=timeout_ms)
    page.wait_for_function(
        "() => { const n = document.querySelectorAll('mjx-container').length;"
        " const ok = window.__mlpMath === n; window.__mlpMath = n; return ok; }",
        timeout=timeout_ms, polling=300)


def write_json(path: Path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
