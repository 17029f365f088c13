"""The Playground's "Explore a setting": one setting of one run at a few dozen values, computed in one batched
simulate call, and a slider on the chart that switches the run's whole path between them in the browser."""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np
import streamlit as st

import optimisers
from charts.common import View
from charts.explore import explore_figure
from config import Config, Descent, explorable_settings, has_noise, noisy_loss
from optimisers import HyperParameter, Trajectory
from optimisers.tuning import default_values
from views.player import play
from views.session import EXPLORE, EXPLORED_RUN, EXPLORED_SETTING
from views.widgets import START_LABELS, hyperparameter_label, plain_symbol

_OPENED_AT = "explore_opened_at"  # the run, setting and values that the explorer last opened at the run's own
VALUES = 40  # the run's own value among them


def spread(h: HyperParameter, current: float) -> tuple[np.ndarray, int]:
    """VALUES − 1 values over the hyperparameter's slider range, as a tuning tries them, with `current` among
    them; and where it is."""
    return with_current(default_values(h, VALUES - 1), current)


def distinct_labels(values: np.ndarray) -> list[str]:
    """Each value to the fewest significant digits, 4 at least, that tell them all apart (β's crowd near 1)."""
    for digits in range(4, 18):
        labels = [f"{v:.{digits}g}" for v in values]
        if len(set(labels)) == len(labels):
            break
    return [label.replace("-", "−") for label in labels]


def with_current(values: np.ndarray, current: float) -> tuple[np.ndarray, int]:
    values = np.unique(np.append(values, current))
    return values, int(np.searchsorted(values, current))


@st.cache_data(max_entries=32, show_spinner=False)
def explore_run(descent: Descent, run, setting: str) -> tuple[np.ndarray, int, Trajectory]:
    """The values explored, where the run's own is among them, and the run at each (batch (values,)), in one
    simulate call."""
    loss = noisy_loss(descent.loss.resolve(), descent.noise, descent.seed)
    x0 = np.array(run.x0)
    settings = {**run.hyperparameters, **run.options}
    if setting.startswith("x0_"):
        coordinate = int(setting[3:])
        values, index = with_current(np.linspace(*loss.domain[coordinate], VALUES - 1), run.x0[coordinate])
        x0 = np.repeat(x0[None], len(values), axis=0)
        x0[:, coordinate] = values
    else:
        hyperparameter = optimisers.REGISTRY[run.optimiser].hyperparameter(setting)
        values, index = spread(hyperparameter, run.hyperparameters[setting])
        settings[setting] = values
    optimiser = optimisers.create(run.optimiser, **settings)
    trajectory = optimisers.simulate(loss, optimiser, x0, descent.steps, schedule=run.create_schedule())
    # Only the paths are drawn: the cache keeps them without the gradients, learning rates and accumulators.
    return values, index, replace(trajectory, grad=None, lr=None, state={})


def section(loss, config: Config, view: View) -> None:
    """The toggle, and when it is on, the run and setting to explore and the chart with its slider."""
    state = st.session_state
    if not st.toggle(
        "Explore a setting: switch one setting of a run between 40 values and see its path change",
        key=EXPLORE,
        help="All the values are computed at once; the slider above the chart switches between them in the"
        " browser, and the chart on its right gives the final loss for each.",
    ):
        return
    runs = config.runs
    # As the settings read them, held to what the runs have.
    state[EXPLORED_RUN], state[EXPLORED_SETTING] = config.explored
    run_column, setting_column = st.columns(2)
    number = run_column.selectbox(
        "Run", range(len(runs)), key=EXPLORED_RUN, format_func=lambda i: f"Run {i + 1}: {runs[i].label}"
    )
    run = runs[number]
    spec = optimisers.REGISTRY[run.optimiser]
    setting = setting_column.selectbox(
        "Setting",
        explorable_settings(run, loss.dim),
        key=EXPLORED_SETTING,
        format_func=lambda s: (
            f"start {START_LABELS[int(s[3:])]}" if s.startswith("x0_") else hyperparameter_label(spec.hyperparameter(s))
        ),
    )
    values, index, trajectory = explore_run(config.descent, run, setting)
    if setting.startswith("x0_"):
        symbol, log_axis = START_LABELS[int(setting[3:])], False
    else:
        hyperparameter = spec.hyperparameter(setting)
        symbol, log_axis = plain_symbol(hyperparameter.symbol), hyperparameter.log_scale
    figure = explore_figure(loss, view, html.escape(run.label), run.colour, symbol, values, trajectory, index, log_axis)
    shown = distinct_labels(values)
    counter = [f"{symbol} = {v}" + (" (the run's)" if j == index else "") for j, v in enumerate(shown)]
    # The run's own value is shown when the values change, not after every rerun: a value the user moved to stays.
    opened = (number, setting, tuple(values))
    frame = index if state.get(_OPENED_AT) != opened else None
    state[_OPENED_AT] = opened
    play(figure, key="explore_player", frame_ms=config.frame_ms, labels=(counter, shown), frame=frame)
    diverged = int((trajectory.diverged_at >= 0).sum())
    st.caption(
        f"{run.label}'s whole path at each of {len(values)} values of {symbol}, its own marked; the chart on the"
        " right gives the final loss at each value"
        + (f" (a gap where the run diverged or left the domain: {diverged} of them)." if diverged else ".")
        + (" The paths of the neighbouring values are drawn faintly." if loss.dim == 2 else "")
        + (
            " With a noisy gradient, each start draws its own noise, as each run of a batch does."
            if setting.startswith("x0_") and has_noise(loss, config.noise)
            else ""
        )
    )
