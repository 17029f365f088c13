"""The Playground's figure: the descent animation with the optimisers' internals under it, on one set
of frames, so that the player moves the points and the rows' step line together."""

from __future__ import annotations

from collections.abc import Sequence

from charts.animation import X_TITLE_HEIGHT, RunTrace, animation_figure, animation_part, default_view, max_steps
from charts.common import View
from charts.compose import compose
from charts.data import ANIMATION_SHARE, data_part
from charts.internals import STEP_AXIS_HEIGHT, has_schedule, internals_part
from losses import DataLoss, Loss


def playground_figure(
    loss: Loss,
    runs: Sequence[RunTrace],
    *,
    layout: str = "overlay",
    view: View | None = None,
    trail: int = 5,
    step: int = 0,
    log_loss: bool = False,
    internals: bool = True,
) -> dict:
    """animation_figure's animation on top, internals_figure's rows under it; over a curve, the
    x and loss rows keep to `view`'s ranges. One frame per step moves the points, the trails and the rows' step
    markers; the legend (overlay) toggles a run everywhere. A run with a learning-rate schedule adds the
    schedule's row on top of them. Without `internals`, the animation alone, with the schedule's row if any.
    Over a loss fitted to data, the data panel (charts.data) is beside the map."""
    view = view or default_view(loss)
    fitted_to_data = isinstance(loss, DataLoss)
    rows_shown = internals or has_schedule(runs)
    if not rows_shown and not fitted_to_data:
        return animation_figure(loss, runs, layout=layout, view=view, trail=trail, step=step)
    share = ANIMATION_SHARE if fitted_to_data else 1
    animation = animation_part(loss, runs, view, layout=layout, trail=trail, step=step, share=share)
    parts = [animation]
    if fitted_to_data:
        parts.append(data_part(loss, runs, step=step, height=animation.height, number=animation.axes + 1))
    if rows_shown:
        # Over a map the view's ranges are x and y, which the rows do not plot against the loss.
        rows_view = view if loss.dim == 1 else None
        first_axis = sum(part.axes for part in parts) + 1
        parts.append(
            internals_part(
                runs, rows_view, step=step, log_loss=log_loss, first_axis=first_axis, legend=False, internals=internals
            )
        )
    return compose(
        parts,
        margin_bottom=STEP_AXIS_HEIGHT if rows_shown else X_TITLE_HEIGHT,
        gap=X_TITLE_HEIGHT,
        frames=max_steps(runs) + 1,
        hovermode="closest",
    )
