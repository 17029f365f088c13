"""The Article page: its six scenes follow the article's rules in both modes, and the page shows them."""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from conftest import at_point, page_run, played, run_traces, shown

import losses
from article import scenes
from config import from_query_params

EPS = 1e-8
BOUND = 1e6  # simulate's default: a run whose |x| passes it has diverged
VIEW_X, VIEW_Y = (-3.0, 3.0), (-2.5, 5.0)  # the article's axes, bottom lowered to show f's global minimum

# From article-scenes.md. Each run: (rule, x0, settings).
SPEC = {
    1: ("quartic", ("fixed", 0.3, {"alpha": 0.5}), ("fixed", 0.1, {"alpha": 0.8})),
    2: ("quartic", ("fixed", 0.3, {"alpha": 0.1}), ("fixed", 0.1, {"alpha": 0.1})),
    3: ("quartic", ("fixed", 0.1, {"alpha": 0.1}), ("adagrad", 0.1, {"alpha": 0.1})),
    4: ("quartic", ("adagrad", 0.1, {"alpha": 0.1}), ("rmsprop", 0.1, {"alpha": 0.1, "beta": 0.9})),
    5: (
        "quartic",
        ("rmsprop", 0.1, {"alpha": 0.1, "beta": 0.9}),
        ("adam", 0.1, {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999}),
    ),
    6: (
        "wavy",
        ("rmsprop", 0.5, {"alpha": 0.05, "beta": 0.9}),
        ("adam", 0.5, {"alpha": 0.05, "beta1": 0.9, "beta2": 0.999}),
    ),
}
OPTIMISER_IDS = {"fixed": "gd", "adagrad": "adagrad", "rmsprop": "rmsprop", "adam": "adam"}
WAVY_LOCAL_MINIMUM, WAVY_NEXT_MINIMUM_LEFT, QUARTIC_GLOBAL_MINIMUM = 0.3713, -0.1156, -1.107160


def quartic(x):
    return x**4 - 2 * x**2 + x


def quartic_slope(x):
    return 4 * x**3 - 4 * x + 1


def wavy_slope(x):
    return 4 * x**3 - 12 * x**2 + 8 * x + 6 * math.cos(12 * x)


SLOPES = {"quartic": quartic_slope, "wavy": wavy_slope}


def plain_descent(loss_id, rule, x0, settings, mode, steps=8):
    """x_0, x_1, … by the update rules of article-scenes.md; stops before the first point beyond BOUND."""
    slope, alpha, article = SLOPES[loss_id], settings["alpha"], mode == "article"

    def root(total):
        return math.sqrt(total + EPS) if article else math.sqrt(total) + EPS

    x, xs, total, m, v = x0, [x0], 0.0, 0.0, 0.0
    for t in range(1, steps + 1):
        g = slope(x)
        if rule == "fixed":
            x = x - alpha * g
        elif rule == "adagrad":
            total = total + g * g
            x = x - alpha / root(total) * g
        elif rule == "rmsprop":
            v = settings["beta"] * v + (1 - settings["beta"]) * g * g
            x = x - alpha / root(v) * g
        else:
            beta1, beta2 = settings["beta1"], settings["beta2"]
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            x = x - alpha * m_hat / root(v_hat) * g if article else x - alpha * m_hat / root(v_hat)
        if abs(x) > BOUND:
            break
        xs.append(x)
    return xs


def expected_paths(number, mode):
    loss_id, *runs = SPEC[number]
    return [plain_descent(loss_id, rule, x0, settings, mode) for rule, x0, settings in runs]


def scene(number):
    return next(s for s in scenes.SCENES if s.number == number)


@pytest.mark.parametrize("mode", ["article", "textbook"])
@pytest.mark.parametrize("number", sorted(SPEC))
def test_each_scene_follows_the_rules_of_its_mode(number, mode):
    trajectories = scenes.trajectories(scene(number), mode)
    for trajectory, expected in zip(trajectories, expected_paths(number, mode), strict=True):
        # a run that diverged stops at its last good point
        assert trajectory.diverged_at == (len(expected) if len(expected) <= 8 else -1)
        np.testing.assert_allclose(trajectory.x[: len(expected), 0], expected, rtol=1e-12, atol=1e-12)


def test_scenes_are_the_articles_in_order_with_its_colours():
    assert [s.number for s in scenes.SCENES] == [1, 2, 3, 4, 5, 6]
    for s in scenes.SCENES:
        loss_id, *runs = SPEC[s.number]
        assert s.loss == loss_id
        assert [run.colour for run in s.runs] == ["#f5c518", "#ff7f0e"]
        assert [run.optimiser for run in s.runs] == [OPTIMISER_IDS[rule] for rule, _, _ in runs]
        assert s.caption


def test_the_specs_sanity_values_hold():
    def first_step(number, run):
        return round(float(scenes.trajectories(scene(number), "article")[run].x[1, 0]), 4)

    assert first_step(1, 0) == 0.346
    assert first_step(1, 1) == -0.3832
    assert first_step(3, 1) == 0.0
    assert first_step(4, 1) == -0.2162


def test_fixed_rates_are_the_same_in_both_modes_and_only_adaptive_runs_change():
    for s in scenes.SCENES:
        article, textbook = scenes.trajectories(s, "article"), scenes.trajectories(s, "textbook")
        for run, a, t in zip(s.runs, article, textbook, strict=True):
            if run.optimiser == "gd":
                np.testing.assert_array_equal(a.x, t.x)
    assert [s.has_modes for s in scenes.SCENES] == [False, False, True, True, True, True]


def test_scene_6_articles_adam_escapes_the_local_minimum_and_textbook_adam_does_not():
    (rmsprop_article, adam_article), (rmsprop_textbook, adam_textbook) = (
        expected_paths(6, "article"),
        expected_paths(6, "textbook"),
    )
    assert abs(adam_article[-1] - WAVY_NEXT_MINIMUM_LEFT) < 0.05
    for path in (adam_textbook, rmsprop_article, rmsprop_textbook):
        assert max(abs(x - WAVY_LOCAL_MINIMUM) for x in path[1:]) < 0.1

    [(run, article_ending, textbook_ending)] = scenes.disagreements(scene(6))
    assert run.optimiser == "adam"
    assert article_ending.reached and article_ending.minimum.x[0] == pytest.approx(WAVY_NEXT_MINIMUM_LEFT, abs=1e-3)
    assert not textbook_ending.reached and textbook_ending.diverged_at is None
    assert textbook_ending.minimum.x[0] == pytest.approx(WAVY_LOCAL_MINIMUM, abs=1e-3)


def test_scenes_1_to_4_end_alike_in_both_modes_and_scene_5s_adam_does_not():
    for number in (1, 2, 3, 4):
        largest = max(
            abs(a - t)
            for article, textbook in zip(
                expected_paths(number, "article"), expected_paths(number, "textbook"), strict=True
            )
            for a, t in zip(article, textbook, strict=True)
        )
        assert largest < 1e-6  # ε's place hardly matters away from zero gradients
        assert scenes.disagreements(scene(number)) == []
    # Scene 5: the article's Adam reaches the global minimum in 8 steps, textbook Adam is far from it.
    (_, adam_article), (_, adam_textbook) = expected_paths(5, "article"), expected_paths(5, "textbook")
    assert abs(adam_article[-1] - QUARTIC_GLOBAL_MINIMUM) < 0.05 < 0.3 < abs(adam_textbook[-1] - QUARTIC_GLOBAL_MINIMUM)
    assert [run.optimiser for run, _, _ in scenes.disagreements(scene(5))] == ["adam"]


def test_scene_1_says_when_orange_left_the_plot_and_when_it_diverged():
    _, orange = expected_paths(1, "article")
    outside = [not (VIEW_X[0] <= x <= VIEW_X[1] and VIEW_Y[0] <= quartic(x) <= VIEW_Y[1]) for x in orange]
    left_at, diverged_at = outside.index(True), len(orange)
    assert all(outside[left_at:])
    ending = scenes.ending(losses.get("quartic"), scenes.trajectories(scene(1), "article")[1])
    assert (ending.left_view_at, ending.diverged_at) == (left_at, diverged_at) == (2, 5)
    assert ending.describe() == "leaves the plot at step 2 and diverges at step 5"


# --- the page ---------------------------------------------------------------------------------------------


@pytest.fixture
def app():
    return page_run("article")


def figures(app):
    return [player["figure"] for player in played(app)]


def final_point_x(figure, label):
    """Where the run's point is drawn in the last frame (frames may hold only what changed since a base frame)."""
    index = next(i for i in run_traces(figure) if figure["data"][i]["name"].startswith(label))
    return at_point(figure, index, shown(figure, len(figure["frames"]) - 1)[index]["x"])


def test_page_shows_six_animations_of_eight_steps_on_the_articles_axes(app):
    shown = figures(app)
    assert len(shown) == 6
    for figure in shown:
        assert [frame["name"] for frame in figure["frames"]] == [str(k) for k in range(9)]
        assert figure["layout"]["xaxis"]["range"] == list(VIEW_X)
        assert figure["layout"]["yaxis"]["range"] == list(VIEW_Y)
    assert "leaves the plot at step 2 and diverges at step 5" in " ".join(m.value for m in app.markdown)


def test_switching_a_scenes_mode_changes_only_its_figure(app):
    adam_label = scene(6).runs[1].label
    _, adam_article = expected_paths(6, "article")
    _, adam_textbook = expected_paths(6, "textbook")
    before = figures(app)
    assert final_point_x(before[5], adam_label) == pytest.approx(adam_article[-1], rel=5e-4)

    app.radio(key="mode6").set_value("textbook").run()
    assert not app.exception
    after = figures(app)
    assert after[:5] == before[:5]
    assert after[5] != before[5]
    assert final_point_x(after[5], adam_label) == pytest.approx(adam_textbook[-1], rel=5e-4)


def test_the_page_says_where_the_modes_disagree_and_why(app):
    warnings = [w.value for w in app.warning]
    assert len(warnings) == 2  # scenes 5 and 6, as derived above
    scene_6 = warnings[1]
    assert "As the article's code computes it: it ends at the local minimum (x ≈ −0.116)" in scene_6
    assert "Textbook (Kingma & Ba, torch.optim): it ends at x = 0.3166" in scene_6
    assert "α·m̂·g/√(ε + v̂)" in scene_6 and "0.37" in scene_6


@pytest.mark.parametrize("switch_to_textbook", [False, True])
def test_open_in_playground_carries_each_scenes_settings(app, switch_to_textbook):
    mode = "article"
    if switch_to_textbook:
        mode = "textbook"
        for number in (3, 4, 5, 6):
            app.radio(key=f"mode{number}").set_value(mode)
        app.run()
    links = [button.proto.url for button in app.get("link_button")]
    assert len(links) == 6
    for number, link in zip(sorted(SPEC), links, strict=True):
        parts = urlsplit(link)
        assert parts.path == "/"
        config, messages = from_query_params(dict(parse_qsl(parts.query)))
        assert messages == []
        loss_id, *runs = SPEC[number]
        assert (config.loss.id, config.steps) == (loss_id, 8)
        assert len(config.runs) == len(runs)
        for run, (rule, x0, settings), colour in zip(config.runs, runs, ("#f5c518", "#ff7f0e"), strict=True):
            assert (run.optimiser, run.x0, run.colour) == (OPTIMISER_IDS[rule], (x0,), colour)
            assert settings.items() <= run.hyperparameters.items()
            if rule == "fixed":
                assert run.options == {}
                continue
            assert run.hyperparameters["eps"] == EPS
            article_options = {"eps_inside_sqrt": True} | ({"extra_gradient_factor": True} if rule == "adam" else {})
            assert run.options == (article_options if mode == "article" else {})
