"""RMSProp: Adagrad with the sum replaced by an exponential moving average."""

from __future__ import annotations

from optimisers.base import (
    EPS_INSIDE_SQRT,
    Accumulator,
    OptimiserSpec,
    Step,
    adaptive_denominator,
    alpha,
    beta,
    eps,
    moving_average,
)


def _rmsprop(x, grad, state, step, *, alpha, beta, eps, eps_inside_sqrt):
    average = moving_average(state["v"], grad * grad, beta)
    lr = alpha / adaptive_denominator(average, eps, eps_inside_sqrt)
    return Step(x - lr * grad, lr, {"v": average})


RMSPROP = OptimiserSpec(
    id="rmsprop",
    name="RMSProp",
    summary="Divides α by the root of a moving average of squared gradients, so old gradients "
    "fade and the step size can recover after a steep stretch.",
    update_rule=r"v_{i,t} = \beta\, v_{i,t-1} + (1 - \beta)\, g_{i,t}^2 \qquad "
    r"lr_{i,t} = \frac{\alpha}{\sqrt{v_{i,t}} + \epsilon} \qquad w_{i,t+1} = w_{i,t} - lr_{i,t}\, g_{i,t}",
    lr_meaning="lr = α / (√v + ε) (the article: α / √(v + ε)); the direction is the gradient g.",
    hyperparameters=(
        alpha(1e-2),
        beta("beta", r"\beta", 0.99, "decay of the moving average: it spans about 1/(1 − β) steps"),
        eps(1e-8),
    ),
    accumulators=(Accumulator("v", r"v_{i,t}", "moving average of the squared gradients"),),
    update=_rmsprop,
    options=(EPS_INSIDE_SQRT,),
)
