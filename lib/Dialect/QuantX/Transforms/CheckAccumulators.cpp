//===- CheckAccumulators.cpp - prove integer values do not overflow -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The proof behind "int32 accumulators never overflow silently": the
// interval of every integer value the function computes (IntegerBounds)
// must lie within its type. Convolutions and matmuls get a remark with their
// bound and headroom; any value that may leave its type is an error at the
// op that computes it, since the code would silently wrap.
//
//===----------------------------------------------------------------------===//

#include "IntegerBounds.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>

namespace mlir::quantx {
#define GEN_PASS_DEF_CHECKACCUMULATORS
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// "K = 9, max|a| = 128" for reductions, "" otherwise.
static std::string describeReduction(const IntegerBounds &bounds,
                                     Operation *op) {
  std::optional<ReductionInfo> info = bounds.getReduction(op);
  if (!info)
    return "";
  return llvm::formatv("K = {0}, max|a| = {1}", info->length, info->maxInput)
      .str();
}

/// " (text)" unless text is empty.
static std::string parenthesized(StringRef text) {
  return text.empty() ? "" : (" (" + text + ")").str();
}

/// "int32" for i32, "int48" for i48.
static std::string typeName(Interval range) {
  int bits = 1;
  while (bits < 64 && (int64_t(1) << (bits - 1)) - 1 < range.hi)
    ++bits;
  return "int" + std::to_string(bits);
}

namespace {
struct CheckAccumulatorsPass
    : quantx::impl::CheckAccumulatorsBase<CheckAccumulatorsPass> {
  void runOnOperation() override {
    IntegerBounds bounds(getOperation());
    bool failedCheck = false;
    getOperation().walk([&](Operation *op) {
      if (!bounds.isModeled(op) || isa<tosa::ConstOp>(op))
        return;
      Value result = op->getResult(0);
      Interval range = getTypeRange(result.getType());
      Interval value = bounds.get(result).hull();
      std::string reduction = describeReduction(bounds, op);
      std::optional<Interval> inner = bounds.getInternalAccumulator(op);
      if (inner && !Interval::ofType(32).contains(*inner)) {
        op->emitError("quantx-check-accumulators: the int32 accumulator "
                      "inside this op may overflow: |acc| <= ")
            << inner->magnitude() << parenthesized(reduction)
            << " exceeds 2^31 - 1";
        failedCheck = true;
        return;
      }
      if (!range.contains(value)) {
        op->emitError("quantx-check-accumulators: the ")
            << typeName(range)
            << " value of this op may overflow: |acc| <= " << value.magnitude()
            << parenthesized(reduction) << " exceeds 2^"
            << llvm::Log2_64(uint64_t(range.hi) + 1)
            << " - 1; quantx-widen-accumulators accumulates such layers in "
               "int48";
        failedCheck = true;
        return;
      }
      if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
        return;
      double magnitude = std::max<double>(double(value.magnitude()), 1.0);
      std::string headroom = llvm::formatv(
          "headroom {0:F1} bits", std::log2(double(range.hi) / magnitude));
      emitRemark(op->getLoc(), "quantx-check-accumulators: |acc| <= ")
          << value.magnitude() << " fits " << typeName(range) << " ("
          << reduction << ", " << headroom << ")";
    });
    if (failedCheck)
      signalPassFailure();
  }
};
} // namespace
