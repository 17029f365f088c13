"""Shared fixtures: a real `streamlit run app.py` server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "artifacts"
HANG = 60  # seconds after which a call that should take well under one counts as hung
SCRIPT_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, log) -> subprocess.Popen:
    """`streamlit run app.py` on `port`, writing to `log`, once it answers; fails the test if it does not."""
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py"),
            *("--server.headless", "true", "--server.port", str(port)),
            *("--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"the app did not start; see {log.name}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def app_url():
    """The URL of the real app, served by `streamlit run app.py` for the whole test session."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "w")  # noqa: SIM115 - open for the server's whole life
    server = start_app(port, log)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab; fails the test if the page raised a JavaScript error."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    errors: list[str] = []
    # plotly.js rejects the promise of an animation that another interrupts (Pause, or scrubbing while
    # playing) with no reason at all; that is how it stops, not an error of the page.
    tab.on("pageerror", lambda error: str(error) != "undefined" and errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has run and no exception box is shown."""
    page.wait_for_selector(SCRIPT_IDLE, timeout=timeout)
    page.wait_for_selector("[data-testid=stMain]", timeout=timeout)
    assert page.locator("[data-testid=stException]").count() == 0, "the page shows an exception"


def merged(base: dict, change: dict) -> dict:
    """`change` merged into `base` as Plotly merges frames: objects key by key, arrays replaced."""
    result = dict(base)
    for key, value in change.items():
        result[key] = merged(result.get(key, {}), value) if isinstance(value, dict) else value
    return result


def shown(figure: dict, k: int) -> dict[int, dict]:
    """What frame k sets, trace index → properties, after following its baseframe chain (Plotly's computeFrame)."""
    frames = {frame["name"]: frame for frame in figure["frames"]}
    chain, frame = [], frames[str(k)]
    while True:
        chain.append(frame)
        if "baseframe" not in frame:
            break
        frame = frames[frame["baseframe"]]
    state: dict[int, dict] = {}
    for frame in reversed(chain):
        for index, data in zip(frame["traces"], frame["data"], strict=True):
            state[index] = merged(state.get(index, {}), data)
    return state


def run_traces(figure: dict) -> list[int]:
    """Each run's trace: its point, with the trail behind it or, over a map, its step arrow."""
    return [i for i, trace in enumerate(figure["data"]) if trace.get("cliponaxis") is False]


def at_point(figure: dict, index: int, values: list):
    """The entry of run trace `index`'s per-point `values` that is the run's point: the one hover tells."""
    return values[figure["data"][index]["hoverinfo"].index("all")]


def distance_to_line(points: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Each point's (n, 2) distance from the line through `line`'s points (m, 2)."""
    start, end = line[:-1], line[1:]
    along = end - start
    to_point = points[:, None, :] - start[None, :, :]
    fraction = np.clip((to_point * along).sum(axis=2) / np.maximum((along**2).sum(axis=1), 1e-300), 0, 1)
    nearest = start[None, :, :] + fraction[:, :, None] * along[None, :, :]
    return np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1)


def assert_no_nan_shown(figure) -> None:
    """No number in a figure is NaN or infinite, and no text says 'nan'. Bytes are not text: a typed array's
    (where NaN is a gap in a line, by design) and a picture's data: URL."""
    if isinstance(figure, dict):
        for key, value in figure.items():
            if key != "bdata":
                assert_no_nan_shown(value)
    elif isinstance(figure, list):
        for value in figure:
            assert_no_nan_shown(value)
    elif isinstance(figure, float):
        assert math.isfinite(figure)
    elif isinstance(figure, str) and not figure.startswith("data:"):
        assert "nan" not in figure.lower(), figure


def finishes(function, *args, **kwargs):
    """function(*args, **kwargs), or a failure if it is still running after HANG seconds: Streamlit cannot
    stop a script inside a loop, so a loop that a URL can make endless is a failure, not a slow test."""
    outcome = {}

    def call():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"{function.__name__} was still running after {HANG} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
