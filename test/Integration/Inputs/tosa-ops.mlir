// Float TOSA with the ops the importer does not emit: transpose, concat,
// pad, reduce_sum + mul (global average pooling), sub and mul of two
// activations, clamp of an int8 value.
func.func @main(%x: tensor<1x4x4x2xf32>) -> tensor<1x8xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.5, -1.0]]], [[[1.0, 0.25]]], [[[-0.75, 0.5]]], [[[0.3, 0.9]]]]> : tensor<4x1x1x2xf32>}> : () -> tensor<4x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %a = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<4x1x1x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %t = tosa.transpose %r {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %c = tosa.concat %r, %t {axis = 3 : i32} : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x8xf32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %p = tosa.pad %c, %padding, %zp : (tensor<1x4x4x8xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x6x6x8xf32>
  %m = tosa.max_pool2d %p {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x3x3x8xf32>
  %l = tosa.clamp %m {min_val = 0.0 : f32, max_val = 2.0 : f32} : (tensor<1x3x3x8xf32>) -> tensor<1x3x3x8xf32>
  %s1 = tosa.reduce_sum %l {axis = 1 : i32} : (tensor<1x3x3x8xf32>) -> tensor<1x1x3x8xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 2 : i32} : (tensor<1x1x3x8xf32>) -> tensor<1x1x1x8xf32>
  %ninth = "tosa.const"() <{values = dense<0.111111111> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %g = tosa.mul %s2, %ninth, %shift : (tensor<1x1x1x8xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1x8xf32>
  %sq = tosa.mul %g, %g, %shift : (tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32>, tensor<1xi8>) -> tensor<1x1x1x8xf32>
  %d = tosa.sub %sq, %g : (tensor<1x1x1x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x1x1x8xf32>
  %shape = tosa.const_shape {values = dense<[1, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.reshape %d, %shape : (tensor<1x1x1x8xf32>, !tosa.shape<2>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
