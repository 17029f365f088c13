"""The Theory page: every optimiser from the registry, and the maths of its three demonstrations."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from conftest import page_run

import optimisers
from article import theory

BETAS = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("gradient", [1.0, -3.5, 1e-6])
def test_corrected_average_of_a_constant_gradient_is_that_gradient_at_every_step(beta, gradient):
    average, corrected = theory.moving_averages(np.full(300, gradient), beta)
    t = np.arange(1, 301)
    np.testing.assert_allclose(corrected, gradient, rtol=1e-12)
    # m_t = (1 − β) Σ_{k ≤ t} β^(t−k) g = (1 − βᵗ) g: the bias that the correction removes
    np.testing.assert_allclose(average, (1 - beta**t) * gradient, rtol=1e-12)


@pytest.mark.parametrize("beta", BETAS)
def test_moving_average_of_noisy_gradients_weights_each_by_its_age(beta):
    gradients = theory.example_gradients("noisy", 40)
    assert gradients.std() > 0.1
    average, corrected = theory.moving_averages(gradients, beta)
    for t in range(1, 41):
        weights = [(1 - beta) * beta ** (t - k) for k in range(1, t + 1)]
        expected = sum(w * g for w, g in zip(weights, gradients[:t], strict=True))
        assert average[t - 1] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert corrected[t - 1] == pytest.approx(expected / sum(weights), rel=1e-12, abs=1e-15)


def test_window_and_recent_share_describe_beta_near_one_as_a_longer_memory():
    assert theory.averaging_window(0.9) == pytest.approx(10)
    assert theory.averaging_window(0.999) == pytest.approx(1000)
    assert theory.recent_share(0.9, 10) == pytest.approx(1 - 0.9**10)
    # the closer β is to 1, the less weight the recent gradients carry
    shares = [theory.recent_share(beta, 10) for beta in BETAS[1:]]
    assert shares == sorted(shares, reverse=True)


def test_eps_inside_the_root_shrinks_steps_near_zero_gradients_only():
    outside, inside = theory.eps_steps(1e-5, alpha=0.1, eps=1e-8)
    assert outside == pytest.approx(0.1 * 1e-5 / (1e-5 + 1e-8), rel=1e-12)
    assert inside == pytest.approx(0.1 * 1e-5 / math.sqrt(1e-10 + 1e-8), rel=1e-12)
    assert inside / outside == pytest.approx(0.0996, abs=1e-4)
    far_outside, far_inside = theory.eps_steps(1.0, alpha=0.1, eps=1e-8)
    assert far_outside == pytest.approx(0.1, rel=1e-7) and far_inside == pytest.approx(0.1, rel=1e-7)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="beta"):
        theory.moving_averages(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="kind"):
        theory.example_gradients("loud", 3)


# --- the page ---------------------------------------------------------------------------------------------


@pytest.fixture
def app():
    return page_run("theory")


def bias_chart(app) -> dict:
    [chart] = app.get("plotly_chart")
    return json.loads(chart.proto.spec)


def test_every_optimiser_has_its_name_rule_settings_and_accumulators(app):
    specs = list(optimisers.REGISTRY.values())
    assert [tab.label for tab in app.tabs] == [spec.name for spec in specs]
    for tab, spec in zip(app.tabs, specs, strict=True):
        assert any(spec.update_rule in latex.value for latex in tab.latex)
        text = " ".join(markdown.value for markdown in tab.markdown)
        assert spec.summary in text and spec.lr_meaning in text
        for h in spec.hyperparameters:
            assert f"${h.symbol}$ (`{h.name}`), default {h.default:g}, valid in {h.range_text}" in text
        for a in spec.accumulators:
            assert f"${a.symbol}$ (`{a.name}`" in text
        assert f"**Checked against** `{spec.reference}`." in text


def test_each_new_optimiser_says_what_it_was_made_to_solve_and_cites_its_paper(app):
    cited = {spec.name: spec for spec in list(optimisers.REGISTRY.values())[12:]}
    for tab in app.tabs:
        if tab.label in cited:
            spec = cited.pop(tab.label)
            text = " ".join(markdown.value for markdown in tab.markdown)
            assert f"**The problem it was made to solve.** {spec.problem}" in text
            assert f"**Paper.** {spec.paper}." in text and re.search(r"\(\d{4}\)", spec.paper)
            assert "arXiv:" in spec.paper or "doi:" in spec.paper
    assert not cited, f"no tab for {sorted(cited)}"


def test_bias_demo_plots_the_average_with_and_without_correction(app):
    app.number_input(key="bias_beta").set_value(0.5).run()
    gradients, average, corrected = (trace["y"] for trace in bias_chart(app)["data"])
    assert gradients == [1.0] * 100
    assert corrected == pytest.approx([1.0] * 100, rel=1e-12)
    assert average[:3] == pytest.approx([0.5, 0.75, 0.875])

    app.radio(key="bias_kind").set_value("noisy").run()
    gradients, _, corrected = (trace["y"] for trace in bias_chart(app)["data"])
    assert len(set(gradients)) == 100
    assert corrected[0] == pytest.approx(gradients[0])


def test_a_beta_outside_its_range_shows_an_error_not_a_traceback(app):
    app.number_input(key="bias_beta").set_value(1.5).run()
    assert not app.exception
    assert any("beta must be in [0, 1)" in error.value for error in app.error)
    values = [y for trace in bias_chart(app)["data"] for y in trace["y"]]
    assert all(math.isfinite(y) for y in values)


def test_eps_example_is_computed_for_the_chosen_gradient(app):
    app.select_slider(key="eps_gradient").set_value(1e-8).run()
    assert not app.exception
    # at g = ε the textbook step is α·g/(g + g) = α/2; inside the root it is α·g/√(g² + g) ≈ α·√g
    assert r"g = 0.05 \qquad" in app.latex[-1].value
    assert r"g = 1 \times 10^{-5}" in app.latex[-1].value


def test_every_schedule_has_its_formula_when_to_use_it_and_settings(app):
    text = " ".join(markdown.value for markdown in app.markdown)
    formulas = [latex.value for latex in app.latex]
    for spec in optimisers.SCHEDULES.values():
        assert spec.name in [header.value for header in app.subheader]
        assert any(spec.formula in formula for formula in formulas)
        assert spec.when_to_use in text and spec.torch in text
        for s in spec.settings:
            assert f"${s.symbol}$ (`{s.name}`), default {s.default:g}, valid in {s.range_text}" in text
