//===- CodebooksTest.cpp - codebook learning and pow2 tables --------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/Codebooks.h"

#include "gtest/gtest.h"

#include <cmath>
#include <functional>
#include <random>

using namespace mlir::quantx;

namespace {
/// Squared error of `values` each on its nearest entry of `levels`.
double nearestError(const std::vector<double> &values,
                    const std::vector<int64_t> &levels) {
  double total = 0;
  for (double x : values) {
    double best = INFINITY;
    for (int64_t level : levels)
      best = std::min(best, (x - double(level)) * (x - double(level)));
    total += best;
  }
  return total;
}

/// The least squared error over every codebook of at most `entries`
/// integers in [-range, range], by enumeration.
double bruteForceError(const std::vector<double> &values, int64_t entries,
                       int64_t range) {
  double best = INFINITY;
  std::vector<int64_t> chosen;
  std::function<void(int64_t)> choose = [&](int64_t next) {
    if (!chosen.empty())
      best = std::min(best, nearestError(values, chosen));
    if (int64_t(chosen.size()) == entries)
      return;
    for (int64_t v = next; v <= range; ++v) {
      chosen.push_back(v);
      choose(v + 1);
      chosen.pop_back();
    }
  };
  choose(-range);
  return best;
}
} // namespace

TEST(Codebooks, LearnedCodebookIsOptimalOnIntegerData) {
  // Integer data: each integer's values are one point, so the codebook of
  // whole-integer clusters is the optimum over all integer codebooks.
  std::mt19937 rng(5);
  for (int64_t entries : {1, 2, 3, 4}) {
    std::binomial_distribution<int> draw(12, 0.35);
    std::vector<double> values;
    for (int i = 0; i < 60; ++i)
      values.push_back(double(draw(rng) - 6));
    std::vector<int64_t> codebook = learnCodebook(values, entries, 6);
    ASSERT_LE(int64_t(codebook.size()), entries);
    EXPECT_TRUE(std::is_sorted(codebook.begin(), codebook.end()));
    EXPECT_DOUBLE_EQ(nearestError(values, codebook),
                     bruteForceError(values, entries, 6))
        << entries << " entries";
  }
}

TEST(Codebooks, LearnedCodebookIsNearOptimalOnRealData) {
  // Real data: clusters end at whole integers, so the optimum over all
  // integer codebooks may be slightly better, never worse than uniform.
  std::mt19937 rng(9);
  std::normal_distribution<double> normal(0, 2.2);
  std::vector<double> values;
  for (int i = 0; i < 200; ++i)
    values.push_back(std::clamp(normal(rng), -7.0, 7.0));
  std::vector<int64_t> codebook = learnCodebook(values, 4, 7);
  double learned = nearestError(values, codebook);
  double optimum = bruteForceError(values, 4, 7);
  EXPECT_GE(learned, optimum - 1e-9);
  EXPECT_LE(learned, 1.02 * optimum);
  EXPECT_LT(learned, nearestError(values, {-6, -2, 2, 6}));
}

TEST(Codebooks, FewOccupiedIntegersAndNoValues) {
  EXPECT_EQ(learnCodebook({3.2, 3.1, -5.0}, 16), (std::vector<int64_t>{-5, 3}));
  EXPECT_EQ(learnCodebook({}, 16), (std::vector<int64_t>{0}));
  // Values beyond the range clip to it.
  EXPECT_EQ(learnCodebook({500.0, -500.0}, 4),
            (std::vector<int64_t>{-127, 127}));
}

TEST(Codebooks, PowerOfTwoTables) {
  EXPECT_EQ(getPow2Table(4),
            (std::vector<int64_t>{0, 1, 2, 4, 8, 16, 32, 64, 0, -1, -2, -4, -8,
                                  -16, -32, -64}));
  EXPECT_EQ(getPow2Table(3), (std::vector<int64_t>{0, 1, 2, 4, 0, -1, -2, -4}));
  EXPECT_EQ(getPow2Table(2), (std::vector<int64_t>{0, 1, 0, -1}));
  EXPECT_EQ(getSortedLevels(getPow2Table(2)), (std::vector<int64_t>{-1, 0, 1}));
}

TEST(Codebooks, NearestLevel) {
  std::vector<int64_t> levels = {-8, -1, 0, 2, 64};
  EXPECT_EQ(getNearestLevel(-100, levels), -8);
  EXPECT_EQ(getNearestLevel(100, levels), 64);
  EXPECT_EQ(getNearestLevel(1.0, levels), 0); // a tie: the lower
  EXPECT_EQ(getNearestLevel(1.01, levels), 2);
  EXPECT_EQ(getNearestLevel(-4.5, levels), -8); // a tie: the lower
  EXPECT_EQ(getNearestLevel(-4.4, levels), -1);
  EXPECT_EQ(getNearestLevel(33.0, levels), 2);
  EXPECT_EQ(getNearestLevel(33.5, levels), 64);
}
