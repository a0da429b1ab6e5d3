//===- QuantizedInputProbe.cpp - the inputs a quantized layer sees --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "QuantizedInputProbe.h"

#include "CalibrationSamples.h"
#include "ObserverCalls.h"
#include "Utils.h"
#include "WeightQuantizers.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Runtime/Progress.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

/// Marks the layers so that the probe (a clone) finds them.
static constexpr llvm::StringLiteral kProbeIndexAttrName =
    "quantx.quantized_input_probe_index";

static constexpr llvm::StringLiteral kObserverName =
    "quantx_observe_quantized_input";

/// The observer's ids: the quantized model's input of the layer, and the
/// float model's.
enum : int64_t { kQuantizedInput = 0, kFloatInput = 1 };

/// What the JIT's calls fill (one probe at a time per thread): the moments,
/// and with a float reference, each pair's inputs until both have come.
/// Each model reads the layer's input once per sample, in an order that
/// depends on where the observer calls land (the first layer's two calls
/// both follow the function's argument, ahead of the float model's call),
/// so a pair is the two of a sample, in either order.
struct ProbeState {
  PatchMoments *moments = nullptr;
  std::vector<float> pending[2];
  bool received[2] = {false, false};
};
static thread_local ProbeState *currentState = nullptr;

static void observeInput(int64_t id, StridedMemRefType<float, 1> *values) {
  if (!currentState || (id != kQuantizedInput && id != kFloatInput) ||
      values->strides[0] != 1)
    return;
  const float *data = values->data + values->offset;
  int64_t size = values->sizes[0];
  ProbeState &state = *currentState;
  if (!state.moments->getRequest().floatReference) {
    if (id == kQuantizedInput)
      state.moments->observe(data, nullptr, size);
    return;
  }
  state.pending[id].assign(data, data + size);
  state.received[id] = true;
  if (!state.received[kQuantizedInput] || !state.received[kFloatInput])
    return;
  state.received[kQuantizedInput] = state.received[kFloatInput] = false;
  // Same layer, same shape: a mismatch is a probe out of step; skip it.
  if (state.pending[kQuantizedInput].size() !=
      state.pending[kFloatInput].size())
    return;
  state.moments->observe(state.pending[kQuantizedInput].data(),
                         state.pending[kFloatInput].data(),
                         int64_t(state.pending[kQuantizedInput].size()));
}

/// Adds to `probe` a copy of `floatModel` (the function as the pass found
/// it: float weights, the biases before any correction) with its
/// activations' quantize/dequantize pairs removed, called first by
/// `probeFunc` on its own arguments. Returns its quantizable layer number
/// `layerIndex`.
static Operation *addFloatReference(ModuleOp probe, func::FuncOp probeFunc,
                                    func::FuncOp floatModel,
                                    int64_t layerIndex) {
  auto reference = cast<func::FuncOp>(floatModel->clone());
  reference.setSymName(
      (probeFunc.getSymName() + "_quantx_float_reference").str());
  reference.setPrivate();
  SymbolTable(probe).insert(reference);
  SmallVector<Operation *> layers = getQuantizableLayers(reference);
  reference.walk([](DequantizeOp dequantize) {
    if (auto quantize = dequantize.getInput().getDefiningOp<QuantizeOp>())
      dequantize.getResult().replaceAllUsesWith(quantize.getInput());
  });
  OpBuilder b = OpBuilder::atBlockBegin(&probeFunc.getBody().front());
  func::CallOp::create(b, probeFunc.getLoc(), reference,
                       probeFunc.getArguments());
  return layerIndex < int64_t(layers.size()) ? layers[layerIndex] : nullptr;
}

SmallVector<Operation *> mlir::quantx::getQuantizableLayers(func::FuncOp func) {
  SmallVector<Operation *> layers;
  func.walk([&](Operation *op) {
    if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
      return;
    if (getPrecision(op).isFloat() || !getLayerMatrices(op))
      return;
    DenseElementsAttr weights = getConstantElements(op->getOperand(1));
    if (!weights || !weights.getElementType().isF32())
      return;
    Operation *constant = op->getOperand(1).getDefiningOp();
    if (constant->hasAttr(kWeightScalesAttrName))
      return;
    layers.push_back(op);
  });
  return layers;
}

FailureOr<std::vector<float>>
mlir::quantx::getQuantizedWeightValues(Operation *layer, StringRef pass) {
  DenseElementsAttr elements = getConstantElements(layer->getOperand(1));
  SmallVector<double> values = getFloatValues(elements);
  auto type = elements.getType();
  PrecisionAttr precision = getPrecision(layer);
  std::string error;
  FailureOr<WeightIntegers> integers =
      getLayerWeightIntegers(layer, precision, values, type, error);
  if (failed(integers)) {
    layer->emitError(pass) << ": " << error;
    return failure();
  }
  std::vector<double> steps =
      getWeightSteps(*integers, precision, getWeightChannels(layer, type),
                     type.getShape(), getReductionAxis(layer));
  std::vector<float> result(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    result[i] = float(double(integers->integers[i]) * steps[i]);
  return result;
}

FailureOr<bool> mlir::quantx::parseReconstructOption(ModuleOp module,
                                                     StringRef value,
                                                     StringRef pass) {
  if (value == "layer" || value == "model")
    return value == "model";
  module.emitError(pass) << ": unknown reconstruct '" << value
                         << "' (expected layer or model)";
  return failure();
}

FailureOr<ProbeInputs> mlir::quantx::loadProbeInputs(ModuleOp module,
                                                     StringRef entry,
                                                     StringRef calibrationData,
                                                     int64_t maxSamples,
                                                     StringRef pass) {
  ProbeInputs inputs;
  inputs.func = module.lookupSymbol<func::FuncOp>(entry);
  if (!inputs.func || inputs.func.isExternal()) {
    module.emitError(pass) << ": no function @" << entry;
    return failure();
  }
  if (calibrationData.empty()) {
    inputs.func.emitError(pass)
        << ": no calibration data: pass calibration-data=<file.npy>";
    return failure();
  }
  if (maxSamples < 0) {
    inputs.func.emitError(pass)
        << ": max-samples must be 0 (all) or positive, got " << maxSamples;
    return failure();
  }
  auto samples = loadCalibrationSamples(inputs.func, calibrationData, pass,
                                        inputs.fileSamples);
  if (failed(samples))
    return failure();
  inputs.samples = std::move(*samples);
  inputs.numSamples = maxSamples > 0
                          ? std::min<int64_t>(inputs.fileSamples, maxSamples)
                          : inputs.fileSamples;
  return inputs;
}

FailureOr<PatchMoments>
QuantizedInputProbe::observe(ArrayRef<Operation *> quantizedLayers,
                             Operation *layer, const LayerMatrices &matrices,
                             MomentRequest request) {
  MLIRContext *ctx = func.getContext();
  auto index = [&](int64_t i) {
    return IntegerAttr::get(IntegerType::get(ctx, 64), i);
  };
  // Index 0 marks the observed layer, 1 + i the i-th quantized one.
  layer->setAttr(kProbeIndexAttrName, index(0));
  for (auto [i, op] : llvm::enumerate(quantizedLayers))
    op->setAttr(kProbeIndexAttrName, index(1 + int64_t(i)));
  auto module = func->getParentOfType<ModuleOp>();
  OwningOpRef<ModuleOp> probe = module.clone();
  layer->removeAttr(kProbeIndexAttrName);
  for (Operation *op : quantizedLayers)
    op->removeAttr(kProbeIndexAttrName);
  auto probeFunc = probe->lookupSymbol<func::FuncOp>(func.getSymName());
  Operation *referenceLayer = nullptr;
  if (request.floatReference) {
    if (!floatModel)
      floatModel = cast<func::FuncOp>(func->clone());
    referenceLayer = addFloatReference(*probe, probeFunc, *floatModel,
                                       int64_t(quantizedLayers.size()));
    if (!referenceLayer)
      return layer->emitError(pass)
             << ": the layer is not in the float model the pass started from";
  }
  SmallVector<Operation *> probeLayers(1 + quantizedLayers.size());
  probeFunc.walk([&](Operation *op) {
    if (auto i = op->getAttrOfType<IntegerAttr>(kProbeIndexAttrName)) {
      probeLayers[i.getInt()] = op;
      op->removeAttr(kProbeIndexAttrName);
    }
  });
  for (auto [i, original] : llvm::enumerate(quantizedLayers)) {
    FailureOr<std::vector<float>> quantized =
        getQuantizedWeightValues(original, pass);
    if (failed(quantized))
      return failure();
    Operation *op = probeLayers[1 + i];
    OpBuilder b(op);
    auto type = cast<RankedTensorType>(op->getOperand(1).getType());
    op->setOperand(1, createConst(b, op->getLoc(),
                                  DenseElementsAttr::get(
                                      type, ArrayRef<float>(*quantized))));
  }
  PatchMoments moments(layer, matrices, request);
  ProbeState state;
  state.moments = &moments;
  SmallVector<Value, 2> observed = {probeLayers[0]->getOperand(0)};
  if (referenceLayer)
    observed.push_back(referenceLayer->getOperand(0));
  currentState = &state;
  LogicalResult ran = runObservedProbe(
      *probe, probeFunc.getSymName(), observed, kObserverName, &observeInput,
      samples, fileSamples, numSamples, maxTensorMB, func, pass);
  currentState = nullptr;
  if (failed(ran))
    return failure();
  if (moments.getCount() == 0) {
    layer->emitError(pass) << ": no input of this layer was recorded on the "
                              "calibration data (it does not run)";
    return failure();
  }
  return moments;
}

LogicalResult mlir::quantx::visitLayersInOrder(
    const ProbeInputs &inputs, uint64_t maxTensorMB, StringRef pass,
    llvm::function_ref<LogicalResult(Operation *layer, ObserveInputs observe)>
        visit) {
  SmallVector<Operation *> layers = getQuantizableLayers(inputs.func);
  QuantizedInputProbe probe(inputs, maxTensorMB, pass);
  ProgressBar progress(Twine(pass + ": layers").str(), layers.size(),
                       /*enabled=*/true, /*quietSeconds=*/1.0);
  SmallVector<Operation *> done;
  for (Operation *layer : layers) {
    auto observe = [&](const LayerMatrices &matrices, MomentRequest request) {
      return probe.observe(done, layer, matrices, request);
    };
    if (failed(visit(layer, observe)))
      return failure();
    done.push_back(layer);
    progress.update(int64_t(done.size()));
  }
  return success();
}
