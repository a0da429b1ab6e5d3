// RUN: quant-opt %s --quantx-lower-requantize --verify-diagnostics

func.func @too_large(%x: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0e10, zero_point = 0>>>)
    -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>> {
  // expected-error @+1 {{scale ratio 1.000000e+10 has no dyadic multiplier (it must be below 2^31)}}
  %y = quantx.requantize %x : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0e10, zero_point = 0>>>
      -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  return %y : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
}
