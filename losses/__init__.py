"""Loss functions: the built-in catalogue (`get`, `ids`) and user expressions (`parse`)."""

from __future__ import annotations

from functools import cache

from losses.base import Loss, Minimum, domain_middle
from losses.catalogue import _DEFINITIONS
from losses.parse import ExpressionError, parse

__all__ = ["ExpressionError", "Loss", "Minimum", "domain_middle", "get", "ids", "parse"]


def ids() -> tuple[str, ...]:
    """The ids of the built-in losses, in display order."""
    return tuple(_DEFINITIONS)


@cache
def get(id: str) -> Loss:
    """The built-in loss `id`; raises ValueError naming the valid ids."""
    if id not in _DEFINITIONS:
        raise ValueError(f"unknown loss {id!r}; valid ids: {', '.join(_DEFINITIONS)}")
    return _DEFINITIONS[id]()
