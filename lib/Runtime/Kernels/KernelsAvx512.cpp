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

/// vpdpbusd: uint8 activations (int8 + 128) times int8 weights, four k per
/// int32 lane.
struct Avx512VnniS8 {
  using AElem = uint8_t;
  using BElem = int8_t;
  using Acc = int32_t;
  static constexpr int MR = 6, NR = 64, KU = 4;
  static AElem convert(int8_t x) { return uint8_t(x) ^ 0x80; }

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
