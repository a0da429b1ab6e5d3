// RUN: quant-opt %s -split-input-file --quantx-split-large-functions=max-ops=2 | FileCheck %s
// RUN: not quant-opt %s -split-input-file --quantx-split-large-functions=max-ops=0 2>&1 | FileCheck %s --check-prefix=ZERO

// ZERO: max-ops must be at least 1

// Six ops in segments of two: each segment becomes a private no_inline
// function taking what it uses from before and returning what is used
// after; the constant is cloned into the segments that use it and dropped
// from the caller.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: arith.constant
// CHECK: %[[A:.*]] = call @chain_part(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = call @chain_part_0(%[[A]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = call @chain_part_1(%[[B]], %[[X]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[C]]
// CHECK: func.func private @chain_part(%[[P:.*]]: tensor<4xf32>) -> tensor<4xf32> attributes {no_inline}
// CHECK-NEXT: %[[K:.*]] = arith.constant dense<2.0
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[P]], %[[K]]
// CHECK-NEXT: %[[N:.*]] = arith.addf %[[M]], %[[M]]
// CHECK-NEXT: return %[[N]]
// CHECK: func.func private @chain_part_0
// CHECK: func.func private @chain_part_1(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32>) -> tensor<4xf32>
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %k = arith.constant dense<2.0> : tensor<4xf32>
  %0 = arith.mulf %x, %k : tensor<4xf32>
  %1 = arith.addf %0, %0 : tensor<4xf32>
  %2 = arith.mulf %1, %k : tensor<4xf32>
  %3 = arith.subf %2, %1 : tensor<4xf32>
  %4 = arith.mulf %3, %x : tensor<4xf32>
  %5 = arith.addf %4, %x : tensor<4xf32>
  return %5 : tensor<4xf32>
}

// -----

// A dynamically shaped value never crosses a cut: the segment that defines
// it runs on to its last use.
// CHECK-LABEL: func.func @dynamic
// CHECK: call @dynamic_part(
// CHECK-NEXT: call @dynamic_part_0(
// CHECK-NEXT: return
// CHECK: func.func private @dynamic_part(%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK: tensor.cast %{{.*}} : tensor<4xf32> to tensor<?xf32>
// CHECK: call @observe(%{{.*}}) : (tensor<?xf32>) -> ()
// CHECK: return %{{.*}} : tensor<4xf32>
func.func private @observe(tensor<?xf32>)
func.func @dynamic(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %x, %x : tensor<4xf32>
  %d = tensor.cast %0 : tensor<4xf32> to tensor<?xf32>
  %1 = arith.mulf %0, %0 : tensor<4xf32>
  call @observe(%d) : (tensor<?xf32>) -> ()
  %2 = arith.addf %1, %1 : tensor<4xf32>
  %3 = arith.mulf %2, %2 : tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Stack memory and views of it never leave the segment that allocates it.
// CHECK-LABEL: func.func @stack
// CHECK: call @stack_part(
// CHECK-NEXT: call @stack_part_0(
// CHECK-NEXT: call @stack_part_1(
// CHECK-NEXT: return
// CHECK: func.func private @stack_part(%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>) attributes {no_inline}
// CHECK-NEXT: memref.alloca
// CHECK-NEXT: memref.subview
// CHECK-NEXT: memref.copy
// CHECK-NEXT: memref.copy
// CHECK-NEXT: return
func.func @stack(%x: memref<4xf32>, %y: memref<4xf32>) {
  %a = memref.alloca() : memref<8xf32>
  %v = memref.subview %a[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %x, %v : memref<4xf32> to memref<4xf32, strided<[1]>>
  memref.copy %v, %y : memref<4xf32, strided<[1]>> to memref<4xf32>
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  memref.copy %y, %x : memref<4xf32> to memref<4xf32>
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A tail returning a dynamically shaped value stays in the function.
// CHECK-LABEL: func.func @dynamic_result
// CHECK: call @dynamic_result_part(
// CHECK-NEXT: call @dynamic_result_part_0(
// CHECK-NEXT: tensor.cast
// CHECK-NEXT: arith.addf
// CHECK-NEXT: return
func.func @dynamic_result(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = arith.addf %x, %x : tensor<4xf32>
  %1 = arith.mulf %0, %0 : tensor<4xf32>
  %2 = arith.mulf %1, %1 : tensor<4xf32>
  %3 = arith.addf %2, %2 : tensor<4xf32>
  %d = tensor.cast %3 : tensor<4xf32> to tensor<?xf32>
  %4 = arith.addf %d, %d : tensor<?xf32>
  return %4 : tensor<?xf32>
}

// -----

// Functions no longer than twice max-ops are left alone.
// CHECK-LABEL: func.func @short
// CHECK-NOT: call
// CHECK: arith.addf
// CHECK-NEXT: return
func.func @short(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
