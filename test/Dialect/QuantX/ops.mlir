// RUN: quant-opt %s | quant-opt | FileCheck %s
// RUN: quant-opt %s --mlir-print-op-generic | quant-opt | FileCheck %s
// RUN: quant-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD

// FOLD-LABEL: func.func @fold_storage_casts
// FOLD-SAME: (%[[ARG:.*]]: tensor<4xi8>)
// FOLD-NEXT: return %[[ARG]]

// Round trip of every type, attribute and op of the quantx dialect.

// CHECK-LABEL: func.func @per_tensor
// CHECK-SAME: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-01, zero_point = -3>>>
// CHECK: quantx.quantize %{{.*}} : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-01, zero_point = -3>>>
// CHECK: quantx.dequantize %{{.*}} : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-01, zero_point = -3>>> -> tensor<4xf32>
func.func @per_tensor(%x: tensor<4xf32>) -> (tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>, tensor<4xf32>) {
  %q = quantx.quantize %x : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>
  %d = quantx.dequantize %q : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>> -> tensor<4xf32>
  return %q, %d : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>, tensor<4xf32>
}

// CHECK-LABEL: func.func @storage_kinds
// CHECK-SAME: !quantx.uniform<ui8:f32, #quantx.per_tensor<scale = 1.000000e+00, zero_point = 128>>
// CHECK-SAME: !quantx.uniform<i8:f32, narrow, #quantx.per_tensor<scale = 2.500000e-01, zero_point = 0>>
// CHECK-SAME: !quantx.uniform<i4:f16, #quantx.per_tensor<scale = 1.250000e-01, zero_point = 7>>
// CHECK-SAME: !quantx.uniform<i16:bf16, #quantx.per_tensor<scale = 3.0517578125E-5, zero_point = 0>>
// CHECK-SAME: !quantx.uniform<ui1:f32, #quantx.per_tensor<scale = 1.000000e+00, zero_point = 0>>
func.func @storage_kinds(
    %a: tensor<2x!quantx.uniform<ui8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 128>>>,
    %b: tensor<2x!quantx.uniform<i8:f32, narrow, #quantx.per_tensor<scale = 0.25, zero_point = 0>>>,
    %c: tensor<2x!quantx.uniform<i4:f16, #quantx.per_tensor<scale = 0.125, zero_point = 7>>>,
    %d: tensor<2x!quantx.uniform<i16:bf16, #quantx.per_tensor<scale = 3.0517578125e-05, zero_point = 0>>>,
    %e: tensor<2x!quantx.uniform<ui1:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>) {
  return
}

// CHECK-LABEL: func.func @per_axis
// CHECK: #quantx.per_axis<axis = 0, scales = [1.000000e-01, 2.000000e-01]>
// CHECK: #quantx.per_axis<axis = 1, scales = [1.000000e-01, 2.000000e-01, 3.000000e-01], zero_points = [1, 2, 3]>
func.func @per_axis(%x: tensor<2x3xf32>) -> tensor<2x3x!quantx.uniform<ui8:f32, #quantx.per_axis<axis = 1, scales = [0.1, 0.2, 0.3], zero_points = [1, 2, 3]>>> {
  %q = quantx.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 0, scales = [0.1, 0.2]>>>
  %r = quantx.requantize %q : tensor<2x3x!quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 0, scales = [0.1, 0.2]>>> -> tensor<2x3x!quantx.uniform<ui8:f32, #quantx.per_axis<axis = 1, scales = [0.1, 0.2, 0.3], zero_points = [1, 2, 3]>>>
  return %r : tensor<2x3x!quantx.uniform<ui8:f32, #quantx.per_axis<axis = 1, scales = [0.1, 0.2, 0.3], zero_points = [1, 2, 3]>>>
}

// CHECK-LABEL: func.func @per_block
// CHECK: #quantx.per_block<block_sizes = [1, 4], scales = dense<{{.*}}> : tensor<2x2xf64>>
// CHECK: #quantx.per_block<block_sizes = [2, 2], scales = dense<{{.*}}> : tensor<1x4xf64>, zero_points = dense<[{{\[}}1, 2, 3, 4]]> : tensor<1x4xi64>>
func.func @per_block(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %q = quantx.quantize %x : tensor<2x8xf32> -> tensor<2x8x!quantx.uniform<i4:f32, #quantx.per_block<block_sizes = [1, 4], scales = dense<[[0.1, 0.2], [0.3, 0.4]]> : tensor<2x2xf64>>>>
  %r = quantx.requantize %q : tensor<2x8x!quantx.uniform<i4:f32, #quantx.per_block<block_sizes = [1, 4], scales = dense<[[0.1, 0.2], [0.3, 0.4]]> : tensor<2x2xf64>>>> -> tensor<2x8x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [2, 2], scales = dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf64>, zero_points = dense<[[1, 2, 3, 4]]> : tensor<1x4xi64>>>>
  %d = quantx.dequantize %r : tensor<2x8x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [2, 2], scales = dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf64>, zero_points = dense<[[1, 2, 3, 4]]> : tensor<1x4xi64>>>> -> tensor<2x8xf32>
  return %d : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @two_level
// CHECK: #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 4, sub_scale_bits = 4, scales = [1.000000e-01, 2.000000e-01], sub_scales = dense<{{\[}}[1, 15], [3, 4]]> : tensor<2x2xi64>>
func.func @two_level(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %q = quantx.quantize %x : tensor<2x8xf32> -> tensor<2x8x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 4, sub_scale_bits = 4, scales = [0.1, 0.2], sub_scales = dense<[[1, 15], [3, 4]]> : tensor<2x2xi64>>>>
  %d = quantx.dequantize %q : tensor<2x8x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 4, sub_scale_bits = 4, scales = [0.1, 0.2], sub_scales = dense<[[1, 15], [3, 4]]> : tensor<2x2xi64>>>> -> tensor<2x8xf32>
  return %d : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @integer_level
// CHECK: quantx.storage_cast %{{.*}} : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-01, zero_point = -3>>> -> tensor<4xi8>
// CHECK: quantx.rescale %{{.*}} {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = double>, output_zero_point = -3 : i64} : tensor<4xi32> -> tensor<4xi8>
// CHECK: quantx.rescale %{{.*}} {axis = 1 : i64, clamp_min = 0 : i64, input_unsigned, input_zero_point = 3 : i64, multiplier = #quantx.dyadic<multiplier = [1518500250, 0], shift = [38, 0], rounding = single>, output_unsigned} : tensor<3x2xi8> -> tensor<3x2xi16>
func.func @integer_level(%q: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>, %acc: tensor<4xi32>, %u: tensor<3x2xi8>) -> (tensor<4xi8>, tensor<4xi8>, tensor<3x2xi16>) {
  %s = quantx.storage_cast %q : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>> -> tensor<4xi8>
  %r = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = double>, output_zero_point = -3 : i64} : tensor<4xi32> -> tensor<4xi8>
  %p = quantx.rescale %u {multiplier = #quantx.dyadic<multiplier = [1518500250, 0], shift = [38, 0], rounding = single>, axis = 1 : i64, input_zero_point = 3 : i64, input_unsigned, output_unsigned, clamp_min = 0 : i64} : tensor<3x2xi8> -> tensor<3x2xi16>
  return %s, %r, %p : tensor<4xi8>, tensor<4xi8>, tensor<3x2xi16>
}

// CHECK-LABEL: func.func @calibration_stats
// CHECK: quantx.stats = #quantx.calib_stats<min = -1.500000e+00, max = 4.000000e+00>
// CHECK: quantx.stats = #quantx.calib_stats<min = -1.000000e+00, max = 1.000000e+00, histogram = <min = -1.000000e+00, max = 1.000000e+00, counts = [3, 0, 5, 1]>>
func.func @calibration_stats(%x: tensor<4xf32> {quantx.stats = #quantx.calib_stats<min = -1.5, max = 4.0>}) -> (tensor<4xf32> {quantx.stats = #quantx.calib_stats<min = -1.0, max = 1.0, histogram = #quantx.histogram<min = -1.0, max = 1.0, counts = [3, 0, 5, 1]>>}) {
  return %x : tensor<4xf32>
}

// CHECK-LABEL: func.func @fold_storage_casts
// CHECK: quantx.storage_cast
// CHECK: quantx.storage_cast
func.func @fold_storage_casts(%x: tensor<4xi8>) -> tensor<4xi8> {
  %q = quantx.storage_cast %x : tensor<4xi8> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>
  %s = quantx.storage_cast %q : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>> -> tensor<4xi8>
  return %s : tensor<4xi8>
}
