# Descent Lab in a container, one replica: `docker build -t descent-lab .`, then
# `docker run -p 8501:8501 descent-lab`. For more students, run several behind nginx (deploy/).
FROM python:3.11.7-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home descentlab
USER descentlab
WORKDIR /home/descentlab/app

# The requirements first, so that a change of code reuses the installed layer.
COPY --chown=descentlab:descentlab requirements.txt Makefile ./
RUN make .venv/.runtime
COPY --chown=descentlab:descentlab . .

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["make", "run", "STREAMLIT_ARGS=--server.address 0.0.0.0 --server.port 8501"]
