//===- CheckAccumulators.cpp - prove int32 accumulators do not overflow ---===//

#include "Utils.h"
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

/// Largest |x - zp| of the int8 operand `value` with zero point operand `zp`.
static std::optional<int64_t> getOperandBound(Value value, Value zp) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.getElementType().isInteger(8))
    return std::nullopt;
  int64_t zeroPoint = 0;
  if (DenseElementsAttr elements = getConstantElements(zp))
    zeroPoint = (*elements.getValues<APInt>().begin()).getSExtValue();
  return std::max(std::abs(-128 - zeroPoint), std::abs(127 - zeroPoint));
}

/// max over output channels of sum_k |w[o, k]|, or K * max|w| when the
/// weights are not constant.
static std::optional<int64_t> getWeightBound(Operation *op, Value weights,
                                             Value zp, int64_t reduction) {
  DenseElementsAttr elements = getConstantElements(weights);
  if (!elements) {
    std::optional<int64_t> bound = getOperandBound(weights, zp);
    return bound ? std::optional(*bound * reduction) : std::nullopt;
  }
  int64_t zeroPoint = 0;
  if (DenseElementsAttr zpElements = getConstantElements(zp))
    zeroPoint = (*zpElements.getValues<APInt>().begin()).getSExtValue();
  WeightChannels channels = getWeightChannels(op, elements.getType());
  SmallVector<int64_t> sums(channels.count, 0);
  for (auto [i, w] : llvm::enumerate(elements.getValues<APInt>()))
    sums[channels.of(i)] += std::abs(w.getSExtValue() - zeroPoint);
  return *llvm::max_element(sums);
}

namespace {
struct CheckAccumulatorsPass
    : quantx::impl::CheckAccumulatorsBase<CheckAccumulatorsPass> {
  void runOnOperation() override {
    bool failedCheck = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
        return;
      auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
      if (!resultType.getElementType().isInteger(32))
        return;
      bool isMatMul = isa<tosa::MatMulOp>(op);
      Value input = op->getOperand(0), weights = op->getOperand(1);
      Value inputZp = op->getOperand(isMatMul ? 2 : 3);
      Value weightZp = op->getOperand(isMatMul ? 3 : 4);
      auto weightType = cast<RankedTensorType>(weights.getType());
      int64_t reduction;
      if (isa<tosa::Conv2DOp>(op))
        reduction = weightType.getNumElements() / weightType.getShape()[0];
      else if (isa<tosa::DepthwiseConv2DOp>(op))
        reduction = weightType.getShape()[0] * weightType.getShape()[1];
      else
        reduction = weightType.getShape()[1];
      std::optional<int64_t> a = getOperandBound(input, inputZp);
      std::optional<int64_t> w =
          getWeightBound(op, weights, weightZp, reduction);
      if (!a || !w)
        return;
      int64_t bias = 0;
      if (!isMatMul)
        if (DenseElementsAttr elements = getConstantElements(op->getOperand(2)))
          for (APInt v : elements.getValues<APInt>())
            bias = std::max(bias, std::abs(v.getSExtValue()));
      // |sum| <= max|a| * max_o sum_k |w| + max|bias|, computed in double
      // (exact below 2^53).
      double bound = double(*a) * double(*w) + double(bias);
      double limit = 2147483647.0;
      if (bound > limit) {
        op->emitError("quantx-check-accumulators: the int32 accumulator may "
                      "overflow: |acc| <= ")
            << int64_t(bound) << " (K = " << reduction << ", max|a| = " << *a
            << ") exceeds 2^31 - 1; split the reduction or use wider "
               "accumulators";
        failedCheck = true;
        return;
      }
      op->emitRemark("quantx-check-accumulators: |acc| <= ")
          << int64_t(bound) << " fits int32 (K = " << reduction
          << ", max|a| = " << *a << ", headroom "
          << llvm::formatv("{0:F1}", std::log2(limit / std::max(bound, 1.0)))
                 .str()
          << " bits)";
    });
    if (failedCheck)
      signalPassFailure();
  }
};
} // namespace
