//===- Dyadic.h - exact dyadic requantization arithmetic --------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The reference definition of quant-x's integer rescale. The lowering in
// QuantXToArith emits exactly this arithmetic; tests compare the two bit for
// bit. docs/Numerics.md explains the choices.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_IR_DYADIC_H
#define QUANTX_DIALECT_QUANTX_IR_DYADIC_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <optional>

#include "quant-x/Dialect/QuantX/IR/QuantXEnums.h.inc"

namespace mlir::quantx {

/// `multiplier * 2^-shift`, multiplier in [0, 2^31), shift in [0, 62].
struct DyadicValue {
  int32_t multiplier = 0;
  int32_t shift = 0;
  double toDouble() const;
};

/// Smallest and largest value of a `width`-bit integer (1 <= width <= 32).
constexpr int64_t integerMin(unsigned width, bool isUnsigned) {
  return isUnsigned ? 0 : -(int64_t(1) << (width - 1));
}
constexpr int64_t integerMax(unsigned width, bool isUnsigned) {
  return isUnsigned ? (int64_t(1) << width) - 1
                    : (int64_t(1) << (width - 1)) - 1;
}

/// Largest shift a dyadic value may carry.
constexpr int32_t kMaxDyadicShift = 62;

/// The nearest normalized dyadic value to `scale` (multiplier in
/// [2^30, 2^31)). Relative error at most 2^-31 for scale in [2^-32, 2^31);
/// scales below 2^-32 give multiplier 0, which is exact after rounding since
/// |x * scale| < 1/2 for every int32 x. Fails for NaN, infinities, scale <= 0
/// and scale >= 2^31.
llvm::FailureOr<DyadicValue> computeDyadic(double scale);

/// gemmlowp's SaturatingRoundingDoublingHighMul: round(a * b / 2^31) with
/// ties toward +infinity (gemmlowp's nudge of 1 - 2^30 for negative
/// products), INT32_MIN * INT32_MIN saturating to INT32_MAX.
int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b);

/// gemmlowp's RoundingDivideByPOT: round(x / 2^exponent), ties away from
/// zero; exponent in [0, 31].
int32_t roundingDivideByPOT(int32_t x, int exponent);

/// x * value with the given rounding, saturated to int32.
int32_t applyDyadic(int32_t x, DyadicValue value, RoundingMode rounding);

/// applyDyadic for the int48 accumulators of quantx-widen-accumulators:
/// the same roundings, computed exactly on the wide input, then saturated
/// to int32. For |x| < 2^31 it equals applyDyadic except where applyDyadic's
/// saturating left shift (scales >= 1/2) clips; `x` must satisfy
/// |x| < 2^62.
int32_t applyDyadicWide(int64_t x, DyadicValue value, RoundingMode rounding);

/// The whole `quantx.rescale` of one element:
/// clamp(applyDyadic(x - inputZp) + outputZp, lo, hi), or applyDyadicWide
/// for an i48 input (`wideInput`). `x - inputZp` must fit the input type
/// (the op verifier guarantees it).
int64_t rescaleReference(int64_t x, int64_t inputZp, DyadicValue value,
                         RoundingMode rounding, int64_t outputZp, int64_t lo,
                         int64_t hi, bool wideInput = false);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_IR_DYADIC_H
