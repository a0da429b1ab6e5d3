// RUN: quant-opt %s -split-input-file -verify-diagnostics

// Parameter tensors declared as splats are verified without expanding them,
// and their element counts are bounded (QuantGrid::kMaxBlocks): the
// lowerings materialize one scale per block.

// expected-error@+1 {{scales have 4294967297 elements, more than the 268435456 blocks a quantization grid may have}}
func.func @f(%x: tensor<1x4294967297x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 1], scales = dense<1.0> : tensor<1x4294967297xf64>>>>)

// -----

// expected-error@+1 {{scales of type 'tensor<4294967297x4294967297xf64>' have more elements than int64 can count}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 1], scales = dense<1.0> : tensor<4294967297x4294967297xf64>>>>)

// -----

// expected-error@+1 {{sub_scales have 2000000000000 elements, more than the 268435456 blocks a quantization grid may have}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x1000000000000xi64>>>>)

// -----

// A splat is checked once, with the message of its value.
// expected-error@+1 {{scale must be finite and > 0, got -1}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<-1.0> : tensor<2x2xf64>>>>)

// -----

// expected-error@+1 {{sub-scale 17 is outside [1, 15] for 4 bits}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<17> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{zero point 300 is outside the storage range [-128, 127] of 'i8'}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2x2xf64>, zero_points = dense<300> : tensor<2x2xi64>>>>)

// -----

// expected-error@+1 {{zero points must be integers of at most 64 bits, got 'i128'}}
func.func @f(%x: tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2x2xf64>, zero_points = dense<0> : tensor<2x2xi128>>>>)

// -----

// A splat parameter tensor must still match the shape it quantizes.
func.func @f(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{scales have 5 blocks along dimension 1, expected 2}}
  %q = quantx.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<1.0> : tensor<2x5xf64>>>>
  return
}

// -----

// Per-axis on rows to per-axis on columns refines to one block per element:
// 2^32 of them here.
func.func @f(%x: tensor<65536x65536x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 65536], scales = dense<1.0> : tensor<65536x1xf64>>>>) {
  // expected-error@+1 {{requantizing between these granularities needs more than 268435456 blocks}}
  %r = quantx.requantize %x : tensor<65536x65536x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [1, 65536], scales = dense<1.0> : tensor<65536x1xf64>>>> -> tensor<65536x65536x!quantx.uniform<i8:f32, #quantx.per_block<block_sizes = [65536, 1], scales = dense<1.0> : tensor<1x65536xf64>>>>
  return
}
