// RUN: quant-opt %s --quantx-set-precision="activation-bits=16" --quantx-quantize | FileCheck %s

// A conv with 16-bit activations whose input is the ReLU of another conv's
// quantization point: the int16 input is requantized from that conv's
// accumulator (not from its int8 form), symmetric over the int8 point's
// range ([-2.5, 3.875] at scale 0.025, zero point -28: 3.875 / 32767), and
// the ReLU runs again on int16 (both convs are 16-bit here, so the
// accumulator is int48). The conv is TOSA's int16 x int8 form: an
// int16 zero point of 0, an int48 bias and accumulator.

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qm = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.025, zero_point = -28>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// CHECK-LABEL: func.func @relu_between
// CHECK: %[[ACC:.*]] = tosa.conv2d {{.*}} -> tensor<1x2x2x2xi48>
// CHECK: %[[Q:.*]] = quantx.storage_cast %[[ACC]]
// CHECK: %[[I16:.*]] = quantx.requantize %[[Q]] {{.*}} -> tensor<1x2x2x2x!quantx.uniform<i16:f32, #quantx.per_tensor<scale = 1.1825922421948912E-4, zero_point = 0>>>
// CHECK: %[[S:.*]] = quantx.storage_cast %[[I16]] {{.*}} -> tensor<1x2x2x2xi16>
// CHECK: %[[RELU:.*]] = tosa.clamp %[[S]] {max_val = 32767 : i16, min_val = 0 : i16}
// CHECK: %[[BIAS:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<2xi48>}>
// CHECK: tosa.conv2d %[[RELU]], %{{.*}}, %[[BIAS]], {{.*}}acc_type = i48{{.*}} : (tensor<1x2x2x2xi16>, tensor<2x1x1x2xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x2x2x2xi48>
// CHECK: quantx.requantize {{.*}}!quantx.uniform<i48:f32{{.*}} -> tensor<1x2x2x2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.000000e+00
func.func @relu_between(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.25> : tensor<2xf32>}> : () -> tensor<2xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.75]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %q0 = quantx.quantize %x : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!qa>
  %d0 = quantx.dequantize %q0 : tensor<1x2x2x2x!qa> -> tensor<1x2x2x2xf32>
  %c1 = tosa.conv2d %d0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %q1 = quantx.quantize %c1 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!qm>
  %d1 = quantx.dequantize %q1 : tensor<1x2x2x2x!qm> -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %d1 {max_val = 3.4028234663852886e+38 : f32, min_val = 0.0 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = tosa.conv2d %r, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %q2 = quantx.quantize %c2 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!qo>
  %d2 = quantx.dequantize %q2 : tensor<1x2x2x2x!qo> -> tensor<1x2x2x2xf32>
  return %d2 : tensor<1x2x2x2xf32>
}

// An average pool between the point and the layer runs again on int16
// (zero points 0, an int32 accumulator), as does the reshape after it.
// CHECK-LABEL: func.func @pool_between
// CHECK: %[[X:.*]] = quantx.storage_cast %{{.*}} -> tensor<1x2x2x4xi16>
// CHECK: %[[POOL:.*]] = tosa.avg_pool2d %[[X]], %[[ZP:.*]], %[[ZP]] {acc_type = i32{{.*}} : (tensor<1x2x2x4xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x1x4xi16>
// CHECK: %[[FLAT:.*]] = tosa.reshape %[[POOL]], %{{.*}} -> tensor<1x1x4xi16>
// CHECK: tosa.matmul %[[FLAT]], {{.*}} -> tensor<1x1x2xi48>
func.func @pool_between(%x: tensor<1x2x2x4xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %q0 = quantx.quantize %x : tensor<1x2x2x4xf32> -> tensor<1x2x2x4x!qa>
  %d0 = quantx.dequantize %q0 : tensor<1x2x2x4x!qa> -> tensor<1x2x2x4xf32>
  %p = tosa.avg_pool2d %d0, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %f = tosa.reshape %p, %s : (tensor<1x1x1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<[[[0.5, -0.25], [1.0, 0.75], [0.125, 0.0], [-1.0, 0.5]]]> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %m = tosa.matmul %f, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %q1 = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %d1 = quantx.dequantize %q1 : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %d1 : tensor<1x1x2xf32>
}
