//===- LowBitExpand.h - AVX2 decoding of low-bit weight runs ---*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Shared by the AVX2 and AVX-512 kernel files (both compiled for CPUs that
// have AVX2's byte shuffles); in an anonymous namespace like IsaLocal.h,
// one private copy per file.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_LOWBITEXPAND_H
#define QUANTX_LIB_RUNTIME_KERNELS_LOWBITEXPAND_H

#include <cstdint>
#include <immintrin.h>

namespace quantx::kernels {
namespace {

/// The 32 int8 weights of one 2-bit run of packWeightsLowBit (8 bytes; byte
/// i holds elements i, i + 8, i + 16, i + 24): elements 0-15 in `first`,
/// 16-31 in `second`, each code c decoded as byte c of `table`.
inline void expandCrumbRun(const uint8_t *src, __m128i table, __m128i &first,
                           __m128i &second) {
  const __m128i three = _mm_set1_epi8(3);
  __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(src));
  auto slot = [&](int shift) {
    return _mm_shuffle_epi8(table,
                            _mm_and_si128(_mm_srli_epi16(v, shift), three));
  };
  first = _mm_unpacklo_epi64(slot(0), slot(2));
  second = _mm_unpacklo_epi64(slot(4), slot(6));
}

/// packWeightsLowBit's nibbles to int8: 32 bytes (two runs of 32) at a time,
/// the low nibbles of a run before its high ones, each code decoded
/// through `table` (one byte shuffle per 32 codes).
inline void expandNibblesToInt8(const uint8_t *src, int8_t *dst, int64_t count,
                                const int8_t *table) {
  const __m256i low = _mm256_set1_epi8(0x0F);
  const __m256i codes = _mm256_broadcastsi128_si256(
      _mm_loadu_si128(reinterpret_cast<const __m128i *>(table)));
  int64_t i = 0;
  for (; i + 64 <= count; i += 64) {
    __m256i v =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(src + i / 2));
    __m256i lo = _mm256_shuffle_epi8(codes, _mm256_and_si256(v, low));
    __m256i hi = _mm256_shuffle_epi8(
        codes, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
    // [lo0 lo1] [hi0 hi1] -> run 0: lo0 hi0, run 1: lo1 hi1.
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i),
                        _mm256_permute2x128_si256(lo, hi, 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i + 32),
                        _mm256_permute2x128_si256(lo, hi, 0x31));
  }
  for (; i < count; i += 32) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i / 2));
    __m128i mask = _mm256_castsi256_si128(low);
    __m128i table128 = _mm256_castsi256_si128(codes);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                     _mm_shuffle_epi8(table128, _mm_and_si128(v, mask)));
    _mm_storeu_si128(
        reinterpret_cast<__m128i *>(dst + i + 16),
        _mm_shuffle_epi8(table128, _mm_and_si128(_mm_srli_epi16(v, 4), mask)));
  }
}

/// packWeightsLowBit's 2-bit weights to int8: per run of 32, byte i of
/// its 8 holds elements i, i + 8, i + 16, i + 24, each code decoded
/// through `table`.
inline void expandCrumbsToInt8(const uint8_t *src, int8_t *dst, int64_t count,
                               const int8_t *table) {
  const __m128i codes =
      _mm_loadu_si128(reinterpret_cast<const __m128i *>(table));
  for (int64_t i = 0; i < count; i += 32, src += 8) {
    __m128i first, second;
    expandCrumbRun(src, codes, first, second);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), first);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i + 16), second);
  }
}

/// The low-bit expansion of a micro-kernel with int8 weights: derive from
/// it.
struct Int8LowBitExpansion {
  static void unpackNibbles(const uint8_t *src, int8_t *dst, int64_t count,
                            const int8_t *table) {
    expandNibblesToInt8(src, dst, count, table);
  }
  static void unpackCrumbs(const uint8_t *src, int8_t *dst, int64_t count,
                           const int8_t *table) {
    expandCrumbsToInt8(src, dst, count, table);
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_LOWBITEXPAND_H
