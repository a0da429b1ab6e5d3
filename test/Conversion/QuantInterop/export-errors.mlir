// RUN: quant-opt %s --quantx-export-quant -verify-diagnostics

// expected-error@+1 {{two-level quantization has no upstream !quant equivalent}}
func.func @two_level(%x: tensor<2x4x!quantx.uniform<i4:f32, #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 2, sub_scale_bits = 4, scales = [1.0, 1.0], sub_scales = dense<1> : tensor<2x2xi64>>>>) {
  return
}

