// RUN: quant-opt %s -split-input-file --quantx-outline-loop-nests | FileCheck %s

// Two loop nests on buffers: each moves into a private no_inline function
// of its own, called in its place; the constant its body uses is cloned in.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK: call @main_loops(%[[A]], %[[B]]) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: call @main_loops_0(%[[B]]) : (memref<4xf32>) -> ()
// CHECK-NEXT: return
// CHECK-DAG: func.func private @main_loops_0(%{{.*}}: memref<4xf32>) attributes {no_inline}
// CHECK-DAG: func.func private @main_loops(%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>) attributes {no_inline} {
// CHECK-NEXT: arith.constant 2.0
// CHECK-NEXT: linalg.generic
#map = affine_map<(d0) -> (d0)>
func.func @main(%a: memref<4xf32>, %b: memref<4xf32>) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#map], iterator_types = ["parallel"]} outs(%b : memref<4xf32>) {
  ^bb0(%y: f32):
    %s = arith.addf %y, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A single loop nest gains nothing from a function of its own: unchanged.
// CHECK-LABEL: func.func @single
// CHECK-NOT: call
// CHECK: linalg.generic
func.func @single(%b: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%b : memref<4xf32>) {
  ^bb0(%y: f32):
    linalg.yield %y : f32
  }
  return
}

// -----

// Equivalent loop nests (the same body on the same types, as layers of one
// shape give) share one function; a different constant makes another.
// CHECK-LABEL: func.func @shared
// CHECK: call @shared_loops(%{{.*}}, %{{.*}}) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: call @shared_loops(%{{.*}}, %{{.*}}) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: call @shared_loops_{{[0-9]+}}(%{{.*}}, %{{.*}}) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: return
// CHECK-COUNT-2: func.func private @shared_loops
// CHECK-NOT: func.func private
#id = affine_map<(d0) -> (d0)>
func.func @shared(%a: memref<4xf32>, %b: memref<4xf32>, %c: memref<4xf32>) {
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%b : memref<4xf32>) outs(%c : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%c : memref<4xf32>) outs(%a : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %three : f32
    linalg.yield %m : f32
  }
  return
}
