"""mlp_helpers: the tested math of a multilayer perceptron, by hand, in numpy.

See README.md for the table of public names.  Every function is pure: it
returns new arrays and never changes its arguments.
"""
from .activations import ACTIVATIONS, Activation, register_activation
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .losses import (
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_from_logits,
    cross_entropy,
    cross_entropy_from_logits,
    half_sum_squared_error,
    log_softmax,
    mean_squared_error,
    one_hot,
    softmax,
    softmax_cross_entropy_delta,
)
from .activations import (
    identity, leaky_relu, relu, relu_plus_sin, sigmoid, softplus, tanh,
)
from .dropout import dropout_backward, dropout_forward
from .network import backward, forward, init_params, loss_value, predict
from .optim import momentum_step, sgd_step, train
from .regularization import PENALTIES, penalty, penalty_gradients

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "Activation", "register_activation",
    "identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "relu_plus_sin",
    "LOSSES", "softmax", "log_softmax", "cross_entropy", "cross_entropy_from_logits",
    "binary_cross_entropy", "binary_cross_entropy_from_logits", "mean_squared_error",
    "half_sum_squared_error", "softmax_cross_entropy_delta", "one_hot",
    "PENALTIES", "penalty", "penalty_gradients",
    "forward", "backward", "loss_value", "init_params", "predict",
    "sgd_step", "momentum_step", "train",
    "numerical_gradient", "relative_error", "gradient_check",
    "dropout_forward", "dropout_backward",
]
