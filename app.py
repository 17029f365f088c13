"""Descent Lab: see how adaptive learning rates work. This file routes to the pages, after two process-wide settings."""

import gc
from pathlib import Path

import streamlit as st

from optimisers.memory import keep_freed_memory_for_reuse

VIEWS = Path(__file__).parent / "views"  # found from wherever the app is started (bench/floor_app.py)


@st.cache_resource(show_spinner=False)
def leave_imported_objects_out_of_garbage_collection() -> None:
    """Once per process, after a first page has imported what the pages use: a full collection, which
    Streamlit makes after every script run, would otherwise walk those modules' 180,000 objects each time
    (190–300 ms here) while every session's thread waits."""
    gc.freeze()


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
