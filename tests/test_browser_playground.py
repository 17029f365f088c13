"""The Playground in a real Chromium against `streamlit run app.py`: it loads, plays, scrubs, reacts."""

import re

import numpy as np
import pytest
from conftest import ARTIFACTS, wait_for_app
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


SCHEDULED_URL = "?loss=quartic&steps=40&r1=adam&r1.alpha=0.2&r1.x0=1.5&r1.schedule=cosine&r1.schedule.t_max=20"
# The drawn x (px) of the step line across the rows under the animation: its path's first point.
STEP_LINE_X = f"""() => {{
    const gd = {FIND_ANIMATION};
    const group = Array.from(gd.querySelectorAll('.scatterlayer .trace'))
        .find(g => g.__data__[0].trace.name === 'step');
    return parseFloat(group.querySelector('path.js-line').getAttribute('d').slice(1));
}}"""


def test_a_schedule_draws_its_row_whose_step_line_follows_the_frame_and_is_picked_in_the_sidebar(page, app_url):
    page.goto(app_url + SCHEDULED_URL)
    page.wait_for_function(f"() => !!({FIND_ANIMATION})", timeout=90_000)
    wait_for_app(page)
    titles = page.locator(".js-plotly-plot .annotation-text").all_text_contents()
    assert "learning-rate schedule: the factor on α" in titles
    # The factor's curve is drawn: down from 1 to its floor at step 21, where the cosine turns, and up again.
    lowest_step = f"""() => {{
        const gd = {FIND_ANIMATION};
        const group = Array.from(gd.querySelectorAll('.scatterlayer .trace'))
            .find(g => g.__data__[0].trace.name === 'Adam' && g.__data__[0].trace.x0 === 1);
        const trace = group.__data__[0].trace, xaxis = gd._fullLayout['xaxis' + trace.xaxis.slice(1)];
        const points = group.querySelector('path.js-line').getAttribute('d').split(/[ML]/).filter(Boolean)
            .map(point => point.split(',').map(Number));
        const lowest = points.reduce((a, b) => (b[1] > a[1] ? b : a));
        return xaxis.p2d(lowest[0]);
    }}"""
    assert page.evaluate(lowest_step) == pytest.approx(21, abs=0.5)
    assert page.evaluate(MARGINS_KEPT)
    at_start = page.evaluate(STEP_LINE_X)
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] - 1, rail["y"] + rail["height"] / 2)  # the last step
    page.wait_for_function(f"start => ({STEP_LINE_X})() > start + 100", arg=at_start, timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "playground-schedule.png"), full_page=True)

    wait_for_app(page)
    schedule_box = page.get_by_role("combobox", name=re.compile("Learning-rate schedule"))
    schedule_box.click()
    schedule_box.press_sequentially("Step decay")
    schedule_box.press("Enter")
    page.wait_for_url(re.compile(r"r1\.schedule=step"), timeout=30_000)
    wait_for_app(page)
    assert "r1.schedule.step_size=30" in page.url
    step_size = page.get_by_role("spinbutton", name=re.compile("step_size"))
    expect(step_size).to_have_value("30")
    step_size.fill("5")
    step_size.press("Enter")
    page.wait_for_url(re.compile(r"r1\.schedule\.step_size=5\b"), timeout=30_000)
    wait_for_app(page)


FAITHFUL_URL = "?loss=faithful&steps=60&r1=adam&r1.alpha=1.5&r1.x0=0,60&r1.schedule=exponential&r1.schedule.gamma=0.97"
# The fitted line as drawn: its path's two ends, turned back into data by the panel's axes, as (w, b) of y = w·x + b.
DRAWN_LINE = f"""() => {{
    const gd = {FIND_ANIMATION};
    const group = Array.from(gd.querySelectorAll('.scatterlayer .trace'))
        .find(g => g.__data__[0].trace.name === 'Adam: fitted line');
    const trace = group.__data__[0].trace;
    const xaxis = gd._fullLayout['xaxis' + trace.xaxis.slice(1)];
    const yaxis = gd._fullLayout['yaxis' + trace.yaxis.slice(1)];
    const d = group.querySelector('path.js-line').getAttribute('d');
    const [[x1, y1], [x2, y2]] = d.slice(1).split('L').map(point => point.split(',').map(Number))
        .map(([x, y]) => [xaxis.p2d(x), yaxis.p2d(y)]);
    const slope = (y2 - y1) / (x2 - x1);
    return [slope, y1 - slope * x1];
}}"""


def test_the_fitted_line_beside_the_map_moves_with_the_frame(page, app_url):
    page.goto(app_url + FAITHFUL_URL)
    page.wait_for_function(f"() => !!({FIND_ANIMATION})", timeout=90_000)
    wait_for_app(page)
    assert page.evaluate(MARGINS_KEPT)
    titles = page.locator(".js-plotly-plot .annotation-text").all_text_contents()
    assert "the data, and each run's fitted line" in titles
    drawn_points = f"""() => ({FIND_ANIMATION}).querySelectorAll('.scatterlayer .trace .point').length"""
    assert page.evaluate(drawn_points) >= 272  # every eruption
    assert page.evaluate(DRAWN_LINE) == pytest.approx([0.0, 60.0], abs=0.3)  # y = 0·x + 60 at the start

    faithful = losses.get("faithful")
    schedule = optimisers.schedule("exponential", gamma=0.97)
    final = optimisers.simulate(faithful, optimisers.create("adam", alpha=1.5), [0.0, 60.0], 60, schedule=schedule)
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] - 1, rail["y"] + rail["height"] / 2)  # the last step
    page.wait_for_function(f"() => Math.abs(({DRAWN_LINE})()[0]) > 1", timeout=10_000)
    w, b = final.final_x
    # Drawn to a fraction of a pixel: a slope and intercept close to the run's last (w, b).
    assert page.evaluate(DRAWN_LINE) == pytest.approx([w, b], rel=0.02, abs=0.3)
    page.screenshot(path=str(ARTIFACTS / "playground-faithful.png"), full_page=True)


NOISY_URL = "?loss=himmelblau&steps=40&noise=2.0&seed=4&r1=adam&r1.alpha=0.1&r1.x0=0.5,-4"
FAINT_PATHS = f"""() => Array.from(({FIND_ANIMATION}).querySelectorAll('.scatterlayer .trace'))
    .filter(g => / seed \\d+$/.test(g.__data__[0].trace.name) && g.querySelector('path.js-line')).length"""


def test_the_seeds_are_shown_on_request_as_faint_paths_and_a_new_seed_redraws_them(page, app_url):
    page.goto(app_url + NOISY_URL)
    page.wait_for_function(f"() => !!({FIND_ANIMATION})", timeout=90_000)
    wait_for_app(page)
    assert page.evaluate(FAINT_PATHS) == 0
    page.get_by_text("Show 20 seeds").click()
    page.wait_for_url(re.compile(r"seeds=1"), timeout=30_000)
    page.wait_for_function(f"() => ({FAINT_PATHS})() === 20", timeout=30_000)
    wait_for_app(page)
    median = f"""() => Array.from(({FIND_ANIMATION}).querySelectorAll('.scatterlayer .trace'))
        .filter(g => g.__data__[0].trace.name === 'Adam median of 20 seeds')
        .map(g => parseFloat(getComputedStyle(g.querySelector('path.js-line')).strokeWidth))"""
    assert page.evaluate(median) == [3.5]
    paths = f"() => JSON.stringify(({FIND_ANIMATION}).data.filter(t => / seed \\d+$/.test(t.name)).map(t => t.x))"
    before = page.evaluate(paths)
    page.get_by_role("button", name="New seed").click()
    page.wait_for_function("() => !location.search.includes('seed=4&')", timeout=30_000)
    page.wait_for_function(f"before => ({paths})() !== before", arg=before, timeout=30_000)
    wait_for_app(page)
    assert page.evaluate(FAINT_PATHS) == 20
    page.screenshot(path=str(ARTIFACTS / "playground-seeds.png"), full_page=True)
