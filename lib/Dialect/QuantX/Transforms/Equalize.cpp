//===- Equalize.cpp - cross-layer equalization ----------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Scales the channels between two layers so that each channel's weight
// range is the same in both (Nagel et al., "Data-Free Quantization Through
// Weight Equalization and Bias Correction", ICCV 2019), which makes
// per-tensor weight quantization viable where one channel's range would
// otherwise set the grid for all.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <limits>

namespace mlir::quantx {
#define GEN_PASS_DEF_EQUALIZE
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

static constexpr llvm::StringLiteral kPass = "quantx-equalize";

namespace {
/// A layer's float weights and bias as the sweeps rescale them.
struct LayerState {
  ShapedType weightType;
  std::vector<double> weights;
  /// One per output channel; the op holding it (the layer, or a matmul's
  /// bias add) and its operand.
  std::vector<double> bias;
  Operation *biasOwner = nullptr;
  unsigned biasOperand = 0;
  double spreadBefore = 0;
};

/// Two layers with channels in between that scale freely.
struct Pair {
  Operation *producer, *consumer;
  int64_t channels;
  /// ReLU6 clamps in between (replaced with relu6=relu).
  SmallVector<tosa::ClampOp> boundedClamps;
};

struct EqualizePass : mlir::quantx::impl::EqualizeBase<EqualizePass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// The state of `layer`, created on first use; null when the layer
  /// cannot be rescaled (weights or bias not constant f32).
  LayerState *getState(Operation *layer);
  /// The pair `producer` starts, if any.
  std::optional<Pair> findPair(Operation *producer);

  llvm::MapVector<Operation *, LayerState> states;
};
} // namespace

static bool isLayer(Operation *op) {
  return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op);
}

/// The largest |w| of each output channel of `layer`.
static std::vector<double> getOutputRanges(Operation *layer,
                                           const LayerState &state) {
  WeightChannels channelOf = getWeightChannels(layer, state.weightType);
  std::vector<double> ranges(channelOf.count, 0.0);
  for (auto [i, w] : llvm::enumerate(state.weights))
    ranges[channelOf.of(int64_t(i))] =
        std::max(ranges[channelOf.of(int64_t(i))], std::abs(w));
  return ranges;
}

/// Largest over smallest nonzero output channel range: how much a single
/// per-tensor scale wastes on the narrow channels.
static double getSpread(Operation *layer, const LayerState &state) {
  double lo = INFINITY, hi = 0;
  for (double r : getOutputRanges(layer, state))
    if (r > 0) {
      lo = std::min(lo, r);
      hi = std::max(hi, r);
    }
  return hi > 0 ? hi / lo : 1.0;
}

LayerState *EqualizePass::getState(Operation *layer) {
  auto it = states.find(layer);
  if (it != states.end())
    return &it->second;
  DenseElementsAttr weights = getConstantElements(layer->getOperand(1));
  if (!weights || !weights.getElementType().isF32() ||
      !weights.getType().hasStaticShape())
    return nullptr;
  LayerState state;
  state.weightType = weights.getType();
  SmallVector<double> values = getFloatValues(weights);
  state.weights.assign(values.begin(), values.end());
  int64_t channels = getWeightChannels(layer, state.weightType).count;
  if (auto matmul = dyn_cast<tosa::MatMulOp>(layer)) {
    if (state.weightType.getShape()[0] != 1)
      return nullptr;
    // No bias add: nothing to rescale but the weights.
    state.bias.assign(channels, 0.0);
    // The bias add after it, if any: a constant over the last dimension.
    Value result = matmul.getResult();
    if (result.hasOneUse())
      if (auto add = dyn_cast<tosa::AddOp>(*result.getUsers().begin()))
        for (unsigned operand : {0u, 1u}) {
          DenseElementsAttr bias =
              getConstantElements(add->getOperand(operand));
          if (add->getOperand(1 - operand) != result || !bias ||
              !bias.getElementType().isF32())
            continue;
          ArrayRef<int64_t> shape = bias.getType().getShape();
          if (shape.empty() ||
              (shape.back() != channels && shape.back() != 1) ||
              bias.getType().getNumElements() != shape.back())
            continue;
          SmallVector<double> b = getFloatValues(bias);
          state.bias.assign(channels, b.size() == 1 ? b[0] : 0.0);
          if (b.size() != 1)
            state.bias.assign(b.begin(), b.end());
          state.biasOwner = add;
          state.biasOperand = operand;
          break;
        }
  } else {
    DenseElementsAttr bias = getConstantElements(layer->getOperand(2));
    if (!bias || !bias.getElementType().isF32())
      return nullptr;
    SmallVector<double> b = getFloatValues(bias);
    if (b.size() != 1 && int64_t(b.size()) != channels)
      return nullptr;
    state.bias.assign(channels, b[0]);
    if (b.size() != 1)
      state.bias.assign(b.begin(), b.end());
    state.biasOwner = layer;
    state.biasOperand = 2;
  }
  state.spreadBefore = getSpread(layer, state);
  return &states.insert({layer, std::move(state)}).first->second;
}

/// Whether `clamp` is a ReLU (0 to the float maximum), and its upper bound.
static bool isRelu(tosa::ClampOp clamp, double &upper) {
  auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!lo || !hi || lo.getValueAsDouble() != 0)
    return false;
  upper = hi.getValueAsDouble();
  return true;
}

std::optional<Pair> EqualizePass::findPair(Operation *producer) {
  LayerState *state = getState(producer);
  if (!state)
    return std::nullopt;
  int64_t channels = int64_t(state->bias.size());
  Pair pair{producer, nullptr, channels, {}};
  Value value = producer->getResult(0);
  if (state->biasOwner && state->biasOwner != producer)
    value = state->biasOwner->getResult(0);
  auto lastDim = [](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getRank() ? type.getShape().back() : int64_t(-1);
  };
  while (value.hasOneUse()) {
    OpOperand &use = *value.getUses().begin();
    Operation *user = use.getOwner();
    if (isLayer(user)) {
      // The chain ends at the consumer's input, channel last.
      if (use.getOperandNumber() != 0 || lastDim(value) != channels ||
          !getState(user))
        return std::nullopt;
      if (auto matmul = dyn_cast<tosa::MatMulOp>(user))
        if (cast<ShapedType>(matmul.getA().getType()).getShape()[0] != 1)
          return std::nullopt;
      pair.consumer = user;
      return pair;
    }
    if (isa<tosa::ReshapeOp>(user)) {
      // Data order is kept: channel = flat index mod C wherever the last
      // dimension is C again.
    } else if (auto clamp = dyn_cast<tosa::ClampOp>(user)) {
      double upper = 0;
      if (!isRelu(clamp, upper))
        return std::nullopt;
      if (upper < std::numeric_limits<float>::max())
        pair.boundedClamps.push_back(clamp);
    } else if (isa<tosa::MaxPool2dOp, tosa::AvgPool2dOp>(user)) {
      if (lastDim(value) != channels)
        return std::nullopt;
    } else if (auto pad = dyn_cast<tosa::PadOp>(user)) {
      DenseElementsAttr padValue = getConstantElements(pad.getPadConst());
      SmallVector<double> v =
          padValue ? getFloatValues(padValue) : SmallVector<double>{};
      if (lastDim(value) != channels || v.size() != 1 || v[0] != 0 ||
          lastDim(pad.getResult()) != channels)
        return std::nullopt;
    } else {
      return std::nullopt;
    }
    value = user->getResult(0);
  }
  return std::nullopt;
}

void EqualizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (relu6 != "stop" && relu6 != "relu") {
    func.emitError(kPass) << ": relu6 must be stop or relu (the pipelines' "
                             "equalize= false, true or relu6-as-relu), got '"
                          << relu6 << "'";
    return signalPassFailure();
  }
  if (!(tolerance > 0) || maxSweeps < 1) {
    func.emitError(kPass) << ": tolerance and max-sweeps must be positive";
    return signalPassFailure();
  }
  SmallVector<Pair> pairs;
  func.walk([&](Operation *op) {
    if (!isLayer(op))
      return;
    std::optional<Pair> pair = findPair(op);
    if (!pair)
      return;
    if (!pair->boundedClamps.empty() && relu6 == "stop") {
      emitRemark(op->getLoc(), kPass)
          << ": not equalized with the next layer: a ReLU6 lies between "
             "(relu6=relu would replace it with a ReLU)";
      return;
    }
    pairs.push_back(*pair);
  });
  if (pairs.empty())
    return;

  int64_t sweeps = 0;
  for (double largestChange = INFINITY;
       largestChange > tolerance && sweeps < maxSweeps; ++sweeps) {
    largestChange = 0;
    for (const Pair &pair : pairs) {
      LayerState &first = states.find(pair.producer)->second;
      LayerState &second = states.find(pair.consumer)->second;
      std::vector<double> r1 = getOutputRanges(pair.producer, first);
      std::vector<double> r2(pair.channels, 0.0);
      for (auto [i, w] : llvm::enumerate(second.weights)) {
        int64_t c =
            getWeightInputChannel(pair.consumer, second.weightType, int64_t(i));
        r2[c] = std::max(r2[c], std::abs(w));
      }
      std::vector<double> scales(pair.channels, 1.0);
      for (int64_t c = 0; c < pair.channels; ++c) {
        if (r1[c] > 0 && r2[c] > 0)
          scales[c] = std::sqrt(r1[c] / r2[c]);
        largestChange = std::max(largestChange, std::abs(scales[c] - 1));
      }
      WeightChannels outOf = getWeightChannels(pair.producer, first.weightType);
      for (auto [i, w] : llvm::enumerate(first.weights))
        w /= scales[outOf.of(int64_t(i))];
      for (auto [c, b] : llvm::enumerate(first.bias))
        b /= scales[c];
      for (auto [i, w] : llvm::enumerate(second.weights))
        w *= scales[getWeightInputChannel(pair.consumer, second.weightType,
                                          int64_t(i))];
    }
  }

  for (const Pair &pair : pairs)
    for (tosa::ClampOp clamp : pair.boundedClamps) {
      clamp.emitWarning(kPass)
          << ": ReLU6 replaced with a ReLU to equalize the layers around it: "
             "the float function changes where its input exceeds "
          << cast<FloatAttr>(clamp.getMaxValAttr()).getValueAsDouble();
      clamp.setMaxValAttr(FloatAttr::get(Float32Type::get(&getContext()),
                                         std::numeric_limits<float>::max()));
    }
  // Replaces operand `index` of `op` by `values`, erasing the old
  // constant once nothing else reads it.
  auto replaceConstant = [](Operation *op, unsigned index,
                            DenseElementsAttr values) {
    Operation *old = op->getOperand(index).getDefiningOp();
    OpBuilder b(op);
    op->setOperand(index, createConst(b, op->getLoc(), values));
    if (old && old->use_empty())
      old->erase();
  };
  for (auto &[layer, state] : states) {
    bool rescaled = llvm::any_of(pairs, [&, layer = layer](const Pair &p) {
      return p.producer == layer || p.consumer == layer;
    });
    if (!rescaled)
      continue;
    std::vector<float> weights(state.weights.begin(), state.weights.end());
    replaceConstant(
        layer, 1,
        DenseElementsAttr::get(cast<RankedTensorType>(state.weightType),
                               ArrayRef<float>(weights)));
    if (state.biasOwner) {
      std::vector<float> bias(state.bias.begin(), state.bias.end());
      auto oldType = cast<RankedTensorType>(
          state.biasOwner->getOperand(state.biasOperand).getType());
      SmallVector<int64_t> shape(oldType.getShape());
      shape.back() = int64_t(bias.size());
      replaceConstant(
          state.biasOwner, state.biasOperand,
          DenseElementsAttr::get(oldType.clone(shape), ArrayRef<float>(bias)));
    }
    layer->emitRemark(kPass)
        << ": weight range spread (largest / smallest output channel range) "
        << llvm::formatv("{0:f1}", state.spreadBefore) << " -> "
        << llvm::formatv("{0:f1}", getSpread(layer, state));
  }
  emitRemark(func.getLoc(), kPass)
      << ": " << pairs.size() << " layer pairs, " << sweeps << " sweeps";
}
