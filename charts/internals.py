"""Inside the optimisers: loss, x, effective learning rate, step size and every accumulator against
the step, one row each on a shared step axis, with a line at the step being shown; above them, where a
run has a learning-rate schedule, the schedule's factor on α.

That line is one trace for all the rows, on axes of its own that span them all: a frame moves it with a
single number, and the browser builds one trace instead of one per row.

A run that diverged is drawn up to its last good step and no further: the point it holds is not where
the optimiser went. Given the animation's view, the x and loss rows keep to its ranges when
a run goes beyond them, so one run flying off does not flatten the others.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from charts.animation import RunTrace, check_runs, max_steps, padded_range
from charts.common import AXIS_STYLE, HOVER_DIGITS, View, axis_pair, axis_suffix, panel_title, plain_numbers
from charts.compose import Band, Part, compose

ROW_HEIGHT = 100  # px of each row's plot
ROW_GAP = 55  # px above each row, for its title
STEP_AXIS_HEIGHT = 50  # px under the last row, for the step axis
MARKERS_UP_TO = 20  # steps: fewer than this and every step gets a dot
STEP_LINE_COLOUR = "#64748b"
_UPRIGHT = 1e-9  # the step line's dx: Plotly reads a dx of 0 as its default, 1
ACCUMULATOR_SYMBOLS = {
    "m_hat": "m̂",
    "v_hat": "v̂",
    "v_max": "max v",
    "mu_product": "∏μ",
    "rho": "ρ",
    "sign_step": "sign step sign(c)",
    "s": "s",
    "relative_step": "relative step ρₜ",
    "clip": "update clipping max(1, RMS(u)/d)",
    "x_average": "averaged point x",
    "z": "base sequence z",
    "lr_max": "γ max",
    "weight_sum": "Σ γ²max",
    "d": "learned step size d",
    "numerator": "r, the numerator of d",
    "x0": "start w₀",
    "step_size": "step size η",
    "g_prev": "kept gradient",
}
_CORRECTED = "_hat"  # the suffix of a bias-corrected accumulator's name
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
COORDINATE_DASHES = ("solid", "dot")  # x₁, x₂
CORRECTED_DASHES = ("dash", "dashdot")  # a bias-corrected accumulator's x₁, x₂
LOG_ROW_DECADES = 1.2  # a log row spans at least this many decades, so that it labels one at least


@dataclass(frozen=True)
class _Row:
    title: str
    log: bool
    traces: list[dict]  # their "y" still numpy arrays, sent as float32 by `internals_part`
    range: tuple[float, float]  # in axis units: log10 of the values on a log row


def _row(title: str, log: bool, traces: list[dict], clip: tuple[float, float] | None = None) -> _Row:
    """A row on the range of its values, padded; a linear row with a value beyond `clip` is held to `clip`
    and says so in its title."""
    values = np.concatenate([trace["y"] for trace in traces]) if traces else np.empty(0)
    values = values[np.isfinite(values)]
    if clip and values.size and (values.min() < clip[0] or values.max() > clip[1]):
        return _Row(f"{title}, clipped to {clip[0]:.3g} … {clip[1]:.3g}", log, traces, clip)
    if log:
        values = np.log10(values)
    return _Row(title, log, traces, padded_range(values.min(), values.max()) if values.size else (0.0, 1.0))


def _before_divergence(run: RunTrace, values: np.ndarray, first_step: int) -> np.ndarray:
    """`values` (one per step from `first_step`) up to the step before the run diverged, if it did."""
    diverged_at = int(run.trajectory.diverged_at)
    values = np.asarray(values, dtype=float)
    return values[: max(diverged_at - first_step, 0)] if diverged_at >= 0 else values


def _series(run: RunTrace, index: int, values: np.ndarray, first_step: int, name: str, log: bool) -> dict:
    if log:
        values = np.where(values > 0, values, np.nan)
    dotted = run.trajectory.steps < MARKERS_UP_TO
    return {
        "type": "scatter",
        "mode": "lines+markers" if dotted else "lines",
        "name": name,
        "x0": first_step,
        "dx": 1,
        "y": values,
        "line": {"color": run.colour, "width": 2},
        **({"marker": {"color": run.colour, "size": 5}} if dotted else {}),
        "legendgroup": str(index),
        "showlegend": False,
        "hovertemplate": f"%{{y:.{HOVER_DIGITS}g}}",
    }


def _coordinates(run: RunTrace, values: np.ndarray, name: str) -> list[tuple[np.ndarray, str, str]]:
    """Each coordinate's column of `values` (steps, dim), named after the run and, past 1-D, the coordinate,
    with its line's dash: the first coordinate's solid, the second's dotted."""
    dim = values.shape[1]
    if dim == 1:
        return [(values[:, 0], name, COORDINATE_DASHES[0])]
    return [(values[:, i], f"{name} · x{str(i + 1).translate(SUBSCRIPTS)}", COORDINATE_DASHES[i]) for i in range(dim)]


def _loss_row(runs: Sequence[RunTrace], log_loss: bool, view: View | None, legend: bool) -> _Row:
    """The loss per step. On a log scale with a loss ≤ 0 somewhere, the row shows instead how far each
    loss is above the lowest any run reached, floored just above zero, and its title says so. With
    `legend`, its lines name the runs in the legend."""
    losses = [_before_divergence(run, run.trajectory.loss, 0) for run in runs]
    title = "loss"
    if log_loss:
        finite = np.concatenate([values[np.isfinite(values)] for values in losses]) if losses else np.empty(0)
        lowest = float(finite.min()) if finite.size else 1.0
        title = "loss, log scale"
        if lowest <= 0:
            floor = 1e-12 * max(1.0, abs(lowest))  # below this a difference is rounding error
            losses = [np.maximum(values - lowest, floor) for values in losses]
            title = (
                f"loss − the lowest loss any run reached ({lowest:.6g}), log scale;"
                f" differences below {floor:.0e} drawn at {floor:.0e}"
            )
    traces = [
        _series(run, i, values, 0, html.escape(run.label), log_loss) | {"showlegend": legend}
        for i, (run, values) in enumerate(zip(runs, losses, strict=True))
    ]
    return _row(title, log_loss, traces, clip=view.y_range if view and not log_loss else None)


def _per_coordinate_row(
    runs: Sequence[RunTrace], title: str, log: bool, field: str, first_step: int, clip: tuple[float, float] | None
) -> _Row:
    traces = []
    for i, run in enumerate(runs):
        values = _before_divergence(run, getattr(run.trajectory, field), first_step)
        traces += [
            _dashed(_series(run, i, column, first_step, name, log), dash)
            for column, name, dash in _coordinates(run, values, html.escape(run.label))
        ]
    return _row(title, log, traces, clip)


def _step_size_row(runs: Sequence[RunTrace]) -> _Row:
    traces = []
    for i, run in enumerate(runs):
        moved = np.linalg.norm(np.diff(run.trajectory.x, axis=0), axis=1)
        traces.append(_series(run, i, _before_divergence(run, moved, 1), 1, html.escape(run.label), log=True))
    return _row("step size |Δx|, log scale", True, traces)


def _schedule_row(runs: Sequence[RunTrace]) -> _Row:
    """The factor each scheduled run's schedule puts on α, from step 1."""
    traces = [
        _series(run, i, np.asarray(run.lr_factors, dtype=float), 1, html.escape(run.label), log=False)
        for i, run in enumerate(runs)
        if run.lr_factors is not None
    ]
    return _row("learning-rate schedule: the factor on α", False, traces)


def _accumulator_rows(runs: Sequence[RunTrace]) -> list[_Row]:
    """One row per accumulator, in order of first appearance, with every run that keeps it. A bias-corrected
    accumulator (m̂, v̂) shares the row of the one it corrects, dashed, so the correction shows."""
    rows: dict[str, list[dict]] = {}
    for i, run in enumerate(runs):
        for name, values in run.trajectory.state.items():
            symbol = ACCUMULATOR_SYMBOLS.get(name, name)
            dashes = CORRECTED_DASHES if name.endswith(_CORRECTED) else COORDINATE_DASHES
            series = [
                _dashed(_series(run, i, column, 1, label, log=False), dashes[COORDINATE_DASHES.index(dash)])
                for column, label, dash in _coordinates(
                    run, _before_divergence(run, values, 1), f"{symbol} ({html.escape(run.label)})"
                )
            ]
            rows.setdefault(name.removesuffix(_CORRECTED), []).extend(series)
    return [_row(_accumulator_title(name, runs), False, traces) for name, traces in rows.items()]


def _dashed(trace: dict, dash: str) -> dict:
    return trace if dash == "solid" else trace | {"line": trace["line"] | {"dash": dash}}


def _accumulator_title(name: str, runs: Sequence[RunTrace]) -> str:
    symbols = [ACCUMULATOR_SYMBOLS.get(name, name)]
    if any(f"{name}{_CORRECTED}" in run.trajectory.state for run in runs):
        symbols.append(f"{ACCUMULATOR_SYMBOLS[name + _CORRECTED]} (bias-corrected, dashed)")
    return f"accumulator {' and '.join(symbols)}"


def _rows_height(row_count: int) -> int:
    """px of plot area that `row_count` rows take, their titles included."""
    return row_count * (ROW_GAP + ROW_HEIGHT)


def _row_top(r: int) -> int:
    """px from the top of the rows to the top of row `r`'s plot, under its title."""
    return r * (ROW_GAP + ROW_HEIGHT) + ROW_GAP


def _step_line(row_count: int, step: int, number: int) -> dict:
    """A dotted vertical line at `step` across each of `row_count` rows, drawn on axes `number`, whose y axis
    spans the rows and their titles from 0 (bottom) to 1 (top): frames move it by its x0 alone."""
    height = _rows_height(row_count)
    ends = []
    for r in range(row_count):
        top = _row_top(r)
        ends += [1 - (top + ROW_HEIGHT) / height, 1 - top / height, None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": "step",
        "x0": step,
        "dx": _UPRIGHT,
        "y": plain_numbers(ends[:-1]),
        "line": {"color": STEP_LINE_COLOUR, "width": 1.5, "dash": "dot"},
        "hoverinfo": "skip",
        "showlegend": False,
        **axis_pair(number),
    }


def _log_axis(decades: tuple[float, float]) -> dict:
    """A log axis over `decades` (log10 of its ends), widened to LOG_ROW_DECADES: a label at whole decades only,
    written 1e−5, as tick labels of one size, never crammed and never an SI prefix (1p for 10⁻¹²)."""
    low, high = decades
    missing = max(LOG_ROW_DECADES - (high - low), 0) / 2
    low, high = low - missing, high + missing
    return {
        "type": "log",
        "range": [low, high],
        "dtick": max(1, math.ceil((high - low) / 4)),
        "minor": {"showgrid": False},
    }


def has_schedule(runs: Sequence[RunTrace]) -> bool:
    return any(run.lr_factors is not None for run in runs)


def internals_part(
    runs: Sequence[RunTrace],
    view: View | None,
    *,
    step: int,
    log_loss: bool,
    first_axis: int,
    legend: bool,
    internals: bool = True,
) -> Part:
    """The internals rows (see internals_figure) as a part: the step line, its one moving trace, on axes
    first_axis, and the rows on axes first_axis + 1, …. The line's axes come first so that Plotly stacks
    their drag area under the rows': hovering and zooming a row reach the row. Without `internals`, the
    schedule's row alone."""
    check_runs(runs)
    steps = max_steps(runs)
    rows = [_schedule_row(runs)] if has_schedule(runs) else []
    if internals:
        per_coordinate = [
            _per_coordinate_row(runs, "x", False, "x", 0, view.x_range if view else None),
            _per_coordinate_row(runs, "effective learning rate lr, log scale", True, "lr", 1, None),
            _step_size_row(runs),
            *_accumulator_rows(runs),
        ]
        if runs and runs[0].trajectory.x.shape[-1] == 2:
            per_coordinate = [
                replace(row, title=f"{row.title}; x₁ solid, x₂ dotted") if len(row.traces) > len(runs) else row
                for row in per_coordinate
            ]
        rows += [_loss_row(runs, log_loss, view, legend), *per_coordinate]
    numbers = [first_axis + 1 + r for r in range(len(rows))]
    static = [
        trace | {"y": plain_numbers(trace["y"], HOVER_DIGITS)} | axis_pair(number)
        for row, number in zip(rows, numbers, strict=True)
        for trace in row.traces
    ]
    height = _rows_height(len(rows))
    line_suffix = axis_suffix(first_axis)

    def place(band: Band) -> dict:
        layout = {
            f"xaxis{line_suffix}": {"anchor": f"y{line_suffix}", "range": [0, max(steps, 1)], "visible": False},
            f"yaxis{line_suffix}": {
                "anchor": f"x{line_suffix}",
                "domain": band.domain(0, height),
                "range": [0, 1],
                "fixedrange": True,
                "visible": False,
            },
        }
        annotations = []
        for r, (row, number) in enumerate(zip(rows, numbers, strict=True)):
            suffix, last = axis_suffix(number), r == len(rows) - 1
            domain = band.domain(_row_top(r), ROW_HEIGHT)
            layout[f"xaxis{suffix}"] = {
                **AXIS_STYLE,
                "anchor": f"y{suffix}",
                "range": [0, max(steps, 1)],
                "showticklabels": last,
                **({"title": {"text": "step"}} if last else {}),
                "matches": f"x{line_suffix}",
            }
            layout[f"yaxis{suffix}"] = {
                **AXIS_STYLE,
                "anchor": f"x{suffix}",
                "domain": domain,
                "autorange": False,
                **(_log_axis(row.range) if row.log else {"type": "linear", "range": list(row.range)}),
            }
            annotations.append(panel_title(f"<b>{row.title}</b>", 0, domain[1]))
        return layout | {"annotations": annotations}

    line = _step_line(len(rows), step, first_axis)
    return Part(height, len(rows) + 1, static, [line], [[{"x0": k} for k in range(steps + 1)]], place)


def internals_figure(runs: Sequence[RunTrace], *, step: int, log_loss: bool = False, view: View | None = None) -> dict:
    """Rows sharing the step axis: loss (log scale if `log_loss`), x, the effective learning rate lr_t
    (log), the step size |Δx| (log), then each accumulator; a dotted line marks `step` across the rows.
    Values that are not finite, and values ≤ 0 on a log scale, are gaps. With the animation's `view`,
    the x row and the linear loss row keep to its ranges (see the module's docstring)."""
    part = internals_part(runs, view, step=step, log_loss=log_loss, first_axis=1, legend=True)
    return compose(
        [part],
        margin_bottom=STEP_AXIS_HEIGHT,
        hovermode="x unified",
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "top", "yref": "container"},
    )
