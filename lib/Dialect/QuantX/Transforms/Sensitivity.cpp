//===- Sensitivity.cpp - measured precision sensitivity of layers ---------===//

#include "Sensitivity.h"

#include "CalibrationSamples.h"
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
  WeightIntegers q =
      quantizeWeightValues(precision, values, channelOf, type.getShape(), axis);
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
  for (auto [index, layer] : llvm::enumerate(layers)) {
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
    layer->setAttr(kProbeIndexAttrName,
                   IntegerAttr::get(IntegerType::get(func.getContext(), 64),
                                    int64_t(index)));
  }
  // The probe: the layers read their weights from new arguments.
  auto module = func->getParentOfType<ModuleOp>();
  OwningOpRef<ModuleOp> probe = module.clone();
  for (Operation *layer : layers)
    layer->removeAttr(kProbeIndexAttrName);
  auto probeFunc = probe->lookupSymbol<func::FuncOp>(func.getSymName());
  SmallVector<Operation *> probeLayers(layers.size());
  probeFunc.walk([&](Operation *op) {
    if (auto index = op->getAttrOfType<IntegerAttr>(kProbeIndexAttrName)) {
      probeLayers[index.getInt()] = op;
      op->removeAttr(kProbeIndexAttrName);
    }
  });
  for (auto [index, layer] : llvm::enumerate(probeLayers)) {
    unsigned position = probeFunc.getNumArguments();
    if (failed(probeFunc.insertArgument(position, weightTypes[index],
                                        DictionaryAttr(), layer->getLoc())))
      return fail(func, "cannot add a weight argument to the probe");
    layer->setOperand(1, probeFunc.getArgument(position));
  }
  CPUCompileOptions compileOptions;
  compileOptions.maxTensorMB = options.maxTensorMB;
  auto compiled =
      CompiledFunction::compile(*probe, probeFunc.getSymName(), compileOptions);
  if (failed(compiled))
    return failure();
  SmallVector<int64_t> sizes;
  int64_t perSample = 0;
  for (RankedTensorType type : (*compiled)->getResultTypes()) {
    if (!type.getElementType().isF32())
      return fail(func, "the sensitivity probe compares f32 results");
    sizes.push_back(type.getNumElements());
    perSample += type.getNumElements();
  }

  // Each layer's weights as the probe reads them (float32).
  std::vector<std::vector<float>> buffers;
  for (const std::vector<double> &values : weights)
    buffers.emplace_back(values.begin(), values.end());
  int64_t runs = 1 + options.additivityChecks;
  for (const auto &options : candidates)
    runs += options.size();
  ProgressBar progress(Twine(options.pass + ": sensitivity").str(), runs,
                       /*enabled=*/true, /*quietSeconds=*/1.0);
  auto runAll = [&](std::vector<float> &outputs) -> LogicalResult {
    outputs.assign(numSamples * perSample, 0.0f);
    for (int64_t s = 0; s < numSamples; ++s) {
      SmallVector<const void *> arguments;
      for (const NpyArray &array : samples)
        arguments.push_back(getSample(array, fileSamples, s));
      for (const std::vector<float> &buffer : buffers)
        arguments.push_back(buffer.data());
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
  std::vector<float> reference, perturbed;
  if (failed(runAll(reference)))
    return failure();
  int64_t done = 1;
  progress.update(done);
  SensitivityResult result;
  result.sensitivity.resize(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    for (PrecisionAttr precision : candidates[index]) {
      buffers[index] = fakeQuantizeWeights(layer, precision, weights[index],
                                           weightTypes[index]);
      if (failed(runAll(perturbed)))
        return failure();
      result.sensitivity[index].push_back(
          compareOutputs(reference, perturbed, sizes, options.metric));
      progress.update(++done);
    }
    buffers[index].assign(weights[index].begin(), weights[index].end());
  }
  // Random joint assignments (deterministic): does the sum predict the
  // error of quantizing the layers together?
  std::mt19937 rng(1);
  for (int64_t check = 0; check < options.additivityChecks; ++check) {
    double predicted = 0;
    for (auto [index, layer] : llvm::enumerate(layers)) {
      size_t pick = rng() % candidates[index].size();
      predicted += result.sensitivity[index][pick];
      buffers[index] = fakeQuantizeWeights(layer, candidates[index][pick],
                                           weights[index], weightTypes[index]);
    }
    if (failed(runAll(perturbed)))
      return failure();
    result.additivity.emplace_back(
        predicted, compareOutputs(reference, perturbed, sizes, options.metric));
    progress.update(++done);
  }
  return result;
}
