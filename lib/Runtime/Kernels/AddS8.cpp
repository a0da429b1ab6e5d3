//===- AddS8.cpp - the requantized int8 add of a residual connection ------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quantx_kernel_add_s8 (quant-x/Runtime/Kernels.h): the two rescales of a
// residual connection's operands to int32, their sum and the rescale back
// to int8, element by element, with quantx.rescale's arithmetic (the
// epilogue's rescaleSingle / rescaleDouble, which unittests/Runtime checks
// against quantx::rescaleReference). It is the GPU add kernel's CPU
// counterpart: the call runs here where the GPU cannot take it. A pass
// over memory; the GPU kernel is what is meant to be fast.
//
//===----------------------------------------------------------------------===//

#include "Epilogue.h"
#include "IsaKernels.h"

using namespace quantx::kernels;

namespace {

/// One rescale of the table: per channel, multiplier and shift.
struct ChannelRescale {
  const int32_t *multiplier, *shift;
  bool single;

  int64_t apply(int64_t x, int64_t channel) const {
    return single ? rescaleSingle(x, multiplier[channel], shift[channel])
                  : rescaleDouble(x, multiplier[channel], shift[channel]);
  }
};

} // namespace

void quantx::kernels::addS8(const void *first, const void *second,
                            const void *table, const int64_t *p, void *output) {
  int64_t rows = p[kBatch], channels = p[kOutC];
  const auto *rescales = static_cast<const int32_t *>(table);
  auto rescale = [&](int index, int64_t singleBit) {
    return ChannelRescale{rescales + 2 * index * channels,
                          rescales + (2 * index + 1) * channels,
                          (p[kRounding] & singleBit) != 0};
  };
  ChannelRescale ra = rescale(0, kAddSingleA), rb = rescale(1, kAddSingleB),
                 ro = rescale(2, kAddSingleOut);
  const auto *a = static_cast<const int8_t *>(first);
  const auto *b = static_cast<const int8_t *>(second);
  auto *out = static_cast<int8_t *>(output);
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t i = row * channels + c;
      // int32 addends; their sum wraps, as the reference lowering's i32
      // add does.
      uint32_t sum = uint32_t(int32_t(ra.apply(a[i] - p[kPadValue], c))) +
                     uint32_t(int32_t(rb.apply(b[i] - p[kWeightZeroPoint], c)));
      int64_t scaled = ro.apply(int32_t(sum), c) + p[kOutputZeroPoint];
      out[i] = int8_t(clampTo<int64_t>(scaled, p[kClampMin], p[kClampMax]));
    }
}
