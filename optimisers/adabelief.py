"""AdaBelief and ADOPT: Adam with a different second moment, from pytorch_optimizer."""

from __future__ import annotations

import numpy as np

from optimisers.adam import BETA1, FIRST_MOMENT, SECOND_MOMENT
from optimisers.base import (
    Accumulator,
    OptimiserSpec,
    Step,
    alpha,
    average_weight,
    beta,
    decayed,
    eps,
    lerp,
    moving_average,
    weight_decay,
)


def _adabelief(x, grad, state, step, *, alpha, beta1, beta2, eps, weight_decay):
    m = lerp(state["m"], grad, 1 - beta1)
    surprise = grad - m
    # ε joins the belief at every step, as in the paper and the reference, and again outside the root.
    belief = moving_average(state["s"], surprise * surprise, beta2) + eps
    denominator = np.sqrt(belief) / np.sqrt(average_weight(beta2, step)) + eps
    lr = alpha / average_weight(beta1, step) / denominator
    return Step(decayed(x, alpha, weight_decay) - lr * m, lr, {"m": m, "s": belief})


def _adopt(x, grad, state, step, *, alpha, beta1, beta2, eps, weight_decay):
    grad = grad + weight_decay * x  # an L2 penalty in the gradient, the reference's default
    if step == 1:
        # The first gradient only starts v: the normalised gradient needs a v that does not contain it.
        return Step(x, alpha, {"m": state["m"], "v": grad * grad})
    limit = step**0.25
    normalised = np.clip(grad / np.maximum(np.sqrt(state["v"]), eps), -limit, limit)
    m = lerp(state["m"], normalised, 1 - beta1)
    v = moving_average(state["v"], grad * grad, beta2)
    return Step(x - alpha * m, alpha, {"m": m, "v": v})


ADABELIEF = OptimiserSpec(
    id="adabelief",
    name="AdaBelief",
    summary="Adam that divides by how far the gradient strays from its moving average (the belief) "
    "instead of by the gradient's size: large steps where the gradient is predictable, small where it is not.",
    update_rule=r"m_{i,t} = \beta_1 m_{i,t-1} + (1 - \beta_1)\, g_{i,t} \qquad "
    r"s_{i,t} = \beta_2 s_{i,t-1} + (1 - \beta_2)(g_{i,t} - m_{i,t})^2 + \epsilon \\ "
    r"lr_{i,t} = \frac{\alpha / (1 - \beta_1^t)}{\sqrt{s_{i,t}} / \sqrt{1 - \beta_2^t} + \epsilon} \qquad "
    r"w_{i,t+1} = (1 - \alpha\lambda)\, w_{i,t} - lr_{i,t}\, m_{i,t}",
    lr_meaning="lr = α/(1 − β₁ᵗ) / (√(s/(1 − β₂ᵗ)) + ε); the direction is m, after w has shrunk by 1 − α·λ.",
    hyperparameters=(
        alpha(1e-3),
        BETA1,
        beta("beta2", r"\beta_2", 0.999, "decay of the moving average of the squared surprise (g − m)²"),
        eps(1e-16, slider_low=1e-20),
        weight_decay(0.0),
    ),
    accumulators=(
        FIRST_MOMENT,
        Accumulator("s", r"s_{i,t}", "the belief: moving average of (g − m)², how far g strays from m"),
    ),
    update=_adabelief,
    reference="pytorch_optimizer.AdaBelief",
    paper="Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris, Duncan (2020), AdaBelief Optimizer: "
    "Adapting Stepsizes by the Belief in Observed Gradients, NeurIPS 2020, arXiv:2010.07468",
    problem="Adam generalises worse than SGD with momentum on some tasks and takes small steps where the "
    "gradient is large but steady. Dividing by the gradient's deviation from its average instead gives the "
    "fast convergence of adaptive methods, the generalisation of SGD, and stable training of GANs.",
)

ADOPT = OptimiserSpec(
    id="adopt",
    name="ADOPT",
    summary="Adam that normalises each gradient by the previous steps' second moment, which does not yet "
    "contain it, and only then averages: it converges for any β₂, where Adam can fail.",
    update_rule=r"v_{i,1} = g_{i,1}^2 \text{ (no step at } t = 1) \qquad "
    r"m_{i,t} = \beta_1 m_{i,t-1} + (1 - \beta_1)\, \operatorname{clip}\!\left("
    r"\frac{g_{i,t}}{\max(\sqrt{v_{i,t-1}}, \epsilon)}, \pm t^{1/4}\right) \\ "
    r"w_{i,t+1} = w_{i,t} - \alpha\, m_{i,t} \qquad v_{i,t} = \beta_2 v_{i,t-1} + (1 - \beta_2)\, g_{i,t}^2",
    lr_meaning="lr = α; the direction is m, the average of normalised, clipped gradients (0 at the first "
    "step). With λ > 0 the gradient is g + λ·w.",
    hyperparameters=(
        alpha(1e-3),
        BETA1,
        beta("beta2", r"\beta_2", 0.9999, "decay of the moving average of squared gradients"),
        eps(1e-6),
        weight_decay(0.0, "L2 penalty: λ·w is added to the gradient"),
    ),
    accumulators=(
        Accumulator("m", r"m_{i,t}", "moving average of the normalised, clipped gradients"),
        SECOND_MOMENT,
    ),
    update=_adopt,
    reference="pytorch_optimizer.ADOPT",
    paper="Taniguchi, Harada, Minegishi, Oshima, Jeong, Nagahara, Iiyama, Suzuki, Iwasawa, Matsuo (2024), "
    "ADOPT: Modified Adam Can Converge with Any β₂ with the Optimal Rate, NeurIPS 2024, arXiv:2411.02853",
    problem="Adam's convergence is only proved for β₂ chosen to suit the problem, and it can diverge "
    "otherwise, because the current gradient is correlated with the second moment it is divided by. Dividing "
    "by the previous second moment, before the momentum, removes the correlation.",
)
