//===- ResidualAdd.cpp - residual adds to the GPU's requantized add -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A quantized residual connection is, after quantization, four ops: each
// int8 operand rescaled to int32, the int32 sum, the sum rescaled back to
// int8. On the GPU target they become one call of the add kernel
// (kGpuAddS8Symbol), so that the convolutions around a residual block and
// the block's add all run on the device and hand their activations over
// in device memory.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Runtime/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;
using namespace mlir::quantx;
namespace qk = ::quantx::kernels;

namespace {

/// Whether `rescale`'s multiplier is per tensor or per channel of the last
/// dimension of its `rank`-dimensional operand: the add kernel's table has
/// one entry per channel.
bool hasChannelMultipliers(RescaleOp rescale, int64_t rank) {
  std::optional<uint64_t> axis = rescale.getAxis();
  return !axis || int64_t(*axis) == rank - 1;
}

/// The rescale defining `addend`, if it is one the add kernel computes: a
/// signed int8 tensor of `type`'s shape to int32, with no output zero
/// point or clamp, read by the add alone.
RescaleOp matchAddend(Value addend, RankedTensorType type) {
  auto rescale = addend.getDefiningOp<RescaleOp>();
  if (!rescale || !addend.hasOneUse() || rescale.getType() != type ||
      rescale.getInputUnsigned() || rescale.getOutputUnsigned() ||
      rescale.getOutputZeroPoint() != 0 || rescale.getClampMin() ||
      rescale.getClampMax() || !hasChannelMultipliers(rescale, type.getRank()))
    return nullptr;
  auto input = cast<RankedTensorType>(rescale.getInput().getType());
  return input.getElementType().isSignlessInteger(8) ? rescale : nullptr;
}

/// Appends `rescale`'s multipliers, then its shifts, one per channel.
void appendChannelTable(RescaleOp rescale, int64_t channels,
                        SmallVectorImpl<int32_t> &table) {
  DyadicAttr dyadic = rescale.getMultiplier();
  for (ArrayRef<int32_t> values : {dyadic.getMultiplier(), dyadic.getShift()})
    for (int64_t c = 0; c < channels; ++c)
      table.push_back(values[values.size() == 1 ? 0 : c]);
}

/// Replaces `add` and its rescales with a call of the add kernel where they
/// are the requantized add it computes; whether it did.
bool fuseResidualAdd(tosa::AddOp add) {
  auto type = dyn_cast<RankedTensorType>(add.getType());
  if (!type || !type.hasStaticShape() || type.getRank() == 0 ||
      !type.getElementType().isSignlessInteger(32) || !add->hasOneUse())
    return false;
  RescaleOp first = matchAddend(add.getInput1(), type);
  RescaleOp second = matchAddend(add.getInput2(), type);
  auto out = dyn_cast<RescaleOp>(*add->user_begin());
  if (!first || !second || !out || out.getInputZeroPoint() != 0 ||
      out.getInputUnsigned() || out.getOutputUnsigned() ||
      !hasChannelMultipliers(out, type.getRank()))
    return false;
  auto outType = cast<RankedTensorType>(out.getType());
  if (!outType.getElementType().isSignlessInteger(8))
    return false;

  int64_t channels = type.getShape().back();
  std::vector<int64_t> params(qk::kNumParams, 0);
  params[qk::kBatch] = type.getNumElements() / channels;
  params[qk::kOutC] = channels;
  params[qk::kPadValue] = first.getInputZeroPoint();
  params[qk::kWeightZeroPoint] = second.getInputZeroPoint();
  params[qk::kOutputZeroPoint] = out.getOutputZeroPoint();
  params[qk::kClampMin] = out.getOutputMin();
  params[qk::kClampMax] = out.getOutputMax();
  for (auto [rescale, single] :
       {std::pair(first, qk::kAddSingleA), std::pair(second, qk::kAddSingleB),
        std::pair(out, qk::kAddSingleOut)})
    if (rescale.getMultiplier().getRounding() == RoundingMode::Single)
      params[qk::kRounding] |= single;
  qk::CallSpec spec;
  if (!qk::checkParams(qk::KernelKind::GpuAddS8, params.data(), spec).empty())
    return false;

  SmallVector<int32_t> table;
  for (RescaleOp rescale : {first, second, out})
    appendChannelTable(rescale, channels, table);
  OpBuilder b(out);
  Location loc = out.getLoc();
  auto tableType =
      RankedTensorType::get({int64_t(table.size())}, b.getI32Type());
  Value tableValue = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(tableType, ArrayRef<int32_t>(table)));
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  auto call = KernelCallOp::create(
      b, loc, TypeRange{outType}, b.getStringAttr(qk::kGpuAddS8Symbol),
      ValueRange{first.getInput(), second.getInput(), tableValue}, init,
      b.getDenseI64ArrayAttr(params));
  out.getResult().replaceAllUsesWith(call.getResult()[0]);
  out.erase();
  add.erase();
  // Each rescale had the add as its only reader.
  first.erase();
  second.erase();
  return true;
}

} // namespace

bool mlir::quantx::fuseResidualAddsForGpu(ModuleOp module) {
  SmallVector<tosa::AddOp> adds;
  module.walk([&](tosa::AddOp add) { adds.push_back(add); });
  bool any = false;
  for (tosa::AddOp add : adds)
    any |= fuseResidualAdd(add);
  return any;
}
