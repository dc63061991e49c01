"""Sliders a screen reader can name and the keyboard alone can move, in every Jupyter front-end.

ipywidgets 8 draws a slider's handle as ``<div role="slider">`` (noUiSlider) beside a separate
``<label>`` that is not tied to it, so the handle has no accessible name (axe-core:
``aria-input-field-name``, serious), and in Notebook 7 the arrow keys pressed on a focused handle
are taken by the notebook's own shortcuts.  :func:`accessible_sliders` displays a small script
(once per page) that, for every slider on the page now or later:

* points the handle's ``aria-labelledby`` at the slider's description label (``aria-label``
  "slider" when it has none) and names the editable readout after it too;
* gives an ``Image`` widget whose ``tooltip`` is set (ipywidgets shows it as ``title``) that text
  as its ``alt`` text;
* keeps arrow keys, Home/End and Page Up/Down on a focused handle: Notebook 7 (and JupyterLab)
  would take them for their own shortcuts, so the script marks such a key event handled
  (``preventDefault`` in the window's capture phase, which the notebook's shortcut handler
  respects) before the notebook sees it, and also marks the slider ``data-lm-suppress-shortcuts``.

Every demo builder in :mod:`mlp_helpers.viz` calls it before returning its widget.  Where no
browser runs the script (tests, nbconvert, Colab's per-output frames) it does nothing harmful;
outside an IPython kernel it displays nothing at all.
"""
from __future__ import annotations

MARKER = "mlp_helpers.viz.a11y"

SLIDER_SCRIPT = """// %s: name every slider for screen readers; keep arrow keys on it.
(function () {
  if (window.mlpSliderA11y) { window.mlpSliderA11y(); return; }
  var count = 0, pending = false;
  function fix() {
    pending = false;
    document.querySelectorAll('.widget-slider, .widget-hslider, .widget-vslider').forEach(function (box) {
      var handle = box.querySelector('[role="slider"], .noUi-handle, .ui-slider-handle');
      if (!handle) { return; }
      var label = box.querySelector('.widget-label');
      var text = label ? label.textContent.trim() : '';
      if (text) {
        if (!label.id) { label.id = 'mlp-slider-label-' + (++count); }
        handle.setAttribute('aria-labelledby', label.id);
      } else if (!handle.getAttribute('aria-label')) {
        handle.setAttribute('aria-label', 'slider');
      }
      if (!handle.hasAttribute('role')) { handle.setAttribute('role', 'slider'); }
      if (!handle.hasAttribute('tabindex')) { handle.setAttribute('tabindex', '0'); }
      var readout = box.querySelector('.widget-readout');
      if (readout && !readout.getAttribute('aria-label')) {
        readout.setAttribute('aria-label', (text || 'slider') + ' value (editable)');
      }
      box.setAttribute('data-lm-suppress-shortcuts', 'true');
    });
    // an Image widget's tooltip (title) is its text alternative
    document.querySelectorAll('img.widget-image[title]:not([alt])').forEach(function (img) {
      img.setAttribute('alt', img.getAttribute('title'));
    });
  }
  window.mlpSliderA11y = fix;
  fix();
  // Notebook 7 and JupyterLab take arrow keys for their own shortcuts before the slider sees them
  // (a keydown listener on the document, capture phase).  Marking the event handled first, on the
  // window, makes them skip it; the slider's own handler still moves it.
  var keys = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'];
  window.addEventListener('keydown', function (e) {
    var t = e.target;
    if (keys.indexOf(e.key) >= 0 && t && t.closest && t.closest('.widget-slider, .widget-hslider, .widget-vslider')
        && t.matches('[role="slider"], .noUi-handle, .ui-slider-handle')) {
      e.preventDefault();
    }
  }, true);
  new MutationObserver(function () {
    if (!pending) { pending = true; window.requestAnimationFrame(fix); }
  }).observe(document.body, {childList: true, subtree: true});
})();
""" % MARKER


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def accessible_sliders() -> None:
    """Display the slider script (see the module docstring); nothing outside a Jupyter kernel."""
    if not _in_kernel():
        return
    from IPython.display import Javascript, display

    display(Javascript(SLIDER_SCRIPT))
