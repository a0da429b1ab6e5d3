//===- KernelsAvx2.cpp - AVX2 + FMA micro-kernels -------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Compiled with -mavx2 -mfma -mpopcnt; runs only where the host has them. int8
// uses int16 operands and vpmaddwd: exact, where vpmaddubsw's int16 saturation
// would not be.
//
//===----------------------------------------------------------------------===//

#include "Avx2Requantize.h"
#include "Avx2Tile.h"
#include "BinaryAvx2.h"
#include "BinaryConv.h"
#include "ConvDriver.h"
#include "IsaKernels.h"
#include "LowBitExpand.h"

#include <immintrin.h>

using namespace quantx::kernels;

namespace {

/// 6 rows x 16 columns of int32; a k unit is a pair of int16.
struct Avx2S8 : Avx2Requantize {
  using AElem = int16_t;
  using BElem = int16_t;
  using Acc = int32_t;
  static constexpr int MR = 6, NR = 16, KU = 2;
  static AElem convert(int8_t x) { return x; }

  /// packWeightsLowBit's nibbles to int16: per run of 32, the 16 low nibbles
  /// then the 16 high ones, each code decoded through `table` (one byte
  /// shuffle) and widened.
  static void unpackNibbles(const uint8_t *src, int16_t *dst, int64_t count,
                            const int8_t *table) {
    const __m128i low = _mm_set1_epi8(0x0F);
    const __m128i codes =
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(table));
    for (int64_t i = 0; i < count; i += 32) {
      __m128i v =
          _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i / 2));
      __m128i lo = _mm_shuffle_epi8(codes, _mm_and_si128(v, low));
      __m128i hi =
          _mm_shuffle_epi8(codes, _mm_and_si128(_mm_srli_epi16(v, 4), low));
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i),
                          _mm256_cvtepi8_epi16(lo));
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i + 16),
                          _mm256_cvtepi8_epi16(hi));
    }
  }

  /// packWeightsLowBit's 2-bit weights to int16: per run of 32, byte i of
  /// its 8 holds elements i, i + 8, i + 16, i + 24, each code decoded
  /// through `table` and widened.
  static void unpackCrumbs(const uint8_t *src, int16_t *dst, int64_t count,
                           const int8_t *table) {
    const __m128i codes =
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(table));
    for (int64_t i = 0; i < count; i += 32, src += 8) {
      __m128i first, second;
      expandCrumbRun(src, codes, first, second);
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i),
                          _mm256_cvtepi8_epi16(first));
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i + 16),
                          _mm256_cvtepi8_epi16(second));
    }
  }

  /// The int8 depthwise accumulators of one output row (multiplier 1):
  /// acc[ow][c] = sum_t x[ow][t][c] * w[t][c], `taps` holding each pixel's
  /// numTaps input pointers. Per tap and 8 channels, `vpmovsxbd` widens the
  /// activations to int32 lanes and `vpmaddwd` multiplies them by the int16
  /// weights zero-extended to int32: the lane's high halves, the sign bits
  /// times zero, add nothing, so that each lane is one exact product.
  /// Channels past the last multiple of 8 are summed in scalar code.
  static void depthwiseRow(const int8_t *const *taps, int64_t numTaps,
                           int64_t outW, const int16_t *w, int64_t channels,
                           int32_t *acc) {
    int64_t c0 = 0;
    while (c0 + 8 <= channels) {
      bool two = c0 + 16 <= channels;
      int64_t ow = 0;
      for (; ow + 4 <= outW; ow += 4)
        two ? depthwisePixels<4, 2>(taps + ow * numTaps, numTaps, c0, w,
                                    channels, acc + ow * channels)
            : depthwisePixels<4, 1>(taps + ow * numTaps, numTaps, c0, w,
                                    channels, acc + ow * channels);
      for (; ow < outW; ++ow)
        two ? depthwisePixels<1, 2>(taps + ow * numTaps, numTaps, c0, w,
                                    channels, acc + ow * channels)
            : depthwisePixels<1, 1>(taps + ow * numTaps, numTaps, c0, w,
                                    channels, acc + ow * channels);
      c0 += two ? 16 : 8;
    }
    for (int64_t ow = 0; ow < outW; ++ow)
      for (int64_t c = c0; c < channels; ++c) {
        int32_t sum = 0;
        for (int64_t t = 0; t < numTaps; ++t)
          sum += int32_t(taps[ow * numTaps + t][c]) * w[t * channels + c];
        acc[ow * channels + c] = sum;
      }
  }

  /// P pixels x V vectors of 8 channels from channel c0.
  template <int P, int V>
  static void depthwisePixels(const int8_t *const *taps, int64_t numTaps,
                              int64_t c0, const int16_t *w, int64_t channels,
                              int32_t *acc) {
    __m256i sums[P][V];
    for (int q = 0; q < P; ++q)
      for (int v = 0; v < V; ++v)
        sums[q][v] = _mm256_setzero_si256();
    for (int64_t t = 0; t < numTaps; ++t) {
      __m256i weights[V];
      for (int v = 0; v < V; ++v)
        weights[v] = _mm256_cvtepu16_epi32(_mm_loadu_si128(
            reinterpret_cast<const __m128i *>(w + t * channels + c0 + 8 * v)));
      for (int q = 0; q < P; ++q) {
        const int8_t *x = taps[q * numTaps + t] + c0;
        for (int v = 0; v < V; ++v)
          sums[q][v] = _mm256_add_epi32(
              sums[q][v],
              _mm256_madd_epi16(
                  _mm256_cvtepi8_epi32(_mm_loadl_epi64(
                      reinterpret_cast<const __m128i *>(x + 8 * v))),
                  weights[v]));
      }
    }
    for (int q = 0; q < P; ++q)
      for (int v = 0; v < V; ++v)
        _mm256_storeu_si256(
            reinterpret_cast<__m256i *>(acc + q * channels + c0 + 8 * v),
            sums[q][v]);
  }

  template <int R>
  static void tile(int64_t kc, const int16_t *a, int64_t lda, const int16_t *b,
                   int32_t *c, int64_t ldc, bool accumulate) {
    __m256i acc[R][2];
    loadTile<R>(acc, c, ldc, accumulate);
    for (int64_t k = 0; k < kc; k += 2, b += 2 * NR) {
      __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b));
      __m256i b1 =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + 16));
      for (int r = 0; r < R; ++r) {
        __m256i av = _mm256_set1_epi32(load32(a + r * lda + k));
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(av, b0));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(av, b1));
      }
    }
    storeTile<R>(acc, c, ldc);
  }
};

/// 6 rows x 16 columns of float.
struct Avx2F32 {
  using AElem = float;
  using BElem = float;
  using Acc = float;
  static constexpr int MR = 6, NR = 16, KU = 1;
  static AElem convert(float x) { return x; }

  template <int R>
  static void tile(int64_t kc, const float *a, int64_t lda, const float *b,
                   float *c, int64_t ldc, bool accumulate) {
    __m256 acc[R][2];
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 2; ++j)
        acc[r][j] = accumulate ? _mm256_loadu_ps(c + r * ldc + 8 * j)
                               : _mm256_setzero_ps();
    for (int64_t k = 0; k < kc; ++k, b += NR) {
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
      for (int r = 0; r < R; ++r) {
        __m256 av = _mm256_broadcast_ss(a + r * lda + k);
        acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 2; ++j)
        _mm256_storeu_ps(c + r * ldc + 8 * j, acc[r][j]);
  }
};
/// One int8 panel width.
template <int>
using Avx2S8Panel = Avx2S8;
} // namespace

const IsaKernels &quantx::kernels::getAvx2Kernels() {
  static const IsaKernels kernels =
      IsaSet<Avx2S8Panel, Avx2F32, BinaryWith<Avx2Popcount>, 0, 1>::get();
  return kernels;
}
