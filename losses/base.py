"""The `Loss` interface: a sympy expression compiled to numpy, with its gradient and minima."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

Array = np.ndarray
# Small integer powers of short bases are printed as products (and x⁻¹ as 1/x): numpy's `power` is several
# times slower. A long base keeps `power`, or nested powers would double the code at every level.
_LARGEST_POWER_AS_PRODUCT = 8
_LONGEST_BASE_AS_PRODUCT = 40
# Halving a bracket of doubles reaches two neighbours within about 2,100 halvings (the exponents' range and
# the mantissa's bits): a bound on the time a minimum takes, whatever the domain.
_MAX_BISECTIONS = 2200
GLOBAL_TOLERANCE = 1e-9  # a minimum within this of the lowest value is a global minimum


class _FastPowerPrinter(NumPyPrinter):
    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.as_base_exp()
        if exponent.is_Integer and (exponent == -1 or 2 <= abs(int(exponent)) <= _LARGEST_POWER_AS_PRODUCT):
            base_text = self.parenthesize(base, 1000)
            if len(base_text) <= _LONGEST_BASE_AS_PRODUCT:
                product = "*".join([base_text] * abs(int(exponent)))
                return f"({product})" if exponent > 0 else f"(1/({product}))"
        return super()._print_Pow(expr, rational=rational)


def _lambdify(symbols, expressions) -> Callable:
    return sp.lambdify(symbols, expressions, modules="numpy", printer=_FastPowerPrinter, cse=_common_subexpressions)


def _fresh_symbols(taken: set[str]):
    """x0, x1, … skipping the names already used (a typed formula's variable may be called x0)."""
    return (sp.Symbol(f"x{i}") for i in itertools.count() if f"x{i}" not in taken)


def _common_subexpressions(expressions):
    """sympy's cse (for an expression or a list of them), then each small integer power of a variable or shared
    sub-expression computed once, by products of the powers below it, for all the expressions at once: f's x⁴
    and x² and its gradient's x³ become x² = x·x, x³ = x²·x and x⁴ = x²·x², three products instead of six."""
    if isinstance(expressions, sp.Expr):
        replacements, (reduced,) = _common_subexpressions([expressions])
        return replacements, reduced
    expressions = list(expressions)
    names = _fresh_symbols({symbol.name for e in expressions for symbol in e.free_symbols})
    replacements, reduced = sp.cse(expressions, symbols=names)
    everything = [*(e for _, e in replacements), *reduced]
    powers = {
        power
        for e in everything
        for power in e.atoms(sp.Pow)
        if power.base.is_Symbol and power.exp.is_Integer and 2 <= abs(power.exp) <= _LARGEST_POWER_AS_PRODUCT
    }
    products: dict[sp.Symbol, list[tuple[sp.Symbol, sp.Expr]]] = {}  # each base's powers, in the order made
    made: dict[tuple[sp.Symbol, int], sp.Expr] = {}

    def power_of(base: sp.Symbol, exponent: int) -> sp.Expr:
        if exponent == 1:
            return base
        if (base, exponent) not in made:
            half = exponent // 2
            product = sp.Mul(power_of(base, half), power_of(base, exponent - half), evaluate=False)
            made[base, exponent] = symbol = next(names)
            products.setdefault(base, []).append((symbol, product))
        return made[base, exponent]

    shared = {p: power_of(p.base, int(abs(p.exp))) ** (1 if p.exp > 0 else -1) for p in sorted(powers, key=str)}
    ordered = [pair for symbol, pairs in products.items() if symbol not in dict(replacements) for pair in pairs]
    for symbol, expression in replacements:
        ordered += [(symbol, expression.xreplace(shared)), *products.get(symbol, [])]
    return ordered, [e.xreplace(shared) for e in reduced]


def _filled(value, shape: tuple[int, ...]) -> Array:
    """`value` as a float array of `shape`; a constant sub-expression comes back as a scalar."""
    if isinstance(value, np.ndarray) and value.shape == shape:
        return value
    return np.full(shape, value, dtype=float)


def domain_middle(domain: tuple[tuple[float, float], ...]) -> tuple[float, ...]:
    """The centre of a domain, one (low, high) pair per variable."""
    return tuple((low + high) / 2 for low, high in domain)


# Where a formula's runs start when nobody said: these fractions of its domain, in turn, skipping any that
# is near a minimum (the middle often is one: x², 1 − exp(−x²)).
_START_FRACTIONS = (0.2, 0.8, 0.35, 0.65, 0.1, 0.9)
_NEAR_MINIMUM = 0.05  # of the domain's widest side


def clamped(point, domain: tuple[tuple[float, float], ...]) -> tuple[float, ...]:
    """The point of the domain nearest to `point`: each coordinate held inside its (low, high)."""
    return tuple(min(max(float(v), low), high) for v, (low, high) in zip(point, domain, strict=True))


def suggested_start(loss: Loss, index: int) -> tuple[float, ...]:
    """Where run `index` (0, 1, …) starts when its start is not given: the loss's own `starts` in turn, or
    for a loss without any (a typed formula), points across its domain that are not near a minimum. Runs
    `index` and `index + 1` start apart, and no start is at a minimum, where nothing would move."""
    if loss.starts:
        return loss.starts[index % len(loss.starts)]
    width = max(high - low for low, high in loss.domain)
    candidates = [tuple(low + f * (high - low) for low, high in loss.domain) for f in _START_FRACTIONS]
    away = [c for c in candidates if loss.nearest_minimum(np.array(c), _NEAR_MINIMUM * width) < 0] or candidates
    return away[index % len(away)]


@dataclass(frozen=True)
class LossParameter:
    """A setting of a catalogue loss, such as a ravine's condition number."""

    name: str
    symbol: str
    default: float
    range: tuple[float, float]
    meaning: str
    log_scale: bool = False
    whole_number: bool = False  # a switch (0 or 1) or a count

    @property
    def range_text(self) -> str:
        """What a valid value is, as a message says it: 'a number in [1, 1000]', 'a whole number in [0, 1]'."""
        return f"a {'whole ' if self.whole_number else ''}number in [{self.range[0]:g}, {self.range[1]:g}]"

    def contains(self, value) -> bool:
        in_range = isinstance(value, (int, float)) and self.range[0] <= value <= self.range[1]
        return in_range and (not self.whole_number or float(value).is_integer())


@dataclass(frozen=True)
class Minimum:
    """A minimum of a loss: its location (dim,), its value, and whether it is global."""

    x: tuple[float, ...]
    value: float
    is_global: bool


@dataclass(frozen=True, eq=False)
class Loss:
    """A loss function of `dim` variables, evaluated on arrays shaped (..., dim).

    `f(X)` has shape (...); `grad(X)` and the second element of `value_and_grad(X)` have
    shape (..., dim). `domain` is one (low, high) pair per variable: the region plotted,
    searched for minima and offered for starting points.
    """

    id: str
    name: str
    expression: sp.Expr
    variables: tuple[sp.Symbol, ...]
    domain: tuple[tuple[float, float], ...]
    description: str
    minima: tuple[Minimum, ...] = ()
    saddle_points: tuple[tuple[float, ...], ...] = ()
    settings: tuple[tuple[str, float], ...] = ()  # (name, value) of each setting it was built with
    starts: tuple[tuple[float, ...], ...] = ()  # where runs start by default (suggested_start), none at a minimum

    @property
    def dim(self) -> int:
        return len(self.variables)

    @property
    def latex(self) -> str:
        return sp.latex(self.expression)

    @cached_property
    def gradient_expressions(self) -> tuple[sp.Expr, ...]:
        return tuple(sp.diff(self.expression, v) for v in self.variables)

    @cached_property
    def _compiled_f(self) -> Callable:
        return _lambdify(self.variables, self.expression)

    @cached_property
    def _compiled_grad(self) -> Callable:
        return _lambdify(self.variables, list(self.gradient_expressions))

    @cached_property
    def _compiled_hessian(self) -> Callable:
        return _lambdify(self.variables, [sp.diff(g, v) for g in self.gradient_expressions for v in self.variables])

    @cached_property
    def _compiled_value_and_grad(self) -> Callable:
        return _lambdify(self.variables, [self.expression, *self.gradient_expressions])

    def f(self, X) -> Array:
        X = np.asarray(X, dtype=float)
        return _filled(self._compiled_f(*_columns(X)), X.shape[:-1])

    def grad(self, X) -> Array:
        X = np.asarray(X, dtype=float)
        return _stacked(self._compiled_grad(*_columns(X)), X.shape)

    def value_and_grad(self, X) -> tuple[Array, Array]:
        """f(X) and grad(X) in one pass that shares their common sub-expressions."""
        X = np.asarray(X, dtype=float)
        value, *parts = self._compiled_value_and_grad(*_columns(X))
        return _filled(value, X.shape[:-1]), _stacked(parts, X.shape)

    def sampled_value_and_grad(self, X, step: int, positions) -> tuple[Array, Array]:
        """f(X) and the gradient an optimiser is given at step `step` (from 1), for runs X (runs, dim) at
        `positions` (runs,) in the batch of starts: the exact gradient, unless the loss is noisy (losses.noise)."""
        return self.value_and_grad(X)

    def hessian(self, X) -> Array:
        """The second derivatives at points X (..., dim), shaped (..., dim, dim)."""
        X = np.asarray(X, dtype=float)
        entries = _stacked(self._compiled_hessian(*_columns(X)), (*X.shape[:-1], self.dim**2))
        return entries.reshape(*X.shape[:-1], self.dim, self.dim)

    def nearest_minimum(self, X, tolerance: float | None = None) -> Array:
        """For points X (..., dim): the index into `minima` of the minimum within `tolerance`
        in every coordinate (default: 1% of the domain's widest side), or −1 where there is none."""
        X = np.asarray(X, dtype=float)
        if tolerance is None:
            tolerance = 0.01 * max(high - low for low, high in self.domain)
        found = np.full(X.shape[:-1], -1)
        for index, minimum in enumerate(self.minima):
            close = (np.abs(X - np.asarray(minimum.x)) <= tolerance).all(axis=-1)
            found[close & (found < 0)] = index
        return found


def _columns(X: Array) -> list[Array]:
    return [X[..., i] for i in range(X.shape[-1])]


def _stacked(parts, shape: tuple[int, ...]) -> Array:
    """The per-variable results as one array of `shape` (..., dim)."""
    stacked = np.empty(shape)
    for i, part in enumerate(parts):
        stacked[..., i] = part
    return stacked


def find_minima_1d(loss: Loss, samples: int = 20001, tolerance: float = 1e-12) -> tuple[Minimum, ...]:
    """The minima of a 1-D loss inside its domain: where f' changes sign from − to +.

    Bisection on the sign of f' also finds the bottom of a kink, where f' is not continuous. It stops once
    the bracket is `tolerance` times max(1, |x|) wide or its ends are neighbouring doubles.
    Which are global: see `minima_at`.
    """
    (low, high) = loss.domain[0]
    xs = np.linspace(low, high, samples)
    with np.errstate(all="ignore"):
        slopes = loss.grad(xs[:, None])[:, 0]
    brackets = np.flatnonzero((slopes[:-1] < 0) & (slopes[1:] >= 0))
    left, right = xs[brackets], xs[brackets + 1]
    for _ in range(_MAX_BISECTIONS):
        middle = (left + right) / 2
        # Relative to the size of x: doubles 8192 apart from 0 are already more than 1e-12 apart, and a
        # bracket between two neighbouring doubles cannot be halved at all.
        unresolved = (right - left > tolerance * np.maximum(1.0, np.abs(middle))) & (left < middle) & (middle < right)
        if not unresolved.any():
            break
        with np.errstate(all="ignore"):
            rising = loss.grad(middle[:, None])[:, 0] >= 0
        right = np.where(rising, middle, right)
        left = np.where(rising, left, middle)
    locations = (left + right) / 2
    return minima_at(loss, [(float(where),) for where in locations])


def stationary_points(loss: Loss, guesses, iterations: int = 50) -> tuple[tuple[float, ...], ...]:
    """The points where the gradient vanishes, found by Newton's method from each guess (dim,)."""
    points = np.array(guesses, dtype=float).reshape(-1, loss.dim)
    for _ in range(iterations):
        points = points - np.linalg.solve(loss.hessian(points), loss.grad(points)[..., None])[..., 0]
    return tuple(tuple(float(v) + 0.0 for v in point) for point in points)


def minima_from_guesses(loss: Loss, guesses) -> tuple[Minimum, ...]:
    """The minima Newton's method reaches from the guesses."""
    return minima_at(loss, stationary_points(loss, guesses))


def minima_at(loss: Loss, points) -> tuple[Minimum, ...]:
    """The minima of `loss` at `points` (each dim coordinates); those whose value is within
    GLOBAL_TOLERANCE of the lowest are global."""
    values = loss.f(np.array(points, dtype=float).reshape(-1, loss.dim))
    lowest = values.min(initial=np.inf)
    return tuple(
        Minimum(
            x=tuple(float(v) + 0.0 for v in point),
            value=float(value) + 0.0,
            is_global=bool(value <= lowest + GLOBAL_TOLERANCE),
        )
        for point, value in zip(points, values, strict=True)
    )
