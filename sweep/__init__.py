"""Sweeps: one optimiser over a grid of two settings, and one setting from many random starts.

Each sweep is a single vectorised `simulate` call: the settings that vary are arrays shaped to
broadcast into the grid, so no Python loop runs over the cells. Grids are shaped (rows, columns):
rows follow the y axis, columns the x axis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

import optimisers
from losses import Loss, domain_middle

Array = np.ndarray

START = "x0"
AXIS_NAMES = (START, "alpha", "beta", "beta1", "beta2", "eps", "momentum")
MAX_CELLS_PER_SIDE = 400
MAX_STEPS = 1000
MAX_STARTS = 100_000
# Codes in `ended_in` besides the index of a minimum.
NO_MINIMUM = -1
DIVERGED = -2


@dataclass(frozen=True)
class Axis:
    """One side of the grid: a start coordinate (START) or a hyperparameter, and its values."""

    name: str
    low: float
    high: float
    count: int
    log_scale: bool = False

    @property
    def values(self) -> Array:
        """The `count` values from `low` to `high`, evenly spaced (geometrically on a log scale)."""
        return (np.geomspace if self.log_scale else np.linspace)(self.low, self.high, self.count)

    def check(self) -> None:
        """Raises ValueError naming what is wrong with this axis, including an oversize count."""
        if self.name not in AXIS_NAMES:
            raise ValueError(f"unknown axis {self.name!r}; valid axes: {', '.join(AXIS_NAMES)}")
        if not isinstance(self.count, (int, np.integer)) or not 1 <= self.count <= MAX_CELLS_PER_SIDE:
            raise ValueError(
                f"a grid has at most {MAX_CELLS_PER_SIDE} cells a side (and at least 1); "
                f"the {self.name} axis asks for {self.count}"
            )
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"the {self.name} axis needs finite bounds with low < high; got {self.low}, {self.high}")
        if self.log_scale and self.low <= 0:
            raise ValueError(f"a log-scale axis needs low > 0; the {self.name} axis starts at {self.low}")


@dataclass(frozen=True)
class SweepMap:
    """One optimiser's outcome in every cell, each array shaped (y.count, x.count).

    ended_in    index into loss.minima, NO_MINIMUM, or DIVERGED
    final_loss  the loss at the last point; NaN where the run diverged
    settled_at  the step after which the run stopped moving, or −1 (still moving, or diverged)
    applies     whether the x and the y axis are settings of this optimiser; along an axis that
                does not apply, the outcome is constant
    """

    optimiser: str
    x: Axis
    y: Axis
    steps: int
    ended_in: Array
    final_loss: Array
    settled_at: Array
    applies: tuple[bool, bool]


@dataclass(frozen=True)
class Verdict:
    optimiser: str
    global_share: float  # of the cells whose run ended in a global minimum
    diverged_share: float


@dataclass(frozen=True)
class RandomStarts:
    """Runs of one setting from starts drawn uniformly over the loss's domain.

    final_x (count, dim) is the last point (the last good one for a diverged run);
    ended_in (count,) is coded as in SweepMap.
    """

    optimiser: str
    steps: int
    final_x: Array
    ended_in: Array

    @property
    def diverged(self) -> Array:
        return self.ended_in == DIVERGED

    @property
    def mean_final_x(self) -> Array | None:
        """The mean final point (dim,) of the runs that did not diverge; None if all diverged."""
        kept = self.final_x[~self.diverged]
        return kept.mean(axis=0) if len(kept) else None

    def histogram(self, low: float, high: float, bins: int) -> tuple[Array, Array]:
        """Bin edges (bins + 1,) and counts (bins,) of the first coordinate of the final points of
        the runs that did not diverge, over [low, high]; points outside are not counted."""
        counts, edges = np.histogram(self.final_x[~self.diverged, 0], bins=bins, range=(low, high))
        return edges, counts


def applies(optimiser_id: str, axis_name: str) -> bool:
    """Whether an axis changes this optimiser's runs: the start always does, a hyperparameter
    only if the optimiser has it."""
    spec = optimisers.REGISTRY[optimiser_id]
    return axis_name == START or any(h.name == axis_name for h in spec.hyperparameters)


def check_sweep(x: Axis, y: Axis, steps: int) -> None:
    """Raises ValueError naming the limit or the setting a sweep would break."""
    x.check()
    y.check()
    if x.name == y.name:
        raise ValueError(f"the two axes must differ; both are {x.name}")
    _check_steps(steps)


def _check_steps(steps: int) -> None:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}; got {steps!r}")


def _middle(loss: Loss) -> tuple[float, ...]:
    return domain_middle(loss.domain)


def _ended_in(loss: Loss, trajectory: optimisers.Trajectory) -> Array:
    return np.where(trajectory.diverged_at >= 0, DIVERGED, loss.nearest_minimum(trajectory.final_x))


def sweep(
    loss: Loss,
    optimiser_id: str,
    x: Axis,
    y: Axis,
    steps: int,
    settings: Mapping[str, float | bool] | None = None,
    start: tuple[float, ...] | None = None,
) -> SweepMap:
    """Run `optimiser_id` from every cell of the grid x × y in one `simulate` call.

    `settings` fix the hyperparameters and options that are not axes (the rest take their
    defaults); `start` is the starting point when START is not an axis (default: the middle of
    the domain); a START axis sets its first coordinate. Raises ValueError for a grid over the
    limits or settings outside their ranges.
    """
    check_sweep(x, y, steps)
    applying = (applies(optimiser_id, x.name), applies(optimiser_id, y.name))
    # Columns vary along the last grid axis, rows along the first; an axis that does not apply
    # keeps length 1, so the optimiser runs once per distinct setting and the result broadcasts.
    grid_values = {}
    if applying[0]:
        grid_values[x.name] = x.values.reshape(1, -1)
    if applying[1]:
        grid_values[y.name] = y.values.reshape(-1, 1)
    x0 = np.array(start if start is not None else _middle(loss), dtype=float).reshape(1, 1, -1)
    if START in grid_values:
        x0 = np.repeat(x0, grid_values[START].size, axis=0 if y.name == START else 1)
        x0[..., 0] = grid_values.pop(START)
    optimiser = optimisers.create(optimiser_id, **{**(settings or {}), **grid_values})
    trajectory = optimisers.simulate(loss, optimiser, x0, steps, record="final")

    shape = (y.count, x.count)
    final_loss = np.where(trajectory.diverged_at >= 0, np.nan, trajectory.final_loss)
    return SweepMap(
        optimiser=optimiser_id,
        x=x,
        y=y,
        steps=steps,
        ended_in=np.broadcast_to(_ended_in(loss, trajectory), shape),
        final_loss=np.broadcast_to(final_loss, shape),
        settled_at=np.broadcast_to(trajectory.settled_at, shape),
        applies=applying,
    )


def cell_run(
    loss: Loss,
    sweep_map: SweepMap,
    row: int,
    column: int,
    settings: Mapping[str, float | bool] | None = None,
    start: tuple[float, ...] | None = None,
) -> tuple[dict[str, float | bool], tuple[float, ...]]:
    """The settings (hyperparameters and options) and start of the run in one cell, given the
    same `settings` and `start` as the sweep: enough to repeat that run on its own."""
    chosen = dict(settings or {})
    x0 = list(start if start is not None else _middle(loss))
    for axis, index, applying in zip((sweep_map.x, sweep_map.y), (column, row), sweep_map.applies, strict=True):
        value = float(axis.values[index])
        if axis.name == START:
            x0[0] = value
        elif applying:
            chosen[axis.name] = value
    return chosen, tuple(x0)


def verdict(loss: Loss, sweep_map: SweepMap) -> Verdict:
    """The share of the grid that reached a global minimum, and the share that diverged."""
    global_indices = [i for i, minimum in enumerate(loss.minima) if minimum.is_global]
    return Verdict(
        optimiser=sweep_map.optimiser,
        global_share=float(np.isin(sweep_map.ended_in, global_indices).mean()),
        diverged_share=float((sweep_map.ended_in == DIVERGED).mean()),
    )


def random_starts(
    loss: Loss,
    optimiser_id: str,
    steps: int,
    count: int,
    settings: Mapping[str, float | bool] | None = None,
    seed: int = 0,
) -> RandomStarts:
    """Run one setting from `count` starts drawn uniformly over the domain, in one `simulate` call."""
    _check_steps(steps)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= MAX_STARTS:
        raise ValueError(f"at most {MAX_STARTS:,} random starts (and at least 1); got {count!r}")
    low, high = np.array(loss.domain, dtype=float).T
    x0 = np.random.default_rng(seed).uniform(low, high, size=(count, loss.dim))
    trajectory = optimisers.simulate(loss, optimisers.create(optimiser_id, **(settings or {})), x0, steps, "final")
    return RandomStarts(optimiser_id, steps, trajectory.final_x, _ended_in(loss, trajectory))
