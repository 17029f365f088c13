"""The picture the animation draws under the runs on a loss of two variables: its contour map (a PNG of
coloured bands), the minima and saddle points, and invisible points that tell f under the cursor. The
runs' paths and arrows over it are charts.paths; the 3-D surface is charts.surface."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from charts.common import (
    GAP_COLOUR,
    HOVER_DIGITS,
    View,
    axis_pair,
    drawn_numbers,
    minima_trace,
    plain_numbers,
    rgb,
)
from losses import Loss

MAP_PIXELS = 360  # along the longer side of the overlay's map picture; a narrower panel gets fewer
MAP_HEIGHT = 480  # px of plot area
COLOUR_BAR_WIDTH = 100  # px of right margin beside a map for its colour bar, its numbers and its title
HOVER_SAMPLES = 24  # a side of the grid of invisible points that show f under the cursor
# Levels are spaced on a log scale when the loss's highest value over the map is this many times its
# median (both above its lowest): otherwise the wells are a single flat colour.
LOG_LEVELS_FROM = 10
LEVELS = 24
MAP_COLOURS = [[0, "#1e3a5f"], [0.35, "#5b8bbd"], [0.7, "#c6dbef"], [1, "#f7fbff"]]
LINE_SHADE = 0.82  # a band's edge is drawn in its colour times this
SADDLE_COLOUR = "#ef4444"


def map_view(loss: Loss) -> View:
    """The map shows the loss's domain, x across and y up."""
    return View(tuple(loss.domain[0]), tuple(loss.domain[1]))


def grid(loss: Loss, view: View, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    _, _, values = grid(loss, view, columns, rows)
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
    palette = np.concatenate([fills, fills * LINE_SHADE, [rgb(GAP_COLOUR)]]).round().astype(np.uint8)
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
    xs, ys, values = grid(loss, view, HOVER_SAMPLES, HOVER_SAMPLES)
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
