//===- QuantizeDataMovement.cpp - concat, pads, pools, reshapes in integer
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//--===//

#include "Quantizer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

std::optional<IntValue> Quantizer::convertConcat(tosa::ConcatOp op) {
  // The output's quantization is that of the quantize it feeds.
  Value output = op.getResult();
  if (!output.hasOneUse())
    return std::nullopt;
  auto quantize = dyn_cast<QuantizeOp>(*output.getUsers().begin());
  if (!quantize)
    return std::nullopt;
  UniformType outType = getQuantizedElementType(quantize.getType());
  auto params = dyn_cast<PerTensorAttr>(outType.getParams());
  if (!params || outType.getStorageWidth() != 8 || !outType.isSigned())
    return std::nullopt;
  SmallVector<Value> operands;
  for (Value input : op.getInput1()) {
    const IntValue *x = getActivation(input);
    if (!x)
      return std::nullopt;
    Value q = requantize(*x, outType);
    operands.push_back(StorageCastOp::create(
        b, loc(), cast<RankedTensorType>(q.getType()).clone(b.getI8Type()), q));
  }
  IntValue result;
  result.scales = {params.getScale().convertToDouble()};
  result.zeroPoint = params.getZeroPoint();
  result.value = cloneWith(op, operands, b.getI8Type())->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertKeepingQuantization(Operation *op) {
  const IntValue *x = lookup(op->getOperand(0));
  if (!x || (x->isAccumulator() &&
             !isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp>(op)))
    return std::nullopt;
  auto inType = x->getType();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  if (x->isAccumulator() && x->scales.size() > 1) {
    // The channel (last) dimension must stay last and whole.
    if (outType.getShape().back() != inType.getShape().back())
      return std::nullopt;
    if (auto transpose = dyn_cast<tosa::TransposeOp>(op))
      if (transpose.getPerms().back() != inType.getRank() - 1)
        return std::nullopt;
  }
  SmallVector<Value> operands(op->getOperands());
  operands[0] = x->value;
  Type element = inType.getElementType();
  if (auto pad = dyn_cast<tosa::PadOp>(op)) {
    SmallVector<double> padValue =
        getFloatValues(getConstantElements(pad.getPadConst()));
    if (padValue.size() != 1)
      return std::nullopt;
    double q =
        std::clamp(std::nearbyint(padValue[0] / x->scales[0]) + x->zeroPoint,
                   -128.0, 127.0);
    operands[2] = i8ZeroPoint(int64_t(q));
  }
  if (isa<tosa::AvgPool2dOp>(op)) {
    operands[1] = i8ZeroPoint(x->zeroPoint);
    operands[2] = i8ZeroPoint(x->zeroPoint);
  }
  Operation *clone = cloneWith(op, operands, element);
  if (isa<tosa::AvgPool2dOp>(op))
    clone->setAttr("acc_type", TypeAttr::get(b.getI32Type()));
  IntValue result = *x;
  result.value = clone->getResult(0);
  return result;
}
