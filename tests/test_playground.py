"""The Playground page, run by Streamlit's AppTest: it opens ready, reacts, and survives bad URLs."""

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_no_nan_shown, at_point, distance_to_line, run_traces, shown
from streamlit.testing.v1 import AppTest

import losses
import optimisers

PAGE = str(Path(__file__).resolve().parent.parent / "views" / "playground.py")


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def animation(at: AppTest) -> dict:
    """The animated figure (the sidebar may also hold a formula's preview chart)."""
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return next(figure for figure in figures if figure.get("frames"))


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
    assert any(button["label"].endswith("Play") for button in figure["layout"]["updatemenus"][0]["buttons"])
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
    after = point_path(animation(at), "RMSProp")
    optimiser_id, x0, settings = expected
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
    assert row["ended in"] == "diverged"
    expected = optimisers.simulate(losses.get("quartic"), optimisers.create("gd", alpha=0.8), [0.1], 8)
    assert row["diverged at step"] == int(expected.diverged_at)
    assert any(f"diverged at step {int(expected.diverged_at)}" in w.value for w in at.warning)


def test_a_typed_formula_is_checked_inline_and_kept_in_the_url():
    at = open_page()
    at.selectbox(key="loss").select("custom").run()
    at.text_input(key="expression").input("sinx + x**2").run()
    assert not at.exception
    assert any("sin(x)" in e.value for e in at.error)
    assert not at.get("plotly_chart")  # no runs drawn on a formula that does not parse

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
    at.switch_page("views/sweep.py").run()
    assert not at.exception
    at.switch_page("views/playground.py").run()
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
    at.text_input(key="expression").input("log(x)").run()  # the run starts at x = 0, where log is -inf
    assert not at.exception
    (row,) = results(at)
    assert row["diverged at step"] == 0
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
    # As Streamlit's point selection sets them after the first build, which would otherwise build it again.
    assert figure["layout"]["clickmode"] == "event+select" and figure["layout"]["dragmode"] == "pan"


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
