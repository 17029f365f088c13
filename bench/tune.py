"""Benchmark tuning: prints figures, asserts nothing.

    .venv/bin/python bench/tune.py

What `optimisers.tune` costs, 61 values of α in one `simulate` call, against a loop of one call per α, taking
turns: for the Playground's landing run, for its heaviest (1,000 steps of minibatches from 20 seeds), and for
one optimiser of the Sweep page's tuned verdict on Himmelblau (20 × 20 starts, 200 steps).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import losses
import optimisers
from optimisers.tuning import default_values

REPEATS = 3


def seconds(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def one_call_per_value(loss, optimiser_id: str, x0, steps: int, **fixed) -> None:
    for alpha in default_values(optimisers.REGISTRY[optimiser_id].hyperparameter("alpha")):
        optimisers.simulate(loss, optimisers.create(optimiser_id, alpha=alpha, **fixed), x0, steps, record="final")


def main() -> None:
    starts = np.stack(np.meshgrid(np.linspace(-5, 5, 20), np.linspace(-5, 5, 20)), axis=-1)
    cases = [
        (
            "Playground, landing: RMSProp on the quartic, 1 start × 50 steps",
            losses.get("quartic"),
            "rmsprop",
            [0.1],
            50,
        ),
        (
            "Playground, heaviest: Adam on the Old Faithful line, minibatches of 16, 20 seeds × 1,000 steps",
            losses.get("faithful", batch_size=16, seed=1),
            "adam",
            np.repeat([[0.0, 60.0]], 20, axis=0),
            1000,
        ),
        (
            "Sweep, tuned verdict: Adam on Himmelblau, 20 × 20 starts × 200 steps",
            losses.get("himmelblau"),
            "adam",
            starts,
            200,
        ),
    ]
    for name, loss, optimiser_id, x0, steps in cases:
        batched, looped = [], []
        for _ in range(REPEATS):
            batched.append(seconds(lambda: optimisers.tune(loss, optimiser_id, x0, steps)))  # noqa: B023
            looped.append(seconds(lambda: one_call_per_value(loss, optimiser_id, x0, steps)))  # noqa: B023
        one, loop = 1000 * np.median(batched), 1000 * np.median(looped)
        print(f"{name}: tune {one:.0f} ms, a call per α {loop:.0f} ms ({loop / one:.1f}× as long)")


if __name__ == "__main__":
    main()
