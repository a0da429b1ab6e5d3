//===- SignValues.cpp - proving a tensor holds only -1, 0 and +1 ----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "SignValues.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

/// Whether the integer constant `value` holds only -1, 0 and +1.
static bool isSignConstant(Value value) {
  DenseIntElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return false;
  return llvm::all_of(attr.getValues<APInt>(), [](const APInt &v) {
    return v.isZero() || v.isOne() || v.isAllOnes();
  });
}

bool mlir::quantx::isSignValued(Value value) {
  // Chains of data movement are short; the bound keeps a pathological IR
  // from recursing deeply.
  for (int depth = 0; depth < 32; ++depth) {
    if (!isa<IntegerType>(getElementTypeOrSelf(value.getType())))
      return false;
    if (isSignConstant(value))
      return true;
    Operation *def = value.getDefiningOp();
    if (!def)
      return false;
    if (auto select = dyn_cast<tosa::SelectOp>(def))
      return isSignConstant(select.getInput2()) &&
             isSignConstant(select.getInput3());
    if (auto pad = dyn_cast<tosa::PadOp>(def)) {
      if (!isSignConstant(pad.getPadConst()))
        return false;
      value = pad.getInput1();
      continue;
    }
    if (!isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp,
             tosa::IdentityOp>(def))
      return false;
    value = def->getOperand(0);
  }
  return false;
}
