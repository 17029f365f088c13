"""Where a server's first Playground page spends its time in Python. Prints, asserts nothing.

    .venv/bin/python -m bench.startup [--repeats N]

Each repeat is a fresh process that does what the first page does, in its order, and times each step:
importing Streamlit (done before any page), sympy, plotly's figure class and the app's own modules; the landing
page's loss with its minima, its runs, its figure and the JSON the player is sent; then what the process builds
once, when a page first asks for it (every catalogue loss with its minima, the map picture under each one of two
variables); and last the landing figure again, as every later visitor's page builds it. Medians over the repeats,
in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def steps() -> dict[str, float]:
    """Milliseconds each step of a first page takes, in a process that has imported nothing yet."""
    times = {}
    start = time.perf_counter()

    def done(step: str) -> None:
        nonlocal start
        now = time.perf_counter()
        times[step] = (now - start) * 1e3
        start = now

    import streamlit  # noqa: F401

    done("import streamlit")
    import sympy  # noqa: F401

    done("import sympy")
    import plotly.graph_objects as go

    go.Figure  # noqa: B018 - plotly loads its figure class when first asked for it
    done("import plotly's Figure")
    sys.path.insert(0, str(ROOT))
    import charts
    import config
    import losses
    import optimisers
    from charts.contour import MAP_PIXELS, map_image
    from charts.player import player_data

    done("import the app's modules")
    landing = config.landing_config()
    loss = config.resolve_loss(landing.loss, landing.expression, landing.domain, landing.loss_settings)
    done("the landing loss, with its minima")
    trajectories = [
        optimisers.simulate(loss, run.create_optimiser(), run.x0, landing.steps, schedule=run.create_schedule())
        for run in landing.runs
    ]
    done("the landing runs")

    def landing_figure() -> None:
        traces = [charts.RunTrace(r.label, r.colour, t) for r, t in zip(landing.runs, trajectories, strict=True)]
        figure = charts.playground_figure(
            loss, traces, layout=landing.layout, view=charts.default_view(loss), internals=landing.internals
        )
        json.dumps(player_data(figure, frame_ms=landing.frame_ms))

    landing_figure()
    done("the landing figure and its JSON")
    catalogue = [losses.get(id) for id in losses.ids()]
    done("every catalogue loss, with its minima")
    for each in catalogue:
        if each.dim == 2:
            map_image(each, charts.default_view(each), MAP_PIXELS)
    done("the map pictures of the catalogue's default views")
    landing_figure()
    done("the landing figure and its JSON, again")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--once", action="store_true", help="time the steps in this process and print them as JSON")
    arguments = parser.parse_args()
    if arguments.once:
        print(json.dumps(steps()))
        return
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.startup", "--once"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(arguments.repeats)
    ]
    for step in runs[0]:
        times = [run[step] for run in runs]
        print(f"{step:52} {statistics.median(times):6.0f} ms  ({min(times):.0f}–{max(times):.0f})")


if __name__ == "__main__":
    main()
