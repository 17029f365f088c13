"""Final loss against the value of a setting, as optimisers.tune found it: the best and the current value marked."""

from __future__ import annotations

import numpy as np

from charts.common import AXIS_STYLE, CURVE_COLOUR, GLOBAL_MINIMUM_COLOUR, HOVER_DIGITS, THEME, plain_numbers
from optimisers import Tuning

# A loss whose finite values span more than this factor, all above 0, is drawn on a log scale.
LOG_SPAN = 100


def tuning_figure(tuning: Tuning, symbol: str, current: float, colour: str) -> dict:
    """The final loss (mean over the starts) against each value tried, on a log x axis when the values are
    positive: gaps where a start diverged; a star at the best value and a vertical line, in the run's
    `colour`, at the `current` one. `symbol` names the setting (α)."""
    finite = tuning.final_loss[np.isfinite(tuning.final_loss)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    log_loss = low > 0 and high > LOG_SPAN * low
    hover = f"{symbol} = %{{x:.{HOVER_DIGITS}g}}<br>final loss %{{y:.{HOVER_DIGITS}g}}<extra></extra>"
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "final loss",
                "x": plain_numbers(tuning.values),
                "y": plain_numbers(tuning.final_loss),
                "line": {"color": CURVE_COLOUR},
                "marker": {"size": 4},
                "hovertemplate": hover,
                "showlegend": False,
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"current {symbol} = {current:.{HOVER_DIGITS}g}",
                "x": plain_numbers([current, current]),
                "y": plain_numbers([low, high]),
                "line": {"color": colour, "dash": "dot", "width": 2},
                "hoverinfo": "name",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"best {symbol} = {tuning.best:.{HOVER_DIGITS}g}",
                "x": plain_numbers([tuning.best]),
                "y": plain_numbers([tuning.best_loss]),
                "marker": {"symbol": "star", "size": 14, "color": GLOBAL_MINIMUM_COLOUR, "line": {"color": "white"}},
                "hovertemplate": hover,
            },
        ],
        "layout": {
            **THEME,
            "height": 240,
            "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "xaxis": {
                **AXIS_STYLE,
                "type": "log" if tuning.values.min() > 0 else "linear",
                "title": {"text": symbol, "standoff": 4},
            },
            "yaxis": {**AXIS_STYLE, "type": "log" if log_loss else "linear", "title": {"text": "final loss"}},
        },
    }
