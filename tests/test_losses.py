"""The loss catalogue: shapes, gradients, and minima checked with sympy and the article's numbers."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
import sympy as sp

import losses

IDS = losses.ids()
IDS_1D = tuple(id for id in IDS if losses.get(id).dim == 1)
IDS_2D = tuple(id for id in IDS if losses.get(id).dim == 2)
# Losses whose minimum is a kink, where the derivative jumps instead of passing through zero.
KINKED = {"kink"}


def sympy_derivatives(loss: losses.Loss, at: float, order: int) -> list[float]:
    """f', …, f^(order) at `at`, from the expression by sympy in 30-digit arithmetic."""
    (variable,) = loss.variables
    point = sp.Float(at, 30)
    return [float(sp.diff(loss.expression, variable, k).subs(variable, point).evalf(30)) for k in range(1, order + 1)]


def sympy_value(loss: losses.Loss, at) -> float:
    """f at `at` (a number, or one per variable), by sympy in 30-digit arithmetic."""
    point = dict(zip(loss.variables, [sp.Float(v, 30) for v in np.atleast_1d(at)], strict=True))
    return float(loss.expression.subs(point).evalf(30))


def sympy_gradient_and_hessian(loss: losses.Loss, at) -> tuple[np.ndarray, np.ndarray]:
    """∇f and the Hessian at the point `at`, by sympy in 30-digit arithmetic."""
    point = dict(zip(loss.variables, [sp.Float(v, 30) for v in at], strict=True))
    gradient = [sp.diff(loss.expression, v).subs(point).evalf(30) for v in loss.variables]
    hessian = sp.hessian(loss.expression, loss.variables).subs(point).evalf(30)
    return np.array(gradient, dtype=float), np.array(hessian.tolist(), dtype=float)


def domain_points(loss: losses.Loss, per_side: int) -> np.ndarray:
    """A grid of points (per_side ** dim, dim) over the loss's domain, off its edges by a little."""
    sides = [np.linspace(low + 0.013, high - 0.017, per_side) for low, high in loss.domain]
    return np.stack(np.meshgrid(*sides), axis=-1).reshape(-1, loss.dim)


def test_ids_include_the_article_functions_and_each_loss_knows_its_id():
    assert {"quartic", "wavy"} <= set(IDS)
    assert len(set(IDS)) == len(IDS)
    for id in IDS:
        assert losses.get(id).id == id


def test_unknown_id_is_rejected_naming_the_valid_ones():
    for ask in (losses.get, losses.name):
        with pytest.raises(ValueError, match="unknown loss 'quadratic'") as error:
            ask("quadratic")
        assert all(id in str(error.value) for id in IDS)


def test_each_name_is_the_built_loss_name_and_asking_for_it_builds_nothing():
    losses._built.cache_clear()
    names = [losses.name(id) for id in IDS]
    assert losses._built.cache_info().currsize == 0
    assert names == [losses.get(id).name for id in IDS]
    assert len(set(names)) == len(names)


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
    for at in domain_points(loss, 7 if loss.dim == 1 else 4):
        assert loss.f(at) == pytest.approx(sympy_value(loss, at), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("id", IDS)
def test_grad_matches_central_finite_differences(id):
    loss = losses.get(id)
    X = domain_points(loss, 101 if loss.dim == 1 else 15)  # off any grid that could land on the kink at 0
    h = 1e-6
    scale = np.maximum(1.0, np.abs(loss.f(X)))
    for i in range(loss.dim):
        step = h * np.eye(loss.dim)[i]
        numeric = (loss.f(X + step) - loss.f(X - step)) / (2 * h)
        np.testing.assert_allclose(loss.grad(X)[:, i], numeric, atol=1e-6 * scale.max(), rtol=1e-6)


@pytest.mark.parametrize("id", IDS_1D)
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


@pytest.mark.parametrize("id", IDS_2D)
def test_each_minimum_of_two_variables_has_zero_gradient_and_a_positive_definite_hessian(id):
    loss = losses.get(id)
    for minimum in loss.minima:
        assert all(low < v < high for v, (low, high) in zip(minimum.x, loss.domain, strict=True)), minimum
        gradient, hessian = sympy_gradient_and_hessian(loss, minimum.x)
        curvatures = np.linalg.eigvalsh(hessian)
        assert np.abs(gradient).max() < 1e-9 * max(1.0, curvatures.max()), (minimum, gradient)
        assert curvatures.min() > 0, (minimum, curvatures)
        assert minimum.value == pytest.approx(sympy_value(loss, minimum.x), abs=1e-12)


@pytest.mark.parametrize("id", IDS_2D)
def test_each_saddle_point_has_zero_gradient_and_curvatures_of_both_signs(id):
    loss = losses.get(id)
    for point in loss.saddle_points:
        gradient, hessian = sympy_gradient_and_hessian(loss, point)
        curvatures = np.linalg.eigvalsh(hessian)
        assert np.abs(gradient).max() < 1e-9 * max(1.0, np.abs(curvatures).max()), (point, gradient)
        assert curvatures.min() < 0 < curvatures.max(), (point, curvatures)


@pytest.mark.parametrize("id", IDS_2D)
def test_nothing_on_a_fine_grid_is_below_the_global_minima(id):
    loss = losses.get(id)
    grid = domain_points(loss, 801)
    if not loss.minima:  # the saddle: unbounded below, and said so
        assert loss.f(grid).min() < 0 and loss.saddle_points
        return
    lowest = min(m.value for m in loss.minima)
    assert any(m.is_global for m in loss.minima)
    assert all(m.is_global == (m.value <= lowest + 1e-9) for m in loss.minima)
    assert loss.f(grid).min() >= lowest - 1e-9


@pytest.mark.parametrize(
    "id, expected",
    [
        ("rosenbrock", [(1.0, 1.0)]),
        ("himmelblau", [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]),
        ("beale", [(3.0, 0.5)]),
        ("booth", [(1.0, 3.0)]),
        ("six_hump_camel", [(0.0898, -0.7126), (-0.0898, 0.7126)]),
        ("rastrigin", [(0.0, 0.0)]),
        ("ravine", [(0.0, 0.0)]),
    ],
)
def test_global_minima_of_two_variables_are_where_the_references_put_them(id, expected):
    found = sorted(m.x for m in losses.get(id).minima if m.is_global)
    assert len(found) == len(expected)
    for point, reference in zip(found, sorted(expected), strict=True):
        assert point == pytest.approx(reference, abs=1e-4)


def test_rastrigin_has_a_local_minimum_near_every_pair_of_whole_numbers():
    minima = losses.get("rastrigin").minima
    assert len(minima) == 121
    assert {tuple(round(v) for v in m.x) for m in minima} == {(i, j) for i in range(-5, 6) for j in range(-5, 6)}


@pytest.mark.parametrize("condition, angle", [(1.0, 0.0), (100.0, 0.0), (50.0, 30.0), (1000.0, -75.0)])
def test_the_ravine_has_the_condition_number_and_angle_it_is_given(condition, angle):
    loss = losses.get("ravine", condition=condition, angle=angle)
    _, hessian = sympy_gradient_and_hessian(loss, (0.3, -0.2))
    curvatures, directions = np.linalg.eigh(hessian)
    assert curvatures.max() / curvatures.min() == pytest.approx(condition, rel=1e-12)
    along_the_floor = directions[:, 0]  # the gentlest direction
    turned = np.radians(angle)
    assert abs(along_the_floor @ [np.cos(turned), np.sin(turned)]) == pytest.approx(1.0, abs=1e-12)
    assert dict(loss.settings) == {"condition": condition, "angle": angle}


def test_loss_settings_are_checked_and_named():
    assert [p.name for p in losses.parameters("ravine")] == ["condition", "angle"]
    assert losses.parameters("quartic") == ()
    assert losses.get("ravine", condition=20.0) is losses.get("ravine")  # the defaults are the catalogue's
    with pytest.raises(ValueError, match=r"condition must be a number in \[1, 1000\]"):
        losses.get("ravine", condition=0.5)
    with pytest.raises(ValueError, match="takes no setting 'tilt'"):
        losses.get("ravine", tilt=3.0)
    with pytest.raises(ValueError, match="quartic takes no setting"):
        losses.get("quartic", condition=2.0)


@pytest.mark.parametrize("id", IDS_2D)
def test_hessian_agrees_with_sympy(id):
    loss = losses.get(id)
    for at in domain_points(loss, 3):
        np.testing.assert_allclose(loss.hessian(at), sympy_gradient_and_hessian(loss, at)[1], rtol=1e-10, atol=1e-9)


def test_only_the_kinked_losses_are_not_smooth():
    for id in IDS:
        assert losses.get(id).expression.has(sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min) == (id in KINKED), id


@pytest.mark.parametrize("id", IDS_1D)
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


@pytest.mark.parametrize("id", IDS_1D)
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


def test_f_and_its_gradient_share_each_power_of_x():
    # x⁴ − 2x² + x and 4x³ − 4x + 1: x·x once, then x³ and x⁴ from it, and no power left to numpy.
    source = inspect.getsource(losses.get("quartic")._compiled_value_and_grad)
    assert len(re.findall(r"\bx\*x\b", source)) == 1 and "**" not in source and source.count("*") == 6


def test_shared_powers_keep_clear_of_a_variable_named_like_them():
    loss = losses.parse("x0^3 + x^4 + 1/x^2 + 1/(x + x0)", variables=("x", "x0"))
    x, x0 = 1.5, 2.0
    value, grad = loss.value_and_grad(np.array([[x, x0]]))
    assert value[0] == pytest.approx(x0**3 + x**4 + 1 / x**2 + 1 / (x + x0), rel=1e-14)
    expected = [4 * x**3 - 2 / x**3 - 1 / (x + x0) ** 2, 3 * x0**2 - 1 / (x + x0) ** 2]
    np.testing.assert_allclose(grad[0], expected, rtol=1e-14)


def test_the_caches_of_built_losses_and_typed_formulas_stay_within_their_bounds():
    from losses import _built
    from losses.parse import CACHE_SIZE, _compiled

    for offset in range(losses.CACHE_SIZE + 20):
        losses.get("ravine", condition=2 + offset / 10, angle=0)
    assert _built.cache_info().currsize == losses.CACHE_SIZE
    for coefficient in range(2000):
        losses.parse(f"x^2 + {coefficient}*x")
    assert _compiled.cache_info().currsize == CACHE_SIZE


def _away_from_every_minimum(loss: losses.Loss, start: tuple[float, ...]) -> bool:
    """Whether `start` is more than 4% of the domain's widest side from every minimum, where the slope is not
    flat: a run started there moves, and visibly (the ripples' and Rastrigin's minima are 12% apart)."""
    width = max(high - low for low, high in loss.domain)
    distances = [np.linalg.norm(np.subtract(start, m.x)) for m in loss.minima]
    slope = np.linalg.norm(loss.grad(np.array(start)))
    return min(distances, default=np.inf) > 0.04 * width and slope > 1e-3


@pytest.mark.parametrize(
    "loss",
    [losses.get(id) for id in IDS]
    + [losses.get("ravine", condition=c, angle=a) for c in (1.0, 1000.0) for a in (-90.0, 0.0, 90.0)],
    ids=lambda loss: f"{loss.id}{dict(loss.settings) or ''}",
)
def test_suggested_starts_are_inside_apart_and_away_from_the_minima(loss):
    starts = [losses.suggested_start(loss, index) for index in range(3)]
    assert len(set(starts)) == 3  # runs added one after another start apart
    for start in starts:
        assert len(start) == loss.dim
        assert all(low <= v <= high for v, (low, high) in zip(start, loss.domain, strict=True))
        assert _away_from_every_minimum(loss, start), start


@pytest.mark.parametrize(
    ("expression", "domain"), [("x^2", (-3.0, 3.0)), ("1 - exp(-x^2)", (-4.0, 4.0)), ("(x-0.6)^2", (-3.0, 3.0))]
)
def test_a_typed_formula_suggests_starts_away_from_its_minimum(expression, domain):
    loss = losses.parse(expression, domain=(domain,))
    starts = [losses.suggested_start(loss, index) for index in range(3)]
    assert len(set(starts)) == 3 and all(_away_from_every_minimum(loss, start) for start in starts)


def test_the_losses_built_for_settings_are_not_all_kept():
    first = losses.get("ravine", condition=1.5, angle=0.0)
    for condition in np.linspace(2, 900, 100):  # a URL may ask for any κ from 1 to 1,000
        losses.get("ravine", condition=float(condition), angle=0.0)
    assert losses.get("ravine", condition=1.5, angle=0.0) is not first  # built again: it was let go
    assert losses.get("ravine", condition=1.5, angle=0.0) is losses.get("ravine", condition=1.5, angle=0.0)
