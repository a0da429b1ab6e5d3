// RUN: quant-opt %s --quantx-lower-requantize | FileCheck %s
// RUN: quant-opt %s --quantx-lower-requantize=rounding=single | FileCheck %s --check-prefix=SINGLE

// Per-channel accumulator scales to one int8 scale: one dyadic multiplier
// per channel (0.5 = 2^30 * 2^-31, 0.25 = 2^30 * 2^-32), zero points explicit.
// CHECK-LABEL: func.func @per_axis
// CHECK: %[[I:.*]] = quantx.storage_cast %arg0 : tensor<2x2x!quantx.uniform{{.*}}> -> tensor<2x2xi32>
// CHECK: %[[R:.*]] = quantx.rescale %[[I]] {axis = 1 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1073741824], shift = [31, 32], rounding = double>, output_zero_point = -3 : i64} : tensor<2x2xi32> -> tensor<2x2xi8>
// CHECK: %[[Q:.*]] = quantx.storage_cast %[[R]] : tensor<2x2xi8> -> tensor<2x2x!quantx.uniform<i8:f32
// CHECK: return %[[Q]]
// SINGLE: rounding = single
func.func @per_axis(%x: tensor<2x2x!quantx.uniform<i32:f32, #quantx.per_axis<axis = 1, scales = [0.5, 0.25]>>>)
    -> tensor<2x2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = -3>>> {
  %y = quantx.requantize %x : tensor<2x2x!quantx.uniform<i32:f32, #quantx.per_axis<axis = 1, scales = [0.5, 0.25]>>>
      -> tensor<2x2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = -3>>>
  return %y : tensor<2x2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = -3>>>
}

// Per tensor, with an input zero point and an unsigned output.
// CHECK-LABEL: func.func @per_tensor
// CHECK: quantx.rescale %{{.*}} {input_zero_point = 3 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [29], rounding = double>, output_unsigned, output_zero_point = 128 : i64} : tensor<4xi8> -> tensor<4xi8>
func.func @per_tensor(%x: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 3>>>)
    -> tensor<4x!quantx.uniform<ui8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 128>>> {
  %y = quantx.requantize %x : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 3>>>
      -> tensor<4x!quantx.uniform<ui8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 128>>>
  return %y : tensor<4x!quantx.uniform<ui8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 128>>>
}

// Per-block parameters are left for quantx-lower-to-arith.
// CHECK-LABEL: func.func @per_block
// CHECK: quantx.requantize
func.func @per_block(%x: tensor<4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [2], scales = dense<[0.5, 0.25]> : tensor<2xf64>>>>)
    -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 0>>> {
  %y = quantx.requantize %x : tensor<4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [2], scales = dense<[0.5, 0.25]> : tensor<2xf64>>>>
      -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 0>>>
  return %y : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 0>>>
}
