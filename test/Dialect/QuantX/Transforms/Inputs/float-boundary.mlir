// expected-error @+1 {{quantx-verify-integer: argument 0 of @boundary is float ('tensor<4xf32>')}}
func.func @boundary(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{quantx-verify-integer: 'quantx.quantize' computes in float inside an integer-only function}}
  %q = quantx.quantize %x : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  %i = quantx.storage_cast %q : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>> -> tensor<4xi8>
  return %i : tensor<4xi8>
}
