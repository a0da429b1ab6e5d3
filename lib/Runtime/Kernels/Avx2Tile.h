//===- Avx2Tile.h - int32 accumulator tiles in ymm registers ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The R x 16 int32 accumulator tile the AVX2 int8 micro-kernels keep in
// two ymm registers per row. In an anonymous namespace like IsaLocal.h:
// one private copy per file.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_AVX2TILE_H
#define QUANTX_LIB_RUNTIME_KERNELS_AVX2TILE_H

#include <cstdint>
#include <immintrin.h>

namespace quantx::kernels {
namespace {

/// Rows of `c` (stride `ldc`) into `acc`, or zeros when not `accumulate`.
template <int R>
inline void loadTile(__m256i (&acc)[R][2], const int32_t *c, int64_t ldc,
                     bool accumulate) {
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 2; ++j)
      acc[r][j] = accumulate
                      ? _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
                            c + r * ldc + 8 * j))
                      : _mm256_setzero_si256();
}

template <int R>
inline void storeTile(const __m256i (&acc)[R][2], int32_t *c, int64_t ldc) {
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < 2; ++j)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(c + r * ldc + 8 * j),
                          acc[r][j]);
}

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_AVX2TILE_H
