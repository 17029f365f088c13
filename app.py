"""Descent Lab: see how adaptive learning rates work. This file only routes to the pages."""

import streamlit as st

st.set_page_config(page_title="Descent Lab", page_icon=":material/trending_down:", layout="wide")
st.navigation(
    [
        st.Page("views/playground.py", title="Playground", icon=":material/play_circle:", default=True),
        st.Page("views/article.py", title="Article", icon=":material/menu_book:", url_path="article"),
        st.Page("views/theory.py", title="Theory", icon=":material/function:", url_path="theory"),
        st.Page("views/sweep.py", title="Sweep", icon=":material/grid_on:", url_path="sweep"),
    ]
).run()
