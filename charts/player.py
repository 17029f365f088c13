"""The player that shows an animation figure in the browser (player.js, player.css): one set of controls that
steps, plays and scrubs through the figure's frames without going back to the server. The Playground and the
Article mount it as a Streamlit component; the HTML download carries it with plotly.js inside."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

HERE = Path(__file__).parent
PLAYER_JS = (HERE / "player.js").read_text()
PLAYER_CSS = (HERE / "player.css").read_text()
# plotly.js as the plotly package ships it, so the browser loads the version the figures are built for.
PLOTLY_JS_FOLDER = Path(str(files("plotly") / "package_data"))
PLOTLY_JS = "plotly.min.js"


def player_data(
    figure: dict,
    *,
    frame_ms: int,
    clickable: bool = False,
    explanations=(),
    labels: tuple[list[str], list[str]] | None = None,
    frame: int | None = None,
) -> dict:
    """What the player is given: the figure (with one frame per step), the time each frame is shown while
    playing, whether a click on the plot is reported (with the point's x and y), and the runs' explanations of
    every step (article.explain.Explanation), shown under the plot for the step shown.

    Frames that are not steps (the values of a setting explored) are named by `labels`: what the counter says
    at each frame, and each frame's label under the scrubber; `frame` is the one to show first (else the step
    shown before)."""
    frames = len(figure.get("frames") or ())
    if not frames:
        raise ValueError("the player needs a figure with frames")
    if any(len(e.frames) != frames for e in explanations):
        raise ValueError("an explanation needs one entry per frame of the figure")
    if labels and any(len(named) != frames for named in labels):
        raise ValueError("the labels need one entry per frame of the figure")
    data = {
        "figure": figure,
        "frameMs": frame_ms,
        "clickable": clickable,
        "explanations": [e.to_dict() for e in explanations],
    }
    if labels:
        data["labels"], data["tickLabels"] = labels
    if frame is not None:
        data["frame"] = frame
    return data
