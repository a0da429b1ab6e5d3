//===- KernelsAvx512.cpp - AVX-512 VNNI micro-kernels ---------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Compiled with AVX2, POPCNT and AVX-512 F/BW/DQ/VL/VNNI; runs only where
// the host has them.
// 6 rows x 64 columns: 24 zmm accumulators, 4 weight vectors and one
// broadcast activation word per k unit, no spills.
//
//===----------------------------------------------------------------------===//

#include "BinaryAvx2.h"
#include "BinaryConv.h"
#include "ConvDriver.h"
#include "IsaKernels.h"
#include "LowBitExpand.h"

#include <immintrin.h>

using namespace quantx::kernels;

namespace {

/// The per-channel constants of 16 output channels, computed once per
/// block of rows.
struct Channels16 {
  __m512i multiplier, multiplierOdd, shiftEven, shiftOdd, roundEven, roundOdd;
  __m512i left, right, lo, hi, mask, threshold;
  // Double rounding in one step (no left shift): per 64-bit lane, the
  // addend for a product >= -2^30, what a smaller one subtracts from it,
  // and the whole right shift 31 + e.
  __m512i fusedAddEven, fusedAddOdd, negativeAdjustEven, negativeAdjustOdd;
  __m512i fusedShiftEven, fusedShiftOdd;
  bool anyLeft = false;

  Channels16(const Requant &rq, int64_t first, __mmask16 lanes) {
    multiplier = _mm512_maskz_loadu_epi32(lanes, rq.multiplier + first);
    __m512i shift = _mm512_maskz_loadu_epi32(lanes, rq.shift + first);
    multiplierOdd = _mm512_srli_epi64(multiplier, 32);
    shiftEven = _mm512_and_si512(shift, _mm512_set1_epi64(0xFFFFFFFF));
    shiftOdd = _mm512_srli_epi64(shift, 32);
    const __m512i one = _mm512_set1_epi64(1);
    roundEven = _mm512_srli_epi64(_mm512_sllv_epi64(one, shiftEven), 1);
    roundOdd = _mm512_srli_epi64(_mm512_sllv_epi64(one, shiftOdd), 1);
    const __m512i k31 = _mm512_set1_epi32(31), zero = _mm512_setzero_si512();
    left = _mm512_max_epi32(_mm512_sub_epi32(k31, shift), zero);
    right = _mm512_max_epi32(_mm512_sub_epi32(shift, k31), zero);
    anyLeft = _mm512_mask_cmpgt_epi32_mask(lanes, left, zero) != 0;
    lo = _mm512_srav_epi32(_mm512_set1_epi32(INT32_MIN), left);
    hi = _mm512_srav_epi32(_mm512_set1_epi32(INT32_MAX), left);
    mask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), right),
                            _mm512_set1_epi32(1));
    threshold = _mm512_srai_epi32(mask, 1);
    // e = right per lane, as 64-bit lanes: 2^30 + 2^(30+e) and 2^31 when
    // e > 0; 2^30 and 0 when e = 0 (no second rounding).
    const __m512i low = _mm512_set1_epi64(0xFFFFFFFF);
    __m512i rightEven = _mm512_and_si512(right, low);
    __m512i rightOdd = _mm512_srli_epi64(right, 32);
    auto constants = [](__m512i e, __m512i &add, __m512i &adjust,
                        __m512i &total) {
      const __m512i half = _mm512_set1_epi64(int64_t(1) << 30);
      __mmask8 rounds = _mm512_test_epi64_mask(e, e);
      add =
          _mm512_mask_add_epi64(half, rounds, half, _mm512_sllv_epi64(half, e));
      adjust =
          _mm512_maskz_mov_epi64(rounds, _mm512_set1_epi64(int64_t(1) << 31));
      total = _mm512_add_epi64(e, _mm512_set1_epi64(31));
    };
    constants(rightEven, fusedAddEven, negativeAdjustEven, fusedShiftEven);
    constants(rightOdd, fusedAddOdd, negativeAdjustOdd, fusedShiftOdd);
  }
};

/// gemmlowp's two roundings of p = x * M without a left shift, as one:
/// h = (p + 2^30) >> 31, then h / 2^e rounded half away from zero, is
/// floor((h + a) / 2^e) with a = 2^(e-1) - [h < 0] (a = 0 for e = 0); and
/// floor((floor(y / 2^31) + a) / 2^e) = floor((y + a 2^31) / 2^(31+e)) for
/// integer a. h < 0 exactly when p < -2^30. |p| < 2^62, so the sum fits.
///
/// With `NegativesClamped` (the output clamp's lower bound lo - zp >= 0) the
/// adjustment is left out: for p < -2^30 both forms give at most 0, which
/// the clamp raises to lo - zp alike.
template <bool NegativesClamped>
inline __m512i roundTwiceAtOnce(__m512i p, __m512i add, __m512i adjust,
                                __m512i total) {
  __m512i sum = _mm512_add_epi64(p, add);
  if constexpr (!NegativesClamped) {
    __mmask8 negative =
        _mm512_cmplt_epi64_mask(p, _mm512_set1_epi64(-(int64_t(1) << 30)));
    sum = _mm512_mask_sub_epi64(sum, negative, sum, adjust);
  }
  return _mm512_srav_epi64(sum, total);
}

/// Requantizes 16 int32 lanes, bit-identical to rescaleDouble /
/// rescaleSingle in Epilogue.h (docs/Numerics.md) once clamped to
/// [lo - zp, hi - zp]; `NegativesClamped`: see roundTwiceAtOnce.
template <Rounding R, bool NegativesClamped>
inline __m512i rescale16(__m512i x, const Channels16 &ch) {
  if constexpr (R == Rounding::Single) {
    auto one = [](__m512i p, __m512i round, __m512i s) {
      __m512i r = _mm512_srav_epi64(_mm512_add_epi64(p, round), s);
      r = _mm512_min_epi64(r, _mm512_set1_epi64(INT32_MAX));
      return _mm512_max_epi64(r, _mm512_set1_epi64(INT32_MIN));
    };
    __m512i even =
        one(_mm512_mul_epi32(x, ch.multiplier), ch.roundEven, ch.shiftEven);
    __m512i odd =
        one(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), ch.multiplierOdd),
            ch.roundOdd, ch.shiftOdd);
    return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  }
  if (!ch.anyLeft) {
    // The results fit 32 bits (|x M| / 2^31 < 2^31): the low halves of the
    // even and odd 64-bit lanes, interleaved.
    __m512i even = roundTwiceAtOnce<NegativesClamped>(
        _mm512_mul_epi32(x, ch.multiplier), ch.fusedAddEven,
        ch.negativeAdjustEven, ch.fusedShiftEven);
    __m512i odd = roundTwiceAtOnce<NegativesClamped>(
        _mm512_mul_epi32(_mm512_srli_epi64(x, 32), ch.multiplierOdd),
        ch.fusedAddOdd, ch.negativeAdjustOdd, ch.fusedShiftOdd);
    const __m512i interleave = _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8,
                                                 24, 10, 26, 12, 28, 14, 30);
    return _mm512_permutex2var_epi32(even, interleave, odd);
  }
  // Saturating left shift (scales >= 1/2 only): clamp, then shift.
  x = _mm512_sllv_epi32(_mm512_min_epi32(_mm512_max_epi32(x, ch.lo), ch.hi),
                        ch.left);
  // SRDHM: round(p / 2^31) with ties toward +infinity, which gemmlowp's
  // nudge and truncating division amount to: (p + 2^30) >> 31.
  const __m512i half = _mm512_set1_epi64(int64_t(1) << 30);
  __m512i even = _mm512_srai_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(x, ch.multiplier), half), 31);
  __m512i odd = _mm512_srai_epi64(
      _mm512_add_epi64(
          _mm512_mul_epi32(_mm512_srli_epi64(x, 32), ch.multiplierOdd), half),
      31);
  __m512i h = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  // RoundingDivideByPOT(h, right): ties away from zero.
  __m512i remainder = _mm512_and_si512(h, ch.mask);
  __mmask16 negative = _mm512_cmplt_epi32_mask(h, _mm512_setzero_si512());
  __m512i threshold = _mm512_mask_add_epi32(ch.threshold, negative,
                                            ch.threshold, _mm512_set1_epi32(1));
  __m512i result = _mm512_srav_epi32(h, ch.right);
  __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  return _mm512_mask_add_epi32(result, up, result, _mm512_set1_epi32(1));
}

template <Rounding R, bool NegativesClamped>
void requantizeBlock(const int32_t *acc, int64_t ldc, int64_t rows,
                     const int32_t *bias, const int32_t *rowTerms,
                     const Requant &rq, int64_t first, int64_t count,
                     int8_t *out, int64_t ldo) {
  // Clamped to [lo, hi] - zp before the zero point is added, which then
  // cannot wrap (the reference adds it in 64 bits).
  const __m512i zeroPoint = _mm512_set1_epi32(int32_t(rq.zeroPoint));
  const __m512i lo = _mm512_set1_epi32(int32_t(rq.lo - rq.zeroPoint));
  const __m512i hi = _mm512_set1_epi32(int32_t(rq.hi - rq.zeroPoint));
  for (int64_t j = 0; j < count; j += 16) {
    __mmask16 lanes = count - j >= 16 ? __mmask16(0xFFFF)
                                      : __mmask16((1u << (count - j)) - 1);
    Channels16 ch(rq, first + j, lanes);
    __m512i b = _mm512_maskz_loadu_epi32(lanes, bias + j);
    bool full = lanes == 0xFFFF;
    for (int64_t r = 0; r < rows; ++r) {
      const int32_t *from = acc + r * ldc + j;
      __m512i x = full ? _mm512_loadu_si512(from)
                       : _mm512_maskz_loadu_epi32(lanes, from);
      x = _mm512_add_epi32(x, b);
      if (rowTerms)
        x = _mm512_add_epi32(x, _mm512_set1_epi32(rowTerms[r]));
      __m512i y = _mm512_add_epi32(
          _mm512_min_epi32(
              _mm512_max_epi32(rescale16<R, NegativesClamped>(x, ch), lo), hi),
          zeroPoint);
      __m128i bytes = _mm512_cvtepi32_epi8(y);
      if (full)
        _mm_storeu_si128(reinterpret_cast<__m128i *>(out + r * ldo + j), bytes);
      else
        _mm_mask_storeu_epi8(out + r * ldo + j, lanes, bytes);
    }
  }
}

/// vpdpbusd: uint8 activations (int8 + 128) times int8 weights, four k per
/// int32 lane; `Vectors` zmm of 16 columns per row, as many rows as keep 24
/// (16 for one vector) accumulators in registers.
template <int Vectors>
struct Avx512VnniS8 : Int8LowBitExpansion {
  using AElem = uint8_t;
  using BElem = int8_t;
  using Acc = int32_t;
  static constexpr int MR = Vectors == 4 ? 6 : Vectors == 2 ? 12 : 16;
  static constexpr int NR = 16 * Vectors, KU = 4;
  static AElem convert(int8_t x) { return uint8_t(x) ^ 0x80; }
  static void convertRun(const int8_t *src, uint8_t *dst, int64_t n) {
    // Thin layers' short runs (a 3-channel stem's 9 or 21 bytes) in one
    // 16- or 32-byte masked move: a 64-byte one mostly straddles cache
    // lines.
    if (n <= 16) {
      __mmask16 lanes = __mmask16((1u << n) - 1);
      __m128i v = _mm_maskz_loadu_epi8(lanes, src);
      _mm_mask_storeu_epi8(dst, lanes,
                           _mm_xor_si128(v, _mm_set1_epi8(char(0x80))));
      return;
    }
    if (n <= 32) {
      __mmask32 lanes = n == 32 ? ~__mmask32(0) : (__mmask32(1) << n) - 1;
      __m256i v = _mm256_maskz_loadu_epi8(lanes, src);
      _mm256_mask_storeu_epi8(
          dst, lanes, _mm256_xor_si256(v, _mm256_set1_epi8(char(0x80))));
      return;
    }
    const __m512i flip = _mm512_set1_epi8(char(0x80));
    for (int64_t c = 0; c < n; c += 64) {
      __mmask64 lanes =
          n - c >= 64 ? ~__mmask64(0) : (__mmask64(1) << (n - c)) - 1;
      __m512i v = _mm512_maskz_loadu_epi8(lanes, src + c);
      _mm512_mask_storeu_epi8(dst + c, lanes, _mm512_xor_si512(v, flip));
    }
  }

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

  /// The int8 depthwise accumulators of one output row (multiplier 1):
  /// acc[ow][c] = sum_t x[ow][t][c] * w[t][c], `taps` holding each pixel's
  /// numTaps input pointers. Per tap and 16 channels, `vpmovsxbd` widens the
  /// activations to int32 lanes and `vpdpwssd` multiplies them by the int16
  /// weights zero-extended to int32: the lane's high halves, the sign bits
  /// times zero, add nothing, so that each lane is one exact product.
  static void depthwiseRow(const int8_t *const *taps, int64_t numTaps,
                           int64_t outW, const int16_t *w, int64_t channels,
                           int32_t *acc) {
    for (int64_t c0 = 0; c0 < channels; c0 += 32) {
      auto lanes = [&](int64_t from) {
        int64_t n = channels - from;
        return n >= 16  ? __mmask16(0xFFFF)
               : n <= 0 ? __mmask16(0)
                        : __mmask16((1u << n) - 1);
      };
      __mmask16 masks[2] = {lanes(c0), lanes(c0 + 16)};
      int64_t ow = 0;
      if (masks[1]) {
        for (; ow + 4 <= outW; ow += 4)
          depthwisePixels<4, 2>(taps + ow * numTaps, numTaps, c0, w + c0,
                                channels, masks, acc + ow * channels + c0);
        for (; ow < outW; ++ow)
          depthwisePixels<1, 2>(taps + ow * numTaps, numTaps, c0, w + c0,
                                channels, masks, acc + ow * channels + c0);
      } else {
        for (; ow + 4 <= outW; ow += 4)
          depthwisePixels<4, 1>(taps + ow * numTaps, numTaps, c0, w + c0,
                                channels, masks, acc + ow * channels + c0);
        for (; ow < outW; ++ow)
          depthwisePixels<1, 1>(taps + ow * numTaps, numTaps, c0, w + c0,
                                channels, masks, acc + ow * channels + c0);
      }
    }
  }

  /// P pixels x V vectors of 16 channels from channel c0 (`w` and `acc`
  /// start there).
  template <int P, int V>
  static void depthwisePixels(const int8_t *const *taps, int64_t numTaps,
                              int64_t c0, const int16_t *w, int64_t channels,
                              const __mmask16 *masks, int32_t *acc) {
    __m512i sums[P][V];
    for (int q = 0; q < P; ++q)
      for (int v = 0; v < V; ++v)
        sums[q][v] = _mm512_setzero_si512();
    for (int64_t t = 0; t < numTaps; ++t) {
      __m512i weights[V];
      for (int v = 0; v < V; ++v)
        weights[v] = _mm512_cvtepu16_epi32(
            _mm256_maskz_loadu_epi16(masks[v], w + t * channels + 16 * v));
      for (int q = 0; q < P; ++q) {
        const int8_t *x = taps[q * numTaps + t] + c0;
        for (int v = 0; v < V; ++v)
          sums[q][v] = _mm512_dpwssd_epi32(
              sums[q][v],
              _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(masks[v], x + 16 * v)),
              weights[v]);
      }
    }
    for (int q = 0; q < P; ++q)
      for (int v = 0; v < V; ++v)
        _mm512_mask_storeu_epi32(acc + q * channels + 16 * v, masks[v],
                                 sums[q][v]);
  }

  template <int R>
  static void tile(int64_t kc, const uint8_t *a, int64_t lda, const int8_t *b,
                   int32_t *c, int64_t ldc, bool accumulate) {
    __m512i acc[R][Vectors];
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < Vectors; ++j)
        acc[r][j] = accumulate ? _mm512_loadu_si512(c + r * ldc + 16 * j)
                               : _mm512_setzero_si512();
    for (int64_t k = 0; k < kc; k += 4, b += 4 * NR) {
      __m512i w[Vectors];
      for (int j = 0; j < Vectors; ++j)
        w[j] = _mm512_loadu_si512(b + 64 * j);
      for (int r = 0; r < R; ++r) {
        __m512i av = _mm512_set1_epi32(load32(a + r * lda + k));
        for (int j = 0; j < Vectors; ++j)
          acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], av, w[j]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < Vectors; ++j)
        _mm512_storeu_si512(c + r * ldc + 16 * j, acc[r][j]);
  }
};

/// 6 rows x 64 columns of float, FMA.
struct Avx512F32 {
  using AElem = float;
  using BElem = float;
  using Acc = float;
  static constexpr int MR = 6, NR = 64, KU = 1;
  static AElem convert(float x) { return x; }

  template <int R>
  static void tile(int64_t kc, const float *a, int64_t lda, const float *b,
                   float *c, int64_t ldc, bool accumulate) {
    __m512 acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j)
        acc[r][j] = accumulate ? _mm512_loadu_ps(c + r * ldc + 16 * j)
                               : _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; ++k, b += NR) {
      __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
      __m512 b2 = _mm512_loadu_ps(b + 32), b3 = _mm512_loadu_ps(b + 48);
      for (int r = 0; r < R; ++r) {
        __m512 av = _mm512_set1_ps(a[r * lda + k]);
        acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
        acc[r][2] = _mm512_fmadd_ps(av, b2, acc[r][2]);
        acc[r][3] = _mm512_fmadd_ps(av, b3, acc[r][3]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j)
        _mm512_storeu_ps(c + r * ldc + 16 * j, acc[r][j]);
  }
};
/// The binary micro-kernel with VPOPCNTDQ (Ice Lake, Zen 4 and later; not
/// every VNNI CPU has it, so only this function is compiled for it): 6 rows
/// x 4 panels (32 channels) of 64-bit lane counts in 24 zmm accumulators,
/// one broadcast activation word per row and word.
struct Avx512Popcount {
  static constexpr int MR = 6, kMaxPanels = 4;
  static void signBits(const int8_t *src, uint32_t &s, uint32_t &m) {
    Avx2Popcount::signBits(src, s, m);
  }

  template <int R, int P, bool Masked>
  __attribute__((target("avx512vpopcntdq"))) static void
  tile(int64_t words, const uint64_t *s, const uint64_t *m, int64_t lda,
       const uint64_t *w, int32_t *d, int64_t ldd) {
    static_assert(kBinaryPanel == 8, "one zmm per panel");
    __m512i acc[R][P];
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < P; ++q)
        acc[r][q] = _mm512_setzero_si512();
    for (int64_t i = 0; i < words; ++i) {
      __m512i wv[P];
      for (int q = 0; q < P; ++q)
        wv[q] = _mm512_loadu_si512(w + (q * words + i) * kBinaryPanel);
      for (int r = 0; r < R; ++r) {
        __m512i a = _mm512_set1_epi64(int64_t(load64(s + r * lda + i)));
        __m512i keep;
        if constexpr (Masked)
          keep = _mm512_set1_epi64(int64_t(load64(m + r * lda + i)));
        for (int q = 0; q < P; ++q) {
          __m512i x = _mm512_xor_si512(a, wv[q]);
          if constexpr (Masked)
            x = _mm512_and_si512(x, keep);
          acc[r][q] = _mm512_add_epi64(acc[r][q], _mm512_popcnt_epi64(x));
        }
      }
    }
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < P; ++q)
        _mm256_storeu_si256(
            reinterpret_cast<__m256i *>(d + r * ldd + 8 * q),
            _mm256_sub_epi32(
                _mm256_setzero_si256(),
                _mm256_slli_epi32(_mm512_cvtepi64_epi32(acc[r][q]), 1)));
  }
};

/// VPOPCNTDQ where the CPU has it, else the AVX2 table lookups.
struct Avx512Binary {
  template <class Epi>
  static void conv(const KernelArgs &args) {
    static const bool hasPopcount = __builtin_cpu_supports("avx512vpopcntdq");
    if (hasPopcount)
      BinaryConvRun<Avx512Popcount, Epi>(args).run();
    else
      BinaryConvRun<Avx2Popcount, Epi>(args).run();
  }
};
} // namespace

const IsaKernels &quantx::kernels::getAvx512Kernels() {
  static const IsaKernels kernels =
      IsaSet<Avx512VnniS8, Avx512F32, Avx512Binary, 128, 4, 2, 1>::get();
  return kernels;
}
