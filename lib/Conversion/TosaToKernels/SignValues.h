//===- SignValues.h - proving a tensor holds only -1, 0 and +1 --*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The XNOR-popcount kernel reads each activation as its sign and whether it
// is zero, which is exact only for values in {-1, 0, +1}. quantx-quantize's
// sign activations are such values by construction (a tosa.select between
// +1 and -1); this analysis recognizes them through the ops that only move,
// crop or pad elements.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_CONVERSION_TOSATOKERNELS_SIGNVALUES_H
#define QUANTX_LIB_CONVERSION_TOSATOKERNELS_SIGNVALUES_H

#include "mlir/IR/Value.h"

namespace mlir::quantx {

/// Whether every element of the integer tensor `value` is provably -1, 0 or
/// +1.
bool isSignValued(Value value);

} // namespace mlir::quantx

#endif // QUANTX_LIB_CONVERSION_TOSATOKERNELS_SIGNVALUES_H
