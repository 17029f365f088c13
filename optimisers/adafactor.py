"""Adafactor for a vector of parameters: a relative step size, an increasing β₂ and the update's RMS clipped."""

from __future__ import annotations

import math

import numpy as np

from optimisers.base import (
    Accumulator,
    HyperParameter,
    OptimiserSpec,
    Step,
    alpha,
    coordinate_sum,
    decayed,
    lerp,
    python_power,
    weight_decay,
)


def _root_mean_square(values):
    """The RMS over a run's coordinates, as the reference takes it over the parameter: ‖values‖ / √n."""
    return np.sqrt(coordinate_sum(values * values)) / math.sqrt(values.shape[-1])


def _adafactor(x, grad, state, step, *, alpha, beta2_decay, eps1, eps2, d, weight_decay):
    relative_step = np.maximum(eps2, _root_mean_square(x)) * np.minimum(alpha, 1 / step**0.5)
    v = lerp(state["v"], grad * grad, python_power(step, beta2_decay))
    scale = 1 / np.sqrt(np.maximum(v, eps1 * eps1))
    clip = np.maximum(1.0, _root_mean_square(scale * grad) / d)
    lr = relative_step / clip * scale
    return Step(
        decayed(x, alpha, weight_decay) - lr * grad,
        lr,
        {"v": v},
        {"relative_step": np.broadcast_to(relative_step, x.shape), "clip": np.broadcast_to(clip, x.shape)},
    )


ADAFACTOR = OptimiserSpec(
    id="adafactor",
    name="Adafactor",
    summary="Adam without momentum whose step is relative to the parameters' size (their RMS times "
    "min(α, 1/√t)), whose β₂ grows towards 1 as 1 − t^c, and whose update is scaled down when its RMS "
    "exceeds d.",
    update_rule=r"\rho_t = \max(\epsilon_2, \operatorname{RMS}(w_t)) \min(\alpha, 1/\sqrt{t}) \qquad "
    r"v_{i,t} = (1 - t^{c})\, v_{i,t-1} + t^{c}\, g_{i,t}^2 \\ "
    r"u_{i,t} = \frac{g_{i,t}}{\sqrt{\max(v_{i,t}, \epsilon_1^2)}} \qquad "
    r"w_{i,t+1} = (1 - \alpha\lambda)\, w_{i,t} - \frac{\rho_t}{\max(1, \operatorname{RMS}(u_t)/d)}\, u_{i,t}",
    lr_meaning="lr = ρ_t / max(1, RMS(u)/d) / √max(v, ε₁²), with ρ_t the relative step; the direction is g, "
    "after w has shrunk by 1 − α·λ. RMS is over the run's coordinates, which form one parameter.",
    hyperparameters=(
        alpha(1e-2, "largest relative step: the step is at most α times the parameters' RMS"),
        HyperParameter(
            "beta2_decay",
            "c",
            -0.8,
            -math.inf,
            0.0,
            "exponent of the averaging weight t^c of the squared gradients: β₂ = 1 − t^c grows towards 1",
            low_inclusive=False,
            high_inclusive=True,
            slider_low=-1.0,
            slider_high=0.0,
        ),
        HyperParameter(
            "eps1",
            r"\epsilon_1",
            float(np.finfo(float).eps),
            0.0,
            math.inf,
            "floor of √v, so the division stays finite (the reference's default: the float's machine epsilon)",
            log_scale=True,
            slider_low=1e-30,
            slider_high=1e-3,
        ),
        HyperParameter(
            "eps2",
            r"\epsilon_2",
            1e-3,
            0.0,
            math.inf,
            "floor of the parameters' RMS in the relative step, so parameters at 0 still move",
            log_scale=True,
            slider_low=1e-6,
            slider_high=1.0,
        ),
        HyperParameter(
            "d",
            "d",
            1.0,
            1.0,
            math.inf,
            "clipping threshold: an update whose RMS exceeds d is scaled down to RMS d",
            slider_low=1.0,
            slider_high=11.0,
        ),
        weight_decay(0.0),
    ),
    accumulators=(
        Accumulator("v", r"v_{i,t}", "moving average of the squared gradients, weighted t^c"),
        Accumulator("relative_step", r"\rho_t", "the relative step: max(ε₂, RMS(w))·min(α, 1/√t)", carried=False),
        Accumulator(
            "clip", r"\max(1, \operatorname{RMS}(u_t)/d)", "how much the update was scaled down", carried=False
        ),
    ),
    update=_adafactor,
    reference="torch.optim.Adafactor",
    paper="Shazeer and Stern (2018), Adafactor: Adaptive Learning Rates with Sublinear Memory Cost, "
    "ICML 2018, arXiv:1804.04235",
    problem="Adam keeps two numbers per parameter, too much memory for very large models. Adafactor keeps "
    "only row and column averages of the squared gradients of a matrix (a vector, as here, keeps them all), "
    "drops the momentum, and makes the step relative to the parameters' size with update clipping, so that "
    "training stays stable without it.",
)
