//===- AvgPoolS8.cpp - int8 average pooling -------------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quantx_kernel_avgpool_s8 (quant-x/Runtime/Kernels.h): TOSA's int8
// avg_pool2d with the arithmetic of its reference lowering (upstream's
// tosa-to-linalg-named, which quant-x's CPU path runs): the window's taps
// inside the input summed in int32, the input zero point taken count times,
// and the division by the count as a multiply by ((2^30 + 1) << k) / count
// and a right shift by k + 30, rounded half up. The GPU average-pooling
// kernel's CPU counterpart, as the add's.
//
//===----------------------------------------------------------------------===//

#include "IsaKernels.h"
#include "quant-x/Runtime/Kernels.h"

#include <algorithm>

using namespace quantx::kernels;

namespace {

/// The division of one window: the sum of `count` int8 taps, less `count`
/// input zero points, divided by `count` as TOSA's reference lowering does
/// (before the output zero point and the clamp).
int64_t averageOfWindow(int64_t sum, int64_t count, int64_t inputZeroPoint) {
  int64_t value = sum - count * inputZeroPoint;
  // k = ceil(log2(count)): 32 - clz(count - 1) on 32 bits, 0 for count 1.
  int64_t k = 0;
  while ((int64_t(1) << k) < count)
    ++k;
  int64_t multiplier = (int64_t(1073741825) << k) / count;
  int64_t shift = k + 30;
  return (value * multiplier + (int64_t(1) << (shift - 1))) >> shift;
}

} // namespace

void quantx::kernels::avgPoolS8(const KernelArgs &args) {
  const int64_t *p = args.params;
  const auto *in = static_cast<const int8_t *>(args.input);
  auto *out = static_cast<int8_t *>(args.output);
  int64_t channels = p[kInC];
  for (int64_t image = 0; image < p[kBatch]; ++image)
    for (int64_t oh = 0; oh < p[kOutH]; ++oh)
      for (int64_t ow = 0; ow < p[kOutW]; ++ow) {
        // The window clipped to the input: padding is not averaged.
        int64_t top = oh * p[kStrideH] - p[kPadTop];
        int64_t left = ow * p[kStrideW] - p[kPadLeft];
        int64_t h0 = std::max<int64_t>(top, 0);
        int64_t h1 = std::min(top + p[kKernelH], p[kInH]);
        int64_t w0 = std::max<int64_t>(left, 0);
        int64_t w1 = std::min(left + p[kKernelW], p[kInW]);
        int64_t count = (h1 - h0) * (w1 - w0);
        int8_t *result =
            out + ((image * p[kOutH] + oh) * p[kOutW] + ow) * channels;
        for (int64_t c = 0; c < channels; ++c) {
          int32_t sum = 0;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w)
              sum += in[((image * p[kInH] + h) * p[kInW] + w) * channels + c];
          int64_t average = averageOfWindow(sum, count, p[kPadValue]);
          result[c] = int8_t(std::clamp(average + p[kOutputZeroPoint],
                                        p[kClampMin], p[kClampMax]));
        }
      }
}
