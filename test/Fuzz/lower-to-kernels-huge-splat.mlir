// A quantx-opt-fuzzer finding (2026-12-01): run on its own, without
// quantx-check-tensor-sizes before it, quantx-lower-to-kernels expanded this
// splat weight to 10^10 floats (40 GB) and ran out of memory. It now leaves
// a weight over the tensor-size limit to the reference lowering.
// RUN: quant-opt %s --pass-pipeline="builtin.module(func.func(quantx-lower-to-kernels{isa=generic}))" | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK: tosa.matmul
// CHECK-NOT: quantx.kernel_call
// A Linear layer with a splat weight of 100000x100000 (40 GB once expanded).
func.func @main(%x: tensor<1x100000xf32>) -> tensor<1x100000xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x100000x100000xf32>}> : () -> tensor<1x100000x100000xf32>
  %s3 = tosa.const_shape {values = dense<[1, 1, 100000]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s2 = tosa.const_shape {values = dense<[1, 100000]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %a = tosa.reshape %x, %s3 : (tensor<1x100000xf32>, !tosa.shape<3>) -> tensor<1x1x100000xf32>
  %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x1x100000xf32>, tensor<1x100000x100000xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x100000xf32>
  %y = tosa.reshape %m, %s2 : (tensor<1x1x100000xf32>, !tosa.shape<2>) -> tensor<1x100000xf32>
  return %y : tensor<1x100000xf32>
}
