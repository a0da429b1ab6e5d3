# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes a small random CNN as float TOSA plus calibration and test data.

make_model.py OUT_DIR: model.mlir, calib.npy [32, 1, 1, 12, 12], x.npy [8, ...],
x_i8.npy (random int8 inputs for the int8 interface).
"""

import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "examples", "fashion_mnist"))
import models  # noqa: E402
import quantx  # noqa: E402


class Block(nn.Module):
    """conv+BN+ReLU, depthwise+BN+ReLU6, a residual add, pooling, FC."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*models.conv_bn(1, 8))
        self.dw = nn.Sequential(*models.conv_bn(8, 8, groups=8, act=nn.ReLU6))
        self.pw = nn.Sequential(*models.conv_bn(8, 8, kernel=1)[:2])
        self.head = nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(2),
                                  nn.Flatten(), nn.Linear(8 * 3 * 3, 5))

    def forward(self, x):
        y = self.stem(x)
        return self.head(torch.relu(self.pw(self.dw(y)) + y))


def main(out):
    torch.manual_seed(0)
    model = Block()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 12, 12), onnx_path,
                      opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE)
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(quantx.import_onnx(onnx_path))
    rng = np.random.RandomState(0)
    np.save(os.path.join(out, "calib.npy"),
            rng.randn(32, 1, 1, 12, 12).astype(np.float32))
    np.save(os.path.join(out, "x.npy"),
            rng.randn(8, 1, 1, 12, 12).astype(np.float32))
    np.save(os.path.join(out, "x_i8.npy"),
            rng.randint(-128, 128, (8, 1, 1, 12, 12)).astype(np.int8))


if __name__ == "__main__":
    main(sys.argv[1])
