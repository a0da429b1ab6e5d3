//===- GptqTest.cpp - GPTQ rounding against its definition ----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/Gptq.h"

#include "RandomLayer.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace mlir::quantx;
using namespace mlir::quantx::testing;

namespace {
/// Row-major square matrix helpers for the reference.
using Square = std::vector<double>;

/// Gauss-Jordan inverse with partial pivoting.
Square invert(Square a, int64_t n) {
  Square inv(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    inv[i * n + i] = 1;
  for (int64_t col = 0; col < n; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < n; ++r)
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col]))
        pivot = r;
    for (int64_t k = 0; k < n; ++k) {
      std::swap(a[col * n + k], a[pivot * n + k]);
      std::swap(inv[col * n + k], inv[pivot * n + k]);
    }
    double p = a[col * n + col];
    for (int64_t k = 0; k < n; ++k) {
      a[col * n + k] /= p;
      inv[col * n + k] /= p;
    }
    for (int64_t r = 0; r < n; ++r) {
      if (r == col)
        continue;
      double f = a[r * n + col];
      for (int64_t k = 0; k < n; ++k) {
        a[r * n + k] -= f * a[col * n + k];
        inv[r * n + k] -= f * inv[col * n + k];
      }
    }
  }
  return inv;
}

/// GPTQ as Optimal Brain Quantization states it, one column at a time in
/// `order`: quantize the column, move the columns not yet quantized by
/// -(w_i - q_i) / [H^-1]_ii [H^-1]_{i,:}, then remove column i from H^-1
/// by Gaussian elimination. The Cholesky form computes the same.
std::vector<int64_t> referenceGptq(const GptqProblem &p,
                                   const GptqOptions &options) {
  int64_t n = p.cols;
  Square h(p.hessian.begin(), p.hessian.end());
  for (int64_t i = 0; i < n; ++i)
    if (h[i * n + i] <= 0) {
      for (int64_t k = 0; k < n; ++k)
        h[i * n + k] = h[k * n + i] = 0;
      h[i * n + i] = 1;
    }
  double mean = 0;
  for (int64_t i = 0; i < n; ++i)
    mean += h[i * n + i] / double(n);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (options.actOrder)
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return h[a * n + a] != h[b * n + b] ? h[a * n + a] > h[b * n + b] : a < b;
    });
  for (int64_t i = 0; i < n; ++i)
    h[i * n + i] += options.dampening * mean;
  Square hinv = invert(h, n);
  std::vector<double> w(p.weights.begin(), p.weights.end());
  std::vector<int64_t> q(p.rows * n);
  for (int64_t step = 0; step < n; ++step) {
    int64_t i = order[step];
    for (int64_t r = 0; r < p.rows; ++r) {
      double s = p.steps[r * n + i];
      double x = w[r * n + i] / s;
      double v = std::clamp(std::nearbyint(x), -double(p.maxInteger),
                            double(p.maxInteger));
      // Restricted levels: the nearest one, the lower on a tie.
      if (!p.levels.empty()) {
        v = double(p.levels[0]);
        for (int64_t level : p.levels)
          if (std::abs(x - double(level)) < std::abs(x - v))
            v = double(level);
      }
      q[r * n + i] = int64_t(v);
      double err = (w[r * n + i] - v * s) / hinv[i * n + i];
      for (int64_t later = step + 1; later < n; ++later) {
        int64_t j = order[later];
        w[r * n + j] -= err * hinv[i * n + j];
      }
    }
    double pivot = hinv[i * n + i];
    Square next = hinv;
    for (int64_t a = 0; a < n; ++a)
      for (int64_t b = 0; b < n; ++b)
        next[a * n + b] -= hinv[a * n + i] * hinv[i * n + b] / pivot;
    hinv = next;
  }
  return q;
}

} // namespace

TEST(Gptq, MatchesOptimalBrainQuantizationForm) {
  for (int bits : {2, 3, 4, 8})
    for (bool actOrder : {false, true}) {
      RandomLayer layer = makeLayer(12, 24, bits, 7 + bits, /*dead=*/2);
      GptqOptions options;
      options.actOrder = actOrder;
      std::string error;
      auto q = roundWithGptq(getProblem(layer, bits), options, error);
      ASSERT_TRUE(q) << error;
      EXPECT_EQ(*q, referenceGptq(getProblem(layer, bits), options))
          << bits << " bits, act-order " << actOrder;
    }
}

TEST(Gptq, RoundsToGivenLevels) {
  // Power-of-two levels at 4 bits: steps put each row's largest weight on
  // 64.
  std::vector<int64_t> levels = {-64, -32, -16, -8, -4, -2, -1, 0,
                                 1,   2,   4,   8,  16, 32, 64};
  RandomLayer layer = makeLayer(10, 32, 8, 41);
  for (double &step : layer.steps)
    step *= 127.0 / 64.0;
  GptqProblem problem = getProblem(layer, 8);
  problem.levels = levels;
  std::string error;
  auto q = roundWithGptq(problem, GptqOptions(), error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(*q, referenceGptq(problem, GptqOptions()));
  for (int64_t v : *q)
    EXPECT_TRUE(std::count(levels.begin(), levels.end(), v)) << v;
  // Nearest levels, for comparison.
  std::vector<int64_t> nearest;
  for (size_t i = 0; i < layer.weights.size(); ++i) {
    double x = layer.weights[i] / layer.steps[i];
    int64_t best = levels[0];
    for (int64_t level : levels)
      if (std::abs(x - double(level)) < std::abs(x - double(best)))
        best = level;
    nearest.push_back(best);
  }
  EXPECT_LT(outputError(layer, *q), outputError(layer, nearest));
  // Levels out of order are a malformed problem.
  std::vector<int64_t> unsorted = {1, 0};
  problem.levels = unsorted;
  EXPECT_FALSE(roundWithGptq(problem, GptqOptions(), error));
}

TEST(Gptq, ReducesOutputErrorBelowRoundToNearest) {
  for (int bits : {2, 3, 4})
    for (unsigned seed = 0; seed < 5; ++seed) {
      RandomLayer layer = makeLayer(16, 48, bits, 100 + seed);
      std::string error;
      auto q = roundWithGptq(getProblem(layer, bits), GptqOptions(), error);
      ASSERT_TRUE(q) << error;
      double gptq = outputError(layer, *q);
      double nearest = outputError(layer, roundToNearest(layer, bits));
      EXPECT_LT(gptq, nearest) << bits << " bits, seed " << seed;
      for (int64_t v : *q)
        EXPECT_LE(std::abs(v), (1 << (bits - 1)) - 1);
    }
}

TEST(Gptq, OutputErrorIsTheTraceOfItsDefinition) {
  RandomLayer layer = makeLayer(6, 10, 3, 11);
  std::vector<int64_t> q = roundToNearest(layer, 3);
  std::vector<double> delta(q.size());
  for (size_t i = 0; i < q.size(); ++i)
    delta[i] = double(q[i]) * layer.steps[i] - layer.weights[i];
  double want = outputError(layer, q);
  EXPECT_NEAR(getOutputError(delta, layer.hessian, 6, 10), want,
              1e-12 * std::abs(want));
}

TEST(Gptq, IdentityHessianWithoutActOrderIsRoundToNearest) {
  // With uncorrelated unit inputs no column's error can be compensated by
  // another: GPTQ rounds to nearest (up to dampening, which keeps H
  // diagonal).
  RandomLayer layer = makeLayer(8, 16, 4, 3);
  std::fill(layer.hessian.begin(), layer.hessian.end(), 0.0);
  for (int64_t i = 0; i < 16; ++i)
    layer.hessian[i * 16 + i] = 1;
  GptqOptions options;
  options.actOrder = false;
  std::string error;
  auto q = roundWithGptq(getProblem(layer, 4), options, error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(*q, roundToNearest(layer, 4));
}

TEST(Gptq, RejectsMalformedProblems) {
  RandomLayer layer = makeLayer(4, 8, 4, 1);
  GptqProblem p = getProblem(layer, 4);
  std::string error;
  p.cols = 7;
  EXPECT_FALSE(roundWithGptq(p, GptqOptions(), error));
  EXPECT_EQ(error, "malformed GPTQ problem");
  p = getProblem(layer, 4);
  std::vector<double> steps(layer.steps);
  steps[3] = 0;
  p.steps = steps;
  EXPECT_FALSE(roundWithGptq(p, GptqOptions(), error));
  EXPECT_EQ(error, "a weight's grid step is not positive");
  p = getProblem(layer, 4);
  std::vector<double> hessian(layer.hessian);
  hessian[5] = NAN;
  p.hessian = hessian;
  EXPECT_FALSE(roundWithGptq(p, GptqOptions(), error));
  EXPECT_EQ(error, "the input Hessian is not finite");
}

namespace {
/// Samples of a layer's quantized-model inputs x and float-model inputs
/// x_f = x + noise correlated with x, with their moments.
struct PairedInputs {
  int64_t cols = 0;
  std::vector<std::vector<double>> quantized, reference;
  std::vector<double> hessian, cross;
};

PairedInputs makePairedInputs(int64_t cols, int64_t samples, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  PairedInputs p;
  p.cols = cols;
  p.hessian.assign(cols * cols, 0.0);
  p.cross.assign(cols * cols, 0.0);
  for (int64_t s = 0; s < samples; ++s) {
    std::vector<double> x(cols), xf(cols);
    for (int64_t i = 0; i < cols; ++i)
      x[i] = normal(rng) + (i % 3 == 0 ? 1.0 : 0.0);
    for (int64_t i = 0; i < cols; ++i)
      xf[i] = 1.1 * x[i] - 0.2 * x[(i + 1) % cols] + 0.1 * normal(rng);
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        p.hessian[i * cols + j] += x[i] * x[j] / double(samples);
        p.cross[i * cols + j] += x[i] * xf[j] / double(samples);
      }
    p.quantized.push_back(x);
    p.reference.push_back(xf);
  }
  return p;
}

/// E|V x - W x_f|^2 over the samples, V and W `rows` x `cols`.
double getModelError(const PairedInputs &p, const std::vector<double> &v,
                     const std::vector<double> &w, int64_t rows) {
  double sum = 0;
  for (size_t s = 0; s < p.quantized.size(); ++s)
    for (int64_t r = 0; r < rows; ++r) {
      double e = 0;
      for (int64_t c = 0; c < p.cols; ++c)
        e += v[r * p.cols + c] * p.quantized[s][c] -
             w[r * p.cols + c] * p.reference[s][c];
      sum += e * e;
    }
  return sum / double(p.quantized.size());
}
} // namespace

TEST(FloatModelTarget, IsTheLeastSquaresSolutionOfItsDefinition) {
  // V* = W E[x_f x^T] (H + lambda I)^-1, written out with the reference
  // inverse; with little dampening no V moved along any axis does better.
  int64_t rows = 5, cols = 9;
  PairedInputs p = makePairedInputs(cols, 400, 21);
  std::mt19937 rng(22);
  std::normal_distribution<double> normal;
  std::vector<double> w(rows * cols);
  for (double &v : w)
    v = normal(rng);
  double dampening = 1e-9;
  std::string error;
  auto target =
      getFloatModelTarget(w, p.hessian, p.cross, rows, cols, dampening, error);
  ASSERT_TRUE(target) << error;
  Square damped = p.hessian;
  double mean = 0;
  for (int64_t i = 0; i < cols; ++i)
    mean += p.hessian[i * cols + i] / double(cols);
  for (int64_t i = 0; i < cols; ++i)
    damped[i * cols + i] += dampening * mean;
  Square inverse = invert(damped, cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      double want = 0;
      for (int64_t k = 0; k < cols; ++k)
        for (int64_t j = 0; j < cols; ++j)
          // W_rk E[x_f,k x_j] [H^-1]_jc; E[x_f,k x_j] = cross[j][k].
          want +=
              w[r * cols + k] * p.cross[j * cols + k] * inverse[j * cols + c];
      EXPECT_NEAR((*target)[r * cols + c], want, 1e-9 * (1 + std::abs(want)));
    }
  double best = getModelError(p, *target, w, rows);
  EXPECT_LT(best, getModelError(p, w, w, rows));
  for (int64_t i = 0; i < rows * cols; ++i)
    for (double d : {-1e-3, 1e-3}) {
      std::vector<double> moved = *target;
      moved[i] += d;
      EXPECT_GT(getModelError(p, moved, w, rows), best);
    }
}

TEST(FloatModelTarget, IsTheWeightsWhenTheInputsAgree) {
  int64_t rows = 3, cols = 6;
  PairedInputs p = makePairedInputs(cols, 50, 5);
  p.cross = p.hessian;
  // An input that is always 0 in both models.
  for (int64_t j = 0; j < cols; ++j)
    p.hessian[2 * cols + j] = p.hessian[j * cols + 2] = p.cross[2 * cols + j] =
        p.cross[j * cols + 2] = 0;
  std::vector<double> w(rows * cols);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.1 * double(i) - 0.5;
  std::string error;
  auto target =
      getFloatModelTarget(w, p.hessian, p.cross, rows, cols, 0.01, error);
  ASSERT_TRUE(target) << error;
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR((*target)[i], w[i], 1e-12);
}

TEST(FloatModelTarget, RejectsMalformedProblems) {
  int64_t rows = 2, cols = 4;
  PairedInputs p = makePairedInputs(cols, 20, 9);
  std::vector<double> w(rows * cols, 0.5);
  std::string error;
  EXPECT_FALSE(
      getFloatModelTarget(w, p.hessian, p.cross, rows, cols + 1, 0.01, error));
  EXPECT_EQ(error, "malformed float-model target problem");
  p.cross[3] = INFINITY;
  EXPECT_FALSE(
      getFloatModelTarget(w, p.hessian, p.cross, rows, cols, 0.01, error));
  EXPECT_EQ(error, "the input moments are not finite");
}
