//===- LowBitExpand.h - SSE2 expansion of 2-bit weight runs -----*- C++ -*-===//
//
// Shared by the AVX2 and AVX-512 kernel files (SSE2 is the x86-64
// baseline); in an anonymous namespace like IsaLocal.h, one private copy per
// file.
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
/// 16-31 in `second`, each sign-extended as (c ^ 2) - 2.
inline void expandCrumbRun(const uint8_t *src, __m128i &first,
                           __m128i &second) {
  const __m128i three = _mm_set1_epi8(3), two = _mm_set1_epi8(2);
  __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(src));
  auto slot = [&](int shift) {
    __m128i c = _mm_and_si128(_mm_srli_epi16(v, shift), three);
    return _mm_sub_epi8(_mm_xor_si128(c, two), two);
  };
  first = _mm_unpacklo_epi64(slot(0), slot(2));
  second = _mm_unpacklo_epi64(slot(4), slot(6));
}

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_LOWBITEXPAND_H
