//===- FoldCalibration.cpp - statistics to quantize/dequantize pairs ------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "quant-x/Dialect/QuantX/Transforms/RangeEstimators.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_FOLDCALIBRATION
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// Whether `value` is returned, directly or through ops that keep its
/// quantization (a reshape of the logits, say).
static bool isReturned(Value value) {
  return llvm::any_of(value.getUsers(), [](Operation *user) {
    if (isa<func::ReturnOp>(user))
      return true;
    return keepsQuantization(user) && user->getNumResults() == 1 &&
           isReturned(user->getResult(0));
  });
}

/// Whether a layer with sign (1-bit) activations reads `value`, directly or
/// through data movement, pools and clamps.
static bool feedsSignActivations(Value value) {
  return llvm::any_of(value.getUses(), [](OpOperand &use) {
    Operation *user = use.getOwner();
    if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(user))
      return use.getOperandNumber() == 0 &&
             getPrecision(user).getActivations() == 1;
    return isActivationPath(user) && use.getOperandNumber() == 0 &&
           feedsSignActivations(user->getResult(0));
  });
}

namespace {
struct FoldCalibrationPass
    : quantx::impl::FoldCalibrationBase<FoldCalibrationPass> {
  using FoldCalibrationBase::FoldCalibrationBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (!llvm::is_contained({"minmax", "percentile", "entropy", "mse", "octav"},
                            StringRef(method)))
      return emitError(UnknownLoc::get(ctx))
             << "quantx-fold-calibration: unknown calibration method '"
             << method
             << "' (expected minmax, percentile, entropy, mse or octav)";
    if (!(percentile > 50 && percentile <= 100))
      return emitError(UnknownLoc::get(ctx))
             << "quantx-fold-calibration: percentile must be in (50, 100], "
                "got "
             << percentile;
    return success();
  }

  Range estimate(CalibStatsAttr stats, bool isBoundary) const {
    double min = stats.getMin().convertToDouble();
    double max = stats.getMax().convertToDouble();
    HistogramAttr histogram = stats.getHistogram();
    // Function arguments and results keep their whole observed range:
    // clipping an input discards data the model was given (bright pixels),
    // clipping an output merges the values its consumer compares (logits).
    if (!histogram || method == "minmax" || isBoundary)
      return estimateMinMax({min, max, {}});
    HistogramView view{histogram.getMin().convertToDouble(),
                       histogram.getMax().convertToDouble(),
                       histogram.getCounts()};
    if (method == "percentile")
      return estimatePercentile(view, percentile);
    if (method == "entropy")
      return estimateEntropy(view);
    if (method == "octav")
      return estimateOctav(view);
    return estimateMse(view);
  }

  /// Replaces the uses of `value` by dequantize(quantize(value)).
  void insertQuantization(OpBuilder &b, Value value, CalibStatsAttr stats) {
    AffineParams params = getAffineParams(
        estimate(stats, isa<BlockArgument>(value) || isReturned(value)));
    auto type = cast<RankedTensorType>(value.getType());
    auto quantType =
        type.clone(getInt8Type(b.getContext(), params.scale, params.zeroPoint));
    Value q = QuantizeOp::create(b, value.getLoc(), quantType, value);
    if (feedsSignActivations(value)) {
      double meanMagnitude =
          stats.getHistogram()
              ? estimateMeanMagnitude(
                    {stats.getHistogram().getMin().convertToDouble(),
                     stats.getHistogram().getMax().convertToDouble(),
                     stats.getHistogram().getCounts()})
              : 0.0;
      q.getDefiningOp()->setAttr(kMeanMagnitudeAttrName,
                                 b.getF64FloatAttr(meanMagnitude));
    }
    Value dq = DequantizeOp::create(b, value.getLoc(), type, q);
    value.replaceAllUsesExcept(dq, q.getDefiningOp());
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    OpBuilder b(func.getBody());
    bool found = false;
    for (BlockArgument arg : func.getArguments()) {
      auto stats = func.getArgAttrOfType<CalibStatsAttr>(arg.getArgNumber(),
                                                         kCalibAttrName);
      if (!stats)
        continue;
      found = true;
      b.setInsertionPointToStart(&func.getBody().front());
      insertQuantization(b, arg, stats);
      func.removeArgAttr(arg.getArgNumber(), kCalibAttrName);
    }
    func.walk([&](Operation *op) {
      auto perResult = op->getAttrOfType<ArrayAttr>(kCalibAttrName);
      if (!perResult)
        return;
      op->removeAttr(kCalibAttrName);
      b.setInsertionPointAfter(op);
      for (auto [result, attr] : llvm::zip(op->getResults(), perResult))
        if (auto stats = dyn_cast<CalibStatsAttr>(attr)) {
          found = true;
          insertQuantization(b, result, stats);
        }
    });
    // A function without quantization points (a QDQ model, a helper) needs
    // no statistics.
    bool hasPoints =
        llvm::any_of(func.getArguments(), isQuantizationPoint) ||
        func.walk([](Operation *op) {
              return llvm::any_of(op->getResults(), isQuantizationPoint)
                         ? WalkResult::interrupt()
                         : WalkResult::advance();
            })
            .wasInterrupted();
    if (!found && func.isPublic() && hasPoints) {
      func.emitError("quantx-fold-calibration: no calibration statistics in @")
          << func.getSymName()
          << ": run quantx-calibrate first (quantize-int8 needs "
             "calibration-data=<file.npy>)";
      signalPassFailure();
    }
  }
};
} // namespace
