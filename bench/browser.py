"""What a user waits for in a real browser. Prints, asserts nothing.

    .venv/bin/python -m bench.browser [--repeats N]

Starts `streamlit run app.py`, drives Debian's Chromium (/usr/bin/chromium) with Playwright, and
times: a Playground slider change until the animation is redrawn (goal ≤ 500 ms median), on the landing
page and on a map (Rosenbrock, 4 runs × 300 steps), counted until Plotly has drawn the new chart, not
only received its frames; the
Sweep page's default maps (200 × 200 × 200, four optimisers) from a click on its link until every
heatmap is drawn (goal ≤ 3 s), first with nothing cached and then again; and the Article and Theory
pages from a click on their link until drawn (goal under 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_FLAGS, SCRIPT_IDLE, _free_port  # noqa: E402

CHARTS = "Array.from(document.querySelectorAll('.js-plotly-plot'))"
ANIMATION = f"{CHARTS}.find(gd => gd._transitionData?._frames.length)"
FRAMES = f"() => JSON.stringify(({ANIMATION})?._transitionData._frames)"
# Plotly hands the frames over first and clears _replotting once the chart is drawn.
DRAWN = f"() => ({ANIMATION})?._fullLayout._replotting === false"
MAP_RUNS = "&".join(
    f"r{n}={optimiser}&r{n}.alpha={alpha}&r{n}.x0=-1.5,2"
    for n, (optimiser, alpha) in enumerate((("gd", 1e-3), ("adagrad", 0.5), ("rmsprop", 0.01), ("adam", 0.05)), 1)
)
ON_A_MAP = f"/?loss=rosenbrock&steps=300&{MAP_RUNS}"
HEATMAPS = f"() => {CHARTS}.flatMap(gd => gd.data).filter(t => t.type === 'heatmap').length"


def serve() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the app did not start")


def slider_to_redraw(page, url: str, repeats: int) -> list[float]:
    page.goto(url)
    page.wait_for_function(f"() => !!({ANIMATION})", timeout=120_000)
    page.wait_for_selector(SCRIPT_IDLE)
    box = page.get_by_label("alpha (exact)").first
    times = []
    for i in range(repeats):
        before = page.evaluate(FRAMES)
        box.fill(f"{0.02 + 0.013 * i:.3f}")
        start = time.perf_counter()
        box.press("Enter")
        page.wait_for_function(f"before => ({FRAMES})() !== before && ({DRAWN})()", arg=before, timeout=30_000)
        times.append((time.perf_counter() - start) * 1e3)
        page.wait_for_selector(SCRIPT_IDLE)
        page.wait_for_timeout(500)  # let the page settle before the next change
    return times


def page_load(page, url: str, link: str, drawn: str) -> float:
    """From a click on the page's link in the sidebar until `drawn` (a JavaScript test) holds."""
    page.goto(url)
    page.wait_for_function(f"() => !!({ANIMATION})", timeout=120_000)
    page.wait_for_selector(SCRIPT_IDLE)
    start = time.perf_counter()
    page.get_by_role("link", name=link).click()
    page.wait_for_function(drawn, timeout=120_000)
    page.wait_for_selector(SCRIPT_IDLE)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    repeats = parser.parse_args().repeats
    server, url = serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            times = slider_to_redraw(page, url, repeats)
            print(f"Playground, slider change → redrawn animation: median {statistics.median(times):.0f} ms")
            print("  each:", ", ".join(f"{t:.0f}" for t in times))
            times = slider_to_redraw(page, url + ON_A_MAP, repeats)
            print(f"Playground on a map, 4 runs × 300 steps: median {statistics.median(times):.0f} ms")
            print("  each:", ", ".join(f"{t:.0f}" for t in times))
            sweep_drawn = f"() => ({HEATMAPS})() >= 4"
            print(f"Sweep page, default maps, nothing cached: {page_load(page, url, 'Sweep', sweep_drawn):.2f} s")
            print(f"Sweep page, default maps, cached:         {page_load(page, url, 'Sweep', sweep_drawn):.2f} s")
            six_charts = f"() => {CHARTS}.length === 6"
            print(f"Article page, six scenes drawn:           {page_load(page, url, 'Article', six_charts):.2f} s")
            theory_drawn = f"() => {CHARTS}.length >= 1"
            print(f"Theory page, drawn:                       {page_load(page, url, 'Theory', theory_drawn):.2f} s")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
