"""Noisy gradients: additive Gaussian noise and minibatches, reproducible per (seed, step, position)."""

from __future__ import annotations

import numpy as np
import pytest

import losses
import optimisers
from losses.noise import batch_rows, normal_noise

HIMMELBLAU = losses.get("himmelblau")
STARTS = np.array([[0.5, -4.0], [-1.0, 1.0], [3.5, 3.5]])


def simulate(loss, id, x0, steps=40, **settings):
    return optimisers.simulate(loss, optimisers.create(id, **settings), x0, steps)


def test_the_same_seed_gives_the_same_trajectory_bit_for_bit_and_another_seed_another():
    noisy = losses.noisy(HIMMELBLAU, 2.0, seed=7)
    first, again = (simulate(noisy, "adam", STARTS, alpha=0.1) for _ in range(2))
    np.testing.assert_array_equal(first.x, again.x)
    other = simulate(losses.noisy(HIMMELBLAU, 2.0, seed=8), "adam", STARTS, alpha=0.1)
    assert not np.array_equal(first.x, other.x)
    exact = simulate(HIMMELBLAU, "adam", STARTS, alpha=0.1)
    np.testing.assert_array_equal(simulate(losses.noisy(HIMMELBLAU, 0.0, seed=7), "adam", STARTS, alpha=0.1).x, exact.x)


def test_the_noise_is_the_same_for_every_optimiser_and_depends_on_seed_step_and_position():
    noisy = losses.noisy(HIMMELBLAU, 1.5, seed=3)
    for id, settings in [("gd", {"alpha": 0.01}), ("adam", {"alpha": 0.1}), ("rmsprop", {"alpha": 0.05})]:
        run = simulate(noisy, id, STARTS, **settings)
        # What each step was given, less the exact gradient where it was taken: σ·ξ(seed, step, position).
        noise = run.grad - HIMMELBLAU.grad(run.x[:-1])
        for step in range(1, 41):
            np.testing.assert_allclose(
                noise[step - 1], 1.5 * normal_noise(3, step, np.arange(3), 2), rtol=1e-9, atol=1e-9, err_msg=id
            )
    xi = normal_noise(3, 5, np.arange(4), 2)
    assert len({tuple(row) for row in xi}) == 4 and not np.array_equal(xi, normal_noise(3, 6, np.arange(4), 2))


def test_a_run_gets_the_same_noise_alone_as_in_a_batch_of_seeds():
    noisy = losses.noisy(HIMMELBLAU, 1.0, seed=11)
    seeds = simulate(noisy, "adam", np.repeat(STARTS[:1], 20, axis=0), alpha=0.1)
    alone = simulate(noisy, "adam", STARTS[0], alpha=0.1)
    fewer = simulate(noisy, "adam", np.repeat(STARTS[:1], 5, axis=0), alpha=0.1)
    np.testing.assert_array_equal(seeds.x[:, 0], alone.x)
    np.testing.assert_array_equal(seeds.x[:, :5], fewer.x)
    assert len({tuple(x) for x in seeds.final_x}) == 20  # each seed its own path


def test_runs_that_share_a_start_share_their_noise_across_a_grid_of_settings():
    noisy = losses.noisy(HIMMELBLAU, 1.0, seed=2)
    alphas = np.array([0.01, 0.02])[:, None]  # (2, 1) against starts (1, 3): a batch of 2 × 3
    grid = optimisers.simulate(noisy, optimisers.create("gd", alpha=alphas), STARTS[None], 10)
    for j in range(2):
        np.testing.assert_array_equal(grid.grad[0, j], grid.grad[0, 0])  # the first step, at the same start


FAITHFUL = losses.get("faithful", standardise=1)


@pytest.mark.parametrize(("loss", "batch_size"), [(FAITHFUL, 16), (losses.get("iris_logistic"), 20)])
def test_over_an_epoch_the_minibatches_take_every_row_once_and_average_to_the_full_gradient(loss, batch_size):
    rows = len(loss.targets)
    positions = np.arange(3)
    at = np.array([[3.0, 50.0], [-2.0, 1.0], [10.0, 10.0]])
    per_epoch = rows // batch_size
    for epoch in range(2):
        batches = [batch_rows(5, epoch * per_epoch + k + 1, positions, rows, batch_size) for k in range(per_epoch)]
        taken = np.concatenate(batches, axis=1)
        assert (np.sort(taken, axis=1) == np.arange(rows)).all()
        mean = np.mean([loss.batch_gradient(at, batch) for batch in batches], axis=0)
        np.testing.assert_allclose(mean, loss.grad(at), rtol=1e-12, atol=1e-12)
    assert not np.array_equal(
        batch_rows(5, 1, positions, rows, batch_size), batch_rows(5, per_epoch + 1, positions, rows, batch_size)
    )


def test_a_batch_of_all_rows_is_the_exact_gradient():
    at = np.array([[3.0, 50.0], [-2.0, 1.0]])
    shuffled = batch_rows(4, 1, np.arange(2), 272, 272)
    np.testing.assert_allclose(FAITHFUL.batch_gradient(at, shuffled), FAITHFUL.grad(at), rtol=1e-12)
    whole = losses.get("faithful", standardise=1, batch_size=272, seed=4)
    exact = simulate(FAITHFUL, "adam", [[0.0, 0.0]], alpha=1.0)
    np.testing.assert_array_equal(simulate(whole, "adam", [[0.0, 0.0]], alpha=1.0).x, exact.x)


def test_minibatch_trajectories_are_reproducible_and_shared_by_optimisers():
    minibatches = losses.get("faithful", standardise=1, batch_size=8, seed=9)
    x0 = np.zeros((4, 2))
    first, again = (simulate(minibatches, "adam", x0, alpha=1.0) for _ in range(2))
    np.testing.assert_array_equal(first.x, again.x)
    alone = simulate(minibatches, "adam", x0[0], alpha=1.0)
    np.testing.assert_array_equal(first.x[:, 0], alone.x)
    for id, settings in [("adam", {"alpha": 1.0}), ("gd", {"alpha": 0.1})]:
        run = simulate(minibatches, id, x0, **settings)
        for step in (1, 17, 40):
            rows = batch_rows(9, step, np.arange(4), 272, 8)
            np.testing.assert_allclose(
                run.grad[step - 1], minibatches.batch_gradient(run.x[step - 1], rows), rtol=1e-12
            )
        # The loss recorded is the loss over all the data.
        np.testing.assert_allclose(run.loss[-1], FAITHFUL.f(run.x[-1]), rtol=1e-12)


def test_additive_noise_has_mean_zero_and_standard_deviation_sigma():
    xi = normal_noise(1, 1, np.arange(20_000), 2)
    assert np.abs(xi.mean(axis=0)).max() < 4 / np.sqrt(20_000)
    np.testing.assert_allclose(xi.std(axis=0), 1, atol=0.03)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: losses.noisy(HIMMELBLAU, -1.0, 0), "sigma must be a number ≥ 0"),
        (lambda: losses.noisy(HIMMELBLAU, float("nan"), 0), "sigma must be a number ≥ 0"),
        (lambda: losses.noisy(HIMMELBLAU, 1.0, -2), "seed must be a whole number"),
        (lambda: losses.noisy(HIMMELBLAU, 1.0, 1.5), "seed must be a whole number"),
        (lambda: losses.get("faithful", batch_size=300), r"batch_size must be a whole number in \[0, 272\]"),
        (lambda: losses.get("iris_logistic", batch_size=2.5), r"batch_size must be a whole number in \[0, 100\]"),
    ],
)
def test_bad_noise_settings_are_refused_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()
