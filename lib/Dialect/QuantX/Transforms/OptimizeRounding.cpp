//===- OptimizeRounding.cpp - GPTQ / AdaRound weight rounding -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Chooses each layer's weight integers on its fixed grid so that its output
// on the quantized model's own inputs moves least (GPTQ or AdaRound), layer
// by layer in program order, and stores them for quantx-quantize.
//
//===----------------------------------------------------------------------===//

#include "JitPass.h"
#include "QuantizedInputProbe.h"
#include "Utils.h"
#include "WeightQuantizers.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/AdaRound.h"
#include "quant-x/Dialect/QuantX/Transforms/Codebooks.h"
#include "quant-x/Dialect/QuantX/Transforms/Gptq.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace mlir::quantx {
#define GEN_PASS_DEF_OPTIMIZEROUNDING
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

static constexpr llvm::StringLiteral kPass = "quantx-optimize-rounding";

namespace {
struct OptimizeRoundingPass
    : JitPass<mlir::quantx::impl::OptimizeRoundingBase<OptimizeRoundingPass>> {
  using JitPass::JitPass;

  void runOnOperation() override;

private:
  /// Rounds `layer`'s weights on inputs of the given moments; stores the
  /// integers and remarks on the error.
  LogicalResult roundLayer(Operation *layer, const LayerMatrices &matrices,
                           const PatchMoments &moments);
};
} // namespace

LogicalResult OptimizeRoundingPass::roundLayer(Operation *layer,
                                               const LayerMatrices &matrices,
                                               const PatchMoments &moments) {
  DenseElementsAttr elements = getConstantElements(layer->getOperand(1));
  SmallVector<double> values = getFloatValues(elements);
  auto type = elements.getType();
  PrecisionAttr precision = getPrecision(layer);
  // The grid (and the round-to-nearest integers) the quantizer derives
  // from the float weights.
  layer->removeAttr(kRoundedWeightsAttrName);
  std::string error;
  FailureOr<WeightIntegers> nearest =
      getLayerWeightIntegers(layer, precision, values, type, error);
  if (failed(nearest))
    return layer->emitError(kPass) << ": " << error;
  std::vector<int64_t> levels;
  if (!nearest->codebook.empty())
    levels = getSortedLevels(nearest->codebook);
  std::vector<double> steps =
      getWeightSteps(*nearest, precision, getWeightChannels(layer, type),
                     type.getShape(), getReductionAxis(layer));
  GptqOptions options;
  options.dampening = dampening;
  options.actOrder = actOrder;
  AdaRoundOptions adaRound;
  adaRound.iterations = iterations;
  adaRound.regularization = regularization;
  bool matchModel = moments.getRequest().floatReference;
  std::vector<int64_t> chosen(nearest->integers.begin(),
                              nearest->integers.end());
  int64_t rows = matrices.rows, cols = matrices.cols;
  std::vector<double> w(rows * cols), s(rows * cols);
  std::vector<double> nearestDelta(rows * cols), chosenDelta(rows * cols);
  double nearestError = 0, chosenError = 0;
  for (int64_t g = 0; g < matrices.groups; ++g) {
    std::vector<double> hessian = moments.getSecondMoment(g);
    for (double h : hessian)
      if (!std::isfinite(h))
        return layer->emitError(kPass)
               << ": the layer's input is not finite on the calibration data";
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        int64_t i = matrices.getIndex(g, r, c);
        w[r * cols + c] = values[i];
        s[r * cols + c] = steps[i];
      }
    if (matchModel) {
      std::optional<std::vector<double>> target = getFloatModelTarget(
          w, hessian, moments.getCrossMoment(g), rows, cols, dampening, error);
      if (!target)
        return layer->emitError(kPass) << ": " << error;
      w = std::move(*target);
    }
    GptqProblem problem;
    problem.rows = rows;
    problem.cols = cols;
    problem.weights = w;
    problem.steps = s;
    problem.maxInteger = precision.getMaxWeightMagnitude();
    problem.levels = levels;
    problem.hessian = hessian;
    std::optional<std::vector<int64_t>> integers =
        method == "adaround" ? roundWithAdaRound(problem, adaRound, error)
                             : roundWithGptq(problem, options, error);
    if (!integers)
      return layer->emitError(kPass) << ": " << error;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        int64_t i = matrices.getIndex(g, r, c), k = r * cols + c;
        chosen[i] = (*integers)[k];
        // Against what was rounded (W, or the float-model target).
        nearestDelta[k] = double(nearest->integers[i]) * steps[i] - w[k];
        chosenDelta[k] = double(chosen[i]) * steps[i] - w[k];
      }
    nearestError += getOutputError(nearestDelta, hessian, rows, cols);
    chosenError += getOutputError(chosenDelta, hessian, rows, cols);
  }
  OpBuilder b(layer);
  SmallVector<int8_t> bytes(chosen.begin(), chosen.end());
  layer->setAttr(
      kRoundedWeightsAttrName,
      b.getDictionaryAttr(
          {b.getNamedAttr("precision", precision),
           b.getNamedAttr("integers",
                          DenseElementsAttr::get(
                              cast<ShapedType>(type).clone(b.getI8Type()),
                              ArrayRef(bytes))),
           b.getNamedAttr("method", b.getStringAttr(method))}));
  layer->emitRemark(kPass) << ": output error "
                           << llvm::formatv("{0:e3}", nearestError)
                           << " round-to-nearest, "
                           << llvm::formatv("{0:e3}", chosenError) << " "
                           << method
                           << (matchModel ? " (against the float model)" : "");
  return success();
}

void OptimizeRoundingPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (method != "gptq" && method != "adaround") {
    module.emitError(kPass)
        << ": unknown method '" << method << "' (expected gptq or adaround)";
    return signalPassFailure();
  }
  if (iterations < 1) {
    module.emitError(kPass)
        << ": iterations must be positive, got " << int64_t(iterations);
    return signalPassFailure();
  }
  if (!(regularization >= 0) || !std::isfinite(regularization)) {
    module.emitError(kPass)
        << ": regularization must be non-negative, got " << regularization;
    return signalPassFailure();
  }
  if (!(dampening > 0) || !std::isfinite(dampening)) {
    module.emitError(kPass)
        << ": dampening must be positive, got " << dampening;
    return signalPassFailure();
  }
  FailureOr<bool> matchModel =
      parseReconstructOption(module, reconstruct, kPass);
  if (failed(matchModel))
    return signalPassFailure();
  FailureOr<ProbeInputs> inputs =
      loadProbeInputs(module, entry, calibrationData, maxSamples, kPass);
  if (failed(inputs))
    return signalPassFailure();
  MomentRequest request;
  request.secondMoment = true;
  request.floatReference = *matchModel;
  auto roundInOrder = [&](Operation *layer,
                          ObserveInputs observe) -> LogicalResult {
    // Sign weights leave nothing to choose.
    if (getPrecision(layer).getWeights() == WeightFormat::Binary)
      return success();
    LayerMatrices matrices = *getLayerMatrices(layer);
    FailureOr<PatchMoments> moments = observe(matrices, request);
    if (failed(moments))
      return failure();
    return roundLayer(layer, matrices, *moments);
  };
  if (failed(visitLayersInOrder(*inputs, maxTensorMB, kPass, roundInOrder)))
    signalPassFailure();
}
