"""The animation player (charts.player) as a Streamlit component."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
import streamlit.components.v1 as components_v1

from charts.player import PLAYER_CSS, PLAYER_JS, PLOTLY_JS, PLOTLY_JS_FOLDER, player_data

_PLAYER = st.components.v2.component("descent_player", css=PLAYER_CSS, js=PLAYER_JS, isolate_styles=False)


def _plotly_js_url() -> str:
    """Where the browser loads plotly.js from: the app serves the plotly package's own copy, gzipped and
    cached by the browser, so a classroom with no internet draws the charts too."""
    served = components_v1.declare_component("plotly_js", path=PLOTLY_JS_FOLDER)
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"{'/' + base if base else ''}/component/{served.name}/{PLOTLY_JS}"


def play(
    figure: dict,
    *,
    key: str,
    frame_ms: int,
    on_click: Callable[[float, float], None] | None = None,
    explanations=(),
    labels: tuple[list[str], list[str]] | None = None,
    frame: int | None = None,
) -> None:
    """The figure with its player; a click on the plot calls `on_click(x, y)` before the rerun it starts; the
    runs' `explanations` (article.explain.Explanation) are shown under it for the step shown; `labels` and `frame` as
    charts.player.player_data takes them."""
    data = player_data(
        figure,
        frame_ms=frame_ms,
        clickable=on_click is not None,
        explanations=explanations,
        labels=labels,
        frame=frame,
    ) | {"plotly": _plotly_js_url()}
    callbacks = {}
    if on_click:
        callbacks["on_click_change"] = lambda: _clicked(key, on_click)
    _PLAYER(key=key, data=data, **callbacks)


def _clicked(key: str, on_click: Callable[[float, float], None]) -> None:
    point = st.session_state[key].get("click")
    if point:
        on_click(point["x"], point["y"])
