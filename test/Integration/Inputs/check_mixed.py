# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""check_mixed.py OUT_DIR ISAS_FILE MODEL CALIB INPUT CANDIDATES BUDGET...:
for each budget (quant-opt --quantize-mixed options, e.g. `size=0.5` or
`size=0.5 bops=0.3`), quantizes MODEL with measured sensitivities and
checks, printing "<budget>: ok (<precisions>)":

- the report's measured total weight bytes equal the predicted total and
  meet the weight-size budget; the BOPs total meets its budget;
- the choice is optimal: brute force over the costs file (every layer's
  options, sensitivities and costs) finds no assignment that meets the
  budgets with a smaller sensitivity sum;
- the model is integer-only and runs in quant-run, the reference lowering
  and every kernel ISA this CPU runs bit-identical.
"""

import itertools
import json
import os
import subprocess
import sys

import numpy as np


def run(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"failed: {' '.join(argv)}\n{result.stderr[-3000:]}")
    return result


def brute_force(costs):
    layers, budget = costs["layers"], costs["budget"]
    best = None
    for pick in itertools.product(*[range(len(l["options"]))
                                    for l in layers]):
        options = [layer["options"][i] for layer, i in zip(layers, pick)]
        ties = {}
        if any(ties.setdefault(layer.get("tie"), o["precision"]) !=
               o["precision"] for layer, o in zip(layers, options)
               if layer.get("tie")):
            continue
        if all(sum(o.get(key, 0) for o in options) <= limit * (1 + 1e-12)
               for key, limit in budget.items()):
            total = sum(o["sensitivity"] for o in options)
            best = total if best is None else min(best, total)
    return best


def main(out, isa_file, model, calib, x, candidates, budgets):
    with open(isa_file) as f:
        isas = [line.strip() for line in f if line.strip()]
    for budget in budgets:
        tag = budget.replace(" ", "-").replace("=", "")
        quantized = os.path.join(out, f"mixed-{tag}.mlir")
        report = os.path.join(out, f"mixed-{tag}.json")
        costs_file = os.path.join(out, f"mixed-{tag}-costs.json")
        run(["quant-opt", model,
             f"--quantize-mixed=calibration-data={calib} "
             f"candidates={candidates} {budget} report={report} "
             f"costs-file={costs_file}",
             "-o", quantized])
        with open(report) as f:
            summary = json.load(f)
        with open(costs_file) as f:
            costs = json.load(f)
        mixed = summary["mixed_precision"]
        limits = mixed["budget"]
        assert summary["total_weight_bytes"] == \
            mixed["predicted_totals"]["weight_bytes"], summary
        if "weight_bytes" in limits:
            assert summary["total_weight_bytes"] <= limits["weight_bytes"]
        if "bops" in limits:
            assert mixed["predicted_totals"]["bops"] <= limits["bops"]
        best = brute_force(costs)
        assert abs(mixed["objective"] - best) <= 1e-12 + 1e-9 * best, \
            (mixed["objective"], best)
        reference = os.path.join(out, f"mixed-{tag}-ref.npy")
        run(["quant-run", quantized, "--kernels", "none", "--input", x,
             "--output", reference])
        for isa in isas:
            result = os.path.join(out, f"mixed-{tag}-{isa}.npy")
            run(["quant-run", quantized, "--kernels", isa, "--input", x,
                 "--output", result])
            assert np.array_equal(np.load(result), np.load(reference)), \
                f"{budget} {isa} differs"
        choice = " ".join(f"{layer['weights']}" for layer in
                          summary["layers"])
        print(f"{budget}: ok ({choice})", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:7], sys.argv[7:])
