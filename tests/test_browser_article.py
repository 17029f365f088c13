"""The Article page in a real browser: six animated charts, and Play runs one to its last frame."""

from __future__ import annotations

from conftest import wait_for_app

from article import scenes

# Where a run's point is drawn now: in the trace named after the run, the one entry that hover tells.
POINT_X = """([chart, label]) => {
    const run = chart.data.find(t => t.cliponaxis === false && t.name.startsWith(label));
    return run.x[run.hoverinfo.indexOf("all")];
}"""


def test_article_page_shows_six_animations_and_play_runs_one(app_url, page):
    # Arrive as a reader does, from the landing page: it is app.py's st.navigation that routes /article.
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("link", name="Article").click()
    page.wait_for_url("**/article")
    wait_for_app(page)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 6", timeout=60_000)
    charts = page.locator(".js-plotly-plot")
    for index in range(6):
        assert charts.nth(index).evaluate("chart => chart._transitionData._frames.length") == 9

    first_scene = scenes.SCENES[0]
    yellow = first_scene.runs[0]
    final_x = float(scenes.trajectories(first_scene, "article")[0].x[-1, 0])
    chart = charts.nth(0)
    chart.scroll_into_view_if_needed()
    handle = chart.element_handle()
    assert page.evaluate(POINT_X, [handle, yellow.label]) == yellow.x0[0]

    chart.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(
        f"([chart, label]) => Math.abs(({POINT_X})([chart, label]) - {final_x!r}) < 5e-4 * Math.abs({final_x!r})",
        arg=[handle, yellow.label],
        timeout=30_000,
    )
