// RUN: quant-opt %s --quantx-expose-activations | FileCheck %s --check-prefix=SIM
// RUN: quant-opt %s --quantx-expose-activations=bypass=true | FileCheck %s --check-prefix=FLOAT

!q = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>

// Each quantize/dequantize pair's value becomes an extra result named by
// its producer; with bypass the float value is returned instead and the
// pair no longer feeds the computation.
// SIM-LABEL: func.func @two_layers
// SIM-SAME: -> (tensor<4xf32>, tensor<4xf32> {quantx.layer = "argument 0"}, tensor<4xf32> {quantx.layer = "tosa.clamp at {{.*}}expose-activations.mlir:{{[0-9]+}}:{{[0-9]+}}"})
// SIM: %[[D0:.*]] = quantx.dequantize
// SIM: %[[C:.*]] = tosa.clamp %[[D0]]
// SIM: %[[D1:.*]] = quantx.dequantize
// SIM: return %[[D1]], %[[D0]], %[[D1]]
// FLOAT-LABEL: func.func @two_layers(%arg0: tensor<4xf32>)
// FLOAT: %[[C:.*]] = tosa.clamp %arg0
// FLOAT: return %[[C]], %arg0, %[[C]]
func.func @two_layers(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q0 = quantx.quantize %x : tensor<4xf32> -> tensor<4x!q>
  %d0 = quantx.dequantize %q0 : tensor<4x!q> -> tensor<4xf32>
  %c = tosa.clamp %d0 {max_val = 6.0 : f32, min_val = 0.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %q1 = quantx.quantize %c : tensor<4xf32> -> tensor<4x!q>
  %d1 = quantx.dequantize %q1 : tensor<4x!q> -> tensor<4xf32>
  return %d1 : tensor<4xf32>
}
