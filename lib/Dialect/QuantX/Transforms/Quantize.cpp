//===- Quantize.cpp - float ops between dequantize/quantize to integers ---===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Walks the function in order and gives every float value it can an integer
// form: an int8 activation (scale, zero point) or an int32 accumulator
// (scale per tensor or per channel of the last dimension, zero point 0, maybe
// a clamp still to apply). Float ops are rewritten in terms of those forms;
// accumulators become int8 again at the next quantize (a requantize). Float
// values still needed by ops it cannot quantize are dequantized, so those
// ops stay float between a dequantize and a quantize.
//
//===----------------------------------------------------------------------===//

#include "Quantizer.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

namespace mlir::quantx {
#define GEN_PASS_DEF_QUANTIZE
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

Operation *Quantizer::cloneWith(Operation *op, ValueRange operands,
                                Type elementType) {
  Operation *clone = b.clone(*op);
  clone->setOperands(operands);
  clone->removeAttr(kCalibAttrName);
  // Spent: the integers are in the quantized weights now.
  clone->removeAttr(kRoundedWeightsAttrName);
  clone->removeAttr(kWeightClippingAttrName);
  for (Value result : clone->getResults())
    result.setType(cast<RankedTensorType>(result.getType()).clone(elementType));
  return clone;
}

Value Quantizer::toQuantized(const IntValue &iv) {
  RankedTensorType type = iv.getType();
  UniformType element =
      iv.isAccumulator()
          ? getAccumulatorType(b.getContext(), iv.scales, type.getRank() - 1,
                               type.getElementType().getIntOrFloatBitWidth())
          : getInt8Type(b.getContext(), iv.scales[0], iv.zeroPoint);
  return StorageCastOp::create(b, loc(), type.clone(element), iv.value);
}

Value Quantizer::centered(const IntValue &iv) {
  auto type = iv.getType().clone(b.getI32Type());
  Value wide = tosa::CastOp::create(b, loc(), type, iv.value);
  if (iv.zeroPoint == 0)
    return wide;
  SmallVector<int64_t> ones(type.getRank(), 1);
  Value zp =
      createConst(b, loc(),
                  DenseElementsAttr::get(type.clone(ones),
                                         b.getI32IntegerAttr(iv.zeroPoint)));
  return tosa::SubOp::create(b, loc(), type, wide, zp);
}

Value Quantizer::toFloat(const IntValue &iv, Type floatType) {
  Value result = DequantizeOp::create(b, loc(), floatType, toQuantized(iv));
  if (iv.clamp) {
    auto f32 = b.getF32Type();
    result = tosa::ClampOp::create(b, loc(), floatType, result,
                                   b.getFloatAttr(f32, iv.clamp->first),
                                   b.getFloatAttr(f32, iv.clamp->second));
  }
  return result;
}

Value Quantizer::requantize(const IntValue &iv, UniformType to) {
  Value quantized = toQuantized(iv);
  auto type = cast<RankedTensorType>(quantized.getType());
  if (type.getElementType() == to)
    return quantized;
  return RequantizeOp::create(b, loc(), type.clone(to), quantized);
}

std::optional<IntValue> Quantizer::convert(Operation *op) {
  if (op->getNumResults() != 1 || !isFloatTensor(op->getResult(0).getType()))
    return std::nullopt;
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op) &&
      !supportsPrecision(op))
    return std::nullopt;
  return llvm::TypeSwitch<Operation *, std::optional<IntValue>>(op)
      .Case<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(
          [&](Operation *conv) { return convertConv(conv); })
      .Case<tosa::MatMulOp>([&](auto matmul) { return convertMatMul(matmul); })
      .Case<tosa::AddOp, tosa::SubOp>(
          [&](Operation *addSub) { return convertAddSub(addSub); })
      .Case<tosa::MulOp>([&](auto mul) { return convertMul(mul); })
      .Case<tosa::ClampOp>([&](auto clamp) { return convertClamp(clamp); })
      .Case<tosa::ConcatOp>([&](auto concat) { return convertConcat(concat); })
      .Case<tosa::ReduceSumOp>([&](auto sum) { return convertReduceSum(sum); })
      .Default([&](Operation *other) -> std::optional<IntValue> {
        if (keepsQuantization(other))
          return convertKeepingQuantization(other);
        return std::nullopt;
      });
}

void Quantizer::handleDequantize(DequantizeOp op) {
  UniformType type = getQuantizedElementType(op.getInput().getType());
  auto params = dyn_cast<PerTensorAttr>(type.getParams());
  if (!params || type.getStorageWidth() != 8 || !type.isSigned() ||
      type.getNarrowRange())
    return;
  Value source = replacedQuantizeSources.lookup(op.getInput());
  if (auto quantize = op.getInput().getDefiningOp<QuantizeOp>())
    source = quantize.getInput();
  if (source)
    floatSources[op.getResult()] = source;
  if (auto quantize = op.getInput().getDefiningOp<QuantizeOp>())
    if (auto mean = quantize->getAttrOfType<FloatAttr>(kMeanMagnitudeAttrName))
      meanMagnitudes[op.getInput()] = mean.getValueAsDouble();
  if (auto mean = meanMagnitudes.find(op.getInput());
      mean != meanMagnitudes.end())
    meanMagnitudes[op.getResult()] = mean->second;
  IntValue iv;
  iv.scales = {params.getScale().convertToDouble()};
  iv.zeroPoint = params.getZeroPoint();
  iv.value = StorageCastOp::create(
      b, loc(), op.getInput().getType().clone(b.getI8Type()), op.getInput());
  ints[op.getResult()] = iv;
}

LogicalResult Quantizer::handleQuantize(QuantizeOp op) {
  const IntValue *iv = lookup(op.getInput());
  if (!iv)
    return success(); // a real quantize of a float value
  UniformType to = getQuantizedElementType(op.getType());
  auto params = dyn_cast<PerTensorAttr>(to.getParams());
  if (!params || !to.isSigned() || to.getNarrowRange())
    return success();
  // int8 activations, or an int32 result at the accumulator level
  // (ConvInteger, MatMulInteger).
  bool toAccumulator =
      to.getStorageWidth() == 32 && iv->isAccumulator() && !iv->clamp;
  if (to.getStorageWidth() != 8 && !toAccumulator)
    return success();
  Value result = requantize(*iv, to);
  if (iv->clamp) {
    // The range does the clamp unless the clamp is narrower than the range.
    double scale = params.getScale().convertToDouble();
    auto toStorage = [&](double v) {
      return std::clamp(std::nearbyint(v / scale) + params.getZeroPoint(),
                        -128.0, 127.0);
    };
    double lo = toStorage(iv->clamp->first), hi = toStorage(iv->clamp->second);
    if (lo > -128 || hi < 127) {
      auto storageType =
          cast<RankedTensorType>(result.getType()).clone(b.getI8Type());
      Value storage = StorageCastOp::create(b, loc(), storageType, result);
      Value clamped =
          tosa::ClampOp::create(b, loc(), storageType, storage,
                                b.getIntegerAttr(b.getI8Type(), int64_t(lo)),
                                b.getIntegerAttr(b.getI8Type(), int64_t(hi)));
      result = StorageCastOp::create(b, loc(), op.getType(), clamped);
    }
  }
  replacedQuantizeSources[result] = op.getInput();
  if (auto mean = op->getAttrOfType<FloatAttr>(kMeanMagnitudeAttrName))
    meanMagnitudes[result] = mean.getValueAsDouble();
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult Quantizer::run() {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    b.setInsertionPoint(op);
    currentLoc = op->getLoc();
    if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
      handleDequantize(dequantize);
      continue;
    }
    if (auto quantize = dyn_cast<QuantizeOp>(op)) {
      if (failed(handleQuantize(quantize)))
        return failure();
      continue;
    }
    if (std::optional<IntValue> iv = convert(op)) {
      ints[op->getResult(0)] = *iv;
      converted.push_back(op);
    }
  }
  if (hadError)
    return failure();
  // Converted float ops go; values still used as float are dequantized.
  for (Operation *op : llvm::reverse(converted)) {
    Value result = op->getResult(0);
    if (!result.use_empty()) {
      const IntValue &iv = ints[result];
      b.setInsertionPointAfterValue(iv.value);
      currentLoc = op->getLoc();
      result.replaceAllUsesWith(toFloat(iv, result.getType()));
    }
    op->erase();
  }
  // Drop what became dead (dequantize ops, float constants), then name the
  // ops that stay float.
  SmallVector<Operation *> remaining;
  func.walk([&](Operation *op) { remaining.push_back(op); });
  for (Operation *op : llvm::reverse(remaining))
    if (op->use_empty() && isPure(op) && op->getNumResults() > 0)
      op->erase();
  func.walk([&](Operation *op) {
    if (isa<tosa::ConstOp, tosa::ConstShapeOp, func::ReturnOp>(op) ||
        isa<QuantXDialect>(op->getDialect()))
      return;
    if (!llvm::any_of(op->getResultTypes(), isFloatTensor))
      return;
    if (auto precision = op->getAttrOfType<PrecisionAttr>(kPrecisionAttrName);
        precision && precision.isFloat())
      emitRemark(op->getLoc(), "quantx-quantize: '")
          << op->getName() << "' stays float (its precision is float)";
    else
      emitRemark(op->getLoc(), "quantx-quantize: '")
          << op->getName() << "' stays float (no integer form for it with "
          << "these operands)";
  });
  return success();
}

namespace {
struct QuantizePass : quantx::impl::QuantizeBase<QuantizePass> {
  void runOnOperation() override {
    if (getOperation().isExternal())
      return;
    if (failed(Quantizer(getOperation()).run()))
      signalPassFailure();
  }
};
} // namespace
