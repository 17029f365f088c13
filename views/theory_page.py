"""Theory: every optimiser's rule from the registry, and three small demonstrations of the ideas behind them."""

from __future__ import annotations

import math

import streamlit as st

import optimisers
from article import theory
from article.scenes import ARTICLE_EPS
from charts.theory import bias_figure
from views.widgets import hyperparameter_input, show_figure

BETA = optimisers.REGISTRY["rmsprop"].hyperparameter("beta")
TABLE_BETAS = (0.5, 0.9, 0.99, 0.999)
RECENT_STEPS = 10
EPS_DEMO_ALPHA = 0.1
EPS_DEMO_GRADIENTS = tuple(10.0**k for k in range(-8, 1))


def _origin(accumulator: optimisers.Accumulator) -> str:
    """Where an accumulator's values come from: a carried one's start, or a value only recorded."""
    return f"starts at {accumulator.initial_text}" if accumulator.carried else "worked out afresh at every step"


def optimiser_section(spec: optimisers.OptimiserSpec) -> None:
    st.markdown(spec.summary)
    if spec.problem:
        st.markdown(f"**The problem it was made to solve.** {spec.problem}")
    if spec.paper:
        st.markdown(f"**Paper.** {spec.paper}.")
    st.markdown(f"**Checked against** `{spec.reference}`.")
    st.latex(spec.update_rule)
    st.markdown(f"**Learning rate and direction.** {spec.lr_meaning}")
    st.markdown(
        "**Hyperparameters**\n\n"
        + "\n".join(
            f"- ${h.symbol}$ (`{h.name}`), default {h.default:g}, valid in {h.range_text}: {h.meaning}"
            for h in spec.hyperparameters
        )
    )
    if spec.accumulators:
        st.markdown(
            "**What it keeps track of**\n\n"
            + "\n".join(f"- ${a.symbol}$ (`{a.name}`, {_origin(a)}): {a.meaning}" for a in spec.accumulators)
        )
    else:
        st.markdown("**What it keeps track of:** nothing; each step uses only the current gradient.")
    if spec.options:
        st.markdown("**Variants**\n\n" + "\n".join(f"- `{o.name}`: {o.meaning}" for o in spec.options))


def schedules_section() -> None:
    st.header("Learning-rate schedules")
    st.markdown(
        "A schedule multiplies α by a factor $\\eta_t$ at every step $t$, as torch.optim.lr_scheduler sets the "
        "learning rate after $t - 1$ calls of `scheduler.step()`; every optimiser then uses $\\alpha\\,\\eta_t$ "
        "wherever it uses α. A constant rate suits a deterministic gradient on a smooth loss; where the "
        "gradient is noisy, a rate that shrinks lets the run settle instead of jittering around the minimum."
    )
    for spec in optimisers.SCHEDULES.values():
        st.subheader(spec.name)
        st.markdown(f"{spec.summary} **When to use it.** {spec.when_to_use} In torch: `{spec.torch}`.")
        st.latex(spec.formula)
        if spec.settings:
            st.markdown(
                "\n".join(
                    f"- ${s.symbol}$ (`{s.name}`), default {s.default:g}, valid in {s.range_text}: {s.meaning}"
                    for s in spec.settings
                )
            )


def bias_correction_demo() -> None:
    st.header("Bias correction")
    st.markdown(
        "Adam's moving averages start at zero, so for the first steps they are pulled towards zero: with a "
        "constant gradient g, after t steps the average is only (1 − βᵗ)·g. Dividing by 1 − βᵗ removes exactly "
        "that factor. As t grows βᵗ fades to 0, the divisor to 1, and the correction stops mattering."
    )
    st.session_state.setdefault("bias_beta", 0.9)
    beta_column, kind_column, steps_column = st.columns([3, 2, 2])
    with beta_column:
        beta = hyperparameter_input(BETA, key="bias_beta")
    kind = kind_column.radio("Gradients", theory.GRADIENT_KINDS, key="bias_kind", horizontal=True)
    steps = steps_column.slider("Steps", 10, 300, 100, step=10, key="bias_steps")
    gradients = theory.example_gradients(kind, steps)
    average, corrected = theory.moving_averages(gradients, beta)
    show_figure(bias_figure(gradients, average, corrected), key="bias_correction")
    st.caption(
        f"With β = {beta:g} a constant gradient's average is only 1 − βᵗ of it: {1 - beta:.3g} at t = 1, "
        f"{1 - beta**steps:.3g} at t = {steps}. That shortfall lasts for a few windows of about "
        f"{theory.averaging_window(beta):.3g} steps (see below), and dividing by 1 − βᵗ removes it."
    )


def beta_section() -> None:
    st.header("What β does")
    rows = "\n".join(
        f"| {beta:g} | {theory.averaging_window(beta):g} | {1 - beta:.3g} | "
        f"{theory.recent_share(beta, RECENT_STEPS):.1%} |"
        for beta in TABLE_BETAS
    )
    st.markdown(
        "A moving average with decay β gives the newest gradient weight 1 − β, and one k steps older "
        "(1 − β)·βᵏ. The weights fade over about 1/(1 − β) steps: that is the window the average spans.\n\n"
        "| β | window 1/(1 − β), in steps | weight of the newest gradient | "
        f"weight of the last {RECENT_STEPS} gradients |\n|---|---|---|---|\n{rows}\n\n"
        "So moving β towards 1 lengthens the window: each new gradient counts for less, and the average "
        'changes more slowly and smooths out more noise. The article puts it the other way round ("the '
        'closer β is to 1, the more weighting is given for the recent gradients"); in fact a β near 1 gives '
        "recent gradients less weight. Values such as 0.9 or 0.999 are common because a long, steady "
        "average makes a steadier step size."
    )


def eps_demo() -> None:
    st.header("Where ε goes")
    st.markdown(
        "Adagrad, RMSProp and Adam divide by the root of an average of squared gradients, plus a small ε "
        "that keeps the division finite. The textbook (and torch.optim) adds ε after the root; the article's "
        "code adds it inside. Far from zero gradients the two agree. Near zero they do not: take Adagrad's "
        f"first step, where G = g², with α = {EPS_DEMO_ALPHA:g} and ε = {ARTICLE_EPS:g}."
    )
    gradient = st.select_slider(
        "Gradient g",
        options=EPS_DEMO_GRADIENTS,
        value=1e-5,
        format_func=lambda g: f"{g:.0e}",
        key="eps_gradient",
    )
    outside, inside = theory.eps_steps(gradient, EPS_DEMO_ALPHA, ARTICLE_EPS)
    st.latex(
        rf"\frac{{\alpha}}{{\sqrt{{G}} + \epsilon}}\, g = {latex_number(outside)} \qquad"
        rf"\frac{{\alpha}}{{\sqrt{{G + \epsilon}}}}\, g = {latex_number(inside)}"
    )
    st.markdown(
        f"With ε inside the root the step is {inside / outside:.3g} times the textbook's. Inside, ε is added to "
        f"G = g², so it starts to shrink the step once |g| is near √ε = {math.sqrt(ARTICLE_EPS):g}; outside, only "
        f"once |g| is near ε = {ARTICLE_EPS:g} itself. In effect the article's ε = {ARTICLE_EPS:g} acts roughly like a "
        f"textbook ε of {math.sqrt(ARTICLE_EPS):g}."
    )


def latex_number(value: float) -> str:
    mantissa, exponent = f"{value:.3g}".partition("e")[::2]
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


st.title("Theory")
st.markdown(
    "Each optimiser below is described by the same rule the app runs. The notation follows the article: "
    "$w_{i,t}$ is parameter $i$ at step $t$ (counted from 1), $g_{i,t}$ its gradient, and $lr_{i,t}$ the "
    "effective learning rate that multiplies the step's direction."
)
st.header("The optimisers")
specs = list(optimisers.REGISTRY.values())
for tab, spec in zip(st.tabs([spec.name for spec in specs]), specs, strict=True):
    with tab:
        optimiser_section(spec)
schedules_section()
bias_correction_demo()
beta_section()
eps_demo()
