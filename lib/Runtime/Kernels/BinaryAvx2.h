//===- BinaryAvx2.h - AVX2 XNOR-popcount micro-kernel -----------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The binary micro-kernel of BinaryConv.h for AVX2, also the AVX-512 file's
// where the CPU lacks VPOPCNTDQ. In an anonymous namespace like IsaLocal.h,
// one private copy per including file.
//
// AVX2 has no vector popcount: each byte's count is the sum of two 4-bit
// table lookups (vpshufb, Mula's method), accumulated in bytes for up to 31
// words (at most 8 per byte per word, so no byte passes 248) and then summed
// per 64-bit lane, which is one channel's, with vpsadbw.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_BINARYAVX2_H
#define QUANTX_LIB_RUNTIME_KERNELS_BINARYAVX2_H

#include <cstdint>
#include <cstring>
#include <immintrin.h>

#include "quant-x/Runtime/Kernels.h"

namespace quantx::kernels {
namespace {

/// 2 rows x 2 panels (16 channels, 4 vectors of 4) of byte counters.
struct Avx2Popcount {
  static constexpr int MR = 2, kMaxPanels = 2;
  /// Words between byte-counter flushes.
  static constexpr int64_t kFlushWords = 31;

  static void signBits(const int8_t *src, uint32_t &s, uint32_t &m) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(src));
    s = uint32_t(_mm256_movemask_epi8(v));
    m = ~uint32_t(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256())));
  }

  static __m256i broadcast(const uint64_t *p) {
    int64_t v;
    std::memcpy(&v, p, sizeof(v));
    return _mm256_set1_epi64x(v);
  }

  template <int R, int P, bool Masked>
  static void tile(int64_t words, const uint64_t *s, const uint64_t *m,
                   int64_t lda, const uint64_t *w, int32_t *d, int64_t ldd) {
    // Vectors of 4 channels per row.
    constexpr int V = P * kBinaryPanel / 4;
    const __m256i table =
        _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                         1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
    __m256i total[R][V];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < V; ++v)
        total[r][v] = zero;
    for (int64_t i0 = 0; i0 < words; i0 += kFlushWords) {
      int64_t end = i0 + kFlushWords < words ? i0 + kFlushWords : words;
      __m256i acc[R][V];
      for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
          acc[r][v] = zero;
      for (int64_t i = i0; i < end; ++i) {
        __m256i a[R], keep[R];
        for (int r = 0; r < R; ++r) {
          a[r] = broadcast(s + r * lda + i);
          if constexpr (Masked)
            keep[r] = broadcast(m + r * lda + i);
        }
        for (int v = 0; v < V; ++v) {
          const uint64_t *panel = w + (v / 2) * words * kBinaryPanel;
          __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
              panel + i * kBinaryPanel + (v % 2) * 4));
          for (int r = 0; r < R; ++r) {
            __m256i x = _mm256_xor_si256(a[r], wv);
            if constexpr (Masked)
              x = _mm256_and_si256(x, keep[r]);
            __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(x, low));
            __m256i hi = _mm256_shuffle_epi8(
                table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low));
            acc[r][v] = _mm256_add_epi8(acc[r][v], _mm256_add_epi8(lo, hi));
          }
        }
      }
      for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
          total[r][v] =
              _mm256_add_epi64(total[r][v], _mm256_sad_epu8(acc[r][v], zero));
    }
    // -2 times the low halves of the four 64-bit counts (each below 2^19).
    const __m256i lows = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < V; ++v) {
        __m128i count = _mm256_castsi256_si128(
            _mm256_permutevar8x32_epi32(total[r][v], lows));
        _mm_storeu_si128(
            reinterpret_cast<__m128i *>(d + r * ldd + 4 * v),
            _mm_sub_epi32(_mm_setzero_si128(), _mm_slli_epi32(count, 1)));
      }
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_BINARYAVX2_H
