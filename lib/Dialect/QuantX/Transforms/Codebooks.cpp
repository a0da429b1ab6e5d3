//===- Codebooks.cpp - non-uniform weight levels: codebooks, pow2 ---------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/Codebooks.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::quantx;

int64_t mlir::quantx::getNearestLevel(double x,
                                      llvm::ArrayRef<int64_t> sortedLevels) {
  const int64_t *above = std::lower_bound(
      sortedLevels.begin(), sortedLevels.end(), x,
      [](int64_t level, double v) { return double(level) < v; });
  if (above == sortedLevels.begin())
    return *above;
  if (above == sortedLevels.end())
    return sortedLevels.back();
  int64_t below = *(above - 1);
  return x - double(below) <= double(*above) - x ? below : *above;
}

std::vector<int64_t> mlir::quantx::getPow2Table(int64_t bits) {
  int64_t half = int64_t(1) << (bits - 1);
  std::vector<int64_t> table(2 * half);
  for (int64_t code = 0; code < half; ++code) {
    table[code] = code == 0 ? 0 : int64_t(1) << (code - 1);
    table[code + half] = -table[code];
  }
  return table;
}

std::vector<int64_t>
mlir::quantx::getSortedLevels(llvm::ArrayRef<int64_t> table) {
  std::vector<int64_t> levels(table.begin(), table.end());
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  return levels;
}

std::vector<int64_t> mlir::quantx::learnCodebook(llvm::ArrayRef<double> values,
                                                 int64_t entries,
                                                 int64_t maxInteger) {
  // The histogram of x over bins a fraction of an integer wide (about a
  // thousand in all): count, sum and sum of squares per bin. Clusters are
  // runs of bins, so the finer the bins the closer the partition's optimum
  // to the true one.
  int64_t perInteger = std::max<int64_t>(1, 1024 / (2 * maxInteger + 1));
  int64_t bins = (2 * maxInteger + 1) * perInteger;
  std::vector<double> count(bins, 0), sum(bins, 0), squares(bins, 0);
  for (double x : values) {
    double clamped = std::clamp(x, -double(maxInteger), double(maxInteger));
    int64_t bin = std::clamp<int64_t>(
        int64_t(std::floor((clamped + double(maxInteger) + 0.5) *
                           double(perInteger))),
        0, bins - 1);
    count[bin] += 1;
    sum[bin] += clamped;
    squares[bin] += clamped * clamped;
  }
  // Prefix sums over the occupied bins only: an empty bin never changes a
  // cluster's cost.
  int64_t m = 0;
  std::vector<double> n{0}, s1{0}, s2{0};
  for (int64_t bin = 0; bin < bins; ++bin) {
    if (count[bin] == 0)
      continue;
    ++m;
    n.push_back(n.back() + count[bin]);
    s1.push_back(s1.back() + sum[bin]);
    s2.push_back(s2.back() + squares[bin]);
  }
  if (m == 0)
    return {0};
  auto centroid = [&](int64_t first, int64_t last) {
    double mean = (s1[last + 1] - s1[first]) / (n[last + 1] - n[first]);
    return int64_t(std::clamp(std::nearbyint(mean), -double(maxInteger),
                              double(maxInteger)));
  };
  // Squared error of the occupied bins first..last around their integer
  // centroid c: S2 - 2 c S1 + c^2 N.
  auto cost = [&](int64_t first, int64_t last) {
    double c = double(centroid(first, last));
    double count = n[last + 1] - n[first];
    double linear = s1[last + 1] - s1[first];
    double quadratic = s2[last + 1] - s2[first];
    return std::max(0.0, quadratic - 2 * c * linear + c * c * count);
  };
  int64_t k = std::min<int64_t>(entries, m);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // best[c][j]: the least error of c + 1 clusters over occupied 0..j;
  // start[c][j]: where the last of them starts.
  std::vector<std::vector<double>> best(k, std::vector<double>(m, kInf));
  std::vector<std::vector<int64_t>> start(k, std::vector<int64_t>(m, 0));
  for (int64_t j = 0; j < m; ++j)
    best[0][j] = cost(0, j);
  for (int64_t c = 1; c < k; ++c)
    for (int64_t j = c; j < m; ++j)
      for (int64_t i = c; i <= j; ++i) {
        double total = best[c - 1][i - 1] + cost(i, j);
        if (total < best[c][j]) {
          best[c][j] = total;
          start[c][j] = i;
        }
      }
  std::vector<int64_t> codebook;
  for (int64_t c = k - 1, last = m - 1; c >= 0; --c) {
    int64_t first = c == 0 ? 0 : start[c][last];
    codebook.push_back(centroid(first, last));
    last = first - 1;
  }
  codebook = getSortedLevels(codebook);
  // Lloyd's iterations from there: the clusters' edges may then fall
  // inside an integer. Neither step raises the error (each value goes to
  // its nearest entry; each entry moves to the integer nearest its
  // cluster's mean), so the result is never worse than the partition's.
  std::vector<double> clusterSum, clusterCount;
  for (int iteration = 0; iteration < 32; ++iteration) {
    clusterSum.assign(codebook.size(), 0);
    clusterCount.assign(codebook.size(), 0);
    for (double x : values) {
      double clamped = std::clamp(x, -double(maxInteger), double(maxInteger));
      int64_t level = getNearestLevel(clamped, codebook);
      size_t index = std::lower_bound(codebook.begin(), codebook.end(), level) -
                     codebook.begin();
      clusterSum[index] += clamped;
      clusterCount[index] += 1;
    }
    std::vector<int64_t> next;
    for (size_t i = 0; i < codebook.size(); ++i)
      if (clusterCount[i] > 0)
        next.push_back(
            int64_t(std::clamp(std::nearbyint(clusterSum[i] / clusterCount[i]),
                               -double(maxInteger), double(maxInteger))));
    next = getSortedLevels(next);
    if (next == codebook)
      break;
    codebook = std::move(next);
  }
  return codebook;
}
