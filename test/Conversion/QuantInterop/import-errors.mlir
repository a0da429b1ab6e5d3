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
