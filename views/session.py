"""The Playground's widget state: loaded from a Config once per session, read back into one."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.runtime.state.session_state import Serialized

import losses
import optimisers
from config import (
    CUSTOM_DOMAIN,
    CUSTOM_LOSS,
    LAYOUTS,
    MAX_EXPRESSION_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_NOISE,
    MAX_STEPS,
    PALETTE,
    Config,
    LossChoice,
    Run,
    explorable_settings,
    from_query_params,
    new_run,
    valid_domain,
    valid_or_default,
)
from views.widgets import (
    SLIDER,
    layout_label,
    loss_label,
    nearest_stop,
    optimiser_label,
    schedule_label,
    slider_stops,
)

RUN_IDS = "run_ids"
EDITED_RUN = "edited_run"
_REMEMBERED = "playground_config"
# The switches under the animation, and the run and setting explored.
EXPLAIN, EXPLORE, EXPLORED_RUN, EXPLORED_SETTING = "explain", "explore", "explore_run", "explore_setting"
# Settings outside the runs whose widgets a rerun may not draw (see keep_undrawn_settings).
_KEPT_WHILE_UNDRAWN = (
    "internals",
    EXPLAIN,
    EXPLORE,
    EXPLORED_RUN,
    EXPLORED_SETTING,
    "surface",
    "noise",
    "seed",
    "seeds",
)


def run_key(run_id: int, name: str) -> str:
    return f"run{run_id}.{name}"


def schedule_key(run_id: int, schedule_id: str, name: str) -> str:
    """A schedule setting's key: each schedule keeps its own, as two may name a setting alike (γ)."""
    return run_key(run_id, f"schedule.{schedule_id}.{name}")


def _store_run(run_id: int, run: Run) -> None:
    state = st.session_state
    state[run_key(run_id, "optimiser")] = run.optimiser
    state[run_key(run_id, "label")] = run.label
    state[run_key(run_id, "colour")] = run.colour
    for i, value in enumerate(run.x0):
        state[run_key(run_id, f"x0_{i}")] = value
    for name, value in {**run.hyperparameters, **run.options}.items():
        state[run_key(run_id, name)] = value
    state[run_key(run_id, "schedule")] = run.schedule
    for name, value in run.schedule_settings.items():
        state[schedule_key(run_id, run.schedule, name)] = value


def load(config: Config) -> None:
    """Put every setting of `config` into the widgets' session state."""
    state = st.session_state
    state["loss"], state["expression"] = config.loss.id, config.loss.expression
    state["domain_low"], state["domain_high"] = config.loss.domain
    for name, value in config.loss.settings:
        state[f"loss.{name}"] = value
    state["steps"], state["layout"] = config.steps, config.layout
    state["frame_ms"], state["log_loss"] = config.frame_ms, config.log_loss
    state["internals"], state[EXPLAIN] = config.internals, config.explain
    state[EXPLORE] = config.explored is not None
    if config.explored:
        state[EXPLORED_RUN], state[EXPLORED_SETTING] = config.explored
    state["noise"], state["seed"], state["seeds"] = config.noise, config.seed, config.seeds
    state[RUN_IDS] = list(range(len(config.runs)))
    for run_id, run in enumerate(config.runs):
        _store_run(run_id, run)
    state["next_run_id"] = len(config.runs)


# The text boxes, by the last part of their keys.
_TEXT_BOXES = ("label", "expression")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def keep_what_the_browser_sent() -> None:
    """After load() on a fresh session: the values that the browser sent with this rerun replace the loaded
    ones. A page that reconnects to a restarted server gets a fresh session, and its first rerun is the user's
    next change: loaded from the URL, it would revert that change. Streamlit holds such values by widget id
    (which ends in the key) as the browser sent them, and cannot read them until the widget is drawn again,
    later in the rerun than the settings are read; so they are read here, each as its kind of widget sends it.
    The change's callback is not called, as Streamlit calls none for a widget it does not know yet, except that
    a label follows its run's optimiser."""
    state = st.session_state
    # Not public: Streamlit offers no other way to see a reconnecting browser's values before its widgets draw.
    sent = get_script_run_ctx().session_state._state._new_widget_state.states
    sliders, changed = {}, {}
    for widget_id, widget in sent.items():
        key = user_key_from_element_id(widget_id)
        if not isinstance(widget, Serialized):  # Serialized: as the browser sent it
            continue
        if key.endswith(SLIDER):
            sliders[key.removesuffix(SLIDER)] = widget.value
        elif key in state and (value := _sent_value(key, state[key], widget.value)) not in (None, state[key]):
            changed[key], state[key] = state[key], value
    # A slider moves the number box beside it, which holds the value; the box, if changed, counts.
    for key, proto in sliders.items():
        if key in state and key not in changed and (value := _slid_to(key, state[key], proto)) is not None:
            state[key] = value
    for key, previous in changed.items():  # once the label's own box is read
        if key.endswith(".optimiser"):
            label_follows_optimiser(int(key.split(".")[0].removeprefix("run")), previous)


def _sent_value(key: str, loaded, proto):
    """What the browser sent for the widget `key`, as the loaded value's kind of value; None if it cannot be
    read as one."""
    kind = proto.WhichOneof("value")
    name = key.rsplit(".", 1)[-1]
    number = isinstance(loaded, (int, float)) and not isinstance(loaded, bool)
    if kind in ("double_value", "int_value") and number:
        value = getattr(proto, kind)
    elif kind == "double_array_value" and number and len(proto.double_array_value.data) == 1:  # a slider
        value = proto.double_array_value.data[0]
    elif kind == "bool_value" and isinstance(loaded, bool):
        return proto.bool_value
    elif kind == "string_value" and name in _TEXT_BOXES:
        return proto.string_value
    elif kind == "string_value" and name == "colour":
        return proto.string_value if _COLOUR.fullmatch(proto.string_value) else None
    elif kind == "string_value":  # a select box or a radio, which sends its option's label
        return _options_by_label(key).get(proto.string_value)
    else:
        return None
    return type(loaded)(value) if math.isfinite(value) else None


def _options_by_label(key: str) -> dict[str, object]:
    """The options of the select box or radio `key`, by the label it shows for each."""
    state = st.session_state
    if key == "loss":
        options, label = (*losses.ids(), CUSTOM_LOSS), loss_label
    elif key.endswith(".optimiser"):
        options, label = optimisers.REGISTRY, optimiser_label
    elif key.endswith(".schedule"):
        options, label = optimisers.SCHEDULES, schedule_label
    elif key == "layout":
        options, label = LAYOUTS, layout_label
    elif key == EDITED_RUN:
        options, label = state[RUN_IDS], run_names().get
    else:
        return {}
    return {label(option): option for option in options}


def _slid_to(box_key: str, loaded: float, proto) -> float | None:
    """Where the slider beside the number box `box_key` was moved to; None if it shows the box's value."""
    kind = proto.WhichOneof("value")
    if kind == "double_array_value" and len(proto.double_array_value.data) == 1:  # a start's coordinate
        moved_to = proto.double_array_value.data[0]
        return moved_to if math.isfinite(moved_to) and moved_to != loaded else None
    if kind != "string_array_value" or len(proto.string_array_value.data) != 1:
        return None
    run, name = box_key.split(".", 1)  # a hyperparameter's slider, which sends the label of its stop
    spec = optimisers.REGISTRY[st.session_state[f"{run}.optimiser"]]
    h = next((h for h in spec.hyperparameters if h.name == name), None)
    try:
        moved_to = float(proto.string_array_value.data[0])
    except ValueError:
        return None
    if h is None or moved_to == nearest_stop(slider_stops(h), loaded, h.log_scale):
        return None
    return moved_to


def run_names() -> dict[int, str]:
    """Each run's name in the sidebar, by its position, as in the legend's order: two runs may share a label,
    and a radio whose option names change as a label is typed loses its selection in the browser."""
    return {run_id: f"Run {n}" for n, run_id in enumerate(st.session_state[RUN_IDS], 1)}


def read_run(run_id: int, domain) -> Run:
    """The run a group of widgets describes (hyperparameters already validated by the widgets)."""
    state = st.session_state
    optimiser_id = state[run_key(run_id, "optimiser")]
    spec = optimisers.REGISTRY[optimiser_id]
    hyperparameters = {
        h.name: valid_or_default(h, state.get(run_key(run_id, h.name), h.default)) for h in spec.hyperparameters
    }
    options = {
        o.name: bool(state[run_key(run_id, o.name)])
        for o in spec.options
        if state.get(run_key(run_id, o.name), o.default) != o.default
    }
    middle = losses.domain_middle(domain)
    # The domain changes with the loss: a start from the last one is held inside this one.
    x0 = losses.clamped((state.get(run_key(run_id, f"x0_{i}"), centre) for i, centre in enumerate(middle)), domain)
    label = str(state.get(run_key(run_id, "label"), spec.name))[:MAX_LABEL_LENGTH] or spec.name
    colour = state.get(run_key(run_id, "colour"), PALETTE[0])
    schedule_id = state.get(run_key(run_id, "schedule"), "constant")
    schedule_settings = {}
    for setting in optimisers.SCHEDULES[schedule_id].settings:
        try:
            schedule_settings[setting.name] = setting.validate(
                state.get(schedule_key(run_id, schedule_id, setting.name), setting.default)
            )
        except ValueError:  # the widget says so
            schedule_settings[setting.name] = setting.default
    return Run(optimiser_id, hyperparameters, x0, label, colour, options, schedule_id, schedule_settings)


def runs_domain(loss: losses.Loss | None):
    """Where the runs start: the loss's domain, or while a formula or its domain is being fixed, a usable one."""
    if loss:
        return loss.domain
    state = st.session_state
    typed_domain = (float(state["domain_low"]), float(state["domain_high"]))
    return (typed_domain if valid_domain(typed_domain) else CUSTOM_DOMAIN,)


def _explored(runs: tuple[Run, ...], dim: int) -> tuple[int, str] | None:
    """The run (its index) and setting that "Explore a setting" shows, held to what the runs have; None while
    it is off."""
    state = st.session_state
    if not state.get(EXPLORE):
        return None
    number = min(int(state.get(EXPLORED_RUN, 0)), len(runs) - 1)
    settings = explorable_settings(runs[number], dim)
    setting = state.get(EXPLORED_SETTING)
    return number, setting if setting in settings else settings[0]


def read_config(loss: losses.Loss | None) -> Config:
    """The settings the sidebar's widgets hold, read from session state."""
    state = st.session_state
    domain = runs_domain(loss)
    runs = tuple(read_run(run_id, domain) for run_id in state[RUN_IDS])
    return Config(
        loss=LossChoice(
            state["loss"],
            expression=state["expression"][:MAX_EXPRESSION_LENGTH],
            domain=(float(state["domain_low"]), float(state["domain_high"])),
            settings=loss.settings if loss else (),
        ),
        runs=runs,
        steps=min(max(int(state["steps"]), 1), MAX_STEPS),  # a reconnecting browser's value is not checked
        layout=state["layout"],
        frame_ms=int(state["frame_ms"]),
        log_loss=bool(state["log_loss"]),
        internals=bool(state["internals"]),
        explain=bool(state[EXPLAIN]),
        explored=_explored(runs, len(domain)),
        noise=float(state["noise"]) if 0 <= state["noise"] <= MAX_NOISE else 0.0,
        seed=int(state["seed"]),
        seeds=bool(state["seeds"]),
    )


def restore() -> list[str]:
    """Fill the widgets once per visit: from the URL on a fresh session (with a message for each repair), else
    as last left."""
    state = st.session_state
    if "loss" in state:
        return []
    if _REMEMBERED in state:
        load(state[_REMEMBERED])
        return []
    config, messages = from_query_params(st.query_params.to_dict())
    load(config)
    keep_what_the_browser_sent()
    return messages


def remember(config: Config) -> None:
    """Keep the settings shown, to restore them on the next visit to the page in this session."""
    st.session_state[_REMEMBERED] = config


def remembered() -> Config:
    """The settings shown, as the last run of the page left them."""
    return st.session_state[_REMEMBERED]


def internals_shown() -> bool:
    return bool(st.session_state["internals"])


def label_follows_optimiser(run_id: int, previous_optimiser: str) -> None:
    """After run `run_id`'s optimiser changed from `previous_optimiser`: a label that was that optimiser's name
    (or empty) becomes the new one's, so that the legend, table and warnings name what runs; one the user
    typed stays."""
    state = st.session_state
    label_key = run_key(run_id, "label")
    if state.get(label_key, "") in ("", optimisers.REGISTRY[previous_optimiser].name):
        state[label_key] = optimisers.REGISTRY[state[run_key(run_id, "optimiser")]].name


def edited_run() -> int:
    """The run whose controls the sidebar shows, and whose start a click on the map moves: the first run
    until another is picked, or after the picked one was removed."""
    state = st.session_state
    if state.get(EDITED_RUN) not in state[RUN_IDS]:
        state[EDITED_RUN] = state[RUN_IDS][0]
    return state[EDITED_RUN]


def keep_undrawn_settings() -> None:
    """Keep the settings whose widgets this rerun may not draw: those of the runs not being edited, the
    switches under the animation while a formula is being fixed, and the noise's σ and seed while a loss fitted
    to data (which has its own) is shown. Streamlit forgets a widget's value once it is not drawn, unless the
    script set the value itself."""
    state = st.session_state
    prefixes = tuple(run_key(run_id, "") for run_id in state[RUN_IDS])
    for key in [key for key in state if key.startswith(prefixes) or key in _KEPT_WHILE_UNDRAWN]:
        state[key] = state[key]


def add_run(start: tuple[float, ...]) -> None:
    run_ids = st.session_state[RUN_IDS]
    run_id = st.session_state["next_run_id"]
    st.session_state["next_run_id"] += 1
    _store_run(run_id, new_run("gd", start, len(run_ids), alpha=0.1))
    run_ids.append(run_id)
    st.session_state[EDITED_RUN] = run_id


def duplicate_run(source_id: int, domain) -> None:
    run_ids = st.session_state[RUN_IDS]
    copy = read_run(source_id, domain)
    run_id = st.session_state["next_run_id"]
    st.session_state["next_run_id"] += 1
    label = f"{copy.label} (copy)"[:MAX_LABEL_LENGTH]
    _store_run(run_id, replace(copy, label=label, colour=PALETTE[len(run_ids) % len(PALETTE)]))
    run_ids.insert(run_ids.index(source_id) + 1, run_id)
    st.session_state[EDITED_RUN] = run_id


def remove_run(run_id: int) -> None:
    run_ids = st.session_state[RUN_IDS]
    index = run_ids.index(run_id)
    run_ids.remove(run_id)
    st.session_state[EDITED_RUN] = run_ids[max(index - 1, 0)]
