"""optimisers.tune, checked against plain loops written from the papers, one value and one start at a time."""

import math
import re

import numpy as np
import pytest

import losses
import optimisers
import optimisers.tuning
from optimisers.simulate import BOUND


def quartic(x: float) -> tuple[float, float]:
    return x**4 - 2 * x**2 + x, 4 * x**3 - 4 * x + 1


def plain_final_loss(update, alpha: float, x: float, steps: int) -> float:
    """The final loss of one run of `update(x, g, state, t, alpha)` on the quartic; +∞ once it diverges."""
    state: dict = {}
    value, grad = quartic(x)
    for t in range(1, steps + 1):
        x, state = update(x, grad, state, t, alpha)
        if not abs(x) <= BOUND:
            return math.inf
        value, grad = quartic(x)
        if not (math.isfinite(value) and math.isfinite(grad)):
            return math.inf
    return value


def gd(x, g, state, t, alpha):
    return x - alpha * g, state


def adam(x, g, state, t, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba (2015), Algorithm 1."""
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - alpha * m_hat / (math.sqrt(v_hat) + eps), {"m": m, "v": v}


@pytest.mark.parametrize(("optimiser_id", "update"), [("gd", gd), ("adam", adam)])
def test_each_value_s_final_loss_is_the_mean_over_the_starts_of_a_plain_loop(optimiser_id, update):
    starts, steps = [0.1, -1.7, 1.3], 60
    values = [1e-3, 0.01, 0.05, 0.1, 0.3, 1.0]
    tuning = optimisers.tune(losses.get("quartic"), optimiser_id, [[x] for x in starts], steps, values=values)
    expected = [np.mean([plain_final_loss(update, alpha, x, steps) for x in starts]) for alpha in values]
    assert tuning.optimiser == optimiser_id and tuning.setting == "alpha"
    np.testing.assert_array_equal(tuning.values, values)
    np.testing.assert_allclose(tuning.final_loss, expected, rtol=1e-9)
    # Two values may both reach the minimum, equal but for the last bits: the best is one that ends lowest.
    assert expected[values.index(tuning.best)] == pytest.approx(min(expected), rel=1e-9)
    assert tuning.best_loss == pytest.approx(min(expected), rel=1e-9)


def test_a_value_from_which_any_start_diverges_scores_infinity():
    values = [0.01, 0.3]  # a fixed rate of 0.3 throws the start at −1.7 out; 0.01 keeps both
    tuning = optimisers.tune(losses.get("quartic"), "gd", [[0.1], [-1.7]], 50, values=values)
    assert [plain_final_loss(gd, 0.3, x, 50) for x in (0.1, -1.7)][1] == math.inf
    assert tuning.final_loss[1] == math.inf and math.isfinite(tuning.final_loss[0])
    assert tuning.best == 0.01


def test_ties_go_to_the_smaller_value_wherever_it_is_listed():
    # From the minimum of x² the gradient is 0: every α ends where it started.
    tuning = optimisers.tune(losses.parse("x^2"), "gd", [[0.0]], 10, values=[0.3, 0.1, 0.2])
    np.testing.assert_array_equal(tuning.final_loss, [0.0, 0.0, 0.0])
    assert tuning.best == 0.1


def test_the_defaults_are_61_learning_rates_from_1e_4_to_10_or_another_setting_s_slider_range():
    tuning = optimisers.tune(losses.get("quartic"), "adam", [0.1], 5)
    # Twelve to a decade, each to 3 significant digits: 1e-4, 0.000121, 0.000147, … 10.
    assert list(tuning.values) == [float(f"{10 ** (k / 12 - 4):.3g}") for k in range(61)]
    assert tuning.values[[0, 1, 2, 12, -1]].tolist() == [1e-4, 0.000121, 0.000147, 0.001, 10.0]
    beta1 = optimisers.tune(losses.get("quartic"), "adam", [0.1], 5, setting="beta1", alpha=0.1)
    # A decay's: closer together towards 1, 1 − β log-spaced from 1 down to 1 − 0.9999.
    np.testing.assert_allclose(1 - beta1.values, [10 ** (-4 * k / 60) for k in range(61)], rtol=1e-12)


def test_the_other_settings_are_fixed_and_the_run_s_schedule_applies():
    schedule = optimisers.schedule("step", step_size=10, gamma=0.5)
    tuning = optimisers.tune(losses.get("quartic"), "adam", [0.1], 40, values=[0.05], schedule=schedule, beta1=0.5)
    alone = optimisers.simulate(
        losses.get("quartic"), optimisers.create("adam", alpha=0.05, beta1=0.5), [0.1], 40, schedule=schedule
    )
    assert tuning.final_loss[0] == pytest.approx(float(alone.final_loss), rel=1e-12)


def test_on_a_noisy_loss_each_value_sees_the_noise_each_start_sees_alone():
    noisy = losses.noisy(losses.get("himmelblau"), sigma=3.0, seed=4)
    starts = [[0.5, -4.0], [0.5, -4.0], [-3.0, 2.0]]  # the first two: one start, two seeds
    tuning = optimisers.tune(noisy, "adam", starts, 80, values=[0.02, 0.2])
    for index, alpha in enumerate((0.02, 0.2)):
        alone = optimisers.simulate(noisy, optimisers.create("adam", alpha=alpha), starts, 80, record="final")
        assert tuning.final_loss[index] == pytest.approx(alone.final_loss.mean(), rel=1e-12)


def test_all_values_run_in_one_simulate_call(monkeypatch):
    calls = []
    simulate = optimisers.tuning.simulate
    monkeypatch.setattr(optimisers.tuning, "simulate", lambda *a, **k: calls.append(a) or simulate(*a, **k))
    optimisers.tune(losses.get("himmelblau"), "rmsprop", np.zeros((4, 5, 2)), 20)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"setting": "beta9"}, "adam has no hyperparameter 'beta9'"),
        ({"setting": "amsgrad"}, "adam has no hyperparameter 'amsgrad'"),
        ({"values": []}, "values must be a non-empty list"),
        ({"values": [[0.1, 0.2]]}, "values must be a non-empty list"),
        ({"values": [0.1, -0.5]}, "alpha must be in (0, ∞); got -0.5"),
        ({"values": [0.1], "alpha": 0.2}, "alpha is the setting being tuned"),
        ({"beta1": 1.5}, "beta1 must be in [0, 1); got 1.5"),
    ],
)
def test_bad_input_raises_a_value_error_saying_what_is_wrong(settings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        optimisers.tune(losses.get("quartic"), "adam", [0.1], 10, **settings)


def test_an_unknown_optimiser_is_named():
    with pytest.raises(ValueError, match="unknown optimiser 'adamm'"):
        optimisers.tune(losses.get("quartic"), "adamm", [0.1], 10)
