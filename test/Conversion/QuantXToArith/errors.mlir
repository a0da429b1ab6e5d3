// RUN: quant-opt %s -split-input-file --quantx-lower-to-arith -verify-diagnostics

func.func @ratio_too_large(%x: tensor<2x!quantx.uniform<i16:f32, #quantx.per_tensor<scale = 1.0e10, zero_point = 0>>>) -> tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>> {
  // expected-error@+2 {{failed to legalize operation 'quantx.requantize'}}
  // expected-error@+1 {{'quantx.requantize' op scale ratio 1.000000e+10 has no dyadic multiplier (it must be below 2^31)}}
  %y = quantx.requantize %x : tensor<2x!quantx.uniform<i16:f32, #quantx.per_tensor<scale = 1.0e10, zero_point = 0>>> -> tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  return %y : tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
}
