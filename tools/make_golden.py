"""Golden trajectories from the reference implementations the numpy optimisers are tested against.

    .venv/bin/python tools/make_golden.py

writes tests/golden/torch_optim.json (the cases) and tests/golden/torch_optim.npz (their points) for
the 1-D losses, torch_optim_2d.json and torch_optim_2d.npz for the 2-D ones, from torch.optim;
torch_schedules.json and torch_schedules.npz for every optimiser of torch.optim under every learning-rate
schedule, on 1-D and 2-D losses; torch_data.json and .npz for optimisers on the losses fitted to data, and
torch_data_derivatives.json and .npz for those losses' values, gradients and Hessians by torch autograd; and
reference_optimisers.json/.npz and reference_optimisers_2d.json/.npz for the optimisers whose reference
is another library (pytorch_optimizer 4.1.0, schedulefree 1.4.1, prodigyopt 1.1.2) or a newer torch.optim
class (Adafactor, Rprop). torch and those libraries are installed by hand, needed only here, in tests
that skip without them, and in bench/; never at run time.

The mapping from our ids and hyperparameter names to each reference, and the gradients of the
article's functions, are written here from the references' documentation and the article, not taken
from our code, so that the golden files are a reference nobody here wrote.
"""

from __future__ import annotations

import copy
import csv
import importlib
import importlib.metadata
import inspect
import json
import math
from pathlib import Path

import numpy as np
import torch

STEPS = 100
STEPS_2D = 150
GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"
# A start is kept only if noise added at every step grows by less than this factor over the run:
# rounding differences between two correct implementations (about 1e-16 a step) then stay far below 1e-9.
MAX_AMPLIFICATION = 1e3
# Prodigy estimates d from its first steps, of size d₀·α (1e-6 by default): the jitter is then 1e-4 of a
# step where rounding is 1e-16 of it, and overstates by far how rounding grows (the starts it keeps below
# this agree with the reference to 3e-13); some above it differ by more than 1e-9.
MAX_AMPLIFICATION_BY_ID = {"prodigy": 1e8}
JITTER = 1e-10
BOUND = 1e6

torch.set_num_threads(1)
# torch keeps scalar state (NAdam's μ product, the step count) in the default dtype, float32 unless set.
torch.set_default_dtype(torch.float64)

# Our id → the torch.optim class and the fixed arguments that select the variant.
TORCH_CLASSES = {
    "gd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {}),
    "nesterov": (torch.optim.SGD, {"nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "adam": (torch.optim.Adam, {}),
    "amsgrad": (torch.optim.Adam, {"amsgrad": True}),
    "adamw": (torch.optim.AdamW, {}),
    "nadam": (torch.optim.NAdam, {}),
    "radam": (torch.optim.RAdam, {}),
    "adamax": (torch.optim.Adamax, {}),
    "adadelta": (torch.optim.Adadelta, {}),
}
# Our hyperparameter names that torch spells differently; beta1 and beta2 become the pair `betas`.
TORCH_NAMES = {"alpha": "lr", "beta": "alpha"}

# Our id → the reference's module and class, for the optimisers checked against other references.
# Some couple a parameter's coordinates (Prodigy's d, Adafactor's RMS), so every start is a parameter
# tensor of its own, with an optimiser of its own.
REFERENCE_CLASSES = {
    "lion": ("pytorch_optimizer", "Lion"),
    "adabelief": ("pytorch_optimizer", "AdaBelief"),
    "adopt": ("pytorch_optimizer", "ADOPT"),
    "adafactor": ("torch.optim", "Adafactor"),
    "schedulefree_adamw": ("schedulefree", "AdamWScheduleFree"),
    "prodigy": ("prodigyopt", "Prodigy"),
    "rprop": ("torch.optim", "Rprop"),
}
# Our names that these references take as pairs, each pair's missing half from the reference's default.
REFERENCE_PAIRS = {
    "betas": ("beta1", "beta2"),
    "eps": ("eps1", "eps2"),  # Adafactor: (ε₁, ε₂)
    "etas": ("eta_minus", "eta_plus"),  # Rprop
    "step_sizes": ("step_min", "step_max"),  # Rprop
}


def planar(gradient):
    """A gradient written as (∂f/∂x, ∂f/∂y) of two tensors, taking and returning points (..., 2)."""
    return lambda point: torch.stack(gradient(point[..., 0], point[..., 1]), dim=-1)


# The ravine at its defaults κ = 20, θ = 30°: f = (u² + κv²)/2 with u = x cosθ + y sinθ, v = −x sinθ + y cosθ.
RAVINE_CONDITION = 20.0
RAVINE_COS, RAVINE_SIN = math.cos(math.radians(30.0)), math.sin(math.radians(30.0))

GRADIENTS = {
    "quartic": lambda x: 4 * x**3 - 4 * x + 1,  # f = x⁴ − 2x² + x
    "wavy": lambda x: 4 * x**3 - 12 * x**2 + 8 * x + 6 * torch.cos(12 * x),  # f = (x² − 2x)² + sin(12x)/2
    # f = (1 − x)² + 100(y − x²)²
    "rosenbrock": planar(lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))),
    # f = (x² + y − 11)² + (x + y² − 7)²
    "himmelblau": planar(
        lambda x, y: (
            4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
            2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7),
        )
    ),
    # f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²
    "beale": planar(
        lambda x, y: (
            2 * (1.5 - x + x * y) * (y - 1)
            + 2 * (2.25 - x + x * y**2) * (y**2 - 1)
            + 2 * (2.625 - x + x * y**3) * (y**3 - 1),
            2 * (1.5 - x + x * y) * x + 4 * (2.25 - x + x * y**2) * x * y + 6 * (2.625 - x + x * y**3) * x * y**2,
        )
    ),
    # f = (x + 2y − 7)² + (2x + y − 5)²
    "booth": planar(
        lambda x, y: (2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5))
    ),
    "saddle": planar(lambda x, y: (2 * x, -2 * y)),  # f = x² − y²
    # f = 20 + x² − 10cos(2πx) + y² − 10cos(2πy)
    "rastrigin": planar(
        lambda x, y: (
            2 * x + 20 * math.pi * torch.sin(2 * math.pi * x),
            2 * y + 20 * math.pi * torch.sin(2 * math.pi * y),
        )
    ),
    # f = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²
    "six_hump_camel": planar(lambda x, y: (8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3)),
    # ∂f/∂x = u cosθ − κv sinθ, ∂f/∂y = u sinθ + κv cosθ
    "ravine": planar(
        lambda x, y: (
            (x * RAVINE_COS + y * RAVINE_SIN) * RAVINE_COS
            - RAVINE_CONDITION * (-x * RAVINE_SIN + y * RAVINE_COS) * RAVINE_SIN,
            (x * RAVINE_COS + y * RAVINE_SIN) * RAVINE_SIN
            + RAVINE_CONDITION * (-x * RAVINE_SIN + y * RAVINE_COS) * RAVINE_COS,
        )
    ),
}


def data_columns(name: str) -> dict[str, list[str]]:
    """A CSV file of losses/data, read here rather than through our code."""
    with open(GOLDEN.parent.parent / "losses" / "data" / f"{name}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    return {column: [row[column] for row in rows] for column in rows[0]}


def population_standardised(values: torch.Tensor) -> torch.Tensor:
    return (values - values.mean()) / values.std(correction=0)


def faithful_loss(standardise: bool):
    """Mean squared error of waiting ≈ w·duration + b over Old Faithful's eruptions, for points (..., 2)."""
    columns = data_columns("faithful")
    duration = torch.tensor([float(v) for v in columns["duration"]])
    waiting = torch.tensor([float(v) for v in columns["waiting"]])
    feature = population_standardised(duration) if standardise else duration
    return lambda p: ((p[..., :1] * feature + p[..., 1:] - waiting) ** 2).mean(dim=-1)


def iris_logistic_loss():
    """Mean cross-entropy of logistic regression, virginica (+1) against versicolor (−1), on the standardised
    petal length and width, for weights (..., 2)."""
    columns = data_columns("iris")
    chosen = [i for i, name in enumerate(columns["species"]) if name in ("versicolor", "virginica")]
    features = torch.stack(
        [
            population_standardised(torch.tensor([float(columns[c][i]) for i in chosen]))
            for c in ("petal_length", "petal_width")
        ],
        dim=-1,
    )
    labels = torch.tensor([1.0 if columns["species"][i] == "virginica" else -1.0 for i in chosen])
    return lambda p: torch.nn.functional.softplus(-labels * (p @ features.T)).mean(dim=-1)


# The losses fitted to data: our id and settings → the loss written with torch.
DATA_LOSSES = {
    ("faithful", 0.0): faithful_loss(False),
    ("faithful", 1.0): faithful_loss(True),
    ("iris_logistic", None): iris_logistic_loss(),
}


def autograd_gradient(loss):
    def gradient(point: torch.Tensor) -> torch.Tensor:
        point = point.detach().requires_grad_(True)
        return torch.autograd.grad(loss(point).sum(), point)[0]

    return gradient


GRADIENTS["faithful"] = autograd_gradient(DATA_LOSSES["faithful", 0.0])
GRADIENTS["iris_logistic"] = autograd_gradient(DATA_LOSSES["iris_logistic", None])
STARTS_DATA = {
    "faithful": [[0.0, 0.0], [20.0, 70.0], [-4.0, 10.0]],
    "iris_logistic": [[-4.0, 8.0], [0.0, 0.0], [9.0, -4.0]],
}
SETTINGS_DATA = {
    "faithful": {
        "gd": [{"alpha": 0.01}],
        "momentum": [{"alpha": 0.002, "momentum": 0.9}],
        "rmsprop": [{"alpha": 0.5}],
        "adam": [{"alpha": 1.0}],
        "adagrad": [{"alpha": 5.0}],
    },
    "iris_logistic": {
        "gd": [{"alpha": 2.0}],
        "nesterov": [{"alpha": 0.5, "momentum": 0.9}],
        "rmsprop": [{"alpha": 0.1}],
        "adam": [{"alpha": 0.3}],
        "adadelta": [{}],
    },
}


def write_data_derivatives() -> None:
    """torch_data_derivatives: each data loss's value, gradient and Hessian at seeded points of its domain."""
    points = torch.Generator().manual_seed(0)
    cases, arrays = [], {}
    for (id, setting), loss in DATA_LOSSES.items():
        key = f"{id}_{len(cases)}"
        at = torch.rand(12, 2, generator=points) * torch.tensor([30.0, 90.0]) + torch.tensor([-5.0, -10.0])
        at = at if id == "faithful" else torch.rand(12, 2, generator=points) * 15 - 5
        arrays[f"{key}_points"] = at.numpy()
        arrays[f"{key}_values"] = loss(at).numpy()
        arrays[f"{key}_gradients"] = autograd_gradient(loss)(at).numpy()
        arrays[f"{key}_hessians"] = torch.stack([torch.autograd.functional.hessian(loss, p) for p in at]).numpy()
        cases.append({"key": key, "loss": id, "settings": {} if setting is None else {"standardise": setting}})
    (GOLDEN / "torch_data_derivatives.json").write_text(
        json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n"
    )
    np.savez_compressed(GOLDEN / "torch_data_derivatives.npz", **arrays)
    print(f"wrote {len(cases)} data losses' derivatives to {GOLDEN / 'torch_data_derivatives'}.json and .npz")


STARTS = {"quartic": [-2.0, -0.5, 0.1, 0.3, 1.5], "wavy": [-1.0, 0.5, 1.2, 2.4]}

# Per optimiser: {} (our defaults, which must be torch's) and non-default settings in our names.
SETTINGS = {
    "gd": [{}, {"alpha": 0.01}, {"alpha": 0.05}, {"alpha": 0.1}],
    "momentum": [
        {"alpha": 0.01, "momentum": 0.9},
        {"alpha": 0.005, "momentum": 0.5},
        {"alpha": 0.002, "momentum": 0.99},
    ],
    "nesterov": [
        {"alpha": 0.01, "momentum": 0.9},
        {"alpha": 0.005, "momentum": 0.5},
        {"alpha": 0.002, "momentum": 0.99},
    ],
    "adagrad": [{}, {"alpha": 0.1}, {"alpha": 0.3, "eps": 1e-3}, {"alpha": 0.05, "eps": 0.1}],
    "rmsprop": [
        {},
        {"alpha": 0.01, "beta": 0.9},
        {"alpha": 0.1, "beta": 0.5, "eps": 1e-4},
        {"alpha": 0.01, "eps": 0.1},
    ],
    "adam": [
        {},
        {"alpha": 0.05},
        {"alpha": 0.02, "beta1": 0.8, "beta2": 0.9, "eps": 1e-4},
        {"alpha": 0.02, "beta1": 0.95, "beta2": 0.99, "eps": 1e-3},
    ],
    "amsgrad": [{}, {"alpha": 0.05}, {"alpha": 0.03, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6}],
    "adamw": [
        {},
        {"alpha": 0.05, "weight_decay": 0.1},
        {"alpha": 0.02, "beta1": 0.8, "beta2": 0.99, "weight_decay": 1.0},
    ],
    "nadam": [{}, {"alpha": 0.05}, {"alpha": 0.03, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}],
    "radam": [{}, {"alpha": 0.05}, {"alpha": 0.03, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6}],
    "adamax": [{}, {"alpha": 0.05}, {"alpha": 0.03, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4}],
    "adadelta": [{}, {"alpha": 0.5, "rho": 0.95, "eps": 1e-4}, {"alpha": 1.5, "rho": 0.5, "eps": 1e-3}],
}

STARTS_2D = {
    "rosenbrock": [[-1.2, 1.0], [0.5, -0.5], [1.5, 2.5]],
    "himmelblau": [[0.0, 0.0], [-4.0, 4.0], [1.0, -4.0]],
    "beale": [[1.0, 1.0], [2.0, -1.0], [-1.0, 1.5]],
    "booth": [[-5.0, 5.0], [0.0, 0.0], [8.0, -8.0]],
    "saddle": [[1.5, 0.0], [1.0, 0.2], [-1.5, -0.05]],
    "rastrigin": [[0.3, -0.4], [2.2, 1.7], [-3.5, 4.1]],
    "six_hump_camel": [[0.5, 0.5], [-2.0, -1.0], [1.5, 1.2]],
    "ravine": [[-1.5, 1.0], [1.8, -1.5], [0.5, 1.5]],
}

# Per 2-D loss and optimiser, settings in our names. Plain and momentum steps scale with the gradient, so
# their α is small where the loss is steep; the adaptive methods move about α a step whatever the slope.
SETTINGS_2D = {
    "rosenbrock": {
        "gd": [{"alpha": 1e-3}, {"alpha": 2e-4}],
        "momentum": [{"alpha": 2e-4, "momentum": 0.9}],
        "nesterov": [{"alpha": 2e-4, "momentum": 0.9}],
        "adagrad": [{"alpha": 0.1}],
        "rmsprop": [{"alpha": 0.005}],
        "adam": [{}, {"alpha": 0.05}],
    },
    "himmelblau": {
        "gd": [{"alpha": 0.01}, {"alpha": 0.002}],
        "momentum": [{"alpha": 0.002, "momentum": 0.8}],
        "adagrad": [{"alpha": 0.5, "eps": 1e-3}],
        "rmsprop": [{"alpha": 0.02}],
        "adam": [{"alpha": 0.1}],
        "amsgrad": [{"alpha": 0.1}],
    },
    "beale": {
        "gd": [{"alpha": 1e-4}, {"alpha": 1e-3}],
        "momentum": [{"alpha": 1e-4, "momentum": 0.9}],
        "adagrad": [{"alpha": 0.1}],
        "rmsprop": [{"alpha": 0.005}],
        "adam": [{"alpha": 0.02, "beta1": 0.8, "beta2": 0.99}],
        "adamw": [{"alpha": 0.05, "weight_decay": 0.1}],
    },
    "booth": {
        "gd": [{"alpha": 0.01}, {"alpha": 0.05}],
        "momentum": [{"alpha": 0.01, "momentum": 0.9}],
        "adagrad": [{"alpha": 1.0}],
        "rmsprop": [{"alpha": 0.02, "beta": 0.9}],
        "adam": [{"alpha": 0.2}],
        "nadam": [{"alpha": 0.2}],
    },
    "saddle": {
        "gd": [{"alpha": 0.01}, {"alpha": 0.005}],
        "momentum": [{"alpha": 0.005, "momentum": 0.5}],
        "adagrad": [{"alpha": 0.05}],
        "rmsprop": [{"alpha": 0.005}],
        "adam": [{}, {"alpha": 0.01}],
        "radam": [{"alpha": 0.01}],
    },
    "rastrigin": {
        "gd": [{"alpha": 1e-3}, {"alpha": 2e-3}],
        "momentum": [{"alpha": 5e-4, "momentum": 0.9}],
        "adagrad": [{"alpha": 0.1}],
        "rmsprop": [{"alpha": 0.01}],
        "adam": [{"alpha": 0.02}],
        "adamax": [{"alpha": 0.02}],
    },
    "six_hump_camel": {
        "gd": [{"alpha": 0.01}, {"alpha": 0.03}],
        "momentum": [{"alpha": 0.01, "momentum": 0.9}],
        "adagrad": [{"alpha": 0.2}],
        "rmsprop": [{"alpha": 0.01}],
        "adam": [{"alpha": 0.05, "beta1": 0.95, "beta2": 0.99}],
        "adadelta": [{"alpha": 1.0}],
    },
    "ravine": {
        "gd": [{"alpha": 0.02}, {"alpha": 0.09}],
        "momentum": [{"alpha": 0.02, "momentum": 0.9}],
        "nesterov": [{"alpha": 0.02, "momentum": 0.9}],
        "adagrad": [{"alpha": 0.5, "eps": 0.1}],
        "rmsprop": [{"alpha": 0.02}],
        "adam": [{"alpha": 0.05}],
        "adadelta": [{"alpha": 1.0, "rho": 0.95, "eps": 1e-4}],
    },
}


REFERENCE_PACKAGES = ("pytorch_optimizer", "schedulefree", "prodigyopt")

# The same for the other references: defaults, and settings varied one or several at a time.
REFERENCE_SETTINGS = {
    "lion": [
        {},
        {"alpha": 0.01},
        {"alpha": 0.03, "beta1": 0.8, "beta2": 0.9},
        {"alpha": 0.005, "beta1": 0.95, "beta2": 0.999, "weight_decay": 0.5},
    ],
    "adabelief": [
        {},
        {"alpha": 0.05},
        {"alpha": 0.02, "beta1": 0.8, "beta2": 0.9, "eps": 1e-8},
        {"alpha": 0.03, "beta1": 0.95, "beta2": 0.99, "eps": 1e-4, "weight_decay": 0.1},
    ],
    "adopt": [
        {},
        {"alpha": 0.05},
        {"alpha": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-3},
        {"alpha": 0.03, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1},
    ],
    "adafactor": [
        {},
        {"alpha": 0.1},
        {"alpha": 0.05, "beta2_decay": -0.5, "eps2": 0.1, "d": 2.0},
        {"alpha": 0.03, "beta2_decay": -1.0, "eps1": 1e-6, "d": 1.5, "weight_decay": 0.1},
    ],
    "schedulefree_adamw": [
        {},
        {"alpha": 0.05},
        {"alpha": 0.02, "beta1": 0.5, "beta2": 0.99, "warmup_steps": 10.0},
        {"alpha": 0.03, "beta1": 0.95, "eps": 1e-4, "warmup_steps": 2.5, "weight_decay": 0.1},
    ],
    "prodigy": [
        {},
        {"alpha": 0.5, "d0": 1e-3},
        {"beta1": 0.8, "beta2": 0.99, "d_coef": 0.5, "eps": 1e-6},
        {"beta3_from_beta2": False, "beta3": 0.9, "d_coef": 2.0, "weight_decay": 0.1},
    ],
    "rprop": [
        {},
        {"alpha": 0.1},
        {"alpha": 0.05, "eta_minus": 0.3, "eta_plus": 1.5},
        {"alpha": 0.001, "eta_minus": 0.7, "eta_plus": 1.1, "step_min": 1e-3, "step_max": 0.2},
    ],
}
REFERENCE_SETTINGS_2D = {
    "rosenbrock": {
        "lion": [{"alpha": 0.01}],
        "adabelief": [{"alpha": 0.05}],
        "adopt": [{"alpha": 0.02}],
        "adafactor": [{"alpha": 0.05}],
        "schedulefree_adamw": [{"alpha": 0.01, "warmup_steps": 20.0}],
        "prodigy": [{}],
        "rprop": [{"alpha": 0.01}],
    },
    "himmelblau": {
        "lion": [{"alpha": 0.05, "beta1": 0.8}],
        "adabelief": [{"alpha": 0.1, "eps": 1e-8}],
        "adopt": [{"alpha": 0.1, "beta2": 0.99}],
        "adafactor": [{}, {"alpha": 0.03, "eps2": 0.01}],
        "schedulefree_adamw": [{"alpha": 0.1}],
        "prodigy": [{"d_coef": 0.5}],
        "rprop": [{}],
    },
    "ravine": {
        "lion": [{"alpha": 0.02}],
        "adafactor": [{"alpha": 0.05, "beta2_decay": -0.6}],
        "schedulefree_adamw": [{"alpha": 0.05, "beta1": 0.8}],
        "prodigy": [{"d0": 1e-4}],
        "rprop": [{"alpha": 0.05, "eta_plus": 1.3}],
    },
}
# Learning-rate schedules in our names (id, settings), for every optimiser; the settings are nobody's defaults.
SCHEDULES = [
    ("step", {"step_size": 7, "gamma": 0.6}),
    ("exponential", {"gamma": 0.97}),
    ("cosine", {"t_max": 40, "min_factor": 0.1}),
    ("warmup_cosine", {"warmup": 8, "t_max": 60, "min_factor": 0.02}),
    ("one_cycle", {"pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0}),
]
SCHEDULE_LOSSES_2D = ("ravine", "himmelblau", "rosenbrock")


def torch_scheduler(optimiser: torch.optim.Optimizer, schedule: tuple[str, dict], steps: int):
    """The torch.optim.lr_scheduler equivalent to our schedule (id, settings) over `steps` steps."""
    schedulers = torch.optim.lr_scheduler
    id, settings = schedule
    alpha = optimiser.param_groups[0]["lr"]
    if id == "step":
        return schedulers.StepLR(optimiser, step_size=settings["step_size"], gamma=settings["gamma"])
    if id == "exponential":
        return schedulers.ExponentialLR(optimiser, gamma=settings["gamma"])
    if id == "cosine":
        return schedulers.CosineAnnealingLR(optimiser, T_max=settings["t_max"], eta_min=alpha * settings["min_factor"])
    if id == "warmup_cosine":
        warmup = settings["warmup"]
        return schedulers.SequentialLR(
            optimiser,
            [
                schedulers.LinearLR(optimiser, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup),
                schedulers.CosineAnnealingLR(
                    optimiser, T_max=settings["t_max"], eta_min=alpha * settings["min_factor"]
                ),
            ],
            milestones=[warmup],
        )
    if id == "one_cycle":
        return schedulers.OneCycleLR(
            optimiser,
            max_lr=alpha,
            total_steps=steps,
            pct_start=settings["pct_start"],
            div_factor=settings["div_factor"],
            final_div_factor=settings["final_div_factor"],
            cycle_momentum=False,
        )
    raise ValueError(f"no torch scheduler for {id!r}")


def torch_arguments(id: str, settings: dict[str, float]) -> tuple[type[torch.optim.Optimizer], dict]:
    """The torch.optim class and keyword arguments equivalent to our optimiser `id` with `settings`."""
    cls, fixed = TORCH_CLASSES[id]
    arguments = dict(fixed)
    if "beta1" in settings or "beta2" in settings:
        arguments["betas"] = (settings.get("beta1", 0.9), settings.get("beta2", 0.999))
    for name, value in settings.items():
        if name not in ("beta1", "beta2"):
            arguments[TORCH_NAMES.get(name, name)] = value
    return cls, arguments


def reference_arguments(id: str, settings: dict) -> tuple[type[torch.optim.Optimizer], dict]:
    """The reference class and keyword arguments equivalent to our optimiser `id` with `settings`."""
    module, name = REFERENCE_CLASSES[id]
    cls = getattr(importlib.import_module(module), name)
    defaults = {name: p.default for name, p in inspect.signature(cls).parameters.items()}
    arguments, settings = {}, dict(settings)
    if not settings.pop("beta3_from_beta2", True):
        arguments["beta3"] = settings.pop("beta3")  # Prodigy: β₃ = √β₂ (its None) unless set
    settings.pop("beta3", None)
    for pair, (first, second) in REFERENCE_PAIRS.items():
        if first in settings or second in settings:
            arguments[pair] = (settings.pop(first, defaults[pair][0]), settings.pop(second, defaults[pair][1]))
    for name, value in settings.items():
        arguments["lr" if name == "alpha" else name] = value
    return cls, arguments


def reference_optimiser(id: str, settings: dict, param: torch.Tensor) -> torch.optim.Optimizer:
    cls, arguments = reference_arguments(id, settings)
    optimiser = cls([param], **arguments)
    if id == "schedulefree_adamw":
        optimiser.train()  # its steps are taken in train mode, at y
    return optimiser


def averaged_point(optimiser: torch.optim.Optimizer) -> torch.Tensor:
    """Schedule-Free's averaged point x, as its eval() sets the parameter to, leaving `optimiser` alone."""
    evaluated = copy.deepcopy(optimiser)
    evaluated.eval()
    return evaluated.param_groups[0]["params"][0].detach().clone()


def torch_trajectory(
    id: str,
    settings: dict,
    loss: str,
    starts,
    steps: int = STEPS,
    jitter: float = 0.0,
    averaged: bool = False,
    schedule: tuple[str, dict] | None = None,
) -> np.ndarray:
    """The points the reference visits from each start, with the analytic gradient: (steps+1, len(starts)),
    with a last axis of 2 for 2-D starts. With `averaged`, Schedule-Free's averaged points x instead.

    `jitter` > 0 adds seeded noise of that size to the point after every step (see `well_behaved`).
    A `schedule` (id, settings) steps its torch scheduler after every optimiser step.
    """
    if id in REFERENCE_CLASSES:
        return _separate_trajectories(id, settings, loss, starts, steps, jitter, averaged)
    cls, arguments = torch_arguments(id, settings)
    # Each optimiser acts elementwise, so one tensor holds every start.
    param = torch.nn.Parameter(torch.tensor(starts, dtype=torch.float64))
    optimiser = cls([param], **arguments)
    scheduler = torch_scheduler(optimiser, schedule, steps) if schedule else None
    noise = torch.Generator().manual_seed(0)
    points = [param.detach().clone()]
    for _ in range(steps):
        param.grad = GRADIENTS[loss](param.detach())
        optimiser.step()
        if scheduler:
            scheduler.step()
        if jitter:
            with torch.no_grad():
                param.add_(jitter * torch.randn(param.shape, generator=noise))
        points.append(param.detach().clone())
    return torch.stack(points).numpy()


def _separate_trajectories(
    id: str, settings: dict, loss: str, starts, steps: int, jitter: float, averaged: bool
) -> np.ndarray:
    """torch_trajectory with a parameter and an optimiser per start."""
    shape = np.shape(starts)
    params = [torch.nn.Parameter(torch.tensor(np.reshape(start, -1), dtype=torch.float64)) for start in starts]
    optimisers = [reference_optimiser(id, settings, param) for param in params]
    noise = torch.Generator().manual_seed(0)

    def points() -> np.ndarray:
        if averaged:
            return np.array([averaged_point(optimiser).numpy() for optimiser in optimisers]).reshape(shape)
        return np.array([param.detach().numpy() for param in params]).reshape(shape)

    visited = [points()]
    for _ in range(steps):
        for param, optimiser in zip(params, optimisers, strict=True):
            param.grad = GRADIENTS[loss](param.detach())
            optimiser.step()
        if jitter:
            with torch.no_grad():
                kicks = jitter * torch.randn((len(params), *params[0].shape), generator=noise)
                for param, kick in zip(params, kicks, strict=True):
                    param.add_(kick)
        visited.append(points())
    return np.stack(visited)


def well_behaved(
    id: str, settings: dict[str, float], loss: str, starts, steps: int = STEPS, schedule: tuple[str, dict] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which starts stay finite and within BOUND, and how much each amplifies a tiny noise.

    Perturbing x0 alone is not enough: a run can converge to the same floating-point number from
    nearby starts and only then become unstable (RMSProp at a minimum, where v decays and its steps
    grow), so the noise is added at every step, standing in for rounding.
    """
    # (steps+1, starts, coordinates) for 1-D and 2-D starts alike, so that each start is judged as a whole.
    points = torch_trajectory(id, settings, loss, starts, steps, schedule=schedule).reshape(steps + 1, len(starts), -1)
    jittered = torch_trajectory(id, settings, loss, starts, steps, JITTER, schedule=schedule).reshape(points.shape)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(points).all(axis=(0, 2)) & (np.abs(points) <= BOUND).all(axis=(0, 2))
        amplification = np.abs(jittered - points).max(axis=(0, 2)) / JITTER
    return finite & (amplification <= MAX_AMPLIFICATION_BY_ID.get(id, MAX_AMPLIFICATION)), amplification


def describe(cls: type, arguments: dict, module: str = "torch.optim") -> str:
    return f"{module}.{cls.__name__}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


def write_golden(name: str, runs: list[tuple[str, dict[str, float], str, list, tuple | None]], steps: int) -> None:
    """Write GOLDEN/name.json and .npz: a case per (id, settings, loss, starts, schedule) of `runs`, less
    chaotic starts. A Schedule-Free case also stores its averaged points x, under its key + "_x_average"."""
    cases, points, dropped = [], {}, []
    for id, settings, loss, starts, schedule in runs:
        keep, amplification = well_behaved(id, settings, loss, starts, steps, schedule)
        label = f"{id} {settings or 'defaults'} on {loss}" + (f" with {schedule}" if schedule else "")
        for start, kept, factor in zip(starts, keep, amplification, strict=True):
            if not kept:
                dropped.append(f"{label} from {start}: noise grows ×{factor:.3g}")
        if not keep.any():
            continue
        kept = [s for s, k in zip(starts, keep, strict=True) if k]
        key = f"case{len(cases):03d}"
        points[key] = torch_trajectory(id, settings, loss, kept, steps, schedule=schedule)
        if id == "schedulefree_adamw":
            points[f"{key}_x_average"] = torch_trajectory(id, settings, loss, kept, steps, averaged=True)
        case = {"key": key, "optimiser": id, "hyperparameters": settings, "loss": loss, "starts": kept}
        if schedule:
            case["schedule"] = {"id": schedule[0], "settings": schedule[1]}
        if id in REFERENCE_CLASSES:
            cls, arguments = reference_arguments(id, settings)
            case["reference"] = describe(cls, arguments, REFERENCE_CLASSES[id][0])
        else:
            case["torch"] = describe(*torch_arguments(id, settings))
        cases.append(case)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    header = {"torch": torch.__version__, "steps": steps, "dtype": "float64"}
    if any(id in REFERENCE_CLASSES for id, *_ in runs):
        header["references"] = {package: importlib.metadata.version(package) for package in REFERENCE_PACKAGES}
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases)
    (GOLDEN / f"{name}.json").write_text(json.dumps(header)[:-1] + ', "cases": [\n' + lines + "\n]}\n")
    np.savez_compressed(GOLDEN / f"{name}.npz", **points)
    total = sum(len(case["starts"]) for case in cases)
    print(f"wrote {len(cases)} cases, {total} runs of {steps} steps to {GOLDEN / name}.json and .npz")
    print("dropped (chaotic or divergent):" if dropped else "dropped nothing")
    for line in dropped:
        print("  " + line)


def every_setting_on_every_loss(settings_by_id: dict[str, list[dict]]) -> list[tuple]:
    """Each optimiser with each of its settings, from the 1-D losses' starts, without a schedule."""
    return [
        (id, settings, loss, starts, None)
        for id, settings_list in settings_by_id.items()
        for settings in settings_list
        for loss, starts in STARTS.items()
    ]


def each_loss_with_its_settings(
    settings_by_loss: dict[str, dict[str, list[dict]]], starts_by_loss: dict
) -> list[tuple]:
    """Each loss with the settings of each optimiser listed for it, from its starts, without a schedule."""
    return [
        (id, settings, loss, starts_by_loss[loss], None)
        for loss, settings_by_id in settings_by_loss.items()
        for id, settings_list in settings_by_id.items()
        for settings in settings_list
    ]


def main() -> None:
    write_golden("reference_optimisers", every_setting_on_every_loss(REFERENCE_SETTINGS), STEPS)
    write_golden("reference_optimisers_2d", each_loss_with_its_settings(REFERENCE_SETTINGS_2D, STARTS_2D), STEPS_2D)
    write_golden("torch_optim", every_setting_on_every_loss(SETTINGS), STEPS)
    write_golden("torch_optim_2d", each_loss_with_its_settings(SETTINGS_2D, STARTS_2D), STEPS_2D)
    # Every optimiser with its last settings on the 1-D losses, and with its first on some 2-D ones.
    write_golden(
        "torch_schedules",
        [
            (id, settings_list[-1], loss, starts, schedule)
            for id, settings_list in SETTINGS.items()
            for schedule in SCHEDULES
            for loss, starts in STARTS.items()
        ]
        + [
            (id, settings_list[0], loss, STARTS_2D[loss], schedule)
            for loss in SCHEDULE_LOSSES_2D
            for id, settings_list in SETTINGS_2D[loss].items()
            for schedule in SCHEDULES
        ],
        STEPS,
    )
    write_golden("torch_data", each_loss_with_its_settings(SETTINGS_DATA, STARTS_DATA), STEPS)
    write_data_derivatives()


if __name__ == "__main__":
    main()
