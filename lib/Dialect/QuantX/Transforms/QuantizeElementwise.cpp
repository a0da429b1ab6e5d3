//===- QuantizeElementwise.cpp - add, sub, mul, clamp, reduce_sum in integer
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//===//

#include "Quantizer.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

/// TFLite's headroom for adds: inputs are rescaled to 2^-20 of twice the
/// larger input scale, so an int8 difference stays below 2^28.
constexpr int kAddLeftShift = 20;

std::optional<IntValue> Quantizer::convertAddSub(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  // accumulator +/- constant (bias): the constant at the accumulator's scale.
  for (auto [accValue, constValue] :
       {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    if (isa<tosa::SubOp>(op) && accValue != lhs)
      break;
    const IntValue *acc = lookup(accValue);
    DenseElementsAttr constant = getConstantElements(constValue);
    if (!acc || !acc->isAccumulator() || acc->clamp || !constant)
      continue;
    auto constType = constant.getType();
    int64_t channels = acc->scales.size();
    if (acc->getType().getShape() != resultType.getShape() ||
        (channels > 1 && constType.getShape().back() != channels &&
         constType.getShape().back() != 1))
      continue;
    SmallVector<int32_t> values;
    int64_t last = constType.getRank() ? constType.getShape().back() : 1;
    bool fits = true;
    for (auto [i, v] : llvm::enumerate(getFloatValues(constant))) {
      double scale = acc->scales[channels == 1 ? 0 : i % last];
      double q = std::nearbyint(v / scale);
      fits &= std::abs(q) < 2147483647.0;
      values.push_back(fits ? int32_t(q) : 0);
    }
    if (!fits || values.empty())
      continue;
    // At the accumulator's width (int48 after 16-bit activations).
    Type accType = acc->getType().getElementType();
    SmallVector<APInt> wide;
    for (int32_t v : values)
      wide.push_back(
          APInt(accType.getIntOrFloatBitWidth(), v, /*isSigned=*/true));
    Value qConst = createConst(
        b, loc(), DenseElementsAttr::get(constType.clone(accType), wide));
    IntValue result = *acc;
    result.value =
        cloneWith(op,
                  accValue == lhs ? SmallVector<Value>{acc->value, qConst}
                                  : SmallVector<Value>{qConst, acc->value},
                  accType)
            ->getResult(0);
    return result;
  }
  // activation +/- activation: both at a common int32 scale.
  const IntValue *x = getActivation(lhs), *y = getActivation(rhs);
  if (!x || !y)
    return std::nullopt;
  double common = 2 * std::max(x->scales[0], y->scales[0]) /
                  double(int64_t(1) << kAddLeftShift);
  UniformType commonType = getAccumulatorType(b.getContext(), {common}, 0);
  auto widen = [&](const IntValue &iv) {
    Value wide = requantize(iv, commonType);
    auto type = cast<RankedTensorType>(wide.getType());
    return StorageCastOp::create(b, loc(), type.clone(b.getI32Type()), wide)
        .getResult();
  };
  IntValue result;
  result.scales = {common};
  result.value =
      cloneWith(op, {widen(*x), widen(*y)}, b.getI32Type())->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertMul(tosa::MulOp op) {
  Value lhs = op.getInput1(), rhs = op.getInput2();
  // x * positive constant: only the scale changes.
  for (auto [value, constValue] : {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    const IntValue *x = lookup(value);
    if (!x || x->clamp ||
        x->getType() != cast<RankedTensorType>(op.getType())
                            .clone(x->getType().getElementType()))
      continue;
    int64_t channels = x->getType().getShape().back();
    std::optional<SmallVector<double>> c =
        getChannelValues(constValue, channels);
    if (!c || llvm::any_of(
                  *c, [](double v) { return !(v > 0) || !std::isfinite(v); }))
      continue;
    bool uniform = llvm::all_equal(*c);
    if (!x->isAccumulator() && !uniform)
      continue;
    IntValue result = *x;
    if (uniform) {
      for (double &s : result.scales)
        s *= (*c)[0];
    } else {
      if (result.scales.size() == 1)
        result.scales.assign(channels, result.scales[0]);
      for (int64_t ch = 0; ch < channels; ++ch)
        result.scales[ch] *= (*c)[ch];
    }
    return result;
  }
  // activation * activation in int32.
  const IntValue *x = getActivation(lhs), *y = getActivation(rhs);
  if (!x || !y)
    return std::nullopt;
  IntValue result;
  result.scales = {x->scales[0] * y->scales[0]};
  auto shiftType = RankedTensorType::get({1}, b.getI8Type());
  Value shift = createConst(
      b, loc(), DenseElementsAttr::get(shiftType, b.getI8IntegerAttr(0)));
  result.value = tosa::MulOp::create(
      b, loc(), cast<RankedTensorType>(op.getType()).clone(b.getI32Type()),
      centered(*x), centered(*y), shift);
  return result;
}

std::optional<IntValue> Quantizer::convertClamp(tosa::ClampOp op) {
  const IntValue *x = lookup(op.getInput());
  if (!x)
    return std::nullopt;
  auto minAttr = dyn_cast<FloatAttr>(op.getMinValAttr());
  auto maxAttr = dyn_cast<FloatAttr>(op.getMaxValAttr());
  if (!minAttr || !maxAttr)
    return std::nullopt;
  double lo = minAttr.getValueAsDouble(), hi = maxAttr.getValueAsDouble();
  IntValue result = *x;
  if (x->isAccumulator()) {
    if (x->clamp) {
      lo = std::max(lo, x->clamp->first);
      hi = std::min(hi, x->clamp->second);
    }
    result.clamp = {lo, hi};
    return result;
  }
  auto toStorage = [&](double v) {
    double q = std::nearbyint(v / x->scales[0]) + x->zeroPoint;
    return int64_t(std::clamp(q, -128.0, 127.0));
  };
  Operation *clamp = cloneWith(op, {x->value}, b.getI8Type());
  clamp->setAttr("min_val", b.getIntegerAttr(b.getI8Type(), toStorage(lo)));
  clamp->setAttr("max_val", b.getIntegerAttr(b.getI8Type(), toStorage(hi)));
  result.value = clamp->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertReduceSum(tosa::ReduceSumOp op) {
  const IntValue *x = getActivation(op.getInput());
  if (!x)
    return std::nullopt;
  IntValue result;
  result.scales = {x->scales[0]};
  result.value = cloneWith(op, {centered(*x)}, b.getI32Type())->getResult(0);
  return result;
}
