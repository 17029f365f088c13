"""The Playground's "Explore a setting" in a real Chromium: its slider switches the run's whole path and its mark on
the final-loss chart between the values, in the browser, without a rerun; what plotly.js drew is read from the
SVG and checked against the run at each value."""

import math

import numpy as np
import pytest
from conftest import ARTIFACTS, COUNT_RERUNS, DRAWN, wait_for_app
from playwright.sync_api import expect
from test_explore import LOG_SPACED_ALPHAS

import losses
import optimisers

EXPLORER = "[class*=explore_player]"  # Streamlit names a component's element after its key
EXPLORED_PLOT = f"{EXPLORER} .descent-plot.js-plotly-plot"
# The landing page's first run: RMSProp, α = 0.1, β = 0.9, from 0.1 on the quartic, 50 steps. Its α explored:
# 39 values log-spaced over α's slider range, 1e-4 to 10, and its own.
ALPHAS = np.unique(np.append(LOG_SPACED_ALPHAS, 0.1))


def drawn(page) -> dict[str, dict]:
    return {
        trace["name"]: trace
        for trace in page.evaluate(f"gd => ({DRAWN})(gd)", page.locator(EXPLORED_PLOT).element_handle())
    }


def assert_draws_alpha(page, k: int) -> None:
    alpha = ALPHAS[k]
    expect(page.locator(f"{EXPLORER} .descent-counter")).to_have_text(
        f"α = {alpha:.4g}" + (" (the run's)" if alpha == 0.1 else "")
    )
    run = optimisers.simulate(losses.get("quartic"), optimisers.create("rmsprop", alpha=alpha, beta=0.9), [0.1], 50)
    traces = drawn(page)
    path = traces["RMSProp path"]
    points = np.array([point[1:] for point in sorted(path["points"])])
    # To a pixel, and far outside the view (a run thrown out of the well), to the 6 digits sent.
    np.testing.assert_allclose(points[:, 0], run.x[:, 0], rtol=1e-5, atol=1.5 / path["x_pixels"])
    np.testing.assert_allclose(points[:, 1], run.loss, rtol=1e-5, atol=1.5 / path["y_pixels"])
    (end,) = traces["RMSProp end"]["points"]
    assert end[1:] == pytest.approx([run.final_x[0], float(run.final_loss)], abs=2 / path["x_pixels"])
    (marked,) = traces["α shown"]["points"]
    assert marked[1] == pytest.approx(math.log10(alpha), abs=0.01)  # the final-loss chart's α axis is log


def test_the_slider_switches_the_runs_path_between_the_values_explored_without_a_rerun(page, app_url):
    page.goto(app_url)
    page.wait_for_selector(".descent-plot.js-plotly-plot", timeout=90_000)
    wait_for_app(page)
    page.get_by_text("Explore a setting").click()
    page.wait_for_selector(EXPLORED_PLOT, timeout=60_000)
    wait_for_app(page)
    own = int(np.flatnonzero(ALPHAS == 0.1)[0])
    assert_draws_alpha(page, own)

    page.evaluate(COUNT_RERUNS)
    # Dragged by the mouse, from the run's own α to a quarter of the way along the track.
    page.locator(f"{EXPLORER} .descent-scrubber").scroll_into_view_if_needed()
    track = page.locator(f"{EXPLORER} .descent-scrubber").bounding_box()
    y = track["y"] + track["height"] / 2
    page.mouse.move(track["x"] + track["width"] * own / (len(ALPHAS) - 1), y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] / 4, y, steps=8)
    page.mouse.up()
    shown = page.locator(f"{EXPLORER} .descent-counter").text_content()
    reached = next(k for k, alpha in enumerate(ALPHAS) if shown == f"α = {alpha:.4g}")
    assert abs(reached - (len(ALPHAS) - 1) / 4) <= 2
    assert_draws_alpha(page, reached)
    for k in (5, 30, len(ALPHAS) - 1):
        page.locator(f"{EXPLORER} .descent-scrubber").fill(str(k))
        assert_draws_alpha(page, k)
    page.locator(f"{EXPLORER} .descent-back").click()
    assert_draws_alpha(page, len(ALPHAS) - 2)
    page.locator(EXPLORED_PLOT).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "playground-explore.png"))
    assert page.evaluate("window.reruns") == 0
