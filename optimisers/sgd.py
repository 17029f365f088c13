"""Gradient descent with a fixed learning rate, with and without (Nesterov) momentum: torch's SGD."""

from __future__ import annotations

from optimisers.base import Accumulator, HyperParameter, OptimiserSpec, Step, alpha

MOMENTUM = HyperParameter(
    "momentum",
    r"\mu",
    0.9,
    0.0,
    1.0,
    "how much of the previous step carries over into the next",
    slider_low=0.0,
    slider_high=0.999,
)
BUFFER = Accumulator("b", r"b_{i,t}", "momentum buffer: a running sum of past gradients, each weighted by μ per step")


def _gd(x, grad, state, step, *, alpha):
    return Step(x - alpha * grad, alpha, {})


def _momentum(x, grad, state, step, *, alpha, momentum):
    buffer = momentum * state["b"] + grad
    return Step(x - alpha * buffer, alpha, {"b": buffer})


def _nesterov(x, grad, state, step, *, alpha, momentum):
    buffer = momentum * state["b"] + grad
    return Step(x - alpha * (grad + momentum * buffer), alpha, {"b": buffer})


GD = OptimiserSpec(
    id="gd",
    name="Fixed learning rate",
    summary="Every step is the gradient times the same α. Simple and predictable, but one α "
    "rarely suits both the steep and the flat parts of a loss.",
    update_rule=r"w_{i,t+1} = w_{i,t} - \alpha\, g_{i,t}",
    lr_meaning="lr = α; the direction is the gradient g.",
    hyperparameters=(alpha(1e-3),),
    accumulators=(),
    update=_gd,
)

MOMENTUM_SGD = OptimiserSpec(
    id="momentum",
    name="Momentum",
    summary="Steps follow a running sum of past gradients, so consistent slopes speed the run "
    "up and alternating ones cancel. It can roll through small dips, and overshoot.",
    update_rule=r"b_{i,t} = \mu\, b_{i,t-1} + g_{i,t} \qquad w_{i,t+1} = w_{i,t} - \alpha\, b_{i,t}",
    lr_meaning="lr = α; the direction is the momentum buffer b.",
    hyperparameters=(alpha(1e-3), MOMENTUM),
    accumulators=(BUFFER,),
    update=_momentum,
)

NESTEROV = OptimiserSpec(
    id="nesterov",
    name="Nesterov momentum",
    summary="Momentum that looks one step ahead: the step adds the gradient to μ times the "
    "updated buffer, which damps the overshoot of plain momentum.",
    update_rule=r"b_{i,t} = \mu\, b_{i,t-1} + g_{i,t} \qquad "
    r"w_{i,t+1} = w_{i,t} - \alpha\, (g_{i,t} + \mu\, b_{i,t})",
    lr_meaning="lr = α; the direction is g + μ·b.",
    hyperparameters=(alpha(1e-3), MOMENTUM),
    accumulators=(BUFFER,),
    update=_nesterov,
)
