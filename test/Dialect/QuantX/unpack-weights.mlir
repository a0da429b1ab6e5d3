// RUN: quant-opt %s -split-input-file | FileCheck %s
// RUN: quant-opt %s -split-input-file -mlir-print-op-generic | quant-opt -split-input-file | FileCheck %s

// Packed sub-byte weights round-trip, with and without sub-scales.

// CHECK-LABEL: func.func @int4
// CHECK: quantx.unpack_weights %{{.*}} format int4 : tensor<3xi8> -> tensor<5xi8>
func.func @int4(%p: tensor<3xi8>) -> tensor<5xi8> {
  %w = quantx.unpack_weights %p format int4 : tensor<3xi8> -> tensor<5xi8>
  return %w : tensor<5xi8>
}

// -----

// CHECK-LABEL: func.func @sign_subscales
// CHECK: quantx.unpack_weights %{{.*}}, %{{.*}} format sign {axis = 1 : i64, block = 8 : i64} : tensor<4xi8>, tensor<2x2xi8> -> tensor<2x16xi8>
func.func @sign_subscales(%p: tensor<4xi8>, %s: tensor<2x2xi8>) -> tensor<2x16xi8> {
  %w = quantx.unpack_weights %p, %s format sign {axis = 1 : i64, block = 8 : i64} : tensor<4xi8>, tensor<2x2xi8> -> tensor<2x16xi8>
  return %w : tensor<2x16xi8>
}

// -----

// CHECK-LABEL: func.func @int2
// CHECK: format int2 : tensor<1xi8> -> tensor<2x2xi8>
func.func @int2(%p: tensor<1xi8>) -> tensor<2x2xi8> {
  %w = quantx.unpack_weights %p format int2 : tensor<1xi8> -> tensor<2x2xi8>
  return %w : tensor<2x2xi8>
}

// -----

// Codes through a codebook.
// CHECK-LABEL: func.func @codebook
// CHECK: quantx.unpack_weights %{{.*}} codebook(%{{.*}} : tensor<16xi8>) format int4 : tensor<3xi8> -> tensor<5xi8>
// CHECK: quantx.unpack_weights %{{.*}} codebook(%{{.*}} : tensor<4xi8>) format int2 : tensor<1xi8> -> tensor<2x2xi8>
func.func @codebook(%p: tensor<3xi8>, %t: tensor<16xi8>, %q: tensor<1xi8>, %u: tensor<4xi8>) -> (tensor<5xi8>, tensor<2x2xi8>) {
  %w = quantx.unpack_weights %p codebook(%t : tensor<16xi8>) format int4 : tensor<3xi8> -> tensor<5xi8>
  %v = quantx.unpack_weights %q codebook(%u : tensor<4xi8>) format int2 : tensor<1xi8> -> tensor<2x2xi8>
  return %w, %v : tensor<5xi8>, tensor<2x2xi8>
}
