//===- CorrectBias.cpp - empirical bias correction
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-------------------------===//
//
// Subtracts from each layer's bias the mean output shift its weight
// quantization causes on the quantized model's own inputs, layer by layer
// in program order.
//
//===----------------------------------------------------------------------===//

#include "JitPass.h"
#include "QuantizedInputProbe.h"
#include "Utils.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace mlir::quantx {
#define GEN_PASS_DEF_CORRECTBIAS
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

static constexpr llvm::StringLiteral kPass = "quantx-correct-bias";

namespace {
struct CorrectBiasPass
    : JitPass<mlir::quantx::impl::CorrectBiasBase<CorrectBiasPass>> {
  using JitPass::JitPass;

  void runOnOperation() override;

private:
  /// Subtracts `shift` (one per output channel, in the layer's output
  /// order) from `layer`'s bias.
  void applyShift(Operation *layer, ArrayRef<double> shift);
};
} // namespace

void CorrectBiasPass::applyShift(Operation *layer, ArrayRef<double> shift) {
  OpBuilder b(layer);
  if (!isa<tosa::MatMulOp>(layer)) {
    // conv2d / depthwise_conv2d: a new bias constant of one value per
    // output channel (the old one may be shared with other layers).
    SmallVector<double> bias =
        getFloatValues(getConstantElements(layer->getOperand(2)));
    std::vector<float> corrected(shift.size());
    for (size_t c = 0; c < shift.size(); ++c)
      corrected[c] = float((bias.size() == 1 ? bias[0] : bias[c]) - shift[c]);
    auto type = RankedTensorType::get({int64_t(shift.size())}, b.getF32Type());
    layer->setOperand(2, createConst(b, layer->getLoc(),
                                     DenseElementsAttr::get(
                                         type, ArrayRef<float>(corrected))));
    return;
  }
  // A matmul [B, M, K] x [B, K, N]: an add of [B, 1, N] after it, which
  // quantx-quantize folds into the accumulator like any bias.
  Value result = layer->getResult(0);
  auto resultType = cast<RankedTensorType>(result.getType());
  ArrayRef<int64_t> shape = resultType.getShape();
  std::vector<float> negated(shift.size());
  for (size_t i = 0; i < shift.size(); ++i)
    negated[i] = float(-shift[i]);
  b.setInsertionPointAfter(layer);
  Value constant = createConst(
      b, layer->getLoc(),
      DenseElementsAttr::get(resultType.clone({shape[0], 1, shape[2]}),
                             ArrayRef<float>(negated)));
  auto add =
      tosa::AddOp::create(b, layer->getLoc(), resultType, result, constant);
  result.replaceAllUsesExcept(add.getResult(), add);
}

void CorrectBiasPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<bool> matchModel =
      parseReconstructOption(module, reconstruct, kPass);
  if (failed(matchModel))
    return signalPassFailure();
  FailureOr<ProbeInputs> inputs =
      loadProbeInputs(module, entry, calibrationData, maxSamples, kPass);
  if (failed(inputs))
    return signalPassFailure();
  MomentRequest request;
  request.floatReference = *matchModel;
  auto correctInOrder = [&](Operation *layer,
                            ObserveInputs observe) -> LogicalResult {
    if (!isa<tosa::MatMulOp>(layer) &&
        !getConstantElements(layer->getOperand(2))) {
      layer->emitRemark(kPass) << ": the bias is not a constant; left as is";
      return success();
    }
    LayerMatrices matrices = *getLayerMatrices(layer);
    FailureOr<PatchMoments> moments = observe(matrices, request);
    if (failed(moments))
      return failure();
    FailureOr<std::vector<float>> quantized =
        getQuantizedWeightValues(layer, kPass);
    if (failed(quantized))
      return failure();
    SmallVector<double> values =
        getFloatValues(getConstantElements(layer->getOperand(1)));
    // Output channel (group g, row r): conv2d r, depthwise g * M + r,
    // matmul batch g column r ([B, 1, N] flattened).
    std::vector<double> shift(matrices.groups * matrices.rows, 0.0);
    double largest = 0;
    for (int64_t g = 0; g < matrices.groups; ++g) {
      std::vector<double> mean = moments->getMean(g);
      // Q(W) E[x] - W E[x_f]; E[x_f] = E[x] against the float layer.
      std::vector<double> referenceMean =
          *matchModel ? moments->getReferenceMean(g) : mean;
      for (int64_t r = 0; r < matrices.rows; ++r) {
        double sum = 0;
        for (int64_t c = 0; c < matrices.cols; ++c) {
          int64_t i = matrices.getIndex(g, r, c);
          sum +=
              double((*quantized)[i]) * mean[c] - values[i] * referenceMean[c];
        }
        shift[g * matrices.rows + r] = sum;
        largest = std::max(largest, std::abs(sum));
      }
    }
    if (!std::isfinite(largest))
      return layer->emitError(kPass)
             << ": the layer's input is not finite on the calibration data";
    applyShift(layer, shift);
    layer->emitRemark(kPass) << ": largest output shift corrected "
                             << llvm::formatv("{0:e3}", largest);
    return success();
  };
  if (failed(visitLayersInOrder(*inputs, maxTensorMB, kPass, correctInOrder)))
    signalPassFailure();
}
