"""The recorded effective learning rate, what the internals rows plot, against the update rules
written out again here in plain Python floats from the papers (with torch.optim's conventions), on
the gradients of the article's functions written out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import losses
import optimisers

CASES = json.loads((Path(__file__).parent / "golden" / "torch_optim.json").read_text())["cases"]
STEPS = 100

GRADIENTS = {
    "quartic": lambda x: 4 * x**3 - 4 * x + 1,
    "wavy": lambda x: 2 * (x * x - 2 * x) * (2 * x - 2) + 6 * math.cos(12 * x),
}


def adagrad(gradients, alpha, eps=1e-10):
    total = 0.0
    for g in gradients:
        total += g * g
        yield alpha / (math.sqrt(total) + eps)


def rmsprop(gradients, alpha, beta=0.99, eps=1e-8):
    average = 0.0
    for g in gradients:
        average = beta * average + (1 - beta) * g * g
        yield alpha / (math.sqrt(average) + eps)


def adam(gradients, alpha, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
    average, largest = 0.0, 0.0
    for t, g in enumerate(gradients, start=1):
        average = beta2 * average + (1 - beta2) * g * g
        largest = max(largest, average)
        yield alpha / (math.sqrt((largest if amsgrad else average) / (1 - beta2**t)) + eps)


def nadam(gradients, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam(gradients, alpha, beta1, beta2, eps)


def radam(gradients, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    average = 0.0
    rho_infinity = 2 / (1 - beta2) - 1
    for t, g in enumerate(gradients, start=1):
        average = beta2 * average + (1 - beta2) * g * g
        rho = rho_infinity - 2 * t * beta2**t / (1 - beta2**t)
        if rho > 5:
            rectification = math.sqrt(
                (rho - 4) * (rho - 2) * rho_infinity / ((rho_infinity - 4) * (rho_infinity - 2) * rho)
            )
            yield alpha * rectification * math.sqrt(1 - beta2**t) / (math.sqrt(average) + eps)
        else:
            yield alpha


def adamax(gradients, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    largest = 0.0
    for t, g in enumerate(gradients, start=1):
        largest = max(beta2 * largest, abs(g) + eps)
        yield alpha / ((1 - beta1**t) * largest)


def adadelta(gradients, alpha, rho=0.9, eps=1e-6):
    squared_gradients, squared_steps = 0.0, 0.0
    for g in gradients:
        squared_gradients = rho * squared_gradients + (1 - rho) * g * g
        scale = math.sqrt(squared_steps + eps) / math.sqrt(squared_gradients + eps)
        squared_steps = rho * squared_steps + (1 - rho) * (scale * g) ** 2
        yield alpha * scale


def fixed(gradients, alpha, momentum=None):
    for _ in gradients:
        yield alpha


RULES = {
    "gd": fixed,
    "momentum": fixed,
    "nesterov": fixed,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "amsgrad": lambda gradients, alpha, **settings: adam(gradients, alpha, amsgrad=True, **settings),
    "nadam": nadam,
    "radam": radam,
    "adamax": adamax,
    "adadelta": adadelta,
}
DEFAULT_ALPHA = {id: optimisers.REGISTRY[id].hyperparameter("alpha").default for id in RULES}


def test_every_torch_optimiser_but_adamw_has_a_rule_written_out_here():
    # AdamW's lr is Adam's: its decay acts on w, not on the learning rate (checked against torch in the goldens).
    assert set(RULES) | {"adamw"} == {case["optimiser"] for case in CASES}


@pytest.mark.parametrize(
    "case",
    [case for case in CASES if case["optimiser"] in RULES],
    ids=lambda case: f"{case['key']}-{case['optimiser']}-{case['loss']}",
)
def test_recorded_lr_is_the_papers_effective_learning_rate(case):
    id, settings = case["optimiser"], case["hyperparameters"]
    trajectory = optimisers.simulate(
        losses.get(case["loss"]), optimisers.create(id, **settings), np.reshape(case["starts"], (-1, 1)), STEPS
    )
    for run, start in enumerate(case["starts"]):
        points = [start, *trajectory.x[1:STEPS, run, 0]]
        gradients = [GRADIENTS[case["loss"]](float(x)) for x in points]
        written_out = list(RULES[id](gradients, **{"alpha": DEFAULT_ALPHA[id], **settings}))
        np.testing.assert_allclose(trajectory.lr[:, run, 0], written_out, rtol=1e-9)
