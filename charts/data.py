"""The data panel beside the map of a loss fitted to data: the data points, and each run's fitted line (or
decision boundary) at the frame shown, one moving trace per run that the animation's frames move."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from charts.animation import RunTrace, padded_range
from charts.common import AXIS_STYLE, HOVER_DIGITS, axis_pair, axis_suffix, panel_title, plain_numbers
from charts.compose import Band, Part
from losses import DataLoss

ANIMATION_SHARE = 0.55  # of the plot's width, for the map when the data panel is beside it
PANEL_LEFT = 0.77  # of the plot's width: the panel's left edge, past the map's colour bar and its title
GROUP_COLOURS = ("#64748b", "#a855f7")


def _group_trace(name: str, x: np.ndarray, y: np.ndarray, colour: str, titles: tuple[str, str], number: int) -> dict:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": plain_numbers(x, HOVER_DIGITS),
        "y": plain_numbers(y, HOVER_DIGITS),
        "marker": {"color": colour, "size": 5, "opacity": 0.6},
        "hovertemplate": f"<b>{name}</b><br>{titles[0]} = %{{x}}<br>{titles[1]} = %{{y}}<extra></extra>",
        "showlegend": False,
        **axis_pair(number),
    }


def data_part(loss: DataLoss, runs: Sequence[RunTrace], *, step: int, height: float, number: int) -> Part:
    """The panel on axes `number`, `height` px tall, beside the part before it: the data, and each run's line
    at every frame (a run holds its last line once it has no more steps)."""
    panel = loss.panel
    titles = (panel.x_title, panel.y_title)
    static = [
        _group_trace(name, panel.x[chosen], panel.y[chosen], colour, titles, number)
        for (name, chosen), colour in zip(panel.groups, GROUP_COLOURS, strict=False)
    ]
    frames = max((run.trajectory.steps for run in runs), default=0) + 1
    states = []
    for run in runs:
        held = np.minimum(np.arange(frames), run.trajectory.steps)
        xs, ys = loss.lines(run.trajectory.x[held])
        states.append([{"x": plain_numbers(xs[k]), "y": plain_numbers(ys[k])} for k in range(frames)])
    moving = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{html.escape(run.label)}: {panel.line_name}",
            "x": run_states[step]["x"],
            "y": run_states[step]["y"],
            "line": {"color": run.colour, "width": 2.5},
            "hoverinfo": "skip",
            "showlegend": False,
            **axis_pair(number),
        }
        for run, run_states in zip(runs, states, strict=True)
    ]
    x_range = padded_range(min(panel.x.min(), panel.line_x[0]), max(panel.x.max(), panel.line_x[1]))
    y_range = padded_range(float(panel.y.min()), float(panel.y.max()))

    def place(band: Band) -> dict:
        suffix = axis_suffix(number)
        domain = band.domain(0, height)
        return {
            f"xaxis{suffix}": {
                **AXIS_STYLE,
                "anchor": f"y{suffix}",
                "domain": [PANEL_LEFT, 1],
                "range": list(x_range),
                "title": {"text": panel.x_title},
            },
            f"yaxis{suffix}": {
                **AXIS_STYLE,
                "anchor": f"x{suffix}",
                "domain": domain,
                "range": list(y_range),
                "title": {"text": panel.y_title, "standoff": 4},
            },
            "annotations": [panel_title(f"<b>the data, and each run's {panel.line_name}</b>", PANEL_LEFT, domain[1])],
        }

    return Part(height, 1, static, moving, states, place, beside=True)
