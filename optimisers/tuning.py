"""Tuning: one hyperparameter of one optimiser tried at many values, from every start at once."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import optimisers  # create() is defined in the package itself, which imports this module
from losses import Loss
from optimisers.base import Array, HyperParameter
from optimisers.schedules import Schedule
from optimisers.simulate import simulate

DEFAULT_COUNT = 61


@dataclass(frozen=True)
class Tuning:
    """What `tune` returns: each value tried and the final loss it reached, averaged over the starts
    (+∞ where any start diverged)."""

    optimiser: str
    setting: str
    values: Array  # (count,)
    final_loss: Array  # (count,)

    @property
    def best_index(self) -> int:
        """The value with the lowest final loss; of several alike, the smallest value."""
        return min(range(len(self.values)), key=lambda i: (self.final_loss[i], self.values[i]))

    @property
    def best(self) -> float:
        return float(self.values[self.best_index])

    @property
    def best_loss(self) -> float:
        return float(self.final_loss[self.best_index])


def default_values(hyperparameter: HyperParameter, count: int = DEFAULT_COUNT) -> Array:
    """`count` values over the hyperparameter's slider range: on a log scale log-spaced, each to 3 significant
    digits, so that the best is a number a person reads and types (0.0383, not 0.03831187); for a decay within
    [0, 1) closer together towards 1, where a small change of β changes its window most; else evenly spaced
    (rounding there could take 0.9999 to 1, outside a β's range)."""
    low, high = hyperparameter.slider_low, hyperparameter.slider_high
    if hyperparameter.log_scale:
        return np.array([float(f"{value:.3g}") for value in np.geomspace(low, high, count)])
    if low >= 0 and high < 1:
        return 1 - np.geomspace(1 - low, 1 - high, count)
    return np.linspace(low, high, count)


def tune(
    loss: Loss,
    optimiser_id: str,
    x0,
    steps: int,
    setting: str = "alpha",
    values=None,
    *,
    schedule: Schedule | None = None,
    **fixed,
) -> Tuning:
    """Run `optimiser_id` from every start in x0 (*starts, dim) at every value of `setting`, in one `simulate`
    call, and average each value's final loss over the starts; a value from which any start diverges scores
    +∞. `values` (default: `default_values`, 61 α from 1e-4 to 10) is a list of numbers; `fixed` sets the other
    hyperparameters and options, `schedule` the learning-rate schedule. On a noisy loss each start sees the
    noise it would see on its own: the values share the starts' positions in the batch.

    Raises ValueError naming an unknown setting or optimiser, no values, or a value outside the setting's range.
    """
    spec = optimisers.REGISTRY.get(optimiser_id)
    if spec is None:
        raise ValueError(f"unknown optimiser {optimiser_id!r}; valid ids: {', '.join(optimisers.REGISTRY)}")
    names = [h.name for h in spec.hyperparameters]
    if setting not in names:
        raise ValueError(
            f"{optimiser_id} has no hyperparameter {setting!r} to tune; its hyperparameters: {', '.join(names)}"
        )
    if setting in fixed:
        raise ValueError(f"{setting} is the setting being tuned; it cannot also be fixed")
    values = default_values(spec.hyperparameter(setting)) if values is None else np.asarray(values, dtype=float)
    if values.ndim != 1 or not len(values):
        raise ValueError(f"values must be a non-empty list of numbers; got shape {values.shape}")
    x0 = np.asarray(x0, dtype=float)
    start_axes = x0.ndim - 1
    tried = values.reshape(-1, *[1] * start_axes)  # (count, 1, …): each value from every start
    optimiser = optimisers.create(optimiser_id, **fixed, **{setting: tried})
    runs = simulate(loss, optimiser, x0, steps, record="final", schedule=schedule)
    final_loss = np.where(runs.diverged_at >= 0, math.inf, runs.final_loss)
    averaged = final_loss.reshape(len(values), -1).mean(axis=1)
    return Tuning(optimiser_id, setting, values, averaged)
