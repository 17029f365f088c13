"""The Playground in a real Chromium against `streamlit run app.py`: it loads, plays, scrubs, reacts."""

import re

import numpy as np
import pytest
from conftest import ARTIFACTS, _free_port, start_app, wait_for_app
from playwright.sync_api import expect

import losses
import optimisers

ANIMATION = "document.querySelectorAll('.js-plotly-plot')"
# The animated chart: the one whose figure has frames.
FIND_ANIMATION = f"Array.from({ANIMATION}).find(gd => gd._transitionData && gd._transitionData._frames.length)"
# The x of each run's point: in its trace (drawn whole over the axis line), the one entry that hover tells.
# Whether Plotly drew the figure in the margins it was given: were a legend, slider or colour bar short of
# room, Plotly would grow them and draw those parts a second time.
MARGINS_KEPT = f"""() => {{
    const gd = {FIND_ANIMATION};
    return ["l", "r", "t", "b"].every(side => gd._fullLayout._size[side] === gd.layout.margin[side]);
}}"""
POINT_XS = f"""() => {{
    const gd = {FIND_ANIMATION};
    return gd.data.filter(t => t.cliponaxis === false).map(t => t.x[t.hoverinfo.indexOf('all')]);
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
    assert page.evaluate(MARGINS_KEPT)
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
        f"expected => ({POINT_XS})().every((x, i) => Math.abs(x - expected[i]) < 5e-4 * Math.abs(expected[i]))",
        arg=expected,
        timeout=10_000,
    )
    assert page.locator(".slider-container").first.text_content().startswith("Step 50")


FRAMES = f"() => JSON.stringify(({FIND_ANIMATION})._transitionData._frames)"


def type_alpha(page, alpha: str) -> None:
    """Type α into the edited run's exact box, and wait for the rerun that follows to finish."""
    alpha_box = page.get_by_label("alpha (exact)").first
    alpha_box.fill(alpha)
    alpha_box.press("Enter")
    page.wait_for_url(re.compile(rf"r1\.alpha={re.escape(alpha)}(&|$)"), timeout=30_000)
    wait_for_app(page)


def test_changing_a_setting_redraws_the_chart(page, app_url):
    open_playground(page, app_url)
    before = page.evaluate(FRAMES)
    type_alpha(page, "0.03")
    page.wait_for_function(f"before => ({FRAMES})() !== before", arg=before, timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0


HIMMELBLAU_URL = "?loss=himmelblau&steps=40&r1=adam&r1.alpha=0.1&r1.x0=0.5,-4&r2=gd&r2.alpha=0.01&r2.x0=-1,1"
# The runs' points over a map: in each run's trace, the entry that hover tells (the others draw its step arrow).
MAP_POINTS = f"""() => {{
    const gd = {FIND_ANIMATION};
    return gd.data.filter(t => t.cliponaxis === false).map(t => {{
        const point = t.hoverinfo.indexOf('all');
        return [t.x[point], t.y[point]];
    }});
}}"""


def test_play_moves_the_points_over_the_map(page, app_url):
    page.goto(app_url + HIMMELBLAU_URL)
    page.wait_for_function(f"() => !!({FIND_ANIMATION})", timeout=90_000)
    wait_for_app(page)
    assert page.evaluate(f"() => ({FIND_ANIMATION}).layout.images.length") == 1
    assert page.evaluate(MAP_POINTS) == [[0.5, -4.0], [-1.0, 1.0]]
    assert page.evaluate(MARGINS_KEPT)
    # Each run draws its point and its arrowhead (Plotly leaves out the first point of a trace whose markers
    # turn along the line, as it has no point before it).
    drawn = f"""() => Array.from(({FIND_ANIMATION}).querySelectorAll('.scatterlayer .trace'))
        .filter(group => group.__data__[0].trace.cliponaxis === false)
        .map(group => Array.from(group.querySelectorAll('.point')))
        .map(points => points.filter(point => point.getAttribute('d') !== 'M0,0Z').length)"""
    assert page.evaluate(drawn) == [2, 2]
    page.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(
        f"() => ({MAP_POINTS})().every(([x, y], i) => x !== [0.5, -1.0][i] && y !== [-4.0, 1.0][i])", timeout=10_000
    )
    # The map is a picture under the animation: still there once the points have moved.
    pictures = "Array.from(gd.querySelectorAll('image')).filter(i => i.getAttribute('href').startsWith('data:image'))"
    assert page.evaluate(f"() => {{ const gd = {FIND_ANIMATION}; return {pictures}.length; }}") == 1
    page.screenshot(path=str(ARTIFACTS / "playground-map.png"), full_page=True)


def test_the_map_tells_the_height_under_the_cursor_and_a_click_starts_the_edited_run_there(page, app_url):
    page.goto(app_url + HIMMELBLAU_URL)
    page.wait_for_function(f"() => !!({FIND_ANIMATION})", timeout=90_000)
    wait_for_app(page)
    where = page.evaluate(
        f"""() => {{
            const gd = {FIND_ANIMATION}, box = gd.getBoundingClientRect();
            const xaxis = gd._fullLayout.xaxis, yaxis = gd._fullLayout.yaxis;
            return [box.left + xaxis._offset + xaxis.d2p(-2), box.top + yaxis._offset + yaxis.d2p(2)];
        }}"""
    )
    page.mouse.move(*where)
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for()
    x, y, height = (float(v) for v in re.findall(r"= (\S+?)(?=[xyf] =|$)", hover.text_content()))
    assert abs(x + 2) < 0.3 and abs(y - 2) < 0.3
    assert height == pytest.approx(losses.get("himmelblau").f(np.array([[x, y]]))[0], rel=2e-3)  # 4 digits shown
    page.mouse.click(*where)
    page.wait_for_function("() => !location.search.includes('r1.x0=0.5')", timeout=30_000)
    wait_for_app(page)
    x0, y0 = (float(v) for v in page.evaluate("() => new URLSearchParams(location.search).get('r1.x0')").split(","))
    assert abs(x0 + 2) < 0.3 and abs(y0 - 2) < 0.3  # the nearest of the map's clickable points
    assert page.evaluate(MAP_POINTS)[0] == [x0, y0]


def test_the_run_being_edited_stays_picked_while_it_is_renamed(page, app_url):
    open_playground(page, app_url)
    page.get_by_text("Run 2", exact=True).click()
    label = page.get_by_label("Label")
    expect(label).to_have_value("Adam", timeout=30_000)  # the second run's controls, once the rerun is done
    label.fill("Adam, faster")
    label.press("Enter")
    page.wait_for_url(re.compile(r"r2\.label=Adam(%2C|,)(\+|%20)faster"), timeout=30_000)  # the rerun has finished
    wait_for_app(page)
    picked = "Array.from(document.querySelectorAll('[data-testid=stRadio] input:checked'))"
    assert "Run 2" in page.evaluate(f"() => {picked}.map(input => input.closest('label').innerText)")
    assert page.get_by_label("Label").input_value() == "Adam, faster"


def test_the_first_change_after_the_server_restarts_is_applied_and_drawn(page, app_url):
    """A server of its own, stopped and started again on the same port while the page is open: once the page
    has reconnected, the first α typed counts (the new session used to restore the URL over it)."""
    port = _free_port()
    log = open(ARTIFACTS / "streamlit-restarted.log", "w")  # noqa: SIM115 - two servers write to it in turn
    server = start_app(port, log)
    try:
        open_playground(page, f"http://127.0.0.1:{port}")
        type_alpha(page, "0.03")
        server.terminate()
        server.wait(timeout=10)
        page.wait_for_selector("[data-testid=stApp]:not([data-test-connection-state=CONNECTED])", timeout=30_000)
        server = start_app(port, log)
        page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
        wait_for_app(page)
        before = page.evaluate(FRAMES)
        type_alpha(page, "0.05")
        page.wait_for_function(f"before => ({FRAMES})() !== before", arg=before, timeout=30_000)
        assert page.get_by_label("alpha (exact)").first.input_value() == "0.05"
        quartic = losses.get("quartic")
        final = optimisers.simulate(quartic, optimisers.create("rmsprop", alpha=0.05, beta=0.9), [0.1], 50).final_x[0]
        rail = page.locator(".slider-rail-rect").first.bounding_box()
        page.mouse.click(rail["x"] + rail["width"] - 1, rail["y"] + rail["height"] / 2)  # the last step
        page.wait_for_function(
            f"final => Math.abs(({POINT_XS})()[0] - final) < 5e-4 * Math.abs(final)", arg=final, timeout=10_000
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
