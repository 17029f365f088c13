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


def player_data(figure: dict, *, frame_ms: int, clickable: bool = False, explanations=()) -> dict:
    """What the player is given: the figure (with one frame per step), the time each frame is shown while
    playing, whether a click on the plot is reported (with the point's x and y), and the runs' explanations of
    every step (explain.Explanation), shown under the plot for the step shown."""
    if not figure.get("frames"):
        raise ValueError("the player needs a figure with frames")
    if any(len(e.frames) != len(figure["frames"]) for e in explanations):
        raise ValueError("an explanation needs one entry per frame of the figure")
    return {
        "figure": figure,
        "frameMs": frame_ms,
        "clickable": clickable,
        "explanations": [e.to_dict() for e in explanations],
    }
