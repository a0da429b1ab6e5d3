// RUN: quant-opt %s --split-input-file --verify-diagnostics

func.func @wrong_result(%x: tensor<4xi8>, %init: tensor<4xi8>) -> tensor<4xi32> {
  // expected-error @+1 {{on tensors returns one result of the init's type}}
  %r = quantx.kernel_call "k"(%x : tensor<4xi8>) outs(%init : tensor<4xi8>) {params = array<i64: 0>} -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

func.func @mixed(%x: tensor<4xi8>, %init: memref<4xi8>) {
  // expected-error @+1 {{mixes tensors and memrefs}}
  quantx.kernel_call "k"(%x : tensor<4xi8>) outs(%init : memref<4xi8>) {params = array<i64: 0>}
  return
}

// -----

func.func @unknown_kernel(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{unknown kernel 'quantx_kernel_conv_s4'}}
  %r = quantx.kernel_call "quantx_kernel_conv_s4"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @param_count(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{expected 30 params, got 3}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 2>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @unknown_isa(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: isa must be in [0, 3], got 7}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 7, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @zero_stride(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: stride_h must be in [1, 2147483647], got 0}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @huge_kernel(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: kernel_w must be in [1, 2147483647], got 2147483648}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2147483648, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @huge_stride(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: the last window along width starts past the input (out_w 2, stride_w 2147483647, in_w 4)}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2147483647, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @pad_past_kernel(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: pad_top 2 exceeds the height kernel extent: the first window reads only padding}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @pool_dilation(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: dilation_h must be in [1, 1], got 2}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @too_many_taps(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: kernel taps is 2097152, more than the 262144 the kernels support}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 1, 2, 2, 1048576, 2, 2, 1, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @input_overflow(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: input elements overflows int64}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 2147483647, 2147483647, 2147483647, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @pool_channels(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: out_c 3 of a pooling must equal in_c 2}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 3, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @pool_output_kind(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: output_kind must be in [0, 0], got 1}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @pool_pad_value(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{invalid params: pad_value must be in [-128, 127], got 128}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @changed_dim(%x: tensor<1x4x5x2xi8>, %init: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{input must have 32 elements for these params, got 'tensor<1x4x5x2xi8>'}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x5x2xi8>) outs(%init : tensor<1x2x2x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi8>
  return %r : tensor<1x2x2x2xi8>
}

// -----

func.func @wrong_element(%x: tensor<1x4x4x2xi8>, %init: tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32> {
  // expected-error @+1 {{init must have element type 'i8', got 'tensor<1x2x2x2xi32>'}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x2x2x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x2x2x2xi32>
  return %r : tensor<1x2x2x2xi32>
}

// -----

func.func @input_count(%x: tensor<1x4x4x2xi8>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{expected 3 inputs for these params, got 1}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @panel_width(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: panel_width 3 is not a panel width of ISA generic}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @deep_k(%x: tensor<1x4x4x524288xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: K (kernel taps times in_c) is 524288, more than the 262144 the kernels support}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x524288xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 524288, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @weights_size(%x: tensor<1x4x4x2xi8>, %w: tensor<15xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{packed weights must have 16 elements for these params, got 'tensor<15xi8>'}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<15xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @bias_size(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<3xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{bias must have 2 elements for these params, got 'tensor<3xi32>'}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<3xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @clamp(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %rq: tensor<4xi32>, %init: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  // expected-error @+1 {{invalid params: clamp_max must be in [5, 127], got 0}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 5, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

func.func @rounding(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %rq: tensor<4xi32>, %init: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  // expected-error @+1 {{invalid params: rounding must be in [0, 1], got 2}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 2, 0, -128, 127, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

func.func @weights_per_batch(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: weights_per_batch must be in [0, 1], got 2}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @depthwise_channels(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: out_c 2 must be in_c 2 times depth_multiplier 2}}
  %r = quantx.kernel_call "quantx_kernel_depthwise_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// Low-bit weights only where the ISA expands them (not the generic kernel).
func.func @int4_generic(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: packed_weight_bits must be in [0, 0], got 4}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 4, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @int4_bits(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: packed_weight_bits 3 is none of 0 (whole elements), 4 (int4) and 2 (int2)}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 3, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @int4_zero_point(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: low-bit weights (packed_weight_bits 4) need weight_zp 0}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 16, 4, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// AVX2 packs 16 x 2 int16 weights (64 bytes); as nibbles they take 16.
func.func @int4_bytes(%x: tensor<1x4x4x2xi8>, %w: tensor<64xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{packed weights must have 16 elements for these params, got 'tensor<64xi8>'}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<64xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 4, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// As 2-bit weights they take 8.
func.func @int2_bytes(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{packed weights must have 8 elements for these params, got 'tensor<16xi8>'}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 2, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// The binary kernel: 2 channels of K = 2 take a panel of 8 channels x 1
// word (64 bytes) on every ISA; no int8 panel width, no weight zero point.
func.func @binary_bytes(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{packed weights must have 64 elements for these params, got 'tensor<16xi8>'}}
  %r = quantx.kernel_call "quantx_kernel_conv_b1"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @binary_panels(%x: tensor<1x4x4x2xi8>, %w: tensor<64xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: panel_width must be in [0, 0], got 16}}
  %r = quantx.kernel_call "quantx_kernel_conv_b1"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<64xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @binary_zero_point(%x: tensor<1x4x4x2xi8>, %w: tensor<64xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: weight_zp must be in [0, 0], got 3}}
  %r = quantx.kernel_call "quantx_kernel_conv_b1"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<64xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @binary_low_bits(%x: tensor<1x4x4x2xi8>, %w: tensor<64xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: packed_weight_bits must be in [0, 0], got 2}}
  %r = quantx.kernel_call "quantx_kernel_conv_b1"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<64xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// The GPU conv kernel takes the int8 conv's parameters, restricted to what
// it reads: the generic ISA's panels (here AVX2's int16 panels of 16
// columns, valid for the CPU kernel)...
func.func @gpu_isa(%x: tensor<1x4x4x2xi8>, %init: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %w = arith.constant dense<0> : tensor<576xi8>
  %b = arith.constant dense<0> : tensor<2xi32>
  %rq = arith.constant dense<[1073741824, 1073741824, 38, 38]> : tensor<4xi32>
  // expected-error @+1 {{invalid params: isa must be 0 for the GPU conv kernel (it reads the generic ISA's panels), got 1}}
  %r = quantx.kernel_call "quantx_gpu_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<576xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 1, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 5, -128, 127, 16, 0, 0, 0, 0>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

// ... and no weight zero point (the CPU kernel's row sums).
func.func @gpu_weight_zero_point(%x: tensor<1x4x4x2xi8>, %init: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %w = arith.constant dense<0> : tensor<144xi8>
  %b = arith.constant dense<0> : tensor<2xi32>
  %rq = arith.constant dense<[1073741824, 1073741824, 38, 38]> : tensor<4xi32>
  // expected-error @+1 {{invalid params: weight_zp must be 0 for the GPU conv kernel (it adds no row sums), got 3}}
  %r = quantx.kernel_call "quantx_gpu_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<144xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 3, 1, 0, 1, 0, 5, -128, 127, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

// The int8 conv's own checks come first.
func.func @gpu_conv_checks(%x: tensor<1x4x4x2xi8>, %init: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %w = arith.constant dense<0> : tensor<144xi8>
  %b = arith.constant dense<0> : tensor<2xi32>
  %rq = arith.constant dense<[1073741824, 1073741824, 38, 38]> : tensor<4xi32>
  // expected-error @+1 {{invalid params: stride_h must be in [1,}}
  %r = quantx.kernel_call "quantx_gpu_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<144xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 3, 3, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 5, -128, 127, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

// The GPU depthwise kernel takes the int8 depthwise kernel's parameters and
// buffers, checked the same way.
func.func @gpu_depthwise_channels(%x: tensor<1x4x4x2xi8>, %w: tensor<16xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{invalid params: out_c 2 must be in_c 2 times depth_multiplier 2}}
  %r = quantx.kernel_call "quantx_gpu_depthwise_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<16xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

func.func @gpu_depthwise_weights(%x: tensor<1x4x4x2xi8>, %w: tensor<3xi8>, %b: tensor<2xi32>, %init: tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32> {
  // expected-error @+1 {{packed weights must have 4 elements for these params, got 'tensor<3xi8>'}}
  %r = quantx.kernel_call "quantx_gpu_depthwise_s8"(%x, %w, %b : tensor<1x4x4x2xi8>, tensor<3xi8>, tensor<2xi32>) outs(%init : tensor<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// Only the GPU's entry points say which activations stay in device memory
// (device_residency, the last field).
func.func @cpu_residency(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %init = tensor.empty() : tensor<1x4x4x2xi8>
  %w = arith.constant dense<0> : tensor<144xi8>
  %b = arith.constant dense<0> : tensor<2xi32>
  %rq = arith.constant dense<[1073741824, 1073741824, 38, 38]> : tensor<4xi32>
  // expected-error @+1 {{invalid params: device_residency must be in [0, 0], got 2}}
  %r = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<144xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 5, -128, 127, 8, 0, 0, 0, 2>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

func.func @gpu_residency(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %init = tensor.empty() : tensor<1x4x4x2xi8>
  %w = arith.constant dense<0> : tensor<144xi8>
  %b = arith.constant dense<0> : tensor<2xi32>
  %rq = arith.constant dense<[1073741824, 1073741824, 38, 38]> : tensor<4xi32>
  // expected-error @+1 {{invalid params: device_residency must be in [0, 3], got 4}}
  %r = quantx.kernel_call "quantx_gpu_conv_s8"(%x, %w, %b, %rq : tensor<1x4x4x2xi8>, tensor<144xi8>, tensor<2xi32>, tensor<4xi32>) outs(%init : tensor<1x4x4x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 5, -128, 127, 8, 0, 0, 0, 4>} -> tensor<1x4x4x2xi8>
  return %r : tensor<1x4x4x2xi8>
}

// -----

// The add kernel reads rows, channels, zero points, the rounding mask and
// the clamp; every other field must be 0.
func.func @add_unused_field(%a: tensor<2x3xi8>, %b: tensor<2x3xi8>, %t: tensor<18xi32>) -> tensor<2x3xi8> {
  %init = tensor.empty() : tensor<2x3xi8>
  // expected-error @+1 {{invalid params: in_h must be in [0, 0], got 1}}
  %r = quantx.kernel_call "quantx_kernel_add_s8"(%a, %b, %t : tensor<2x3xi8>, tensor<2x3xi8>, tensor<18xi32>) outs(%init : tensor<2x3xi8>) {params = array<i64: 0, 2, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 0, 0>} -> tensor<2x3xi8>
  return %r : tensor<2x3xi8>
}

// -----

func.func @add_rounding(%a: tensor<2x3xi8>, %b: tensor<2x3xi8>, %t: tensor<18xi32>) -> tensor<2x3xi8> {
  %init = tensor.empty() : tensor<2x3xi8>
  // expected-error @+1 {{invalid params: rounding must be in [0, 7], got 8}}
  %r = quantx.kernel_call "quantx_kernel_add_s8"(%a, %b, %t : tensor<2x3xi8>, tensor<2x3xi8>, tensor<18xi32>) outs(%init : tensor<2x3xi8>) {params = array<i64: 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, -128, 127, 0, 0, 0, 0, 0>} -> tensor<2x3xi8>
  return %r : tensor<2x3xi8>
}

// -----

// Its operands are named as what they are.
func.func @add_table(%a: tensor<2x3xi8>, %b: tensor<2x3xi8>, %t: tensor<12xi32>) -> tensor<2x3xi8> {
  %init = tensor.empty() : tensor<2x3xi8>
  // expected-error @+1 {{rescale table must have 18 elements for these params, got 'tensor<12xi32>'}}
  %r = quantx.kernel_call "quantx_gpu_add_s8"(%a, %b, %t : tensor<2x3xi8>, tensor<2x3xi8>, tensor<12xi32>) outs(%init : tensor<2x3xi8>) {params = array<i64: 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 0, 7>} -> tensor<2x3xi8>
  return %r : tensor<2x3xi8>
}

// -----

func.func @add_second_addend(%a: tensor<2x3xi8>, %b: tensor<3x3xi8>, %t: tensor<18xi32>) -> tensor<2x3xi8> {
  %init = tensor.empty() : tensor<2x3xi8>
  // expected-error @+1 {{second addend must have 6 elements for these params, got 'tensor<3x3xi8>'}}
  %r = quantx.kernel_call "quantx_gpu_add_s8"(%a, %b, %t : tensor<2x3xi8>, tensor<3x3xi8>, tensor<18xi32>) outs(%init : tensor<2x3xi8>) {params = array<i64: 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 0, 0>} -> tensor<2x3xi8>
  return %r : tensor<2x3xi8>
}

// -----

// The add kernel's second addend may stay on the device too (bit 4): 7 is
// its largest residency.
func.func @add_residency(%a: tensor<2x3xi8>, %b: tensor<2x3xi8>, %t: tensor<18xi32>) -> tensor<2x3xi8> {
  %init = tensor.empty() : tensor<2x3xi8>
  // expected-error @+1 {{invalid params: device_residency must be in [0, 7], got 8}}
  %r = quantx.kernel_call "quantx_gpu_add_s8"(%a, %b, %t : tensor<2x3xi8>, tensor<2x3xi8>, tensor<18xi32>) outs(%init : tensor<2x3xi8>) {params = array<i64: 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 0, 8>} -> tensor<2x3xi8>
  return %r : tensor<2x3xi8>
}

// -----

// The average pooling reads the pooling's window, the zero points and the
// clamp; it has no weights.
func.func @avgpool_weight_zero_point(%x: tensor<1x4x4x2xi8>) -> tensor<1x1x1x2xi8> {
  %init = tensor.empty() : tensor<1x1x1x2xi8>
  // expected-error @+1 {{invalid params: weight_zp must be in [0, 0], got 3}}
  %r = quantx.kernel_call "quantx_gpu_avgpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x1x1x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 1, 1, 2, 4, 4, 1, 1, 1, 1, 0, 0, -128, 3, 0, 0, 0, 0, 5, -128, 127, 0, 0, 0, 0, 0>} -> tensor<1x1x1x2xi8>
  return %r : tensor<1x1x1x2xi8>
}

// -----

func.func @avgpool_output_zero_point(%x: tensor<1x4x4x2xi8>) -> tensor<1x1x1x2xi8> {
  %init = tensor.empty() : tensor<1x1x1x2xi8>
  // expected-error @+1 {{invalid params: output_zp must be in [-128, 127], got 200}}
  %r = quantx.kernel_call "quantx_kernel_avgpool_s8"(%x : tensor<1x4x4x2xi8>) outs(%init : tensor<1x1x1x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 1, 1, 2, 4, 4, 1, 1, 1, 1, 0, 0, -128, 0, 0, 0, 0, 0, 200, -128, 127, 0, 0, 0, 0, 0>} -> tensor<1x1x1x2xi8>
  return %r : tensor<1x1x1x2xi8>
}
