"""The panel, callbacks and figure of notebook 10 (mlp_helpers.viz.together).

Expected numbers come from outside the callbacks: the panel's runs are re-trained here with
the public ``mh.train_together`` on the same split and scored with a plain-numpy forward pass,
and the epoch readouts are compared with ``browser_expected`` (read straight from the history).
"""
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mlp_helpers as mh  # noqa: E402
from mlp_helpers import together as T  # noqa: E402
from mlp_helpers.viz import style  # noqa: E402
from mlp_helpers.viz import together as vt  # noqa: E402
from viz_checks import assert_labelled, shown_png  # noqa: E402


def readout_values(html):
    return dict(re.findall(r'<span class="mlp-readout" data-key="([^"]+)">([^<]*)</span>', html))


@pytest.fixture(scope="module")
def panel():
    return vt.make_panel()


def retrained(**choices):
    """The panel's run, trained again with the public function and scored with numpy."""
    c = {**vt.PANEL_DEFAULT, **choices}
    X_tr, X_va, _, y_tr, y_va, _ = T.digits_split(vt.SPLIT_SEED)
    params, h = mh.train_together(X_tr, y_tr, X_va, y_va, sizes=vt.SIZES, seed=vt.SPLIT_SEED, **c)
    f = {"relu": lambda z: np.maximum(0, z), "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[c["activation"]]
    Z = f(X_va @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    return h, float(np.mean(np.argmax(Z, axis=1) == y_va))


EPOCHS = [1, vt.PANEL_DEFAULT["epochs"] // 2, vt.PANEL_DEFAULT["epochs"]]  # the slider's min, middle, max


@pytest.mark.parametrize("epoch", EPOCHS + [vt.BROWSER_DEFAULT, vt.BROWSER_DEFAULT + vt.BROWSER_STEP])
def test_epoch_callback_matches_browser_expected(panel, epoch):
    vt.train_panel(panel, **vt.PANEL_DEFAULT)
    numbers = vt.update_epoch(panel, epoch)
    assert readout_values(panel.readout.value) == vt.browser_expected(epoch)
    assert panel.marks["loss"].get_xdata()[0] == epoch
    shown_png(panel.image)
    assert f"At epoch {epoch} the training loss is {numbers['train_loss']:.4f}" in style.get_alt(panel.fig)


def test_the_default_run_is_the_public_function(panel):
    vt.train_panel(panel, **vt.PANEL_DEFAULT)
    h, final_val = retrained()
    assert panel.history["val_loss"] == h["val_loss"]
    assert panel.history["val_accuracy"][-1] == final_val
    # the slider's question: the training loss keeps falling after the best validation epoch
    best = h["best_epoch"]
    assert best < h["stopped_epoch"] and h["train_loss"][-1] < h["train_loss"][best - 1]
    assert vt.update_epoch(panel, vt.BROWSER_DEFAULT)["val_accuracy"] < h["val_accuracy"][best - 1]


@pytest.mark.parametrize("choices", [
    {"optimizer": "sgd", "lr": 0.2, "schedule": "step", "p": 0.0, "lam": 0.0, "batch_size": 128, "epochs": 5},
    {"optimizer": "momentum", "lr": 0.05, "activation": "tanh", "init": "xavier", "p": 0.3, "epochs": 20},
    {"optimizer": "rmsprop", "lr": 0.002, "activation": "sigmoid", "init": "plain", "lam": 1e-3,
     "schedule": "warmup_cosine", "batch_size": 16, "epochs": 40, "patience": 5},
])
def test_train_button_matches_the_public_function(panel, choices):
    result = vt.train_panel(panel, **choices)
    h, final_val = retrained(**choices)
    assert result["best_epoch"] == h["best_epoch"] and result["stopped_epoch"] == h["stopped_epoch"]
    assert result["final_val_accuracy"] == final_val
    assert panel.slider.max == h["stopped_epoch"] and panel.slider.value <= h["stopped_epoch"]
    line = panel.lines["val_loss"]
    np.testing.assert_array_equal(line.get_ydata(), h["val_loss"])
    assert panel.lines["best_loss"].get_xdata()[0] == h["best_epoch"]
    for e in (1, (1 + h["stopped_epoch"]) // 2, h["stopped_epoch"]):
        numbers = vt.update_epoch(panel, e)
        assert numbers["val_loss"] == h["val_loss"][e - 1] and numbers["lr"] == h["lr"][e - 1]
    shown_png(panel.image)
    vt.train_panel(panel, **vt.PANEL_DEFAULT)


@pytest.mark.parametrize("name", vt.CHOICES["optimizer"])
def test_optimizer_callback_sets_its_learning_rate(panel, name):
    assert vt.on_optimizer(panel, name) == vt.LR_BY_OPTIMIZER[name]
    assert panel.widgets["lr"].value == vt.LR_BY_OPTIMIZER[name]
    assert vt.LR_BY_OPTIMIZER[name] in vt.CHOICES["lr"]
    vt.on_optimizer(panel, vt.PANEL_DEFAULT["optimizer"])


def test_every_widget_offers_exactly_the_choices(panel):
    for name, w in panel.widgets.items():
        values = [o[1] if isinstance(o, tuple) else o for o in w.options]
        if name == "patience":
            assert values[0] == 0 and [o[0] for o in w.options][0] == "off"  # shown as "off", None for training
            values[0] = None
        assert tuple(values) == vt.CHOICES[name], name
    with pytest.raises(ValueError, match="choices:"):
        vt.train_panel(panel, depth=3)


def test_panel_figure_labelled(panel):
    assert_labelled(panel.fig)


def test_comparison_figure_is_labelled_and_says_the_numbers():
    s = T.summary()
    fig = vt.comparison_figure(s)
    assert_labelled(fig)
    sizes = [t.get_fontsize() for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]
    assert min(sizes) >= 12
    alt = style.get_alt(fig)
    assert alt.startswith(vt.ALT_COMPARISON)
    assert f"chosen {s['test_mean']['chosen']:.4f} ± {s['test_std']['chosen']:.4f}" in alt
    assert set(vt.SHORT) == set(T.GRID)
