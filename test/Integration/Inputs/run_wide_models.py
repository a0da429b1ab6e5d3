# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""run_wide_models.py DIR: runs each model of make_wide_models.py quantized
(every kernel path quant-run offers here) and as its simulated-quantization
model, and fails unless they agree within one output step."""

import subprocess
import sys

import numpy as np

d = sys.argv[1]
paths = ["none", "generic"] + [
    isa for isa in subprocess.run(["quant-run", "--list-kernels"],
                                  capture_output=True, text=True,
                                  check=True).stdout.split()
    if isa not in ("none", "generic")]
failed = False
for model in ["linear_66000", "linear_70000", "conv_66000", "conv_70000"]:
    base = f"{d}/{model}"
    subprocess.run(["quant-opt", f"{base}.mlir", "--quantx-fold-batch-norm",
                    f"--quantx-calibrate=calibration-data={base}_calib.npy",
                    "--quantx-fold-calibration", "-o", f"{base}.qdq.mlir"],
                   check=True)
    subprocess.run(["quant-run", f"{base}.qdq.mlir", "--input",
                    f"{base}_x.npy", "--output", f"{base}.qdq.npy"],
                   check=True)
    reference = np.load(f"{base}.qdq.npy")
    for kernels in paths:
        out = f"{base}.{kernels}.npy"
        subprocess.run(["quant-run", f"{base}.int8.mlir", "--kernels", kernels,
                        "--input", f"{base}_x.npy", "--output", out],
                       check=True)
        got = np.load(out)
        diff = np.abs(got - reference).max()
        ok = diff <= 300
        failed |= not ok
        print(f"{model} kernels={kernels}: {got.ravel().tolist()} vs "
              f"{reference.ravel().tolist()}: {'ok' if ok else 'WRONG'}")
sys.exit(1 if failed else 0)
