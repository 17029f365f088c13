"""Benchmark the Sweep page's computation: prints figures, asserts nothing.

    .venv/bin/python bench/sweep.py

1. The largest sweep the page allows (400 × 400 cells, 1,000 steps, Adam over start x₀ × α) as
   one `simulate` call with record="final": wall time, and peak memory two ways. tracemalloc sees
   every numpy allocation, so its peak is the sweep's own working set; the growth of the process's
   peak resident size (ru_maxrss) also counts the allocator's slack and the pages numpy touched.
2. torch.optim.Adam on the same grid, one thread, the same analytic gradient set each step. torch
   takes one learning rate per parameter group, so the grid's 400 values of α are 400 groups of
   400 starts; the same number of runs in one group (one α) is timed too, as torch's best case.
3. The page's default computation: 200 × 200 cells, 200 steps, four optimisers, and its figures.
   torch is imported only here, never by the app or its tests.
4. A basin map over two start coordinates: Himmelblau's function, Adam (α = 0.05, ε = 1e-8: at
   torch's α = 1e-3 few runs get anywhere in 1,000 steps), 400 × 400 starts (x₀, y₀), 1,000 steps,
   timed and measured as in 1; then the page's four default maps on it, 200 × 200 starts, and their
   figures.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import losses
import sweep
from charts.sweep import MAP_KINDS, sweep_figure
from optimisers.memory import keep_freed_memory_for_reuse

keep_freed_memory_for_reuse()
LOSS = losses.get("quartic")
LARGE = (sweep.Axis("x0", -2.5, 2.5, 400), sweep.Axis("alpha", 1e-3, 1.0, 400, log_scale=True), 1000)
PAGE = (sweep.Axis("x0", -2.5, 2.5, 200), sweep.Axis("alpha", 1e-3, 1.0, 200, log_scale=True), 200)
BASIN_LOSS = losses.get("himmelblau")
LARGE_BASIN = (sweep.Axis("x0", -5.0, 5.0, 400), sweep.Axis("y0", -5.0, 5.0, 400), 1000)
PAGE_BASIN = (sweep.Axis("x0", -5.0, 5.0, 200), sweep.Axis("y0", -5.0, 5.0, 200), 200)
BASIN_ADAM = {"alpha": 0.05, "eps": 1e-8}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def measured_sweep(loss: losses.Loss, grid: tuple, settings: dict) -> tuple[sweep.SweepMap, float]:
    """Adam over `grid` (x axis, y axis, steps) on `loss`, timed, then run again under tracemalloc."""
    x, y, steps = grid
    rss_before = peak_rss_mib()
    result, seconds = timed(sweep.sweep, loss, "adam", x, y, steps, settings)
    rss_growth = peak_rss_mib() - rss_before
    tracemalloc.start()
    sweep.sweep(loss, "adam", x, y, steps, settings)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"numpy  Adam on {loss.name}, {x.name} × {y.name}, {x.count} × {y.count} cells × {steps} steps: {seconds:.2f} s"
    )
    print(f"       peak memory: tracemalloc {traced_peak / 2**20:.1f} MiB; peak RSS grew {rss_growth:.1f} MiB")
    print("       (target ≤ 1.5 GB)")
    return result, seconds


def torch_adam(alphas: np.ndarray, starts: np.ndarray, steps: int) -> tuple[np.ndarray, float]:
    """Final x (len(alphas), len(starts)) of torch.optim.Adam, one parameter group per α."""
    import torch

    torch.set_num_threads(1)
    rows = [torch.tensor(starts, dtype=torch.float64) for _ in alphas]
    optimiser = torch.optim.Adam([{"params": [row], "lr": float(a)} for row, a in zip(rows, alphas, strict=True)])
    start = time.perf_counter()
    for _ in range(steps):
        for row in rows:
            row.grad = 4 * row**3 - 4 * row + 1
        optimiser.step()
    seconds = time.perf_counter() - start
    return torch.stack(rows).numpy(), seconds


def compare_with_torch(result: sweep.SweepMap, numpy_seconds: float) -> None:
    x, y, steps = LARGE
    torch_x, torch_seconds = torch_adam(y.values, x.values, steps)
    torch_ended_in = LOSS.nearest_minimum(torch_x[..., np.newaxis])
    agree = (torch_ended_in == result.ended_in).mean()
    print(f"torch  Adam, {y.count} groups × {x.count} starts, 1 thread: {torch_seconds:.2f} s")
    print(f"       numpy / torch time: {numpy_seconds / torch_seconds:.2f}; same minimum in {agree:.2%} of cells")
    _, one_group_seconds = torch_adam(np.array([1e-2]), np.tile(x.values, y.count), steps)
    print(f"torch  Adam, 1 group × {x.count * y.count} starts (one α, torch's best case): {one_group_seconds:.2f} s")
    print(f"       numpy / torch time: {numpy_seconds / one_group_seconds:.2f}")


def page_default(loss: losses.Loss, grid: tuple) -> None:
    x, y, steps = grid
    start = time.perf_counter()
    # The page's settings: ε = 1e-8 for the optimisers that have one.
    settings = {"gd": {}, "adagrad": {"eps": 1e-8}, "rmsprop": {"eps": 1e-8}, "adam": {"eps": 1e-8}}
    maps = [sweep.sweep(loss, optimiser, x, y, steps, settings[optimiser]) for optimiser in settings]
    seconds = time.perf_counter() - start
    grid_text = f"{x.name} × {y.name}, {x.count} × {y.count} cells × {steps} steps"
    print(f"page   {loss.name}, {grid_text} × {len(maps)} optimisers: {seconds:.2f} s")
    for kind in MAP_KINDS:
        figure, build_seconds = timed(sweep_figure, loss, maps, list(settings), kind, (100, 100))
        size = len(json.dumps(figure))
        print(f"       {kind} figure: built in {build_seconds:.2f} s, {size / 2**10:.0f} KiB of JSON")


def main() -> None:
    result, seconds = measured_sweep(LOSS, LARGE, {})
    compare_with_torch(result, seconds)
    page_default(LOSS, PAGE)
    measured_sweep(BASIN_LOSS, LARGE_BASIN, BASIN_ADAM)
    page_default(BASIN_LOSS, PAGE_BASIN)


if __name__ == "__main__":
    main()
