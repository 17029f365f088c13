"""Inside the optimisers: loss, x, effective learning rate, step size and every accumulator against
the step, one row each on a shared step axis, with a line at the step being inspected.

A run that diverged is drawn up to its last good step and then left as a gap: the point it holds is
not where the optimiser went.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from charts.animation import AXIS_STYLE, THEME, RunTrace, check_runs, plain_numbers

ROW_HEIGHT = 165
ROW_GAP = 0.055  # room for each row's title
MARKERS_UP_TO = 60  # steps: fewer than this and every step gets a dot
STEP_LINE_COLOUR = "#64748b"
ACCUMULATOR_SYMBOLS = {"m_hat": "m̂", "v_hat": "v̂", "v_max": "max v", "mu_product": "∏μ", "rho": "ρ"}
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class _Row:
    title: str
    log: bool
    traces: list[dict]


def _from_diverged_on(run: RunTrace, values: np.ndarray, first_step: int) -> np.ndarray:
    """`values` (one per step from `first_step`) with the steps from the divergence on blanked out."""
    diverged_at = int(run.trajectory.diverged_at)
    values = np.array(values, dtype=float)
    if diverged_at >= 0:
        values[max(diverged_at - first_step, 0) :] = np.nan
    return values


def _series(run: RunTrace, index: int, values: np.ndarray, first_step: int, name: str, log: bool) -> dict:
    if log:
        values = np.where(values > 0, values, np.nan)
    steps = run.trajectory.steps
    return {
        "type": "scatter",
        "mode": "lines+markers" if steps < MARKERS_UP_TO else "lines",
        "name": name,
        "x0": first_step,
        "dx": 1,
        "y": plain_numbers(values),
        "line": {"color": run.colour, "width": 2},
        "marker": {"color": run.colour, "size": 5},
        "legendgroup": str(index),
        "showlegend": False,
        "hovertemplate": "%{y:.6g}",
    }


def _coordinates(run: RunTrace, values: np.ndarray, name: str) -> list[tuple[np.ndarray, str]]:
    """Each coordinate's column of `values` (steps, dim), named after the run and, past 1-D, the coordinate."""
    dim = values.shape[1]
    if dim == 1:
        return [(values[:, 0], name)]
    return [(values[:, i], f"{name} · x{str(i + 1).translate(SUBSCRIPTS)}") for i in range(dim)]


def _loss_row(runs: Sequence[RunTrace], log_loss: bool) -> _Row:
    """The loss per step. On a log scale with a loss ≤ 0 somewhere, the row shows instead how far each
    loss is above the lowest any run reached, floored just above zero, and its title says so."""
    losses = [_from_diverged_on(run, run.trajectory.loss, 0) for run in runs]
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
        _series(run, i, values, 0, html.escape(run.label), log_loss)
        for i, (run, values) in enumerate(zip(runs, losses, strict=True))
    ]
    for trace in traces:
        trace["showlegend"] = True
    return _Row(title, log_loss, traces)


def _per_coordinate_row(runs: Sequence[RunTrace], title: str, log: bool, field: str, first_step: int) -> _Row:
    traces = []
    for i, run in enumerate(runs):
        values = _from_diverged_on(run, getattr(run.trajectory, field), first_step)
        traces += [
            _series(run, i, column, first_step, name, log)
            for column, name in _coordinates(run, values, html.escape(run.label))
        ]
    return _Row(title, log, traces)


def _step_size_row(runs: Sequence[RunTrace]) -> _Row:
    traces = []
    for i, run in enumerate(runs):
        moved = np.linalg.norm(np.diff(run.trajectory.x, axis=0), axis=1)
        traces.append(_series(run, i, _from_diverged_on(run, moved, 1), 1, html.escape(run.label), log=True))
    return _Row("step size |Δx|, log scale", True, traces)


def _accumulator_rows(runs: Sequence[RunTrace]) -> list[_Row]:
    """One row per accumulator name, in order of first appearance, with every run that keeps it."""
    rows: dict[str, list[dict]] = {}
    for i, run in enumerate(runs):
        for name, values in run.trajectory.state.items():
            symbol = ACCUMULATOR_SYMBOLS.get(name, name)
            rows.setdefault(name, []).extend(
                _series(run, i, column, 1, label, log=False)
                for column, label in _coordinates(run, values, f"{symbol} ({html.escape(run.label)})")
            )
    return [_Row(f"accumulator {ACCUMULATOR_SYMBOLS.get(name, name)}", False, traces) for name, traces in rows.items()]


def internals_figure(runs: Sequence[RunTrace], *, step: int, log_loss: bool = False) -> dict:
    """Rows sharing the step axis: loss (log scale if `log_loss`), x, the effective learning rate lr_t
    (log), the step size |Δx| (log), then each accumulator; a dotted line marks `step` in every row.
    Values that are not finite, and values ≤ 0 on a log scale, are gaps."""
    check_runs(runs)
    steps = max((run.trajectory.steps for run in runs), default=0)
    rows = [
        _loss_row(runs, log_loss),
        _per_coordinate_row(runs, "x", False, "x", 0),
        _per_coordinate_row(runs, "effective learning rate lr, log scale", True, "lr", 1),
        _step_size_row(runs),
        *_accumulator_rows(runs),
    ]
    count = len(rows)
    height = (1 - ROW_GAP * (count - 1)) / count
    data, shapes, annotations = [], [], []
    layout = {
        **THEME,
        "height": ROW_HEIGHT * count + 90,
        "margin": {"l": 70, "r": 20, "t": 75, "b": 50},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "top", "yref": "container"},
    }
    for r, row in enumerate(rows):
        suffix = "" if r == 0 else str(r + 1)
        top = 1 - r * (height + ROW_GAP)
        last = r == count - 1
        layout[f"xaxis{suffix}"] = {
            **AXIS_STYLE,
            "anchor": f"y{suffix}",
            "range": [0, max(steps, 1)],
            "showticklabels": last,
            **({"title": {"text": "step"}} if last else {}),
            **({"matches": "x"} if r else {}),
        }
        layout[f"yaxis{suffix}"] = {
            **AXIS_STYLE,
            "anchor": f"x{suffix}",
            "domain": [top - height, top],
            "type": "log" if row.log else "linear",
        }
        data += [trace | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"} for trace in row.traces]
        shapes.append(
            {
                "type": "line",
                "xref": f"x{suffix}",
                "yref": f"y{suffix} domain",
                "x0": step,
                "x1": step,
                "y0": 0,
                "y1": 1,
                "line": {"color": STEP_LINE_COLOUR, "width": 1.5, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "text": f"<b>{row.title}</b>",
                "x": 0,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    return {"data": data, "layout": layout | {"shapes": shapes, "annotations": annotations}}
