// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels="isa=avx2 low-bit-min-weights=0" | FileCheck %s --check-prefix=AVX2
// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=avx2 | FileCheck %s --check-prefix=SMALL
// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=avx512vnni | FileCheck %s --check-prefix=VNNI
// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=generic | FileCheck %s --check-prefix=GENERIC

// Packed weights without sub-scales stay packed in the kernel's memory:
// int4 as nibbles (packed_weight_bits 4, then the two words of the table
// each code decodes through: here two's complement, 0..7 then -8..-1):
// AVX2 packs 16 columns x
// K = 18 as int16 (576 bytes whole), 144 bytes as nibbles; AVX-512 VNNI 16
// columns x K = 20 (k unit 4) as int8 (320 bytes), 160 as nibbles. The
// generic kernel has no nibble path: whole bytes (8 x 18), and 0.
// AVX2: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<144xi8>,
// AVX2-SAME: 16, 4, 506097522914230528, -283686952306184, 0>
// VNNI: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<160xi8>,
// VNNI-SAME: 16, 4, 506097522914230528, -283686952306184, 0>
// GENERIC: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<144xi8>,
// GENERIC-SAME: 8, 0, 0, 0, 0>
func.func @int4(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bytes = "tosa.const"() <{values = dense<[18, -3, 112, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]> : tensor<18xi8>}> : () -> tensor<18xi8>
  %w = quantx.unpack_weights %bytes format int4 : tensor<18xi8> -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

// -----

// With sub-scales the effective weights are int8: whole bytes.
// AVX2-LABEL: func.func @subscaled
// AVX2: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<576xi8>,
// AVX2-SAME: 16, 0, 0, 0, 0>
func.func @subscaled(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bytes = "tosa.const"() <{values = dense<17> : tensor<18xi8>}> : () -> tensor<18xi8>
  %sub = "tosa.const"() <{values = dense<3> : tensor<2x3x3x1xi8>}> : () -> tensor<2x3x3x1xi8>
  %w = quantx.unpack_weights %bytes, %sub format int4 {axis = 3 : i64, block = 2 : i64} : tensor<18xi8>, tensor<2x3x3x1xi8> -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

// -----

// Ternary (2-bit) and binary (sign) weights take 2 bits in the kernel's
// memory: AVX2's 16 x 18 elements in 72 bytes. By default only when the
// layer would not fit the last-level cache as int8 (smaller layers stay in
// cache, where the expansion costs more than the bytes it saves): whole
// int16 elements here.
// SMALL-LABEL: func.func @ternary
// SMALL: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<576xi8>,
// SMALL-SAME: 16, 0, 0, 0, 0>
// AVX2-LABEL: func.func @ternary
// AVX2: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<72xi8>,
// AVX2-SAME: 16, 2, 4294836480, 0, 0>
// AVX2-LABEL: func.func @binary
// AVX2: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<72xi8>,
// AVX2-SAME: 16, 2, 4294836480, 0, 0>
func.func @ternary(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bytes = "tosa.const"() <{values = dense<[1, 4, 16, 64, -1, 0, 5, 9, 33]> : tensor<9xi8>}> : () -> tensor<9xi8>
  %w = quantx.unpack_weights %bytes format int2 : tensor<9xi8> -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

func.func @binary(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bytes = "tosa.const"() <{values = dense<[90, -1, 3, 77, 15]> : tensor<5xi8>}> : () -> tensor<5xi8>
  %w = quantx.unpack_weights %bytes format sign : tensor<5xi8> -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

// -----

// Codebook codes keep their nibbles; the table is the codebook: bytes
// 0..7 = -100, -20, -3, 0, 1, 5, 30, 127 and 8..15 = -128, 2, 3, 4, 6, 7,
// 8, 9. The generic kernel gets the decoded int8 weights.
// AVX2-LABEL: func.func @codebook
// AVX2: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<144xi8>,
// AVX2-SAME: 16, 4, 9159764193987914908, 650777868573540992, 0>
// VNNI-LABEL: func.func @codebook
// VNNI: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<160xi8>,
// VNNI-SAME: 16, 4, 9159764193987914908, 650777868573540992, 0>
// GENERIC-LABEL: func.func @codebook
// GENERIC: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<144xi8>,
// GENERIC-SAME: 8, 0, 0, 0, 0>
func.func @codebook(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bytes = "tosa.const"() <{values = dense<[18, -3, 112, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]> : tensor<18xi8>}> : () -> tensor<18xi8>
  %table = "tosa.const"() <{values = dense<[-100, -20, -3, 0, 1, 5, 30, 127, -128, 2, 3, 4, 6, 7, 8, 9]> : tensor<16xi8>}> : () -> tensor<16xi8>
  %w = quantx.unpack_weights %bytes codebook(%table : tensor<16xi8>) format int4 : tensor<18xi8> -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}
