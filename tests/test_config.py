"""The Playground's settings survive a round trip through the URL, and bad URLs are repaired."""

from dataclasses import replace

import pytest
from conftest import finishes

import config
import losses
from config import Config, LossChoice, from_query_params, landing_config, new_run, to_query_params


def test_no_query_string_opens_the_article_comparison():
    landing, messages = from_query_params({})
    assert messages == []
    assert landing.loss == LossChoice("quartic")
    assert [r.optimiser for r in landing.runs] == ["rmsprop", "adam"]
    assert landing.runs[0].hyperparameters == {"alpha": 0.1, "beta": 0.9, "eps": 1e-8}
    assert landing.runs[1].hyperparameters == {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert [r.x0 for r in landing.runs] == [(0.1,), (0.1,)]
    assert [r.colour for r in landing.runs] == ["#f5c518", "#ff7f0e"]


def test_every_setting_round_trips_exactly():
    original = Config(
        loss=LossChoice("wavy"),
        runs=(
            new_run("adam", (0.5,), 0, alpha=0.05, beta1=0.8, eps_inside_sqrt=True, extra_gradient_factor=True),
            new_run("momentum", (-1.234567890123,), 1, alpha=1e-3, momentum=0.95),
            new_run("adadelta", (2.0,), 2, rho=0.95),
        ),
        steps=321,
        layout="side_by_side",
        frame_ms=150,
        log_loss=True,
        internals=True,
    )
    restored, messages = from_query_params(to_query_params(original))
    assert messages == []
    assert restored == original


@pytest.mark.parametrize(
    ("params", "expected_message", "check"),
    [
        ({"loss": "nope", "r1": "gd"}, "Unknown loss", lambda c: c.loss.id == "quartic"),
        ({"steps": "abc", "r1": "gd"}, "not a whole number", lambda c: c.steps == 50),
        ({"steps": "99999", "r1": "gd"}, "outside 1–1000", lambda c: c.steps == config.MAX_STEPS),
        ({"steps": "-5", "r1": "gd"}, "outside 1–1000", lambda c: c.steps == 1),
        ({"speed": "1e9", "r1": "gd"}, "outside", lambda c: c.frame_ms == config.FRAME_MS_RANGE[1]),
        ({"layout": "<script>", "r1": "gd"}, "Unknown layout", lambda c: c.layout == "overlay"),
        ({"internals": "yes", "r1": "gd"}, "internals 'yes' is not 0 or 1: using 0", lambda c: not c.internals),
        ({"log": "2", "r1": "gd"}, "log '2' is not 0 or 1: using 0", lambda c: not c.log_loss),
        (
            {"r1": "adam", "r1.bias_correction": "no", "r1.eps_inside_sqrt": "1"},
            "Run 1: bias_correction 'no' is not 0 or 1",
            lambda c: c.runs[0].options == {"bias_correction": True, "eps_inside_sqrt": True},
        ),
        ({"r1": "sgd9000"}, "unknown optimiser", lambda c: len(c.runs) == 2),
        (
            {"r1": "adam", "r1.alpha": "-1"},
            "alpha must be a number in (0, ∞)",
            lambda c: c.runs[0].hyperparameters["alpha"] == 1e-3,
        ),
        ({"r1": "adam", "r1.beta1": "nan"}, "beta1 must be", lambda c: c.runs[0].hyperparameters["beta1"] == 0.9),
        ({"r1": "adam", "r1.eps": "inf"}, "eps must be", lambda c: c.runs[0].hyperparameters["eps"] == 1e-8),
        ({"r1": "gd", "r1.x0": "1e300"}, "outside the plotted domain", lambda c: c.runs[0].x0 == (2.5,)),
        ({"r1": "gd", "r1.x0": "one"}, "is not 1 number(s); using 0.1", lambda c: c.runs[0].x0 == (0.1,)),
        ({"r1": "gd", "r1.x0": "1,2"}, "is not 1 number", lambda c: c.runs[0].x0 == (0.1,)),
        (
            {"loss": "ravine", "loss.angle": "400"},
            "angle must be a number in [-90, 90]",
            lambda c: c.loss.settings == (("condition", 20.0), ("angle", 30.0)),
        ),
        (
            {"loss": "ravine", "loss.condition": "x"},
            "condition must be",
            lambda c: c.loss.settings == (("condition", 20.0), ("angle", 30.0)),
        ),
        ({"loss": "himmelblau", "r1": "gd", "r1.x0": "3"}, "is not 2 number", lambda c: c.runs[0].x0 == (0.5, -4.0)),
        (
            {"loss": "himmelblau", "r1": "gd", "r1.x0": "9,-9"},
            "outside the plotted domain",
            lambda c: c.runs[0].x0 == (5.0, -5.0),
        ),
        (
            {"r1": "gd", "r1.schedule": "sometimes"},
            "Run 1: unknown schedule 'sometimes'; using a constant α.",
            lambda c: c.runs[0].schedule == "constant" and c.runs[0].create_schedule() is None,
        ),
        (
            {"r1": "gd", "r1.schedule": "cosine", "r1.schedule.t_max": "12.5", "r1.schedule.min_factor": "0.2"},
            "Run 1: the schedule's t_max must be a whole number of steps; got 12.5; using 100.",
            lambda c: c.runs[0].schedule_settings == {"t_max": 100, "min_factor": 0.2},
        ),
        (
            {"r1": "gd", "r1.schedule": "step", "r1.schedule.gamma": "lots"},
            "Run 1: the schedule's gamma must be a number in (0, 1]; got 'lots'; using 0.1.",
            lambda c: c.runs[0].schedule_settings == {"step_size": 30, "gamma": 0.1},
        ),
    ],
)
def test_bad_values_are_replaced_with_a_message(params, expected_message, check):
    repaired, messages = from_query_params(params)
    assert any(expected_message in m for m in messages), messages
    assert check(repaired)


def test_too_many_runs_keeps_the_first_six():
    params = {f"r{n}": "gd" for n in range(1, 10)} | {"r1.label": "first"}
    repaired, messages = from_query_params(params)
    assert len(repaired.runs) == config.MAX_RUNS
    assert repaired.runs[0].label == "first"
    assert any("At most 6 runs" in m for m in messages)


def test_labels_and_colours_are_sanitised():
    repaired, _ = from_query_params({"r1": "gd", "r1.label": "x" * 500, "r1.colour": "javascript:alert(1)"})
    run = repaired.runs[0]
    assert len(run.label) == config.MAX_LABEL_LENGTH
    assert run.colour == config.PALETTE[0]


def test_every_landing_run_creates_its_optimiser():
    for run in landing_config().runs:
        assert run.create_optimiser().id == run.optimiser


def test_a_two_variable_start_and_the_loss_settings_round_trip():
    original = Config(
        loss=LossChoice("ravine", settings=(("condition", 250.0), ("angle", -30.0))),
        runs=(new_run("adam", (0.25, -1.5), 0, alpha=0.05), new_run("gd", (1.0, 2.0), 1)),
    )
    params = to_query_params(original)
    assert params["loss.condition"] == "250.0" and params["r1.x0"] == "0.25,-1.5"
    restored, messages = from_query_params(params)
    assert messages == [] and restored == original
    assert restored.loss.resolve().settings == original.loss.settings


NEW_OPTIMISER_SETTINGS = {
    "lion": {"alpha": 0.003, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1},
    "adabelief": {"alpha": 0.02, "eps": 1e-12, "weight_decay": 0.05},
    "adopt": {"alpha": 0.04, "beta2": 0.99, "eps": 1e-5},
    "adafactor": {"alpha": 0.05, "beta2_decay": -0.6, "eps1": 1e-20, "eps2": 0.01, "d": 2.5},
    "schedulefree_adamw": {"alpha": 0.01, "beta1": 0.7, "warmup_steps": 12.0},
    "prodigy": {"alpha": 0.8, "beta3": 0.9, "d0": 1e-4, "d_coef": 0.5, "beta3_from_beta2": False},
    "rprop": {"alpha": 0.02, "eta_minus": 0.4, "eta_plus": 1.3, "step_min": 1e-5, "step_max": 2.0},
}


@pytest.mark.parametrize("optimiser_id", NEW_OPTIMISER_SETTINGS)
def test_a_url_with_each_new_optimiser_round_trips(optimiser_id):
    settings = NEW_OPTIMISER_SETTINGS[optimiser_id]
    params = {"loss": "himmelblau", "r1": optimiser_id, "r1.x0": "0.5,-2", "r2": "adam", "r2.x0": "1,1"}
    params |= {f"r1.{name}": str(int(value) if isinstance(value, bool) else value) for name, value in settings.items()}
    restored, messages = from_query_params(params)
    assert messages == []
    run = restored.runs[0]
    assert run.optimiser == optimiser_id and run.x0 == (0.5, -2.0)
    assert run.hyperparameters | run.options == {**run.hyperparameters, **settings}
    assert run.create_optimiser().id == optimiser_id
    assert from_query_params(to_query_params(restored)) == (restored, [])


def test_a_run_s_schedule_round_trips_and_a_constant_one_is_left_out_of_the_url():
    scheduled = replace(
        new_run("adam", (0.5,), 0, alpha=0.05),
        schedule="warmup_cosine",
        schedule_settings={"warmup": 5, "t_max": 40, "min_factor": 0.1},
    )
    original = Config(runs=(scheduled, new_run("gd", (1.0,), 1)))
    params = to_query_params(original)
    assert params["r1.schedule"] == "warmup_cosine" and params["r1.schedule.t_max"] == "40"
    assert not any(key.startswith("r2.schedule") for key in params)
    restored, messages = from_query_params(params)
    assert messages == [] and restored == original
    assert restored.runs[0].create_schedule().factors(3) == [0.2, 0.36, 0.52]


def test_the_noise_round_trips_and_bad_noise_is_repaired():
    original = Config(runs=(new_run("adam", (0.5,), 0),), noise=0.25, seed=12, seeds=True)
    params = to_query_params(original)
    assert (params["noise"], params["seed"], params["seeds"]) == ("0.25", "12", "1")
    restored, messages = from_query_params(params)
    assert messages == [] and restored == original
    assert "noise" not in to_query_params(Config(runs=original.runs))
    repaired, messages = from_query_params({"r1": "gd", "noise": "-2", "seed": "2.5", "seeds": "lots"})
    assert (repaired.noise, repaired.seed, repaired.seeds) == (0.0, 0, False)
    assert len(messages) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"r01": "adam"}, [("adam", "Adam")]),
        ({"r1": "adam", "r02": "gd", "r02.label": "second"}, [("adam", "Adam"), ("gd", "second")]),
        ({"r2": "gd", "r001": "adam", "r001.alpha": "0.2"}, [("adam", "Adam"), ("gd", "Fixed learning rate")]),
    ],
)
def test_a_run_number_with_leading_zeros_is_read_as_written(params, expected):
    repaired, messages = from_query_params(params)
    assert [(run.optimiser, run.label) for run in repaired.runs] == expected
    assert messages == []
    if "r001.alpha" in params:
        assert repaired.runs[0].hyperparameters["alpha"] == 0.2


@pytest.mark.parametrize(
    ("params", "expected_message", "check"),
    [
        (
            {"r1": "gd", "r1.colour": "zzz"},
            "Run 1: colour 'zzz' is not six hex digits",
            lambda c: c.runs[0].colour == config.PALETTE[0],
        ),
        (
            {"r1": "gd", "r1.label": "a" * 41},
            "Run 1: the label is longer than 40 characters: cut short",
            lambda c: c.runs[0].label == "a" * 40,
        ),
        ({"r1": "gd", "r1.label": ""}, "Run 1: the label is empty", lambda c: c.runs[0].label == "Fixed learning rate"),
        ({"r1": "gd", "loss.foo": "1"}, "The loss has no setting 'foo'", lambda c: c.loss.settings == ()),
        (
            {"loss": "ravine", "loss.kappa": "5", "r1": "gd"},
            "The loss has no setting 'kappa'",
            lambda c: dict(c.loss.settings)["condition"] == 20.0,
        ),
        ({"r1": "gd", "r1.beta1": "0.5"}, "Run 1 (Fixed learning rate) has no setting 'beta1'", lambda c: True),
        ({"r1": "gd", "steps": "1_000"}, "steps '1_000' is not a whole number", lambda c: c.steps == 50),
        (
            {"r1": "gd", "r1.alpha": " 0.5"},
            "alpha must be a number",
            lambda c: c.runs[0].hyperparameters["alpha"] == 1e-3,
        ),
        ({"r1": "gd", "r1.alpha": "infinity"}, "alpha must be a number", lambda c: True),
        ({"r1": "gd", "r1.x0": "١"}, "is not 1 number", lambda c: True),  # an Arabic-Indic one, which float() reads
    ],
)
def test_repairs_that_a_hand_edited_url_needs_say_what_they_did(params, expected_message, check):
    repaired, messages = from_query_params(params)
    assert any(expected_message in m for m in messages), messages
    assert check(repaired)


def test_numbers_as_urls_write_them_are_read():
    params = {
        "r1": "adam",
        "r1.alpha": "1e-08",
        "r1.beta1": ".5",
        "r1.beta2": "+0.75",
        "r1.eps": "1E+2",
        "r1.x0": "-1.",
    }
    repaired, messages = from_query_params(params)
    assert messages == []
    assert repaired.runs[0].hyperparameters == {"alpha": 1e-8, "beta1": 0.5, "beta2": 0.75, "eps": 100.0}
    assert repaired.runs[0].x0 == (-1.0,)


def test_a_message_quotes_at_most_forty_characters_of_a_bad_value():
    huge = "9" * 100_000
    params = {"loss": huge, "steps": huge + "x", "layout": huge, "r1": huge, "r2": "gd", "r2.colour": huge}
    params |= {"r2.alpha": huge, "r2.x0": huge + ",1", "r2." + huge: "1", "loss." + huge: "1"}
    _, messages = finishes(from_query_params, params)  # a long run of digits is refused in linear time
    assert len(messages) == 9
    assert all(len(message) < 200 for message in messages), [len(m) for m in messages]


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "square", "r1": "gd", "r2": "adam"},
        {"loss": "plateau", "r1": "gd", "r2": "adam"},
        {"loss": "ravine", "loss.condition": "1000", "r1": "gd", "r2": "adam"},
        {"loss": "custom", "expr": "x^2", "domain": "-3,3", "r1": "gd", "r2": "adam"},
    ],
)
def test_runs_without_a_start_use_the_losses_suggested_starts(params):
    repaired, messages = from_query_params(params)
    loss = repaired.loss.resolve()
    assert messages == []
    assert [run.x0 for run in repaired.runs] == [losses.suggested_start(loss, index) for index in range(2)]
    assert repaired.runs[0].x0 != repaired.runs[1].x0
    for run in repaired.runs:  # away from the minimum, so that every run moves
        assert all(abs(v) > 0.3 for v in run.x0), run.x0


@pytest.mark.parametrize(
    ("params", "starts"),
    [
        ({"loss": "quartic"}, [(0.1,), (0.1,)]),  # the article's runs as they are
        ({"loss": "rosenbrock"}, [(-1.5, 2.5), (-1.0, -0.5)]),
        ({"loss": "custom", "expr": "(x-9000)^2", "domain": "8000,10000"}, [(8400.0,), (9600.0,)]),
    ],
)
def test_the_article_runs_shown_for_a_link_without_runs_start_inside_its_domain(params, starts):
    repaired, messages = from_query_params(params)
    assert any("no valid run" in m for m in messages)
    assert [run.x0 for run in repaired.runs] == starts


def test_explain_this_step_round_trips_and_a_bad_switch_is_repaired():
    original = Config(runs=landing_config().runs, explain=True)
    assert to_query_params(original)["explain"] == "1"
    restored, messages = from_query_params(to_query_params(original))
    assert messages == [] and restored.explain
    repaired, messages = from_query_params({"r1": "gd", "explain": "yes"})
    assert messages == ["explain 'yes' is not 0 or 1: using 0."] and not repaired.explain


@pytest.mark.parametrize(
    ("text", "explored"),
    [("1.alpha", (0, "alpha")), ("2.beta2", (1, "beta2")), ("2.x0_0", (1, "x0_0"))],
)
def test_the_setting_explored_round_trips(text, explored):
    config, messages = from_query_params({"r1": "rmsprop", "r2": "adam", "explore": text})
    assert messages == [] and config.explored == explored
    assert to_query_params(config)["explore"] == text


@pytest.mark.parametrize("text", ["3.alpha", "0.alpha", "1.beta2", "1.x0_1", "1.rho", "alpha", "1.alpha.2", "01.alpha"])
def test_an_explored_setting_the_runs_lack_is_left_off_with_a_message(text):
    config, messages = from_query_params({"r1": "rmsprop", "r2": "adam", "explore": text})
    assert config.explored is None
    assert messages == [f"explore {text!r} is not a run's number and one of its settings, as 1.alpha: left off."]
