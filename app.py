"""Descent Lab: see how adaptive learning rates work. This file routes to the pages, after two process-wide settings."""

import gc
from pathlib import Path

import streamlit as st

# What the pages import, imported here so that the freeze below leaves it out of garbage collection.
import article.scenes
import article.theory  # noqa: F401
import charts.sweep  # noqa: F401
import exports  # noqa: F401
import sweep  # noqa: F401
import views.session
import views.widgets  # noqa: F401
from optimisers.memory import keep_freed_memory_for_reuse

VIEWS = Path(__file__).parent / "views"  # found from wherever the app is started (bench/floor_app.py)


@st.cache_resource(show_spinner=False)
def leave_imported_objects_out_of_garbage_collection() -> None:
    """Once per process: a full collection (Streamlit makes one after every script run) would otherwise walk
    the 130,000 objects of the imported modules each time, 190–300 ms here, holding every session's thread."""
    gc.freeze()


keep_freed_memory_for_reuse()
leave_imported_objects_out_of_garbage_collection()
st.set_page_config(page_title="Descent Lab", page_icon=":material/trending_down:", layout="wide")
st.navigation(
    [
        st.Page(VIEWS / "playground.py", title="Playground", icon=":material/play_circle:", default=True),
        st.Page(VIEWS / "article.py", title="Article", icon=":material/menu_book:", url_path="article"),
        st.Page(VIEWS / "theory.py", title="Theory", icon=":material/function:", url_path="theory"),
        st.Page(VIEWS / "sweep.py", title="Sweep", icon=":material/grid_on:", url_path="sweep"),
    ]
).run()
