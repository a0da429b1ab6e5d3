//===- AdaRound.cpp - learned weight rounding (AdaRound) ------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/AdaRound.h"

#include "llvm/Support/Parallel.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>

using namespace mlir::quantx;

using Matrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// The gradient's product in single precision: it is most of the time
// (a rows x cols x cols product per step), and an optimizer's step needs no
// more.
using FloatMatrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Array =
    Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The rectified sigmoid's stretch (the paper's zeta and gamma): h reaches
// 0 and 1 at finite V, so the regularizer can make it exact.
static constexpr double kZeta = 1.1, kGamma = -0.1;

namespace {
/// The two integers around each weight: round-to-nearest chooses one, the
/// optimization either.
struct Neighbours {
  Array lower, upper;
  /// Where between them the weight lies, in [0, 1].
  Array fraction;
};
} // namespace

static Neighbours getNeighbours(const GptqProblem &p) {
  Neighbours n;
  n.lower.resize(p.rows, p.cols);
  n.upper.resize(p.rows, p.cols);
  n.fraction.resize(p.rows, p.cols);
  double maxInteger = double(p.maxInteger);
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t c = 0; c < p.cols; ++c) {
      size_t i = size_t(r * p.cols + c);
      double x = p.weights[i] / p.steps[i], lo, hi;
      if (p.levels.empty()) {
        x = std::clamp(x, -maxInteger, maxInteger);
        lo = std::min(std::floor(x), maxInteger - 1);
        hi = lo + 1;
      } else {
        // The last level at or below x (the first if none), and the next.
        auto above = std::upper_bound(p.levels.begin(), p.levels.end(), x);
        size_t k = above == p.levels.begin()
                       ? 0
                       : size_t(above - p.levels.begin()) - 1;
        k = std::min(k, p.levels.size() >= 2 ? p.levels.size() - 2 : 0);
        lo = double(p.levels[k]);
        hi = double(p.levels[std::min(k + 1, p.levels.size() - 1)]);
        x = std::clamp(x, lo, hi);
      }
      n.lower(r, c) = lo;
      n.upper(r, c) = hi;
      n.fraction(r, c) = hi > lo ? (x - lo) / (hi - lo) : 0.0;
    }
  return n;
}

namespace {
/// Rows [begin, end) of the problem as one independent optimization: the
/// rows share only H.
struct RowBlock {
  Array target, steps, lower, spread, v;
  Eigen::VectorXd normalizer;
};
} // namespace

/// Runs Adam on `block.v` for `options.iterations` steps.
static void optimizeRows(RowBlock &block, const FloatMatrix &hessian,
                         const AdaRoundOptions &options) {
  int64_t rows = block.v.rows(), cols = block.v.cols();
  Array m = Array::Zero(rows, cols), s = Array::Zero(rows, cols);
  const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  int64_t warmup = int64_t(options.warmup * double(options.iterations));
  // One buffer each for the whole optimization: allocating a layer's worth
  // per step costs more than the arithmetic.
  Array sigmoid(rows, cols);
  FloatMatrix delta(rows, cols), gradient(rows, cols);
  for (int64_t t = 0; t < options.iterations; ++t) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        double sig = 1 / (1 + std::exp(-block.v(r, c)));
        sigmoid(r, c) = sig;
        double h = std::clamp(sig * (kZeta - kGamma) + kGamma, 0.0, 1.0);
        delta(r, c) = float(block.steps(r, c) * block.lower(r, c) +
                            block.spread(r, c) * h - block.target(r, c));
      }
    // d/dW~ of the error: 2 (W~ - W) H, per row.
    gradient.noalias() = delta * hessian;
    bool regularize = t >= warmup;
    double beta = options.betaStart;
    if (regularize)
      beta += (options.betaEnd - options.betaStart) * double(t - warmup) /
              double(std::max<int64_t>(options.iterations - warmup, 1));
    double weight = options.regularization / double(cols) * 2 * beta;
    double c1 = 1 - std::pow(beta1, double(t + 1));
    double c2 = 1 - std::pow(beta2, double(t + 1));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        double sig = sigmoid(r, c);
        double stretched = sig * (kZeta - kGamma) + kGamma;
        // No gradient where the clip saturates.
        double dv = 0;
        if (stretched > 0 && stretched < 1) {
          double dh = 2 * double(gradient(r, c)) * block.normalizer(r) *
                      block.spread(r, c);
          if (regularize) {
            // d/dh of 1 - |2h - 1|^beta, averaged over the row's weights.
            double centered = 2 * stretched - 1;
            dh -= weight * std::pow(std::abs(centered), beta - 1) *
                  (centered > 0   ? 1.0
                   : centered < 0 ? -1.0
                                  : 0.0);
          }
          dv = dh * (kZeta - kGamma) * sig * (1 - sig);
        }
        double &mean = m(r, c), &square = s(r, c);
        mean = beta1 * mean + (1 - beta1) * dv;
        square = beta2 * square + (1 - beta2) * dv * dv;
        block.v(r, c) -= options.learningRate * (mean / c1) /
                         (std::sqrt(square / c2) + epsilon);
      }
  }
}

std::optional<std::vector<int64_t>> mlir::quantx::roundWithAdaRound(
    const GptqProblem &p, const AdaRoundOptions &options, std::string &error) {
  if (!checkRoundingProblem(p, "AdaRound", error))
    return std::nullopt;
  if (options.iterations < 0) {
    error = "AdaRound needs a non-negative number of iterations";
    return std::nullopt;
  }
  int64_t rows = p.rows, cols = p.cols;
  size_t size = size_t(rows) * size_t(cols);
  Matrix hessian = Eigen::Map<const Matrix>(p.hessian.data(), cols, cols);
  Array target = Eigen::Map<const Matrix>(p.weights.data(), rows, cols).array();
  Array steps = Eigen::Map<const Matrix>(p.steps.data(), rows, cols).array();
  Neighbours n = getNeighbours(p);
  // d(weight)/dh: the distance between the two choices.
  Array spread = steps * (n.upper - n.lower);
  // Each row's error is normalized by its size if every weight were a
  // whole spread off, so that one `regularization` fits every layer.
  Eigen::VectorXd diagonal = hessian.diagonal().cwiseMax(0.0);
  Eigen::VectorXd normalizer =
      (spread.square().matrix() * diagonal).cwiseMax(1e-300).cwiseInverse();
  // V such that the rectified sigmoid starts at the discarded fraction.
  Array h0 = ((n.fraction - kGamma) / (kZeta - kGamma))
                 .cwiseMax(1e-4)
                 .cwiseMin(1 - 1e-4);
  Array v = (h0 / (1 - h0)).log();

  // Blocks of a fixed number of rows, so that the arithmetic (and the
  // integers chosen) do not depend on how many threads run them.
  constexpr int64_t kBlockRows = 64;
  int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  FloatMatrix singleHessian = hessian.cast<float>();
  llvm::parallelFor(0, size_t(blocks), [&](size_t k) {
    int64_t begin = int64_t(k) * kBlockRows;
    int64_t count = std::min(kBlockRows, rows - begin);
    RowBlock block{
        target.middleRows(begin, count),  steps.middleRows(begin, count),
        n.lower.middleRows(begin, count), spread.middleRows(begin, count),
        v.middleRows(begin, count),       normalizer.segment(begin, count)};
    optimizeRows(block, singleHessian, options);
    v.middleRows(begin, count) = block.v;
  });
  std::vector<int64_t> integers(size);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      // Hard rounding: h >= 1/2 where V >= 0.
      double q = v(r, c) >= 0 ? n.upper(r, c) : n.lower(r, c);
      integers[size_t(r * cols + c)] = int64_t(q);
    }
  return integers;
}
