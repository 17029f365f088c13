"""The losses fitted to data: the shipped data, their derivatives against torch autograd and finite
differences, their minima, and the lines the data panel draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import losses
import optimisers
from losses.data import read_columns

GOLDEN = Path(__file__).parent / "golden"
DERIVATIVES = json.loads((GOLDEN / "torch_data_derivatives.json").read_text())
DERIVATIVE_ARRAYS = np.load(GOLDEN / "torch_data_derivatives.npz")
VARIANTS = [("faithful", {"standardise": 0}), ("faithful", {"standardise": 1}), ("iris_logistic", {})]


def test_the_shipped_data_has_every_row():
    faithful = read_columns("faithful")
    assert list(faithful) == ["duration", "waiting"] and len(faithful["waiting"]) == 272
    iris = read_columns("iris")
    assert len(iris["species"]) == 150
    assert {name: iris["species"].count(name) for name in set(iris["species"])} == {
        "setosa": 50,
        "versicolor": 50,
        "virginica": 50,
    }
    assert len(losses.get("iris_logistic").targets) == 100


@pytest.mark.parametrize("case", DERIVATIVES["cases"], ids=lambda case: case["key"])
def test_value_gradient_and_hessian_match_torch_autograd(case):
    loss = losses.get(case["loss"], **case["settings"])
    points = DERIVATIVE_ARRAYS[f"{case['key']}_points"]
    value, gradient = loss.value_and_grad(points)
    np.testing.assert_allclose(value, DERIVATIVE_ARRAYS[f"{case['key']}_values"], rtol=1e-12)
    np.testing.assert_allclose(gradient, DERIVATIVE_ARRAYS[f"{case['key']}_gradients"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(loss.grad(points), gradient, rtol=0, atol=0)
    np.testing.assert_allclose(loss.f(points), value, rtol=0, atol=0)
    np.testing.assert_allclose(
        loss.hessian(points), DERIVATIVE_ARRAYS[f"{case['key']}_hessians"], rtol=1e-9, atol=1e-12
    )


def test_every_data_loss_variant_is_in_the_torch_golden_file():
    assert [(case["loss"], case["settings"]) for case in DERIVATIVES["cases"]] == [
        (id, {name: float(value) for name, value in settings.items()}) for id, settings in VARIANTS
    ]


@pytest.mark.parametrize(("id", "settings"), VARIANTS)
def test_derivatives_match_finite_differences(id, settings):
    loss = losses.get(id, **settings)
    points = np.random.default_rng(7).uniform([-5, -5], [20, 20], size=(20, 2))
    step = 1e-5
    shifts = np.eye(2) * step
    differences = np.stack([(loss.f(points + e) - loss.f(points - e)) / (2 * step) for e in shifts], axis=-1)
    np.testing.assert_allclose(loss.grad(points), differences, rtol=1e-7, atol=1e-7)
    second = np.stack([(loss.grad(points + e) - loss.grad(points - e)) / (2 * step) for e in shifts], axis=-1)
    np.testing.assert_allclose(loss.hessian(points), second, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("id", "settings"), VARIANTS)
def test_the_minimum_is_where_the_gradient_vanishes_and_the_hessian_is_positive(id, settings):
    loss = losses.get(id, **settings)
    (minimum,) = loss.minima
    where = np.array([minimum.x])
    assert np.abs(loss.grad(where)).max() < 1e-12
    assert (np.linalg.eigvalsh(loss.hessian(where)[0]) > 0).all()
    assert minimum.is_global and minimum.value == pytest.approx(loss.f(where)[0], rel=1e-15)


def test_faithful_s_minimum_is_the_least_squares_line_and_scaling_turns_the_valley_into_a_bowl():
    columns = read_columns("faithful")
    duration, waiting = (np.array(columns[name], dtype=float) for name in ("duration", "waiting"))
    slope, intercept = np.polyfit(duration, waiting, 1)
    raw, scaled = losses.get("faithful"), losses.get("faithful", standardise=1)
    np.testing.assert_allclose(raw.minima[0].x, (slope, intercept), rtol=1e-12)
    np.testing.assert_allclose(scaled.minima[0].x, (slope * duration.std(), waiting.mean()), rtol=1e-12)
    assert scaled.minima[0].value == pytest.approx(raw.minima[0].value, rel=1e-12)  # the same fit
    assert 100 < np.linalg.cond(raw.hessian(np.zeros(2))) < 200
    assert np.linalg.cond(scaled.hessian(np.zeros(2))) == pytest.approx(1, abs=1e-9)
    # The fitted line the panel draws, at the minimum, is the least-squares line, raw or scaled.
    for loss in (raw, scaled):
        xs, ys = loss.lines(np.array([loss.minima[0].x]))
        np.testing.assert_allclose(ys[0], slope * xs[0] + intercept, rtol=1e-12)


def test_the_decision_boundary_is_perpendicular_to_the_weights_and_absent_for_zero_weights():
    loss = losses.get("iris_logistic")
    xs, ys = loss.lines(np.array([[3.0, 4.0], [0.0, 0.0]]))
    direction = np.array([xs[0, 1] - xs[0, 0], ys[0, 1] - ys[0, 0]])
    assert direction @ [3.0, 4.0] == pytest.approx(0, abs=1e-12)
    assert xs[0, 0] == pytest.approx(-xs[0, 1]) and np.hypot(xs[0, 1], ys[0, 1]) > np.abs(loss.panel.x).max()
    assert np.isnan(xs[1]).all() and np.isnan(ys[1]).all()


@pytest.mark.parametrize("value", [0.5, 2, -1, "1"])
def test_standardise_is_a_switch(value):
    with pytest.raises(ValueError, match=r"standardise must be a whole number in \[0, 1\]"):
        losses.get("faithful", standardise=value)


def test_gradients_match_torch_autograd_live_at_random_points():
    torch = pytest.importorskip("torch")
    from tools.make_golden import DATA_LOSSES, autograd_gradient

    points = np.random.default_rng(3).uniform(-10, 40, size=(50, 2))
    for (id, setting), torch_loss in DATA_LOSSES.items():
        loss = losses.get(id, **({} if setting is None else {"standardise": setting}))
        expected = autograd_gradient(torch_loss)(torch.tensor(points)).numpy()
        np.testing.assert_allclose(loss.grad(points), expected, rtol=1e-9, atol=1e-12, err_msg=id)


@pytest.mark.parametrize(("id", "settings"), VARIANTS)
def test_a_batch_of_runs_and_each_run_alone_agree_bit_for_bit(id, settings):
    loss = losses.get(id, **settings)
    starts = np.array([[0.0, 0.0], [20.0, 70.0], [-4.0, 9.0]])
    optimiser = optimisers.create("adam", alpha=np.array([0.3, 1.0]))
    batched = optimisers.simulate(loss, optimiser, starts[:, None, :], 50)
    for i, start in enumerate(starts):
        for j, alpha in enumerate((0.3, 1.0)):
            alone = optimisers.simulate(loss, optimisers.create("adam", alpha=alpha), start, 50)
            np.testing.assert_array_equal(batched.x[:, i, j], alone.x)
            np.testing.assert_array_equal(batched.grad[:, i, j], alone.grad)
