// RUN: quant-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of the quantx dialect.

// expected-error@+1 {{storage type must have 1 to 32 bits or 48, got 'i64'}}
func.func @f(%x: tensor<2x!quantx.uniform<i64:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>)

// -----

// expected-error@+1 {{signed storage is written i8, not 'si8'}}
func.func @f(%x: tensor<2x!quantx.uniform<si8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>)

// -----

// expected-error@+1 {{narrow range needs at least 2 storage bits}}
func.func @f(%x: tensor<2x!quantx.uniform<i1:f32, narrow, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>)

// -----

// expected-error@+1 {{zero point 200 is outside the storage range [-128, 127] of 'i8'}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 200>>>)

// -----

// expected-error@+1 {{zero point -128 is outside the storage range [-127, 127] of 'i8'}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, narrow, #quantx.per_tensor<scale = 1.0, zero_point = -128>>>)

// -----

// expected-error@+1 {{zero point 3 is outside the storage range [0, 1] of 'ui1'}}
func.func @f(%x: tensor<2x!quantx.uniform<ui1:f32, #quantx.per_axis<axis = 0, scales = [1.0, 1.0], zero_points = [0, 3]>>>)

// -----

// expected-error@+1 {{scale must be finite and > 0, got 0}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.0, zero_point = 0>>>)

// -----

// expected-error@+1 {{scale must be finite and > 0, got -5.000000e-01}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_axis<axis = 0, scales = [0.5, -0.5]>>>)

// -----

// expected-error@+1 {{scale must be finite and > 0, got nan}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0x7FF8000000000000, zero_point = 0>>>)

// -----

// expected-error@+1 {{expected at least one scale}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_axis<axis = 0, scales = []>>>)

// -----

// expected-error@+1 {{axis must be >= 0, got -1}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_axis<axis = -1, scales = [1.0, 1.0]>>>)

// -----

// expected-error@+1 {{expected 2 zero points (one per scale), got 1}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_axis<axis = 0, scales = [1.0, 1.0], zero_points = [1]>>>)

// -----

// expected-error@+1 {{block sizes must be >= 1, got 0}}
func.func @f(%x: tensor<2x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [0], scales = dense<1.0> : tensor<1xf64>>>>)

// -----

// expected-error@+1 {{scales must have rank 2 (one dimension per block size), got 1}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2xf64>>>>)

// -----

// expected-error@+1 {{zero points must have the shape of the scales}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2x2xf64>, zero_points = dense<0> : tensor<2x1xi64>>>>)

// -----

// expected-error@+1 {{axes must be >= 0}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = -1, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{axis and vector_axis must differ}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 1, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{vector_size must be >= 1, got 0}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 0, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{sub_scale_bits must be in [1, 16], got 17}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 17, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{sub_scales must have shape [2, vectors]}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<3x2xi64>>>>)

// -----

// expected-error@+1 {{sub-scale 16 is outside [1, 15] for 4 bits}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<[[1, 16], [2, 3]]> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{expected as many shifts as multipliers (1), got 2}}
func.func @f() attributes {d = #quantx.dyadic<multiplier = [1], shift = [1, 2], rounding = double>}

// -----

// expected-error@+1 {{expected at least one multiplier}}
func.func @f() attributes {d = #quantx.dyadic<multiplier = [], shift = [], rounding = double>}

// -----

// expected-error@+1 {{multiplier must be in [0, 2^31), got -1}}
func.func @f() attributes {d = #quantx.dyadic<multiplier = [-1], shift = [1], rounding = single>}

// -----

// expected-error@+1 {{shift must be in [0, 62], got 63}}
func.func @f() attributes {d = #quantx.dyadic<multiplier = [1], shift = [63], rounding = single>}

// -----

// expected-error@+1 {{histogram range must be finite with min < max, got [1.000000e+00, 1.000000e+00]}}
func.func @f() attributes {h = #quantx.histogram<min = 1.0, max = 1.0, counts = [1]>}

// -----

// expected-error@+1 {{histogram needs at least one bin}}
func.func @f() attributes {h = #quantx.histogram<min = 0.0, max = 1.0, counts = []>}

// -----

// expected-error@+1 {{histogram counts must be >= 0, got -2}}
func.func @f() attributes {h = #quantx.histogram<min = 0.0, max = 1.0, counts = [1, -2]>}

// -----

// expected-error@+1 {{statistics need finite min <= max, got [2.000000e+00, 1.000000e+00]}}
func.func @f() attributes {s = #quantx.calib_stats<min = 2.0, max = 1.0>}

// -----

// expected-error@+1 {{histogram range must contain [min, max]}}
func.func @f() attributes {s = #quantx.calib_stats<min = -2.0, max = 1.0, histogram = <min = -1.0, max = 1.0, counts = [1]>>}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{'quantx.quantize' op axis 2 is out of range for rank 2}}
  %q = quantx.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quantx.uniform<i8:f32, #quantx.per_axis<axis = 2, scales = [1.0]>>>
  return
}

// -----

func.func @f(%x: tensor<2x?xf32>) {
  // expected-error@+1 {{'quantx.quantize' op axis 1 must have a static size}}
  %q = quantx.quantize %x : tensor<2x?xf32> -> tensor<2x?x!quantx.uniform<i8:f32, #quantx.per_axis<axis = 1, scales = [1.0]>>>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{'quantx.quantize' op axis 1 has size 3 but 2 scales are given}}
  %q = quantx.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quantx.uniform<i8:f32, #quantx.per_axis<axis = 1, scales = [1.0, 2.0]>>>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{'quantx.quantize' op expected 2 block sizes (one per dimension), got 1}}
  %q = quantx.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [2], scales = dense<1.0> : tensor<1xf64>>>>
  return
}

// -----

func.func @f(%x: tensor<2x?xf32>) {
  // expected-error@+1 {{'quantx.quantize' op dimension 1 must have a static size for per-block quantization}}
  %q = quantx.quantize %x : tensor<2x?xf32> -> tensor<2x?x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2x1xf64>>>>
  return
}

// -----

func.func @f(%x: tensor<2x6xf32>) {
  // expected-error@+1 {{'quantx.quantize' op dimension 1 of size 6 is not divisible by block size 4}}
  %q = quantx.quantize %x : tensor<2x6xf32> -> tensor<2x6x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 4], scales = dense<1.0> : tensor<2x1xf64>>>>
  return
}

// -----

func.func @f(%x: tensor<2x6xf32>) {
  // expected-error@+1 {{'quantx.quantize' op scales have 2 blocks along dimension 1, expected 3}}
  %q = quantx.quantize %x : tensor<2x6xf32> -> tensor<2x6x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2x2xf64>>>>
  return
}

// -----

func.func @f(%x: tensor<2x6xf32>) {
  // expected-error@+1 {{'quantx.quantize' op vector_axis 2 is out of range for rank 2}}
  %q = quantx.quantize %x : tensor<2x6xf32> -> tensor<2x6x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 2, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x3xi64>>>>
  return
}

// -----

func.func @f(%x: tensor<2x6xf32>) {
  // expected-error@+1 {{'quantx.quantize' op dimension 1 of size 6 is not divisible by vector_size 4}}
  %q = quantx.quantize %x : tensor<2x6xf32> -> tensor<2x6x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 4, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x3xi64>>>>
  return
}

// -----

func.func @f(%x: tensor<2x6xf32>) {
  // expected-error@+1 {{'quantx.quantize' op sub_scales must have 3 vectors per channel}}
  %q = quantx.quantize %x : tensor<2x6xf32> -> tensor<2x6x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x2xi64>>>>
  return
}

// -----

func.func @f(%x: tensor<2xf16>) {
  // expected-error@+1 {{'quantx.quantize' op expressed type 'f32' of the quantized type does not match the float element type 'f16'}}
  %q = quantx.quantize %x : tensor<2xf16> -> tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  return
}

// -----

func.func @f(%x: tensor<2x!quantx.uniform<i8:f16, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>) {
  // expected-error@+1 {{'quantx.requantize' op input and output must have the same expressed type, got 'f16' and 'f32'}}
  %q = quantx.requantize %x : tensor<2x!quantx.uniform<i8:f16, #quantx.per_tensor<scale = 1.0, zero_point = 0>>> -> tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  return
}

// -----

func.func @f(%x: tensor<2xi8>) {
  // expected-error@+1 {{'quantx.storage_cast' op expected exactly one quantized side, got 'tensor<2xi8>' and 'tensor<2xi8>'}}
  %q = quantx.storage_cast %x : tensor<2xi8> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi16>) {
  // expected-error@+1 {{'quantx.storage_cast' op expected the storage side to have element type i8, got 'i16'}}
  %q = quantx.storage_cast %x : tensor<2xi16> -> tensor<2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>>
  return
}

// -----

func.func @f(%x: tensor<2xi64>) {
  // expected-error@+1 {{'quantx.rescale' op expected integers of at most 32 bits (or an i48 input), got i64 -> i8}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>} : tensor<2xi64> -> tensor<2xi8>
  return
}

// -----

// Zero-width integers (a fuzz finding: the range check shifted by -1).
func.func @f(%x: tensor<2xi32>) {
  // expected-error@+1 {{'quantx.rescale' op expected integers of at most 32 bits (or an i48 input), got i32 -> i0}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>} : tensor<2xi32> -> tensor<2xi0>
  return
}

// -----

func.func @f(%x: tensor<2xi0>) {
  // expected-error@+1 {{'quantx.rescale' op expected integers of at most 32 bits (or an i48 input), got i0 -> i8}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>} : tensor<2xi0> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi32>) {
  // expected-error@+1 {{'quantx.rescale' op a 32-bit input must be signed}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, input_unsigned} : tensor<2xi32> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi8>) {
  // expected-error@+1 {{'quantx.rescale' op input zero point 200 is outside the input range}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, input_zero_point = 200 : i64} : tensor<2xi8> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi32>) {
  // expected-error@+1 {{'quantx.rescale' op a 32-bit input needs input zero point 0, got 5}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, input_zero_point = 5 : i64} : tensor<2xi32> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi32>) {
  // expected-error@+1 {{'quantx.rescale' op output zero point 300 is outside the output range [-128, 127]}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, output_zero_point = 300 : i64} : tensor<2xi32> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi32>) {
  // expected-error@+1 {{'quantx.rescale' op clamp bounds must lie in the output range [0, 255]}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, output_unsigned, clamp_min = -1 : i64} : tensor<2xi32> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2xi32>) {
  // expected-error@+1 {{'quantx.rescale' op clamp_min must not exceed clamp_max}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, clamp_min = 10 : i64, clamp_max = 5 : i64} : tensor<2xi32> -> tensor<2xi8>
  return
}

// -----

func.func @f(%x: tensor<2x3xi32>) {
  // expected-error@+1 {{'quantx.rescale' op axis 2 is out of range for rank 2}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1], shift = [0], rounding = double>, axis = 2 : i64} : tensor<2x3xi32> -> tensor<2x3xi8>
  return
}

// -----

func.func @f(%x: tensor<2x3xi32>) {
  // expected-error@+1 {{'quantx.rescale' op expected 3 multipliers along axis 1, got 2}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1, 2], shift = [0, 0], rounding = double>, axis = 1 : i64} : tensor<2x3xi32> -> tensor<2x3xi8>
  return
}

// -----

func.func @f(%x: tensor<2x3xi32>) {
  // expected-error@+1 {{'quantx.rescale' op per-channel multipliers need an axis}}
  %y = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1, 2], shift = [0, 0], rounding = double>} : tensor<2x3xi32> -> tensor<2x3xi8>
  return
}

// -----

func.func @f(%p: tensor<2xi8>) -> tensor<5xi8> {
  // expected-error@+1 {{expects 3 packed bytes for 5 int4 elements, got 'tensor<2xi8>'}}
  %w = quantx.unpack_weights %p format int4 : tensor<2xi8> -> tensor<5xi8>
  return %w : tensor<5xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %s: tensor<1xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{takes subscales, axis and block together}}
  %w = quantx.unpack_weights %p, %s format int2 : tensor<1xi8>, tensor<1xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %s: tensor<1xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{block 3 does not divide dimension 0 of 'tensor<4xi8>'}}
  %w = quantx.unpack_weights %p, %s format int2 {axis = 0 : i64, block = 3 : i64} : tensor<1xi8>, tensor<1xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %s: tensor<1xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{axis 1 is not a dimension of 'tensor<4xi8>'}}
  %w = quantx.unpack_weights %p, %s format int2 {axis = 1 : i64, block = 4 : i64} : tensor<1xi8>, tensor<1xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %s: tensor<2xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{expects subscales of shape 'tensor<1xi8>', got 'tensor<2xi8>'}}
  %w = quantx.unpack_weights %p, %s format int2 {axis = 0 : i64, block = 4 : i64} : tensor<1xi8>, tensor<2xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}

// -----

func.func @f() -> tensor<4xi8> {
  %p = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = "tosa.const"() {values = dense<[1, 0]> : tensor<2xi8>} : () -> tensor<2xi8>
  // expected-error@+1 {{sub-scale 1 is 0, outside [1, 127]}}
  %w = quantx.unpack_weights %p, %s format int2 {axis = 0 : i64, block = 2 : i64} : tensor<1xi8>, tensor<2xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}

// -----

func.func @f() -> tensor<2xi8> {
  // 0x80: element 0 is 0, element 1 the nibble 0x8 = -8; -8 * 20 = -160.
  %p = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = "tosa.const"() {values = dense<20> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{element 1 times its sub-scale 20 is -160, outside int8}}
  %w = quantx.unpack_weights %p, %s format int4 {axis = 0 : i64, block = 2 : i64} : tensor<1xi8>, tensor<1xi8> -> tensor<2xi8>
  return %w : tensor<2xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %t: tensor<16xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{expects a codebook of 4 entries for int2 codes, got 'tensor<16xi8>'}}
  %w = quantx.unpack_weights %p codebook(%t : tensor<16xi8>) format int2 : tensor<1xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %t: tensor<2xi8>) -> tensor<8xi8> {
  // expected-error@+1 {{a codebook needs int4 or int2 codes, not sign bits}}
  %w = quantx.unpack_weights %p codebook(%t : tensor<2xi8>) format sign : tensor<1xi8> -> tensor<8xi8>
  return %w : tensor<8xi8>
}

// -----

func.func @f(%p: tensor<1xi8>, %s: tensor<1xi8>, %t: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{takes a codebook or subscales, not both}}
  %w = quantx.unpack_weights %p, %s codebook(%t : tensor<4xi8>) format int2 {axis = 0 : i64, block = 4 : i64} : tensor<1xi8>, tensor<1xi8> -> tensor<4xi8>
  return %w : tensor<4xi8>
}
