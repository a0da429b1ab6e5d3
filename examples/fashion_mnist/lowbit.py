# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Accuracy of the example networks on Fashion-MNIST at low weight bits with
each post-training accuracy method: round-to-nearest, cross-layer
equalization (equalize=true, or equalize=relu6-as-relu), bias correction
(bias-correction=true), GPTQ rounding (optimize-rounding=gptq), OCTAV
weight clipping (weight-clipping=octav), codebook and power-of-two weight
levels (weight-format=codebook, weight-format=pow2) and their
combinations.

Trains the networks as accuracy.py does (or reuses them with
--reuse-models), quantizes each with min/max calibration at every weight
width of --bits and the weight granularity of --granularity (8-bit
activations) with every method of --methods, and runs them with quant-run
on the test set. Prints a table of accuracy (and the difference from
float) per network and width, and how long quant-opt took with the last
method.

/usr/bin/python3 examples/fashion_mnist/lowbit.py --build build \\
    [--epochs 3] [--reuse-models] [--bits 4,3] \\
    [--granularity per-channel] [--methods rtn,bc,gptq,gptq+bc,cb,cb+gptq]
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

from accuracy import (add_common_arguments, evaluate,  # noqa: E402
                      import_float, prepare, run)

# Method parts: (column label, quant-opt --quantize options).
PARTS = {
    "rtn": ("round-to-nearest", ""),
    "eq": ("equalization", "equalize=true"),
    "eq6": ("equalization (ReLU6 as ReLU)", "equalize=relu6-as-relu"),
    "bc": ("bias correction", "bias-correction=true"),
    "gptq": ("GPTQ", "optimize-rounding=gptq"),
    "ada": ("AdaRound", "optimize-rounding=adaround"),
    "octav": ("OCTAV weight clipping", "weight-clipping=octav"),
    "cb": ("codebook", "weight-format=codebook"),
    "p2": ("powers of two", "weight-format=pow2"),
    "fm": ("float-model target", "reconstruct=model"),
}


def describe(method):
    """(column label, options) of a method such as `eq+gptq+bc`."""
    parts = [PARTS[p] for p in method.split("+")]
    if method == "rtn":
        return parts[0]
    return ("+ " + " + ".join(label for label, _ in parts),
            " ".join(options for _, options in parts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, epochs=3)
    parser.add_argument("--bits", default="4,3")
    parser.add_argument("--granularity", default="per-channel")
    parser.add_argument("--methods", default="rtn,bc,gptq,gptq+bc")
    args = parser.parse_args()
    methods = [describe(m) for m in args.methods.split(",")]
    work = args.work_dir
    tools, calib, images, test_y, names = prepare(args)
    out = os.path.join(work, "out.npy")
    rows = ["| model | weights | float | "
            + " | ".join(label for label, _ in methods) + " |",
            "| --- | --- | --- |" + " --- |" * len(methods)]
    timings = []
    for name in names:
        float_mlir = import_float(work, name)
        float_acc, _ = evaluate(tools, float_mlir, images, test_y, out)
        for bits in args.bits.split(","):
            # The compact spelling of the weights: w4a8, wta8 (ternary).
            width = {"ternary": "t", "binary": "b"}.get(bits, bits)
            cells = []
            for index, (label, options) in enumerate(methods):
                tag = "".join(ch for ch in label if ch.isalnum())
                quantized = os.path.join(work, f"{name}.w{width}{tag}.mlir")
                sys.stderr.write(f"{name}: w{width}a8 {label}\n")
                start = time.perf_counter()
                run([tools["quant-opt"], float_mlir,
                     f"--quantize=calibration-data={calib} weight-bits={bits} "
                     f"weight-granularity={args.granularity} " + options,
                     "-o", quantized])
                seconds = time.perf_counter() - start
                if index == len(methods) - 1:
                    timings.append(f"- {name} w{width}a8: {seconds:.1f} s")
                acc, _ = evaluate(tools, quantized, images, test_y, out)
                cells.append(f"{acc:.2f} ({acc - float_acc:+.2f})")
            rows.append(f"| {name} | w{width}a8 | {float_acc:.2f} | "
                        + " | ".join(cells) + " |")
    print(f"Fashion-MNIST test accuracy (%), {len(test_y)} images, "
          f"{args.calib_images} calibration images (min/max), "
          f"{args.epochs} epochs; {args.granularity} weights, 8-bit "
          "activations; in parentheses the difference from float in "
          "points\n")
    print("\n".join(rows))
    print(f"\nquant-opt --quantize wall time with {methods[-1][0]}:")
    print("\n".join(timings))


if __name__ == "__main__":
    main()
