"""The two worked examples the course grew from, as data.

``seed000()`` is the 3-4-2 ReLU/softmax network of seed 000 (rows layout,
batch of one), ``seed001()`` the 4-3-2 ReLU+sin/softmax network of seed 001
(columns layout).  Each returns a dict with ``params``, ``X``, ``Y`` and the
options (``activation``, ``loss``, ``layout``, ``lam`` ...), fresh arrays every call.
"""
import numpy as np


def seed000():
    """Seed 000: x (1, 3), W1 (3, 4), b1 (1, 4), W2 (4, 2), b2 (1, 2), y = [[1, 0]]."""
    return {
        "params": {
            "W1": np.array([[2.5, -1.2, 0.8, 3.1], [-0.5, 2.8, -1.5, 0.3], [1.7, -0.9, 2.3, -1.8]]),
            "b1": np.array([[0.5, -0.3, 0.2, 0.7]]),
            "W2": np.array([[1.5, -2.3], [-0.8, 1.9], [2.1, -0.6], [-1.3, 2.7]]),
            "b2": np.array([[0.3, -0.5]]),
        },
        "X": np.array([[1.0, 0.5, 2.0]]),
        "Y": np.array([[1.0, 0.0]]),
        "activation": "relu",
        "loss": "cross_entropy",
        "layout": "rows",
        "lam_l2": 0.01,
        "lam_l1": 0.005,
        "given_data_grad_W2_00": -0.3,  # stated in the seed, not computed there
    }


def seed001():
    """Seed 001: x (4,), W1 (3, 4), b1 (3,), W2 (2, 3), b2 (2,), y = (1, 0), α = 0.001."""
    return {
        "params": {
            "W1": np.array([[0.1, -0.2, 0.3, 0.4], [0.5, -0.3, 0.1, -0.2], [0.4, 0.2, -0.5, 0.3]]),
            "b1": np.array([0.1, -0.1, 0.05]),
            "W2": np.array([[-0.3, 0.2, 0.1], [0.4, -0.5, 0.3]]),
            "b2": np.array([0.05, -0.05]),
        },
        "X": np.array([1.0, -1.0, 0.5, 2.0]),
        "Y": np.array([1.0, 0.0]),
        "activation": "relu_plus_sin",
        "loss": "cross_entropy",
        "layout": "columns",
        "lr": 0.001,
    }
