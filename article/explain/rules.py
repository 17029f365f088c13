"""Each optimiser's update, one coordinate at one step, as lines of symbols bound to their values.

A rule reads the step's recorded values (the gradient, the accumulators before and after, the effective
learning rate, the next point) from a Context and writes each equation of its update as a Line; the values it
derives on the way (1 − βᵗ, a bias-corrected average) follow the optimiser's own formulas. A line whose target
was recorded names it in `field`, so that its value can be checked against the trajectory.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimisers import Optimiser
from optimisers.nadam import MOMENTUM_DECAY
from optimisers.radam import TRUSTED_LENGTH

SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "beta1": "β<sub>1</sub>",
    "beta2": "β<sub>2</sub>",
    "beta3": "β<sub>3</sub>",
    "eps": "ε",
    "momentum": "μ",
    "rho": "ρ",
    "weight_decay": "λ",
    "beta2_decay": "c",
    "eps1": "ε<sub>1</sub>",
    "eps2": "ε<sub>2</sub>",
    "d": "d",
    "warmup_steps": "T<sub>warmup</sub>",
    "d0": "d<sub>0</sub>",
    "d_coef": "d<sub>coef</sub>",
    "eta_minus": "η<sub>−</sub>",
    "eta_plus": "η<sub>+</sub>",
    "step_min": "η<sub>min</sub>",
    "step_max": "η<sub>max</sub>",
}
T_NOW, T_BEFORE = "<sub><i>t</i></sub>", "<sub><i>t</i>−1</sub>"


@dataclass(frozen=True)
class Term:
    """A symbol (HTML), what it means (shown on hover) and its value at this step. A constant's value is
    written into the explanation's text; the others fill its slots."""

    symbol: str
    meaning: str
    value: float
    constant: bool = False


@dataclass(frozen=True)
class Sup:
    """Tokens written as a superscript (an exponent)."""

    tokens: tuple


@dataclass(frozen=True)
class Squared:
    """A Term squared: its value in parentheses where it is negative or has a power of ten."""

    term: Term


@dataclass(frozen=True)
class Line:
    """`target = rule`: the rule a sequence of text, Terms, Sups and Squareds; `field` the recorded value it gives.
    A line whose target is its rule (1 − βᵗ) is written once, then with its numbers (`symbolic` False)."""

    target: Term
    rule: tuple
    field: str | None = None
    note: str = ""
    symbolic: bool = True


def line(target: Term, *rule, field: str | None = None, note: str = "", symbolic: bool = True) -> Line:
    return Line(target, rule, field, note, symbolic)


class Context:
    """The values of one coordinate of one run at step t, and the Terms a rule is written with."""

    def __init__(
        self,
        optimiser: Optimiser,
        *,
        t: int,
        alpha_factor: float,
        scheduled: bool,
        point,
        next_point,
        grad,
        lr,
        state,
        previous,
        coordinate: int,
    ):
        self.spec, self.settings, self.options = optimiser.spec, optimiser.hyperparameters, optimiser.options
        self.alpha_factor, self.scheduled, self.i = alpha_factor, scheduled, coordinate
        self.point_vector, self.grad_vector = point, grad
        self.state_vector, self.previous_vector = state, previous
        self.t = Term("<i>t</i>", "the step's number, counted from 1", t)
        self.x = Term(f"x{T_BEFORE}", "the point shown, where the gradient is taken", point[coordinate])
        self.x_next = Term(f"x{T_NOW}", "the next point", next_point[coordinate])
        self.g = Term(
            f"g{T_NOW}",
            "the gradient the step takes at the point shown (∂f/∂x, with its noise if it has any)",
            grad[coordinate],
        )
        self.lr = Term(f"lr{T_NOW}", "the effective learning rate: the factor on this step's direction", lr[coordinate])

    def setting(self, name: str) -> Term:
        """A hyperparameter; α with a schedule is α times the schedule's factor at this step."""
        meaning = self.spec.hyperparameter(name).meaning
        value = float(self.settings[name])
        if name == "alpha" and self.scheduled:
            return Term("α" + T_NOW, meaning + ", times the schedule's factor", value * self.alpha_factor)
        return Term(SYMBOLS[name], meaning, value, constant=True)

    def _meaning(self, name: str) -> str:
        return next(a.meaning for a in self.spec.accumulators if a.name == name)

    def now(self, name: str, symbol: str) -> Term:
        """Accumulator `name` after this step (symbol: its letter, in HTML)."""
        return Term(symbol + T_NOW, self._meaning(name), self.state_vector[name][self.i])

    def before(self, name: str, symbol: str) -> Term:
        """Accumulator `name` before this step."""
        return Term(symbol + T_BEFORE, self._meaning(name), self.previous_vector[name][self.i])


def _bias(context: Context, beta: Term) -> Line:
    t = context.t.value
    return line(
        Term(f"1 − {beta.symbol}<sup><i>t</i></sup>", "the share of the average's weight its first t values carry",
             1 - beta.value**t),
        "1 − ", beta, Sup((context.t,)), symbolic=False,
    )  # fmt: skip


def _moving_average(target: Term, before: Term, beta: Term, value: tuple, field: str | None) -> Line:
    return line(target, beta, "·", before, " + (1 − ", beta, ")·", *value, field=field)


def gd(c: Context) -> list[Line]:
    return [line(c.x_next, c.x, " − ", c.setting("alpha"), "·", c.g, field="x")]


def momentum(c: Context, nesterov: bool = False) -> list[Line]:
    mu, b = c.setting("momentum"), c.now("b", "b")
    step = (c.setting("alpha"), "·(", c.g, " + ", mu, "·", b, ")") if nesterov else (c.setting("alpha"), "·", b)
    return [
        line(b, mu, "·", c.before("b", "b"), " + ", c.g, field="b"),
        line(c.x_next, c.x, " − ", *step, field="x"),
    ]


def _learning_rate(c: Context, average: Term, scale: tuple = ()) -> Line:
    alpha, eps = c.setting("alpha"), c.setting("eps")
    if c.options.get("eps_inside_sqrt"):
        return line(c.lr, alpha, *scale, "/√(", average, " + ", eps, ")", field="lr")
    return line(c.lr, alpha, *scale, "/(√", average, " + ", eps, ")", field="lr")


def adagrad(c: Context) -> list[Line]:
    total = c.now("G", "G")
    return [
        line(total, c.before("G", "G"), " + ", Squared(c.g), field="G"),
        _learning_rate(c, total),
        line(c.x_next, c.x, " − ", c.lr, "·", c.g, field="x"),
    ]


def rmsprop(c: Context) -> list[Line]:
    v = c.now("v", "v")
    return [
        _moving_average(v, c.before("v", "v"), c.setting("beta"), (Squared(c.g),), "v"),
        _learning_rate(c, v),
        line(c.x_next, c.x, " − ", c.lr, "·", c.g, field="x"),
    ]


def adam(c: Context, amsgrad: bool = False, weight_decay: bool = False) -> list[Line]:
    beta1, beta2 = c.setting("beta1"), c.setting("beta2")
    m, v = c.now("m", "m"), c.now("v", "v")
    lines = []
    start = c.x
    if weight_decay:
        alpha, decay = c.setting("alpha"), c.setting("weight_decay")
        start = Term("x′" + T_BEFORE, "the point after weight decay", c.x.value * (1 - alpha.value * decay.value))
        lines.append(line(start, "(1 − ", alpha, "·", decay, ")·", c.x))
    lines += [
        _moving_average(m, c.before("m", "m"), beta1, (c.g,), "m"),
        _moving_average(v, c.before("v", "v"), beta2, (Squared(c.g),), "v"),
    ]
    if amsgrad:
        v_max = c.now("v_max", "v<sup>max</sup>")
        lines.append(line(v_max, "max(", c.before("v_max", "v<sup>max</sup>"), ", ", v, ")", field="v_max"))
        v = v_max
    if c.options.get("bias_correction", True):
        first, second = _bias(c, beta1), _bias(c, beta2)
        m_hat, v_hat = c.now("m_hat", "m̂"), c.now("v_hat", "v̂")
        lines += [
            first,
            line(m_hat, m, "/(", first.target, ")", field="m_hat"),
            second,
            line(v_hat, v, "/(", second.target, ")", field="v_hat"),
        ]
        m, v = m_hat, v_hat
    if c.options.get("extra_gradient_factor"):
        return [*lines, _learning_rate(c, v, ("·", m)), line(c.x_next, start, " − ", c.lr, "·", c.g, field="x")]
    return [*lines, _learning_rate(c, v), line(c.x_next, start, " − ", c.lr, "·", m, field="x")]


def _nesterov_momentum(c: Context, beta1: Term, later: bool) -> Term:
    t = c.t.value + later
    subscript = "<sub><i>t</i>+1</sub>" if later else T_NOW
    return Term(
        "μ" + subscript, "the momentum schedule at this step", beta1.value * (1 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY))
    )


def nadam(c: Context) -> list[Line]:
    beta1, beta2 = c.setting("beta1"), c.setting("beta2")
    psi = Term("ψ", "torch's momentum decay", MOMENTUM_DECAY, constant=True)
    mu, mu_next = _nesterov_momentum(c, beta1, False), _nesterov_momentum(c, beta1, True)
    product = c.now("mu_product", "Π")
    m, v = c.now("m", "m"), c.now("v", "v")
    second = _bias(c, beta2)
    blend = (1 - mu.value) / (1 - product.value) * c.g.value + mu_next.value / (
        1 - product.value * mu_next.value
    ) * m.value
    direction = Term("d" + T_NOW, "the direction: the Nesterov blend of g and m", blend)
    return [
        line(mu, beta1, "·(1 − ½·0.96", Sup((c.t, "·", psi)), ")"),
        line(mu_next, beta1, "·(1 − ½·0.96", Sup(("(", c.t, " + 1)·", psi)), ")"),
        line(product, c.before("mu_product", "Π"), "·", mu, field="mu_product"),
        _moving_average(m, c.before("m", "m"), beta1, (c.g,), "m"),
        _moving_average(v, c.before("v", "v"), beta2, (Squared(c.g),), "v"),
        second,
        line(c.lr, c.setting("alpha"), "/(√(", v, "/(", second.target, ")) + ", c.setting("eps"), ")", field="lr"),
        line(direction, "(1 − ", mu, ")/(1 − ", product, ")·", c.g, " + ", mu_next, "/(1 − ", product, "·", mu_next,
             ")·", m),
        line(c.x_next, c.x, " − ", c.lr, "·", direction, field="x"),
    ]  # fmt: skip


def radam(c: Context) -> list[Line]:
    alpha, beta1, beta2 = c.setting("alpha"), c.setting("beta1"), c.setting("beta2")
    m, v, m_hat = c.now("m", "m"), c.now("v", "v"), c.now("m_hat", "m̂")
    first, second = _bias(c, beta1), _bias(c, beta2)
    rho_infinity = Term(
        "ρ<sub>∞</sub>", "the longest the approximated moving average can be", 2 / (1 - beta2.value) - 1
    )
    rho = c.now("rho", "ρ")
    power = line(
        Term("β<sub>2</sub><sup><i>t</i></sup>", "β₂ to the power t", beta2.value**c.t.value),
        beta2,
        Sup((c.t,)),
        symbolic=False,
    )
    lines = [
        _moving_average(m, c.before("m", "m"), beta1, (c.g,), "m"),
        _moving_average(v, c.before("v", "v"), beta2, (Squared(c.g),), "v"),
        first,
        line(m_hat, m, "/(", first.target, ")", field="m_hat"),
        second,
        line(rho_infinity, "2/(1 − ", beta2, ") − 1"),
        power,
        line(rho, rho_infinity, " − 2·", c.t, "·", power.target, "/(", second.target, ")", field="rho"),
    ]
    if rho.value > TRUSTED_LENGTH:
        r = Term("r" + T_NOW, "the rectification of the adaptive step", math.sqrt(
            (rho.value - 4) * (rho.value - 2) * rho_infinity.value
            / ((rho_infinity.value - 4) * (rho_infinity.value - 2) * rho.value)
        ))  # fmt: skip
        lines += [
            line(r, "√((", rho, " − 4)·(", rho, " − 2)·", rho_infinity, "/((", rho_infinity, " − 4)·(", rho_infinity,
                 " − 2)·", rho, "))"),
            line(c.lr, alpha, "·", r, "·√(", second.target, ")/(√", v, " + ", c.setting("eps"), ")", field="lr",
                 note="as ρ<sub><i>t</i></sub> > 5: the average of squares is long enough to trust"),
        ]  # fmt: skip
    else:
        lines.append(line(c.lr, alpha, field="lr", note="as ρ<sub><i>t</i></sub> ≤ 5: plain momentum for now"))
    return [*lines, line(c.x_next, c.x, " − ", c.lr, "·", m_hat, field="x")]


def adamax(c: Context) -> list[Line]:
    beta1, beta2 = c.setting("beta1"), c.setting("beta2")
    m, u = c.now("m", "m"), c.now("u", "u")
    first = _bias(c, beta1)
    return [
        _moving_average(m, c.before("m", "m"), beta1, (c.g,), "m"),
        line(u, "max(", beta2, "·", c.before("u", "u"), ", |", c.g, "| + ", c.setting("eps"), ")", field="u"),
        first,
        line(c.lr, c.setting("alpha"), "/((", first.target, ")·", u, ")", field="lr"),
        line(c.x_next, c.x, " − ", c.lr, "·", m, field="x"),
    ]


def adadelta(c: Context) -> list[Line]:
    rho, eps = c.setting("rho"), c.setting("eps")
    v, u, u_before = c.now("v", "v"), c.now("u", "u"), c.before("u", "u")
    delta = Term(
        "Δ" + T_NOW,
        "the step before α",
        math.sqrt(u_before.value + eps.value) / math.sqrt(v.value + eps.value) * c.g.value,
    )
    return [
        _moving_average(v, c.before("v", "v"), rho, (Squared(c.g),), "v"),
        line(delta, "√(", u_before, " + ", eps, ")/√(", v, " + ", eps, ")·", c.g),
        _moving_average(u, u_before, rho, (Squared(delta),), "u"),
        line(c.x_next, c.x, " − ", c.setting("alpha"), "·", delta, field="x"),
    ]


def _decayed_point(c: Context, factor: tuple) -> tuple:
    """(1 − α·λ)·x: the point after decoupled weight decay, written out only when λ is not 0."""
    return ("(1 − ", *factor, "·", c.setting("weight_decay"), ")·", c.x) if c.settings["weight_decay"] else (c.x,)


def lion(c: Context) -> list[Line]:
    alpha, beta1, beta2 = c.setting("alpha"), c.setting("beta1"), c.setting("beta2")
    m_before = c.before("m", "m")
    blend = Term("c" + T_NOW, "the blend of momentum and gradient whose sign is the step",
                    beta1.value * m_before.value + (1 - beta1.value) * c.g.value)  # fmt: skip
    sign = Term("sign(c" + T_NOW + ")", c._meaning("sign_step"), c.state_vector["sign_step"][c.i])
    return [
        _moving_average(blend, m_before, beta1, (c.g,), None),
        line(sign, "sign(", blend, ")", field="sign_step", symbolic=False),
        _moving_average(c.now("m", "m"), m_before, beta2, (c.g,), "m"),
        line(c.x_next, *_decayed_point(c, (alpha,)), " − ", alpha, "·", sign, field="x"),
    ]


def adabelief(c: Context) -> list[Line]:
    beta1, beta2 = c.setting("beta1"), c.setting("beta2")
    m, s = c.now("m", "m"), c.now("s", "s")
    first, second = _bias(c, beta1), _bias(c, beta2)
    return [
        _moving_average(m, c.before("m", "m"), beta1, (c.g,), "m"),
        line(s, beta2, "·", c.before("s", "s"), " + (1 − ", beta2, ")·(", c.g, " − ", m, ")<sup>2</sup> + ",
             c.setting("eps"), field="s"),
        first,
        second,
        line(c.lr, "(", c.setting("alpha"), "/(", first.target, "))/(√", s, "/√(", second.target, ") + ",
             c.setting("eps"), ")", field="lr"),
        line(c.x_next, *_decayed_point(c, (c.setting("alpha"),)), " − ", c.lr, "·", m, field="x"),
    ]  # fmt: skip


def adopt(c: Context) -> list[Line]:
    beta1, beta2, eps, decay = c.setting("beta1"), c.setting("beta2"), c.setting("eps"), c.setting("weight_decay")
    v = c.now("v", "v")
    g, lines = c.g, []
    if decay.value:
        g = Term("g′" + T_NOW, "the gradient with the L2 penalty λ·x", c.g.value + decay.value * c.x.value)
        lines.append(line(g, c.g, " + ", decay, "·", c.x))
    if c.t.value == 1:
        return [
            *lines,
            line(v, Squared(g), field="v"),
            line(c.x_next, c.x, field="x", note="the first gradient only starts v: no step"),
        ]
    v_before = c.before("v", "v")
    limit = c.t.value**0.25
    normalised = Term(
        "ĝ" + T_NOW, "the gradient normalised by the previous v and clipped to ±t^¼",
        float(np.clip(g.value / max(math.sqrt(v_before.value), eps.value), -limit, limit)),
    )  # fmt: skip
    m = c.now("m", "m")
    return [
        *lines,
        line(normalised, "clip(", g, "/max(√", v_before, ", ", eps, "), ±", c.t, "<sup>¼</sup>)"),
        _moving_average(m, c.before("m", "m"), beta1, (normalised,), "m"),
        _moving_average(v, v_before, beta2, (Squared(g),), "v"),
        line(c.x_next, c.x, " − ", c.setting("alpha"), "·", m, field="x"),
    ]


def _root_mean_square(values) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def adafactor(c: Context) -> list[Line]:
    alpha, eps1, eps2, d = c.setting("alpha"), c.setting("eps1"), c.setting("eps2"), c.setting("d")
    power = Term("<i>t</i><sup>c</sup>", "the averaging weight of this step's squared gradient",
                    c.t.value ** float(c.settings["beta2_decay"]))  # fmt: skip
    rms_x = Term("RMS(x" + T_BEFORE + ")", "the root mean square of the point's coordinates",
                    _root_mean_square(c.point_vector))  # fmt: skip
    v = c.now("v", "v")
    scale = 1 / np.sqrt(np.maximum(c.state_vector["v"], eps1.value**2))
    u = Term("u" + T_NOW, "the gradient scaled by its average size", (scale * c.grad_vector)[c.i])
    rms_u = Term("RMS(u" + T_NOW + ")", "the root mean square of u over the coordinates",
                    _root_mean_square(scale * c.grad_vector))  # fmt: skip
    relative, clip = c.now("relative_step", "ρ"), c.now("clip", "κ")
    return [
        line(relative, "max(", eps2, ", ", rms_x, ")·min(", alpha, ", 1/√", c.t, ")", field="relative_step"),
        line(power, c.t, Sup((c.setting("beta2_decay"),)), symbolic=False),
        line(v, "(1 − ", power, ")·", c.before("v", "v"), " + ", power, "·", Squared(c.g), field="v"),
        line(u, c.g, "/√max(", v, ", ", Squared(eps1), ")"),
        line(clip, "max(1, ", rms_u, "/", d, ")", field="clip"),
        line(c.x_next, *_decayed_point(c, (alpha,)), " − ", relative, "/", clip, "·", u, field="x"),
    ]


def schedulefree_adamw(c: Context) -> list[Line]:
    alpha, beta1, beta2 = c.setting("alpha"), c.setting("beta1"), c.setting("beta2")
    warmup, decay = c.setting("warmup_steps"), c.setting("weight_decay")
    y = Term("y" + T_BEFORE, "the point shown, y, where the gradient is taken", c.x.value)
    y_next = Term("y" + T_NOW, "the next point y", c.x_next.value)
    warming_up = c.t.value - 1 < warmup.value
    gamma = Term("γ" + T_NOW, "the learning rate of this step, after warm-up",
                    alpha.value * (c.t.value / warmup.value if warming_up else 1.0))  # fmt: skip
    gamma_max, weight_sum = c.now("lr_max", "γ<sup>max</sup>"), c.now("weight_sum", "Σ")
    share = Term("c" + T_NOW, "how far the averaged point moves towards z", gamma_max.value**2 / weight_sum.value)
    v, z, z_before = c.now("v", "v"), c.now("z", "z"), c.before("z", "z")
    second = _bias(c, beta2)
    normalised = Term(
        "ĝ" + T_NOW, "the gradient scaled as Adam's, plus the weight decay",
        c.g.value / (math.sqrt(v.value / second.target.value) + c.settings["eps"]) + decay.value * y.value,
    )  # fmt: skip
    return [
        line(gamma, alpha, "·", c.t, "/", warmup) if warming_up else line(gamma, alpha),
        line(gamma_max, "max(", gamma, ", ", c.before("lr_max", "γ<sup>max</sup>"), ")", field="lr_max"),
        line(weight_sum, c.before("weight_sum", "Σ"), " + ", Squared(gamma_max), field="weight_sum"),
        line(share, Squared(gamma_max), "/", weight_sum),
        _moving_average(v, c.before("v", "v"), beta2, (Squared(c.g),), "v"),
        second,
        line(normalised, c.g, "/(√(", v, "/(", second.target, ")) + ", c.setting("eps"), ") + ", decay, "·", y),
        line(z, z_before, " − ", gamma, "·", normalised, field="z"),
        line(c.now("x_average", "x"), "(1 − ", share, ")·", c.before("x_average", "x"), " + ", share, "·", z,
             field="x_average"),
        line(y_next, "(1 − ", share, ")·", y, " + ", share, "·", z_before, " − ", gamma, "·(1 − ", beta1, "·(1 − ",
             share, "))·", normalised, field="x"),
    ]  # fmt: skip


def prodigy(c: Context) -> list[Line]:
    alpha, beta1, beta2, d0 = c.setting("alpha"), c.setting("beta1"), c.setting("beta2"), c.setting("d0")
    beta3 = c.setting("beta3")
    if c.options["beta3_from_beta2"]:
        beta3 = Term("β<sub>3</sub>", "decay of r and s: √β₂", math.sqrt(beta2.value), constant=True)
    d_before, d = c.before("d", "d"), c.now("d", "d")
    start = c.state_vector["x0"]
    inner = Term("⟨g<sub><i>t</i></sub>, x<sub>0</sub> − x<sub><i>t</i>−1</sub>⟩",
                    "the gradient's sum along the way back to the start, over the coordinates",
                    float(np.dot(c.grad_vector, start - c.point_vector)))  # fmt: skip
    s, numerator = c.now("s", "s"), c.now("numerator", "r")
    s_norm = Term("‖s" + T_NOW + "‖<sub>1</sub>", "the sum of |s| over the coordinates",
                     float(np.abs(c.state_vector["s"]).sum()))  # fmt: skip
    m, v = c.now("m", "m"), c.now("v", "v")
    averages = [
        line(m, beta1, "·", c.before("m", "m"), " + (1 − ", beta1, ")·", d_before, "·", c.g, field="m"),
        line(v, beta2, "·", c.before("v", "v"), " + (1 − ", beta2, ")·", Squared(d_before), "·",
             Squared(c.g), field="v"),
        line(numerator, beta3, "·", c.before("numerator", "r"), " + ", Squared(d_before), "·", alpha, "/", d0,
             "·", inner, field="numerator"),
        line(s, beta3, "·", c.before("s", "s"), " + ", Squared(d_before), "·", alpha, "/", d0, "·", c.g,
             field="s"),
    ]  # fmt: skip
    if not s_norm.value:  # every gradient so far was 0: nothing to estimate d from, and no step
        note = "every gradient so far was 0: no step"
        return [*averages, line(d, d_before, field="d"), line(c.lr, "0", field="lr", note=note),
                line(c.x_next, c.x, field="x")]  # fmt: skip
    return [
        *averages,
        line(d, "max(", d_before, ", ", c.setting("d_coef"), "·", numerator, "/", s_norm, ")", field="d"),
        line(c.lr, d_before, "·", alpha, "/(√", v, " + ", d, "·", c.setting("eps"), ")", field="lr"),
        line(c.x_next, *_decayed_point(c, (d_before, "·", alpha)), " − ", c.lr, "·", m, field="x"),
    ]  # fmt: skip


def rprop(c: Context) -> list[Line]:
    g_before = c.before("g_prev", "g̃")
    agreement = Term("g" + T_NOW + "·g̃" + T_BEFORE, "whether the gradient kept its sign (> 0) or flipped (< 0)",
                        c.g.value * g_before.value)  # fmt: skip
    factor = Term(
        "f" + T_NOW,
        "η₊ where the sign stayed, η₋ where it flipped, 1 where a gradient was 0",
        c.settings["eta_plus"] if agreement.value > 0 else c.settings["eta_minus"] if agreement.value < 0 else 1.0,
    )
    step_size = c.now("step_size", "η")
    kept = c.now("g_prev", "g̃")
    sign = Term("sign(g̃" + T_NOW + ")", "the direction: the sign of the gradient kept", float(np.sign(kept.value)))
    flipped = agreement.value < 0
    return [
        line(agreement, c.g, "·", g_before, symbolic=False),
        line(factor, c.setting("eta_plus") if agreement.value > 0 else c.setting("eta_minus") if flipped else "1"),
        line(step_size, "min(max(", c.before("step_size", "η"), "·", factor, ", ", c.setting("step_min"), "), ",
             c.setting("step_max"), ")", field="step_size"),
        line(kept, "0", field="g_prev", note="the sign flipped: this step is skipped") if flipped
        else line(kept, c.g, field="g_prev"),
        line(c.x_next, c.x, " − ", step_size, "·", sign, field="x"),
    ]  # fmt: skip


RULES: dict[str, Callable[[Context], list[Line]]] = {
    "gd": gd,
    "momentum": momentum,
    "nesterov": lambda c: momentum(c, nesterov=True),
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "amsgrad": lambda c: adam(c, amsgrad=True),
    "adamw": lambda c: adam(c, weight_decay=True),
    "nadam": nadam,
    "radam": radam,
    "adamax": adamax,
    "adadelta": adadelta,
    "lion": lion,
    "adabelief": adabelief,
    "adopt": adopt,
    "adafactor": adafactor,
    "schedulefree_adamw": schedulefree_adamw,
    "prodigy": prodigy,
    "rprop": rprop,
}
