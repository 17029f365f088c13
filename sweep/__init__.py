"""Sweeps: one optimiser over a grid of two settings, and one setting from many random starts.

Each sweep is a single vectorised `simulate` call: the settings that vary are arrays shaped to
broadcast into the grid, so no Python loop runs over the cells. Grids are shaped (rows, columns):
rows follow the y axis, columns the x axis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

import optimisers
from losses import Loss, domain_middle
from optimisers.ending import ended_in, stopped_early

Array = np.ndarray

# The start axes, and the coordinate of the start each one sets.
START_COORDINATES = {"x0": 0, "y0": 1}
AXIS_NAMES = (*START_COORDINATES, "alpha", "beta", "beta1", "beta2", "eps", "momentum")
MAX_CELLS_PER_SIDE = 400
MAX_STEPS = 1000  # the most steps any page runs
MAX_STARTS = 100_000
MAX_SEEDS = 10
TUNING_CELLS_PER_SIDE = 20  # a tuning runs 61 values of α from each start, so from a coarser grid than the map's


@dataclass(frozen=True)
class Axis:
    """One side of the grid: a start coordinate (a key of START_COORDINATES) or a hyperparameter, and its values."""

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

    ended_in    how each run ended, coded as optimisers.ending codes it
    final_loss  the loss at the last point; NaN where the run stopped early (diverged or left the domain)
    settled_at  the step after which the run stopped moving, or −1 (still moving, or diverged)
    applies     whether the x and the y axis are settings of this optimiser; along an axis that
                does not apply, the outcome is constant
    seed_ended_in  on a noisy loss swept over several seeds, ended_in for each seed (seeds, y.count,
                x.count); the other fields are then the first seed's
    """

    optimiser: str
    x: Axis
    y: Axis
    steps: int
    ended_in: Array
    final_loss: Array
    settled_at: Array
    applies: tuple[bool, bool]
    seed_ended_in: Array | None = None


@dataclass(frozen=True)
class Verdict:
    optimiser: str
    global_share: float  # of the cells whose run ended in a global minimum (over every seed)
    diverged_share: float
    global_range: tuple[float, float] | None = None  # the 10th and 90th percentiles of the share over seeds
    diverged_range: tuple[float, float] | None = None


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
        """Where the run stopped early: it diverged or left the domain."""
        return stopped_early(self.ended_in)

    @property
    def mean_final_x(self) -> Array | None:
        """The mean final point (dim,) of the runs that did not stop early; None if all did."""
        kept = self.final_x[~self.diverged]
        return kept.mean(axis=0) if len(kept) else None

    def histogram(self, domain: tuple[tuple[float, float], ...], bins: int) -> tuple[tuple[Array, ...], Array]:
        """The bin edges (bins + 1,) along each coordinate and the counts (bins, …, bins) of the final
        points of the runs that did not diverge, over `domain`; points outside are not counted."""
        counts, edges = np.histogramdd(self.final_x[~self.diverged], bins=bins, range=domain)
        return tuple(edges), counts.astype(int)


def axis_names(loss: Loss) -> tuple[str, ...]:
    """The axes a grid over `loss` may have: a start axis for each of its coordinates, and the hyperparameters."""
    return tuple(name for name in AXIS_NAMES if START_COORDINATES.get(name, 0) < loss.dim)


def applies(optimiser_id: str, axis_name: str) -> bool:
    """Whether an axis changes this optimiser's runs: the start always does, a hyperparameter
    only if the optimiser has it."""
    spec = optimisers.REGISTRY[optimiser_id]
    return axis_name in START_COORDINATES or any(h.name == axis_name for h in spec.hyperparameters)


def check_sweep(loss: Loss, x: Axis, y: Axis, steps: int) -> None:
    """Raises ValueError naming the limit or the setting a sweep over `loss` would break."""
    for axis in (x, y):
        axis.check()
        if axis.name not in axis_names(loss):
            variables = ", ".join(map(str, loss.variables))
            raise ValueError(
                f"the {axis.name} axis needs a loss of {START_COORDINATES[axis.name] + 1} variables; "
                f"{loss.name} has {loss.dim} ({variables})"
            )
    if x.name == y.name:
        raise ValueError(f"the two axes must differ; both are {x.name}")
    _check_steps(steps)


def _check_steps(steps: int) -> None:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}; got {steps!r}")


def _start(loss: Loss, start: tuple[float, ...] | None) -> tuple[float, ...]:
    """`start`, or the middle of the domain; raises ValueError if it is not one number per variable."""
    if start is None:
        return domain_middle(loss.domain)
    if len(start) != loss.dim:
        raise ValueError(f"a start on {loss.name} needs {loss.dim} coordinate(s); got {start!r}")
    return tuple(float(v) for v in start)


def sweep(
    loss: Loss,
    optimiser_id: str,
    x: Axis,
    y: Axis,
    steps: int,
    settings: Mapping[str, float | bool] | None = None,
    start: tuple[float, ...] | None = None,
    seeds: int = 1,
) -> SweepMap:
    """Run `optimiser_id` from every cell of the grid x × y in one `simulate` call; on a noisy loss, from
    `seeds` seeds at once (each its own copy of the grid, so its own noise).

    `settings` fix the hyperparameters and options that are not axes (the rest take their
    defaults); `start` is the starting point (default: the middle of the domain), whose
    coordinates on a start axis are replaced by that axis's values. Raises ValueError for a grid
    over the limits, an axis the loss lacks, or settings outside their ranges.
    """
    check_sweep(loss, x, y, steps)
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or not 1 <= seeds <= MAX_SEEDS:
        raise ValueError(f"a sweep takes 1 to {MAX_SEEDS} seeds; got {seeds!r}")
    applying = (applies(optimiser_id, x.name), applies(optimiser_id, y.name))
    # Columns vary along the last grid axis, rows along the first; an axis that does not apply
    # keeps length 1, so the optimiser runs once per distinct setting and the result broadcasts.
    grid_values = {
        axis.name: axis.values.reshape(shape)
        for axis, shape, applying_here in zip((x, y), ((1, -1), (-1, 1)), applying, strict=True)
        if applying_here and axis.name not in START_COORDINATES
    }
    x0 = grid_starts(loss, x, y, _start(loss, start))
    # The seeds as a first axis of starts: seed k's runs have positions of their own, so noise of their own.
    x0 = np.broadcast_to(x0, (seeds, *x0.shape))
    optimiser = optimisers.create(optimiser_id, **{**(settings or {}), **grid_values})
    trajectory = optimisers.simulate(loss, optimiser, x0, steps, record="final")

    shape = (seeds, y.count, x.count)
    codes = np.broadcast_to(ended_in(loss, trajectory), shape)
    final_loss = np.where(trajectory.diverged_at >= 0, np.nan, trajectory.final_loss)
    return SweepMap(
        optimiser=optimiser_id,
        x=x,
        y=y,
        steps=steps,
        ended_in=codes[0],
        final_loss=np.broadcast_to(final_loss, shape)[0],
        settled_at=np.broadcast_to(trajectory.settled_at, shape)[0],
        applies=applying,
        seed_ended_in=codes if seeds > 1 else None,
    )


def grid_starts(loss: Loss, x: Axis, y: Axis, start: tuple[float, ...]) -> Array:
    """Each cell's start, (rows or 1, columns or 1, dim): `start` with the values of the start axes put in;
    along an axis that is not a start the shape keeps length 1."""
    values = {x.name: x.values.reshape(1, -1), y.name: y.values.reshape(-1, 1)}
    starts = {name: values[name] for name in START_COORDINATES if name in values}
    x0 = np.broadcast_to(start, (*np.broadcast_shapes((1, 1), *(v.shape for v in starts.values())), loss.dim))
    x0 = x0.astype(float)
    for name, coordinate_values in starts.items():
        x0[..., START_COORDINATES[name]] = coordinate_values
    return x0


def tune_alpha(
    loss: Loss,
    optimiser_id: str,
    x: Axis,
    y: Axis,
    steps: int,
    settings: Mapping[str, float | bool] | None = None,
    start: tuple[float, ...] | None = None,
) -> optimisers.Tuning:
    """`optimisers.tune` of α for a sweep's optimiser: from the grid's starts (at most TUNING_CELLS_PER_SIDE a
    side, over the same range), with `settings` but α fixed, and any other hyperparameter that is an axis at
    its value in `settings` or its default. Raises ValueError when α is an axis, or as `sweep` does."""
    check_sweep(loss, x, y, steps)
    if "alpha" in (x.name, y.name):
        raise ValueError("α is an axis of the grid: its maps already show every α")
    coarse = [replace(axis, count=min(axis.count, TUNING_CELLS_PER_SIDE)) for axis in (x, y)]
    fixed = {name: value for name, value in (settings or {}).items() if name != "alpha"}
    return optimisers.tune(loss, optimiser_id, grid_starts(loss, *coarse, _start(loss, start)), steps, **fixed)


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
    x0 = list(_start(loss, start))
    for axis, index, applying in zip((sweep_map.x, sweep_map.y), (column, row), sweep_map.applies, strict=True):
        value = float(axis.values[index])
        if axis.name in START_COORDINATES:
            x0[START_COORDINATES[axis.name]] = value
        elif applying:
            chosen[axis.name] = value
    return chosen, tuple(x0)


def verdict(loss: Loss, sweep_map: SweepMap) -> Verdict:
    """The share of the grid that reached a global minimum, and the share that diverged; over several seeds,
    the shares of all their runs, and how the share varies from seed to seed (10th to 90th percentile)."""
    global_indices = [i for i, minimum in enumerate(loss.minima) if minimum.is_global]
    codes = sweep_map.ended_in if sweep_map.seed_ended_in is None else sweep_map.seed_ended_in
    reached, diverged = np.isin(codes, global_indices), stopped_early(codes)
    ranges = {}
    if sweep_map.seed_ended_in is not None:
        per_seed = [shares.mean(axis=(1, 2)) for shares in (reached, diverged)]
        ranges = {
            name: tuple(float(v) for v in np.percentile(shares, [10, 90]))
            for name, shares in zip(("global_range", "diverged_range"), per_seed, strict=True)
        }
    return Verdict(
        optimiser=sweep_map.optimiser,
        global_share=float(reached.mean()),
        diverged_share=float(diverged.mean()),
        **ranges,
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
    return RandomStarts(optimiser_id, steps, trajectory.final_x, ended_in(loss, trajectory))
