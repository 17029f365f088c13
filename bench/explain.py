"""Build time and size of the Playground's "Explain this step": every frame of every run written out. Prints,
asserts nothing.

    .venv/bin/python -m bench.explain [--repeats N]

The explanations are built once per change of setting while the toggle is on (and cached with the run), and sent
with the figure; times are medians of the repeats.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import losses
import optimisers
from article import explain
from bench.figure import ARTICLE_RUNS, PALETTE, median_ms

# The heaviest runs to write out, the ones with the most lines, on a map at the most steps a link allows.
HEAVY_MAP_RUNS = tuple(
    (optimiser, (-1.5, 2.0))
    for optimiser in ("schedulefree_adamw", "prodigy", "nadam", "radam", "amsgrad", "adafactor")
)


def explained(runs) -> list[explain.Explanation]:
    return [
        explain.explanation(optimiser.id, colour, optimiser, trajectory)
        for (optimiser, trajectory), colour in zip(runs, PALETTE, strict=False)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    article = [(optimisers.create(o, **settings), x0) for o, settings, x0 in ARTICLE_RUNS]
    heavy = [(optimisers.create(o), x0) for o, x0 in HEAVY_MAP_RUNS]
    cases = (
        ("landing page: RMSProp and Adam, 50 steps", losses.get("quartic"), article[3:5], 50),
        ("the article's 6 runs × 200 steps", losses.get("quartic"), article, 200),
        ("6 runs × 1,000 steps on Rosenbrock, the longest rules", losses.get("rosenbrock"), heavy, 1000),
    )
    for name, loss, runs, steps in cases:
        simulated = [
            (optimiser, optimisers.simulate(loss, optimiser, np.atleast_1d(np.asarray(x0, dtype=float)), steps))
            for optimiser, x0 in runs
        ]
        milliseconds, _ = median_ms(lambda simulated=simulated: explained(simulated), repeats)
        payload = [e.to_dict() for e in explained(simulated)]
        kilobytes = len(json.dumps(payload, separators=(",", ":"))) / 1000
        print(f"{name}: {milliseconds:.0f} ms to write out, {kilobytes:.0f} KB of JSON")


if __name__ == "__main__":
    main()
