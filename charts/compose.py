"""A figure made of parts (the animation in charts.animation, the internals rows in charts.internals, the
data panel in charts.data), each drawn in a horizontal band of the plot area on its own numbered axes:
`compose` stacks them and gives all their moving traces one set of frames, so one step of the player moves
every part.

Figures are plain dicts built to Plotly's animation recipe: static traces (curve, minima) come first
and never appear in a frame; a frame names the run traces it changes in `traces`. To keep the
payload small, every CHECKPOINT-th frame holds the whole state of the moving traces; every STRIDE-th frame
after it holds only what differs from that state, and each frame in between only what differs from the
last of those, naming it as its `baseframe` (Plotly merges them when it shows a frame, whether playing or
jumping). A run that has settled or diverged then costs nothing but at every STRIDE-th frame until the
next checkpoint.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from charts.common import THEME

CHECKPOINT = 25  # frames: every CHECKPOINT-th frame is whole
STRIDE = 5  # frames: every STRIDE-th frame is the base of those after it, up to the next
MARGIN = {"l": 70, "r": 20, "t": 50}


@dataclass(frozen=True)
class Band:
    """A horizontal strip of a plot area `plot_height` px tall, starting `top` px below its top edge."""

    top: float
    plot_height: float

    def domain(self, offset: float, height: float) -> list[float]:
        """The paper y domain [bottom, top] of `height` px starting `offset` px below the band's top."""
        top = 1 - (self.top + offset) / self.plot_height
        return [round(top - height / self.plot_height, 5), round(top, 5)]


@dataclass(frozen=True)
class Part:
    """A block of a figure that `compose` stacks with others. Its traces use axes numbered from its first
    axis on; `place` lays those axes (and its titles, controls, …) out in the band the part is given."""

    height: float  # px of plot area
    axes: int  # how many x/y axis pairs it numbers
    static: list[dict]
    moving: list[dict]  # as drawn at the step the figure opens at
    states: list[list[dict]]  # states[j][k]: what moving trace j shows at frame k
    place: Callable[[Band], dict]
    beside: bool = False  # drawn to the right of the part before it, in its band, rather than under it


def compose(parts: Sequence[Part], *, margin_bottom: int, gap: int = 0, frames: int = 0, **layout) -> dict:
    """The parts stacked top to bottom in one plot area, `gap` px apart (a part `beside` the one before it
    shares its band): every static trace, then every moving one. With `frames` > 0, frame k moves each moving
    trace to its state k."""
    stacked = [part for part in parts if not part.beside]
    plot_height = sum(part.height for part in stacked) + gap * (len(stacked) - 1)
    figure_layout = {
        **THEME,
        "height": MARGIN["t"] + plot_height + margin_bottom,
        "margin": MARGIN | {"b": margin_bottom},
        **layout,
    }
    annotations, top, band = [], 0, None
    for part in parts:
        if not part.beside:
            band = Band(top, plot_height)
            top += part.height + gap
        placed = part.place(band)
        annotations += placed.pop("annotations", [])
        figure_layout["margin"] |= placed.pop("margin", {})
        figure_layout |= placed
    figure_layout["annotations"] = annotations
    static = [trace for part in parts for trace in part.static]
    moving = [trace for part in parts for trace in part.moving]
    data = static + moving
    figure_layout["datarevision"] = _digest(data)
    figure = {"data": data, "layout": figure_layout}
    if frames:
        states = [trace_states for part in parts for trace_states in part.states]
        figure["frames"] = _frames(
            [[trace_states[k] for trace_states in states] for k in range(frames)],
            len(static),
            _held_traces(static, moving),
        )
    return figure


def _digest(data: list[dict]) -> str:
    """A fingerprint of the traces, as the layout's datarevision. Plotly.react then compares data arrays by
    it rather than by identity, and Streamlit hands each new chart to Plotly.react twice, the second time
    as a copy: without it, every chart would be built twice. Pickled rather than written as JSON: a tenth
    of the time, and equal data need not give equal bytes, only different data different ones."""
    return hashlib.blake2b(pickle.dumps(data, protocol=5), digest_size=8).hexdigest()


def _base(k: int) -> int:
    """The frame that frame k (not a checkpoint) is told as a change from: the last multiple of STRIDE before
    it, or for such a multiple, the last checkpoint. Plotly follows at most two links to show a frame."""
    return k - k % STRIDE if k % STRIDE else k - k % CHECKPOINT


def _frames(states: list[list[dict]], first_index: int, held: list[int]) -> list[dict]:
    """One frame per step from the moving traces' states (states[k][j]: trace first_index + j at step k):
    whole at each checkpoint and wherever everything changed, else what changed since its base (_base).

    Every frame also names the traces `held`, unchanged: when Plotly plays frames without redrawing, it
    clears every subplot none of whose traces the frame names."""
    all_traces = list(range(first_index, first_index + len(states[0])))
    unchanged = {"traces": held, "data": [{} for _ in held]}
    frames = []
    for k, state in enumerate(states):
        if k % CHECKPOINT:
            base = states[_base(k)]
            changes = [{key: value for key, value in s.items() if base[j][key] != value} for j, s in enumerate(state)]
        else:
            changes = state
        if changes == state:  # a checkpoint, or everything changed: naming a base frame would only add to it
            frames.append({"name": str(k), "data": state + unchanged["data"], "traces": all_traces + held})
            continue
        moved = [j for j, change in enumerate(changes) if change]
        frames.append(
            {
                "name": str(k),
                "baseframe": str(_base(k)),
                "data": [changes[j] for j in moved] + unchanged["data"],
                "traces": [first_index + j for j in moved] + held,
            }
        )
    return frames


def _held_traces(static: list[dict], moving: list[dict]) -> list[int]:
    """For each subplot that no moving trace is on, its first static trace (see _frames)."""
    moving_subplots = {(trace.get("xaxis", "x"), trace.get("yaxis", "y")) for trace in moving}
    first = {}
    for index, trace in enumerate(static):
        first.setdefault((trace.get("xaxis", "x"), trace.get("yaxis", "y")), index)
    return [index for subplot, index in first.items() if subplot not in moving_subplots]
