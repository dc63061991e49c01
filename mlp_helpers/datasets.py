"""Small datasets made with numpy (no download), and scikit-learn's bundled digits."""
from __future__ import annotations

import numpy as np

from ._validate import check_scalar


def make_moons(n_samples=200, noise=0.15, seed=0):
    """Two interleaving half circles.

    Returns ``X`` of shape ``(n_samples, 2)`` and int labels ``y`` of shape
    ``(n_samples,)`` in {0, 1}; ``numpy.random.default_rng(seed)`` adds the noise
    and shuffles.
    """
    n_samples = check_scalar("n_samples", n_samples, low=2, integer=True)
    noise = check_scalar("noise", noise, low=0.0)
    rng = np.random.default_rng(seed)
    n0 = n_samples // 2
    n1 = n_samples - n0
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    X = np.vstack([
        np.column_stack([np.cos(t0), np.sin(t0)]),
        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
    ])
    y = np.concatenate([np.zeros(n0, int), np.ones(n1, int)])
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0):
    """``n_classes`` interleaved spiral arms (the CS231n toy problem).

    Returns ``X`` ``(n_samples, 2)`` and int labels ``y`` ``(n_samples,)``.
    """
    n_samples = check_scalar("n_samples", n_samples, low=n_classes, integer=True)
    n_classes = check_scalar("n_classes", n_classes, low=2, integer=True)
    noise = check_scalar("noise", noise, low=0.0)
    rng = np.random.default_rng(seed)
    per = np.full(n_classes, n_samples // n_classes)
    per[: n_samples % n_classes] += 1
    Xs, ys = [], []
    for k, m in enumerate(per):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, m) + rng.normal(0.0, noise, m)
        Xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(m, k))
    X, y = np.vstack(Xs), np.concatenate(ys)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def train_test_split(X, y, test_fraction=0.25, seed=0):
    """Shuffle with ``default_rng(seed)`` and split; returns ``X_train, X_test, y_train, y_test``."""
    test_fraction = check_scalar("test_fraction", test_fraction, low=0.0, high=1.0)
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"y: expected {len(X)} labels (one per row of X), got {len(y)}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def load_digits_scaled(test_fraction=0.2, seed=0):
    """scikit-learn's bundled 8x8 digits (1797 images, no download), pixels scaled to [0, 1].

    Returns ``X_train, X_test, y_train, y_test`` with ``X`` rows of 64 features.
    Needs scikit-learn.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_fraction, seed)
