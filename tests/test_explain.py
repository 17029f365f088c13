"""Each step written out (explain/): the numbers shown match the recorded trajectory to 4 significant digits, for
every optimiser in the registry, and the next point follows from the numbers put into the rule, computed here."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest

import losses
import optimisers
from article.explain import explanation, number

STEPS = 30
# Settings that make every part of a rule count: a decay where the optimiser has one, α large enough to move.
SETTINGS = {
    "gd": {"alpha": 0.05},
    "momentum": {"alpha": 0.05},
    "nesterov": {"alpha": 0.05},
    "adagrad": {"alpha": 0.1},
    "rmsprop": {"alpha": 0.05},
    "adam": {"alpha": 0.1},
    "amsgrad": {"alpha": 0.1},
    "adamw": {"alpha": 0.1, "weight_decay": 0.1},
    "nadam": {"alpha": 0.1},
    "radam": {"alpha": 0.1},
    "adamax": {"alpha": 0.1},
    "adadelta": {},
    "lion": {"alpha": 0.05, "weight_decay": 0.1},
    "adabelief": {"alpha": 0.1},
    "adopt": {"alpha": 0.1},
    "adafactor": {"alpha": 0.1},
    "schedulefree_adamw": {"alpha": 0.1, "warmup_steps": 3.0},
    "prodigy": {},
    "rprop": {},
}
# The next point from the numbers put into the last line of each rule, in the order they are written.
NEXT_POINT = {
    "gd": lambda x, alpha, g: x - alpha * g,
    "momentum": lambda x, alpha, b: x - alpha * b,
    "nesterov": lambda x, alpha, g, mu, b: x - alpha * (g + mu * b),
    "adagrad": lambda x, lr, g: x - lr * g,
    "rmsprop": lambda x, lr, g: x - lr * g,
    "adam": lambda x, lr, m_hat: x - lr * m_hat,
    "amsgrad": lambda x, lr, m_hat: x - lr * m_hat,
    "adamw": lambda decayed, lr, m_hat: decayed - lr * m_hat,
    "nadam": lambda x, lr, direction: x - lr * direction,
    "radam": lambda x, lr, m_hat: x - lr * m_hat,
    "adamax": lambda x, lr, m: x - lr * m,
    "adadelta": lambda x, alpha, delta: x - alpha * delta,
    "lion": lambda one, alpha, decay, x, alpha_again, sign: (one - alpha * decay) * x - alpha_again * sign,
    "adabelief": lambda x, lr, m: x - lr * m,
    "adopt": lambda x, alpha, m: x - alpha * m,
    "adafactor": lambda x, relative_step, clip, u: x - relative_step / clip * u,
    "schedulefree_adamw": lambda one, c, y, c_again, z, gamma, one_again, beta1, one_more, c_more, normalised: (
        (one - c) * y + c_again * z - gamma * (one_again - beta1 * (one_more - c_more)) * normalised
    ),
    "prodigy": lambda x, lr, m: x - lr * m,
    "rprop": lambda x, step_size, sign: x - step_size * sign,
}
NUMBER = re.compile(r"−?\d+(?:\.\d+)?(?:×10\^−?\d+)?")


def value_of(text: str) -> float:
    mantissa, _, exponent = text.replace("−", "-").partition("×10^")
    return float(mantissa) * 10 ** int(exponent or 0)


def shown_lines(frame_html: str) -> list[list[tuple[str | None, list[str]]]]:
    """Each coordinate's lines as (recorded field, the text between its equals signs), as the page shows them."""
    coordinates = frame_html.split('<div class="descent-coordinate">')
    blocks = coordinates[1:] if len(coordinates) > 1 else coordinates
    result = []
    for block in blocks:
        lines = []
        for field, body in re.findall(r'<div class="descent-line"(?: data-field="(\w+)")?>(.*?)</div>', block):
            text = html.unescape(re.sub(r"<[^>]+>", "", body.replace("<sup>", "^")))
            lines.append((field or None, text.split(" = ")))
        result.append(lines)
    return result


def recorded(trajectory, field: str, k: int) -> np.ndarray:
    if field == "x":
        return trajectory.x[k + 1]
    if field == "lr":
        return trajectory.lr[k]
    return trajectory.state[field][k]


def assert_explains(optimiser, trajectory, next_point, lr_factors=None) -> int:
    """Checks every frame that has a step, the next point from the numbers shown by `next_point`; returns how
    many lines were checked against the trajectory."""
    explained = explanation("run", "#ff7f0e", optimiser, trajectory, lr_factors)
    assert len(explained.frames) == trajectory.steps + 1
    checked = 0
    for k in range(trajectory.steps):
        frame = explained.render(k)
        assert "nan" not in frame.lower() and "undefined" not in frame
        for i, lines in enumerate(shown_lines(frame)):
            assert lines, f"{optimiser.id}: no lines at frame {k}"
            for field, sides in lines:
                if field is None:
                    continue
                expected = recorded(trajectory, field, k)[i]
                shown = value_of(sides[-1].split(" ")[0])
                assert shown == pytest.approx(expected, rel=5.001e-4, abs=1e-300), (optimiser.id, k, field)
                checked += 1
            field, sides = lines[-1]
            assert field == "x"
            if len(sides) == 4:  # the rule, with its numbers, its result; ADOPT's first step has no numbers: no move
                numbers = [value_of(n) for n in NUMBER.findall(sides[-2])]
                x, x_next = trajectory.x[k, i], trajectory.x[k + 1, i]
                moved = next_point(*numbers)
                assert moved == pytest.approx(x_next, rel=0, abs=5e-3 * (abs(x) + abs(x_next - x))), (optimiser.id, k)
            else:
                assert trajectory.x[k + 1, i] == trajectory.x[k, i]
    return checked


@pytest.mark.parametrize("optimiser_id", list(optimisers.REGISTRY))
@pytest.mark.parametrize(("loss_id", "start"), [("quartic", [0.3]), ("ravine", [1.5, 0.5])])
def test_every_number_shown_matches_the_recorded_step_and_the_next_point_follows_from_them(
    optimiser_id, loss_id, start
):
    optimiser = optimisers.create(optimiser_id, **SETTINGS[optimiser_id])
    trajectory = optimisers.simulate(losses.get(loss_id), optimiser, start, STEPS)
    assert trajectory.diverged_at < 0
    # The next point of each coordinate at every step, and at least one accumulator where there are any.
    lines_checked = 2 if trajectory.state else 1
    assert assert_explains(optimiser, trajectory, NEXT_POINT[optimiser_id]) >= lines_checked * STEPS * len(start)


@pytest.mark.parametrize(
    ("optimiser_id", "settings", "next_point"),
    [
        ("adam", {"alpha": 0.1, "eps_inside_sqrt": True}, NEXT_POINT["adam"]),
        ("adam", {"alpha": 0.1, "bias_correction": False}, lambda x, lr, m: x - lr * m),
        (
            "adam",
            {"alpha": 0.1, "eps_inside_sqrt": True, "extra_gradient_factor": True},
            lambda x, lr, g: x - lr * g,
        ),
        ("adagrad", {"alpha": 0.1, "eps_inside_sqrt": True}, NEXT_POINT["adagrad"]),
        ("rmsprop", {"alpha": 0.05, "eps_inside_sqrt": True}, NEXT_POINT["rmsprop"]),
        ("adopt", {"alpha": 0.1, "weight_decay": 0.5}, NEXT_POINT["adopt"]),
        # With λ the decayed point is written out: the last line's rule starts with (1 − α·λ)·x.
        (
            "adabelief",
            {"alpha": 0.1, "weight_decay": 0.5},
            lambda one, alpha, decay, x, lr, m: (one - alpha * decay) * x - lr * m,
        ),
        (
            "adafactor",
            {"alpha": 0.1, "weight_decay": 0.5},
            lambda one, alpha, decay, x, relative_step, clip, u: (one - alpha * decay) * x - relative_step / clip * u,
        ),
        (
            "prodigy",
            {"weight_decay": 0.5, "beta3_from_beta2": False, "beta3": 0.9},
            lambda one, d, alpha, decay, x, lr, m: (one - d * alpha * decay) * x - lr * m,
        ),
    ],
)
def test_the_articles_variants_and_weight_decay_are_explained_as_they_step(optimiser_id, settings, next_point):
    optimiser = optimisers.create(optimiser_id, **settings)
    trajectory = optimisers.simulate(losses.get("quartic"), optimiser, [0.3], STEPS)
    assert assert_explains(optimiser, trajectory, next_point) >= 2 * STEPS


def test_a_schedule_is_explained_with_the_learning_rate_it_gave_each_step():
    schedule = optimisers.schedule("warmup_cosine", warmup=5, t_max=20, min_factor=0.1)
    optimiser = optimisers.create("adam", alpha=0.1)
    trajectory = optimisers.simulate(losses.get("quartic"), optimiser, [0.3], STEPS, schedule=schedule)
    assert assert_explains(optimiser, trajectory, NEXT_POINT["adam"], schedule.factors(STEPS)) >= 2 * STEPS
    frame = explanation("run", "#ff7f0e", optimiser, trajectory, schedule.factors(STEPS)).render(2)
    assert number(0.1 * schedule.factors(STEPS)[2]) in frame  # α of step 3, the third of the warm-up


def test_radam_says_which_learning_rate_it_takes_before_and_after_its_average_is_trusted():
    optimiser = optimisers.create("radam", alpha=0.1)
    trajectory = optimisers.simulate(losses.get("quartic"), optimiser, [0.3], STEPS)
    explained = explanation("run", "#ff7f0e", optimiser, trajectory)
    trusted = trajectory.state["rho"][:, 0] > 5
    assert not trusted[0] and trusted[-1]
    for k in range(STEPS):
        assert ("long enough to trust" in explained.render(k)) == trusted[k]
        assert ("plain momentum for now" in explained.render(k)) != trusted[k]


def test_a_run_that_stops_says_so_and_shows_no_number_that_is_not_one():
    optimiser = optimisers.create("gd", alpha=10.0)
    trajectory = optimisers.simulate(losses.get("quartic"), optimiser, [2.0], 20)
    stopped = int(trajectory.diverged_at)
    assert 0 < stopped < 20
    explained = explanation("<b>run</b>", "#ff7f0e", optimiser, trajectory)
    assert "descent-line" in explained.render(stopped - 2)
    assert f"step {stopped}, diverges" in explained.render(stopped - 1)
    assert f"stopped at step {stopped}" in explained.render(stopped)
    for k in range(21):
        frame = explained.render(k)
        assert "nan" not in frame.lower() and "undefined" not in frame and "∞" not in frame
        assert "&lt;b&gt;run&lt;/b&gt;" in frame  # a label is text


def test_every_symbol_tells_its_meaning_on_hover():
    for optimiser_id in optimisers.REGISTRY:
        optimiser = optimisers.create(optimiser_id, **SETTINGS[optimiser_id])
        trajectory = optimisers.simulate(losses.get("ravine"), optimiser, [1.5, 0.5], 8)
        explained = explanation("run", "#ff7f0e", optimiser, trajectory)
        assert "ends after 8 steps" in explained.render(8)
        frame = explained.render(7)
        symbols = re.findall(r'<span class="descent-symbol" title="([^"]*)">', frame)
        assert len(symbols) >= 4 and all(len(meaning) > 5 for meaning in symbols), optimiser_id
        # Each coordinate's block says which coordinate its x, g and accumulators are.
        headings = re.findall(r'<div class="descent-coordinate">([^<]*)</div>', frame)
        assert headings == ["Coordinate 1, x on the map:", "Coordinate 2, y on the map:"], optimiser_id
    on_a_curve = optimisers.simulate(losses.get("quartic"), optimiser, [0.3], 8)
    assert "descent-coordinate" not in explanation("run", "#ff7f0e", optimiser, on_a_curve).render(3)


def test_numbers_are_written_to_four_significant_digits_with_a_true_minus_and_powers_of_ten():
    assert number(-0.0897123) == "−0.08971"
    assert number(1e-8) == "1×10<sup>−8</sup>"
    assert number(314.44) == "314.4"
    assert number(7) == "7"
    assert math.isclose(value_of("−1.261×10^−6"), -1.261e-6)


def test_prodigy_with_no_gradient_yet_says_it_takes_no_step():
    square = losses.parse("x^2", domain=((-3.0, 3.0),))
    prodigy = optimisers.create("prodigy")
    trajectory = optimisers.simulate(square, prodigy, [0.0], 3)  # at the minimum: every gradient is 0
    assert (trajectory.lr == 0).all() and (trajectory.x == 0).all()
    frame = explanation("run", "#ff7f0e", prodigy, trajectory).render(1)
    (lr_line,) = [text for field, text in shown_lines(frame)[0] if field == "lr"]
    assert lr_line[1] == "0" and lr_line[2].startswith("0 ")
    assert "every gradient so far was 0: no step" in frame and "×10<sup>8</sup>" not in frame
