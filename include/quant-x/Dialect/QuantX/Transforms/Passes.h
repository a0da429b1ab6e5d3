//===- Passes.h - quant-x quantization passes -------------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_TRANSFORMS_PASSES_H
#define QUANTX_DIALECT_QUANTX_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"

namespace mlir::quantx {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"

/// What a quantized function takes and returns.
enum class Interface { Float, Int8 };

/// Options of the `quantize` pipeline (`quantize-int8` is `quantize` with
/// its defaults: int8 per-channel weights, 8-bit activations).
/// The options of `--quantize` (and of `--quantize-mixed`, which adds its
/// own): a base over the pipeline's options type.
template <class Derived>
struct QuantizeOptionsBase : public PassPipelineOptions<Derived> {
  template <class T>
  using Option = ::mlir::detail::PassOptions::Option<T>;

  Option<std::string> calibrationData{
      *this, "calibration-data",
      llvm::cl::desc("Calibration samples: .npy [N, <argument shape>] or "
                     ".npz with arg0, arg1, ...")};
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("minmax, percentile, entropy, mse or octav"),
      llvm::cl::init("minmax")};
  Option<double> percentile{*this, "percentile",
                            llvm::cl::desc("Percentile of "
                                           "calibration=percentile"),
                            llvm::cl::init(99.99)};
  Option<Interface> interface {
    *this, "interface", llvm::cl::desc("Signature of the result"),
        llvm::cl::init(Interface::Float),
        llvm::cl::values(
            clEnumValN(Interface::Float, "float",
                       "float arguments and results, as the input model"),
            clEnumValN(Interface::Int8, "int8",
                       "int8 arguments and results, no float type at all"))
  };
  Option<RoundingMode> rounding{
      *this, "rounding", llvm::cl::desc("Requantization rounding"),
      llvm::cl::init(RoundingMode::Double),
      llvm::cl::values(
          clEnumValN(RoundingMode::Double, "double",
                     "TFLite/gemmlowp double rounding"),
          clEnumValN(RoundingMode::Single, "single", "TOSA SINGLE_ROUND"))};
  Option<std::string> entry{*this, "entry",
                            llvm::cl::desc("Function to quantize"),
                            llvm::cl::init("main")};
  Option<int64_t> maxSamples{
      *this, "max-samples",
      llvm::cl::desc("Calibrate on at most this many samples (0: all)"),
      llvm::cl::init(0)};
  Option<uint64_t> maxTensorMB{
      *this, "max-tensor-mb",
      llvm::cl::desc("Largest tensor, in MiB, a step may materialize"),
      llvm::cl::init(kDefaultMaxTensorMB)};
  Option<std::string> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("Weight format of every layer the precision file does "
                     "not name: 8, 4, 3, 2, ternary, binary or float"),
      llvm::cl::init("8")};
  Option<std::string> weightFormat{
      *this, "weight-format",
      llvm::cl::desc("What 4-, 3- and 2-bit weight codes stand for: "
                     "uniform, codebook (learned int8 levels) or pow2"),
      llvm::cl::init("uniform")};
  Option<std::string> weightGranularity{
      *this, "weight-granularity",
      llvm::cl::desc("per-tensor, per-channel, group:G or two-level:N"),
      llvm::cl::init("per-channel")};
  Option<int64_t> activationBits{
      *this, "activation-bits",
      llvm::cl::desc("Activation bits: 8, 16, or 1 (sign, binary weights)"),
      llvm::cl::init(8)};
  Option<std::string> equalize{
      *this, "equalize",
      llvm::cl::desc("Cross-layer equalization (quantx-equalize): false, "
                     "true (exact: stops at a ReLU6) or relu6-as-relu"),
      llvm::cl::init("false")};
  Option<std::string> optimizeRounding{
      *this, "optimize-rounding",
      llvm::cl::desc("Weight rounding: none (round to nearest), gptq or "
                     "adaround (quantx-optimize-rounding)"),
      llvm::cl::init("none")};
  Option<std::string> reconstruct{
      *this, "reconstruct",
      llvm::cl::desc("What rounding optimization and bias correction "
                     "reproduce: layer (each float layer on the quantized "
                     "inputs) or model (the float model's output of each "
                     "layer)"),
      llvm::cl::init("layer")};
  Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("Correct each layer's bias for the mean output shift "
                     "of its weight quantization (quantx-correct-bias)"),
      llvm::cl::init(false)};
  Option<std::string> weightClipping{
      *this, "weight-clipping",
      llvm::cl::desc("Scale of a group of uniform weights: max or octav "
                     "(MSE-optimal clipping)"),
      llvm::cl::init("max")};
  Option<std::string> precisionFile{
      *this, "precision-file",
      llvm::cl::desc("JSON object mapping layer names to precisions")};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write each layer's precision, weight bytes and MACs "
                     "to this JSON file")};
};

struct QuantizeOptions : QuantizeOptionsBase<QuantizeOptions> {};

/// `--quantize-mixed`: `--quantize` with each layer's precision chosen by
/// quantx-assign-precision under the budgets.
struct QuantizeMixedOptions : QuantizeOptionsBase<QuantizeMixedOptions> {
  Option<std::string> candidates{
      *this, "candidates",
      llvm::cl::desc("Comma-separated compact precisions each layer may "
                     "take (w8a8,w4a8,w4a8-g32,w2a8,...)"),
      llvm::cl::init("w8a8,w4a8")};
  Option<double> size{*this, "size",
                      llvm::cl::desc("Weight-size budget: a fraction of the "
                                     "candidates' range"),
                      llvm::cl::init(-1)};
  Option<double> bops{*this, "bops",
                      llvm::cl::desc("BOPs budget: a fraction of the "
                                     "candidates' range"),
                      llvm::cl::init(-1)};
  Option<double> sizeBytes{*this, "size-bytes",
                           llvm::cl::desc("Weight-size budget in bytes"),
                           llvm::cl::init(-1)};
  Option<double> bopsCount{*this, "bops-count", llvm::cl::desc("BOPs budget"),
                           llvm::cl::init(-1)};
  Option<std::string> sensitivity{
      *this, "sensitivity",
      llvm::cl::desc(
          "output-mse, output-kl or layer-mse (the layer-output proxy)"),
      llvm::cl::init("output-mse")};
  Option<int64_t> sensitivitySamples{
      *this, "sensitivity-samples",
      llvm::cl::desc("Measure sensitivity on at most this many samples (0: "
                     "all)"),
      llvm::cl::init(256)};
  Option<double> latency{*this, "latency",
                         llvm::cl::desc("Latency budget: a fraction of the "
                                        "candidates' range"),
                         llvm::cl::init(-1)};
  Option<double> latencyMs{
      *this, "latency-ms",
      llvm::cl::desc("Latency budget in milliseconds (the assigned layers, "
                     "each timed alone on this CPU)"),
      llvm::cl::init(-1)};
  Option<std::string> latencyCache{
      *this, "latency-cache",
      llvm::cl::desc("File caching measured layer latencies (default under "
                     "~/.cache/quantx; none: no cache)")};
  Option<std::string> hessianTraces{
      *this, "hessian-traces",
      llvm::cl::desc("JSON object: layer name -> average Hessian trace; "
                     "sensitivity = trace x ||Q(W) - W||^2 (HAWQ-V3)")};
  Option<std::string> costsFile{
      *this, "costs-file",
      llvm::cl::desc("Write the assignment problem as JSON")};
};

/// The options' former name, from when int8 was the only precision.
using QuantizeInt8Options = QuantizeOptions;

/// Set each layer's precision, fold batch norm, calibrate, fold
/// calibration, quantize, check accumulators, lower requantization to
/// dyadic rescales, set the interface, verify that no float op remains,
/// and report.
void buildQuantizePipeline(OpPassManager &pm, const QuantizeOptions &options);

/// `buildQuantizePipeline`, under its former name.
inline void buildQuantizeInt8Pipeline(OpPassManager &pm,
                                      const QuantizeOptions &options) {
  buildQuantizePipeline(pm, options);
}

/// buildQuantizePipeline with quantx-assign-precision after batch-norm
/// folding.
void buildQuantizeMixedPipeline(OpPassManager &pm,
                                const QuantizeMixedOptions &options);

/// Registers the passes and the `quantize`, `quantize-int8` and
/// `quantize-mixed` pipelines.
void registerQuantXTransformsPassesAndPipelines();

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_TRANSFORMS_PASSES_H
