//===- Dyadic.cpp - exact dyadic requantization arithmetic ----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/Dyadic.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::quantx;

static constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
static constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

static int32_t saturateToInt32(int64_t value) {
  return static_cast<int32_t>(std::clamp(value, kInt32Min, kInt32Max));
}

double DyadicValue::toDouble() const {
  return std::ldexp(static_cast<double>(multiplier), -shift);
}

llvm::FailureOr<DyadicValue> mlir::quantx::computeDyadic(double scale) {
  if (!std::isfinite(scale) || scale <= 0.0)
    return llvm::failure();
  int exponent;
  double fraction = std::frexp(scale, &exponent); // scale = fraction * 2^exp
  int64_t multiplier = std::llround(std::ldexp(fraction, 31));
  if (multiplier == (int64_t(1) << 31)) { // rounding carried into bit 31
    multiplier >>= 1;
    ++exponent;
  }
  int64_t shift = 31 - int64_t(exponent);
  if (shift < 0)
    return llvm::failure(); // scale >= 2^31
  if (shift > kMaxDyadicShift)
    return DyadicValue{0, 0}; // |x * scale| < 1/2 for every int32 x
  return DyadicValue{static_cast<int32_t>(multiplier),
                     static_cast<int32_t>(shift)};
}

int32_t mlir::quantx::saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min)
    return static_cast<int32_t>(kInt32Max);
  int64_t product = int64_t(a) * int64_t(b);
  int64_t nudge = product >= 0 ? (int64_t(1) << 30) : (1 - (int64_t(1) << 30));
  // C++ division truncates toward zero, as gemmlowp relies on.
  return static_cast<int32_t>((product + nudge) / (int64_t(1) << 31));
}

int32_t mlir::quantx::roundingDivideByPOT(int32_t x, int exponent) {
  int64_t mask = (int64_t(1) << exponent) - 1;
  int64_t remainder = int64_t(x) & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((int64_t(x) >> exponent) +
                              (remainder > threshold ? 1 : 0));
}

int32_t mlir::quantx::applyDyadic(int32_t x, DyadicValue value,
                                  RoundingMode rounding) {
  int64_t m = value.multiplier;
  int32_t s = value.shift;
  if (rounding == RoundingMode::Single) {
    int64_t product = int64_t(x) * m;
    if (s > 0)
      product += int64_t(1) << (s - 1);
    return saturateToInt32(product >> s);
  }
  if (s < 31) {
    // Scales >= 1/2: left-shift first (saturating), as TFLite does.
    int32_t shifted = saturateToInt32(int64_t(x) * (int64_t(1) << (31 - s)));
    return saturatingRoundingDoublingHighMul(shifted, value.multiplier);
  }
  return roundingDivideByPOT(
      saturatingRoundingDoublingHighMul(x, value.multiplier), s - 31);
}

int32_t mlir::quantx::applyDyadicWide(int64_t x, DyadicValue value,
                                      RoundingMode rounding) {
  using Int128 = __int128;
  Int128 m = value.multiplier;
  int32_t s = value.shift;
  Int128 result;
  if (rounding == RoundingMode::Single) {
    Int128 product = Int128(x) * m;
    if (s > 0)
      product += Int128(1) << (s - 1);
    result = product >> s;
  } else {
    // round(x * 2^max(31 - s, 0) * m / 2^31), ties toward +infinity as in
    // saturatingRoundingDoublingHighMul, then RoundingDivideByPOT.
    // A product, not `x << k`: shifting a negative value left is undefined
    // before C++20.
    Int128 product = Int128(x) * (Int128(1) << std::max(31 - s, 0)) * m;
    Int128 nudge = product >= 0 ? (Int128(1) << 30) : 1 - (Int128(1) << 30);
    Int128 high = (product + nudge) / (Int128(1) << 31); // truncates
    int exponent = std::max(s - 31, 0);
    Int128 mask = (Int128(1) << exponent) - 1;
    Int128 threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    result = (high >> exponent) + ((high & mask) > threshold ? 1 : 0);
  }
  return static_cast<int32_t>(
      std::clamp<Int128>(result, Int128(kInt32Min), Int128(kInt32Max)));
}

int64_t mlir::quantx::rescaleReference(int64_t x, int64_t inputZp,
                                       DyadicValue value, RoundingMode rounding,
                                       int64_t outputZp, int64_t lo, int64_t hi,
                                       bool wideInput) {
  int64_t scaled = wideInput ? applyDyadicWide(x - inputZp, value, rounding)
                             : applyDyadic(static_cast<int32_t>(x - inputZp),
                                           value, rounding);
  return std::clamp(scaled + outputZp, lo, hi);
}
