"""Run an optimiser on a loss for a whole batch of starts and settings at once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from losses import Loss
from optimisers.base import Array, Optimiser
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
    recording = record == "all"
    lr_factors = schedule.factors(steps) if schedule else [1.0] * steps

    # The loop works on flat arrays of the runs still going; `runs` holds their numbers.
    with np.errstate(all="ignore"):
        x = np.broadcast_to(x0, (*batch, dim)).reshape(count, dim).copy()
        # Each run's position in the batch of starts: what a noisy loss's noise depends on, besides the step.
        starts = np.arange(math.prod(x0.shape[:-1])).reshape(x0.shape[:-1])
        positions = np.broadcast_to(starts, batch).reshape(count)
        value, grad = loss.sampled_value_and_grad(x, 1, positions)
        final_x, final_value = x.copy(), value.copy()
        diverged_at = np.full(count, -1)
        moved_at_full = np.zeros(count, dtype=int)
        runs = np.arange(count)
        healthy = _healthy(x, value, grad, bound)
        diverged_at[~healthy] = 0
        left_domain = ~healthy & _outside_domain(x, value, grad, bound)
        runs, x, value, grad = runs[healthy], x[healthy], value[healthy], grad[healthy]
        positions = positions[healthy]
        active = optimiser.for_runs(batch, runs)
        state = active.init(x)
        moved_at = np.zeros(len(runs), dtype=int)
        if recording:
            xs, values = np.empty((steps + 1, count, dim)), np.empty((steps + 1, count))
            grads, lrs = np.full((steps, count, dim), np.nan), np.full((steps, count, dim), np.nan)
            states = {name: np.full((steps, count, dim), np.nan) for name in state}
            xs[0], values[0] = final_x, final_value

        for step in range(1, steps + 1):
            new_x, lr, new_state = active.update(x, grad, state, step, lr_factors[step - 1])
            new_value, new_grad = loss.sampled_value_and_grad(new_x, step + 1, positions)
            healthy = _healthy(new_x, new_value, new_grad, bound)
            if not healthy.all():
                failed, stopped = ~healthy, runs[~healthy]
                diverged_at[stopped] = step
                left_domain[stopped] = _outside_domain(new_x[failed], new_value[failed], new_grad[failed], bound)
                final_x[stopped], final_value[stopped], moved_at_full[stopped] = (
                    x[failed],
                    value[failed],
                    moved_at[failed],
                )
                lr = np.broadcast_to(lr, x.shape)[healthy]
                new_state = {name: np.broadcast_to(array, x.shape)[healthy] for name, array in new_state.items()}
                runs, moved_at, x, grad = runs[healthy], moved_at[healthy], x[healthy], grad[healthy]
                positions = positions[healthy]
                new_x, new_value, new_grad = new_x[healthy], new_value[healthy], new_grad[healthy]
                active = optimiser.for_runs(batch, runs)
            np.putmask(moved_at, (np.abs(new_x - x) > settle_tolerance).any(axis=-1), step)
            if recording:
                going = slice(None) if len(runs) == count else runs
                if len(runs) < count:
                    xs[step], values[step] = xs[step - 1], values[step - 1]
                xs[step, going], values[step, going] = new_x, new_value
                grads[step - 1, going], lrs[step - 1, going] = grad, lr
                for name in states:
                    states[name][step - 1, going] = new_state[name]
            x, value, grad, state = new_x, new_value, new_grad, new_state

    final_x[runs], final_value[runs], moved_at_full[runs] = x, value, moved_at
    still_moving_at_end = (moved_at_full == steps) & (steps > 0)
    summaries = dict(
        steps=steps,
        final_x=final_x.reshape(*batch, dim),
        final_loss=final_value.reshape(batch),
        diverged_at=diverged_at.reshape(batch),
        left_domain=left_domain.reshape(batch),
        settled_at=np.where((diverged_at < 0) & ~still_moving_at_end, moved_at_full, -1).reshape(batch),
    )
    if not recording:
        return Trajectory(**summaries)
    return Trajectory(
        **summaries,
        x=xs.reshape(steps + 1, *batch, dim),
        loss=values.reshape(steps + 1, *batch),
        grad=grads.reshape(steps, *batch, dim),
        lr=lrs.reshape(steps, *batch, dim),
        state={name: array.reshape(steps, *batch, dim) for name, array in states.items()},
    )
