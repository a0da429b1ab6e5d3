//===- WidenAccumulators.cpp - int48 where an int32 sum could overflow ----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A convolution or matmul whose int32 accumulator (or a bias or zero-point
// correction added to it before its requantize) could leave int32 is
// rewritten to accumulate in int48, as TOSA does for int16 activations:
// the activation is cast to int16, the reduction produces i48, the constants
// added to it become i48, and its requantize reads an i48 accumulator. The
// result is exact; only the code is slower. A remark names each layer.
//
//===----------------------------------------------------------------------===//

#include "IntegerBounds.h"
#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_WIDENACCUMULATORS
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// The width of widened accumulators: TOSA's accumulator for int16 inputs.
constexpr unsigned kWideBits = 48;

namespace {
/// A reduction and the ops that carry its accumulator to quantized types.
struct AccumulatorChain {
  Operation *root = nullptr;
  /// Adds/subs of constants and data movement, in program order.
  llvm::SetVector<Operation *> ops;
  /// The storage casts that make the accumulator a quantized value.
  SmallVector<StorageCastOp> casts;
};
} // namespace

/// Whether `op` adds or subtracts a constant to `value` (a bias, a
/// zero-point correction).
static bool addsConstant(Operation *op, Value value) {
  if (!isa<tosa::AddOp, tosa::SubOp>(op))
    return false;
  Value other = op->getOperand(op->getOperand(0) == value ? 1 : 0);
  if (isa<tosa::SubOp>(op) && op->getOperand(0) != value)
    return false;
  return other != value && getConstantElements(other);
}

/// The chain of `root`, or nothing when a use of its accumulator is not
/// one the rewrite understands.
static std::optional<AccumulatorChain> getChain(Operation *root) {
  AccumulatorChain chain;
  chain.root = root;
  SmallVector<Value> worklist = {root->getResult(0)};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (auto cast = dyn_cast<StorageCastOp>(user)) {
        if (!llvm::all_of(cast->getUsers(), [](Operation *u) {
              return isa<RequantizeOp, DequantizeOp>(u);
            }))
          return std::nullopt;
        chain.casts.push_back(cast);
        continue;
      }
      bool moves =
          isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp>(user) &&
          user->getOperand(0) == value;
      if (!moves && !addsConstant(user, value))
        return std::nullopt;
      if (chain.ops.insert(user))
        worklist.push_back(user->getResult(0));
    }
  }
  return chain;
}

static bool fitsInt32(const IntegerBounds &bounds, Value value) {
  return Interval::ofType(32).contains(bounds.get(value).hull());
}

/// `value` with integer elements of `bits` bits, as a new constant.
static Value retypeConstant(OpBuilder &b, Location loc, Value value,
                            unsigned bits) {
  auto elements = cast<DenseIntElementsAttr>(getConstantElements(value));
  Type element = b.getIntegerType(bits);
  return createConst(b, loc, elements.mapValues(element, [&](const APInt &v) {
    return v.sext(bits);
  }));
}

static RankedTensorType withElement(Value value, Type element) {
  return cast<RankedTensorType>(value.getType()).clone(element);
}

/// Rewrites `chain` to accumulate in int48.
static LogicalResult widen(const AccumulatorChain &chain) {
  Operation *root = chain.root;
  OpBuilder b(root);
  Location loc = root->getLoc();
  Type i16 = b.getI16Type(), wide = b.getIntegerType(kWideBits);
  bool isMatMul = isa<tosa::MatMulOp>(root);
  unsigned inputZpIndex = isMatMul ? 2 : 3, weightZpIndex = isMatMul ? 3 : 4;
  if (!getConstantElements(root->getOperand(inputZpIndex)) ||
      !getConstantElements(root->getOperand(weightZpIndex)) ||
      (!isMatMul && !getConstantElements(root->getOperand(2))))
    return failure();
  auto toInt16 = [&](Value v) -> Value {
    if (getConstantElements(v))
      return retypeConstant(b, loc, v, 16);
    return tosa::CastOp::create(b, loc, withElement(v, i16), v);
  };
  // TOSA's int48 forms: int16 x int8 convolutions, int16 x int16 matmuls.
  root->setOperand(0, toInt16(root->getOperand(0)));
  root->setOperand(inputZpIndex, toInt16(root->getOperand(inputZpIndex)));
  if (isMatMul) {
    root->setOperand(1, toInt16(root->getOperand(1)));
    root->setOperand(weightZpIndex, toInt16(root->getOperand(weightZpIndex)));
  } else {
    root->setOperand(2, retypeConstant(b, loc, root->getOperand(2), kWideBits));
    root->setAttr("acc_type", TypeAttr::get(wide));
  }
  Value result = root->getResult(0);
  result.setType(withElement(result, wide));
  for (Operation *op : chain.ops) {
    b.setInsertionPoint(op);
    if (isa<tosa::AddOp, tosa::SubOp>(op))
      for (OpOperand &operand : op->getOpOperands())
        if (getConstantElements(operand.get()))
          operand.set(
              retypeConstant(b, op->getLoc(), operand.get(), kWideBits));
    op->getResult(0).setType(withElement(op->getResult(0), wide));
  }
  for (StorageCastOp storageCast : chain.casts) {
    auto type = cast<RankedTensorType>(storageCast.getType());
    UniformType quant = getQuantizedElementType(type);
    storageCast.getResult().setType(type.clone(UniformType::get(
        b.getContext(), cast<IntegerType>(wide), quant.getExpressedType(),
        quant.getNarrowRange(), quant.getParams())));
  }
  return success();
}

namespace {
struct WidenAccumulatorsPass
    : quantx::impl::WidenAccumulatorsBase<WidenAccumulatorsPass> {
  void runOnOperation() override {
    IntegerBounds bounds(getOperation());
    SmallVector<AccumulatorChain> chains;
    struct Widening {
      int64_t bound, length, maxInput;
    };
    SmallVector<Widening> widenings;
    getOperation().walk([&](Operation *op) {
      auto elementOf = [](Value v) {
        return cast<RankedTensorType>(v.getType()).getElementType();
      };
      if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op) ||
          !elementOf(op->getResult(0)).isInteger(32) ||
          !elementOf(op->getOperand(0)).isInteger(8))
        return;
      std::optional<AccumulatorChain> chain = getChain(op);
      if (!chain)
        return; // quantx-check-accumulators reports what overflows
      bool overflows = !fitsInt32(bounds, op->getResult(0)) ||
                       llvm::any_of(chain->ops, [&](Operation *user) {
                         return !fitsInt32(bounds, user->getResult(0));
                       });
      if (!overflows)
        return;
      Interval worst = bounds.get(op->getResult(0)).hull();
      for (Operation *user : chain->ops)
        worst = worst.join(bounds.get(user->getResult(0)).hull());
      std::optional<ReductionInfo> info = bounds.getReduction(op);
      chains.push_back(std::move(*chain));
      widenings.push_back({worst.magnitude(), info ? info->length : 0,
                           info ? info->maxInput : 0});
    });
    for (auto [chain, widening] : llvm::zip(chains, widenings)) {
      if (failed(widen(chain))) {
        emitRemark(chain.root->getLoc(),
                   "quantx-widen-accumulators: cannot widen this "
                   "layer (non-constant zero points or bias)");
        continue;
      }
      emitRemark(chain.root->getLoc(), "quantx-widen-accumulators: the int32 "
                                       "accumulator could reach ")
          << widening.bound << " (K = " << widening.length
          << ", max|a| = " << widening.maxInput << "); accumulating in int"
          << kWideBits;
    }
  }
};
} // namespace
