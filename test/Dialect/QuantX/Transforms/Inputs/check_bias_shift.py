# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""check_bias_shift.py QUANT_OPT OUT_DIR: quantx-correct-bias on convolutions
with padding, stride and dilation (conv2d, depthwise_conv2d) against numpy:
the corrected bias must be b - (Q(W) - W) . E[patch], with the patches
taken from the zero-padded input as the definition of the convolution
says. Prints one line per layer."""

import os
import re
import subprocess
import sys

import numpy as np

rng = np.random.default_rng(3)
SAMPLES = 5
x = rng.normal(size=(SAMPLES, 1, 7, 7, 2)).astype(np.float32)
# (name, kind, weights shape, pad [top, bottom, left, right], stride,
# dilation)
LAYERS = [
    ("conv", "conv2d", (3, 3, 3, 2), (1, 1, 1, 1), (2, 2), (1, 1)),
    ("dilated", "conv2d", (2, 3, 3, 2), (2, 2, 2, 2), (1, 1), (2, 2)),
    ("depthwise", "depthwise_conv2d", (3, 3, 2, 2), (1, 1, 0, 1), (2, 1),
     (1, 1)),
]


def out_size(size, k, pad0, pad1, stride, dilation):
    return (size + pad0 + pad1 - dilation * (k - 1) - 1) // stride + 1


def quantize_2bit(w, channel_axis):
    """Per-channel symmetric 2-bit round-to-nearest, dequantized."""
    axes = tuple(a for a in range(w.ndim) if a != channel_axis)
    scale = np.abs(w).max(axis=axes, keepdims=True).astype(np.float64)
    return np.clip(np.rint(w / scale), -1, 1) * scale


def module_text(weights):
    lines = ["func.func @main(%x: tensor<1x7x7x2xf32>) -> ("
             + ", ".join("tensor<{}xf32>".format(
                 "x".join(map(str, shape))) for shape in OUT_SHAPES) + ") {",
             '  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}>'
             " : () -> tensor<1xf32>"]
    results = []
    for (name, kind, shape, pad, stride, dilation), w, out in zip(
            LAYERS, weights, OUT_SHAPES):
        wtype = "tensor<{}xf32>".format("x".join(map(str, w.shape)))
        values = np.array2string(w, separator=", ", threshold=10**6,
                                 floatmode="unique").replace("\n", "")
        channels = out[-1]
        lines.append(f'  %w_{name} = "tosa.const"() <{{values = dense<{values}>'
                     f" : {wtype}}}> : () -> {wtype}")
        lines.append(f'  %b_{name} = "tosa.const"() <{{values = dense<0.25> : '
                     f"tensor<{channels}xf32>}}> : () -> tensor<{channels}xf32>")
        otype = "tensor<{}xf32>".format("x".join(map(str, out)))
        lines.append(
            f"  %{name} = tosa.{kind} %x, %w_{name}, %b_{name}, %zp, %zp "
            "{acc_type = f32, dilation = array<i64: "
            f"{dilation[0]}, {dilation[1]}>, pad = array<i64: "
            f"{', '.join(map(str, pad))}>, stride = array<i64: {stride[0]}, "
            f"{stride[1]}>, quantx.layer = \"{name}\"}} : (tensor<1x7x7x2xf32>, "
            f"{wtype}, tensor<{channels}xf32>, tensor<1xf32>, tensor<1xf32>) "
            f"-> {otype}")
        results.append(f"%{name}")
    lines.append("  return " + ", ".join(results) + " : "
                 + ", ".join("tensor<{}xf32>".format("x".join(map(str, s)))
                             for s in OUT_SHAPES))
    lines.append("}")
    return "\n".join(lines) + "\n"


def mean_patch_shift(kind, w, wq, pad, stride, dilation):
    """(Q(W) - W) . E[patch] per output channel, by the definition."""
    padded = np.pad(x[:, 0].astype(np.float64),
                    ((0, 0), (pad[0], pad[1]), (pad[2], pad[3]), (0, 0)))
    kh, kw = (w.shape[1], w.shape[2]) if kind == "conv2d" else w.shape[:2]
    oh = out_size(7, kh, pad[0], pad[1], stride[0], dilation[0])
    ow = out_size(7, kw, pad[2], pad[3], stride[1], dilation[1])
    delta = wq - w
    if kind == "conv2d":
        shift = np.zeros(w.shape[0])
    else:
        shift = np.zeros(w.shape[2] * w.shape[3])
    for i in range(oh):
        for j in range(ow):
            rows = i * stride[0] + dilation[0] * np.arange(kh)
            cols = j * stride[1] + dilation[1] * np.arange(kw)
            patch = padded[:, rows][:, :, cols]  # [N, kh, kw, C]
            mean = patch.mean(axis=0)
            if kind == "conv2d":
                shift += np.einsum("ohwc,hwc->o", delta, mean)
            else:
                shift += np.einsum("hwcm,hwc->cm", delta, mean).reshape(-1)
    return shift / (oh * ow)


OUT_SHAPES = []
weights = []
for name, kind, shape, pad, stride, dilation in LAYERS:
    w = rng.normal(size=shape).astype(np.float32)
    weights.append(w)
    kh, kw = (shape[1], shape[2]) if kind == "conv2d" else shape[:2]
    channels = shape[0] if kind == "conv2d" else shape[2] * shape[3]
    OUT_SHAPES.append((1, out_size(7, kh, pad[0], pad[1], stride[0],
                                   dilation[0]),
                       out_size(7, kw, pad[2], pad[3], stride[1],
                                dilation[1]), channels))


def main(quant_opt, out):
    model = os.path.join(out, "convs.mlir")
    with open(model, "w") as f:
        f.write(module_text(weights))
    np.save(os.path.join(out, "convs-calib.npy"), x)
    result = subprocess.run(
        [quant_opt, model, "--quantx-set-precision=weight-bits=2",
         f"--quantx-correct-bias=calibration-data={out}/convs-calib.npy"],
        capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    for (name, kind, shape, pad, stride, dilation), w in zip(LAYERS,
                                                            weights):
        # The bias operand of the layer, then that constant's values.
        op = re.search(rf"tosa\.{kind} %\w+, %\w+, (%\w+), .*"
                       rf'quantx.layer = "{name}"', result.stdout)
        const = re.search(rf"{re.escape(op.group(1))} = \"tosa.const\"\(\) "
                          r"<\{values = dense<([^>]*)>", result.stdout)
        got = np.array(eval(const.group(1)), dtype=np.float64).reshape(-1)
        if kind == "conv2d":
            wq = quantize_2bit(w.astype(np.float64), 0)
        else:
            flat = w.astype(np.float64).reshape(shape[0], shape[1], -1)
            wq = quantize_2bit(flat, 2).reshape(shape)
        want = 0.25 - mean_patch_shift(kind, w.astype(np.float64), wq, pad,
                                       stride, dilation)
        assert np.allclose(got, want, rtol=1e-4, atol=1e-5), (name, got, want)
        print(f"{name}: {len(got)} biases match", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
