// RUN: quant-opt %s -split-input-file --quantx-import-quant | FileCheck %s
// RUN: quant-opt %s -split-input-file --quantx-import-quant --quantx-export-quant | FileCheck %s --check-prefix=BACK

// CHECK-LABEL: func.func @per_tensor
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[Q:.*]] = quantx.quantize %{{.*}} : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-01, zero_point = -3>>>
// Nothing folds during the conversion (upstream's folders would drop
// quantization: fake-quant.mlir); the canonicalizer folds the round trip.
// CHECK: %[[S:.*]] = quantx.storage_cast %[[Q]] : {{.*}} -> tensor<4xi8>
// CHECK: %[[B:.*]] = quantx.storage_cast %[[S]]
// CHECK: quantx.dequantize %[[B]]
// BACK-LABEL: func.func @per_tensor
// BACK: %[[Q:.*]] = quant.qcast %{{.*}} : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// BACK: %[[S:.*]] = quant.scast %[[Q]]
// BACK: %[[B:.*]] = quant.scast %[[S]]
// BACK: quant.dcast %[[B]]
func.func @per_tensor(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %s = quant.scast %q : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> to tensor<4xi8>
  %b = quant.scast %s : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %d = quant.dcast %b : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> to tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @per_axis_narrow_unsigned
// CHECK-SAME: tensor<2x3x!quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 1, scales = [1.000000e-01, 2.000000e-01, 3.000000e-01], zero_points = [0, 0, 0]>>>
// CHECK-SAME: tensor<2x!quantx.uniform<ui8:f32, #quantx.per_tensor<scale = 2.500000e-01, zero_point = 128>>>
// BACK-LABEL: func.func @per_axis_narrow_unsigned
// BACK-SAME: tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>
// BACK-SAME: tensor<2x!quant.uniform<u8:f32, 2.500000e-01:128>>
func.func @per_axis_narrow_unsigned(%w: tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2, 0.3}>>, %a: tensor<2x!quant.uniform<u8:f32, 0.25:128>>) {
  return
}

// -----

// CHECK-LABEL: func.func @sub_channel
// CHECK-SAME: !quantx.uniform<i4:f32, #quantx.per_block<block_sizes = [2, 2], scales = dense<{{.*}}> : tensor<1x2xf32>, zero_points = dense<0> : tensor<1x2xi64>>>
// BACK-LABEL: func.func @sub_channel
// BACK-SAME: !quant.uniform<i4:f32:{1:2}, {{.*}}>
func.func @sub_channel(%w: tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{2.0:0, 3.0:0}}>>) {
  return
}
