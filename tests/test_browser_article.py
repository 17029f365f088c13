"""The Article page in a real browser: six animated charts, and Play runs one to its last frame."""

from __future__ import annotations

import pytest
from conftest import DRAWN, wait_for_app
from playwright.sync_api import expect

from article import scenes


def test_article_page_shows_six_animations_and_play_runs_one(app_url, page):
    # Arrive as a reader does, from the landing page: it is app.py's st.navigation that routes /article.
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("link", name="Article").click()
    page.wait_for_url("**/article")
    wait_for_app(page)
    page.wait_for_function("document.querySelectorAll('.descent-plot.js-plotly-plot').length === 6", timeout=60_000)
    players = page.locator(".descent-player")
    for index in range(6):
        assert players.nth(index).locator(".descent-counter").text_content() == "Step 0 of 8"

    first_scene = scenes.SCENES[0]
    yellow = first_scene.runs[0]
    final_x = float(scenes.trajectories(first_scene, "article")[0].x[-1, 0])
    player = players.nth(0)
    player.scroll_into_view_if_needed()
    plot = player.locator(".descent-plot").element_handle()
    point_x = f"""([gd, label]) => {{
        const run = ({DRAWN})(gd).find(t => t.name.startsWith(label) && t.points.length);
        return run.points.reduce((a, b) => (a[0] < b[0] ? a : b))[1];
    }}"""
    assert page.evaluate(point_x, [plot, yellow.label]) == pytest.approx(yellow.x0[0], abs=1e-3)
    player.locator(".descent-play").click()
    expect(player.locator(".descent-counter")).to_have_text("Step 8 of 8", timeout=30_000)
    page.wait_for_function(
        f"([gd, label]) => Math.abs(({point_x})([gd, label]) - {final_x!r}) < 1e-3", arg=[plot, yellow.label]
    )
