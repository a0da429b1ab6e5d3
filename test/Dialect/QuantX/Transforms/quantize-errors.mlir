// RUN: quant-opt %s --quantx-quantize --split-input-file --verify-diagnostics

!q = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>

func.func @nan_weight(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %q = quantx.quantize %x : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!q>
  %d = quantx.dequantize %q : tensor<1x1x1x1x!q> -> tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<0x7FC00000> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error @+1 {{quantx-quantize: weight 0 is nan}}
  %c = tosa.conv2d %d, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}

// -----

!q = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0e-12, zero_point = 0>>

func.func @bias_overflow(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %q = quantx.quantize %x : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!q>
  %d = quantx.dequantize %q : tensor<1x1x1x1x!q> -> tensor<1x1x1x1xf32>
  %w = "tosa.const"() <{values = dense<1.0e-3> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<100.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error @+1 {{quantx-quantize: bias of channel 0 does not fit int32 at scale}}
  %c = tosa.conv2d %d, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}
