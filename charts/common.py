"""What every figure shares: the theme, the fixed view of an animation, and numbers made small for JSON."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

# Significant digits of the numbers that hover shows over the runs, their internals and a map, and that
# are sent for it: a chart is a few hundred pixels tall, and the results table and the CSV give every
# value in full.
HOVER_DIGITS = 4
_TYPED = {np.dtype("float32"): "f4", np.dtype("int8"): "i1", np.dtype("int16"): "i2"}
PALETTE = ("#f5c518", "#ff7f0e", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")  # the runs', in order
CURVE_COLOUR = "#4b5563"
GLOBAL_MINIMUM_COLOUR = "#2ca02c"
MUTED_COLOUR = "#9ca3af"
LOCAL_MINIMUM_COLOUR = MUTED_COLOUR
OUTLINE_COLOUR = "#1f2937"
GAP_COLOUR = "#bdbdbd"  # where there is no value: a map's cells without one, a loss where it is not finite
THEME = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "rgba(0, 0, 0, 0)",  # the paper shows through: a subplot drawn later hides nothing under it
    "font": {"family": "Inter, Helvetica, Arial, sans-serif", "size": 13, "color": "#1f2937"},
    "hoverlabel": {"align": "left"},
}
AXIS_STYLE = {
    "gridcolor": "#e8edf3",
    "zerolinecolor": "#cbd5e1",
    "linecolor": "#94a3b8",
    "showline": True,
    "mirror": True,
    "ticks": "outside",
    "tickcolor": "#94a3b8",
    # Plotly's default hides a tick label past the page's edge, measuring every label on every redraw to
    # find out; the margins keep them inside.
    "ticklabeloverflow": "allow",
    "exponentformat": "e",  # 1e-4, not Plotly's SI prefix 100μ, which reads as a unit
}


@dataclass(frozen=True)
class View:
    """The animation's fixed axis ranges."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]


def rgb(colour: str) -> tuple[int, int, int]:
    """The red, green and blue of a "#rrggbb" colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue


def plain_numbers(values, digits: int = 6) -> list[float | None]:
    """Values rounded to `digits` significant digits as plain floats, with None for anything not finite,
    so the figure stays small and `json.dumps(..., allow_nan=False)` accepts it."""
    return [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def drawn_numbers(values, view_range: tuple[float, float], pixels: float) -> list[float | None]:
    """Coordinates that are only drawn, never shown as numbers: rounded to a fifth of a pixel on an
    axis `pixels` long showing `view_range`, and to 6 significant digits far outside it."""
    low, high = view_range
    decimals = max(0, math.ceil(math.log10(5 * pixels / (high - low))))
    with np.errstate(all="ignore"):
        return plain_numbers(np.round(np.asarray(values, dtype=float), decimals))


def number_text(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else "not finite"


def axis_suffix(number: int) -> str:
    """What follows 'x'/'y' (and 'xaxis'/'yaxis') in the name of axis `number`, counted from 1."""
    return "" if number == 1 else str(number)


def axis_pair(number: int) -> dict:
    return {"xaxis": f"x{axis_suffix(number)}", "yaxis": f"y{axis_suffix(number)}"}


def typed_array(values: np.ndarray) -> dict:
    """A Plotly typed-array spec: the numbers as base64 bytes, a quarter the size of their text."""
    values = np.ascontiguousarray(values)
    spec = {"dtype": _TYPED[values.dtype], "bdata": base64.b64encode(values.tobytes()).decode("ascii")}
    if values.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in values.shape)
    return spec


def float32_array(values) -> dict:
    """Values as a float32 typed array; a value that is not finite, or beyond float32's range, is NaN (a gap)."""
    with np.errstate(over="ignore", invalid="ignore"):
        single = np.asarray(values, dtype=np.float32)
    return typed_array(np.where(np.isfinite(single), single, np.float32(np.nan)))


def panel_title(text: str, x: float, y: float, anchor: str = "left") -> dict:
    """A title written over a panel whose top is at paper height `y`, from (or centred on) paper x `x`."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": anchor,
        "yanchor": "bottom",
        "showarrow": False,
    }


def minima_trace(minima, x: list, y: list, texts: list[str], number: int) -> dict:
    """Markers at the minima, drawn at (x, y) on axes `number`: a star for a global one, a diamond for a
    local one, each with its hover text."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "minima",
        "x": plain_numbers(x),
        "y": plain_numbers(y),
        "text": texts,
        "marker": {
            "symbol": ["star" if m.is_global else "diamond" for m in minima],
            "size": [15 if m.is_global else 10 for m in minima],
            "color": [GLOBAL_MINIMUM_COLOUR if m.is_global else LOCAL_MINIMUM_COLOUR for m in minima],
            "line": {"color": "white", "width": 1},
        },
        "hovertemplate": "%{text}<extra></extra>",
        "showlegend": False,
        **axis_pair(number),
    }
