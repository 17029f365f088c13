"""Playground: pick a loss and up to six optimiser runs, and watch them descend side by side."""

from __future__ import annotations

import random

import numpy as np
import streamlit as st

import charts
import exports
import losses
import optimisers
from config import (
    FRAME_MS_RANGE,
    LAYOUTS,
    MAX_LABEL_LENGTH,
    MAX_NOISE,
    MAX_RUNS,
    MAX_STEPS,
    SEEDS_SHOWN,
    Config,
    Descent,
    Run,
    has_noise,
    run_inputs,
    to_query_params,
)
from losses.noise import MAX_SEED
from optimisers.ending import how_it_ended
from optimisers.simulate import BOUND, SETTLE_TOLERANCE
from views import explain_step, explore, session
from views.player import play
from views.session import EDITED_RUN, RUN_IDS, edited_run, run_key, schedule_key
from views.tuning import alpha_tuner
from views.widgets import (
    START_LABELS,
    chosen_loss,
    hyperparameter_input,
    layout_label,
    loss_input,
    optimiser_label,
    position_input,
    schedule_label,
    schedule_setting_input,
    show_figure,
)


@st.cache_data(max_entries=512, show_spinner=False)
def simulate_run(descent: Descent, run: Run):
    """The run's trajectory; on a noisy loss with the seeds shown, SEEDS_SHOWN of them (batch (seeds,)) in one
    call, the first the run's own seed."""
    loss, x0 = run_inputs(descent, run)
    return optimisers.simulate(loss, run.create_optimiser(), x0, descent.steps, schedule=run.create_schedule())


def run_controls(run_id: int, domain) -> None:
    state = st.session_state
    with st.container(border=True):
        st.selectbox(
            "Optimiser",
            list(optimisers.REGISTRY),
            key=run_key(run_id, "optimiser"),
            format_func=optimiser_label,
            on_change=session.label_follows_optimiser,
            args=(run_id, state[run_key(run_id, "optimiser")]),
        )
        spec = optimisers.REGISTRY[state[run_key(run_id, "optimiser")]]
        for h in spec.hyperparameters:
            hyperparameter_input(h, run_key(run_id, h.name))
        alpha_tuner(run_id)
        for option in spec.options:
            st.session_state.setdefault(run_key(run_id, option.name), option.default)
            st.checkbox(option.name.replace("_", " "), key=run_key(run_id, option.name), help=option.meaning)
        st.selectbox(
            "Learning-rate schedule",
            list(optimisers.SCHEDULES),
            key=run_key(run_id, "schedule"),
            format_func=schedule_label,
            help="A factor on α at every step, as torch.optim.lr_scheduler sets it; drawn in a row under the"
            " animation. The Theory page gives each one's formula.",
        )
        schedule_id = state[run_key(run_id, "schedule")]
        for setting in optimisers.SCHEDULES[schedule_id].settings:
            schedule_setting_input(setting, schedule_key(run_id, schedule_id, setting.name))
        for i, (low, high) in enumerate(domain):
            position_input(f"start {START_LABELS[i]}", run_key(run_id, f"x0_{i}"), low, high)
        label_column, colour_column = st.columns([3, 1], vertical_alignment="bottom")
        label_column.text_input("Label", key=run_key(run_id, "label"), max_chars=MAX_LABEL_LENGTH)
        colour_column.color_picker("Colour", key=run_key(run_id, "colour"))
        duplicate_column, remove_column = st.columns(2)
        duplicate_column.button(
            "Duplicate",
            key=f"duplicate{run_id}",
            on_click=session.duplicate_run,
            args=(run_id, domain),
            disabled=len(state[RUN_IDS]) >= MAX_RUNS,
            width="stretch",
        )
        remove_column.button(
            "Remove",
            key=f"remove{run_id}",
            on_click=session.remove_run,
            args=(run_id,),
            disabled=len(state[RUN_IDS]) <= 1,
            width="stretch",
        )


def start_runs_where_the_loss_suggests() -> None:
    """Once another loss is chosen: each run starts where that loss suggests (losses.suggested_start), not
    where it started on the last one, which may be this one's minimum or outside its domain."""
    loss, _ = chosen_loss("")
    if loss is None:
        return
    for index, run_id in enumerate(st.session_state[RUN_IDS]):
        for i, value in enumerate(losses.suggested_start(loss, index)):
            st.session_state[run_key(run_id, f"x0_{i}")] = value


def sidebar(loss: losses.Loss | None) -> None:
    state = st.session_state
    with st.sidebar:
        loss_input("", on_change=start_runs_where_the_loss_suggests)
        domain = session.runs_domain(loss)
        noise_controls(loss)
        st.number_input("Steps", min_value=1, max_value=MAX_STEPS, key="steps")
        st.slider("Milliseconds per frame", *FRAME_MS_RANGE, key="frame_ms", step=50)
        st.radio(
            "Layout",
            LAYOUTS,
            key="layout",
            horizontal=True,
            format_func=layout_label,
        )
        st.checkbox(
            "Log scale for the loss",
            key="log_loss",
            disabled=not session.internals_shown(),
            help="For the loss row inside the optimisers, under the animation.",
        )
        st.subheader("Runs")
        # One run's controls at a time: every widget drawn costs the browser time on every change.
        # Named by position, as in the legend's order: two runs may share a label, and a radio whose option
        # names change as a label is typed loses its selection in the browser.
        names = session.run_names()
        run_id = edited_run()
        st.radio("Edit", list(names), key=EDITED_RUN, format_func=names.get, horizontal=True)
        run_controls(run_id, domain)
        new_start = losses.suggested_start(loss, len(state[RUN_IDS])) if loss else losses.domain_middle(domain)
        st.button(
            "Add a run",
            on_click=session.add_run,
            args=(new_start,),
            disabled=len(state[RUN_IDS]) >= MAX_RUNS,
            width="stretch",
        )


def new_seed(key: str) -> None:
    st.session_state[key] = random.randrange(MAX_SEED + 1)


def noise_controls(loss: losses.Loss | None) -> None:
    """The noise every run's gradient gets: σ and its seed, or on a loss fitted to data its minibatches (the
    loss's batch size and seed, set with it above); a new seed; and the runs from 20 seeds at once."""
    state = st.session_state
    st.subheader("Noise")
    if isinstance(loss, losses.DataLoss):
        seed_key = "loss.seed"
        st.caption("The gradient is taken over minibatches: set the batch size and its seed with the loss above.")
    else:
        seed_key = "seed"
        sigma_column, seed_column = st.columns(2)
        sigma_column.number_input(
            "σ", key="noise", min_value=0.0, max_value=MAX_NOISE, format="%g", help="g̃ = ∇f + σ·ξ, ξ ~ N(0, 1)"
        )
        seed_column.number_input("seed", key="seed", min_value=0, max_value=MAX_SEED, step=1)
    new_column, seeds_column = st.columns([2, 3], vertical_alignment="center")
    new_column.button("New seed", key="new_seed", on_click=new_seed, args=(seed_key,), width="stretch")
    seeds_column.toggle(
        f"Show {SEEDS_SHOWN} seeds",
        key="seeds",
        help=f"Each run from {SEEDS_SHOWN} seeds in one call: on a map each seed's path faint and their median"
        " bold; the results give the spread of the final loss.",
    )
    if state["seeds"] and loss is not None and not has_noise(loss, state["noise"]):
        st.caption("There is no noise: every seed takes the same path.")


def seed_spread(final_losses: np.ndarray) -> dict[str, str]:
    """The final loss over the seeds: its median and the range from its 10th to its 90th percentile."""
    finite = final_losses[np.isfinite(final_losses)]
    if not finite.size:
        return {f"final loss, {SEEDS_SHOWN} seeds: median": "—", "10–90 %": "—"}
    low, middle, high = np.percentile(finite, [10, 50, 90])
    return {f"final loss, {SEEDS_SHOWN} seeds: median": f"{middle:.4g}", "10–90 %": f"{low:.4g} … {high:.4g}"}


def results_table(loss: losses.Loss, config: Config, trajectories, batches) -> None:
    """A row per run: its trajectory's end, and over a batch of seeds (its batch), their spread."""

    def step_or_dash(step) -> str:
        return str(int(step)) if step >= 0 else "—"

    rows = []
    for run, trajectory, batch in zip(config.runs, trajectories, batches, strict=True):
        rows.append(
            {
                "run": run.label,
                "optimiser": optimisers.REGISTRY[run.optimiser].name,
                "final x": ", ".join(f"{v:.6g}" for v in trajectory.final_x),
                "final loss": f"{final_loss:.6g}" if np.isfinite(final_loss := float(trajectory.final_loss)) else "—",
                "ended": how_it_ended(loss, trajectory),
                "settled at step": step_or_dash(trajectory.settled_at),
            }
            | (seed_spread(batch.final_loss) if batch.final_loss.ndim else {})
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(
        "On the chart, ★ marks a global minimum, ◆ a local one and × a saddle point. A run has settled once no"
        f" step moves it by more than {SETTLE_TOLERANCE:g}; it has diverged once its point, loss or gradient is"
        f" no longer a finite number, or the point is beyond ±{BOUND:g}."
    )


def downloads(loss: losses.Loss, config: Config, trajectories, animation: dict) -> None:
    csv_column, html_column = st.columns(2)
    csv_column.download_button(
        "Trajectories (CSV)",
        lambda: exports.trajectories_csv(
            [r.label for r in config.runs], [r.optimiser for r in config.runs], trajectories
        ),
        file_name="descent-lab-trajectories.csv",
        mime="text/csv",
        width="stretch",
    )
    html_column.download_button(
        "Animation (HTML, plays offline)",
        lambda: exports.animation_html(
            animation,
            title=f"Descent Lab: {loss.name}",
            lines=[f"f = {loss.expression}", *(exports.run_description(run) for run in config.runs)],
            frame_ms=config.frame_ms,
        ),
        file_name="descent-lab-animation.html",
        mime="text/html",
        width="stretch",
    )
    # A toggle, not an expander: a collapsed expander's scripts would still be sent and highlighted on every change.
    if st.toggle(
        "Copy as PyTorch",
        key="pytorch",
        help="A script per run that reproduces it with its reference: torch.optim, pytorch_optimizer, "
        "schedulefree or prodigyopt.",
    ):
        if has_noise(loss, config.noise):
            st.caption("The scripts take the exact gradient: they leave out the noise.")
        for run in config.runs:
            if exports.torch_equivalent(run):
                st.code(exports.pytorch_script(loss, run, config.steps), language="python")
            else:
                st.info(f"{run.label} uses the article's variant of its algorithm, which torch.optim does not have.")


def show_map(animation: dict, loss: losses.Loss, config: Config, trajectories, explanations) -> None:
    """The animation over a map, whose clicks move the start of the run being edited, with the runs'
    `explanations` of each step; the arrows explained; the 3-D surface on request."""
    state = st.session_state
    click_target = edited_run()
    play(
        animation,
        key="animation",
        frame_ms=config.frame_ms,
        on_click=lambda x, y: move_start_to_click(click_target, loss.domain, (x, y)),
        explanations=explanations,
    )
    clicked_run = config.runs[state[RUN_IDS].index(click_target)].label
    st.caption(
        f"A click on the map starts **{clicked_run}** (the run being edited in the sidebar) there. At each"
        " step, the solid arrow is the step the optimiser took and the dotted one the direction of steepest"
        " descent, −∇f. A plain gradient step always follows −∇f; an adaptive method turns away from it by"
        " scaling each coordinate by its own learning rate."
    )
    if st.toggle("3-D surface", key="surface"):
        labels = [r.label for r in config.runs]
        colours = [r.colour for r in config.runs]
        paths = [t.x for t in trajectories]
        show_figure(charts.surface_figure(loss, labels, colours, paths), key="surface_3d")


def move_start_to_click(run_id: int, domain, clicked: tuple[float, float]) -> None:
    """Start run `run_id` at the point clicked on the map (to 4 digits: a click is not that precise), held
    inside the domain."""
    for i, value in enumerate(losses.clamped((float(f"{v:.4g}") for v in clicked), domain)):
        st.session_state[run_key(run_id, f"x0_{i}")] = value


def main() -> None:
    messages = session.restore()
    session.keep_undrawn_settings()
    loss, _ = chosen_loss("")
    config = session.read_config(loss)
    session.remember(config)
    st.title("Playground")
    st.markdown(
        "Press **▶ Play** to watch each optimiser step down the loss; then change a setting in the sidebar, such as"
        " the learning rate α, and play again to see what it changes."
    )
    for message in messages:
        st.warning(message, icon=":material/link:")
    if loss is None:
        st.info("Fix the formula in the sidebar to see the runs.", icon=":material/edit:")
    else:
        descent(loss, config)
    # The sidebar and then the URL come last, so that the animation reaches the browser first and is drawn
    # while they arrive.
    sidebar(loss)
    st.query_params.from_dict(to_query_params(config))


def descent(loss: losses.Loss, config: Config) -> None:
    """The animation with the internals, the results and the downloads."""
    batches = [simulate_run(config.descent, run) for run in config.runs]
    # With the seeds shown, each run's own seed is the first of its batch; a map draws the others faint.
    trajectories = [batch.run(0) if batch.final_loss.ndim else batch for batch in batches]
    traces = [
        charts.RunTrace(
            r.label,
            r.colour,
            t,
            schedule.factors(config.steps) if (schedule := r.create_schedule()) else None,
            batch.x if batch.final_loss.ndim and loss.dim == 2 else None,
        )
        for r, t, batch in zip(config.runs, trajectories, batches, strict=True)
    ]
    view = charts.default_view(loss)

    # Filled once the animation is sent, so that it reaches the browser first.
    controls = st.container()
    animation = charts.playground_figure(
        loss, traces, layout=config.layout, view=view, log_loss=config.log_loss, internals=config.internals
    )
    explanations = explain_step.explanations(config.runs, trajectories) if config.explain else []
    if loss.dim == 1:
        play(animation, key="animation", frame_ms=config.frame_ms, explanations=explanations)
    else:
        show_map(animation, loss, config, trajectories, explanations)
    with controls:
        st.subheader("The descent")
        st.toggle(
            "Inside the optimisers: the loss, x, learning rate, step size and accumulators at every step",
            key="internals",
            help="Rows under the animation, moved by its player: a dotted line marks the step shown on each."
            " Left off, a change of setting is redrawn sooner.",
        )
        explain_step.toggle()
    for trace in traces:
        status = charts.run_status(trace, view)
        if status:
            st.warning(f"{trace.label}: {status}", icon=":material/warning:")
    explore.section(loss, config, view)

    st.subheader("Results")
    results_table(loss, config, trajectories, batches)
    downloads(loss, config, trajectories, animation)


main()
