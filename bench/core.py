"""Speed and memory of the numpy core next to torch.optim doing the same work. Prints, asserts nothing.

    .venv/bin/python bench/core.py [--repeats N]

Both sides run single-threaded in this process, in interleaved repeats; the figures are medians.
Goals: a batch at least 1.5× and a single trajectory at least 3× as fast as torch.optim, for Adam and RMSProp.
A bare numpy Adam loop beside them shows how far numpy alone, one pass over memory per operation, can go.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

# Before numpy and torch load, so that no library starts a thread pool of its own.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import losses  # noqa: E402
import optimisers  # noqa: E402
from optimisers.memory import keep_freed_memory_for_reuse  # noqa: E402

torch.set_num_threads(1)
keep_freed_memory_for_reuse()
QUARTIC = losses.get("quartic")
ALPHA = 0.01


def quartic_slope(x: torch.Tensor) -> torch.Tensor:
    return 4 * x * x * x - 4 * x + 1


TORCH_OPTIMISERS = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}  # at their defaults but lr


def numpy_run(id: str, starts: np.ndarray, steps: int, record: str, alpha=ALPHA) -> np.ndarray:
    optimiser = optimisers.create(id, alpha=alpha)
    return optimisers.simulate(QUARTIC, optimiser, starts[..., None], steps, record).final_x[..., 0]


def torch_run(id: str, starts: np.ndarray, steps: int, record: bool, alphas=None) -> np.ndarray:
    """torch.optim's `id` from `starts`; with `alphas` (rows,), one parameter group per row of starts."""
    if alphas is None:
        params = [torch.nn.Parameter(torch.tensor(starts, dtype=torch.float64))]
        optimiser = TORCH_OPTIMISERS[id](params, lr=ALPHA)
    else:
        params = [torch.nn.Parameter(torch.tensor(row, dtype=torch.float64)) for row in starts]
        groups = [{"params": [p], "lr": float(a)} for p, a in zip(params, alphas, strict=True)]
        optimiser = TORCH_OPTIMISERS[id](groups)
    points = torch.empty((steps + 1, *params[0].shape), dtype=torch.float64) if record else None
    if record:
        points[0] = params[0].detach()
    for step in range(1, steps + 1):
        for param in params:
            param.grad = quartic_slope(param.detach())
        optimiser.step()
        if record:
            points[step] = params[0].detach()
    return torch.stack([p.detach() for p in params]).squeeze(0).numpy()


def bare_numpy_adam(starts: np.ndarray, steps: int) -> np.ndarray:
    """What numpy alone can do: Adam written out in place on preallocated arrays with the quartic's slope by
    hand, no loss value, no checks, nothing recorded (torch's order of operations)."""
    x, m, v = starts.copy(), np.zeros_like(starts), np.zeros_like(starts)
    slope, scratch = np.empty_like(starts), np.empty_like(starts)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        np.multiply(x, x, out=slope)  # 4x(x² − 1) + 1
        slope -= 1
        slope *= x
        slope *= 4
        slope += 1
        m *= beta1
        np.multiply(slope, 1 - beta1, out=scratch)
        m += scratch
        slope *= slope
        slope *= 1 - beta2
        v *= beta2
        v += slope
        np.sqrt(v, out=scratch)
        scratch *= 1 / math.sqrt(1 - beta2**step)
        scratch += eps
        np.divide(m, scratch, out=scratch)
        scratch *= ALPHA / (1 - beta1**step)
        x -= scratch
    return x


def timed(function, *args) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def compare(title: str, numpy_run, torch_run, repeats: int, goal: float | None = None) -> None:
    """Interleaved repeats of both runs; prints the medians, their ratio and the largest difference."""
    numpy_times, torch_times = [], []
    for _ in range(repeats):
        seconds, numpy_result = timed(numpy_run)
        numpy_times.append(seconds)
        seconds, torch_result = timed(torch_run)
        torch_times.append(seconds)
    numpy_median, torch_median = statistics.median(numpy_times), statistics.median(torch_times)
    ratio = torch_median / numpy_median
    verdict = "" if goal is None else f"  (goal ≥ {goal}×: {'met' if ratio >= goal else 'NOT met'})"
    print(f"{title}")
    print(f"  numpy {numpy_median * 1e3:9.1f} ms   [{', '.join(f'{t * 1e3:.0f}' for t in numpy_times)}]")
    print(f"  torch {torch_median * 1e3:9.1f} ms   [{', '.join(f'{t * 1e3:.0f}' for t in torch_times)}]")
    difference = np.abs(numpy_result - torch_result)
    print(f"  torch/numpy = {ratio:.2f}×{verdict}")
    print(f"  max |Δ final x| = {difference.max():.1e}; runs within 1e-9 of torch: {np.mean(difference <= 1e-9):.2%}")


def peak_memory(run) -> int:
    """Peak bytes that `run` allocates while it runs; numpy reports its array buffers to tracemalloc."""
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads: torch {torch.get_num_threads()}\n")
    # The first torch.optim step imports and sets up much of torch (about a second): keep it out of the figures.
    for id in TORCH_OPTIMISERS:
        numpy_run(id, np.zeros(3), 2, "all")
        torch_run(id, np.zeros(3), 2, record=True)

    starts = np.linspace(-2.5, 2.5, 100_000)
    for id, name in (("adam", "Adam"), ("rmsprop", "RMSProp")):
        compare(
            f"(a) batch: {name}, 100,000 starts × 200 steps, record='final'",
            lambda id=id: numpy_run(id, starts, 200, "final"),
            lambda id=id: torch_run(id, starts, 200, record=False),
            repeats,
            goal=1.5,
        )
    compare(
        "(a') the same Adam batch as a bare numpy loop (in place, the slope by hand, no f, no checks)",
        lambda: bare_numpy_adam(starts, 200),
        lambda: torch_run("adam", starts, 200, record=False),
        repeats,
    )

    one = np.array([0.3])
    for id, name in (("adam", "Adam"), ("rmsprop", "RMSProp")):
        compare(
            f"(b) single trajectory: {name}, 1 start × 1,000 steps, everything recorded (torch records x)",
            lambda id=id: numpy_run(id, one, 1000, "all"),
            lambda id=id: torch_run(id, one, 1000, record=True),
            repeats,
            goal=3.0,
        )

    grid_starts = np.linspace(-2.5, 2.5, 400)
    # At the largest α some 1,000-step runs are chaotic: there the two sides part by rounding alone.
    grid_alphas = np.geomspace(1e-4, 1.0, 400)
    # Starts down the rows, α along the columns, as the Sweep page lays out a grid.
    starts_grid = np.broadcast_to(grid_starts[:, None], (400, 400))
    compare(
        # torch.optim takes one learning rate per parameter group, so each α is a group of 400 starts.
        "(c) grid: Adam, 400 starts × 400 α × 1,000 steps, record='final' (torch: one parameter group per α)",
        lambda: numpy_run("adam", grid_starts[:, None], 1000, "final", alpha=grid_alphas),
        lambda: torch_run("adam", starts_grid.T, 1000, record=False, alphas=grid_alphas).T,
        max(1, repeats // 2),
    )
    compare(
        "(c') 160,000 starts × 1,000 steps with one α on both sides: the grid's size at torch's best",
        lambda: numpy_run("adam", starts_grid, 1000, "final"),
        lambda: torch_run("adam", starts_grid, 1000, record=False),
        max(1, repeats // 2),
    )
    peak = peak_memory(lambda: numpy_run("adam", grid_starts[:, None], 1000, "final", alpha=grid_alphas))
    cell_array = 400 * 400 * 8
    print(
        f"    peak memory of the numpy grid run (tracemalloc): {peak / 2**20:.1f} MiB"
        f" = {peak / cell_array:.0f} arrays of 400×400 float64"
    )


if __name__ == "__main__":
    main()
