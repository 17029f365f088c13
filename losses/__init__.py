"""Loss functions: the built-in catalogue (`get`, `ids`) and user expressions (`parse`)."""

from __future__ import annotations

from functools import lru_cache

from losses.base import Loss, LossParameter, Minimum, domain_middle, suggested_start
from losses.catalogue import _DEFINITIONS, PARAMETERS
from losses.parse import ExpressionError, parse

__all__ = [
    "ExpressionError",
    "Loss",
    "LossParameter",
    "Minimum",
    "domain_middle",
    "get",
    "ids",
    "parameters",
    "parse",
    "suggested_start",
]


def ids() -> tuple[str, ...]:
    """The ids of the built-in losses, in display order."""
    return tuple(_DEFINITIONS)


def parameters(id: str) -> tuple[LossParameter, ...]:
    """The settings the built-in loss `id` takes (the ravine's condition and angle), or ()."""
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
            low, high = known[name].range
            raise ValueError(f"{id}: {name} must be a number in [{low:g}, {high:g}]; got {value!r}")
    return _built(id, tuple(float(settings.get(name, p.default)) for name, p in known.items()))


# Bounded: a URL can ask for any number of ravines (κ is any number from 1 to 1,000), and each holds its
# compiled functions.
@lru_cache(maxsize=64)
def _built(id: str, values: tuple[float, ...]) -> Loss:
    """The loss `id` with its settings' values in order; each one compiled once while it is in use."""
    return _DEFINITIONS[id](*values)
