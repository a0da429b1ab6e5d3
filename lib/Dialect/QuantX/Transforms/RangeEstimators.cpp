//===- RangeEstimators.cpp - calibration statistics to ranges -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/RangeEstimators.h"

#include "llvm/ADT/SmallVector.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir::quantx;
using llvm::SmallVector;

static Range withZero(double lo, double hi) {
  return {std::min(lo, 0.0), std::max(hi, 0.0)};
}

static double binWidth(const HistogramView &h) {
  return (h.max - h.min) / double(h.counts.size());
}

Range mlir::quantx::estimateMinMax(const HistogramView &h) {
  return withZero(h.min, h.max);
}

Range mlir::quantx::estimatePercentile(const HistogramView &h,
                                       double percentile) {
  double total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
  if (total == 0 || h.max <= h.min)
    return estimateMinMax(h);
  double width = binWidth(h);
  // The value below which `fraction` of the samples lie.
  auto quantile = [&](double fraction) {
    double target = fraction * total, seen = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      double count = h.counts[i];
      if (count > 0 && seen + count >= target)
        return h.min + width * (i + (target - seen) / count);
      seen += count;
    }
    return h.max;
  };
  double keep = std::clamp(percentile, 50.0, 100.0) / 100.0;
  return withZero(std::max(h.min, quantile(1.0 - keep)),
                  std::min(h.max, quantile(keep)));
}

/// The histogram of |x| in `bins` bins over [0, max|x|], each source bin's
/// count spread uniformly over the part of [0, max|x|] it covers.
static SmallVector<double> getAbsHistogram(const HistogramView &h,
                                           unsigned bins, double &absMax) {
  absMax = std::max(std::abs(h.min), std::abs(h.max));
  SmallVector<double> abs(bins, 0.0);
  double width = binWidth(h), absWidth = absMax / bins;
  auto spread = [&](double a, double b, double count) {
    // [a, b] within [0, absMax]
    if (count == 0)
      return;
    if (b <= a) {
      abs[std::min<size_t>(bins - 1, size_t(a / absWidth))] += count;
      return;
    }
    double density = count / (b - a);
    for (size_t i = size_t(a / absWidth); i < bins && i * absWidth < b; ++i) {
      double lo = std::max(a, i * absWidth),
             hi = std::min(b, (i + 1) * absWidth);
      if (hi > lo)
        abs[i] += density * (hi - lo);
    }
  };
  for (size_t i = 0; i < h.counts.size(); ++i) {
    double a = h.min + i * width, b = a + width, count = h.counts[i];
    if (a >= 0) {
      spread(a, b, count);
    } else if (b <= 0) {
      spread(-b, -a, count);
    } else {
      spread(0, -a, count * -a / width);
      spread(0, b, count * b / width);
    }
  }
  return abs;
}

/// MXNet's smoothing: moves `eps` of mass onto empty bins so that the KL
/// divergence stays finite.
static bool smooth(SmallVector<double> &p, double eps = 1e-4) {
  size_t zeros = llvm::count(p, 0.0), nonZeros = p.size() - zeros;
  if (nonZeros == 0)
    return false;
  double take = eps * double(zeros) / double(nonZeros);
  for (double &v : p)
    v = v == 0 ? eps : v - take;
  return llvm::all_of(p, [](double v) { return v > 0; });
}

/// KL(p || q) of two histograms of counts, smoothed (on the counts, as
/// MXNet does, so that eps is negligible next to any real bin) and then
/// normalized.
static double klDivergence(SmallVector<double> p, SmallVector<double> q) {
  if (!smooth(p) || !smooth(q))
    return std::numeric_limits<double>::infinity();
  double sp = std::accumulate(p.begin(), p.end(), 0.0);
  double sq = std::accumulate(q.begin(), q.end(), 0.0);
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i)
    kl += p[i] / sp * std::log((p[i] / sp) / (q[i] / sq));
  return kl;
}

Range mlir::quantx::estimateEntropy(const HistogramView &h, unsigned bins,
                                    unsigned signedLevels) {
  unsigned levels = h.min >= 0 ? 2 * signedLevels : signedLevels;
  double absMax;
  SmallVector<double> abs = getAbsHistogram(h, bins, absMax);
  if (absMax == 0)
    return estimateMinMax(h);
  // As pytorch-quantization does: the spike of exact zeros (ReLU outputs)
  // would dominate the divergence and favor the smallest thresholds.
  if (bins > 1)
    abs[0] = abs[1];
  double bestKl = std::numeric_limits<double>::infinity();
  unsigned best = bins;
  // Reference: the data as observed, all `bins` bins. (TensorRT's
  // reference is the first i bins with the clipped tail added to the last:
  // it is already clipped, so the search never sees what clipping moves,
  // and on data with most of its mass near 0 it clips rare large values
  // that matter; docs/Numerics.md.)
  SmallVector<double> p(abs.begin(), abs.end());
  for (unsigned i = levels; i <= bins; ++i) {
    // Candidate: where the data lands when quantized with threshold i: the
    // first i bins merged into `levels` levels of i / levels whole bins
    // (the last level takes the rest, as TensorRT and MXNet do; fractional
    // level boundaries make the divergence jagged in i), each level's mass
    // spread back over its non-empty bins, and the clipped tail on the
    // threshold's bin.
    SmallVector<double> q(bins, 0.0);
    unsigned merged = i / levels;
    for (unsigned level = 0; level < levels; ++level) {
      unsigned start = level * merged;
      unsigned stop = level + 1 == levels ? i : start + merged;
      double mass = 0;
      unsigned nonEmpty = 0;
      for (unsigned j = start; j < stop; ++j) {
        mass += abs[j];
        nonEmpty += abs[j] != 0;
      }
      for (unsigned j = start; j < stop && nonEmpty; ++j)
        if (abs[j] != 0)
          q[j] = mass / nonEmpty;
    }
    for (unsigned j = i; j < bins; ++j)
      q[i - 1] += abs[j];
    double kl = klDivergence(p, q);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  double threshold = absMax * best / bins;
  return withZero(std::max(h.min, -threshold), std::min(h.max, threshold));
}

Range mlir::quantx::estimateMse(const HistogramView &h, unsigned bits) {
  double absMax = std::max(std::abs(h.min), std::abs(h.max));
  if (absMax == 0 || h.max <= h.min)
    return estimateMinMax(h);
  double width = binWidth(h);
  double levels = std::ldexp(1.0, bits) - 1;
  constexpr int kCandidates = 1024;
  Range best = estimateMinMax(h);
  double bestError = std::numeric_limits<double>::infinity();
  for (int k = 1; k <= kCandidates; ++k) {
    double threshold = absMax * k / kCandidates;
    Range range =
        withZero(std::max(h.min, -threshold), std::min(h.max, threshold));
    double step = (range.max - range.min) / levels;
    double error = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      if (!h.counts[i])
        continue;
      double x = h.min + (i + 0.5) * width, e;
      if (x < range.min)
        e = (range.min - x) * (range.min - x);
      else if (x > range.max)
        e = (x - range.max) * (x - range.max);
      else
        e = step * step / 12;
      error += h.counts[i] * e;
    }
    if (error < bestError) {
      bestError = error;
      best = range;
    }
  }
  return best;
}

/// OCTAV's noise coefficient c: the rounding noise of a value inside the
/// clipping range is c s^2 (a grid of 2^bits - 1 steps over [-s, s], or
/// over [0, s] when the data is never negative).
static double getOctavNoiseCoefficient(const HistogramView &h, unsigned bits) {
  double steps = std::ldexp(1.0, bits) - 1;
  double span = h.min >= 0 ? 1.0 : 2.0;
  return (span / steps) * (span / steps) / 12.0;
}

double mlir::quantx::getClippedQuantizationError(const HistogramView &h,
                                                 double s, unsigned bits) {
  double c = getOctavNoiseCoefficient(h, bits), width = binWidth(h);
  double error = 0, total = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    double x = std::abs(h.min + (i + 0.5) * width), n = double(h.counts[i]);
    error += n * (x <= s ? c * s * s : (x - s) * (x - s));
    total += n;
  }
  return total > 0 ? error / total : 0.0;
}

Range mlir::quantx::estimateOctav(const HistogramView &h, unsigned bits,
                                  int *iterations) {
  double absMax = std::max(std::abs(h.min), std::abs(h.max));
  if (iterations)
    *iterations = 0;
  if (absMax == 0 || h.max <= h.min)
    return estimateMinMax(h);
  double c = getOctavNoiseCoefficient(h, bits), width = binWidth(h);
  // From E|x|, which always leaves a tail to weigh (from max|x| the first
  // step would see none).
  double s = estimateMeanMagnitude(h);
  if (!(s > 0))
    return estimateMinMax(h);
  for (int step = 1; step <= 100; ++step) {
    // E[|x|; |x| > s], P(|x| <= s), P(|x| > s) at the bin centres.
    double tailSum = 0, inside = 0, outside = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      double x = std::abs(h.min + (i + 0.5) * width), n = double(h.counts[i]);
      if (x > s) {
        tailSum += n * x;
        outside += n;
      } else {
        inside += n;
      }
    }
    double next = tailSum / (c * inside + outside);
    if (iterations)
      *iterations = step;
    // No count beyond s (the whole range kept) ends it, as does a fixed
    // point.
    if (!(next > 0) || !std::isfinite(next)) {
      s = s > 0 ? s : absMax;
      break;
    }
    bool converged = std::abs(next - s) <= 1e-6 * s;
    s = std::min(next, absMax);
    if (converged)
      break;
  }
  return withZero(std::max(h.min, -s), std::min(h.max, s));
}

AffineParams mlir::quantx::getAffineParams(Range range, unsigned bits) {
  double qmin = -std::ldexp(1.0, bits - 1),
         qmax = std::ldexp(1.0, bits - 1) - 1;
  Range r = withZero(range.min, range.max);
  if (!(r.max - r.min > std::numeric_limits<float>::min()))
    return {1.0, 0}; // an all-zero tensor: any scale is exact
  double scale = (r.max - r.min) / (qmax - qmin);
  double zeroPoint =
      std::clamp(std::nearbyint(qmin - r.min / scale), qmin, qmax);
  return {scale, int64_t(zeroPoint)};
}

double mlir::quantx::estimateMeanMagnitude(const HistogramView &histogram) {
  int64_t bins = histogram.counts.size(), total = 0;
  double width =
      (histogram.max - histogram.min) / double(std::max<int64_t>(bins, 1));
  double sum = 0;
  for (auto [i, count] : llvm::enumerate(histogram.counts)) {
    sum += double(count) * std::abs(histogram.min + (double(i) + 0.5) * width);
    total += count;
  }
  return total ? sum / double(total) : 0.0;
}
