"""Published worked examples, as data.

``mazur()`` is Matt Mazur's "A Step by Step Backpropagation Example"
(https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/),
the most-copied backpropagation example: a 2-2-2 network with sigmoid hidden
*and* sigmoid output units, :math:`E = \\sum_k \\tfrac12 (\\text{target}_k - \\text{out}_k)^2`
(``reduction="sum"``; for one sample the mean is the same), learning rate 0.5.
In this package it is one call each::

    ex = mazur()
    cache = forward(ex["params"], ex["X"], **ex["options"])
    grads, _ = backward(ex["params"], cache, ex["Y"], reduction="sum", **ex["options"])
    new = sgd_step(ex["params"], grads, ex["lr"])

``options`` holds ``activation="sigmoid"``, ``loss="half_sse"``,
``output="sigmoid"`` and ``layout="columns"`` (his
:math:`\\text{net}_{h1} = w_1 i_1 + w_2 i_2 + b_1` is row 1 of ``W1 @ x``).
Each layer's bias is one number shared by both of its units (b1 = 0.35,
b2 = 0.60), written here as a bias vector with two equal entries.  He updates
only the weights w1..w8, not the biases.  ``printed`` holds the numbers as the
post prints them (strings, to keep every printed digit).
"""
import numpy as np


def mazur():
    """Mazur's 2-2-2 example: ``params`` (columns layout), ``X`` (2,), ``Y`` (2,),
    ``options`` (for forward and backward), ``reduction``, ``lr`` and the numbers
    the post prints; fresh arrays every call."""
    return {
        "params": {
            # rows are the hidden units h1, h2; columns the inputs i1, i2
            "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),  # [[w1, w2], [w3, w4]]
            "b1": np.array([0.35, 0.35]),
            # rows are the outputs o1, o2; columns the hidden units h1, h2
            "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),  # [[w5, w6], [w7, w8]]
            "b2": np.array([0.60, 0.60]),
        },
        "X": np.array([0.05, 0.10]),
        "Y": np.array([0.01, 0.99]),
        "options": {
            "activation": "sigmoid",
            "loss": "half_sse",
            "output": "sigmoid",
            "layout": "columns",
        },
        "reduction": "sum",
        "lr": 0.5,
        # as printed in the post; weight (name) -> (W key, index in the columns layout)
        "weights": {
            "w1": ("W1", (0, 0)), "w2": ("W1", (0, 1)), "w3": ("W1", (1, 0)), "w4": ("W1", (1, 1)),
            "w5": ("W2", (0, 0)), "w6": ("W2", (0, 1)), "w7": ("W2", (1, 0)), "w8": ("W2", (1, 1)),
        },
        "printed": {
            "out_h1": "0.593269992",
            "out_h2": "0.596884378",
            "net_o1": "1.105905967",
            "out_o1": "0.75136507",
            "out_o2": "0.772928465",
            "E_total": "0.298371109",
            "dE/dw5": "0.082167041",
            "w5+": "0.35891648",
            "w6+": "0.408666186",
            "w7+": "0.511301270",
            "w8+": "0.561370121",
            "w1+": "0.149780716",
            "w2+": "0.19956143",
            "w3+": "0.24975114",
            "w4+": "0.29950229",
        },
    }
