"""The loss catalogue: shapes, gradients, and minima checked with sympy and the article's numbers."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import losses

IDS = losses.ids()
# Losses whose minimum is a kink, where the derivative jumps instead of passing through zero.
KINKED = {"kink"}


def sympy_derivatives(loss: losses.Loss, at: float, order: int) -> list[float]:
    """f', …, f^(order) at `at`, from the expression by sympy in 30-digit arithmetic."""
    (variable,) = loss.variables
    point = sp.Float(at, 30)
    return [float(sp.diff(loss.expression, variable, k).subs(variable, point).evalf(30)) for k in range(1, order + 1)]


def sympy_value(loss: losses.Loss, at: float) -> float:
    (variable,) = loss.variables
    return float(loss.expression.subs(variable, sp.Float(at, 30)).evalf(30))


def test_ids_include_the_article_functions_and_each_loss_knows_its_id():
    assert {"quartic", "wavy"} <= set(IDS)
    assert len(set(IDS)) == len(IDS)
    for id in IDS:
        assert losses.get(id).id == id


def test_unknown_id_is_rejected_naming_the_valid_ones():
    with pytest.raises(ValueError, match="unknown loss 'quadratic'") as error:
        losses.get("quadratic")
    assert all(id in str(error.value) for id in IDS)


@pytest.mark.parametrize("id", IDS)
@pytest.mark.parametrize("batch", [(), (5,), (2, 3)])
def test_f_and_grad_shapes(id, batch):
    loss = losses.get(id)
    (low, high), dim = loss.domain[0], loss.dim
    X = np.linspace(low, high, max(1, int(np.prod(batch))) * dim).reshape(*batch, dim)
    assert loss.f(X).shape == batch
    assert loss.grad(X).shape == (*batch, dim)
    value, grad = loss.value_and_grad(X)
    # value_and_grad shares sub-expressions, so it may round differently in the last bit.
    np.testing.assert_allclose(value, loss.f(X), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(grad, loss.grad(X), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("id", IDS)
def test_f_agrees_with_its_expression(id):
    loss = losses.get(id)
    (low, high) = loss.domain[0]
    for at in np.linspace(low, high, 7):
        assert loss.f([at]) == pytest.approx(sympy_value(loss, at), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("id", IDS)
def test_grad_matches_central_finite_differences(id):
    loss = losses.get(id)
    (low, high) = loss.domain[0]
    # Points off any grid that could land on the kink at 0.
    X = np.linspace(low + 0.013, high - 0.017, 101)[:, None]
    h = 1e-6
    numeric = (loss.f(X + h) - loss.f(X - h)) / (2 * h)
    scale = np.maximum(1.0, np.abs(loss.f(X)))
    np.testing.assert_allclose(loss.grad(X)[:, 0], numeric, atol=1e-6 * scale.max(), rtol=1e-6)


@pytest.mark.parametrize("id", IDS)
def test_each_minimum_is_a_minimum(id):
    loss = losses.get(id)
    assert loss.minima, f"{id} lists no minimum"
    (low, high) = loss.domain[0]
    for minimum in loss.minima:
        (at,) = minimum.x
        assert low < at < high
        assert minimum.value == pytest.approx(sympy_value(loss, at), abs=1e-12)
        if id in KINKED:
            h = 1e-7
            left_slope = (sympy_value(loss, at) - sympy_value(loss, at - h)) / h
            right_slope = (sympy_value(loss, at + h) - sympy_value(loss, at)) / h
            assert left_slope < -0.5 and right_slope > 0.5, (left_slope, right_slope)
        else:
            slope, curvature = sympy_derivatives(loss, at, 2)
            assert abs(slope) < 1e-8 * max(1.0, curvature), slope
            assert curvature > 0


def test_only_the_kinked_losses_are_not_smooth():
    for id in IDS:
        assert losses.get(id).expression.has(sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min) == (id in KINKED), id


@pytest.mark.parametrize("id", IDS)
def test_global_minima_have_the_lowest_value(id):
    loss = losses.get(id)
    values = [m.value for m in loss.minima]
    lowest = min(values)
    assert any(m.is_global for m in loss.minima)
    for minimum in loss.minima:
        assert minimum.is_global == (minimum.value <= lowest + 1e-9)
    # Nothing in the domain is lower than the global minimum.
    (low, high) = loss.domain[0]
    assert loss.f(np.linspace(low, high, 200001)[:, None]).min() >= lowest - 1e-9


@pytest.mark.parametrize("id", IDS)
def test_every_interior_minimum_is_listed(id):
    loss = losses.get(id)
    (variable,) = loss.variables
    f = sp.lambdify(variable, loss.expression, "numpy")  # compiled here, apart from the loss's own
    (low, high) = loss.domain[0]
    xs = np.linspace(low, high, 400001)
    values = f(xs)
    lower_than_neighbours = np.flatnonzero((values[1:-1] < values[:-2]) & (values[1:-1] <= values[2:])) + 1
    listed = np.array([m.x[0] for m in loss.minima])
    for index in lower_than_neighbours:
        assert np.abs(listed - xs[index]).min() < 2 * (xs[1] - xs[0]), f"{id}: unlisted minimum near {xs[index]}"
    assert len(lower_than_neighbours) == len(listed)


def test_quartic_critical_points_from_the_article():
    quartic = losses.get("quartic")
    minima = sorted(quartic.minima, key=lambda m: m.x[0])
    assert len(minima) == 2
    assert minima[0].x[0] == pytest.approx(-1.107160, abs=1e-6) and minima[0].is_global
    assert minima[0].value == pytest.approx(-2.056173, abs=1e-6)
    assert minima[1].x[0] == pytest.approx(0.837565, abs=1e-6) and not minima[1].is_global
    assert minima[1].value == pytest.approx(-0.073342, abs=1e-6)
    assert quartic.grad([0.269594])[0] == pytest.approx(0.0, abs=1e-5)  # the local maximum between them


def test_wavy_minima_from_the_article():
    wavy = losses.get("wavy")
    minima = sorted(wavy.minima, key=lambda m: m.x[0])
    expected = [-0.1156, 0.3713, 0.9114, 1.4603, 1.9670, 2.3966]
    assert [m.x[0] for m in minima] == pytest.approx(expected, abs=1e-4)
    assert [m.is_global for m in minima] == [False, False, False, False, True, False]
    assert minima[4].value == pytest.approx(-0.4953, abs=1e-4)
