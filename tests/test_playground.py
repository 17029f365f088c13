"""The Playground page, run by Streamlit's AppTest: it opens ready, reacts, and survives bad URLs."""

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_no_nan_shown, at_point, distance_to_line, played, run_traces, shown
from streamlit.testing.v1 import AppTest

import losses
import optimisers

PAGE = str(Path(__file__).resolve().parent.parent / "views" / "playground_page.py")


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def animation(at: AppTest) -> dict:
    """The animated figure, which the page gives its player."""
    (player,) = played(at)
    return player["figure"]


SHOWN = 5e-4  # a point's coordinates are sent to the 4 significant digits its hover shows


def point_path(figure: dict, label: str) -> list[float]:
    """The x of a run's point in every frame, following each frame's baseframe as Plotly does."""
    index = next(i for i in run_traces(figure) if figure["data"][i]["name"].startswith(label))
    return [at_point(figure, index, shown(figure, k)[index]["x"]) for k in range(len(figure["frames"]))]


def simulated_path(loss_id: str, optimiser_id: str, x0: float, steps: int, **settings) -> np.ndarray:
    optimiser = optimisers.create(optimiser_id, **settings)
    return optimisers.simulate(losses.get(loss_id), optimiser, [x0], steps).x[:, 0]


def results(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_landing_page_shows_the_article_runs_ready_to_play():
    at = open_page()
    figure = animation(at)
    assert len(figure["frames"]) == 51
    assert played(at)[0]["frameMs"] == 400 and not played(at)[0]["clickable"]
    for label, optimiser_id, settings in [
        ("RMSProp", "rmsprop", {"alpha": 0.1, "beta": 0.9}),
        ("Adam", "adam", {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999}),
    ]:
        expected = simulated_path("quartic", optimiser_id, 0.1, 50, **settings)
        np.testing.assert_allclose(point_path(figure, label), expected, rtol=SHOWN, atol=1e-9)
    assert [row["run"] for row in results(at)] == ["RMSProp", "Adam"]
    assert at.query_params["r1"] == "rmsprop"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda at: at.selectbox(key="run0.optimiser").select("gd"), ("gd", 0.1, {"alpha": 0.1})),
        (lambda at: at.number_input(key="run0.alpha").set_value(0.03), ("rmsprop", 0.1, {"alpha": 0.03, "beta": 0.9})),
        (lambda at: at.number_input(key="run0.x0_0").set_value(-2.0), ("rmsprop", -2.0, {"alpha": 0.1, "beta": 0.9})),
    ],
)
def test_changing_a_control_changes_the_trajectory_drawn(change, expected):
    at = open_page()
    before = point_path(animation(at), "RMSProp")
    change(at).run()
    assert not at.exception
    optimiser_id, x0, settings = expected
    after = point_path(animation(at), optimisers.REGISTRY[optimiser_id].name)  # the label follows the optimiser
    np.testing.assert_allclose(after, simulated_path("quartic", optimiser_id, x0, 50, **settings), rtol=SHOWN)
    assert after != before


def edited(at: AppTest) -> list[str]:
    """The keys of the optimiser boxes in the sidebar: one per run whose controls it shows."""
    return [box.key for box in at.selectbox if box.key.endswith(".optimiser")]


def test_runs_can_be_added_duplicated_and_removed_one_editor_at_a_time():
    at = open_page()
    assert edited(at) == ["run0.optimiser"]
    at.button(key="duplicate0").click().run()
    assert [row["run"] for row in results(at)] == ["RMSProp", "RMSProp (copy)", "Adam"]
    assert edited(at) == ["run2.optimiser"] and at.text_input(key="run2.label").value == "RMSProp (copy)"
    at.button(key=next(b.key for b in at.button if b.label == "Add a run")).click().run()
    assert len(results(at)) == 4 and edited(at) == ["run3.optimiser"]
    at.button(key=next(b.key for b in at.button if b.label == "Add a run")).click().run()
    assert at.radio(key="edited_run").options == [f"Run {n}" for n in range(1, 6)]
    at.button(key="remove4").click().run()
    at.radio(key="edited_run").set_value(1).run()
    at.button(key="remove1").click().run()
    assert [row["run"] for row in results(at)] == ["RMSProp", "RMSProp (copy)", "Fixed learning rate"]
    assert edited(at) == ["run2.optimiser"]  # the run before the removed one
    assert len(run_traces(animation(at))) == 3


def test_a_run_keeps_its_settings_while_another_is_edited():
    at = open_page()
    at.number_input(key="run0.alpha").set_value(0.03).run()
    at.radio(key="edited_run").set_value(1).run()
    at.number_input(key="run1.alpha").set_value(0.2).run()
    at.text_input(key="run1.label").input("Adam, faster").run()  # renaming the run keeps it in the editor
    assert edited(at) == ["run1.optimiser"] and at.radio(key="edited_run").value == 1
    at.toggle(key="internals").set_value(True).run()
    at.checkbox(key="log_loss").check().run()
    assert at.query_params["r1.alpha"] == "0.03" and at.query_params["r2.alpha"] == "0.2"
    at.radio(key="edited_run").set_value(0).run()
    assert at.number_input(key="run0.alpha").value == 0.03


def test_a_url_restores_the_same_settings_and_figure():
    at = open_page()
    at.radio(key="edited_run").set_value(1).run()
    at.number_input(key="run1.alpha").set_value(0.02).run()
    at.selectbox(key="loss").select("wavy").run()
    at.radio(key="layout").set_value("side_by_side").run()
    params = dict(at.query_params)
    assert params["loss"] == "wavy" and params["r2.alpha"] == "0.02"
    reopened = open_page(params)
    reopened.radio(key="edited_run").set_value(1).run()
    assert reopened.number_input(key="run1.alpha").value == 0.02
    assert reopened.selectbox(key="loss").value == "wavy"
    assert animation(reopened) == animation(at)


def row_titles(figure: dict) -> list[str]:
    """The titles of the internals rows under the animation."""
    return [annotation["text"] for annotation in figure["layout"]["annotations"]]


def test_the_internals_rows_are_shown_on_request_kept_in_the_url_and_never_lost():
    at = open_page()
    assert not row_titles(animation(at)) and at.checkbox(key="log_loss").disabled  # it scales the loss row
    at.toggle(key="internals").set_value(True).run()
    assert {"<b>loss</b>", "<b>x</b>"} <= set(row_titles(animation(at))) and not at.checkbox(key="log_loss").disabled
    assert at.query_params["internals"] == "1"
    reopened = open_page(dict(at.query_params))
    assert reopened.toggle(key="internals").value and animation(reopened) == animation(at)
    at.selectbox(key="loss").select("custom").run()  # no formula yet: no animation, so no toggle drawn
    at.text_input(key="expression").input("x**4 - 2*x**2 + x").run()
    assert at.toggle(key="internals").value and row_titles(animation(at))


def test_a_hand_edited_url_is_repaired_with_messages():
    at = open_page({"steps": "lots", "r1": "adam", "r1.alpha": "-3", "r1.x0": "1e400", "r2": "nonsense"})
    warnings = " ".join(w.value for w in at.warning)
    assert "not a whole number" in warnings
    assert "alpha must be a number" in warnings
    assert "unknown optimiser" in warnings
    assert len(results(at)) == 1
    assert_no_nan_shown(animation(at))


def test_a_diverging_run_is_reported_not_hidden():
    at = open_page({"loss": "quartic", "steps": "8", "r1": "gd", "r1.alpha": "0.8", "r1.x0": "0.1"})
    (row,) = results(at)
    expected = optimisers.simulate(losses.get("quartic"), optimisers.create("gd", alpha=0.8), [0.1], 8)
    assert row["ended"] == f"diverged at step {int(expected.diverged_at)}" and row["settled at step"] == "—"
    assert any(f"diverged at step {int(expected.diverged_at)}" in w.value for w in at.warning)


def test_a_typed_formula_is_checked_inline_and_kept_in_the_url():
    at = open_page()
    at.selectbox(key="loss").select("custom").run()
    at.text_input(key="expression").input("sinx + x**2").run()
    assert not at.exception
    assert any("sin(x)" in e.value for e in at.error)
    assert not played(at)  # no runs drawn on a formula that does not parse

    at.text_input(key="expression").input("x**4 - 2*x**2 + x").run()
    assert not at.exception and not at.error
    figure = animation(at)
    expected = simulated_path("quartic", "rmsprop", 0.1, 50, alpha=0.1, beta=0.9)
    np.testing.assert_allclose(point_path(figure, "RMSProp"), expected, rtol=SHOWN, atol=1e-9)
    assert at.query_params["expr"] == "x**4 - 2*x**2 + x"


def test_settings_survive_a_visit_to_another_page():
    at = AppTest.from_file(str(Path(PAGE).parent.parent / "app.py"), default_timeout=120)
    at.run()
    at.number_input(key="run0.alpha").set_value(0.07).run()
    at.switch_page("views/sweep_page.py").run()
    assert not at.exception
    at.switch_page("views/playground_page.py").run()
    assert not at.exception
    assert at.number_input(key="run0.alpha").value == 0.07
    np.testing.assert_allclose(
        point_path(animation(at), "RMSProp"),
        simulated_path("quartic", "rmsprop", 0.1, 50, alpha=0.07, beta=0.9),
        rtol=SHOWN,
    )


def test_a_bad_domain_or_a_start_where_the_formula_is_undefined_breaks_nothing():
    at = open_page({"loss": "custom", "expr": "x**2", "r1": "gd", "r1.alpha": "0.1"})
    at.number_input(key="domain_low").set_value(3.0).run()
    at.number_input(key="domain_high").set_value(-3.0).run()
    assert not at.exception
    assert any("domain must run from a smaller to a larger x" in e.value for e in at.error)

    at.number_input(key="domain_low").set_value(-3.0).run()
    at.number_input(key="domain_high").set_value(3.0).run()
    at.text_input(key="expression").input("log(x)").run()  # the run starts at x < 0, where log is not defined
    assert not at.exception
    (row,) = results(at)
    assert float(row["final x"]) < 0 and row["ended"] == "starts outside the domain of f"
    assert not any(text in str(value).lower() for value in row.values() for text in ("nan", "inf"))
    assert_no_nan_shown(animation(at))


# --- losses of two variables ------------------------------------------------------------------------------------

TWO_RUNS_ON_HIMMELBLAU = {
    "loss": "himmelblau",
    "steps": "40",
    "r1": "adam",
    "r1.alpha": "0.1",
    "r1.x0": "0.5,-4",
    "r2": "gd",
    "r2.alpha": "0.01",
    "r2.x0": "-1,1",
}


def test_a_loss_of_two_variables_draws_a_map_with_one_path_per_run_that_a_url_restores():
    at = open_page(TWO_RUNS_ON_HIMMELBLAU)
    figure = animation(at)
    assert len(figure["layout"]["images"]) == 1  # the map
    paths = [trace for trace in figure["data"] if trace["name"].endswith(" path")]
    himmelblau = losses.get("himmelblau")
    for trace, (optimiser_id, alpha, x0) in zip(
        paths, [("adam", 0.1, (0.5, -4.0)), ("gd", 0.01, (-1.0, 1.0))], strict=True
    ):
        expected = optimisers.simulate(himmelblau, optimisers.create(optimiser_id, alpha=alpha), np.array(x0), 40).x
        drawn = np.array([trace["x"], trace["y"]]).T
        np.testing.assert_allclose(drawn[[0, -1]], expected[[0, -1]], atol=2e-3)  # from the start to the end
        assert distance_to_line(expected, drawn).max() < 0.01  # past every point, to half a pixel
    assert at.number_input(key="run0.x0_1").value == -4.0
    params = dict(at.query_params)
    assert params["r1.x0"] == "0.5,-4.0" and params["r2.x0"] == "-1.0,1.0"
    assert animation(open_page(params)) == figure
    assert [row["final x"].count(",") for row in results(at)] == [1, 1]  # "x, y"
    assert played(at)[0]["clickable"]  # a click on the map moves the edited run's start


def test_a_start_typed_for_y_moves_the_run():
    at = open_page(TWO_RUNS_ON_HIMMELBLAU)
    before = animation(at)
    at.number_input(key="run0.x0_1").set_value(3.0).run()
    assert not at.exception
    assert dict(at.query_params)["r1.x0"] == "0.5,3.0"
    assert animation(at) != before


def test_the_ravine_settings_are_set_in_the_sidebar_and_kept_in_the_url():
    at = open_page({"loss": "ravine", "loss.condition": "100", "loss.angle": "0", "r1": "gd", "r1.x0": "1,1"})
    assert at.number_input(key="loss.condition").value == 100.0 and at.slider(key="loss.angle").value == 0.0
    ravine = losses.get("ravine", condition=100.0, angle=0.0)
    expected = optimisers.simulate(ravine, optimisers.create("gd"), np.array([1.0, 1.0]), 50).final_loss
    (row,) = results(at)
    assert float(row["final loss"]) == pytest.approx(float(expected), rel=1e-5)
    at.slider(key="loss.angle").set_value(45.0).run()
    assert dict(at.query_params)["loss.angle"] == "45.0"
    repaired = open_page({"loss": "ravine", "loss.condition": "1e9", "r1": "gd"})
    assert any("condition must be a number in [1, 1000]" in w.value for w in repaired.warning)
    assert repaired.number_input(key="loss.condition").value == 20.0


def test_switching_between_one_and_two_variable_losses_keeps_every_run():
    at = open_page()
    at.selectbox(key="loss").select("rosenbrock").run()
    assert not at.exception and len(results(at)) == 2
    assert dict(at.query_params)["r1.x0"].count(",") == 1
    at.toggle(key="surface").set_value(True).run()
    assert not at.exception
    surface = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "frames" not in json.loads(c.proto.spec))
    assert surface["data"][0]["type"] == "surface"
    at.selectbox(key="loss").select("saddle").run()  # no minimum at all
    assert not at.exception
    assert_no_nan_shown(animation(at))
    at.selectbox(key="loss").select("quartic").run()
    assert not at.exception and dict(at.query_params)["r1.x0"] == "0.1"


def test_the_pytorch_scripts_are_sent_only_when_asked_for():
    # A third run in the article's form of Adam (ε inside the root), which torch.optim does not have.
    at = open_page({"r1": "rmsprop", "r2": "adam", "r3": "adam", "r3.eps_inside_sqrt": "1"})
    assert not at.code
    at.toggle(key="pytorch").set_value(True).run()
    assert [c.language for c in at.code] == ["python", "python"]
    assert "torch.optim.RMSprop" in at.code[0].value and "torch.optim.Adam" in at.code[1].value
    assert "torch.optim does not have" in at.info[0].value


def test_the_results_say_how_each_run_ended_in_words():
    at = open_page({"steps": "3", "r1": "gd", "r1.alpha": "0.01", "r1.x0": "0.1", "r2": "adam", "r2.alpha": "0.1"})
    rows = results(at)
    assert [row["ended"] for row in rows] == ["not at a minimum after 3 steps"] * 2
    assert all(row["settled at step"] == "—" for row in rows)
    settled = results(open_page({"steps": "300", "r1": "gd", "r1.alpha": "0.05", "r1.x0": "0.1"}))
    assert settled[0]["ended"] == "at the global minimum" and settled[0]["settled at step"].isdigit()
    assert any("★ marks a global minimum" in caption.value for caption in at.caption)


def test_a_label_follows_its_optimiser_until_the_user_types_one():
    at = open_page()
    at.selectbox(key="run0.optimiser").select("adagrad").run()
    assert at.text_input(key="run0.label").value == "Adagrad"
    assert [row["run"] for row in results(at)] == ["Adagrad", "Adam"]
    at.text_input(key="run0.label").input("my run").run()
    at.selectbox(key="run0.optimiser").select("adam").run()
    assert at.text_input(key="run0.label").value == "my run"
    assert dict(at.query_params)["r1.label"] == "my run"


# What each newer optimiser's internals rows must show (see charts.internals.ACCUMULATOR_SYMBOLS).
CHARACTERISTIC_ROWS = {
    "lion": "sign step",
    "adabelief": "accumulator s",
    "adopt": "accumulator v",
    "adafactor": "relative step",
    "schedulefree_adamw": "averaged point x",
    "prodigy": "learned step size d",
    "rprop": "step size η",
}


@pytest.mark.parametrize("optimiser_id", CHARACTERISTIC_ROWS)
@pytest.mark.parametrize("loss_id", ["quartic", "himmelblau"])
def test_each_newer_optimiser_opens_with_its_controls_and_internals_rows(optimiser_id, loss_id):
    at = open_page({"loss": loss_id, "r1": optimiser_id, "internals": "1"})
    assert not at.error, [e.value for e in at.error]
    spec = optimisers.REGISTRY[optimiser_id]
    boxes = {box.key: box.value for box in at.sidebar.number_input}
    for h in spec.hyperparameters:
        assert any(key.endswith(f".{h.name}") and value == h.default for key, value in boxes.items()), h.name
    titles = " ".join(a["text"] for a in animation(at)["layout"]["annotations"])
    assert CHARACTERISTIC_ROWS[optimiser_id] in titles
    assert "nan" not in titles.lower()


@pytest.mark.parametrize("optimiser_id", list(optimisers.REGISTRY))
def test_every_slider_offers_stops_within_its_hyperparameters_range(optimiser_id):
    from views.widgets import slider_stops

    for h in optimisers.REGISTRY[optimiser_id].hyperparameters:
        stops = slider_stops(h)
        assert len(stops) >= 10 and stops == sorted(stops), h.name
        assert all(h.contains(stop) for stop in stops), h.name
        assert stops[0] <= h.default <= stops[-1], h.name


def test_every_slider_is_labelled_in_words_a_screen_reader_can_read():
    at = open_page({"r1": "adamw", "r2": "rprop"})
    labels = [slider.label for slider in at.sidebar.select_slider]
    assert "alpha (α)" in labels and "weight decay (λ)" in labels
    assert not any("$" in label or "\\" in label for label in labels), labels
    at.radio(key="edited_run").set_value(1).run()
    assert "eta minus (η₋)" in [slider.label for slider in at.sidebar.select_slider]


def test_a_run_that_leaves_where_a_typed_formula_is_defined_says_so():
    at = open_page({"loss": "custom", "expr": "sqrt(x)", "domain": "-3,3", "r1": "gd", "r1.alpha": "4", "r1.x0": "1"})
    (row,) = results(at)
    assert row["ended"] == "left the domain of f at step 1"
    assert any("left the domain of f at step 1" in w.value for w in at.warning)


SCHEDULED_URL = {
    "loss": "quartic",
    "steps": "60",
    "r1": "adam",
    "r1.alpha": "0.2",
    "r1.x0": "1.5",
    "r1.schedule": "cosine",
    "r1.schedule.t_max": "30",
    "r1.schedule.min_factor": "0.05",
}


def test_a_run_s_schedule_opens_from_the_url_with_its_row_and_its_path():
    at = open_page(SCHEDULED_URL)
    assert at.selectbox(key="run0.schedule").value == "cosine"
    assert at.number_input(key="run0.schedule.cosine.t_max").value == 30
    figure = animation(at)
    assert row_titles(figure) == ["<b>learning-rate schedule: the factor on α</b>"]
    schedule = optimisers.schedule("cosine", t_max=30, min_factor=0.05)
    trajectory = optimisers.simulate(
        losses.get("quartic"), optimisers.create("adam", alpha=0.2), [1.5], 60, schedule=schedule
    )
    np.testing.assert_allclose(point_path(figure, "Adam"), trajectory.x[:, 0], rtol=SHOWN, atol=1e-9)
    assert not np.allclose(trajectory.x[:, 0], simulated_path("quartic", "adam", 1.5, 60, alpha=0.2), rtol=SHOWN)


def test_a_schedule_is_picked_and_set_in_the_sidebar_and_kept_in_the_url():
    at = open_page()
    at.selectbox(key="run0.schedule").select("step").run()
    assert at.query_params["r1.schedule"] == "step" and at.query_params["r1.schedule.step_size"] == "30"
    at.number_input(key="run0.schedule.step.step_size").set_value(5).run()
    assert at.query_params["r1.schedule.step_size"] == "5"
    at.number_input(key="run0.schedule.step.gamma").set_value(0.0).run()  # γ = 0 is out of range
    assert not at.exception
    assert any("gamma must be in (0, 1]; got 0; using 0.1" in error.value for error in at.error)
    assert at.query_params["r1.schedule.gamma"] == "0.1"
    assert_no_nan_shown(animation(at))
    at.selectbox(key="run0.schedule").select("constant").run()
    assert "r1.schedule" not in at.query_params and not row_titles(animation(at))


def test_a_loss_fitted_to_data_opens_from_the_url_with_its_setting_and_the_data_beside_the_map():
    at = open_page(
        {"loss": "faithful", "loss.standardise": "1", "steps": "30", "r1": "adam", "r1.alpha": "2", "r1.x0": "0,0"}
    )
    assert at.slider(key="loss.standardise").value == 1.0
    figure = animation(at)
    assert any(trace["name"] == "Adam: fitted line" for trace in figure["data"])
    assert figure["layout"]["xaxis"]["title"]["text"] == "w"
    standardised = losses.get("faithful", standardise=1)
    expected = optimisers.simulate(standardised, optimisers.create("adam", alpha=2.0), [0.0, 0.0], 30).final_x
    assert results(at)[0]["final x"] == ", ".join(f"{v:.6g}" for v in expected)
    assert results(at)[0]["ended"] in ("at the global minimum", "not at a minimum after 30 steps")
    at.slider(key="loss.standardise").set_value(0.0).run()
    assert at.query_params["loss.standardise"] == "0.0"
    assert_no_nan_shown(animation(at))


def test_a_bad_setting_of_a_data_loss_in_the_url_is_repaired():
    at = open_page({"loss": "faithful", "loss.standardise": "0.5", "r1": "gd"})
    assert any("standardise must be a whole number in [0, 1]" in w.value for w in at.warning)
    assert at.query_params["loss.standardise"] == "0.0"


NOISY_MAP = {"loss": "himmelblau", "steps": "40", "r1": "adam", "r1.alpha": "0.1", "r1.x0": "0.5,-4"}


def test_noise_on_the_gradient_is_set_in_the_sidebar_kept_in_the_url_and_reseeded_on_request():
    at = open_page(NOISY_MAP)
    exact = animation(at)
    at.number_input(key="noise").set_value(3.0).run()
    at.number_input(key="seed").set_value(5).run()
    assert at.query_params["noise"] == "3.0" and at.query_params["seed"] == "5"
    noisy = losses.noisy(losses.get("himmelblau"), 3.0, seed=5)
    expected = optimisers.simulate(noisy, optimisers.create("adam", alpha=0.1), [0.5, -4.0], 40).final_x
    assert results(at)[0]["final x"] == ", ".join(f"{v:.6g}" for v in expected)
    assert animation(at) != exact
    at.button(key="new_seed").click().run()
    assert at.query_params["seed"] != "5" and 0 <= int(at.query_params["seed"]) <= 2**31 - 1
    reopened = open_page(dict(at.query_params))
    assert animation(reopened) == animation(at)
    at.toggle(key="pytorch").set_value(True).run()
    assert any("leave out the noise" in caption.value for caption in at.caption)


def test_twenty_seeds_are_drawn_faint_with_their_median_bold_and_their_spread_in_the_results():
    at = open_page(NOISY_MAP | {"noise": "3.0", "seed": "5", "seeds": "1"})
    figure = animation(at)
    names = [trace["name"] for trace in figure["data"]]
    assert sum(name.startswith("Adam seed ") for name in names) == 20 and "Adam median of 20 seeds" in names
    noisy = losses.noisy(losses.get("himmelblau"), 3.0, seed=5)
    seeds = optimisers.simulate(noisy, optimisers.create("adam", alpha=0.1), np.repeat([[0.5, -4.0]], 20, axis=0), 40)
    row = results(at)[0]
    assert row["final x"] == ", ".join(f"{v:.6g}" for v in seeds.final_x[0])  # the run's own seed is the first
    low, middle, high = np.percentile(seeds.final_loss, [10, 50, 90])
    assert row["final loss, 20 seeds: median"] == f"{middle:.4g}" and row["10–90 %"] == f"{low:.4g} … {high:.4g}"
    assert_no_nan_shown(figure)


def test_a_loss_fitted_to_data_is_noisy_by_its_minibatches_and_a_new_seed_reshuffles_them():
    at = open_page(
        {
            "loss": "faithful",
            "loss.batch_size": "16",
            "loss.seed": "3",
            "steps": "30",
            "r1": "adam",
            "r1.alpha": "1.5",
            "r1.x0": "0,60",
        }
    )
    assert at.slider(key="loss.batch_size").value == 16 and at.number_input(key="loss.seed").value == 3
    minibatches = losses.get("faithful", batch_size=16, seed=3)
    expected = optimisers.simulate(minibatches, optimisers.create("adam", alpha=1.5), [0.0, 60.0], 30).final_x
    assert results(at)[0]["final x"] == ", ".join(f"{v:.6g}" for v in expected)
    at.button(key="new_seed").click().run()
    assert at.query_params["loss.seed"] != "3.0"


READY_LINK = (
    "?loss=faithful&loss.batch_size=16&loss.seed=3&seeds=1&steps=100"
    "&r1=adam&r1.alpha=1.5&r1.x0=0,60&r1.schedule=cosine&r1.schedule.t_max=100"
    "&r2=gd&r2.alpha=0.02&r2.x0=0,60"
)


def test_a_link_with_a_schedule_twenty_seeds_and_faithful_opens_ready():
    at = open_page(dict(urllib.parse.parse_qsl(READY_LINK[1:])))
    assert not at.warning
    figure = animation(at)
    names = [trace["name"] for trace in figure["data"]]
    for label in ("Adam", "Fixed learning rate"):
        assert sum(name.startswith(f"{label} seed ") for name in names) == 20
        assert f"{label}: fitted line" in names
    assert row_titles(figure)[-1] == "<b>learning-rate schedule: the factor on α</b>"
    assert len(figure["frames"]) == 101
    assert {"final loss, 20 seeds: median", "10–90 %"} <= set(results(at)[0])


@pytest.mark.parametrize(
    ("query", "expected_message"),
    [
        ("loss=custom&expr=(x-9000)%5E2&domain=8000,10000&r1=adam", None),
        ("r01=adam", None),
        ("r1=adam&r02=gd", None),
        ("r1=adam&r1.colour=zzz", "colour 'zzz' is not six hex digits"),
        ("r1=adam&r1.label=" + "a" * 41, "longer than 40 characters"),
        ("loss.foo=1&r1=adam", "The loss has no setting 'foo'"),
        ("steps=1_000&r1=adam", "steps '1_000' is not a whole number"),
        ("r1=adam&r1.alpha=" + "9" * 100_000, "alpha must be a number"),
    ],
)
def test_the_links_a_probe_found_open_the_page_with_their_messages(query, expected_message):
    at = open_page(dict(urllib.parse.parse_qsl(query, keep_blank_values=True)))
    assert run_traces(animation(at))
    warnings = [w.value for w in at.warning]
    if expected_message:
        assert any(expected_message in w for w in warnings), warnings
    assert all(len(w) < 200 for w in warnings)


def test_choosing_another_loss_starts_each_run_where_that_loss_suggests():
    at = open_page()
    at.selectbox(key="loss").select("ravine").run()
    ravine = losses.get("ravine")
    starts = [tuple(float(v) for v in dict(at.query_params)[f"r{n}.x0"].split(",")) for n in (1, 2)]
    assert starts == [losses.suggested_start(ravine, 0), losses.suggested_start(ravine, 1)]
    assert starts[0] != starts[1] and all(np.linalg.norm(start) > 0.3 for start in starts)  # the minimum is (0, 0)
    assert all(row["ended"] != "at the global minimum" or row["settled at step"] != "0" for row in results(at))
