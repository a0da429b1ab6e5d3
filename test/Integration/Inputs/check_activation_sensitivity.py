# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""check_activation_sensitivity.py OUT_DIR MODEL CALIB SENSITIVITY:
measures sensitivities (quant-opt --quantize-mixed, costs file) for
candidates that differ only in their activations, and checks that every
layer's input quantization is part of its measured error: for each layer,
w8a16 (16-bit inputs) < w8a8 and wba1 (sign inputs) > wba8, where a
weight-only probe would measure equal values. Prints one line per pair.
"""

import json
import os
import subprocess
import sys


def sensitivities(out, model, calib, metric, candidates):
    costs_file = os.path.join(out, f"activation-{metric}-{candidates}.json")
    result = subprocess.run(
        ["quant-opt", model,
         f"--quantize-mixed=calibration-data={calib} candidates={candidates} "
         f"size=1 sensitivity={metric} costs-file={costs_file}",
         "-o", os.devnull], capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"quant-opt failed:\n{result.stderr[-3000:]}")
    with open(costs_file) as f:
        costs = json.load(f)
    return {layer["name"]: {o["precision"]: o["sensitivity"]
                            for o in layer["options"]}
            for layer in costs["layers"]}


def main(out, model, calib, metric):
    for finer, coarser in (("w8a16", "w8a8"), ("wba8", "wba1")):
        measured = sensitivities(out, model, calib, metric,
                                 f"{coarser},{finer}")
        for name, s in measured.items():
            assert 0 <= s[finer] < s[coarser], (metric, name, s)
        print(f"{metric}: {finer} < {coarser} on {len(measured)} layers",
              flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
