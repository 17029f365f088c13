"""Tuning α on the pages, run by Streamlit's AppTest: the Playground's "Tune α" and the Sweep verdict's tuned switch."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_no_nan_shown, played, run_traces, shown
from streamlit.testing.v1 import AppTest

import losses
import optimisers
import sweep
from optimisers.simulate import BOUND

VIEWS = Path(__file__).resolve().parent.parent / "views"
DEFAULT_RATES = [float(f"{10 ** (k / 12 - 4):.3g}") for k in range(61)]  # 1e-4 … 10, twelve a decade


def open_page(page: str, query: str = "") -> AppTest:
    at = AppTest.from_file(str(VIEWS / page), default_timeout=300)
    for key, value in (pair.split("=") for pair in query.split("&") if pair):
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def tuning_figure(at: AppTest) -> dict:
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    (figure,) = [f for f in figures if any(trace["name"] == "final loss" for trace in f["data"])]
    return figure


def plain_rmsprop(alpha: float, x: float, steps: int, beta: float = 0.9, eps: float = 1e-8) -> float:
    """RMSProp as torch.optim.RMSprop does it, on the quartic, one α at a time: the final loss, +∞ once diverged."""
    square_average = 0.0
    for _ in range(steps):
        grad = 4 * x**3 - 4 * x + 1
        square_average = beta * square_average + (1 - beta) * grad * grad
        x -= alpha * grad / (math.sqrt(square_average) + eps)
        if not abs(x) <= BOUND:
            return math.inf
    return x**4 - 2 * x**2 + x


def test_tune_alpha_shows_each_rate_s_final_loss_and_one_click_applies_the_best():
    at = open_page("playground_page.py")  # the landing page: RMSProp (α = 0.1, β = 0.9) from 0.1, 50 steps
    at.toggle(key="run0.tune").set_value(True).run()
    assert not at.exception
    figure = tuning_figure(at)
    assert_no_nan_shown(figure)
    curve, current, best = figure["data"]
    assert figure["layout"]["xaxis"]["type"] == "log"
    rates = sorted({*DEFAULT_RATES, 0.1})  # the run's own α is tried too
    assert curve["x"] == rates
    expected = [plain_rmsprop(alpha, 0.1, 50) for alpha in rates]
    shown_losses = [math.inf if y is None else y for y in curve["y"]]  # a gap where the run diverged
    np.testing.assert_allclose(shown_losses, expected, rtol=1e-5)
    best_alpha = best["x"][0]
    assert expected[rates.index(best_alpha)] == pytest.approx(min(expected), rel=1e-9)
    assert current["x"] == [0.1, 0.1] and current["name"] == "current α = 0.1"
    assert best["name"] == f"best α = {best_alpha:g}"

    button = at.button(key="apply_tuned_alpha0")
    assert button.label == f"Apply α = {best_alpha:g}" and not button.disabled
    button.click().run()
    assert not at.exception
    assert at.number_input(key="run0.alpha").value == best_alpha
    assert at.query_params["r1.alpha"] == repr(best_alpha)
    (animation,) = [player["figure"] for player in played(at)]
    index = run_traces(animation)[0]
    last = shown(animation, len(animation["frames"]) - 1)[index]
    trajectory = optimisers.simulate(
        losses.get("quartic"), optimisers.create("rmsprop", alpha=best_alpha, beta=0.9), [0.1], 50
    )
    assert float(trajectory.final_x[0]) == pytest.approx(last["x"][-1], abs=5e-4 * max(1, abs(last["x"][-1])))
    assert tuning_figure(at)["data"][1]["x"] == [best_alpha, best_alpha]  # the current α is now the best
    assert at.button(key="apply_tuned_alpha0").disabled


def test_a_rate_that_diverges_is_a_gap_and_never_the_best():
    at = open_page("playground_page.py", "loss=quartic&steps=50&r1=gd&r1.alpha=0.01&r1.x0=-1.7")
    at.toggle(key="run0.tune").set_value(True).run()
    curve, _, best = tuning_figure(at)["data"]
    gaps = [alpha for alpha, y in zip(curve["x"], curve["y"], strict=True) if y is None]
    assert gaps and gaps == [alpha for alpha in curve["x"] if alpha >= gaps[0]]  # every rate from the first gap on
    x = -1.7
    for _ in range(50):
        x -= gaps[0] * (4 * x**3 - 4 * x + 1)
        if abs(x) > BOUND:
            break
    assert abs(x) > BOUND  # it does diverge
    assert best["x"][0] < gaps[0]


def test_a_run_with_noise_and_its_seeds_is_tuned_on_the_gradients_it_sees():
    query = "loss=himmelblau&noise=2&seed=3&seeds=1&steps=60&r1=adam&r1.alpha=0.1&r1.x0=0.5,-4"
    at = open_page("playground_page.py", query)
    at.toggle(key="run0.tune").set_value(True).run()
    assert not at.exception
    curve = tuning_figure(at)["data"][0]
    at_current = curve["y"][curve["x"].index(0.1)]
    noisy = losses.noisy(losses.get("himmelblau"), sigma=2.0, seed=3)
    seeds = np.repeat([[0.5, -4.0]], 20, axis=0)
    adam = optimisers.create("adam", alpha=0.1)
    over_seeds = optimisers.simulate(noisy, adam, seeds, 60, record="final").final_loss.mean()
    exact = optimisers.simulate(losses.get("himmelblau"), adam, [0.5, -4.0], 60, record="final").final_loss
    assert at_current == pytest.approx(over_seeds, rel=1e-5)
    assert at_current != pytest.approx(float(exact), rel=1e-3)
    assert any("the mean over its 20 seeds" in caption.value for caption in at.caption)


def test_tune_alpha_waits_for_a_formula_that_parses():
    at = open_page("playground_page.py", "loss=custom&expr=x**2&r1=gd&r1.x0=1")
    at.toggle(key="run0.tune").set_value(True).run()
    at.text_input(key="expression").set_value("x**").run()
    assert not at.exception
    assert any("Fix the formula to tune α" in caption.value for caption in at.caption)


def himmelblau_sweep(tuned: bool) -> AppTest:
    at = open_page("sweep_page.py")
    at.number_input(key="x_count").set_value(20).run()
    at.number_input(key="y_count").set_value(20).run()
    at.selectbox(key="sweep_loss").set_value("himmelblau").run()
    at.toggle(key="sweep_tuned").set_value(tuned).run()
    assert not at.exception and not at.error
    return at


def test_the_tuned_verdict_puts_each_optimiser_at_its_own_best_alpha_beside_the_alpha_set():
    at = himmelblau_sweep(tuned=True)
    rows = at.dataframe[1].value.to_dict("records")
    assert [row["optimiser"] for row in rows] == ["Fixed learning rate", "Adagrad", "RMSProp", "Adam"]
    himmelblau = losses.get("himmelblau")
    axes = sweep.Axis("x0", -5.0, 5.0, 20), sweep.Axis("y0", -5.0, 5.0, 20)
    for row, optimiser_id in zip(rows, ["gd", "adagrad", "rmsprop", "adam"], strict=True):
        default = next(h.default for h in optimisers.REGISTRY[optimiser_id].hyperparameters if h.name == "alpha")
        assert row["α"] == f"{default:g}"
        eps = {} if optimiser_id == "gd" else {"eps": 1e-8}
        # The grid's 20 × 20 starts, built by hand, at each of the 61 rates.
        grid = np.stack(np.meshgrid(np.linspace(-5, 5, 20), np.linspace(-5, 5, 20)), axis=-1)
        runs = optimisers.simulate(
            himmelblau,
            optimisers.create(optimiser_id, alpha=np.array(DEFAULT_RATES)[:, None, None], **eps),
            grid,
            200,
            record="final",
        )
        mean_loss = np.where(runs.diverged_at >= 0, np.inf, runs.final_loss).mean(axis=(1, 2))
        tuned_alpha = float(row["tuned α"])
        assert mean_loss[DEFAULT_RATES.index(tuned_alpha)] == pytest.approx(mean_loss.min(), rel=1e-9)
        at_best = sweep.verdict(
            himmelblau, sweep.sweep(himmelblau, optimiser_id, *axes, 200, eps | {"alpha": tuned_alpha})
        )
        assert row["global minimum, tuned"] == at_best.global_share
        assert row["diverged, tuned"] == at_best.diverged_share
    adam = rows[3]
    assert adam["global minimum"] < 0.05 and adam["global minimum, tuned"] > 0.95  # Adam is not bad, only untuned


def test_the_verdict_without_the_switch_is_as_before_and_an_alpha_axis_disables_it():
    rows = himmelblau_sweep(tuned=False).dataframe[1].value.to_dict("records")
    assert all("tuned α" not in row and "α" not in row for row in rows)
    at = open_page("sweep_page.py")  # the quartic's opening maps have α as an axis
    assert at.toggle(key="sweep_tuned").disabled
    assert any("α is an axis of the maps" in caption.value for caption in at.caption)


def test_tune_alpha_of_a_sweep_refuses_an_alpha_axis():
    with pytest.raises(ValueError, match="α is an axis"):
        sweep.tune_alpha(
            losses.get("quartic"), "adam", sweep.Axis("x0", -2.0, 2.0, 10), sweep.Axis("alpha", 1e-3, 1.0, 10), 50
        )
