"""What a user can take away from a run: the trajectories as CSV, and a PyTorch script."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np
import plotly.io
import sympy as sp
from sympy.printing.pytorch import torch_code

from config import Run
from losses import Loss
from optimisers import REGISTRY, Trajectory

# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection): such a text cell gets a leading '.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _adam_family(h: dict, **extra) -> dict:
    return {"lr": h["alpha"], "betas": (h["beta1"], h["beta2"]), "eps": h["eps"], **extra}


# How each optimiser is made with torch.optim: the class and its arguments from our settings.
_TORCH_CONSTRUCTORS = {
    "gd": ("SGD", lambda h: {"lr": h["alpha"]}),
    "momentum": ("SGD", lambda h: {"lr": h["alpha"], "momentum": h["momentum"]}),
    "nesterov": ("SGD", lambda h: {"lr": h["alpha"], "momentum": h["momentum"], "nesterov": True}),
    "adagrad": ("Adagrad", lambda h: {"lr": h["alpha"], "eps": h["eps"]}),
    "rmsprop": ("RMSprop", lambda h: {"lr": h["alpha"], "alpha": h["beta"], "eps": h["eps"]}),
    "adam": ("Adam", _adam_family),
    "amsgrad": ("Adam", lambda h: _adam_family(h, amsgrad=True)),
    "adamw": ("AdamW", lambda h: _adam_family(h, weight_decay=h["weight_decay"])),
    "nadam": ("NAdam", _adam_family),
    "radam": ("RAdam", _adam_family),
    "adamax": ("Adamax", _adam_family),
    "adadelta": ("Adadelta", lambda h: {"lr": h["alpha"], "rho": h["rho"], "eps": h["eps"]}),
}


def torch_equivalent(run: Run) -> bool:
    """Whether torch.optim has this run's exact algorithm: every option at its default, which is
    torch's form (the article's variants it has not)."""
    defaults = {option.name: option.default for option in REGISTRY[run.optimiser].options}
    return all(defaults[name] == value for name, value in run.options.items())


def pytorch_script(loss: Loss, run: Run, steps: int) -> str:
    """A standalone script that reproduces `run` with torch.optim and prints every point."""
    class_name, arguments = _TORCH_CONSTRUCTORS[run.optimiser]
    argument_text = ", ".join(f"{name}={value!r}" for name, value in arguments(run.hyperparameters).items())
    variables = ", ".join(str(v) for v in loss.variables)
    unpack = f"    {variables}, = w\n" if loss.dim > 1 else f"    {variables} = w[0]\n"
    # torch's functions take tensors, not numbers: a function of a constant, such as log(10), is folded.
    expression = loss.expression.replace(lambda e: isinstance(e, sp.Function) and e.is_number, lambda e: e.evalf(17))
    return (
        f"# {run.label!r}: {run.optimiser} on f = {loss.expression} for {steps} steps, with torch.optim.\n"
        "import torch\n\n\n"
        "def loss(w):\n"
        f"{unpack}"
        f"    return {torch_code(expression)}\n\n\n"
        f"w = torch.tensor({list(run.x0)!r}, dtype=torch.float64, requires_grad=True)\n"
        f"optimiser = torch.optim.{class_name}([w], {argument_text})\n"
        "print(0, w.tolist())\n"
        f"for step in range(1, {steps} + 1):\n"
        "    optimiser.zero_grad()\n"
        "    loss(w).backward()\n"
        "    optimiser.step()\n"
        "    print(step, w.tolist())\n"
    )


def trajectories_csv(labels: Sequence[str], optimiser_ids: Sequence[str], trajectories: Sequence[Trajectory]) -> str:
    """Every recorded field, one row per run and step; empty cells where a field has no value."""
    state_names = sorted({name for t in trajectories for name in t.state})
    dim = trajectories[0].x.shape[-1] if trajectories else 1
    coordinates = [f"x{i + 1}" for i in range(dim)] if dim > 1 else ["x"]

    def per_coordinate(name: str) -> list[str]:
        return [f"{name}_{c}" for c in coordinates] if dim > 1 else [name]

    header = ["run", "label", "optimiser", "step", *coordinates, "loss", *per_coordinate("grad")]
    header += per_coordinate("lr") + [column for name in state_names for column in per_coordinate(name)]
    buffer = io.StringIO()
    # RFC 4180's line ending, so that a label holding a carriage return is quoted like one holding a newline.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*header, "diverged_at", "settled_at"])
    for number, (label, optimiser_id, t) in enumerate(zip(labels, optimiser_ids, trajectories, strict=True), 1):
        empty = np.full(dim, np.nan)
        for step in range(t.steps + 1):
            # A row's grad and lr are those of the update leaving its point; its state, the
            # accumulators after the update that arrived there.
            leaving, arrived = step < t.steps, step > 0
            fields = [t.grad[step] if leaving else empty, t.lr[step] if leaving else empty]
            fields += [t.state[name][step - 1] if arrived and name in t.state else empty for name in state_names]
            row = [number, _text_cell(label), _text_cell(optimiser_id), step, *t.x[step], t.loss[step]]
            writer.writerow(
                [_cell(v) for v in [*row, *np.concatenate(fields)]] + [int(t.diverged_at), int(t.settled_at)]
            )
    return buffer.getvalue()


def animation_html(figure: dict) -> str:
    """The figure as one HTML file with plotly.js inside, so it plays with no network."""
    return plotly.io.to_html(figure, include_plotlyjs=True, full_html=True, validate=False, auto_play=False)


def _text_cell(text: str) -> str:
    """A text cell that no spreadsheet takes for a formula, such as a label typed as =HYPERLINK(…)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if np.isfinite(value) else ""
    return str(value)
