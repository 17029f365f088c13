"""The small computations behind the Theory page: moving averages and their bias correction, and where ε goes."""

from __future__ import annotations

import math

import numpy as np

GRADIENT_KINDS = ("constant", "noisy")
NOISE_SCALE = 0.5


def example_gradients(kind: str, steps: int, mean: float = 1.0, seed: int = 0) -> np.ndarray:
    """Gradients g_1..g_steps (steps,): `mean` every step, or `mean` plus reproducible Gaussian noise."""
    if kind not in GRADIENT_KINDS:
        raise ValueError(f"kind must be one of {GRADIENT_KINDS}; got {kind!r}")
    gradients = np.full(steps, mean)
    if kind == "noisy":
        gradients += NOISE_SCALE * np.random.default_rng(seed).standard_normal(steps)
    return gradients


def moving_averages(gradients: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """For g_1..g_T (T,): the moving average m_t = β·m_{t−1} + (1 − β)·g_t from m_0 = 0, and the
    bias-corrected m_t / (1 − βᵗ), each (T,)."""
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1); got {beta}")
    average, averages = 0.0, np.empty(len(gradients))
    for t, gradient in enumerate(gradients):
        average = beta * average + (1 - beta) * gradient
        averages[t] = average
    return averages, averages / (1 - beta ** np.arange(1, len(gradients) + 1))


def averaging_window(beta: float) -> float:
    """About how many recent steps a moving average with decay β spans: 1/(1 − β)."""
    return 1 / (1 - beta)


def recent_share(beta: float, steps: int) -> float:
    """The share of a long-running average's weight carried by its last `steps` values: 1 − β^steps."""
    return 1 - beta**steps


def eps_steps(gradient: float, alpha: float, eps: float) -> tuple[float, float]:
    """Adagrad's first step from a gradient g (G = g²): α·g/(√G + ε) as torch computes it, and
    α·g/√(G + ε) as the article's code does."""
    total = gradient * gradient
    return alpha * gradient / (math.sqrt(total) + eps), alpha * gradient / math.sqrt(total + eps)
