//===- SetPrecision.cpp - per-layer precision from options and a file -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Attaches `quantx.precision` to each quantizable layer: from the precision
// file when it names the layer, else a precision set by hand, else the
// global options.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_SETPRECISION
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// Whether `op` is a layer whose precision can be chosen.
static bool isQuantizableLayer(Operation *op) {
  if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op) ||
      op->getNumResults() != 1 || !isFloatTensor(op->getResult(0).getType()))
    return false;
  return bool(getConstantElements(op->getOperand(1)));
}

namespace {
struct SetPrecisionPass : quantx::impl::SetPrecisionBase<SetPrecisionPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// The precision the global options describe.
  FailureOr<PrecisionAttr> getGlobalPrecision();
  /// Reads `precision-file` into `fromFile`.
  LogicalResult readPrecisionFile();
  FailureOr<PrecisionAttr> parseEntry(StringRef name,
                                      const llvm::json::Value &value);

  llvm::StringMap<PrecisionAttr> fromFile;
};
} // namespace

FailureOr<PrecisionAttr> SetPrecisionPass::getGlobalPrecision() {
  ModuleOp module = getOperation();
  std::optional<WeightFormat> weights = parseWeightFormat(weightBits);
  if (!weights) {
    module.emitError("quantx-set-precision: weight-bits must be 8, 4, 3, 2, "
                     "ternary, binary or float, got '")
        << weightBits << "'";
    return failure();
  }
  std::optional<WeightLevels> levels = parseWeightLevels(weightFormat);
  if (!levels) {
    module.emitError("quantx-set-precision: weight-format must be uniform, "
                     "codebook or pow2, got '")
        << weightFormat << "'";
    return failure();
  }
  int64_t block = 0;
  std::optional<WeightGranularity> granularity =
      parseGranularity(weightGranularity, block);
  if (!granularity) {
    module.emitError("quantx-set-precision: weight-granularity must be "
                     "per-tensor, per-channel, group:G or two-level:N (G, N "
                     "positive), got '")
        << weightGranularity << "'";
    return failure();
  }
  // Ternary and binary weights have a scale per channel whatever the
  // default granularity says.
  if ((*weights == WeightFormat::Ternary || *weights == WeightFormat::Binary) &&
      *granularity != WeightGranularity::PerTensor) {
    granularity = WeightGranularity::PerChannel;
    block = 0;
  }
  std::string why;
  auto precision = getCheckedPrecision(&getContext(), *weights, *granularity,
                                       block, activationBits, *levels, why);
  if (failed(precision))
    module.emitError("quantx-set-precision: invalid precision: ") << why;
  return precision;
}

FailureOr<PrecisionAttr>
SetPrecisionPass::parseEntry(StringRef name, const llvm::json::Value &value) {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &why) -> FailureOr<PrecisionAttr> {
    module.emitError("quantx-set-precision: ")
        << precisionFile << ": layer '" << name << "': " << why;
    return failure();
  };
  if (std::optional<StringRef> text = value.getAsString()) {
    std::string error;
    auto precision = parsePrecision(&getContext(), *text, error);
    if (failed(precision))
      return fail(error);
    return precision;
  }
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return fail("expected a precision string or an object");
  for (const auto &entry : *object)
    if (!llvm::is_contained({"weight-bits", "weight-format",
                             "weight-granularity", "activation-bits"},
                            entry.first.str()))
      return fail("unknown key '" + entry.first.str() +
                  "' (expected weight-bits, weight-format, "
                  "weight-granularity, activation-bits)");
  // A key that is present must have a value of its type: a wrong one is
  // an error, never the default.
  std::string bits = "8";
  if (const llvm::json::Value *given = object->get("weight-bits")) {
    if (std::optional<int64_t> number = given->getAsInteger())
      bits = std::to_string(*number);
    else if (std::optional<StringRef> text = given->getAsString())
      bits = text->str();
    else
      bits.clear();
  }
  std::optional<WeightFormat> weights = parseWeightFormat(bits);
  if (!weights)
    return fail("weight-bits must be 8, 4, 3, 2, ternary, binary or float");
  std::optional<WeightLevels> levels = WeightLevels::Uniform;
  if (const llvm::json::Value *given = object->get("weight-format")) {
    std::optional<StringRef> text = given->getAsString();
    levels = text ? parseWeightLevels(*text) : std::nullopt;
    if (!levels)
      return fail("weight-format must be uniform, codebook or pow2");
  }
  int64_t block = 0;
  std::optional<WeightGranularity> granularity = WeightGranularity::PerChannel;
  if (const llvm::json::Value *given = object->get("weight-granularity")) {
    std::optional<StringRef> text = given->getAsString();
    granularity = text ? parseGranularity(*text, block) : std::nullopt;
    if (!granularity)
      return fail("weight-granularity must be per-tensor, per-channel, "
                  "group:G or two-level:N");
  }
  int64_t activations = 8;
  if (const llvm::json::Value *given = object->get("activation-bits")) {
    std::optional<int64_t> number = given->getAsInteger();
    if (!number)
      return fail("activation-bits must be an integer (8, 16 or 1)");
    activations = *number;
  }
  std::string why;
  auto precision = getCheckedPrecision(&getContext(), *weights, *granularity,
                                       block, activations, *levels, why);
  if (failed(precision))
    return fail(why);
  return precision;
}

LogicalResult SetPrecisionPass::readPrecisionFile() {
  if (precisionFile.empty())
    return success();
  ModuleOp module = getOperation();
  auto buffer = llvm::MemoryBuffer::getFile(precisionFile);
  if (!buffer) {
    module.emitError("quantx-set-precision: cannot read precision-file '")
        << precisionFile << "': " << buffer.getError().message();
    return failure();
  }
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    module.emitError("quantx-set-precision: ")
        << precisionFile
        << " is not valid JSON: " << llvm::toString(json.takeError());
    return failure();
  }
  const llvm::json::Object *object = json->getAsObject();
  if (!object) {
    module.emitError("quantx-set-precision: ")
        << precisionFile
        << " must hold a JSON object mapping layer names to precisions";
    return failure();
  }
  for (const auto &[name, value] : *object) {
    FailureOr<PrecisionAttr> precision = parseEntry(name, value);
    if (failed(precision))
      return failure();
    fromFile[name] = *precision;
  }
  return success();
}

void SetPrecisionPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<PrecisionAttr> global = getGlobalPrecision();
  if (failed(global) || failed(readPrecisionFile()))
    return signalPassFailure();
  if (weightClipping != "max" && weightClipping != "octav") {
    module.emitError("quantx-set-precision: weight-clipping must be max or "
                     "octav, got '")
        << weightClipping << "'";
    return signalPassFailure();
  }

  SmallVector<Operation *> layers;
  module.walk([&](Operation *op) {
    if (isQuantizableLayer(op))
      layers.push_back(op);
  });
  llvm::StringSet<> matched;
  bool failedLayer = false;
  for (auto [index, op] : llvm::enumerate(layers)) {
    PrecisionAttr precision;
    for (const std::string &name : getLayerNames(op, index)) {
      auto it = fromFile.find(name);
      if (it == fromFile.end())
        continue;
      matched.insert(name);
      if (precision && precision != it->second) {
        op->emitError("quantx-set-precision: the precision file gives this "
                      "layer two precisions (")
            << precision.str() << " and " << it->second.str()
            << ") under different names";
        failedLayer = true;
      }
      precision = it->second;
    }
    if (precision) {
      if (std::optional<std::string> why =
              getPrecisionMismatch(op, precision)) {
        op->emitError("quantx-set-precision: precision ")
            << precision.str() << " from " << precisionFile
            << " does not fit this layer: " << *why;
        failedLayer = true;
        continue;
      }
    } else if (auto given =
                   op->getAttrOfType<PrecisionAttr>(kPrecisionAttrName)) {
      precision = given;
      if (std::optional<std::string> why =
              getPrecisionMismatch(op, precision)) {
        op->emitError("quantx-set-precision: precision ")
            << precision.str() << " does not fit this layer: " << *why;
        failedLayer = true;
        continue;
      }
    } else {
      precision = *global;
      if (std::optional<std::string> why =
              getPrecisionMismatch(op, precision)) {
        precision = PrecisionAttr::get(&getContext(), precision.getWeights(),
                                       WeightGranularity::PerChannel, 0,
                                       precision.getActivations(),
                                       precision.getLevels());
        emitRemark(op->getLoc(), "quantx-set-precision: ")
            << granularityName((*global).getGranularity(), (*global).getBlock())
            << " does not fit this layer (" << *why << "): per channel instead";
      }
    }
    op->setAttr(kPrecisionAttrName, precision);
    if (weightClipping == "octav")
      op->setAttr(kWeightClippingAttrName,
                  StringAttr::get(&getContext(), weightClipping));
  }
  for (const auto &entry : fromFile) {
    if (matched.contains(entry.getKey()))
      continue;
    module.emitError("quantx-set-precision: ")
        << precisionFile << " names layer '" << entry.getKey()
        << "', which is not a quantizable layer of this model (conv2d, "
           "depthwise_conv2d or matmul with constant weights; names are "
           "quantx.layer attributes, location names or #0 to #"
        << int64_t(layers.size()) - 1 << ")";
    failedLayer = true;
  }
  if (failedLayer)
    signalPassFailure();
}
