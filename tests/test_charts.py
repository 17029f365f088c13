"""charts: the animation's traces, frames and controls, edge markers and statuses, the side-by-side
panels, the internals figure, the Playground's combined figure, and strict JSON everywhere."""

from __future__ import annotations

import base64
import itertools
import json
import re
import zlib

import numpy as np
import pytest
import sympy as sp
from conftest import assert_no_nan_shown, at_point, distance_to_line, run_traces, shown

import charts
import losses
import optimisers
from charts.animation import CURVE_SAMPLES, NO_LABEL, PLOT_WIDTH
from charts.compose import CHECKPOINT, STRIDE
from charts.contour import MAP_HEIGHT
from charts.paths import PATH_TOLERANCE_PX, drawing_points, map_panel
from charts.player import player_data
from losses import Loss

QUARTIC = losses.get("quartic")
STEPS = 8


def run(label, id, x0, steps=STEPS, colour="#f5c518", loss=QUARTIC, **settings) -> charts.RunTrace:
    """A run from x0, a number for a loss of one variable or a point for one of more."""
    trajectory = optimisers.simulate(loss, optimisers.create(id, **settings), np.reshape(x0, loss.dim), steps)
    return charts.RunTrace(label, colour, trajectory)


def rmsprop(steps=STEPS) -> charts.RunTrace:
    return run("RMSProp", "rmsprop", 0.1, steps, alpha=0.1, beta=0.9)


def adam(steps=STEPS) -> charts.RunTrace:
    return run("Adam", "adam", 0.1, steps, colour="#ff7f0e", alpha=0.1)


def escaping() -> charts.RunTrace:
    """The article's orange run of scene 1: out of the default view at step 3, diverged at step 5."""
    return run("Escapes", "gd", 0.1, colour="#d62728", alpha=0.8)


def curve_traces(figure: dict) -> list[int]:
    return [i for i, trace in enumerate(figure["data"]) if trace.get("name") == "f(x)"]


def strict_json(figure: dict) -> str:
    text = json.dumps(figure, allow_nan=False)
    assert not re.search(r"\bnan\b|\binf(inity)?\b", text, re.IGNORECASE)
    return text


# --- the animation: traces and frames -----------------------------------------------------------------------


def test_the_curve_is_drawn_once_and_never_in_a_frame():
    figure = charts.animation_figure(QUARTIC, [rmsprop(), adam()])
    (curve,) = curve_traces(figure)
    trace = figure["data"][curve]
    view = charts.default_view(QUARTIC)
    xs = trace["x0"] + trace["dx"] * np.arange(len(trace["y"]))
    assert len(trace["y"]) == CURVE_SAMPLES
    assert xs[0] == pytest.approx(view.x_range[0]) and xs[-1] == pytest.approx(view.x_range[1])
    span = view.y_range[1] - view.y_range[0]
    np.testing.assert_allclose(trace["y"], QUARTIC.f(xs[:, None]), atol=1e-4 * span)
    for frame in figure["frames"]:
        assert curve not in frame["traces"]
        assert all("type" not in data and "line" not in data for data in frame["data"])


def test_each_run_has_one_trace_and_a_frame_per_step():
    runs = [rmsprop(), adam(), escaping()]
    figure = charts.animation_figure(QUARTIC, runs)
    traces = [figure["data"][i] for i in run_traces(figure)]
    assert [trace["name"].split(" — ")[0] for trace in traces] == [r.label for r in runs]
    assert all(trace["mode"] == "lines+markers" and len(trace["x"]) == 6 for trace in traces)  # 5 earlier + 1
    assert [frame["name"] for frame in figure["frames"]] == [str(k) for k in range(STEPS + 1)]
    still = charts.animation_figure(QUARTIC, runs, trail=0)
    assert all(still["data"][i]["mode"] == "markers" and len(still["data"][i]["x"]) == 1 for i in run_traces(still))


def test_in_frame_k_the_point_is_the_trajectory_at_step_k_over_its_fading_trail():
    runs = [rmsprop(60), adam(60)]
    figure = charts.animation_figure(QUARTIC, runs, trail=3)
    for i, r in zip(run_traces(figure), runs, strict=True):
        trace = figure["data"][i]
        assert trace["hoverinfo"] == ["all"] + ["none"] * 3  # only the point tells its values
        assert "x = %{x:.4g}" in trace["hovertemplate"][0] and trace["hovertemplate"][1:] == [NO_LABEL] * 3
        point_colour, *trail_colours = trace["marker"]["color"]
        opacities = [float(colour.split(",")[-1].rstrip(")")) for colour in trail_colours]
        assert point_colour == r.colour and opacities == sorted(opacities, reverse=True) and opacities[0] < 1
        assert trace["marker"]["size"][0] > trace["marker"]["size"][1]
    for k in range(61):
        state = shown(figure, k)
        for i, r in zip(run_traces(figure), runs, strict=True):
            x, loss = r.trajectory.x[:, 0], r.trajectory.loss
            assert state[i]["x"][0] == pytest.approx(x[k], rel=5e-4)
            assert state[i]["y"][0] == pytest.approx(loss[k], rel=5e-4)
            earlier = [max(k - back, 0) for back in (1, 2, 3)]
            np.testing.assert_allclose(state[i]["x"][1:], x[earlier], atol=1e-3)
            np.testing.assert_allclose(state[i]["y"][1:], loss[earlier], atol=1e-2)


def test_frames_list_only_the_traces_that_moved():
    # Plain gd with α = 0.1 from 0.1 settles in the global minimum within 12 steps; a slow Adam
    # from 2.0 moves about 0.01 a step all the way.
    settling, moving = run("Settles", "gd", 0.1, 60, alpha=0.1), run("Slow", "adam", 2.0, 60, alpha=0.01)
    figure = charts.animation_figure(QUARTIC, [settling, moving], trail=2)
    for k in range(1, 61):
        frame = figure["frames"][k]
        if "baseframe" in frame:
            state, base = shown(figure, k), shown(figure, int(frame["baseframe"]))
            assert set(frame["traces"]) == {i for i in state if state[i] != base[i]}
        else:
            assert frame["traces"] == run_traces(figure)  # a checkpoint, or a frame in which everything changed
    settled_listed = [k for k in range(30, 50) if run_traces(figure)[0] in figure["frames"][k]["traces"]]
    assert settled_listed == [], "a settled run is listed only at a checkpoint"
    assert all(run_traces(figure)[1] in figure["frames"][k]["traces"] for k in range(1, 61))
    # Where everything changes, a frame is whole: naming a base frame would only add to it.
    inside = [run("Right", "adam", 1.5, 60, alpha=0.01), run("Left", "adam", -1.8, 60, alpha=0.005)]
    both_moving = charts.animation_figure(QUARTIC, inside)
    assert not any("baseframe" in frame for frame in both_moving["frames"])
    for k in (1, 37, 60):
        assert both_moving["frames"][k]["traces"] == run_traces(both_moving)


def test_a_run_that_stops_moving_is_listed_only_at_every_stride_th_frame():
    # Escapes diverges at step 5 and holds its last point from then on; the slow Adam moves all the way.
    escapes = run("Escapes", "gd", 0.1, 60, colour="#d62728", alpha=0.8)
    figure = charts.animation_figure(QUARTIC, [escapes, run("Slow", "adam", 1.5, 60, alpha=0.01)])
    held, moving = run_traces(figure)
    # Listed until its trail of 5 has closed up on it, then only at every STRIDE-th frame.
    listed = [k for k in range(1, CHECKPOINT) if held in figure["frames"][k]["traces"]]
    assert STRIDE == 5 and listed == [*range(1, 11), 15, 20]
    assert all(moving in figure["frames"][k]["traces"] for k in range(1, 61))
    # Still shown at every frame: each frame merged with its base, and that with its own.
    stopped = shown(figure, 10)[held]
    assert all(shown(figure, k)[held] == stopped for k in range(11, 61))


def test_frames_carry_only_what_moves():
    figure = charts.animation_figure(QUARTIC, [rmsprop(), escaping()])
    for frame in figure["frames"]:
        for data in frame["data"]:
            assert set(data) <= {"x", "y", "marker", "hovertemplate"}
            assert set(data.get("marker", {})) <= {"symbol"}


@pytest.mark.parametrize("step", [0, 3, STEPS])
def test_the_figure_is_drawn_at_step(step):
    r = rmsprop()
    figure = charts.animation_figure(QUARTIC, [r], step=step)
    (point,) = run_traces(figure)
    assert at_point(figure, point, figure["data"][point]["x"]) == pytest.approx(r.trajectory.x[step, 0], rel=5e-4)


def test_every_frame_names_a_trace_of_each_subplot_that_does_not_move():
    # Plotly, playing frames without a redraw, clears every subplot that a frame names no trace of.
    figure = charts.playground_figure(QUARTIC, [rmsprop(), adam()])
    subplots = {(trace.get("xaxis", "x"), trace.get("yaxis", "y")) for trace in figure["data"]}
    for frame in figure["frames"]:
        named = {(figure["data"][i].get("xaxis", "x"), figure["data"][i].get("yaxis", "y")) for i in frame["traces"]}
        assert named == subplots, frame["name"]


def test_the_player_is_given_the_figure_and_its_pace():
    figure = charts.animation_figure(QUARTIC, [rmsprop()])
    assert player_data(figure, frame_ms=250, clickable=True) == {
        "figure": figure,
        "frameMs": 250,
        "clickable": True,
        "explanations": [],
    }
    with pytest.raises(ValueError, match="frames"):
        player_data(charts.preview_figure(QUARTIC), frame_ms=250)


def test_the_axes_are_fixed_to_the_view():
    view = charts.default_view(QUARTIC)
    assert view.x_range == pytest.approx((-2.75, 2.75))
    assert view.y_range == pytest.approx((-2.43, 5.83), abs=0.01)  # the article's plots: y from −2 to 5
    figure = charts.animation_figure(QUARTIC, [escaping()])
    for axis, view_range in (("xaxis", view.x_range), ("yaxis", view.y_range)):
        assert figure["layout"][axis]["autorange"] is False
        assert figure["layout"][axis]["range"] == list(view_range)
    custom = charts.View((-3.0, 3.0), (-2.0, 5.0))  # the article's axes
    figure = charts.animation_figure(QUARTIC, [escaping()], view=custom)
    assert figure["layout"]["yaxis"]["range"] == [-2.0, 5.0]


@pytest.mark.parametrize("loss_id", ["quartic", "wavy", "narrow_well", "wall", "ripples"])
def test_the_default_view_fills_with_the_wells_and_lets_the_steep_sides_leave(loss_id):
    loss = losses.get(loss_id)
    bottom, top = charts.default_view(loss).y_range
    values = loss.f(np.linspace(*loss.domain[0], 4001)[:, None])
    rising = np.diff(values) > 0
    local_maxima = values[1:-1][rising[:-1] & ~rising[1:]]
    assert bottom < values.min() and all(bottom < minimum.value < top for minimum in loss.minima)
    assert top > local_maxima.max(initial=-np.inf)
    if loss_id != "ripples":  # its highest values are local maxima
        assert top < values.max()


def test_a_curve_flat_over_most_of_its_domain_still_gets_its_top_in_view():
    x = sp.Symbol("x", real=True)
    hinge = Loss("hinge", "hinge", sp.Piecewise((0, x < 2), ((x - 2) ** 2, True)), (x,), ((-3.0, 3.0),), "")
    bottom, top = charts.default_view(hinge).y_range
    assert bottom < 0 and top > 1


# --- leaving the view, diverging -------------------------------------------------------------------------------


def test_a_run_that_leaves_the_view_is_drawn_on_its_edge_and_says_when():
    r = escaping()
    assert int(r.trajectory.diverged_at) == 5
    view = charts.default_view(QUARTIC)
    figure = charts.animation_figure(QUARTIC, [rmsprop(), r])
    calm, point = run_traces(figure)

    def point_at(k: int) -> dict:
        state = shown(figure, k)[point]
        state |= {"symbol": state.pop("marker")["symbol"]}
        return {key: at_point(figure, point, values) for key, values in state.items()}

    before, above, beyond, held = (point_at(k) for k in (1, 2, 3, 7))
    assert before["symbol"] == "circle"
    assert "left the view" not in before["hovertemplate"]
    # Step 2 is at x ≈ −2.23, f ≈ 12.5: above the top edge (the article's "leaves the plot at step 2").
    assert above["x"] == pytest.approx(r.trajectory.x[2, 0], rel=5e-4)
    assert above["y"] == view.y_range[1]  # not rounded past it: Plotly would hide the point
    assert above["symbol"] == "triangle-up" and "left the view at step 2" in above["hovertemplate"]
    # Step 3 is at x ≈ 25.3, f ≈ 4e5: beyond the right and the top edges.
    assert beyond["x"] == view.x_range[1] and beyond["y"] == view.y_range[1]
    assert beyond["symbol"] == "triangle-ne"
    assert "left the view at step 2" in beyond["hovertemplate"] and "25.2935" in beyond["hovertemplate"]
    # From step 5 it holds its last finite point (x ≈ −51676), beyond the left and the top edges.
    np.testing.assert_allclose(r.trajectory.x[5:, 0], r.trajectory.x[4, 0])
    assert held["x"] == pytest.approx(view.x_range[0]) and held["symbol"] == "triangle-nw"
    assert "diverged at step 5" in held["hovertemplate"]
    assert charts.run_status(r, view) == "diverged at step 5"
    assert figure["data"][point]["name"] == "Escapes — diverged at step 5"
    assert at_point(figure, calm, figure["data"][calm]["marker"]["symbol"]) == "circle"
    assert "marker" not in shown(figure, 7)[calm]
    # The trail leaves out the steps outside the view: nothing is drawn over the margins.
    trail = shown(figure, 4)[point]
    assert trail["x"][1:3] == trail["y"][1:3] == [None, None]  # steps 3 and 2
    assert trail["x"][3:] == [pytest.approx(x, abs=1e-3) for x in r.trajectory.x[[1, 0, 0], 0]]  # steps 1, 0, 0


def test_left_the_view_names_the_step_it_left_for_good():
    r = rmsprop()  # from 0.1 down to the global minimum at −1.107
    narrow = charts.View((-0.6, 0.6), (-3.0, 3.0))
    assert r.trajectory.x[2, 0] > -0.6 > r.trajectory.x[3, 0]
    assert charts.run_status(r, narrow) == "left the view at step 3"
    figure = charts.animation_figure(QUARTIC, [r], view=narrow)
    (point,) = run_traces(figure)
    assert at_point(figure, point, shown(figure, STEPS)[point]["marker"]["symbol"]) == "triangle-left"
    assert at_point(figure, point, shown(figure, STEPS)[point]["x"]) == -0.6
    assert charts.run_status(r, charts.default_view(QUARTIC)) is None


def test_a_run_diverged_at_its_start_has_a_status_and_no_nan():
    r = run("Far", "gd", 2e6, alpha=0.1)  # beyond the bound of 1e6: diverged at step 0
    assert charts.run_status(r, charts.default_view(QUARTIC)) == "diverged at step 0"
    strict_json(charts.animation_figure(QUARTIC, [r], layout="side_by_side"))
    strict_json(charts.internals_figure([r], step=0, log_loss=True))


def log_plus_x() -> Loss:
    """log(x) + x: not defined below 0, so its curve has gaps and gd steps across 0 into NaN."""
    x = sp.Symbol("x", real=True)
    return Loss("log", "log", sp.log(x) + x, (x,), ((-1.0, 3.0),), "not defined below 0")


def test_a_run_that_leaves_the_domain_inside_the_view_is_marked_where_it_stopped():
    loss = log_plus_x()
    r = run("Log", "gd", 1.0, loss=loss, alpha=0.1)  # 1, 0.8, 0.575, 0.301, then a step to x < 0
    assert int(r.trajectory.diverged_at) == 4
    figure = charts.animation_figure(loss, [r])
    (point,) = run_traces(figure)
    assert at_point(figure, point, shown(figure, 3)[point]["marker"]["symbol"]) == "circle"
    stopped = shown(figure, STEPS)[point]
    assert at_point(figure, point, stopped["marker"]["symbol"]) == "x"
    assert "left the domain of f at step 4" in at_point(figure, point, stopped["hovertemplate"])
    assert at_point(figure, point, stopped["x"]) == pytest.approx(r.trajectory.x[3, 0], rel=5e-4)


def test_every_figure_is_strict_json_even_with_gaps():
    loss = log_plus_x()
    curve = charts.animation_figure(loss, [run("Log", "gd", 1.0, loss=loss, alpha=0.1)])
    assert None in curve["data"][curve_traces(curve)[0]]["y"]
    strict_json(curve)
    runs = [rmsprop(), adam(), escaping()]
    for layout in ("overlay", "side_by_side"):
        strict_json(charts.animation_figure(QUARTIC, runs, layout=layout, step=6))
    for log_loss in (False, True):
        strict_json(charts.internals_figure(runs, step=4, log_loss=log_loss))


# --- side by side ----------------------------------------------------------------------------------------------


def test_side_by_side_gives_each_run_a_panel_on_the_same_ranges():
    runs = [rmsprop(), adam(), escaping(), run("Yellow", "gd", 0.3, alpha=0.5)]
    view = charts.default_view(QUARTIC)
    figure = charts.animation_figure(QUARTIC, runs, layout="side_by_side", step=2)
    layout = figure["layout"]
    suffixes = ["", "2", "3", "4"]
    for suffix in suffixes:
        assert layout[f"xaxis{suffix}"]["range"] == list(view.x_range)
        assert layout[f"yaxis{suffix}"]["range"] == list(view.y_range)
        assert layout[f"xaxis{suffix}"]["autorange"] is layout[f"yaxis{suffix}"]["autorange"] is False
    assert "xaxis5" not in layout
    curves = curve_traces(figure)
    assert [figure["data"][i]["xaxis"] for i in curves] == ["x", "x2", "x3", "x4"]
    assert [figure["data"][i]["xaxis"] for i in run_traces(figure)] == ["x", "x2", "x3", "x4"]
    assert [figure["data"][i]["yaxis"] for i in run_traces(figure)] == ["y", "y2", "y3", "y4"]
    assert set(figure["frames"][0]["traces"]) == set(run_traces(figure))
    assert not any(set(curves) & set(frame["traces"]) for frame in figure["frames"])
    titles = [a["text"] for a in layout["annotations"]]
    assert len(titles) == 4 and "diverged at step 5" in titles[2]


# --- internals -------------------------------------------------------------------------------------------------


def rows(figure: dict) -> list[str]:
    """The internals rows' y axes, top to bottom (the step line's axis is not drawn)."""
    axes = [key for key, axis in figure["layout"].items() if key.startswith("yaxis") and axis.get("visible", True)]
    return sorted(axes, key=lambda key: -figure["layout"][key]["domain"][1])


def row_ids(figure: dict) -> list[str]:
    """The rows' y axes as traces name them ("y2", …), top to bottom."""
    return [row.replace("yaxis", "y") for row in rows(figure)]


def step_line(figure: dict) -> int:
    (line,) = [i for i, trace in enumerate(figure["data"]) if trace["name"] == "step"]
    return line


def series_by_row(figure: dict) -> dict[str, list[dict]]:
    """The internals' plotted traces (not the step line) of each row, by y axis."""
    by_row: dict[str, list[dict]] = {}
    for trace in figure["data"]:
        if trace["name"] != "step" and "x0" in trace and trace["dx"] == 1:
            by_row.setdefault(trace["yaxis"], []).append(trace)
    return by_row


def segment_on_the_page(figure: dict, line: dict, i: int) -> list[float]:
    """The paper y span of the step line's segment `i` (its segments are y pairs split by None)."""
    bottom, top = line["y"][3 * i : 3 * i + 2]
    low, high = figure["layout"][line["yaxis"].replace("y", "yaxis")]["domain"]
    return [low + bottom * (high - low), low + top * (high - low)]


def row_range(figure: dict, yaxis: str) -> list[float]:
    """A row's y range in data units."""
    axis = figure["layout"][yaxis.replace("y", "yaxis")]
    return [10**end for end in axis["range"]] if axis["type"] == "log" else axis["range"]


def test_internals_marks_the_step_in_every_row_and_names_the_accumulators():
    figure = charts.internals_figure([rmsprop(), adam()], step=5)
    # loss, x, lr, |Δx|, then v (both) with v̂ (Adam), m with m̂ (Adam)
    assert len(rows(figure)) == 6
    line = figure["data"][step_line(figure)]
    assert line["x0"] == 5 and line["mode"] == "lines"
    assert 0 < line["dx"] < 1e-6  # upright: Plotly reads a dx of 0 as 1
    np.testing.assert_allclose(
        [segment_on_the_page(figure, line, i) for i in range(6)],
        [figure["layout"][row]["domain"] for row in rows(figure)],
        atol=1e-4,
    )
    line_x = line["xaxis"].replace("x", "xaxis")
    assert figure["layout"][line_x]["range"] == [0, rmsprop().trajectory.steps]
    assert {figure["layout"][row.replace("y", "x")]["matches"] for row in rows(figure)} == {line["xaxis"]}
    names = {trace["name"] for trace in figure["data"]}
    assert {"v (RMSProp)", "v (Adam)", "m (Adam)", "m̂ (Adam)", "v̂ (Adam)"} <= names
    _, _, lr_row, _, v_row, m_row = row_ids(figure)
    by_row = {yaxis: {trace["name"]: trace for trace in traces} for yaxis, traces in series_by_row(figure).items()}
    assert set(by_row[v_row]) == {"v (RMSProp)", "v (Adam)", "v̂ (Adam)"}
    assert set(by_row[m_row]) == {"m (Adam)", "m̂ (Adam)"}
    assert by_row[m_row]["m̂ (Adam)"]["line"]["dash"] == "dash" and "dash" not in by_row[m_row]["m (Adam)"]["line"]
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles[4:] == [
        "<b>accumulator v and v̂ (bias-corrected, dashed)</b>",
        "<b>accumulator m and m̂ (bias-corrected, dashed)</b>",
    ]
    learning_rates = series_by_row(figure)[lr_row]
    assert all(t["x0"] == 1 for t in learning_rates) and figure["layout"][rows(figure)[2]]["type"] == "log"
    # To the 4 significant digits that hover shows.
    np.testing.assert_allclose(learning_rates[0]["y"], rmsprop().trajectory.lr[:, 0], rtol=5e-4)
    assert learning_rates[0]["hovertemplate"] == "%{y:.4g}"


def test_internals_rows_hold_all_their_values():
    figure = charts.internals_figure([rmsprop(), adam(), escaping()], step=0)
    for yaxis, traces in series_by_row(figure).items():
        low, high = row_range(figure, yaxis)
        values = [v for trace in traces for v in trace["y"] if v is not None]
        assert low < min(values) <= max(values) < high
        assert figure["layout"][yaxis.replace("y", "yaxis")]["autorange"] is False


def test_internals_end_where_a_run_diverged():
    r = escaping()
    assert np.isnan(r.trajectory.lr[4:]).all()  # steps 5.. have no learning rate
    figure = charts.internals_figure([r], step=3)
    by_row = {yaxis: traces[0]["y"] for yaxis, traces in series_by_row(figure).items()}
    loss_row, x_row, lr_row, step_row = row_ids(figure)
    # Steps 0..4 (lr and |Δx| from step 1); the held point after the divergence is not drawn.
    assert by_row[loss_row] == pytest.approx(r.trajectory.loss[:5].tolist(), rel=5e-4)
    assert by_row[x_row] == pytest.approx(r.trajectory.x[:5, 0].tolist(), rel=5e-4)
    assert by_row[lr_row] == [0.8] * 4 and len(by_row[step_row]) == 4
    # An accumulator's row too: momentum's b from step 1 to 4, not its NaNs after.
    heavy = run("Heavy", "momentum", 0.1, alpha=0.8)
    assert int(heavy.trajectory.diverged_at) == 5 and np.isnan(heavy.trajectory.state["b"][4:]).all()
    rows_of_heavy = charts.internals_figure([heavy], step=3)
    (accumulator,) = series_by_row(rows_of_heavy)[row_ids(rows_of_heavy)[-1]]
    assert accumulator["y"] == pytest.approx(heavy.trajectory.state["b"][:4, 0].tolist(), rel=5e-4)


def test_internals_keep_the_x_and_loss_rows_to_the_view_when_a_run_flies_off():
    view = charts.default_view(QUARTIC)
    calm, flying = rmsprop(), escaping()  # flying reaches x ≈ −51676 at step 4
    figure = charts.internals_figure([calm, flying], step=0, view=view)
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    loss_row, x_row, *_ = rows(figure)
    for yaxis, view_range, title in ((loss_row, view.y_range, titles[0]), (x_row, view.x_range, titles[1])):
        assert figure["layout"][yaxis]["range"] == list(view_range)
        assert figure["layout"][yaxis]["autorange"] is False
        assert "clipped" in title
    assert not any("clipped" in title for title in titles[2:])

    alone = charts.internals_figure([calm], step=0, view=view)
    assert not any("clipped" in a["text"] for a in alone["layout"]["annotations"])
    low, high = alone["layout"][rows(alone)[1]]["range"]  # x: the run's own values, not the view
    xs = calm.trajectory.x[:, 0]
    assert view.x_range[0] < low < xs.min() and xs.max() < high < view.x_range[1]
    on_log = charts.internals_figure([calm, flying], step=0, view=view, log_loss=True)
    assert "clipped" not in on_log["layout"]["annotations"][0]["text"]


def test_internals_log_loss_shows_the_gap_to_the_lowest_loss_when_losses_go_negative():
    figure = charts.internals_figure([rmsprop(), adam()], step=0, log_loss=True)
    loss_row = rows(figure)[0]
    assert figure["layout"][loss_row]["type"] == "log"
    title = figure["layout"]["annotations"][0]["text"]
    assert "lowest" in title and "log" in title
    values = [v for trace in series_by_row(figure)[row_ids(figure)[0]] for v in trace["y"] if v is not None]
    assert min(values) > 0
    lowest = min(rmsprop().trajectory.loss.min(), adam().trajectory.loss.min())
    np.testing.assert_allclose(figure["data"][0]["y"][3], rmsprop().trajectory.loss[3] - lowest, rtol=5e-4)

    square = losses.get("square")
    positive = charts.internals_figure([run("Square", "gd", 1.0, loss=square, alpha=0.1)], step=0, log_loss=True)
    assert "lowest" not in positive["layout"]["annotations"][0]["text"]
    assert positive["data"][0]["y"][0] == 1.0


# --- the Playground's figure: the animation with the internals under it -----------------------------------------


def test_the_playground_figure_without_the_internals_is_the_animation_alone():
    runs = [rmsprop(), adam()]
    figure = charts.playground_figure(QUARTIC, runs, step=3, log_loss=True, internals=False)
    assert figure == charts.animation_figure(QUARTIC, runs, step=3)
    assert figure != charts.playground_figure(QUARTIC, runs, step=3)


@pytest.mark.parametrize("layout", ["overlay", "side_by_side"])
def test_the_playground_figure_stacks_the_animation_over_the_internals_rows(layout):
    runs = [rmsprop(), adam(), escaping()]
    view = charts.default_view(QUARTIC)
    figure = charts.playground_figure(QUARTIC, runs, layout=layout, step=2, log_loss=True)
    animation = charts.animation_figure(QUARTIC, runs, layout=layout, step=2)
    internals = charts.internals_figure(runs, step=2, log_loss=True, view=view)
    panels = 1 if layout == "overlay" else len(runs)
    assert len(curve_traces(figure)) == panels
    # The animation's traces and the internals' rows, exactly as their own figures draw them.
    without_axes = [
        {k: v for k, v in trace.items() if k not in ("xaxis", "yaxis", "showlegend")} for trace in figure["data"]
    ]
    for trace in animation["data"]:
        assert {k: v for k, v in trace.items() if k not in ("xaxis", "yaxis", "showlegend")} in without_axes
    for trace in internals["data"]:
        assert {k: v for k, v in trace.items() if k not in ("xaxis", "yaxis", "showlegend")} in without_axes
    assert len(figure["data"]) == len(animation["data"]) + len(internals["data"])
    assert [a["text"] for a in figure["layout"]["annotations"]][-len(rows(internals)) :] == [
        a["text"] for a in internals["layout"]["annotations"]
    ]
    # The rows on axes numbered after the animation's (the step line's first), every row under the animation,
    # and the step line across each of them.
    rows_in_figure = rows(figure)[panels:]
    assert len(rows_in_figure) == len(rows(internals))
    assert figure["data"][step_line(figure)]["yaxis"] == f"y{panels + 1}" and rows_in_figure[0] == f"yaxis{panels + 2}"
    lowest_panel = min(figure["layout"][f"yaxis{n if n > 1 else ''}"]["domain"][0] for n in range(1, panels + 1))
    for yaxis in rows_in_figure:
        assert figure["layout"][yaxis]["domain"][1] < lowest_panel
    line = figure["data"][step_line(figure)]
    np.testing.assert_allclose(
        [segment_on_the_page(figure, line, i) for i in range(len(rows_in_figure))],
        [figure["layout"][row]["domain"] for row in rows_in_figure],
        atol=1e-4,
    )


def scheduled_run(schedule: optimisers.Schedule, steps: int = 30) -> charts.RunTrace:
    trajectory = optimisers.simulate(QUARTIC, optimisers.create("adam", alpha=0.1), [0.1], steps, schedule=schedule)
    return charts.RunTrace("Adam, cosine", "#1f77b4", trajectory, schedule.factors(steps))


@pytest.mark.parametrize("internals", [False, True])
def test_a_scheduled_run_adds_a_row_of_its_factor_on_top_with_the_step_line_across(internals):
    schedule = optimisers.schedule("cosine", t_max=20, min_factor=0.1)
    runs = [rmsprop(30), scheduled_run(schedule)]
    figure = charts.playground_figure(QUARTIC, runs, step=4, internals=internals)
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    internals_titles = [a["text"] for a in charts.internals_figure(runs, step=4)["layout"]["annotations"]]
    assert titles == internals_titles if internals else titles == internals_titles[:1]
    assert titles[0] == "<b>learning-rate schedule: the factor on α</b>"
    schedule_row = row_ids(figure)[1]  # under the animation's axes
    (series,) = series_by_row(figure)[schedule_row]
    assert series["name"] == "Adam, cosine" and series["x0"] == 1
    np.testing.assert_allclose(series["y"], schedule.factors(30), rtol=5e-4)
    low, high = row_range(figure, schedule_row)
    assert low < 0.1 and high > 1.0
    line = figure["data"][step_line(figure)]
    np.testing.assert_allclose(
        segment_on_the_page(figure, line, 0), figure["layout"][schedule_row.replace("y", "yaxis")]["domain"], atol=1e-4
    )
    assert shown(figure, 17)[step_line(figure)]["x0"] == 17


@pytest.mark.parametrize("layout", ["overlay", "side_by_side"])
def test_every_frame_moves_the_points_and_the_step_line_together(layout):
    runs = [rmsprop(60), adam(60)]
    figure = charts.playground_figure(QUARTIC, runs, layout=layout, step=7)
    line = step_line(figure)
    assert figure["data"][line]["x0"] == 7
    for k in range(61):
        state = shown(figure, k)
        trace = figure["data"][line] | state[line]
        assert trace["x0"] + trace["dx"] * np.arange(len(trace["y"])) == pytest.approx([k] * len(trace["y"]), abs=1e-6)
        for point, r in zip(run_traces(figure), runs, strict=True):
            assert at_point(figure, point, state[point]["x"]) == pytest.approx(r.trajectory.x[k, 0], rel=5e-4)
        if k % CHECKPOINT:
            assert line in figure["frames"][k]["traces"], "a delta frame moves the step line too"


def test_playground_frames_list_only_the_traces_that_moved():
    settling, moving = run("Settles", "gd", 0.1, 60, alpha=0.1), run("Slow", "adam", 2.0, 60, alpha=0.01)
    figure = charts.playground_figure(QUARTIC, [settling, moving], trail=2)
    movers = {step_line(figure), *run_traces(figure)}
    for k, frame in enumerate(figure["frames"]):
        changed = {i for i, data in zip(frame["traces"], frame["data"], strict=True) if data}
        assert changed <= movers
        assert all(set(data) <= {"x", "y", "x0", "marker", "hovertemplate"} for data in frame["data"])
        if "baseframe" in frame:
            state, base = shown(figure, k), shown(figure, int(frame["baseframe"]))
            assert changed == {i for i in state if state[i] != base[i]}
    assert run_traces(figure)[0] not in figure["frames"][40]["traces"]  # settled


def test_the_data_revision_changes_with_the_traces_and_only_with_them():
    """Plotly.react skips comparing data arrays when the datarevision is unchanged: it must follow the data."""
    runs = [rmsprop(), adam()]
    revision = charts.playground_figure(QUARTIC, runs)["layout"]["datarevision"]
    assert charts.playground_figure(QUARTIC, runs)["layout"]["datarevision"] == revision
    assert charts.playground_figure(QUARTIC, runs, log_loss=True)["layout"]["datarevision"] != revision
    assert charts.playground_figure(QUARTIC, [rmsprop(), escaping()])["layout"]["datarevision"] != revision
    assert all(isinstance(trace["y"], list) for trace in charts.internals_figure(runs, step=0)["data"])


@pytest.mark.parametrize("layout", ["overlay", "side_by_side"])
def test_the_playground_figure_is_strict_json(layout):
    for log_loss in (False, True):
        strict_json(
            charts.playground_figure(QUARTIC, [rmsprop(), adam(), escaping()], layout=layout, log_loss=log_loss)
        )
    loss = log_plus_x()
    strict_json(charts.playground_figure(loss, [run("Log", "gd", 1.0, loss=loss, alpha=0.1)], layout=layout))


# --- losses of two variables: the map, the paths and the arrows -------------------------------------------------

HIMMELBLAU = losses.get("himmelblau")


def run_2d(label, id, x0, steps=40, loss=HIMMELBLAU, colour="#f5c518", **settings) -> charts.RunTrace:
    trajectory = optimisers.simulate(loss, optimisers.create(id, **settings), np.array(x0, dtype=float), steps)
    return charts.RunTrace(label, colour, trajectory)


def himmelblau_runs() -> list[charts.RunTrace]:
    return [run_2d("Adam", "adam", (0.5, -4.0), alpha=0.1), run_2d("GD", "gd", (-1.0, 1.0), alpha=0.01)]


def png_pixels(source: str) -> tuple[np.ndarray, np.ndarray]:
    """The palette indices (rows, columns) and the palette (colours, 3) of a data: URL of an 8-bit paletted PNG."""
    data = base64.b64decode(source.removeprefix("data:image/png;base64,"))
    chunks, at = {}, 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8].decode()
        chunks[kind] = chunks.get(kind, b"") + data[at + 8 : at + 8 + length]
        at += 12 + length
    width, height = int.from_bytes(chunks["IHDR"][:4], "big"), int.from_bytes(chunks["IHDR"][4:8], "big")
    assert chunks["IHDR"][8:10] == bytes([8, 3])  # 8 bits, paletted
    rows = np.frombuffer(zlib.decompress(chunks["IDAT"]), dtype=np.uint8).reshape(height, width + 1)
    assert (rows[:, 0] == 0).all()  # no filter
    return rows[:, 1:], np.frombuffer(chunks["PLTE"], dtype=np.uint8).reshape(-1, 3)


def brightness(colour) -> float:
    return float(np.sum(colour))


def test_a_map_is_a_picture_of_the_loss_under_one_path_per_run_on_equal_scales():
    runs = himmelblau_runs()
    figure = charts.animation_figure(HIMMELBLAU, runs)
    layout = figure["layout"]
    (image,) = layout["images"]
    (x_low, x_high), (y_low, y_high) = HIMMELBLAU.domain
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (x_low, y_high, x_high - x_low, y_high - y_low)
    assert layout["xaxis"]["range"] == [x_low, x_high] and layout["yaxis"]["range"] == [y_low, y_high]
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1
    # The picture: darkest at the minima, lighter at the corners, where Himmelblau is highest.
    indices, palette = png_pixels(image["source"])
    rows, columns = indices.shape
    for minimum in HIMMELBLAU.minima:
        column = round((minimum.x[0] - x_low) / (x_high - x_low) * (columns - 1))
        row = round((y_high - minimum.x[1]) / (y_high - y_low) * (rows - 1))  # the first row is the top
        near = indices[row - 2 : row + 3, column - 2 : column + 3]
        assert brightness(palette[near].min(axis=(0, 1))) <= brightness(palette[0]) + 1e-9
    assert brightness(palette[indices[0, 0]]) > brightness(palette[indices[rows // 2, columns // 2]])
    # One faint path per run, passing within a pixel's fraction of every point it visited.
    paths = [trace for trace in figure["data"] if trace["name"].endswith(" path")]
    assert [trace["name"] for trace in paths] == ["Adam path", "GD path"]
    width, height = map_panel(charts.default_view(HIMMELBLAU), (PLOT_WIDTH, MAP_HEIGHT))
    pixels_per_unit = np.array([width / (x_high - x_low), height / (y_high - y_low)])
    for trace, r in zip(paths, runs, strict=True):
        drawn = np.column_stack([trace["x"], trace["y"]]) * pixels_per_unit
        assert distance_to_line(r.trajectory.x * pixels_per_unit, drawn).max() < PATH_TOLERANCE_PX + 0.15
        assert len(trace["x"]) < len(r.trajectory.x) / 2  # the points on a straight stretch are left out
    minima = next(trace for trace in figure["data"] if trace["name"] == "minima")
    saddles = next(trace for trace in figure["data"] if trace["name"] == "saddle points")
    assert minima["marker"]["symbol"] == ["star"] * 4 and len(saddles["x"]) == 4


def test_a_path_is_drawn_through_the_points_that_shape_it():
    straight = np.column_stack([np.linspace(0, 100, 50), np.linspace(0, 50, 50)])
    assert np.flatnonzero(drawing_points(straight)).tolist() == [0, 49]
    zigzag = np.column_stack([np.arange(20.0), np.tile([0.0, 5.0], 10)])
    assert drawing_points(zigzag).all()
    back_and_forth = np.column_stack([[0.0, 10.0, 2.0, 8.0, 4.0], np.zeros(5)])  # turns on one line
    assert drawing_points(back_and_forth).all()
    broken = straight.copy()
    broken[20] = np.nan  # a gap: each side is a line of its own
    assert np.flatnonzero(drawing_points(broken)).tolist() == [0, 19, 20, 21, 49]
    walk = np.cumsum(np.random.default_rng(0).normal(size=(300, 2)), axis=0)
    kept = drawing_points(walk)
    assert kept.sum() < 300 and distance_to_line(walk, walk[kept]).max() <= PATH_TOLERANCE_PX


def test_in_frame_k_the_point_is_x_k_and_the_arrows_are_the_step_and_the_way_down():
    runs = himmelblau_runs()
    figure = charts.animation_figure(HIMMELBLAU, runs)
    names = [trace["name"] for trace in figure["data"]]
    for r in runs:
        point, downhill = names.index(r.label), names.index(f"{r.label} −gradient")
        # The point and its step arrow are one trace: a line from the point to an arrowhead.
        marker = figure["data"][point]["marker"]
        assert marker["symbol"] == ["circle", "circle", "arrow"] and marker["angleref"] == "previous"
        assert figure["data"][point]["hoverinfo"] == ["all", "all", "none"]
        x, gradients = r.trajectory.x, r.trajectory.grad
        for k in range(r.trajectory.steps + 1):
            state = shown(figure, k)
            shown_at = [at_point(figure, point, state[point]["x"]), at_point(figure, point, state[point]["y"])]
            np.testing.assert_allclose(shown_at, x[k], rtol=5e-4, atol=1e-4)
            if k == r.trajectory.steps:
                assert state[point]["x"][-1] is None and state[downhill]["x"] == [None, None]
                continue
            np.testing.assert_allclose([state[point]["x"][-1], state[point]["y"][-1]], x[k + 1], atol=2e-3)
            start, head = np.array([state[downhill]["x"], state[downhill]["y"]]).T
            np.testing.assert_allclose(start, x[k], atol=2e-3)
            direction = (head - start) / np.linalg.norm(head - start)
            assert direction @ (-gradients[k] / np.linalg.norm(gradients[k])) > 0.999


def test_gradient_descent_steps_follow_the_gradient_and_adam_turns_away_from_it_in_a_ravine():
    ravine = losses.get("ravine", condition=100.0, angle=0.0)
    runs = [
        run_2d("GD", "gd", (1.5, 0.5), 10, loss=ravine, alpha=0.005),
        run_2d("Adam", "adam", (1.5, 0.5), 10, loss=ravine, alpha=0.05),
    ]
    figure = charts.animation_figure(ravine, runs)
    names = [trace["name"] for trace in figure["data"]]
    state = shown(figure, 0)
    cosines = []
    for r in runs:
        step, downhill = state[names.index(r.label)], state[names.index(f"{r.label} −gradient")]
        moved = np.diff(np.array([step["x"], step["y"]]).T, axis=0)[-1]
        down = np.diff(np.array([downhill["x"], downhill["y"]]).T, axis=0)[0]
        cosines.append(moved @ down / np.linalg.norm(moved) / np.linalg.norm(down))
    assert cosines[0] > 0.999  # a plain step is −α∇f
    assert cosines[1] < 0.95  # Adam scales each coordinate on its own


def test_map_colours_are_on_a_log_scale_where_the_loss_spans_many_orders():
    for id, logarithmic in (("rosenbrock", True), ("beale", True), ("himmelblau", False), ("saddle", False)):
        loss = losses.get(id)
        figure = charts.animation_figure(loss, [run_2d("GD", "gd", losses.domain_middle(loss.domain), 5, loss=loss)])
        colour_axis = figure["layout"]["coloraxis"]
        assert colour_axis["colorbar"]["title"]["text"].startswith("log₁₀") == logarithmic, id
        assert colour_axis["cmin"] < colour_axis["cmax"]


def test_a_run_leaving_the_map_is_shown_on_its_edge_and_said_to_have_left():
    saddle = losses.get("saddle")
    leaving = run_2d("GD", "gd", (1.0, 0.01), 25, loss=saddle, alpha=0.2)  # y grows 1.4× a step: past 2 at step 16
    figure = charts.animation_figure(saddle, [leaving])
    (point,) = run_traces(figure)
    last = shown(figure, 25)[point]
    y_high = saddle.domain[1][1]
    assert at_point(figure, point, last["y"]) == pytest.approx(y_high)
    assert at_point(figure, point, last["marker"]["symbol"]) == "triangle-up"
    assert shown(figure, 20)[point]["x"][-1] is None  # no step arrow from a point off the map
    # The arrow of the step that leaves ends on the edge, pointing where the step went.
    arrow = shown(figure, 15)[point]
    (_, x_start, x_end), (_, y_start, y_end) = arrow["x"], arrow["y"]
    assert y_end == y_high
    moved = leaving.trajectory.x[16] - leaving.trajectory.x[15]
    drawn = np.array([x_end - x_start, y_end - y_start])
    cosine = drawn @ moved / np.linalg.norm(drawn) / np.linalg.norm(moved)
    assert cosine > 0.9999
    status = charts.run_status(leaving, charts.default_view(saddle))
    assert status == "left the view at step 16"
    assert_no_nan_shown(figure)


def test_side_by_side_maps_have_a_picture_per_panel_and_the_playground_puts_rows_under_them():
    runs = himmelblau_runs()
    figure = charts.playground_figure(HIMMELBLAU, runs, layout="side_by_side")
    assert [image["xref"] for image in figure["layout"]["images"]] == ["x", "x2"]
    assert figure["layout"]["yaxis2"]["scaleanchor"] == "x2"
    learning_rates = [trace for trace in figure["data"] if trace["name"].startswith("Adam · x")]
    assert len(learning_rates) >= 2  # per coordinate: x₁ and x₂
    assert "Adam · x₁" in {trace["name"] for trace in figure["data"]}


def test_the_surface_has_the_loss_and_each_path_on_it():
    runs = himmelblau_runs()
    figure = charts.surface_figure(
        HIMMELBLAU, [r.label for r in runs], [r.colour for r in runs], [r.trajectory.x for r in runs]
    )
    surface, *paths = figure["data"]
    assert surface["type"] == "surface" and surface["z"]["shape"] == "80, 80"
    assert [path["name"] for path in paths] == ["Adam", "GD"]
    for path, r in zip(paths, runs, strict=True):
        np.testing.assert_allclose(path["z"], HIMMELBLAU.f(r.trajectory.x), rtol=1e-5)


def test_internals_of_two_variables_tell_the_coordinates_apart_by_name_and_dash():
    adam_2d = charts.RunTrace(
        "Adam", "#ff7f0e", optimisers.simulate(HIMMELBLAU, optimisers.create("adam", alpha=0.1), [0.5, -4.0], 30)
    )
    figure = charts.internals_figure([adam_2d], step=0)
    by_name = {trace["name"]: trace.get("line", {}).get("dash", "solid") for trace in figure["data"]}
    assert by_name["Adam · x₁"] == "solid" and by_name["Adam · x₂"] == "dot"
    assert by_name["m (Adam) · x₁"] == "solid" and by_name["m (Adam) · x₂"] == "dot"
    assert by_name["m̂ (Adam) · x₁"] == "dash" and by_name["m̂ (Adam) · x₂"] == "dashdot"


def test_log_rows_label_whole_decades_written_with_an_exponent():
    figure = charts.internals_figure([rmsprop(), adam()], step=0, log_loss=True)
    log_axes = [
        axis for name, axis in figure["layout"].items() if name.startswith("yaxis") and axis.get("type") == "log"
    ]
    assert len(log_axes) == 3  # loss, lr and step size
    for axis in log_axes:
        low, high = axis["range"]
        assert high - low >= 1.2 and isinstance(axis["dtick"], int) and axis["exponentformat"] == "e"


@pytest.mark.parametrize(("loss", "x0"), [(QUARTIC, [1.5]), (losses.get("himmelblau"), [0.5, -2.0])])
def test_schedule_frees_averaged_point_is_a_marker_of_its_own_at_every_frame(loss, x0):
    free, adam = (
        charts.RunTrace(id, "#1f77b4", optimisers.simulate(loss, optimisers.create(id, alpha=0.05), x0, 20))
        for id in ("schedulefree_adamw", "adam")
    )
    figure = charts.animation_figure(loss, [free, adam], step=0)
    averaged = [i for i, trace in enumerate(figure["data"]) if trace["name"].endswith("averaged point")]
    assert len(averaged) == 1 and figure["data"][averaged[0]]["marker"]["symbol"] == "diamond-open"
    trajectory = free.trajectory
    expected = np.concatenate([trajectory.x[:1], trajectory.state["x_average"]])
    for k in (0, 1, 7, 20):
        state = shown(figure, k).get(averaged[0], figure["data"][averaged[0]])
        point = expected[k]
        height = point[1] if loss.dim == 2 else float(loss.f(point[None])[0])
        np.testing.assert_allclose([state["x"][0], state["y"][0]], [point[0], height], rtol=1e-3, err_msg=f"frame {k}")
    # x, the averaged point, is not y, the point drawn as the run's: they part after the first step.
    assert not np.allclose(trajectory.state["x_average"][5], trajectory.x[6])


def test_the_curve_is_not_drawn_across_a_pole():
    reciprocal = losses.parse("1/x")
    trajectory = optimisers.simulate(reciprocal, optimisers.create("gd", alpha=0.01), [1.0], 5)
    figure = charts.animation_figure(reciprocal, [charts.RunTrace("gd", "#1f77b4", trajectory)])
    curve = figure["data"][0]
    xs = curve["x0"] + curve["dx"] * np.arange(len(curve["y"]))
    for (x0, y0), (x1, y1) in itertools.pairwise(zip(xs, curve["y"], strict=True)):
        # Plotly joins two samples only where neither is missing: the pole's two sides never are.
        assert not (x0 < 0 < x1 and y0 is not None and y1 is not None), f"a line from {y0} to {y1} crosses the pole"
    drawn = [x for x, y in zip(xs, curve["y"], strict=True) if y is not None]
    nearest_left, nearest_right = max(x for x in drawn if x < 0), min(x for x in drawn if x > 0)
    assert nearest_right - nearest_left <= 3 * curve["dx"]  # a gap of one sample: both sides drawn up to the pole


# --- a loss fitted to data: the data panel beside the map ------------------------------------------------------


def test_a_loss_fitted_to_data_draws_the_data_beside_the_map_and_each_run_s_line_at_every_frame():
    faithful = losses.get("faithful")
    runs = [
        run("Adam", "adam", [0.0, 0.0], 40, loss=faithful, alpha=1.0),
        run("GD", "gd", [20.0, 60.0], 40, colour="#1f77b4", loss=faithful, alpha=0.01),
    ]
    figure = charts.playground_figure(faithful, runs, step=3, internals=False)
    layout = figure["layout"]
    assert layout["xaxis"]["domain"] == [0, 0.55] and layout["xaxis"]["title"]["text"] == "w"
    assert layout["yaxis"]["title"]["text"] == "b"
    assert layout["xaxis2"]["domain"][0] > 0.55 and layout["yaxis2"]["domain"] == layout["yaxis"]["domain"]
    assert layout["coloraxis"]["colorbar"]["x"] == 0.55
    (eruptions,) = [trace for trace in figure["data"] if trace["name"] == "eruptions"]
    assert len(eruptions["x"]) == 272 and eruptions["xaxis"] == "x2"
    lines = [i for i, trace in enumerate(figure["data"]) if trace["name"].endswith(": fitted line")]
    assert [figure["data"][i]["name"] for i in lines] == ["Adam: fitted line", "GD: fitted line"]
    for k in (0, 3, 17, 40):
        state = shown(figure, k)
        for index, r in zip(lines, runs, strict=True):
            w, b = r.trajectory.x[k]
            xs, ys = np.array(state[index]["x"]), np.array(state[index]["y"])
            np.testing.assert_allclose(ys, w * xs + b, rtol=1e-5)
            assert xs[0] < 1.6 and xs[1] > 5.1  # across every duration
    assert set(lines) <= set(figure["frames"][17]["traces"])
    assert_no_nan_shown(figure)
    strict_json(figure)


def test_the_iris_panel_colours_the_two_kinds_and_draws_each_run_s_decision_boundary():
    iris = losses.get("iris_logistic")
    runs = [run("Adam", "adam", [-4.0, 8.0], 30, loss=iris, alpha=0.3)]
    figure = charts.playground_figure(iris, runs, step=0, internals=True, layout="side_by_side")
    groups = {trace["name"]: len(trace["x"]) for trace in figure["data"] if trace.get("mode") == "markers"}
    assert groups["versicolor"] == 50 and groups["virginica"] == 50
    (line,) = [i for i, trace in enumerate(figure["data"]) if trace["name"] == "Adam: decision boundary"]
    for k in (0, 30):
        state = shown(figure, k)
        direction = np.diff(state[line]["x"])[0], np.diff(state[line]["y"])[0]
        assert np.dot(direction, runs[0].trajectory.x[k]) == pytest.approx(0, abs=1e-3 * np.hypot(*direction))
    assert any(a["text"].startswith("<b>loss") for a in figure["layout"]["annotations"])  # the rows still under it


def test_runs_from_one_start_show_as_rings_none_hidden_under_another():
    runs = [rmsprop(), adam(), run("GD", "gd", 0.1, alpha=0.01)]  # all from x = 0.1, as the article's
    figure = charts.animation_figure(QUARTIC, runs)
    sizes = [figure["data"][i]["marker"]["size"][0] for i in run_traces(figure)]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 3  # each later run smaller, drawn on top
