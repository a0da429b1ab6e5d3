// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-quantize | FileCheck %s --check-prefix=INT4
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=per-tensor" --quantx-quantize | FileCheck %s --check-prefix=TENSOR
// RUN: quant-opt %s --quantx-set-precision="weight-bits=3" --quantx-quantize | FileCheck %s --check-prefix=INT3
// RUN: quant-opt %s --quantx-set-precision="weight-bits=2" --quantx-quantize | FileCheck %s --check-prefix=INT2
// RUN: quant-opt %s --quantx-set-precision="weight-bits=ternary" --quantx-quantize | FileCheck %s --check-prefix=TERNARY
// RUN: quant-opt %s --quantx-set-precision="weight-bits=binary" --quantx-quantize | FileCheck %s --check-prefix=BINARY
// RUN: quant-opt %s --quantx-set-precision="weight-bits=float" --quantx-quantize 2>&1 | FileCheck %s --check-prefix=FLOAT
// RUN: not quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=group:2" --quantx-quantize 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: not quant-opt %s --quantx-set-precision="activation-bits=16" --quantx-quantize 2>&1 | FileCheck %s --check-prefix=A16

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// Weights [K = 4, N = 2]: column 0 is (0.7, -0.3, 0.1, 0), column 1 is
// (1, 0.5, -0.5, 0.05).
//
// int4, per channel: scales max|w| / 7 = 0.1 and 1/7; integers rounded to
// nearest in [-7, 7] (0.7 and 0.05 as f32). The accumulator's scales are 0.5 times the weights'.
// INT4: "tosa.const"() <{values = dense<{{\[\[\[}}7, 7], [-3, 4], [1, -4], [0, 0]]]> : tensor<1x4x2xi8>}>
// INT4: tosa.matmul {{.*}}quantx.precision = #quantx.precision<weights = int4>
// INT4: #quantx.per_axis<axis = 2, scales = [0.049999999148505073, 0.071428571428571425]>
//
// int4, per tensor: one scale 1/7 for both columns.
// TENSOR: "tosa.const"() <{values = dense<{{\[\[\[}}5, 7], [-2, 4], [1, -4], [0, 0]]]> : tensor<1x4x2xi8>}>
// TENSOR: #quantx.per_axis<axis = 2, scales = [0.071428571428571425, 0.071428571428571425]>
//
// int3: [-3, 3], scales 0.7/3 and 1/3.
// INT3: "tosa.const"() <{values = dense<{{\[\[\[}}3, 3], [-1, 2], [0, -2], [0, 0]]]> : tensor<1x4x2xi8>}>
//
// int2: [-1, 1], scales 0.7 and 1 (0.5 rounds to even: 0).
// INT2: "tosa.const"() <{values = dense<{{\[\[\[}}1, 1], [0, 0], [0, 0], [0, 0]]]> : tensor<1x4x2xi8>}>
//
// Ternary: thresholds 0.7 * mean|w| = 0.1925 and 0.35875; the scales are
// the mean magnitudes kept: (0.7 + 0.3) / 2 = 0.5 and (1 + 0.5 + 0.5) / 3.
// TERNARY: "tosa.const"() <{values = dense<{{\[\[\[}}1, 1], [-1, 1], [0, -1], [0, 0]]]> : tensor<1x4x2xi8>}>
// TERNARY: #quantx.per_axis<axis = 2, scales = [2.500000e-01, 0.33333333333333331]>
//
// Binary: signs (0 counts as +), scales mean|w| = 0.275 and 0.5125.
// BINARY: "tosa.const"() <{values = dense<{{\[\[\[}}1, 1], [-1, 1], [1, -1], [1, 1]]]> : tensor<1x4x2xi8>}>
// BINARY: #quantx.per_axis<axis = 2, scales = [0.13750000018626451, 0.25625000009313226]>
//
// FLOAT: remark: quantx-quantize: 'tosa.matmul' stays float (its precision is float)
// FLOAT: tosa.matmul {{.*}} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>
//
// GROUP: error: quantx-quantize: precision w4a8-g2 is not computed in integer yet (group and two-level scales and 16-bit or sign activations are not implemented); choose per-tensor or per-channel weights with 8-bit activations
// A16: error: quantx-quantize: precision w8a16 is not computed in integer yet
func.func @fully_connected(%a: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x4xf32> -> tensor<1x1x4x!qa>
  %d = quantx.dequantize %q : tensor<1x1x4x!qa> -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<[[[0.7, 1.0], [-0.3, 0.5], [0.1, -0.5], [0.0, 0.05]]]> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %d, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %o = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %r = quantx.dequantize %o : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}
