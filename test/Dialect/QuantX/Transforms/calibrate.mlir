// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([[[-1, 0, 1, 2]], [[3, -2, 0.5, 0]]], np.float32))"
// RUN: quant-opt %s --quantx-calibrate="calibration-data=%t/x.npy bins=4" | FileCheck %s

// The argument and the clamp are quantization points; the add feeds the
// clamp (fused), the reshape keeps the clamp's quantization.
// CHECK-LABEL: func.func @main
// CHECK-SAME: quantx.calib = #quantx.calib_stats<min = -2.000000e+00, max = 3.000000e+00, histogram = <min = -2.000000e+00, max = 3.000000e+00, counts = [2, 2, 2, 2]>>
// CHECK: tosa.add
// CHECK-NOT: quantx.calib
// CHECK: tosa.clamp %{{.*}} {max_val = 3.000000e+00 : f32, min_val = 0.000000e+00 : f32, quantx.calib = [#quantx.calib_stats<min = 0.000000e+00, max = 3.000000e+00, histogram = <min = 0.000000e+00, max = 3.000000e+00, counts = [5, 1, 1, 1]>>]}
// CHECK: tosa.reshape
// CHECK-NOT: quantx.calib
func.func @main(%x: tensor<1x4xf32>) -> tensor<4xf32> {
  %c = "tosa.const"() <{values = dense<[[1.0, 0.0, 0.0, 0.0]]> : tensor<1x4xf32>}> : () -> tensor<1x4xf32>
  %a = tosa.add %x, %c : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.0 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = tosa.const_shape {values = dense<[4]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %y = tosa.reshape %r, %s : (tensor<1x4xf32>, !tosa.shape<1>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
