//===- AdaRoundTest.cpp - AdaRound rounding -------------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/Transforms/AdaRound.h"

#include "RandomLayer.h"
#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::quantx;
using namespace mlir::quantx::testing;

TEST(AdaRound, ReducesOutputErrorBelowRoundToNearest) {
  for (int bits : {2, 3, 4})
    for (unsigned seed = 0; seed < 4; ++seed) {
      RandomLayer layer = makeLayer(12, 32, bits, 200 + seed, /*dead=*/1);
      std::string error;
      auto q =
          roundWithAdaRound(getProblem(layer, bits), AdaRoundOptions(), error);
      ASSERT_TRUE(q) << error;
      double adaRound = outputError(layer, *q);
      double nearest = outputError(layer, roundToNearest(layer, bits));
      EXPECT_LT(adaRound, 0.9 * nearest) << bits << " bits, seed " << seed;
      // Only the grid points around each weight, inside the range.
      int64_t maxInt = (1 << (bits - 1)) - 1;
      for (size_t i = 0; i < q->size(); ++i) {
        double x = layer.weights[i] / layer.steps[i];
        EXPECT_LE(std::abs(double((*q)[i]) - x), 1.0 + 1e-9) << i;
        EXPECT_LE(std::abs((*q)[i]), maxInt);
      }
    }
}

TEST(AdaRound, IsDeterministic) {
  RandomLayer layer = makeLayer(6, 20, 3, 5);
  std::string error;
  auto a = roundWithAdaRound(getProblem(layer, 3), AdaRoundOptions(), error);
  auto b = roundWithAdaRound(getProblem(layer, 3), AdaRoundOptions(), error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_EQ(*a, *b);
}

TEST(AdaRound, UncorrelatedInputsRoundToNearest) {
  // With H diagonal no weight's error can be compensated by another: the
  // optimum of each is its nearest grid point.
  RandomLayer layer = makeLayer(8, 16, 4, 3);
  std::fill(layer.hessian.begin(), layer.hessian.end(), 0.0);
  for (int64_t i = 0; i < 16; ++i)
    layer.hessian[i * 16 + i] = 1.0 + double(i);
  std::string error;
  auto q = roundWithAdaRound(getProblem(layer, 4), AdaRoundOptions(), error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(*q, roundToNearest(layer, 4));
}

TEST(AdaRound, ChoosesBetweenNeighbouringLevels) {
  std::vector<int64_t> levels = {-64, -32, -16, -8, -4, -2, -1, 0,
                                 1,   2,   4,   8,  16, 32, 64};
  RandomLayer layer = makeLayer(8, 24, 8, 43);
  for (double &step : layer.steps)
    step *= 127.0 / 64.0;
  GptqProblem problem = getProblem(layer, 8);
  problem.levels = levels;
  std::string error;
  auto q = roundWithAdaRound(problem, AdaRoundOptions(), error);
  ASSERT_TRUE(q) << error;
  for (size_t i = 0; i < q->size(); ++i) {
    double x = std::clamp(layer.weights[i] / layer.steps[i], -64.0, 64.0);
    auto it = std::find(levels.begin(), levels.end(), (*q)[i]);
    ASSERT_NE(it, levels.end()) << (*q)[i];
    // x lies between the level chosen and one of its neighbours.
    size_t k = size_t(it - levels.begin());
    double below = double(levels[k == 0 ? 0 : k - 1]);
    double above = double(levels[std::min(k + 1, levels.size() - 1)]);
    EXPECT_TRUE(x >= below - 1e-9 && x <= above + 1e-9)
        << x << " -> " << (*q)[i];
  }
}

TEST(AdaRound, RejectsMalformedProblems) {
  RandomLayer layer = makeLayer(4, 8, 4, 1);
  GptqProblem p = getProblem(layer, 4);
  std::string error;
  p.cols = 7;
  EXPECT_FALSE(roundWithAdaRound(p, AdaRoundOptions(), error));
  EXPECT_EQ(error, "malformed AdaRound problem");
  p = getProblem(layer, 4);
  std::vector<double> hessian(layer.hessian);
  hessian[2] = NAN;
  p.hessian = hessian;
  EXPECT_FALSE(roundWithAdaRound(p, AdaRoundOptions(), error));
  EXPECT_EQ(error, "the input Hessian is not finite");
}
