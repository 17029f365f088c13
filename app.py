"""Descent Lab: see how adaptive learning rates work. This file routes to the pages, after two process-wide settings,
and once a first page is sent, builds what every visitor shares."""

import gc
import threading
from pathlib import Path

import streamlit as st

import charts
import losses
from charts.contour import MAP_PIXELS, map_image
from optimisers.memory import keep_freed_memory_for_reuse

VIEWS = Path(__file__).parent / "views"  # found from wherever the app is started (bench/floor_app.py)


@st.cache_resource(show_spinner=False)
def leave_imported_objects_out_of_garbage_collection() -> None:
    """Once per process, after a first page has imported what the pages use: a full collection, which
    Streamlit makes after every script run, would otherwise walk those modules' 180,000 objects each time
    (190–300 ms here) while every session's thread waits."""
    gc.freeze()


def build_the_catalogue() -> None:
    """Every catalogue loss with its minima, and the map picture the Playground draws under each one of two
    variables (those fitted to data take about 2 s each), so that choosing a loss waits for neither; then the
    catalogue too is left out of garbage collection."""
    for id in losses.ids():
        loss = losses.get(id)
        if loss.dim == 2:
            map_image(loss, charts.default_view(loss), MAP_PIXELS)
    gc.freeze()


@st.cache_resource(show_spinner=False)
def build_the_catalogue_in_the_background() -> threading.Thread:
    """Once per process, after a first page is sent, in a thread of its own: no visitor waits for it."""
    thread = threading.Thread(target=build_the_catalogue, name="catalogue", daemon=True)
    thread.start()
    return thread


keep_freed_memory_for_reuse()
st.set_page_config(page_title="Descent Lab", page_icon=str(VIEWS / "favicon.png"), layout="wide")  # served by the app
st.navigation(
    [
        st.Page(VIEWS / "playground_page.py", title="Playground", icon=":material/play_circle:", default=True),
        st.Page(VIEWS / "article_page.py", title="Article", icon=":material/menu_book:", url_path="article"),
        st.Page(VIEWS / "theory_page.py", title="Theory", icon=":material/function:", url_path="theory"),
        st.Page(VIEWS / "sweep_page.py", title="Sweep", icon=":material/grid_on:", url_path="sweep"),
    ]
).run()
leave_imported_objects_out_of_garbage_collection()
build_the_catalogue_in_the_background()
