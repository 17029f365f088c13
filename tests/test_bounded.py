"""Every loop that a URL or a control drives ends, at the extremes of what the URL and the controls accept.

Streamlit cannot stop a script inside a loop, so a loop that never ends holds a core until the server
restarts. Each case fails if it is still running after a generous time (conftest.finishes): a hang is a
failure, however slow the machine (no figure here is a speed target; those are in bench/).
"""

import numpy as np
import pytest
from conftest import finishes

import charts
import losses
import optimisers
import sweep
from config import MAX_DOMAIN_WIDTH, MAX_RUNS, MAX_STEPS, LossChoice

# Typed formulas on domains as far out and as wide as the URL accepts (a domain is at most MAX_DOMAIN_WIDTH
# wide; beyond about 2**66 two ends that far apart are the same double), with the minimum inside.
FAR_DOMAINS = [
    ("(x-9000)^2", (8000.0, 10000.0), 9000.0),
    ("(x+9000)^2", (-10000.0, -8000.0), -9000.0),
    ("(x-1e15)^2", (1e15 - MAX_DOMAIN_WIDTH / 2, 1e15 + MAX_DOMAIN_WIDTH / 2), 1e15),
    ("(x-2^62)^2", (2.0**62 - 4096, 2.0**62 + 4096), 2.0**62),
    ("x^2", (-MAX_DOMAIN_WIDTH / 2, MAX_DOMAIN_WIDTH / 2), 0.0),
]


@pytest.mark.parametrize(("expression", "domain", "where"), FAR_DOMAINS)
def test_the_minimum_of_a_typed_formula_is_found_on_any_domain(expression, domain, where):
    loss = finishes(losses.parse, expression, domain=(domain,))
    (minimum,) = loss.minima
    assert minimum.x[0] == pytest.approx(where, rel=1e-9, abs=1e-9 * (domain[1] - domain[0]))


def test_a_formula_with_a_minimum_at_every_sample_is_searched_in_bounded_time():
    loss = finishes(losses.parse, "sin(9e99*x)", domain=((-MAX_DOMAIN_WIDTH / 2, MAX_DOMAIN_WIDTH / 2),))
    assert loss.minima and all(-1 <= minimum.value <= 1 for minimum in loss.minima)


@pytest.mark.parametrize("condition", [1.0, 1000.0])
@pytest.mark.parametrize("angle", [-90.0, 0.0, 45.0, 90.0])
def test_newton_finds_the_ravine_minimum_at_every_setting(condition, angle):
    ravine = finishes(losses.get, "ravine", condition=condition, angle=angle)
    (minimum,) = ravine.minima
    np.testing.assert_allclose(minimum.x, (0.0, 0.0), atol=1e-12)


@pytest.mark.parametrize(
    ("loss_id", "expression", "domain"),
    [("ravine", "", (-3.0, 3.0)), ("custom", "(x-9000)^2", (8000.0, 10000.0)), ("custom", "x^2", (-5000.0, 5000.0))],
)
def test_the_most_runs_for_the_most_steps_simulate_and_draw(loss_id, expression, domain):
    settings = (("condition", 1000.0), ("angle", 0.0)) if loss_id == "ravine" else ()
    loss = finishes(LossChoice(loss_id, expression, domain, settings).resolve)
    start = np.array([low + 0.1 * (high - low) for low, high in loss.domain])
    names = list(optimisers.REGISTRY)[:MAX_RUNS]
    trajectories = [
        finishes(optimisers.simulate, loss, optimisers.create(name, alpha=1.0), start, MAX_STEPS) for name in names
    ]
    traces = [charts.RunTrace(name, "#1f77b4", t) for name, t in zip(names, trajectories, strict=True)]
    for layout in ("overlay", "side_by_side"):
        figure = finishes(charts.playground_figure, loss, traces, layout=layout, internals=True, step=MAX_STEPS)
        assert len(figure["frames"]) == MAX_STEPS + 1


def test_a_sweep_at_its_largest_grid_ends():
    side = sweep.Axis("x0", -2.5, 2.5, sweep.MAX_CELLS_PER_SIDE)
    alphas = sweep.Axis("alpha", 1e-3, 1.0, sweep.MAX_CELLS_PER_SIDE, log_scale=True)
    result = finishes(sweep.sweep, losses.get("wall"), "adam", side, alphas, sweep.MAX_STEPS)
    assert result.ended_in.shape == (sweep.MAX_CELLS_PER_SIDE, sweep.MAX_CELLS_PER_SIDE)
