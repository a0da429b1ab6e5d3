// RUN: quant-opt %s -split-input-file --quantx-lower-to-arith --canonicalize | FileCheck %s

// unpack_weights becomes one linalg.generic reading the packed bytes: byte
// index / slot from the row-major index, shift, mask, sign extension, then
// the vector's sub-scale through a `floordiv block` map.

// CHECK: #[[SUB:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func.func @int2_subscales
// CHECK: linalg.generic {indexing_maps = [#[[SUB]], #{{.*}}]
// CHECK-SAME: ins(%arg1 : tensor<1x2xi8>)
// CHECK: %[[INDEX:.*]] = linalg.index 1
// CHECK: arith.divui %[[INDEX]], %c4
// CHECK: arith.remui %[[INDEX]], %c4
// CHECK: tensor.extract %arg0
// CHECK: arith.shrui
// CHECK: arith.andi %{{.*}}, %c3_i32
// CHECK: arith.shli %{{.*}}, %c30_i32
// CHECK: arith.shrsi %{{.*}}, %c30_i32
// CHECK: %[[SUBSCALE:.*]] = arith.extui %in : i8 to i32
// CHECK: arith.muli %{{.*}}, %[[SUBSCALE]]
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @int2_subscales(%p: tensor<1xi8>, %s: tensor<1x2xi8>) -> tensor<1x4xi8> {
  %w = quantx.unpack_weights %p, %s format int2 {axis = 1 : i64, block = 2 : i64} : tensor<1xi8>, tensor<1x2xi8> -> tensor<1x4xi8>
  return %w : tensor<1x4xi8>
}

// -----

// Sign bits: 2 * bit - 1, eight elements per byte.
// CHECK-LABEL: func.func @sign
// CHECK: linalg.generic
// CHECK: arith.divui %{{.*}}, %c8
// CHECK: arith.andi %{{.*}}, %c1_i32
// CHECK: %[[TWICE:.*]] = arith.shli %{{.*}}, %c1_i32
// CHECK: arith.subi %[[TWICE]], %c1_i32
// CHECK-NOT: arith.muli
func.func @sign(%p: tensor<2xi8>) -> tensor<3x4xi8> {
  %w = quantx.unpack_weights %p format sign : tensor<2xi8> -> tensor<3x4xi8>
  return %w : tensor<3x4xi8>
}

// -----

// Codebook codes: the unsigned code indexes the codebook, whose entry is
// the weight; no two's-complement shift pair.
// CHECK-LABEL: func.func @codebook
// CHECK: linalg.generic
// CHECK: tensor.extract %arg0
// CHECK: %[[CODE:.*]] = arith.andi %{{.*}}, %c15_i32
// CHECK: %[[INDEX:.*]] = arith.index_castui %[[CODE]] : i32 to index
// CHECK: %[[ENTRY:.*]] = tensor.extract %arg1[%[[INDEX]]]
// CHECK-NOT: arith.shrsi
// CHECK: linalg.yield %[[ENTRY]] : i8
func.func @codebook(%p: tensor<2xi8>, %t: tensor<16xi8>) -> tensor<2x2xi8> {
  %w = quantx.unpack_weights %p codebook(%t : tensor<16xi8>) format int4 : tensor<2xi8> -> tensor<2x2xi8>
  return %w : tensor<2x2xi8>
}
