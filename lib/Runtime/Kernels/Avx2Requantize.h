//===- Avx2Requantize.h - the int8 epilogue in ymm registers ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quant-x's dyadic rescale (docs/Numerics.md) on 8 int32 lanes, bit-identical
// to rescaleDouble / rescaleSingle in Epilogue.h, for the AVX2 micro-kernels.
// The portable loop it replaces vectorized poorly: AVX2 has no 64-bit
// arithmetic shift, no 64-bit min/max, and the compiler kept most of the
// loop scalar, so that small-K layers and depthwise convolutions spent most
// of their time here. In an anonymous namespace like IsaLocal.h: one
// private copy per file.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_AVX2REQUANTIZE_H
#define QUANTX_LIB_RUNTIME_KERNELS_AVX2REQUANTIZE_H

#include "Epilogue.h"

#include <cstdint>
#include <immintrin.h>

namespace quantx::kernels {
namespace {

/// The per-channel constants of 8 output channels.
struct Channels8 {
  __m256i multiplier, multiplierOdd, shiftEven, shiftOdd, roundEven, roundOdd;
  __m256i left, right, lo, hi, mask, threshold;
  // Both roundings as one logical shift (see rescale8): per 64-bit lane
  // 2^62 + 2^30 + 2^(30+e) (no 2^(30+e) when e = 0) and 31 + e; per 32-bit
  // lane the 2^(31-e) that the 2^62 leaves in the result.
  __m256i fusedAddEven, fusedAddOdd, fusedShiftEven, fusedShiftOdd, offset;
  bool anyLeft = false, fusable = false;

  /// Channels [first, first + 8).
  Channels8(const Requant &rq, int64_t first) {
    multiplier = _mm256_loadu_si256(
        reinterpret_cast<const __m256i *>(rq.multiplier + first));
    __m256i shift =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(rq.shift + first));
    multiplierOdd = _mm256_srli_epi64(multiplier, 32);
    shiftEven = _mm256_and_si256(shift, _mm256_set1_epi64x(0xFFFFFFFF));
    shiftOdd = _mm256_srli_epi64(shift, 32);
    const __m256i one = _mm256_set1_epi64x(1);
    roundEven = _mm256_srli_epi64(_mm256_sllv_epi64(one, shiftEven), 1);
    roundOdd = _mm256_srli_epi64(_mm256_sllv_epi64(one, shiftOdd), 1);
    const __m256i k31 = _mm256_set1_epi32(31), zero = _mm256_setzero_si256();
    left = _mm256_max_epi32(_mm256_sub_epi32(k31, shift), zero);
    right = _mm256_max_epi32(_mm256_sub_epi32(shift, k31), zero);
    anyLeft = !_mm256_testz_si256(left, left);
    lo = _mm256_srav_epi32(_mm256_set1_epi32(INT32_MIN), left);
    hi = _mm256_srav_epi32(_mm256_set1_epi32(INT32_MAX), left);
    mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), right),
                            _mm256_set1_epi32(1));
    threshold = _mm256_srai_epi32(mask, 1);
    // 2^62 is a multiple of 2^(31+e) only for e <= 31.
    fusable =
        _mm256_testz_si256(_mm256_cmpgt_epi32(right, _mm256_set1_epi32(31)),
                           _mm256_set1_epi32(-1));
    const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF);
    auto constants = [](__m256i e, __m256i &add, __m256i &total) {
      const __m256i half = _mm256_set1_epi64x(int64_t(1) << 30);
      __m256i second =
          _mm256_andnot_si256(_mm256_cmpeq_epi64(e, _mm256_setzero_si256()),
                              _mm256_sllv_epi64(half, e));
      add = _mm256_add_epi64(
          _mm256_add_epi64(_mm256_set1_epi64x(int64_t(1) << 62), half), second);
      total = _mm256_add_epi64(e, _mm256_set1_epi64x(31));
    };
    constants(_mm256_and_si256(right, low), fusedAddEven, fusedShiftEven);
    constants(_mm256_srli_epi64(right, 32), fusedAddOdd, fusedShiftOdd);
    offset = _mm256_sllv_epi32(_mm256_set1_epi32(1),
                               _mm256_sub_epi32(_mm256_set1_epi32(31), right));
  }
};

/// 64-bit arithmetic shift right by per-lane counts (0 to 63), which AVX2
/// lacks: a logical shift of the value with its sign bits flipped.
inline __m256i shiftRightArithmetic64(__m256i v, __m256i count) {
  __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
  return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), count),
                          sign);
}

/// min(max(v, lo), hi) on signed 64-bit lanes.
inline __m256i clamp64(__m256i v, __m256i lo, __m256i hi) {
  v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
  return _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
}

/// The requantized values of 8 int32 lanes, before the zero point. Single
/// rounding clamps to [lo, hi] - zp in 64 bits instead of saturating to
/// int32 first: the same result once the zero point is added and the
/// output clamped, as [lo, hi] - zp lies within int32.
/// `NegativesClamped` (lo - zp >= 0): results <= 0 need not be exact.
template <Rounding R, bool NegativesClamped>
inline __m256i rescale8(__m256i x, const Channels8 &ch, __m256i lo64,
                        __m256i hi64) {
  if constexpr (R == Rounding::Single) {
    auto one = [&](__m256i p, __m256i round, __m256i s) {
      return clamp64(shiftRightArithmetic64(_mm256_add_epi64(p, round), s),
                     lo64, hi64);
    };
    __m256i even =
        one(_mm256_mul_epi32(x, ch.multiplier), ch.roundEven, ch.shiftEven);
    __m256i odd =
        one(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), ch.multiplierOdd),
            ch.roundOdd, ch.shiftOdd);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  }
  if constexpr (NegativesClamped) {
    if (!ch.anyLeft && ch.fusable) {
      // gemmlowp's two roundings are floor((p + 2^30 + a 2^31) / 2^(31+e))
      // with a = 2^(e-1) - [p < -2^30] (KernelsAvx512.cpp,
      // roundTwiceAtOnce). Where p < -2^30 leaving out the -1 still gives a
      // result <= 0, which the clamp raises to lo - zp as it does the exact
      // one. AVX2 has no 64-bit arithmetic shift: 2^62 added makes the sum
      // non-negative (p > -2^62) and below 2^64, so that a logical shift
      // divides it exactly, and adds 2^(31-e) to the quotient, taken off
      // in 32 bits (the quotient fits int32).
      __m256i even = _mm256_srlv_epi64(
          _mm256_add_epi64(_mm256_mul_epi32(x, ch.multiplier), ch.fusedAddEven),
          ch.fusedShiftEven);
      __m256i odd = _mm256_srlv_epi64(
          _mm256_add_epi64(
              _mm256_mul_epi32(_mm256_srli_epi64(x, 32), ch.multiplierOdd),
              ch.fusedAddOdd),
          ch.fusedShiftOdd);
      return _mm256_sub_epi32(
          _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA),
          ch.offset);
    }
  }
  // Saturating left shift (scales >= 1/2 only): clamp, then shift.
  if (ch.anyLeft)
    x = _mm256_sllv_epi32(_mm256_min_epi32(_mm256_max_epi32(x, ch.lo), ch.hi),
                          ch.left);
  // SRDHM: (p + 2^30) >> 31, which fits int32 (the multiplier is
  // non-negative, so INT32_MIN * INT32_MIN cannot occur): its low 32 bits
  // are those of a logical shift. The odd lanes' go to the high halves.
  const __m256i half = _mm256_set1_epi64x(int64_t(1) << 30);
  __m256i even = _mm256_srli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(x, ch.multiplier), half), 31);
  __m256i odd = _mm256_slli_epi64(
      _mm256_add_epi64(
          _mm256_mul_epi32(_mm256_srli_epi64(x, 32), ch.multiplierOdd), half),
      1);
  __m256i h = _mm256_blend_epi32(even, odd, 0xAA);
  // RoundingDivideByPOT(h, right): ties away from zero. The threshold is
  // one higher for negative h (srai gives -1 there).
  __m256i remainder = _mm256_and_si256(h, ch.mask);
  __m256i threshold = _mm256_sub_epi32(ch.threshold, _mm256_srai_epi32(h, 31));
  __m256i result = _mm256_srav_epi32(h, ch.right);
  return _mm256_sub_epi32(result, _mm256_cmpgt_epi32(remainder, threshold));
}

/// The low bytes of 8 int32 lanes already within [-128, 127].
inline __m128i narrowToBytes(__m256i y) {
  __m256i words = _mm256_packs_epi32(y, y);
  __m256i bytes = _mm256_packs_epi16(words, words);
  return _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes),
                            _mm256_extracti128_si256(bytes, 1));
}

/// The int8 epilogue of the AVX2 micro-kernels: out[r][j] =
/// requant(acc[r][j] + bias[j] + rowTerms[r]), 8 channels at a time with
/// their constants computed once per block.
struct Avx2Requantize {
  static void requantize(const int32_t *acc, int64_t ldc, int64_t rows,
                         const int32_t *bias, const int32_t *rowTerms,
                         const Requant &rq, int64_t first, int64_t count,
                         int8_t *out, int64_t ldo) {
    if (rq.rounding == Rounding::Single)
      requantizeBlock<Rounding::Single, false>(acc, ldc, rows, bias, rowTerms,
                                               rq, first, count, out, ldo);
    else if (rq.clampsNegatives())
      requantizeBlock<Rounding::Double, true>(acc, ldc, rows, bias, rowTerms,
                                              rq, first, count, out, ldo);
    else
      requantizeBlock<Rounding::Double, false>(acc, ldc, rows, bias, rowTerms,
                                               rq, first, count, out, ldo);
  }

  template <Rounding R, bool NegativesClamped>
  static void requantizeBlock(const int32_t *acc, int64_t ldc, int64_t rows,
                              const int32_t *bias, const int32_t *rowTerms,
                              const Requant &rq, int64_t first, int64_t count,
                              int8_t *out, int64_t ldo) {
    // Clamped to [lo, hi] - zp before the zero point is added, which then
    // cannot wrap (the reference adds it in 64 bits).
    const __m256i zeroPoint = _mm256_set1_epi32(int32_t(rq.zeroPoint));
    const __m256i lo = _mm256_set1_epi32(int32_t(rq.lo - rq.zeroPoint));
    const __m256i hi = _mm256_set1_epi32(int32_t(rq.hi - rq.zeroPoint));
    const __m256i lo64 = _mm256_set1_epi64x(rq.lo - rq.zeroPoint);
    const __m256i hi64 = _mm256_set1_epi64x(rq.hi - rq.zeroPoint);
    int64_t j = 0;
    for (; j + 8 <= count; j += 8) {
      Channels8 ch(rq, first + j);
      __m256i b =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bias + j));
      for (int64_t r = 0; r < rows; ++r) {
        __m256i x = _mm256_add_epi32(
            _mm256_loadu_si256(
                reinterpret_cast<const __m256i *>(acc + r * ldc + j)),
            b);
        if (rowTerms)
          x = _mm256_add_epi32(x, _mm256_set1_epi32(rowTerms[r]));
        __m256i y = rescale8<R, NegativesClamped>(x, ch, lo64, hi64);
        y = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(y, lo), hi),
                             zeroPoint);
        _mm_storel_epi64(reinterpret_cast<__m128i *>(out + r * ldo + j),
                         narrowToBytes(y));
      }
    }
    // The last channels (fewer than 8) one at a time.
    if (j < count)
      for (int64_t r = 0; r < rows; ++r)
        requantizeRowImpl<R>(acc + r * ldc + j, bias + j,
                             rowTerms ? rowTerms[r] : 0, rq, first + j,
                             count - j, out + r * ldo + j);
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_AVX2REQUANTIZE_H
