//===- ExportTosa.cpp - integer-level quantx to TOSA int8 -----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_EXPORTTOSA
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// A rank-1 constant of `values` with element type `element`.
static Value createVector(OpBuilder &b, Location loc, Type element,
                          ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, element);
  SmallVector<Attribute> attrs;
  for (int64_t v : values)
    attrs.push_back(b.getIntegerAttr(element, v));
  return createConst(b, loc, DenseElementsAttr::get(type, attrs));
}

static LogicalResult exportRescale(RescaleOp op) {
  DyadicAttr dyadic = op.getMultiplier();
  // TOSA's DOUBLE_ROUND adds +-2^30 before one shift; gemmlowp's double
  // rounding rounds twice. They differ on some inputs, so only single
  // rounding (identical in both) is exported.
  if (dyadic.getRounding() != RoundingMode::Single)
    return op.emitOpError("quantx-export-tosa: double rounding has no exact "
                          "TOSA equivalent (TOSA DOUBLE_ROUND rounds "
                          "differently); quantize with rounding=single");
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  std::optional<uint64_t> axis = op.getAxis();
  if (axis && int64_t(*axis) != inType.getRank() - 1)
    return op.emitOpError("quantx-export-tosa: TOSA rescales per channel "
                          "of the last dimension only, not axis ")
           << *axis;
  for (int32_t shift : dyadic.getShift())
    if (shift < 2)
      return op.emitOpError("quantx-export-tosa: shift ")
             << shift << " is below TOSA's minimum of 2";
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<int64_t> multipliers(dyadic.getMultiplier().begin(),
                                   dyadic.getMultiplier().end());
  SmallVector<int64_t> shifts(dyadic.getShift().begin(),
                              dyadic.getShift().end());
  Type inElement = inType.getElementType(),
       outElement = outType.getElementType();
  Value result = tosa::RescaleOp::create(
      b, loc, outType, op.getInput(),
      createVector(b, loc, b.getI32Type(), multipliers),
      createVector(b, loc, b.getI8Type(), shifts),
      createVector(b, loc, inElement, {op.getInputZeroPointAttr().getInt()}),
      createVector(b, loc, outElement, {op.getOutputZeroPointAttr().getInt()}),
      b.getBoolAttr(true),
      tosa::RoundingModeAttr::get(b.getContext(),
                                  tosa::RoundingMode::SINGLE_ROUND),
      b.getBoolAttr(multipliers.size() > 1),
      b.getBoolAttr(op.getInputUnsigned()),
      b.getBoolAttr(op.getOutputUnsigned()));
  unsigned width = outElement.getIntOrFloatBitWidth();
  int64_t lo = integerMin(width, op.getOutputUnsigned());
  int64_t hi = integerMax(width, op.getOutputUnsigned());
  if (op.getOutputMin() > lo || op.getOutputMax() < hi)
    result =
        tosa::ClampOp::create(b, loc, outType, result,
                              b.getIntegerAttr(outElement, op.getOutputMin()),
                              b.getIntegerAttr(outElement, op.getOutputMax()));
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

namespace {
struct ExportTosaPass : quantx::impl::ExportTosaBase<ExportTosaPass> {
  void runOnOperation() override {
    SmallVector<RescaleOp> rescales;
    getOperation().walk([&](RescaleOp op) { rescales.push_back(op); });
    for (RescaleOp op : rescales)
      if (failed(exportRescale(op)))
        return signalPassFailure();
    // TOSA has no packed weights: they become int8 constants (TOSA's int4
    // extension cannot hold sub-scaled weights).
    SmallVector<UnpackWeightsOp> unpacks;
    getOperation().walk([&](UnpackWeightsOp op) { unpacks.push_back(op); });
    for (UnpackWeightsOp op : unpacks) {
      DenseElementsAttr values = op.evaluate();
      if (!values) {
        op.emitOpError("quantx-export-tosa: packed weights that are not "
                       "constants have no TOSA form");
        return signalPassFailure();
      }
      OpBuilder b(op);
      op.replaceAllUsesWith(createConst(b, op.getLoc(), values));
      op.erase();
    }
    // storage_cast pairs fold away; what remains sits at a float boundary.
    getOperation().walk([&](StorageCastOp op) {
      if (auto inner = op.getInput().getDefiningOp<StorageCastOp>())
        if (inner.getInput().getType() == op.getType()) {
          op.replaceAllUsesWith(inner.getInput());
          op.erase();
        }
    });
    getOperation().walk([&](StorageCastOp op) {
      if (op->use_empty())
        op.erase();
    });
    // Pure TOSA carries no quantx attribute (layer names, precisions): a
    // consumer without the quantx dialect could not parse it.
    getOperation().walk([](Operation *op) {
      op->removeAttr(kPrecisionAttrName);
      op->removeAttr(kLayerAttrName);
    });
  }
};
} // namespace
