//===- Passes.h - quant-x quantization passes -------------------*- C++ -*-===//

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

/// Options of the `quantize-int8` pipeline.
struct QuantizeInt8Options : public PassPipelineOptions<QuantizeInt8Options> {
  Option<std::string> calibrationData{
      *this, "calibration-data",
      llvm::cl::desc("Calibration samples: .npy [N, <argument shape>] or "
                     ".npz with arg0, arg1, ...")};
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("minmax, percentile, entropy or mse"),
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
};

/// Fold batch norm, calibrate, fold calibration, quantize, check
/// accumulators, lower requantization to dyadic rescales, set the interface
/// and verify that no float op remains.
void buildQuantizeInt8Pipeline(OpPassManager &pm,
                               const QuantizeInt8Options &options);

/// Registers the passes and the `quantize-int8` pipeline.
void registerQuantXTransformsPassesAndPipelines();

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_TRANSFORMS_PASSES_H
