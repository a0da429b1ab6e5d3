//===- KernelsAvx512.cpp - AVX-512 VNNI micro-kernels ---------------------===//
//
// Compiled with AVX-512 F/BW/DQ/VL/VNNI; runs only where the host has them.
// 6 rows x 64 columns: 24 zmm accumulators, 4 weight vectors and one
// broadcast activation word per k unit, no spills.
//
//===----------------------------------------------------------------------===//

#include "ConvDriver.h"
#include "IsaKernels.h"

#include <immintrin.h>

using namespace quantx::kernels;

namespace {
inline int32_t load32(const void *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

/// Requantizes 16 int32 lanes (docs/Numerics.md), bit-identical to
/// rescaleDouble / rescaleSingle in Epilogue.h.
template <Rounding R>
inline __m512i rescale16(__m512i x, __m512i multiplier, __m512i shift) {
  const __m512i oddLanes = _mm512_set1_epi64(0xFFFFFFFF00000000LL);
  __m512i mOdd = _mm512_srli_epi64(multiplier, 32);
  if constexpr (R == Rounding::Single) {
    auto one = [&](__m512i p, __m512i s) {
      __m512i round = _mm512_srli_epi64(_mm512_sllv_epi64(_mm512_set1_epi64(1), s), 1);
      __m512i r = _mm512_srav_epi64(_mm512_add_epi64(p, round), s);
      r = _mm512_min_epi64(r, _mm512_set1_epi64(INT32_MAX));
      return _mm512_max_epi64(r, _mm512_set1_epi64(INT32_MIN));
    };
    __m512i sEven = _mm512_and_si512(shift, _mm512_set1_epi64(0xFFFFFFFF));
    __m512i sOdd = _mm512_srli_epi64(shift, 32);
    __m512i even = one(_mm512_mul_epi32(x, multiplier), sEven);
    __m512i odd = one(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), mOdd), sOdd);
    return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  }
  const __m512i k31 = _mm512_set1_epi32(31);
  __m512i left = _mm512_max_epi32(_mm512_sub_epi32(k31, shift),
                                  _mm512_setzero_si512());
  __m512i right = _mm512_max_epi32(_mm512_sub_epi32(shift, k31),
                                   _mm512_setzero_si512());
  // Saturating left shift: clamp to the range that survives, then shift.
  __m512i lo = _mm512_srav_epi32(_mm512_set1_epi32(INT32_MIN), left);
  __m512i hi = _mm512_srav_epi32(_mm512_set1_epi32(INT32_MAX), left);
  __m512i shifted = _mm512_sllv_epi32(
      _mm512_min_epi32(_mm512_max_epi32(x, lo), hi), left);
  // SRDHM on even and odd lanes in 64 bits: (p + nudge) / 2^31, truncating.
  auto high = [](__m512i p) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i bias = _mm512_set1_epi64((int64_t(1) << 31) - 1);
    __mmask8 negative = _mm512_cmplt_epi64_mask(p, zero);
    __m512i sum = _mm512_add_epi64(p, _mm512_set1_epi64(int64_t(1) << 30));
    sum = _mm512_mask_sub_epi64(sum, negative, sum, bias);
    __mmask8 sumNegative = _mm512_cmplt_epi64_mask(sum, zero);
    sum = _mm512_mask_add_epi64(sum, sumNegative, sum, bias);
    return _mm512_srai_epi64(sum, 31);
  };
  __m512i even = high(_mm512_mul_epi32(shifted, multiplier));
  __m512i odd =
      high(_mm512_mul_epi32(_mm512_srli_epi64(shifted, 32), mOdd));
  __m512i h = _mm512_mask_blend_epi32(
      0xAAAA, even, _mm512_and_si512(_mm512_slli_epi64(odd, 32), oddLanes));
  // RoundingDivideByPOT(h, right), ties away from zero.
  __m512i mask = _mm512_sub_epi32(
      _mm512_sllv_epi32(_mm512_set1_epi32(1), right), _mm512_set1_epi32(1));
  __m512i remainder = _mm512_and_si512(h, mask);
  __m512i threshold = _mm512_srai_epi32(mask, 1);
  __mmask16 negative = _mm512_cmplt_epi32_mask(h, _mm512_setzero_si512());
  threshold = _mm512_mask_add_epi32(threshold, negative, threshold,
                                    _mm512_set1_epi32(1));
  __m512i result = _mm512_srav_epi32(h, right);
  __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  return _mm512_mask_add_epi32(result, up, result, _mm512_set1_epi32(1));
}

template <Rounding R>
void requantize16(const int32_t *acc, const int32_t *bias, int32_t rowTerm,
                  const Requant &rq, int64_t first, int64_t count,
                  int8_t *out) {
  const __m512i zeroPoint = _mm512_set1_epi32(int32_t(rq.zeroPoint));
  const __m512i lo = _mm512_set1_epi32(int32_t(rq.lo));
  const __m512i hi = _mm512_set1_epi32(int32_t(rq.hi));
  const __m512i term = _mm512_set1_epi32(rowTerm);
  for (int64_t j = 0; j < count; j += 16) {
    __mmask16 lanes = count - j >= 16 ? __mmask16(0xFFFF)
                                      : __mmask16((1u << (count - j)) - 1);
    __m512i x = _mm512_add_epi32(
        _mm512_add_epi32(_mm512_maskz_loadu_epi32(lanes, acc + j),
                         _mm512_maskz_loadu_epi32(lanes, bias + j)),
        term);
    __m512i m = _mm512_maskz_loadu_epi32(lanes, rq.multiplier + first + j);
    __m512i s = _mm512_maskz_loadu_epi32(lanes, rq.shift + first + j);
    __m512i r = _mm512_add_epi32(rescale16<R>(x, m, s), zeroPoint);
    r = _mm512_min_epi32(_mm512_max_epi32(r, lo), hi);
    _mm_mask_storeu_epi8(out + j, lanes, _mm512_cvtepi32_epi8(r));
  }
}

/// vpdpbusd: uint8 activations (int8 + 128) times int8 weights, four k per
/// int32 lane.
struct Avx512VnniS8 {
  using AElem = uint8_t;
  using BElem = int8_t;
  using Acc = int32_t;
  static constexpr int MR = 6, NR = 64, KU = 4;
  static AElem convert(int8_t x) { return uint8_t(x) ^ 0x80; }

  static void requantize(const int32_t *acc, const int32_t *bias,
                         int32_t rowTerm, const Requant &rq, int64_t first,
                         int64_t count, int8_t *out) {
    if (rq.rounding == Rounding::Single)
      requantize16<Rounding::Single>(acc, bias, rowTerm, rq, first, count,
                                     out);
    else
      requantize16<Rounding::Double>(acc, bias, rowTerm, rq, first, count,
                                     out);
  }

  template <int R>
  static void tile(int64_t kc, const uint8_t *a, int64_t lda, const int8_t *b,
                   int32_t *c, int64_t ldc, bool accumulate) {
    __m512i acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j)
        acc[r][j] = accumulate ? _mm512_loadu_si512(c + r * ldc + 16 * j)
                               : _mm512_setzero_si512();
    for (int64_t k = 0; k < kc; k += 4, b += 4 * NR) {
      __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);
      __m512i b2 = _mm512_loadu_si512(b + 128),
              b3 = _mm512_loadu_si512(b + 192);
      for (int r = 0; r < R; ++r) {
        __m512i av = _mm512_set1_epi32(load32(a + r * lda + k));
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, b0);
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, b1);
        acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], av, b2);
        acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], av, b3);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j)
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
} // namespace

const IsaKernels &quantx::kernels::getAvx512Kernels() {
  static const IsaKernels kernels =
      IsaSet<Avx512VnniS8, Avx512F32, 128>::get();
  return kernels;
}
