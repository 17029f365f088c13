"""Run an optimiser on a loss for a whole batch of starts and settings at once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from losses import Loss
from optimisers.base import Array, Optimiser, Step
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
    return (np.abs(x) <= bound).all(axis=-1) & (np.isnan(value) | np.isnan(grad).any(axis=-1))


def _healthy(x: Array, value: Array, grad: Array, bound: float) -> Array:
    """Which runs (rows) have a point within the bound, a finite loss and a finite gradient."""
    # Reductions are much cheaper than elementwise tests, and a sum is non-finite when any
    # term is; only when that quick test fails is each run tested on its own.
    within_bound = x.max(initial=-math.inf) <= bound and x.min(initial=math.inf) >= -bound
    if within_bound and math.isfinite(value.sum() + grad.sum()):
        return np.ones(len(x), dtype=bool)
    return (np.abs(x) <= bound).all(axis=-1) & np.isfinite(value) & np.isfinite(grad).all(axis=-1)


def _moved(new_x: Array, x: Array, tolerance: float) -> Array:
    """Which runs (rows) the step from x to new_x moved by more than `tolerance` in some coordinate."""
    distance = new_x - x
    return (np.abs(distance, out=distance) > tolerance).any(axis=-1)


@dataclass
class _Going:
    """The runs still going, as flat arrays: their numbers in the batch, their positions in the batch of starts,
    the point, f and the gradient there, the optimiser's carried state, and the last step that moved each."""

    runs: Array
    positions: Array
    x: Array
    value: Array
    grad: Array
    state: dict[str, Array]
    moved_at: Array

    def kept(self, kept: Array) -> _Going:
        return _Going(
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
    """How each run of the batch ended (flat, by run number), filled in as runs stop and at the end."""

    x: Array
    value: Array
    diverged_at: Array
    left_domain: Array
    moved_at: Array

    def stop(self, going: _Going, failed: Array, step: int, point: tuple[Array, Array, Array], bound: float) -> None:
        """The runs `failed` of `going` stop at `step`, at their last good point, because `point` (x, f and
        the gradient there) is not finite or beyond the bound."""
        runs = going.runs[failed]
        self.diverged_at[runs] = step
        self.left_domain[runs] = _outside_domain(*(array[failed] for array in point), bound)
        self.x[runs], self.value[runs], self.moved_at[runs] = (
            going.x[failed],
            going.value[failed],
            going.moved_at[failed],
        )

    def finish(self, going: _Going) -> None:
        self.x[going.runs], self.value[going.runs], self.moved_at[going.runs] = going.x, going.value, going.moved_at


def _kept_rows(update: Step, kept: Array, shape: tuple[int, ...]) -> Step:
    """The rows `kept` of an update whose lr and accumulators may broadcast against x (`shape`)."""

    def rows(array):
        return np.broadcast_to(array, shape)[kept]

    return Step(
        update.x[kept],
        rows(update.lr),
        {name: rows(array) for name, array in update.state.items()},
        {name: rows(array) for name, array in update.recorded.items()},
    )


class _Recorder:
    """Every step of every run (record="all"), flat: a stopped run keeps its last point and f, and has NaN
    for its gradient, lr and accumulators from the step it stopped at."""

    def __init__(self, steps: int, count: int, dim: int, x: Array, value: Array, names: list[str]):
        self.x, self.loss = np.empty((steps + 1, count, dim)), np.empty((steps + 1, count))
        self.x[0], self.loss[0] = x, value
        self.grad, self.lr = np.full((steps, count, dim), np.nan), np.full((steps, count, dim), np.nan)
        self.state = {name: np.full((steps, count, dim), np.nan) for name in names}

    def record(self, step: int, runs: Array, grad: Array, update: Step, value: Array) -> None:
        """Step `step` of the runs `runs`: the gradient it used, its update and f at the new point."""
        every_run = len(runs) == self.x.shape[1]
        going = slice(None) if every_run else runs
        if not every_run:
            self.x[step], self.loss[step] = self.x[step - 1], self.loss[step - 1]
        self.x[step, going], self.loss[step, going] = update.x, value
        self.grad[step - 1, going], self.lr[step - 1, going] = grad, update.lr
        for name, array in (*update.state.items(), *update.recorded.items()):
            self.state[name][step - 1, going] = array

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
    × learning rates is one call. A run that diverges stops at its last good point and is no
    longer computed; the others go on. A `schedule` multiplies α at each step by its factor (None:
    constant), as torch.optim.lr_scheduler does; the recorded lr includes it. On a noisy loss (losses.noisy,
    or a data loss's minibatches) each step's gradient is the loss's sample for that step and the run's
    position in x0's batch, so runs that share a start share their noise, whatever the optimiser.
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

    # The loop works on flat arrays of the runs still going.
    with np.errstate(all="ignore"):
        x = np.broadcast_to(x0, (*batch, dim)).reshape(count, dim).copy()
        # Each run's position in the batch of starts: what a noisy loss's noise depends on, besides the step.
        starts = np.arange(math.prod(x0.shape[:-1])).reshape(x0.shape[:-1])
        positions = np.broadcast_to(starts, batch).reshape(count)
        value, grad = loss.sampled_value_and_grad(x, 1, positions)
        no_steps = np.zeros(count, dtype=int)
        going = _Going(np.arange(count), positions, x, value, grad, {}, no_steps)
        ends = _Ends(x.copy(), value.copy(), np.full(count, -1), np.zeros(count, dtype=bool), no_steps.copy())
        healthy = _healthy(x, value, grad, bound)
        if not healthy.all():
            ends.stop(going, ~healthy, 0, (x, value, grad), bound)
            going = going.kept(healthy)
        active = optimiser.for_runs(batch, going.runs)
        going.state = active.init(going.x)
        names = [accumulator.name for accumulator in optimiser.spec.accumulators]
        recorder = _Recorder(steps, count, dim, ends.x, ends.value, names) if record == "all" else None

        for step in range(1, steps + 1):
            update = active.update(going.x, going.grad, going.state, step, lr_factors[step - 1])
            value, grad = loss.sampled_value_and_grad(update.x, step + 1, going.positions)
            healthy = _healthy(update.x, value, grad, bound)
            if not healthy.all():
                ends.stop(going, ~healthy, step, (update.x, value, grad), bound)
                update, value, grad = _kept_rows(update, healthy, going.x.shape), value[healthy], grad[healthy]
                going = going.kept(healthy)
                active = optimiser.for_runs(batch, going.runs)
            np.putmask(going.moved_at, _moved(update.x, going.x, settle_tolerance), step)
            if recorder:
                recorder.record(step, going.runs, going.grad, update, value)
            going.x, going.value, going.grad, going.state = update.x, value, grad, update.state

    ends.finish(going)
    still_moving_at_end = (ends.moved_at == steps) & (steps > 0)
    summaries = dict(
        steps=steps,
        final_x=ends.x.reshape(*batch, dim),
        final_loss=ends.value.reshape(batch),
        diverged_at=ends.diverged_at.reshape(batch),
        left_domain=ends.left_domain.reshape(batch),
        settled_at=np.where((ends.diverged_at < 0) & ~still_moving_at_end, ends.moved_at, -1).reshape(batch),
    )
    return Trajectory(**summaries, **(recorder.fields(batch) if recorder else {}))
