"""Learning-rate schedules: their settings, their factors, and how simulate applies them."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losses
import optimisers


@pytest.mark.parametrize(
    "id, settings, message",
    [
        ("cosinus", {}, "unknown schedule 'cosinus'; valid ids: constant, step"),
        ("cosine", {"T_max": 10}, "cosine has no setting 'T_max'; its settings are: t_max, min_factor"),
        ("constant", {"gamma": 0.5}, "constant has no setting 'gamma'; its settings are: none"),
        ("step", {"gamma": 0.0}, r"gamma must be in \(0, 1\]; got 0"),
        ("exponential", {"gamma": 1.5}, r"gamma must be in \(0, 1\]; got 1.5"),
        ("cosine", {"t_max": 0}, r"t_max must be in \[1, ∞\); got 0"),
        ("cosine", {"t_max": 2.5}, "t_max must be a whole number of steps; got 2.5"),
        ("cosine", {"min_factor": -0.1}, r"min_factor must be in \[0, 1\]; got -0.1"),
        ("warmup_cosine", {"warmup": "ten"}, "warmup must be a number"),
        ("one_cycle", {"div_factor": 0.5}, r"div_factor must be in \[1, ∞\); got 0.5"),
        ("one_cycle", {"pct_start": math.nan}, r"pct_start must be in \(0, 1\]; got nan"),
    ],
)
def test_bad_schedules_are_refused_naming_what_is_wrong(id, settings, message):
    with pytest.raises(ValueError, match=message):
        optimisers.schedule(id, **settings)


def test_settings_take_their_defaults_and_step_counts_become_whole_numbers():
    schedule = optimisers.schedule("warmup_cosine", t_max=50.0)
    assert schedule.settings == {"warmup": 10, "t_max": 50, "min_factor": 0.0}
    assert isinstance(schedule.settings["t_max"], int)


# Factors worked out by hand from each schedule's formula (t counts steps from 1).
@pytest.mark.parametrize(
    "id, settings, expected",
    [
        ("constant", {}, [1, 1, 1, 1, 1]),
        ("step", {"step_size": 2, "gamma": 0.5}, [1, 1, 0.5, 0.5, 0.25]),
        ("exponential", {"gamma": 0.5}, [1, 0.5, 0.25, 0.125, 0.0625]),
        # 1 at t = 1, the floor at t = T + 1, back up after it.
        ("cosine", {"t_max": 2, "min_factor": 0.2}, [1, 0.6, 0.2, 0.6, 1]),
        # α/4 rising by 3/16 a step to α at t = 5, then the cosine from there.
        ("warmup_cosine", {"warmup": 4, "t_max": 1, "min_factor": 0.0}, [0.25, 0.4375, 0.625, 0.8125, 1, 0]),
        # 5 steps, 40 % rising: peak at step 2 (epoch 0.4·5 − 1 = 1), the end 1/(4·10) at step 5.
        (
            "one_cycle",
            {"pct_start": 0.4, "div_factor": 4.0, "final_div_factor": 10.0},
            [0.25, 1, 1 - (1 - 0.025) / 4, 1 - (1 - 0.025) * 3 / 4, 0.025],
        ),
    ],
)
def test_factors_follow_each_formula(id, settings, expected):
    np.testing.assert_allclose(
        optimisers.schedule(id, **settings).factors(len(expected)), expected, rtol=1e-15, atol=1e-16
    )


def test_one_cycle_with_a_rise_of_no_length_is_at_its_peak_and_finite():
    # 0.2 · 5 − 1 = 0: torch divides by zero here.
    factors = optimisers.schedule("one_cycle", pct_start=0.2, div_factor=10.0).factors(5)
    assert factors[0] == 1.0 and all(math.isfinite(f) for f in factors)


def test_recorded_lr_includes_the_factor_and_no_schedule_is_the_constant_one():
    loss = losses.get("quartic")
    gd = optimisers.create("gd", alpha=0.05)
    schedule = optimisers.schedule("exponential", gamma=0.9)
    scheduled = optimisers.simulate(loss, gd, [1.5], 20, schedule=schedule)
    np.testing.assert_array_equal(scheduled.lr[:, 0], [0.05 * f for f in schedule.factors(20)])
    adam = optimisers.create("adam", alpha=0.05)
    plain = optimisers.simulate(loss, adam, [1.5], 20)
    constant = optimisers.simulate(loss, adam, [1.5], 20, schedule=optimisers.schedule("constant"))
    np.testing.assert_array_equal(plain.x, constant.x)
    assert not np.array_equal(optimisers.simulate(loss, adam, [1.5], 20, schedule=schedule).x, plain.x)


def test_every_schedule_documents_its_formula_use_and_torch_equivalent():
    for spec in optimisers.SCHEDULES.values():
        assert spec.formula and spec.when_to_use and spec.torch and spec.summary
        for setting in spec.settings:
            assert setting.meaning and setting.contains(setting.default)
