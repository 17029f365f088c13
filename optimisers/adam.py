"""Adam and the variants torch builds from the same code: AMSGrad and AdamW."""

from __future__ import annotations

from functools import partial

import numpy as np

from optimisers.base import (
    EPS_INSIDE_SQRT,
    Accumulator,
    OptimiserSpec,
    Option,
    Step,
    adaptive_denominator,
    alpha,
    average_weight,
    beta,
    decayed,
    eps,
    moving_average,
    weight_decay,
)

BETA1 = beta("beta1", r"\beta_1", 0.9, "decay of the moving average of gradients (the momentum)")
BETA2 = beta("beta2", r"\beta_2", 0.999, "decay of the moving average of squared gradients")
FIRST_MOMENT = Accumulator("m", r"m_{i,t}", "moving average of the gradients")
SECOND_MOMENT = Accumulator("v", r"v_{i,t}", "moving average of the squared gradients")
FIRST_MOMENT_CORRECTED = Accumulator("m_hat", r"\hat{m}_{i,t}", "m with its bias towards 0 removed", carried=False)
SECOND_MOMENT_CORRECTED = Accumulator("v_hat", r"\hat{v}_{i,t}", "v with its bias towards 0 removed", carried=False)
ADAM_RULE = (
    r"m_{i,t} = \beta_1 m_{i,t-1} + (1 - \beta_1)\, g_{i,t} \qquad "
    r"v_{i,t} = \beta_2 v_{i,t-1} + (1 - \beta_2)\, g_{i,t}^2 \\ "
    r"\hat{m}_{i,t} = \frac{m_{i,t}}{1 - \beta_1^t} \qquad \hat{v}_{i,t} = \frac{v_{i,t}}{1 - \beta_2^t} \qquad "
    r"lr_{i,t} = \frac{\alpha}{\sqrt{\hat{v}_{i,t}} + \epsilon} \qquad w_{i,t+1} = w_{i,t} - lr_{i,t}\, \hat{m}_{i,t}"
)


def _adam(
    x,
    grad,
    state,
    step,
    *,
    alpha,
    beta1,
    beta2,
    eps,
    amsgrad=False,
    bias_correction=True,
    eps_inside_sqrt=False,
    extra_gradient_factor=False,
):
    m = moving_average(state["m"], grad, beta1)
    v = moving_average(state["v"], grad * grad, beta2)
    carried = {"m": m, "v": v}
    if amsgrad:
        v = carried["v_max"] = np.maximum(state["v_max"], v)
    m_hat = m / average_weight(beta1, step) if bias_correction else m
    v_hat = v / average_weight(beta2, step) if bias_correction else v
    lr = alpha / adaptive_denominator(v_hat, eps, eps_inside_sqrt)
    if extra_gradient_factor:
        # The article's code folds m̂ into its learning rate and then multiplies by g again.
        lr, direction = lr * m_hat, grad
    else:
        direction = m_hat
    return Step(x - lr * direction, lr, carried, {"m_hat": m_hat, "v_hat": v_hat})


def _adamw(x, grad, state, step, *, alpha, weight_decay, **settings):
    # Decoupled weight decay, as torch's AdamW: shrink w first, then take the Adam step from there.
    return _adam(decayed(x, alpha, weight_decay), grad, state, step, alpha=alpha, **settings)


ADAM = OptimiserSpec(
    id="adam",
    name="Adam",
    summary="RMSProp's scaling applied to a moving average of the gradients (momentum), both "
    "averages corrected for starting at zero. The default optimiser of deep learning.",
    update_rule=ADAM_RULE,
    lr_meaning="lr = α / (√v̂ + ε); the direction is m̂. In the article's form lr = α·m̂ / √(v̂ + ε) "
    "and the direction is g.",
    hyperparameters=(alpha(1e-3), BETA1, BETA2, eps(1e-8)),
    accumulators=(FIRST_MOMENT, SECOND_MOMENT, FIRST_MOMENT_CORRECTED, SECOND_MOMENT_CORRECTED),
    update=_adam,
    options=(
        EPS_INSIDE_SQRT,
        Option("bias_correction", True, r"divide m and v by $1 - \beta^t$ so early steps are not too small"),
        Option(
            "extra_gradient_factor",
            False,
            r"the article's code: step $\alpha\, \hat{m}\, g / \sqrt{\hat{v} + \epsilon}$, multiplying by g once more",
        ),
    ),
)

AMSGRAD = OptimiserSpec(
    id="amsgrad",
    name="AMSGrad",
    summary="Adam that divides by the largest v seen so far instead of the current one, so the "
    "effective learning rate never grows back.",
    update_rule=ADAM_RULE.replace(r"\hat{v}_{i,t} = \frac{v_{i,t}}", r"\hat{v}_{i,t} = \frac{\max_{s \le t} v_{i,s}}"),
    lr_meaning="lr = α / (√v̂ + ε) with v̂ from the running maximum of v; the direction is m̂.",
    hyperparameters=(alpha(1e-3), BETA1, BETA2, eps(1e-8)),
    accumulators=(
        FIRST_MOMENT,
        SECOND_MOMENT,
        Accumulator("v_max", r"v^{\max}_{i,t}", "the largest v so far"),
        FIRST_MOMENT_CORRECTED,
        SECOND_MOMENT_CORRECTED,
    ),
    update=partial(_adam, amsgrad=True),
)

ADAMW = OptimiserSpec(
    id="adamw",
    name="AdamW",
    summary="Adam with decoupled weight decay: every step first shrinks w towards zero by a "
    "factor 1 − α·λ, independently of the gradient's scaling.",
    update_rule=r"w_{i,t} \leftarrow (1 - \alpha\lambda)\, w_{i,t} \text{ then Adam: } " + ADAM_RULE,
    lr_meaning="lr = α / (√v̂ + ε); the direction is m̂, after w has shrunk by 1 − α·λ.",
    hyperparameters=(
        alpha(1e-3),
        BETA1,
        BETA2,
        eps(1e-8),
        weight_decay(1e-2),
    ),
    accumulators=(FIRST_MOMENT, SECOND_MOMENT, FIRST_MOMENT_CORRECTED, SECOND_MOMENT_CORRECTED),
    update=_adamw,
)
