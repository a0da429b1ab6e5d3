// RUN: quant-opt %s --quantx-verify-integer --split-input-file --verify-diagnostics
// RUN: quant-opt %s --quantx-verify-integer=warn-only --split-input-file 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: quant-opt %S/Inputs/float-boundary.mlir --quantx-verify-integer="allow-float-boundary=false" --verify-diagnostics

// Float only at the boundary: accepted.
func.func @boundary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = quantx.quantize %x : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  %d = quantx.dequantize %q : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>> -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// WARN: warning: quantx-verify-integer: 'tosa.sigmoid' computes in float inside an integer-only function
func.func @inside(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{quantx-verify-integer: 'tosa.sigmoid' computes in float inside an integer-only function}}
  %s = tosa.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}
