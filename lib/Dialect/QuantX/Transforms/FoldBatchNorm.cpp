//===- FoldBatchNorm.cpp - per-channel affine ops into conv/matmul --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Decomposed batch norm after a conv or matmul is a chain of per-channel
// sub/mul/add with constants. Each link folds into the producer's weights
// and bias, so that quantization sees one linear op with the final ranges.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

namespace {
/// A per-channel `x op c`: the non-constant operand and the channel values.
struct ChannelAffine {
  Value input;
  SmallVector<double> values;
};
} // namespace

/// `op` as a per-channel affine step whose non-constant input has no other
/// use (so that folding it into that input's producer changes nothing else).
static std::optional<ChannelAffine> matchChannelAffine(Operation *op) {
  if (!isa<tosa::AddOp, tosa::SubOp, tosa::MulOp>(op))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !isFloatTensor(type) || type.getRank() == 0)
    return std::nullopt;
  if (auto mul = dyn_cast<tosa::MulOp>(op)) {
    DenseElementsAttr shift = getConstantElements(mul.getShift());
    if (!shift || !shift.isSplat() || !shift.getSplatValue<APInt>().isZero())
      return std::nullopt;
  }
  int64_t channels = type.getShape().back();
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  for (auto [input, constant] : {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    if (isa<tosa::SubOp>(op) && input != lhs)
      break;
    if (input.getType() != type || getConstantElements(input))
      continue;
    if (!input.hasOneUse())
      continue;
    if (auto values = getChannelValues(constant, channels))
      return ChannelAffine{input, std::move(*values)};
  }
  return std::nullopt;
}

/// `elements` with each element i changed by `update(i, value)`.
static DenseElementsAttr
mapElements(DenseElementsAttr elements,
            llvm::function_ref<double(int64_t, double)> update) {
  SmallVector<float> values;
  for (auto [i, v] : llvm::enumerate(getFloatValues(elements)))
    values.push_back(update(i, v));
  return DenseElementsAttr::get(elements.getType(), ArrayRef<float>(values));
}

namespace {
/// Folds one per-channel add/sub/mul into the producer of its input.
template <typename OpTy>
struct FoldChannelAffine : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::optional<ChannelAffine> affine = matchChannelAffine(op);
    if (!affine)
      return failure();
    Operation *producer = affine->input.getDefiningOp();
    if (!producer)
      return failure();
    ArrayRef<double> c = affine->values;
    bool isMul = isa<tosa::MulOp>(op);
    auto applyToBias = [&](int64_t ch, double b) {
      if (isMul)
        return b * c[ch];
      return isa<tosa::SubOp>(op) ? b - c[ch] : b + c[ch];
    };
    Location loc = op.getLoc();

    if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(producer)) {
      DenseElementsAttr weights = getConstantElements(producer->getOperand(1));
      DenseElementsAttr bias = getConstantElements(producer->getOperand(2));
      if (!weights || !bias || getFloatValues(bias).empty())
        return failure();
      int64_t channels = c.size();
      SmallVector<double> biasValues = getFloatValues(bias);
      if (biasValues.size() == 1)
        biasValues.assign(channels, biasValues[0]);
      if (int64_t(biasValues.size()) != channels)
        return failure();
      SmallVector<float> newBias;
      for (int64_t ch = 0; ch < channels; ++ch)
        newBias.push_back(applyToBias(ch, biasValues[ch]));
      auto biasType = RankedTensorType::get({channels}, bias.getElementType());
      Value biasConst = createConst(
          rewriter, loc, DenseElementsAttr::get(biasType, ArrayRef(newBias)));
      Value weightConst = producer->getOperand(1);
      if (isMul)
        weightConst = createConst(
            rewriter, loc, mapElements(weights, [&](int64_t i, double w) {
              return w *
                     c[getWeightChannels(producer, weights.getType()).of(i)];
            }));
      rewriter.modifyOpInPlace(producer, [&] {
        producer->setOperand(1, weightConst);
        producer->setOperand(2, biasConst);
      });
      rewriter.replaceOp(op, affine->input);
      return success();
    }

    // matmul [+ bias add]: the mul scales the columns (and the bias), an
    // add/sub changes the bias.
    auto matmul = dyn_cast<tosa::MatMulOp>(producer);
    auto biasAdd = dyn_cast<tosa::AddOp>(producer);
    std::optional<ChannelAffine> bias;
    if (biasAdd) {
      bias = matchChannelAffine(biasAdd);
      if (!bias)
        return failure();
      matmul = bias->input.getDefiningOp<tosa::MatMulOp>();
    }
    if (!matmul || (!isMul && !biasAdd))
      return failure();
    Value newInput = affine->input;
    if (isMul) {
      DenseElementsAttr weights = getConstantElements(matmul.getB());
      if (!weights)
        return failure();
      Value scaled = createConst(
          rewriter, loc, mapElements(weights, [&](int64_t i, double w) {
            return w * c[getWeightChannels(matmul, weights.getType()).of(i)];
          }));
      rewriter.modifyOpInPlace(matmul, [&] { matmul->setOperand(1, scaled); });
    }
    if (biasAdd) {
      Value biasOperand = biasAdd.getInput1() == bias->input
                              ? biasAdd.getInput2()
                              : biasAdd.getInput1();
      DenseElementsAttr biasElements = getConstantElements(biasOperand);
      SmallVector<float> newBias;
      for (auto [ch, b] : llvm::enumerate(bias->values))
        newBias.push_back(applyToBias(ch, b));
      auto biasType = RankedTensorType::get(
          SmallVector<int64_t>(biasElements.getType().getRank() - 1, 1),
          biasElements.getElementType());
      SmallVector<int64_t> shape(biasType.getShape());
      shape.push_back(newBias.size());
      Value biasConst = createConst(
          rewriter, loc,
          DenseElementsAttr::get(biasType.clone(shape), ArrayRef(newBias)));
      rewriter.modifyOpInPlace(biasAdd, [&] {
        biasAdd->setOperand(biasAdd.getInput1() == biasOperand ? 0 : 1,
                            biasConst);
      });
    }
    rewriter.replaceOp(op, newInput);
    return success();
  }
};

/// `op(reshape(y), c)` -> `reshape(op(y, c'))` when the reshape keeps the
/// channel (last) dimension and y comes from a conv or matmul, so that the
/// per-channel op meets its producer.
template <typename OpTy>
struct SinkReshape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::optional<ChannelAffine> affine = matchChannelAffine(op);
    if (!affine)
      return failure();
    auto reshape = affine->input.template getDefiningOp<tosa::ReshapeOp>();
    if (!reshape)
      return failure();
    Value source = reshape.getInput1();
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto resultType = cast<RankedTensorType>(reshape.getType());
    if (sourceType.getRank() == 0 ||
        sourceType.getShape().back() != resultType.getShape().back())
      return failure();
    Operation *producer = source.getDefiningOp();
    if (!producer || !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp,
                          tosa::MatMulOp, tosa::AddOp>(producer))
      return failure();
    int64_t channels = affine->values.size();
    SmallVector<int64_t> shape(sourceType.getRank() - 1, 1);
    shape.push_back(channels);
    SmallVector<float> values(affine->values.begin(), affine->values.end());
    Location loc = op.getLoc();
    Value constant = createConst(
        rewriter, loc,
        DenseElementsAttr::get(sourceType.clone(shape), ArrayRef(values)));
    Value moved;
    if constexpr (std::is_same_v<OpTy, tosa::MulOp>)
      moved = tosa::MulOp::create(rewriter, loc, sourceType, source, constant,
                                  op.getShift());
    else
      moved = OpTy::create(rewriter, loc, sourceType, source, constant);
    rewriter.replaceOpWithNewOp<tosa::ReshapeOp>(op, resultType, moved,
                                                 reshape.getShape());
    return success();
  }
};

struct FoldBatchNormPass : quantx::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldChannelAffine<tosa::AddOp>, FoldChannelAffine<tosa::SubOp>,
                 FoldChannelAffine<tosa::MulOp>, SinkReshape<tosa::AddOp>,
                 SinkReshape<tosa::SubOp>, SinkReshape<tosa::MulOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
