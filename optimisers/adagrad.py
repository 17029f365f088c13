"""Adagrad: each coordinate's step is divided by the root of its summed squared gradients."""

from __future__ import annotations

from optimisers.base import EPS_INSIDE_SQRT, Accumulator, OptimiserSpec, Step, adaptive_denominator, alpha, eps


def _adagrad(x, grad, state, step, *, alpha, eps, eps_inside_sqrt):
    total = state["G"] + grad * grad
    lr = alpha / adaptive_denominator(total, eps, eps_inside_sqrt)
    return Step(x - lr * grad, lr, {"G": total})


ADAGRAD = OptimiserSpec(
    id="adagrad",
    name="Adagrad",
    summary="Divides α by the root of the sum of all squared gradients so far, per coordinate. "
    "The sum only grows, so the steps only shrink, often too soon.",
    update_rule=r"G_{i,t} = G_{i,t-1} + g_{i,t}^2 \qquad "
    r"lr_{i,t} = \frac{\alpha}{\sqrt{G_{i,t}} + \epsilon} \qquad w_{i,t+1} = w_{i,t} - lr_{i,t}\, g_{i,t}",
    lr_meaning="lr = α / (√G + ε) (the article: α / √(G + ε)); the direction is the gradient g.",
    hyperparameters=(alpha(1e-2), eps(1e-10)),
    accumulators=(Accumulator("G", r"G_{i,t}", "sum of the squared gradients so far"),),
    update=_adagrad,
    options=(EPS_INSIDE_SQRT,),
)
