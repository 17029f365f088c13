"""Shared fixtures: a real `streamlit run app.py` server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

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
# Counts the script runs from its call on in window.reruns: Streamlit marks the app running for each one.
COUNT_RERUNS = """() => {
    const app = document.querySelector("[data-testid=stApp]");
    window.reruns = 0;
    new MutationObserver(() => { window.reruns += app.dataset.testScriptState === "running"; })
        .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


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
def served_app():
    """The URL of the real app, served by `streamlit run app.py` for the whole test session."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "w")  # noqa: SIM115 - open for the server's whole life
    server = start_app(port, log)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def app_url(served_app):
    """The real app's URL, for a test that drives it with Chromium."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    return served_app


@pytest.fixture(scope="session")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# Streamlit's frontend asks a page's own path for the server's health and host configuration (/article/_stcore/…)
# before it asks the root: a known 404 of Streamlit's, not of the app.
_STREAMLITS_OWN_404 = re.compile(r"/[a-z_]+/_stcore/(health|host-config)$")


def watch_for_errors(tab) -> list[str]:
    """The uncaught errors and console errors `tab` will show, listed as they happen; a failed request's
    console error is named by its address."""
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    tab.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and errors.append(f"console: {message.text}")
        ),
    )
    tab.on("requestfailed", lambda request: errors.append(f"request failed: {request.url} {request.failure}"))
    tab.on(
        "response",
        lambda response: (
            response.status >= 400
            and not _STREAMLITS_OWN_404.search(response.url)
            and errors.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    return errors


def new_tab(browser, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A fresh browser tab; fails the test if the page raised an error, logged one, or a request failed."""
    context, tab = new_tab(browser)
    errors = watch_for_errors(tab)
    yield tab
    context.close()
    assert not errors, f"errors on the page: {errors}"


@pytest.fixture
def phone(browser):
    """A tab the size of a phone (390 × 844), failing the test on any error as `page` does."""
    context, tab = new_tab(browser, 390, 844)
    errors = watch_for_errors(tab)
    yield tab
    context.close()
    assert not errors, f"errors on the page: {errors}"


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has run and no exception box is shown."""
    page.wait_for_selector(SCRIPT_IDLE, timeout=timeout)
    page.wait_for_selector("[data-testid=stMain]", timeout=timeout)
    assert page.locator("[data-testid=stException]").count() == 0, "the page shows an exception"


# What plotly.js drew of each trace of a chart `gd`, read from the SVG and turned back into axis units through
# the trace's axes (log10 on a log axis): its line's vertices, its markers' centres with their index in the
# trace, and the pixels per unit of each axis, to compare within a pixel.
DRAWN = """gd => {
    const axis = id => gd._fullLayout[id.replace(/^([xy])/, "$1axis")];
    const numbers = text => (text || "").match(/-?[\\d.]+(e-?\\d+)?/g)?.map(Number) ?? [];
    return Array.from(gd.querySelectorAll(".scatterlayer .trace")).map(group => {
        const trace = group.__data__[0].trace, xa = axis(trace.xaxis), ya = axis(trace.yaxis);
        const pairs = flat => flat.filter((_, i) => i % 2 === 0).map((x, i) => [x, flat[2 * i + 1]]);
        const line = group.querySelector("path.js-line");
        return {
            index: trace.index, name: trace.name, yaxis: trace.yaxis,
            line: pairs(numbers(line && line.getAttribute("d"))).map(([x, y]) => [xa.p2l(x), ya.p2l(y)]),
            points: Array.from(group.querySelectorAll("path.point")).filter(p => p.getAttribute("d") !== "M0,0Z")
                .map(p => [p.__data__.i, ...numbers(p.getAttribute("transform")).slice(0, 2)])
                .map(([i, x, y]) => [i, xa.p2l(x), ya.p2l(y)]),
            x_pixels: xa._length / Math.abs(xa.range[1] - xa.range[0]),
            y_pixels: ya._length / Math.abs(ya.range[1] - ya.range[0]),
        };
    });
}"""


def page_run(name: str):
    """views/<name>_page.py run once by AppTest, checked to have raised nothing."""
    at = AppTest.from_file(str(ROOT / "views" / f"{name}_page.py"), default_timeout=120).run()
    assert not at.exception
    return at


def played(at) -> list[dict]:
    """What an AppTest page gave its animation players: each one's figure, time per frame and clickability."""
    return [json.loads(player.proto.json) for player in at.get("bidi_component")]


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
