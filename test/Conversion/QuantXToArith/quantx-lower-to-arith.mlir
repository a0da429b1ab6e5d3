// RUN: quant-opt %s -split-input-file --quantx-lower-to-arith | FileCheck %s
// RUN: quant-opt %s -split-input-file --quantx-lower-to-arith=rounding=single | FileCheck %s --check-prefix=SINGLE

!q = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>

// Quantize: divide, round half to even, add the zero point, clamp, NaN -> zp.
// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> tensor<4xi8>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<4xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK-DAG: %[[S:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ZP:.*]] = arith.constant -3.000000e+00 : f32
// CHECK: %[[DIV:.*]] = arith.divf %[[IN]], %[[S]]
// CHECK: %[[R:.*]] = math.roundeven %[[DIV]]
// CHECK: %[[ADD:.*]] = arith.addf %[[R]], %[[ZP]]
// CHECK: arith.maximumf %[[ADD]], %{{.*}}
// CHECK: arith.minimumf
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[IN]], %[[IN]]
// CHECK: %[[SEL:.*]] = arith.select %[[NAN]], %[[ZP]]
// CHECK: arith.fptosi %[[SEL]] : f32 to i8
func.func @quantize_per_tensor(%x: tensor<4xf32>) -> tensor<4x!q> {
  %q = quantx.quantize %x : tensor<4xf32> -> tensor<4x!q>
  return %q : tensor<4x!q>
}

// -----

// Dequantize of unsigned per-axis storage reads scales through a map.
// CHECK: #[[AXIS:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK-SAME: (%[[Q:.*]]: tensor<2x3xi8>) -> tensor<2x3xf32>
// CHECK-DAG: %[[SCALES:.*]] = arith.constant dense<[{{\[}}1.000000e-01, 2.000000e-01, 3.000000e-01]]> : tensor<1x3xf32>
// CHECK-DAG: %[[ZPS:.*]] = arith.constant dense<{{\[}}[1, 2, 3]]> : tensor<1x3xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AXIS]], #[[AXIS]], #{{.*}}]
// CHECK-SAME: ins(%[[Q]], %[[SCALES]], %[[ZPS]] :
// CHECK: ^bb0(%[[IN:.*]]: i8, %[[S:.*]]: f32, %[[ZP:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[EXT:.*]] = arith.extui %[[IN]] : i8 to i32
// CHECK: %[[SUB:.*]] = arith.subi %[[EXT]], %[[ZP]]
// CHECK: %[[F:.*]] = arith.sitofp %[[SUB]] : i32 to f32
// CHECK: arith.mulf %[[F]], %[[S]]
func.func @dequantize_per_axis(%q: tensor<2x3x!quantx.uniform<ui8:f32, #quantx.per_axis<axis = 1, scales = [0.1, 0.2, 0.3], zero_points = [1, 2, 3]>>>) -> tensor<2x3xf32> {
  %x = quantx.dequantize %q : tensor<2x3x!quantx.uniform<ui8:f32, #quantx.per_axis<axis = 1, scales = [0.1, 0.2, 0.3], zero_points = [1, 2, 3]>>> -> tensor<2x3xf32>
  return %x : tensor<2x3xf32>
}

// -----

// Per-block parameters are read through floordiv maps; f16 computes in f32.
// CHECK: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// CHECK-LABEL: func.func @quantize_per_block_f16
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCK]], #[[BLOCK]], #{{.*}}]
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.fptosi %{{.*}} : f32 to i4
func.func @quantize_per_block_f16(%x: tensor<2x8xf16>) -> tensor<2x8x!quantx.uniform<i4:f16, #quantx.per_block<block_sizes = [1, 4], scales = dense<[[0.1, 0.2], [0.3, 0.4]]> : tensor<2x2xf64>>>> {
  %q = quantx.quantize %x : tensor<2x8xf16> -> tensor<2x8x!quantx.uniform<i4:f16, #quantx.per_block<block_sizes = [1, 4], scales = dense<[[0.1, 0.2], [0.3, 0.4]]> : tensor<2x2xf64>>>>
  return %q : tensor<2x8x!quantx.uniform<i4:f16, #quantx.per_block<block_sizes = [1, 4], scales = dense<[[0.1, 0.2], [0.3, 0.4]]> : tensor<2x2xf64>>>>
}

// -----

// Requantize i8 -> i8 by 0.5 / 0.125 = 4 (multiplier 2^30, shift 28): the
// double rounding needs 64 bits for scales >= 1/2.
// CHECK-LABEL: func.func @requantize_upscale
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.shli
// CHECK: arith.muli %{{.*}} : i64
// CHECK: arith.divsi
// CHECK: arith.trunci %{{.*}} : i64 to i32
// CHECK-NOT: arith.{{.*}}f
// CHECK: arith.trunci %{{.*}} : i32 to i8
// SINGLE-LABEL: func.func @requantize_upscale
// SINGLE-NOT: i64
// SINGLE: arith.muli %{{.*}} : i32
// SINGLE-NOT: i64
// SINGLE: arith.trunci %{{.*}} : i32 to i8
func.func @requantize_upscale(%x: tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 1>>>) -> tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.125, zero_point = 0>>> {
  %y = quantx.requantize %x : tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 1>>> -> tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.125, zero_point = 0>>>
  return %y : tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.125, zero_point = 0>>>
}

// -----

// 0.375 / 1.5 = 0.25 = 2^30 * 2^-32: the multiplier strips to 1, so i8
// inputs provably fit 32 bits and no i64 appears.
// CHECK-LABEL: func.func @requantize_32bit
// CHECK-NOT: i64
// CHECK: arith.divsi %{{.*}} : i32
// CHECK-NOT: i64
// CHECK: return
func.func @requantize_32bit(%x: tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.375, zero_point = 0>>>) -> tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.5, zero_point = 4>>> {
  %y = quantx.requantize %x : tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.375, zero_point = 0>>> -> tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.5, zero_point = 4>>>
  return %y : tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.5, zero_point = 4>>>
}

// -----

// Per-axis in, per-tensor out: multipliers and shifts per channel.
// CHECK: #[[CH:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @requantize_per_axis
// CHECK-DAG: arith.constant dense<1073741824> : tensor<2x1xi32>
// CHECK-DAG: arith.constant dense<{{\[}}[31], [32]]> : tensor<2x1xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #{{.*}}]
func.func @requantize_per_axis(%x: tensor<2x3x!quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 0, scales = [0.5, 0.25]>>>) -> tensor<2x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>> {
  %y = quantx.requantize %x : tensor<2x3x!quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 0, scales = [0.5, 0.25]>>> -> tensor<2x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  return %y : tensor<2x3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
}

// -----

// Rescale of int32 accumulators with a fused ReLU (clamp_min = zp):
// clamp(r, -5 - zp, 127 - zp) + zp.
// CHECK-LABEL: func.func @rescale_relu
// CHECK-SAME: (%[[ACC:.*]]: tensor<4xi32>) -> tensor<4xi8>
// CHECK: %[[MAX:.*]] = arith.maxsi
// CHECK-NEXT: %[[HI:.*]] = arith.constant 132 : i32
// CHECK-NEXT: arith.minsi %[[MAX]], %[[HI]]
// CHECK: arith.constant -5 : i32
// CHECK: arith.addi
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @rescale_relu(%acc: tensor<4xi32>) -> tensor<4xi8> {
  %y = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1518500250], shift = [38], rounding = double>, output_zero_point = -5 : i64, clamp_min = -5 : i64} : tensor<4xi32> -> tensor<4xi8>
  return %y : tensor<4xi8>
}

// -----

// Storage casts vanish; calls and returns take the storage type.
// CHECK-LABEL: func.func @casts
// CHECK-SAME: (%[[X:.*]]: tensor<4xi8>) -> tensor<4xi8>
// CHECK-NEXT: %[[R:.*]] = call @casts(%[[X]]) : (tensor<4xi8>) -> tensor<4xi8>
// CHECK-NEXT: return %[[R]]
func.func @casts(%x: tensor<4xi8>) -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>> {
  %q = quantx.storage_cast %x : tensor<4xi8> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>
  %s = quantx.storage_cast %q : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>> -> tensor<4xi8>
  %r = call @casts(%s) : (tensor<4xi8>) -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>
  return %r : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>>
}
