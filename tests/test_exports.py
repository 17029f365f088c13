"""Downloads: the CSV holds every recorded field; the PyTorch script reproduces the run."""

import csv
import dataclasses
import io
import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import exports
import losses
import optimisers
from config import new_run


def scheduled(run, schedule_id, **settings):
    return dataclasses.replace(run, schedule=schedule_id, schedule_settings=settings)


def _simulate(loss, run, steps):
    return optimisers.simulate(loss, run.create_optimiser(), np.array(run.x0), steps, schedule=run.create_schedule())


def test_csv_of_a_two_variable_run_has_a_column_per_coordinate():
    himmelblau = losses.get("himmelblau")
    trajectory = _simulate(himmelblau, new_run("adam", (0.5, -4.0), 0, alpha=0.1), 5)
    rows = list(csv.DictReader(io.StringIO(exports.trajectories_csv(["A"], ["adam"], [trajectory]))))
    assert [(float(r["x1"]), float(r["x2"])) for r in rows] == [tuple(point) for point in trajectory.x.tolist()]
    assert [float(r["lr_x2"]) for r in rows[1:]] == trajectory.lr[:, 1].tolist()


def test_csv_has_one_row_per_run_and_step_with_every_field():
    quartic = losses.get("quartic")
    runs = [new_run("adam", (0.1,), 0, alpha=0.1), new_run("gd", (0.1,), 1, alpha=0.8)]
    trajectories = [_simulate(quartic, run, 8) for run in runs]
    rows = list(csv.DictReader(io.StringIO(exports.trajectories_csv(["A", "B"], ["adam", "gd"], trajectories))))
    assert len(rows) == 2 * 9
    adam_rows = [r for r in rows if r["label"] == "A"]
    assert [float(r["x"]) for r in adam_rows] == trajectories[0].x[:, 0].tolist()
    assert [float(r["loss"]) for r in adam_rows] == trajectories[0].loss.tolist()
    assert [float(r["grad"]) for r in adam_rows[1:]] == trajectories[0].grad[:, 0].tolist()
    assert [float(r["v_hat"]) for r in adam_rows[1:]] == trajectories[0].state["v_hat"][:, 0].tolist()
    assert adam_rows[0]["v_hat"] == adam_rows[0]["lr"] == adam_rows[0]["grad"] == ""
    # Each row checks out on its own: lr = α/(√v̂ + ε), and x moved by lr·m̂ to reach the row's x.
    for previous, row in itertools.pairwise(adam_rows):
        assert float(row["lr"]) == pytest.approx(0.1 / (math.sqrt(float(row["v_hat"])) + 1e-8), rel=1e-12)
        assert float(row["x"]) == pytest.approx(float(previous["x"]) - float(row["lr"]) * float(row["m_hat"]))
    diverging = [r for r in rows if r["label"] == "B"]
    assert int(diverging[0]["diverged_at"]) == int(trajectories[1].diverged_at) > 0
    # no "nan" or "inf" text reaches the file: a diverged run's missing values are empty cells
    assert "nan" not in exports.trajectories_csv(["B"], ["gd"], trajectories[1:]).lower()


def test_variants_without_a_torch_equivalent_are_recognised():
    assert exports.torch_equivalent(new_run("adam", (0.1,), 0))
    assert not exports.torch_equivalent(new_run("adam", (0.1,), 0, extra_gradient_factor=True))
    assert not exports.torch_equivalent(new_run("rmsprop", (0.1,), 0, eps_inside_sqrt=True))


# Every function the parser defines itself (abs of a maybe-complex argument, the hyperbolics) and
# functions of constants (log10, log2), away from kinks so the runs are not chaotic.
TYPED = "sinh(x/3) + abs(log(x + 10)) + tanh(x)*cosh(x/4) + log10(x) + log2(x) + atan(x) + sqrt(x) + 3*(x - 2)^2"


def test_every_optimiser_and_typed_formula_gives_a_script_that_compiles():
    for optimiser_id in optimisers.REGISTRY:
        for loss in (losses.get("quartic"), losses.parse(TYPED, domain=((0.5, 3.0),)), losses.get("rastrigin")):
            run = new_run(optimiser_id, (1.5,) * loss.dim, 0, label='a """ label \\')
            compile(exports.pytorch_script(loss, run, 10), "run.py", "exec")


@pytest.mark.parametrize(
    ("loss", "run"),
    [
        (losses.get("quartic"), new_run("adam", (0.1,), 0, alpha=0.1, beta1=0.8)),
        (losses.get("wavy"), new_run("rmsprop", (0.5,), 0, alpha=0.05, beta=0.9)),
        (losses.get("kink"), new_run("nesterov", (1.3,), 0, alpha=0.01, momentum=0.8)),
        (losses.get("ripples"), new_run("adamw", (2.2,), 0, alpha=0.02, weight_decay=0.1)),
        (losses.parse(TYPED, domain=((0.5, 3.0),)), new_run("adam", (1.5,), 0, alpha=0.05)),
        (losses.get("himmelblau"), new_run("adagrad", (0.5, -4.0), 0, alpha=0.3)),
        (losses.get("ravine", condition=50.0, angle=10.0), new_run("adam", (1.0, 1.0), 0, alpha=0.1)),
        *[
            (losses.get("himmelblau"), scheduled(new_run("adam", (0.5, -4.0), 0, alpha=0.2), id, **settings))
            for id, settings in [
                ("step", {"step_size": 4, "gamma": 0.7}),
                ("exponential", {"gamma": 0.93}),
                ("cosine", {"t_max": 12, "min_factor": 0.05}),
                ("warmup_cosine", {"warmup": 5, "t_max": 20, "min_factor": 0.1}),
                ("one_cycle", {"pct_start": 0.4, "div_factor": 8.0, "final_div_factor": 30.0}),
            ]
        ],
    ],
)
def test_pytorch_script_reproduces_the_trajectory(loss, run, tmp_path):
    pytest.importorskip("torch")
    assert_script_reproduces(loss, run, tmp_path)


@pytest.mark.parametrize(
    ("loss", "run", "package"),
    [
        (losses.get("quartic"), new_run("lion", (0.1,), 0, alpha=0.02, weight_decay=0.1), "pytorch_optimizer"),
        (losses.get("wavy"), new_run("adabelief", (0.5,), 0, alpha=0.05), "pytorch_optimizer"),
        (losses.get("himmelblau"), new_run("adopt", (0.5, -4.0), 0, alpha=0.1), "pytorch_optimizer"),
        (losses.get("himmelblau"), new_run("adafactor", (0.5, -4.0), 0, alpha=0.05, d=2.0), "torch"),
        (
            losses.get("rosenbrock"),
            new_run("schedulefree_adamw", (-1.2, 1.0), 0, alpha=0.01, warmup_steps=5.0),
            "schedulefree",
        ),
        (
            losses.get("ravine", condition=50.0, angle=10.0),
            new_run("prodigy", (1.0, 1.0), 0, d0=1e-3, beta3=0.9, beta3_from_beta2=False),
            "prodigyopt",
        ),
        (losses.get("quartic"), new_run("rprop", (1.5,), 0, alpha=0.05, eta_plus=1.5), "torch"),
    ],
)
def test_pytorch_script_reproduces_the_trajectory_with_the_other_references(loss, run, package, tmp_path):
    pytest.importorskip("torch", reason="torch is installed by hand, only to check against the references")
    pytest.importorskip(package, reason=f"{run.optimiser}'s reference, {package}, is absent")
    assert_script_reproduces(loss, run, tmp_path)


def test_prodigys_own_beta3_is_a_reference_argument_not_a_variant():
    run = new_run("prodigy", (0.3,), 0, beta3=0.9, beta3_from_beta2=False)
    assert exports.torch_equivalent(run)
    assert "beta3=0.9" in exports.pytorch_script(losses.get("quartic"), run, 5)
    assert "beta3" not in exports.pytorch_script(losses.get("quartic"), new_run("prodigy", (0.3,), 0), 5)


def assert_script_reproduces(loss, run, tmp_path):
    script = tmp_path / "run.py"
    script.write_text(exports.pytorch_script(loss, run, 30))
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    printed = np.array([json.loads(line.split(" ", 1)[1]) for line in output.splitlines()])
    expected = _simulate(loss, run, 30).x
    np.testing.assert_allclose(printed, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "label", ['=HYPERLINK("http://x.invalid","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_a_label_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text(label):
    trajectory = optimisers.simulate(losses.get("quartic"), optimisers.create("gd"), [-0.5], 2)
    rows = list(csv.DictReader(io.StringIO(exports.trajectories_csv([label, "plain"], ["gd", "gd"], [trajectory] * 2))))
    assert {row["label"] for row in rows} == {"'" + label, "plain"}
    assert all(row["x"].startswith("-") and float(row["x"]) <= -0.5 for row in rows)  # negative numbers stay numbers
