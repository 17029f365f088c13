"""create(), the registry, and the update rules against plain-Python loops (the article's scenes)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import losses
import optimisers

ADAM_LIKE = ("alpha", "beta1", "beta2", "eps")
HYPERPARAMETERS = {
    "gd": ("alpha",),
    "momentum": ("alpha", "momentum"),
    "nesterov": ("alpha", "momentum"),
    "adagrad": ("alpha", "eps"),
    "rmsprop": ("alpha", "beta", "eps"),
    "adam": ADAM_LIKE,
    "amsgrad": ADAM_LIKE,
    "adamw": (*ADAM_LIKE, "weight_decay"),
    "nadam": ADAM_LIKE,
    "radam": ADAM_LIKE,
    "adamax": ADAM_LIKE,
    "adadelta": ("alpha", "rho", "eps"),
    "lion": ("alpha", "beta1", "beta2", "weight_decay"),
    "adabelief": (*ADAM_LIKE, "weight_decay"),
    "adopt": (*ADAM_LIKE, "weight_decay"),
    "adafactor": ("alpha", "beta2_decay", "eps1", "eps2", "d", "weight_decay"),
    "schedulefree_adamw": (*ADAM_LIKE, "warmup_steps", "weight_decay"),
    "prodigy": ("alpha", "beta1", "beta2", "beta3", "d0", "d_coef", "eps", "weight_decay"),
    "rprop": ("alpha", "eta_minus", "eta_plus", "step_min", "step_max"),
}
IDS = tuple(HYPERPARAMETERS)  # in the registry's order
OPTIONS = {
    "adagrad": {"eps_inside_sqrt"},
    "rmsprop": {"eps_inside_sqrt"},
    "adam": {"eps_inside_sqrt", "bias_correction", "extra_gradient_factor"},
    "prodigy": {"beta3_from_beta2"},
}
# The valid range of each hyperparameter, as the error message must state it.
RANGES = {
    "alpha": "(0, ∞)",
    "momentum": "[0, 1)",
    "beta": "[0, 1)",
    "beta1": "[0, 1)",
    "beta2": "[0, 1)",
    "eps": "[0, ∞)",
    "weight_decay": "[0, ∞)",
    "rho": "[0, 1)",
    "beta3": "[0, 1)",
    "d0": "(0, ∞)",
    "d_coef": "(0, ∞)",
    "beta2_decay": "(−∞, 0]",
    "eps1": "[0, ∞)",
    "eps2": "[0, ∞)",
    "d": "[1, ∞)",
    "warmup_steps": "[0, ∞)",
    "eta_minus": "(0, 1)",
    "eta_plus": "(1, ∞)",
    "step_min": "[0, ∞)",
    "step_max": "(0, ∞)",
}
OUTSIDE = {
    "alpha": [0.0, -0.1, math.nan, math.inf],
    "momentum": [-0.1, 1.0, 2.0],
    "beta": [-0.01, 1.0],
    "beta1": [-0.01, 1.0],
    "beta2": [-0.01, 1.0, 1.5],
    "eps": [-1e-8, math.nan, math.inf],
    "weight_decay": [-0.1, math.nan],
    "rho": [-0.1, 1.0],
    "beta3": [-0.1, 1.0],
    "d0": [0.0, -1e-6, math.inf],
    "d_coef": [0.0, -1.0],
    "beta2_decay": [0.1, -math.inf, math.nan],
    "eps1": [-1e-30, math.inf],
    "eps2": [-1e-3, math.nan],
    "d": [0.99, 0.0, math.inf],
    "warmup_steps": [-1.0, math.inf],
    "eta_minus": [0.0, 1.0, 1.5],
    "eta_plus": [1.0, 0.5, math.inf],
    "step_min": [-1e-6, math.inf],
    "step_max": [0.0, -1.0],
}
INSIDE = {
    "alpha": [1e-12, 1.0, 1e3],
    "momentum": [0.0, 0.999],
    "beta": [0.0, 0.9999],
    "beta1": [0.0, 0.9999],
    "beta2": [0.0, 0.9999],
    "eps": [0.0, 1.0],
    "weight_decay": [0.0, 10.0],
    "rho": [0.0, 0.9999],
    "beta3": [0.0, 0.99],
    "d0": [1e-12, 1.0],
    "d_coef": [1e-3, 10.0],
    "beta2_decay": [0.0, -0.8, -5.0],
    "eps1": [0.0, 1e-30],
    "eps2": [0.0, 1.0],
    "d": [1.0, 100.0],
    "warmup_steps": [0.0, 12.5],
    "eta_minus": [1e-3, 0.999],
    "eta_plus": [1.001, 10.0],
    "step_min": [0.0, 1.0],
    "step_max": [1e-9, 1e6],
}


# --- create() ------------------------------------------------------------------------------------------


def test_unknown_id_is_rejected_with_the_valid_ids():
    with pytest.raises(ValueError, match="unknown optimiser 'adamm'") as error:
        optimisers.create("adamm")
    assert all(id in str(error.value) for id in IDS)


@pytest.mark.parametrize("id", IDS)
def test_unknown_setting_is_rejected_with_the_valid_ones(id):
    with pytest.raises(ValueError, match="'lr'") as error:
        optimisers.create(id, lr=0.1)
    assert all(name in str(error.value) for name in HYPERPARAMETERS[id])


@pytest.mark.parametrize(
    "id, name, value", [(id, name, value) for id in IDS for name in HYPERPARAMETERS[id] for value in OUTSIDE[name]]
)
def test_value_outside_its_range_is_rejected_naming_it_and_the_range(id, name, value):
    with pytest.raises(ValueError) as error:
        optimisers.create(id, **{name: value})
    message = str(error.value)
    assert name in message and RANGES[name] in message, message


@pytest.mark.parametrize(
    "id, name, value", [(id, name, value) for id in IDS for name in HYPERPARAMETERS[id] for value in INSIDE[name]]
)
def test_value_inside_its_range_is_accepted(id, name, value):
    assert optimisers.create(id, **{name: value}).hyperparameters[name] == value


def test_one_bad_element_of_an_array_is_rejected():
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\); got 1.2"):
        optimisers.create("adam", beta2=np.array([0.9, 0.99, 1.2]))


@pytest.mark.parametrize("value", ["fast", None, [0.1, "x"]])
def test_value_that_is_not_a_number_is_rejected_naming_it(value):
    with pytest.raises(ValueError, match="alpha"):
        optimisers.create("gd", alpha=value)


@pytest.mark.parametrize("value", [1, "yes", None])
def test_option_must_be_a_bool(value):
    with pytest.raises(ValueError, match="bias_correction must be True or False"):
        optimisers.create("adam", bias_correction=value)


def test_unset_hyperparameters_take_their_defaults():
    optimiser = optimisers.create("adam", alpha=0.1)
    assert dict(optimiser.hyperparameters) == {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert optimiser.options == {"eps_inside_sqrt": False, "bias_correction": True, "extra_gradient_factor": False}


# --- array hyperparameters --------------------------------------------------------------------------------


def test_array_hyperparameters_broadcast_against_the_starts():
    quartic = losses.get("quartic")
    starts = np.array([-1.0, 0.5])[:, None, None]  # (2, 1, dim)
    alphas = np.array([0.01, 0.02, 0.05])
    trajectory = optimisers.simulate(quartic, optimisers.create("gd", alpha=alphas), starts, 1)
    assert trajectory.x.shape == (2, 2, 3, 1)
    for i, j in itertools.product(range(2), range(3)):
        x0 = starts[i, 0, 0]
        assert trajectory.x[1, i, j, 0] == x0 - alphas[j] * (4 * x0**3 - 4 * x0 + 1)


def test_array_hyperparameters_alone_make_the_batch():
    alphas = np.array([[0.01, 0.02, 0.05], [0.1, 0.2, 0.3]])
    betas = np.array([0.5, 0.9, 0.99])
    optimiser = optimisers.create("rmsprop", alpha=alphas, beta=betas)
    assert optimiser.batch_shape == (2, 3)
    trajectory = optimisers.simulate(losses.get("wavy"), optimiser, [0.5], 4)
    assert trajectory.x.shape == (5, 2, 3, 1)
    single = optimisers.simulate(losses.get("wavy"), optimisers.create("rmsprop", alpha=0.2, beta=0.9), [0.5], 4)
    np.testing.assert_array_equal(trajectory.x[:, 1, 1], single.x)


def test_incompatible_batch_shapes_are_rejected():
    with pytest.raises(ValueError):
        optimisers.simulate(losses.get("quartic"), optimisers.create("gd", alpha=[0.1, 0.2, 0.3]), [[0.1], [0.2]], 3)


# --- the registry -----------------------------------------------------------------------------------------


def braces_balance(latex: str) -> bool:
    depth = 0
    for character in latex:
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def test_registry_has_exactly_the_documented_ids():
    assert tuple(optimisers.REGISTRY) == IDS
    assert all(spec.id == id for id, spec in optimisers.REGISTRY.items())


@pytest.mark.parametrize("id", IDS)
def test_registry_entry_is_complete(id):
    spec = optimisers.REGISTRY[id]
    for text in (spec.name, spec.summary, spec.update_rule, spec.lr_meaning):
        assert isinstance(text, str) and text.strip()
    assert braces_balance(spec.update_rule)
    assert tuple(h.name for h in spec.hyperparameters) == HYPERPARAMETERS[id]
    assert {o.name for o in spec.options} == OPTIONS.get(id, set())
    for h in spec.hyperparameters:
        assert h.symbol.strip() and braces_balance(h.symbol) and h.meaning.strip()
        assert h.range_text == RANGES[h.name]
        assert h.contains(h.default), f"{h.name} default {h.default} outside {h.range_text}"
        for end in (h.slider_low, h.slider_high):
            assert end is not None and h.contains(end), f"{h.name} slider end {end} outside {h.range_text}"
        assert h.slider_low < h.slider_high
        if h.log_scale:
            assert h.slider_low > 0
    for o in spec.options:
        assert isinstance(o.default, bool) and o.meaning.strip()
    names = [a.name for a in spec.accumulators]
    assert len(set(names)) == len(names)
    assert all(a.symbol.strip() and a.meaning.strip() for a in spec.accumulators)


@pytest.mark.parametrize("id", IDS)
def test_accumulators_are_the_state_that_simulate_records(id):
    spec = optimisers.REGISTRY[id]
    trajectory = optimisers.simulate(losses.get("quartic"), optimisers.create(id), [[0.3], [-1.5]], 3)
    assert set(trajectory.state) == {a.name for a in spec.accumulators}
    for array in trajectory.state.values():
        assert array.shape == (3, 2, 1) and np.isfinite(array).all()


@pytest.mark.parametrize("id", IDS)
def test_only_the_carried_accumulators_are_fed_back(id):
    spec = optimisers.REGISTRY[id]
    carried = {a.name for a in spec.accumulators if a.carried}
    optimiser = optimisers.create(id)
    x = np.array([[0.3], [-1.5]])
    state = optimiser.init(x)
    assert set(state) == carried
    update = optimiser.update(x, losses.get("quartic").grad(x), state, 1)
    assert set(update.state) == carried
    assert set(update.recorded) == {a.name for a in spec.accumulators} - carried


# --- the update rules against plain-Python loops -------------------------------------------------------------


# Products, not powers: a Python float product overflows to inf where a power raises.
def quartic_slope(x):
    return 4 * x * x * x - 4 * x + 1


def wavy_slope(x):
    return 4 * x * x * x - 12 * x * x + 8 * x + 6 * math.cos(12 * x)


def fixed_rate_loop(slope, x, steps, alpha):
    points = [x]
    for _ in range(steps):
        x = x - alpha * slope(x)
        points.append(x)
    return points


def adagrad_loop(slope, x, steps, alpha, eps, eps_inside_sqrt):
    points, total = [x], 0.0
    for _ in range(steps):
        g = slope(x)
        total += g * g
        x = x - alpha / (math.sqrt(total + eps) if eps_inside_sqrt else math.sqrt(total) + eps) * g
        points.append(x)
    return points


def rmsprop_loop(slope, x, steps, alpha, beta, eps, eps_inside_sqrt):
    points, average = [x], 0.0
    for _ in range(steps):
        g = slope(x)
        average = beta * average + (1 - beta) * g * g
        x = x - alpha / (math.sqrt(average + eps) if eps_inside_sqrt else math.sqrt(average) + eps) * g
        points.append(x)
    return points


def adam_loop(slope, x, steps, alpha, beta1, beta2, eps, eps_inside_sqrt, bias_correction, extra_gradient_factor):
    points, m, v = [x], 0.0, 0.0
    for t in range(1, steps + 1):
        g = slope(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t) if bias_correction else m
        v_hat = v / (1 - beta2**t) if bias_correction else v
        denominator = math.sqrt(v_hat + eps) if eps_inside_sqrt else math.sqrt(v_hat) + eps
        x = x - alpha * m_hat / denominator * (g if extra_gradient_factor else 1)
        points.append(x)
    return points


def simulated(loss_id, id, x0, steps, **settings):
    trajectory = optimisers.simulate(losses.get(loss_id), optimisers.create(id, **settings), [x0], steps)
    return trajectory.x[:, 0]


ARTICLE = {"eps": 1e-8, "eps_inside_sqrt": True}
ARTICLE_ADAM = {**ARTICLE, "extra_gradient_factor": True}


def test_article_sanity_values_of_the_first_step():
    # The spec's numbers, from the article's code.
    assert round(simulated("quartic", "gd", 0.3, 1, alpha=0.5)[1], 4) == 0.346
    assert round(simulated("quartic", "gd", 0.1, 1, alpha=0.8)[1], 4) == -0.3832
    assert abs(simulated("quartic", "adagrad", 0.1, 1, alpha=0.1, **ARTICLE)[1]) < 0.00005
    assert round(simulated("quartic", "rmsprop", 0.1, 1, alpha=0.1, beta=0.9, **ARTICLE)[1], 4) == -0.2162


SCENES = [
    ("quartic", "gd", 0.3, {"alpha": 0.5}, lambda x: fixed_rate_loop(quartic_slope, x, 8, 0.5)),
    ("quartic", "gd", 0.1, {"alpha": 0.1}, lambda x: fixed_rate_loop(quartic_slope, x, 8, 0.1)),
    ("quartic", "gd", 0.3, {"alpha": 0.1}, lambda x: fixed_rate_loop(quartic_slope, x, 8, 0.1)),
    (
        "quartic",
        "adagrad",
        0.1,
        {"alpha": 0.1, **ARTICLE},
        lambda x: adagrad_loop(quartic_slope, x, 8, 0.1, 1e-8, True),
    ),
    (
        "quartic",
        "rmsprop",
        0.1,
        {"alpha": 0.1, "beta": 0.9, **ARTICLE},
        lambda x: rmsprop_loop(quartic_slope, x, 8, 0.1, 0.9, 1e-8, True),
    ),
    (
        "quartic",
        "adam",
        0.1,
        {"alpha": 0.1, **ARTICLE_ADAM},
        lambda x: adam_loop(quartic_slope, x, 8, 0.1, 0.9, 0.999, 1e-8, True, True, True),
    ),
    (
        "wavy",
        "rmsprop",
        0.5,
        {"alpha": 0.05, "beta": 0.9, **ARTICLE},
        lambda x: rmsprop_loop(wavy_slope, x, 8, 0.05, 0.9, 1e-8, True),
    ),
    (
        "wavy",
        "adam",
        0.5,
        {"alpha": 0.05, **ARTICLE_ADAM},
        lambda x: adam_loop(wavy_slope, x, 8, 0.05, 0.9, 0.999, 1e-8, True, True, True),
    ),
]


@pytest.mark.parametrize("loss_id, id, x0, settings, loop", SCENES)
def test_article_scene_runs_match_the_articles_rules(loss_id, id, x0, settings, loop):
    np.testing.assert_allclose(simulated(loss_id, id, x0, 8, **settings), loop(x0), rtol=1e-12, atol=1e-14)


def test_article_scene_1_orange_escapes_and_is_marked_diverged():
    trajectory = optimisers.simulate(losses.get("quartic"), optimisers.create("gd", alpha=0.8), [0.1], 8)
    expected = fixed_rate_loop(quartic_slope, 0.1, 8, 0.8)
    first_beyond_bound = next(t for t, x in enumerate(expected) if abs(x) > 1e6)
    assert trajectory.diverged_at == first_beyond_bound
    np.testing.assert_allclose(trajectory.x[:first_beyond_bound, 0], expected[:first_beyond_bound], rtol=1e-12)
    assert abs(trajectory.x[3, 0]) > 3  # off the article's axes after three steps


def test_article_scene_claims():
    quartic_minima = sorted(m.x[0] for m in losses.get("quartic").minima)
    global_minimum, local_minimum = quartic_minima
    yellow_1 = simulated("quartic", "gd", 0.3, 8, alpha=0.5)
    assert abs(yellow_1[-1] - local_minimum) < 0.1
    yellow_2, orange_2 = simulated("quartic", "gd", 0.3, 8, alpha=0.1), simulated("quartic", "gd", 0.1, 8, alpha=0.1)
    assert abs(orange_2[-1] - global_minimum) < 0.01
    assert np.all(np.diff(yellow_2) > 0) and yellow_2[-1] < local_minimum - 0.1
    adagrad = simulated("quartic", "adagrad", 0.1, 8, alpha=0.1, **ARTICLE)
    assert abs(orange_2[-1] - global_minimum) < abs(adagrad[-1] - global_minimum)
    rmsprop = simulated("quartic", "rmsprop", 0.1, 8, alpha=0.1, beta=0.9, **ARTICLE)
    assert abs(rmsprop[1] - rmsprop[0]) > abs(adagrad[1] - adagrad[0])
    assert abs(rmsprop[-1] - global_minimum) < 1e-3
    adam = simulated("quartic", "adam", 0.1, 8, alpha=0.1, **ARTICLE_ADAM)
    assert abs(rmsprop[-1] - global_minimum) < abs(adam[-1] - global_minimum) < 0.05

    wavy_minima = [m.x[0] for m in losses.get("wavy").minima]
    trap = min(wavy_minima, key=lambda x: abs(x - 0.3713))
    left_of_trap = max(x for x in wavy_minima if x < trap)
    rmsprop_6 = simulated("wavy", "rmsprop", 0.5, 40, alpha=0.05, beta=0.9, **ARTICLE)
    article_adam_6 = simulated("wavy", "adam", 0.5, 40, alpha=0.05, **ARTICLE_ADAM)
    textbook_adam_6 = simulated("wavy", "adam", 0.5, 40, alpha=0.05)
    assert np.all(np.abs(rmsprop_6[4:] - trap) < 0.05)
    assert abs(article_adam_6[-1] - left_of_trap) < 1e-3
    assert abs(textbook_adam_6[-1] - trap) < 0.05


@pytest.mark.parametrize("eps_inside_sqrt", [False, True])
def test_adagrad_and_rmsprop_place_eps_as_asked(eps_inside_sqrt):
    # ε = 0.1 is large enough that its place changes the result.
    adagrad = simulated("wavy", "adagrad", 1.2, 30, alpha=0.2, eps=0.1, eps_inside_sqrt=eps_inside_sqrt)
    np.testing.assert_allclose(adagrad, adagrad_loop(wavy_slope, 1.2, 30, 0.2, 0.1, eps_inside_sqrt), rtol=1e-12)
    rmsprop = simulated("wavy", "rmsprop", 1.2, 30, alpha=0.02, beta=0.8, eps=0.1, eps_inside_sqrt=eps_inside_sqrt)
    expected = rmsprop_loop(wavy_slope, 1.2, 30, 0.02, 0.8, 0.1, eps_inside_sqrt)
    np.testing.assert_allclose(rmsprop, expected, rtol=1e-12)


@pytest.mark.parametrize("options", list(itertools.product([False, True], repeat=3)))
def test_adam_variants_match_their_rules(options):
    eps_inside_sqrt, bias_correction, extra_gradient_factor = options
    settings = {"alpha": 0.02, "beta1": 0.8, "beta2": 0.95, "eps": 0.01}
    names = {"eps_inside_sqrt": eps_inside_sqrt, "bias_correction": bias_correction}
    names["extra_gradient_factor"] = extra_gradient_factor
    points = simulated("quartic", "adam", 0.4, 30, **settings, **names)
    np.testing.assert_allclose(points, adam_loop(quartic_slope, 0.4, 30, *settings.values(), *options), rtol=1e-12)


DIRECTIONS = {
    "adam": "m_hat",
    "amsgrad": "m_hat",
    "radam": "m_hat",
    "adamax": "m",
    "lion": "sign_step",
    "adabelief": "m",
    "adopt": "m",
    "prodigy": "m",
}


@pytest.mark.parametrize(
    "id",
    [
        *("gd", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "radam", "adamax"),
        *("lion", "adabelief", "adopt", "adafactor", "prodigy", "rprop"),
    ],
)
def test_each_step_is_x_minus_lr_times_the_documented_direction(id):
    trajectory = optimisers.simulate(losses.get("wavy"), optimisers.create(id), [[0.5], [1.7]], 20)
    if id == "rprop":
        direction = np.sign(trajectory.state["g_prev"])  # the gradient's sign, 0 where it flipped
    else:
        direction = trajectory.grad if id not in DIRECTIONS else trajectory.state[DIRECTIONS[id]]
    np.testing.assert_allclose(trajectory.x[1:], trajectory.x[:-1] - trajectory.lr * direction, rtol=1e-13, atol=1e-15)
