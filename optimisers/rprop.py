"""Rprop: a step size per coordinate that grows while the gradient keeps its sign and shrinks when it flips."""

from __future__ import annotations

import math

import numpy as np

from optimisers.base import Accumulator, HyperParameter, OptimiserSpec, Step, alpha


def _rprop(x, grad, state, step, *, alpha, eta_minus, eta_plus, step_min, step_max):
    agreement = np.sign(grad * state["g_prev"])
    factor = np.where(agreement > 0, eta_plus, np.where(agreement < 0, eta_minus, 1.0))
    step_size = np.minimum(np.maximum(state["step_size"] * factor, step_min), step_max)
    # After a sign change the step is skipped, and the next step compares with 0.
    kept_grad = np.where(agreement < 0, 0.0, grad)
    direction = np.sign(kept_grad)
    return Step(x - step_size * direction, step_size, {"step_size": step_size, "g_prev": kept_grad})


RPROP = OptimiserSpec(
    id="rprop",
    name="Rprop",
    summary="Ignores the gradient's size and keeps only its sign: each coordinate has its own step size, "
    "multiplied by η₊ while the sign stays and by η₋ when it flips, so the step fits the valley.",
    update_rule=r"\eta_{i,t} = \operatorname{clip}\!\left(\eta_{i,t-1} \cdot \begin{cases} \eta_+ & "
    r"g_{i,t}\, g_{i,t-1} > 0 \\ \eta_- & g_{i,t}\, g_{i,t-1} < 0 \\ 1 & \text{otherwise} \end{cases},\ "
    r"\eta_{\min}, \eta_{\max}\right) \qquad \eta_{i,0} = \alpha \\ "
    r"g_{i,t} \leftarrow 0 \text{ if } g_{i,t}\, g_{i,t-1} < 0 \qquad "
    r"w_{i,t+1} = w_{i,t} - \eta_{i,t}\, \operatorname{sign}(g_{i,t})",
    lr_meaning="lr = η, the coordinate's own step size; the direction is sign(g), 0 at a step where the "
    "gradient's sign flipped.",
    hyperparameters=(
        alpha(1e-2, "initial step size of every coordinate"),
        HyperParameter(
            "eta_minus",
            r"\eta_-",
            0.5,
            0.0,
            1.0,
            "factor that shrinks a coordinate's step size when its gradient changes sign",
            low_inclusive=False,
            slider_low=0.05,
            slider_high=0.95,
        ),
        HyperParameter(
            "eta_plus",
            r"\eta_+",
            1.2,
            1.0,
            math.inf,
            "factor that grows a coordinate's step size while its gradient keeps its sign",
            low_inclusive=False,
            slider_low=1.1,
            slider_high=3.1,
        ),
        HyperParameter(
            "step_min",
            r"\eta_{\min}",
            1e-6,
            0.0,
            math.inf,
            "smallest step size",
            log_scale=True,
            slider_low=1e-9,
            slider_high=1e-1,
        ),
        HyperParameter(
            "step_max",
            r"\eta_{\max}",
            50.0,
            0.0,
            math.inf,
            "largest step size",
            low_inclusive=False,
            log_scale=True,
            slider_low=1e-2,
            slider_high=1e3,
        ),
    ),
    accumulators=(
        Accumulator("step_size", r"\eta_{i,t}", "the coordinate's own step size", initial_from="alpha"),
        Accumulator("g_prev", r"g_{i,t}", "the gradient kept for the next sign comparison (0 after a flip)"),
    ),
    update=_rprop,
    paper="Riedmiller and Braun (1993), A Direct Adaptive Method for Faster Backpropagation Learning: "
    "The RPROP Algorithm, IEEE International Conference on Neural Networks, doi:10.1109/ICNN.1993.298623",
    problem="Backpropagation's step is the gradient times α, so its size depends on how steep the loss "
    "happens to be, which varies wildly from weight to weight and over training. Rprop was the first to give "
    "each weight its own step size, adapted from the gradient's sign alone.",
)
