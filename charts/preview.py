"""A small chart of a typed loss and its derivative, shown next to the formula as it is typed."""

from __future__ import annotations

import numpy as np

from charts.common import AXIS_STYLE, CURVE_COLOUR, THEME, plain_numbers
from losses import Loss

PREVIEW_SAMPLES = 300
DERIVATIVE_COLOUR = "#e8890c"


def preview_figure(loss: Loss) -> dict:
    """f and f′ over the loss's domain (1-D), on one x axis and two y axes; gaps where not finite."""
    low, high = loss.domain[0]
    xs = np.linspace(low, high, PREVIEW_SAMPLES)
    with np.errstate(all="ignore"):
        values, slopes = loss.value_and_grad(xs[:, None])
    x = plain_numbers(xs)
    return {
        "data": [
            {"type": "scatter", "x": x, "y": plain_numbers(values), "name": "f(x)", "line": {"color": CURVE_COLOUR}},
            {
                "type": "scatter",
                "x": x,
                "y": plain_numbers(slopes[:, 0]),
                "name": "f′(x)",
                "yaxis": "y2",
                "line": {"color": DERIVATIVE_COLOUR, "dash": "dot"},
            },
        ],
        "layout": {
            **THEME,
            "height": 220,
            "margin": {"l": 40, "r": 40, "t": 10, "b": 30},
            "legend": {"orientation": "h", "y": 1.15},
            "xaxis": {**AXIS_STYLE},
            "yaxis": {**AXIS_STYLE, "title": {"text": "f"}},
            "yaxis2": {**AXIS_STYLE, "overlaying": "y", "side": "right", "showgrid": False, "title": {"text": "f′"}},
        },
    }
