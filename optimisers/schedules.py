"""Learning-rate schedules: a factor on α at every step, as torch.optim.lr_scheduler computes it.

The factor of step t (counting from 1) is what the torch scheduler gives after t − 1 calls of
`scheduler.step()`, divided by α. It is a Python float computed from the step alone, so every run
of a batch takes the same factor by the same operations as a run on its own.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from optimisers.base import HyperParameter


@dataclass(frozen=True)
class ScheduleSetting(HyperParameter):
    """A schedule's setting: a number in its range, and for a count of steps a whole one."""

    whole_number: bool = False

    def validate(self, value) -> float | int:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{self.name} must be a number in {self.range_text}; got {value!r}")
        if not self.contains(value):
            raise ValueError(f"{self.name} must be in {self.range_text}; got {value:g}")
        if self.whole_number:
            if not float(value).is_integer():
                raise ValueError(f"{self.name} must be a whole number of steps; got {value:g}")
            return int(value)
        return float(value)


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule: what it does, its formula, when to use it, its settings and its factor."""

    id: str
    name: str
    summary: str
    formula: str  # LaTeX: the factor η_t of step t, with e = t − 1 scheduler steps taken
    when_to_use: str
    torch: str  # the torch.optim.lr_scheduler equivalent
    settings: tuple[ScheduleSetting, ...]
    factor: Callable[..., float]  # factor(epoch, steps, **settings)


@dataclass(frozen=True)
class Schedule:
    """A schedule with its settings: `factors(steps)` multiplies α at steps 1 … steps."""

    spec: ScheduleSpec
    settings: Mapping[str, float]

    @property
    def id(self) -> str:
        return self.spec.id

    def factors(self, steps: int) -> list[float]:
        return [self.spec.factor(epoch, steps, **self.settings) for epoch in range(steps)]


def _steps(name: str, symbol: str, default: int, meaning: str) -> ScheduleSetting:
    return ScheduleSetting(name, symbol, default, 1, math.inf, meaning, whole_number=True)


def _fraction(name: str, symbol: str, default: float, meaning: str, low_inclusive: bool = True) -> ScheduleSetting:
    return ScheduleSetting(
        name,
        symbol,
        default,
        0.0,
        1.0,
        meaning,
        low_inclusive=low_inclusive,
        high_inclusive=True,
        slider_low=0.0,
        slider_high=1.0,
    )


def _divisor(name: str, symbol: str, default: float, meaning: str) -> ScheduleSetting:
    return ScheduleSetting(
        name, symbol, default, 1.0, math.inf, meaning, log_scale=True, slider_low=1.0, slider_high=1e5
    )


GAMMA_MEANING = "the factor the learning rate is multiplied by"
MIN_FACTOR = _fraction("min_factor", r"\eta_{\min}", 0.0, "the floor of the cosine, as a fraction of α")


def _cosine(epoch: int, t_max: int, min_factor: float) -> float:
    return min_factor + (1 - min_factor) * (1 + math.cos(math.pi * epoch / t_max)) / 2


def _warmup_cosine(epoch: int, steps: int, *, warmup: int, t_max: int, min_factor: float) -> float:
    if epoch < warmup:
        return 1 / warmup + (1 - 1 / warmup) * epoch / warmup
    return _cosine(epoch - warmup, t_max, min_factor)


def _one_cycle(epoch: int, steps: int, *, pct_start: float, div_factor: float, final_div_factor: float) -> float:
    start, peak = 1 / div_factor, 1.0
    end = start / final_div_factor
    rise_end = pct_start * steps - 1
    if epoch <= rise_end:
        phase_start, phase_end, low, high = 0.0, rise_end, start, peak
    else:
        phase_start, phase_end, low, high = rise_end, steps - 1, peak, end
    # A phase of no length (torch divides by zero there) is at its end value.
    share = (epoch - phase_start) / (phase_end - phase_start) if phase_end > phase_start else 1.0
    return high + (low - high) / 2 * (math.cos(math.pi * share) + 1)


SCHEDULES: dict[str, ScheduleSpec] = {
    spec.id: spec
    for spec in (
        ScheduleSpec(
            "constant",
            "Constant",
            "α at every step.",
            r"\eta_t = 1",
            "The baseline: enough for a deterministic gradient on a smooth loss.",
            "no scheduler",
            (),
            lambda epoch, steps: 1.0,
        ),
        ScheduleSpec(
            "step",
            "Step decay",
            "α, multiplied by γ every `step_size` steps.",
            r"\eta_t = \gamma^{\lfloor (t - 1) / s \rfloor}",
            "Classic image-classification recipes: train at one rate until progress stalls, then drop it.",
            "StepLR(step_size, gamma)",
            (
                _steps("step_size", "s", 30, "how many steps between two drops"),
                _fraction("gamma", r"\gamma", 0.1, GAMMA_MEANING + " at every drop", low_inclusive=False),
            ),
            lambda epoch, steps, *, step_size, gamma: gamma ** (epoch // step_size),
        ),
        ScheduleSpec(
            "exponential",
            "Exponential decay",
            "α, multiplied by γ at every step.",
            r"\eta_t = \gamma^{t - 1}",
            "A smooth decay when noise in the gradient keeps the run from settling at a fixed rate.",
            "ExponentialLR(gamma)",
            (_fraction("gamma", r"\gamma", 0.99, GAMMA_MEANING + " at every step", low_inclusive=False),),
            lambda epoch, steps, *, gamma: gamma**epoch,
        ),
        ScheduleSpec(
            "cosine",
            "Cosine annealing",
            "α falling along half a cosine to its floor at step t_max + 1, then rising again.",
            r"\eta_t = \eta_{\min} + (1 - \eta_{\min})\, \frac{1 + \cos(\pi (t - 1) / T)}{2}",
            "A long run of known length: large steps early to explore, small ones at the end to settle.",
            "CosineAnnealingLR(T_max, eta_min = α·min_factor)",
            (_steps("t_max", "T", 100, "how many steps the fall from α to the floor takes"), MIN_FACTOR),
            lambda epoch, steps, *, t_max, min_factor: _cosine(epoch, t_max, min_factor),
        ),
        ScheduleSpec(
            "warmup_cosine",
            "Warm-up, then cosine",
            "α/warmup rising linearly to α over `warmup` steps, then cosine annealing.",
            r"\eta_t = \begin{cases} \frac{1}{w} + (1 - \frac{1}{w})\frac{t - 1}{w} & t \le w \\ "
            r"\eta_{\min} + (1 - \eta_{\min})\, \frac{1 + \cos(\pi (t - 1 - w) / T)}{2} & t > w \end{cases}",
            "Adam and relatives on large models: their first steps, taken before the averages mean anything, "
            "are kept small.",
            "SequentialLR([LinearLR(1/warmup, 1, warmup), CosineAnnealingLR(T_max, eta_min)], [warmup])",
            (
                _steps("warmup", "w", 10, "how many steps the rise from α/warmup to α takes"),
                _steps("t_max", "T", 90, "how many steps the cosine's fall to the floor takes"),
                MIN_FACTOR,
            ),
            _warmup_cosine,
        ),
        ScheduleSpec(
            "one_cycle",
            "One cycle",
            "α/div_factor rising along a cosine to α (the peak), then falling to far below the start.",
            r"\eta_t = \text{cosine from } \tfrac{1}{d} \text{ up to } 1 \text{ over the first } p \cdot n "
            r"\text{ steps, then down to } \tfrac{1}{d\,f} \text{ at step } n",
            "Fast training to a fixed budget of steps with a high peak rate (super-convergence).",
            "OneCycleLR(max_lr = α, total_steps = steps, cycle_momentum = False)",
            (
                _fraction("pct_start", "p", 0.3, "the share of the steps spent rising", low_inclusive=False),
                _divisor("div_factor", "d", 25.0, "α divided by this is where the cycle starts"),
                _divisor("final_div_factor", "f", 1e4, "the start divided by this is where the cycle ends"),
            ),
            _one_cycle,
        ),
    )
}


def schedule(id: str, **settings) -> Schedule:
    """The schedule `id` with its settings; the rest take their defaults.

    Raises ValueError naming an unknown id, an unknown setting, or a value outside its range.
    """
    if id not in SCHEDULES:
        raise ValueError(f"unknown schedule {id!r}; valid ids: {', '.join(SCHEDULES)}")
    spec = SCHEDULES[id]
    known = [s.name for s in spec.settings]
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise ValueError(f"{id} has no setting {unknown[0]!r}; its settings are: {', '.join(known) or 'none'}")
    return Schedule(spec, {s.name: s.validate(settings.get(s.name, s.default)) for s in spec.settings})
