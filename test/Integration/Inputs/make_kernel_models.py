# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes float TOSA models whose convolutions and matmuls have the shapes
CPU kernels get wrong first, plus calibration and test data.

make_kernel_models.py OUT_DIR: odd.mlir, calib.npy [16, 1, 3, 11, 13],
x.npy [4, 1, 3, 11, 13]; fc.mlir (M = 1 matmul), fc_calib.npy, fc_x.npy;
residual.mlir (residual adds), residual_calib.npy, residual_x.npy.
"""

import os
import sys

import numpy as np
import torch
from torch import nn

import quantx


class OddShapes(nn.Module):
    """K = 27 and 9 (not multiples of 4), N = 17 and 6 (not multiples of 16),
    stride 2 with asymmetric padding, dilation 2, a depthwise convolution
    with multiplier 2, a grouped convolution, a 1x1 convolution and a
    per-pixel linear layer (matmul over H*W rows), and a padded max pool."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 17, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.dilated = nn.Conv2d(17, 6, 3, padding=2, dilation=2)
        self.depthwise = nn.Conv2d(6, 12, 3, padding=1, groups=6)
        self.grouped = nn.Conv2d(12, 10, 3, stride=(1, 2), groups=2)
        self.pointwise = nn.Conv2d(10, 33, 1)
        self.linear = nn.Linear(33, 7)

    def forward(self, x):
        y = self.pool(torch.relu(self.stem(x)))
        y = torch.relu(self.dilated(y))
        y = torch.clamp(self.depthwise(y), 0, 6)
        y = self.pointwise(torch.relu(self.grouped(y)))
        return self.linear(y.permute(0, 2, 3, 1))


class Residual(nn.Module):
    """Two residual blocks on 13 and 20 channels (not multiples of a
    vector), the first with an identity shortcut, the second with a 1x1
    projection: each ends in an add of two differently scaled int8 tensors
    once quantized. Between them a padded 3x3 average pooling (the edge
    windows average fewer taps), at the end a global one and a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 13, 3, padding=1)
        self.a1 = nn.Conv2d(13, 13, 3, padding=1)
        self.a2 = nn.Conv2d(13, 13, 3, padding=1)
        self.b1 = nn.Conv2d(13, 20, 3, stride=2, padding=1)
        self.b2 = nn.Conv2d(20, 20, 3, padding=1)
        self.project = nn.Conv2d(13, 20, 1, stride=2)
        self.pool = nn.AvgPool2d(3, stride=1, padding=1,
                                 count_include_pad=False)
        self.head = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(20, 5)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        x = torch.relu(x + self.a2(torch.relu(self.a1(x))))
        x = self.pool(x)
        x = torch.relu(self.project(x) + self.b2(torch.relu(self.b1(x))))
        return self.classifier(torch.flatten(self.head(x), 1))


def export(model, shape, out, name, samples=16):
    model.eval()
    onnx_path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, torch.zeros(*shape), onnx_path, opset_version=13)
    with open(os.path.join(out, name + ".mlir"), "w") as f:
        f.write(quantx.import_onnx(onnx_path))
    rng = np.random.RandomState(0)
    prefix = "" if name == "odd" else name + "_"
    np.save(os.path.join(out, prefix + "calib.npy"),
            rng.randn(samples, *shape).astype(np.float32))
    np.save(os.path.join(out, prefix + "x.npy"),
            rng.randn(4, *shape).astype(np.float32))


def main(out):
    torch.manual_seed(0)
    export(OddShapes(), (1, 3, 11, 13), out, "odd")
    export(nn.Sequential(nn.Linear(75, 130), nn.ReLU(), nn.Linear(130, 3)),
           (1, 75), out, "fc")
    export(Residual(), (1, 3, 9, 7), out, "residual")


if __name__ == "__main__":
    main(sys.argv[1])
