"""simulate(): shapes, record modes, divergence, settling, and input checks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import losses
import optimisers

QUARTIC, SQUARE, WAVY = losses.get("quartic"), losses.get("square"), losses.get("wavy")
SUMMARIES = ("final_x", "final_loss", "diverged_at", "settled_at")


def run(loss, id, x0, steps, record="all", **settings):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning (overflow, 0/0) may escape
        return optimisers.simulate(loss, optimisers.create(id, **settings), x0, steps, record=record)


# --- shapes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x0_shape, alpha_shape, batch",
    [((1,), (), ()), ((4, 1), (), (4,)), ((1,), (3,), (3,)), ((2, 1, 1), (3,), (2, 3)), ((2, 3, 1), (2, 3), (2, 3))],
)
@pytest.mark.parametrize("steps", [0, 1, 7])
def test_every_field_has_its_documented_shape(x0_shape, alpha_shape, batch, steps):
    x0 = np.linspace(-1.5, 1.5, math.prod(x0_shape)).reshape(x0_shape)
    alpha = np.full(alpha_shape, 0.05) if alpha_shape else 0.05
    trajectory = run(QUARTIC, "adam", x0, steps, alpha=alpha)
    dim = 1
    assert trajectory.steps == steps
    assert trajectory.x.shape == (steps + 1, *batch, dim)
    assert trajectory.loss.shape == (steps + 1, *batch)
    assert trajectory.grad.shape == trajectory.lr.shape == (steps, *batch, dim)
    assert set(trajectory.state) == {"m", "v", "m_hat", "v_hat"}
    assert all(array.shape == (steps, *batch, dim) for array in trajectory.state.values())
    assert trajectory.final_x.shape == (*batch, dim)
    assert trajectory.final_loss.shape == trajectory.diverged_at.shape == trajectory.settled_at.shape == batch
    assert np.issubdtype(trajectory.diverged_at.dtype, np.integer)
    assert np.issubdtype(trajectory.settled_at.dtype, np.integer)

    final = run(QUARTIC, "adam", x0, steps, record="final", alpha=alpha)
    assert final.x is final.loss is final.grad is final.lr is None
    assert final.state == {}
    for name in SUMMARIES:
        assert getattr(final, name).shape == getattr(trajectory, name).shape


def test_recorded_fields_are_what_they_say():
    trajectory = run(WAVY, "rmsprop", [[-0.5], [0.7], [2.2]], 30, alpha=0.02)
    np.testing.assert_array_equal(trajectory.x[0], [[-0.5], [0.7], [2.2]])
    np.testing.assert_allclose(trajectory.loss, WAVY.f(trajectory.x), rtol=1e-14)
    np.testing.assert_allclose(trajectory.grad, WAVY.grad(trajectory.x[:-1]), rtol=1e-14)
    np.testing.assert_array_equal(trajectory.final_x, trajectory.x[-1])
    np.testing.assert_array_equal(trajectory.final_loss, trajectory.loss[-1])
    expected_v, previous = np.empty_like(trajectory.grad), 0.0
    for t in range(30):
        expected_v[t] = previous = 0.99 * previous + 0.01 * trajectory.grad[t] ** 2
    np.testing.assert_allclose(trajectory.state["v"], expected_v, rtol=1e-13)


def test_x0_is_not_modified():
    x0 = np.array([[0.2], [1.4]])
    run(QUARTIC, "adam", x0, 5, alpha=0.1)
    np.testing.assert_array_equal(x0, [[0.2], [1.4]])


# --- record="final" ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("id", list(optimisers.REGISTRY))
def test_record_final_gives_the_summaries_of_record_all(id):
    # Starts that settle, keep moving, and diverge (3.0 is beyond a huge α's first step).
    x0 = np.array([-1.1071, 0.2, 0.9, 2.4, 3.0])[:, None, None]
    alpha = np.array([1e-3, 0.05, 1e12])
    # Adafactor's step is at most max(ε₂, RMS(x))/√t, and Rprop's at most its largest step size.
    huge = np.array([1.0, 1.0, 1e12])
    unbounded = {"adafactor": {"eps2": 1e-3 * huge}, "rprop": {"step_max": 50 * huge}}.get(id, {})
    everything = run(QUARTIC, id, x0, 40, alpha=alpha, **unbounded)
    final = run(QUARTIC, id, x0, 40, record="final", alpha=alpha, **unbounded)
    for name in SUMMARIES:
        np.testing.assert_array_equal(getattr(final, name), getattr(everything, name), err_msg=name)
    assert (everything.diverged_at > 0).any() and (everything.diverged_at < 0).any()


# --- divergence ----------------------------------------------------------------------------------------------


def test_a_diverging_run_stops_at_its_last_good_point_while_the_others_go_on():
    # On x², a fixed step α = 1.5 maps x to −2x: from 1 it passes the bound 1e6 = 2^19.93 at step 20.
    alphas = np.array([0.1, 1.5, 0.3])
    trajectory = run(SQUARE, "momentum", [1.0], 30, alpha=alphas, momentum=0.0)
    assert trajectory.diverged_at.tolist() == [-1, 20, -1]
    last_good = (-2.0) ** 19
    np.testing.assert_array_equal(trajectory.x[19:, 1, 0], last_good)
    np.testing.assert_array_equal(trajectory.loss[19:, 1], last_good**2)
    assert trajectory.final_x[1, 0] == last_good and trajectory.final_loss[1] == last_good**2
    for array in (trajectory.grad, trajectory.lr, trajectory.state["b"]):
        assert np.isfinite(array[:19, 1]).all() and np.isnan(array[19:, 1]).all()
    for run_index in (0, 2):
        single = run(SQUARE, "momentum", [1.0], 30, alpha=alphas[run_index], momentum=0.0)
        np.testing.assert_array_equal(trajectory.x[:, run_index], single.x)
        np.testing.assert_array_equal(trajectory.state["b"][:, run_index], single.state["b"])
        assert np.isfinite(trajectory.x[:, run_index]).all()


def test_overflow_is_marked_at_the_first_non_finite_value_without_warnings():
    # Unbounded, the article's scene 1 orange run overflows: find where in a plain loop.
    def value_and_slope(x):
        return x * x * x * x - 2 * x * x + x, 4 * x * x * x - 4 * x + 1

    x, points = 0.1, [0.1]
    while all(math.isfinite(v) for v in (x, *value_and_slope(x))):
        x = x - 0.8 * value_and_slope(x)[1]
        points.append(x)
    trajectory = optimisers.simulate(QUARTIC, optimisers.create("gd", alpha=0.8), [0.1], 20, bound=math.inf)
    assert trajectory.diverged_at == len(points) - 1
    assert trajectory.final_x[0] == pytest.approx(points[-2], rel=1e-9)


@pytest.mark.parametrize("record", ["all", "final"])
def test_a_run_that_passes_the_bound_stops_there_though_a_later_step_comes_back(record):
    # Heavy momentum on x² from 1 swings out and back: |x| = 1, 0.6, 1.22, 0.12, …, past 1.2 at step 2 only.
    x, buffer, points = 1.0, 0.0, [1.0]
    for _ in range(4):
        buffer = 0.99 * buffer + 2 * x
        x = x - 0.8 * buffer
        points.append(x)
    assert abs(points[1]) < 1.2 < abs(points[2]) and abs(points[3]) < 1.2
    optimiser = optimisers.create("momentum", alpha=0.8, momentum=0.99)
    trajectory = optimisers.simulate(SQUARE, optimiser, [[1.0], [0.1]], 4, record=record, bound=1.2)
    assert trajectory.diverged_at.tolist() == [2, -1] and not trajectory.left_domain[0]
    assert trajectory.final_x[0, 0] == pytest.approx(points[1], rel=1e-12)
    if record == "all":
        np.testing.assert_array_equal(trajectory.x[2:, 0, 0], trajectory.x[1, 0, 0])
        assert np.isnan(trajectory.grad[1:, 0]).all() and np.isfinite(trajectory.grad[:1, 0]).all()


@pytest.mark.parametrize("id", list(optimisers.REGISTRY))
def test_zero_eps_at_an_exact_minimum_is_marked_not_warned(id):
    # g = 0 with ε = 0 gives 0/0 in every adaptive rule; the run must be marked or stay put, silently.
    settings = {"eps": 0.0} if "eps" in {h.name for h in optimisers.REGISTRY[id].hyperparameters} else {}
    trajectory = run(SQUARE, id, [[0.0], [1.0]], 5, **settings)
    first_division = 2 if id == "adopt" else 1  # ADOPT's first step only starts v
    assert trajectory.diverged_at[0] in (-1, first_division)
    if trajectory.diverged_at[0] == -1:
        np.testing.assert_array_equal(trajectory.x[:, 0], 0.0)
    assert trajectory.diverged_at[1] == -1 and np.isfinite(trajectory.x[:, 1]).all()


@pytest.mark.parametrize("x0", [math.nan, math.inf, 2e6])
def test_a_bad_start_is_diverged_at_step_0(x0):
    trajectory = run(QUARTIC, "adam", [[x0], [0.5]], 4, alpha=0.1)
    assert trajectory.diverged_at.tolist() == [0, -1]
    assert np.isnan(trajectory.grad[:, 0]).all() and np.isnan(trajectory.state["m"][:, 0]).all()
    np.testing.assert_array_equal(trajectory.x[:, 1], run(QUARTIC, "adam", [0.5], 4, alpha=0.1).x)


# --- settling ------------------------------------------------------------------------------------------------


def test_settled_at_is_the_last_step_that_moved_more_than_the_tolerance():
    # On x² with α = 0.1, x_t = 0.8^t and step t moves 0.2 · 0.8^(t−1): more than 1e-4 up to t = 35.
    trajectory = run(SQUARE, "gd", [[1.0], [0.0]], 100, alpha=0.1)
    assert trajectory.settled_at.tolist() == [35, 0]
    coarse = optimisers.simulate(SQUARE, optimisers.create("gd", alpha=0.1), [1.0], 100, settle_tolerance=1e-2)
    assert coarse.settled_at == 14  # 0.2 · 0.8^(t−1) > 1e-2 up to t = 14


def test_no_steps_means_settled_at_the_start():
    trajectory = run(QUARTIC, "gd", [[0.3], [2.0]], 0, alpha=0.1)
    assert trajectory.settled_at.tolist() == [0, 0] and trajectory.diverged_at.tolist() == [-1, -1]


def test_settled_at_is_minus_1_while_moving_or_after_diverging():
    trajectory = run(SQUARE, "gd", [1.0], 20, alpha=np.array([0.1, 1.5]))
    assert trajectory.settled_at.tolist() == [-1, -1]
    assert trajectory.diverged_at.tolist() == [-1, 20]


def test_settled_at_matches_the_recorded_steps():
    trajectory = run(WAVY, "momentum", np.linspace(-0.5, 2.5, 7)[:, None], 150, alpha=0.005, momentum=0.9)
    moved = (np.abs(np.diff(trajectory.x, axis=0)) > 1e-4).any(axis=-1)
    for index in range(7):
        steps_that_moved = np.flatnonzero(moved[:, index]) + 1
        last = steps_that_moved[-1] if len(steps_that_moved) else 0
        assert trajectory.settled_at[index] == (-1 if last == 150 else last)
    assert (trajectory.settled_at > 0).any()


# --- input checks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("record", ["last", "", None])
def test_unknown_record_mode_is_rejected(record):
    with pytest.raises(ValueError, match="record must be one of"):
        optimisers.simulate(QUARTIC, optimisers.create("gd"), [0.1], 3, record=record)


@pytest.mark.parametrize("steps", [-1, 2.5, True, "3"])
def test_steps_must_be_a_whole_number(steps):
    with pytest.raises(ValueError, match="steps"):
        optimisers.simulate(QUARTIC, optimisers.create("gd"), [0.1], steps)


@pytest.mark.parametrize("x0", [0.1, [0.1, 0.2], [[0.1, 0.2]]])
def test_x0_must_end_with_the_loss_dimension(x0):
    with pytest.raises(ValueError, match=r"x0 must have shape \(\.\.\., 1\)"):
        optimisers.simulate(QUARTIC, optimisers.create("gd"), x0, 3)


def test_a_run_that_steps_where_f_is_not_defined_has_left_its_domain_not_diverged():
    # √x from x = 1 with α = 4: the first step lands at 1 − 4·½ = −1, where √x is not a number.
    root = losses.parse("sqrt(x)")
    trajectory = optimisers.simulate(root, optimisers.create("gd", alpha=4.0), np.array([[1.0], [100.0]]), 5)
    assert trajectory.diverged_at.tolist() == [1, -1] and trajectory.left_domain.tolist() == [True, False]
    assert trajectory.final_x[0, 0] == 1.0  # it stays at its last point where f is defined
    far = optimisers.simulate(losses.get("quartic"), optimisers.create("gd", alpha=0.8), [0.1], 8)
    assert far.diverged_at >= 0 and not far.left_domain
