// RUN: quant-opt %s --quantx-check-accumulators --split-input-file --verify-diagnostics

// Constant weights, per output channel from the sums of positive and negative
// weights: channel 0 (127, -100) with x in [-128, 127] reaches 127 * 127 +
// 128 * 100 = 28929, plus its bias 1000.
func.func @conv(%x: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi32> {
  %w = "tosa.const"() <{values = dense<[[[[127, -100]]], [[[1, 2]]]]> : tensor<2x1x1x2xi8>}> : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<[1000, -5]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-remark @+1 {{quantx-check-accumulators: |acc| <= 29929 fits int32 (K = 2, max|a| = 128, headroom 16.1 bits)}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  return %c : tensor<1x2x2x2xi32>
}

// -----

// Two activations with zero points -128: |a - zp| <= 255 on both sides;
// K = 40000 gives 40000 * 255 * 255 > 2^31 - 1.
func.func @matmul_overflow(%a: tensor<1x1x40000xi8>, %b: tensor<1x40000x1xi8>) -> tensor<1x1x1xi32> {
  %zp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{quantx-check-accumulators: the int32 value of this op may overflow: |acc| <= 2601000000 (K = 40000, max|a| = 255) exceeds 2^31 - 1; quantx-widen-accumulators accumulates such layers in int48}}
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x40000xi8>, tensor<1x40000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1xi32>
  return %m : tensor<1x1x1xi32>
}

// -----

// The input zero point folded after the matmul (the quantizer's form): the
// matmul itself fits, 128 * 127 * 70000, but adding -zp * sum(w) = 128 * 127
// * 70000 makes 255 * 127 * 70000, beyond int32. The old per-op proof missed
// this.
func.func @zero_point_correction(%a: tensor<1x1x70000xi8>) -> tensor<1x1x1xi32> {
  %w = "tosa.const"() <{values = dense<127> : tensor<1x70000x1xi8>}> : () -> tensor<1x70000x1xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %corr = "tosa.const"() <{values = dense<1137920000> : tensor<1x1x1xi32>}> : () -> tensor<1x1x1xi32>
  // expected-remark @+1 {{quantx-check-accumulators: |acc| <= 1137920000 fits int32 (K = 70000, max|a| = 128, headroom 0.9 bits)}}
  %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x1x70000xi8>, tensor<1x70000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1xi32>
  // expected-error @+1 {{quantx-check-accumulators: the int32 value of this op may overflow: |acc| <= 2266950000 exceeds 2^31 - 1}}
  %s = tosa.add %m, %corr : (tensor<1x1x1xi32>, tensor<1x1x1xi32>) -> tensor<1x1x1xi32>
  return %s : tensor<1x1x1xi32>
}

// -----

// A residual add at the common scale: both int8 inputs requantized to 2^19
// steps per input step (plus one of rounding slack), then added: |s| <=
// 2 * (255 * 2^19 + 1) fits; doubled five times it does not.
func.func @residual(%x: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = -128>>>, %y: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 127>>>) -> tensor<4xi32> {
  %a = quantx.requantize %x : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = -128>>> -> tensor<4x!quantx.uniform<i32:f32, #quantx.per_tensor<scale = 1.9073486328125e-06, zero_point = 0>>>
  %b = quantx.requantize %y : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 127>>> -> tensor<4x!quantx.uniform<i32:f32, #quantx.per_tensor<scale = 1.9073486328125e-06, zero_point = 0>>>
  %ai = quantx.storage_cast %a : tensor<4x!quantx.uniform<i32:f32, #quantx.per_tensor<scale = 1.9073486328125e-06, zero_point = 0>>> -> tensor<4xi32>
  %bi = quantx.storage_cast %b : tensor<4x!quantx.uniform<i32:f32, #quantx.per_tensor<scale = 1.9073486328125e-06, zero_point = 0>>> -> tensor<4xi32>
  %s = tosa.add %ai, %bi : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %t = tosa.add %s, %s : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %u = tosa.add %t, %t : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %v = tosa.add %u, %u : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %w = tosa.add %v, %v : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // expected-error @+1 {{quantx-check-accumulators: the int32 value of this op may overflow: |acc| <= 4278190144 exceeds 2^31 - 1}}
  %z = tosa.add %w, %w : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %z : tensor<4xi32>
}

// -----

// The window sum inside an integer avg_pool2d: 3000 * 3000 * 255.
func.func @avg_pool(%x: tensor<1x3000x3000x1xi8>) -> tensor<1x1x1x1xi8> {
  %zp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{quantx-check-accumulators: the int32 accumulator inside this op may overflow: |acc| <= 2295000000 (K = 9000000, max|a| = 255) exceeds 2^31 - 1}}
  %p = tosa.avg_pool2d %x, %zp, %zp {acc_type = i32, kernel = array<i64: 3000, 3000>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3000x3000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
  return %p : tensor<1x1x1x1xi8>
}

// -----

// reduce_sum of centered int8 values (in [-255, 255] after the subtraction)
// over 10^7 elements; a product of two such values fits.
func.func @reduce_and_mul(%x: tensor<1x10000000xi8>, %y: tensor<1x10000000xi8>) -> (tensor<1x1xi32>, tensor<1x10000000xi32>) {
  %zp = "tosa.const"() <{values = dense<-128> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %xw = tosa.cast %x : (tensor<1x10000000xi8>) -> tensor<1x10000000xi32>
  %yw = tosa.cast %y : (tensor<1x10000000xi8>) -> tensor<1x10000000xi32>
  %xc = tosa.sub %xw, %zp : (tensor<1x10000000xi32>, tensor<1x1xi32>) -> tensor<1x10000000xi32>
  %yc = tosa.sub %yw, %zp : (tensor<1x10000000xi32>, tensor<1x1xi32>) -> tensor<1x10000000xi32>
  %p = tosa.mul %xc, %yc, %shift : (tensor<1x10000000xi32>, tensor<1x10000000xi32>, tensor<1xi8>) -> tensor<1x10000000xi32>
  // expected-error @+1 {{quantx-check-accumulators: the int32 value of this op may overflow: |acc| <= 2550000000 (K = 10000000, max|a| = 255) exceeds 2^31 - 1}}
  %s = tosa.reduce_sum %xc {axis = 1 : i32} : (tensor<1x10000000xi32>) -> tensor<1x1xi32>
  return %s, %p : tensor<1x1xi32>, tensor<1x10000000xi32>
}
