//===- ReportPrecision.cpp - per-layer precision, bytes and MACs as JSON --===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LayerCosts.h"
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
    for (Value table : {unpack.getSubscales(), unpack.getCodebook()})
      if (table)
        bytes += cast<ShapedType>(table.getType()).getNumElements();
    return bytes + countScaleBytes(op, precision);
  }
  Type element = cast<ShapedType>(weights.getType()).getElementType();
  if (!element.isInteger())
    return elements * ((element.getIntOrFloatBitWidth() + 7) / 8);
  return elements * ((element.getIntOrFloatBitWidth() + 7) / 8) +
         countScaleBytes(op, precision);
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
      int64_t packed = countPackedBytes(op, precision);
      totalBytes += bytes;
      totalPacked += packed;
      layers.push_back(llvm::json::Object{
          {"name", getLayerNames(op, index++).front()},
          {"op", op->getName().getStringRef()},
          {"weights", stringifyWeightFormat(precision.getWeights())},
          {"weight_bits", precision.getWeightBits()},
          {"weight_levels", stringifyWeightLevels(precision.getLevels())},
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
    llvm::json::Object result{
        {"layers", std::move(layers)},
        {"total_weight_bytes", totalBytes},
        {"total_packed_weight_bytes", totalPacked},
    };
    // What quantx-assign-precision chose the precisions under.
    if (auto mixed =
            module->getAttrOfType<StringAttr>("quantx.mixed_precision")) {
      llvm::Expected<llvm::json::Value> parsed =
          llvm::json::parse(mixed.getValue());
      if (!parsed) {
        module.emitError("quantx-report-precision: quantx.mixed_precision "
                         "is not JSON: ")
            << llvm::toString(parsed.takeError());
        return signalPassFailure();
      }
      result["mixed_precision"] = std::move(*parsed);
    }
    os << llvm::formatv("{0:2}\n", llvm::json::Value(std::move(result)));
  }
};
} // namespace
