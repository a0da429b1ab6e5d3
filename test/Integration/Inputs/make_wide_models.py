# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""make_wide_models.py OUT: float TOSA models whose int8 accumulators sit
just inside and just outside int32, with calibration data and inputs.

Every weight is 1.0 (int8 127) and calibration inputs are non-negative, so
the input zero point is -128 and the accumulator of a K-long reduction at
the top of the input range is 255 * 127 * K: it fits int32 up to
K = 66,313. linear_<K>.mlir is a matmul, conv_<K>.mlir a 1x1 convolution
over K input channels (two output channels)."""

import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(0)


def write_linear(k):
    with open(f"{out}/linear_{k}.mlir", "w") as f:
        f.write(f"""func.func @main(%x: tensor<1x{k}xf32>) -> tensor<1x1xf32> {{
  %w = "tosa.const"() <{{values = dense<1.0> : tensor<1x{k}x1xf32>}}> : () -> tensor<1x{k}x1xf32>
  %s3 = tosa.const_shape {{values = dense<[1, 1, {k}]> : tensor<3xindex>}} : () -> !tosa.shape<3>
  %s2 = tosa.const_shape {{values = dense<[1, 1]> : tensor<2xindex>}} : () -> !tosa.shape<2>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %a = tosa.reshape %x, %s3 : (tensor<1x{k}xf32>, !tosa.shape<3>) -> tensor<1x1x{k}xf32>
  %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x1x{k}xf32>, tensor<1x{k}x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  %y = tosa.reshape %m, %s2 : (tensor<1x1x1xf32>, !tosa.shape<2>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}}
""")
    calib = rng.uniform(0.0, 1.0, (16, 1, k)).astype(np.float32)
    calib[0, 0, :] = 1.0  # the top of the range is calibrated
    np.save(f"{out}/linear_{k}_calib.npy", calib)
    x = np.stack([np.ones((1, k)), rng.uniform(0.0, 1.0, (1, k)),
                  np.zeros((1, k))]).astype(np.float32)
    np.save(f"{out}/linear_{k}_x.npy", x)


def write_conv(k):
    with open(f"{out}/conv_{k}.mlir", "w") as f:
        f.write(f"""func.func @main(%x: tensor<1x1x1x{k}xf32>) -> tensor<1x1x1x2xf32> {{
  %w = "tosa.const"() <{{values = dense<1.0> : tensor<2x1x1x{k}xf32>}}> : () -> tensor<2x1x1x{k}xf32>
  %b = "tosa.const"() <{{values = dense<[0.5, -0.5]> : tensor<2xf32>}}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}} : (tensor<1x1x1x{k}xf32>, tensor<2x1x1x{k}xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  return %y : tensor<1x1x1x2xf32>
}}
""")
    calib = rng.uniform(0.0, 1.0, (16, 1, 1, 1, k)).astype(np.float32)
    calib[0, ...] = 1.0
    np.save(f"{out}/conv_{k}_calib.npy", calib)
    x = np.stack([np.ones((1, 1, 1, k)), rng.uniform(0.0, 1.0, (1, 1, 1, k)),
                  np.zeros((1, 1, 1, k))]).astype(np.float32)
    np.save(f"{out}/conv_{k}_x.npy", x)


for k in (66000, 70000):
    write_linear(k)
    write_conv(k)
