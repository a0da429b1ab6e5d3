# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Low-bit weights and activations against int8: one matmul (GEMM and the
memory-bound GEMV, M = 1) and one 3x3 convolution, quantized by
`quant-opt --quantize` at each precision and timed by `quant-run --time`
(one thread, median), with the weight bytes the report gives. PyTorch's
quantized int8 Linear runs the GEMM shapes in the same command. Prints a
Markdown table with each precision's speed relative to quant-x int8.

/usr/bin/python3 bench/lowbit.py [--build build] [--kernels host|avx2|...]
    [--shapes 1x4096x4096,384x768x3072] [--precisions w8a8,w4a8,...]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)

from gemm import gemm_model, quantx_ms, torch_int8_ms  # noqa: E402
from quantx.mlir_text import FunctionWriter, Value  # noqa: E402

# GEMV at 16 MiB (int8; within a large L3) and 64 MiB of weights (past it:
# memory-bound), and a BERT-base FFN GEMM.
SHAPES = ["1x4096x4096", "1x8192x8192", "384x768x3072"]
# ResNet-18 stage-1 and stage-3 convolutions: 56x56x64 -> 64 and
# 14x14x256 -> 256, 3x3, padding 1.
CONVS = [(56, 64, 64, 3), (14, 256, 256, 3)]
PRECISIONS = {
    "w8a8": "weight-bits=8",
    "w4a8": "weight-bits=4",
    "w4a8-g32": "weight-bits=4 weight-granularity=group:32",
    "w4a8-cb": "weight-bits=4 weight-format=codebook",
    "w4a8-p2": "weight-bits=4 weight-format=pow2",
    "wta8": "weight-bits=ternary",
    "wba8": "weight-bits=binary",
    "wba1": "weight-bits=binary activation-bits=1",
    "w8a16": "weight-bits=8 activation-bits=16",
}


def conv_model(size, cin, cout, kernel, seed=0):
    """Float TOSA: NHWC [1, size, size, cin] * constant OHWI weights."""
    writer = FunctionWriter()
    x = Value("%arg0", [1, size, size, cin])
    rng = np.random.RandomState(seed)
    w = rng.randn(cout, kernel, kernel, cin) / np.sqrt(kernel * kernel * cin)
    weights = writer.const(w.astype(np.float32), "w")
    bias = writer.const(np.zeros(cout, np.float32), "b")
    zp = writer.const(np.zeros(1, np.float32), "zp")
    pad = kernel // 2
    y = writer.op("conv2d", [x, weights, bias, zp, zp],
                  [1, size, size, cout],
                  f"acc_type = f32, dilation = array<i64: 1, 1>, pad = "
                  f"array<i64: {pad}, {pad}, {pad}, {pad}>, stride = "
                  "array<i64: 1, 1>")
    return writer.function([x], [y])


def quantize(tools, text, x, options, tmp):
    """The int8-interface model and its weight bytes."""
    source = os.path.join(tmp, "float.mlir")
    with open(source, "w") as f:
        f.write(text)
    np.save(os.path.join(tmp, "calib.npy"), x)
    report = os.path.join(tmp, "report.json")
    quantized = subprocess.run(
        [tools["quant-opt"], source,
         f"--quantize=calibration-data={tmp}/calib.npy interface=int8 "
         f"report={report} {options}"], capture_output=True, text=True,
        check=True).stdout
    with open(report) as f:
        return quantized, json.load(f)["total_weight_bytes"]


def host_isa(tools):
    out = subprocess.run([tools["quant-run"], "--list-kernels"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--kernels", default="host")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    args = parser.parse_args()
    tools = {t: os.path.join(args.build, "bin", t)
             for t in ("quant-opt", "quant-run")}
    isa = host_isa(tools) if args.kernels == "host" else args.kernels
    print(f"kernels: {isa} (quant-run --list-kernels: best first); one "
          "thread; median of quant-run --time\n")
    print("| layer | precision | ms | vs quant-x w8a8 | weight KiB | "
          "PyTorch int8 ms | vs PyTorch int8 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    layers = []
    for shape in args.shapes.split(","):
        m, k, n = (int(v) for v in shape.split("x"))
        x = np.random.RandomState(1).randn(1, 1, m, k).astype(np.float32)
        layers.append((f"matmul {shape}", gemm_model(m, k, n), x,
                       torch_int8_ms(m, k, n)[0]))
    for size, cin, cout, kernel in CONVS:
        x = np.random.RandomState(1).randn(1, 1, size, size, cin).astype(
            np.float32)
        layers.append((f"conv {kernel}x{kernel} {size}x{size}x{cin}->{cout}",
                       conv_model(size, cin, cout, kernel), x, None))
    for name, text, x, torch_ms in layers:
        baseline = None
        for precision in args.precisions.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                quantized, weight_bytes = quantize(
                    tools, text, x, PRECISIONS[precision], tmp)
                # 16-bit activations take an int16 input.
                wide = re.search(r"@main\(%arg0: tensor<[0-9x]*xi16>",
                                 quantized)
                dtype = np.int16 if wide else np.int8
                limit = np.iinfo(dtype).max
                xq = np.clip(np.rint(x * 40), -limit - 1, limit).astype(dtype)
                ms = quantx_ms(tools, quantized, xq, tmp, args.kernels)
            baseline = baseline or ms
            peer = (f"{torch_ms:.3f} | {torch_ms / ms:.2f}" if torch_ms
                    else "- | -")
            print(f"| {name} | {precision} | {ms:.3f} | {baseline / ms:.2f} "
                  f"| {weight_bytes / 1024:.1f} | {peer} |", flush=True)


if __name__ == "__main__":
    main()
