"""Tune α: a run's final loss against its learning rate, shown before one click applies the best."""

from __future__ import annotations

import numpy as np
import streamlit as st

import optimisers
from charts.tuning import tuning_figure
from config import SEEDS_SHOWN, Descent, Run, has_noise, run_inputs
from optimisers.tuning import DEFAULT_COUNT, default_values
from views.session import RUN_IDS, remembered, run_key
from views.widgets import chosen_loss, set_hyperparameter, show_figure


@st.cache_data(max_entries=64, show_spinner=False)
def tune_run(descent: Descent, run: Run) -> optimisers.Tuning:
    """The run's final loss at the α that a tuning tries by default and at its own α, with everything else as the
    run has it: its other settings, schedule, start, and the noise it sees (over its seeds, when they are shown)."""
    loss, x0 = run_inputs(descent, run)
    hyperparameter = optimisers.REGISTRY[run.optimiser].hyperparameter("alpha")
    values = np.union1d(default_values(hyperparameter), [run.hyperparameters["alpha"]])
    fixed = {name: value for name, value in run.hyperparameters.items() if name != "alpha"}
    schedule = run.create_schedule()
    return optimisers.tune(
        loss, run.optimiser, x0, descent.steps, values=values, schedule=schedule, **fixed, **run.options
    )


def values_tried(optimiser_id: str) -> str:
    """Which values of α a tuning tries by default, in words: "61 values of α from 0.0001 to 10"."""
    alpha = optimisers.REGISTRY[optimiser_id].hyperparameter("alpha")
    return f"{DEFAULT_COUNT} values of α from {alpha.slider_low:g} to {alpha.slider_high:g}"


def apply_alpha(run_id: int, optimiser_id: str, value: float) -> None:
    alpha = optimisers.REGISTRY[optimiser_id].hyperparameter("alpha")
    set_hyperparameter(alpha, run_key(run_id, "alpha"), value)


def alpha_tuner(run_id: int) -> None:
    """A "Tune α" switch in run `run_id`'s controls: on, the run's final loss against α, and a button that
    sets the run's α to the best."""
    tried = values_tried(st.session_state[run_key(run_id, "optimiser")])
    if not st.toggle("Tune α", key=run_key(run_id, "tune"), help=f"Try {tried} at once."):
        return
    loss, _ = chosen_loss("")
    if loss is None:
        st.caption("Fix the formula to tune α.")
        return
    state = st.session_state
    config = remembered()
    run = config.runs[state[RUN_IDS].index(run_id)]
    with st.spinner(f"Trying {DEFAULT_COUNT} values of α…"):
        tuning = tune_run(config.descent, run)
    if not np.isfinite(tuning.best_loss):
        st.warning(f"From every α tried, {run.label} diverges within {config.steps} steps.")
        return
    current = run.hyperparameters["alpha"]
    current_loss = float(tuning.final_loss[np.flatnonzero(tuning.values == current)[0]])
    show_figure(tuning_figure(tuning, "α", current, run.colour), key=f"tuning{run_id}")
    over_seeds = f", the mean over its {SEEDS_SHOWN} seeds" if config.seeds and has_noise(loss, config.noise) else ""
    st.caption(
        f"Final loss after {config.steps} steps{over_seeds}; a gap where the run diverged. Best α = "
        f"{tuning.best:g}: {tuning.best_loss:.4g}; this run's α = {current:g}: "
        f"{f'{current_loss:.4g}' if np.isfinite(current_loss) else 'diverged'}."
    )
    st.button(
        f"Apply α = {tuning.best:g}",
        key=f"apply_tuned_alpha{run_id}",  # not a run_key: keep_undrawn_settings would set it
        on_click=apply_alpha,
        args=(run_id, run.optimiser, tuning.best),
        disabled=tuning.best == current,
        width="stretch",
    )
