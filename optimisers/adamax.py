"""Adamax: Adam with the root mean square replaced by a decaying maximum of |g|."""

from __future__ import annotations

import numpy as np

from optimisers.adam import BETA1, BETA2, FIRST_MOMENT
from optimisers.base import Accumulator, OptimiserSpec, Step, alpha, average_weight, eps, moving_average


def _adamax(x, grad, state, step, *, alpha, beta1, beta2, eps):
    m = moving_average(state["m"], grad, beta1)
    u = np.maximum(beta2 * state["u"], np.abs(grad) + eps)
    lr = alpha / average_weight(beta1, step) / u
    return Step(x - lr * m, lr, {"m": m, "u": u})


ADAMAX = OptimiserSpec(
    id="adamax",
    name="Adamax",
    summary="Adam with the root mean square of gradients replaced by a slowly decaying maximum "
    "of their size, which is less sensitive to single large gradients.",
    update_rule=r"m_{i,t} = \beta_1 m_{i,t-1} + (1 - \beta_1)\, g_{i,t} \qquad "
    r"u_{i,t} = \max(\beta_2 u_{i,t-1},\ |g_{i,t}| + \epsilon) \\ "
    r"lr_{i,t} = \frac{\alpha}{(1 - \beta_1^t)\, u_{i,t}} \qquad w_{i,t+1} = w_{i,t} - lr_{i,t}\, m_{i,t}",
    lr_meaning="lr = α / ((1 − β₁ᵗ)·u); the direction is m.",
    hyperparameters=(alpha(2e-3), BETA1, BETA2, eps(1e-8)),
    accumulators=(FIRST_MOMENT, Accumulator("u", r"u_{i,t}", "decaying maximum of |g|")),
    update=_adamax,
)
