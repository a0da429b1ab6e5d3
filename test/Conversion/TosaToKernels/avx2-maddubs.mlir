// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=avx2-maddubs | FileCheck %s

// The vpmaddubsw kernel (ISA 3) takes a layer only when every weight pair
// (k = 0, 1 and 2, 3 of each output channel, in its layout of four k per
// lane) has |w_a| + |w_b| <= 128, so that 255 times it fits int16: int8
// weights, one byte each, in panels of 16 columns x K rounded up to 4
// (16 x 20 = 320 bytes for K = 18), the uint8 activation shift folded
// into the bias. Channel 0 here pairs 100 with 28 (exactly 128), channel 1
// 64 with -64.
// CHECK-LABEL: func.func @proven
// CHECK: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<320xi8>,
// CHECK-SAME: params = array<i64: 3,
// CHECK-SAME: 16, 0, 0, 0, 0>
func.func @proven(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[100, 28], [1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]], [[11, 12], [13, 14], [15, 16]]], [[[64, -64], [1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]], [[11, 12], [13, 14], [15, 16]]]]> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

// -----

// One pair over the bound (100 and 29: 255 * 129 overflows int16): the
// layer runs on the exact int16 AVX2 kernel (ISA 1, int16 weights: 16 x 18
// x 2 = 576 bytes).
// CHECK-LABEL: func.func @unproven
// CHECK: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<576xi8>,
// CHECK-SAME: params = array<i64: 1,
func.func @unproven(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[100, 29], [1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]], [[11, 12], [13, 14], [15, 16]]], [[[64, -64], [1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]], [[11, 12], [13, 14], [15, 16]]]]> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

// -----

// int4 weights always qualify, and stay nibbles in memory: 320 / 2 bytes.
// CHECK-LABEL: func.func @int4
// CHECK: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<160xi8>,
// CHECK-SAME: params = array<i64: 3,
// CHECK-SAME: 16, 4, 506097522914230528, -283686952306184, 0>
func.func @int4(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bytes = "tosa.const"() <{values = dense<[18, -3, 112, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]> : tensor<18xi8>}> : () -> tensor<18xi8>
  %w = quantx.unpack_weights %bytes format int4 : tensor<18xi8> -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}
