// RUN: quant-opt %s --quantx-check-accumulators --split-input-file --verify-diagnostics

// Constant weights: max over channels of sum |w| = 127 + 100 = 227, times
// max |x| = 128 (zero point 0), plus max |bias| = 1000.
func.func @conv(%x: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi32> {
  %w = "tosa.const"() <{values = dense<[[[[127, -100]]], [[[1, 2]]]]> : tensor<2x1x1x2xi8>}> : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<[1000, -5]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-remark @+1 {{quantx-check-accumulators: |acc| <= 30056 fits int32 (K = 2, max|a| = 128, headroom 16.1 bits)}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  return %c : tensor<1x2x2x2xi32>
}

// -----

// Two activations with zero points -128: |a - zp| <= 255 on both sides;
// K = 40000 gives 40000 * 255 * 255 > 2^31 - 1.
func.func @matmul_overflow(%a: tensor<1x1x40000xi8>, %b: tensor<1x40000x1xi8>) -> tensor<1x1x1xi32> {
  %zp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error @+1 {{quantx-check-accumulators: the int32 accumulator may overflow: |acc| <= 2601000000 (K = 40000, max|a| = 255) exceeds 2^31 - 1; split the reduction or use wider accumulators}}
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x40000xi8>, tensor<1x40000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1xi32>
  return %m : tensor<1x1x1xi32>
}
