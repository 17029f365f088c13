"""Tune α in a real Chromium against `streamlit run app.py`: after playing, a student opens the tuning chart, reads
it and applies the best α; what plotly.js drew (the SVG) is checked against the runs."""

import math
import re

import numpy as np
from conftest import DRAWN, wait_for_app
from playwright.sync_api import expect
from test_browser_playground import counter, open_playground, play_to_the_end, wait_for_point

import losses
import optimisers

TUNING_PLOT = "[data-testid=stSidebar] .js-plotly-plot"
RATES = sorted({float(f"{10 ** (k / 12 - 4):.3g}") for k in range(61)} | {0.1})  # the defaults and the run's own


def drawn_tuning(page) -> dict[str, dict]:
    traces = page.evaluate(f"gd => ({DRAWN})(gd)", page.locator(TUNING_PLOT).element_handle())
    return {trace["name"].split(" = ")[0]: trace for trace in traces}


def test_tune_alpha_after_playing_draws_the_final_loss_against_alpha_and_applies_the_best(page, app_url):
    open_playground(page, app_url)  # RMSProp (α = 0.1, β = 0.9) and Adam from 0.1 on the quartic, 50 steps
    play_to_the_end(page, 50)
    page.locator("[data-testid=stSidebar]").get_by_text("Tune α", exact=True).click()
    page.wait_for_selector(f"{TUNING_PLOT} .scatterlayer .trace", timeout=60_000)
    wait_for_app(page)

    quartic = losses.get("quartic")
    runs = optimisers.simulate(
        quartic, optimisers.create("rmsprop", alpha=np.array(RATES), beta=0.9), [0.1], 50, record="final"
    )
    final_loss = np.where(runs.diverged_at >= 0, np.inf, runs.final_loss)
    best = RATES[int(np.argmin(final_loss))]
    traces = drawn_tuning(page)
    curve, star, current = traces["final loss"], traces["best α"], traces["current α"]
    pixel = 1 / curve["x_pixels"], 1 / curve["y_pixels"]
    markers = np.array(sorted(curve["points"]))  # (index, log10 α on the log x axis, final loss)
    np.testing.assert_array_equal(markers[:, 0], range(len(RATES)))
    np.testing.assert_allclose(markers[:, 1], np.log10(RATES), atol=pixel[0])
    np.testing.assert_allclose(markers[:, 2], final_loss, atol=pixel[1])
    ((_, star_x, star_y),) = star["points"]
    assert abs(star_x - math.log10(best)) < pixel[0] and abs(star_y - final_loss.min()) < pixel[1]
    assert all(abs(x + 1) < pixel[0] for x, _ in current["line"])  # at log10(0.1)

    page.get_by_role("button", name=f"Apply α = {best:g}").click()
    page.wait_for_url(re.compile(rf"r1\.alpha={re.escape(repr(best))}(&|$)"), timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_label("alpha (exact)").first).to_have_value(f"{best:g}")
    page.wait_for_function(
        f"""([gd, x]) => ({DRAWN})(gd).find(t => t.name.startsWith("current α")).line
            .every(([drawnX]) => Math.abs(drawnX - x) < 1e-2)""",
        arg=[page.locator(TUNING_PLOT).element_handle(), math.log10(best)],
        timeout=30_000,
    )
    expect(page.get_by_role("button", name=f"Apply α = {best:g}")).to_be_disabled()
    # The animation is redrawn at the step shown, with the run at the applied α.
    assert counter(page) == "Step 50 of 50"
    applied = optimisers.simulate(quartic, optimisers.create("rmsprop", alpha=best, beta=0.9), [0.1], 50)
    wait_for_point(page, "RMSProp", applied.final_x[0])
