//===- IntegerBounds.h - value ranges of integer tensors --------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// An interval analysis of the integer tensors of a function, as the
// quantization passes emit them: TOSA convolutions, matmuls, elementwise
// arithmetic, reductions and data movement, and quantx's casts, requantizes
// and rescales. Each value gets the interval of its mathematical (unwrapped)
// result, one per index of its last dimension (the channel) where that is
// tighter. quantx-check-accumulators proves with it that no integer value
// the code computes leaves its type, and quantx-widen-accumulators finds the
// accumulators that need more than 32 bits.
//
// Soundness: every transfer function over-approximates its op's result for
// all inputs within the operands' intervals. Reductions bound every partial
// sum too (each term's interval is widened to hold 0), so an accumulation in
// any order stays within the interval of its result. Ops the analysis does
// not know get the full range of their result type, and are not checked.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_DIALECT_QUANTX_TRANSFORMS_INTEGERBOUNDS_H
#define QUANTX_LIB_DIALECT_QUANTX_TRANSFORMS_INTEGERBOUNDS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include <cstdint>
#include <optional>

namespace mlir::quantx {

/// A closed interval of integers. Bounds saturate at the int64 limits,
/// which lie outside every integer type the analysis checks.
struct Interval {
  int64_t lo = 0, hi = 0;

  static Interval point(int64_t v) { return {v, v}; }
  /// The values of a signed (or unsigned) integer type of `width` bits.
  static Interval ofType(unsigned width, bool isUnsigned = false);

  Interval join(Interval other) const;
  Interval meet(Interval other) const;
  /// `this` widened to hold 0.
  Interval withZero() const { return join(point(0)); }
  bool contains(Interval other) const {
    return lo <= other.lo && other.hi <= hi;
  }
  /// Largest magnitude, saturating.
  int64_t magnitude() const;
};

Interval operator+(Interval a, Interval b);
Interval operator-(Interval a, Interval b);
Interval operator*(Interval a, Interval b);
/// `a` repeated `n` times in a sum.
Interval scaleBy(Interval a, int64_t n);

/// The interval of each channel (index of the last dimension) of an integer
/// tensor, or one interval for all elements.
struct TensorBounds {
  SmallVector<Interval, 1> channels;

  static TensorBounds uniform(Interval i) { return {{i}}; }
  bool isUniform() const { return channels.size() == 1; }
  Interval at(int64_t channel) const {
    return channels[isUniform() ? 0 : channel];
  }
  Interval hull() const;
};

/// What the analysis learned about one op that reduces: the reduction
/// length and the largest |input - zero point|, for diagnostics.
struct ReductionInfo {
  int64_t length = 0;
  int64_t maxInput = 0;
};

/// Bounds of every integer tensor value of a function, computed in one walk.
class IntegerBounds {
public:
  explicit IntegerBounds(func::FuncOp func);

  /// The bounds of integer tensor `value` (its type's range when unknown).
  TensorBounds get(Value value) const;

  /// Whether the analysis knows how `op` computes its integer result (so
  /// that its bounds are the op's own, not its type's), and the reduction
  /// length and input bound of the reductions among them.
  bool isModeled(Operation *op) const { return modeled.contains(op); }
  std::optional<ReductionInfo> getReduction(Operation *op) const;

  /// The interval of the accumulator inside `op` that is not one of its
  /// results (the window sum of an integer avg_pool2d), if it has one.
  std::optional<Interval> getInternalAccumulator(Operation *op) const;

  /// Recomputes the bounds of the ops of `func` after a rewrite.
  void recompute(func::FuncOp func);

private:
  void visit(Operation *op);
  std::optional<TensorBounds> transfer(Operation *op);
  std::optional<TensorBounds> transferReduction(Operation *op);

  DenseMap<Value, TensorBounds> bounds;
  DenseMap<Operation *, ReductionInfo> reductions;
  DenseMap<Operation *, Interval> internal;
  llvm::SmallPtrSet<Operation *, 16> modeled;
};

/// The range of the element type of integer tensor type `type`.
Interval getTypeRange(Type type);

} // namespace mlir::quantx

#endif // QUANTX_LIB_DIALECT_QUANTX_TRANSFORMS_INTEGERBOUNDS_H
