"""The source article's experiments (`article.scenes`) and the small computations behind the Theory page's
demonstrations (`article.theory`). Plain numpy: nothing here imports Streamlit."""
