//===- RangeEstimators.h - calibration statistics to ranges -----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Each estimator turns the histogram of one activation into the range
// [min, max] that its 8-bit asymmetric quantization covers. The range always
// holds 0 so that zero is exact.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_TRANSFORMS_RANGEESTIMATORS_H
#define QUANTX_DIALECT_QUANTX_TRANSFORMS_RANGEESTIMATORS_H

#include "llvm/ADT/ArrayRef.h"
#include <cstdint>

namespace mlir::quantx {

/// Equal-width bins over [min, max]; the last bin holds max.
struct HistogramView {
  double min, max;
  llvm::ArrayRef<int64_t> counts;
};

struct Range {
  double min, max;
};

/// The mean magnitude E|x| of the values the histogram counts (bin
/// centres): the scale of sign activations (XNOR-Net's beta).
double estimateMeanMagnitude(const HistogramView &histogram);

/// The observed range, widened to hold 0.
Range estimateMinMax(const HistogramView &histogram);

/// From the (100 - p)-th to the p-th percentile (linear inside a bin).
Range estimatePercentile(const HistogramView &histogram, double percentile);

/// TensorRT's entropy calibration: the |x| threshold whose quantization of
/// the |x| histogram (re-binned to `bins` bins) has the least KL divergence
/// from the clipped reference, applied to both sides. The quantization has
/// `signedLevels` levels over |x| for signed data and twice as many for
/// data that is never negative (as pytorch-quantization does: the whole
/// int8 range then covers [0, T]).
Range estimateEntropy(const HistogramView &histogram, unsigned bins = 2048,
                      unsigned signedLevels = 128);

/// The |x| threshold T minimizing the expected squared error of the 8-bit
/// asymmetric quantizer over [max(min, -T), min(max, T)]: step^2 / 12 for
/// values inside, squared distance to the bound for values outside.
Range estimateMse(const HistogramView &histogram, unsigned bits = 8);

/// OCTAV (Sakr et al., ICML 2022): the clipping threshold s of |x| that
/// minimizes the quantization noise c s^2 P(|x| <= s) (c = step^2 / (12 s^2)
/// of the `bits`-bit grid over [-s, s], or over [0, s] for data that is
/// never negative) plus the clipping error E[(|x| - s)^2; |x| > s], by its
/// Newton-Raphson recursion s <- E[|x|; |x| > s] / (c P(|x| <= s) +
/// P(|x| > s)) on the histogram, from s = E|x|. `iterations` gets the
/// number of steps taken (at most 100, until s moves by under 1e-6 of
/// itself).
Range estimateOctav(const HistogramView &histogram, unsigned bits = 8,
                    int *iterations = nullptr);

/// The expected squared error of the `bits`-bit quantizer (as
/// estimateOctav models it) of the histogram's data clipped at |x| = s.
double getClippedQuantizationError(const HistogramView &histogram, double s,
                                   unsigned bits = 8);

/// Scale and zero point of the `bits`-bit signed asymmetric quantizer of a
/// range (0 is exactly representable).
struct AffineParams {
  double scale;
  int64_t zeroPoint;
};
AffineParams getAffineParams(Range range, unsigned bits = 8);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_TRANSFORMS_RANGEESTIMATORS_H
