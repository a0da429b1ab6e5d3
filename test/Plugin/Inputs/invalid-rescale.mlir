// A quantx op that fails its verifier (one multiplier for four channels).
func.func @main(%x: tensor<1x4xi32>) -> tensor<1x4xi8> {
  %y = quantx.rescale %x {axis = 1 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = double>, output_zero_point = 0 : i64} : tensor<1x4xi32> -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}
