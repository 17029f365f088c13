"""What a user can take away from a run: the trajectories as CSV, the animation as a page that plays offline,
and a PyTorch script."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence

import numpy as np
import sympy as sp

from charts.player import PLAYER_CSS, PLAYER_JS, PLOTLY_JS, PLOTLY_JS_FOLDER, player_data
from config import Run
from losses import Loss
from optimisers import REGISTRY, Trajectory

# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection): such a text cell gets a leading '.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _adam_family(h: dict, **extra) -> dict:
    return {"lr": h["alpha"], "betas": (h["beta1"], h["beta2"]), "eps": h["eps"], **extra}


def _prodigy(h: dict, beta3_from_beta2: bool = True) -> dict:
    beta3 = {} if beta3_from_beta2 else {"beta3": h["beta3"]}
    return _adam_family(h, **beta3, d0=h["d0"], d_coef=h["d_coef"], weight_decay=h["weight_decay"])


# How each optimiser is made with its reference: the class, and its arguments from our settings and options.
_TORCH_CONSTRUCTORS = {
    "gd": ("torch.optim.SGD", lambda h: {"lr": h["alpha"]}),
    "momentum": ("torch.optim.SGD", lambda h: {"lr": h["alpha"], "momentum": h["momentum"]}),
    "nesterov": ("torch.optim.SGD", lambda h: {"lr": h["alpha"], "momentum": h["momentum"], "nesterov": True}),
    "adagrad": ("torch.optim.Adagrad", lambda h: {"lr": h["alpha"], "eps": h["eps"]}),
    "rmsprop": ("torch.optim.RMSprop", lambda h: {"lr": h["alpha"], "alpha": h["beta"], "eps": h["eps"]}),
    "adam": ("torch.optim.Adam", _adam_family),
    "amsgrad": ("torch.optim.Adam", lambda h: _adam_family(h, amsgrad=True)),
    "adamw": ("torch.optim.AdamW", lambda h: _adam_family(h, weight_decay=h["weight_decay"])),
    "nadam": ("torch.optim.NAdam", _adam_family),
    "radam": ("torch.optim.RAdam", _adam_family),
    "adamax": ("torch.optim.Adamax", _adam_family),
    "adadelta": ("torch.optim.Adadelta", lambda h: {"lr": h["alpha"], "rho": h["rho"], "eps": h["eps"]}),
    "lion": (
        "pytorch_optimizer.Lion",
        lambda h: {"lr": h["alpha"], "betas": (h["beta1"], h["beta2"]), "weight_decay": h["weight_decay"]},
    ),
    "adabelief": ("pytorch_optimizer.AdaBelief", lambda h: _adam_family(h, weight_decay=h["weight_decay"])),
    "adopt": ("pytorch_optimizer.ADOPT", lambda h: _adam_family(h, weight_decay=h["weight_decay"])),
    "adafactor": (
        "torch.optim.Adafactor",
        lambda h: {
            "lr": h["alpha"],
            "beta2_decay": h["beta2_decay"],
            "eps": (h["eps1"], h["eps2"]),
            "d": h["d"],
            "weight_decay": h["weight_decay"],
        },
    ),
    "schedulefree_adamw": (
        "schedulefree.AdamWScheduleFree",
        lambda h: _adam_family(h, warmup_steps=h["warmup_steps"], weight_decay=h["weight_decay"]),
    ),
    "prodigy": ("prodigyopt.Prodigy", _prodigy),
    "rprop": (
        "torch.optim.Rprop",
        lambda h: {
            "lr": h["alpha"],
            "etas": (h["eta_minus"], h["eta_plus"]),
            "step_sizes": (h["step_min"], h["step_max"]),
        },
    ),
}
# Options a reference can be given as an argument (the other options are the article's variants).
_REFERENCE_OPTIONS = {"beta3_from_beta2"}


# How each learning-rate schedule is made with torch.optim.lr_scheduler, from α, the run's length and its settings.
_TORCH_SCHEDULERS = {
    "step": lambda alpha, steps, s: (
        f"lr_scheduler.StepLR(optimiser, step_size={s['step_size']!r}, gamma={s['gamma']!r})"
    ),
    "exponential": lambda alpha, steps, s: f"lr_scheduler.ExponentialLR(optimiser, gamma={s['gamma']!r})",
    "cosine": lambda alpha, steps, s: (
        f"lr_scheduler.CosineAnnealingLR(optimiser, T_max={s['t_max']!r}, eta_min={alpha!r} * {s['min_factor']!r})"
    ),
    "warmup_cosine": lambda alpha, steps, s: (
        "lr_scheduler.SequentialLR(\n"
        "    optimiser,\n"
        f"    [lr_scheduler.LinearLR(optimiser, 1 / {s['warmup']!r}, 1.0, {s['warmup']!r}),\n"
        f"     lr_scheduler.CosineAnnealingLR(optimiser, {s['t_max']!r}, {alpha!r} * {s['min_factor']!r})],\n"
        f"    milestones=[{s['warmup']!r}],\n"
        ")"
    ),
    "one_cycle": lambda alpha, steps, s: (
        f"lr_scheduler.OneCycleLR(\n    optimiser, max_lr={alpha!r}, total_steps={steps!r},"
        f" pct_start={s['pct_start']!r}, div_factor={s['div_factor']!r},\n"
        f"    final_div_factor={s['final_div_factor']!r}, cycle_momentum=False\n)"
    ),
}


def torch_equivalent(run: Run) -> bool:
    """Whether the reference implementation has this run's exact algorithm: every one of the article's
    variants off (at its default, which is the textbook form)."""
    defaults = {option.name: option.default for option in REGISTRY[run.optimiser].options}
    return all(defaults[name] == value for name, value in run.options.items() if name not in _REFERENCE_OPTIONS)


def pytorch_script(loss: Loss, run: Run, steps: int) -> str:
    """A standalone script that reproduces `run` with its reference implementation and prints every point."""
    # Imported only when a script is asked for: sympy's printer imports torch wherever it is installed, which
    # costs every server process 2.5 s and 225 MB.
    from sympy.printing.pytorch import torch_code

    class_path, arguments = _TORCH_CONSTRUCTORS[run.optimiser]
    options = {name: value for name, value in run.options.items() if name in _REFERENCE_OPTIONS}
    argument_text = ", ".join(f"{name}={value!r}" for name, value in arguments(run.hyperparameters, **options).items())
    module = class_path.rpartition(".")[0]
    imports = "import torch\n" + ("" if module == "torch.optim" else f"import {module}\n")
    # Schedule-Free steps in train mode, where the parameter is the point the gradient is taken at.
    train_mode = "optimiser.train()\n" if run.optimiser == "schedulefree_adamw" else ""
    variables = ", ".join(str(v) for v in loss.variables)
    unpack = f"    {variables}, = w\n" if loss.dim > 1 else f"    {variables} = w[0]\n"
    # torch's functions take tensors, not numbers: a function of a constant, such as log(10), is folded.
    expression = loss.expression.replace(lambda e: isinstance(e, sp.Function) and e.is_number, lambda e: e.evalf(17))
    scheduled = run.schedule != "constant"
    if scheduled:
        scheduler = _TORCH_SCHEDULERS[run.schedule](run.hyperparameters["alpha"], steps, run.schedule_settings)
    return (
        f"# {run.label!r}: {run.optimiser} on f = {loss.expression} for {steps} steps, with {class_path}.\n"
        f"{imports}" + ("from torch.optim import lr_scheduler\n" if scheduled else "") + "\n\n"
        "def loss(w):\n"
        f"{unpack}"
        f"    return {torch_code(expression)}\n\n\n"
        f"w = torch.tensor({list(run.x0)!r}, dtype=torch.float64, requires_grad=True)\n"
        f"optimiser = {class_path}([w], {argument_text})\n"
        f"{train_mode}" + (f"scheduler = {scheduler}\n" if scheduled else "") + "print(0, w.tolist())\n"
        f"for step in range(1, {steps} + 1):\n"
        "    optimiser.zero_grad()\n"
        "    loss(w).backward()\n"
        "    optimiser.step()\n" + ("    scheduler.step()\n" if scheduled else "") + "    print(step, w.tolist())\n"
    )


def trajectories_csv(labels: Sequence[str], optimiser_ids: Sequence[str], trajectories: Sequence[Trajectory]) -> str:
    """Every recorded field, one row per run and step k: the point x_k and its loss, and the gradient, lr and
    accumulators of the step that reached it (empty in row 0, the start, and wherever a field has no value)."""
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
            # Row k tells step k whole: the gradient it took (at x_{k−1}), its lr, the accumulators it left
            # and the point it reached. Row 0 is the start, before any step.
            update = [t.grad, t.lr, *(t.state.get(name) for name in state_names)]
            fields = [empty if step == 0 or field is None else field[step - 1] for field in update]
            row = [number, _text_cell(label), _text_cell(optimiser_id), step, *t.x[step], t.loss[step]]
            writer.writerow(
                [_cell(v) for v in [*row, *np.concatenate(fields)]] + [int(t.diverged_at), int(t.settled_at)]
            )
    return buffer.getvalue()


def run_description(run: Run) -> str:
    """One line that says how a run was made: its label, optimiser, settings and start."""
    settings = [f"{name} = {value:g}" for name, value in run.hyperparameters.items()]
    settings += [f"{name} = {'on' if value else 'off'}" for name, value in run.options.items()]
    start = ", ".join(f"{value:g}" for value in run.x0)
    return f"{run.label}: {REGISTRY[run.optimiser].name}, {', '.join(settings)}, from ({start})"


def animation_html(figure: dict, *, title: str, lines: Sequence[str], frame_ms: int) -> str:
    """The animation with its player and plotly.js inside, so it plays with no network, under a title and
    `lines` that say what it shows."""
    spec = json.dumps(player_data(figure, frame_ms=frame_ms)).replace("</", "<\\/")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; color: #1f2937; margin: 1.5rem auto; max-width: 1100px; }}
h1 {{ font-size: 1.5rem; }} ul {{ padding-left: 1.2rem; line-height: 1.5; }}
{PLAYER_CSS}
</style>
<script>{(PLOTLY_JS_FOLDER / PLOTLY_JS).read_text()}</script>
</head>
<body>
<h1>{html.escape(title)}</h1>
<ul>{items}</ul>
<div class="descent-player" id="player"></div>
<script type="module">
{PLAYER_JS}
mountPlayer(document.getElementById("player"), {spec}, window.Plotly, null);
</script>
</body>
</html>
"""


def _text_cell(text: str) -> str:
    """A text cell that no spreadsheet takes for a formula, such as a label typed as =HYPERLINK(…)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if np.isfinite(value) else ""
    return str(value)
