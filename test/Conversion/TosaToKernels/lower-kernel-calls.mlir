// RUN: quant-opt %s --split-input-file --verify-diagnostics --quantx-lower-kernel-calls | FileCheck %s

// A bufferized kernel call becomes an llvm.call of the runtime entry point:
// one pointer per buffer (aligned pointer + offset), null for the absent
// requantization table, the parameters as a constant global.
// CHECK-DAG: memref.global "private" constant @__quantx_kernel_params_0 : memref<30xi64> = dense<[0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0]>
// CHECK-LABEL: func.func @call
// CHECK: %[[X:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK: %[[XP:.*]] = llvm.inttoptr {{.*}} : i64 to !llvm.ptr
// CHECK: %[[WP:.*]] = llvm.inttoptr {{.*}} : i64 to !llvm.ptr
// CHECK: %[[BP:.*]] = llvm.inttoptr {{.*}} : i64 to !llvm.ptr
// CHECK: %[[N0:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: memref.get_global @__quantx_kernel_params_0
// CHECK: %[[PP:.*]] = llvm.inttoptr
// CHECK: memref.extract_aligned_pointer_as_index %arg3
// CHECK: %[[OP:.*]] = llvm.inttoptr
// CHECK: llvm.call @quantx_kernel_conv_s8(%[[XP]], %[[WP]], %[[BP]], %[[N0]], %[[PP]], %[[OP]])
// CHECK-NOT: quantx.kernel_call
// CHECK: llvm.func @quantx_kernel_conv_s8(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
func.func @call(%x: memref<1x4x4x2xi8>, %w: memref<16xi8>, %b: memref<2xi32>, %out: memref<1x4x4x2xi32>) {
  quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b : memref<1x4x4x2xi8>, memref<16xi8>, memref<2xi32>) outs(%out : memref<1x4x4x2xi32>) {params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0>}
  return
}

// -----

// Strided buffers go through contiguous copies: the input is copied in, the
// output written to a temporary and copied out; both are freed.
// CHECK-LABEL: func.func @strided
// CHECK: %[[IN:.*]] = memref.alloc() : memref<1x2x2x2xi8>
// CHECK: memref.copy %arg0, %[[IN]]
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<1x1x2x2xi8>
// CHECK: llvm.call @quantx_kernel_maxpool_s8
// CHECK: memref.copy %[[OUT]], %arg1
// CHECK-DAG: memref.dealloc %[[IN]]
// CHECK-DAG: memref.dealloc %[[OUT]]
func.func @strided(%x: memref<1x2x2x2xi8, strided<[32, 8, 2, 1], offset: 4>>, %out: memref<1x1x2x2xi8, strided<[64, 16, 4, 1], offset: 2>>) {
  quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : memref<1x2x2x2xi8, strided<[32, 8, 2, 1], offset: 4>>) outs(%out : memref<1x1x2x2xi8, strided<[64, 16, 4, 1], offset: 2>>) {params = array<i64: 0, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>}
  return
}

// -----

func.func @unbufferized(%x: tensor<1x2x2x2xi8>, %init: tensor<1x1x2x2xi8>) -> tensor<1x1x2x2xi8> {
  // expected-error @+1 {{quantx-lower-kernel-calls runs after bufferization}}
  %r = quantx.kernel_call "quantx_kernel_maxpool_s8"(%x : tensor<1x2x2x2xi8>) outs(%init : tensor<1x1x2x2xi8>) {params = array<i64: 0, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>} -> tensor<1x1x2x2xi8>
  return %r : tensor<1x1x2x2xi8>
}
