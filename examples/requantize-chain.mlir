// A small quantized program: an activation quantized per tensor, requantized
// to per-channel int8 and to a 4-bit group-wise form, then dequantized.
// quant-opt --quantx-lower-to-arith turns every step into integer-only
// arithmetic except the two boundary conversions.

!act = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.05, zero_point = -10>>
!chan = !quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 1, scales = [0.02, 0.04, 0.08, 0.1]>>
!int4 = !quantx.uniform<i4:f32, #quantx.per_block<block_sizes = [1, 2], scales = dense<[[0.25, 0.5], [0.25, 0.5]]> : tensor<2x2xf64>>>

func.func @quantized_chain(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %q = quantx.quantize %x : tensor<2x4xf32> -> tensor<2x4x!act>
  %c = quantx.requantize %q : tensor<2x4x!act> -> tensor<2x4x!chan>
  %g = quantx.requantize %c : tensor<2x4x!chan> -> tensor<2x4x!int4>
  %dc = quantx.dequantize %c : tensor<2x4x!chan> -> tensor<2x4xf32>
  %dg = quantx.dequantize %g : tensor<2x4x!int4> -> tensor<2x4xf32>
  return %dc, %dg : tensor<2x4xf32>, tensor<2x4xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %x = arith.constant dense<[[-1.0, 0.123, 0.5, 2.0], [3.3, -0.27, 1.111, -6.5]]> : tensor<2x4xf32>
  %dc, %dg = call @quantized_chain(%x) : (tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  %x_ = tensor.cast %x : tensor<2x4xf32> to tensor<*xf32>
  %dc_ = tensor.cast %dc : tensor<2x4xf32> to tensor<*xf32>
  %dg_ = tensor.cast %dg : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%x_) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%dc_) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%dg_) : (tensor<*xf32>) -> ()
  return
}
