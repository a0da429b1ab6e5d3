//===- RangeEstimatorsTest.cpp - calibration ranges on known distributions ===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/RangeEstimators.h"
#include "quant-x/Support/RankCorrelation.h"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using namespace mlir::quantx;

namespace {
/// Counts of `bins` equal bins over [lo, hi] for a distribution with the
/// given CDF, scaled to about 10^9 samples (exact, no sampling noise).
std::vector<int64_t> histogramOf(double lo, double hi, int bins,
                                 double (*cdf)(double)) {
  std::vector<int64_t> counts(bins);
  double width = (hi - lo) / bins;
  for (int i = 0; i < bins; ++i)
    counts[i] =
        std::llround(1e9 * (cdf(lo + (i + 1) * width) - cdf(lo + i * width)));
  return counts;
}

double laplaceCdf(double x) { // b = 1
  return x < 0 ? 0.5 * std::exp(x) : 1 - 0.5 * std::exp(-x);
}
double gaussianCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double uniformCdf(double x) { return std::clamp(x, 0.0, 1.0); }

TEST(RangeEstimators, MinMaxHoldsZero) {
  std::vector<int64_t> counts = {1, 1};
  Range r = estimateMinMax({0.5, 2.0, counts});
  EXPECT_EQ(r.min, 0.0);
  EXPECT_EQ(r.max, 2.0);
  r = estimateMinMax({-3.0, -1.0, counts});
  EXPECT_EQ(r.min, -3.0);
  EXPECT_EQ(r.max, 0.0);
}

// E|x| of the sign activations' scale: 1 for Laplace(b = 1), sqrt(2 / pi)
// for the standard Gaussian (bin centres: within a bin width).
TEST(RangeEstimators, MeanMagnitude) {
  std::vector<int64_t> laplace = histogramOf(-30, 30, 2048, laplaceCdf);
  EXPECT_NEAR(estimateMeanMagnitude({-30, 30, laplace}), 1.0, 1e-3);
  std::vector<int64_t> gauss = histogramOf(-8, 8, 2048, gaussianCdf);
  EXPECT_NEAR(estimateMeanMagnitude({-8, 8, gauss}), std::sqrt(2 / M_PI), 1e-3);
  std::vector<int64_t> none(16, 0);
  EXPECT_EQ(estimateMeanMagnitude({-1, 1, none}), 0.0);
}

TEST(RangeEstimators, PercentileOfUniform) {
  std::vector<int64_t> counts = histogramOf(0, 1, 1000, uniformCdf);
  Range r = estimatePercentile({0, 1, counts}, 99.0);
  EXPECT_EQ(r.min, 0.0);
  EXPECT_NEAR(r.max, 0.99, 1e-6);
  // Symmetric data: both tails.
  std::vector<int64_t> gaussian = histogramOf(-8, 8, 2048, gaussianCdf);
  r = estimatePercentile({-8, 8, gaussian}, 99.0);
  EXPECT_NEAR(r.max, 2.326, 0.01); // the 99th percentile of N(0, 1)
  EXPECT_NEAR(r.min, -2.326, 0.01);
}

TEST(RangeEstimators, MseOfLaplaceClipsNear9_89b) {
  // Banner et al.: for Laplace(b) and 8 bits the MSE-optimal clip is about
  // 9.89 b (rounding noise (2T)^2 / (12 * 256^2) against clipping 2 b^2
  // e^(-T/b)).
  std::vector<int64_t> counts = histogramOf(-20, 20, 2048, laplaceCdf);
  Range r = estimateMse({-20, 20, counts});
  EXPECT_NEAR(r.max, 9.89, 0.2);
  EXPECT_NEAR(r.min, -9.89, 0.2);
}

TEST(RangeEstimators, MseKeepsNarrowUniformRange) {
  // Clipping a uniform distribution only loses: the whole range is best.
  std::vector<int64_t> counts = histogramOf(0, 1, 2048, uniformCdf);
  Range r = estimateMse({0, 1, counts});
  EXPECT_NEAR(r.max, 1.0, 0.01);
}

TEST(RangeEstimators, EntropyOfGaussian) {
  // TensorRT-style KL on N(0, 1) with 128 levels over |x| clips in the
  // tail, well inside the observed range and beyond 2.5 sigma.
  std::vector<int64_t> counts = histogramOf(-8, 8, 2048, gaussianCdf);
  Range r = estimateEntropy({-8, 8, counts});
  EXPECT_GT(r.max, 2.5);
  EXPECT_LT(r.max, 6.0);
  EXPECT_DOUBLE_EQ(r.min, -r.max);
}

TEST(RangeEstimators, EntropyKeepsUniformRange) {
  std::vector<int64_t> counts = histogramOf(0, 1, 2048, uniformCdf);
  Range r = estimateEntropy({0, 1, counts});
  EXPECT_GT(r.max, 0.95);
}

/// The s of `histogram` minimizing getClippedQuantizationError, on a grid
/// of 20000 thresholds over (0, max|x|].
double bruteForceClip(const HistogramView &h, unsigned bits) {
  double absMax = std::max(std::abs(h.min), std::abs(h.max)), best = absMax;
  double bestError = INFINITY;
  for (int k = 1; k <= 20000; ++k) {
    double s = absMax * k / 20000;
    double error = getClippedQuantizationError(h, s, bits);
    if (error < bestError) {
      bestError = error;
      best = s;
    }
  }
  return best;
}

TEST(RangeEstimators, OctavConvergesToTheMseOptimum) {
  // Laplace and Gaussian, signed and one-sided (|x|), at 8 and 4 bits:
  // the recursion lands on the brute-force minimum of the same error
  // (it drops a term c s^2 f(s) of the derivative, tiny next to the rest).
  struct Case {
    double lo, hi;
    double (*cdf)(double);
  };
  for (Case c : {Case{-20, 20, laplaceCdf}, Case{-8, 8, gaussianCdf},
                 Case{0, 20, laplaceCdf}, Case{0, 8, gaussianCdf}})
    for (unsigned bits : {8u, 4u}) {
      std::vector<int64_t> counts = histogramOf(c.lo, c.hi, 2048, c.cdf);
      HistogramView h{c.lo, c.hi, counts};
      int iterations = 0;
      Range r = estimateOctav(h, bits, &iterations);
      double s = r.max;
      double best = bruteForceClip(h, bits);
      EXPECT_NEAR(s, best, 0.01 * best) << c.lo << " " << bits << " bits";
      EXPECT_LE(getClippedQuantizationError(h, s, bits),
                1.001 * getClippedQuantizationError(h, best, bits));
      EXPECT_LT(iterations, 100);
      if (c.lo < 0)
        EXPECT_DOUBLE_EQ(r.min, -r.max);
      else
        EXPECT_EQ(r.min, 0);
    }
}

TEST(RangeEstimators, OctavOfLaplaceMatchesTheLiterature) {
  // For Laplace(b), signed, 8 bits, the MSE-optimal clip is about 9.89 b
  // (Banner et al.), as estimateMse finds too.
  std::vector<int64_t> counts = histogramOf(-20, 20, 2048, laplaceCdf);
  Range r = estimateOctav({-20, 20, counts});
  EXPECT_NEAR(r.max, 9.89, 0.2);
}

TEST(RangeEstimators, OctavKeepsNarrowUniformRange) {
  std::vector<int64_t> counts = histogramOf(0, 1, 2048, uniformCdf);
  Range r = estimateOctav({0, 1, counts});
  EXPECT_NEAR(r.max, 1.0, 0.01);
}

TEST(RangeEstimators, AffineParams) {
  AffineParams p = getAffineParams({-1, 3});
  EXPECT_DOUBLE_EQ(p.scale, 4.0 / 255);
  EXPECT_EQ(p.zeroPoint, -64);
  p = getAffineParams({0, 2.55});
  EXPECT_EQ(p.zeroPoint, -128);
  p = getAffineParams({0, 0}); // an all-zero tensor
  EXPECT_EQ(p.scale, 1.0);
  EXPECT_EQ(p.zeroPoint, 0);
}
} // namespace

TEST(RankCorrelationTest, SpearmanRho) {
  using Pairs = std::vector<std::pair<double, double>>;
  // Any increasing relation is 1, any decreasing one -1.
  EXPECT_DOUBLE_EQ(quantx::getSpearmanRho(Pairs{{1, 2}, {2, 40}, {3, 41}}),
                   1.0);
  EXPECT_DOUBLE_EQ(quantx::getSpearmanRho(Pairs{{1, 9}, {5, 3}, {7, -1}}),
                   -1.0);
  // Ties take average ranks: x ranks (0.5, 0.5, 2), y (0, 1, 2); by
  // Pearson's formula on them, rho = 1.5 / sqrt(1.5 * 2).
  EXPECT_NEAR(quantx::getSpearmanRho(Pairs{{1, 1}, {1, 2}, {2, 3}}),
              1.5 / std::sqrt(3.0), 1e-12);
  // Constant sides and too few pairs have no correlation.
  EXPECT_EQ(quantx::getSpearmanRho(Pairs{{1, 1}, {1, 2}}), 0.0);
  EXPECT_EQ(quantx::getSpearmanRho(Pairs{{1, 1}}), 0.0);
  EXPECT_EQ(quantx::getSpearmanRho(Pairs{}), 0.0);
}
