"""Adadelta: RMSProp whose numerator is a moving average of past step sizes, not a fixed α."""

from __future__ import annotations

import numpy as np

from optimisers.base import Accumulator, OptimiserSpec, Step, alpha, beta, eps, moving_average


def _adadelta(x, grad, state, step, *, alpha, rho, eps):
    average_square_grad = moving_average(state["v"], grad * grad, rho)
    scale = np.sqrt(state["u"] + eps) / np.sqrt(average_square_grad + eps)
    delta = scale * grad
    average_square_delta = moving_average(state["u"], delta * delta, rho)
    return Step(x - alpha * delta, alpha * scale, {"v": average_square_grad, "u": average_square_delta})


ADADELTA = OptimiserSpec(
    id="adadelta",
    name="Adadelta",
    summary="Scales each step by the ratio of two moving averages, of past squared steps and of "
    "squared gradients, so the step has the units of w and α can stay at 1.",
    update_rule=r"v_{i,t} = \rho\, v_{i,t-1} + (1 - \rho)\, g_{i,t}^2 \qquad "
    r"\Delta_{i,t} = \frac{\sqrt{u_{i,t-1} + \epsilon}}{\sqrt{v_{i,t} + \epsilon}}\, g_{i,t} \\ "
    r"u_{i,t} = \rho\, u_{i,t-1} + (1 - \rho)\, \Delta_{i,t}^2 \qquad w_{i,t+1} = w_{i,t} - \alpha\, \Delta_{i,t}",
    lr_meaning="lr = α·√(u + ε) / √(v + ε); the direction is the gradient g.",
    hyperparameters=(
        alpha(1.0),
        beta("rho", r"\rho", 0.9, "decay of both moving averages"),
        eps(1e-6),
    ),
    accumulators=(
        Accumulator("v", r"v_{i,t}", "moving average of the squared gradients"),
        Accumulator("u", r"u_{i,t}", "moving average of the squared steps"),
    ),
    update=_adadelta,
)
