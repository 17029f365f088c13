"""The loss of two variables as a 3-D surface with the runs' paths on it, drawn once, without frames."""

from __future__ import annotations

import html

import numpy as np

from charts.common import THEME, float32_array, plain_numbers
from charts.contour import MAP_COLOURS, grid, level_scale, map_view
from losses import Loss

SURFACE_SAMPLES = 80


def surface_figure(loss: Loss, labels: list[str], colours: list[str], paths: list[np.ndarray]) -> dict:
    """The loss as a 3-D surface over its domain with each run's path (points (steps+1, 2)) on it."""
    view = map_view(loss)
    xs, ys, values = grid(loss, view, SURFACE_SAMPLES, SURFACE_SAMPLES)
    scale, title = level_scale(loss, values)
    data = [
        {
            "type": "surface",
            "x": float32_array(xs),
            "y": float32_array(ys),
            "z": float32_array(scale(values)),
            "colorscale": MAP_COLOURS,
            "showscale": False,
            "opacity": 0.9,
            "hovertemplate": f"x = %{{x:.4g}}<br>y = %{{y:.4g}}<br>{title} = %{{z:.4g}}<extra></extra>",
        }
    ]
    for label, colour, points in zip(labels, colours, paths, strict=True):
        inside = points[
            (points[:, 0] >= view.x_range[0])
            & (points[:, 0] <= view.x_range[1])
            & (points[:, 1] >= view.y_range[0])
            & (points[:, 1] <= view.y_range[1])
        ]
        with np.errstate(all="ignore"):
            heights = scale(loss.f(inside))
        data.append(
            {
                "type": "scatter3d",
                "mode": "lines+markers",
                "name": html.escape(label),
                "x": plain_numbers(inside[:, 0]),
                "y": plain_numbers(inside[:, 1]),
                "z": plain_numbers(heights),
                "line": {"color": colour, "width": 5},
                "marker": {"color": colour, "size": 2.5},
            }
        )
    return {
        "data": data,
        "layout": {
            **THEME,
            "height": 560,
            "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
            "scene": {
                "xaxis": {"title": {"text": "x"}},
                "yaxis": {"title": {"text": "y"}},
                "zaxis": {"title": {"text": title}},
            },
            "legend": {"orientation": "h", "x": 0, "y": 1},
        },
    }
