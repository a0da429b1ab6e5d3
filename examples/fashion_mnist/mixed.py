# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Mixed precision on the example networks: accuracy and weight size of
uniform precisions and of quant-opt --quantize-mixed under weight-size
budgets, on Fashion-MNIST.

Trains the networks as accuracy.py does (or reuses them with
--reuse-models), then for each: the float model, each uniform candidate
(--quantize weight-bits=N), and --quantize-mixed at each `size=` fraction
(between the all-lowest and the all-highest candidate assignment) and at
the weight bytes of each uniform candidate but the largest (`size-bytes=`,
to compare at equal size). Sensitivities are measured by the compiler on
the calibration images (output MSE, no labels); the time that takes is
printed. Min/max calibration, round-to-nearest weights.

/usr/bin/python3 examples/fashion_mnist/mixed.py --build build \\
    [--epochs 3] [--reuse-models] [--candidates w8a8,w4a8,w2a8] \\
    [--sizes 0.5,0.25] [--options "optimize-rounding=gptq"]
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

from accuracy import (add_common_arguments, evaluate,  # noqa: E402
                      import_float, prepare, run)
from quantx.pareto import precision_options  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, epochs=3)
    parser.add_argument("--candidates", default="w8a8,w4a8,w2a8")
    parser.add_argument("--sizes", default="0.5,0.25")
    parser.add_argument("--options", default="",
                        help="more pipeline options for every quantization, "
                        "e.g. \"optimize-rounding=gptq bias-correction=true\"")
    args = parser.parse_args()
    work = args.work_dir
    tools, calib, images, test_y, names = prepare(args)
    candidates = args.candidates.split(",")
    out = os.path.join(work, "out.npy")
    rows = ["| model | assignment | accuracy (%) | vs float | weight KiB | "
            "precisions |",
            "| --- | --- | --- | --- | --- | --- |"]
    timings = []

    def quantize(name, float_mlir, label, pipeline, options):
        quantized = os.path.join(work, f"{name}.{label}.mlir")
        report = os.path.join(work, f"{name}.{label}.json")
        sys.stderr.write(f"{name}: quantizing ({label})\n")
        start = time.perf_counter()
        run([tools["quant-opt"], float_mlir,
             f"--{pipeline}=calibration-data={calib} report={report} "
             + options + " " + args.options, "-o", quantized])
        seconds = time.perf_counter() - start
        with open(report) as f:
            summary = json.load(f)
        acc, _ = evaluate(tools, quantized, images, test_y, out)
        layers = " ".join(layer["weights"] for layer in summary["layers"])
        return acc, summary["total_weight_bytes"], layers, seconds

    for name in names:
        float_mlir = import_float(work, name)
        float_acc, _ = evaluate(tools, float_mlir, images, test_y, out)
        rows.append(f"| {name} | float | {float_acc:.2f} | | | |")

        def add(label, acc, size, layers):
            rows.append(f"| {name} | {label} | {acc:.2f} | "
                        f"{acc - float_acc:+.2f} | {size / 1024:.1f} | "
                        f"{layers} |")

        uniform_bytes = {}
        for candidate in candidates:
            acc, size, layers, _ = quantize(name, float_mlir, candidate,
                                            "quantize",
                                            precision_options(candidate))
            uniform_bytes[candidate] = size
            add(f"uniform {candidate}", acc, size, layers)
        mixed = f"candidates={args.candidates}"
        for fraction in args.sizes.split(","):
            acc, size, layers, seconds = quantize(
                name, float_mlir, f"mixed-size{fraction}", "quantize-mixed",
                f"{mixed} size={fraction}")
            timings.append((name, seconds))
            add(f"mixed size={fraction}", acc, size, layers)
        largest = max(uniform_bytes.values())
        for candidate, size in uniform_bytes.items():
            if size == largest:
                continue
            acc, got, layers, _ = quantize(
                name, float_mlir, f"mixed-bytes-{candidate}",
                "quantize-mixed", f"{mixed} size-bytes={size}")
            add(f"mixed at {candidate}'s bytes", acc, got, layers)
    print(f"Fashion-MNIST test accuracy (%), {len(test_y)} images, "
          f"{args.calib_images} calibration images (min/max), "
          f"{args.epochs} epochs; candidates {args.candidates}; weight KiB "
          "as stored (report total_weight_bytes); precisions per layer in "
          "order\n")
    print("\n".join(rows))
    print("\nquant-opt --quantize-mixed wall time (sensitivity of every "
          "layer x candidate on the calibration images, solve, quantize):")
    for name, seconds in timings:
        print(f"- {name}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
