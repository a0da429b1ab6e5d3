// RUN: quant-opt %s -split-input-file --quantx-export-quant | FileCheck %s

// requantize has no upstream op: it becomes its meaning, dcast then qcast.
// CHECK-LABEL: func.func @requantize
// CHECK-SAME: (%[[X:.*]]: tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>) -> tensor<4x!quant.uniform<i8:f32, 2.500000e-01:1>>
// CHECK: %[[D:.*]] = quant.dcast %[[X]] : tensor<4x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<4xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[D]] : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 2.500000e-01:1>>
// CHECK: return %[[Q]]
func.func @requantize(%x: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>>) -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 1>>> {
  %y = quantx.requantize %x : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 1>>>
  return %y : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 1>>>
}

// -----

// The integer level has no quantized types and stays as it is.
// CHECK-LABEL: func.func @rescale_untouched
// CHECK: quantx.rescale
func.func @rescale_untouched(%x: tensor<4xi32>) -> tensor<4xi8> {
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = double>} : tensor<4xi32> -> tensor<4xi8>
  return %y : tensor<4xi8>
}
