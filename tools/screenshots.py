"""Screenshots of what a student sees, on a desktop (1440 × 900) and a phone (390 × 844), into docs/screenshots/.

    .venv/bin/python tools/screenshots.py

Serves the app, drives Debian's Chromium, and for each view opens its link, moves the player as a student
would (play to the end, then scrub back), and saves the whole page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_FLAGS, SCRIPT_IDLE  # noqa: E402

from bench.browser import serve  # noqa: E402

SCREENSHOTS = ROOT / "docs" / "screenshots"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
HIMMELBLAU = "?loss=himmelblau&steps=40&r1=adam&r1.alpha=0.1&r1.x0=0.5,-4&r2=gd&r2.alpha=0.01&r2.x0=-1,1"
# (name, link, the step to scrub back to after playing, or None to leave the page as it opens)
VIEWS = (
    ("landing", "/", None),
    ("internals-after-play", "/?internals=1", 25),
    ("map-internals-after-play", f"/{HIMMELBLAU}&internals=1", 12),
    ("typed-formula-pole", "/?loss=custom&expr=1/x&domain=-3,3&r1=gd&r1.alpha=0.01&r1.x0=1", None),
    ("left-the-domain", "/?loss=custom&expr=sqrt(x)&domain=-3,3&r1=gd&r1.alpha=4&r1.x0=1", None),
    ("thousand-steps", "/?steps=1000&r1=gd&r1.alpha=0.01&r1.x0=2", 537),
)


def main() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    server, url = serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            for size, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                for name, link, step in VIEWS:
                    page.goto(url + link)
                    page.wait_for_selector(".descent-plot.js-plotly-plot", timeout=120_000)
                    page.wait_for_selector(SCRIPT_IDLE)
                    if step is not None:
                        steps = page.locator(".descent-scrubber").get_attribute("max")
                        if int(steps) <= 100:
                            page.locator(".descent-play").click()
                            page.locator(".descent-counter").filter(has_text=f"Step {steps} of").wait_for()
                        page.locator(".descent-scrubber").fill(str(step))
                    # The page scrolls inside Streamlit's main block: show all of it in one window.
                    tall = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
                    page.set_viewport_size({"width": width, "height": max(height, tall)})
                    page.wait_for_timeout(800)
                    path = SCREENSHOTS / f"{name}-{size}.png"
                    page.screenshot(path=str(path))
                    page.set_viewport_size({"width": width, "height": height})
                    print(path.relative_to(ROOT))
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
