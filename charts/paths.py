"""What the animation draws of each run over a map: its whole path (through just the points that draw it), its
paths from several seeds, and at every step two arrows from the point: where the step went, and which way the
gradient pointed (−g, drawn at a fixed length). Where they disagree, the optimiser scaled its coordinates
differently; a plain gradient step always follows −g."""

from __future__ import annotations

import numpy as np

from charts.common import View, axis_pair, drawn_numbers

GRADIENT_COLOUR = "#ec4899"
GRADIENT_ARROW_PX = 45
PATH_TOLERANCE_PX = 0.2  # how far a drawn path may pass from a point of it


def path_trace(label: str, colour: str, points: np.ndarray, view: View, panel: tuple[float, float], number: int):
    """A run's whole path (points (frames, 2)), drawn faintly under the moving point, through the points
    that draw it (see drawing_points)."""
    spans = np.array([view.x_range[1] - view.x_range[0], view.y_range[1] - view.y_range[0]])
    drawn = points[drawing_points(points * np.array(panel) / spans)]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": f"{label} path",
        "x": drawn_numbers(drawn[:, 0], view.x_range, panel[0]),
        "y": drawn_numbers(drawn[:, 1], view.y_range, panel[1]),
        "line": {"color": colour, "width": 1.5},
        "opacity": 0.55,
        "hoverinfo": "skip",
        "showlegend": False,
        **axis_pair(number),
    }


def seed_traces(
    label: str, colour: str, paths: np.ndarray, view: View, panel: tuple[float, float], number: int
) -> list[dict]:
    """A run's path from each seed (paths (frames, seeds, 2)), faint, and their median at every step, bold."""
    count = paths.shape[1]
    faint = [
        path_trace(label, colour, paths[:, k], view, panel, number)
        | {"name": f"{label} seed {k + 1}", "opacity": 0.22, "line": {"color": colour, "width": 1}}
        for k in range(count)
    ]
    median = path_trace(label, colour, np.median(paths, axis=1), view, panel, number)
    bold = {"name": f"{label} median of {count} seeds", "opacity": 0.95, "line": {"color": colour, "width": 3.5}}
    return [*faint, median | bold]


def drawing_points(pixels: np.ndarray) -> np.ndarray:
    """Which of a line's points (n, 2), in pixels, draw it to within PATH_TOLERANCE_PX of all of them
    (Ramer–Douglas–Peucker, measuring from the chord itself, so that a run going back and forth along a
    line keeps its turns): a path gliding down a valley needs a few dozen of its hundreds. A point that is
    not finite is kept, as the gap it makes."""
    finite = np.isfinite(pixels).all(axis=1)
    keep = ~finite
    stretches = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(int), [0]])))
    pending = [(first, last - 1) for first, last in zip(stretches[::2], stretches[1::2], strict=True)]
    while pending:
        first, last = pending.pop()
        keep[[first, last]] = True
        if last - first < 2:
            continue
        chord, between = pixels[last] - pixels[first], pixels[first + 1 : last] - pixels[first]
        along = np.clip(between @ chord / max(chord @ chord, 1e-300), 0, 1)  # the nearest point of the chord
        off = np.hypot(*(between - along[:, None] * chord).T)
        farthest = first + 1 + int(np.argmax(off))
        if off.max() > PATH_TOLERANCE_PX:
            pending += [(first, farthest), (farthest, last)]
    return keep


def map_panel(view: View, panel: tuple[float, float]) -> tuple[float, float]:
    """The width and height in pixels that the map fills of a `panel` (width, height): with a unit as long
    up as across, the side with less room sets the scale."""
    width, height = view.x_range[1] - view.x_range[0], view.y_range[1] - view.y_range[0]
    pixels_per_unit = min(panel[0] / width, panel[1] / height)
    return width * pixels_per_unit, height * pixels_per_unit


def step_ends(points: np.ndarray, last_step: int, view: View) -> np.ndarray:
    """Per frame k, where the step arrow from points[k] ends (frames, 2): at points[k + 1], or where the
    step leaves the view. NaN where there is no arrow: from `last_step` on (the run's end, or the step it
    diverged at), where there is no next step, and where points[k] is outside the view."""
    low = np.array([view.x_range[0], view.y_range[0]])
    high = np.array([view.x_range[1], view.y_range[1]])
    start, end = points[:-1], points[1:]
    with np.errstate(all="ignore"):
        delta = end - start
        inside = np.where(end > high, (high - start) / delta, np.where(end < low, (low - start) / delta, 1.0))
        ends = start + inside.min(axis=1, keepdims=True) * delta
    ends[~((start >= low) & (start <= high)).all(axis=1)] = np.nan
    ends[last_step:] = np.nan
    return np.concatenate([ends, np.full((1, 2), np.nan)])


def downhill_states(
    points: np.ndarray, gradients: np.ndarray, last_step: int, view: View, panel: tuple[float, float]
) -> list[dict]:
    """Per frame k, the −gradient arrow from points[k] along −gradients[k], GRADIENT_ARROW_PX long on a map
    that fills `panel` (see map_panel); empty from `last_step` on, as the step arrow (see step_ends)."""
    reach = GRADIENT_ARROW_PX * (view.x_range[1] - view.x_range[0]) / panel[0]
    with np.errstate(all="ignore"):
        length = np.linalg.norm(gradients, axis=1, keepdims=True)
        heads = points[: len(gradients)] - reach * gradients / np.where(length > 0, length, np.nan)
    x = drawn_numbers(points[:, 0], view.x_range, panel[0])
    y = drawn_numbers(points[:, 1], view.y_range, panel[1])
    head_x = drawn_numbers(heads[:, 0], view.x_range, panel[0])
    head_y = drawn_numbers(heads[:, 1], view.y_range, panel[1])
    return [
        {"x": [x[k], head_x[k]], "y": [y[k], head_y[k]]} if k < last_step else {"x": [None, None], "y": [None, None]}
        for k in range(len(points))
    ]


def downhill_trace(name: str, state: dict, group: str, number: int) -> dict:
    """The −gradient arrow: dotted, with its head at the end."""
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        **state,
        "line": {"color": GRADIENT_COLOUR, "width": 2.5, "dash": "dot"},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 11], "color": GRADIENT_COLOUR},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": group,
        **axis_pair(number),
    }
