"""The Playground's "Explore a setting" and "Explain this step" toggles, run by Streamlit's AppTest: what the page
gives the player, checked against runs simulated here."""

import numpy as np
import pytest
from conftest import played
from test_playground import open_page

import losses
import optimisers
from optimisers.base import HyperParameter
from views.explore import VALUES, spread

# α's slider range, log-spaced, each value to 3 significant digits: the values explored besides the run's own.
LOG_SPACED_ALPHAS = np.array([float(f"{alpha:.3g}") for alpha in np.geomspace(1e-4, 10, VALUES - 1)])


def explorer(at) -> dict:
    """What the page gives the explorer's player (the second player, after the animation's)."""
    animation, explored = played(at)
    assert "labels" not in animation
    return explored


def frame_traces(figure: dict, j: int) -> dict[str, dict]:
    """Frame j's traces by name: what the frame sets, over the trace it sets it on."""
    frame = figure["frames"][j]
    return {figure["data"][i]["name"]: data for i, data in zip(frame["traces"], frame["data"], strict=True)}


def toggle(at, label_start: str):
    next(t for t in at.toggle if t.label.startswith(label_start)).set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]


def test_explore_switches_between_the_runs_paths_at_every_value_of_the_setting_its_own_shown_first():
    at = open_page()
    assert len(played(at)) == 1  # off when the page opens
    toggle(at, "Explore a setting")
    explored = explorer(at)
    alphas = np.unique(np.append(LOG_SPACED_ALPHAS, 0.1))  # RMSProp's α: its slider's range and its own
    figure = explored["figure"]
    assert len(figure["frames"]) == len(explored["labels"]) == len(alphas) == VALUES
    own = int(np.flatnonzero(alphas == 0.1)[0])
    assert explored["frame"] == own and explored["labels"][own] == "α = 0.1 (the run's)"
    quartic = losses.get("quartic")
    runs = optimisers.simulate(quartic, optimisers.create("rmsprop", alpha=alphas, beta=0.9), [0.1], 50)
    for j in (0, own, 25, VALUES - 1):
        one = optimisers.simulate(quartic, optimisers.create("rmsprop", alpha=alphas[j], beta=0.9), [0.1], 50)
        traces = frame_traces(figure, j)
        np.testing.assert_allclose(traces["RMSProp path"]["x"], one.x[:, 0], rtol=1e-5, atol=1e-3)
        finals = np.where(runs.diverged_at >= 0, np.nan, runs.final_loss)
        marked = traces["α shown"]
        assert marked["x"] == pytest.approx([alphas[j]], rel=1e-5)
        assert marked["y"] == ([None] if np.isnan(finals[j]) else pytest.approx([float(one.final_loss)], rel=1e-5))

    at.selectbox(key="explore_setting").set_value("x0_0").run()
    figure = explorer(at)["figure"]
    starts = [frame_traces(figure, j)["RMSProp path"]["x"][0] for j in range(len(figure["frames"]))]
    low, high = quartic.domain[0]
    assert starts == pytest.approx(sorted(set(np.linspace(low, high, 39)) | {0.1}), abs=1e-3)


def test_on_a_map_the_neighbouring_values_paths_are_drawn_faintly_around_the_one_shown():
    at = open_page({"loss": "himmelblau", "steps": "60", "r1": "adam", "r1.alpha": "0.1", "r1.x0": "0.5,-1"})
    toggle(at, "Explore a setting")
    at.selectbox(key="explore_setting").set_value("beta1").run()
    figure = explorer(at)["figure"]
    betas, own = spread(optimisers.REGISTRY["adam"].hyperparameter("beta1"), 0.9)
    runs = optimisers.simulate(
        losses.get("himmelblau"), optimisers.create("adam", alpha=0.1, beta1=betas), [0.5, -1.0], 60
    )

    def on_path(drawn: dict, k: int) -> bool:
        """Whether every point drawn is a point of run k's path (a path is drawn through a few of its points)."""
        points = np.column_stack([drawn["x"], drawn["y"]])
        distances = np.abs(points[:, None, :] - runs.x[:, k][None]).max(axis=-1).min(axis=1)
        return len(points) >= 2 and bool((distances < 2e-2).all())

    for j in (0, own, VALUES - 1):
        frame = figure["frames"][j]
        faint = [data for i, data in zip(frame["traces"], frame["data"], strict=True)
                 if figure["data"][i]["name"] == "a neighbouring value's path"]  # fmt: skip
        assert len(faint) == 4
        neighbours = [k for k in (j - 2, j - 1, j + 1, j + 2) if 0 <= k < VALUES]
        drawn = [path for path in faint if path["x"]]
        assert len(drawn) == len(neighbours)
        assert all(on_path(path, k) for path, k in zip(drawn, neighbours, strict=True))
        assert on_path(frame_traces(figure, j)["Adam path"], j)


def test_explain_this_step_gives_the_player_every_frame_of_every_run():
    at = open_page()
    assert played(at)[0]["explanations"] == []
    toggle(at, "Explain this step")
    (animation,) = played(at)
    explanations = animation["explanations"]
    assert len(explanations) == 2
    for explained in explanations:
        assert len(explained["frames"]) == len(animation["figure"]["frames"]) == 51
        index, *numbers = explained["frames"][10]
        template = explained["templates"][index]
        assert len(template["parts"]) == len(template["slots"]) + 1
        assert sorted(set(template["slots"])) == list(range(len(numbers)))  # each number shown, and sent once
    assert "Adam" in explanations[1]["templates"][0]["parts"][0]
    assert at.query_params["explain"] == "1"  # a link opens with the steps written out
    linked = open_page(dict(at.query_params.items()))
    assert played(linked)[0]["explanations"] == explanations


@pytest.mark.parametrize(
    ("hyperparameter", "current", "expected"),
    [
        (HyperParameter("alpha", "a", 0.1, 0, 10, "", log_scale=True, slider_low=1e-4, slider_high=10), 0.1,
         LOG_SPACED_ALPHAS),
        (HyperParameter("beta", "b", 0.9, 0, 1, "", slider_low=0.0, slider_high=0.9999), 0.95,
         1 - np.geomspace(1, 1e-4, 39)),
        (HyperParameter("d", "d", 1, 1, 20, "", slider_low=1.0, slider_high=11.0), 2.0, np.linspace(1, 11, 39)),
    ],
)  # fmt: skip
def test_the_values_explored_span_the_settings_slider_with_the_runs_own_among_them(hyperparameter, current, expected):
    values, index = spread(hyperparameter, current)
    assert values[index] == current
    np.testing.assert_allclose(np.delete(values, index), expected)


def test_the_switches_under_the_animation_stay_on_while_a_formula_is_being_fixed():
    at = open_page({"loss": "custom", "expr": "x**2", "domain": "-3,3", "r1": "adam", "r1.x0": "1"})
    toggle(at, "Explain this step")
    toggle(at, "Explore a setting")
    at.selectbox(key="explore_setting").set_value("beta1").run()
    at.text_input(key="expression").input("x**").run()  # no chart, so no switches drawn
    assert len(played(at)) == 0
    at.text_input(key="expression").input("x**4").run()
    animation, explored = played(at)
    assert animation["explanations"] and explored["labels"][0].startswith("β₁ = ")


def test_the_explorer_opens_at_the_runs_own_value_and_stays_where_it_was_moved_across_other_changes():
    at = open_page()
    toggle(at, "Explore a setting")
    own = explorer(at)["frame"]
    assert own is not None
    toggle(at, "Explain this step")  # any other change
    assert explorer(at).get("frame") is None  # the player keeps the value it shows
    at.selectbox(key="explore_setting").set_value("beta").run()
    explored = explorer(at)
    betas = [float(label.replace("−", "-")) for label in explored["tickLabels"]]
    assert explored["labels"][explored["frame"]] == "β = 0.9 (the run's)"
    assert len(set(betas)) == len(betas) and 1.0 not in betas  # each value told apart


def test_the_setting_explored_is_in_the_link_and_a_link_opens_it():
    at = open_page()
    toggle(at, "Explore a setting")
    assert at.query_params["explore"] == "1.alpha"
    at.selectbox(key="explore_run").set_value(1).run()  # Adam: its first explorable setting, α
    at.selectbox(key="explore_setting").set_value("beta2").run()
    assert at.query_params["explore"] == "2.beta2"
    linked = open_page(dict(at.query_params.items()))
    assert explorer(linked)["labels"][explorer(linked)["frame"]] == "β₂ = 0.999 (the run's)"
