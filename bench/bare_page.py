"""The floor for a first page: a bare Streamlit page with one Plotly chart, the landing page's curve (the
article's quartic) drawn by st.plotly_chart. `python -m bench.browser --first-page` times it against the
Playground."""

import numpy as np
import streamlit as st

x = np.linspace(-2.5, 2.5, 400)
st.plotly_chart({"data": [{"type": "scatter", "x": x, "y": x**4 - 2 * x**2 + x}]})
