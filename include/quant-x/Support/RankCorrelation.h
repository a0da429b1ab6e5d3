//===- RankCorrelation.h - Spearman's rank correlation ----------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// How well one quantity orders another: the mixed-precision assignment
// checks with it that summed per-layer sensitivities rank joint
// assignments as their measured output errors do.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_SUPPORT_RANKCORRELATION_H
#define QUANTX_SUPPORT_RANKCORRELATION_H

#include "llvm/ADT/ArrayRef.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace quantx {

/// The Spearman rank correlation of the pairs: Pearson's correlation of
/// their ranks, tied values taking the average of their ranks; 0 when
/// either side is constant (or there are fewer than two pairs).
inline double getSpearmanRho(llvm::ArrayRef<std::pair<double, double>> pairs) {
  size_t n = pairs.size();
  auto ranks = [&](auto key) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return key(a) < key(b); });
    std::vector<double> rank(n);
    for (size_t i = 0; i < n;) {
      size_t j = i;
      while (j + 1 < n && key(order[j + 1]) == key(order[i]))
        ++j;
      for (size_t k = i; k <= j; ++k)
        rank[order[k]] = (double(i) + double(j)) / 2;
      i = j + 1;
    }
    return rank;
  };
  std::vector<double> x = ranks([&](size_t i) { return pairs[i].first; });
  std::vector<double> y = ranks([&](size_t i) { return pairs[i].second; });
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

} // namespace quantx

#endif // QUANTX_SUPPORT_RANKCORRELATION_H
