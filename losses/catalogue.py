"""The built-in loss functions: each teaches something about step sizes."""

from __future__ import annotations

import dataclasses

import sympy as sp

from losses.base import Loss, LossParameter, find_minima_1d, minima_from_guesses, stationary_points
from losses.data import DATA_DEFINITIONS, DATA_NAMES, DATA_PARAMETERS

x, y = sp.symbols("x y", real=True)

RAVINE_CONDITION = LossParameter(
    "condition", "κ", 20.0, (1.0, 1000.0), "How many times steeper the valley is across than along", log_scale=True
)
RAVINE_ANGLE = LossParameter("angle", "θ", 30.0, (-90.0, 90.0), "The valley's angle from the x axis, in degrees")
# The catalogue's losses that take settings, and the settings they take.
PARAMETERS = {"ravine": (RAVINE_CONDITION, RAVINE_ANGLE), **DATA_PARAMETERS}
# Each loss's name: what the loss pickers list, without building every loss and finding its minima to ask.
NAMES = {
    "quartic": "Article quartic",
    "wavy": "Article wavy",
    "square": "Square",
    "plateau": "Plateau",
    "inflection": "Flat inflection",
    "narrow_well": "Narrow well",
    "kink": "Kink",
    "wall": "Steep wall",
    "ripples": "Ripples",
    "rosenbrock": "Rosenbrock",
    "himmelblau": "Himmelblau",
    "beale": "Beale",
    "booth": "Booth",
    "saddle": "Saddle",
    "rastrigin": "Rastrigin",
    "six_hump_camel": "Six-hump camel",
    "ravine": "Ravine",
    **DATA_NAMES,
}


def _one_dimensional(
    id: str, expression: sp.Expr, domain: tuple[float, float], description: str, starts: tuple[float, ...]
) -> Loss:
    """A loss of x, with its minima and the starts suggested for its runs."""
    loss = Loss(id, NAMES[id], expression, (x,), (domain,), description, starts=tuple((start,) for start in starts))
    return dataclasses.replace(loss, minima=find_minima_1d(loss))


_DEFINITIONS_1D = {
    "quartic": lambda: _one_dimensional(
        "quartic",
        x**4 - 2 * x**2 + x,
        (-2.5, 2.5),
        "The article's contrived quartic: a global minimum on the left, a shallower local one on the right.",
        (0.1, 2.0, -2.2),
    ),
    "wavy": lambda: _one_dimensional(
        "wavy",
        (x**2 - 2 * x) ** 2 + sp.sin(12 * x) / 2,
        (-2.5, 2.5),
        "The article's 'more complicated function': a double well covered in ripples that trap small steps.",
        (-1.5, 0.65, -2.2),
    ),
    "square": lambda: _one_dimensional(
        "square",
        x**2,
        (-2.5, 2.5),
        "The simplest bowl: fixed steps converge for α < 1 and diverge for α > 1.",
        (2.0, -1.5, 1.0),
    ),
    "plateau": lambda: _one_dimensional(
        "plateau",
        1 - sp.exp(-(x**2)),
        (-4.0, 4.0),
        "Nearly flat far from the minimum: plain gradient steps crawl, normalised steps keep their size.",
        (1.5, -2.0, 2.5),
    ),
    "inflection": lambda: _one_dimensional(
        "inflection",
        x**4 / 4 - x**3 / 3,
        (-1.0, 1.6),
        "A point where the slope vanishes without a minimum (x = 0): starting left of it, steps stall there.",
        (-0.8, 1.5, 0.5),
    ),
    "narrow_well": lambda: _one_dimensional(
        "narrow_well",
        x**2 / 10 - sp.Rational(3, 2) * sp.exp(-50 * (x - 2) ** 2),
        (-3.0, 3.5),
        "A wide, shallow local basin beside a narrow, deep global well that most starts never find.",
        (-2.5, 3.0, 1.0),
    ),
    "kink": lambda: _one_dimensional(
        "kink",
        sp.Abs(x) + x**2 / 10,
        (-2.5, 2.5),
        "Not differentiable at its minimum: the slope never shrinks, so fixed steps zig-zag forever.",
        (2.0, -1.5, 1.0),
    ),
    "wall": lambda: _one_dimensional(
        "wall",
        sp.exp(3 * x) - 3 * x,
        (-2.0, 1.2),
        "Gentle on the left, an exponential wall on the right: one step too far up the wall and a fixed rate diverges.",
        (-1.5, 0.8, -0.8),
    ),
    "ripples": lambda: _one_dimensional(
        "ripples",
        x**2 / 4 - sp.cos(2 * sp.pi * x) + 1,
        (-4.0, 4.0),
        "A bowl covered in ripples: a local minimum near every integer, the global one at 0.",
        (3.5, -2.5, 1.5),
    ),
}


def _two_dimensional(
    id: str,
    expression: sp.Expr,
    domain: tuple[tuple[float, float], tuple[float, float]],
    description: str,
    minima_near: list[tuple[float, float]],
    saddles_near: tuple[tuple[float, float], ...] = (),
    settings: tuple[tuple[str, float], ...] = (),
    starts: tuple[tuple[float, float], ...] = (),
) -> Loss:
    """A loss of x and y. Its minima and saddle points are found by Newton's method from rough guesses, so
    the catalogue has them to machine precision rather than to the few digits references print."""
    loss = Loss(id, NAMES[id], expression, (x, y), domain, description, settings=settings, starts=starts)
    return dataclasses.replace(
        loss, minima=minima_from_guesses(loss, minima_near), saddle_points=stationary_points(loss, saddles_near)
    )


def _ravine(condition: float, angle: float) -> Loss:
    """A quadratic bowl `condition` times steeper across its valley than along it, the valley turned
    `angle` degrees from the x axis."""
    turn = sp.pi * sp.nsimplify(angle) / 180
    along = x * sp.cos(turn) + y * sp.sin(turn)
    across = -x * sp.sin(turn) + y * sp.cos(turn)
    return _two_dimensional(
        "ravine",
        (along**2 + sp.nsimplify(condition) * across**2) / 2,
        ((-2.0, 2.0), (-2.0, 2.0)),
        f"A long narrow valley {condition:g} times steeper across than along, turned {angle:g}° from the x axis:"
        " a fixed rate must be small for the steep side and then crawls along the floor; per-coordinate rates"
        " help most when the valley lies along an axis (angle 0° or 90°).",
        [(0.0, 0.0)],
        settings=(("condition", float(condition)), ("angle", float(angle))),
        starts=((1.5, 0.5), (-1.5, 1.0), (1.0, -1.5)),
    )


def _rastrigin() -> Loss:
    expression = 20 + x**2 - 10 * sp.cos(2 * sp.pi * x) + y**2 - 10 * sp.cos(2 * sp.pi * y)
    lattice = [(float(i), float(j)) for i in range(-5, 6) for j in range(-5, 6)]
    return _two_dimensional(
        "rastrigin",
        expression,
        ((-5.12, 5.12), (-5.12, 5.12)),
        "A bowl under an egg box: a local minimum near every pair of whole numbers, the global one at the origin.",
        lattice,
        starts=((4.5, 3.5), (-3.5, 2.5), (2.5, -4.5)),
    )


_DEFINITIONS_2D = {
    "rosenbrock": lambda: _two_dimensional(
        "rosenbrock",
        (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        ((-2.0, 2.0), (-1.0, 3.0)),
        "A curved banana-shaped valley: easy to reach, slow to follow to its minimum at (1, 1).",
        [(1.0, 1.0)],
        starts=((-1.5, 2.5), (-1.0, -0.5), (1.5, 0.0)),
    ),
    "himmelblau": lambda: _two_dimensional(
        "himmelblau",
        (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        ((-5.0, 5.0), (-5.0, 5.0)),
        "Four equally deep minima separated by four saddle points: where a run ends depends on where it starts.",
        [(3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)],
        ((0.09, 2.88), (3.39, 0.07), (-3.07, -0.08), (-0.13, -1.95)),
        starts=((0.5, -4.0), (-1.0, 1.0), (4.0, 4.5)),
    ),
    "beale": lambda: _two_dimensional(
        "beale",
        (sp.Rational(3, 2) - x + x * y) ** 2
        + (sp.Rational(9, 4) - x + x * y**2) ** 2
        + (sp.Rational(21, 8) - x + x * y**3) ** 2,
        ((-4.5, 4.5), (-4.5, 4.5)),
        "Flat near its minimum at (3, 0.5) and steep walls in the corners: gradients range over ten powers of ten.",
        [(3.0, 0.5)],
        starts=((1.0, 1.5), (-1.0, -1.0), (2.0, -1.0)),
    ),
    "booth": lambda: _two_dimensional(
        "booth",
        (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        ((-10.0, 10.0), (-10.0, 10.0)),
        "A tilted quadratic bowl with one minimum at (1, 3): every method gets there, at different speeds.",
        [(1.0, 3.0)],
        starts=((-8.0, 8.0), (8.0, -6.0), (-5.0, -5.0)),
    ),
    "saddle": lambda: _two_dimensional(
        "saddle",
        x**2 - y**2,
        ((-2.0, 2.0), (-2.0, 2.0)),
        "No minimum at all: a start on the x axis rolls into the saddle point and stays; any other leaves along y.",
        [],
        ((0.0, 0.0),),
        starts=((1.5, 0.1), (-1.0, 0.5), (0.5, -1.0)),
    ),
    "rastrigin": _rastrigin,
    "six_hump_camel": lambda: _two_dimensional(
        "six_hump_camel",
        (4 - sp.Rational(21, 10) * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
        ((-3.0, 3.0), (-2.0, 2.0)),
        "Two global minima, four local ones and saddles between them, on a surface that rises steeply at the sides.",
        [(0.09, -0.71), (-0.09, 0.71), (-1.7, 0.8), (1.7, -0.8), (-1.6, -0.57), (1.6, 0.57)],
        ((0.0, 0.0), (-1.11, 0.77), (1.11, -0.77), (-1.3, -0.6), (1.3, 0.6), (-1.64, -0.23), (1.64, 0.23)),
        starts=((-2.5, 1.5), (2.0, -1.5), (1.0, 1.0)),
    ),
    "ravine": _ravine,
}

# Each builder takes the values of the loss's settings, in the order PARAMETERS lists them.
_DEFINITIONS = _DEFINITIONS_1D | _DEFINITIONS_2D | DATA_DEFINITIONS
