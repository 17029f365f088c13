"""Heatmaps of sweeps, one panel per optimiser on shared axes, and the random-starts histogram.

Figures are plain dicts. Grids travel as Plotly's typed arrays (base64 float32, int8 or int16): a 200 × 200
map of final losses is about 210 kB rather than a megabyte of JSON numbers. The ended-in map also
carries a short hover label per cell (Plotly cannot look a label up from a code), its largest part.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Sequence

import numpy as np

from losses import Loss
from sweep import DIVERGED, NO_MINIMUM, START, RandomStarts, SweepMap

AXIS_LABELS = {
    START: "start x₀",
    "alpha": "α",
    "beta": "β",
    "beta1": "β₁",
    "beta2": "β₂",
    "eps": "ε",
    "momentum": "μ",
}
MAP_KINDS = {"ended_in": "Ended in", "final_loss": "Final loss", "settled_at": "Settled after (steps)"}
GLOBAL_COLOUR = "#2ca02c"
LOCAL_COLOURS = ("#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#393b79")
NO_MINIMUM_COLOUR = "#d9d9d9"
DIVERGED_COLOUR = "#d62728"
GAP_COLOUR = "#bdbdbd"  # the background that shows through cells without a value
_TYPED = {np.dtype("float32"): "f4", np.dtype("int8"): "i1", np.dtype("int16"): "i2"}
_PANEL_GAP = 0.03
_LOSS_COLOUR_PERCENTILE = 95


def _typed_array(values: np.ndarray) -> dict:
    """A Plotly typed-array spec; NaN in a float array is a gap."""
    values = np.ascontiguousarray(values)
    spec = {"dtype": _TYPED[values.dtype], "bdata": base64.b64encode(values.tobytes()).decode("ascii")}
    if values.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in values.shape)
    return spec


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in values]


def _point(x: tuple[float, ...]) -> str:
    # Rounding first turns a minimum at −1e-13 into 0 rather than "-1e-13".
    text = ", ".join(f"{round(v, 3) + 0.0:.3g}" for v in x)
    return text if len(x) == 1 else f"({text})"


def categories(loss: Loss) -> tuple[list[str], list[str]]:
    """The label and colour of each category of an ended-in map: the minima, then none, then diverged."""
    labels, colours, local = [], [], itertools.cycle(LOCAL_COLOURS)
    for minimum in loss.minima:
        labels.append(f"{_point(minimum.x)} {'global' if minimum.is_global else 'local'}")
        colours.append(GLOBAL_COLOUR if minimum.is_global else next(local))
    return [*labels, "no minimum", "diverged"], [*colours, NO_MINIMUM_COLOUR, DIVERGED_COLOUR]


def category_index(ended_in: np.ndarray, minima_count: int) -> np.ndarray:
    """Codes as positions in `categories`: minima first, then no minimum, then diverged."""
    index = np.where(ended_in == NO_MINIMUM, minima_count, ended_in)
    # int8 keeps the payload small; a loss with more than 125 minima (sin(1000x)) needs int16.
    codes = np.where(ended_in == DIVERGED, minima_count + 1, index)
    return codes.astype(np.int8 if minima_count + 1 <= np.iinfo(np.int8).max else np.int16)


def _discrete_colour_axis(labels: list[str], colours: list[str]) -> dict:
    count = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / count, colour], [(i + 1) / count, colour]]
    return {
        "colorscale": scale,
        "cmin": -0.5,
        "cmax": count - 0.5,
        "colorbar": {"title": {"text": "ended in"}, "tickvals": list(range(count)), "ticktext": labels},
    }


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
        labels, colours = categories(loss)
        colour_axis = _discrete_colour_axis(labels, colours)
        hover = where + "ended in: %{text}"
    elif kind == "final_loss":
        colour_axis = _continuous_colour_axis("final loss", *_loss_colour_range(maps), reverse=False)
        hover = where + "final loss: %{z:.4~g}"
    else:
        colour_axis = _continuous_colour_axis("settled after", 0, maps[0].steps, reverse=True)
        hover = where + "settled after %{z} steps"

    count = len(maps)
    width = (1 - _PANEL_GAP * (count - 1)) / count
    data, layout = (
        [],
        {
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
            names = np.array(labels)
            index = category_index(sweep_map.ended_in, len(loss.minima))
            trace |= {"z": _typed_array(index), "text": names[index].tolist()}
        elif kind == "final_loss":
            trace["z"] = _typed_array(sweep_map.final_loss.astype(np.float32))
        else:
            settled = np.where(sweep_map.settled_at >= 0, sweep_map.settled_at, np.nan)
            trace["z"] = _typed_array(settled.astype(np.float32))
        data.append(trace)
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
            "domain": [left, left + width],
            "type": "log" if x_axis.log_scale else "linear",
            "title": {"text": x_label},
            "anchor": f"y{suffix}",
            **({"matches": "x"} if i else {}),
        }
        layout[f"yaxis{suffix}"] = {
            "type": "log" if y_axis.log_scale else "linear",
            "anchor": f"x{suffix}",
            **({"matches": "y", "showticklabels": False} if i else {"title": {"text": y_label}}),
        }
        layout["annotations"].append(
            {
                "text": _panel_title(sweep_map, title),
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    return {"data": data, "layout": layout}


def random_starts_figure(loss: Loss, starts: RandomStarts, title: str, bins: int = 100, height: int = 360) -> dict:
    """A histogram of where the random starts ended (first coordinate), with the minima and the
    mean final position marked."""
    low, high = loss.domain[0]
    edges, counts = starts.histogram(low, high, bins)
    shapes, annotations = [], []
    marks = [
        (m.x[0], GLOBAL_COLOUR if m.is_global else "#555555", "global" if m.is_global else "local") for m in loss.minima
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
        "marker": {"color": "#1f77b4"},
        "hovertemplate": "final x ≈ %{x:.3g}: %{y} runs<extra></extra>",
    }
    layout = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "title": {"text": title},
        "xaxis": {"title": {"text": "final x"}, "range": [low, high]},
        "yaxis": {"title": {"text": "runs"}},
        "shapes": shapes,
        "annotations": annotations,
        "bargap": 0,
    }
    return {"data": [bar], "layout": layout}
