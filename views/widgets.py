"""Controls shared by the pages: numbers with a coarse slider and an exact box, and figures."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import charts
import losses
import optimisers
from config import CUSTOM_DOMAIN, CUSTOM_LOSS, MAX_DOMAIN_WIDTH, MAX_EXPRESSION_LENGTH, valid_domain, valid_or_default
from optimisers import HyperParameter
from optimisers.schedules import ScheduleSetting

START_LABELS = ("x₀", "y₀")  # a start's coordinates, in the order of the loss's variables
# Slider stops for settings such as β, where what matters is how close to 1 they are.
_EVEN_STOPS = 21
_NEAR_ONE_STOPS = (
    0.0,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.85,
    0.9,
    0.95,
    0.98,
    0.99,
    0.995,
    0.999,
    0.9995,
    0.9999,
)


SLIDER = "__slider"  # the suffix of the key of the slider beside a number box


def slider_stops(h: HyperParameter) -> list[float]:
    """The values a hyperparameter's slider offers: log-spaced, dense near 1 for settings within [0, 1]
    such as decays, or evenly spaced in twentieths of the slider's range."""
    if h.log_scale:
        decades = math.log10(h.slider_high / h.slider_low)
        stops = np.geomspace(h.slider_low, h.slider_high, round(decades * 10) + 1)
        return sorted({float(f"{v:.2g}") for v in stops})
    if h.slider_low >= 0 and h.slider_high <= 1:
        return [v for v in _NEAR_ONE_STOPS if h.slider_low <= v <= h.slider_high]
    return sorted({float(f"{v:.3g}") for v in np.linspace(h.slider_low, h.slider_high, _EVEN_STOPS)})


def nearest_stop(stops: list[float], value: float, log_scale: bool) -> float:
    if log_scale:
        distances = [abs(math.log(s) - math.log(max(value, 1e-300))) for s in stops]
    else:
        distances = [abs(s - value) for s in stops]
    return stops[int(np.argmin(distances))]


def _copy_slider_to_box(slider_key: str, box_key: str) -> None:
    st.session_state[box_key] = st.session_state[slider_key]


def _snap_slider_to_box(slider_key: str, box_key: str, stops: list[float], log_scale: bool) -> None:
    st.session_state[slider_key] = nearest_stop(stops, st.session_state[box_key], log_scale)


_GREEK = {r"\alpha": "α", r"\beta": "β", r"\epsilon": "ε", r"\eta": "η", r"\mu": "μ", r"\rho": "ρ", r"\lambda": "λ"}
_SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


def plain_symbol(latex: str) -> str:
    """A hyperparameter's LaTeX symbol as plain text (β₁, η_max), which a label can carry: a label is also
    what a screen reader reads, and it would read LaTeX as it is written."""
    text = re.sub(r"\\text\{(\w+)\}|\\(max|min)\b", lambda m: m.group(1) or m.group(2), latex)
    for command, letter in _GREEK.items():
        text = text.replace(command, letter)
    text = re.sub(r"_\{?([0-9+-])\}?", lambda m: m.group(1).translate(_SUBSCRIPTS), text)
    return text.replace("{", "").replace("}", "")


def hyperparameter_label(h: HyperParameter) -> str:
    """What a hyperparameter's slider is called, in words and its symbol: "alpha (α)", "weight decay (λ)"."""
    words, symbol = h.name.replace("_", " "), plain_symbol(h.symbol)
    return words if symbol == words else f"{words} ({symbol})"


def hyperparameter_input(h: HyperParameter, key: str) -> float:
    """A slider over the usual range and an exact number box for one hyperparameter.

    The box holds the value (session state `key`); the slider moves it in coarse stops and
    snaps to the stop nearest whatever is typed. Returns the value, or the default with an
    inline error when the typed value is outside the valid range.
    """
    stops = slider_stops(h)
    slider_key = key + SLIDER
    st.session_state.setdefault(key, h.default)
    st.session_state.setdefault(slider_key, nearest_stop(stops, st.session_state[key], h.log_scale))
    slider_column, box_column = st.columns([3, 2], vertical_alignment="bottom")
    slider_column.select_slider(
        hyperparameter_label(h),
        options=stops,
        key=slider_key,
        format_func=lambda v: f"{v:g}",
        on_change=_copy_slider_to_box,
        args=(slider_key, key),
        help=h.meaning,
    )
    box_column.number_input(
        f"{h.name} (exact)",
        key=key,
        format="%g",
        step=stops[0] if h.log_scale else 0.01,
        on_change=_snap_slider_to_box,
        args=(slider_key, key, stops, h.log_scale),
        label_visibility="collapsed",
    )
    value = valid_or_default(h, st.session_state[key])
    if value != st.session_state[key]:
        st.error(f"{h.name} must be in {h.range_text}; using {h.default:g}.")
    return value


def set_hyperparameter(h: HyperParameter, key: str, value: float) -> None:
    """Set the hyperparameter that hyperparameter_input(h, key) shows: its box to `value`, its slider to the
    nearest stop. For a callback, which runs before the widgets are drawn."""
    st.session_state[key] = value
    st.session_state[key + SLIDER] = nearest_stop(slider_stops(h), value, h.log_scale)


def schedule_setting_input(setting: ScheduleSetting, key: str) -> None:
    """An exact box for a learning-rate schedule's setting, with an inline error when it is out of range."""
    st.session_state.setdefault(key, setting.default)
    st.number_input(
        f"{setting.name} ${setting.symbol}$",
        key=key,
        min_value=setting.low if setting.low_inclusive else None,
        max_value=setting.high if math.isfinite(setting.high) else None,
        step=1 if setting.whole_number else (1.0 if setting.log_scale else 0.01),
        format="%d" if setting.whole_number else "%g",
        help=setting.meaning,
    )
    try:
        setting.validate(st.session_state[key])
    except ValueError as error:
        st.error(f"{error}; using {setting.default:g}.")


def _copy(source_key: str, target_key: str) -> None:
    st.session_state[target_key] = st.session_state[source_key]


def position_input(label: str, key: str, low: float, high: float) -> float:
    """A slider over [low, high] and an exact number box for a starting coordinate."""
    slider_key = key + SLIDER
    # The domain changes with the loss: keep the start inside it rather than lose the run.
    (inside,) = losses.clamped((st.session_state.get(key, (low + high) / 2),), ((low, high),))
    st.session_state[key] = st.session_state[slider_key] = inside
    slider_column, box_column = st.columns([3, 2], vertical_alignment="bottom")
    slider_column.slider(
        label,
        min_value=float(low),
        max_value=float(high),
        step=(high - low) / 1000,
        key=slider_key,
        on_change=_copy,
        args=(slider_key, key),
    )
    box_column.number_input(
        f"{label} (exact)",
        min_value=float(low),
        max_value=float(high),
        key=key,
        format="%g",
        step=(high - low) / 100,
        on_change=_copy,
        args=(key, slider_key),
        label_visibility="collapsed",
    )
    return float(st.session_state[key])


def loss_setting_input(parameter: losses.LossParameter, key: str) -> None:
    """A box (log-scaled settings) or a slider for a setting of a catalogue loss."""
    st.session_state.setdefault(key, parameter.default)
    low, high = parameter.range
    label = f"{parameter.name} ${parameter.symbol}$" if parameter.symbol else parameter.name
    if parameter.log_scale or high - low > 1000:  # a slider over a wide range of whole numbers is no use
        st.number_input(label, min_value=low, max_value=high, key=key, format="%g", help=parameter.meaning)
    else:
        st.slider(
            label,
            min_value=low,
            max_value=high,
            key=key,
            step=1.0,
            format="%d" if parameter.whole_number else None,
            help=parameter.meaning,
        )


def formula(loss: losses.Loss) -> None:
    """f(…) = the loss's formula, as inline maths: unlike a displayed formula, it wraps at + and − when
    it is wider than the sidebar."""
    st.markdown(f"$f({', '.join(map(str, loss.variables))}) = {loss.latex}$")


def chosen_loss(prefix: str) -> tuple[losses.Loss | None, str | None]:
    """The loss that loss_input(prefix) describes, read from session state without drawing anything: a
    catalogue loss with its settings (out of range, their defaults), or a typed formula on its domain.
    None with the reason when the formula does not parse or the domain is bad."""
    state = st.session_state
    loss_id = state[f"{prefix}loss"]
    if loss_id != CUSTOM_LOSS:
        settings = {}
        for parameter in losses.parameters(loss_id):
            settings[parameter.name] = valid_or_default(
                parameter, state.get(f"{prefix}loss.{parameter.name}", parameter.default)
            )
        return losses.get(loss_id, **settings), None
    state.setdefault(f"{prefix}expression", "")
    state.setdefault(f"{prefix}domain_low", CUSTOM_DOMAIN[0])
    state.setdefault(f"{prefix}domain_high", CUSTOM_DOMAIN[1])
    domain = (float(state[f"{prefix}domain_low"]), float(state[f"{prefix}domain_high"]))
    if not valid_domain(domain):
        return None, f"The domain must run from a smaller to a larger x, at most {MAX_DOMAIN_WIDTH:g} wide."
    # The browser's max_chars is no control: a client can send any text.
    text = state[f"{prefix}expression"][:MAX_EXPRESSION_LENGTH]
    try:
        return losses.parse(text, domain=(domain,)), None
    except losses.ExpressionError as error:
        return None, str(error)


def loss_label(loss_id: str) -> str:
    return "Your own formula" if loss_id == CUSTOM_LOSS else losses.name(loss_id)


def optimiser_label(optimiser_id: str) -> str:
    return optimisers.REGISTRY[optimiser_id].name


def schedule_label(schedule_id: str) -> str:
    return optimisers.SCHEDULES[schedule_id].name


def layout_label(layout: str) -> str:
    return {"overlay": "Overlay", "side_by_side": "Side by side"}[layout]


def loss_input(
    prefix: str, fitted_to_data: bool = True, on_change: Callable[[], None] | None = None
) -> losses.Loss | None:
    """A choice of the catalogue's losses (with their settings, `{prefix}loss.<name>`) or a typed formula
    with its domain, under session keys `{prefix}loss`, `{prefix}expression`, `{prefix}domain_low` and
    `{prefix}domain_high`; `on_change` is called when another loss is chosen.

    A formula that does not parse, or a bad domain, shows its error inline and gives None. Without
    `fitted_to_data`, the losses fitted to data are not offered."""
    state = st.session_state
    offered = [i for i in losses.ids() if fitted_to_data or not isinstance(losses.get(i), losses.DataLoss)]
    st.selectbox(
        "Loss function",
        (*offered, CUSTOM_LOSS),
        key=f"{prefix}loss",
        format_func=loss_label,
        on_change=on_change,
    )
    if state[f"{prefix}loss"] != CUSTOM_LOSS:
        for parameter in losses.parameters(state[f"{prefix}loss"]):
            loss_setting_input(parameter, f"{prefix}loss.{parameter.name}")
        loss, _ = chosen_loss(prefix)
        formula(loss)
        st.caption(loss.description)
        return loss
    loss, error = chosen_loss(prefix)
    st.text_input("f(x) =", key=f"{prefix}expression", max_chars=MAX_EXPRESSION_LENGTH, placeholder="x**4 - 2*x**2 + x")
    low_column, high_column = st.columns(2)
    low_column.number_input("x from", key=f"{prefix}domain_low", format="%g", step=0.5)
    high_column.number_input("x to", key=f"{prefix}domain_high", format="%g", step=0.5)
    if error:
        st.error(error, icon=":material/error:")
        return None
    formula(loss)
    show_figure(charts.preview_figure(loss), key=f"{prefix}preview")
    return loss


class _BuiltFigure(go.Figure):
    """A figure already built as plain dicts, passed to Streamlit as it is.

    st.plotly_chart re-validates a dict through go.Figure, which for hundreds of animation
    frames costs far more than building them; a Figure's own dict is taken as valid.
    """

    def __init__(self, spec: dict):
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def show_figure(spec: dict, key: str) -> None:
    """A figure that does not play (an animation has its player, views.player)."""
    st.plotly_chart(_BuiltFigure(spec), key=key, config={"displaylogo": False}, theme=None)
