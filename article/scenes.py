"""The article's six experiments as data, computed as the article's code does or as the textbook does.

Each scene pits a yellow run against an orange one for 8 steps. In the "article" mode Adagrad, RMSProp
and Adam put ε inside the square root, and Adam multiplies its step by the gradient once more, as the
code published with the article does; the "textbook" mode follows Kingma & Ba and torch.optim.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

import charts
import losses
import optimisers
from charts.common import PALETTE
from config import Config, LossChoice, Run, new_run
from optimisers.ending import NOT_AT_A_MINIMUM, ended_in

YELLOW, ORANGE = PALETTE[:2]
COLOUR_NAMES = {YELLOW: "Yellow", ORANGE: "Orange"}
STEPS = 8
ARTICLE_EPS = 1e-8
# The article's axes are x ∈ [−3, 3], y ∈ [−2, 5]. The bottom is lowered to −2.5 so that the quartic's
# global minimum (f ≈ −2.056) is drawn inside the plot rather than flagged as outside it.
VIEW = charts.View(x_range=(-3.0, 3.0), y_range=(-2.5, 5.0))

MODES = {
    "article": "As the article's code computes it",
    "textbook": "Textbook (Kingma & Ba, torch.optim)",
}
_ARTICLE_OPTIONS = {
    "adagrad": {"eps_inside_sqrt": True},
    "rmsprop": {"eps_inside_sqrt": True},
    "adam": {"eps_inside_sqrt": True, "extra_gradient_factor": True},
}


@dataclass(frozen=True)
class Scene:
    number: int
    title: str
    loss: str
    runs: tuple[Run, ...]  # in the textbook form; `runs_in_mode` gives the article's
    caption: str
    explanation: str = ""  # why the two modes can end differently, for scenes where they do

    @property
    def has_modes(self) -> bool:
        """Whether the two modes compute this scene differently (fixed learning rates are the same in both)."""
        return any(run.optimiser in _ARTICLE_OPTIONS for run in self.runs)


def _run(colour: str, optimiser: str, x0: float, **hyperparameters: float) -> Run:
    if optimiser in _ARTICLE_OPTIONS:
        hyperparameters.setdefault("eps", ARTICLE_EPS)
    run = new_run(optimiser, (x0,), 0, **hyperparameters)
    return replace(run, label=f"{run.label}, α = {hyperparameters['alpha']:g}, x₀ = {x0:g}", colour=colour)


_ADAM_EXPLANATION = (
    "The article's code folds m̂ into its learning rate and then multiplies by the gradient again, so its "
    "Adam step is α·m̂·g/√(ε + v̂). In the first steps m̂ ≈ g and v̂ ≈ g², so that step is close to α·g: "
    "Adam behaves almost like a fixed learning rate α, taking big steps where the slope is steep. "
    "Textbook Adam steps by α·m̂/(√v̂ + ε), which early on is about α in size whatever the slope."
)

SCENES = (
    Scene(
        1,
        "A fixed learning rate, too large",
        "quartic",
        (_run(YELLOW, "gd", 0.3, alpha=0.5), _run(ORANGE, "gd", 0.1, alpha=0.8)),
        "Both points take steps of a fixed size α times the slope. Yellow starts right of the hump and is "
        "pulled towards the shallow local minimum, where it bounces from side to side. Orange's first step "
        "heads the right way, but it lands on a steep slope, overshoots, and each step is larger than the last.",
    ),
    Scene(
        2,
        "A fixed learning rate, smaller",
        "quartic",
        (_run(YELLOW, "gd", 0.3, alpha=0.1), _run(ORANGE, "gd", 0.1, alpha=0.1)),
        "With α = 0.1 orange slides into the global minimum. Yellow heads for the local minimum again, but on "
        "the gentle slope near its start α times the slope is a tiny step, and eight of them are not enough.",
    ),
    Scene(
        3,
        "Adagrad against a fixed rate",
        "quartic",
        (_run(YELLOW, "gd", 0.1, alpha=0.1), _run(ORANGE, "adagrad", 0.1, alpha=0.1)),
        "Same start, same α. Adagrad's first step has size α whatever the slope; after that it divides α by "
        "the root of all squared gradients so far, a sum that only grows, so its steps keep shrinking even as "
        "the slope gets steeper. The fixed rate speeds up on the steep part and gets much further.",
    ),
    Scene(
        4,
        "RMSProp against Adagrad",
        "quartic",
        (_run(YELLOW, "adagrad", 0.1, alpha=0.1), _run(ORANGE, "rmsprop", 0.1, alpha=0.1, beta=0.9)),
        "RMSProp divides by a moving average of squared gradients instead of their sum, so old gradients fade. "
        "Starting from an average of zero, its first step is α/√(1 − β) ≈ 3.2α; its steps stay large on the "
        "steep slope and shrink as the slope flattens at the global minimum, while Adagrad is still crawling.",
    ),
    Scene(
        5,
        "Adam against RMSProp",
        "quartic",
        (
            _run(YELLOW, "rmsprop", 0.1, alpha=0.1, beta=0.9),
            _run(ORANGE, "adam", 0.1, alpha=0.1, beta1=0.9, beta2=0.999),
        ),
        "Adam adds a moving average of the gradients themselves (momentum) and corrects both of its averages "
        "for starting at zero. Watch how far Adam gets in eight steps compared with RMSProp, and switch between "
        "the two ways of computing Adam.",
        _ADAM_EXPLANATION + " Here that is about 0.1 per step, too little to cover the distance to the global "
        "minimum in eight steps; the article's Adam follows almost the same path as the fixed rate α = 0.1 "
        "from the same start (orange in scene 2).",
    ),
    Scene(
        6,
        "Adam against RMSProp on a wavy function",
        "wavy",
        (
            _run(YELLOW, "rmsprop", 0.5, alpha=0.05, beta=0.9),
            _run(ORANGE, "adam", 0.5, alpha=0.05, beta1=0.9, beta2=0.999),
        ),
        "Ripples from the sine put a local minimum every half unit or so. The article says that Adam's "
        "momentum carries it past the local minimum that traps RMSProp. Switch between the two ways of "
        "computing Adam to test that claim.",
        _ADAM_EXPLANATION + " From x = 0.5 the slope is steep, so the article's first step is long and clears "
        "the local minimum near 0.37 in one jump: the extra factor g, not momentum, carries it past. Textbook "
        "Adam walks into the valley near 0.37 and swings around that local minimum, as RMSProp does.",
    ),
)


def runs_in_mode(scene: Scene, mode: str) -> tuple[Run, ...]:
    """The scene's runs as the article's code computes them ("article") or as the textbook does ("textbook")."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {tuple(MODES)}; got {mode!r}")
    if mode == "textbook":
        return scene.runs
    return tuple(replace(run, options=_ARTICLE_OPTIONS.get(run.optimiser, {})) for run in scene.runs)


def trajectories(scene: Scene, mode: str) -> list[optimisers.Trajectory]:
    """Each run's trajectory over the scene's 8 steps: x (9, 1), loss (9,), …"""
    loss = losses.get(scene.loss)
    return [
        optimisers.simulate(loss, run.create_optimiser(), np.array(run.x0), STEPS) for run in runs_in_mode(scene, mode)
    ]


def playground_config(scene: Scene, mode: str) -> Config:
    """The scene's runs as the Playground's settings."""
    return Config(loss=LossChoice(scene.loss), runs=runs_in_mode(scene, mode), steps=STEPS)


def largest_difference(scene: Scene) -> float:
    """The largest distance in x between the two modes' runs at any step."""
    pairs = zip(trajectories(scene, "article"), trajectories(scene, "textbook"), strict=True)
    return max(float(np.max(np.abs(article.x - textbook.x))) for article, textbook in pairs)


@dataclass(frozen=True)
class Ending:
    """Where a run ends: diverged, at a minimum, or in a minimum's valley without having reached it."""

    final_x: float
    diverged_at: int | None
    left_view_at: int | None  # the step from which it stays outside the view, if it ends outside
    minimum: losses.Minimum | None  # the minimum it ends at, or whose valley it ends in
    reached: bool

    @property
    def outcome(self) -> tuple:
        """What two runs must share to end the same way."""
        return (self.diverged_at is not None, self.minimum, self.reached)

    def describe(self) -> str:
        if self.diverged_at is not None:
            left = f"leaves the plot at step {self.left_view_at} and " if self.left_view_at is not None else ""
            return f"{left}diverges at step {self.diverged_at}"
        ended = f"ends at x = {_decimal(self.final_x, 4)}"
        if self.minimum is not None:
            kind = "global" if self.minimum.is_global else "local"
            where = f"the {kind} minimum (x ≈ {_decimal(self.minimum.x[0], 3)})"
            ended = f"ends at {where}" if self.reached else f"{ended}, in the valley of {where} but not yet at it"
        if self.left_view_at is not None:
            ended += f", outside the plot from step {self.left_view_at}"
        return ended


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}".replace("-", "−")


def _left_view_at(trajectory: optimisers.Trajectory, view: charts.View) -> int | None:
    x, y = trajectory.x[:, 0], trajectory.loss
    with np.errstate(invalid="ignore"):
        inside = (view.x_range[0] <= x) & (x <= view.x_range[1]) & (view.y_range[0] <= y) & (y <= view.y_range[1])
    if inside[-1]:
        return None
    inside_steps = np.flatnonzero(inside)
    return int(inside_steps[-1]) + 1 if inside_steps.size else 0


def _valley(loss: losses.Loss, x: float) -> losses.Minimum | None:
    """The minimum that descending from x leads to: the nearest one downhill (losses of one variable)."""
    downhill_is_left = loss.grad(np.array([x]))[0] > 0
    candidates = [m for m in loss.minima if (m.x[0] <= x if downhill_is_left else m.x[0] >= x)]
    return min(candidates, key=lambda m: abs(m.x[0] - x), default=None)


def ending(loss: losses.Loss, trajectory: optimisers.Trajectory, view: charts.View = VIEW) -> Ending:
    """Where a run of one start (x (steps+1, 1)) ends on a loss of one variable."""
    final_x = float(trajectory.final_x[0])
    left_view_at = _left_view_at(trajectory, view)
    code = int(ended_in(loss, trajectory))
    if code == NOT_AT_A_MINIMUM:
        return Ending(final_x, None, left_view_at, _valley(loss, final_x), False)
    if code >= 0:
        return Ending(final_x, None, left_view_at, loss.minima[code], True)
    return Ending(final_x, int(trajectory.diverged_at), left_view_at, None, False)


def endings(scene: Scene, mode: str) -> list[Ending]:
    loss = losses.get(scene.loss)
    return [ending(loss, trajectory) for trajectory in trajectories(scene, mode)]


def disagreements(scene: Scene) -> list[tuple[Run, Ending, Ending]]:
    """The runs that end differently in the two modes: (run, its ending in the article's mode, in the textbook's)."""
    pairs = zip(scene.runs, endings(scene, "article"), endings(scene, "textbook"), strict=True)
    return [(run, article, textbook) for run, article, textbook in pairs if article.outcome != textbook.outcome]
