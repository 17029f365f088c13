"""The descent animation: the loss curve drawn once, each run a point with a fading trail; over a loss of
two variables, its contour map with each run's path and arrows instead (charts.contour). It is one part
of a figure that charts.compose puts together.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from charts.common import (
    AXIS_STYLE,
    CURVE_COLOUR,
    HOVER_DIGITS,
    OUTLINE_COLOUR,
    View,
    axis_pair,
    axis_suffix,
    drawn_numbers,
    minima_trace,
    number_text,
    panel_title,
    plain_numbers,
    rgb,
)
from charts.compose import Band, Part, compose
from charts.contour import (
    COLOUR_BAR_WIDTH,
    MAP_HEIGHT,
    MAP_PIXELS,
    colour_axis,
    image_layout,
    map_image,
    map_traces,
    map_view,
)
from charts.paths import downhill_states, downhill_trace, map_panel, path_trace, seed_traces, step_ends
from losses import Loss
from optimisers import Trajectory
from optimisers.ending import how_it_stopped

CURVE_SAMPLES = 400
VIEW_PADDING = 0.05
VIEW_TOP_PERCENTILE = 75
LAYOUTS = ("overlay", "side_by_side")
OVERLAY_HEIGHT = 360  # px of plot area
PLOT_WIDTH = 1000  # px: about the widest a page draws a figure; drawn coordinates are rounded for it
PANEL_HEIGHT, PANEL_GAP = 240, 50  # px; the gap holds the panel titles
MAP_PANEL_HEIGHT = 300  # px: a map side by side is as tall as it is wide
X_TITLE_HEIGHT = 55  # px under the animation, for its x axis's tick labels and title

# px: the first run's point; each later one is smaller by _POINT_SIZE_STEP and drawn over it, so that runs at
# the same point (the article's, from one start) show as rings, none hidden under another.
_POINT_SIZE = 16
_POINT_SIZE_STEP = 2
_TRAIL_SIZE = 8
_ARROW_SIZE = 11
_TRAIL_OPACITY = 0.6
_EDGE_SYMBOLS = {
    (0, 0): "circle",
    (1, 0): "triangle-right",
    (-1, 0): "triangle-left",
    (0, 1): "triangle-up",
    (0, -1): "triangle-down",
    (1, 1): "triangle-ne",
    (-1, 1): "triangle-nw",
    (1, -1): "triangle-se",
    (-1, -1): "triangle-sw",
}
_DIVERGED_SYMBOL = "x"
# The hover template of a trail point or an arrow's end: a label with no text, which Plotly does not draw. (An
# empty template would not do: Plotly then falls back to the whole array of the trace's templates.)
NO_LABEL = "<extra></extra>"
_MAP_AXIS = {"constrain": "domain", "showgrid": False, "zeroline": False}
_GRID_COLUMNS = 3
_COLUMN_GAP = 0.06  # of the plot area's width


# The accumulator of an optimiser's averaged point (Schedule-Free AdamW's x), drawn as a marker of its own.
AVERAGED_POINT = "x_average"


@dataclass(frozen=True)
class RunTrace:
    """One run to draw: its name, a CSS colour, and a trajectory of one start recorded with
    record="all" (batch shape (): x (steps+1, dim), loss (steps+1,), lr (steps, dim), …); and with a
    learning-rate schedule, its factor on α at steps 1 … steps; on a noisy loss, maybe its path from every
    seed, which a map draws faint with their median bold."""

    label: str
    colour: str
    trajectory: Trajectory
    lr_factors: Sequence[float] | None = None
    seed_paths: np.ndarray | None = None  # (steps+1, seeds, dim): the run from each seed of a noisy loss


def check_runs(runs: Sequence[RunTrace]) -> None:
    for run in runs:
        trajectory = run.trajectory
        if trajectory.x is None:
            raise ValueError(f"{run.label}: charts need a trajectory recorded with record='all'")
        if trajectory.loss.ndim != 1:
            raise ValueError(f"{run.label}: charts draw one start per run; got batch shape {trajectory.loss.shape[1:]}")


def _require_drawable(loss: Loss) -> None:
    if loss.dim not in (1, 2):
        raise ValueError(f"the animation draws losses of one or two variables; {loss.name} has {loss.dim}")


def _curve_values(loss: Loss, xs: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return loss.f(xs[:, None])


def padded_range(low: float, high: float) -> tuple[float, float]:
    """low..high widened by 5% of its span on each side; a flat range by 1 on each side, to stay visible."""
    if high - low < 1e-12 * max(1.0, abs(high)):
        low, high = low - 1.0, high + 1.0
    margin = VIEW_PADDING * (high - low)
    return float(low - margin), float(high + margin)


def default_view(loss: Loss) -> View:
    """The loss's domain, and the curve's lowest finite value over it up to its 75th percentile (or
    its highest local maximum, if higher), each padded by 5%: the minima and the wells fill the view
    while the steep sides leave it.

    It depends on the loss alone, so the axes stay put while runs change. Over two variables, the view
    is the map of the domain (charts.contour.map_view)."""
    _require_drawable(loss)
    if loss.dim == 2:
        return map_view(loss)
    low, high = loss.domain[0]
    values = _curve_values(loss, np.linspace(low, high, CURVE_SAMPLES))
    finite = values[np.isfinite(values)]
    bottom, top = -1.0, 1.0
    if finite.size:
        inner = values[1:-1]
        peaks = inner[(inner > values[:-2]) & (inner >= values[2:]) & np.isfinite(inner)]
        bottom = float(finite.min())
        top = max(float(np.percentile(finite, VIEW_TOP_PERCENTILE)), float(np.max(peaks, initial=-math.inf)))
        if top <= bottom:  # a curve flat over most of the domain
            top = float(finite.max())
    return View(padded_range(low, high), padded_range(bottom, top))


@dataclass(frozen=True)
class _Path:
    """A run's point at every frame 0..steps (held once the run has no more steps)."""

    x: np.ndarray  # (frames,)
    y: np.ndarray  # (frames,)
    side: np.ndarray  # (frames, 2): −1, 0 or 1 for beyond the low edge, inside, beyond the high edge
    status: list[str | None]
    y_name: str  # what the vertical axis shows: "f(x)" over a curve, "y" over a map of two variables


def _path(run: RunTrace, view: View, steps: int) -> _Path:
    """Over a curve (1-D) the point is (x, f(x)); over a map (2-D), the point (x, y) itself."""
    trajectory = run.trajectory
    held = _held_steps(trajectory, steps)
    over_map = trajectory.x.shape[-1] == 2
    x, y = trajectory.x[held, 0], trajectory.x[held, 1] if over_map else trajectory.loss[held]
    side = np.zeros((steps + 1, 2), dtype=int)
    with np.errstate(invalid="ignore"):
        for axis, values, (low, high) in ((0, x, view.x_range), (1, y, view.y_range)):
            side[:, axis] = np.where(values < low, -1, np.where(values > high, 1, 0))
    diverged_at = int(trajectory.diverged_at)
    stopped = how_it_stopped(trajectory)
    status, left_at = [], None
    for k, outside in enumerate(side.any(axis=1).tolist()):
        if not outside:
            left_at = None
        elif left_at is None:
            left_at = k
        if 0 <= diverged_at <= k:
            status.append(stopped)
        else:
            status.append(None if left_at is None else f"left the view at step {left_at}")
    return _Path(x, y, side, status, "y" if over_map else "f(x)")


def run_status(run: RunTrace, view: View) -> str | None:
    """'diverged at step k', 'left the domain of f at step k', 'left the view at step k' (outside the view from
    step k to the end), or None."""
    check_runs([run])
    return _path(run, view, run.trajectory.steps).status[-1]


def _hover(label: str, y_name: str = "f(x)") -> str:
    return f"<b>{label}</b><br>x = %{{x:.{HOVER_DIGITS}g}}<br>{y_name} = %{{y:.{HOVER_DIGITS}g}}<extra></extra>"


def _on_view(values: np.ndarray, view_range: tuple[float, float], pixels: float | None = None) -> list[float | None]:
    """`values` held to `view_range` as numbers to show on hover, or as drawn numbers on an axis `pixels`
    long. Rounding must not carry a point on an edge past it: Plotly hides a point off its axes' ranges even
    when it draws it unclipped."""
    low, high = view_range
    held = np.clip(values, low, high)
    numbers = plain_numbers(held, HOVER_DIGITS) if pixels is None else drawn_numbers(held, view_range, pixels)
    return [v if v is None else min(max(v, low), high) for v in numbers]


@dataclass(frozen=True)
class _Points:
    """The points of a run's trace, in order: the run's point, then `trail` earlier positions from the
    latest back; or over a map (`arrow`), the point twice and the end of its step arrow. Plotly turns an
    arrowhead along the line from the point before it and does not draw a first point, having none before
    it: hence the copy. The legend draws the first point's symbol and colour. One trace draws them all, so
    a frame sends each position once."""

    trail: int
    arrow: bool

    def each(self, point, trail=None, arrow=None) -> list:
        """A property given point by point: `point` at the run's point (and its copy), `trail` at each earlier
        position, `arrow` at the arrow's end."""
        return [point, point, arrow] if self.arrow else [point] + [trail] * self.trail


def _positions(
    path: _Path, view: View, points: _Points, panel: tuple[float, float], arrow_ends: np.ndarray | None
) -> list[dict]:
    """The x and y of the run trace's points at every frame (see _Points; early frames repeat the start).
    Outside the view the point sits on its edge, and the trail leaves out what was outside. `panel` is the
    plot's width and height in pixels; `arrow_ends` (frames, 2) is where each step arrow ends, NaN where
    there is none."""
    x, y = _on_view(path.x, view.x_range), _on_view(path.y, view.y_range)
    if points.arrow:
        end_x = _on_view(arrow_ends[:, 0], view.x_range, panel[0])
        end_y = _on_view(arrow_ends[:, 1], view.y_range, panel[1])
        return [{"x": [x[k], x[k], end_x[k]], "y": [y[k], y[k], end_y[k]]} for k in range(len(x))]
    outside = path.side.any(axis=1)
    trail_x = drawn_numbers(np.where(outside, np.nan, path.x), view.x_range, panel[0])
    trail_y = drawn_numbers(np.where(outside, np.nan, path.y), view.y_range, panel[1])
    states = []
    for k in range(len(x)):
        window = [max(k - back, 0) for back in range(1, points.trail + 1)]
        states.append({"x": [x[k], *(trail_x[i] for i in window)], "y": [y[k], *(trail_y[i] for i in window)]})
    return states


def _run_states(
    label: str, path: _Path, view: View, points: _Points, panel: tuple[float, float], arrow_ends: np.ndarray | None
) -> list[dict]:
    """The run trace's moving properties at every frame: its points' positions (see _positions) and, only
    for a run that leaves the view or diverges, its point's marker and hover text."""
    states = _positions(path, view, points, panel, arrow_ends)
    if not any(path.status):
        return states
    for k, (state, side, status) in enumerate(zip(states, path.side.tolist(), path.status, strict=True)):
        symbol, hover = _EDGE_SYMBOLS[tuple(side)], _hover(label, path.y_name)
        if status:
            symbol = _DIVERGED_SYMBOL if symbol == "circle" else symbol
            hover = (
                f"<b>{label}</b>: {status}<br>x = {number_text(path.x[k])}<br>"
                f"{path.y_name} = {number_text(path.y[k])}<extra></extra>"
            )
        state |= {
            "marker": {"symbol": points.each(symbol, "circle", "arrow")},
            "hovertemplate": points.each(hover, NO_LABEL, NO_LABEL),
        }
    return states


def _broken_at_poles(loss: Loss, xs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The curve sampled at `xs`, with a gap wherever f has a pole between two samples (1/x at 0), which a line
    would otherwise cross as a vertical stroke: f changes sign there, yet half way between the samples it is
    not between their values, or not finite."""
    ends = values[:-1], values[1:]
    middles = _curve_values(loss, (xs[:-1] + xs[1:]) / 2)
    with np.errstate(invalid="ignore"):
        outside = ~((middles >= np.fmin(*ends)) & (middles <= np.fmax(*ends)))
        pole = (
            np.isfinite(ends[0]) & np.isfinite(ends[1]) & (~np.isfinite(middles) | (outside & (ends[0] * ends[1] < 0)))
        )
    broken = values.copy()
    broken[1:][pole] = np.nan
    return broken


def curve_traces(loss: Loss, view: View, samples: int, height: float, number: int) -> list[dict]:
    low, high = view.x_range
    xs = np.linspace(low, high, samples)
    curve = {
        "type": "scatter",
        "mode": "lines",
        "name": "f(x)",
        "x0": float(low),
        "dx": float(xs[1] - xs[0]),
        "y": drawn_numbers(_broken_at_poles(loss, xs, _curve_values(loss, xs)), view.y_range, height),
        "line": {"color": CURVE_COLOUR, "width": 2.5},
        "hovertemplate": "x = %{x:.4g}<br>f(x) = %{y:.4g}<extra></extra>",
        "showlegend": False,
        **axis_pair(number),
    }
    if not loss.minima:
        return [curve]
    minima = minima_trace(
        loss.minima,
        [m.x[0] for m in loss.minima],
        [m.value for m in loss.minima],
        [
            f"{'global' if m.is_global else 'local'} minimum<br>x = {m.x[0]:.6g}<br>f(x) = {m.value:.6g}"
            for m in loss.minima
        ],
        number,
    )
    return [curve, minima]


def _run_trace(run: RunTrace, state: dict, name: str, y_name: str, points: _Points, index: int, number: int) -> dict:
    """Run `index`'s trace (see _Points): its point over a fading trail, or over a map with its step arrow."""
    fading = [
        _translucent(run.colour, _TRAIL_OPACITY * (1 - back / (points.trail + 1))) for back in range(points.trail)
    ]
    marker = {
        "color": run.colour if points.arrow else [run.colour, *fading],
        "size": points.each(_POINT_SIZE - _POINT_SIZE_STEP * index, _TRAIL_SIZE, _ARROW_SIZE),
        "symbol": points.each("circle", "circle", "arrow"),
        "line": {"color": OUTLINE_COLOUR, "width": points.each(1.5, 0, 0)},
    }
    if points.arrow:
        marker["angleref"] = "previous"  # the arrow's head points along the step
    line = (
        {"color": run.colour, "width": 2.5}
        if points.arrow
        else {"color": _translucent(run.colour, _TRAIL_OPACITY), "width": 2}
    )
    return {
        "type": "scatter",
        "mode": "lines+markers" if points.trail or points.arrow else "markers",
        "name": name,
        "x": state["x"],
        "y": state["y"],
        "line": line,
        "marker": marker | state.get("marker", {}),
        "hovertemplate": state.get(
            "hovertemplate", points.each(_hover(html.escape(run.label), y_name), NO_LABEL, NO_LABEL)
        ),
        "hoverinfo": points.each("all", "none", "none"),
        "cliponaxis": False,  # an edge marker is drawn whole, over the axis line
        "legendgroup": str(index),
        **axis_pair(number),
    }


def _translucent(colour: str, opacity: float) -> str:
    """A "#rrggbb" colour at `opacity`."""
    red, green, blue = rgb(colour)
    return f"rgba({red}, {green}, {blue}, {opacity:.3g})"


def _axis(view_range: tuple[float, float], title: str | None, **extra) -> dict:
    axis = {**AXIS_STYLE, "range": list(view_range), "autorange": False, **extra}
    if title:
        axis["title"] = {"text": title}
    return axis


def max_steps(runs: Sequence[RunTrace]) -> int:
    return max((run.trajectory.steps for run in runs), default=0)


def _grid(runs: Sequence[RunTrace]) -> tuple[int, int]:
    """Columns and rows of the side-by-side panels: up to three columns, at least one panel."""
    count = max(len(runs), 1)
    columns = min(count, _GRID_COLUMNS)
    return columns, math.ceil(count / columns)


def _equal_scales(suffix: str) -> dict:
    """Settings of the y axis that keep a unit as long up as across: a map is not stretched. Its picture
    hides the grid."""
    return {"scaleanchor": f"x{suffix}", "scaleratio": 1, **_MAP_AXIS}


def _panel_layout(
    runs: Sequence[RunTrace],
    names: list[str],
    view: View,
    band: Band,
    panel_height: float,
    titles: tuple[str, str],
    equal_scales: bool,
    share: float,
) -> dict:
    """One panel per run in a grid, every panel on the same ranges, in the `share` of the width on the left."""
    columns, rows = _grid(runs)
    width = share * (1 - _COLUMN_GAP * (columns - 1)) / columns
    layout = {"showlegend": False, "annotations": []}
    for i in range(max(len(runs), 1)):
        row, column = divmod(i, columns)
        suffix = axis_suffix(i + 1)
        left = column * (width + share * _COLUMN_GAP)
        domain = band.domain(row * (panel_height + PANEL_GAP), panel_height)
        layout[f"xaxis{suffix}"] = _axis(
            view.x_range,
            titles[0] if row == rows - 1 else None,
            domain=[left, left + width],
            anchor=f"y{suffix}",
            **(_MAP_AXIS if equal_scales else {}),
        )
        layout[f"yaxis{suffix}"] = _axis(
            view.y_range,
            titles[1] if column == 0 else None,
            domain=domain,
            anchor=f"x{suffix}",
            **(_equal_scales(suffix) if equal_scales else {}),
        )
        if i < len(runs):
            layout["annotations"].append(
                panel_title(
                    f"<span style='color:{runs[i].colour}'>●</span> <b>{names[i]}</b>",
                    left + width / 2,
                    domain[1],
                    "center",
                )
            )
    return layout


def _overlay_layout(
    view: View, band: Band, height: float, titles: tuple[str, str], equal_scales: bool, share: float
) -> dict:
    return {
        "xaxis": _axis(
            view.x_range,
            titles[0],
            anchor="y",
            **({"domain": [0, share]} if share < 1 else {}),
            **(_MAP_AXIS if equal_scales else {}),
        ),
        "yaxis": _axis(
            view.y_range,
            titles[1],
            domain=band.domain(0, height),
            anchor="x",
            **(_equal_scales("") if equal_scales else {}),
        ),
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "top", "yref": "container"},  # in the top margin
    }


def animation_part(
    loss: Loss, runs: Sequence[RunTrace], view: View, *, layout: str, trail: int, step: int, share: float = 1
) -> Part:
    """The animation as a part (see animation_figure), on axes 1, 2, …, in the `share` of the plot's width on
    the left (its colour bar just right of it)."""
    _require_drawable(loss)
    check_runs(runs)
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}; got {layout!r}")
    if trail < 0:
        raise ValueError(f"trail must be ≥ 0; got {trail}")
    steps = max_steps(runs)
    if not 0 <= step <= steps:
        raise ValueError(f"step must be in [0, {steps}]; got {step}")
    side_by_side, over_map = layout == "side_by_side", loss.dim == 2
    # A map's axes are named after the loss's variables (x and y, or a model's parameters).
    titles = tuple(sp.pretty(v) for v in loss.variables) if over_map else ("x", "f(x)")
    y_title = "y" if over_map else "f(x)"  # what hover calls the vertical coordinate
    if over_map:
        trail = 0  # the whole path is drawn instead

    paths = [_path(run, view, steps) for run in runs]
    names = [html.escape(run.label) for run in runs]
    statuses = [path.status[-1] for path in paths]
    legend_names = [f"{name} — {status}" if status else name for name, status in zip(names, statuses, strict=True)]
    numbers = [i + 1 if side_by_side else 1 for i in range(len(runs))]

    panels = len(runs) if side_by_side and runs else 1
    columns, rows = _grid(runs) if side_by_side else (1, 1)
    panel_height = (MAP_PANEL_HEIGHT if over_map else PANEL_HEIGHT) if side_by_side else _overlay_height(loss)
    panel = (share * PLOT_WIDTH / columns, panel_height)
    height = rows * panel[1] + (rows - 1) * PANEL_GAP
    if over_map:
        panel = map_panel(view, panel)  # drawn coordinates are rounded for the pixels the map fills
        image = map_image(loss, view, MAP_PIXELS // columns)  # as dense per pixel in a narrower panel
        images = [image_layout(image, view, number) for number in range(1, panels + 1)]
        static = [trace for number in range(1, panels + 1) for trace in map_traces(loss, view, image, number)]
        static += [
            path_trace(names[i], run.colour, run.trajectory.x, view, panel, numbers[i]) for i, run in enumerate(runs)
        ]
        static += [
            trace
            for i, run in enumerate(runs)
            if run.seed_paths is not None
            for trace in seed_traces(names[i], run.colour, run.seed_paths, view, panel, numbers[i])
        ]
    else:
        image, images = None, []
        samples = CURVE_SAMPLES // columns
        static = [
            trace for number in range(1, panels + 1) for trace in curve_traces(loss, view, samples, panel[1], number)
        ]
    points = _Points(trail, over_map)
    ends = [_step_ends(run, view, steps) for run in runs] if over_map else [None] * len(runs)
    states = [_run_states(names[i], path, view, points, panel, ends[i]) for i, path in enumerate(paths)]
    downhill = [_downhill(run, view, panel, steps) for run in runs] if over_map else []
    moving = [
        downhill_trace(f"{names[i]} −gradient", run_states[step], str(i), numbers[i])
        for i, run_states in enumerate(downhill)
    ]
    moving += [
        _run_trace(runs[i], run_states[step], legend_names[i], y_title, points, i, numbers[i])
        for i, run_states in enumerate(states)
    ]
    averaged = [
        (i, _averaged_states(run, loss, view, steps))
        for i, run in enumerate(runs)
        if AVERAGED_POINT in run.trajectory.state
    ]
    moving += [_averaged_trace(runs[i], run_states[step], names[i], y_title, numbers[i]) for i, run_states in averaged]

    def place(band: Band) -> dict:
        if side_by_side:
            placed = _panel_layout(runs, legend_names, view, band, panel_height, titles, over_map, share)
        else:
            placed = _overlay_layout(view, band, panel_height, titles, over_map, share)
        return (
            placed
            | ({"images": images} if images else {})
            | (
                {
                    "coloraxis": colour_axis(image, *_colour_bar_span(band, height), x=share),
                    "margin": {"r": COLOUR_BAR_WIDTH},
                }
                if image
                else {}
            )
        )

    return Part(
        height, panels, static, moving, [*downhill, *states, *(run_states for _, run_states in averaged)], place
    )


def _averaged_states(run: RunTrace, loss: Loss, view: View, steps: int) -> list[dict]:
    """Where the run's averaged point is at every frame 0..steps: the start, then after each step; on the curve,
    or on a map at its two coordinates. None (not drawn) from the step the run diverged at."""
    trajectory = run.trajectory
    points = np.concatenate([trajectory.x[:1], trajectory.state[AVERAGED_POINT]])[_held_steps(trajectory, steps)]
    heights = points[:, 1] if loss.dim == 2 else _curve_values(loss, points[:, 0])
    x, y = _on_view(points[:, 0], view.x_range), _on_view(heights, view.y_range)
    return [{"x": [x[k]], "y": [y[k]]} for k in range(steps + 1)]


def _averaged_trace(run: RunTrace, state: dict, name: str, y_name: str, number: int) -> dict:
    """A run's averaged point (Schedule-Free's x, the point it would be evaluated at): an open diamond."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"{name} · averaged point",
        **state,
        "marker": {"symbol": "diamond-open", "size": 13, "color": run.colour, "line": {"width": 2.5}},
        "hovertemplate": _hover(f"{name} · averaged point x", y_name),
        "showlegend": False,
        **axis_pair(number),
    }


def _colour_bar_span(band: Band, height: float) -> tuple[float, float]:
    """The top and length (paper) of a colour bar as tall as the animation's part of the plot."""
    bottom, top = band.domain(0, height)
    return top, top - bottom


def _overlay_height(loss: Loss) -> int:
    return MAP_HEIGHT if loss.dim == 2 else OVERLAY_HEIGHT


def _last_arrow_step(trajectory: Trajectory) -> int:
    """The first frame without arrows: the run's end, or the step it diverged at."""
    diverged_at = int(trajectory.diverged_at)
    return trajectory.steps if diverged_at < 0 else diverged_at - 1


def _held_steps(trajectory: Trajectory, steps: int) -> np.ndarray:
    """The run's step shown at every frame 0..steps: its last once it has no more steps."""
    return np.minimum(np.arange(steps + 1), trajectory.steps)


def _step_ends(run: RunTrace, view: View, steps: int) -> np.ndarray:
    """Where the step arrow of every frame 0..steps ends (see charts.contour.step_ends)."""
    trajectory = run.trajectory
    return step_ends(trajectory.x[_held_steps(trajectory, steps)], _last_arrow_step(trajectory), view)


def _downhill(run: RunTrace, view: View, panel: tuple[float, float], steps: int) -> list[dict]:
    """The −gradient arrow of every frame 0..steps (see charts.contour.downhill_states)."""
    trajectory = run.trajectory
    return downhill_states(
        trajectory.x[_held_steps(trajectory, steps)], trajectory.grad, _last_arrow_step(trajectory), view, panel
    )


def animation_figure(
    loss: Loss,
    runs: Sequence[RunTrace],
    *,
    layout: str = "overlay",
    view: View | None = None,
    trail: int = 5,
    step: int = 0,
) -> dict:
    """The runs descending the loss: one frame per step 0..max steps, drawn at `step` (charts.player plays it).

    layout="overlay" puts every run on one curve with a legend; "side_by_side" gives each run its own
    panel (same ranges), all moved by the same frames. A point outside `view` is drawn on its
    edge as a triangle pointing out; a diverged run holds its last finite point. `trail` is how many
    earlier positions fade behind each point (0 for none).
    """
    view = view or default_view(loss)
    part = animation_part(loss, runs, view, layout=layout, trail=trail, step=step)
    return compose([part], margin_bottom=X_TITLE_HEIGHT, frames=max_steps(runs) + 1, hovermode="closest")
