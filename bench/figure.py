"""Size and build time of the Playground's figures. Prints, asserts nothing.

    .venv/bin/python -m bench.figure [--repeats N]

Goals: the Playground's figure (the animation with the internals rows under it) of 6 runs × 200 steps at
most 150 KB of JSON; on a loss of two variables, 4 runs × 300 steps at most 300 KB; a rerun with 4 runs ×
200 steps (simulate every run, then build the Playground's figure) within 100 ms. Times are medians of the
repeats.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import charts
import losses
import optimisers
from charts.animation import LAYOUTS

PALETTE = ("#f5c518", "#ff7f0e", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")
# The article's runs on its quartic, and one that diverges.
ARTICLE_RUNS = (
    ("gd", {"alpha": 0.1}, 0.3),
    ("gd", {"alpha": 0.1}, 0.1),
    ("adagrad", {"alpha": 0.1}, 0.1),
    ("rmsprop", {"alpha": 0.1, "beta": 0.9}, 0.1),
    ("adam", {"alpha": 0.1}, 0.1),
    ("gd", {"alpha": 0.8}, 0.1),
)
# The worst case for the payload: on the kink a fixed rate zig-zags for ever, so no run settles and
# every frame lists every run.
RESTLESS_RUNS = tuple(("gd", {"alpha": alpha}, 1.0 + alpha / 3) for alpha in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5))
# Four methods down Rosenbrock's valley from the same start: none settles within 300 steps.
MAP_RUNS = tuple(
    (optimiser, {"alpha": alpha}, (-1.5, 2.0))
    for optimiser, alpha in (("gd", 1e-3), ("adagrad", 0.5), ("rmsprop", 0.01), ("adam", 0.05))
)


def simulate(loss: losses.Loss, specs, steps: int) -> list[charts.RunTrace]:
    runs = []
    for (optimiser, settings, x0), colour in zip(specs, PALETTE, strict=False):
        start = np.atleast_1d(np.asarray(x0, dtype=float))
        trajectory = optimisers.simulate(loss, optimisers.create(optimiser, **settings), start, steps)
        runs.append(charts.RunTrace(f"{optimiser} α={settings['alpha']}", colour, trajectory))
    return runs


def kilobytes(figure: dict) -> float:
    return len(json.dumps(figure, separators=(",", ":"), allow_nan=False)) / 1000


def median_ms(function, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats

    print("payload, 6 runs × 200 steps (goal ≤ 150 KB for the playground: the animation and the internals rows)")
    scenarios = (
        ("article runs, one diverges", "quartic", ARTICLE_RUNS),
        ("no run settles (worst case)", "kink", RESTLESS_RUNS),
    )
    for title, loss_id, specs in scenarios:
        loss = losses.get(loss_id)
        runs = simulate(loss, specs, 200)
        print(f"  {title}")
        for layout in LAYOUTS:
            animation = kilobytes(charts.animation_figure(loss, runs, layout=layout))
            playground = kilobytes(charts.playground_figure(loss, runs, layout=layout))
            print(f"    {layout:12} animation {animation:6.1f} KB; playground {playground:6.1f} KB")

    print("\npayload, a loss of two variables, 4 runs × 300 steps (goal ≤ 300 KB)")
    loss = losses.get("rosenbrock")
    runs = simulate(loss, MAP_RUNS, 300)
    for layout in LAYOUTS:
        animation = kilobytes(charts.animation_figure(loss, runs, layout=layout))
        playground = kilobytes(charts.playground_figure(loss, runs, layout=layout))
        print(f"    {layout:12} animation {animation:6.1f} KB; playground with the internals rows {playground:6.1f} KB")

    specs = ARTICLE_RUNS[:4]
    loss = losses.get("quartic")
    charts.default_view(loss)  # compiles the loss, as the first run of the page does
    print(f"\nrerun, 4 runs × 200 steps (goal ≤ 100 ms for simulate + playground), median of {repeats}")
    runs = simulate(loss, specs, 200)
    rows = {
        "simulate": lambda: simulate(loss, specs, 200),
        "animation (runs simulated already)": lambda: charts.animation_figure(loss, runs, step=100),
        "internals (runs simulated already)": lambda: charts.internals_figure(runs, step=100),
        "playground (runs simulated already)": lambda: charts.playground_figure(loss, runs, step=100),
        "simulate + playground": lambda: charts.playground_figure(loss, simulate(loss, specs, 200), step=100),
    }
    for title, function in rows.items():
        median, times = median_ms(function, repeats)
        print(f"  {title:37} {median:6.1f} ms   [{', '.join(f'{t:.0f}' for t in times)}]")
    loss = losses.get("rosenbrock")
    charts.default_view(loss)
    median, times = median_ms(lambda: charts.playground_figure(loss, simulate(loss, MAP_RUNS, 300)), repeats)
    print(f"  {'2-D: simulate + playground, 4 × 300':37} {median:6.1f} ms   [{', '.join(f'{t:.0f}' for t in times)}]")


if __name__ == "__main__":
    main()
