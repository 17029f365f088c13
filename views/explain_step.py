"""The Playground's "Explain this step": each run's update at the step shown, written out with its numbers."""

from __future__ import annotations

import streamlit as st

from article import explain
from config import Run
from optimisers import Trajectory
from views.session import EXPLAIN


def toggle() -> None:
    st.toggle(
        "Explain this step: each run's update from the point shown, with its numbers",
        key=EXPLAIN,
        help="Under the animation, moved by its player. Hover over a symbol to see what it means.",
    )


@st.cache_data(max_entries=64, show_spinner=False)
def run_explanation(run: Run, trajectory: Trajectory) -> explain.Explanation:
    """Every step of one run written out (its own seed's trajectory, batch ())."""
    schedule = run.create_schedule()
    factors = schedule.factors(trajectory.steps) if schedule else None
    return explain.explanation(run.label, run.colour, run.create_optimiser(), trajectory, factors)


def explanations(runs: tuple[Run, ...], trajectories) -> list[explain.Explanation]:
    return [run_explanation(run, t) for run, t in zip(runs, trajectories, strict=True)]
