//===- PrecisionSolver.h - exact mixed-precision assignment -----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The choice of one precision per layer that minimizes the sum of the
// layers' sensitivities under budgets on weight bytes, BOPs and latency: a
// multiple-choice knapsack with several budgets, solved to proven
// optimality as a 0-1 integer program by COIN-OR CBC. Layers that share a
// tie must take the same precision string; they are solved as one group
// whose options are the precisions all of its layers offer.
//
// `quantx-assign-precision` builds a Problem from measured sensitivities
// and costs; `quant-solve-precision` (and `python3 -m quantx
// solve-precision`) reads one from JSON (docs/Passes.md gives the format).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_SOLVER_PRECISIONSOLVER_H
#define QUANTX_SOLVER_PRECISIONSOLVER_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace quantx::solver {

/// The budgeted costs, in the order of kCostNames.
enum Cost { WeightBytes, Bops, LatencyMs, kNumCosts };
/// The JSON keys of the costs (an option's and the budget's).
inline constexpr const char *kCostNames[kNumCosts] = {"weight_bytes", "bops",
                                                      "latency_ms"};

struct Option {
  std::string precision;
  double sensitivity = 0;
  /// Missing costs are 0 (a budget on them is then met by any choice).
  std::array<double, kNumCosts> costs = {};
};

struct Layer {
  std::string name;
  /// Layers with the same non-empty tie take the same precision.
  std::string tie;
  std::vector<Option> options;
};

struct Problem {
  std::vector<Layer> layers;
  std::array<std::optional<double>, kNumCosts> budget;
};

/// Reads and validates a problem: errors name the offending field (as
/// `layers[2].options[0].bops`).
llvm::Expected<Problem> parseProblem(const llvm::json::Value &json);
llvm::json::Value toJSON(const Problem &problem);

struct Solution {
  enum class Status { Optimal, Infeasible };
  Status status = Status::Infeasible;
  /// The sum of the chosen options' sensitivities.
  double objective = 0;
  /// Per layer, in the problem's order: the index of its chosen option.
  std::vector<size_t> choice;
  std::array<double, kNumCosts> totals = {};
  /// Infeasible: the budget that cannot be met and the smallest value it
  /// could take with the other budgets as given (nullopt: none, because
  /// the other budgets cannot be met either, or the layers of a tie share
  /// no precision).
  std::optional<Cost> violated;
  std::optional<double> smallestFeasible;
  /// Why, in words, when infeasible.
  std::string reason;
};

/// The proven optimum of `problem`, or why there is none. Fails only where
/// the solver itself does (an error, not an infeasible problem).
llvm::Expected<Solution> solve(const Problem &problem);

/// The smallest and largest total of `cost` over all assignments (ties
/// honoured, no budget): the range a fractional budget spans.
llvm::Expected<std::pair<double, double>> getCostRange(const Problem &problem,
                                                       Cost cost);

/// {"status", "objective", "choice": {layer: precision}, "totals"}, or
/// {"status": "infeasible", "budget", "smallest_feasible", "reason"}.
llvm::json::Value toJSON(const Problem &problem, const Solution &solution);

} // namespace quantx::solver

#endif // QUANTX_SOLVER_PRECISIONSOLVER_H
