//===- ReportPrecision.cpp - per-layer precision, bytes and MACs as JSON --===//

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_REPORTPRECISION
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// Multiply-accumulates of one run of a conv2d, depthwise_conv2d or matmul
/// (static shapes; 0 when a shape is dynamic).
static int64_t countMacs(Operation *op) {
  auto output = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  auto weights = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  int64_t rank = isa<tosa::MatMulOp>(op) ? 3 : 4;
  if (!output || !weights || !output.hasStaticShape() ||
      !weights.hasStaticShape() || weights.getRank() != rank)
    return 0;
  ArrayRef<int64_t> w = weights.getShape();
  // conv2d: every output element reduces over KH * KW * IC (OHWI weights);
  // depthwise: over KH * KW (HWCM); matmul [B, M, N] over K ([B, K, N]).
  if (isa<tosa::Conv2DOp>(op))
    return output.getNumElements() * w[1] * w[2] * w[3];
  if (isa<tosa::DepthwiseConv2DOp>(op))
    return output.getNumElements() * w[0] * w[1];
  if (isa<tosa::MatMulOp>(op))
    return output.getNumElements() * w[1];
  return 0;
}

/// Output channels (the number of per-channel scales).
static int64_t countChannels(Operation *op) {
  auto output = cast<ShapedType>(op->getResult(0).getType());
  return output.hasRank() && output.getRank() > 0 ? output.getShape().back()
                                                  : 1;
}

/// Bytes of the scales of an integer layer: one float per channel, or one.
static int64_t countScaleBytes(Operation *op, PrecisionAttr precision) {
  return 4 * (precision.getGranularity() == WeightGranularity::PerTensor
                  ? 1
                  : countChannels(op));
}

/// Bytes the weights of `op` take as the module stores them now: float,
/// int8, or packed bytes and sub-scales; an integer layer's scales
/// included.
static int64_t countStoredBytes(Operation *op, PrecisionAttr precision,
                                int64_t elements) {
  Value weights = op->getOperand(1);
  // A matmul with 16-bit activations widens its int8 weights as it reads
  // them.
  if (auto widened = weights.getDefiningOp<tosa::CastOp>())
    weights = widened.getInput();
  if (auto unpack = weights.getDefiningOp<UnpackWeightsOp>()) {
    int64_t bytes = unpack.getPacked().getType().getNumElements();
    if (Value subscales = unpack.getSubscales())
      bytes += cast<ShapedType>(subscales.getType()).getNumElements();
    return bytes + countScaleBytes(op, precision);
  }
  Type element = cast<ShapedType>(weights.getType()).getElementType();
  if (!element.isInteger())
    return elements * ((element.getIntOrFloatBitWidth() + 7) / 8);
  return elements * ((element.getIntOrFloatBitWidth() + 7) / 8) +
         countScaleBytes(op, precision);
}

/// Bytes the quantize pass stores `precision`'s weights in: packed bytes
/// (int3 in the int4 layout), a byte per group or vector sub-scale, and
/// the scales.
static int64_t countPackedBytes(Operation *op, PrecisionAttr precision,
                                int64_t elements) {
  if (precision.isFloat())
    return 4 * elements;
  int64_t bytes = elements;
  if (std::optional<PackedFormat> format =
          choosePackedFormat(precision.getWeights(), {}))
    bytes = getPackedBytes(*format, elements);
  if (precision.getMaxSubscale() > 1)
    bytes += elements / precision.getBlock();
  return bytes + countScaleBytes(op, precision);
}

namespace {
struct ReportPrecisionPass
    : quantx::impl::ReportPrecisionBase<ReportPrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (report.empty()) {
      module.emitError("quantx-report-precision: report=<file.json> is "
                       "required");
      return signalPassFailure();
    }
    llvm::json::Array layers;
    int64_t totalBytes = 0, totalPacked = 0, index = 0;
    module.walk([&](Operation *op) {
      auto precision = op->getAttrOfType<PrecisionAttr>(kPrecisionAttrName);
      if (!precision ||
          !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
        return;
      auto weights = cast<ShapedType>(op->getOperand(1).getType());
      int64_t elements =
          weights.hasStaticShape() ? weights.getNumElements() : 0;
      int64_t bytes = countStoredBytes(op, precision, elements);
      int64_t packed = countPackedBytes(op, precision, elements);
      totalBytes += bytes;
      totalPacked += packed;
      layers.push_back(llvm::json::Object{
          {"name", getLayerNames(op, index++).front()},
          {"op", op->getName().getStringRef()},
          {"weights", stringifyWeightFormat(precision.getWeights())},
          {"weight_bits", precision.getWeightBits()},
          {"granularity",
           granularityName(precision.getGranularity(), precision.getBlock())},
          {"activation_bits",
           precision.isFloat() ? int64_t(32) : precision.getActivations()},
          {"weight_elements", elements},
          {"weight_bytes", bytes},
          {"packed_weight_bytes", packed},
          {"macs", countMacs(op)},
      });
    });
    std::error_code error;
    llvm::raw_fd_ostream os(report, error, llvm::sys::fs::OF_Text);
    if (error) {
      module.emitError("quantx-report-precision: cannot write '")
          << report << "': " << error.message();
      return signalPassFailure();
    }
    os << llvm::formatv("{0:2}\n",
                        llvm::json::Value(llvm::json::Object{
                            {"layers", std::move(layers)},
                            {"total_weight_bytes", totalBytes},
                            {"total_packed_weight_bytes", totalPacked},
                        }));
  }
};
} // namespace
