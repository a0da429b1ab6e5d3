//===- Sensitivity.cpp - measured precision sensitivity of layers ---------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Sensitivity.h"

#include "CalibrationSamples.h"
#include "LayerInputs.h"
#include "Utils.h"
#include "WeightQuantizers.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/CompiledFunction.h"
#include "quant-x/Runtime/Progress.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::quantx;

/// Marks the layers in the module so that the probe (a clone) finds them.
static constexpr llvm::StringLiteral kProbeIndexAttrName =
    "quantx.sensitivity_probe_index";

std::vector<float> mlir::quantx::fakeQuantizeWeights(Operation *layer,
                                                     PrecisionAttr precision,
                                                     ArrayRef<double> values,
                                                     ShapedType type) {
  WeightChannels channelOf = getWeightChannels(layer, type);
  std::optional<int64_t> axis = getReductionAxis(layer);
  WeightIntegers q = quantizeWeightValues(
      precision, values, channelOf, type.getShape(), axis,
      getWeightClipping(layer).value_or(WeightClipping::Max));
  std::vector<float> result(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    double subscale = 1;
    if (!q.subscales.empty())
      subscale = q.subscales[getSubscaleIndex(type.getShape(), *axis,
                                              precision.getBlock(), i)];
    result[i] =
        float(double(q.integers[i]) * subscale * q.scales[channelOf.of(i)]);
  }
  return result;
}

double mlir::quantx::getWeightError(Operation *layer, PrecisionAttr precision) {
  SmallVector<double> values =
      getFloatValues(getConstantElements(layer->getOperand(1)));
  auto type = cast<ShapedType>(layer->getOperand(1).getType());
  std::vector<float> quantized =
      fakeQuantizeWeights(layer, precision, values, type);
  double error = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    double d = double(quantized[i]) - values[i];
    error += d * d;
  }
  return error;
}

namespace {
/// The error of `perturbed` outputs against `reference` ones: per sample,
/// `sizes` results laid out one after another.
double compareOutputs(ArrayRef<float> reference, ArrayRef<float> perturbed,
                      ArrayRef<int64_t> sizes, SensitivityMetric metric) {
  double total = 0;
  int64_t count = 0;
  if (metric == SensitivityMetric::OutputMse) {
    for (size_t i = 0; i < reference.size(); ++i) {
      double d = double(perturbed[i]) - double(reference[i]);
      total += d * d;
    }
    return total / double(reference.size());
  }
  // KL(softmax(reference) || softmax(perturbed)) per result of each sample.
  auto logSoftmax = [](ArrayRef<float> x, std::vector<double> &out) {
    double peak = -INFINITY;
    for (float v : x)
      peak = std::max(peak, double(v));
    double sum = 0;
    for (float v : x)
      sum += std::exp(double(v) - peak);
    double log = std::log(sum) + peak;
    out.resize(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      out[i] = double(x[i]) - log;
  };
  std::vector<double> p, q;
  for (size_t offset = 0; offset < reference.size();) {
    for (int64_t size : sizes) {
      logSoftmax(reference.slice(offset, size), p);
      logSoftmax(perturbed.slice(offset, size), q);
      for (int64_t i = 0; i < size; ++i)
        total += std::exp(p[i]) * (p[i] - q[i]);
      ++count;
      offset += size;
    }
  }
  return total / double(count);
}
} // namespace

FailureOr<SensitivityResult> mlir::quantx::measureSensitivity(
    func::FuncOp func, ArrayRef<Operation *> layers,
    ArrayRef<SmallVector<PrecisionAttr>> candidates, ArrayRef<NpyArray> samples,
    int64_t fileSamples, int64_t numSamples,
    const SensitivityOptions &options) {
  auto fail = [&](Operation *at, const Twine &message) {
    at->emitError(options.pass) << ": " << message;
    return failure();
  };
  // The float weights, as each layer reads them.
  std::vector<std::vector<double>> weights;
  std::vector<ShapedType> weightTypes;
  for (Operation *layer : layers) {
    auto type = cast<ShapedType>(layer->getOperand(1).getType());
    SmallVector<double> values =
        getFloatValues(getConstantElements(layer->getOperand(1)));
    weights.emplace_back(values.begin(), values.end());
    weightTypes.push_back(type);
    if (!type.hasStaticShape() ||
        int64_t(weights.back().size()) != type.getNumElements() ||
        !type.getElementType().isF32())
      return fail(layer, "the sensitivity probe needs static f32 constant "
                         "weights");
    for (double w : weights.back())
      if (!std::isfinite(w))
        return fail(layer, "a weight of this layer is not finite");
  }
  // The layers' input ranges, for the activation grids of the candidates.
  FailureOr<std::vector<LayerInputStatistics>> inputs =
      observeLayerInputs(func, layers, samples, fileSamples, numSamples,
                         options.maxTensorMB, options.pass);
  if (failed(inputs))
    return failure();
  auto module = func->getParentOfType<ModuleOp>();
  CPUCompileOptions compileOptions;
  compileOptions.maxTensorMB = options.maxTensorMB;
  SmallVector<int64_t> sizes;
  int64_t perSample = 0;

  // A layer at a candidate precision: its quantized weights, and the
  // activation bits its input is quantized to.
  struct PerturbedLayer {
    size_t index;
    std::vector<float> weights;
    int64_t activationBits;
  };
  auto perturb = [&](size_t index, PrecisionAttr precision) {
    return PerturbedLayer{index,
                          fakeQuantizeWeights(layers[index], precision,
                                              weights[index],
                                              weightTypes[index]),
                          precision.getActivations()};
  };

  // Runs the model on the samples with the `replaced` layers reading their
  // quantized weights as constants (the packed CPU kernels then run every
  // layer, which weights passed as arguments would leave to the slow
  // reference loops) and their inputs quantized. One compilation per
  // variant.
  auto runVariant = [&](ArrayRef<PerturbedLayer> replaced,
                        std::vector<float> &outputs) -> LogicalResult {
    for (const PerturbedLayer &layer : replaced) {
      size_t index = layer.index;
      layers[index]->setAttr(
          kProbeIndexAttrName,
          IntegerAttr::get(IntegerType::get(func.getContext(), 64),
                           int64_t(index)));
    }
    OwningOpRef<ModuleOp> probe = module.clone();
    for (const PerturbedLayer &layer : replaced)
      layers[layer.index]->removeAttr(kProbeIndexAttrName);
    auto probeFunc = probe->lookupSymbol<func::FuncOp>(func.getSymName());
    llvm::DenseMap<int64_t, Operation *> probeLayers;
    probeFunc.walk([&](Operation *op) {
      if (auto index = op->getAttrOfType<IntegerAttr>(kProbeIndexAttrName)) {
        probeLayers[index.getInt()] = op;
        op->removeAttr(kProbeIndexAttrName);
      }
    });
    for (const PerturbedLayer &replacement : replaced) {
      Operation *layer = probeLayers.lookup(int64_t(replacement.index));
      OpBuilder b(layer);
      auto type = cast<RankedTensorType>(weightTypes[replacement.index]);
      layer->setOperand(
          1, createConst(b, layer->getLoc(),
                         DenseElementsAttr::get(
                             type, ArrayRef<float>(replacement.weights))));
      perturbLayerInput(layer, replacement.activationBits,
                        (*inputs)[replacement.index]);
    }
    auto compiled = CompiledFunction::compile(*probe, probeFunc.getSymName(),
                                              compileOptions);
    if (failed(compiled))
      return failure();
    if (sizes.empty()) {
      for (RankedTensorType type : (*compiled)->getResultTypes()) {
        if (!type.getElementType().isF32())
          return fail(func, "the sensitivity probe compares f32 results");
        sizes.push_back(type.getNumElements());
        perSample += type.getNumElements();
      }
    }
    outputs.assign(numSamples * perSample, 0.0f);
    for (int64_t s = 0; s < numSamples; ++s) {
      SmallVector<const void *> arguments =
          getSampleArguments(samples, fileSamples, s);
      SmallVector<void *> results;
      int64_t offset = s * perSample;
      for (int64_t size : sizes) {
        results.push_back(outputs.data() + offset);
        offset += size;
      }
      if (llvm::Error error = (*compiled)->call(arguments, results))
        return fail(func, "running the probe failed: " +
                              llvm::toString(std::move(error)));
    }
    for (float v : outputs)
      if (!std::isfinite(v))
        return fail(func, "the model's output is not finite on the "
                          "calibration data");
    return success();
  };

  int64_t runs = 1 + options.additivityChecks;
  for (const auto &options : candidates)
    runs += options.size();
  ProgressBar progress(Twine(options.pass + ": sensitivity").str(), runs,
                       /*enabled=*/true, /*quietSeconds=*/1.0);
  std::vector<float> reference, perturbed;
  if (failed(runVariant({}, reference)))
    return failure();
  int64_t done = 1;
  progress.update(done);
  SensitivityResult result;
  result.sensitivity.resize(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    for (PrecisionAttr precision : candidates[index]) {
      if (failed(runVariant(perturb(index, precision), perturbed)))
        return failure();
      result.sensitivity[index].push_back(
          compareOutputs(reference, perturbed, sizes, options.metric));
      progress.update(++done);
    }
  }
  // Random joint assignments (deterministic): does the sum predict the
  // error of quantizing the layers together?
  std::mt19937 rng(1);
  for (int64_t check = 0; check < options.additivityChecks; ++check) {
    double predicted = 0;
    std::vector<PerturbedLayer> replaced;
    for (size_t index = 0; index < layers.size(); ++index) {
      size_t pick = rng() % candidates[index].size();
      predicted += result.sensitivity[index][pick];
      replaced.push_back(perturb(index, candidates[index][pick]));
    }
    if (failed(runVariant(replaced, perturbed)))
      return failure();
    result.additivity.emplace_back(
        predicted, compareOutputs(reference, perturbed, sizes, options.metric));
    progress.update(++done);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// The layer-output proxy
//===----------------------------------------------------------------------===//

FailureOr<std::vector<std::vector<double>>>
mlir::quantx::measureLayerOutputSensitivity(
    func::FuncOp func, ArrayRef<Operation *> layers,
    ArrayRef<SmallVector<PrecisionAttr>> candidates, ArrayRef<NpyArray> samples,
    int64_t fileSamples, int64_t numSamples,
    const SensitivityOptions &options) {
  auto fail = [&](Operation *at, const Twine &message) {
    at->emitError(options.pass) << ": " << message;
    return failure();
  };
  FailureOr<std::vector<LayerInputStatistics>> inputs =
      observeLayerInputs(func, layers, samples, fileSamples, numSamples,
                         options.maxTensorMB, options.pass);
  if (failed(inputs))
    return failure();
  std::vector<std::vector<double>> result(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    const LayerInputStatistics &input = (*inputs)[index];
    auto type = cast<ShapedType>(layer->getOperand(1).getType());
    SmallVector<double> values =
        getFloatValues(getConstantElements(layer->getOperand(1)));
    // Output positions per channel and sample: each weight meets each of
    // them once.
    auto output = cast<ShapedType>(layer->getResult(0).getType());
    double positions =
        double(output.getNumElements()) / double(output.getShape().back());
    for (PrecisionAttr precision : candidates[index]) {
      std::vector<float> quantized =
          fakeQuantizeWeights(layer, precision, values, type);
      std::vector<double> noise(input.channels);
      for (int64_t c = 0; c < input.channels; ++c)
        noise[c] = input.getQuantizationNoise(precision.getActivations(), c);
      // E||Q(W) Q(x) - W x||^2 ~ E||dW x||^2 + E||Q(W) dx||^2: the weight
      // error meets the input's second moment, the quantized weight the
      // input's quantization noise.
      double error = 0;
      for (size_t i = 0; i < values.size(); ++i) {
        double d = double(quantized[i]) - values[i];
        int64_t channel = getWeightInputChannel(layer, type, int64_t(i));
        error += d * d * input.getSecondMoment(channel) +
                 double(quantized[i]) * double(quantized[i]) * noise[channel];
      }
      result[index].push_back(error * positions);
      if (!std::isfinite(result[index].back()))
        return fail(layer, "the layer-output proxy is not finite");
    }
  }
  return result;
}
