//===- PrecisionSolverTest.cpp - the solver against brute force -----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Random problems of up to 16 groups (ties included) with one to three
// budgets: the solver's objective must equal the brute-force optimum, its
// choice must meet the budgets and honour the ties, and it must call a
// problem infeasible exactly when brute force finds no assignment, naming a
// budget whose smallest feasible value brute force confirms.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Solver/PrecisionSolver.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace quantx::solver;

namespace {
const char *const kPrecisions[] = {"w8a8", "w4a8", "w4a8-g32", "w2a8"};

/// A random problem: `groups` groups of 1-3 layers (ties past one layer),
/// each layer offering 2-4 precisions of decreasing size and BOPs.
Problem randomProblem(std::mt19937 &rng, int groups, int budgets) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Problem problem;
  for (int g = 0; g < groups; ++g) {
    int layers = 1 + int(rng() % 3);
    int options = 2 + int(rng() % 3);
    for (int l = 0; l < layers; ++l) {
      Layer layer;
      layer.name = "g" + std::to_string(g) + "l" + std::to_string(l);
      if (layers > 1)
        layer.tie = "t" + std::to_string(g);
      double bytes = 1000 + std::floor(unit(rng) * 100000);
      for (int o = 0; o < options; ++o) {
        Option option;
        option.precision = kPrecisions[o];
        option.sensitivity = o == 0 ? unit(rng) * 1e-3 : unit(rng) * o;
        option.costs[WeightBytes] = std::floor(bytes / (1 << o));
        option.costs[Bops] = bytes * 64 / (1 << o) * (1 + unit(rng));
        option.costs[LatencyMs] = 0.01 + unit(rng);
        layer.options.push_back(option);
      }
      problem.layers.push_back(std::move(layer));
    }
  }
  // Budgets between the cheapest and the dearest assignment (sometimes
  // below the cheapest: infeasible).
  for (int c = 0; c < budgets; ++c) {
    auto range = getCostRange(problem, Cost(c));
    EXPECT_TRUE(bool(range));
    double f = unit(rng) * 1.1 - 0.1;
    problem.budget[c] = range->first + f * (range->second - range->first);
  }
  return problem;
}

struct BruteForce {
  bool feasible = false;
  double best = INFINITY;
  /// Per cost, the smallest total of any assignment meeting the other
  /// budgets.
  std::array<double, kNumCosts> smallest = {INFINITY, INFINITY, INFINITY};
};

/// Every assignment of the tie groups' common precisions (the generator
/// gives each tie's layers the same precisions).
BruteForce bruteForce(const Problem &problem) {
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> groupOfTie;
  for (size_t i = 0; i < problem.layers.size(); ++i) {
    const std::string &tie = problem.layers[i].tie;
    if (!tie.empty() && groupOfTie.count(tie)) {
      groups[groupOfTie[tie]].push_back(i);
      continue;
    }
    if (!tie.empty())
      groupOfTie[tie] = groups.size();
    groups.push_back({i});
  }
  BruteForce result;
  std::vector<size_t> pick(groups.size(), 0);
  while (true) {
    double sensitivity = 0;
    std::array<double, kNumCosts> totals = {};
    for (size_t g = 0; g < groups.size(); ++g)
      for (size_t layer : groups[g]) {
        const Option &o = problem.layers[layer].options[pick[g]];
        sensitivity += o.sensitivity;
        for (int c = 0; c < kNumCosts; ++c)
          totals[c] += o.costs[c];
      }
    auto meets = [&](int c) {
      return !problem.budget[c] || totals[c] <= *problem.budget[c];
    };
    bool all = meets(0) && meets(1) && meets(2);
    if (all) {
      result.feasible = true;
      result.best = std::min(result.best, sensitivity);
    }
    for (int c = 0; c < kNumCosts; ++c) {
      bool others = true;
      for (int d = 0; d < kNumCosts; ++d)
        others &= d == c || meets(d);
      if (others)
        result.smallest[c] = std::min(result.smallest[c], totals[c]);
    }
    size_t g = 0;
    for (; g < groups.size(); ++g) {
      if (++pick[g] < problem.layers[groups[g][0]].options.size())
        break;
      pick[g] = 0;
    }
    if (g == groups.size())
      break;
  }
  return result;
}

TEST(PrecisionSolverTest, MatchesBruteForce) {
  std::mt19937 rng(7);
  int optimal = 0, infeasible = 0;
  for (int trial = 0; trial < 300; ++trial) {
    int groups = 1 + int(rng() % (trial < 250 ? 8 : 16));
    // Brute force over up to 4^16 assignments is too slow: big instances
    // get two options per group (2^16).
    Problem problem = randomProblem(rng, groups, 1 + trial % 3);
    if (groups > 8)
      for (Layer &layer : problem.layers)
        layer.options.resize(2);
    SCOPED_TRACE("trial " + std::to_string(trial));
    BruteForce expected = bruteForce(problem);
    llvm::Expected<Solution> solution = solve(problem);
    ASSERT_TRUE(bool(solution)) << llvm::toString(solution.takeError());
    if (!expected.feasible) {
      ++infeasible;
      ASSERT_EQ(solution->status, Solution::Status::Infeasible);
      if (solution->violated) {
        Cost c = *solution->violated;
        EXPECT_GT(*solution->smallestFeasible, *problem.budget[c]);
        EXPECT_NEAR(*solution->smallestFeasible, expected.smallest[c],
                    1e-9 * expected.smallest[c]);
      }
      continue;
    }
    ++optimal;
    ASSERT_EQ(solution->status, Solution::Status::Optimal) << solution->reason;
    EXPECT_NEAR(solution->objective, expected.best,
                1e-9 * std::max(1.0, expected.best));
    std::map<std::string, std::string> tieChoice;
    std::array<double, kNumCosts> totals = {};
    double objective = 0;
    for (size_t i = 0; i < problem.layers.size(); ++i) {
      const Layer &layer = problem.layers[i];
      const Option &option = layer.options[solution->choice[i]];
      objective += option.sensitivity;
      for (int c = 0; c < kNumCosts; ++c)
        totals[c] += option.costs[c];
      if (!layer.tie.empty()) {
        auto [it, inserted] =
            tieChoice.try_emplace(layer.tie, option.precision);
        EXPECT_EQ(it->second, option.precision) << "tie " << layer.tie;
      }
    }
    EXPECT_NEAR(objective, solution->objective, 1e-9);
    for (int c = 0; c < kNumCosts; ++c) {
      EXPECT_DOUBLE_EQ(totals[c], solution->totals[c]);
      if (problem.budget[c])
        EXPECT_LE(totals[c], *problem.budget[c] * (1 + 1e-9)) << kCostNames[c];
    }
  }
  // The generator must exercise both outcomes.
  EXPECT_GT(optimal, 100);
  EXPECT_GT(infeasible, 10);
}

TEST(PrecisionSolverTest, TiesWithoutCommonPrecision) {
  Problem problem;
  problem.layers = {{"a", "t", {{"w8a8", 0, {}}, {"w4a8", 1, {}}}},
                    {"b", "t", {{"w2a8", 0, {}}}}};
  llvm::Expected<Solution> solution = solve(problem);
  ASSERT_TRUE(bool(solution));
  EXPECT_EQ(solution->status, Solution::Status::Infeasible);
  EXPECT_EQ(solution->reason,
            "the layers of tie 't' (a, b) offer no precision in common");
}

TEST(PrecisionSolverTest, ParseErrorsNameTheField) {
  auto error = [](llvm::StringRef text) {
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
    EXPECT_TRUE(bool(json));
    llvm::Expected<Problem> problem = parseProblem(*json);
    return problem ? std::string("parsed")
                   : llvm::toString(problem.takeError());
  };
  EXPECT_EQ(error(R"({"layers": []})"), "layers must be a non-empty array");
  EXPECT_EQ(error(R"({"layers": [{"options": [{"precision": "a",
            "sensitivity": 1}]}]})"),
            "layers[0].name is missing");
  EXPECT_EQ(error(R"({"layers": [{"name": "x", "options": [{"precision":
            "a"}]}]})"),
            "layers[0].options[0].sensitivity is missing");
  EXPECT_EQ(error(R"({"layers": [{"name": "x", "options": [{"precision":
            "a", "sensitivity": 1, "bops": -2}]}]})"),
            "layers[0].options[0].bops must not be negative, got -2");
  EXPECT_EQ(error(R"({"layers": [{"name": "x", "options": [{"precision":
            "a", "sensitivity": 1}]}], "budget": {"size": 3}})"),
            "budget has an unknown key 'size'");
  EXPECT_EQ(error(R"({"layers": [{"name": "x", "options": [{"precision":
            "a", "sensitivity": 1}, {"precision": "a", "sensitivity": 2}]}]})"),
            "layers[0].options[1].precision 'a' is offered twice by this "
            "layer");
  EXPECT_EQ(error(R"({"layers": [{"name": "x", "options": [{"precision":
            "a", "sensitivity": 1}]}, {"name": "x", "options": [{"precision":
            "a", "sensitivity": 1}]}]})"),
            "layers[1].name 'x' names an earlier layer too");
  EXPECT_EQ(error(R"({"layers": [{"name": "x", "options": [{"precision":
            "a", "sensitivity": "high"}]}]})"),
            "layers[0].options[0].sensitivity must be a finite number");
  EXPECT_EQ(error(R"([1, 2])"), "the problem must be a JSON object");
}
} // namespace
