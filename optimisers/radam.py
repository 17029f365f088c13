"""RAdam: Adam that falls back to momentum SGD while the variance estimate is unreliable."""

from __future__ import annotations

import numpy as np

from optimisers.adam import BETA1, BETA2, FIRST_MOMENT, FIRST_MOMENT_CORRECTED, SECOND_MOMENT
from optimisers.base import Accumulator, OptimiserSpec, Step, alpha, average_weight, eps, moving_average

# Below this length of the approximated moving average the variance is not trusted (torch: 5).
TRUSTED_LENGTH = 5.0


def _radam(x, grad, state, step, *, alpha, beta1, beta2, eps):
    m = moving_average(state["m"], grad, beta1)
    v = moving_average(state["v"], grad * grad, beta2)
    m_hat = m / average_weight(beta1, step)
    second_correction = average_weight(beta2, step)
    rho_infinity = 2 / (1 - beta2) - 1
    rho = np.broadcast_to(rho_infinity - 2 * step * (1 - second_correction) / second_correction, np.shape(x))
    trusted = rho > TRUSTED_LENGTH
    rho_safe = np.where(trusted, rho, rho_infinity)
    rectification = np.sqrt(
        (rho_safe - 4) * (rho_safe - 2) * rho_infinity / ((rho_infinity - 4) * (rho_infinity - 2) * rho_safe)
    )
    adaptive = np.sqrt(second_correction) / (np.sqrt(v) + eps)
    lr = alpha * np.where(trusted, adaptive * rectification, 1.0)
    return Step(x - lr * m_hat, lr, {"m": m, "v": v}, {"m_hat": m_hat, "rho": rho})


RADAM = OptimiserSpec(
    id="radam",
    name="RAdam",
    summary="Adam with a rectification term that switches the adaptive scaling on only once "
    "enough squared gradients have been averaged; before that it is plain momentum.",
    update_rule=r"\rho_\infty = \frac{2}{1 - \beta_2} - 1 \qquad "
    r"\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \qquad "
    r"r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\ "
    r"lr_{i,t} = \begin{cases} \alpha\, r_t \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_{i,t}} + \epsilon} & \rho_t > 5 \\ "
    r"\alpha & \text{otherwise} \end{cases} \qquad w_{i,t+1} = w_{i,t} - lr_{i,t}\, \hat{m}_{i,t}",
    lr_meaning="lr = α·r_t·√(1 − β₂ᵗ) / (√v + ε) once ρ_t > 5, α before; the direction is m̂.",
    hyperparameters=(alpha(1e-3), BETA1, BETA2, eps(1e-8)),
    accumulators=(
        FIRST_MOMENT,
        SECOND_MOMENT,
        FIRST_MOMENT_CORRECTED,
        Accumulator("rho", r"\rho_t", "length of the approximated moving average", carried=False),
    ),
    update=_radam,
)
