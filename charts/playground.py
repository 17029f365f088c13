"""The Playground's figure: the descent animation with the optimisers' internals under it, on one set
of frames, so that the player moves the points and the rows' step line together."""

from __future__ import annotations

from collections.abc import Sequence

from charts.animation import (
    X_TITLE_HEIGHT,
    RunTrace,
    View,
    animation_figure,
    animation_part,
    compose,
    default_view,
    max_steps,
)
from charts.internals import STEP_AXIS_HEIGHT, internals_part
from losses import Loss


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
    markers; the legend (overlay) toggles a run everywhere. Without `internals`, the animation alone."""
    view = view or default_view(loss)
    if not internals:
        return animation_figure(loss, runs, layout=layout, view=view, trail=trail, step=step)
    animation = animation_part(loss, runs, view, layout=layout, trail=trail, step=step)
    # Over a map the view's ranges are x and y, which the rows do not plot against the loss.
    rows_view = view if loss.dim == 1 else None
    internals = internals_part(
        runs, rows_view, step=step, log_loss=log_loss, first_axis=animation.axes + 1, legend=False
    )
    return compose(
        [animation, internals],
        margin_bottom=STEP_AXIS_HEIGHT,
        gap=X_TITLE_HEIGHT,
        frames=max_steps(runs) + 1,
        hovermode="closest",
    )
