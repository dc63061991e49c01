"""mlp_helpers: the tested math of a multilayer perceptron, by hand, in numpy.

See README.md for the table of public names.  Every function is pure: it
returns new arrays and never changes its arguments.
"""
from .activations import ACTIVATIONS, Activation, register_activation
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .losses import (
    LOSSES,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_from_logits,
    cross_entropy,
    cross_entropy_from_logits,
    half_sum_squared_error,
    log_softmax,
    mean_squared_error,
    one_hot,
    register_loss,
    softmax,
    softmax_cross_entropy_delta,
)
from .activations import (
    identity, leaky_relu, relu, relu_plus_sin, sigmoid, softplus, tanh,
)
from .outputs import OUTPUTS, Output, register_output
from .dropout import dropout_backward, dropout_forward
from .network import backward, forward, init_params, loss_value, predict
from .optim import momentum_step, sgd_step, train
from .optimizers import (
    OPTIMIZERS, SCHEDULES, adam_step, cosine_decay, linear_warmup, lr_schedule, minibatch_gradient_variance,
    momentum_buffer_step, momentum_velocity_step, predicted_gradient_variance, rmsprop_step, run_optimizer,
    step_decay, warmup_cosine,
)
from .regularization import PENALTIES, penalty, penalty_gradients
from .depth import gaussian_expectation, init_std, layer_statistics, mean_field  # notebook 08
from .graph import Value, scalar_network  # notebook 08
from .generalisation import layer_gradients
from .together import evaluate_once, together_gradients, together_step, train_together  # notebook 10

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "Activation", "register_activation",
    "identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "relu_plus_sin",
    "OUTPUTS", "Output", "register_output",
    "LOSSES", "Loss", "register_loss", "softmax", "log_softmax", "cross_entropy", "cross_entropy_from_logits",
    "binary_cross_entropy", "binary_cross_entropy_from_logits", "mean_squared_error",
    "half_sum_squared_error", "softmax_cross_entropy_delta", "one_hot",
    "PENALTIES", "penalty", "penalty_gradients",
    "forward", "backward", "loss_value", "init_params", "predict",
    "sgd_step", "momentum_step", "train",
    "OPTIMIZERS", "momentum_velocity_step", "momentum_buffer_step", "rmsprop_step", "adam_step", "run_optimizer",
    "SCHEDULES", "lr_schedule", "step_decay", "cosine_decay", "linear_warmup", "warmup_cosine",
    "predicted_gradient_variance", "minibatch_gradient_variance",
    "numerical_gradient", "relative_error", "gradient_check",
    "init_std", "gaussian_expectation", "mean_field", "layer_statistics", "Value", "scalar_network",
    "layer_gradients",
    "dropout_forward", "dropout_backward",
    "together_gradients", "together_step", "train_together", "evaluate_once",
]
