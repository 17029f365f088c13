"""The app, with the Playground's figure cut down to its curve (or map), its points and one frame: no
internals rows, and nothing of the runs but their first points. `python -m bench.browser --floor` times
its redraws against the app's, to tell what a redraw costs besides drawing the figure (Streamlit's rerun,
the websocket, React and the rest of the page)."""

import hashlib
import json
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import charts  # noqa: E402
from charts.playground import playground_figure  # noqa: E402

_KEPT_LAYOUT = ("height", "margin", "xaxis", "yaxis")


def bare_figure(*args, **kwargs) -> dict:
    figure = playground_figure(*args, **kwargs)
    layout = figure["layout"]
    return {
        "data": figure["data"][:3],
        # What the runs do is in the frames left out: their fingerprint makes a change of setting a new figure.
        "layout": {name: layout[name] for name in _KEPT_LAYOUT if name in layout}
        | {"meta": hashlib.sha1(json.dumps(figure["frames"]).encode()).hexdigest()},
        "frames": figure["frames"][:1],
    }


charts.playground_figure = bare_figure
runpy.run_path(str(ROOT / "app.py"))
