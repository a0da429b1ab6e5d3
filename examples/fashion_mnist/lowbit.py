"""Accuracy of the example networks on Fashion-MNIST at low weight bits with
each post-training accuracy method: round-to-nearest, bias correction
(bias-correction=true), GPTQ rounding (optimize-rounding=gptq) and both.

Trains the networks as accuracy.py does (or reuses them with
--reuse-models), quantizes each with min/max calibration at every weight
width of --bits (per-channel weights, 8-bit activations) with every method,
and runs them with quant-run on the test set. Prints a table of accuracy
(and the difference from float) per network and width, and the time
quant-opt took with GPTQ and bias correction.

/usr/bin/python3 examples/fashion_mnist/lowbit.py --build build \\
    [--epochs 3] [--reuse-models] [--bits 4,3]
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

# (column, quant-opt --quantize options added to weight-bits=)
METHODS = {
    "round-to-nearest": "",
    "+ bias correction": "bias-correction=true",
    "+ GPTQ": "optimize-rounding=gptq",
    "+ GPTQ + bias correction": "optimize-rounding=gptq bias-correction=true",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, epochs=3)
    parser.add_argument("--bits", default="4,3")
    args = parser.parse_args()
    work = args.work_dir
    tools, calib, images, test_y, names = prepare(args)
    out = os.path.join(work, "out.npy")
    rows = ["| model | weights | float | " + " | ".join(METHODS) + " |",
            "| --- | --- | --- |" + " --- |" * len(METHODS)]
    timings = []
    for name in names:
        float_mlir = import_float(work, name)
        float_acc, _ = evaluate(tools, float_mlir, images, test_y, out)
        for bits in args.bits.split(","):
            cells = []
            for label, options in METHODS.items():
                tag = label.replace(" ", "").replace("+", "-")
                quantized = os.path.join(work, f"{name}.w{bits}{tag}.mlir")
                sys.stderr.write(f"{name}: w{bits}a8 {label}\n")
                start = time.perf_counter()
                run([tools["quant-opt"], float_mlir,
                     f"--quantize=calibration-data={calib} weight-bits={bits} "
                     + options, "-o", quantized])
                seconds = time.perf_counter() - start
                if options == METHODS["+ GPTQ + bias correction"]:
                    timings.append(f"- {name} w{bits}a8: {seconds:.1f} s")
                acc, _ = evaluate(tools, quantized, images, test_y, out)
                cells.append(f"{acc:.2f} ({acc - float_acc:+.2f})")
            rows.append(f"| {name} | w{bits}a8 | {float_acc:.2f} | "
                        + " | ".join(cells) + " |")
    print(f"Fashion-MNIST test accuracy (%), {len(test_y)} images, "
          f"{args.calib_images} calibration images (min/max), "
          f"{args.epochs} epochs; per-channel weights, 8-bit activations; "
          "in parentheses the difference from float in points\n")
    print("\n".join(rows))
    print("\nquant-opt --quantize wall time with GPTQ and bias correction "
          "(calibration, one probe run per layer and pass, quantization):")
    print("\n".join(timings))


if __name__ == "__main__":
    main()
