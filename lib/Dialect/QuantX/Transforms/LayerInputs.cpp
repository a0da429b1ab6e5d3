//===- LayerInputs.cpp - what layers read, and its quantization noise -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LayerInputs.h"

#include "ObserverCalls.h"
#include "Utils.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "quant-x/Dialect/QuantX/Transforms/RangeEstimators.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

/// Marks the layers so that the observer probe (a clone) finds them.
static constexpr llvm::StringLiteral kObservedIndexAttrName =
    "quantx.observed_input_index";

static constexpr llvm::StringLiteral kInputObserverName =
    "quantx_observe_layer_input";

/// The statistics the JIT's calls fill (one probe at a time per thread).
static thread_local std::vector<LayerInputStatistics> *currentStatistics =
    nullptr;

static void observeInput(int64_t id, StridedMemRefType<float, 1> *values) {
  if (!currentStatistics || id < 0 ||
      id >= int64_t(currentStatistics->size()) || values->strides[0] != 1)
    return;
  LayerInputStatistics &stats = (*currentStatistics)[id];
  const float *data = values->data + values->offset;
  int64_t count = values->sizes[0];
  for (int64_t i = 0; i < count; ++i) {
    double x = data[i];
    int64_t channel = i % stats.channels;
    stats.sumOfSquares[channel] += x * x;
    stats.sumOfMagnitudes[channel] += std::abs(x);
    stats.min = std::min(stats.min, x);
    stats.max = std::max(stats.max, x);
  }
  stats.positions += count / stats.channels;
}

double LayerInputStatistics::getMeanMagnitude() const {
  double sum = 0;
  for (double s : sumOfMagnitudes)
    sum += s;
  return positions ? sum / (double(positions) * double(channels)) : 0.0;
}

double LayerInputStatistics::getSecondMoment(int64_t channel) const {
  return positions ? sumOfSquares[channel] / double(positions) : 0.0;
}

/// The 8-bit grid of the observed range (widened to hold 0), as
/// quantx-fold-calibration builds it with min/max calibration.
static AffineParams getInt8Grid(const LayerInputStatistics &stats) {
  return getAffineParams(
      Range{std::min(stats.min, 0.0), std::max(stats.max, 0.0)});
}

/// The symmetric 16-bit step over the 8-bit grid's range, as
/// quantx-quantize derives 16-bit activations from the 8-bit point.
static double getInt16Step(const LayerInputStatistics &stats) {
  AffineParams grid = getInt8Grid(stats);
  double maxAbs = std::max(std::abs(grid.scale * double(-128 - grid.zeroPoint)),
                           std::abs(grid.scale * double(127 - grid.zeroPoint)));
  return maxAbs > 0 ? maxAbs / 32767.0 : 1.0;
}

double LayerInputStatistics::getQuantizationNoise(int64_t activationBits,
                                                  int64_t channel) const {
  if (activationBits == 1) {
    // E[(beta sign(x) - x)^2] = beta^2 - 2 beta E|x| + E[x^2].
    double beta = getMeanMagnitude();
    double meanMagnitude =
        positions ? sumOfMagnitudes[channel] / double(positions) : 0.0;
    return std::max(0.0, beta * beta - 2 * beta * meanMagnitude +
                             getSecondMoment(channel));
  }
  double step =
      activationBits == 16 ? getInt16Step(*this) : getInt8Grid(*this).scale;
  return step * step / 12.0;
}

FailureOr<std::vector<LayerInputStatistics>> mlir::quantx::observeLayerInputs(
    func::FuncOp func, ArrayRef<Operation *> layers, ArrayRef<NpyArray> samples,
    int64_t fileSamples, int64_t numSamples, uint64_t maxTensorMB,
    StringRef pass) {
  std::vector<LayerInputStatistics> statistics(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    auto input = dyn_cast<RankedTensorType>(layer->getOperand(0).getType());
    if (!input || !input.hasStaticShape() || !input.getElementType().isF32()) {
      layer->emitError(pass) << ": measuring sensitivity needs the layer's "
                                "input to be a static f32 tensor";
      return failure();
    }
    LayerInputStatistics &stats = statistics[index];
    stats.channels = std::max<int64_t>(input.getShape().back(), 1);
    stats.sumOfSquares.assign(stats.channels, 0.0);
    stats.sumOfMagnitudes.assign(stats.channels, 0.0);
    layer->setAttr(kObservedIndexAttrName,
                   IntegerAttr::get(IntegerType::get(func.getContext(), 64),
                                    int64_t(index)));
  }
  auto module = func->getParentOfType<ModuleOp>();
  OwningOpRef<ModuleOp> probe = module.clone();
  for (Operation *layer : layers)
    layer->removeAttr(kObservedIndexAttrName);
  auto probeFunc = probe->lookupSymbol<func::FuncOp>(func.getSymName());
  SmallVector<Value> inputs(layers.size());
  probeFunc.walk([&](Operation *op) {
    if (auto index = op->getAttrOfType<IntegerAttr>(kObservedIndexAttrName)) {
      inputs[index.getInt()] = op->getOperand(0);
      op->removeAttr(kObservedIndexAttrName);
    }
  });
  currentStatistics = &statistics;
  LogicalResult ran = runObservedProbe(
      *probe, probeFunc.getSymName(), inputs, kInputObserverName, &observeInput,
      samples, fileSamples, numSamples, maxTensorMB, func, pass);
  currentStatistics = nullptr;
  if (failed(ran))
    return failure();
  for (auto [index, stats] : llvm::enumerate(statistics)) {
    if (!std::isfinite(stats.min) || !std::isfinite(stats.max) ||
        llvm::any_of(stats.sumOfSquares,
                     [](double v) { return !std::isfinite(v); })) {
      layers[index]->emitError(pass)
          << ": the layer's input is not finite on the calibration data";
      return failure();
    }
  }
  return statistics;
}

void mlir::quantx::perturbLayerInput(Operation *layer, int64_t activationBits,
                                     const LayerInputStatistics &stats) {
  OpBuilder b(layer);
  Location loc = layer->getLoc();
  Value input = layer->getOperand(0);
  auto type = cast<RankedTensorType>(input.getType());
  MLIRContext *ctx = b.getContext();
  if (activationBits == 1) {
    // sign(x) * E|x|, sign(0) = +1 as binary layers have it.
    SmallVector<int64_t> ones(type.getRank(), 1);
    auto splat = [&](float v) {
      return createConst(b, loc, DenseElementsAttr::get(type.clone(ones), v));
    };
    float beta = float(stats.getMeanMagnitude());
    Value nonNegative = tosa::GreaterEqualOp::create(
        b, loc, type.clone(b.getI1Type()), input, splat(0.0f));
    layer->setOperand(0, tosa::SelectOp::create(b, loc, type, nonNegative,
                                                splat(beta), splat(-beta)));
    return;
  }
  UniformType grid;
  if (activationBits == 16) {
    grid = UniformType::get(
        ctx, b.getI16Type(), b.getF32Type(), /*narrowRange=*/false,
        PerTensorAttr::get(ctx, APFloat(getInt16Step(stats)), 0));
  } else {
    AffineParams params = getInt8Grid(stats);
    grid = getInt8Type(ctx, params.scale, params.zeroPoint);
  }
  Value quantized = QuantizeOp::create(b, loc, type.clone(grid), input);
  layer->setOperand(0, DequantizeOp::create(b, loc, type, quantized));
}
