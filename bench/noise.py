"""Benchmark noisy gradients: prints figures, asserts nothing.

    .venv/bin/python bench/noise.py

What the Playground's "show 20 seeds" costs: each run is one `simulate` call over 20 copies of its start,
with additive noise on Himmelblau's function and with minibatches on the Old Faithful line, against the
same call without noise, and against one seed alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import losses
import optimisers

STEPS, SEEDS, REPEATS = 300, 20, 7


def median_ms(call) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main() -> None:
    adam = optimisers.create("adam", alpha=0.1)
    cases = [
        ("Himmelblau", losses.get("himmelblau"), losses.noisy(losses.get("himmelblau"), 2.0, seed=1), [0.5, -4.0]),
        ("Old Faithful", losses.get("faithful"), losses.get("faithful", batch_size=16, seed=1), [0.0, 60.0]),
    ]
    for name, exact, noisy, start in cases:
        seeds = np.repeat([start], SEEDS, axis=0)
        one_call = median_ms(lambda: optimisers.simulate(noisy, adam, seeds, STEPS))  # noqa: B023
        without = median_ms(lambda: optimisers.simulate(exact, adam, seeds, STEPS))  # noqa: B023
        alone = median_ms(lambda: optimisers.simulate(noisy, adam, seeds[0], STEPS))  # noqa: B023
        print(
            f"{name}: {SEEDS} seeds × {STEPS} steps in one call {one_call:.0f} ms "
            f"(without noise {without:.0f} ms; one seed alone {alone:.0f} ms)"
        )


if __name__ == "__main__":
    main()
