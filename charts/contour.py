"""What the animation draws over a loss of two variables: the contour map, each run's whole path, the
minima and saddle points, and at every step two arrows from the point: where the step went, and which
way the gradient pointed (−g, drawn at a fixed length). Where they disagree, the optimiser scaled its
coordinates differently; a plain gradient step always follows −g.

Also the optional 3-D surface with the paths on it, drawn once, without frames.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from charts.common import (
    HOVER_DIGITS,
    THEME,
    View,
    axis_pair,
    drawn_numbers,
    float32_array,
    minima_trace,
    plain_numbers,
)
from losses import Loss

MAP_PIXELS = 360  # along the longer side of the overlay's map picture; a narrower panel gets fewer
MAP_HEIGHT = 480  # px of plot area
COLOUR_BAR_WIDTH = 100  # px of right margin beside a map for its colour bar, its numbers and its title
HOVER_SAMPLES = 24  # a side of the grid of invisible points that show f under the cursor
SURFACE_SAMPLES = 80
# Levels are spaced on a log scale when the loss's highest value over the map is this many times its
# median (both above its lowest): otherwise the wells are a single flat colour.
LOG_LEVELS_FROM = 10
LEVELS = 24
MAP_COLOURS = [[0, "#1e3a5f"], [0.35, "#5b8bbd"], [0.7, "#c6dbef"], [1, "#f7fbff"]]
LINE_SHADE = 0.82  # a band's edge is drawn in its colour times this
GAP_RGB = (189, 189, 189)  # where the loss is not finite
SADDLE_COLOUR = "#ef4444"
GRADIENT_COLOUR = "#ec4899"
GRADIENT_ARROW_PX = 45
PATH_TOLERANCE_PX = 0.2  # how far a drawn path may pass from a point of it


def map_view(loss: Loss) -> View:
    """The map shows the loss's domain, x across and y up."""
    return View(tuple(loss.domain[0]), tuple(loss.domain[1]))


def _grid(loss: Loss, view: View, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (columns,), y (rows,) from the top down, and f over the grid (rows, columns)."""
    xs, ys = np.linspace(*view.x_range, columns), np.linspace(*view.y_range, rows)[::-1]
    points = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        return xs, ys, loss.f(points)


def level_scale(loss: Loss, values: np.ndarray) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """How loss values over the map become the heights it colours, and what the colour bar calls them:
    the values themselves, or log10 of the height above the lowest where the range is wide."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return np.asarray, "f(x, y)"
    lowest = min([float(finite.min()), *(m.value for m in loss.minima)])
    above = finite - lowest
    median, highest = float(np.median(above)), float(above.max())
    if highest <= LOG_LEVELS_FROM * median:
        return np.asarray, "f(x, y)"
    floor = 1e-3 * median  # the wells' floors, which a log scale would send to −∞

    def log_height(values: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(values - lowest, 0) + floor)

    shift = floor - lowest
    return log_height, f"log₁₀(f {'+' if shift >= 0 else '−'} {abs(shift):.3g})"


def _colours_at(fractions: np.ndarray) -> np.ndarray:
    """RGB (…, 3) of MAP_COLOURS at fractions in [0, 1]."""
    stops = np.array([stop for stop, _ in MAP_COLOURS])
    rgb = np.array([[int(colour[i : i + 2], 16) for i in (1, 3, 5)] for _, colour in MAP_COLOURS], dtype=float)
    return np.stack([np.interp(fractions, stops, rgb[:, channel]) for channel in range(3)], axis=-1)


def _png(indices: np.ndarray, palette: np.ndarray) -> bytes:
    """A PNG file of an image (rows, columns) of indices into `palette` (colours, 3), both uint8."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows, columns = indices.shape
    scanlines = np.concatenate([np.zeros((rows, 1), dtype=np.uint8), indices], axis=1)  # each row unfiltered
    header = struct.pack(">IIBBBBB", columns, rows, 8, 3, 0, 0, 0)  # 8-bit indices into a palette
    pixels = zlib.compress(scanlines.tobytes(), 9)
    signature = b"\x89PNG\r\n\x1a\n"
    return (
        signature
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", palette.tobytes())
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class MapImage:
    """The filled contour map as a picture for the layout, and the range of heights its colours span."""

    source: str  # a data: URL of a PNG
    low: float
    high: float
    title: str


@lru_cache(maxsize=32)
def map_image(loss: Loss, view: View, pixels: int) -> MapImage:
    """The loss over `view` in LEVELS bands of colour with a darker line between bands, `pixels` along
    the longer side. Plotly draws a picture under its animated traces; a contour trace it would erase
    at the first frame of an animation. Kept for reuse: it depends on the loss alone, not on the runs."""
    width, height = view.x_range[1] - view.x_range[0], view.y_range[1] - view.y_range[0]
    columns = max(2, round(pixels * min(1.0, width / height)))
    rows = max(2, round(pixels * min(1.0, height / width)))
    _, _, values = _grid(loss, view, columns, rows)
    scale, title = level_scale(loss, values)
    heights = scale(values)
    finite = np.isfinite(heights)
    low, high = (float(heights[finite].min()), float(heights[finite].max())) if finite.any() else (0.0, 1.0)
    band = np.zeros(heights.shape, dtype=np.uint8)
    band[finite] = np.minimum((heights[finite] - low) / max(high - low, 1e-300) * LEVELS, LEVELS - 1)
    edges = np.zeros(band.shape, dtype=bool)
    edges[:, 1:] |= band[:, 1:] != band[:, :-1]
    edges[1:, :] |= band[1:, :] != band[:-1, :]
    # The palette: each band's colour, then the same darkened for its edges, then the gap's colour.
    fills = _colours_at(np.arange(LEVELS) / (LEVELS - 1))
    palette = np.concatenate([fills, fills * LINE_SHADE, [GAP_RGB]]).round().astype(np.uint8)
    band[edges] += LEVELS
    band[~finite] = 2 * LEVELS
    source = "data:image/png;base64," + base64.b64encode(_png(band, palette)).decode("ascii")
    return MapImage(source, low, high, title)


def image_layout(image: MapImage, view: View, number: int) -> dict:
    """The entry of layout.images that lays `image` over `view` on axes `number`."""
    return {
        "source": image.source,
        "xref": axis_pair(number)["xaxis"],
        "yref": axis_pair(number)["yaxis"],
        "x": view.x_range[0],
        "y": view.y_range[1],
        "sizex": view.x_range[1] - view.x_range[0],
        "sizey": view.y_range[1] - view.y_range[0],
        "sizing": "stretch",
        "layer": "below",
    }


def colour_axis(image: MapImage, top: float, length: float, x: float = 1) -> dict:
    """The layout's colour axis: the map's colours and their bar, `length` (paper) down from `top`, at `x`."""
    return {
        "cmin": image.low,
        "cmax": image.high,
        "colorscale": MAP_COLOURS,
        "colorbar": {
            "title": {"text": image.title, "side": "right"},
            "x": x,
            "thickness": 12,
            "y": top,
            "yanchor": "top",
            "len": length,
        },
    }


def map_traces(loss: Loss, view: View, image: MapImage, number: int) -> list[dict]:
    """What goes on the map besides its picture: the colour bar (once), a grid of invisible points that
    tell the height under the cursor, and the minima and saddle points."""
    xs, ys, values = _grid(loss, view, HOVER_SAMPLES, HOVER_SAMPLES)
    grid_x, grid_y = np.meshgrid(xs, ys)
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "f(x, y)",
            "x": drawn_numbers(grid_x.ravel(), view.x_range, MAP_PIXELS),
            "y": drawn_numbers(grid_y.ravel(), view.y_range, MAP_PIXELS),
            "customdata": plain_numbers(values.ravel(), HOVER_DIGITS),
            # Hover and click reach every point, but only one is drawn: an element per point cost 150 ms a build.
            "marker": {"size": 6, "opacity": 0, "maxdisplayed": 1},
            "hovertemplate": "x = %{x:.4g}<br>y = %{y:.4g}<br>f = %{customdata:.4g}<extra></extra>",
            "showlegend": False,
            **axis_pair(number),
        }
    ]
    if number == 1:  # a point never drawn, only there to show the colour axis's bar
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": image.title,
                "x": [None],
                "y": [None],
                "marker": {"color": [image.low], "coloraxis": "coloraxis"},
                "hoverinfo": "skip",
                "showlegend": False,
                **axis_pair(number),
            }
        )
    if loss.minima:
        texts = [
            f"{'global' if m.is_global else 'local'} minimum<br>({m.x[0]:.6g}, {m.x[1]:.6g})<br>f = {m.value:.6g}"
            for m in loss.minima
        ]
        traces.append(
            minima_trace(loss.minima, [m.x[0] for m in loss.minima], [m.x[1] for m in loss.minima], texts, number)
        )
    if loss.saddle_points:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "saddle points",
                "x": plain_numbers([point[0] for point in loss.saddle_points]),
                "y": plain_numbers([point[1] for point in loss.saddle_points]),
                "marker": {"symbol": "x-thin", "size": 11, "line": {"color": SADDLE_COLOUR, "width": 2.5}},
                "hovertemplate": "saddle point<br>(%{x:.6g}, %{y:.6g})<extra></extra>",
                "showlegend": False,
                **axis_pair(number),
            }
        )
    return traces


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


def surface_figure(loss: Loss, labels: list[str], colours: list[str], paths: list[np.ndarray]) -> dict:
    """The loss as a 3-D surface over its domain with each run's path (points (steps+1, 2)) on it."""
    view = map_view(loss)
    xs, ys, values = _grid(loss, view, SURFACE_SAMPLES, SURFACE_SAMPLES)
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
