//===- KernelsAvx2Maddubs.cpp - AVX2 vpmaddubsw int8 micro-kernel ---------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Compiled with -mavx2 -mfma -mpopcnt. `vpmaddubsw` multiplies 32 uint8 x
// int8 pairs and adds each pair into int16, with saturation; `vpmaddwd`
// with ones then adds pairs of those into int32. Three instructions per 32
// multiply-adds, against the int16 kernel's two per 16. The compiler uses
// this kernel only for layers whose weight pairs it has proven cannot
// saturate (provesNoPairSaturation): then every int16 sum is exact and the
// result is bit-identical to the int16 kernel's. Float, depthwise, pooling
// and binary layers are AVX2's own.
//
//===----------------------------------------------------------------------===//

#include "Avx2Requantize.h"
#include "Avx2Tile.h"
#include "ConvDriver.h"
#include "IsaKernels.h"
#include "LowBitExpand.h"

#include <cstdlib>
#include <immintrin.h>

using namespace quantx::kernels;

namespace {

/// 4 rows x 16 columns of int32; a k unit is four uint8 activations times
/// four int8 weights (the VNNI layout: [k / 4][16 columns][4]). 8
/// accumulators, 2 weight vectors, the broadcast activations, the ones and
/// a product: 13 of the 16 ymm registers.
struct Avx2MaddubsS8 : Avx2Requantize, Int8LowBitExpansion {
  using AElem = uint8_t;
  using BElem = int8_t;
  using Acc = int32_t;
  static constexpr int MR = 4, NR = 16, KU = 4;
  static AElem convert(int8_t x) { return uint8_t(x) ^ 0x80; }

  static void convertRun(const int8_t *src, uint8_t *dst, int64_t n) {
    const __m256i flip = _mm256_set1_epi8(char(0x80));
    int64_t c = 0;
    for (; c + 32 <= n; c += 32)
      _mm256_storeu_si256(
          reinterpret_cast<__m256i *>(dst + c),
          _mm256_xor_si256(
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(src + c)),
              flip));
    for (; c < n; ++c)
      dst[c] = convert(src[c]);
  }

  template <int R>
  static void tile(int64_t kc, const uint8_t *a, int64_t lda, const int8_t *b,
                   int32_t *c, int64_t ldc, bool accumulate) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc[R][2];
    loadTile<R>(acc, c, ldc, accumulate);
    for (int64_t k = 0; k < kc; k += 4, b += 4 * NR) {
      __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b));
      __m256i b1 =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + 32));
      for (int r = 0; r < R; ++r) {
        __m256i av = _mm256_set1_epi32(load32(a + r * lda + k));
        // Exact: the compiler proved |w_a| + |w_b| <= 128 for every pair.
        __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(av, b0), ones);
        __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(av, b1), ones);
        acc[r][0] = _mm256_add_epi32(acc[r][0], p0);
        acc[r][1] = _mm256_add_epi32(acc[r][1], p1);
      }
    }
    storeTile<R>(acc, c, ldc);
  }
};

void convS8(const KernelArgs &args) {
  if (args.params[kPanelWidth] != Avx2MaddubsS8::NR)
    std::abort(); // The compiler packed for a width this ISA lacks.
  ConvRun<Avx2MaddubsS8, int8_t>(args).run();
}
} // namespace

const IsaKernels &quantx::kernels::getAvx2MaddubsKernels() {
  static const IsaKernels kernels = [] {
    IsaKernels set = getAvx2Kernels();
    set.convS8 = convS8;
    set.panelWidthsS8[0] = Avx2MaddubsS8::NR;
    for (int i = 1; i < 4; ++i)
      set.panelWidthsS8[i] = 0;
    set.kuS8 = Avx2MaddubsS8::KU;
    set.weightBytesS8 = 1;
    set.activationShift = 128;
    set.lowBitWeights = true;
    return set;
  }();
  return kernels;
}
