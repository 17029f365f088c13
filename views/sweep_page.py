"""Sweep: where every start and every setting ends up, per optimiser, each map computed in one pass."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

import losses
import optimisers
import sweep
from article.scenes import ARTICLE_EPS
from charts.sweep import AXIS_LABELS, MAP_KINDS, categories, random_starts_figure, sweep_figure
from config import CUSTOM_LOSS, MAX_NOISE, Config, LossChoice, new_run, playground_link
from losses.noise import MAX_SEED
from optimisers.ending import DIVERGED, LEFT_DOMAIN, NOT_AT_A_MINIMUM
from views.tuning import values_tried
from views.widgets import loss_input, show_figure

DEFAULT_OPTIMISERS = ("gd", "adagrad", "rmsprop", "adam")
MAX_OPTIMISERS = 4
# The opening axes by the loss's number of variables: starts against α, or the basin map of a 2-D loss.
DEFAULT_AXES = {1: {"x": "x0", "y": "alpha"}, 2: {"x": "x0", "y": "y0"}}
# (low, high, log scale) that a hyperparameter axis offers first; a start axis spans the domain.
AXIS_DEFAULTS = {
    "alpha": (1e-3, 1.0, True),
    "beta": (0.0, 0.999, False),
    "beta1": (0.0, 0.999, False),
    "beta2": (0.9, 0.9999, False),
    "eps": (1e-10, 1e-1, True),
    "momentum": (0.0, 0.99, False),
}
DEFAULT_CELLS = 200
DEFAULT_STEPS = 200
DEFAULT_STARTS = 10_000


def fixed_settings(optimiser_id: str, rates: Mapping[str, float]) -> dict[str, float]:
    """The settings every cell of an optimiser's map shares: the article's ε (so that the optimisers differ
    only in their update rules; the other hyperparameters keep torch's defaults), and α from `rates` (optimiser
    id → α) when α is not an axis."""
    spec = optimisers.REGISTRY[optimiser_id]
    eps = {"eps": ARTICLE_EPS} if any(h.name == "eps" for h in spec.hyperparameters) else {}
    return eps | ({"alpha": rates[optimiser_id]} if optimiser_id in rates else {})


def domain_key(loss: losses.Loss) -> str:
    """Part of the keys of the inputs bounded by the domain, so each domain has its own."""
    (low, high) = loss.domain[0]
    return f"custom.{low:g}..{high:g}" if loss.id == CUSTOM_LOSS else loss.id


def noise_settings() -> tuple[float, int, int]:
    """σ of the noise on the gradient, its seed, and how many seeds each map runs (1 without noise)."""
    state = st.session_state
    sigma = float(state.get("sweep_noise", 0.0))
    return sigma, int(state.get("sweep_seed", 0)), int(state.get("sweep_seeds", 1)) if sigma else 1


def swept_loss(choice: LossChoice, noise: tuple[float, int, int]) -> losses.Loss:
    sigma, seed, _ = noise
    loss = choice.resolve()
    return losses.noisy(loss, sigma, seed) if sigma else loss


@st.cache_data(max_entries=24, show_spinner=False)
def compute_map(
    choice: LossChoice, optimiser_id: str, x: sweep.Axis, y: sweep.Axis, steps: int, start, fixed, noise
) -> sweep.SweepMap:
    return sweep.sweep(swept_loss(choice, noise), optimiser_id, x, y, steps, fixed, start, seeds=noise[2])


@st.cache_data(max_entries=24, show_spinner=False)
def compute_tuning(
    choice: LossChoice, optimiser_id: str, x: sweep.Axis, y: sweep.Axis, steps: int, start, fixed, noise
):
    return sweep.tune_alpha(swept_loss(choice, noise), optimiser_id, x, y, steps, fixed, start)


@st.cache_data(max_entries=8, show_spinner=False)
def compute_random_starts(
    choice: LossChoice, optimiser_id: str, steps: int, count: int, settings, noise
) -> sweep.RandomStarts:
    return sweep.random_starts(swept_loss(choice, noise), optimiser_id, steps, count, settings)


def optimiser_name(optimiser_id: str) -> str:
    return optimisers.REGISTRY[optimiser_id].name


def axis_label(name: str) -> str:
    return AXIS_LABELS.get(name, name)


def axis_controls(side: str, loss: losses.Loss) -> sweep.Axis:
    names = sweep.axis_names(loss)
    # One choice per number of variables: a y0 axis chosen on a 2-D loss never reaches a 1-D one,
    # and switching the loss opens that kind's own axes.
    name = st.selectbox(
        f"{side} axis",
        names,
        index=names.index(DEFAULT_AXES[loss.dim][side]),
        key=f"{side}_axis.{loss.dim}d",
        format_func=axis_label,
    )
    if name in sweep.START_COORDINATES:
        first, last = loss.domain[sweep.START_COORDINATES[name]]
        # Keys per loss: each loss has its own domain, and the Playground only starts inside it.
        prefix, bounds, log_scale = f"{side}.{name}.{domain_key(loss)}", {"min_value": first, "max_value": last}, False
    else:
        first, last, log_scale = AXIS_DEFAULTS[name]
        prefix, bounds = f"{side}.{name}", {}
    low_column, high_column = st.columns(2)
    low = low_column.number_input("from", value=float(first), key=f"{prefix}.low", format="%g", **bounds)
    high = high_column.number_input("to", value=float(last), key=f"{prefix}.high", format="%g", **bounds)
    scale_column, count_column = st.columns(2)
    scale = scale_column.radio("scale", ("linear", "log"), index=int(log_scale), key=f"{prefix}.scale", horizontal=True)
    count = count_column.number_input("cells", min_value=1, value=DEFAULT_CELLS, step=10, key=f"{side}_count")
    return sweep.Axis(name, float(low), float(high), int(count), scale == "log")


@dataclass(frozen=True)
class SweepSetup:
    """What the sidebar sets: the loss, the optimisers, the two axes, the steps, the start (whose coordinates
    on a start axis the axis replaces) and, when α is not an axis, each optimiser's α."""

    loss: losses.Loss
    optimisers: list[str]
    x_axis: sweep.Axis
    y_axis: sweep.Axis
    steps: int
    start: tuple[float, ...]
    rates: dict[str, float]

    def fixed(self, optimiser_id: str) -> dict[str, float]:
        return fixed_settings(optimiser_id, self.rates)


def sidebar() -> SweepSetup | None:
    """The sweep the sidebar describes, or None while a typed formula does not parse."""
    with st.sidebar:
        st.session_state.setdefault("sweep_loss", "quartic")
        # A loss fitted to data costs a pass over the data per step, too slow for a grid of 200 × 200 runs.
        loss = loss_input("sweep_", fitted_to_data=False)
        if loss is None:
            return None
        chosen = st.multiselect(
            "Optimisers",
            list(optimisers.REGISTRY),
            default=list(DEFAULT_OPTIMISERS),
            max_selections=MAX_OPTIMISERS,
            key="sweep_optimisers",
            format_func=optimiser_name,
        )
        steps = st.number_input("Steps", min_value=1, max_value=sweep.MAX_STEPS, value=DEFAULT_STEPS, key="sweep_steps")
        st.subheader("Axes")
        x_axis = axis_controls("x", loss)
        y_axis = axis_controls("y", loss)
        start = start_inputs(loss, (x_axis.name, y_axis.name))
        rates = rate_inputs(chosen) if "alpha" not in (x_axis.name, y_axis.name) else {}
        st.caption(fixed_settings_note(chosen, x_axis, y_axis, rates))
        noise_inputs()
    return SweepSetup(loss, chosen, x_axis, y_axis, int(steps), start, rates)


def noise_inputs() -> None:
    st.subheader("Noise")
    sigma_column, seed_column, seeds_column = st.columns(3)
    sigma_column.number_input("σ", min_value=0.0, max_value=MAX_NOISE, value=0.0, format="%g", key="sweep_noise")
    seed_column.number_input("seed", min_value=0, max_value=MAX_SEED, value=0, step=1, key="sweep_seed")
    seeds_column.number_input("seeds", min_value=1, max_value=sweep.MAX_SEEDS, value=5, step=1, key="sweep_seeds")
    st.caption(
        "With σ > 0 every run's gradient is ∇f + σ·ξ, and each map runs that many seeds at once: the map shows"
        " the first, the verdict all of them."
    )


def rate_inputs(chosen: list[str]) -> dict[str, float]:
    """A learning rate for each chosen optimiser when α is not an axis; each opens at its default."""
    rates = {}
    for optimiser_id in chosen:
        (alpha,) = (h for h in optimisers.REGISTRY[optimiser_id].hyperparameters if h.name == "alpha")
        rates[optimiser_id] = float(
            st.number_input(
                f"α · {optimiser_name(optimiser_id)}",
                min_value=1e-6,
                max_value=alpha.slider_high,
                value=alpha.default,
                key=f"sweep_alpha.{optimiser_id}",
                format="%g",
            )
        )
    return rates


def start_inputs(loss: losses.Loss, axis_names: tuple[str, str]) -> tuple[float, ...]:
    """The start: a box for each coordinate that no axis sets, the middle of the domain for the others."""
    start = list(losses.domain_middle(loss.domain))
    for name, coordinate in sweep.START_COORDINATES.items():
        if coordinate < loss.dim and name not in axis_names:
            low, high = loss.domain[coordinate]
            value = st.number_input(
                axis_label(name),
                min_value=low,
                max_value=high,
                value=start[coordinate],
                key=f"start.{name}.{domain_key(loss)}",
                format="%g",
            )
            start[coordinate] = float(value)
    return tuple(start)


def fixed_settings_note(chosen: list[str], x_axis: sweep.Axis, y_axis: sweep.Axis, rates) -> str:
    lines = []
    for optimiser_id in chosen:
        spec = optimisers.REGISTRY[optimiser_id]
        values = {h.name: h.default for h in spec.hyperparameters} | fixed_settings(optimiser_id, rates)
        fixed = [f"{axis_label(n)} = {v:g}" for n, v in values.items() if n not in (x_axis.name, y_axis.name)]
        lines.append(f"{spec.name}: {', '.join(fixed) or 'nothing else to set'}")
    return (
        "Settings that are not axes keep their defaults (torch's, where torch has one), except α when set above"
        f" and ε = {ARTICLE_EPS:g}, the article's value, for every optimiser. " + "; ".join(lines) + "."
    )


def compute_maps(setup: SweepSetup) -> list[sweep.SweepMap]:
    progress = st.progress(0.0)
    maps, count = [], len(setup.optimisers)
    for number, optimiser_id in enumerate(setup.optimisers):
        text = f"Running {optimiser_name(optimiser_id)} on {setup.x_axis.count * setup.y_axis.count:,} cells"
        progress.progress(number / count, text=f"{text} ({number + 1} of {count})…")
        maps.append(
            compute_map(
                LossChoice.of(setup.loss),
                optimiser_id,
                setup.x_axis,
                setup.y_axis,
                setup.steps,
                setup.start,
                setup.fixed(optimiser_id),
                noise_settings(),
            )
        )
    progress.empty()
    return maps


def cell_chooser(x_axis: sweep.Axis, y_axis: sweep.Axis) -> tuple[int, int]:
    """The chosen cell as (row, column), from one slider per axis."""
    x_column, y_column = st.columns(2)
    return axis_index_slider(y_column, y_axis, "cell_row"), axis_index_slider(x_column, x_axis, "cell_column")


def axis_index_slider(column, axis: sweep.Axis, key: str) -> int:
    """An index into the axis's values, picked by value; keyed by the axis length so a remembered index
    always exists."""
    values = axis.values
    return column.select_slider(
        axis_label(axis.name),
        options=range(axis.count),
        value=axis.count // 2,
        key=f"{key}.{axis.count}",
        format_func=lambda i: f"{values[i]:.4g}",
    )


def cell_link(loss: losses.Loss, optimiser_id: str, settings, x0, steps: int) -> str:
    """A link that opens one cell's run in the Playground, with the noise the maps were run with."""
    sigma, seed, _ = noise_settings()
    run = new_run(optimiser_id, x0, 0, **settings)
    return playground_link(Config(loss=LossChoice.of(loss), runs=(run,), steps=steps, noise=sigma, seed=seed))


def cell_table(setup: SweepSetup, maps: list[sweep.SweepMap], row: int, column: int) -> None:
    loss = setup.loss
    found = categories(loss)
    rows = []
    for sweep_map in maps:
        settings, x0 = sweep.cell_run(loss, sweep_map, row, column, setup.fixed(sweep_map.optimiser), setup.start)
        ended_in = int(sweep_map.ended_in[row, column])
        final_loss = float(sweep_map.final_loss[row, column])
        settled_at = int(sweep_map.settled_at[row, column])
        rows.append(
            {
                "optimiser": optimiser_name(sweep_map.optimiser),
                "ended in": found[ended_in][0],
                "final loss": f"{final_loss:.6g}" if math.isfinite(final_loss) else "—",
                "settled after": f"{settled_at} steps" if settled_at >= 0 else "—",
                "run": cell_link(loss, sweep_map.optimiser, settings, x0, sweep_map.steps),
            }
        )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"run": st.column_config.LinkColumn("run", display_text="Open in the Playground")},
    )


def verdict_columns(verdict: sweep.Verdict, suffix: str = "") -> dict:
    """A verdict's shares, and over seeds their range, under column names ending in `suffix`."""
    columns = {f"global minimum{suffix}": verdict.global_share, f"diverged{suffix}": verdict.diverged_share}
    if verdict.global_range:
        columns[f"global minimum{suffix}, 10–90 % over seeds"] = "{:.0%} … {:.0%}".format(*verdict.global_range)
        columns[f"diverged{suffix}, 10–90 % over seeds"] = "{:.0%} … {:.0%}".format(*verdict.diverged_range)
    return columns


def tuned_verdicts(setup: SweepSetup, maps: list[sweep.SweepMap]) -> list[dict]:
    """Each optimiser's best α for this loss and these starts (sweep.tune_alpha) and its verdict at that α; where
    every α tried diverged from some start, only that."""
    columns = []
    progress = st.progress(0.0)
    for number, sweep_map in enumerate(maps):
        text = f"Tuning α for {optimiser_name(sweep_map.optimiser)} ({number + 1} of {len(maps)})…"
        progress.progress(number / len(maps), text=text)
        choice, fixed, noise = LossChoice.of(setup.loss), setup.fixed(sweep_map.optimiser), noise_settings()
        grid = (sweep_map.x, sweep_map.y, sweep_map.steps)
        tuning = compute_tuning(choice, sweep_map.optimiser, *grid, setup.start, fixed, noise)
        if not math.isfinite(tuning.best_loss):
            columns.append({"tuned α": "none: every α diverged from some start"})
            continue
        tuned_map = compute_map(choice, sweep_map.optimiser, *grid, setup.start, fixed | {"alpha": tuning.best}, noise)
        verdict = sweep.verdict(setup.loss, tuned_map)
        columns.append({"tuned α": f"{tuning.best:g}"} | verdict_columns(verdict, ", tuned"))
    progress.empty()
    return columns


def verdict_table(setup: SweepSetup, maps: list[sweep.SweepMap]) -> None:
    alpha_is_an_axis = "alpha" in (maps[0].x.name, maps[0].y.name)
    switched_on = st.toggle(
        "Tuned: each optimiser also at its own best α",
        key="sweep_tuned",
        disabled=alpha_is_an_axis,
        help=f"Of {values_tried(maps[0].optimiser)}, the one with the lowest final loss averaged over the grid's"
        f" starts (at most {sweep.TUNING_CELLS_PER_SIDE} a side), none of them diverging; the other settings as above.",
    )
    tuned = switched_on and not alpha_is_an_axis  # a switch left on stays on, disabled, once α is an axis
    rows = []
    for sweep_map in maps:
        row = {"optimiser": optimiser_name(sweep_map.optimiser)}
        if tuned:
            row["α"] = f"{setup.rates[sweep_map.optimiser]:g}"
        rows.append(row | verdict_columns(sweep.verdict(setup.loss, sweep_map)))
    if tuned:
        for row, tuned_columns in zip(rows, tuned_verdicts(setup, maps), strict=True):
            row |= tuned_columns
    share = {"min_value": 0.0, "max_value": 1.0, "format": "percent"}
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            f"{name}{suffix}": st.column_config.ProgressColumn(f"{label}{suffix}", **share)
            for name, label in (("global minimum", "reached the global minimum"), ("diverged", "diverged"))
            for suffix in ("", ", tuned")
        },
    )
    if alpha_is_an_axis:
        st.caption("α is an axis of the maps: they already show every optimiser at every α.")
    elif tuned:
        st.caption(
            f"Tuned: each optimiser at the best of {values_tried(maps[0].optimiser)}, the one whose runs from the"
            " grid's starts end lowest on average with none diverging; beside it, the α set in the sidebar, which"
            " the maps above use."
        )


def random_starts_section(setup: SweepSetup, maps: list[sweep.SweepMap], row: int, column: int) -> None:
    loss = setup.loss
    st.subheader("Many random starts")
    st.caption(
        "One optimiser with the chosen cell's settings, from starts drawn uniformly over the domain. "
        "Where do the runs end, and where is their average?"
    )
    by_id = {m.optimiser: m for m in maps}
    choice_column, count_column = st.columns(2)
    optimiser_id = choice_column.selectbox("Optimiser", list(by_id), key="starts_optimiser", format_func=optimiser_name)
    count = count_column.number_input(
        "Starts", min_value=1, max_value=sweep.MAX_STARTS, value=DEFAULT_STARTS, step=1000, key="starts_count"
    )
    sweep_map = by_id[optimiser_id]
    settings, _ = sweep.cell_run(loss, sweep_map, row, column, setup.fixed(optimiser_id), setup.start)
    with st.spinner(f"Running {count:,} starts…"):
        starts = compute_random_starts(
            LossChoice.of(loss), optimiser_id, sweep_map.steps, int(count), settings, noise_settings()
        )
    setting_text = ", ".join(f"{axis_label(n)} = {v:.4g}" for n, v in settings.items() if not isinstance(v, bool))
    title = f"{optimiser_name(optimiser_id)}, {setting_text}: {int(count):,} starts, {sweep_map.steps} steps"
    show_figure(random_starts_figure(loss, starts, title), key="random_starts")

    diverged = int(starts.diverged.sum())
    mean = starts.mean_final_x
    if mean is None:
        st.caption("Every run diverged, so there is no mean position to show.")
        return
    notes = [f"{diverged:,} runs diverged and are left out." if diverged else "No run diverged."]
    where = f"The mean final position, {position_text(loss, mean)},"
    if loss.nearest_minimum(mean) < 0:
        notes.append(
            f"{where} is at no minimum: averaging runs that fell into different basins gives a point that none "
            "of them reached."
        )
    else:
        notes.append(f"{where} is at a minimum: the runs mostly agree.")
    st.caption(" ".join(notes))


def position_text(loss: losses.Loss, point) -> str:
    """'x = 0.5', or '(x, y) = (0.5, 1)' on a loss of two variables."""
    names, values = [str(v) for v in loss.variables], [f"{v:.3g}" for v in point]
    if len(names) == 1:
        return f"{names[0]} = {values[0]}"
    return f"({', '.join(names)}) = ({', '.join(values)})"


def main() -> None:
    setup = sidebar()
    st.title("Sweep")
    if setup is None:
        st.info("Fix the formula in the sidebar to see the maps.", icon=":material/edit:")
        return
    loss = setup.loss
    st.caption(
        "Every cell of a map is one run: its start and settings come from the two axes. The colour says "
        "where it ended, how low it got, or how soon it stopped moving. Each map is one vectorised pass."
    )
    if loss.dim == 1:
        st.caption(
            "The opening maps put the article's quartic under four optimisers, every start across its domain "
            "against α from 0.001 to 1, for 200 steps. Look for the fixed rate's clean split at the local maximum "
            "(x ≈ 0.27) for small α and its blow-up for large α, the band where Adagrad's shrinking steps never "
            "arrive, and how RMSProp and Adam cross into the other basin as α grows."
        )
    else:
        st.caption(
            "On a loss of two variables the maps open as basin maps: a run from every start (x₀, y₀) over the "
            "domain, coloured by the minimum it ends in (greens are global minima). ★ marks a global minimum, "
            "◆ a local one, × a saddle point."
        )
    if not setup.optimisers:
        st.info("Choose at least one optimiser in the sidebar.")
        return
    try:
        sweep.check_sweep(loss, setup.x_axis, setup.y_axis, setup.steps)
        maps = compute_maps(setup)
    except ValueError as error:
        st.error(f"Nothing computed: {error}.", icon=":material/block:")
        return

    kind = st.radio("Map", list(MAP_KINDS), key="map_kind", horizontal=True, format_func=MAP_KINDS.get)
    figure_slot = st.container()
    st.markdown("**Choose a cell** (marked on every map) to see its run and open it in the Playground.")
    row, column = cell_chooser(setup.x_axis, setup.y_axis)
    with figure_slot:
        titles = [optimiser_name(m.optimiser) for m in maps]
        show_figure(sweep_figure(loss, maps, titles, kind, chosen=(row, column)), key="sweep")
        if kind == "ended_in":
            st.caption(
                "Hover shows the number of the minimum a run ended in, as on the colour bar; "
                f"{NOT_AT_A_MINIMUM} (grey): at no minimum, {DIVERGED} (red): diverged, {LEFT_DOMAIN} (dark red):"
                " left the domain of f.".replace("-", "−")
            )
        else:
            gaps = "diverged" if kind == "final_loss" else "still moving at the last step, or diverged"
            st.caption(f"Grey cells: {gaps}.")
    cell_table(setup, maps, row, column)

    st.subheader("Verdict")
    verdict_table(setup, maps)
    random_starts_section(setup, maps, row, column)


main()
