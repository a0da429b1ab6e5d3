// RUN: quant-opt %s --quantx-quantize --split-input-file --verify-diagnostics | FileCheck %s

!qx = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = -10>>
!qy = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = -128>>

// conv + ReLU: weights per output channel (max|w| -> 127), int32 bias at
// s_x * s_w with the input zero point folded in, padding by the zero point,
// the ReLU left to the output range.
// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[X:.*]] = quantx.storage_cast %{{.*}} : tensor<1x2x2x1x!quantx.uniform{{.*}}> -> tensor<1x2x2x1xi8>
// CHECK: %[[P:.*]] = tosa.pad %[[X]], %{{.*}}, %[[ZP:.*]] : (tensor<1x2x2x1xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x4x4x1xi8>
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2540, 0]> : tensor<2xi32>}>
// CHECK: %[[C:.*]] = tosa.conv2d %[[P]], %[[W]], %[[B]], %{{.*}}, %{{.*}} {acc_type = i32, {{.*}}pad = array<i64: 0, 0, 0, 0>
// CHECK-SAME: -> tensor<1x4x4x2xi32>
// CHECK: %[[A:.*]] = quantx.storage_cast %[[C]] : tensor<1x4x4x2xi32> -> tensor<1x4x4x2x!quantx.uniform<i32:f32, #quantx.per_axis<axis = 3, scales = [0.003937007874015748, 0.003937007874015748]>>>
// CHECK: %[[R:.*]] = quantx.requantize %[[A]] {{.*}} -> tensor<1x4x4x2x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 2.500000e-01, zero_point = -128>>>
// CHECK: %[[F:.*]] = quantx.dequantize %[[R]]
// CHECK: return %[[F]]
func.func @conv_relu(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x2xf32> {
  %q = quantx.quantize %x : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!qx>
  %d = quantx.dequantize %q : tensor<1x2x2x1x!qx> -> tensor<1x2x2x1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[5.0, 5.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %d, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %q2 = quantx.quantize %r : tensor<1x4x4x2xf32> -> tensor<1x4x4x2x!qy>
  %d2 = quantx.dequantize %q2 : tensor<1x4x4x2x!qy> -> tensor<1x4x4x2xf32>
  return %d2 : tensor<1x4x4x2xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 3>>
!qb = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.125, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// A residual add: both inputs to int32 at 2^-20 of twice the larger scale,
// an int32 add, one requantize to the output.
// CHECK-LABEL: func.func @residual_add
// CHECK: %[[A:.*]] = quantx.requantize %{{.*}} -> tensor<4x!quantx.uniform<i32:f32, #quantx.per_tensor<scale = 9.5367431640625E-7, zero_point = 0>>>
// CHECK: %[[AI:.*]] = quantx.storage_cast %[[A]]
// CHECK: %[[B:.*]] = quantx.requantize %{{.*}} -> tensor<4x!quantx.uniform<i32:f32, #quantx.per_tensor<scale = 9.5367431640625E-7, zero_point = 0>>>
// CHECK: %[[BI:.*]] = quantx.storage_cast %[[B]]
// CHECK: %[[S:.*]] = tosa.add %[[AI]], %[[BI]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: quantx.storage_cast %[[S]]
// CHECK: quantx.requantize
func.func @residual_add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %qa = quantx.quantize %a : tensor<4xf32> -> tensor<4x!qa>
  %da = quantx.dequantize %qa : tensor<4x!qa> -> tensor<4xf32>
  %qb = quantx.quantize %b : tensor<4xf32> -> tensor<4x!qb>
  %db = quantx.dequantize %qb : tensor<4x!qb> -> tensor<4xf32>
  %s = tosa.add %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %qs = quantx.quantize %s : tensor<4xf32> -> tensor<4x!qo>
  %ds = quantx.dequantize %qs : tensor<4x!qo> -> tensor<4xf32>
  return %ds : tensor<4xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 2>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// Fully connected: the matmul with a constant right-hand side gets the
// zero-point correction row (-zp * column sums) and its bias add in int32;
// the reshape works on the accumulator.
// CHECK-LABEL: func.func @fully_connected
// CHECK: %[[M:.*]] = tosa.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x1x2xi8>, tensor<1x2x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x2xi32>
// CHECK: %[[Z:.*]] = tosa.add %[[M]], %{{.*}} : (tensor<1x1x2xi32>, tensor<1x1x2xi32>) -> tensor<1x1x2xi32>
// CHECK: %[[B:.*]] = tosa.add %[[Z]], %{{.*}} : (tensor<1x1x2xi32>, tensor<1x1x2xi32>) -> tensor<1x1x2xi32>
// CHECK: %[[R:.*]] = tosa.reshape %[[B]], %{{.*}} : (tensor<1x1x2xi32>, !tosa.shape<2>) -> tensor<1x2xi32>
// CHECK: quantx.storage_cast %[[R]] : tensor<1x2xi32> -> tensor<1x2x!quantx.uniform<i32:f32, #quantx.per_axis<axis = 1, scales = [0.011811023622047244, 0.015748031496062992]>>>
func.func @fully_connected(%a: tensor<1x1x2xf32>) -> tensor<1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x2xf32> -> tensor<1x1x2x!qa>
  %d = quantx.dequantize %q : tensor<1x1x2x!qa> -> tensor<1x1x2xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 2.0], [3.0, -4.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %d, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %bias = "tosa.const"() <{values = dense<[[[0.5, -0.5]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %y = tosa.add %m, %bias : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  %s = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %y, %s : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %qo = quantx.quantize %r : tensor<1x2xf32> -> tensor<1x2x!qo>
  %do = quantx.dequantize %qo : tensor<1x2x!qo> -> tensor<1x2xf32>
  return %do : tensor<1x2xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 2>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.0078125, zero_point = -128>>

// An op without an integer form stays float between a dequantize and a
// quantize; max pooling before it runs on int8 with the input's scale.
// CHECK-LABEL: func.func @stays_float
// CHECK: %[[P:.*]] = tosa.max_pool2d %{{.*}} : (tensor<1x2x2x1xi8>) -> tensor<1x1x1x1xi8>
// CHECK: %[[Q:.*]] = quantx.storage_cast %[[P]]
// CHECK: %[[F:.*]] = quantx.dequantize %[[Q]]
// CHECK: %[[S:.*]] = tosa.sigmoid %[[F]] : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
// CHECK: quantx.quantize %[[S]]
func.func @stays_float(%a: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  %q = quantx.quantize %a : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!qa>
  %d = quantx.dequantize %q : tensor<1x2x2x1x!qa> -> tensor<1x2x2x1xf32>
  %p = tosa.max_pool2d %d {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  // expected-remark @+1 {{quantx-quantize: 'tosa.sigmoid' stays float}}
  %s = tosa.sigmoid %p : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  %qo = quantx.quantize %s : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!qo>
  %do = quantx.dequantize %qo : tensor<1x1x1x1x!qo> -> tensor<1x1x1x1xf32>
  return %do : tensor<1x1x1x1xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 2>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// Weights that carry their grid (a QDQ model's weight scales) keep it,
// -128 included: integers w / scale, accumulator scales 0.5 * [0.25, 0.5];
// a batch of weights gets its own zero-point correction row (-2 * colsum).
// CHECK-LABEL: func.func @weights_on_their_grid
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}4, 2], [-1, -1]], {{\[\[}}-1, -128], [0, 0]]]> : tensor<2x2x2xi8>}>
// CHECK: tosa.matmul %{{.*}}, %[[W]]
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}-6, -2]], {{\[\[}}2, 256]]]> : tensor<2x1x2xi32>}>
// CHECK: tosa.add %{{.*}}, %[[C]]
// CHECK: #quantx.per_axis<axis = 2, scales = [1.250000e-01, 2.500000e-01]>
func.func @weights_on_their_grid(%a: tensor<2x1x2xf32>) -> tensor<2x1x2xf32> {
  %q = quantx.quantize %a : tensor<2x1x2xf32> -> tensor<2x1x2x!qa>
  %d = quantx.dequantize %q : tensor<2x1x2x!qa> -> tensor<2x1x2xf32>
  %w = "tosa.const"() <{values = dense<[[[1.0, 1.0], [-0.25, -0.5]], [[-0.25, -64.0], [0.0, 0.0]]]> : tensor<2x2x2xf32>}> {quantx.weight_scales = array<f64: 0.25, 0.5>} : () -> tensor<2x2x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %d, %w, %zp, %zp : (tensor<2x1x2xf32>, tensor<2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x1x2xf32>
  %qo = quantx.quantize %m : tensor<2x1x2xf32> -> tensor<2x1x2x!qo>
  %do = quantx.dequantize %qo : tensor<2x1x2x!qo> -> tensor<2x1x2xf32>
  return %do : tensor<2x1x2xf32>
}

// -----

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// Weights off their grid (0.3 is no multiple of 0.25) are requantized at
// max|w| / 127 per channel, with a remark.
// CHECK-LABEL: func.func @weights_off_their_grid
// CHECK: dense<127> : tensor<1x1x2xi8>
func.func @weights_off_their_grid(%a: tensor<1x1x1xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x1xf32> -> tensor<1x1x1x!qa>
  %d = quantx.dequantize %q : tensor<1x1x1x!qa> -> tensor<1x1x1xf32>
  // expected-remark @+1 {{weights are off the grid of their quantx.weight_scales; requantized per channel}}
  %w = "tosa.const"() <{values = dense<[[[0.3, 0.5]]]> : tensor<1x1x2xf32>}> {quantx.weight_scales = array<f64: 0.25>} : () -> tensor<1x1x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %d, %w, %zp, %zp : (tensor<1x1x1xf32>, tensor<1x1x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %qo = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %do = quantx.dequantize %qo : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %do : tensor<1x1x2xf32>
}
