"""Plotly figure builders. Every figure is a plain dict; nothing here imports Streamlit."""

from charts.animation import RunTrace, View, animation_figure, default_view, run_status
from charts.internals import internals_figure
from charts.playground import playground_figure
from charts.preview import preview_figure
from charts.surface import surface_figure

__all__ = [
    "RunTrace",
    "View",
    "animation_figure",
    "default_view",
    "internals_figure",
    "playground_figure",
    "preview_figure",
    "run_status",
    "surface_figure",
]
