"""Article: the source article's six experiments, each computed as the article's code does or as the textbook does."""

from __future__ import annotations

import streamlit as st

import charts
import losses
from article import scenes
from config import DEFAULT_FRAME_MS, playground_link
from views.player import play


def mode_note(scene: scenes.Scene) -> None:
    """What changes between the two ways of computing the scene, computed, not assumed."""
    if not scene.has_modes:
        st.caption(
            "Fixed learning rates are computed the same way by the article's code and by the textbook, "
            "so this scene has one version."
        )
        return
    differences = scenes.disagreements(scene)
    if not differences:
        st.caption(
            f"Both ways of computing this scene end the same way: their points never differ by more than "
            f"{scenes.largest_difference(scene):.1g} in x. Where ε sits only matters for gradients near zero."
        )
        return
    loss = losses.get(scene.loss)
    lines = []
    for run, article_ending, textbook_ending in differences:
        lines.append(
            f"**{scenes.COLOUR_NAMES[run.colour]} ({run.label}) ends differently depending on how it is computed.**\n"
            f"- {scenes.MODES['article']}: it {article_ending.describe()}.\n"
            f"- {scenes.MODES['textbook']}: it {textbook_ending.describe()}."
        )
    endings = [ending for _, *both in differences for ending in both]
    if all(ending.minimum is not None and not ending.minimum.is_global for ending in endings):
        global_minimum = next(m for m in loss.minima if m.is_global)
        lines.append(f"Neither of those is the global minimum, which is at x ≈ {global_minimum.x[0]:.3f}.")
    if scene.explanation:
        lines.append(scene.explanation)
    st.warning("\n\n".join(lines), icon=":material/compare_arrows:")


@st.fragment
def show_scene(scene: scenes.Scene, show_formula: bool) -> None:
    st.header(f"{scene.number}. {scene.title}", anchor=f"scene-{scene.number}")
    loss = losses.get(scene.loss)
    if show_formula:
        st.latex(f"f(x) = {loss.latex}")
    mode = "article"
    if scene.has_modes:
        mode = st.radio(
            "Computed",
            tuple(scenes.MODES),
            format_func=scenes.MODES.get,
            key=f"mode{scene.number}",
            horizontal=True,
            label_visibility="collapsed",
        )
    runs = scenes.runs_in_mode(scene, mode)
    trajectories = scenes.trajectories(scene, mode)
    traces = [charts.RunTrace(run.label, run.colour, t) for run, t in zip(runs, trajectories, strict=True)]
    play(charts.animation_figure(loss, traces, view=scenes.VIEW), key=f"scene{scene.number}", frame_ms=DEFAULT_FRAME_MS)
    st.markdown(scene.caption)
    st.markdown(
        "\n".join(
            f"- **{scenes.COLOUR_NAMES[run.colour]}** ({run.label}) {scenes.ending(loss, t).describe()}."
            for run, t in zip(runs, trajectories, strict=True)
        )
    )
    mode_note(scene)
    st.link_button(
        "Open in Playground", playground_link(scenes.playground_config(scene, mode)), icon=":material/open_in_new:"
    )


st.title("The article, step by step")
st.markdown(
    "The article *Adaptive learning rates for gradient descent* compares a fixed learning rate with Adagrad, "
    "RMSProp and Adam in six short animations: a yellow and an orange point take 8 steps each down a loss "
    "of one variable x. Here they are again, computed live: press ▶ Play under a chart, or drag its slider "
    "to step through.\n\n"
    "The code published with the article differs from the textbook algorithms in two ways: it puts ε inside "
    "the square root, dividing by √(G + ε) rather than √G + ε, and its Adam multiplies each step by the "
    "gradient once more. Where that matters a scene lets you switch between "
    f"**{scenes.MODES['article']}** and **{scenes.MODES['textbook']}**."
)
previous_loss = None
for scene in scenes.SCENES:
    show_scene(scene, show_formula=scene.loss != previous_loss)
    previous_loss = scene.loss
