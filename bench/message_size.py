"""The largest figure the app can send, against the server's `maxMessageSize`. Prints, asserts nothing.

    .venv/bin/python -m bench.message_size

The Playground's worst case within the URL's bounds: six runs × 1,000 steps that never settle, with long
labels, side by side and overlaid, the internals rows shown, on each of several losses; the same with each step
written out ("Explain this step") for six runs of the longest rules; and the Sweep
page's at its largest grid, 400 × 400 cells, for each kind of map (run through Streamlit's AppTest).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np

import charts
import losses
import optimisers
from article import explain
from charts.player import player_data
from charts.sweep import MAP_KINDS
from config import MAX_LABEL_LENGTH, MAX_RUNS, MAX_STEPS

ROOT = Path(__file__).resolve().parent.parent
OPTIMISERS = ("gd", "momentum", "nesterov", "adam", "rmsprop", "adadelta")[:MAX_RUNS]
LOSSES = ("kink", "ripples", "rastrigin", "himmelblau", "six_hump_camel")
# The rules with the most numbers to write out, at each step and for each coordinate.
EXPLAINED = ("schedulefree_adamw", "prodigy", "nadam", "radam", "amsgrad", "adafactor")
EXPLAINED_ON = ("ripples", "rastrigin", "himmelblau")


def playground_size(loss: losses.Loss, alpha: float, layout: str) -> int:
    traces = []
    for index, optimiser_id in enumerate(OPTIMISERS):
        start = np.array(losses.suggested_start(loss, index))
        trajectory = optimisers.simulate(loss, optimisers.create(optimiser_id, alpha=alpha), start, MAX_STEPS)
        traces.append(charts.RunTrace(f"{index}".ljust(MAX_LABEL_LENGTH, "x"), "#1f77b4", trajectory))
    figure = charts.playground_figure(loss, traces, layout=layout, internals=True, log_loss=True)
    return len(json.dumps(figure))


def explained_size(loss: losses.Loss, layout: str) -> int:
    """What the player is sent with "Explain this step" on: the figure with the internals rows, and every frame
    of six runs of the longest rules written out, 1,000 steps each."""
    traces, explanations = [], []
    for index, optimiser_id in enumerate(EXPLAINED[:MAX_RUNS]):
        optimiser = optimisers.create(optimiser_id)
        trajectory = optimisers.simulate(loss, optimiser, np.array(losses.suggested_start(loss, index)), MAX_STEPS)
        label = f"{index}".ljust(MAX_LABEL_LENGTH, "x")
        traces.append(charts.RunTrace(label, "#1f77b4", trajectory))
        explanations.append(explain.explanation(label, "#1f77b4", optimiser, trajectory))
    figure = charts.playground_figure(loss, traces, layout=layout, internals=True, log_loss=True)
    return len(json.dumps(player_data(figure, frame_ms=400, explanations=explanations)))


def sweep_sizes(loss_id: str) -> dict[str, int]:
    from streamlit.testing.v1 import AppTest

    page = AppTest.from_file(str(ROOT / "views" / "sweep_page.py"), default_timeout=1800).run()
    page.selectbox(key="sweep_loss").select(loss_id).run()
    for side in ("x", "y"):
        page.number_input(key=f"{side}_count").set_value(400).run()
    sizes = {}
    for kind in MAP_KINDS:
        page.radio(key="map_kind").set_value(kind).run()
        sizes[kind] = max(len(chart.proto.spec) for chart in page.get("plotly_chart"))
    return sizes


def main() -> None:
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxMessageSize"]
    print(f"server.maxMessageSize: {limit} MB")
    worst = max(
        (playground_size(losses.get(loss_id), alpha, layout), loss_id, alpha, layout)
        for loss_id in LOSSES
        for alpha in (0.01, 0.3, 1.0)
        for layout in ("overlay", "side_by_side")
    )
    print(f"Playground, largest figure: {worst[0] / 1e6:.2f} MB ({worst[1]}, α = {worst[2]}, {worst[3]})")
    worst = max((explained_size(losses.get(loss_id), layout), loss_id, layout) for loss_id in EXPLAINED_ON
                for layout in ("overlay", "side_by_side"))  # fmt: skip
    print(f"Playground with each step explained, largest: {worst[0] / 1e6:.2f} MB ({worst[1]}, {worst[2]})")
    for loss_id in ("quartic", "rastrigin"):
        sizes = ", ".join(f"{kind} {size / 1e6:.2f} MB" for kind, size in sweep_sizes(loss_id).items())
        print(f"Sweep page, 400 × 400 cells on {loss_id}: {sizes}")


if __name__ == "__main__":
    main()
