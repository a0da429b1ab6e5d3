# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Small Fashion-MNIST networks covering the layers quant-x quantizes."""

import torch
from torch import nn


def conv_bn(cin, cout, kernel=3, stride=1, groups=1, act=nn.ReLU):
    return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups,
                      bias=False),
            nn.BatchNorm2d(cout), act()]


def cnn_bn():
    """conv + BN + ReLU, max pooling, a fully connected classifier."""
    return nn.Sequential(*conv_bn(1, 16), nn.MaxPool2d(2),
                         *conv_bn(16, 32), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def depthwise_separable():
    """MobileNet-style depthwise-separable blocks with ReLU6."""
    def block(cin, cout, stride):
        return (conv_bn(cin, cin, 3, stride, groups=cin, act=nn.ReLU6) +
                conv_bn(cin, cout, 1, act=nn.ReLU6))
    return nn.Sequential(*conv_bn(1, 16, 3, 2, act=nn.ReLU6),
                         *block(16, 32, 1), *block(32, 64, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(64, 10))


class Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(channels, channels),
                                  *conv_bn(channels, channels)[:2])
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.body(x) + x)


def residual():
    """ResNet-style blocks: the residual adds join two quantized branches."""
    return nn.Sequential(*conv_bn(1, 16), Residual(16), nn.MaxPool2d(2),
                         *conv_bn(16, 32), Residual(32),
                         nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(32 * 7 * 7, 10))


def mlp():
    """Fully connected layers, one with batch norm."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                         nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(),
                         nn.Linear(128, 10))


MODELS = {"cnn_bn": cnn_bn, "depthwise_separable": depthwise_separable,
          "residual": residual, "mlp": mlp}


def export_onnx(model, path):
    """ONNX with the BatchNormalization nodes kept (quant-x folds them)."""
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path,
                      opset_version=13, input_names=["image"],
                      output_names=["logits"],
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
