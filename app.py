"""Descent Lab: see how adaptive learning rates work."""

import streamlit as st

st.set_page_config(page_title="Descent Lab", page_icon="📉", layout="wide")
st.title("Descent Lab")
st.write("The playground is on its way.")
