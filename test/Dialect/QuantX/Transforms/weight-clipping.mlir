// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/calib.npy', np.random.default_rng(0).uniform(-1, 1, (64, 1, 1, 1, 4)).astype(np.float32)); np.save('%t/unit.npy', np.eye(4, dtype=np.float32).reshape(4, 1, 1, 1, 4))"
// RUN: quant-opt %s --quantx-set-precision="weight-bits=2 weight-clipping=octav" | FileCheck %s
// RUN: not quant-opt %s --quantx-set-precision="weight-clipping=mse" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: quant-opt %s --quantize="calibration-data=%t/calib.npy weight-bits=2" -o %t/max.mlir
// RUN: quant-opt %s --quantize="calibration-data=%t/calib.npy weight-bits=2 weight-clipping=octav" -o %t/octav.mlir
// RUN: quant-run %t/max.mlir --input %t/unit.npy --output %t/max.npy
// RUN: quant-run %t/octav.mlir --input %t/unit.npy --output %t/octav.npy
// RUN: %python -c "import numpy as np; m = np.load('%t/max.npy'); o = np.load('%t/octav.npy'); m, o = m.ravel(), o.ravel(); assert np.abs(m - [1, 0, 0, 0]).max() < 0.03 and np.abs(o - 0.8).max() < 0.03, (m, o)"
// RUN: FileCheck %s --input-file=%t/octav.mlir --check-prefix=SPENT

// Weights 1.0, 0.45, 0.45, 0.45 at 2 bits (integers -1, 0, 1). With the
// largest magnitude as the scale (max) they become 1, 0, 0, 0 (the
// outputs on unit inputs). OCTAV's threshold s minimizes
// (s^2 / 12) #{|w| <= s} + sum_{|w| > s} (|w| - s)^2: from the mean
// magnitude 0.5875, s = 1.0 / (3 / 12 + 1) = 0.8, a fixed point, and the
// weights become 0.8 each.
// CHECK: tosa.conv2d {{.*}}quantx.precision = #quantx.precision<weights = int2>, quantx.weight_clipping = "octav"
// BAD: error: quantx-set-precision: weight-clipping must be max or octav, got 'mse'
// SPENT-NOT: quantx.weight_clipping
func.func @main(%x: tensor<1x1x1x4xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0, 0.45, 0.45, 0.45]]]]> : tensor<1x1x1x4xf32>}> : () -> tensor<1x1x1x4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}
