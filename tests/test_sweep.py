"""The Sweep page: grid sweeps against single runs, known facts of the quartic and of Himmelblau's
function, limits, figures, page."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import losses
import optimisers
import sweep
from charts.sweep import categories, random_starts_figure, sweep_figure
from config import Config, LossChoice, from_query_params, new_run, to_query_params
from optimisers.ending import DIVERGED, LEFT_DOMAIN, NOT_AT_A_MINIMUM

PAGE = str(Path(__file__).resolve().parent.parent / "views" / "sweep_page.py")
QUARTIC = losses.get("quartic")
# From the spec's table, not from the code: the quartic's critical points.
GLOBAL_MINIMUM, LOCAL_MAXIMUM, LOCAL_MINIMUM = -1.107160, 0.269594, 0.837565


def minimum_index(x: float) -> int:
    return next(i for i, m in enumerate(QUARTIC.minima) if abs(m.x[0] - x) < 1e-4)


def single_run_outcome(optimiser_id: str, settings: dict, x0: float, steps: int) -> tuple[int, float, int]:
    """(ended-in code, final loss, settled step) of one run, classified here from its trajectory."""
    trajectory = optimisers.simulate(QUARTIC, optimisers.create(optimiser_id, **settings), np.array([x0]), steps)
    final_x = float(trajectory.final_x[0])
    if trajectory.diverged_at >= 0:
        code = DIVERGED
    else:
        close = [i for i, m in enumerate(QUARTIC.minima) if abs(final_x - m.x[0]) <= 0.05]  # 1% of the domain
        code = close[0] if close else NOT_AT_A_MINIMUM
    return code, float(trajectory.final_loss), int(trajectory.settled_at)


def decode(typed: dict) -> np.ndarray:
    dtype = {"f4": np.float32, "i1": np.int8, "i2": np.int16}[typed["dtype"]]
    shape = tuple(int(n) for n in typed["shape"].split(","))
    return np.frombuffer(base64.b64decode(typed["bdata"]), dtype=dtype).reshape(shape)


START_AXIS = sweep.Axis("x0", -2.5, 2.5, 9)
ALPHA_AXIS = sweep.Axis("alpha", 1e-3, 2.0, 7, log_scale=True)


@pytest.mark.parametrize("optimiser_id", ["gd", "rmsprop", "adam"])
def test_every_cell_agrees_with_its_run_computed_alone(optimiser_id):
    steps = 60
    sweep_map = sweep.sweep(QUARTIC, optimiser_id, START_AXIS, ALPHA_AXIS, steps)
    starts = np.linspace(-2.5, 2.5, 9)
    alphas = np.geomspace(1e-3, 2.0, 7)
    codes = set()
    for row, alpha in enumerate(alphas):
        for column, x0 in enumerate(starts):
            code, final_loss, settled_at = single_run_outcome(optimiser_id, {"alpha": alpha}, x0, steps)
            codes.add(code)
            assert sweep_map.ended_in[row, column] == code, (alpha, x0)
            assert sweep_map.settled_at[row, column] == settled_at, (alpha, x0)
            if code == DIVERGED:
                assert np.isnan(sweep_map.final_loss[row, column])
            else:
                assert sweep_map.final_loss[row, column] == pytest.approx(final_loss, rel=1e-12, abs=1e-12)
    if optimiser_id == "gd":  # the grid is wide enough to meet every outcome
        assert codes == {minimum_index(GLOBAL_MINIMUM), minimum_index(LOCAL_MINIMUM), NOT_AT_A_MINIMUM, DIVERGED}


def test_small_fixed_steps_end_in_the_basin_of_their_start():
    # Starts 0.4 apart: the nearest to the local maximum are 0.0 and 0.4, well clear of it.
    starts = sweep.Axis("x0", -2.4, 2.4, 13)
    small_alphas = sweep.Axis("alpha", 0.003, 0.03, 3, log_scale=True)
    sweep_map = sweep.sweep(QUARTIC, "gd", starts, small_alphas, 1000)
    left = starts.values < LOCAL_MAXIMUM
    assert left.sum() == 7
    assert (sweep_map.ended_in[:, left] == minimum_index(GLOBAL_MINIMUM)).all()
    assert (sweep_map.ended_in[:, ~left] == minimum_index(LOCAL_MINIMUM)).all()
    assert sweep.verdict(QUARTIC, sweep_map).global_share == pytest.approx(7 / 13)


def test_very_large_fixed_steps_diverge():
    sweep_map = sweep.sweep(QUARTIC, "gd", sweep.Axis("x0", -2.5, 2.5, 6), sweep.Axis("alpha", 5.0, 10.0, 3), 100)
    assert (sweep_map.ended_in == DIVERGED).all()
    assert np.isnan(sweep_map.final_loss).all()
    assert (sweep_map.settled_at == -1).all()
    verdict = sweep.verdict(QUARTIC, sweep_map)
    assert (verdict.global_share, verdict.diverged_share) == (0.0, 1.0)


def test_verdict_counts_the_cells():
    g, local, none, diverged = minimum_index(GLOBAL_MINIMUM), minimum_index(LOCAL_MINIMUM), -1, -2
    ended_in = np.array([[g, local, diverged, g], [none, g, diverged, diverged]])
    sweep_map = sweep.SweepMap(
        "gd", START_AXIS, ALPHA_AXIS, 10, ended_in, np.zeros(ended_in.shape), np.zeros(ended_in.shape), (True, True)
    )
    verdict = sweep.verdict(QUARTIC, sweep_map)
    assert verdict.global_share == 3 / 8
    assert verdict.diverged_share == 3 / 8
    # The wavy loss's global minimum, near x = 1.967, is its fifth.
    wavy = losses.get("wavy")
    global_index = next(i for i, m in enumerate(wavy.minima) if abs(m.x[0] - 1.967) < 1e-3)
    assert global_index == 4
    ended_in = np.array([[0, 4, 4, 5, -2]])
    sweep_map = sweep.SweepMap("gd", START_AXIS, ALPHA_AXIS, 10, ended_in, ended_in * 0.0, ended_in, (True, True))
    verdict = sweep.verdict(wavy, sweep_map)
    assert (verdict.global_share, verdict.diverged_share) == (2 / 5, 1 / 5)


def test_an_axis_the_optimiser_lacks_leaves_its_map_constant_along_it():
    beta = sweep.Axis("beta", 0.0, 0.99, 5)
    fixed = sweep.sweep(QUARTIC, "gd", START_AXIS, beta, 50, {"alpha": 0.05})
    adaptive = sweep.sweep(QUARTIC, "rmsprop", START_AXIS, beta, 50, {"alpha": 0.05})
    assert fixed.applies == (True, False) and adaptive.applies == (True, True)
    assert fixed.ended_in.shape == (5, 9)
    assert (fixed.final_loss == fixed.final_loss[0]).all()
    assert not (adaptive.final_loss == adaptive.final_loss[0]).all()


def test_start_on_the_y_axis_and_a_fixed_start():
    transposed = sweep.sweep(QUARTIC, "gd", ALPHA_AXIS, START_AXIS, 60)
    straight = sweep.sweep(QUARTIC, "gd", START_AXIS, ALPHA_AXIS, 60)
    np.testing.assert_array_equal(transposed.ended_in, straight.ended_in.T)
    beta1 = sweep.Axis("beta1", 0.0, 0.99, 4)
    fixed_start = sweep.sweep(QUARTIC, "adam", ALPHA_AXIS, beta1, 60, start=(0.1,))
    code, _, _ = single_run_outcome("adam", {"alpha": ALPHA_AXIS.values[2], "beta1": beta1.values[2]}, 0.1, 60)
    assert fixed_start.ended_in[2, 2] == code


@pytest.mark.parametrize(
    ("call", "limit"),
    [
        (lambda: sweep.sweep(QUARTIC, "gd", sweep.Axis("x0", -2.5, 2.5, 401), ALPHA_AXIS, 10), "400"),
        (lambda: sweep.sweep(QUARTIC, "gd", START_AXIS, sweep.Axis("alpha", 0.1, 1, 1000), 10), "400"),
        (lambda: sweep.sweep(QUARTIC, "gd", START_AXIS, ALPHA_AXIS, 1001), "1000"),
        (lambda: sweep.random_starts(QUARTIC, "gd", 10, 100_001), "100,000"),
    ],
)
def test_oversize_requests_are_refused_naming_the_limit(call, limit):
    with pytest.raises(ValueError, match=limit):
        call()


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (START_AXIS, START_AXIS, "must differ"),
        (sweep.Axis("x0", -1.0, 1.0, 5, log_scale=True), ALPHA_AXIS, "log"),
        (START_AXIS, sweep.Axis("alpha", 1.0, 0.1, 5), "low < high"),
        (START_AXIS, sweep.Axis("beta", 0.5, 1.5, 5), "beta"),
        (START_AXIS, sweep.Axis("rho", 0.1, 0.5, 5), "unknown axis"),
    ],
)
def test_bad_axes_are_refused_with_a_reason(x, y, message):
    with pytest.raises(ValueError, match=message):
        sweep.sweep(QUARTIC, "rmsprop", x, y, 10)


def test_a_cell_opens_the_same_run_in_the_playground():
    settings = {"eps": 1e-8}
    sweep_map = sweep.sweep(QUARTIC, "adam", START_AXIS, ALPHA_AXIS, 80, settings)
    row, column = 4, 3
    chosen, x0 = sweep.cell_run(QUARTIC, sweep_map, row, column, settings)
    assert x0 == (START_AXIS.values[column],)
    assert chosen == {"eps": 1e-8, "alpha": ALPHA_AXIS.values[row]}
    # The link the page builds, read back the way the Playground reads its URL.
    link = urllib.parse.urlencode(to_query_params(Config(runs=(new_run("adam", x0, 0, **chosen),), steps=80)))
    config, messages = from_query_params(dict(urllib.parse.parse_qsl(link)))
    assert messages == []
    run = config.runs[0]
    trajectory = optimisers.simulate(QUARTIC, run.create_optimiser(), np.array(run.x0), config.steps)
    assert float(trajectory.final_loss) == sweep_map.final_loss[row, column]


def test_random_starts_end_in_both_basins_and_their_mean_in_neither():
    count = 20_000
    starts = sweep.random_starts(QUARTIC, "gd", 1000, count, {"alpha": 0.01}, seed=3)
    assert starts.final_x.shape == (count, 1)
    assert not starts.diverged.any()
    left = (starts.ended_in == minimum_index(GLOBAL_MINIMUM)).mean()
    right = (starts.ended_in == minimum_index(LOCAL_MINIMUM)).mean()
    assert left + right == 1.0
    # A uniform start lands left of the local maximum with probability (0.2696 + 2.5) / 5.
    share_left = (LOCAL_MAXIMUM + 2.5) / 5
    assert left == pytest.approx(share_left, abs=0.02)
    expected_mean = share_left * GLOBAL_MINIMUM + (1 - share_left) * LOCAL_MINIMUM
    mean = starts.mean_final_x
    assert mean[0] == pytest.approx(expected_mean, abs=0.04)
    assert QUARTIC.nearest_minimum(mean) == -1
    (edges,), counts = starts.histogram(QUARTIC.domain, 50)
    assert counts.sum() == count
    full = np.flatnonzero(counts)
    assert len(full) == 2 and edges[full[0]] < GLOBAL_MINIMUM < edges[full[0] + 1]


def test_random_starts_of_a_diverging_setting_have_no_mean():
    starts = sweep.random_starts(QUARTIC, "gd", 50, 100, {"alpha": 10.0})
    assert starts.diverged.all()
    assert starts.mean_final_x is None
    figure = random_starts_figure(QUARTIC, starts, "all diverged")
    assert sum(figure["data"][0]["y"]) == 0


def test_ended_in_figure_decodes_to_the_map_with_a_legend_of_minima():
    maps = [sweep.sweep(QUARTIC, o, START_AXIS, ALPHA_AXIS, 60) for o in ("gd", "adam")]
    figure = sweep_figure(QUARTIC, maps, ["Fixed", "Adam"], "ended_in", chosen=(2, 5))
    heatmaps = [t for t in figure["data"] if t["type"] == "heatmap"]
    assert [t["xaxis"] for t in heatmaps] == ["x", "x2"]
    colour_bar = figure["layout"]["coloraxis"]["colorbar"]
    global_index, local_index = minimum_index(GLOBAL_MINIMUM), minimum_index(LOCAL_MINIMUM)
    assert colour_bar["tickvals"] == [LEFT_DOMAIN, DIVERGED, NOT_AT_A_MINIMUM, 0, 1]
    assert colour_bar["ticktext"] == [
        f"{LEFT_DOMAIN}: left the domain",
        f"{DIVERGED}: diverged",
        f"{NOT_AT_A_MINIMUM}: no minimum",
        f"{global_index}: -1.11 global",
        f"{local_index}: 0.838 local",
    ]
    for trace, sweep_map in zip(heatmaps, maps, strict=True):
        # The cell's code, which hover shows: one byte a cell and no label per cell.
        assert trace["z"]["dtype"] == "i1" and "text" not in trace and "%{z}" in trace["hovertemplate"]
        np.testing.assert_array_equal(decode(trace["z"]), sweep_map.ended_in)
    layout = figure["layout"]
    assert layout["yaxis"]["type"] == "log" and layout["xaxis"]["type"] == "linear"
    assert layout["xaxis2"]["matches"] == "x" and layout["yaxis2"]["matches"] == "y"
    markers = [t for t in figure["data"] if t["type"] == "scatter"]
    assert markers[0]["x"] == [pytest.approx(START_AXIS.values[5])]
    assert markers[0]["y"] == [pytest.approx(ALPHA_AXIS.values[2])]


def test_final_loss_and_settled_figures_leave_gaps_and_stay_lean():
    axes = (sweep.Axis("x0", -2.5, 2.5, 200), sweep.Axis("alpha", 1e-3, 10.0, 200, log_scale=True))
    sweep_map = sweep.sweep(QUARTIC, "gd", *axes, 50)
    loss_figure = sweep_figure(QUARTIC, [sweep_map], ["Fixed"], "final_loss")
    z = decode(loss_figure["data"][0]["z"])
    diverged = sweep_map.ended_in == DIVERGED
    assert diverged.any() and np.isnan(z[diverged]).all()
    np.testing.assert_allclose(z[~diverged], sweep_map.final_loss[~diverged], rtol=1e-6)
    settled_figure = sweep_figure(QUARTIC, [sweep_map], ["Fixed"], "settled_at")
    z = decode(settled_figure["data"][0]["z"])
    moving = sweep_map.settled_at < 0
    assert np.isnan(z[moving]).all() and (z[~moving] == sweep_map.settled_at[~moving]).all()
    # 40,000 cells as float32: about 210 kB of base64, not a megabyte of JSON numbers; as int8 keys, 53 kB.
    assert len(json.dumps(loss_figure)) < 250_000
    assert len(json.dumps(sweep_figure(QUARTIC, [sweep_map], ["Fixed"], "ended_in"))) < 60_000


HIMMELBLAU = losses.get("himmelblau")
# From the literature, not from the code: Himmelblau's four minima, all at f = 0, and its four saddle points.
HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))
HIMMELBLAU_SADDLES = ((0.086678, 2.884255), (3.385154, 0.073852), (-3.073026, -0.081353), (-0.127961, -1.953715))
BASIN_ALPHA, BASIN_STEPS = 0.002, 500


def catalogue_index(literature: tuple[float, float]) -> int:
    return next(i for i, m in enumerate(HIMMELBLAU.minima) if np.allclose(m.x, literature, atol=1e-5))


def descend_by_hand(x: float, y: float, alpha: float, steps: int) -> tuple[float, float]:
    """Plain gradient descent on f = (x² + y − 11)² + (x + y² − 7)², its gradient written out by hand."""
    for _ in range(steps):
        a, b = x * x + y - 11, x + y * y - 7
        x, y = x - alpha * (4 * x * a + 2 * b), y - alpha * (2 * a + 4 * y * b)
    return x, y


def test_himmelblau_basin_map_sends_the_starts_near_each_minimum_to_it():
    x0, y0 = sweep.Axis("x0", -5.0, 5.0, 21), sweep.Axis("y0", -5.0, 5.0, 21)
    basin_map = sweep.sweep(HIMMELBLAU, "gd", x0, y0, BASIN_STEPS, {"alpha": BASIN_ALPHA})
    assert basin_map.ended_in.shape == (21, 21)
    starts = np.stack(np.meshgrid(x0.values, y0.values), axis=-1)  # rows follow y0, columns x0
    for literature in HIMMELBLAU_MINIMA:
        near = np.linalg.norm(starts - literature, axis=-1) < 1.0  # each saddle is ≥ 1.9 away
        assert near.sum() >= 9
        assert (basin_map.ended_in[near] == catalogue_index(literature)).all(), literature
    # Every cell of the middle row and column, against descent written out by hand from its start.
    reached = set()
    for row, column in [(10, c) for c in range(21)] + [(r, 10) for r in range(21)]:
        final = descend_by_hand(x0.values[column], y0.values[row], BASIN_ALPHA, BASIN_STEPS)
        (literature,) = [m for m in HIMMELBLAU_MINIMA if np.allclose(final, m, atol=1e-4)]
        reached.add(literature)
        assert basin_map.ended_in[row, column] == catalogue_index(literature), (row, column)
    assert reached == set(HIMMELBLAU_MINIMA)
    settings, start = sweep.cell_run(HIMMELBLAU, basin_map, 3, 17, {"alpha": BASIN_ALPHA})
    assert (settings, start) == ({"alpha": BASIN_ALPHA}, (x0.values[17], y0.values[3]))
    trajectory = optimisers.simulate(HIMMELBLAU, optimisers.create("gd", **settings), np.array(start), BASIN_STEPS)
    assert float(trajectory.final_loss) == basin_map.final_loss[3, 17]


def test_one_start_coordinate_against_a_hyperparameter_keeps_the_other_fixed():
    y0, alphas = sweep.Axis("y0", -4.0, 4.0, 5), sweep.Axis("alpha", 1e-3, 1e-2, 3, log_scale=True)
    mixed = sweep.sweep(HIMMELBLAU, "gd", y0, alphas, 200, start=(1.5, 0.0))
    for row, alpha in enumerate(alphas.values):
        for column, y in enumerate(y0.values):
            alone = optimisers.simulate(HIMMELBLAU, optimisers.create("gd", alpha=alpha), np.array([1.5, y]), 200)
            assert mixed.final_loss[row, column] == pytest.approx(float(alone.final_loss), rel=1e-12, abs=1e-12)
    assert sweep.cell_run(HIMMELBLAU, mixed, 2, 4, start=(1.5, 0.0)) == ({"alpha": alphas.values[2]}, (1.5, 4.0))
    x0 = sweep.Axis("x0", -5.0, 5.0, 7)
    straight = sweep.sweep(HIMMELBLAU, "gd", x0, y0, 200)
    transposed = sweep.sweep(HIMMELBLAU, "gd", y0, x0, 200)
    np.testing.assert_array_equal(transposed.ended_in, straight.ended_in.T)


def test_a_second_start_coordinate_is_refused_on_a_loss_of_one_variable():
    assert "y0" not in sweep.axis_names(QUARTIC) and "y0" in sweep.axis_names(HIMMELBLAU)
    for axes in ((sweep.Axis("y0", -1.0, 1.0, 5), ALPHA_AXIS), (START_AXIS, sweep.Axis("y0", -1.0, 1.0, 5))):
        with pytest.raises(ValueError, match=r"the y0 axis needs a loss of 2 variables; .* has 1 \(x\)"):
            sweep.sweep(QUARTIC, "gd", *axes, 10)
    with pytest.raises(ValueError, match="needs 1 coordinate"):
        sweep.sweep(QUARTIC, "gd", ALPHA_AXIS, sweep.Axis("beta", 0.1, 0.9, 3), 10, start=(0.1, 0.2))


def test_basin_maps_colour_each_minimum_mark_the_landmarks_and_stay_lean():
    axes = (sweep.Axis("x0", -5.0, 5.0, 200), sweep.Axis("y0", -5.0, 5.0, 200))
    maps = [sweep.sweep(HIMMELBLAU, o, *axes, 100, {"alpha": a}) for o, a in (("gd", 2e-3), ("adam", 0.1))] * 2
    figure = sweep_figure(HIMMELBLAU, maps, ["a", "b", "c", "d"], "ended_in", chosen=(10, 20))
    # Four panels of 40,000 cells: a label per cell made this 2.5 MB.
    assert len(json.dumps(figure)) < 300_000
    heatmaps = [t for t in figure["data"] if t["type"] == "heatmap"]
    for trace, sweep_map in zip(heatmaps, maps, strict=True):
        np.testing.assert_array_equal(decode(trace["z"]), sweep_map.ended_in)
    assert set(range(4)) <= set(np.unique(maps[0].ended_in))
    found = categories(HIMMELBLAU)
    basin_colours = {found[k][1] for k in range(4)}
    assert len(basin_colours) == 4
    assert not basin_colours & {found[code][1] for code in (NOT_AT_A_MINIMUM, DIVERGED, LEFT_DOMAIN)}
    tick_values = figure["layout"]["coloraxis"]["colorbar"]["tickvals"]
    assert tick_values == [LEFT_DOMAIN, DIVERGED, NOT_AT_A_MINIMUM, 0, 1, 2, 3]
    landmarks = [t for t in figure["data"] if "hovertext" in t]
    assert len(landmarks) == 4 and [t["xaxis"] for t in landmarks] == ["x", "x2", "x3", "x4"]
    points = list(zip(landmarks[0]["x"], landmarks[0]["y"], landmarks[0]["marker"]["symbol"], strict=True))
    stars = [(x, y) for x, y, symbol in points if symbol == "star"]
    saddles = [(x, y) for x, y, symbol in points if symbol == "x-thin"]
    np.testing.assert_allclose(sorted(stars), sorted(HIMMELBLAU_MINIMA), atol=1e-5)
    np.testing.assert_allclose(sorted(saddles), sorted(HIMMELBLAU_SADDLES), atol=1e-5)
    assert "(3, 2) global" in landmarks[0]["hovertext"][stars.index((3.0, 2.0))]
    # The axes hold the cells exactly: markers near an edge do not pad them.
    half_cell = 10 / 199 / 2
    assert figure["layout"]["xaxis"]["range"] == pytest.approx([-5 - half_cell, 5 + half_cell])
    # A start against α is no basin map: nothing to mark.
    mixed = sweep.sweep(HIMMELBLAU, "gd", axes[0], sweep.Axis("alpha", 1e-3, 1e-2, 4), 10)
    assert not [t for t in sweep_figure(HIMMELBLAU, [mixed], ["a"])["data"] if "hovertext" in t]


def test_global_and_local_basins_differ_in_colour_and_many_minima_name_only_the_global():
    camel = losses.get("six_hump_camel")
    found = categories(camel)
    global_colours = {found[k][1] for k, m in enumerate(camel.minima) if m.is_global}
    local_colours = {found[k][1] for k, m in enumerate(camel.minima) if not m.is_global}
    assert len(global_colours) == 2 and len(local_colours) == 4 and not global_colours & local_colours
    rastrigin = losses.get("rastrigin")
    axes = (sweep.Axis("x0", -5.12, 5.12, 30), sweep.Axis("y0", -5.12, 5.12, 30))
    sweep_map = sweep.sweep(rastrigin, "gd", *axes, 100, {"alpha": 2e-3})
    figure = sweep_figure(rastrigin, [sweep_map], ["gd"])
    assert len(np.unique(sweep_map.ended_in)) > 50
    np.testing.assert_array_equal(decode(figure["data"][0]["z"]), sweep_map.ended_in)
    (origin,) = [k for k, m in enumerate(rastrigin.minima) if m.is_global]
    colour_bar = figure["layout"]["coloraxis"]["colorbar"]
    assert colour_bar["tickvals"] == [origin] and colour_bar["ticktext"] == [f"{origin}: (0, 0) global"]


def test_random_starts_on_himmelblau_split_between_the_minima_and_their_mean_is_in_none():
    count = 4000
    starts = sweep.random_starts(HIMMELBLAU, "gd", BASIN_STEPS, count, {"alpha": BASIN_ALPHA}, seed=1)
    assert starts.final_x.shape == (count, 2) and not starts.diverged.any()
    shares = [(starts.ended_in == catalogue_index(m)).mean() for m in HIMMELBLAU_MINIMA]
    assert sum(shares) == 1.0 and min(shares) > 0.1
    mean = starts.mean_final_x
    assert HIMMELBLAU.nearest_minimum(mean) == -1
    figure = random_starts_figure(HIMMELBLAU, starts, "Fixed")
    bubbles, *_, mean_marker = figure["data"]
    assert sum(bubbles["customdata"]) == count
    assert (mean_marker["x"][0], mean_marker["y"][0]) == pytest.approx(tuple(mean))


def run_page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=180).run()


def sweep_spec(app: AppTest) -> dict:
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    return next(c for c in charts if any(t["type"] == "heatmap" for t in c["data"]))


def test_page_opens_with_the_four_default_maps():
    app = run_page()
    assert not app.exception
    assert not app.error
    spec = sweep_spec(app)
    heatmaps = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 4
    assert [decode(t["z"]).shape for t in heatmaps] == [(200, 200)] * 4
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == ["<b>Fixed learning rate</b>", "<b>Adagrad</b>", "<b>RMSProp</b>", "<b>Adam</b>"]
    assert spec["layout"]["yaxis"]["type"] == "log"
    verdict = app.dataframe[1].value
    assert list(verdict["optimiser"]) == ["Fixed learning rate", "Adagrad", "RMSProp", "Adam"]
    assert verdict["diverged"].iloc[0] > 0.05  # the fixed rate's large α diverge
    links = app.dataframe[0].value["run"]
    assert all(link.startswith("/?loss=quartic&steps=200") for link in links)
    assert any("mean final position" in c.value for c in app.caption)


def test_changing_an_axis_redraws_the_maps():
    app = run_page()
    before = sweep_spec(app)
    app.selectbox(key="y_axis.1d").set_value("beta").run()
    assert not app.exception
    after = sweep_spec(app)
    assert after["layout"]["yaxis"]["type"] == "linear"
    assert after["data"][0]["y"] != before["data"][0]["y"]
    titles = [a["text"] for a in after["layout"]["annotations"]]
    assert "has no β" in titles[0] and "has no β" in titles[3] and "has no β" not in titles[2]


def test_an_oversize_grid_is_refused_on_the_page():
    app = run_page()
    app.number_input(key="x_count").set_value(401).run()
    assert not app.exception
    assert any("400" in e.value for e in app.error)
    assert not [c for c in app.get("plotly_chart") if "heatmap" in c.proto.spec]


def test_bad_axis_settings_show_a_message_not_a_traceback():
    app = run_page()
    app.radio(key="x.x0.quartic.scale").set_value("log").run()
    assert not app.exception
    assert any("log" in e.value for e in app.error)
    app.radio(key="x.x0.quartic.scale").set_value("linear").run()
    app.selectbox(key="y_axis.1d").set_value("beta").run()
    app.number_input(key="y.beta.high").set_value(1.5).run()
    assert not app.exception
    assert any("beta" in e.value for e in app.error)


def test_a_typed_formula_is_swept_and_its_cells_open_with_it():
    app = run_page()
    app.selectbox(key="sweep_loss").set_value("custom").run()
    app.text_input(key="sweep_expression").input("x**4 - 2x").run()
    assert not app.exception
    assert any("implicit multiplication" in e.value for e in app.error)
    assert not [c for c in app.get("plotly_chart") if "heatmap" in c.proto.spec]

    app.text_input(key="sweep_expression").input("x**4 - 2*x**2 + x").run()
    app.number_input(key="x_count").set_value(20).run()
    app.number_input(key="y_count").set_value(10).run()
    assert not app.exception and not app.error
    assert [t for t in sweep_spec(app)["data"] if t["type"] == "heatmap"]
    link = app.dataframe[0].value["run"].iloc[0]
    config, messages = from_query_params(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query)))
    assert messages == []
    assert config.loss == LossChoice("custom", "x**4 - 2*x**2 + x", (-3.0, 3.0))


def test_a_loss_with_hundreds_of_minima_keeps_every_category_apart():
    loss = losses.parse("sin(40*x) + x**2/10", domain=((-12.0, 12.0),))
    # The formula's minima on a fine grid, found here rather than by the loss's own finder.
    x = np.linspace(-12.0, 12.0, 2_400_001)
    f = np.sin(40 * x) + x**2 / 10
    lowest = x[np.flatnonzero((f[1:-1] < f[:-2]) & (f[1:-1] < f[2:])) + 1]
    assert len(loss.minima) == len(lowest) > 130
    found = categories(loss)
    assert len(found) == len(lowest) + 3 and len({colour for _, colour in found.values()}) > 8
    assert [found[code][0] for code in (NOT_AT_A_MINIMUM, DIVERGED, 0, len(lowest) - 1)] == [
        "no minimum",
        "diverged",
        f"{lowest[0]:.3g} local",
        f"{lowest[-1]:.3g} local",
    ]
    # More codes than a byte holds: the map's cells travel as two bytes each.
    sweep_map = sweep.sweep(loss, "gd", sweep.Axis("x0", -12.0, 12.0, 40), sweep.Axis("alpha", 1e-4, 1e-3, 2), 20)
    assert sweep_figure(loss, [sweep_map], ["gd"])["data"][0]["z"]["dtype"] == "i2"


def link_config(link: str) -> Config:
    config, messages = from_query_params(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query)))
    assert messages == []
    return config


def test_choosing_himmelblau_draws_basin_maps_whose_cells_open_with_their_start():
    app = run_page()
    app.selectbox(key="sweep_loss").set_value("himmelblau").run()
    assert not app.exception and not app.error
    spec = sweep_spec(app)
    assert [decode(t["z"]).shape for t in spec["data"] if t["type"] == "heatmap"] == [(200, 200)] * 4
    layout = spec["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("start x₀", "start y₀")
    assert len([t for t in spec["data"] if "star" in t.get("marker", {}).get("symbol", [])]) == 4
    # The chosen cell is the middle one; each row opens its run in the Playground, which ends as the table says.
    middle = sweep.Axis("x0", -5.0, 5.0, 200).values[100]
    table = app.dataframe[0].value
    for link, final_loss in zip(table["run"], table["final loss"], strict=True):
        config = link_config(link)
        (run,) = config.runs
        assert config.loss.id == "himmelblau" and run.x0 == (middle, middle)
        trajectory = optimisers.simulate(HIMMELBLAU, run.create_optimiser(), np.array(run.x0), config.steps)
        assert float(final_loss) == pytest.approx(float(trajectory.final_loss), rel=1e-5)

    # α up the side: y₀ is no longer an axis, and its own box sets it.
    app.selectbox(key="y_axis.2d").set_value("alpha").run()
    app.number_input(key="start.y0.himmelblau").set_value(2.5).run()
    assert not app.exception and not app.error
    assert sweep_spec(app)["layout"]["yaxis"]["type"] == "log"
    assert {link_config(link).runs[0].x0 for link in app.dataframe[0].value["run"]} == {(middle, 2.5)}


def test_switching_between_losses_of_one_and_two_variables_raises_nothing():
    app = run_page()
    app.number_input(key="x_count").set_value(30).run()
    app.number_input(key="y_count").set_value(20).run()
    app.selectbox(key="sweep_loss").set_value("himmelblau").run()
    app.selectbox(key="x_axis.2d").set_value("y0").run()
    assert not app.exception and any("must differ" in e.value for e in app.error)
    app.selectbox(key="y_axis.2d").set_value("x0").run()
    assert not app.exception and not app.error
    assert sweep_spec(app)["layout"]["xaxis"]["title"]["text"] == "start y₀"

    app.selectbox(key="sweep_loss").set_value("quartic").run()
    assert not app.exception and not app.error
    assert "start y₀" not in app.selectbox(key="y_axis.1d").options
    layout = sweep_spec(app)["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["type"]) == ("start x₀", "log")
    assert any("x = " in c.value for c in app.caption)

    app.selectbox(key="sweep_loss").set_value("rastrigin").run()
    assert not app.exception and not app.error
    layout = sweep_spec(app)["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("start x₀", "start y₀")
    assert any("(x, y) = " in c.value for c in app.caption)


def test_the_ravines_settings_reach_its_maps_and_links():
    app = run_page()
    app.number_input(key="x_count").set_value(20).run()
    app.number_input(key="y_count").set_value(20).run()
    app.selectbox(key="sweep_loss").set_value("ravine").run()
    app.radio(key="map_kind").set_value("final_loss").run()
    before = decode(sweep_spec(app)["data"][0]["z"])
    app.number_input(key="sweep_loss.condition").set_value(200.0).run()
    assert not app.exception and not app.error
    after = decode(sweep_spec(app)["data"][0]["z"])
    assert not np.array_equal(before, after, equal_nan=True)  # not one cache entry for two ravines
    config = link_config(app.dataframe[0].value["run"].iloc[0])
    assert dict(config.loss.settings) == {"condition": 200.0, "angle": losses.parameters("ravine")[1].default}


def default_alpha(optimiser_id: str) -> float:
    return next(h.default for h in optimisers.REGISTRY[optimiser_id].hyperparameters if h.name == "alpha")


def test_when_alpha_is_not_an_axis_each_optimiser_has_its_own_rate_and_its_cells_keep_it():
    app = run_page()
    app.number_input(key="x_count").set_value(20).run()
    app.number_input(key="y_count").set_value(20).run()
    app.selectbox(key="sweep_loss").set_value("himmelblau").run()
    assert app.number_input(key="sweep_alpha.adam").value == default_alpha("adam")

    def adam_map() -> np.ndarray:
        heatmaps = [t for t in sweep_spec(app)["data"] if t["type"] == "heatmap"]
        return decode(heatmaps[3]["z"])

    slow = adam_map()
    app.number_input(key="sweep_alpha.adam").set_value(0.05).run()
    assert not app.exception and not app.error
    assert not np.array_equal(adam_map(), slow)
    alphas = [link_config(link).runs[0].hyperparameters["alpha"] for link in app.dataframe[0].value["run"]]
    assert alphas == [default_alpha("gd"), default_alpha("adagrad"), default_alpha("rmsprop"), 0.05]


@pytest.mark.parametrize("optimiser_id", list(optimisers.REGISTRY)[12:])
def test_a_cell_of_each_new_optimiser_opens_the_same_run_in_the_playground(optimiser_id):
    sweep_map = sweep.sweep(QUARTIC, optimiser_id, START_AXIS, ALPHA_AXIS, 40)
    chosen, x0 = sweep.cell_run(QUARTIC, sweep_map, 2, 5, {})
    link = urllib.parse.urlencode(to_query_params(Config(runs=(new_run(optimiser_id, x0, 0, **chosen),), steps=40)))
    config, messages = from_query_params(dict(urllib.parse.parse_qsl(link)))
    assert messages == [] and config.runs[0].optimiser == optimiser_id
    run = config.runs[0]
    trajectory = optimisers.simulate(QUARTIC, run.create_optimiser(), np.array(run.x0), config.steps)
    assert float(trajectory.final_loss) == sweep_map.final_loss[2, 5]


def test_the_newer_optimisers_are_swept_on_the_page_and_their_cells_open_with_their_ids():
    app = run_page()
    chosen = ["lion", "schedulefree_adamw", "prodigy", "rprop"]
    app.multiselect(key="sweep_optimisers").set_value(chosen).run()
    assert not app.exception and not app.error
    spec = sweep_spec(app)
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == [f"<b>{optimisers.REGISTRY[id].name}</b>" for id in chosen]
    links = list(app.dataframe[0].value["run"])
    assert [dict(urllib.parse.parse_qsl(link[2:]))["r1"] for link in links] == chosen


def test_the_losses_fitted_to_data_are_not_offered_for_a_grid_of_runs():
    options = run_page().selectbox(key="sweep_loss").options
    assert "Himmelblau" in options and "Old Faithful line" not in options and "Iris logistic regression" not in options


def test_a_noisy_sweep_runs_its_seeds_at_once_and_judges_them_all():
    noisy = losses.noisy(HIMMELBLAU, 4.0, seed=2)
    x, y = sweep.Axis("x0", -5.0, 5.0, 12), sweep.Axis("y0", -5.0, 5.0, 10)
    settings = {"alpha": 0.01}
    seeds = sweep.sweep(noisy, "gd", x, y, 60, settings, seeds=6)
    alone = sweep.sweep(noisy, "gd", x, y, 60, settings)
    assert seeds.seed_ended_in.shape == (6, 10, 12) and alone.seed_ended_in is None
    np.testing.assert_array_equal(seeds.ended_in, alone.ended_in)  # the map is the first seed's
    np.testing.assert_array_equal(seeds.seed_ended_in[0], alone.ended_in)
    assert (seeds.seed_ended_in[1:] != seeds.seed_ended_in[:1]).any()  # the other seeds end elsewhere here and there
    verdict = sweep.verdict(HIMMELBLAU, seeds)
    global_indices = [i for i, m in enumerate(HIMMELBLAU.minima) if m.is_global]
    per_seed = np.isin(seeds.seed_ended_in, global_indices).mean(axis=(1, 2))
    assert verdict.global_share == pytest.approx(per_seed.mean())
    assert verdict.global_range == pytest.approx(tuple(np.percentile(per_seed, [10, 90])))
    assert sweep.verdict(HIMMELBLAU, alone).global_range is None
    with pytest.raises(ValueError, match="1 to 10 seeds"):
        sweep.sweep(noisy, "gd", x, y, 60, settings, seeds=11)


def test_the_sweep_page_takes_noise_and_gives_the_verdict_over_seeds():
    app = run_page()
    app.number_input(key="x_count").set_value(20).run()
    app.number_input(key="y_count").set_value(20).run()
    app.number_input(key="sweep_noise").set_value(0.5).run()
    assert not app.exception
    verdicts = app.dataframe[-1].value.to_dict("records")
    assert all("global minimum, 10–90 % over seeds" in row for row in verdicts)
    assert all(row["global minimum, 10–90 % over seeds"].endswith("%") for row in verdicts)


def test_a_run_that_leaves_the_domain_of_f_has_its_own_code_and_counts_as_stopped():
    loss = losses.parse("sqrt(x)", domain=((-3.0, 3.0),))
    starts, alphas = sweep.Axis("x0", 0.5, 3.0, 6), sweep.Axis("alpha", 0.1, 4.0, 5)
    sweep_map = sweep.sweep(loss, "gd", starts, alphas, 1)
    # One plain step x − α/(2√x) written out here: below zero, √ is undefined there.
    below_zero = starts.values[None, :] - alphas.values[:, None] / (2 * np.sqrt(starts.values[None, :])) < 0
    assert below_zero.any() and not below_zero.all()
    np.testing.assert_array_equal(sweep_map.ended_in == LEFT_DOMAIN, below_zero)
    assert not (sweep_map.ended_in == DIVERGED).any()
    assert sweep.verdict(loss, sweep_map).diverged_share == pytest.approx(below_zero.mean())
    assert np.isnan(sweep_map.final_loss[below_zero]).all()
