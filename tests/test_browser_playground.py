"""The Playground in a real Chromium against `streamlit run app.py`: it loads, plays, scrubs, reacts."""

from conftest import ARTIFACTS, wait_for_app

import losses
import optimisers

ANIMATION = "document.querySelectorAll('.js-plotly-plot')"
# The animated chart: the one whose figure has frames.
FIND_ANIMATION = f"Array.from({ANIMATION}).find(gd => gd._transitionData && gd._transitionData._frames.length)"
POINT_XS = f"""() => {{
    const gd = {FIND_ANIMATION};
    return gd.data.filter(t => t.mode === 'markers' && t.name !== 'minima').map(t => t.x[0]);
}}"""


def open_playground(page, app_url):
    page.goto(app_url)
    page.wait_for_function(f"() => !!({FIND_ANIMATION})", timeout=90_000)
    wait_for_app(page)


def test_the_page_loads_with_the_curve_and_one_point_per_run(page, app_url):
    open_playground(page, app_url)
    names = page.evaluate(f"() => ({FIND_ANIMATION}).data.map(t => t.name)")
    assert "f(x)" in names
    assert page.evaluate(POINT_XS) == [0.1, 0.1]
    page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)


def test_play_moves_the_points_and_scrubbing_to_the_end_shows_the_final_positions(page, app_url):
    open_playground(page, app_url)
    page.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(f"() => ({POINT_XS})().some(x => x !== 0.1)", timeout=10_000)

    rail = page.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] - 1, rail["y"] + rail["height"] / 2)  # the slider's last step
    quartic = losses.get("quartic")
    expected = [
        optimisers.simulate(quartic, optimisers.create("rmsprop", alpha=0.1, beta=0.9), [0.1], 50).final_x[0],
        optimisers.simulate(quartic, optimisers.create("adam", alpha=0.1), [0.1], 50).final_x[0],
    ]
    page.wait_for_function(
        f"expected => ({POINT_XS})().every((x, i) => Math.abs(x - expected[i]) < 1e-5)", arg=expected, timeout=10_000
    )
    assert page.locator(".slider-container").first.text_content().startswith("Step 50")


def test_changing_a_setting_redraws_the_chart(page, app_url):
    open_playground(page, app_url)
    frames = f"() => JSON.stringify(({FIND_ANIMATION})._transitionData._frames)"
    before = page.evaluate(frames)
    alpha_box = page.get_by_label("alpha (exact)").first
    alpha_box.fill("0.03")
    alpha_box.press("Enter")
    page.wait_for_function(f"before => ({frames})() !== before", arg=before, timeout=30_000)
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
