//===- Outlining.h - code moved into functions of its own for LLVM --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What quantx-outline-loop-nests and quantx-split-large-functions share:
// both move code into private functions that LLVM must compile separately.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_EXECUTIONENGINE_OUTLINING_H
#define QUANTX_LIB_EXECUTIONENGINE_OUTLINING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::quantx {

/// Whether `op` is a constant that outlined code clones rather than takes
/// as an argument.
inline bool isClonableConstant(Operation *op) {
  return op && op->hasTrait<OpTrait::ConstantLike>() &&
         op->getNumOperands() == 0;
}

/// A new private, empty function of `type` named `name` (made unique in
/// `symbols`) at `b`'s insertion point, marked `no_inline`: the point is a
/// separate function for LLVM.
inline func::FuncOp createOutlinedFunction(OpBuilder &b, Location loc,
                                           const Twine &name, FunctionType type,
                                           SymbolTable &symbols) {
  auto callee = func::FuncOp::create(b, loc, name.str(), type);
  callee.setPrivate();
  callee->setAttr("no_inline", b.getUnitAttr());
  symbols.insert(callee); // renames it to be unique
  return callee;
}

} // namespace mlir::quantx

#endif // QUANTX_LIB_EXECUTIONENGINE_OUTLINING_H
