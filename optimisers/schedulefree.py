"""Schedule-Free AdamW: gradients taken between a plain Adam-scaled sequence z and its running average x."""

from __future__ import annotations

import math

import numpy as np

from optimisers.adam import BETA2, SECOND_MOMENT
from optimisers.base import (
    Accumulator,
    HyperParameter,
    OptimiserSpec,
    Step,
    alpha,
    average_weight,
    beta,
    eps,
    lerp,
    moving_average,
    weight_decay,
)


def _schedulefree_adamw(x, grad, state, step, *, alpha, beta1, beta2, eps, warmup_steps, weight_decay):
    # x is y, the point where the gradient is taken; the reference's r = 0 and weight_lr_power = 2.
    warming_up = step - 1 < warmup_steps
    with np.errstate(divide="ignore"):
        lr = alpha * np.where(warming_up, np.divide(step, warmup_steps), 1.0)
    lr_max = np.maximum(lr, state["lr_max"])
    weight = lr_max * lr_max
    weight_sum = state["weight_sum"] + weight
    average_share = weight / weight_sum
    v = moving_average(state["v"], grad * grad, beta2)
    denominator = np.sqrt(v / average_weight(beta2, step)) + eps
    normalised = grad / denominator + weight_decay * x
    gradient_factor = lr * (1 - beta1 * (1 - average_share))
    new_y = lerp(x, state["z"], average_share) - gradient_factor * normalised
    z = state["z"] - lr * normalised
    return Step(
        new_y,
        gradient_factor / denominator,
        {
            "v": v,
            "z": z,
            "x_average": lerp(state["x_average"], z, average_share),
            "lr_max": lr_max,
            "weight_sum": weight_sum,
        },
    )


SCHEDULEFREE_ADAMW = OptimiserSpec(
    id="schedulefree_adamw",
    name="Schedule-Free AdamW",
    summary="Needs no learning-rate schedule: z takes Adam-scaled gradient steps, x is the running average "
    "of z, and the gradient is taken at y, between the two. The trajectory drawn is y; x is the point the "
    "optimiser hands back for evaluation.",
    update_rule=r"v_{i,t} = \beta_2 v_{i,t-1} + (1 - \beta_2)\, g_{i,t}^2 \qquad "
    r"\hat{g}_{i,t} = \frac{g_{i,t}}{\sqrt{v_{i,t} / (1 - \beta_2^t)} + \epsilon} + \lambda y_{i,t} \\ "
    r"z_{i,t+1} = z_{i,t} - \gamma_t\, \hat{g}_{i,t} \qquad "
    r"x_{i,t+1} = (1 - c_{t+1})\, x_{i,t} + c_{t+1}\, z_{i,t+1} \qquad "
    r"y_{i,t+1} = (1 - \beta_1)\, z_{i,t+1} + \beta_1 x_{i,t+1} \\ "
    r"\gamma_t = \alpha \min(1, t / T_{\text{warmup}}) \qquad "
    r"c_{t+1} = \frac{\gamma_{\max,t}^2}{\sum_{s \le t} \gamma_{\max,s}^2}",
    lr_meaning="lr = γ_t·(1 − β₁(1 − c)) / (√v̂ + ε); the direction is g, after the point has moved c of the "
    "way towards z (and, with λ > 0, by lr·(√v̂ + ε)·λ·y towards 0). The trajectory is y.",
    hyperparameters=(
        alpha(0.0025),
        beta("beta1", r"\beta_1", 0.9, "where the gradient is taken between z (0) and the average x (1)"),
        BETA2,
        eps(1e-8),
        HyperParameter(
            "warmup_steps",
            r"T_{\text{warmup}}",
            0.0,
            0.0,
            math.inf,
            "steps over which the learning rate rises linearly to α",
            slider_low=0.0,
            slider_high=100.0,
        ),
        weight_decay(0.0, "how strongly each step pulls y towards zero, through the normalised gradient"),
    ),
    accumulators=(
        SECOND_MOMENT,
        Accumulator("z", r"z_{i,t}", "the base sequence: plain Adam-scaled gradient steps", initial_from="x"),
        Accumulator("x_average", r"x_{i,t}", "the averaged point: the running average of z", initial_from="x"),
        Accumulator("lr_max", r"\gamma_{\max,t}", "the largest learning rate so far", initial=-1.0),
        Accumulator("weight_sum", r"\sum \gamma_{\max}^2", "the sum of the averaging weights"),
    ),
    update=_schedulefree_adamw,
    reference="schedulefree.AdamWScheduleFree",
    paper="Defazio, Yang, Mehta, Mishchenko, Khaled, Cutkosky (2024), The Road Less Scheduled, "
    "NeurIPS 2024, arXiv:2405.15682",
    problem="The best results need a learning-rate schedule that decays to zero at a stopping step chosen in "
    "advance. Schedule-free methods replace the schedule by averaging the iterates, matching or beating tuned "
    "schedules without knowing when training will stop.",
)
