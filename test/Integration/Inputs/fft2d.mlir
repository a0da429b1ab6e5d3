// A float tosa.fft2d: two batches of 8 x 4 complex inputs.
func.func @main(%re: tensor<2x8x4xf32>, %im: tensor<2x8x4xf32>) -> (tensor<2x8x4xf32>, tensor<2x8x4xf32>) {
  %r, %i = tosa.fft2d %re, %im {inverse = false} : (tensor<2x8x4xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4xf32>, tensor<2x8x4xf32>)
  return %r, %i : tensor<2x8x4xf32>, tensor<2x8x4xf32>
}
