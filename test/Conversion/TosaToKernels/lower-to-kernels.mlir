// RUN: quant-opt %s --split-input-file --quantx-lower-to-kernels=isa=generic | FileCheck %s
// RUN: not quant-opt %s --quantx-lower-to-kernels=isa=sse9 2>&1 | FileCheck %s --check-prefix=BADISA

// BADISA: error: quantx-lower-to-kernels: unknown isa 'sse9' (expected host, avx512vnni, avx2-maddubs, avx2 or generic)

// An int8 conv: the zero-point pad is folded into the kernel's padding
// (params: pad top/left 1, pad value -3), the per-channel rescale becomes the
// epilogue (output kind 1, zero point 5, clamp [-128, 127]); weights are
// packed for the generic micro-kernel (8 columns, K = 18 -> 8 x 18 bytes)
// and the bias keeps its value (input zero point 0 in the conv); the last
// parameter is the panel width (8 columns).
// CHECK-LABEL: func.func @conv_rescale
// CHECK-NOT: tosa.pad
// CHECK-NOT: tosa.conv2d
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{[0-9A-F]+}}"> : tensor<144xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[7, -7]> : tensor<2xi32>
// CHECK-DAG: %[[RQ:.*]] = arith.constant dense<[1073741824, 1518500250, 38, 39]> : tensor<4xi32>
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<1x4x4x2xi8>
// CHECK: %[[R:.*]] = quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, %[[W]], %[[B]], %[[RQ]] : tensor<1x4x4x2xi8>, tensor<144xi8>, tensor<2xi32>, tensor<4xi32>) outs(%[[INIT]] : tensor<1x4x4x2xi8>)
// CHECK-SAME: params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, -3, 0, 1, 0, 1, 0, 5, -128, 127, 8, 0, 0, 0, 0>
// CHECK-NOT: quantx.rescale
// CHECK: return %[[R]]
func.func @conv_rescale(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %pads = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %fill = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %p = tosa.pad %x, %pads, %fill : (tensor<1x4x4x2xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x6x6x2xi8>
  %acc = tosa.conv2d %p, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {axis = 3 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1518500250], shift = [38, 39], rounding = double>, output_zero_point = 5 : i64} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  return %y : tensor<1x4x4x2xi8>
}

// -----

// A matmul with constant weights: the correction row and bias adds fold into
// the bias (1 + 10, 2 + 20, 3 + 30); no rescale follows, so the kernel
// returns int32 accumulators (output kind 0). The input zero point 4 folds
// into the bias too: -4 * (column sums 2, 0, -2).
// CHECK-LABEL: func.func @matmul_adds
// CHECK: arith.constant dense<[3, 22, 41]> : tensor<3xi32>
// CHECK: quantx.kernel_call "quantx_kernel_conv_s8"(%arg0, {{.*}}) outs({{.*}} : tensor<1x5x3xi32>)
// CHECK-SAME: params = array<i64: 0, 1, 1, 5, 2, 1, 5, 3, 1, 1, 1, 1, 1, 1, 0, 0, 4, 0, 0, 0, 0,
// CHECK-NOT: tosa.add
// CHECK-NOT: tosa.matmul
func.func @matmul_adds(%a: tensor<1x5x2xi8>) -> tensor<1x5x3xi32> {
  %zp = "tosa.const"() <{values = dense<4> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[1, 0, -1], [1, 0, -1]]]> : tensor<1x2x3xi8>}> : () -> tensor<1x2x3xi8>
  %row = "tosa.const"() <{values = dense<[[[1, 2, 3]]]> : tensor<1x1x3xi32>}> : () -> tensor<1x1x3xi32>
  %bias = "tosa.const"() <{values = dense<[[[10, 20, 30]]]> : tensor<1x1x3xi32>}> : () -> tensor<1x1x3xi32>
  %m = tosa.matmul %a, %w, %zp, %zero : (tensor<1x5x2xi8>, tensor<1x2x3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x5x3xi32>
  %r = tosa.add %m, %row : (tensor<1x5x3xi32>, tensor<1x1x3xi32>) -> tensor<1x5x3xi32>
  %s = tosa.add %bias, %r : (tensor<1x1x3xi32>, tensor<1x5x3xi32>) -> tensor<1x5x3xi32>
  return %s : tensor<1x5x3xi32>
}

// -----

// Float depthwise conv with multiplier 2: the weights stay in TOSA's HWCM
// order (float, 2 x 2 taps x 4 channels = 64 bytes).
// CHECK-LABEL: func.func @depthwise_float
// CHECK: quantx.kernel_call "quantx_kernel_depthwise_f32"(%arg0, {{.*}} : tensor<1x5x5x2xf32>, tensor<64xi8>, tensor<4xf32>) outs({{.*}} : tensor<1x4x4x4xf32>)
// CHECK-SAME: params = array<i64: 0, 1, 5, 5, 2, 4, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 2,
func.func @depthwise_float(%x: tensor<1x5x5x2xf32>) -> tensor<1x4x4x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<2x2x2x2xf32>}> : () -> tensor<2x2x2x2xf32>
  %b = "tosa.const"() <{values = dense<1.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x5x2xf32>, tensor<2x2x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// Weights that are not constants stay with the reference lowering.
// CHECK-LABEL: func.func @runtime_weights
// CHECK: tosa.conv2d
// CHECK-NOT: quantx.kernel_call
func.func @runtime_weights(%x: tensor<1x3x3x1xf32>, %w: tensor<1x3x3x1xf32>) -> tensor<1x1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// int8 max pooling with padding (padded elements are ignored by the kernel).
// CHECK-LABEL: func.func @max_pool
// CHECK: quantx.kernel_call "quantx_kernel_maxpool_s8"(%arg0 : tensor<1x7x7x3xi8>) outs({{.*}} : tensor<1x4x4x3xi8>)
// CHECK-SAME: params = array<i64: 0, 1, 7, 7, 3, 4, 4, 3, 3, 3, 2, 2, 1, 1, 1, 1,
// CHECK-NOT: tosa.max_pool2d
func.func @max_pool(%x: tensor<1x7x7x3xi8>) -> tensor<1x4x4x3xi8> {
  %y = tosa.max_pool2d %x {kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x7x7x3xi8>) -> tensor<1x4x4x3xi8>
  return %y : tensor<1x4x4x3xi8>
}
