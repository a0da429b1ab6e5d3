# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""MobileNet-class layers one at a time: the 3x3 depthwise convolutions
(stride 1 and 2), the 1x1 convolutions with small K whose requantization
dominates, and the 3-channel stem, each quantized int8 (int8 in, int8 out,
requantization included) and timed by `quant-run --time --threads 1` on
every kernel ISA this CPU runs, against PyTorch's quantized Conv2d (its
default engine, one thread) in the same command. Prints a Markdown table of
medians in ms and GOP/s (one multiply-add = 2 operations).

/usr/bin/python3 bench/layers.py [--build build] [--kernels all|avx2,...]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)

from gemm import median_ms, quantx_ms  # noqa: E402
from lowbit import quantize  # noqa: E402
from quantx.mlir_text import FunctionWriter, Value  # noqa: E402

# (name, input size, in channels, out channels, kernel, stride, depthwise):
# MobileNetV2's at 224x224.
LAYERS = [
    ("stem 3x3 s2", 224, 3, 32, 3, 2, False),
    ("depthwise 3x3", 112, 32, 32, 3, 1, True),
    ("depthwise 3x3 s2", 112, 96, 96, 3, 2, True),
    ("depthwise 3x3", 56, 144, 144, 3, 1, True),
    ("depthwise 3x3", 14, 384, 384, 3, 1, True),
    ("1x1 expand", 112, 16, 96, 1, 1, False),
    ("1x1 expand", 56, 24, 144, 1, 1, False),
    ("1x1 project", 56, 144, 24, 1, 1, False),
]


def layer_model(size, cin, cout, kernel, stride, depthwise, seed=0):
    """Float TOSA: NHWC [1, size, size, cin], constant weights, ReLU6."""
    writer = FunctionWriter()
    x = Value("%arg0", [1, size, size, cin])
    rng = np.random.RandomState(seed)
    fan_in = kernel * kernel * (1 if depthwise else cin)
    shape = ([kernel, kernel, cin, 1] if depthwise
             else [cout, kernel, kernel, cin])
    w = rng.randn(*shape) / np.sqrt(fan_in)
    weights = writer.const(w.astype(np.float32), "w")
    bias = writer.const((rng.randn(cout) * 0.1).astype(np.float32), "b")
    zp = writer.const(np.zeros(1, np.float32), "zp")
    # TOSA wants the padded extent to fit the strides exactly: stride 2
    # pads only the bottom and right (TensorFlow's SAME).
    pad = kernel // 2
    pads = [pad] * 4 if stride == 1 else [0, pad, 0, pad]
    out = (size + sum(pads[:2]) - kernel) // stride + 1
    y = writer.op("depthwise_conv2d" if depthwise else "conv2d",
                  [x, weights, bias, zp, zp], [1, out, out, cout],
                  f"acc_type = f32, dilation = array<i64: 1, 1>, pad = "
                  f"array<i64: {', '.join(map(str, pads))}>, stride = "
                  f"array<i64: {stride}, {stride}>")
    y = writer.op("clamp", [y], [1, out, out, cout],
                  "max_val = 6.0 : f32, min_val = 0.0 : f32")
    return writer.function([x], [y]), out


def torch_ms(size, cin, cout, kernel, stride, depthwise):
    """PyTorch's quantized Conv2d (+ ReLU6 as a clamp of its output range
    would be fused by its converter; the bare conv is timed), 1 thread."""
    import torch
    torch.set_num_threads(1)
    groups = cin if depthwise else 1
    conv = torch.ao.nn.quantized.Conv2d(cin, cout, kernel, stride=stride,
                                        padding=kernel // 2, groups=groups)
    w = torch.quantize_per_tensor(
        torch.randn(cout, cin // groups, kernel, kernel) * 0.1, 0.01, 0,
        torch.qint8)
    conv.set_weight_bias(w, torch.zeros(cout))
    conv.scale, conv.zero_point = 0.05, 0
    x = torch.quantize_per_tensor(torch.randn(1, cin, size, size), 0.02, 128,
                                  torch.quint8)
    return median_ms(lambda: conv(x)), torch.backends.quantized.engine


def host_isas(tools):
    out = subprocess.run([tools["quant-run"], "--list-kernels"],
                         capture_output=True, text=True, check=True).stdout
    return [isa for isa in out.split() if isa != "generic"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--kernels", default="all",
                        help="comma-separated quant-run --kernels ISAs, or "
                             "all (every ISA this CPU runs but generic)")
    args = parser.parse_args()
    tools = {t: os.path.join(args.build, "bin", t)
             for t in ("quant-opt", "quant-run")}
    isas = (host_isas(tools) if args.kernels == "all"
            else args.kernels.split(","))
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo"],
                         capture_output=True, text=True).stdout.strip()
    print(f"{cpu.split(':')[-1].strip()}; int8, one thread, median ms "
          "(GOP/s)\n")
    print("| layer | " + " | ".join(f"quant-x {isa}" for isa in isas)
          + " | PyTorch int8 | PyTorch / quant-x " + isas[0] + " |")
    print("| --- " * (len(isas) + 3) + "|")
    for name, size, cin, cout, kernel, stride, depthwise in LAYERS:
        text, out = layer_model(size, cin, cout, kernel, stride, depthwise)
        ops = 2 * out * out * cout * kernel * kernel * (
            1 if depthwise else cin)
        x = np.random.RandomState(1).randn(1, 1, size, size, cin).astype(
            np.float32)
        cells = []
        with tempfile.TemporaryDirectory() as tmp:
            quantized, _ = quantize(tools, text, x, "", tmp)
            xq = np.clip(np.rint(x[0] * 40), -128, 127).astype(np.int8)
            for isa in isas:
                ms = quantx_ms(tools, quantized, xq, tmp, isa)
                cells.append(ms)
        peer, engine = torch_ms(size, cin, cout, kernel, stride, depthwise)
        row = " | ".join(f"{ms:.3f} ({ops / ms / 1e6:.0f})" for ms in cells)
        print(f"| {name} {size}x{size}x{cin}->{cout} | {row} | "
              f"{peer:.3f} ({ops / peer / 1e6:.0f}, {engine}) | "
              f"{peer / cells[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
