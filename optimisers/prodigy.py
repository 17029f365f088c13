"""Prodigy: Adam whose learning rate d·α is learned, from how far the point has come and the gradients' sum."""

from __future__ import annotations

import math

import numpy as np

from optimisers.adam import BETA1, BETA2
from optimisers.base import (
    Accumulator,
    HyperParameter,
    OptimiserSpec,
    Option,
    Step,
    alpha,
    beta,
    coordinate_sum,
    eps,
    weight_decay,
)


def _prodigy(x, grad, state, step, *, alpha, beta1, beta2, beta3, d0, d_coef, eps, weight_decay, beta3_from_beta2):
    # The reference's other options keep their defaults: no bias correction, no safeguard, unlimited growth.
    if beta3_from_beta2:
        beta3 = np.sqrt(beta2)
    d = state["d"]
    d_lr = d * alpha
    numerator = state["numerator"] * beta3 + (d / d0) * d_lr * coordinate_sum(grad * (state["x0"] - x))
    m = state["m"] * beta1 + grad * (d * (1 - beta1))
    v = state["v"] * beta2 + grad * grad * (d * d * (1 - beta2))
    s = state["s"] * beta3 + grad * ((d / d0) * d_lr)
    s_total = coordinate_sum(np.abs(s))
    # Until some gradient is not 0 the reference takes no step (its estimate would be 0/0).
    moving = s_total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = d_coef * numerator / s_total
    new_d = np.where(moving & (estimate > d), estimate, d)
    lr = np.where(moving, d_lr / (np.sqrt(v) + new_d * eps), 0.0)
    shrunk = np.where(moving, x - weight_decay * d_lr * x, x)
    return Step(
        shrunk - lr * m,
        lr,
        {
            "m": m,
            "v": v,
            "s": s,
            "d": new_d,
            "numerator": np.broadcast_to(np.where(moving, numerator, state["numerator"]), x.shape),
            "x0": state["x0"],
        },
    )


PRODIGY = OptimiserSpec(
    id="prodigy",
    name="Prodigy",
    summary="Adam with a learned learning rate: d estimates the distance from the start to the solution "
    "and only grows. Its α is a multiplier that is best left at 1.",
    update_rule=r"m_{i,t} = \beta_1 m_{i,t-1} + (1 - \beta_1)\, d_t\, g_{i,t} \qquad "
    r"v_{i,t} = \beta_2 v_{i,t-1} + (1 - \beta_2)\, d_t^2\, g_{i,t}^2 \\ "
    r"r_t = \beta_3 r_{t-1} + \frac{d_t^2 \alpha}{d_0} \langle g_t, w_0 - w_t \rangle \qquad "
    r"s_{i,t} = \beta_3 s_{i,t-1} + \frac{d_t^2 \alpha}{d_0}\, g_{i,t} \qquad "
    r"d_{t+1} = \max\!\left(d_t, \frac{d_{\text{coef}}\, r_t}{\lVert s_t \rVert_1}\right) \\ "
    r"lr_{i,t} = \frac{d_t \alpha}{\sqrt{v_{i,t}} + d_{t+1} \epsilon} \qquad "
    r"w_{i,t+1} = (1 - d_t \alpha \lambda)\, w_{i,t} - lr_{i,t}\, m_{i,t}",
    lr_meaning="lr = d·α / (√v + d′·ε), with d before and d′ after this step's estimate; the direction is m, "
    "which carries a factor d itself, after w has shrunk by 1 − d·α·λ. The sums ⟨·,·⟩ and ‖s‖₁ are over the "
    "run's coordinates, which form one parameter.",
    hyperparameters=(
        alpha(1.0, "multiplier of the learned learning rate d (the reference advises 1)"),
        BETA1,
        BETA2,
        beta("beta3", r"\beta_3", math.sqrt(0.999), "decay of r and s, the sums that estimate d"),
        HyperParameter(
            "d0",
            "d_0",
            1e-6,
            0.0,
            math.inf,
            "initial estimate of d, the learned learning rate",
            low_inclusive=False,
            log_scale=True,
            slider_low=1e-8,
            slider_high=1.0,
        ),
        HyperParameter(
            "d_coef",
            r"d_{\text{coef}}",
            1.0,
            0.0,
            math.inf,
            "factor on each new estimate of d: the preferred way to tune Prodigy",
            low_inclusive=False,
            log_scale=True,
            slider_low=0.1,
            slider_high=10.0,
        ),
        eps(1e-8),
        weight_decay(0.0, "decoupled weight decay: each step shrinks w by 1 − d·α·λ"),
    ),
    accumulators=(
        Accumulator("m", r"m_{i,t}", "moving average of the gradients, each scaled by d"),
        Accumulator("v", r"v_{i,t}", "moving average of the squared gradients, each scaled by d²"),
        Accumulator("s", r"s_{i,t}", "decaying sum of the gradients, weighted by d²α/d₀"),
        Accumulator(
            "d", r"d_t", "the learned learning rate: the estimated distance to the solution", initial_from="d0"
        ),
        Accumulator("numerator", r"r_t", "decaying sum of ⟨g, w₀ − w⟩, weighted by d²α/d₀"),
        Accumulator("x0", r"w_{i,0}", "the start, which d's estimate measures the distance from", initial_from="x"),
    ),
    update=_prodigy,
    options=(
        Option("beta3_from_beta2", True, r"$\beta_3 = \sqrt{\beta_2}$, the reference's default; off to set $\beta_3$"),
    ),
    reference="prodigyopt.Prodigy",
    paper="Mishchenko and Defazio (2024), Prodigy: An Expeditiously Adaptive Parameter-Free Learner, "
    "ICML 2024, arXiv:2306.06101",
    problem="Adam's learning rate must be tuned for every problem. Prodigy estimates it as it goes, from the "
    "distance travelled from the start and the gradients seen, building on D-Adaptation with a faster-growing "
    "estimate, so that no learning rate needs tuning.",
)
