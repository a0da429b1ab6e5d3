// Calls a function nothing defines: the JIT cannot link it.
func.func private @undefined_helper(memref<4xf32>)
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %m = bufferization.to_buffer %x : tensor<4xf32> to memref<4xf32>
  func.call @undefined_helper(%m) : (memref<4xf32>) -> ()
  return %x : tensor<4xf32>
}
