// RUN: quant-opt --show-dialects | FileCheck %s
// CHECK: Available Dialects:
// CHECK-SAME: arith
// CHECK-SAME: func
// CHECK-SAME: linalg
// CHECK-SAME: llvm
// CHECK-SAME: memref
// CHECK-SAME: quant
// CHECK-SAME: quantx
// CHECK-SAME: scf
// CHECK-SAME: tensor
// CHECK-SAME: tosa
