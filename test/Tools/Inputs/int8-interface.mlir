// int8-conv.mlir with an int8 interface's description on its argument and
// result, as quantx-set-interface writes it.
func.func @main(%x: tensor<1x4x4x2xi8> {quantx.interface = "scale=0.0125 zero_point=-3"}) -> (tensor<1x4x4x2xi8> {quantx.interface = "scale=0.25 zero_point=5"}) {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[[1, -2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]], [[13, 14], [15, 16], [17, 18]]], [[[-1, 2], [-3, 4], [-5, 6]], [[-7, 8], [-9, 10], [-11, 12]], [[-13, 14], [-15, 16], [-17, 18]]]]> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {axis = 3 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1518500250], shift = [38, 39], rounding = double>, output_zero_point = 5 : i64} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  return %y : tensor<1x4x4x2xi8>
}
