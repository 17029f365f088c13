"""NAdam: Adam with Nesterov momentum and torch's momentum schedule μ_t."""

from __future__ import annotations

import numpy as np

from optimisers.adam import BETA1, BETA2, FIRST_MOMENT, SECOND_MOMENT
from optimisers.base import Accumulator, OptimiserSpec, Step, alpha, average_weight, eps, moving_average

# torch.optim.NAdam's default momentum_decay ψ; the schedule is μ_t = β₁ (1 − ½ · 0.96^(t ψ)).
MOMENTUM_DECAY = 4e-3


def _momentum_at(beta1, step):
    return beta1 * (1 - 0.5 * 0.96 ** (step * MOMENTUM_DECAY))


def _nadam(x, grad, state, step, *, alpha, beta1, beta2, eps):
    mu, mu_next = _momentum_at(beta1, step), _momentum_at(beta1, step + 1)
    mu_product = state["mu_product"] * mu
    m = moving_average(state["m"], grad, beta1)
    v = moving_average(state["v"], grad * grad, beta2)
    lr = alpha / (np.sqrt(v / average_weight(beta2, step)) + eps)
    direction = (1 - mu) / (1 - mu_product) * grad + mu_next / (1 - mu_product * mu_next) * m
    return Step(x - lr * direction, lr, {"m": m, "v": v, "mu_product": mu_product})


NADAM = OptimiserSpec(
    id="nadam",
    name="NAdam",
    summary="Adam whose momentum looks one step ahead, as Nesterov's does, with a momentum "
    "coefficient that warms up over the first few hundred steps.",
    update_rule=r"\mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right) \qquad "
    r"m_{i,t}, v_{i,t} \text{ as in Adam} \\ "
    r"w_{i,t+1} = w_{i,t} - \frac{\alpha}{\sqrt{v_{i,t}/(1 - \beta_2^t)} + \epsilon} "
    r"\left( \frac{1 - \mu_t}{1 - \prod_{s \le t} \mu_s}\, g_{i,t} "
    r"+ \frac{\mu_{t+1}}{1 - \prod_{s \le t+1} \mu_s}\, m_{i,t} \right)",
    lr_meaning="lr = α / (√v̂ + ε); the direction blends g and m with the momentum schedule μ_t (ψ = 0.004).",
    hyperparameters=(alpha(2e-3), BETA1, BETA2, eps(1e-8)),
    accumulators=(
        FIRST_MOMENT,
        SECOND_MOMENT,
        Accumulator("mu_product", r"\textstyle\prod_{s \le t} \mu_s", "product of the momentum schedule", 1.0),
    ),
    update=_nadam,
)
