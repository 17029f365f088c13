"""How a run ended, as one integer per run: the coding that the results table, the Sweep's maps and verdicts
and the Article's sentences share. A code of 0 or more is the index into the loss's minima of the minimum
the run ended at (within the loss's tolerance, `Loss.nearest_minimum`); the others are below."""

from __future__ import annotations

import numpy as np

from optimisers.simulate import Trajectory

NOT_AT_A_MINIMUM = -1
DIVERGED = -2
LEFT_DOMAIN = -3


def ended_in(loss, trajectory: Trajectory) -> np.ndarray:
    """The code of each run of the trajectory's batch, shape (*batch)."""
    stopped = np.where(trajectory.left_domain, LEFT_DOMAIN, DIVERGED)
    return np.where(trajectory.diverged_at >= 0, stopped, loss.nearest_minimum(trajectory.final_x))


def how_it_stopped(trajectory: Trajectory) -> str:
    """Why a run (batch ()) that stopped early did, in words: it diverged, or left the domain of f, or started
    outside it."""
    if not trajectory.left_domain:
        return f"diverged at step {trajectory.diverged_at}"
    if trajectory.diverged_at == 0:
        return "starts outside the domain of f"
    return f"left the domain of f at step {trajectory.diverged_at}"


def how_it_ended(loss, trajectory: Trajectory) -> str:
    """How a run (batch ()) ended, in words."""
    code = int(ended_in(loss, trajectory))
    if code in (DIVERGED, LEFT_DOMAIN):
        return how_it_stopped(trajectory)
    if code == NOT_AT_A_MINIMUM:
        return f"not at a minimum after {trajectory.steps} steps"
    return "at the global minimum" if loss.minima[code].is_global else "at a local minimum"


def stopped_early(codes: np.ndarray) -> np.ndarray:
    """Where a code says that the run stopped before its last step: it diverged or left the domain of f."""
    return np.isin(codes, (DIVERGED, LEFT_DOMAIN))
