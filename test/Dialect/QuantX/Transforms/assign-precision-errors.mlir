// RUN: not quant-opt %s --quantx-assign-precision="size=0.5" 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not quant-opt %s --quantx-assign-precision="size=0.5 calibration-data=%t.missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSINGFILE
// RUN: not quant-opt %s --quantx-assign-precision="size=0.5 entry=absent" 2>&1 | FileCheck %s --check-prefix=ENTRY

// One layer gives its sensitivities, the other does not: they are
// measured, which needs calibration data.
// NODATA: error: quantx-assign-precision: no calibration data to measure sensitivities on: pass calibration-data=<file.npy>, or give every layer a quantx.sensitivity
// MISSINGFILE: error: quantx-assign-precision: {{.*}}missing.npy
// ENTRY: error: quantx-assign-precision: no function @absent

func.func @main(%x: tensor<1x4x4x8xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.1> : tensor<8xf32>}> : () -> tensor<8xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.sensitivity = {w8a8 = 0.0 : f64, w4a8 = 0.1 : f64}} : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %d = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  return %c, %d : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>
}
