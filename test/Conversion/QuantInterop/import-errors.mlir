// RUN: quant-opt %s -split-input-file --quantx-import-quant -verify-diagnostics

// expected-error@+1 {{storage range [-100, 100] of '!quant.uniform<i8<-100:100>:f32, 1.000000e+00>' is neither the full nor the narrow range of its storage type}}
func.func @odd_range(%x: tensor<2x!quant.uniform<i8<-100:100>:f32, 1.0>>) {
  return
}

// -----

func.func @foreign_op(%x: tensor<2x!quant.uniform<i8:f32, 1.0>>) -> tensor<2x!quant.uniform<i8:f32, 1.0>> {
  // expected-error@+1 {{'tensor.empty' op uses quantized types but is not converted by this pass (only func and quant ops are)}}
  %e = tensor.empty() : tensor<2x!quant.uniform<i8:f32, 1.0>>
  return %e : tensor<2x!quant.uniform<i8:f32, 1.0>>
}

// -----

// expected-error@+1 {{'func.func' op quantized dimension 7 of}}
func.func @dim7(%w: tensor<2x4x!quant.uniform<i4:f32:{7:2}, {{2.0:0, 3.0:0}}>>) {
  return
}

// -----

// expected-error@+1 {{'func.func' op quantized dimension 256 of}}
func.func @dim256(%w: tensor<2x4x!quant.uniform<i4:f32:{256:2}, {{2.0:0, 3.0:0}}>>) {
  return
}

// -----

// expected-error@+1 {{'func.func' op dimension 1 of size 5 is not divisible by block size 2}}
func.func @block_not_dividing(%w: tensor<2x5x!quant.uniform<i4:f32:{1:2}, {{2.0:0, 3.0:0}}>>) {
  return
}

// -----

// expected-error@+1 {{'func.func' op scales have 3 blocks along dimension 1, expected 2}}
func.func @scale_shape(%w: tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{2.0:0, 3.0:0, 4.0:0}}>>) {
  return
}

// -----

// expected-error@+1 {{needs a statically shaped tensor}}
func.func @dynamic(%w: tensor<2x?x!quant.uniform<i4:f32:{1:2}, {{2.0:0, 3.0:0}}>>) {
  return
}

// -----

// expected-error@+1 {{'func.func' op axis 3 is out of range for rank 2}}
func.func @axis_out_of_range(%w: tensor<2x4x!quant.uniform<i8:f32:3, {2.0, 3.0}>>) {
  return
}
