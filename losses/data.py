"""Losses of small models fitted to real data shipped with the project (losses/data/*.csv).

`faithful`: a straight line waiting ≈ w·duration + b through the Old Faithful geyser's 272 eruptions,
by mean squared error. On the raw durations it is a long narrow valley; with `standardise` the
durations are scaled to mean 0 and standard deviation 1 first, and the valley becomes a round bowl.
`iris_logistic`: logistic regression of versicolor (−1) against virginica (+1) on their two
standardised petal measurements, by mean cross-entropy. The classes overlap, so the minimum is finite.

Value, gradient and Hessian are closed forms in numpy over the data; the minimum is found by Newton's
method. The sympy expression is the same loss written out, for the PyTorch export.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import sympy as sp

from losses.base import Array, Loss, LossParameter, minima_from_guesses
from losses.noise import MAX_SEED, batch_rows

DATA = Path(__file__).resolve().parent / "data"
w, b, w1, w2 = sp.symbols("w b w_1 w_2", real=True)

DATA_NAMES = {"faithful": "Old Faithful line", "iris_logistic": "Iris logistic regression"}
STANDARDISE = LossParameter(
    "standardise",
    "s",
    0.0,
    (0.0, 1.0),
    "1: scale the durations to mean 0 and standard deviation 1 before fitting; 0: the raw minutes",
    whole_number=True,
)


@cache
def read_columns(name: str) -> dict[str, list[str]]:
    """The columns of losses/data/<name>.csv by their header names, as text."""
    with open(DATA / f"{name}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    return {column: [row[column] for row in rows] for column in rows[0]}


@dataclass(frozen=True)
class DataPanel:
    """What the data panel beside the map draws: the data points (in groups), and each run's line."""

    x: Array  # (n,) each point's horizontal coordinate
    y: Array  # (n,)
    groups: tuple[tuple[str, Array], ...]  # (name, which points) for each group drawn in its own colour
    x_title: str
    y_title: str
    line_name: str  # what a run's line is: "fitted line", "decision boundary"
    line_x: tuple[float, float]  # the x a fitted line is drawn from and to
    feature_shift: float = 0.0  # the model's feature is (x − shift) / scale
    feature_scale: float = 1.0


@dataclass(frozen=True, eq=False)
class DataLoss(Loss):
    """A loss over data: the model's output for parameters p (..., 2) at data point i is inputs[i] · p.

    model "squared": f = mean((inputs·p − targets)²); model "logistic" (targets ±1):
    f = mean(log(1 + exp(−targets · inputs·p))).
    """

    inputs: Array = None  # (n, 2)
    targets: Array = None  # (n,)
    model: str = "squared"
    formula: str = ""  # LaTeX of the loss as a sum over the data
    panel: DataPanel | None = None
    batch_size: int = 0  # the rows of each step's minibatch; 0 (or all of them) for the whole data
    seed: int = 0  # of the minibatches' order

    @property
    def latex(self) -> str:
        return self.formula

    def _fit(self, X, inputs: Array, targets: Array) -> tuple[Array, Array]:
        """The mean loss and its gradient over data rows `inputs` (…, m, 2) with `targets` (…, m), for
        parameters X (…, 2). Elementwise products and sums along the rows only, so that every run's numbers
        come out the same however many runs share the call."""
        X = np.asarray(X, dtype=float)
        outputs = X[..., :1] * inputs[..., 0] + X[..., 1:] * inputs[..., 1]
        if self.model == "squared":
            residual = outputs - targets
            values, slopes = residual * residual, 2 * residual
        else:
            margin = targets * outputs
            values, slopes = np.logaddexp(0.0, -margin), -targets * _sigmoid(-margin)
        rows = targets.shape[-1]
        gradient = np.stack([(slopes * inputs[..., i]).sum(axis=-1) for i in range(2)], axis=-1) / rows
        return values.sum(axis=-1) / rows, gradient

    def f(self, X) -> Array:
        return self._fit(X, self.inputs, self.targets)[0]

    def grad(self, X) -> Array:
        return self._fit(X, self.inputs, self.targets)[1]

    def value_and_grad(self, X) -> tuple[Array, Array]:
        return self._fit(X, self.inputs, self.targets)

    def sampled_value_and_grad(self, X, step: int, positions) -> tuple[Array, Array]:
        """The loss over all the data (what is recorded and shown), and the gradient over this step's
        minibatch of each run (see losses.noise.batch_rows)."""
        if not 0 < self.batch_size < len(self.targets):
            return self.value_and_grad(X)
        rows = batch_rows(self.seed, step, positions, len(self.targets), self.batch_size)
        return self.f(X), self.batch_gradient(X, rows)

    def batch_gradient(self, X, rows: Array) -> Array:
        """The gradient over data rows `rows` (runs, m) for each run's parameters X (runs, 2)."""
        return self._fit(X, self.inputs[rows], self.targets[rows])[1]

    def hessian(self, X) -> Array:
        outputs = np.asarray(X, dtype=float) @ self.inputs.T
        curvature = _sigmoid(outputs) * _sigmoid(-outputs) if self.model == "logistic" else np.full(outputs.shape, 2.0)
        return (curvature[..., None, :] * self.inputs.T) @ self.inputs / len(self.targets)

    def lines(self, P) -> tuple[Array, Array]:
        """For parameters P (k, 2): the ends of each one's line in the panel, xs and ys (k, 2); NaN where
        there is none (a decision boundary of zero weights)."""
        P = np.asarray(P, dtype=float)
        panel = self.panel
        if self.model == "squared":
            xs = np.broadcast_to(np.array(panel.line_x), P.shape).copy()
            features = (xs - panel.feature_shift) / panel.feature_scale
            return xs, P[:, :1] * features + P[:, 1:]
        # The boundary w₁x + w₂y = 0: the line through the origin along (−w₂, w₁), long enough to cross the panel.
        with np.errstate(invalid="ignore", divide="ignore"):
            along = np.stack([-P[:, 1], P[:, 0]], axis=1) / np.hypot(P[:, 0], P[:, 1])[:, None]
        reach = 2 * max(np.abs(panel.x).max(), np.abs(panel.y).max())
        return along[:, :1] * [-reach, reach], along[:, 1:] * [-reach, reach]


def _sigmoid(z: Array) -> Array:
    """1/(1 + e^(−z)) without overflow."""
    return np.exp(-np.logaddexp(0.0, -z))


def _standardised(values: Array) -> tuple[Array, float, float]:
    """The values scaled to mean 0 and standard deviation 1, the mean and the standard deviation."""
    mean, deviation = float(values.mean()), float(values.std())
    return (values - mean) / deviation, mean, deviation


def _exact(values: Array) -> list[sp.Float]:
    return [sp.Float(repr(float(v)), 17) for v in values]


def batch_size_parameter(rows: int) -> LossParameter:
    return LossParameter(
        "batch_size",
        "B",
        0.0,
        (0.0, float(rows)),
        f"how many of the {rows} data rows each step's gradient is taken over, in a random order each epoch;"
        " 0 for all of them (no noise)",
        whole_number=True,
    )


SEED = LossParameter("seed", "", 0.0, (0.0, float(MAX_SEED)), "the minibatches' random order", whole_number=True)


def with_minibatches(loss: DataLoss, batch_size: float, seed: float) -> DataLoss:
    """The loss with its gradient taken over minibatches; settings as `losses.get` names them."""
    return replace(
        loss,
        batch_size=int(batch_size),
        seed=int(seed),
        settings=(*loss.settings, ("batch_size", float(batch_size)), ("seed", float(seed))),
    )


@cache
def _faithful(standardise: float) -> DataLoss:
    columns = read_columns("faithful")
    duration = np.array(columns["duration"], dtype=float)
    waiting = np.array(columns["waiting"], dtype=float)
    feature, shift, scale = _standardised(duration) if standardise else (duration, 0.0, 1.0)
    n = len(waiting)
    terms = [(w * d + b - t) ** 2 for d, t in zip(_exact(feature), _exact(waiting), strict=True)]
    scaled = r"\frac{d_i - \bar{d}}{s_d}" if standardise else "d_i"
    loss = DataLoss(
        "faithful",
        DATA_NAMES["faithful"],
        sp.Add(*terms) / n,
        (w, b),
        ((-5.0, 25.0), (-10.0, 80.0)),
        "A straight line through the Old Faithful geyser's 272 eruptions: waiting time t ≈ w·duration d + b"
        " (minutes), by mean squared error. On the raw durations the loss is a long narrow valley, steep across"
        " and flat along it; standardise the durations and it becomes a round bowl.",
        settings=(("standardise", float(standardise)),),
        inputs=np.column_stack([feature, np.ones(n)]),
        targets=waiting,
        model="squared",
        formula=rf"\frac{{1}}{{{n}}} \sum_{{i=1}}^{{{n}}} \left(w\, {scaled} + b - t_i\right)^2",
        panel=DataPanel(
            duration,
            waiting,
            (("eruptions", np.ones(n, dtype=bool)),),
            "duration d (min)",
            "waiting t (min)",
            "fitted line",
            (float(duration.min()) - 0.2, float(duration.max()) + 0.2),
            shift,
            scale,
        ),
    )
    return replace(loss, minima=minima_from_guesses(loss, [(10.0, 30.0)]))


def faithful(standardise: float, batch_size: float, seed: float) -> DataLoss:
    return with_minibatches(_faithful(standardise), batch_size, seed)


IRIS_CLASSES = ("versicolor", "virginica")  # labelled −1 and +1


def iris_logistic(batch_size: float, seed: float) -> DataLoss:
    return with_minibatches(_iris_logistic(), batch_size, seed)


@cache
def _iris_logistic() -> DataLoss:
    columns = read_columns("iris")
    chosen = np.isin(columns["species"], IRIS_CLASSES)
    petals = np.column_stack([np.array(columns[name], dtype=float)[chosen] for name in ("petal_length", "petal_width")])
    features = np.column_stack([_standardised(petals[:, i])[0] for i in range(2)])
    labels = np.where(np.array(columns["species"])[chosen] == IRIS_CLASSES[1], 1.0, -1.0)
    n = len(labels)
    terms = [
        sp.log(1 + sp.exp(-y * (w1 * a + w2 * c)))
        for (a, c), y in zip(zip(_exact(features[:, 0]), _exact(features[:, 1]), strict=True), labels, strict=True)
    ]
    loss = DataLoss(
        "iris_logistic",
        DATA_NAMES["iris_logistic"],
        sp.Add(*terms) / n,
        (w1, w2),
        ((-5.0, 10.0), (-5.0, 10.0)),
        "Logistic regression on Fisher's iris: versicolor (y = −1) against virginica (y = +1) from their petal"
        " length and width, each standardised, by mean cross-entropy. The two kinds overlap, so the weights"
        " have a finite best value, in a bowl that flattens far from it.",
        inputs=features,
        targets=labels,
        model="logistic",
        formula=rf"\frac{{1}}{{{n}}} \sum_{{i=1}}^{{{n}}} \log\left(1 + e^{{-y_i (w_1 \ell_i + w_2 v_i)}}\right)",
        panel=DataPanel(
            features[:, 0],
            features[:, 1],
            tuple((name, labels == sign) for name, sign in zip(IRIS_CLASSES, (-1.0, 1.0), strict=True)),
            "petal length ℓ (standardised)",
            "petal width v (standardised)",
            "decision boundary",
            (float(features[:, 0].min()), float(features[:, 0].max())),
        ),
    )
    return replace(loss, minima=minima_from_guesses(loss, [(4.0, 4.0)]))


DATA_DEFINITIONS = {"faithful": faithful, "iris_logistic": iris_logistic}
DATA_PARAMETERS = {
    "faithful": (STANDARDISE, batch_size_parameter(272), SEED),
    "iris_logistic": (batch_size_parameter(100), SEED),
}
