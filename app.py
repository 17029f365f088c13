"""Descent Lab: see how adaptive learning rates work. This file routes to the pages, after one process-wide setting."""

from pathlib import Path

import streamlit as st

from optimisers.memory import keep_freed_memory_for_reuse

VIEWS = Path(__file__).parent / "views"  # found from wherever the app is started (bench/floor_app.py)

keep_freed_memory_for_reuse()
st.set_page_config(page_title="Descent Lab", page_icon=str(VIEWS / "favicon.png"), layout="wide")  # served by the app
st.navigation(
    [
        st.Page(VIEWS / "playground.py", title="Playground", icon=":material/play_circle:", default=True),
        st.Page(VIEWS / "article.py", title="Article", icon=":material/menu_book:", url_path="article"),
        st.Page(VIEWS / "theory.py", title="Theory", icon=":material/function:", url_path="theory"),
        st.Page(VIEWS / "sweep.py", title="Sweep", icon=":material/grid_on:", url_path="sweep"),
    ]
).run()
