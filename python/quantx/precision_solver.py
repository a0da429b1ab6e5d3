# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The exact mixed-precision solver (quant-solve-precision) from Python.

A problem is the JSON object of docs/Passes.md ("Mixed precision"): layers
with their options' sensitivities and costs, optional ties and budgets.
"""

import json
import os
import subprocess
import tempfile

from .tools import ToolError, find_tool


class InfeasibleBudget(Exception):
    """No assignment meets the budgets; `result` holds the solver's
    answer (the budget, its smallest feasible value, the reason)."""

    def __init__(self, result):
        super().__init__(result.get("reason", "infeasible"))
        self.result = result


def solve_file(path, output=None):
    """Runs the solver on the problem in `path`; returns its JSON answer
    (a dict with "status" "optimal" or "infeasible") and writes it to
    `output` too when given. Invalid input raises ToolError naming the
    field."""
    argv = [find_tool("quant-solve-precision"), os.path.abspath(path)]
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise ToolError(result.stderr.strip() or
                        f"quant-solve-precision failed with exit code "
                        f"{result.returncode}")
    if output:
        with open(output, "w") as f:
            f.write(result.stdout)
    return json.loads(result.stdout)


def solve_precision(problem):
    """The proven-optimal choice for `problem` (a dict): {"choice": {layer:
    precision}, "objective", "totals"}. Raises InfeasibleBudget when no
    assignment meets the budgets."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "problem.json")
        with open(path, "w") as f:
            json.dump(problem, f)
        result = solve_file(path)
    if result["status"] != "optimal":
        raise InfeasibleBudget(result)
    return result
