//===- LowBitExpand.h - SSSE3 decoding of 2-bit weight runs -----*- C++ -*-===//
//
// Shared by the AVX2 and AVX-512 kernel files (both compiled for CPUs that
// have SSSE3's byte shuffle); in an anonymous namespace like IsaLocal.h,
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

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_LOWBITEXPAND_H
