// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/ones.npy', np.ones((4, 1, 1, 1, 1), np.float32)); np.save('%t/steps.npy', np.array([[1, 1], [1, 0]], np.float32).reshape(2, 1, 1, 1, 2))"
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=per-tensor" --quantx-optimize-rounding="calibration-data=%t/ones.npy act-order=false" 2>&1 | FileCheck %s --check-prefix=LAYER
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=per-tensor" --quantx-optimize-rounding="calibration-data=%t/ones.npy act-order=false reconstruct=model" 2>&1 | FileCheck %s --check-prefix=MODEL
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy weight-bits=4 weight-granularity=per-tensor optimize-rounding=gptq reconstruct=model" -o %t/q.mlir 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: quant-opt %s --quantize-mixed="calibration-data=%t/ones.npy candidates=w8a8,w4a8 size=0.5 optimize-rounding=adaround bias-correction=true reconstruct=model" -o %t/mixed.mlir 2>&1 | FileCheck %s --check-prefix=MIXED
// RUN: quant-opt %S/Inputs/relu-chain.mlir --quantx-set-precision="weight-bits=4" --quantx-correct-bias="calibration-data=%t/steps.npy" 2>&1 | FileCheck %s --check-prefix=BIAS-LAYER
// RUN: quant-opt %S/Inputs/relu-chain.mlir --quantx-set-precision="weight-bits=4" --quantx-correct-bias="calibration-data=%t/steps.npy reconstruct=model" 2>&1 | FileCheck %s --check-prefix=BIAS-MODEL

// Rounding against the float model. Input 1; layer A (per-tensor 4-bit
// grid of step 0.1) gives 0.7 and 0.04, which it rounds to 0.7 and 0: the
// quantized model's second channel into B is 0 where the float model's is
// 0.04. B (weights 0.44, 0.7, step 0.1) on its own inputs keeps its
// nearest integers 4, 7. Against the float model, B's target is
// V* = W + W (E[x_f x^T] - H) H^-1: its first weight takes over what the
// lost channel carried, 0.44 + 0.7 * 0.04 * 0.7 / (0.49 + 0.00745) =
// 0.4794 (H = diag(0.49, 1) with the dead input's unit diagonal, dampened
// by 1% of its mean), which rounds to 5: output 0.35 for the float
// model's 0.336, where 4 gives 0.28.
// LAYER: remark: quantx-optimize-rounding: output error 1.600e-03 round-to-nearest, 1.600e-03 gptq
// LAYER: remark: quantx-optimize-rounding: output error 7.840e-04 round-to-nearest, 7.840e-04 gptq
// LAYER: %[[B:.*]] = tosa.conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}4, 7]]]]>
// MODEL: remark: quantx-optimize-rounding: output error 1.600e-03 round-to-nearest, 1.600e-03 gptq (against the float model)
// MODEL: remark: quantx-optimize-rounding: output error {{.*}} round-to-nearest, {{.*}} gptq (against the float model)
// MODEL: tosa.conv2d {{.*}}quantx.rounded_weights = {integers = dense<{{\[\[\[\[}}5, 7]]]]>
// PIPELINE: (against the float model)
// PIPELINE: (against the float model)
// After the assignment, --quantize-mixed rounds and corrects the same way.
// MIXED-COUNT-2: adaround (against the float model)
// MIXED-COUNT-2: quantx-correct-bias: largest output shift corrected

// Bias correction against the float model (Inputs/relu-chain.mlir):
// inputs (1, 1) and (1, 0); A = 0.7 x0 + 0.04 x1 - 0.72 rounds to
// 0.7 x0 - 0.72, a mean shift of -0.02 that both modes add back to A's
// bias (-0.70). Then A gives -0.02 twice, and ReLU 0, 0, where the float
// model has 0.02 and 0 (mean 0.01). B (weight 1, exact) has no shift of
// its own; against the float model it has -0.01, so its bias becomes 0.01.
// BIAS-LAYER: largest output shift corrected 2.000e-02
// BIAS-LAYER: largest output shift corrected 0.000e+00
// BIAS-LAYER: %[[A_BIAS:.*]] = "tosa.const"() <{values = dense<-0.70000{{[0-9]*}}> : tensor<1xf32>}>
// BIAS-LAYER: tosa.conv2d %{{.*}}, %{{.*}}, %[[A_BIAS]]
// BIAS-LAYER-NOT: e-03
// BIAS-MODEL: largest output shift corrected 2.000e-02
// BIAS-MODEL: largest output shift corrected 1.000e-02
// BIAS-MODEL: %[[A_BIAS:.*]] = "tosa.const"() <{values = dense<-0.70000{{[0-9]*}}> : tensor<1xf32>}>
// BIAS-MODEL: tosa.conv2d %{{.*}}, %{{.*}}, %[[A_BIAS]]
// BIAS-MODEL: %[[B_BIAS:.*]] = "tosa.const"() <{values = dense<9.99999{{[0-9]*}}e-03> : tensor<1xf32>}>
// BIAS-MODEL: tosa.conv2d %{{.*}}, %{{.*}}, %[[B_BIAS]]
func.func @main(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %wa = "tosa.const"() <{values = dense<[[[[0.7]]], [[[0.04]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %ba = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %a = tosa.conv2d %x, %wa, %ba, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %wb = "tosa.const"() <{values = dense<[[[[0.44, 0.7]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %bb = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = tosa.conv2d %a, %wb, %bb, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %b : tensor<1x1x1x1xf32>
}
