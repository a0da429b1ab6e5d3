// RUN: quant-opt %s --quantx-quantize | FileCheck %s

// Sign activations (XNOR-Net): the int8 input x (zero point -3) becomes
// +1 where x >= -3 (real value >= 0) and -1 elsewhere, at the scale
// beta = E|x| = 0.8 that quantx-fold-calibration measured; with binary
// weights (+-1, scales mean|w| = 0.5 and 0.25) the accumulator's scales
// are 0.8 * 0.5 and 0.8 * 0.25.

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// CHECK-LABEL: func.func @sign
// CHECK-DAG: %[[ZP:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1x1x1xi8>}>
// CHECK: %[[GE:.*]] = tosa.greater_equal %{{.*}}, %[[ZP]] : (tensor<1x1x4xi8>, tensor<1x1x1xi8>) -> tensor<1x1x4xi1>
// CHECK-DAG: %[[PLUS:.*]] = "tosa.const"() <{values = dense<1> : tensor<1x1x1xi8>}>
// CHECK-DAG: %[[MINUS:.*]] = "tosa.const"() <{values = dense<-1> : tensor<1x1x1xi8>}>
// CHECK: %[[S:.*]] = tosa.select %[[GE]], %[[PLUS]], %[[MINUS]]
// CHECK: quantx.unpack_weights %{{.*}} format sign
// CHECK: tosa.matmul %[[S]],
// CHECK: #quantx.per_axis<axis = 2, scales = [4.000000e-01, 2.000000e-01]>
func.func @sign(%a: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a {quantx.mean_magnitude = 0.8 : f64} : tensor<1x1x4xf32> -> tensor<1x1x4x!qa>
  %d = quantx.dequantize %q : tensor<1x1x4x!qa> -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<[[[0.5, 0.25], [-0.5, 0.25], [0.5, -0.25], [-0.5, -0.25]]]> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %d, %w, %zp, %zp {quantx.precision = #quantx.precision<weights = binary, activations = 1>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %o = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %r = quantx.dequantize %o : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}
