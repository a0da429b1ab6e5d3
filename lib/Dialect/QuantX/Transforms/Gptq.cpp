//===- Gptq.cpp - second-order weight rounding (GPTQ) ---------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/Gptq.h"
#include "quant-x/Dialect/QuantX/Transforms/Codebooks.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir::quantx;

using Matrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Inputs that never carry a value (H_ii = 0) do not constrain the
/// rounding: a unit diagonal keeps H invertible without coupling them.
static void decoupleDeadInputs(Matrix &hessian) {
  for (int64_t i = 0, e = hessian.rows(); i < e; ++i)
    if (hessian(i, i) <= 0) {
      hessian.row(i).setZero();
      hessian.col(i).setZero();
      hessian(i, i) = 1;
    }
}

bool mlir::quantx::checkRoundingProblem(const GptqProblem &problem,
                                        llvm::StringRef method,
                                        std::string &error) {
  int64_t rows = problem.rows, cols = problem.cols;
  size_t size = size_t(rows) * size_t(cols);
  if (rows <= 0 || cols <= 0 || problem.weights.size() != size ||
      problem.steps.size() != size ||
      problem.hessian.size() != size_t(cols) * size_t(cols) ||
      problem.maxInteger < 1 ||
      !std::is_sorted(problem.levels.begin(), problem.levels.end())) {
    error = "malformed " + method.str() + " problem";
    return false;
  }
  for (double step : problem.steps)
    if (!(step > 0) || !std::isfinite(step)) {
      error = "a weight's grid step is not positive";
      return false;
    }
  for (double h : problem.hessian)
    if (!std::isfinite(h)) {
      error = "the input Hessian is not finite";
      return false;
    }
  return true;
}

std::optional<std::vector<int64_t>>
mlir::quantx::roundWithGptq(const GptqProblem &problem,
                            const GptqOptions &options, std::string &error) {
  if (!checkRoundingProblem(problem, "GPTQ", error))
    return std::nullopt;
  int64_t rows = problem.rows, cols = problem.cols;
  size_t size = size_t(rows) * size_t(cols);
  Matrix hessian = Eigen::Map<const Matrix>(problem.hessian.data(), cols, cols);
  decoupleDeadInputs(hessian);
  std::vector<int64_t> order(cols);
  std::iota(order.begin(), order.end(), 0);
  if (options.actOrder)
    // Ties keep input order (std::stable_sort's buffer is deprecated).
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return hessian(a, a) != hessian(b, b) ? hessian(a, a) > hessian(b, b)
                                            : a < b;
    });
  Matrix permuted(cols, cols);
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = 0; j < cols; ++j)
      permuted(i, j) = hessian(order[i], order[j]);

  // U, the upper Cholesky factor of H^-1: row i holds how the error of
  // column i spreads to the columns after it (the OBS update, all of it
  // at once).
  double meanDiagonal = permuted.diagonal().mean();
  Matrix upper;
  double damp = options.dampening;
  for (int attempt = 0;; ++attempt) {
    Matrix damped = permuted;
    damped.diagonal().array() += damp * meanDiagonal;
    Eigen::LLT<Matrix> llt(damped);
    if (llt.info() == Eigen::Success) {
      Matrix inverse = llt.solve(Matrix::Identity(cols, cols));
      inverse = (inverse + inverse.transpose()) / 2;
      Eigen::LLT<Matrix> inverseLlt(inverse);
      if (inverseLlt.info() == Eigen::Success) {
        upper = inverseLlt.matrixU();
        break;
      }
    }
    if (attempt == 3) {
      error = "the input Hessian is not positive definite even with "
              "dampening " +
              std::to_string(damp);
      return std::nullopt;
    }
    damp *= 10;
  }

  Matrix weights(rows, cols), steps(rows, cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < cols; ++i) {
      weights(r, i) = problem.weights[r * cols + order[i]];
      steps(r, i) = problem.steps[r * cols + order[i]];
    }
  std::vector<int64_t> integers(size);
  double maxInteger = double(problem.maxInteger);
  Eigen::VectorXd scaledError(rows);
  for (int64_t i = 0; i < cols; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      double w = weights(r, i), step = steps(r, i);
      double q =
          problem.levels.empty()
              ? std::clamp(std::nearbyint(w / step), -maxInteger, maxInteger)
              : double(getNearestLevel(w / step, problem.levels));
      integers[r * cols + order[i]] = int64_t(q);
      scaledError(r) = (w - q * step) / upper(i, i);
    }
    int64_t rest = cols - i - 1;
    if (rest > 0)
      weights.rightCols(rest).noalias() -=
          scaledError * upper.row(i).tail(rest);
  }
  return integers;
}

std::optional<std::vector<double>> mlir::quantx::getFloatModelTarget(
    llvm::ArrayRef<double> weights, llvm::ArrayRef<double> hessian,
    llvm::ArrayRef<double> cross, int64_t rows, int64_t cols, double dampening,
    std::string &error) {
  size_t square = size_t(cols) * size_t(cols);
  if (rows <= 0 || cols <= 0 || weights.size() != size_t(rows) * size_t(cols) ||
      hessian.size() != square || cross.size() != square) {
    error = "malformed float-model target problem";
    return std::nullopt;
  }
  Matrix h = Eigen::Map<const Matrix>(hessian.data(), cols, cols);
  Eigen::Map<const Matrix> c(cross.data(), cols, cols);
  if (!h.allFinite() || !c.allFinite()) {
    error = "the input moments are not finite";
    return std::nullopt;
  }
  // E[x_f x^T] - H: how the float model's inputs differ from the quantized
  // ones, seen through the quantized ones (nothing through a dead one).
  Matrix difference = c.transpose() - h;
  for (int64_t i = 0; i < cols; ++i)
    if (h(i, i) <= 0)
      difference.col(i).setZero();
  decoupleDeadInputs(h);
  h.diagonal().array() += dampening * h.diagonal().mean();
  Eigen::LLT<Matrix> llt(h);
  if (llt.info() != Eigen::Success) {
    error = "the input Hessian is not positive definite with dampening " +
            std::to_string(dampening);
    return std::nullopt;
  }
  // V* = W + W D H^-1 = W + (H^-1 D^T W^T)^T (H symmetric).
  Eigen::Map<const Matrix> w(weights.data(), rows, cols);
  Matrix target =
      w + (llt.solve(difference.transpose() * w.transpose())).transpose();
  if (!target.allFinite()) {
    error = "the float-model target is not finite";
    return std::nullopt;
  }
  return std::vector<double>(target.data(), target.data() + target.size());
}

double mlir::quantx::getOutputError(llvm::ArrayRef<double> delta,
                                    llvm::ArrayRef<double> hessian,
                                    int64_t rows, int64_t cols) {
  Eigen::Map<const Matrix> d(delta.data(), rows, cols);
  Eigen::Map<const Matrix> h(hessian.data(), cols, cols);
  return (d * h).cwiseProduct(d).sum();
}
