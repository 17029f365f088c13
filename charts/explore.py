"""One setting of one run explored: the run's whole path for each of a few dozen values of the setting, one
frame per value, so that the player's slider switches between them in the browser; beside it, the final loss
against the setting with the value shown marked. On a map, the paths of the neighbouring values are drawn
faintly around the one shown."""

from __future__ import annotations

import numpy as np

from charts.animation import CURVE_SAMPLES, curve_traces
from charts.common import AXIS_STYLE, OUTLINE_COLOUR, THEME, View, drawn_numbers, plain_numbers
from charts.contour import MAP_PIXELS, image_layout, map_image, map_traces
from charts.paths import path_trace
from losses import Loss
from optimisers import Trajectory

HEIGHT = 420  # px of plot area
PATH_SHARE = 0.62  # of the width, for the path; the final loss takes the right, after a gap
NEIGHBOURS = 2  # on each side of the value shown, drawn faintly on a map
PLOT_WIDTH = 700  # px the path's panel is drawn for, to round its coordinates


def _axis(title: str, domain: tuple[float, float], anchor: str, **extra) -> dict:
    return {**AXIS_STYLE, "title": {"text": title}, "domain": list(domain), "anchor": anchor, **extra}


def explore_figure(
    loss: Loss,
    view: View,
    label: str,
    colour: str,
    symbol: str,
    values: np.ndarray,
    trajectory: Trajectory,
    index: int,
    log_axis: bool,
) -> dict:
    """The figure with a frame per value (frame j: the path of the run with values[j]), showing values[index].

    `trajectory` holds one run per value (batch (len(values),), recorded in full); `symbol` names the setting
    (plain text), `log_axis` puts the final-loss chart's setting on a log scale."""
    count = len(values)
    if trajectory.final_loss.shape != (count,) or not 0 <= index < count:
        raise ValueError("explore_figure needs one run per value and an index among them")
    panel = (PLOT_WIDTH * PATH_SHARE, HEIGHT)
    over_map = loss.dim == 2
    layout = {
        **THEME,
        "height": HEIGHT + 90,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "showlegend": False,
        "xaxis": _axis("x", (0, PATH_SHARE), "y", range=list(view.x_range), autorange=False, showgrid=not over_map),
        "yaxis": _axis(
            "y" if over_map else "f(x)", (0, 1), "x", range=list(view.y_range), autorange=False, showgrid=not over_map
        ),
        "xaxis2": _axis(symbol, (PATH_SHARE + 0.08, 1), "y2", type="log" if log_axis else "linear"),
        "yaxis2": _axis("final loss", (0, 1), "x2"),
    }
    if over_map:
        image = map_image(loss, view, MAP_PIXELS)
        static = map_traces(loss, view, image, 1)
        layout["images"] = [image_layout(image, view, 1)]
        layout["coloraxis"] = {"showscale": False, "cmin": image.low, "cmax": image.high}
    else:
        static = curve_traces(loss, view, CURVE_SAMPLES, HEIGHT, 1)
    diverged = trajectory.diverged_at >= 0
    final_loss = np.where(diverged, np.nan, trajectory.final_loss)
    static.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "final loss",
            "x": plain_numbers(values),
            "y": plain_numbers(final_loss),
            "line": {"color": colour, "width": 1.5},
            "marker": {"size": 4, "color": colour},
            "hovertemplate": f"{symbol} = %{{x:.4g}}<br>final loss = %{{y:.4g}}<extra></extra>",
            "xaxis": "x2",
            "yaxis": "y2",
        }
    )

    def path(j: int) -> dict:
        """The run with values[j]: its whole path."""
        if over_map:
            drawn = path_trace(label, colour, trajectory.x[:, j], view, panel, 1)
            return {"x": drawn["x"], "y": drawn["y"]}
        return {
            "x": drawn_numbers(trajectory.x[:, j, 0], view.x_range, panel[0]),
            "y": drawn_numbers(trajectory.loss[:, j], view.y_range, panel[1]),
        }

    def final(j: int) -> dict:
        end = trajectory.final_x[j]
        height = end[1] if over_map else trajectory.final_loss[j]
        return {"x": plain_numbers(end[:1]), "y": plain_numbers([height])}

    def marked(j: int) -> dict:
        return {"x": plain_numbers(values[j : j + 1]), "y": plain_numbers(final_loss[j : j + 1])}

    def neighbours(j: int) -> list[dict]:
        around = [j + offset for offset in range(-NEIGHBOURS, NEIGHBOURS + 1) if offset]
        return [path(k) if 0 <= k < count else {"x": [], "y": []} for k in around]

    moving = [
        *(
            {"type": "scatter", "mode": "lines", "name": "a neighbouring value's path", "hoverinfo": "skip",
             "line": {"color": colour, "width": 1}, "opacity": 0.3}
            for _ in range(2 * NEIGHBOURS if over_map else 0)
        ),
        {"type": "scatter", "mode": "lines" if over_map else "markers", "name": f"{label} path",
         "line": {"color": colour, "width": 2.5}, "marker": {"size": 5, "color": colour}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "name": f"{label} end",
         "marker": {"size": 13, "color": colour, "line": {"color": OUTLINE_COLOUR, "width": 1.5}},
         "hovertemplate": "end: %{x:.4g}, %{y:.4g}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": f"{symbol} shown", "xaxis": "x2", "yaxis": "y2",
         "marker": {"size": 12, "color": colour, "line": {"color": OUTLINE_COLOUR, "width": 1.5}},
         "hovertemplate": f"{symbol} = %{{x:.4g}}<br>final loss = %{{y:.4g}}<extra></extra>"},
    ]  # fmt: skip

    def state(j: int) -> list[dict]:
        return [*(neighbours(j) if over_map else []), path(j), final(j), marked(j)]

    first = len(static)
    traces = list(range(first, first + len(moving)))
    frames = [{"name": str(j), "data": state(j), "traces": traces} for j in range(count)]
    data = static + [trace | shown for trace, shown in zip(moving, state(index), strict=True)]
    return {"data": data, "layout": layout, "frames": frames}
