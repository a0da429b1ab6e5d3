# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""precision_reference.py OUT_DIR ISAS_FILE: every weight precision (int8,
int4, int3, int2, ternary, binary) x granularity (per tensor, per channel,
group, two-level) x activation bits (8, 16; 1 with binary weights) that the
compiler computes, on a
conv2d (stride 2, asymmetric padding, a fused ReLU6), a depthwise_conv2d
(multiplier 2, dilation 2) and a matmul (M = 5, K = 12, N = 7), each
quantized by quant-opt --quantize and run by quant-run on the host's kernels
and on the reference lowering, compared bit for bit with
integer_reference.py (numpy, from the definitions). Prints one line per
layer with the number of combinations checked.
"""

import os
import sys

import numpy as np

from check_low_bit import run
from integer_reference import run as reference

WEIGHTS = ["8", "4", "3", "2", "ternary", "binary"]
GRANULARITIES = ["per-tensor", "per-channel", "group:3", "two-level:3"]


def dense(array):
    text = np.array2string(array.astype(np.float32), separator=", ",
                           threshold=10**9, floatmode="unique")
    return "dense<" + text.replace("\n", "") + ">"


def const(name, array):
    shape = "x".join(str(d) for d in array.shape)
    return (f'  {name} = "tosa.const"() <{{values = {dense(array)} : '
            f"tensor<{shape}xf32>}}> : () -> tensor<{shape}xf32>\n")


def models(rng):
    """name -> (MLIR text, input shape, takes groups)."""
    zp = const("%zp", np.zeros(1))
    conv_w = rng.randn(4, 3, 3, 6) * 0.3
    conv = (
        "func.func @main(%x: tensor<1x5x7x6xf32>) -> tensor<1x3x4x4xf32> {\n"
        + zp + const("%w", conv_w) + const("%b", rng.randn(4) * 0.1) +
        "  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation ="
        " array<i64: 1, 1>, pad = array<i64: 0, 2, 1, 1>, stride = array<i64:"
        " 2, 2>} : (tensor<1x5x7x6xf32>, tensor<4x3x3x6xf32>, tensor<4xf32>,"
        " tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4x4xf32>\n"
        "  %r = tosa.clamp %c {max_val = 6.0 : f32, min_val = 0.0 : f32} :"
        " (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>\n"
        "  return %r : tensor<1x3x4x4xf32>\n}\n")
    depthwise = (
        "func.func @main(%x: tensor<1x6x5x3xf32>) -> tensor<1x6x5x6xf32> {\n"
        + zp + const("%w", rng.randn(3, 3, 3, 2) * 0.5) +
        const("%b", rng.randn(6) * 0.1) +
        "  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32,"
        " dilation = array<i64: 2, 2>, pad = array<i64: 2, 2, 2, 2>, stride ="
        " array<i64: 1, 1>} : (tensor<1x6x5x3xf32>, tensor<3x3x3x2xf32>,"
        " tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) ->"
        " tensor<1x6x5x6xf32>\n"
        "  return %c : tensor<1x6x5x6xf32>\n}\n")
    matmul = (
        "func.func @main(%x: tensor<1x5x12xf32>) -> tensor<1x5x7xf32> {\n"
        + zp + const("%w", rng.randn(1, 12, 7) * 0.4) +
        const("%b", rng.randn(1, 1, 7) * 0.1) +
        "  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x5x12xf32>,"
        " tensor<1x12x7xf32>, tensor<1xf32>, tensor<1xf32>) ->"
        " tensor<1x5x7xf32>\n"
        "  %a = tosa.add %m, %b : (tensor<1x5x7xf32>, tensor<1x1x7xf32>) ->"
        " tensor<1x5x7xf32>\n"
        "  return %a : tensor<1x5x7xf32>\n}\n")
    return {"conv2d": (conv, (1, 5, 7, 6), True),
            "depthwise_conv2d": (depthwise, (1, 6, 5, 3), False),
            "matmul": (matmul, (1, 5, 12), True)}


def combinations(groups):
    for weights in WEIGHTS:
        for granularity in GRANULARITIES:
            blocked = ":" in granularity
            if blocked and (not groups or weights in ("8", "ternary",
                                                      "binary")):
                continue
            # Sign activations go with binary weights only.
            for activations in ("8", "16", "1"):
                if activations != "1" or weights == "binary":
                    yield weights, granularity, activations


def main(out, isa_file):
    # The host's first (fastest) kernel ISA and the reference lowering;
    # low-bit-weights.test runs every ISA against the reference lowering.
    with open(isa_file) as f:
        isas = [line.strip() for line in f if line.strip()][:1] + ["none"]
    rng = np.random.RandomState(7)
    for name, (text, shape, groups) in models(rng).items():
        source = os.path.join(out, name + ".mlir")
        with open(source, "w") as f:
            f.write(text)
        calib = os.path.join(out, name + "-calib.npy")
        np.save(calib, rng.randn(16, *shape).astype(np.float32))
        x = rng.randn(3, *shape).astype(np.float32)
        inputs = os.path.join(out, name + "-x.npy")
        np.save(inputs, x)
        count = 0
        for weights, granularity, activations in combinations(groups):
            tag = f"{name}-w{weights}-{granularity}-a{activations}".replace(
                ":", "")
            quantized = os.path.join(out, tag + ".mlir")
            run(["quant-opt", source, "--quantize=calibration-data="
                   f"{calib} weight-bits={weights} weight-granularity="
                   f"{granularity} activation-bits={activations} "
                   "rounding=single", "-o", quantized])
            generic = run(["quant-opt", quantized,
                             "--mlir-print-op-generic"])
            expected = np.stack([reference(generic, [sample])[0]
                                 for sample in x])
            for isa in isas:
                result = os.path.join(out, f"{tag}-{isa}.npy")
                run(["quant-run", quantized, "--kernels", isa, "--input",
                       inputs, "--output", result])
                got = np.load(result)
                if not np.array_equal(got.reshape(expected.shape),
                                      expected):
                    sys.exit(f"{tag} on {isa}: differs from the reference "
                             f"by up to {np.abs(got - expected).max()}")
            count += 1
        print(f"{name}: {count} precisions bit-exact", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
