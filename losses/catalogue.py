"""The built-in loss functions: each teaches something about step sizes."""

from __future__ import annotations

import dataclasses

import sympy as sp

from losses.base import Loss, find_minima_1d

x = sp.Symbol("x", real=True)


def _one_dimensional(id: str, name: str, expression: sp.Expr, domain: tuple[float, float], description: str) -> Loss:
    loss = Loss(id=id, name=name, expression=expression, variables=(x,), domain=(domain,), description=description)
    return dataclasses.replace(loss, minima=find_minima_1d(loss))


_DEFINITIONS = {
    "quartic": lambda: _one_dimensional(
        "quartic",
        "Article quartic",
        x**4 - 2 * x**2 + x,
        (-2.5, 2.5),
        "The article's contrived quartic: a global minimum on the left, a shallower local one on the right.",
    ),
    "wavy": lambda: _one_dimensional(
        "wavy",
        "Article wavy",
        (x**2 - 2 * x) ** 2 + sp.sin(12 * x) / 2,
        (-2.5, 2.5),
        "The article's 'more complicated function': a double well covered in ripples that trap small steps.",
    ),
    "square": lambda: _one_dimensional(
        "square",
        "Square",
        x**2,
        (-2.5, 2.5),
        "The simplest bowl: fixed steps converge for α < 1 and diverge for α > 1.",
    ),
    "plateau": lambda: _one_dimensional(
        "plateau",
        "Plateau",
        1 - sp.exp(-(x**2)),
        (-4.0, 4.0),
        "Nearly flat far from the minimum: plain gradient steps crawl, normalised steps keep their size.",
    ),
    "inflection": lambda: _one_dimensional(
        "inflection",
        "Flat inflection",
        x**4 / 4 - x**3 / 3,
        (-1.0, 1.6),
        "A point where the slope vanishes without a minimum (x = 0): starting left of it, steps stall there.",
    ),
    "narrow_well": lambda: _one_dimensional(
        "narrow_well",
        "Narrow well",
        x**2 / 10 - sp.Rational(3, 2) * sp.exp(-50 * (x - 2) ** 2),
        (-3.0, 3.5),
        "A wide, shallow local basin beside a narrow, deep global well that most starts never find.",
    ),
    "kink": lambda: _one_dimensional(
        "kink",
        "Kink",
        sp.Abs(x) + x**2 / 10,
        (-2.5, 2.5),
        "Not differentiable at its minimum: the slope never shrinks, so fixed steps zig-zag forever.",
    ),
    "wall": lambda: _one_dimensional(
        "wall",
        "Steep wall",
        sp.exp(3 * x) - 3 * x,
        (-2.0, 1.2),
        "Gentle on the left, an exponential wall on the right: one step too far up the wall and a fixed rate diverges.",
    ),
    "ripples": lambda: _one_dimensional(
        "ripples",
        "Ripples",
        x**2 / 4 - sp.cos(2 * sp.pi * x) + 1,
        (-4.0, 4.0),
        "A bowl covered in ripples: a local minimum near every integer, the global one at 0.",
    ),
}
