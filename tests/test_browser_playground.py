"""The Playground in a real Chromium against `streamlit run app.py`, used as a student would: it plays, pauses,
steps, scrubs and takes clicks after playing, and what plotly.js drew (the SVG) is checked against the runs."""

import itertools
import re

import numpy as np
import pytest
from conftest import ARTIFACTS, COUNT_RERUNS, DRAWN, _free_port, new_tab, start_app, wait_for_app, watch_for_errors
from playwright.sync_api import expect

import losses
import optimisers

PLOT = ".descent-plot.js-plotly-plot"
FIND_ANIMATION = f"document.querySelector('{PLOT}')"
# How many figures the player has drawn: it counts one more once a change is drawn.
DRAWS = f"() => Number({FIND_ANIMATION}.dataset.draws)"
# Whether Plotly drew the figure in the margins it was given: were a legend or colour bar short of room,
# Plotly would grow them and draw those parts a second time.
MARGINS_KEPT = f"""() => {{
    const gd = document.querySelector("{PLOT}");
    return ["l", "r", "t", "b"].every(side => gd._fullLayout._size[side] === gd.layout.margin[side]);
}}"""
LANDING_RUNS = {
    "RMSProp": optimisers.create("rmsprop", alpha=0.1, beta=0.9),
    "Adam": optimisers.create("adam", alpha=0.1, beta1=0.9, beta2=0.999),
}


def open_playground(page, url):
    page.goto(url)
    page.wait_for_selector(PLOT, timeout=90_000)
    wait_for_app(page)


def drawn(page) -> list[dict]:
    return page.evaluate(f"gd => ({DRAWN})(gd)", page.locator(PLOT).element_handle())


def counter(page) -> str:
    return page.locator(".descent-counter").text_content()


def play_to_the_end(page, steps: int) -> None:
    page.locator(".descent-play").click()
    expect(page.locator(".descent-play")).to_have_text("❚❚ Pause")
    expect(page.locator(".descent-counter")).to_have_text(f"Step {steps} of {steps}", timeout=60_000)
    expect(page.locator(".descent-play")).to_have_text("▶ Play")


def scrub_to_the_end(page) -> None:
    page.locator(".descent-scrubber").focus()
    page.keyboard.press("End")


def scrub_to(page, step: int) -> None:
    page.locator(".descent-scrubber").fill(str(step))
    expect(page.locator(".descent-counter")).to_have_text(re.compile(f"^Step {step} of"))


def run_point(traces: list[dict], label: str) -> tuple[float, ...]:
    """Where a run's point is drawn: its trace's first marker drawn (its trail or its arrow's end come after)."""
    (trace,) = [t for t in traces if t["name"].split(" — ")[0] == label and t["points"]]
    return tuple(min(trace["points"])[1:])


def wait_for_point(page, label: str, x: float, y: float | None = None, timeout: float = 30_000) -> None:
    """Wait until the run's point is drawn at x (and y) to within 1e-3 (a map's, 0.02)."""
    page.wait_for_function(
        f"""([gd, label, x, y]) => {{
            const run = ({DRAWN})(gd).find(t => t.name.split(" — ")[0] === label && t.points.length);
            const [, drawnX, drawnY] = run.points.reduce((a, b) => (a[0] < b[0] ? a : b));
            const near = y === null ? 1e-3 : 0.02;
            return Math.abs(drawnX - x) < near && (y === null || Math.abs(drawnY - y) < near);
        }}""",
        arg=[page.locator(PLOT).element_handle(), label, x, y],
        timeout=timeout,
    )


def assert_line_is(trace: dict, first_step: int, expected: np.ndarray) -> None:
    """The trace's drawn line goes through `expected` (one value per step from `first_step`) to a pixel, vertex
    by vertex (Plotly leaves out vertices on a straight stretch), from its first step to its last."""
    line = np.array(trace["line"])
    assert len(line) >= 2, f"{trace['name']}: nothing drawn"
    steps = np.rint(line[:, 0]).astype(int)
    np.testing.assert_allclose(line[:, 0], steps, atol=1 / trace["x_pixels"])
    assert (steps[0], steps[-1]) == (first_step, first_step + len(expected) - 1), trace["name"]
    np.testing.assert_allclose(line[:, 1], expected[steps - first_step], atol=1.5 / trace["y_pixels"])


def test_the_page_opens_with_the_curve_one_point_per_run_and_one_sentence_saying_what_to_do(page, app_url):
    open_playground(page, app_url)
    traces = drawn(page)
    assert next(t["name"] for t in traces if t["line"]) == "f(x)"
    assert [run_point(traces, label)[0] for label in LANDING_RUNS] == pytest.approx([0.1, 0.1], abs=0.01)
    assert counter(page) == "Step 0 of 50"
    assert page.evaluate(MARGINS_KEPT)
    page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)


def test_play_then_scrub_draws_the_points_and_every_internals_row_as_the_runs_went(page, app_url):
    open_playground(page, app_url + "?internals=1")
    play_to_the_end(page, 50)
    scrub_to(page, 25)
    quartic = losses.get("quartic")
    runs = {label: optimisers.simulate(quartic, optimiser, [0.1], 50) for label, optimiser in LANDING_RUNS.items()}
    traces = drawn(page)
    for label, trajectory in runs.items():
        x, y = run_point(traces, label)
        assert x == pytest.approx(trajectory.x[25, 0], abs=1e-3) and y == pytest.approx(trajectory.loss[25], abs=1e-2)
    rows = sorted({t["yaxis"] for t in traces if t["yaxis"] not in ("y", "y2")}, key=lambda axis: int(axis[1:]))
    by_row = {axis: {t["name"]: t for t in traces if t["yaxis"] == axis} for axis in rows}
    loss_row, x_row, lr_row = (by_row[axis] for axis in rows[:3])
    for label, trajectory in runs.items():
        assert_line_is(loss_row[label], 0, trajectory.loss)
        assert_line_is(x_row[label], 0, trajectory.x[:, 0])
        assert_line_is(lr_row[label], 1, np.log10(trajectory.lr[:, 0]))
    for row in by_row.values():  # every row, the accumulators' too, still drawn after playing
        assert all(len(trace["line"]) >= 2 for trace in row.values()), row.keys()
    (step_line,) = [t for t in traces if t["yaxis"] == "y2"]
    assert {round(x, 6) for x, _ in step_line["line"]} == {25.0}
    page.screenshot(path=str(ARTIFACTS / "playground-internals.png"), full_page=True)


def test_the_step_buttons_and_the_scrubber_move_together_without_a_rerun(page, app_url):
    open_playground(page, app_url)
    page.evaluate(COUNT_RERUNS)
    page.locator(".descent-forward").click()
    page.locator(".descent-forward").click()
    assert counter(page) == "Step 2 of 50" and page.locator(".descent-scrubber").input_value() == "2"
    page.locator(".descent-back").click()
    assert counter(page) == "Step 1 of 50"
    page.locator(".descent-scrubber").focus()
    page.keyboard.press("End")
    assert counter(page) == "Step 50 of 50" and page.locator(".descent-forward").is_disabled()
    quartic = losses.get("quartic")
    final = optimisers.simulate(quartic, LANDING_RUNS["Adam"], [0.1], 50).final_x[0]
    wait_for_point(page, "Adam", final)
    page.wait_for_timeout(1000)  # a rerun the buttons had started would have begun by now
    assert page.evaluate("() => window.reruns") == 0


def test_pause_stops_the_points_where_the_counter_says(page, app_url):
    open_playground(page, app_url)
    page.locator(".descent-play").click()
    expect(page.locator(".descent-counter")).to_have_text(re.compile(r"^Step ([3-9]|\d\d) of 50"), timeout=20_000)
    page.locator(".descent-play").click()
    expect(page.locator(".descent-play")).to_have_text("▶ Play")
    page.wait_for_timeout(600)  # longer than a frame: had the animation gone on, the counter would have moved
    step = int(counter(page).split()[1])
    quartic = losses.get("quartic")
    expected = optimisers.simulate(quartic, LANDING_RUNS["RMSProp"], [0.1], 50).x[step, 0]
    assert run_point(drawn(page), "RMSProp")[0] == pytest.approx(expected, abs=1e-3)


def test_hovering_a_runs_point_tells_its_values(page, app_url):
    open_playground(page, app_url)
    scrub_to(page, 10)
    x, y = run_point(drawn(page), "Adam")
    page.mouse.move(*point_on_page(page, x, y))
    hover = page.locator(".hoverlayer .hovertext").first
    expect(hover).to_contain_text("Adam")
    expected = optimisers.simulate(losses.get("quartic"), LANDING_RUNS["Adam"], [0.1], 50).x[10, 0]
    assert f"x = {expected:.4g}" in hover.text_content().replace("−", "-")


def test_changing_a_setting_redraws_the_chart_at_the_step_shown(page, app_url):
    open_playground(page, app_url)
    scrub_to(page, 10)
    before = run_point(drawn(page), "RMSProp")
    alpha_box = page.get_by_label("alpha (exact)").first
    alpha_box.fill("0.03")
    alpha_box.press("Enter")
    page.wait_for_url(re.compile(r"r1\.alpha=0\.03"), timeout=30_000)
    wait_for_app(page)
    quartic = losses.get("quartic")
    expected = optimisers.simulate(quartic, optimisers.create("rmsprop", alpha=0.03, beta=0.9), [0.1], 50).x[10, 0]
    wait_for_point(page, "RMSProp", expected)
    assert counter(page) == "Step 10 of 50" and run_point(drawn(page), "RMSProp") != before


def test_a_thousand_steps_have_readable_ticks_under_the_scrubber(page, app_url):
    open_playground(page, app_url + "?steps=1000&r1=gd&r1.alpha=0.01")
    ticks = page.locator(".descent-tick")
    labels = ticks.all_text_contents()
    assert labels[0] == "0" and labels[-1] == "1000" and len(labels) <= 11
    boxes = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
    assert all(left["x"] + left["width"] < right["x"] for left, right in itertools.pairwise(boxes))
    scrub_to(page, 537)  # the scrubber reaches every step


ROSENBROCK_ADAM = "?loss=rosenbrock&steps=30&r1=adam&r1.alpha=0.05&r1.x0=-1.5,2&r1.label=Adam"


def test_a_change_after_playing_redraws_at_the_step_shown_beside_another_plotly_chart(page, app_url):
    """A typed formula's page also draws Streamlit's own Plotly chart (the preview in the sidebar), whose
    plotly.js is another version: the player keeps its own, so a change after playing still redraws at the
    step shown."""
    open_playground(page, app_url + "?loss=custom&expr=x^2&domain=-3,3&steps=20&r1=gd&r1.alpha=0.1&r1.x0=2")
    expect(page.locator("[data-testid=stSidebar] .js-plotly-plot")).to_be_visible()
    play_to_the_end(page, 20)
    draws = page.evaluate(DRAWS)
    type_alpha(page, "0.05")
    page.wait_for_function(f"draws => ({DRAWS})() > draws", arg=draws, timeout=30_000)
    assert counter(page) == "Step 20 of 20"
    square = losses.parse("x^2", domain=((-3.0, 3.0),))
    final = optimisers.simulate(square, optimisers.create("gd", alpha=0.05), [2.0], 20).final_x[0]
    wait_for_point(page, "Fixed learning rate", final)
    scrub_to(page, 10)
    halfway = optimisers.simulate(square, optimisers.create("gd", alpha=0.05), [2.0], 10).final_x[0]
    wait_for_point(page, "Fixed learning rate", halfway)


def choose_optimiser(page, name: str) -> None:
    """Pick the edited run's optimiser from its select box."""
    optimiser = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").filter(has_text="Optimiser")
    optimiser.locator("input").click()
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).click()


def test_switching_the_optimiser_renames_the_run_everywhere_it_is_named(page, app_url):
    open_playground(page, app_url + ROSENBROCK_ADAM)
    choose_optimiser(page, "Fixed learning rate")
    page.wait_for_url(re.compile(r"r1=gd"), timeout=30_000)
    wait_for_app(page)
    expect(page.locator(".descent-plot .legendtext").first).to_have_text(re.compile(r"^Fixed learning rate"))
    assert "Adam" not in page.locator(".descent-plot .legend").text_content()
    table = page.locator("[data-testid=stDataFrame]").first
    expect(table).to_contain_text("Fixed learning rate")
    assert "Adam" not in table.inner_text() + " ".join(page.locator("[data-testid=stAlert]").all_inner_texts())


def type_alpha(page, alpha: str) -> None:
    """Type α into the edited run's exact box, and wait for the rerun that follows to finish."""
    alpha_box = page.get_by_label("alpha (exact)").first
    alpha_box.fill(alpha)
    alpha_box.press("Enter")
    page.wait_for_url(re.compile(rf"r1\.alpha={re.escape(alpha)}(&|$)"), timeout=30_000)
    wait_for_app(page)


HIMMELBLAU_URL = "?loss=himmelblau&steps=40&r1=adam&r1.alpha=0.1&r1.x0=0.5,-4&r2=gd&r2.alpha=0.01&r2.x0=-1,1"


def test_play_moves_the_points_over_the_map(page, app_url):
    open_playground(page, app_url + HIMMELBLAU_URL)
    assert page.evaluate(f"() => document.querySelector('{PLOT}').layout.images.length") == 1
    traces = drawn(page)
    assert run_point(traces, "Adam") == pytest.approx((0.5, -4.0), abs=0.02)
    assert page.evaluate(MARGINS_KEPT)
    play_to_the_end(page, 40)
    himmelblau = losses.get("himmelblau")
    final = optimisers.simulate(himmelblau, optimisers.create("adam", alpha=0.1), np.array([0.5, -4.0]), 40).final_x
    assert run_point(drawn(page), "Adam") == pytest.approx(tuple(final), abs=0.02)
    # The map is a picture under the animation: still there once the points have moved.
    pictures = "Array.from(gd.querySelectorAll('image')).filter(i => i.getAttribute('href').startsWith('data:image'))"
    assert page.evaluate(f"() => {{ const gd = document.querySelector('{PLOT}'); return {pictures}.length; }}") == 1
    page.screenshot(path=str(ARTIFACTS / "playground-map.png"), full_page=True)


def point_on_page(page, x: float, y: float) -> tuple[float, float]:
    return page.evaluate(
        f"""([x, y]) => {{
            const gd = document.querySelector("{PLOT}"), box = gd.getBoundingClientRect();
            const xaxis = gd._fullLayout.xaxis, yaxis = gd._fullLayout.yaxis;
            return [box.left + xaxis._offset + xaxis.d2p(x), box.top + yaxis._offset + yaxis.d2p(y)];
        }}""",
        [x, y],
    )


def test_the_map_tells_the_height_under_the_cursor_and_a_click_after_playing_starts_the_edited_run_there(page, app_url):
    open_playground(page, app_url + HIMMELBLAU_URL)
    page.locator(".descent-play").click()
    expect(page.locator(".descent-counter")).to_have_text(re.compile(r"^Step [2-9]"), timeout=20_000)
    page.locator(".descent-play").click()  # Pause, while it plays
    where = point_on_page(page, -2, 2)
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
    scrub_to(page, 0)
    wait_for_point(page, "Adam", x0, y0)


def test_the_downloaded_animation_plays_offline_and_says_what_it_shows(page, app_url, browser, tmp_path):
    open_playground(page, app_url)
    with page.expect_download(timeout=120_000) as download:  # the page and plotly.js, made on the click
        page.get_by_role("button", name="Animation (HTML, plays offline)").click()
    saved = tmp_path / "animation.html"
    download.value.save_as(saved)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    offline = context.new_page()
    errors = watch_for_errors(offline)
    offline.goto(saved.as_uri())
    offline.wait_for_selector(PLOT)
    text = offline.locator("body").inner_text()
    assert "Descent Lab: Article quartic" in text and "f = x**4 - 2*x**2 + x" in text
    assert "RMSProp: RMSProp, alpha = 0.1, beta = 0.9, eps = 1e-08, from (0.1)" in text
    assert offline.locator(".modebar-btn--logo, a[href*='plot.ly'], a[href*='chart-studio']").count() == 0
    play_to_the_end(offline, 50)
    scrub_to(offline, 20)
    expected = optimisers.simulate(losses.get("quartic"), LANDING_RUNS["Adam"], [0.1], 50).x[20, 0]
    assert run_point(drawn(offline), "Adam")[0] == pytest.approx(expected, abs=1e-3)
    context.close()
    assert not errors, errors


def test_on_a_phone_the_controls_sit_side_by_side_and_nothing_covers_another(phone, app_url):
    open_playground(phone, app_url)
    box = {
        name: phone.locator(selector).bounding_box()
        for name, selector in [
            ("back", ".descent-back"),
            ("play", ".descent-play"),
            ("forward", ".descent-forward"),
            ("scrubber", ".descent-scrubber"),
            ("legend", ".legend"),
            ("plot", PLOT),
        ]
    }
    for left, right in [("back", "play"), ("play", "forward"), ("forward", "scrubber")]:
        assert box[left]["x"] + box[left]["width"] <= box[right]["x"], (left, right)
        assert abs(box[left]["y"] + box[left]["height"] / 2 - (box[right]["y"] + box[right]["height"] / 2)) < 12
    assert box["scrubber"]["x"] + box["scrubber"]["width"] <= 390
    assert box["legend"]["y"] >= box["plot"]["y"] and box["legend"]["x"] + box["legend"]["width"] <= 390
    phone.screenshot(path=str(ARTIFACTS / "playground-phone.png"), full_page=True)


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


def test_prodigy_and_schedule_free_on_a_map_draw_the_averaged_point_beside_the_run(page, app_url):
    query = "loss=himmelblau&steps=40&r1=prodigy&r1.x0=0.5,-2&r2=schedulefree_adamw&r2.alpha=0.05&r2.x0=-1,1"
    open_playground(page, f"{app_url}/?{query}")

    def averaged_points() -> list:
        (trace,) = [t for t in drawn(page) if t["name"].endswith("averaged point")]
        return trace["points"]

    (start,) = averaged_points()  # drawn once, at the start before the first step
    assert start[1:] == pytest.approx([-1.0, 1.0], abs=0.02)
    assert (
        page.evaluate(
            f"() => document.querySelector('{PLOT}').data.find(t => t.name.endsWith('averaged point')).marker.symbol"
        )
        == "diamond-open"
    )
    scrub_to(page, 40)
    himmelblau = losses.get("himmelblau")
    run = optimisers.simulate(himmelblau, optimisers.create("schedulefree_adamw", alpha=0.05), [-1.0, 1.0], 40)
    (end,) = averaged_points()
    assert end[1:] == pytest.approx(run.state["x_average"][-1].tolist(), abs=0.02)
    assert "Prodigy" in page.locator("[data-testid=stMain]").inner_text()


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
    page.wait_for_selector(PLOT, timeout=90_000)
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
    scrub_to_the_end(page)
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
    page.wait_for_selector(PLOT, timeout=90_000)
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
    scrub_to_the_end(page)
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
    page.wait_for_selector(PLOT, timeout=90_000)
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


def slide_alpha_right(page) -> None:
    """Move the edited run's α slider one stop up with the keyboard."""
    slider = page.locator("[data-testid=stSidebar] [data-testid=stSlider]").filter(has_text="alpha (α)")
    slider.get_by_role("slider").press("ArrowRight")


# The first change after a restart, as the user makes it, and what the Playground then runs: (optimiser, α).
FIRST_CHANGES = {
    "a number box": (lambda page: type_alpha(page, "0.05"), ("rmsprop", 0.05)),
    "a select box": (lambda page: choose_optimiser(page, "Adam"), ("adam", 0.1)),
    "a slider": (slide_alpha_right, ("rmsprop", 0.13)),
}


@pytest.mark.parametrize("change", FIRST_CHANGES)
def test_the_first_change_after_the_server_restarts_is_applied_and_drawn(browser, change):
    """A server of its own, stopped and started again on the same port while the page is open: once the page
    has reconnected, the first change counts (the new session used to restore the URL over it)."""
    make_change, (optimiser_id, alpha) = FIRST_CHANGES[change]
    port = _free_port()
    log = open(ARTIFACTS / "streamlit-restarted.log", "w")  # noqa: SIM115 - two servers write to it in turn
    server = start_app(port, log)
    context, page = new_tab(browser)
    errors = watch_for_errors(page)
    try:
        open_playground(page, f"http://127.0.0.1:{port}")
        server.terminate()
        server.wait(timeout=10)
        page.wait_for_selector("[data-testid=stApp]:not([data-test-connection-state=CONNECTED])", timeout=30_000)
        server = start_app(port, log)
        page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
        wait_for_app(page)
        draws = page.evaluate(DRAWS)
        make_change(page)
        page.wait_for_url(re.compile(rf"r1={optimiser_id}&.*r1\.alpha={alpha}(&|$)"), timeout=30_000)
        page.wait_for_function(f"draws => ({DRAWS})() > draws", arg=draws, timeout=30_000)
        wait_for_app(page)
        label = optimisers.REGISTRY[optimiser_id].name
        expect(page.locator(".descent-plot .legendtext").first).to_have_text(label)
        settings = {"alpha": alpha} | ({"beta": 0.9} if optimiser_id == "rmsprop" else {})
        trajectory = optimisers.simulate(losses.get("quartic"), optimisers.create(optimiser_id, **settings), [0.1], 50)
        scrub_to_the_end(page)
        wait_for_point(page, label, trajectory.final_x[0])
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=10)
        log.close()
    # While the server was down the page asked after it (and fonts it had not loaded yet), and was refused.
    refused = f"request failed: http://127.0.0.1:{port}/"
    assert not [e for e in errors if not (e.startswith(refused) and e.endswith("ERR_CONNECTION_REFUSED"))], errors
