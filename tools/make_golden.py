"""Golden trajectories from torch.optim: the reference the numpy optimisers are tested against.

    .venv/bin/python tools/make_golden.py

writes tests/golden/torch_optim.json (the cases) and tests/golden/torch_optim.npz (their points).
torch is needed only here, in tests that skip without it, and in bench/; never at run time.

The mapping from our ids and hyperparameter names to torch.optim, and the gradients of the
article's functions, are written here from torch's documentation and the article, not taken from
our code, so that the golden files are a reference nobody here wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

STEPS = 100
GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"
# A start is kept only if noise added at every step grows by less than this factor over the run:
# rounding differences between two correct implementations (about 1e-16 a step) then stay far below 1e-9.
MAX_AMPLIFICATION = 1e3
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

GRADIENTS = {
    "quartic": lambda x: 4 * x**3 - 4 * x + 1,  # f = x⁴ − 2x² + x
    "wavy": lambda x: 4 * x**3 - 12 * x**2 + 8 * x + 6 * torch.cos(12 * x),  # f = (x² − 2x)² + sin(12x)/2
}
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


def torch_trajectory(
    id: str, settings: dict[str, float], loss: str, starts, steps: int = STEPS, jitter: float = 0.0
) -> np.ndarray:
    """The points (steps+1, len(starts)) torch.optim visits from each start, with the analytic gradient.

    `jitter` > 0 adds seeded noise of that size to the point after every step (see `well_behaved`).
    """
    cls, arguments = torch_arguments(id, settings)
    # Each optimiser acts elementwise, so one tensor holds every start.
    param = torch.nn.Parameter(torch.tensor(starts, dtype=torch.float64))
    optimiser = cls([param], **arguments)
    noise = torch.Generator().manual_seed(0)
    points = [param.detach().clone()]
    for _ in range(steps):
        param.grad = GRADIENTS[loss](param.detach())
        optimiser.step()
        if jitter:
            with torch.no_grad():
                param.add_(jitter * torch.randn(param.shape, generator=noise))
        points.append(param.detach().clone())
    return torch.stack(points).numpy()


def well_behaved(id: str, settings: dict[str, float], loss: str, starts) -> tuple[np.ndarray, np.ndarray]:
    """Which starts stay finite and within BOUND, and how much each amplifies a tiny noise.

    Perturbing x0 alone is not enough: a run can converge to the same floating-point number from
    nearby starts and only then become unstable (RMSProp at a minimum, where v decays and its steps
    grow), so the noise is added at every step, standing in for rounding.
    """
    points = torch_trajectory(id, settings, loss, starts)
    jittered = torch_trajectory(id, settings, loss, starts, jitter=JITTER)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(points).all(axis=0) & (np.abs(points) <= BOUND).all(axis=0)
        amplification = np.abs(jittered - points).max(axis=0) / JITTER
    return finite & (amplification <= MAX_AMPLIFICATION), amplification


def describe(cls: type, arguments: dict) -> str:
    return f"torch.optim.{cls.__name__}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


def main() -> None:
    cases, points, dropped = [], {}, []
    for id, settings_list in SETTINGS.items():
        for settings in settings_list:
            for loss, starts in STARTS.items():
                keep, amplification = well_behaved(id, settings, loss, starts)
                label = f"{id} {settings or 'defaults'} on {loss}"
                for start, kept, factor in zip(starts, keep, amplification, strict=True):
                    if not kept:
                        dropped.append(f"{label} from {start}: noise grows ×{factor:.3g}")
                if not keep.any():
                    continue
                kept = [s for s, k in zip(starts, keep, strict=True) if k]
                key = f"case{len(cases):03d}"
                points[key] = torch_trajectory(id, settings, loss, kept)
                cls, arguments = torch_arguments(id, settings)
                cases.append(
                    {
                        "key": key,
                        "optimiser": id,
                        "hyperparameters": settings,
                        "loss": loss,
                        "starts": kept,
                        "torch": describe(cls, arguments),
                    }
                )
    GOLDEN.mkdir(parents=True, exist_ok=True)
    header = {"torch": torch.__version__, "steps": STEPS, "dtype": "float64"}
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases)
    (GOLDEN / "torch_optim.json").write_text(json.dumps(header)[:-1] + ', "cases": [\n' + lines + "\n]}\n")
    np.savez_compressed(GOLDEN / "torch_optim.npz", **points)
    runs = sum(len(case["starts"]) for case in cases)
    print(f"wrote {len(cases)} cases, {runs} runs of {STEPS} steps to {GOLDEN}")
    print("dropped (chaotic or divergent):" if dropped else "dropped nothing")
    for line in dropped:
        print("  " + line)


if __name__ == "__main__":
    main()
