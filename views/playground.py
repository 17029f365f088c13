"""Playground: pick a loss and up to six optimiser runs, and watch them descend side by side."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

import charts
import exports
import losses
import optimisers
from config import (
    CUSTOM_DOMAIN,
    FRAME_MS_RANGE,
    MAX_EXPRESSION_LENGTH,
    MAX_RUNS,
    MAX_STEPS,
    Config,
    Run,
    from_query_params,
    resolve_loss,
    to_query_params,
    valid_domain,
)
from views import session
from views.session import EDITED_RUN, RUN_IDS, edited_run, run_key
from views.widgets import (
    START_LABELS,
    chosen_loss,
    hyperparameter_input,
    loss_input,
    position_input,
    show_figure,
)


@st.cache_data(max_entries=512, show_spinner=False)
def simulate_run(config: Config, run: Run):
    loss = resolve_loss(config.loss, config.expression, config.domain, config.loss_settings)
    return optimisers.simulate(loss, run.create_optimiser(), np.array(run.x0), config.steps)


def restore_settings() -> list[str]:
    """Fill the widgets once per visit: from the URL on a fresh session, else as last left."""
    state = st.session_state
    if "loss" in state:
        return []
    if "playground_config" in state:
        session.load(state["playground_config"])
        return []
    config, messages = from_query_params(st.query_params.to_dict())
    session.load(config)
    session.keep_what_the_browser_sent()
    return messages


def run_controls(run_id: int, domain) -> None:
    state = st.session_state
    with st.container(border=True):
        st.selectbox(
            "Optimiser",
            list(optimisers.REGISTRY),
            key=run_key(run_id, "optimiser"),
            format_func=lambda i: optimisers.REGISTRY[i].name,
        )
        spec = optimisers.REGISTRY[state[run_key(run_id, "optimiser")]]
        for h in spec.hyperparameters:
            hyperparameter_input(h, run_key(run_id, h.name))
        for option in spec.options:
            st.session_state.setdefault(run_key(run_id, option.name), option.default)
            st.checkbox(option.name.replace("_", " "), key=run_key(run_id, option.name), help=option.meaning)
        for i, (low, high) in enumerate(domain):
            position_input(f"start {START_LABELS[i]}", run_key(run_id, f"x0_{i}"), low, high)
        label_column, colour_column = st.columns([3, 1], vertical_alignment="bottom")
        label_column.text_input("Label", key=run_key(run_id, "label"), max_chars=40)
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


def runs_domain(loss: losses.Loss | None):
    """Where the runs start: the loss's domain, or while a formula or its domain is being fixed, a usable one."""
    if loss:
        return loss.domain
    state = st.session_state
    typed_domain = (float(state["domain_low"]), float(state["domain_high"]))
    return (typed_domain if valid_domain(typed_domain) else CUSTOM_DOMAIN,)


def current_config(loss: losses.Loss | None) -> Config:
    """The settings the sidebar's widgets hold, read from session state."""
    state = st.session_state
    domain = runs_domain(loss)
    return Config(
        loss=state["loss"],
        expression=state["expression"][:MAX_EXPRESSION_LENGTH],
        domain=(float(state["domain_low"]), float(state["domain_high"])),
        runs=tuple(session.read_run(run_id, domain) for run_id in state[RUN_IDS]),
        steps=min(max(int(state["steps"]), 1), MAX_STEPS),  # a reconnecting browser's value is not checked
        layout=state["layout"],
        frame_ms=int(state["frame_ms"]),
        log_loss=bool(state["log_loss"]),
        loss_settings=loss.settings if loss else (),
        internals=bool(state["internals"]),
    )


def sidebar(loss: losses.Loss | None) -> None:
    state = st.session_state
    with st.sidebar:
        loss_input("")
        domain = runs_domain(loss)
        st.number_input("Steps", min_value=1, max_value=MAX_STEPS, key="steps")
        st.slider("Milliseconds per frame", *FRAME_MS_RANGE, key="frame_ms", step=50)
        st.radio(
            "Layout",
            ("overlay", "side_by_side"),
            key="layout",
            horizontal=True,
            format_func=lambda v: "Overlay" if v == "overlay" else "Side by side",
        )
        st.checkbox(
            "Log scale for the loss",
            key="log_loss",
            disabled=not state["internals"],
            help="For the loss row inside the optimisers, under the animation.",
        )
        st.subheader("Runs")
        # One run's controls at a time: every widget drawn costs the browser time on every change.
        # Named by position, as in the legend's order: two runs may share a label, and a radio whose option
        # names change as a label is typed loses its selection in the browser.
        names = {run_id: f"Run {n}" for n, run_id in enumerate(state[RUN_IDS], 1)}
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


def results_table(loss: losses.Loss, config: Config, trajectories) -> None:
    rows = []
    for run, trajectory in zip(config.runs, trajectories, strict=True):
        nearest = int(loss.nearest_minimum(trajectory.final_x))
        if trajectory.diverged_at >= 0:
            ended = "diverged"
        elif nearest < 0:
            ended = "no minimum"
        else:
            ended = "global minimum" if loss.minima[nearest].is_global else "local minimum"
        rows.append(
            {
                "run": run.label,
                "optimiser": optimisers.REGISTRY[run.optimiser].name,
                "final x": ", ".join(f"{v:.6g}" for v in trajectory.final_x),
                "final loss": f"{final_loss:.6g}" if np.isfinite(final_loss := float(trajectory.final_loss)) else "—",
                "ended in": ended,
                "settled at step": int(trajectory.settled_at) if trajectory.settled_at >= 0 else None,
                "diverged at step": int(trajectory.diverged_at) if trajectory.diverged_at >= 0 else None,
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")


def opening_step(steps: int) -> int:
    """The step the animation opens at, held to the runs' length."""
    state = st.session_state
    state["step"] = min(state.get("step", 0), steps)
    return state["step"]


def step_controls(steps: int) -> None:
    state = st.session_state
    back, slider, forward = st.columns([1, 10, 1], vertical_alignment="bottom")
    back.button("◀", key="step_back", on_click=lambda: state.update(step=max(state["step"] - 1, 0)), help="Step back")
    forward.button(
        "▶", key="step_forward", on_click=lambda: state.update(step=min(state["step"] + 1, steps)), help="Step forward"
    )
    slider.slider("Open at step", 0, steps, key="step")


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
        lambda: exports.animation_html(animation),
        file_name="descent-lab-animation.html",
        mime="text/html",
        width="stretch",
    )
    # A toggle, not an expander: a collapsed expander's scripts would still be sent and highlighted on every change.
    if st.toggle("Copy as PyTorch", key="pytorch", help="A script per run that reproduces it with torch.optim."):
        for run in config.runs:
            if exports.torch_equivalent(run):
                st.code(exports.pytorch_script(loss, run, config.steps), language="python")
            else:
                st.info(f"{run.label} uses the article's variant of its algorithm, which torch.optim does not have.")


def show_map(animation: dict, loss: losses.Loss, config: Config, trajectories) -> None:
    """The animation over a map, whose clicks move the start of the run being edited; the arrows
    explained; the 3-D surface on request."""
    state = st.session_state
    click_target = edited_run()
    show_figure(animation, key="animation", on_click=lambda: move_start_to_click(click_target, loss.domain))
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


def move_start_to_click(run_id: int, domain) -> None:
    """Start run `run_id` at the point clicked on the map (to 4 digits: a click is not that precise), held
    inside the domain."""
    points = st.session_state["animation"]["selection"]["points"]
    if not points:
        return
    clicked = (points[0]["x"], points[0]["y"])
    for i, (value, (low, high)) in enumerate(zip(clicked, domain, strict=True)):
        st.session_state[run_key(run_id, f"x0_{i}")] = min(max(float(f"{value:.4g}"), low), high)


def main() -> None:
    messages = restore_settings()
    session.keep_undrawn_settings()
    loss, _ = chosen_loss("")
    config = current_config(loss)
    st.session_state["playground_config"] = config
    st.title("Playground")
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
    trajectories = [simulate_run(replace(config, runs=()), run) for run in config.runs]
    traces = [charts.RunTrace(r.label, r.colour, t) for r, t in zip(config.runs, trajectories, strict=True)]
    view = charts.default_view(loss)

    # Filled once the animation is sent, so that it reaches the browser first.
    controls = st.container()
    animation = charts.playground_figure(
        loss,
        traces,
        layout=config.layout,
        view=view,
        frame_ms=config.frame_ms,
        step=opening_step(config.steps),
        log_loss=config.log_loss,
        internals=config.internals,
    )
    if loss.dim == 1:
        show_figure(animation, key="animation")
    else:
        show_map(animation, loss, config, trajectories)
    with controls:
        st.subheader("The descent")
        step_controls(config.steps)
        st.toggle(
            "Inside the optimisers: the loss, x, learning rate, step size and accumulators at every step",
            key="internals",
            help="Rows under the animation, on its frames: the frame slider marks its step on each of them."
            " Left off, a change of setting is redrawn sooner.",
        )
    for trace in traces:
        status = charts.run_status(trace, view)
        if status:
            st.warning(f"{trace.label}: {status}", icon=":material/warning:")

    st.subheader("Results")
    results_table(loss, config, trajectories)
    downloads(loss, config, trajectories, animation)


main()
