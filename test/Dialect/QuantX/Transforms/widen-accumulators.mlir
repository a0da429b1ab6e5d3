// RUN: quant-opt %s --quantx-widen-accumulators --split-input-file --verify-diagnostics | FileCheck %s

!acc = !quantx.uniform<i32:f32, #quantx.per_tensor<scale = 1.0e-04, zero_point = 0>>
!out = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 300.0, zero_point = -128>>

// The quantizer's matmul with the input zero point (-128) folded into a
// correction row: 128 * 127 * 70000 + 127 * 70000 * 128 leaves int32.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[X:.*]] = tosa.cast %{{.*}} : (tensor<1x1x70000xi8>) -> tensor<1x1x70000xi16>
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<127> : tensor<1x70000x1xi16>}>
// CHECK-DAG: %[[ZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi16>}>
// CHECK: %[[M:.*]] = tosa.matmul %[[X]], %[[W]], %{{.*}}, %{{.*}} : {{.*}} -> tensor<1x1x1xi48>
// CHECK: %[[CORR:.*]] = "tosa.const"() <{values = dense<1137920000> : tensor<1x1x1xi48>}>
// CHECK: %[[S:.*]] = tosa.add %[[M]], %[[CORR]] : (tensor<1x1x1xi48>, tensor<1x1x1xi48>) -> tensor<1x1x1xi48>
// CHECK: %[[Q:.*]] = quantx.storage_cast %[[S]] : tensor<1x1x1xi48> -> tensor<1x1x1x!quantx.uniform<i48:f32, #quantx.per_tensor<scale = 1.000000e-04, zero_point = 0>>>
// CHECK: quantx.requantize %[[Q]] : tensor<1x1x1x!quantx.uniform<i48:f32, {{.*}}>> -> tensor<1x1x1x!quantx.uniform<i8:f32
func.func @matmul(%x: tensor<1x1x70000xi8>) -> tensor<1x1x1x!out> {
  %w = "tosa.const"() <{values = dense<127> : tensor<1x70000x1xi8>}> : () -> tensor<1x70000x1xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %corr = "tosa.const"() <{values = dense<1137920000> : tensor<1x1x1xi32>}> : () -> tensor<1x1x1xi32>
  // expected-remark @+1 {{quantx-widen-accumulators: the int32 accumulator could reach 2266950000 (K = 70000, max|a| = 128); accumulating in int48}}
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x70000xi8>, tensor<1x70000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1xi32>
  %s = tosa.add %m, %corr : (tensor<1x1x1xi32>, tensor<1x1x1xi32>) -> tensor<1x1x1xi32>
  %q = quantx.storage_cast %s : tensor<1x1x1xi32> -> tensor<1x1x1x!acc>
  %r = quantx.requantize %q : tensor<1x1x1x!acc> -> tensor<1x1x1x!out>
  return %r : tensor<1x1x1x!out>
}

// -----

!acc = !quantx.uniform<i32:f32, #quantx.per_axis<axis = 3, scales = [1.0e-04, 2.0e-04]>>
!out = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 300.0, zero_point = 0>>

// A convolution: int16 activations, int8 weights, an i48 bias.
// CHECK-LABEL: func.func @conv
// CHECK: %[[X:.*]] = tosa.cast %{{.*}} : (tensor<1x1x1x70000xi8>) -> tensor<1x1x1x70000xi16>
// CHECK-DAG: %[[ZP16:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi16>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1000, -1000]> : tensor<2xi48>}>
// CHECK: tosa.conv2d %[[X]], %{{.*}}, %[[B]], %[[ZP16]], %{{.*}} {acc_type = i48, {{.*}}} : (tensor<1x1x1x70000xi16>, tensor<2x1x1x70000xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x1x1x2xi48>
// CHECK: tosa.sub %{{.*}}, %{{.*}} : (tensor<1x1x1x2xi48>, tensor<1x1x1x2xi48>) -> tensor<1x1x1x2xi48>
// CHECK: quantx.storage_cast %{{.*}} : tensor<1x1x1x2xi48> -> tensor<1x1x1x2x!quantx.uniform<i48:f32
func.func @conv(%x: tensor<1x1x1x70000xi8>) -> tensor<1x1x1x2x!out> {
  %w = "tosa.const"() <{values = dense<-127> : tensor<2x1x1x70000xi8>}> : () -> tensor<2x1x1x70000xi8>
  %b = "tosa.const"() <{values = dense<[1000, -1000]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-remark @+1 {{quantx-widen-accumulators: the int32 accumulator could reach 2266951000 (K = 70000, max|a| = 128); accumulating in int48}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x70000xi8>, tensor<2x1x1x70000xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x2xi32>
  %corr = "tosa.const"() <{values = dense<1137920000> : tensor<1x1x1x2xi32>}> : () -> tensor<1x1x1x2xi32>
  %s = tosa.sub %c, %corr : (tensor<1x1x1x2xi32>, tensor<1x1x1x2xi32>) -> tensor<1x1x1x2xi32>
  %q = quantx.storage_cast %s : tensor<1x1x1x2xi32> -> tensor<1x1x1x2x!acc>
  %r = quantx.requantize %q : tensor<1x1x1x2x!acc> -> tensor<1x1x1x2x!out>
  return %r : tensor<1x1x1x2x!out>
}

// -----

// A layer that fits int32 stays as it is; one whose accumulator reaches an op
// the rewrite does not know (reduce_sum) is left for quantx-check-accumulators
// to report.
// CHECK-LABEL: func.func @unchanged
// CHECK: tosa.matmul {{.*}} -> tensor<1x1x1xi32>
// CHECK: tosa.matmul {{.*}} -> tensor<1x1x1xi32>
func.func @unchanged(%x: tensor<1x1x1000xi8>, %y: tensor<1x1x70000xi8>) -> (tensor<1x1x1xi32>, tensor<1x1xi32>) {
  %w = "tosa.const"() <{values = dense<127> : tensor<1x1000x1xi8>}> : () -> tensor<1x1000x1xi8>
  %v = "tosa.const"() <{values = dense<127> : tensor<1x70000x1xi8>}> : () -> tensor<1x70000x1xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x1000xi8>, tensor<1x1000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1xi32>
  %n = tosa.matmul %y, %v, %zp, %zp : (tensor<1x1x70000xi8>, tensor<1x70000x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1xi32>
  %s = tosa.reduce_sum %n {axis = 2 : i32} : (tensor<1x1x1xi32>) -> tensor<1x1x1xi32>
  %t = tosa.reduce_sum %s {axis = 2 : i32} : (tensor<1x1x1xi32>) -> tensor<1x1x1xi32>
  %u = tosa.add %t, %t : (tensor<1x1x1xi32>, tensor<1x1x1xi32>) -> tensor<1x1x1xi32>
  %shape = tosa.const_shape {values = dense<[1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %u, %shape : (tensor<1x1x1xi32>, !tosa.shape<2>) -> tensor<1x1xi32>
  return %m, %r : tensor<1x1x1xi32>, tensor<1x1xi32>
}
