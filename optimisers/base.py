"""What every optimiser is made of: its hyperparameters, accumulators, options and update rule.

An optimiser is a pure update rule `update(x, grad, state, step, **settings) -> Step`, in the style
of optax: the state is a dict of arrays shaped like x, and nothing it is given is changed in place, so a
whole batch of runs moves at once and every step can be recorded. The state carries what the next step
needs; what is worth seeing but not needed again (Adam's m̂ and v̂) comes back apart, to be recorded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

Array = np.ndarray


class Step(NamedTuple):
    """One update: the new point, the effective learning rate, the new state the next step is given, and
    the accumulators that are only recorded.

    The new point is `x − lr · direction` (plus weight decay, or Schedule-Free's move towards z, where the
    optimiser has it); each optimiser's `lr_meaning` says what its direction is.
    """

    x: Array
    lr: Array | float
    state: dict[str, Array]
    recorded: Mapping[str, Array] = MappingProxyType({})


@dataclass(frozen=True)
class HyperParameter:
    """A tunable number: its valid range, the range its slider offers, and what it means."""

    name: str
    symbol: str
    default: float
    low: float
    high: float
    meaning: str
    low_inclusive: bool = True
    high_inclusive: bool = False
    log_scale: bool = False
    slider_low: float | None = None
    slider_high: float | None = None

    @property
    def range_text(self) -> str:
        def bound(value: float) -> str:
            return ("−∞" if value < 0 else "∞") if math.isinf(value) else f"{value:g}"

        opening = "[" if self.low_inclusive else "("
        closing = "]" if self.high_inclusive else ")"
        return f"{opening}{bound(self.low)}, {bound(self.high)}{closing}"

    def contains(self, value) -> Array:
        """Whether each element of `value` lies in the valid range."""
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        return np.isfinite(value) & above & below

    def validate(self, value) -> float | Array:
        """`value` as a float or float array; raises ValueError naming this hyperparameter."""
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number in {self.range_text}; got {value!r}") from None
        outside = ~self.contains(array)
        if np.any(outside):
            offending = array[outside].flat[0] if array.ndim else array
            raise ValueError(f"{self.name} must be in {self.range_text}; got {offending:g}")
        return float(array) if array.ndim == 0 else array


@dataclass(frozen=True)
class Accumulator:
    """A quantity an optimiser keeps (or derives) at every step, shaped like x.

    A carried one is part of the state the next step is given, and starts at `initial`, or, where
    `initial_from` names one, at the starting point ("x") or at the value of a hyperparameter. One that is
    not carried (Adam's m̂) is derived afresh at every step and only recorded.
    """

    name: str
    symbol: str
    meaning: str
    initial: float = 0.0
    initial_from: str | None = None
    carried: bool = True

    @property
    def initial_text(self) -> str:
        if self.initial_from is None:
            return f"{self.initial:g}"
        return "the start" if self.initial_from == "x" else f"`{self.initial_from}`"


@dataclass(frozen=True)
class Option:
    """A switch between variants of one algorithm (the article's form, bias correction)."""

    name: str
    default: bool
    meaning: str


@dataclass(frozen=True)
class OptimiserSpec:
    """Everything the app knows about one algorithm; the UI builds its controls from this."""

    id: str
    name: str
    summary: str
    update_rule: str  # LaTeX, in the article's symbols
    lr_meaning: str  # what `lr` and the update direction are, in words
    hyperparameters: tuple[HyperParameter, ...]
    accumulators: tuple[Accumulator, ...]
    update: Callable[..., Step]
    options: tuple[Option, ...] = ()
    reference: str = "torch.optim"  # the implementation the update is checked against
    paper: str = ""  # authors, year, title and where to find it
    problem: str = ""  # what it was made to solve

    def hyperparameter(self, name: str) -> HyperParameter:
        return next(h for h in self.hyperparameters if h.name == name)


@dataclass(frozen=True, eq=False)
class Optimiser:
    """An algorithm with its settings. Array settings broadcast against the batch of runs."""

    spec: OptimiserSpec
    hyperparameters: Mapping[str, float | Array]
    options: Mapping[str, bool]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The batch shape the settings imply on their own (() when all are scalars)."""
        return np.broadcast_shapes(*(np.shape(v) for v in self.hyperparameters.values()))

    @cached_property
    def _settings(self) -> dict[str, float | Array | bool]:
        # An array setting shaped (*batch) gains a trailing axis to broadcast against x (*batch, dim).
        expanded = {k: v[..., np.newaxis] if np.ndim(v) else v for k, v in self.hyperparameters.items()}
        return {**expanded, **self.options}

    def for_runs(self, batch_shape: tuple[int, ...], runs: Array) -> Optimiser:
        """This optimiser restricted to some runs of a batch, numbered in C order."""
        selected = {
            name: np.broadcast_to(value, batch_shape).reshape(-1)[runs] if np.ndim(value) else value
            for name, value in self.hyperparameters.items()
        }
        return Optimiser(self.spec, selected, self.options)

    def init(self, x: Array) -> dict[str, Array]:
        def start(accumulator: Accumulator) -> Array:
            if accumulator.initial_from == "x":
                return x.copy()
            if accumulator.initial_from is not None:
                return np.broadcast_to(self._settings[accumulator.initial_from], x.shape).astype(float)
            return np.full_like(x, accumulator.initial)

        return {a.name: start(a) for a in self.spec.accumulators if a.carried}

    def update(self, x: Array, grad: Array, state: dict[str, Array], step: int, lr_factor: float = 1.0) -> Step:
        """One step from x (*batch, dim) with its gradient; `step` counts from 1. `lr_factor` (a schedule's)
        multiplies α, as a torch scheduler sets the learning rate the step uses."""
        settings = self._settings
        if lr_factor != 1.0:
            settings = {**settings, "alpha": settings["alpha"] * lr_factor}
        return self.spec.update(x, grad, state, step, **settings)


def alpha(
    default: float, meaning: str = "learning rate: the size of each step before any adaptation"
) -> HyperParameter:
    return HyperParameter(
        "alpha",
        r"\alpha",
        default,
        0.0,
        math.inf,
        meaning,
        low_inclusive=False,
        log_scale=True,
        slider_low=1e-4,
        slider_high=10.0,
    )


def eps(default: float, slider_low: float = 1e-12) -> HyperParameter:
    return HyperParameter(
        "eps",
        r"\epsilon",
        default,
        0.0,
        math.inf,
        "small constant that keeps the division finite where the gradients are near zero",
        log_scale=True,
        slider_low=slider_low,
        slider_high=1e-1,
    )


def beta(name: str, symbol: str, default: float, meaning: str) -> HyperParameter:
    return HyperParameter(name, symbol, default, 0.0, 1.0, meaning, slider_low=0.0, slider_high=0.9999)


def weight_decay(default: float, meaning: str = "how strongly each step pulls w towards zero") -> HyperParameter:
    return HyperParameter("weight_decay", r"\lambda", default, 0.0, math.inf, meaning, slider_low=0.0, slider_high=1.0)


EPS_INSIDE_SQRT = Option(
    "eps_inside_sqrt",
    False,
    r"the article's form: divide by $\sqrt{\cdot + \epsilon}$ instead of torch's $\sqrt{\cdot} + \epsilon$",
)


def moving_average(average: Array, value: Array, decay: float | Array) -> Array:
    """The exponential moving average β·average + (1 − β)·value, as torch computes it."""
    return decay * average + (1 - decay) * value


def average_weight(decay: float | Array, step: int) -> float | Array:
    """1 − βᵗ, the share of the moving average's weight that its first t values carry.

    βᵗ is computed by repeated squaring, which takes the same multiplications, hence the same bits,
    whether β is a float or an array: numpy's array power and Python's float power can differ in
    the last place, and do on some CPUs, which would make a batched run differ from a single one.
    """
    power, factor = 1.0, decay
    while step:
        if step & 1:
            power = power * factor
        factor, step = factor * factor, step >> 1
    return 1 - power


def python_power(base: float, exponent: float | Array) -> float | Array:
    """baseᵉ by Python's float power for every element of `exponent`, so that an array of exponents
    gives the same bits as each exponent alone (numpy's vector power may round differently)."""
    if np.ndim(exponent) == 0:
        return base ** float(exponent)
    values, positions = np.unique(exponent, return_inverse=True)
    return np.array([base ** float(value) for value in values])[positions].reshape(np.shape(exponent))


def over_coordinates(operation: np.ufunc, values: Array) -> Array:
    """`operation` (np.add, np.logical_or, …) folded over a run's coordinates (the last axis), kept as an axis
    of length 1. One coordinate at a time: numpy reduces a short last axis row by row, which for 10⁵ runs of
    two variables is twenty times slower."""
    result = values[..., :1].copy()
    for coordinate in range(1, values.shape[-1]):
        operation(result, values[..., coordinate : coordinate + 1], out=result)
    return result


def coordinate_sum(values: Array) -> Array:
    """The sum over a run's coordinates (the last axis), kept as an axis of length 1: a reference that
    treats the coordinates as one parameter tensor reduces over them, never across runs."""
    return over_coordinates(np.add, values)


def adaptive_denominator(square_average: Array, eps: float | Array, eps_inside_sqrt: bool) -> Array:
    """√(v) + ε as torch computes it, or √(v + ε) as the article's code does."""
    return np.sqrt(square_average + eps) if eps_inside_sqrt else np.sqrt(square_average) + eps


def decayed(x: Array, alpha: float | Array, weight_decay: float | Array) -> Array:
    """Decoupled weight decay, as AdamW's: w shrunk towards zero by the factor 1 − α·λ."""
    return x * (1 - alpha * weight_decay)


def lerp(start: Array, end: Array, weight: float | Array) -> Array:
    """start + w·(end − start), as torch's lerp computes it: from `end` back when w ≥ 0.5."""
    return np.where(np.abs(weight) < 0.5, start + weight * (end - start), end - (end - start) * (1 - weight))
