"""Loss functions: the built-in catalogue (`get`, `ids`) and user expressions (`parse`)."""

from __future__ import annotations

from functools import lru_cache

from losses.base import Loss, LossParameter, Minimum, clamped, domain_middle, suggested_start
from losses.catalogue import _DEFINITIONS, NAMES, PARAMETERS
from losses.data import DataLoss, DataPanel
from losses.noise import NoisyLoss, noisy
from losses.parse import ExpressionError, parse

__all__ = [
    "DataLoss",
    "DataPanel",
    "ExpressionError",
    "Loss",
    "LossParameter",
    "Minimum",
    "NoisyLoss",
    "clamped",
    "domain_middle",
    "get",
    "ids",
    "name",
    "noisy",
    "parameters",
    "parse",
    "suggested_start",
]


def ids() -> tuple[str, ...]:
    """The ids of the built-in losses, in display order."""
    return tuple(_DEFINITIONS)


def name(id: str) -> str:
    """The built-in loss `id`'s name (as `get(id).name`), without building it; raises ValueError naming the
    valid ids."""
    if id not in NAMES:
        raise ValueError(f"unknown loss {id!r}; valid ids: {', '.join(_DEFINITIONS)}")
    return NAMES[id]


def parameters(id: str) -> tuple[LossParameter, ...]:
    """The settings the built-in loss `id` takes (the ravine's condition and angle, faithful's standardise),
    or ()."""
    return PARAMETERS.get(id, ())


def get(id: str, **settings: float) -> Loss:
    """The built-in loss `id`, with `settings` for those that take them (see `parameters`);
    raises ValueError naming the valid ids, or the setting and its range."""
    if id not in _DEFINITIONS:
        raise ValueError(f"unknown loss {id!r}; valid ids: {', '.join(_DEFINITIONS)}")
    known = {p.name: p for p in parameters(id)}
    for name, value in settings.items():
        if name not in known:
            raise ValueError(f"{id} takes no setting {name!r}; it takes: {', '.join(known) or 'none'}")
        if not known[name].contains(value):
            raise ValueError(f"{id}: {name} must be {known[name].range_text}; got {value!r}")
    return _built(id, tuple(float(settings.get(name, p.default)) for name, p in known.items()))


# Settings come from URLs, so the cache is bounded: a server keeps at most this many built losses.
CACHE_SIZE = 64


@lru_cache(maxsize=CACHE_SIZE)
def _built(id: str, values: tuple[float, ...]) -> Loss:
    """The loss `id` with its settings' values in order; each one compiled once while it is in use."""
    return _DEFINITIONS[id](*values)
