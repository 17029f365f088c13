"""The Theory page's figure: a moving average against its bias-corrected value."""

from __future__ import annotations

import numpy as np

from charts.common import AXIS_STYLE, MUTED_COLOUR, PALETTE, THEME


def bias_figure(gradients: np.ndarray, average: np.ndarray, corrected: np.ndarray) -> dict:
    """The gradients, their moving average and its bias-corrected value against the step."""
    steps = list(range(1, len(gradients) + 1))
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "name": "gradient gₜ",
                "x": steps,
                "y": gradients.tolist(),
                "marker": {"color": MUTED_COLOUR, "size": 5},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "moving average mₜ",
                "x": steps,
                "y": average.tolist(),
                "line": {"color": PALETTE[1], "width": 2.5, "dash": "dash"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "corrected m̂ₜ = mₜ / (1 − βᵗ)",
                "x": steps,
                "y": corrected.tolist(),
                "line": {"color": PALETTE[2], "width": 2.5},
            },
        ],
        "layout": {
            **THEME,
            "height": 380,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
            "hovermode": "x unified",
            "xaxis": {**AXIS_STYLE, "title": {"text": "step t"}},
            "yaxis": {**AXIS_STYLE, "title": {"text": "value"}},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        },
    }
