"""Run an optimiser on a loss for a whole batch of starts and settings at once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from losses import Loss
from optimisers.base import Array, Optimiser, over_coordinates
from optimisers.schedules import Schedule

RECORD_MODES = ("all", "final")
BOUND = 1e6  # a run whose point goes beyond this in any coordinate has diverged
SETTLE_TOLERANCE = 1e-4  # a run has settled once no step moves any coordinate by more than this


@dataclass(frozen=True)
class Trajectory:
    """What `simulate` returns. `batch` is the broadcast shape of x0 (without dim) and the settings.

    With record="all":
      x      (steps+1, *batch, dim)  the points, x[0] = x0
      loss   (steps+1, *batch)       f at each point
      grad   (steps, *batch, dim)    the gradient each step used (at x[t-1])
      lr     (steps, *batch, dim)    the effective learning rate of each step
      state  name → (steps, *batch, dim), the optimiser's accumulators after each step
    A diverged run keeps its last good x and loss; its grad, lr and state are NaN from the step
    it diverged at. With record="final" those fields are None and {}; the summaries are always there:
      final_x (*batch, dim), final_loss (*batch),
      diverged_at (*batch)  the step whose point, loss or gradient was not finite or beyond the
                            bound, or −1
      left_domain (*batch)  whether the run stopped there because f or its gradient was not a number
                            at a point within the bound: it left the domain where f is defined
      settled_at (*batch)   the step after which no update moved x by more than the tolerance
                            (in any coordinate), or −1 if it was still moving at the end or diverged
    """

    steps: int
    final_x: Array
    final_loss: Array
    diverged_at: Array
    settled_at: Array
    left_domain: Array
    x: Array | None = None
    loss: Array | None = None
    grad: Array | None = None
    lr: Array | None = None
    state: dict[str, Array] = field(default_factory=dict)

    def run(self, index: int) -> Trajectory:
        """Run `index` of a trajectory whose batch has one axis (as of a batch of seeds), with batch ()."""
        steps_first = {
            name: getattr(self, name)[:, index]
            for name in ("x", "loss", "grad", "lr")
            if getattr(self, name) is not None
        }
        return Trajectory(
            self.steps,
            self.final_x[index],
            self.final_loss[index],
            self.diverged_at[index],
            self.settled_at[index],
            self.left_domain[index],
            **steps_first,
            state={name: values[:, index] for name, values in self.state.items()},
        )


def _outside_domain(x: Array, value: Array, grad: Array, bound: float) -> Array:
    """Which runs stopped because f or its gradient is not a number at a point that is itself fine: a point
    where f is not defined (the square root or logarithm of a negative number), not one far away."""
    return _in_every_coordinate(np.abs(x) <= bound) & (np.isnan(value) | _in_some_coordinate(np.isnan(grad)))


def _healthy(x: Array, value: Array, grad: Array, bound: float) -> Array:
    """Which runs (rows) have a point within the bound, a finite loss and a finite gradient."""
    # Reductions are much cheaper than elementwise tests, and a sum is non-finite when any
    # term is; only when that quick test fails is each run tested on its own.
    within_bound = x.max(initial=-math.inf) <= bound and x.min(initial=math.inf) >= -bound
    if within_bound and math.isfinite(value.sum() + grad.sum()):
        return np.ones(len(x), dtype=bool)
    return _in_every_coordinate(np.abs(x) <= bound) & np.isfinite(value) & _in_every_coordinate(np.isfinite(grad))


def _in_every_coordinate(holds: Array) -> Array:
    """Which rows (runs) hold in every coordinate, the last axis."""
    return over_coordinates(np.logical_and, holds)[..., 0]


def _in_some_coordinate(holds: Array) -> Array:
    """Which rows (runs) hold in some coordinate, the last axis."""
    return over_coordinates(np.logical_or, holds)[..., 0]


def _moved(new_x: Array, x: Array, tolerance: float) -> Array:
    """Which runs (rows) the step from x to new_x moved by more than `tolerance` in some coordinate."""
    distance = new_x - x
    return _in_some_coordinate(np.abs(distance, out=distance) > tolerance)


@dataclass
class _Runs:
    """Runs as flat arrays: their numbers in the batch, their positions in the batch of starts, the point, f and
    the gradient there, the optimiser's carried state, and the last step that moved each."""

    runs: Array
    positions: Array
    x: Array
    value: Array
    grad: Array
    state: dict[str, Array]
    moved_at: Array

    def kept(self, kept: Array) -> _Runs:
        return _Runs(
            self.runs[kept],
            self.positions[kept],
            self.x[kept],
            self.value[kept],
            self.grad[kept],
            {name: np.broadcast_to(array, self.x.shape)[kept] for name, array in self.state.items()},
            self.moved_at[kept],
        )


@dataclass
class _Ends:
    """How each run of the batch ended (flat, by run number)."""

    x: Array
    value: Array
    diverged_at: Array
    left_domain: Array
    moved_at: Array

    def stop_failed(self, going: _Runs, reached: _Runs, healthy: Array, step: int, bound: float) -> tuple[_Runs, _Runs]:
        """The runs that are not `healthy` at the points they `reached` at `step` stop at their last good point
        (in `going`); returns both without them."""
        failed = ~healthy
        runs = going.runs[failed]
        self.diverged_at[runs] = step
        self.left_domain[runs] = _outside_domain(reached.x[failed], reached.value[failed], reached.grad[failed], bound)
        self.x[runs], self.value[runs], self.moved_at[runs] = (
            going.x[failed],
            going.value[failed],
            going.moved_at[failed],
        )
        return going.kept(healthy), reached.kept(healthy)


def _stepped(loss: Loss, active: Optimiser, going: _Runs, step: int, lr_factor: float) -> _Runs:
    """The runs after one more step: the points they reached, f, the gradient and the carried state there (what
    the step only recorded is let go at once, which keeps a large batch's memory down)."""
    update = active.update(going.x, going.grad, going.state, step, lr_factor)
    value, grad = loss.sampled_value_and_grad(update.x, step + 1, going.positions)
    return replace(going, x=update.x, value=value, grad=grad, state=update.state)


def _run_unrecorded(
    loss: Loss,
    optimiser: Optimiser,
    batch: tuple[int, ...],
    starts: _Runs,
    lr_factors: list[float],
    bound: float,
    tolerance: float,
) -> _Ends:
    """Each step checks every run; a run that failed stops at its last good point and is computed no more."""
    count = len(starts.runs)
    ends = _Ends(
        starts.x.copy(),
        starts.value.copy(),
        np.full(count, -1),
        np.zeros(count, dtype=bool),
        np.zeros(count, dtype=int),
    )
    going = starts
    healthy = _healthy(starts.x, starts.value, starts.grad, bound)
    if not healthy.all():
        going, _ = ends.stop_failed(starts, starts, healthy, 0, bound)
    active = optimiser.for_runs(batch, going.runs)
    going.state = active.init(going.x)
    for step, lr_factor in enumerate(lr_factors, 1):
        reached = _stepped(loss, active, going, step, lr_factor)
        healthy = _healthy(reached.x, reached.value, reached.grad, bound)
        if not healthy.all():
            going, reached = ends.stop_failed(going, reached, healthy, step, bound)
            active = optimiser.for_runs(batch, going.runs)
        np.putmask(reached.moved_at, _moved(reached.x, going.x, tolerance), step)
        going = reached
    ends.x[going.runs], ends.value[going.runs], ends.moved_at[going.runs] = going.x, going.value, going.moved_at
    return ends


class _Recorder:
    """Every step of every run (record="all"). Nothing is checked while the runs go: at the end each run is cut
    at its first point that is beyond the bound or not finite, or where f or its gradient is not finite, as if it
    had stopped there (its later steps were computed, but are never shown)."""

    def __init__(self, steps: int, x: Array, value: Array, names: list[str]):
        count, dim = x.shape
        self.x, self.loss = np.empty((steps + 1, count, dim)), np.empty((steps + 1, count))
        self.x[0], self.loss[0] = x, value
        self.grad, self.lr = np.empty((steps, count, dim)), np.empty((steps, count, dim))
        self.state = {name: np.empty((steps, count, dim)) for name in names}

    def run(self, loss: Loss, active: Optimiser, positions: Array, grad: Array, lr_factors: list[float]) -> Array:
        """Records every step from the starts (with their gradient `grad`); returns the gradient at the end."""
        x = self.x[0]
        state = active.init(x)
        for step, lr_factor in enumerate(lr_factors, 1):
            update = active.update(x, grad, state, step, lr_factor)
            self.grad[step - 1], self.lr[step - 1] = grad, update.lr
            for name, array in (*update.state.items(), *update.recorded.items()):
                self.state[name][step - 1] = array
            x, state = update.x, update.state
            value, grad = loss.sampled_value_and_grad(x, step + 1, positions)
            self.x[step], self.loss[step] = x, value
        return grad

    def ends(self, last_grad: Array, bound: float, tolerance: float) -> _Ends:
        """How each run ended, once each run that failed is cut at its last good point. `last_grad` is the
        gradient at the last points."""
        diverged_at, left_domain = self._first_failures(last_grad, bound)
        failed = np.flatnonzero(diverged_at >= 0)
        self._cut(failed, diverged_at[failed])
        return _Ends(self.x[-1].copy(), self.loss[-1].copy(), diverged_at, left_domain, self._last_moved(tolerance))

    def _first_failures(self, last_grad: Array, bound: float) -> tuple[Array, Array]:
        """Each run's first point (from 0) that is beyond the bound or not finite, or where f or its gradient is
        not finite, or −1; and whether f or its gradient was not a number there (it left the domain)."""
        steps, count, dim = self.grad.shape
        grad_at_points = np.concatenate([self.grad, last_grad[np.newaxis]])
        rows = (self.x.reshape(-1, dim), self.loss.reshape(-1), grad_at_points.reshape(-1, dim))
        healthy = _healthy(*rows, bound).reshape(steps + 1, count)
        diverged_at = np.where(healthy.all(axis=0), -1, healthy.argmin(axis=0))
        runs = np.flatnonzero(diverged_at >= 0)
        at = diverged_at[runs]
        left_domain = np.zeros(count, dtype=bool)
        left_domain[runs] = _outside_domain(self.x[at, runs], self.loss[at, runs], grad_at_points[at, runs], bound)
        return diverged_at, left_domain

    def _cut(self, runs: Array, failed_at: Array) -> None:
        """The runs `runs` stay at their last good point from the point `failed_at` on, and their gradient, lr
        and accumulators are NaN from the step that reached it (all of them for a run that failed at its start)."""
        last_good = np.maximum(failed_at - 1, 0)
        point_numbers = np.arange(len(self.x))[:, np.newaxis]
        held = point_numbers >= np.maximum(failed_at, 1)
        self.x[:, runs] = np.where(held[..., np.newaxis], self.x[last_good, runs], self.x[:, runs])
        self.loss[:, runs] = np.where(held, self.loss[last_good, runs], self.loss[:, runs])
        undone = point_numbers[:-1] >= last_good
        for array in (self.grad, self.lr, *self.state.values()):
            array[:, runs] = np.where(undone[..., np.newaxis], np.nan, array[:, runs])

    def _last_moved(self, tolerance: float) -> Array:
        """The last step that moved each run by more than `tolerance` (0 if none did)."""
        moved = _moved(self.x[1:], self.x[:-1], tolerance)
        step_numbers = np.arange(1, len(moved) + 1)[:, np.newaxis]
        return np.max(moved * step_numbers, axis=0, initial=0)

    def fields(self, batch: tuple[int, ...]) -> dict:
        steps, dim = len(self.grad), self.x.shape[-1]
        return dict(
            x=self.x.reshape(steps + 1, *batch, dim),
            loss=self.loss.reshape(steps + 1, *batch),
            grad=self.grad.reshape(steps, *batch, dim),
            lr=self.lr.reshape(steps, *batch, dim),
            state={name: array.reshape(steps, *batch, dim) for name, array in self.state.items()},
        )


def simulate(
    loss: Loss,
    optimiser: Optimiser,
    x0,
    steps: int,
    record: str = "all",
    bound: float = BOUND,
    settle_tolerance: float = SETTLE_TOLERANCE,
    *,
    schedule: Schedule | None = None,
) -> Trajectory:
    """Run `steps` updates from every start in x0 (*batch, dim) under every setting at once.

    Array hyperparameters of `optimiser` broadcast against x0's batch shape, so a grid of starts
    × learning rates is one call. A run that diverges stops at its last good point; the others go on.
    A `schedule` multiplies α at each step by its factor (None: constant), as torch.optim.lr_scheduler does;
    the recorded lr includes it. On a noisy loss (losses.noisy, or a data loss's minibatches) each step's
    gradient is the loss's sample for that step and the run's position in x0's batch, so runs that share a
    start share their noise, whatever the optimiser.
    """
    if record not in RECORD_MODES:
        raise ValueError(f"record must be one of {RECORD_MODES}; got {record!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number ≥ 0; got {steps!r}")
    x0 = np.asarray(x0, dtype=float)
    if x0.ndim == 0 or x0.shape[-1] != loss.dim:
        raise ValueError(f"x0 must have shape (..., {loss.dim}) for {loss.name}; got {x0.shape}")
    batch = np.broadcast_shapes(x0.shape[:-1], optimiser.batch_shape)
    count, dim = math.prod(batch), loss.dim
    lr_factors = schedule.factors(steps) if schedule else [1.0] * steps

    # The runs go as flat arrays, (count, dim).
    with np.errstate(all="ignore"):
        x = np.broadcast_to(x0, (*batch, dim)).reshape(count, dim).copy()
        # Each run's position in the batch of starts: what a noisy loss's noise depends on, besides the step.
        starts = np.arange(math.prod(x0.shape[:-1])).reshape(x0.shape[:-1])
        positions = np.broadcast_to(starts, batch).reshape(count)
        value, grad = loss.sampled_value_and_grad(x, 1, positions)
        if record == "all":
            recorder = _Recorder(steps, x, value, [accumulator.name for accumulator in optimiser.spec.accumulators])
            last_grad = recorder.run(loss, optimiser.for_runs(batch, np.arange(count)), positions, grad, lr_factors)
            ends = recorder.ends(last_grad, bound, settle_tolerance)
        else:
            runs = _Runs(np.arange(count), positions, x, value, grad, {}, np.zeros(count, dtype=int))
            ends = _run_unrecorded(loss, optimiser, batch, runs, lr_factors, bound, settle_tolerance)

    still_moving_at_end = (ends.moved_at == steps) & (steps > 0)
    summaries = dict(
        steps=steps,
        final_x=ends.x.reshape(*batch, dim),
        final_loss=ends.value.reshape(batch),
        diverged_at=ends.diverged_at.reshape(batch),
        left_domain=ends.left_domain.reshape(batch),
        settled_at=np.where((ends.diverged_at < 0) & ~still_moving_at_end, ends.moved_at, -1).reshape(batch),
    )
    return Trajectory(**summaries, **(recorder.fields(batch) if record == "all" else {}))
