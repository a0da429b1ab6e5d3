// RUN: rm -rf %t && mkdir -p %t
// RUN: quant-opt %s --quantx-equalize 2>&1 | FileCheck %s
// RUN: quant-opt %s --quantx-equalize="relu6=relu" 2>&1 | FileCheck %s --check-prefix=RELU
// RUN: not quant-opt %s --quantx-equalize="relu6=keep" 2>&1 | FileCheck %s --check-prefix=BADMODE
// RUN: not quant-opt %s --quantize="calibration-data=%t/none.npy equalize=yes" 2>&1 | FileCheck %s --check-prefix=BADPIPELINE
// The float function is unchanged: the equalized module against the
// original on random inputs (ReLU6 kept).
// RUN: quant-opt %s --quantx-equalize -o %t/equalized.mlir
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); np.save('%t/x.npy', r.normal(size=(1, 4, 4, 2)).astype(np.float32)); np.save('%t/v.npy', r.normal(size=(1, 1, 2)).astype(np.float32))"
// RUN: quant-run %s --input %t/x.npy --input %t/v.npy --output %t/a0.npy --output %t/a1.npy --output %t/a2.npy
// RUN: quant-run %t/equalized.mlir --input %t/x.npy --input %t/v.npy --output %t/b0.npy --output %t/b1.npy --output %t/b2.npy
// RUN: %python -c "import numpy as np; [np.testing.assert_allclose(np.load('%t/b%%d.npy' %% i), np.load('%t/a%%d.npy' %% i), rtol=1e-5, atol=1e-6) for i in range(3)]"

// conv -> ReLU -> conv: output channel ranges 1 and 4, the next layer's
// input channel ranges 4 and 1: scales 0.5 and 2 make all of them 2 (the
// first layer's bias 1, 1 becomes 2, 0.5).
// The depthwise layer behind a ReLU6 is left alone (exact mode).
// CHECK: remark: quantx-equalize: not equalized with the next layer: a ReLU6 lies between
// CHECK: remark: quantx-equalize: weight range spread (largest / smallest output channel range) 4.0 -> 1.0
// CHECK: remark: quantx-equalize: weight range spread (largest / smallest output channel range) 1.0 -> 1.0
// matmul + bias add -> reshape -> ReLU -> max pool -> reshape -> matmul.
// CHECK: remark: quantx-equalize: weight range spread (largest / smallest output channel range) 12.0 -> 7.3
// CHECK: remark: quantx-equalize: weight range spread (largest / smallest output channel range) 2.0 -> 1.4
// CHECK: remark: quantx-equalize: 2 layer pairs, {{[0-9]+}} sweeps
// The rescaled constants replace the old ones.
// CHECK-NOT: 4.000000e+00, 2.000000e+00
// CHECK: "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00, -1.000000e+00]]], {{\[\[\[}}2.000000e+00, 1.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK: "tosa.const"() <{values = dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf32>}>
// CHECK: tosa.conv2d
// CHECK: "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x1x1x2xf32>}>
// CHECK: tosa.conv2d

// relu6=relu equalizes across the ReLU6 too, which becomes a ReLU.
// RELU: warning: quantx-equalize: ReLU6 replaced with a ReLU to equalize the layers around it: the float function changes where its input exceeds 6
// RELU: remark: quantx-equalize: 3 layer pairs
// BADMODE: error: quantx-equalize: relu6 must be stop or relu (the pipelines' equalize= false, true or relu6-as-relu), got 'keep'
// BADPIPELINE: error: quantx-equalize: relu6 must be stop or relu (the pipelines' equalize= false, true or relu6-as-relu), got 'yes'
func.func @main(%x: tensor<1x4x4x2xf32>, %v: tensor<1x1x2xf32>) -> (tensor<1x4x4x1xf32>, tensor<1x4x4x2xf32>, tensor<1x1x3xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w1 = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[4.0, 2.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b1 = "tosa.const"() <{values = dense<1.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r1 = tosa.clamp %c1 {max_val = 3.40282347E+38 : f32, min_val = 0.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[4.0, 1.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %c2 = tosa.conv2d %r1, %w2, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x1xf32>
  %s0 = tosa.const_shape {values = dense<[1, 4, 4, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %sz = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %y0 = tosa.slice %c2, %sz, %s0 : (tensor<1x6x6x1xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x1xf32>

  // conv -> ReLU6 -> depthwise.
  %w3 = "tosa.const"() <{values = dense<[[[[0.1, 0.2]]], [[[3.0, -1.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %c3 = tosa.conv2d %x, %w3, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r3 = tosa.clamp %c3 {max_val = 6.0 : f32, min_val = 0.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %w4 = "tosa.const"() <{values = dense<[[[[2.0], [0.1]]]]> : tensor<1x1x2x1xf32>}> : () -> tensor<1x1x2x1xf32>
  %d4 = tosa.depthwise_conv2d %r3, %w4, %zp, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>

  // matmul + bias add -> reshape -> ReLU -> max pool -> reshape -> matmul.
  %w5 = "tosa.const"() <{values = dense<[[[0.5, 2.0, -1.0, 0.25], [1.0, -3.0, 0.5, 0.1]]]> : tensor<1x2x4xf32>}> : () -> tensor<1x2x4xf32>
  %m5 = tosa.matmul %v, %w5, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4xf32>
  %b5 = "tosa.const"() <{values = dense<[[[0.1, -0.2, 0.3, 0.4]]]> : tensor<1x1x4xf32>}> : () -> tensor<1x1x4xf32>
  %a5 = tosa.add %m5, %b5 : (tensor<1x1x4xf32>, tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  %s4 = tosa.const_shape {values = dense<[1, 1, 1, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %q5 = tosa.reshape %a5, %s4 : (tensor<1x1x4xf32>, !tosa.shape<4>) -> tensor<1x1x1x4xf32>
  %r5 = tosa.clamp %q5 {max_val = 3.40282347E+38 : f32, min_val = 0.0 : f32} : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32>
  %p5 = tosa.max_pool2d %r5 {kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32>
  %s3 = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %f5 = tosa.reshape %p5, %s3 : (tensor<1x1x1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %w6 = "tosa.const"() <{values = dense<[[[1.0, 0.0, 2.0], [0.5, 0.5, 0.5], [4.0, -4.0, 1.0], [0.1, 0.2, 0.3]]]> : tensor<1x4x3xf32>}> : () -> tensor<1x4x3xf32>
  %m6 = tosa.matmul %f5, %w6, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %y0, %d4, %m6 : tensor<1x4x4x1xf32>, tensor<1x4x4x2xf32>, tensor<1x1x3xf32>
}
