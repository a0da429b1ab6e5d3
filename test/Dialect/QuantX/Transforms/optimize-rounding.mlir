// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/ones.npy', np.ones((4, 1, 1, 1, 3), np.float32))"
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-optimize-rounding="calibration-data=%t/ones.npy" 2>&1 | FileCheck %s
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-optimize-rounding="calibration-data=%t/ones.npy act-order=false dampening=0.1" 2>&1 | FileCheck %s
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy optimize-rounding=gptq" 2>&1 | FileCheck %s --check-prefix=INT8
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-optimize-rounding="calibration-data=%t/ones.npy method=adaround" 2>&1 | FileCheck %s --check-prefix=ADAROUND
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy weight-bits=4 optimize-rounding=adaround" 2>&1 | FileCheck %s --check-prefix=ADAROUND-PIPELINE
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-optimize-rounding="calibration-data=%t/ones.npy reconstruct=model" 2>&1 | FileCheck %s --check-prefix=MODEL
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy" 2>&1 | FileCheck %s --check-prefix=NEAREST
// Passes that compile the model declare the JIT pipeline's dialects: run
// alone (not after quantx-calibrate in a pipeline) they still bufferize.
// RUN: quant-opt %s --quantx-set-precision --quantx-assign-precision="calibration-data=%t/ones.npy candidates=w8a8,w4a8 size=0.5" | FileCheck %s --check-prefix=ASSIGN
// ASSIGN: quantx.mixed_precision = "{{.*}}\22sensitivity\22:\22output-mse\22

// Three inputs that are always equal (E[x x^T] all ones), weights 0.7,
// 0.04, 0.04 on the 4-bit grid of step 0.1: round-to-nearest gives 7, 0, 0
// (output 0.7 for 0.78, squared error 6.4e-3); GPTQ carries the second
// weight's error to the third: 7, 0, 1 (output 0.8, error 4e-4). The same
// for a conv2d's channels, a depthwise conv2d's window and a matmul's K.
// CHECK: remark: quantx-optimize-rounding: output error 6.400e-03 round-to-nearest, 4.000e-04 gptq
// CHECK: remark: quantx-optimize-rounding: output error 6.400e-03 round-to-nearest, 4.000e-04 gptq
// CHECK: remark: quantx-optimize-rounding: output error 6.400e-03 round-to-nearest, 4.000e-04 gptq
// CHECK: tosa.conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}7, 0, 1]]]]> : tensor<1x1x1x3xi8>, method = "gptq", precision = #quantx.precision<weights = int4>}
// CHECK: tosa.depthwise_conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}7]], {{\[\[}}0]], {{\[\[}}1]]]]> : tensor<1x3x1x1xi8>
// CHECK: tosa.matmul {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[}}7], [0], [1]]]> : tensor<1x3x1xi8>

// AdaRound chooses between 0 and 1 for each 0.4: one of them up gives the
// optimum, as GPTQ's does (either one: the inputs are equal).
// ADAROUND-COUNT-3: remark: quantx-optimize-rounding: output error 6.400e-03 round-to-nearest, 4.000e-04 adaround
// ADAROUND: tosa.conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}7, {{1, 0|0, 1}}]]]]> : tensor<1x1x1x3xi8>, method = "adaround"
// ADAROUND-PIPELINE-COUNT-3: 4.000e-04 adaround

// All three layers read the function's input, the same in the float
// model: the float-model target is W itself, and GPTQ chooses as above.
// MODEL-COUNT-3: output error 6.400e-03 round-to-nearest, 4.000e-04 gptq (against the float model)
// MODEL: tosa.conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}7, 0, 1]]]]>
// MODEL: tosa.depthwise_conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}7]], {{\[\[}}0]], {{\[\[}}1]]]]>
// MODEL: tosa.matmul {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[}}7], [0], [1]]]>

// At 8 bits (step 0.7 / 127) the nearest integers are 127, 7, 7 and GPTQ
// moves the last to 8; quantx-quantize takes the integers chosen and drops
// the attribute.
// INT8: tosa.const{{.*}}dense<{{\[\[\[\[}}127, 7, 8]]]]> : tensor<1x1x1x3xi8>
// INT8-NOT: quantx.rounded_weights
// NEAREST: tosa.const{{.*}}dense<{{\[\[\[\[}}127, 7, 7]]]]> : tensor<1x1x1x3xi8>
func.func @main(%x: tensor<1x1x1x3xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1xf32>) {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.04, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  // The three values as a 1x3 window of one channel.
  %s = tosa.const_shape {values = dense<[1, 1, 3, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %xw = tosa.reshape %x, %s : (tensor<1x1x1x3xf32>, !tosa.shape<4>) -> tensor<1x1x3x1xf32>
  %dw = "tosa.const"() <{values = dense<[[[[0.7]], [[0.04]], [[0.04]]]]> : tensor<1x3x1x1xf32>}> : () -> tensor<1x3x1x1xf32>
  %d = tosa.depthwise_conv2d %xw, %dw, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x3x1xf32>, tensor<1x3x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %s3 = tosa.const_shape {values = dense<[1, 1, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %xm = tosa.reshape %x, %s3 : (tensor<1x1x1x3xf32>, !tosa.shape<3>) -> tensor<1x1x3xf32>
  %mw = "tosa.const"() <{values = dense<[[[0.7], [0.04], [0.04]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  %m = tosa.matmul %xm, %mw, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y, %d, %m : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1xf32>
}
