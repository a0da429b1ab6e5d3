// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/ones.npy', np.ones((4, 1, 1, 1, 3), np.float32))"
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-correct-bias="calibration-data=%t/ones.npy" 2>&1 | FileCheck %s
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-optimize-rounding="calibration-data=%t/ones.npy" --quantx-correct-bias="calibration-data=%t/ones.npy" 2>&1 | FileCheck %s --check-prefix=GPTQ
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy weight-bits=4 bias-correction=true" -o %t/q.mlir
// Padding, stride, dilation and a depthwise multiplier, against numpy's
// patches of the zero-padded input:
// RUN: %python %S/Inputs/check_bias_shift.py quant-opt %t | FileCheck %s --check-prefix=GEOMETRY
// GEOMETRY: conv: 3 biases match
// GEOMETRY: dilated: 2 biases match
// GEOMETRY: depthwise: 4 biases match
// RUN: quant-run %t/q.mlir --input %t/ones.npy --output %t/conv.npy --output %t/depthwise.npy --output %t/matmul.npy
// RUN: %python -c "import numpy as np; out = [np.load('%t/' + n + '.npy').reshape(4, -1) for n in ('conv', 'depthwise', 'matmul')]; expected = [[1.28], [1.28, 1.0], [0.78]]; assert all(np.abs(o - e).max() < 0.005 for o, e in zip(out, expected)), out"
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy weight-bits=4" -o %t/uncorrected.mlir
// RUN: quant-run %t/uncorrected.mlir --input %t/ones.npy --output %t/conv.npy --output %t/depthwise.npy --output %t/matmul.npy
// RUN: %python -c "import numpy as np; out = [np.load('%t/' + n + '.npy').reshape(4, -1)[:, 0] for n in ('conv', 'matmul')]; assert all(np.abs(o - e).min() > 0.05 for o, e in zip(out, [1.28, 0.78])), out"

// Inputs all 1, weights 0.7, 0.04, 0.04 on the 4-bit grid of step 0.1:
// round-to-nearest gives 0.7, 0, 0, an output 0.08 below the float 0.78,
// which the bias (0.5) takes back: 0.58. With GPTQ's 0.7, 0, 0.1 the
// output is 0.02 above: 0.48. A conv2d's bias is replaced, a depthwise
// conv2d's too (per channel), a matmul gets a bias add after it.
// CHECK: remark: quantx-correct-bias: largest output shift corrected 8.000e-02
// CHECK: remark: quantx-correct-bias: largest output shift corrected 8.000e-02
// CHECK: remark: quantx-correct-bias: largest output shift corrected 8.000e-02
// CHECK: %[[CONV_BIAS:.*]] = "tosa.const"() <{values = dense<5.800000e-01> : tensor<1xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %{{.*}}, %[[CONV_BIAS]]
// CHECK: %[[DW_BIAS:.*]] = "tosa.const"() <{values = dense<[5.800000e-01, 0.000000e+00]> : tensor<2xf32>}>
// CHECK: tosa.depthwise_conv2d %{{.*}}, %{{.*}}, %[[DW_BIAS]]
// CHECK: %[[MM:.*]] = tosa.matmul
// CHECK: %[[MM_SHIFT:.*]] = "tosa.const"() <{values = dense<8.000000e-02> : tensor<1x1x1xf32>}>
// CHECK: %[[ADD:.*]] = tosa.add %[[MM]], %[[MM_SHIFT]]
// CHECK: return %{{.*}}, %{{.*}}, %[[ADD]]

// GPTQ: remark: quantx-correct-bias: largest output shift corrected 2.000e-02
// GPTQ: "tosa.const"() <{values = dense<4.800000e-01> : tensor<1xf32>}>

// The integer model then gives the float outputs (0.78 + 0.5, 1.0 for the
// exact depthwise channel, 0.78) to the output grid's step; without the
// correction the conv and the matmul are 0.08 low.
func.func @main(%x: tensor<1x1x1x3xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1x2xf32>, tensor<1x1x1xf32>) {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.04, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 3, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %xw = tosa.reshape %x, %s : (tensor<1x1x1x3xf32>, !tosa.shape<4>) -> tensor<1x1x3x1xf32>
  // Two output channels: the window 0.7, 0.04, 0.04 and the exact 0.5, 0, 0.5.
  %dw = "tosa.const"() <{values = dense<[[[[0.7, 0.5]], [[0.04, 0.0]], [[0.04, 0.5]]]]> : tensor<1x3x1x2xf32>}> : () -> tensor<1x3x1x2xf32>
  %b2 = "tosa.const"() <{values = dense<[0.5, 0.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %d = tosa.depthwise_conv2d %xw, %dw, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x3x1xf32>, tensor<1x3x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %s3 = tosa.const_shape {values = dense<[1, 1, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %xm = tosa.reshape %x, %s3 : (tensor<1x1x1x3xf32>, !tosa.shape<3>) -> tensor<1x1x3xf32>
  %mw = "tosa.const"() <{values = dense<[[[0.7], [0.04], [0.04]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  %m = tosa.matmul %xm, %mw, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y, %d, %m : tensor<1x1x1x1xf32>, tensor<1x1x1x2xf32>, tensor<1x1x1xf32>
}
