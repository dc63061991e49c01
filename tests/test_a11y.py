"""mlp_helpers.viz.a11y: the script that names every slider and keeps arrow keys on it.

The real front-ends are tested in tests/test_browser.py (Voila: Tab to the slider by its
accessible name, axe-core; Notebook 7: arrow keys).  Here, quickly: every demo builder emits the
script (through viz.demo_box), it stays silent outside a kernel, it is valid JavaScript, and on a page with the DOM
ipywidgets 8 draws for a slider it gives the handle the description as its accessible name and
lets arrow keys through a document-level shortcut handler like Notebook 7's.
"""
import shutil
import subprocess

import matplotlib
import pytest

import webcheck
from mlp_helpers.viz import a11y

matplotlib.use("Agg")

# ipywidgets 8.1's DOM for FloatSlider(description="x1"), as Voila and JupyterLab render it
SLIDER_HTML = """<!DOCTYPE html><html lang="en"><head><title>slider</title></head><body><main>
<div class="lm-Widget jupyter-widgets widget-inline-hbox widget-slider widget-hslider">
  <label class="widget-label" title="null">x1</label>
  <div class="slider-container"><div class="slider noUi-target noUi-ltr noUi-horizontal">
    <div class="noUi-base"><div class="noUi-origin">
      <div class="noUi-handle noUi-handle-lower" data-handle="0" tabindex="0" role="slider"
           aria-orientation="horizontal" aria-valuemin="-3.0" aria-valuemax="3.0" aria-valuenow="1.0"
           aria-valuetext="1.00"></div>
    </div></div></div></div>
  <div class="widget-readout" contenteditable="true">1.00</div>
</div>
<img class="widget-image" title="Bars of the two class probabilities" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main>
<script>
  // A stand-in for Notebook 7's shortcut handler: document, capture phase, takes the arrow keys
  // unless the event was already handled (what Lumino's CommandRegistry does).
  window.seen = [];
  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented) { return; }
    if (e.key.startsWith('Arrow')) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  document.querySelector('.noUi-handle').addEventListener('keydown', function (e) { window.seen.push(e.key); });
</script></body></html>"""


def test_silent_outside_a_kernel(capsys):
    a11y.accessible_sliders()
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("module, builder", [
    ("forward", "forward_demo"), ("forward", "saturation_demo"), ("regularization", "penalty_demo"),
    ("regularization", "make_measured_demo"),
    ("backprop", "make_tangent_demo"), ("update", "make_lr_demo"), ("update", "make_training_demo"),
])
def test_every_demo_builder_emits_the_script(monkeypatch, module, builder):
    import importlib

    mod = importlib.import_module(f"mlp_helpers.viz.{module}")
    calls = []
    monkeypatch.setattr(a11y, "accessible_sliders", lambda: calls.append(builder))  # called by viz.demo_box
    getattr(mod, builder)()
    assert calls == [builder]


def test_script_is_valid_javascript(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install -y nodejs)")
    path = tmp_path / "a11y.js"
    path.write_text(a11y.SLIDER_SCRIPT, encoding="utf-8")
    proc = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_script_names_the_slider_and_lets_arrow_keys_through():
    webcheck.require_browser()
    with webcheck.chromium() as browser:
        page = browser.new_page()
        page.set_content(SLIDER_HTML)
        handle = page.get_by_role("slider", name="x1", exact=True)
        assert handle.count() == 0  # ipywidgets alone: the handle has no accessible name
        handle = page.locator(".noUi-handle")
        handle.focus()
        page.keyboard.press("ArrowRight")
        assert page.evaluate("window.seen") == []  # the notebook's shortcut took the key

        page.add_script_tag(content=a11y.SLIDER_SCRIPT)
        named = page.get_by_role("slider", name="x1", exact=True)
        assert named.count() == 1
        assert page.get_by_role("img", name="Bars of the two class probabilities").count() == 1
        assert page.locator(".widget-readout").get_attribute("aria-label") == "x1 value (editable)"
        named.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Home")
        assert page.evaluate("window.seen") == ["ArrowRight", "Home"]
        page.add_script_tag(content=a11y.SLIDER_SCRIPT)  # displayed again (a second demo): no double work
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("window.seen") == ["ArrowRight", "Home", "ArrowLeft"]
        page.close()
