# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Time of the low-bit accuracy passes on the example networks'
architectures (examples/fashion_mnist/models.py, random weights: the work
depends on the shapes, not the values) with 256 calibration images:
quant-opt --quantize weight-bits=4 alone, then with GPTQ rounding
(optimize-rounding=gptq: one compilation and run of the model per layer,
the layer-input Hessians, the Cholesky factorizations and the rounding),
then with bias correction too, then both against the float model
(reconstruct=model: the probes also run the float model), then the same
with AdaRound (its 1000 Adam steps per layer). Prints the median wall time
of each and what the slowest chain adds; the issue's target is under 60 s
for all layers of a network on 2 cores.

/usr/bin/python3 bench/rounding.py [--build build] [--runs 3]
    [--models cnn_bn,depthwise_separable,residual,mlp]
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "fashion_mnist"))

import quantx  # noqa: E402
from models import MODELS  # noqa: E402

VARIANTS = {
    "round-to-nearest": "",
    "GPTQ": " optimize-rounding=gptq",
    "GPTQ + bias correction": " optimize-rounding=gptq bias-correction=true",
    "GPTQ + bias correction, float-model target":
        " optimize-rounding=gptq bias-correction=true reconstruct=model",
    "AdaRound + bias correction, float-model target":
        " optimize-rounding=adaround bias-correction=true reconstruct=model",
}


def cpu_name():
    """The CPU's model name and the widest integer ISA quant-x uses on it."""
    name, isa = platform.processor() or "unknown CPU", "no AVX2"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    isa = ("AVX-512 VNNI" if "avx512_vnni" in flags else
                           "AVX2" if "avx2" in flags else "no AVX2")
    except OSError:
        pass
    return f"{name} ({isa})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    quant_opt = os.path.join(args.build, "bin", "quant-opt")
    torch.manual_seed(0)
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; 256 calibration "
          "images; weight-bits=4; median of "
          f"{args.runs} runs\n")
    print("| model | " + " | ".join(VARIANTS) + " | slowest chain adds |")
    print("| --- |" + " --- |" * (len(VARIANTS) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        calib = os.path.join(tmp, "calib.npy")
        np.save(calib, np.random.default_rng(0).normal(
            size=(256, 1, 1, 28, 28)).astype(np.float32))
        for name in args.models.split(","):
            module = MODELS[name]().eval()
            model = quantx.Model.from_torch(module, torch.zeros(1, 1, 28, 28))
            source = os.path.join(tmp, name + ".mlir")
            model.save(source)
            times = []
            for options in VARIANTS.values():
                samples = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    subprocess.run(
                        [quant_opt, source,
                         f"--quantize=calibration-data={calib} weight-bits=4"
                         + options, "-o", os.devnull],
                        check=True, capture_output=True)
                    samples.append(time.perf_counter() - start)
                times.append(statistics.median(samples))
            cells = " | ".join(f"{t:.2f} s" for t in times)
            print(f"| {name} | {cells} | {max(times) - times[0]:.2f} s |",
                  flush=True)


if __name__ == "__main__":
    main()
