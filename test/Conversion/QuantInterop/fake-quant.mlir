// A fake-quant (quant.qcast then quant.dcast) keeps its quantization through
// the import: upstream's folder of dcast(qcast(x)) to x must not run.
// RUN: quant-opt %s --quantx-import-quant | FileCheck %s

// CHECK-LABEL: func.func @fake_quant
// CHECK: %[[Q:.*]] = quantx.quantize %{{.*}} : tensor<3xf32> -> tensor<3x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-02, zero_point = -3>>>
// CHECK: %[[D:.*]] = quantx.dequantize %[[Q]]
// CHECK: return %[[D]]
func.func @fake_quant(%x: tensor<3xf32>) -> tensor<3xf32> {
  %q = quant.qcast %x : tensor<3xf32> to tensor<3x!quant.uniform<i8:f32, 0.05:-3>>
  %d = quant.dcast %q : tensor<3x!quant.uniform<i8:f32, 0.05:-3>> to tensor<3xf32>
  return %d : tensor<3xf32>
}
