"""Properties of `losses.parse` on expressions drawn from its grammar, and on arbitrary text."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import losses
from losses.parse import FUNCTIONS

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPSILON = np.finfo(float).eps
# Refusals that depend on values, not on the grammar: log(-1), 1/(1-1), (-2)^x, too much to compile.
VALUE_REFUSALS = ("not a real number", "not finite", "base must be positive", "too large", "too small", "too complex")


def _spaced(draw, *parts: str) -> str:
    """`parts` joined by random spaces, which must not matter."""
    return "".join(part + draw(st.sampled_from(["", "", " "])) for part in parts)


@st.composite
def _binary(draw, operands, operators):
    left, right = draw(operands), draw(operands)
    operator = draw(st.sampled_from(operators))
    return _spaced(draw, "(", left, ")", operator, "(", right, ")")


@st.composite
def _power(draw, operands):
    operator = draw(st.sampled_from(["^", "**"]))
    return _spaced(draw, "(", draw(operands), ")", operator, str(draw(st.integers(2, 4))))


@st.composite
def _call(draw, operands, functions):
    return _spaced(draw, draw(st.sampled_from(functions)), "(", draw(operands), ")")


NUMBERS = st.sampled_from(["1", "2", "3", "0.5", "1.5", "2.25", "1e-1", "pi", "e"])
EVERYWHERE_SMOOTH = ["sin", "cos", "exp", "tanh", "atan", "arctan", "cosh", "sinh"]
ANY_FUNCTION = sorted(FUNCTIONS)


def _expressions(variables: list[str], functions: list[str], divide: bool) -> st.SearchStrategy[str]:
    def extend(operands):
        operators = ["+", "-", "*", "/"] if divide else ["+", "-", "*"]
        return st.one_of(
            _binary(operands, operators),
            _power(operands),
            _call(operands, functions),
            operands.map(lambda text: f"-({text})"),
        )

    return st.recursive(st.one_of(st.sampled_from(variables), NUMBERS), extend, max_leaves=12)


def _central_difference(f, x: np.ndarray, axis: int, h: float) -> float:
    step = np.zeros_like(x)
    step[axis] = h
    return float((f(x + step) - f(x - step)) / (2 * h))


def _one_sided_gap(f, x: np.ndarray, axis: int, h: float) -> float:
    """The forward minus the backward difference: about h·f″ where f is smooth, the jump in f′ at a kink."""
    step = np.zeros_like(x)
    step[axis] = h
    return float((f(x + step) - 2 * f(x) + f(x - step)) / h)


def _assert_gradient_matches_differences(loss, point: np.ndarray) -> None:
    """The exact gradient equals central differences where both are finite and well conditioned."""
    f = lambda x: loss.f(x[None, :])[0]  # noqa: E731
    with np.errstate(all="ignore"):
        value, gradient = loss.value_and_grad(point[None, :])
        for axis in range(len(point)):
            h = 1e-4 * (1 + abs(point[axis]))
            coarse = _central_difference(f, point, axis, h)
            fine = _central_difference(f, point, axis, h / 2)
            exact = gradient[0, axis]
            assume(np.isfinite([value[0], coarse, fine, exact]).all() and abs(value[0]) < 1e6)
            # Where halving h changes the estimate much, the third derivative (or a kink, or a nearby
            # singularity) dominates the truncation error: central differences are no reference there.
            assume(abs(coarse - fine) <= 1e-5 * (1 + abs(fine)))
            # A kink within h of the point (abs at 0) cancels out of both central differences; the one-sided
            # ones still disagree there by the jump in f′ at any h, where elsewhere the gap halves with h.
            gap, half_gap = (_one_sided_gap(f, point, axis, step) for step in (h, h / 2))
            assume(abs(half_gap) <= 0.75 * abs(gap) + 1e-5 * (1 + abs(fine)))
            rounding = 1e3 * EPSILON * (1 + abs(value[0])) / h
            assert abs(fine - exact) <= 1e-5 * (1 + abs(exact)) + rounding, (loss.name, point, fine, exact)


def _parsed(text: str, variables: tuple[str, ...], allowed_refusals: tuple[str, ...]):
    """The loss of `text`; a refusal fails the test unless its reason is one of `allowed_refusals`."""
    try:
        return losses.parse(text, variables=variables)
    except losses.ExpressionError as error:
        assert any(reason in error.reason for reason in allowed_refusals), (text, str(error))
        assume(False)


@SETTINGS
@given(_expressions(["x"], EVERYWHERE_SMOOTH, divide=False), st.floats(-2.5, 2.5))
def test_smooth_expressions_parse_and_their_gradient_matches_differences(text, x):
    # Only a constant can be refused here, when it overflows: cosh(cosh(cosh(e))) is about 1e434.
    loss = _parsed(text, ("x",), allowed_refusals=("too large",))
    assert loss.dim == 1
    _assert_gradient_matches_differences(loss, np.array([x]))


@SETTINGS
@given(_expressions(["x", "y"], EVERYWHERE_SMOOTH, divide=False), st.floats(-2, 2), st.floats(-2, 2))
def test_two_variable_expressions_parse_and_their_gradient_matches_differences(text, x, y):
    loss = _parsed(text, ("x", "y"), allowed_refusals=("too large",))
    assert loss.dim == 2
    _assert_gradient_matches_differences(loss, np.array([x, y]))


@SETTINGS
@given(_expressions(["x"], ANY_FUNCTION, divide=True), st.floats(-2.5, 2.5))
def test_any_grammatical_expression_parses_unless_its_values_forbid_it(text, x):
    """Every function and division: a refusal may only be about values, never about the text."""
    loss = _parsed(text, ("x",), allowed_refusals=VALUE_REFUSALS)
    _assert_gradient_matches_differences(loss, np.array([x]))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("x()+-*/^.,e0123456789 sincoelgqrtabp_[]'\"=:<ｘ\0"), max_size=40))
def test_any_text_gives_a_loss_or_an_expression_error(text):
    """No other exception escapes, and an accepted loss evaluates without raising."""
    try:
        loss = losses.parse(text)
    except losses.ExpressionError:
        return
    points = np.linspace(-3, 3, 7)[:, None]
    with np.errstate(all="ignore"):
        value, gradient = loss.value_and_grad(points)
    assert value.shape == (7,) and gradient.shape == (7, 1)
    assert value.dtype == gradient.dtype == np.float64
