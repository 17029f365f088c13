"""Heatmaps of sweeps, one panel per optimiser on shared axes, and where random starts end.

Figures are plain dicts. Grids travel as Plotly's typed arrays (base64 float32, int8 or int16): a 200 × 200
map of final losses is about 210 kB rather than a megabyte of JSON numbers. An ended-in map holds one small
integer per cell, how its run ended as optimisers.ending codes it, which hover shows and the colour bar names:
Plotly cannot look a label up from a number, and a label per cell would make the figure ten times the size.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from charts.common import AXIS_STYLE, GAP_COLOUR, PALETTE, THEME, panel_title, typed_array
from losses import Loss
from optimisers.ending import DIVERGED, LEFT_DOMAIN, NOT_AT_A_MINIMUM
from sweep import START_COORDINATES, Axis, RandomStarts, SweepMap

AXIS_LABELS = {
    "x0": "start x₀",
    "y0": "start y₀",
    "alpha": "α",
    "beta": "β",
    "beta1": "β₁",
    "beta2": "β₂",
    "eps": "ε",
    "momentum": "μ",
}
MAP_KINDS = {"ended_in": "Ended in", "final_loss": "Final loss", "settled_at": "Settled after (steps)"}
# Each minimum's basin has its own colour: greens for the global minima, other hues for the local ones.
GLOBAL_COLOURS = ("#2ca02c", "#a1d99b", "#00441b", "#66c2a4")
LOCAL_COLOURS = ("#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#393b79")
NO_MINIMUM_COLOUR = "#d9d9d9"
DIVERGED_COLOUR = "#d62728"
LEFT_DOMAIN_COLOUR = "#7f0000"
LANDMARK_COLOUR = "#1f2937"
# Beyond this many categories the colour bar names only the global minima.
MAX_NAMED_CATEGORIES = 14
_PANEL_GAP = 0.03
_LOSS_COLOUR_PERCENTILE = 95
_LARGEST_BUBBLE_PX = 60


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in values]


def _short(value: float) -> str:
    # Rounding first turns a minimum at −1e-13 into 0 rather than "-1e-13".
    return f"{round(value, 3) + 0.0:.3g}"


def _point(x: tuple[float, ...]) -> str:
    text = ", ".join(_short(v) for v in x)
    return text if len(x) == 1 else f"({text})"


def categories(loss: Loss) -> dict[int, tuple[str, str]]:
    """The label and colour of each code of an ended-in map, in code order: left the domain, diverged, no
    minimum, then the minima by their index."""
    found = {
        LEFT_DOMAIN: ("left the domain", LEFT_DOMAIN_COLOUR),
        DIVERGED: ("diverged", DIVERGED_COLOUR),
        NOT_AT_A_MINIMUM: ("no minimum", NO_MINIMUM_COLOUR),
    }
    global_colours, local_colours = itertools.cycle(GLOBAL_COLOURS), itertools.cycle(LOCAL_COLOURS)
    for code, minimum in enumerate(loss.minima):
        kind, colours = ("global", global_colours) if minimum.is_global else ("local", local_colours)
        found[code] = (f"{_point(minimum.x)} {kind}", next(colours))
    return found


def _small_integers(codes: np.ndarray, minima_count: int) -> np.ndarray:
    # int8 keeps the payload small; a loss with more than 127 minima (sin(1000x)) needs int16.
    return codes.astype(np.int8 if minima_count <= np.iinfo(np.int8).max else np.int16)


def _discrete_colour_axis(loss: Loss) -> dict:
    found = categories(loss)
    # With many categories their ticks would overlap: the global minima keep theirs, and the page
    # says what grey and red mean.
    named = [key for key in found if len(found) <= MAX_NAMED_CATEGORIES or (key >= 0 and loss.minima[key].is_global)]
    scale = []
    for i, (_, colour) in enumerate(found.values()):
        scale += [[i / len(found), colour], [(i + 1) / len(found), colour]]
    return {
        "colorscale": scale,
        "cmin": LEFT_DOMAIN - 0.5,
        "cmax": LEFT_DOMAIN + len(found) - 0.5,
        "colorbar": {
            "title": {"text": "ended in"},
            "tickvals": named,
            "ticktext": [f"{key}: {found[key][0]}" for key in named],
        },
    }


def _landmarks(
    loss: Loss, coordinates: tuple[int, int], bounds: tuple[tuple[float, float], ...], fill: str
) -> dict | None:
    """A marker filled with `fill` at each minimum (★ global, ◆ local, hover naming its code) and saddle
    point (×) of a 2-D loss inside `bounds`, on a map whose axes show the `coordinates` (across, up);
    None if there is none."""
    found = categories(loss)
    points = [
        (m.x, "star" if m.is_global else "diamond", f"{key}: {found[key][0]} minimum<br>f = {_short(m.value)}")
        for key, m in enumerate(loss.minima)
    ]
    points += [(p, "x-thin", f"saddle point {_point(p)}") for p in loss.saddle_points]
    shown = [
        (tuple(point[c] for c in coordinates), symbol, text)
        for point, symbol, text in points
        if all(low <= point[c] <= high for c, (low, high) in zip(coordinates, bounds, strict=True))
    ]
    if not shown:
        return None
    return {
        "type": "scatter",
        "mode": "markers",
        "x": _rounded([position[0] for position, _, _ in shown]),
        "y": _rounded([position[1] for position, _, _ in shown]),
        "hovertext": [text for _, _, text in shown],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {
            "symbol": [symbol for _, symbol, _ in shown],
            "size": [14 if symbol == "star" else 9 for _, symbol, _ in shown],
            "color": fill,
            "line": {"color": LANDMARK_COLOUR, "width": 1.5},
        },
    }


def _map_landmarks(loss: Loss, x_axis: Axis, y_axis: Axis) -> dict | None:
    """The minima and saddle points on a map over both start coordinates (a basin map); None on others."""
    if x_axis.name not in START_COORDINATES or y_axis.name not in START_COORDINATES:
        return None
    coordinates = (START_COORDINATES[x_axis.name], START_COORDINATES[y_axis.name])
    return _landmarks(loss, coordinates, ((x_axis.low, x_axis.high), (y_axis.low, y_axis.high)), fill="white")


def _continuous_colour_axis(title: str, low: float | None, high: float | None, reverse: bool) -> dict:
    axis = {"colorscale": "Viridis", "reversescale": reverse, "colorbar": {"title": {"text": title}}}
    if low is not None and high is not None and low < high:
        axis |= {"cmin": low, "cmax": high}
    return axis


def _loss_colour_range(maps: Sequence[SweepMap]) -> tuple[float | None, float | None]:
    """The lowest final loss to a high percentile: a few runs that barely moved from a steep
    start would otherwise stretch the scale until the minima look alike."""
    finite = np.concatenate([m.final_loss[np.isfinite(m.final_loss)] for m in maps])
    if not len(finite):
        return None, None
    return float(finite.min()), float(np.percentile(finite, _LOSS_COLOUR_PERCENTILE))


def _cell_extent(axis: Axis) -> list[float]:
    """The axis range that holds the grid's cells exactly (in log10 units on a log axis): what Plotly's
    autorange gives the heatmap alone, and would widen for markers near an edge."""
    ends = np.log10(axis.values[[0, -1]]) if axis.log_scale else axis.values[[0, -1]]
    half_cell = (ends[1] - ends[0]) / (axis.count - 1) / 2 if axis.count > 1 else 0.5
    return [float(ends[0] - half_cell), float(ends[1] + half_cell)]


def _panel_title(sweep_map: SweepMap, title: str) -> str:
    constant = [
        AXIS_LABELS[a.name] for a, on in zip((sweep_map.x, sweep_map.y), sweep_map.applies, strict=True) if not on
    ]
    if not constant:
        return f"<b>{title}</b>"
    return f"<b>{title}</b><br><span style='font-size:11px'>has no {' or '.join(constant)}: constant along it</span>"


def sweep_figure(
    loss: Loss,
    maps: Sequence[SweepMap],
    titles: Sequence[str],
    kind: str = "ended_in",
    chosen: tuple[int, int] | None = None,
    height: int = 430,
) -> dict:
    """One heatmap per map, side by side on shared axes, coloured by `kind` (a key of MAP_KINDS).

    `chosen` (row, column) marks one cell in every panel.
    """
    if kind not in MAP_KINDS:
        raise ValueError(f"kind must be one of {', '.join(MAP_KINDS)}; got {kind!r}")
    x_axis, y_axis = maps[0].x, maps[0].y
    x_label, y_label = AXIS_LABELS[x_axis.name], AXIS_LABELS[y_axis.name]
    xs, ys = _rounded(x_axis.values), _rounded(y_axis.values)
    where = f"{x_label} = %{{x:.4~g}}<br>{y_label} = %{{y:.4~g}}<br>"
    if kind == "ended_in":
        colour_axis = _discrete_colour_axis(loss)
        hover = where + "ended in: %{z}"
    elif kind == "final_loss":
        colour_axis = _continuous_colour_axis("final loss", *_loss_colour_range(maps), reverse=False)
        hover = where + "final loss: %{z:.4~g}"
    else:
        colour_axis = _continuous_colour_axis("settled after", 0, maps[0].steps, reverse=True)
        hover = where + "settled after %{z} steps"

    landmarks = _map_landmarks(loss, x_axis, y_axis)
    count = len(maps)
    width = (1 - _PANEL_GAP * (count - 1)) / count
    data, layout = (
        [],
        {
            **THEME,
            "height": height,
            "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
            "plot_bgcolor": GAP_COLOUR,
            "coloraxis": colour_axis,
            "annotations": [],
            "showlegend": False,
        },
    )
    for i, (sweep_map, title) in enumerate(zip(maps, titles, strict=True)):
        suffix = "" if i == 0 else str(i + 1)
        left = i * (width + _PANEL_GAP)
        trace = {
            "type": "heatmap",
            "x": xs,
            "y": ys,
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            "coloraxis": "coloraxis",
            "hoverongaps": False,
            "hovertemplate": hover + f"<extra>{title}</extra>",
        }
        if kind == "ended_in":
            trace["z"] = typed_array(_small_integers(sweep_map.ended_in, len(loss.minima)))
        elif kind == "final_loss":
            trace["z"] = typed_array(sweep_map.final_loss.astype(np.float32))
        else:
            settled = np.where(sweep_map.settled_at >= 0, sweep_map.settled_at, np.nan)
            trace["z"] = typed_array(settled.astype(np.float32))
        data.append(trace)
        if landmarks is not None:
            data.append(landmarks | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
        if chosen is not None:
            row, column = chosen
            data.append(
                {
                    "type": "scatter",
                    "x": [xs[column]],
                    "y": [ys[row]],
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "mode": "markers",
                    "marker": {"symbol": "square-open", "size": 14, "color": "black", "line": {"width": 2}},
                    "hoverinfo": "skip",
                }
            )
        layout[f"xaxis{suffix}"] = {
            **AXIS_STYLE,
            "domain": [left, left + width],
            "type": "log" if x_axis.log_scale else "linear",
            "range": _cell_extent(x_axis),
            "title": {"text": x_label},
            "anchor": f"y{suffix}",
            **({"matches": "x"} if i else {}),
        }
        layout[f"yaxis{suffix}"] = {
            **AXIS_STYLE,
            "type": "log" if y_axis.log_scale else "linear",
            "range": _cell_extent(y_axis),
            "anchor": f"x{suffix}",
            **({"matches": "y", "showticklabels": False} if i else {"title": {"text": y_label}}),
        }
        layout["annotations"].append(panel_title(_panel_title(sweep_map, title), left + width / 2, 1.0, "center"))
    return {"data": data, "layout": layout}


def random_starts_figure(loss: Loss, starts: RandomStarts, title: str, bins: int = 100, height: int = 360) -> dict:
    """Where the random starts ended, with the minima and the mean final position marked: a histogram
    over x for a loss of one variable, a map of the counts over (x, y) for two."""
    if loss.dim == 2:
        return _final_points_map(loss, starts, title, bins, height)
    low, high = loss.domain[0]
    (edges,), counts = starts.histogram(loss.domain, bins)
    shapes, annotations = [], []
    marks = [
        (m.x[0], GLOBAL_COLOURS[0] if m.is_global else "#555555", "global" if m.is_global else "local")
        for m in loss.minima
    ]
    mean = starts.mean_final_x
    if mean is not None:
        marks.append((float(mean[0]), DIVERGED_COLOUR, f"mean {mean[0]:.3g}"))
    for position, colour, text in marks:
        dash = "dash" if text.startswith("mean") else "dot"
        shapes.append(
            {
                "type": "line",
                "x0": position,
                "x1": position,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": colour, "dash": dash, "width": 2},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "text": text,
                "x": position,
                "y": 1.0,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": colour},
            }
        )
    bar = {
        "type": "bar",
        "x": _rounded((edges[:-1] + edges[1:]) / 2),
        "y": counts.tolist(),
        "width": float(edges[1] - edges[0]),
        "marker": {"color": PALETTE[2]},
        "hovertemplate": "final x ≈ %{x:.3g}: %{y} runs<extra></extra>",
    }
    layout = {
        **THEME,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "title": {"text": title},
        "xaxis": {**AXIS_STYLE, "title": {"text": "final x"}, "range": [low, high]},
        "yaxis": {**AXIS_STYLE, "title": {"text": "runs"}},
        "shapes": shapes,
        "annotations": annotations,
        "bargap": 0,
    }
    return {"data": [bar], "layout": layout}


def _final_points_map(loss: Loss, starts: RandomStarts, title: str, bins: int, height: int) -> dict:
    """A bubble in each bin of the domain where runs ended, its area the number of runs."""
    (x_edges, y_edges), counts = starts.histogram(loss.domain, bins)
    across, up = np.nonzero(counts)
    runs = counts[across, up]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "x": _rounded(((x_edges[:-1] + x_edges[1:]) / 2)[across]),
            "y": _rounded(((y_edges[:-1] + y_edges[1:]) / 2)[up]),
            "customdata": runs.tolist(),
            "marker": {
                "size": runs.tolist(),
                "sizemode": "area",
                "sizeref": 2 * runs.max(initial=1) / _LARGEST_BUBBLE_PX**2,
                "sizemin": 2,
                "color": PALETTE[2],
                "opacity": 0.6,
            },
            "hovertemplate": "final (x, y) ≈ (%{x:.3g}, %{y:.3g}): %{customdata} runs<extra></extra>",
        }
    ]
    # Hollow, so that the bubbles of the runs that reached a minimum show through.
    landmarks = _landmarks(loss, (0, 1), loss.domain, fill="rgba(0,0,0,0)")
    if landmarks is not None:
        data.append(landmarks)
    mean = starts.mean_final_x
    if mean is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [float(mean[0])],
                "y": [float(mean[1])],
                "text": ["mean"],
                "textposition": "top center",
                "textfont": {"color": DIVERGED_COLOUR},
                "marker": {"symbol": "x", "size": 12, "color": DIVERGED_COLOUR, "line": {"color": "white", "width": 1}},
                "hovertemplate": f"mean final point {_point(tuple(mean))}<extra></extra>",
            }
        )
    layout = {
        **THEME,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "title": {"text": title},
        "xaxis": {**AXIS_STYLE, "title": {"text": "final x"}, "range": list(loss.domain[0])},
        "yaxis": {**AXIS_STYLE, "title": {"text": "final y"}, "range": list(loss.domain[1])},
        "showlegend": False,
    }
    return {"data": data, "layout": layout}
