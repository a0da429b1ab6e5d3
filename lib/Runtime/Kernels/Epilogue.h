//===- Epilogue.h - bias, requantization and store of a tile ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Included by each ISA's kernel file inside an anonymous namespace, so that
// every copy is compiled for (and only runs on) its own ISA. The arithmetic
// is quant-x's dyadic rescale (docs/Numerics.md), written without branches on
// the data so that it vectorizes; unittests/Runtime compares it bit for bit
// with quantx::rescaleReference.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_EPILOGUE_H
#define QUANTX_LIB_RUNTIME_KERNELS_EPILOGUE_H

#include "IsaLocal.h"
#include "quant-x/Runtime/Kernels.h"

#include <cstdint>

namespace quantx::kernels {
namespace {

inline int64_t saturateInt32(int64_t v) {
  return clampTo<int64_t>(v, INT32_MIN, INT32_MAX);
}

/// a + b + c modulo 2^32, as the reference's int32 accumulation wraps: the
/// kernels' partial terms (shifted activations, folded zero points) may
/// overflow where the exact sum does not, and then wrap back.
inline int32_t wrappingSum(int32_t a, int32_t b, int32_t c) {
  return static_cast<int32_t>(uint32_t(a) + uint32_t(b) + uint32_t(c));
}

/// x * multiplier * 2^-shift, rounded once, ties toward +infinity.
inline int64_t rescaleSingle(int64_t x, int64_t multiplier, int64_t shift) {
  int64_t round = (int64_t(1) << shift) >> 1;
  return saturateInt32((x * multiplier + round) >> shift);
}

/// gemmlowp: SaturatingRoundingDoublingHighMul then RoundingDivideByPOT
/// (multiplier >= 0, so the INT32_MIN * INT32_MIN case cannot occur).
inline int64_t rescaleDouble(int64_t x, int64_t multiplier, int64_t shift) {
  int64_t left = shift < 31 ? 31 - shift : 0;
  int64_t right = shift > 31 ? shift - 31 : 0;
  int64_t shifted = saturateInt32(x * (int64_t(1) << left));
  int64_t product = shifted * multiplier;
  int64_t nudge = product >= 0 ? (int64_t(1) << 30) : 1 - (int64_t(1) << 30);
  int64_t sum = product + nudge;
  // Division truncating toward zero, as gemmlowp's.
  int64_t high = (sum + (sum < 0 ? (int64_t(1) << 31) - 1 : 0)) >> 31;
  int64_t mask = (int64_t(1) << right) - 1;
  int64_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

/// Requantization constants of one kernel call.
struct Requant {
  const int32_t *multiplier = nullptr; // per output channel
  const int32_t *shift = nullptr;      // per output channel
  Rounding rounding = Rounding::Double;
  int64_t zeroPoint = 0, lo = -128, hi = 127;

  Requant(const void *table, const int64_t *params, int64_t channels)
      : multiplier(static_cast<const int32_t *>(table)),
        shift(static_cast<const int32_t *>(table) + channels),
        rounding(static_cast<Rounding>(params[kRounding])),
        zeroPoint(params[kOutputZeroPoint]), lo(params[kClampMin]),
        hi(params[kClampMax]) {}

  /// Whether the output clamp raises every result <= 0 to the same value
  /// (lo - zp >= 0: a ReLU's), so that an epilogue need not round those
  /// exactly.
  bool clampsNegatives() const { return lo - zeroPoint >= 0; }
};

/// out[j] = requant(acc[j] + bias[j] + rowTerm), channels [0, count) starting
/// at channel `first`.
template <Rounding R>
inline void requantizeRowImpl(const int32_t *acc, const int32_t *bias,
                              int32_t rowTerm, const Requant &rq, int64_t first,
                              int64_t count, int8_t *out) {
  const int32_t *mul = rq.multiplier + first, *shift = rq.shift + first;
  for (int64_t j = 0; j < count; ++j) {
    int64_t x = wrappingSum(acc[j], bias[j], rowTerm);
    int64_t scaled = R == Rounding::Single ? rescaleSingle(x, mul[j], shift[j])
                                           : rescaleDouble(x, mul[j], shift[j]);
    out[j] = static_cast<int8_t>(
        clampTo<int64_t>(scaled + rq.zeroPoint, rq.lo, rq.hi));
  }
}

inline void requantizeRow(const int32_t *acc, const int32_t *bias,
                          int32_t rowTerm, const Requant &rq, int64_t first,
                          int64_t count, int8_t *out) {
  if (rq.rounding == Rounding::Single)
    requantizeRowImpl<Rounding::Single>(acc, bias, rowTerm, rq, first, count,
                                        out);
  else
    requantizeRowImpl<Rounding::Double>(acc, bias, rowTerm, rq, first, count,
                                        out);
}

/// The micro-kernels without a vector epilogue of their own use the portable
/// one (which the compiler vectorizes for their ISA).
struct PortableRequantize {
  /// out[r][j] = requant(acc[r][j] + bias[j] + rowTerms[r]) for `rows` rows
  /// of `count` channels starting at channel `first` (rowTerms may be null).
  static void requantize(const int32_t *acc, int64_t ldc, int64_t rows,
                         const int32_t *bias, const int32_t *rowTerms,
                         const Requant &rq, int64_t first, int64_t count,
                         int8_t *out, int64_t ldo) {
    for (int64_t r = 0; r < rows; ++r)
      requantizeRow(acc + r * ldc, bias, rowTerms ? rowTerms[r] : 0, rq, first,
                    count, out + r * ldo);
  }
};

inline void biasRow(const int32_t *acc, const int32_t *bias, int32_t rowTerm,
                    int64_t count, int32_t *out) {
  for (int64_t j = 0; j < count; ++j)
    out[j] = wrappingSum(acc[j], bias[j], rowTerm);
}

inline void biasRow(const float *acc, const float *bias, float, int64_t count,
                    float *out) {
  for (int64_t j = 0; j < count; ++j)
    out[j] = acc[j] + bias[j];
}

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_EPILOGUE_H
