//===- RandomLayer.h - random layers for the rounding tests -----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Layers with correlated inputs for the GPTQ and AdaRound tests: weights,
// per-row steps of symmetric quantization, the input Hessian, and the
// output error and round-to-nearest integers to compare against.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_UNITTESTS_TRANSFORMS_RANDOMLAYER_H
#define QUANTX_UNITTESTS_TRANSFORMS_RANDOMLAYER_H

#include "quant-x/Dialect/QuantX/Transforms/Gptq.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace mlir::quantx::testing {

struct RandomLayer {
  int64_t rows, cols;
  std::vector<double> weights, steps, hessian;
};

/// A layer whose inputs are correlated (x = A z) with a few dead inputs,
/// its steps those of symmetric `bits`-bit per-row quantization.
inline RandomLayer makeLayer(int64_t rows, int64_t cols, int bits,
                             unsigned seed, int64_t deadInputs = 0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  RandomLayer layer{rows, cols, {}, {}, {}};
  for (int64_t i = 0; i < rows * cols; ++i)
    layer.weights.push_back(normal(rng));
  int64_t maxInt = (1 << (bits - 1)) - 1;
  for (int64_t r = 0; r < rows; ++r) {
    double maxAbs = 0;
    for (int64_t c = 0; c < cols; ++c)
      maxAbs = std::max(maxAbs, std::abs(layer.weights[r * cols + c]));
    for (int64_t c = 0; c < cols; ++c)
      layer.steps.push_back(maxAbs / double(maxInt));
  }
  std::vector<double> mix(cols * cols);
  for (double &m : mix)
    m = normal(rng);
  layer.hessian.assign(cols * cols, 0.0);
  const int samples = 4 * int(cols);
  std::vector<double> z(cols), x(cols);
  for (int s = 0; s < samples; ++s) {
    for (double &v : z)
      v = normal(rng);
    for (int64_t i = 0; i < cols; ++i) {
      x[i] = 0;
      if (i < deadInputs)
        continue;
      for (int64_t k = 0; k < cols; ++k)
        x[i] += mix[i * cols + k] * z[k];
    }
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < cols; ++j)
        layer.hessian[i * cols + j] += x[i] * x[j] / samples;
  }
  return layer;
}

inline GptqProblem getProblem(const RandomLayer &layer, int bits) {
  GptqProblem p;
  p.rows = layer.rows;
  p.cols = layer.cols;
  p.weights = layer.weights;
  p.steps = layer.steps;
  p.hessian = layer.hessian;
  p.maxInteger = (1 << (bits - 1)) - 1;
  return p;
}

inline double outputError(const RandomLayer &layer,
                          const std::vector<int64_t> &q) {
  int64_t n = layer.cols;
  double total = 0;
  for (int64_t r = 0; r < layer.rows; ++r)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double di = double(q[r * n + i]) * layer.steps[r * n + i] -
                    layer.weights[r * n + i];
        double dj = double(q[r * n + j]) * layer.steps[r * n + j] -
                    layer.weights[r * n + j];
        total += di * layer.hessian[i * n + j] * dj;
      }
  return total;
}

inline std::vector<int64_t> roundToNearest(const RandomLayer &layer, int bits) {
  double maxInt = double((1 << (bits - 1)) - 1);
  std::vector<int64_t> q;
  for (size_t i = 0; i < layer.weights.size(); ++i)
    q.push_back(int64_t(std::clamp(
        std::nearbyint(layer.weights[i] / layer.steps[i]), -maxInt, maxInt)));
  return q;
}
} // namespace mlir::quantx::testing

#endif // QUANTX_UNITTESTS_TRANSFORMS_RANDOMLAYER_H
