// RUN: not quant-opt %s -split-input-file --quantx-quantize 2>&1 | FileCheck %s

// quantx-quantize takes the integers quantx-optimize-rounding chose
// (quantx.rounded_weights) only on the grid they were chosen for.

// Integers chosen for int4 weights on a layer now int8: quantx-quantize
// will not use them on another grid.
// CHECK: error: quantx-quantize: the weights were rounded for #quantx.precision<weights = int4> but the layer's precision is #quantx.precision<{{.*}}>: round them after the precision is set
func.func @stale(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.04, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %q = quantx.quantize %x : tensor<1x1x1x3xf32> -> tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>>
  %dq = quantx.dequantize %q : tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>> -> tensor<1x1x1x3xf32>
  %y = tosa.conv2d %dq, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.rounded_weights = {integers = dense<[[[[7, 0, 1]]]]> : tensor<1x1x1x3xi8>, method = "gptq", precision = #quantx.precision<weights = int4>}} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// Integers off the int4 range.
// CHECK: error: quantx-quantize: quantx.rounded_weights: integer 9 at 2 is outside [-7, 7]
func.func @range(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.04, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %q = quantx.quantize %x : tensor<1x1x1x3xf32> -> tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>>
  %dq = quantx.dequantize %q : tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>> -> tensor<1x1x1x3xf32>
  %y = tosa.conv2d %dq, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.precision = #quantx.precision<weights = int4>, quantx.rounded_weights = {integers = dense<[[[[7, 0, 9]]]]> : tensor<1x1x1x3xi8>, method = "gptq", precision = #quantx.precision<weights = int4>}} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// CHECK: error: quantx-quantize: quantx.rounded_weights needs `precision` and `integers` of the weights' shape
func.func @shape(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.04, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %q = quantx.quantize %x : tensor<1x1x1x3xf32> -> tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>>
  %dq = quantx.dequantize %q : tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>> -> tensor<1x1x1x3xf32>
  %y = tosa.conv2d %dq, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.precision = #quantx.precision<weights = int4>, quantx.rounded_weights = {integers = dense<[7, 0, 1]> : tensor<3xi8>, precision = #quantx.precision<weights = int4>}} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// Codebook weights: chosen integers must be entries of the layer's
// codebook (here 127, 5 and 7 from 0.7, 0.03, 0.04 scaled to 127: 6 is
// none of them).
// CHECK: error: quantx-quantize: quantx.rounded_weights: integer 6 at 1 is not in the layer's codebook
func.func @off_codebook(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.03, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %q = quantx.quantize %x : tensor<1x1x1x3xf32> -> tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>>
  %dq = quantx.dequantize %q : tensor<1x1x1x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.00392156886, zero_point = -128>>> -> tensor<1x1x1x3xf32>
  %y = tosa.conv2d %dq, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.precision = #quantx.precision<weights = int4, levels = codebook>, quantx.rounded_weights = {integers = dense<[[[[127, 6, 7]]]]> : tensor<1x1x1x3xi8>, method = "gptq", precision = #quantx.precision<weights = int4, levels = codebook>}} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}
