"""The numpy optimisers against their references: stored golden trajectories, live runs, and batching.

torch.optim is the reference of the first twelve (torch_optim*.json); pytorch_optimizer, schedulefree,
prodigyopt and torch.optim's Adafactor and Rprop that of the other seven (reference_optimisers*.json).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

import losses
import optimisers

GOLDEN = Path(__file__).parent / "golden"
INDEX = json.loads((GOLDEN / "torch_optim.json").read_text())
POINTS = np.load(GOLDEN / "torch_optim.npz")
INDEX_2D = json.loads((GOLDEN / "torch_optim_2d.json").read_text())
POINTS_2D = np.load(GOLDEN / "torch_optim_2d.npz")
REFERENCE_INDEX = json.loads((GOLDEN / "reference_optimisers.json").read_text())
REFERENCE_POINTS = np.load(GOLDEN / "reference_optimisers.npz")
REFERENCE_INDEX_2D = json.loads((GOLDEN / "reference_optimisers_2d.json").read_text())
REFERENCE_POINTS_2D = np.load(GOLDEN / "reference_optimisers_2d.npz")
# The package each optimiser's reference needs, beyond torch; the live tests skip without it.
REFERENCE_PACKAGES = {
    "lion": "pytorch_optimizer",
    "adabelief": "pytorch_optimizer",
    "adopt": "pytorch_optimizer",
    "schedulefree_adamw": "schedulefree",
    "prodigy": "prodigyopt",
}
INDEX_DATA = json.loads((GOLDEN / "torch_data.json").read_text())
POINTS_DATA = np.load(GOLDEN / "torch_data.npz")
INDEX_SCHEDULES = json.loads((GOLDEN / "torch_schedules.json").read_text())
POINTS_SCHEDULES = np.load(GOLDEN / "torch_schedules.npz")
RELATIVE_TOLERANCE = 1e-9
# Where the trajectory passes near 0 a relative error means nothing; rounding there is absolute.
ABSOLUTE_FLOOR = 1e-12


def assert_matches_torch(case: dict, expected: np.ndarray, averaged: np.ndarray | None = None) -> None:
    """Our run of `case` visits the reference's points `expected`: (steps+1, starts) in 1-D, (steps+1, starts, 2)
    in 2-D; with `averaged`, Schedule-Free's averaged points x are those (x[0] is the start)."""
    loss = losses.get(case["loss"])
    starts = np.reshape(case["starts"], (-1, loss.dim))
    optimiser = optimisers.create(case["optimiser"], **case["hyperparameters"])
    schedule = (
        optimisers.schedule(case["schedule"]["id"], **case["schedule"]["settings"]) if "schedule" in case else None
    )
    trajectory = optimisers.simulate(loss, optimiser, starts, len(expected) - 1, schedule=schedule)
    np.testing.assert_array_equal(trajectory.diverged_at, -1)
    reference = case.get("torch") or case.get("reference", "")
    np.testing.assert_allclose(
        trajectory.x.reshape(expected.shape), expected, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_FLOOR, err_msg=reference
    )
    if averaged is not None:
        np.testing.assert_allclose(
            trajectory.state["x_average"].reshape(averaged[1:].shape),
            averaged[1:],
            rtol=RELATIVE_TOLERANCE,
            atol=ABSOLUTE_FLOOR,
            err_msg=f"averaged x of {reference}",
        )


def case_id(case: dict) -> str:
    schedule = f"-{case['schedule']['id']}" if "schedule" in case else ""
    return f"{case['key']}-{case['optimiser']}-{case['loss']}{schedule}"


def test_golden_files_cover_every_optimiser_with_defaults_and_other_settings():
    cases = INDEX["cases"] + REFERENCE_INDEX["cases"]
    for id in optimisers.REGISTRY:
        settings = [case["hyperparameters"] for case in cases if case["optimiser"] == id]
        assert len({json.dumps(s, sort_keys=True) for s in settings if s}) >= 2, id
        if id not in ("momentum", "nesterov"):  # torch's SGD defaults to no momentum
            assert {} in settings, f"{id} has no case with the default settings"
    assert {case["loss"] for case in cases} == {"quartic", "wavy"}
    for id in {case["optimiser"] for case in REFERENCE_INDEX["cases"]}:
        assert {case["loss"] for case in REFERENCE_INDEX["cases"] if case["optimiser"] == id} == {"quartic", "wavy"}, id
    assert INDEX["steps"] == REFERENCE_INDEX["steps"] == 100


@pytest.mark.parametrize("case", INDEX["cases"], ids=case_id)
def test_matches_golden_torch_trajectory(case):
    expected = POINTS[case["key"]]
    assert expected.shape == (INDEX["steps"] + 1, len(case["starts"]))
    assert_matches_torch(case, expected)


@pytest.mark.parametrize("case", REFERENCE_INDEX["cases"], ids=case_id)
def test_matches_golden_reference_trajectory(case):
    expected = REFERENCE_POINTS[case["key"]]
    assert expected.shape == (REFERENCE_INDEX["steps"] + 1, len(case["starts"]))
    assert_matches_torch(case, expected, REFERENCE_POINTS.get(f"{case['key']}_x_average"))


@pytest.mark.parametrize("case", REFERENCE_INDEX_2D["cases"], ids=case_id)
def test_matches_golden_reference_trajectory_in_2d(case):
    expected = REFERENCE_POINTS_2D[case["key"]]
    assert expected.shape == (REFERENCE_INDEX_2D["steps"] + 1, len(case["starts"]), 2)
    assert_matches_torch(case, expected, REFERENCE_POINTS_2D.get(f"{case['key']}_x_average"))


def test_reference_golden_files_cover_the_seven_on_two_2d_losses_and_schedule_frees_average():
    for index, points in ((REFERENCE_INDEX, REFERENCE_POINTS), (REFERENCE_INDEX_2D, REFERENCE_POINTS_2D)):
        cases = index["cases"]
        assert {case["optimiser"] for case in cases} == set(list(optimisers.REGISTRY)[12:])
        for case in cases:
            assert (f"{case['key']}_x_average" in points) == (case["optimiser"] == "schedulefree_adamw")
    for loss_id in ("rosenbrock", "himmelblau"):
        assert {case["optimiser"] for case in REFERENCE_INDEX_2D["cases"] if case["loss"] == loss_id} == set(
            list(optimisers.REGISTRY)[12:]
        ), loss_id


def test_2d_golden_files_cover_every_2d_loss_with_several_optimisers():
    cases = INDEX_2D["cases"]
    two_dimensional = {
        id for id in losses.ids() if losses.get(id).dim == 2 and not isinstance(losses.get(id), losses.DataLoss)
    }
    assert {case["loss"] for case in cases} == two_dimensional
    for loss_id in two_dimensional:
        optimisers_used = {case["optimiser"] for case in cases if case["loss"] == loss_id}
        assert {"gd", "momentum", "adagrad", "rmsprop", "adam"} <= optimisers_used, loss_id
    all_cases = cases + REFERENCE_INDEX_2D["cases"]
    assert {case["optimiser"] for case in all_cases} == set(optimisers.REGISTRY)
    for case in all_cases:
        (x_low, x_high), (y_low, y_high) = losses.get(case["loss"]).domain
        for x, y in case["starts"]:
            assert x_low <= x <= x_high and y_low <= y <= y_high, case_id(case)
    assert INDEX_2D["steps"] == 150


@pytest.mark.parametrize("case", INDEX_2D["cases"], ids=case_id)
def test_matches_golden_torch_trajectory_in_2d(case):
    expected = POINTS_2D[case["key"]]
    assert expected.shape == (INDEX_2D["steps"] + 1, len(case["starts"]), 2)
    assert_matches_torch(case, expected)


def import_reference(id: str) -> None:
    """Skip the test when the reference of optimiser `id` is not installed (it never is a requirement)."""
    pytest.importorskip("torch", reason="torch is installed by hand, only to check against the references")
    if id in REFERENCE_PACKAGES:
        pytest.importorskip(REFERENCE_PACKAGES[id], reason=f"{id}'s reference, {REFERENCE_PACKAGES[id]}, is absent")


@pytest.mark.parametrize("id", list(optimisers.REGISTRY)[12:])
def test_defaults_are_the_references(id):
    """The reference made with our defaults takes exactly the steps of the reference made with its own."""
    import_reference(id)
    import torch

    from tools.make_golden import reference_arguments, reference_optimiser

    spec = optimisers.REGISTRY[id]
    ours = {h.name: h.default for h in spec.hyperparameters} | {o.name: o.default for o in spec.options}
    cls, _ = reference_arguments(id, {})
    runs = []
    for optimiser_of in (lambda p: reference_optimiser(id, ours, p), lambda p: cls([p])):
        param = torch.nn.Parameter(torch.tensor([0.7, -1.3], dtype=torch.float64))
        optimiser = optimiser_of(param)
        if id == "schedulefree_adamw":
            optimiser.train()
        points = []
        for _ in range(30):
            param.grad = 4 * param.detach() ** 3 - 4 * param.detach() + 1
            optimiser.step()
            points.append(param.detach().clone())
        runs.append(torch.stack(points).numpy())
    np.testing.assert_array_equal(*runs)


@pytest.mark.parametrize("id", list(optimisers.REGISTRY)[:12])
def test_defaults_are_torchs(id):
    torch = pytest.importorskip("torch")
    from tools.make_golden import TORCH_CLASSES, TORCH_NAMES

    cls, _ = TORCH_CLASSES[id]
    torch_defaults = {name: p.default for name, p in inspect.signature(cls).parameters.items()}
    assert issubclass(cls, torch.optim.Optimizer)
    for hyperparameter in optimisers.REGISTRY[id].hyperparameters:
        if hyperparameter.name == "momentum":
            continue  # torch's SGD has none by default; our momentum ids are SGD with momentum
        if hyperparameter.name in ("beta1", "beta2"):
            expected = torch_defaults["betas"][hyperparameter.name == "beta2"]
        else:
            expected = torch_defaults[TORCH_NAMES.get(hyperparameter.name, hyperparameter.name)]
        assert hyperparameter.default == expected, hyperparameter.name


# Ranges to draw hyperparameters from, chosen so most runs are neither chaotic nor divergent.
RANDOM_RANGES = {
    "alpha": (1e-3, 3e-2),
    "momentum": (0.3, 0.95),
    "beta": (0.5, 0.99),
    "beta1": (0.5, 0.95),
    "beta2": (0.9, 0.999),
    "eps": (1e-8, 1e-3),
    "weight_decay": (0.0, 0.5),
    "rho": (0.5, 0.95),
    "beta3": (0.5, 0.99),
    "d0": (1e-4, 1e-2),
    "d_coef": (0.5, 2.0),
    "beta2_decay": (-1.0, -0.5),
    "eps1": (1e-30, 1e-8),
    "eps2": (1e-4, 1e-2),
    "d": (1.0, 3.0),
    "warmup_steps": (0.0, 20.0),
    "eta_minus": (0.3, 0.7),
    "eta_plus": (1.05, 1.5),
    "step_min": (1e-6, 1e-3),
    "step_max": (0.1, 50.0),
}


def random_case(rng: np.random.Generator, id: str) -> dict:
    settings = {}
    for hyperparameter in optimisers.REGISTRY[id].hyperparameters:
        low, high = RANDOM_RANGES[hyperparameter.name]
        if hyperparameter.log_scale:
            settings[hyperparameter.name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        else:
            settings[hyperparameter.name] = float(rng.uniform(low, high))
    if id in ("adadelta", "prodigy"):
        settings["alpha"] *= 100  # their steps are already scaled; their α is near 1
    loss = str(rng.choice(["quartic", "wavy"]))
    return {"optimiser": id, "hyperparameters": settings, "loss": loss, "starts": rng.uniform(-2.0, 2.4, size=6)}


@pytest.mark.parametrize("seed, id", list(enumerate(optimisers.REGISTRY)))
def test_matches_torch_live_on_random_settings(seed, id):
    import_reference(id)
    from tools.make_golden import torch_trajectory, well_behaved

    rng = np.random.default_rng(seed)
    # Draw until some start is well-conditioned (as the golden files are); the draws are seeded.
    for _ in range(10):
        case = random_case(rng, id)
        keep, _ = well_behaved(id, case["hyperparameters"], case["loss"], case["starts"])
        if keep.any():
            break
    assert keep.any(), f"no well-conditioned draw for {id}"
    case["starts"] = case["starts"][keep].tolist()
    assert_matches_torch(case, torch_trajectory(id, case["hyperparameters"], case["loss"], case["starts"]))


ARRAY_SETTINGS = {
    "gd": {"alpha": [0.01, 0.05, 0.3]},
    "momentum": {"alpha": [0.01, 0.02, 0.05], "momentum": [0.5, 0.9, 0.99]},
    "nesterov": {"alpha": [0.01, 0.02, 0.05], "momentum": [0.5, 0.9, 0.99]},
    "adagrad": {"alpha": [0.05, 0.1, 0.5], "eps": [1e-10, 1e-3, 0.1]},
    "rmsprop": {"alpha": [0.01, 0.05, 0.1], "beta": [0.5, 0.9, 0.99]},
    "adam": {"alpha": [0.01, 0.05, 0.1], "beta1": [0.5, 0.9, 0.95], "beta2": [0.9, 0.99, 0.999]},
    "amsgrad": {"alpha": [0.01, 0.05, 0.1], "beta2": [0.9, 0.99, 0.999]},
    "adamw": {"alpha": [0.01, 0.05, 0.1], "weight_decay": [0.0, 0.1, 1.0]},
    "nadam": {"alpha": [0.01, 0.05, 0.1], "beta1": [0.5, 0.9, 0.95]},
    "radam": {"alpha": [0.01, 0.05, 0.1], "beta2": [0.9, 0.99, 0.999]},
    "adamax": {"alpha": [0.01, 0.05, 0.1], "eps": [1e-8, 1e-4, 1e-2]},
    "adadelta": {"alpha": [0.5, 1.0, 5.0], "rho": [0.5, 0.9, 0.99]},
    "lion": {"alpha": [0.001, 0.01, 0.05], "beta1": [0.5, 0.9, 0.95], "weight_decay": [0.0, 0.1, 1.0]},
    "adabelief": {"alpha": [0.01, 0.05, 0.1], "beta2": [0.9, 0.99, 0.999], "eps": [1e-16, 1e-8, 1e-3]},
    "adopt": {"alpha": [0.01, 0.05, 0.1], "beta2": [0.9, 0.99, 0.9999], "weight_decay": [0.0, 0.1, 1.0]},
    "adafactor": {"alpha": [0.01, 0.05, 0.1], "beta2_decay": [-0.8, -0.5, -1.0], "d": [1.0, 2.0, 5.0]},
    "schedulefree_adamw": {"alpha": [0.01, 0.05, 0.1], "beta1": [0.5, 0.9, 0.95], "warmup_steps": [0.0, 5.0, 12.5]},
    "prodigy": {"alpha": [0.5, 1.0, 2.0], "d0": [1e-6, 1e-4, 1e-2], "d_coef": [0.5, 1.0, 2.0]},
    "rprop": {"alpha": [0.01, 0.05, 0.1], "eta_minus": [0.3, 0.5, 0.7], "step_max": [0.1, 1.0, 50.0]},
}


@pytest.mark.parametrize("id", optimisers.REGISTRY)
@pytest.mark.parametrize("loss_id", ["quartic", "wavy"])
def test_batched_call_equals_separate_calls_exactly(id, loss_id):
    loss = losses.get(loss_id)
    starts = np.array([-2.0, -0.4, 0.1, 0.9, 2.4])
    settings = {name: np.array(values) for name, values in ARRAY_SETTINGS[id].items()}
    # Starts (5, 1, 1) against settings (3,): a batch of 5 × 3 runs in one call.
    batched = optimisers.simulate(loss, optimisers.create(id, **settings), starts[:, None, None], 60)
    assert batched.x.shape == (61, 5, 3, 1)
    for i, start in enumerate(starts):
        for j in range(3):
            single_settings = {name: float(values[j]) for name, values in settings.items()}
            single = optimisers.simulate(loss, optimisers.create(id, **single_settings), [start], 60)
            for field in ("x", "loss", "grad", "lr"):
                np.testing.assert_array_equal(getattr(batched, field)[:, i, j], getattr(single, field), err_msg=field)
            for name, array in single.state.items():
                np.testing.assert_array_equal(batched.state[name][:, i, j], array, err_msg=name)
            for field in ("final_x", "final_loss", "diverged_at", "settled_at"):
                np.testing.assert_array_equal(getattr(batched, field)[i, j], getattr(single, field), err_msg=field)


@pytest.mark.parametrize("id", ["prodigy", "adafactor"])
def test_runs_of_a_batch_share_nothing_where_a_reference_sums_over_the_coordinates(id):
    """Prodigy's d and Adafactor's RMS reduce over one run's coordinates, never across the runs of a batch."""
    loss = losses.get("himmelblau")
    starts = np.array([[0.0, 0.0], [-4.0, 4.0], [1.0, -4.0], [3.5, 1.5]])
    batched = optimisers.simulate(loss, optimisers.create(id), starts, 80)
    for i, start in enumerate(starts):
        single = optimisers.simulate(loss, optimisers.create(id), start[None], 80)
        np.testing.assert_array_equal(batched.x[:, i], single.x[:, 0])
        for name, array in single.state.items():
            np.testing.assert_array_equal(batched.state[name][:, i], array[:, 0], err_msg=name)


def test_schedule_golden_files_cover_every_optimiser_under_every_schedule_in_1d_and_2d():
    cases = INDEX_SCHEDULES["cases"]
    scheduled = set(optimisers.SCHEDULES) - {"constant"}
    optimiser_ids = {case["optimiser"] for case in cases}
    assert {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw"} <= optimiser_ids
    assert {"nadam", "radam", "adamax", "adadelta"} <= optimiser_ids
    for id in optimiser_ids:
        assert {case["schedule"]["id"] for case in cases if case["optimiser"] == id} == scheduled, id
    for dim in (1, 2):
        assert {case["schedule"]["id"] for case in cases if losses.get(case["loss"]).dim == dim} == scheduled
    assert INDEX_SCHEDULES["steps"] == 100


@pytest.mark.parametrize("case", INDEX_SCHEDULES["cases"], ids=case_id)
def test_matches_golden_torch_trajectory_with_a_schedule(case):
    expected = POINTS_SCHEDULES[case["key"]]
    assert expected.shape[:2] == (INDEX_SCHEDULES["steps"] + 1, len(case["starts"]))
    assert_matches_torch(case, expected)


def random_schedule(rng: np.random.Generator, steps: int) -> tuple[str, dict]:
    """A schedule other than constant with settings drawn over ranges that change the rate within `steps`."""
    id = str(rng.choice([id for id in optimisers.SCHEDULES if id != "constant"]))
    draws = {
        "step_size": lambda: int(rng.integers(1, steps // 3)),
        "gamma": lambda: float(rng.uniform(0.5, 1.0) if id == "step" else rng.uniform(0.9, 1.0)),
        "t_max": lambda: int(rng.integers(5, 2 * steps)),
        "warmup": lambda: int(rng.integers(1, steps // 2)),
        "min_factor": lambda: float(rng.uniform(0.0, 0.5)),
        "pct_start": lambda: float(rng.uniform(0.05, 0.9)),
        "div_factor": lambda: float(rng.uniform(2.0, 50.0)),
        "final_div_factor": lambda: float(np.exp(rng.uniform(0.0, np.log(1e5)))),
    }
    return id, {setting.name: draws[setting.name]() for setting in optimisers.SCHEDULES[id].settings}


# The torch.optim optimisers: torch's schedulers drive them, as the schedule golden files check.
SCHEDULED_IDS = sorted({case["optimiser"] for case in INDEX_SCHEDULES["cases"]})


@pytest.mark.parametrize("seed, id", list(enumerate(SCHEDULED_IDS)))
def test_matches_torch_live_on_random_schedules(seed, id):
    pytest.importorskip("torch")
    from tools.make_golden import torch_trajectory, well_behaved

    rng = np.random.default_rng(1000 + seed)
    for _ in range(10):
        case = random_case(rng, id)
        schedule = random_schedule(rng, 100)
        keep, _ = well_behaved(id, case["hyperparameters"], case["loss"], case["starts"], schedule=schedule)
        if keep.any():
            break
    assert keep.any(), f"no well-conditioned draw for {id}"
    case["starts"] = case["starts"][keep].tolist()
    case["schedule"] = {"id": schedule[0], "settings": schedule[1]}
    expected = torch_trajectory(id, case["hyperparameters"], case["loss"], case["starts"], schedule=schedule)
    assert_matches_torch(case, expected)


@pytest.mark.parametrize("schedule_id", [id for id in optimisers.SCHEDULES if id != "constant"])
@pytest.mark.parametrize("id", ["gd", "adam", "adamw", "adadelta"])
def test_batched_call_equals_separate_calls_exactly_with_a_schedule(id, schedule_id):
    loss = losses.get("wavy")
    schedule = optimisers.schedule(schedule_id)
    alphas = ARRAY_SETTINGS[id]["alpha"]
    starts = np.array([-1.5, 0.3, 2.0])
    batched = optimisers.simulate(
        loss, optimisers.create(id, alpha=np.array(alphas)), starts[:, None, None], 60, schedule=schedule
    )
    for i, start in enumerate(starts):
        for j, alpha in enumerate(alphas):
            single = optimisers.simulate(loss, optimisers.create(id, alpha=alpha), [start], 60, schedule=schedule)
            np.testing.assert_array_equal(batched.x[:, i, j], single.x)
            np.testing.assert_array_equal(batched.lr[:, i, j], single.lr)
            np.testing.assert_array_equal(batched.settled_at[i, j], single.settled_at)


def test_data_golden_files_cover_every_data_loss_with_several_optimisers():
    data_losses = {id for id in losses.ids() if isinstance(losses.get(id), losses.DataLoss)}
    assert data_losses == {"faithful", "iris_logistic"}
    for loss_id in data_losses:
        assert len({case["optimiser"] for case in INDEX_DATA["cases"] if case["loss"] == loss_id}) >= 5


@pytest.mark.parametrize("case", INDEX_DATA["cases"], ids=case_id)
def test_matches_golden_torch_trajectory_on_a_loss_fitted_to_data(case):
    expected = POINTS_DATA[case["key"]]
    assert expected.shape == (INDEX_DATA["steps"] + 1, len(case["starts"]), 2)
    assert_matches_torch(case, expected)
