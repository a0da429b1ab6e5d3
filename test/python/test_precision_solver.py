# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The mixed-precision solver from Python: `python3 -m quantx
solve-precision` (exit codes, JSON out, errors naming the field) and
`quantx.solve_precision`, checked against brute force."""

import itertools
import json
import os
import random
import subprocess
import sys

import pytest

import quantx

os.environ.setdefault("QUANTX_TOOLS", os.path.dirname(os.environ["QUANT_RUN"]))
PYTHON = os.path.join(os.path.dirname(__file__), "..", "..", "python")


def cli(*args):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(PYTHON))
    return subprocess.run([sys.executable, "-m", "quantx", "solve-precision",
                           *args], capture_output=True, text=True, env=env)


def problem(budget):
    return {
        "layers": [
            {"name": "conv1", "tie": "g0", "options": [
                {"precision": "w8a8", "sensitivity": 0.0016,
                 "weight_bytes": 36864, "bops": 7.4e9, "latency_ms": 0.36},
                {"precision": "w4a8", "sensitivity": 0.4624,
                 "weight_bytes": 18432, "bops": 1.8e9, "latency_ms": 0.21}]},
            {"name": "conv2", "tie": "g0", "options": [
                {"precision": "w8a8", "sensitivity": 0.01,
                 "weight_bytes": 10000},
                {"precision": "w4a8", "sensitivity": 0.02,
                 "weight_bytes": 5000}]},
            {"name": "fc", "options": [
                {"precision": "w8a8", "sensitivity": 0.0,
                 "weight_bytes": 100000},
                {"precision": "w4a8", "sensitivity": 0.1,
                 "weight_bytes": 50000},
                {"precision": "w2a8", "sensitivity": 0.5,
                 "weight_bytes": 25000}]}],
        "budget": budget}


def test_cli_optimal(tmp_path):
    path = tmp_path / "costs.json"
    path.write_text(json.dumps(problem({"weight_bytes": 100000})))
    out = tmp_path / "choice.json"
    result = cli(str(path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    answer = json.loads(out.read_text())
    assert answer["status"] == "optimal"
    # fc at w4a8 (0.1) beats the tie at w4a8 (0.4624 + 0.02 - 0.0116).
    assert answer["choice"] == {"conv1": "w8a8", "conv2": "w8a8",
                                "fc": "w4a8"}
    assert answer["totals"]["weight_bytes"] == 96864
    assert answer["objective"] == pytest.approx(0.1116)
    printed = cli(str(path))
    assert json.loads(printed.stdout) == answer


def test_cli_infeasible(tmp_path):
    path = tmp_path / "costs.json"
    path.write_text(json.dumps(problem({"weight_bytes": 40000})))
    result = cli(str(path))
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["status"] == "infeasible"
    assert answer["budget"] == "weight_bytes"
    # All at their smallest: 18432 + 5000 + 25000.
    assert answer["smallest_feasible"] == 48432


@pytest.mark.parametrize("edit, message", [
    (lambda p: p["layers"][1]["options"][0].pop("sensitivity"),
     "layers[1].options[0].sensitivity is missing"),
    (lambda p: p["layers"][0]["options"][1].update(bops=-1),
     "layers[0].options[1].bops must not be negative, got -1"),
    (lambda p: p["budget"].update(size=0.5),
     "budget has an unknown key 'size'"),
    (lambda p: p["layers"][2].update(name="conv1"),
     "layers[2].name 'conv1' names an earlier layer too"),
])
def test_cli_bad_input(tmp_path, edit, message):
    costs = problem({"weight_bytes": 100000})
    edit(costs)
    path = tmp_path / "costs.json"
    path.write_text(json.dumps(costs))
    result = cli(str(path))
    assert result.returncode == 2
    assert message in result.stderr


def test_cli_missing_and_corrupt_files(tmp_path):
    result = cli(str(tmp_path / "absent.json"))
    assert result.returncode == 2 and "cannot read" in result.stderr
    path = tmp_path / "broken.json"
    path.write_text('{"layers": [')
    result = cli(str(path))
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def test_api_matches_brute_force():
    rng = random.Random(3)
    for _ in range(20):
        layers = []
        for i in range(rng.randint(1, 6)):
            layers.append({"name": f"l{i}", "options": [
                {"precision": p, "sensitivity": rng.random() * b,
                 "weight_bytes": 1000 // (1 << b), "bops": rng.random()}
                for b, p in enumerate(["w8a8", "w4a8", "w2a8"])]})
        budget = {"weight_bytes": rng.randint(200, 1000 * len(layers)),
                  "bops": rng.random() * len(layers)}
        best = None
        for pick in itertools.product(range(3), repeat=len(layers)):
            options = [layer["options"][o] for layer, o in zip(layers, pick)]
            if (sum(o["weight_bytes"] for o in options) <=
                    budget["weight_bytes"] and
                    sum(o["bops"] for o in options) <= budget["bops"]):
                cost = sum(o["sensitivity"] for o in options)
                best = cost if best is None else min(best, cost)
        costs = {"layers": layers, "budget": budget}
        if best is None:
            with pytest.raises(quantx.InfeasibleBudget):
                quantx.solve_precision(costs)
            continue
        answer = quantx.solve_precision(costs)
        assert answer["objective"] == pytest.approx(best, abs=1e-12)
