// RUN: quant-opt %s --quantx-export-tosa --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @per_channel
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<[1073741824, 1518500250]> : tensor<2xi32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<[31, 38]> : tensor<2xi8>}>
// CHECK-DAG: %[[IZ:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi32>}>
// CHECK-DAG: %[[OZ:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK: %[[R:.*]] = tosa.rescale %arg0, %[[M]], %[[S]], %[[IZ]], %[[OZ]] {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<4x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4x2xi8>
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 127 : i8, min_val = -3 : i8}
// CHECK: return %[[C]]
func.func @per_channel(%x: tensor<4x2xi32>) -> tensor<4x2xi8> {
  %y = quantx.rescale %x {axis = 1 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1518500250], shift = [31, 38], rounding = single>, output_zero_point = -3 : i64, clamp_min = -3 : i64} : tensor<4x2xi32> -> tensor<4x2xi8>
  return %y : tensor<4x2xi8>
}

// -----

func.func @double_rounding(%x: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{quantx-export-tosa: double rounding has no exact TOSA equivalent (TOSA DOUBLE_ROUND rounds differently); quantize with rounding=single}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = double>} : tensor<4xi32> -> tensor<4xi8>
  return %y : tensor<4xi8>
}

// -----

func.func @not_last_axis(%x: tensor<2x4xi32>) -> tensor<2x4xi8> {
  // expected-error @+1 {{quantx-export-tosa: TOSA rescales per channel of the last dimension only, not axis 0}}
  %y = quantx.rescale %x {axis = 0 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1073741824], shift = [31, 32], rounding = single>} : tensor<2x4xi32> -> tensor<2x4xi8>
  return %y : tensor<2x4xi8>
}
