//===- BinaryAvx2.h - AVX2 XNOR-popcount micro-kernel -----------*- C++ -*-===//
//
// The binary micro-kernel of BinaryConv.h for AVX2, also the AVX-512 file's
// where the CPU lacks VPOPCNTDQ. In an anonymous namespace like IsaLocal.h,
// one private copy per including file.
//
// AVX2 has no vector popcount: each byte's count is the sum of two 4-bit
// table lookups (vpshufb, Mula's method), accumulated in bytes for up to 31
// steps of 256 bits (at most 8 per byte per step, so no byte passes 248) and
// then summed with vpsadbw.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_BINARYAVX2_H
#define QUANTX_LIB_RUNTIME_KERNELS_BINARYAVX2_H

#include <cstdint>
#include <immintrin.h>

namespace quantx::kernels {
namespace {

struct Avx2Popcount {
  static constexpr int MR = 2, NR = 4;
  /// Steps of 4 words between byte-accumulator flushes.
  static constexpr int64_t kFlushSteps = 31;

  static void signBits(const int8_t *src, uint32_t &s, uint32_t &m) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(src));
    s = uint32_t(_mm256_movemask_epi8(v));
    m = ~uint32_t(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256())));
  }

  static __m256i load(const uint64_t *p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
  }

  /// The sum of the four 64-bit lanes of vpsadbw(bytes, 0).
  static int64_t sumBytes(__m256i bytes) {
    __m256i sums = _mm256_sad_epu8(bytes, _mm256_setzero_si256());
    __m128i half = _mm_add_epi64(_mm256_castsi256_si128(sums),
                                 _mm256_extracti128_si256(sums, 1));
    return _mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1);
  }

  template <int R, bool Masked>
  static void tile(int64_t words, const uint64_t *s, const uint64_t *m,
                   int64_t lda, const uint64_t *w, int64_t ldw, int32_t *d,
                   int64_t ldd) {
    const __m256i table =
        _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                         1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    int64_t total[R][NR] = {};
    for (int64_t i0 = 0; i0 < words; i0 += 4 * kFlushSteps) {
      int64_t end = i0 + 4 * kFlushSteps < words ? i0 + 4 * kFlushSteps : words;
      __m256i acc[R][NR];
      for (int r = 0; r < R; ++r)
        for (int j = 0; j < NR; ++j)
          acc[r][j] = _mm256_setzero_si256();
      for (int64_t i = i0; i < end; i += 4) {
        __m256i a[R], keep[R];
        for (int r = 0; r < R; ++r) {
          a[r] = load(s + r * lda + i);
          if constexpr (Masked)
            keep[r] = load(m + r * lda + i);
        }
        for (int j = 0; j < NR; ++j) {
          __m256i wv = load(w + j * ldw + i);
          for (int r = 0; r < R; ++r) {
            __m256i x = _mm256_xor_si256(a[r], wv);
            if constexpr (Masked)
              x = _mm256_and_si256(x, keep[r]);
            __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(x, low));
            __m256i hi = _mm256_shuffle_epi8(
                table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low));
            acc[r][j] = _mm256_add_epi8(acc[r][j], _mm256_add_epi8(lo, hi));
          }
        }
      }
      for (int r = 0; r < R; ++r)
        for (int j = 0; j < NR; ++j)
          total[r][j] += sumBytes(acc[r][j]);
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < NR; ++j)
        d[r * ldd + j] = static_cast<int32_t>(total[r][j]);
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_BINARYAVX2_H
