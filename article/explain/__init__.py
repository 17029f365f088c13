"""Each step of a run written out with its numbers: the optimiser's update rule, then the same rule with the
step's values put in, then the result, for every optimiser in optimisers.REGISTRY.

`explanation(label, colour, optimiser, trajectory, lr_factors)` gives, for every frame k of the animation, the
step from x_k (the point shown) to x_{k+1}, in the notation of torch.optim's documentation: step t = k + 1 takes
the gradient g_t at x_{t−1} and moves to x_t. To be sent to the browser once for all frames, it is kept as
templates of HTML with slots for the numbers (`templates`), and for each frame a template and its numbers, each
number once however many slots show it (`frames`); `render(k)` fills them in, as the player does in the browser.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

import numpy as np

from article.explain.rules import RULES, Context, Line, Squared, Sup, Term
from optimisers import Optimiser, Trajectory

__all__ = ["Explanation", "explanation", "number"]

COORDINATE_NAMES = ("x", "y")  # a loss's variables, as the map's axes name them


def number(value: float) -> str:
    """A value to 4 significant digits, with a true minus sign and a power of ten written out."""
    text = f"{float(value) + 0.0:.4g}"  # + 0.0: −0 is 0
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}×10<sup>{int(exponent)}</sup>"
    elif text in ("nan", "inf", "-inf"):
        return {"nan": "undefined", "inf": "∞", "-inf": "−∞"}[text]
    return text.replace("-", "−")


def _set_apart(before: str) -> bool:
    """Whether what comes before a number in a formula sets it apart (an opening parenthesis, a comma, an
    equals sign), so that it needs no parentheses of its own."""
    return before.endswith(("(", ", ", "|", "= ", "±")) or not before


def _operand(value: float) -> str:
    """A value within a formula: in parentheses where it is negative or has a power of ten."""
    shown = number(value)
    return f"({shown})" if value < 0 or "×" in shown else shown


@dataclass(frozen=True)
class Explanation:
    """One run's explanation at every frame: frame k is template `frames[k][0]` with the numbers
    `frames[k][1:]` in its slots. A template is its text, n + 1 parts around n slots, and which number goes
    in each slot."""

    templates: list[dict[str, list]]
    frames: list[list]

    def render(self, k: int) -> str:
        """Frame k's HTML, as player.js puts it together."""
        index, *numbers = self.frames[k]
        parts, slots = self.templates[index]["parts"], self.templates[index]["slots"]
        return parts[0] + "".join(numbers[slot] + part for slot, part in zip(slots, parts[1:], strict=True))

    def to_dict(self) -> dict:
        return {"templates": self.templates, "frames": self.frames}


class _Writer:
    """HTML with slots: the text between numbers, which number each slot shows, and the numbers, each once."""

    def __init__(self) -> None:
        self.parts, self.slots, self.text = [], [], ""
        self.numbers: dict[tuple, int] = {}  # (what is shown, set apart or not) → its place among the numbers
        self.shown: list[str] = []

    def write(self, text: str) -> None:
        self.text += text

    def slot(self, shown_as, value: float, operand: bool) -> None:
        """A slot for `value`, which shows `shown_as` (a Term, or a name): its number is written once for every
        slot that shows it alike (within a formula, or set apart), so that the slots are the same at every step."""
        apart = not operand or _set_apart(self.text)
        self.parts.append(self.text)
        self.slots.append(self.numbers.setdefault((shown_as, apart), len(self.numbers)))
        self.shown.append(number(value) if apart else _operand(value))
        self.text = ""

    def constant(self, value: float) -> None:
        self.text += number(value) if _set_apart(self.text) else _operand(value)

    def finish(self) -> tuple[tuple[tuple[str, ...], tuple[int, ...]], list[str]]:
        """The template (its parts and slots) and the numbers."""
        numbers = [""] * len(self.numbers)
        for slot, shown in zip(self.slots, self.shown, strict=True):
            numbers[slot] = shown
        return ((*self.parts, self.text), tuple(self.slots)), numbers


def _symbol(term: Term) -> str:
    return _symbol_html(term.symbol, term.meaning)


@functools.cache
def _symbol_html(symbol: str, meaning: str) -> str:
    """A symbol that tells its meaning on hover."""
    return f'<span class="descent-symbol" title="{html.escape(meaning)}">{symbol}</span>'


def _write_tokens(writer: _Writer, tokens, substituted: bool) -> None:
    for token in tokens:
        if isinstance(token, str):
            writer.write(token)
        elif isinstance(token, Sup):
            writer.write("<sup>")
            _write_tokens(writer, token.tokens, substituted)
            writer.write("</sup>")
        elif isinstance(token, Squared):
            if substituted:
                # Parenthesised even where an operand would not be: −2² or 1×10⁻⁸² would be misread.
                writer.write("(")
                _write_tokens(writer, (token.term,), substituted)
                writer.write(")<sup>2</sup>")
            else:
                writer.write(_symbol(token.term) + "<sup>2</sup>")
        elif not substituted:
            writer.write(_symbol(token))
        elif token.constant:
            writer.constant(token.value)
        else:
            writer.slot(token, token.value, operand=True)


def _write_line(writer: _Writer, line: Line) -> None:
    field = f' data-field="{line.field}"' if line.field else ""
    writer.write(f'<div class="descent-line"{field}>{_symbol(line.target)} = ')
    # A rule that is one symbol or plain text would only repeat its result.
    if line.symbolic:
        _write_tokens(writer, line.rule, substituted=False)
    has_values = any(not isinstance(token, str) for token in line.rule)
    if has_values and not (len(line.rule) == 1 and isinstance(line.rule[0], Term)):
        if line.symbolic:
            writer.write(" = ")
        _write_tokens(writer, line.rule, substituted=True)
    writer.write(' = <span class="descent-result">')
    writer.slot(line.target, line.target.value, operand=False)
    writer.write("</span>")
    if line.note:
        writer.write(f' <span class="descent-note">{line.note}</span>')
    writer.write("</div>")


def explanation(label: str, colour: str, optimiser: Optimiser, trajectory: Trajectory, lr_factors=None) -> Explanation:
    """Every frame's explanation of one run (batch ()), whose α was multiplied at each step by `lr_factors`
    (a schedule's; None: constant)."""
    steps, dim = trajectory.steps, trajectory.x.shape[-1]
    rule = RULES[optimiser.id]
    factors = np.ones(steps) if lr_factors is None else np.asarray(lr_factors, dtype=float)
    initial = optimiser.init(trajectory.x[:1])
    # What each step was given: the carried accumulators, from their start on (the others are only recorded).
    previous = {name: np.concatenate([start, trajectory.state[name][:-1]]) for name, start in initial.items()}
    heading = (
        f'<div class="descent-explained"><div class="descent-run" style="border-color: {html.escape(colour)}">'
        f"{html.escape(label)}</div>"
    )
    templates: dict[tuple, int] = {}
    frames = []
    stopped = int(trajectory.diverged_at)
    for k in range(steps + 1):
        writer = _Writer()
        writer.write(heading)
        if 0 <= stopped <= k + 1 or k == steps:
            writer.write(f'<div class="descent-note">{_no_step(trajectory, k, stopped)}</div>')
        else:
            writer.write("Step <i>t</i> = ")
            writer.slot("t", k + 1, operand=False)
            writer.write(": from the point shown, x<sub><i>t</i>−1</sub>, to the next, x<sub><i>t</i></sub>.")
            if dim > 1:
                writer.write(
                    " Each coordinate takes its own step: in its lines, x, g and the rest are that coordinate's."
                )
            with np.errstate(all="ignore"):
                for i in range(dim):
                    if dim > 1:
                        heading = f"Coordinate {i + 1}, {COORDINATE_NAMES[i]} on the map:"
                        writer.write(f'<div class="descent-coordinate">{heading}</div>')
                    context = Context(
                        optimiser,
                        t=k + 1,
                        alpha_factor=factors[k],
                        scheduled=lr_factors is not None,
                        point=trajectory.x[k],
                        next_point=trajectory.x[k + 1],
                        grad=trajectory.grad[k],
                        lr=trajectory.lr[k],
                        state={name: values[k] for name, values in trajectory.state.items()},
                        previous={name: values[k] for name, values in previous.items()},
                        coordinate=i,
                    )
                    for line in rule(context):
                        _write_line(writer, line)
        writer.write("</div>")
        template, numbers = writer.finish()
        frames.append([templates.setdefault(template, len(templates)), *numbers])
    return Explanation([{"parts": list(parts), "slots": list(slots)} for parts, slots in templates], frames)


def _no_step(trajectory: Trajectory, k: int, stopped: int) -> str:
    if stopped == 0:
        return "The run starts outside the domain of f: it takes no step."
    if 0 <= stopped <= k:
        return f"The run stopped at step {stopped}: its next point was not a finite number or left the domain."
    if stopped == k + 1:
        ending = "leaves the domain of f" if trajectory.left_domain else "diverges"
        return f"The step from here, step {stopped}, {ending}: the run stops at this point."
    return f"The last point: the run ends after {trajectory.steps} steps."
