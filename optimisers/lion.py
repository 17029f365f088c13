"""Lion: the sign of an interpolation of momentum and gradient, so every coordinate moves by exactly α."""

from __future__ import annotations

import numpy as np

from optimisers.base import Accumulator, OptimiserSpec, Step, alpha, beta, decayed, lerp, weight_decay


def _lion(x, grad, state, step, *, alpha, beta1, beta2, weight_decay):
    sign_step = np.sign(lerp(state["m"], grad, 1 - beta1))
    m = lerp(state["m"], grad, 1 - beta2)
    return Step(decayed(x, alpha, weight_decay) - alpha * sign_step, alpha, {"m": m}, {"sign_step": sign_step})


LION = OptimiserSpec(
    id="lion",
    name="Lion",
    summary="Steps by α in every coordinate, in the direction of the sign of a blend of momentum and "
    "gradient; the momentum itself is a slower moving average of the gradients.",
    update_rule=r"c_{i,t} = \beta_1 m_{i,t-1} + (1 - \beta_1)\, g_{i,t} \qquad "
    r"m_{i,t} = \beta_2 m_{i,t-1} + (1 - \beta_2)\, g_{i,t} \\ "
    r"w_{i,t+1} = (1 - \alpha\lambda)\, w_{i,t} - \alpha\, \operatorname{sign}(c_{i,t})",
    lr_meaning="lr = α; the direction is sign(c), +1 or −1 in every coordinate (0 where c is exactly 0), "
    "after w has shrunk by 1 − α·λ.",
    hyperparameters=(
        alpha(1e-4),
        beta("beta1", r"\beta_1", 0.9, "how much of the momentum the update's sign is taken from"),
        beta("beta2", r"\beta_2", 0.99, "decay of the momentum, the moving average of gradients"),
        weight_decay(0.0),
    ),
    accumulators=(
        Accumulator("m", r"m_{i,t}", "momentum: moving average of the gradients with decay β₂"),
        Accumulator(
            "sign_step", r"\operatorname{sign}(c_{i,t})", "the sign step: the direction of the update", carried=False
        ),
    ),
    update=_lion,
    reference="pytorch_optimizer.Lion",
    paper="Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu, Le (2023), "
    "Symbolic Discovery of Optimization Algorithms, arXiv:2302.06675",
    problem="Found by a program search over update rules for training large networks with less memory than "
    "Adam: it keeps one moving average instead of two, and its sign update gives every coordinate the same "
    "step size, so α must be 3–10 times smaller than Adam's.",
)
