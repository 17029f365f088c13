"""Optimisers as pure numpy update rules, each checked against its reference implementation.

`create(id, **settings)` makes an optimiser; `simulate(loss, optimiser, x0, steps)` runs it on a
whole batch of starts and settings at once; `REGISTRY` describes every algorithm for the UI;
`schedule(id, **settings)` makes a learning-rate schedule for `simulate`, `SCHEDULES` describes them;
`tune(loss, id, x0, steps)` finds the learning rate (or another setting) that ends lowest.
"""

from __future__ import annotations

from optimisers.adabelief import ADABELIEF, ADOPT
from optimisers.adadelta import ADADELTA
from optimisers.adafactor import ADAFACTOR
from optimisers.adagrad import ADAGRAD
from optimisers.adam import ADAM, ADAMW, AMSGRAD
from optimisers.adamax import ADAMAX
from optimisers.base import Accumulator, HyperParameter, Optimiser, OptimiserSpec, Option, Step
from optimisers.lion import LION
from optimisers.nadam import NADAM
from optimisers.prodigy import PRODIGY
from optimisers.radam import RADAM
from optimisers.rmsprop import RMSPROP
from optimisers.rprop import RPROP
from optimisers.schedulefree import SCHEDULEFREE_ADAMW
from optimisers.schedules import SCHEDULES, Schedule, ScheduleSpec, schedule
from optimisers.sgd import GD, MOMENTUM_SGD, NESTEROV
from optimisers.simulate import Trajectory, simulate
from optimisers.tuning import Tuning, tune

__all__ = [
    "REGISTRY",
    "SCHEDULES",
    "Accumulator",
    "HyperParameter",
    "Optimiser",
    "OptimiserSpec",
    "Option",
    "Schedule",
    "ScheduleSpec",
    "Step",
    "Trajectory",
    "Tuning",
    "create",
    "schedule",
    "simulate",
    "tune",
]

REGISTRY: dict[str, OptimiserSpec] = {
    spec.id: spec
    for spec in (
        *(GD, MOMENTUM_SGD, NESTEROV, ADAGRAD, RMSPROP, ADAM, AMSGRAD, ADAMW, NADAM, RADAM, ADAMAX, ADADELTA),
        *(LION, ADABELIEF, ADOPT, ADAFACTOR, SCHEDULEFREE_ADAMW, PRODIGY, RPROP),
    )
}


def create(id: str, **settings) -> Optimiser:
    """The optimiser `id` with its hyperparameters and options; the rest take the reference's defaults.

    Raises ValueError naming an unknown id, an unknown setting, or a value outside its range.
    Any hyperparameter may be an array; it broadcasts against the batch of runs.
    """
    if id not in REGISTRY:
        raise ValueError(f"unknown optimiser {id!r}; valid ids: {', '.join(REGISTRY)}")
    spec = REGISTRY[id]
    known = [h.name for h in spec.hyperparameters] + [o.name for o in spec.options]
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise ValueError(f"{id} has no setting {unknown[0]!r}; its settings are: {', '.join(known)}")
    hyperparameters = {h.name: h.validate(settings.get(h.name, h.default)) for h in spec.hyperparameters}
    options = {}
    for option in spec.options:
        value = settings.get(option.name, option.default)
        if not isinstance(value, bool):
            raise ValueError(f"{option.name} must be True or False; got {value!r}")
        options[option.name] = value
    return Optimiser(spec, hyperparameters, options)
