"""Noisy gradients, reproducible: the noise at step t depends only on (seed, t, the run's position in the
batch of starts), never on the optimiser or on how many runs share the call.

Each draw comes from a generator seeded with (seed, t) (or (seed, epoch) for minibatches), which fills its
array position by position: the rows for positions 0 … p are the same whether p or a thousand runs are
drawn, so a batch of runs and a run on its own are given the same noise, and one call draws it for every
run and seed at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from losses.base import Array, Loss

MAX_SEED = 2**31 - 1


def generator(*keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(keys))))


def normal_noise(seed: int, step: int, positions: Array, dim: int) -> Array:
    """ξ ~ N(0, I) of shape (len(positions), dim): row i a function of (seed, step, positions[i]) alone."""
    positions = np.asarray(positions)
    if positions.size == 0:
        return np.empty((0, dim))
    return generator(seed, step).standard_normal((int(positions.max()) + 1, dim))[positions]


@lru_cache(maxsize=8)
def epoch_orders(seed: int, epoch: int, count: int, rows: int) -> Array:
    """The order in which each of positions 0 … count − 1 takes the data's rows in an epoch: (count, rows)."""
    return np.argsort(generator(seed, epoch).random((count, rows)), axis=1, kind="stable")


def batch_rows(seed: int, step: int, positions: Array, rows: int, batch_size: int) -> Array:
    """The data rows of each run's minibatch at step `step` (from 1): every epoch each position goes through
    the rows in its own random order, `batch_size` at a time (the last batch of an epoch is smaller when
    batch_size does not divide the rows). Shape (len(positions), this batch's size)."""
    positions = np.asarray(positions)
    per_epoch = math.ceil(rows / batch_size)
    epoch, index = divmod(step - 1, per_epoch)
    count = int(positions.max(initial=-1)) + 1
    orders = epoch_orders(seed, epoch, count, rows) if count else np.empty((0, rows), dtype=int)
    return orders[positions, index * batch_size : (index + 1) * batch_size]


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number in [0, {MAX_SEED}]; got {seed!r}")
    return int(seed)


@dataclass(frozen=True, eq=False)
class NoisyLoss(Loss):
    """`base` with additive Gaussian noise on its gradient: g̃ = ∇f + σ·ξ. Its value, exact gradient, Hessian
    and minima are the base loss's."""

    base: Loss = None
    sigma: float = 0.0
    seed: int = 0

    @property
    def latex(self) -> str:
        return self.base.latex

    def f(self, X) -> Array:
        return self.base.f(X)

    def grad(self, X) -> Array:
        return self.base.grad(X)

    def value_and_grad(self, X) -> tuple[Array, Array]:
        return self.base.value_and_grad(X)

    def hessian(self, X) -> Array:
        return self.base.hessian(X)

    def sampled_value_and_grad(self, X, step: int, positions) -> tuple[Array, Array]:
        value, gradient = self.base.sampled_value_and_grad(X, step, positions)
        return value, gradient + self.sigma * normal_noise(self.seed, step, positions, self.dim)


def noisy(loss: Loss, sigma: float, seed: int) -> NoisyLoss:
    """`loss` whose gradient, as `optimisers.simulate` gives it to the optimiser, is ∇f + σ·ξ at every step,
    ξ standard normal and a function of (seed, step, the run's position in the batch of starts) alone."""
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not 0 <= sigma < math.inf:
        raise ValueError(f"sigma must be a number ≥ 0; got {sigma!r}")
    copied = {field.name: getattr(loss, field.name) for field in fields(Loss)}
    return NoisyLoss(**copied, base=loss, sigma=float(sigma), seed=check_seed(seed))
