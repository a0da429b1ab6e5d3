// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=avx2 | FileCheck %s
// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=generic | FileCheck %s

// A binary layer (quantx-quantize's sign activations: a select between +1
// and -1, zero padding, +-1 weights) becomes the XNOR-popcount kernel on
// every ISA: 2 channels of K = 18 signs take one 64-bit word each, in a
// panel of 8 channels (64 bytes). Bits set where w = -1: channel 0's first
// weight (byte 0 = 1) and channel 1's all 18 (bytes 8..10 = -1, -1, 3:
// 0xFF, 0xFF, 0x03). The bias stays as given (no zero-point terms); panel_width and
// packed_weight_bits are 0.
// CHECK-LABEL: func.func @binary_conv
// CHECK-DAG: %[[SIGNS:.*]] = tosa.select
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[1, 0, 0, 0, 0, 0, 0, 0, -1, -1, 3, 0{{(, 0)+}}]> : tensor<64xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[7, -7]> : tensor<2xi32>
// CHECK: quantx.kernel_call "quantx_kernel_conv_b1"(%[[SIGNS]], %[[W]], %[[B]] : tensor<1x4x4x2xi8>, tensor<64xi8>, tensor<2xi32>)
// CHECK-SAME: params = array<i64: {{[01]}}, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>
func.func @binary_conv(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %plus = "tosa.const"() <{values = dense<1> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %minus = "tosa.const"() <{values = dense<-1> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %ge = tosa.greater_equal %x, %zero : (tensor<1x4x4x2xi8>, tensor<1x1x1x1xi8>) -> tensor<1x4x4x2xi1>
  %s = tosa.select %ge, %plus, %minus : (tensor<1x4x4x2xi1>, tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x4x4x2xi8>
  %w = "tosa.const"() <{values = dense<[[[[-1, 1], [1, 1], [1, 1]], [[1, 1], [1, 1], [1, 1]], [[1, 1], [1, 1], [1, 1]]], [[[-1, -1], [-1, -1], [-1, -1]], [[-1, -1], [-1, -1], [-1, -1]], [[-1, -1], [-1, -1], [-1, -1]]]]> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %s, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

// -----

// A matmul reading signs through a reshape is binary too.
// CHECK-LABEL: func.func @binary_matmul
// CHECK: quantx.kernel_call "quantx_kernel_conv_b1"
// CHECK-SAME: tensor<1x3x5xi8>, tensor<64xi8>, tensor<2xi32>
func.func @binary_matmul(%x: tensor<1x15xi8>) -> tensor<1x3x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0> : tensor<1x1xi8>}> : () -> tensor<1x1xi8>
  %plus = "tosa.const"() <{values = dense<1> : tensor<1x1xi8>}> : () -> tensor<1x1xi8>
  %minus = "tosa.const"() <{values = dense<-1> : tensor<1x1xi8>}> : () -> tensor<1x1xi8>
  %ge = tosa.greater_equal %x, %zero : (tensor<1x15xi8>, tensor<1x1xi8>) -> tensor<1x15xi1>
  %s = tosa.select %ge, %plus, %minus : (tensor<1x15xi1>, tensor<1x1xi8>, tensor<1x1xi8>) -> tensor<1x15xi8>
  %shape = tosa.const_shape {values = dense<[1, 3, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %r = tosa.reshape %s, %shape : (tensor<1x15xi8>, !tosa.shape<3>) -> tensor<1x3x5xi8>
  %w = "tosa.const"() <{values = dense<[[[1, -1], [1, -1], [-1, 1], [1, 1], [-1, -1]]]> : tensor<1x5x2xi8>}> : () -> tensor<1x5x2xi8>
  %y = tosa.matmul %r, %w, %zp, %zp : (tensor<1x3x5xi8>, tensor<1x5x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x2xi32>
  return %y : tensor<1x3x2xi32>
}

// -----

// Not binary: an activation that may be 2, a weight of 2, a zero point, a
// pad value of 5. Each stays on the int8 kernel.
// CHECK-LABEL: func.func @not_binary
// CHECK-COUNT-4: quantx.kernel_call "quantx_kernel_conv_s8"
// CHECK-NOT: quantx_kernel_conv_b1
func.func @not_binary(%x: tensor<1x4x4x2xi8>) -> (tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>, tensor<1x6x6x2xi32>) {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp1 = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %plus = "tosa.const"() <{values = dense<1> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %two = "tosa.const"() <{values = dense<2> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %minus = "tosa.const"() <{values = dense<-1> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %ge = tosa.greater_equal %x, %zero : (tensor<1x4x4x2xi8>, tensor<1x1x1x1xi8>) -> tensor<1x4x4x2xi1>
  %s = tosa.select %ge, %plus, %minus : (tensor<1x4x4x2xi1>, tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x4x4x2xi8>
  %s2 = tosa.select %ge, %two, %minus : (tensor<1x4x4x2xi1>, tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x4x4x2xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %w2 = "tosa.const"() <{values = dense<2> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %a0 = tosa.conv2d %s2, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %a1 = tosa.conv2d %s, %w2, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %a2 = tosa.conv2d %s, %w, %b, %zp1, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %five = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %p = tosa.pad %s, %padding, %five : (tensor<1x4x4x2xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x6x6x2xi8>
  %a3 = tosa.conv2d %p, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x2xi32>
  return %a0, %a1, %a2, %a3 : tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>, tensor<1x6x6x2xi32>
}
