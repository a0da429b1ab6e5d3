//===- LowerRequantize.cpp - requantize to integer dyadic rescale ---------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_LOWERREQUANTIZE
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

namespace {
/// Scales and zero points of a per-tensor or per-axis type.
struct AxisParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int64_t> axis;
};
} // namespace

static std::optional<AxisParams> getAxisParams(UniformType type) {
  AxisParams result;
  if (auto perTensor = dyn_cast<PerTensorAttr>(type.getParams())) {
    result.scales = {perTensor.getScale().convertToDouble()};
    result.zeroPoints = {perTensor.getZeroPoint()};
    return result;
  }
  auto perAxis = dyn_cast<PerAxisAttr>(type.getParams());
  if (!perAxis)
    return std::nullopt;
  result.scales.assign(perAxis.getScales().asArrayRef().begin(),
                       perAxis.getScales().asArrayRef().end());
  result.zeroPoints.assign(perAxis.getZeroPoints().begin(),
                           perAxis.getZeroPoints().end());
  if (result.zeroPoints.empty())
    result.zeroPoints.assign(result.scales.size(), 0);
  result.axis = perAxis.getAxis();
  return result;
}

namespace {
struct LowerRequantizePass
    : quantx::impl::LowerRequantizeBase<LowerRequantizePass> {
  using LowerRequantizeBase::LowerRequantizeBase;

  LogicalResult lower(RequantizeOp op) {
    UniformType in = getQuantizedElementType(op.getInput().getType());
    UniformType out = getQuantizedElementType(op.getType());
    std::optional<AxisParams> from = getAxisParams(in), to = getAxisParams(out);
    // Per-block parameters stay for quantx-lower-to-arith.
    if (!from || !to || (from->axis && to->axis && *from->axis != *to->axis))
      return success();
    if (!llvm::all_equal(from->zeroPoints) || !llvm::all_equal(to->zeroPoints))
      return success();
    size_t channels = std::max(from->scales.size(), to->scales.size());
    SmallVector<int32_t> multipliers, shifts;
    for (size_t c = 0; c < channels; ++c) {
      double ratio = from->scales[from->scales.size() == 1 ? 0 : c] /
                     to->scales[to->scales.size() == 1 ? 0 : c];
      FailureOr<DyadicValue> dyadic = computeDyadic(ratio);
      if (failed(dyadic))
        return op.emitOpError("scale ratio ")
               << ratio << " has no dyadic multiplier (it must be below 2^31)";
      multipliers.push_back(dyadic->multiplier);
      shifts.push_back(dyadic->shift);
    }
    bool uniform = llvm::all_equal(multipliers) && llvm::all_equal(shifts);
    if (uniform) {
      multipliers.resize(1);
      shifts.resize(1);
    }
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = StorageCastOp::create(
        b, loc,
        type.clone(IntegerType::get(b.getContext(), in.getStorageWidth())),
        op.getInput());
    auto i64 = [&](int64_t v) { return b.getI64IntegerAttr(v); };
    auto rescale = RescaleOp::create(
        b, loc,
        type.clone(IntegerType::get(b.getContext(), out.getStorageWidth())),
        input, DyadicAttr::get(b.getContext(), multipliers, shifts, rounding),
        i64(from->zeroPoints[0]), i64(to->zeroPoints[0]),
        uniform ? IntegerAttr() : i64(from->axis ? *from->axis : *to->axis),
        in.isSigned() ? UnitAttr() : b.getUnitAttr(),
        out.isSigned() ? UnitAttr() : b.getUnitAttr(),
        out.getNarrowRange() ? i64(out.getStorageMin()) : IntegerAttr(),
        IntegerAttr());
    op.replaceAllUsesWith(
        StorageCastOp::create(b, loc, type, rescale.getResult()).getResult());
    op.erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<RequantizeOp> ops;
    getOperation().walk([&](RequantizeOp op) { ops.push_back(op); });
    for (RequantizeOp op : ops)
      if (failed(lower(op)))
        return signalPassFailure();
  }
};
} // namespace
