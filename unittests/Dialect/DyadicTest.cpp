//===- DyadicTest.cpp - dyadic multipliers and their rounding -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Checks Dyadic.cpp against formulas written from the definitions with
// 128-bit exact arithmetic, on random and boundary cases.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/Dyadic.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace mlir::quantx;

namespace {
using i128 = __int128;

/// round(num / 2^shift) for exact integers, ties away from zero.
i128 roundHalfAwayFromZero(i128 num, int shift) {
  if (shift == 0)
    return num;
  i128 den = i128(1) << shift;
  i128 magnitude = num < 0 ? -num : num;
  i128 q = (2 * magnitude + den) / (2 * den); // floor(|num|/den + 1/2)
  return num < 0 ? -q : q;
}

/// floor((num + 2^(shift-1)) / 2^shift): ties toward +infinity.
i128 roundHalfUp(i128 num, int shift) {
  if (shift == 0)
    return num;
  i128 den = i128(1) << shift;
  i128 shifted = num + den / 2;
  i128 q = shifted / den;
  if (shifted % den != 0 && shifted < 0)
    --q;
  return q;
}

int32_t saturate(i128 v) {
  return static_cast<int32_t>(
      std::clamp<i128>(v, std::numeric_limits<int32_t>::min(),
                       std::numeric_limits<int32_t>::max()));
}

/// The definitions of docs/Numerics.md, written independently.
int32_t definitionSingle(int32_t x, DyadicValue d) {
  return saturate(roundHalfUp(i128(x) * d.multiplier, d.shift));
}

int32_t definitionDouble(int32_t x, DyadicValue d) {
  if (d.shift < 31) {
    // x * 2^k, not x << k: shifting a negative value left is undefined.
    int32_t shifted = saturate(i128(x) * (i128(1) << (31 - d.shift)));
    return saturate(roundHalfUp(i128(shifted) * d.multiplier, 31));
  }
  i128 high = roundHalfUp(i128(x) * d.multiplier, 31);
  return saturate(roundHalfAwayFromZero(high, d.shift - 31));
}
} // namespace

TEST(Dyadic, SaturatingRoundingDoublingHighMul) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(saturatingRoundingDoublingHighMul(kMin, kMin),
            std::numeric_limits<int32_t>::max());
  EXPECT_EQ(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  // gemmlowp's nudge rounds ties toward +infinity: 1.5 -> 2, -1.5 -> -1.
  EXPECT_EQ(saturatingRoundingDoublingHighMul(3, 1 << 30), 2);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(1, 1 << 30), 1);   // 0.5
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0);  // -0.5
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-5, 1 << 30), -2); // -2.5
}

TEST(Dyadic, RoundingDivideByPOT) {
  EXPECT_EQ(roundingDivideByPOT(5, 1), 3);   // 2.5 -> 3
  EXPECT_EQ(roundingDivideByPOT(-5, 1), -3); // -2.5 -> -3
  EXPECT_EQ(roundingDivideByPOT(7, 2), 2);   // 1.75
  EXPECT_EQ(roundingDivideByPOT(-7, 2), -2);
  EXPECT_EQ(roundingDivideByPOT(123, 0), 123);
  EXPECT_EQ(roundingDivideByPOT(std::numeric_limits<int32_t>::min(), 31), -1);
  EXPECT_EQ(roundingDivideByPOT(std::numeric_limits<int32_t>::max(), 31), 1);
}

TEST(Dyadic, ComputeRejectsImpossibleScales) {
  EXPECT_TRUE(llvm::failed(computeDyadic(0.0)));
  EXPECT_TRUE(llvm::failed(computeDyadic(-0.5)));
  EXPECT_TRUE(llvm::failed(computeDyadic(std::nan(""))));
  EXPECT_TRUE(llvm::failed(computeDyadic(INFINITY)));
  EXPECT_TRUE(llvm::failed(computeDyadic(std::ldexp(1.0, 31))));
}

TEST(Dyadic, ComputeBoundaries) {
  // Powers of two are exact.
  for (int e = -32; e < 31; ++e) {
    DyadicValue d = *computeDyadic(std::ldexp(1.0, e));
    EXPECT_EQ(d.multiplier, 1 << 30) << e;
    EXPECT_EQ(d.shift, 30 - e) << e;
    EXPECT_EQ(d.toDouble(), std::ldexp(1.0, e));
  }
  // Rounding carries into bit 31: renormalize.
  DyadicValue carry = *computeDyadic(1.0 - std::ldexp(1.0, -40));
  EXPECT_EQ(carry.multiplier, 1 << 30);
  EXPECT_EQ(carry.shift, 30);
  // Largest scale below 2^31.
  DyadicValue large = *computeDyadic(std::ldexp(1.0, 31) * (1 - 1e-12));
  EXPECT_EQ(large.shift, 0);
  // Below 2^-32 every int32 product rounds to 0: multiplier 0.
  DyadicValue tiny = *computeDyadic(std::ldexp(1.0, -33) * 1.5);
  EXPECT_EQ(tiny.multiplier, 0);
  for (int32_t x : {std::numeric_limits<int32_t>::min(), -1, 1,
                    std::numeric_limits<int32_t>::max()})
    EXPECT_EQ(std::llround(x * std::ldexp(1.0, -33) * 1.5), 0);
}

TEST(Dyadic, ComputeRelativeErrorRandom) {
  std::mt19937_64 rng(1234);
  std::uniform_real_distribution<double> exponent(-32.0, 31.0);
  for (int i = 0; i < 1000000; ++i) {
    double scale = std::exp2(exponent(rng));
    if (scale >= std::ldexp(1.0, 31))
      continue;
    DyadicValue d = *computeDyadic(scale);
    ASSERT_GE(d.multiplier, 1 << 30) << scale;
    ASSERT_GE(d.shift, 0);
    ASSERT_LE(d.shift, kMaxDyadicShift);
    double relative = std::abs(d.toDouble() - scale) / scale;
    ASSERT_LE(relative, std::ldexp(1.0, -31)) << scale;
  }
}

TEST(Dyadic, ApplyMatchesDefinitionRandom) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int32_t> anyInt(
      std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> smallInt(-70000, 70000);
  std::uniform_int_distribution<int32_t> multiplier(0, INT32_MAX);
  std::uniform_int_distribution<int32_t> shift(0, kMaxDyadicShift);
  for (int i = 0; i < 1000000; ++i) {
    int32_t x = i % 2 ? anyInt(rng) : smallInt(rng);
    DyadicValue d{multiplier(rng), shift(rng)};
    ASSERT_EQ(applyDyadic(x, d, RoundingMode::Single), definitionSingle(x, d))
        << x << " " << d.multiplier << " " << d.shift;
    ASSERT_EQ(applyDyadic(x, d, RoundingMode::Double), definitionDouble(x, d))
        << x << " " << d.multiplier << " " << d.shift;
  }
}

/// The wide rescale (int48 accumulators) is the same definition without the
/// saturating pre-shift: exact on 48-bit inputs, equal to applyDyadic on
/// int32 inputs wherever that shift does not clip.
int32_t definitionWide(int64_t x, DyadicValue d, RoundingMode rounding) {
  if (rounding == RoundingMode::Single)
    return saturate(roundHalfUp(i128(x) * d.multiplier, d.shift));
  i128 shifted = i128(x) * (i128(1) << std::max(31 - d.shift, 0));
  i128 high = roundHalfUp(shifted * d.multiplier, 31);
  return saturate(roundHalfAwayFromZero(high, std::max(d.shift - 31, 0)));
}

TEST(Dyadic, ApplyWideMatchesDefinitionRandom) {
  std::mt19937_64 rng(43);
  std::uniform_int_distribution<int64_t> any48(-(int64_t(1) << 47),
                                               (int64_t(1) << 47) - 1);
  std::uniform_int_distribution<int32_t> anyInt(
      std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> multiplier(0, INT32_MAX);
  std::uniform_int_distribution<int32_t> shift(0, kMaxDyadicShift);
  for (int i = 0; i < 1000000; ++i) {
    int64_t x = i % 2 ? any48(rng) : int64_t(anyInt(rng));
    DyadicValue d{multiplier(rng), shift(rng)};
    for (RoundingMode rounding : {RoundingMode::Single, RoundingMode::Double}) {
      ASSERT_EQ(applyDyadicWide(x, d, rounding), definitionWide(x, d, rounding))
          << x << " " << d.multiplier << " " << d.shift;
      // On int32 inputs with shift >= 31 (every accumulator requantization)
      // the two definitions agree.
      if (x == int32_t(x) && d.shift >= 31)
        ASSERT_EQ(applyDyadicWide(x, d, rounding),
                  applyDyadic(int32_t(x), d, rounding))
            << x << " " << d.multiplier << " " << d.shift;
    }
  }
}

TEST(Dyadic, ApplyTies) {
  // x * 2^30 / 2^32 = x / 4: ties at x = 2 mod 4. Double rounding: the
  // high multiply is exact here, the final divide rounds ties away from 0.
  DyadicValue quarter{1 << 30, 32};
  EXPECT_EQ(applyDyadic(2, quarter, RoundingMode::Double), 1);
  EXPECT_EQ(applyDyadic(-2, quarter, RoundingMode::Double), -1);
  // x * 2^30 / 2^31 = x / 2: the high multiply itself ties (toward +inf).
  DyadicValue half{1 << 30, 31};
  EXPECT_EQ(applyDyadic(3, half, RoundingMode::Double), 2);
  EXPECT_EQ(applyDyadic(-3, half, RoundingMode::Double), -1);
  EXPECT_EQ(applyDyadic(2, quarter, RoundingMode::Single), 1);
  EXPECT_EQ(applyDyadic(-2, quarter, RoundingMode::Single), 0);
  EXPECT_EQ(applyDyadic(6, quarter, RoundingMode::Single), 2);
  EXPECT_EQ(applyDyadic(-6, quarter, RoundingMode::Single), -1);
}

TEST(Dyadic, RescaleReferenceClamps) {
  DyadicValue one = *computeDyadic(1.0);
  EXPECT_EQ(rescaleReference(1000, 0, one, RoundingMode::Double, 0, -128, 127),
            127);
  EXPECT_EQ(rescaleReference(-1000, 0, one, RoundingMode::Double, 0, -128, 127),
            -128);
  EXPECT_EQ(rescaleReference(10, 3, one, RoundingMode::Single, 100, 0, 255),
            107);
}
