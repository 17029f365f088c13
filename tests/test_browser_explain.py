"""The Playground's "Explain this step" in a real Chromium: toggled on, it follows the step control (the buttons,
the scrubber, Play) without a rerun, and the numbers it shows are the runs' recorded ones."""

import re

import pytest
from conftest import ARTIFACTS, COUNT_RERUNS, wait_for_app
from playwright.sync_api import expect

import losses
import optimisers

PLOT = ".descent-plot.js-plotly-plot"
LANDING_RUNS = {  # the Playground's landing page: the quartic from 0.1, 50 steps
    "RMSProp": optimisers.create("rmsprop", alpha=0.1, beta=0.9),
    "Adam": optimisers.create("adam", alpha=0.1, beta1=0.9, beta2=0.999),
}
# Each run's label, and for each line it shows: the field of the trajectory it gives and its result.
SHOWN = """() => Array.from(document.querySelectorAll(".descent-explained")).map(run => ({
    label: run.querySelector(".descent-run").textContent,
    text: run.textContent,
    lines: Array.from(run.querySelectorAll(".descent-line")).map(line => [
        line.dataset.field ?? null, line.querySelector(".descent-result").textContent,
    ]),
    meanings: Array.from(run.querySelectorAll(".descent-symbol")).map(symbol => symbol.title),
}))"""


def value_of(text: str) -> float:
    return float(text.replace("×10", "e").replace("−", "-"))


def assert_shows_step(page, k: int) -> None:
    """Each landing run's explanation at frame k: step k + 1, its numbers those of its recorded trajectory."""
    expect(page.locator(".descent-counter")).to_have_text(re.compile(f"^Step {k} of"))
    quartic = losses.get("quartic")
    shown = {run["label"]: run for run in page.evaluate(SHOWN)}
    assert set(shown) == set(LANDING_RUNS)
    for label, optimiser in LANDING_RUNS.items():
        trajectory = optimisers.simulate(quartic, optimiser, [0.1], 50)
        run = shown[label]
        assert f"Step t = {k + 1}:" in run["text"]
        recorded = {"x": trajectory.x[k + 1, 0], "lr": trajectory.lr[k, 0]}
        recorded |= {name: values[k, 0] for name, values in trajectory.state.items()}
        fields = [(field, result) for field, result in run["lines"] if field]
        assert {field for field, _ in fields} >= {"x", "lr", "v"}
        for field, result in fields:
            assert value_of(result) == pytest.approx(recorded[field], rel=5.001e-4), (label, k, field)
        assert all(run["meanings"]), "every symbol tells its meaning on hover"


def test_explain_this_step_follows_the_step_buttons_the_scrubber_and_play_without_a_rerun(page, app_url):
    page.goto(app_url)
    page.wait_for_selector(PLOT, timeout=90_000)
    wait_for_app(page)
    assert page.locator(".descent-explained").count() == 0
    page.get_by_text("Explain this step").click()
    expect(page.locator(".descent-explained")).to_have_count(2, timeout=30_000)
    wait_for_app(page)
    assert_shows_step(page, 0)

    page.evaluate(COUNT_RERUNS)
    page.locator(".descent-forward").click()
    page.locator(".descent-forward").click()
    assert_shows_step(page, 2)
    page.locator(".descent-scrubber").fill("30")
    assert_shows_step(page, 30)
    page.locator(".descent-back").click()
    assert_shows_step(page, 29)
    page.screenshot(path=str(ARTIFACTS / "playground-explain.png"), full_page=True)

    page.locator(".descent-play").click()
    expect(page.locator(".descent-counter")).to_have_text("Step 50 of 50", timeout=60_000)
    expect(page.locator(".descent-explained").first).to_contain_text("the run ends after 50 steps")
    assert page.evaluate("window.reruns") == 0

    page.get_by_text("Explain this step").click()
    expect(page.locator(".descent-explained")).to_have_count(0, timeout=30_000)
