# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Accuracy and weight size of the example networks on Fashion-MNIST at each
weight precision (quant-opt --quantize weight-bits=... weight-granularity=...).

Trains the networks as accuracy.py does (or reuses them with
--reuse-models), quantizes each with min/max calibration at every
precision, and runs them with quant-run on the test set. Weight KiB is the
report's `total_weight_bytes` (packed weights, sub-scales and per-channel
scales of the quantized layers; float layers at 4 bytes per weight). Low
bits use round-to-nearest weights and no rounding optimization: this is
the baseline later accuracy work improves.

/usr/bin/python3 examples/fashion_mnist/precision.py --build build \
    [--epochs 3] [--reuse-models] [--precisions w8a8,w4a8,...]
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

from accuracy import (add_common_arguments, evaluate,  # noqa: E402
                      import_float, prepare, run)

# (column, quant-opt --quantize options)
PRECISIONS = {
    "w8a8": "weight-bits=8",
    "w4a8": "weight-bits=4",
    "w4a8-g32": "weight-bits=4 weight-granularity=group:32",
    "w4a8-tl16": "weight-bits=4 weight-granularity=two-level:16",
    "w3a8": "weight-bits=3",
    "w2a8": "weight-bits=2",
    "wta8": "weight-bits=ternary",
    "wba8": "weight-bits=binary",
    "w8a16": "weight-bits=8 activation-bits=16",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, epochs=3)
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    args = parser.parse_args()
    work = args.work_dir
    tools, calib, images, test_y, names = prepare(args)
    precisions = args.precisions.split(",")
    out = os.path.join(work, "out.npy")
    rows = ["| model | precision | accuracy (%) | vs float | weight KiB |",
            "| --- | --- | --- | --- | --- |"]
    for name in names:
        float_mlir = import_float(work, name)
        float_acc, _ = evaluate(tools, float_mlir, images, test_y, out)
        report = os.path.join(work, f"{name}.float.json")
        run([tools["quant-opt"], float_mlir,
             "--quantx-set-precision=weight-bits=float",
             f"--quantx-report-precision=report={report}", "-o", os.devnull])
        with open(report) as f:
            float_kib = json.load(f)["total_weight_bytes"] / 1024
        rows.append(f"| {name} | float | {float_acc:.2f} | | "
                    f"{float_kib:.1f} |")
        for precision in precisions:
            quantized = os.path.join(work, f"{name}.{precision}.mlir")
            report = os.path.join(work, f"{name}.{precision}.json")
            sys.stderr.write(f"{name}: quantizing ({precision})\n")
            run([tools["quant-opt"], float_mlir,
                 f"--quantize=calibration-data={calib} report={report} "
                 + PRECISIONS[precision], "-o", quantized])
            with open(report) as f:
                kib = json.load(f)["total_weight_bytes"] / 1024
            acc, _ = evaluate(tools, quantized, images, test_y, out)
            rows.append(f"| {name} | {precision} | {acc:.2f} | "
                        f"{acc - float_acc:+.2f} | {kib:.1f} |")
    print(f"Fashion-MNIST test accuracy (%), {len(test_y)} images, "
          f"{args.calib_images} calibration images (min/max), "
          f"{args.epochs} epochs; weight KiB of the conv and linear layers "
          "as stored (report total_weight_bytes)\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
