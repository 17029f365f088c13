"""The Playground's settings as one value, and their round trip through URL query parameters.

Everything a user can set lives in `Config`; `to_query_params` and `from_query_params` turn it
into a shareable URL and back. Reading never fails: a bad value is replaced or clamped and a
message says what was changed, so a hand-edited URL still opens a working page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import numpy as np

import losses
import optimisers
from charts.animation import LAYOUTS
from charts.common import PALETTE
from losses.noise import MAX_SEED
from losses.parse import DEFAULT_DOMAIN, MAX_LENGTH
from sweep import MAX_STEPS

MAX_RUNS = 6
MAX_LABEL_LENGTH = 40
FRAME_MS_RANGE = (50, 2000)
DEFAULT_FRAME_MS = 400  # how long the player shows each frame while playing
CUSTOM_LOSS = "custom"
MAX_EXPRESSION_LENGTH = MAX_LENGTH
CUSTOM_DOMAIN = DEFAULT_DOMAIN
MAX_DOMAIN_WIDTH = 1e4
_COLOUR = re.compile(r"#?([0-9a-fA-F]{6})")
_RUN_KEY = re.compile(r"r[0-9]{1,3}")
# A decimal number as a URL writes one, not Python's wider syntax (1_000, " 5", "infinity", other scripts'
# digits); the pattern is unambiguous, so that even a long string of digits is refused in linear time.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_LONGEST_NUMBER = 64  # characters
QUOTED_LENGTH = 40  # characters of a bad value that a message repeats


@dataclass(frozen=True)
class Run:
    """One optimiser run: its algorithm, settings, start, and how it is drawn."""

    optimiser: str
    hyperparameters: Mapping[str, float]
    x0: tuple[float, ...]
    label: str
    colour: str
    options: Mapping[str, bool] = field(default_factory=dict)
    schedule: str = "constant"  # the learning-rate schedule's id
    schedule_settings: Mapping[str, float] = field(default_factory=dict)

    def create_optimiser(self) -> optimisers.Optimiser:
        return optimisers.create(self.optimiser, **self.hyperparameters, **self.options)

    def create_schedule(self) -> optimisers.Schedule | None:
        """The run's learning-rate schedule, or None for a constant α."""
        if self.schedule == "constant":
            return None
        return optimisers.schedule(self.schedule, **self.schedule_settings)


@dataclass(frozen=True)
class LossChoice:
    """Which loss the runs descend: a catalogue id with its settings, or a typed formula on its x range."""

    id: str = "quartic"
    expression: str = ""  # the typed formula when id == CUSTOM_LOSS
    domain: tuple[float, float] = CUSTOM_DOMAIN  # the typed formula's plotted x range
    settings: tuple[tuple[str, float], ...] = ()  # (name, value) for a catalogue loss that takes settings

    def resolve(self) -> losses.Loss:
        """The catalogue's loss with its settings, or the typed formula (raises losses.ExpressionError)."""
        if self.id == CUSTOM_LOSS:
            return losses.parse(self.expression, domain=(self.domain,))
        return losses.get(self.id, **dict(self.settings))

    @classmethod
    def of(cls, loss: losses.Loss) -> LossChoice:
        """The choice that gives `loss` back."""
        if loss.id == CUSTOM_LOSS:
            return cls(CUSTOM_LOSS, expression=loss.name, domain=loss.domain[0])
        return cls(loss.id, settings=loss.settings)


@dataclass(frozen=True)
class Descent:
    """What every run of a Config descends: the loss, the noise on its gradient, and for how many steps."""

    loss: LossChoice
    steps: int
    noise: float
    seed: int
    seeds: bool


@dataclass(frozen=True)
class Config:
    loss: LossChoice = LossChoice()
    runs: tuple[Run, ...] = ()
    steps: int = 50
    layout: str = "overlay"
    frame_ms: int = DEFAULT_FRAME_MS
    log_loss: bool = False
    internals: bool = False  # the rows inside the optimisers under the animation
    explain: bool = False  # each run's step written out with its numbers, under the animation
    explored: tuple[int, str] | None = None  # (the run's index, its setting) that "Explore a setting" shows
    noise: float = 0.0  # σ of the Gaussian noise on the gradient of a loss not fitted to data
    seed: int = 0  # of that noise (a loss fitted to data has its own, with its batch size)
    seeds: bool = False  # each run with SEEDS_SHOWN seeds, drawn faint, their median bold

    @property
    def descent(self) -> Descent:
        return Descent(self.loss, self.steps, self.noise, self.seed, self.seeds)


SEEDS_SHOWN = 20
EXPLORABLE = ("alpha", "beta", "beta1", "beta2", "eps", "momentum")  # and the start's coordinates
MAX_NOISE = 1e6


def noisy_loss(loss: losses.Loss, sigma: float, seed: int) -> losses.Loss:
    """The loss as the runs see it: with Gaussian noise of σ `sigma`, unless it is fitted to data, whose
    noise is its minibatches."""
    if sigma and not isinstance(loss, losses.DataLoss):
        return losses.noisy(loss, sigma, seed)
    return loss


def has_noise(loss: losses.Loss, sigma: float) -> bool:
    """Whether the runs' gradient is noisy: by its minibatches on a loss fitted to data, else by σ."""
    if isinstance(loss, losses.DataLoss):
        return 0 < loss.batch_size < len(loss.targets)
    return sigma > 0


def valid_or_default(parameter, value) -> float:
    """`value` if `parameter` (a hyperparameter or a loss's setting) can take it, else the parameter's default."""
    return float(value) if parameter.contains(value) else parameter.default


def run_inputs(descent: Descent, run: Run) -> tuple[losses.Loss, np.ndarray]:
    """The loss as the run sees it, and its starts: its own start (dim,), or on a noisy loss with the seeds
    shown, SEEDS_SHOWN copies of it (seeds, dim), one per seed, the first the run's own."""
    loss = noisy_loss(descent.loss.resolve(), descent.noise, descent.seed)
    x0 = np.array(run.x0)
    if descent.seeds and has_noise(loss, descent.noise):
        x0 = np.repeat(x0[None], SEEDS_SHOWN, axis=0)
    return loss, x0


def explorable_settings(run: Run, dim: int) -> list[str]:
    """What "Explore a setting" offers of `run` on a loss of `dim` variables: its hyperparameters among
    EXPLORABLE, then each coordinate of its start (x0_0, x0_1)."""
    return [name for name in run.hyperparameters if name in EXPLORABLE] + [f"x0_{i}" for i in range(dim)]


def new_run(optimiser: str, x0: tuple[float, ...], index: int, **settings) -> Run:
    """A run with the optimiser's defaults, overridden by `settings`, coloured by its position."""
    spec = optimisers.REGISTRY[optimiser]
    hyperparameters = {h.name: float(settings.get(h.name, h.default)) for h in spec.hyperparameters}
    options = {o.name: settings[o.name] for o in spec.options if o.name in settings}
    return Run(optimiser, hyperparameters, x0, spec.name, PALETTE[index % len(PALETTE)], options)


def landing_config() -> Config:
    """What the Playground shows with no query string: the article's RMSProp against Adam."""
    return Config(
        runs=(
            new_run("rmsprop", (0.1,), 0, alpha=0.1, beta=0.9),
            new_run("adam", (0.1,), 1, alpha=0.1, beta1=0.9, beta2=0.999),
        )
    )


def playground_link(config: Config) -> str:
    """A relative link that opens `config` in the Playground."""
    return "/?" + urlencode(to_query_params(config))


def to_query_params(config: Config) -> dict[str, str]:
    params = {"loss": config.loss.id}
    if config.loss.id == CUSTOM_LOSS:
        params["expr"] = config.loss.expression
        params["domain"] = ",".join(repr(v) for v in config.loss.domain)
    params |= {f"loss.{name}": repr(value) for name, value in config.loss.settings}
    params |= {"steps": str(config.steps), "layout": config.layout, "speed": str(config.frame_ms)}
    if config.log_loss:
        params["log"] = "1"
    if config.internals:
        params["internals"] = "1"
    if config.explain:
        params["explain"] = "1"
    if config.explored:
        number, setting = config.explored
        params["explore"] = f"{number + 1}.{setting}"
    if config.noise:
        params |= {"noise": repr(config.noise), "seed": str(config.seed)}
    if config.seeds:
        params["seeds"] = "1"
    for number, run in enumerate(config.runs, start=1):
        prefix = f"r{number}"
        params[prefix] = run.optimiser
        params |= {f"{prefix}.{name}": repr(value) for name, value in run.hyperparameters.items()}
        params |= {f"{prefix}.{name}": str(int(value)) for name, value in run.options.items()}
        if run.schedule != "constant":
            params[f"{prefix}.schedule"] = run.schedule
            params |= {f"{prefix}.schedule.{name}": repr(value) for name, value in run.schedule_settings.items()}
        params[f"{prefix}.x0"] = ",".join(repr(v) for v in run.x0)
        params[f"{prefix}.label"] = run.label
        params[f"{prefix}.colour"] = run.colour.lstrip("#")
    return params


def from_query_params(params: Mapping[str, str]) -> tuple[Config, list[str]]:
    """The Config a URL describes, and a message for every value that had to be changed."""
    if not params:
        return landing_config(), []
    messages: list[str] = []
    default = Config()
    loss_id = params.get("loss", default.loss.id)
    expression, custom_domain = "", CUSTOM_DOMAIN
    if loss_id == CUSTOM_LOSS:
        expression = params.get("expr", "")
        if len(expression) > MAX_EXPRESSION_LENGTH:
            messages.append(f"The expression is longer than {MAX_EXPRESSION_LENGTH} characters: cut short.")
            expression = expression[:MAX_EXPRESSION_LENGTH]
        custom_domain = _domain(params.get("domain"), messages)
    elif loss_id not in losses.ids():
        messages.append(f"Unknown loss {quoted(loss_id)}: showing the {default.loss.resolve().name} instead.")
        loss_id = default.loss.id
    domain = losses.get(loss_id).domain if loss_id != CUSTOM_LOSS else (custom_domain,)
    choice = LossChoice(loss_id, expression, custom_domain, _loss_settings(params, loss_id, messages))
    try:
        loss = choice.resolve()
    except losses.ExpressionError:
        loss = None  # the page says what to fix; until then runs start in the middle

    steps = _whole_number(params.get("steps"), "steps", default.steps, (1, MAX_STEPS), messages)
    frame_ms = _whole_number(params.get("speed"), "speed", default.frame_ms, FRAME_MS_RANGE, messages)
    layout = params.get("layout", default.layout)
    if layout not in LAYOUTS:
        messages.append(f"Unknown layout {quoted(layout)}: using overlay.")
        layout = default.layout

    # Each run under its key as written, r01 as well as r1, in the order of their numbers.
    prefixes = sorted((key for key in params if _RUN_KEY.fullmatch(key)), key=lambda key: (int(key[1:]), key))

    def start(index: int) -> tuple[float, ...]:
        return losses.suggested_start(loss, index) if loss else losses.domain_middle(domain)

    runs = []
    for prefix in prefixes:
        run = _run_from_params(params, prefix, len(runs), domain, start(len(runs)), messages)
        if run is not None:
            runs.append(run)
    if len(runs) > MAX_RUNS:
        messages.append(f"At most {MAX_RUNS} runs: the first {MAX_RUNS} are shown.")
        runs = runs[:MAX_RUNS]
    if not runs:
        messages.append("The link has no valid run: showing the article's RMSProp and Adam.")
        runs = [
            run if _inside(run.x0, domain) else replace(run, x0=start(index))
            for index, run in enumerate(landing_config().runs)
        ]
    log_loss = _switch(params.get("log"), "log", default.log_loss, messages)
    internals = _switch(params.get("internals"), "internals", default.internals, messages)
    explain = _switch(params.get("explain"), "explain", default.explain, messages)
    explored = _explored(params.get("explore"), runs, len(domain), messages)
    noise = _noise(params.get("noise"), messages)
    seed = _whole_number(params.get("seed"), "seed", default.seed, (0, MAX_SEED), messages)
    seeds = _switch(params.get("seeds"), "seeds", default.seeds, messages)
    config = Config(
        loss=choice,
        runs=tuple(runs),
        steps=steps,
        layout=layout,
        frame_ms=frame_ms,
        log_loss=log_loss,
        internals=internals,
        explain=explain,
        explored=explored,
        noise=noise,
        seed=seed,
        seeds=seeds,
    )
    return config, messages


def _explored(text: str | None, runs: list[Run], dim: int, messages: list[str]) -> tuple[int, str] | None:
    """The run (by its number, from 1) and setting to explore from `explore=<number>.<setting>`, or None."""
    if text is None:
        return None
    match = re.fullmatch(r"([1-9][0-9]{0,2})\.(\w{1,10})", text)
    if match and int(match[1]) <= len(runs) and match[2] in explorable_settings(runs[int(match[1]) - 1], dim):
        return int(match[1]) - 1, match[2]
    messages.append(f"explore {quoted(text)} is not a run's number and one of its settings, as 1.alpha: left off.")
    return None


def _noise(text: str | None, messages: list[str]) -> float:
    if text is None:
        return 0.0
    value = _number(text)
    if value is None or not 0 <= value <= MAX_NOISE:
        messages.append(f"noise {quoted(text)} is not a number in [0, {MAX_NOISE:g}]: using 0.")
        return 0.0
    return value


def quoted(text: str) -> str:
    """`text` in quotes for a message, cut to QUOTED_LENGTH characters: a URL's value may be 100 KB long."""
    return repr(text if len(text) <= QUOTED_LENGTH else text[:QUOTED_LENGTH] + "…")


def _unknown_settings(params, prefix: str, known, messages: list[str], owner: str) -> None:
    """A message for every `<prefix>.<name>` parameter whose name is not in `known`."""
    unknown = [key.removeprefix(f"{prefix}.") for key in params if key.startswith(f"{prefix}.")]
    for name in (name for name in unknown if name not in known):
        messages.append(f"{owner} has no setting {quoted(name)}: left out.")


def _loss_settings(params, loss_id: str, messages: list[str]) -> tuple[tuple[str, float], ...]:
    """The loss's settings from `loss.<name>` parameters: each one missing or invalid at its default."""
    parameters = losses.parameters(loss_id) if loss_id != CUSTOM_LOSS else ()
    _unknown_settings(params, "loss", {p.name for p in parameters}, messages, "The loss")
    settings = []
    for parameter in parameters:
        text = params.get(f"loss.{parameter.name}")
        value = parameter.default if text is None else _number(text)
        if value is None or not parameter.contains(value):
            messages.append(
                f"The loss's {parameter.name} must be {parameter.range_text}, not {quoted(text)};"
                f" using {parameter.default:g}."
            )
            value = parameter.default
        settings.append((parameter.name, value))
    return tuple(settings)


def _number(text: str | None) -> float | None:
    if not isinstance(text, str) or len(text) > _LONGEST_NUMBER or not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def valid_domain(domain: tuple[float, float]) -> bool:
    """Whether a typed formula's domain runs from a smaller to a larger x, at most MAX_DOMAIN_WIDTH wide."""
    return 0 < domain[1] - domain[0] <= MAX_DOMAIN_WIDTH


def _domain(text: str | None, messages: list[str]) -> tuple[float, float]:
    if text is None:
        return CUSTOM_DOMAIN
    values = [_number(part) for part in text.split(",")]
    if len(values) == 2 and None not in values and valid_domain((values[0], values[1])):
        return (values[0], values[1])
    messages.append(
        f"The domain {quoted(text)} is not two increasing numbers at most {MAX_DOMAIN_WIDTH:g} apart:"
        f" using {_point(CUSTOM_DOMAIN)}."
    )
    return CUSTOM_DOMAIN


def _whole_number(text, name: str, default: int, bounds: tuple[int, int], messages: list[str]) -> int:
    if text is None:
        return default
    value = _number(text)
    if value is None or not value.is_integer():
        messages.append(f"{name} {quoted(text)} is not a whole number: using {default}.")
        return default
    clamped = min(max(int(value), bounds[0]), bounds[1])
    if clamped != value:
        messages.append(f"{name} {quoted(text)} is outside {bounds[0]}–{bounds[1]}: using {clamped}.")
    return clamped


def _switch(text: str | None, name: str, default: bool, messages: list[str]) -> bool:
    """A setting that is on (`1`) or off (`0`); absent or anything else, `default`."""
    if text in ("0", "1"):
        return text == "1"
    if text is not None:
        messages.append(f"{name} {quoted(text)} is not 0 or 1: using {int(default)}.")
    return default


def _run_from_params(params, prefix: str, index: int, domain, start, messages: list[str]) -> Run | None:
    """Run `prefix` (r1, r01, …) as the `index`th, starting at `start` unless the URL says where."""
    optimiser_id = params[prefix]
    if optimiser_id not in optimisers.REGISTRY:
        messages.append(f"Run {prefix[1:]}: unknown optimiser {quoted(optimiser_id)}, left out.")
        return None
    spec = optimisers.REGISTRY[optimiser_id]
    known = {h.name for h in spec.hyperparameters} | {o.name for o in spec.options} | {"x0", "label", "colour"}
    known |= {"schedule"} | {
        f"schedule.{s.name}" for schedule in optimisers.SCHEDULES.values() for s in schedule.settings
    }
    _unknown_settings(params, prefix, known, messages, f"Run {prefix[1:]} ({spec.name})")
    run = new_run(optimiser_id, tuple(low for low, _ in domain), index)
    hyperparameters = dict(run.hyperparameters)
    for h in spec.hyperparameters:
        text = params.get(f"{prefix}.{h.name}")
        if text is None:
            continue
        value = _number(text)
        if value is None or not h.contains(value):
            messages.append(
                f"Run {prefix[1:]}: {h.name} must be a number in {h.range_text}, not {quoted(text)};"
                f" using {h.default:g}."
            )
        else:
            hyperparameters[h.name] = value
    options = {
        o.name: _switch(params[f"{prefix}.{o.name}"], f"Run {prefix[1:]}: {o.name}", o.default, messages)
        for o in spec.options
        if f"{prefix}.{o.name}" in params
    }
    x0 = _start(params.get(f"{prefix}.x0"), prefix, domain, start, messages)
    label = _label(params.get(f"{prefix}.label"), prefix, run.label, messages)
    colour = _colour(params.get(f"{prefix}.colour"), prefix, run.colour, messages)
    schedule, schedule_settings = _schedule(params, prefix, messages)
    return replace(
        run,
        hyperparameters=hyperparameters,
        options=options,
        x0=x0,
        label=label,
        colour=colour,
        schedule=schedule,
        schedule_settings=schedule_settings,
    )


def _schedule(params, prefix: str, messages: list[str]) -> tuple[str, dict[str, float]]:
    """A run's schedule from `<prefix>.schedule` and `<prefix>.schedule.<setting>`: an unknown one is
    constant, a setting missing or invalid at its default."""
    schedule_id = params.get(f"{prefix}.schedule", "constant")
    if schedule_id not in optimisers.SCHEDULES:
        messages.append(f"Run {prefix[1:]}: unknown schedule {quoted(schedule_id)}; using a constant α.")
        return "constant", {}
    settings = {}
    for setting in optimisers.SCHEDULES[schedule_id].settings:
        text = params.get(f"{prefix}.schedule.{setting.name}")
        number = _number(text)
        try:
            # An unreadable text goes to `validate` as it is, so that the message quotes it.
            settings[setting.name] = setting.validate(
                setting.default if text is None else (text if number is None else number)
            )
        except ValueError as error:
            messages.append(f"Run {prefix[1:]}: the schedule's {error}; using {setting.default:g}.")
            settings[setting.name] = setting.validate(setting.default)
    return schedule_id, settings


def _label(text: str | None, prefix: str, default: str, messages: list[str]) -> str:
    if text is None:
        return default
    if not text:
        messages.append(f"Run {prefix[1:]}: the label is empty; using {default!r}.")
        return default
    if len(text) > MAX_LABEL_LENGTH:
        messages.append(f"Run {prefix[1:]}: the label is longer than {MAX_LABEL_LENGTH} characters: cut short.")
    return text[:MAX_LABEL_LENGTH]


def _colour(text: str | None, prefix: str, default: str, messages: list[str]) -> str:
    if text is None:
        return default
    match = _COLOUR.fullmatch(text)
    if match is None:
        messages.append(
            f"Run {prefix[1:]}: colour {quoted(text)} is not six hex digits such as ff7f0e; using {default}."
        )
        return default
    return f"#{match.group(1).lower()}"


def _inside(point: tuple[float, ...], domain) -> bool:
    return len(point) == len(domain) and all(low <= v <= high for v, (low, high) in zip(point, domain, strict=True))


def _point(point: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in point)


def _start(text: str | None, prefix: str, domain, default, messages: list[str]) -> tuple[float, ...]:
    if text is None:
        return default
    values = [_number(part) for part in text.split(",")]
    if len(values) != len(domain) or any(v is None for v in values):
        messages.append(
            f"Run {prefix[1:]}: start {quoted(text)} is not {len(domain)} number(s); using {_point(default)}."
        )
        return default
    clamped = losses.clamped(values, domain)
    if clamped != tuple(values):
        messages.append(f"Run {prefix[1:]}: start {quoted(text)} is outside the plotted domain; moved to its edge.")
    return clamped
