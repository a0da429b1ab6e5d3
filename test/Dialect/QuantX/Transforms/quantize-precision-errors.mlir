// RUN: quant-opt %s -split-input-file --quantx-quantize -verify-diagnostics

// A precision set by hand is checked against the layer as set-precision
// checks a precision file's.

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

func.func @block_does_not_divide(%a: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x4xf32> -> tensor<1x1x4x!qa>
  %d = quantx.dequantize %q : tensor<1x1x4x!qa> -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{quantx-quantize: precision w4a8-g3 does not fit this layer: block size 3 does not divide the 4 reduction elements}}
  %m = tosa.matmul %d, %w, %zp, %zp {quantx.precision = #quantx.precision<weights = int4, granularity = group, block = 3>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %o = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %r = quantx.dequantize %o : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

func.func @int8_groups(%a: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x4xf32> -> tensor<1x1x4x!qa>
  %d = quantx.dequantize %q : tensor<1x1x4x!qa> -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{quantx-quantize: precision w8a8-tl2 does not fit this layer: int8 weights leave no room for sub-scales}}
  %m = tosa.matmul %d, %w, %zp, %zp {quantx.precision = #quantx.precision<weights = int8, granularity = two_level, block = 2>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %o = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %r = quantx.dequantize %o : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

func.func @depthwise_groups(%a: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %q = quantx.quantize %a : tensor<1x4x4x2xf32> -> tensor<1x4x4x2x!qa>
  %d = quantx.dequantize %q : tensor<1x4x4x2x!qa> -> tensor<1x4x4x2xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x1x2x1xf32>}> : () -> tensor<1x1x2x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{quantx-quantize: precision w4a8-g2 does not fit this layer: a depthwise convolution has no input-channel axis to group}}
  %c = tosa.depthwise_conv2d %d, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.precision = #quantx.precision<weights = int4, granularity = group, block = 2>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %o = quantx.quantize %c : tensor<1x4x4x2xf32> -> tensor<1x4x4x2x!qo>
  %r = quantx.dequantize %o : tensor<1x4x4x2x!qo> -> tensor<1x4x4x2xf32>
  return %r : tensor<1x4x4x2xf32>
}

// -----

// Without the measured mean magnitude there is no scale to give the signs.
!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -3>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>
func.func @no_mean(%a: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x4xf32> -> tensor<1x1x4x!qa>
  %d = quantx.dequantize %q : tensor<1x1x4x!qa> -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{quantx-quantize: sign activations need the positive mean magnitude (quantx.mean_magnitude) of the layer's input quantization point, which quantx-fold-calibration measures; got 0}}
  %m = tosa.matmul %d, %w, %zp, %zp {quantx.precision = #quantx.precision<weights = binary, activations = 1>} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %o = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %r = quantx.dequantize %o : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}
