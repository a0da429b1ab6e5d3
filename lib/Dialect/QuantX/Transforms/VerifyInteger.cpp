//===- VerifyInteger.cpp - no float op inside a quantized function --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_VERIFYINTEGER
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

static bool isFloatLike(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  return isa<FloatType>(type);
}

namespace {
struct VerifyIntegerPass : quantx::impl::VerifyIntegerBase<VerifyIntegerPass> {
  using VerifyIntegerBase::VerifyIntegerBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool found = false;
    if (!allowFloatBoundary)
      for (auto [i, type] : llvm::enumerate(func.getFunctionType().getInputs()))
        if (isFloatLike(type)) {
          func.emitError("quantx-verify-integer: argument ")
              << i << " of @" << func.getSymName() << " is float (" << type
              << ")";
          found = true;
        }
    func.walk([&](Operation *op) {
      bool boundary = isa<QuantizeOp, DequantizeOp, func::ReturnOp>(op);
      if (boundary && allowFloatBoundary)
        return;
      bool floatOperand = llvm::any_of(op->getOperandTypes(), isFloatLike);
      bool floatResult = llvm::any_of(op->getResultTypes(), isFloatLike);
      if (!floatOperand && !floatResult)
        return;
      auto diagnostic = warnOnly ? op->emitWarning() : op->emitError();
      diagnostic << "quantx-verify-integer: '" << op->getName()
                 << "' computes in float inside an integer-only function";
      found |= !warnOnly;
    });
    if (found)
      signalPassFailure();
  }
};
} // namespace
