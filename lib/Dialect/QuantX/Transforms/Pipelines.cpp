//===- Pipelines.cpp - the quantize and quantize-int8 pipelines -----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::quantx;

/// The quantize pipeline; `assign` adds the precision assignment after
/// batch-norm folding.
template <class Options>
static void buildPipeline(OpPassManager &pm, const Options &options,
                          const AssignPrecisionOptions *assign) {
  CheckTensorSizesOptions sizes;
  sizes.maxTensorMB = options.maxTensorMB;
  pm.addPass(createCheckTensorSizes(sizes));
  SetPrecisionOptions precision;
  precision.weightBits = options.weightBits;
  precision.weightFormat = options.weightFormat;
  precision.weightGranularity = options.weightGranularity;
  precision.activationBits = options.activationBits;
  precision.precisionFile = options.precisionFile;
  precision.weightClipping = options.weightClipping;
  pm.addPass(createSetPrecision(precision));
  pm.addNestedPass<func::FuncOp>(createFoldBatchNorm());
  // On the folded weights, before anything measures or quantizes them.
  if (options.equalize != "false") {
    // Another value reaches the pass, which names it in its error.
    EqualizeOptions equalize;
    std::string mode = options.equalize;
    equalize.relu6 = mode == "true"            ? std::string("stop")
                     : mode == "relu6-as-relu" ? std::string("relu")
                                               : mode;
    pm.addNestedPass<func::FuncOp>(createEqualize(equalize));
  }
  if (assign)
    pm.addPass(createAssignPrecision(*assign));
  CalibrateOptions calibrate;
  calibrate.maxTensorMB = options.maxTensorMB;
  calibrate.maxSamples = options.maxSamples;
  calibrate.calibrationData = options.calibrationData;
  calibrate.entry = options.entry;
  pm.addPass(createCalibrate(calibrate));
  FoldCalibrationOptions fold;
  fold.method = options.calibration;
  fold.percentile = options.percentile;
  pm.addNestedPass<func::FuncOp>(createFoldCalibration(fold));
  // Both run the model with its activations on their grids: after the
  // fold. Rounding first, so that the bias corrects the integers chosen.
  if (options.optimizeRounding != "none") {
    OptimizeRoundingOptions rounding;
    rounding.method = options.optimizeRounding;
    rounding.reconstruct = options.reconstruct;
    rounding.calibrationData = options.calibrationData;
    rounding.entry = options.entry;
    rounding.maxSamples = options.maxSamples;
    rounding.maxTensorMB = options.maxTensorMB;
    pm.addPass(createOptimizeRounding(rounding));
  }
  if (options.biasCorrection) {
    CorrectBiasOptions bias;
    bias.reconstruct = options.reconstruct;
    bias.calibrationData = options.calibrationData;
    bias.entry = options.entry;
    bias.maxSamples = options.maxSamples;
    bias.maxTensorMB = options.maxTensorMB;
    pm.addPass(createCorrectBias(bias));
  }
  pm.addNestedPass<func::FuncOp>(createQuantize());
  pm.addNestedPass<func::FuncOp>(createWidenAccumulators());
  pm.addNestedPass<func::FuncOp>(createCheckAccumulators());
  LowerRequantizeOptions lower;
  lower.rounding = options.rounding;
  pm.addNestedPass<func::FuncOp>(createLowerRequantize(lower));
  if (options.interface == Interface::Int8)
    pm.addNestedPass<func::FuncOp>(createSetInterface());
  pm.addPass(createCanonicalizerPass());
  VerifyIntegerOptions verify;
  verify.allowFloatBoundary = options.interface == Interface::Float;
  verify.warnOnly = options.interface == Interface::Float;
  pm.addNestedPass<func::FuncOp>(createVerifyInteger(verify));
  if (!options.report.empty()) {
    ReportPrecisionOptions report;
    report.report = options.report;
    pm.addPass(createReportPrecision(report));
  }
}

void mlir::quantx::buildQuantizePipeline(OpPassManager &pm,
                                         const QuantizeOptions &options) {
  buildPipeline(pm, options, nullptr);
}

void mlir::quantx::buildQuantizeMixedPipeline(
    OpPassManager &pm, const QuantizeMixedOptions &options) {
  AssignPrecisionOptions assign;
  assign.calibrationData = options.calibrationData;
  assign.entry = options.entry;
  assign.maxSamples = options.sensitivitySamples;
  assign.maxTensorMB = options.maxTensorMB;
  assign.candidates = options.candidates;
  assign.size = options.size;
  assign.bops = options.bops;
  assign.sizeBytes = options.sizeBytes;
  assign.bopsCount = options.bopsCount;
  assign.latency = options.latency;
  assign.latencyMs = options.latencyMs;
  assign.latencyCache = options.latencyCache;
  assign.sensitivity = options.sensitivity;
  assign.hessianTraces = options.hessianTraces;
  assign.costsFile = options.costsFile;
  buildPipeline(pm, options, &assign);
}

void mlir::quantx::registerQuantXTransformsPassesAndPipelines() {
  registerQuantXTransformsPasses();
  PassPipelineRegistration<QuantizeOptions>(
      "quantize",
      "Post-training quantization at each layer's precision: set precisions, "
      "fold batch norm, calibrate, quantize, lower requantization to dyadic "
      "integer rescales",
      buildQuantizePipeline);
  PassPipelineRegistration<QuantizeOptions>(
      "quantize-int8",
      "Post-training int8 quantization: --quantize with its defaults (int8 "
      "per-channel weights, 8-bit activations)",
      buildQuantizePipeline);
  PassPipelineRegistration<QuantizeMixedOptions>(
      "quantize-mixed",
      "Post-training mixed-precision quantization: --quantize with each "
      "layer's precision chosen among candidates= to minimize the measured "
      "sensitivity under size= / bops= budgets (exact solver)",
      buildQuantizeMixedPipeline);
}
