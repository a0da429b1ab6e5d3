// RUN: quant-opt %s --quantx-set-interface --canonicalize --split-input-file --verify-diagnostics | FileCheck %s

!q = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:.*]]: tensor<4xi8> {quantx.interface = "scale=0.5 zero_point=-3"}) -> (tensor<4xi8> {quantx.interface = "scale=0.5 zero_point=-3"})
// CHECK-NOT: f32>
// CHECK: return %[[A]] : tensor<4xi8>
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = quantx.quantize %x : tensor<4xf32> -> tensor<4x!q>
  %d = quantx.dequantize %q : tensor<4x!q> -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// expected-error @+1 {{quantx-set-interface: argument 0 is used as float; an int8 interface needs it to be quantized once and used only through that quantize}}
func.func @float_use(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = tosa.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}
