"""Time `losses.parse` on the largest expressions it accepts, and on hostile ones.

Accepted: parsing, differentiating and compiling (the first calls of f, grad and value_and_grad on
1000 points), each run from cold caches (ours and sympy's). Each family of expressions is grown
until the limits refuse it, and the largest accepted one is timed; then random expressions from
the whole grammar (a fixed seed), of which the slowest are timed again. Refused: the time until
the ExpressionError. Times in ms: CPU time of this process (what the work costs, whatever else the
machine runs) and wall time, each the best of 3 runs.

    .venv/bin/python bench/parse.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import losses
from losses.parse import MAX_LENGTH, _compiled

RUNS = 3
RANDOM_EXPRESSIONS = 400
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "cosh", "atan", "asin", "acos", "log10")

# Each family: k ↦ an expression that grows with k.
FAMILIES_1D: dict[str, Callable[[int], str]] = {
    "sum of sines": lambda k: "+".join(f"sin({i}*x)" for i in range(1, k + 1)),
    "sum of powers": lambda k: "+".join(f"(x+{i})^{i % 7 + 2}" for i in range(1, k + 1)),
    "sum of reciprocals": lambda k: "+".join(f"1/(x+{i})" for i in range(1, k + 1)),
    "product of factors": lambda k: "*".join(f"(x-{i})" for i in range(1, k + 1)),
    "product of sines": lambda k: "*".join(f"sin(x/{i})" for i in range(1, k + 1)),
    "product of exponentials": lambda k: "*".join(f"exp(sin({i}*x))" for i in range(1, k + 1)),
    "x*sin(x*sin(…))": lambda k: "x" + "*sin(x" * k + ")" * k,
    "nested sines": lambda k: "sin(" * k + "x" + ")" * k,
    "nested exp(1/(…))": lambda k: "exp(1/(" * k + "x" + "))" * k,
    "nested log(1+exp(…))": lambda k: "log(1+exp(" * k + "x" + "))" * k,
    "nested squares": lambda k: "(" * k + "x" + "".join(f"^2+{i % 9 + 1})" for i in range(k)),
    "nested abs": lambda k: "abs(" * k + "x" + "".join(f"-{i % 9 + 1})" for i in range(k)),
    "power tower": lambda k: "^".join(["x"] * k),
    "tan(x^tan(…))": lambda k: "tan(x^" * k + "x" + ")" * k,
    "constants": lambda k: "+".join(f"sqrt({i})*pi^{i}*exp(-{i})*x^{i % 8 + 1}" for i in range(1, k + 1)),
}
FAMILIES_2D: dict[str, Callable[[int], str]] = {
    "2-D product": lambda k: "*".join(f"(x-{i}*y+1)" for i in range(1, k + 1)),
    "2-D sum": lambda k: "+".join(f"sin({i}*x)*cos({i}*y)" for i in range(1, k + 1)),
    "2-D Rosenbrock sum": lambda k: "+".join(f"(1-x)^2+{i}*(y-x^{i % 4 + 2})^2" for i in range(1, k + 1)),
}
TEST_FUNCTIONS_2D = {
    "Beale": "(1.5-x+x*y)^2+(2.25-x+x*y^2)^2+(2.625-x+x*y^3)^2",
    "Himmelblau": "(x^2+y-11)^2+(x+y^2-7)^2",
    "Ackley": "-20*exp(-0.2*sqrt(0.5*(x^2+y^2)))-exp(0.5*(cos(2*pi*x)+cos(2*pi*y)))+e+20",
    "Rastrigin": "20+x^2-10*cos(2*pi*x)+y^2-10*cos(2*pi*y)",
}
REFUSED = {
    "9**9**9": "9**9**9",
    "tower of big powers": "(((999999**100)**100)**100)**100",
    "10**10**10": "10**10**10",
    "1 MB of x+x": "x+" * 500_000 + "x",
    "500 characters of x+x": "x+" * 249 + "x",
    "499 unary minuses": "-" * 499 + "x",
    "201 nested parentheses": "(" * 201 + "x" + ")" * 201,
    "huge literal": "1e999999",
    "400 digits": "1" * 400,
    "exp(exp(exp(9)))": "exp(exp(exp(9)))",
    "((pi^99)^99)^99": "((pi^99)^99)^99",
    "(1/3^99)^99": "(1/3^99)^99",
    "escape attempt": "().__class__.__bases__[0].__subclasses__()",
    "Goldstein-Price (too big)": "(1+(x+y+1)^2*(19-14*x+3*x^2-14*y+6*x*y+3*y^2))"
    "*(30+(2*x-3*y)^2*(18-32*x+12*x^2+48*y-36*x*y+27*y^2))",
    "nested squares, 16 deep": FAMILIES_1D["nested squares"](16),
    "power tower, 20 high": FAMILIES_1D["power tower"](20),
}


def _accepted(text: str, variables: tuple[str, ...]) -> bool:
    _compiled.cache_clear()
    try:
        losses.parse(text, variables=variables)
    except losses.ExpressionError:
        return False
    return True


def _largest(family: Callable[[int], str], variables: tuple[str, ...]) -> str:
    """The largest member of `family` that parse accepts (members grow until one is refused)."""
    k = 1
    while _accepted(family(k + 1), variables):
        k += 1
    return family(k)


def _random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.15:
        return rng.choice(["x", "y", str(rng.randint(1, 9)), "0.5", "pi", "e"])
    left, right, choice = _random_expression(rng, depth - 1), _random_expression(rng, depth - 1), rng.random()
    if choice < 0.3:
        return f"({left}{rng.choice('+-')}{right})"
    if choice < 0.5:
        return f"{left}*{right}"
    if choice < 0.6:
        return f"({left})/({right})"
    if choice < 0.72:
        return f"({left})^{rng.randint(2, 5)}"
    if choice < 0.76:
        return f"({left})^({right})"
    return f"{rng.choice(FUNCTIONS)}({left})"


def _seconds(text: str, variables: tuple[str, ...]) -> tuple[float, float, bool]:
    """CPU and wall seconds to parse `text` and compile and call f, grad and value_and_grad; accepted?"""
    _compiled.cache_clear()
    sp.core.cache.clear_cache()
    points = np.random.default_rng(0).uniform(-3, 3, (1000, len(variables)))
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        loss = losses.parse(text, variables=variables)
    except losses.ExpressionError:
        return time.process_time() - cpu, time.perf_counter() - wall, False
    with np.errstate(all="ignore"):
        loss.f(points)
        loss.grad(points)
        loss.value_and_grad(points)
    return time.process_time() - cpu, time.perf_counter() - wall, True


def _best(text: str, variables: tuple[str, ...], accepted: bool = True) -> tuple[float, float]:
    runs = [_seconds(text, variables) for _ in range(RUNS)]
    assert all(ok == accepted for _, _, ok in runs), f"{text!r} was {'refused' if accepted else 'accepted'}"
    return min(cpu for cpu, _, _ in runs), min(wall for _, wall, _ in runs)


def _table(title: str, rows: list[tuple[str, str, tuple[float, float]]]) -> None:
    print(f"{title:34} {'chars':>5} {'cpu':>7} {'wall':>7}")
    for name, text, (cpu, wall) in rows:
        print(f"{name:34} {len(text):5} {cpu * 1e3:7.1f} {wall * 1e3:7.1f}")
    name, _, (cpu, wall) = max(rows, key=lambda row: row[2][0])
    print(f"worst: {name}, {cpu * 1e3:.1f} ms CPU ({wall * 1e3:.1f} ms wall)\n")


def main() -> None:
    _seconds("x**2", ("x",))  # sympy's and numpy's one-off start-up costs
    cases = [(name, _largest(family, ("x",)), ("x",)) for name, family in FAMILIES_1D.items()]
    cases += [(name, _largest(family, ("x", "y")), ("x", "y")) for name, family in FAMILIES_2D.items()]
    cases += [(name, text, ("x", "y")) for name, text in TEST_FUNCTIONS_2D.items()]
    _table("accepted: parse, diff, compile", [(name, text, _best(text, variables)) for name, text, variables in cases])

    rng = random.Random(2024)
    texts = [_random_expression(rng, rng.randint(3, 8)) for _ in range(RANDOM_EXPRESSIONS)]
    texts = [text for text in texts if len(text) <= MAX_LENGTH]
    runs = [(text, *_seconds(text, ("x", "y"))) for text in texts]
    accepted = [(text, cpu) for text, cpu, _, ok in runs if ok]
    slowest = sorted(accepted, key=lambda run: -run[1])[:10]
    print(f"random expressions in x and y: {len(accepted)} of {len(texts)} accepted; the slowest, timed again:")
    _table("random", [(text[:34], text, _best(text, ("x", "y"))) for text, _ in slowest])

    _table("refused", [(name, text, _best(text, ("x", "y"), accepted=False)) for name, text in REFUSED.items()])


if __name__ == "__main__":
    main()
