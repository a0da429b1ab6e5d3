//===- PrecisionSolver.cpp - exact mixed-precision assignment -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One 0-1 column per (group, precision), one equality row per group, one row
// per budget, scaled so that every budget reads 1; CBC with no optimality
// gap. The chosen solution is checked against the budgets again in the
// original units before it is returned.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Solver/PrecisionSolver.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <coin/Cbc_C_Interface.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

using namespace quantx::solver;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

namespace {
/// `value` as C's %.10g: integers without decimals, others to 10 digits.
std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.10g", value);
  return text;
}

/// Reads fields of one JSON object, naming each by its path in errors, and
/// rejects keys it was not asked for.
class FieldReader {
public:
  FieldReader(const Value &value, std::string path)
      : object(value.getAsObject()), path(std::move(path)) {}

  llvm::Error checkIsObject() const {
    if (object)
      return llvm::Error::success();
    return error(path + " must be an object");
  }

  /// Reads the finite number >= 0 at `key` into `out`; a missing key is
  /// an error unless `optional` (then `out` stays as it is).
  llvm::Error readNumber(llvm::StringRef key, bool optional,
                         std::optional<double> &out) {
    const Value *value = find(key);
    if (!value)
      return optional ? llvm::Error::success()
                      : error(field(key) + " is missing");
    std::optional<double> number = value->getAsNumber();
    if (!number || !std::isfinite(*number))
      return error(field(key) + " must be a finite number");
    if (*number < 0)
      return error(field(key) + " must not be negative, got " +
                   formatNumber(*number));
    out = number;
    return llvm::Error::success();
  }

  /// Reads the non-empty string at `key` into `out`, as readNumber.
  llvm::Error readString(llvm::StringRef key, bool optional, std::string &out) {
    const Value *value = find(key);
    if (!value)
      return optional ? llvm::Error::success()
                      : error(field(key) + " is missing");
    std::optional<llvm::StringRef> text = value->getAsString();
    if (!text || text->empty())
      return error(field(key) + " must be a non-empty string");
    out = text->str();
    return llvm::Error::success();
  }

  llvm::Expected<const Array *> array(llvm::StringRef key) {
    const Value *value = find(key);
    if (!value)
      return error(field(key) + " is missing");
    const Array *items = value->getAsArray();
    if (!items || items->empty())
      return error(field(key) + " must be a non-empty array");
    return items;
  }

  /// The value at `key` (null when missing), marked as read.
  const Value *find(llvm::StringRef key) {
    seen.insert(key);
    return object->get(key);
  }

  /// Fails on the first key no read asked for.
  llvm::Error checkNoUnknownKeys() const {
    std::vector<std::string> keys;
    for (const auto &entry : *object)
      if (!seen.contains(entry.first.str()))
        keys.push_back(entry.first.str());
    if (keys.empty())
      return llvm::Error::success();
    std::sort(keys.begin(), keys.end());
    return error(
        llvm::formatv("{0} has an unknown key '{1}'", path, keys[0]).str());
  }

  std::string field(llvm::StringRef key) const {
    return path.empty() ? key.str() : path + "." + key.str();
  }

  static llvm::Error error(const std::string &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }

private:
  const Object *object;
  std::string path;
  llvm::StringSet<> seen;
};
} // namespace

/// One option of a layer (`path`: its place, for errors).
static llvm::Expected<Option> parseOption(const Value &json,
                                          const std::string &path) {
  FieldReader reader(json, path);
  if (llvm::Error error = reader.checkIsObject())
    return std::move(error);
  Option option;
  std::optional<double> sensitivity;
  if (llvm::Error error =
          reader.readString("precision", /*optional=*/false, option.precision))
    return std::move(error);
  if (llvm::Error error =
          reader.readNumber("sensitivity", /*optional=*/false, sensitivity))
    return std::move(error);
  option.sensitivity = *sensitivity;
  for (int c = 0; c < kNumCosts; ++c) {
    std::optional<double> cost;
    if (llvm::Error error =
            reader.readNumber(kCostNames[c], /*optional=*/true, cost))
      return std::move(error);
    option.costs[c] = cost.value_or(0.0);
  }
  if (llvm::Error error = reader.checkNoUnknownKeys())
    return std::move(error);
  return option;
}

/// One layer (`path`: its place, for errors).
static llvm::Expected<Layer> parseLayer(const Value &json,
                                        const std::string &path) {
  FieldReader reader(json, path);
  if (llvm::Error error = reader.checkIsObject())
    return std::move(error);
  Layer layer;
  if (llvm::Error error =
          reader.readString("name", /*optional=*/false, layer.name))
    return std::move(error);
  if (llvm::Error error =
          reader.readString("tie", /*optional=*/true, layer.tie))
    return std::move(error);
  llvm::Expected<const Array *> options = reader.array("options");
  if (!options)
    return options.takeError();
  llvm::StringSet<> precisions;
  for (size_t j = 0; j < (*options)->size(); ++j) {
    std::string optionPath = llvm::formatv("{0}.options[{1}]", path, j).str();
    llvm::Expected<Option> option = parseOption((**options)[j], optionPath);
    if (!option)
      return option.takeError();
    if (!precisions.insert(option->precision).second)
      return FieldReader::error(optionPath + ".precision '" +
                                option->precision +
                                "' is offered twice by this layer");
    layer.options.push_back(std::move(*option));
  }
  if (llvm::Error error = reader.checkNoUnknownKeys())
    return std::move(error);
  return layer;
}

llvm::Expected<Problem> quantx::solver::parseProblem(const Value &json) {
  Problem problem;
  FieldReader top(json, "");
  if (!json.getAsObject())
    return FieldReader::error("the problem must be a JSON object");
  llvm::Expected<const Array *> layers = top.array("layers");
  if (!layers)
    return layers.takeError();
  llvm::StringSet<> names;
  for (size_t i = 0; i < (*layers)->size(); ++i) {
    std::string path = llvm::formatv("layers[{0}]", i).str();
    llvm::Expected<Layer> layer = parseLayer((**layers)[i], path);
    if (!layer)
      return layer.takeError();
    if (!names.insert(layer->name).second)
      return FieldReader::error(path + ".name '" + layer->name +
                                "' names an earlier layer too");
    problem.layers.push_back(std::move(*layer));
  }
  if (const Value *budget = top.find("budget")) {
    FieldReader reader(*budget, "budget");
    if (llvm::Error error = reader.checkIsObject())
      return std::move(error);
    for (int c = 0; c < kNumCosts; ++c)
      if (llvm::Error error = reader.readNumber(
              kCostNames[c], /*optional=*/true, problem.budget[c]))
        return std::move(error);
    if (llvm::Error error = reader.checkNoUnknownKeys())
      return std::move(error);
  }
  if (llvm::Error error = top.checkNoUnknownKeys())
    return std::move(error);
  return problem;
}

Value quantx::solver::toJSON(const Problem &problem) {
  // A cost no option has (latency, when it was not measured) is left out.
  std::array<bool, kNumCosts> used = {};
  for (const Layer &layer : problem.layers)
    for (const Option &option : layer.options)
      for (int c = 0; c < kNumCosts; ++c)
        used[c] |= option.costs[c] != 0;
  Array layers;
  for (const Layer &layer : problem.layers) {
    Array options;
    for (const Option &option : layer.options) {
      Object entry{{"precision", option.precision},
                   {"sensitivity", option.sensitivity}};
      for (int c = 0; c < kNumCosts; ++c)
        if (used[c])
          entry[kCostNames[c]] = option.costs[c];
      options.push_back(std::move(entry));
    }
    Object entry{{"name", layer.name}, {"options", std::move(options)}};
    if (!layer.tie.empty())
      entry["tie"] = layer.tie;
    layers.push_back(std::move(entry));
  }
  Object budget;
  for (int c = 0; c < kNumCosts; ++c)
    if (problem.budget[c])
      budget[kCostNames[c]] = *problem.budget[c];
  return Object{{"layers", std::move(layers)}, {"budget", std::move(budget)}};
}

//===----------------------------------------------------------------------===//
// Groups
//===----------------------------------------------------------------------===//

namespace {
/// Layers solved together (one, or the layers of a tie) and the options all
/// of them offer, as sums over the layers.
struct Group {
  std::vector<size_t> layers;
  std::vector<std::string> precisions;
  /// Per precision: the option index in each layer, and the sums.
  std::vector<std::vector<size_t>> optionOfLayer;
  std::vector<double> sensitivity;
  std::vector<std::array<double, kNumCosts>> costs;
};

/// The groups of `problem`, or why a tie has no common precision.
llvm::Expected<std::vector<Group>> makeGroups(const Problem &problem) {
  std::vector<Group> groups;
  llvm::StringMap<size_t> groupOfTie;
  for (size_t i = 0; i < problem.layers.size(); ++i) {
    const std::string &tie = problem.layers[i].tie;
    if (tie.empty()) {
      groups.emplace_back().layers.push_back(i);
      continue;
    }
    auto [it, inserted] = groupOfTie.try_emplace(tie, groups.size());
    if (inserted)
      groups.emplace_back();
    groups[it->second].layers.push_back(i);
  }
  for (Group &group : groups) {
    const Layer &first = problem.layers[group.layers.front()];
    for (const Option &option : first.options) {
      std::vector<size_t> indices;
      double sensitivity = 0;
      std::array<double, kNumCosts> costs = {};
      for (size_t layer : group.layers) {
        const std::vector<Option> &options = problem.layers[layer].options;
        auto it =
            std::find_if(options.begin(), options.end(), [&](const Option &o) {
              return o.precision == option.precision;
            });
        if (it == options.end())
          break;
        indices.push_back(it - options.begin());
        sensitivity += it->sensitivity;
        for (int c = 0; c < kNumCosts; ++c)
          costs[c] += it->costs[c];
      }
      if (indices.size() != group.layers.size())
        continue;
      group.precisions.push_back(option.precision);
      group.optionOfLayer.push_back(std::move(indices));
      group.sensitivity.push_back(sensitivity);
      group.costs.push_back(costs);
    }
    if (group.precisions.empty())
      return FieldReader::error("the layers of tie '" + first.tie + "' (" +
                                first.name + ", " +
                                problem.layers[group.layers[1]].name +
                                (group.layers.size() > 2 ? ", ..." : "") +
                                ") offer no precision in common");
  }
  return groups;
}

/// An owning handle of a CBC model.
struct CbcModel {
  Cbc_Model *model = Cbc_newModel();
  ~CbcModel() { Cbc_deleteModel(model); }
};

/// The chosen option of each group minimizing sum(objective[g][o]) under
/// `limits` (per cost; none: unconstrained), or nullopt when infeasible.
llvm::Expected<std::optional<std::vector<size_t>>>
solveGroups(const std::vector<Group> &groups,
            const std::vector<std::vector<double>> &objective,
            const std::array<std::optional<double>, kNumCosts> &limits) {
  // The objective scaled so that its largest coefficient is 1e4: CBC's
  // absolute tolerances (1e-6 and so on) would otherwise hide differences
  // between sensitivities measured as output MSEs of 1e-7.
  double largest = 0;
  for (const auto &row : objective)
    for (double v : row)
      largest = std::max(largest, std::abs(v));
  double objectiveScale = largest > 0 ? 1e4 / largest : 1.0;
  std::vector<int> start{0}, index;
  std::vector<double> value, lower, upper, obj;
  std::vector<double> rowLower, rowUpper;
  std::vector<std::pair<size_t, size_t>> columns;
  // Rows: one per group, then one per limited cost.
  std::array<int, kNumCosts> costRow;
  int rows = int(groups.size());
  for (int c = 0; c < kNumCosts; ++c)
    costRow[c] = limits[c] ? rows++ : -1;
  for (size_t g = 0; g < groups.size(); ++g)
    for (size_t o = 0; o < groups[g].precisions.size(); ++o) {
      index.push_back(int(g));
      value.push_back(1.0);
      for (int c = 0; c < kNumCosts; ++c) {
        if (costRow[c] < 0 || groups[g].costs[o][c] == 0)
          continue;
        // Scaled so that the budget reads 1 (the solver's tolerances are
        // then relative).
        double scale = *limits[c] > 0 ? 1.0 / *limits[c] : 1.0;
        index.push_back(costRow[c]);
        value.push_back(groups[g].costs[o][c] * scale);
      }
      start.push_back(int(index.size()));
      lower.push_back(0.0);
      upper.push_back(1.0);
      obj.push_back(objective[g][o] * objectiveScale);
      columns.emplace_back(g, o);
    }
  for (size_t g = 0; g < groups.size(); ++g) {
    rowLower.push_back(1.0);
    rowUpper.push_back(1.0);
  }
  for (int c = 0; c < kNumCosts; ++c)
    if (costRow[c] >= 0) {
      rowLower.push_back(-std::numeric_limits<double>::infinity());
      rowUpper.push_back(*limits[c] > 0 ? 1.0 : 0.0);
    }
  CbcModel cbc;
  Cbc_setParameter(cbc.model, "log", "0");
  Cbc_setParameter(cbc.model, "slog", "0");
  Cbc_setParameter(cbc.model, "primalT", "1e-10");
  Cbc_setParameter(cbc.model, "integerT", "1e-9");
  Cbc_setAllowableGap(cbc.model, 0.0);
  Cbc_setAllowableFractionGap(cbc.model, 0.0);
  Cbc_loadProblem(cbc.model, int(columns.size()), rows, start.data(),
                  index.data(), value.data(), lower.data(), upper.data(),
                  obj.data(), rowLower.data(), rowUpper.data());
  for (size_t i = 0; i < columns.size(); ++i)
    Cbc_setInteger(cbc.model, int(i));
  Cbc_solve(cbc.model);
  if (Cbc_isProvenInfeasible(cbc.model))
    return std::nullopt;
  if (!Cbc_isProvenOptimal(cbc.model))
    return FieldReader::error(
        llvm::formatv("the MILP solver (CBC) stopped without a proof: status "
                      "{0}, secondary status {1}",
                      Cbc_status(cbc.model), Cbc_secondaryStatus(cbc.model))
            .str());
  const double *solution = Cbc_getColSolution(cbc.model);
  std::vector<size_t> choice(groups.size(), SIZE_MAX);
  for (size_t i = 0; i < columns.size(); ++i)
    if (solution[i] > 0.5)
      choice[columns[i].first] = columns[i].second;
  for (size_t g = 0; g < groups.size(); ++g)
    if (choice[g] == SIZE_MAX)
      return FieldReader::error("the MILP solver (CBC) returned a solution "
                                "that picks no option of a group");
  return std::optional<std::vector<size_t>>(std::move(choice));
}

std::array<double, kNumCosts> totalsOf(const std::vector<Group> &groups,
                                       const std::vector<size_t> &choice) {
  std::array<double, kNumCosts> totals = {};
  for (size_t g = 0; g < groups.size(); ++g)
    for (int c = 0; c < kNumCosts; ++c)
      totals[c] += groups[g].costs[choice[g]][c];
  return totals;
}

/// Whether `total` meets `limit` up to the rounding of summing doubles.
bool meets(double total, double limit) {
  return total <= limit + 1e-9 * std::max(1.0, std::abs(limit));
}
} // namespace

//===----------------------------------------------------------------------===//
// Solving
//===----------------------------------------------------------------------===//

llvm::Expected<std::pair<double, double>>
quantx::solver::getCostRange(const Problem &problem, Cost cost) {
  llvm::Expected<std::vector<Group>> groups = makeGroups(problem);
  if (!groups)
    return groups.takeError();
  // Without budgets the groups are independent.
  double lowest = 0, highest = 0;
  for (const Group &group : *groups) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const auto &costs : group.costs) {
      lo = std::min(lo, costs[cost]);
      hi = std::max(hi, costs[cost]);
    }
    lowest += lo;
    highest += hi;
  }
  return std::make_pair(lowest, highest);
}

llvm::Expected<Solution> quantx::solver::solve(const Problem &problem) {
  Solution solution;
  llvm::Expected<std::vector<Group>> groups = makeGroups(problem);
  if (!groups) {
    solution.reason = llvm::toString(groups.takeError());
    return solution;
  }
  std::vector<std::vector<double>> sensitivity;
  for (const Group &group : *groups)
    sensitivity.push_back(group.sensitivity);
  auto choice = solveGroups(*groups, sensitivity, problem.budget);
  if (!choice)
    return choice.takeError();
  if (*choice) {
    solution.status = Solution::Status::Optimal;
    solution.totals = totalsOf(*groups, **choice);
    for (int c = 0; c < kNumCosts; ++c)
      if (problem.budget[c] && !meets(solution.totals[c], *problem.budget[c]))
        return FieldReader::error(
            llvm::formatv("the MILP solver (CBC) returned a choice whose {0} "
                          "({1}) exceeds the budget ({2})",
                          kCostNames[c], formatNumber(solution.totals[c]),
                          formatNumber(*problem.budget[c]))
                .str());
    solution.choice.resize(problem.layers.size());
    for (size_t g = 0; g < groups->size(); ++g) {
      const Group &group = (*groups)[g];
      solution.objective += group.sensitivity[(**choice)[g]];
      for (size_t i = 0; i < group.layers.size(); ++i)
        solution.choice[group.layers[i]] =
            group.optionOfLayer[(**choice)[g]][i];
    }
    return solution;
  }
  // Infeasible: find a budget that the others allow to be met only above
  // its value, by minimizing its cost under them.
  for (int c = 0; c < kNumCosts; ++c) {
    if (!problem.budget[c])
      continue;
    std::vector<std::vector<double>> costOnly;
    for (const Group &group : *groups) {
      costOnly.emplace_back();
      for (const auto &costs : group.costs)
        costOnly.back().push_back(costs[c]);
    }
    std::array<std::optional<double>, kNumCosts> others = problem.budget;
    others[c] = std::nullopt;
    auto best = solveGroups(*groups, costOnly, others);
    if (!best)
      return best.takeError();
    if (!*best)
      continue;
    double smallest = totalsOf(*groups, **best)[c];
    solution.violated = Cost(c);
    solution.smallestFeasible = smallest;
    bool alone = llvm::none_of(others, [](auto &b) { return b.has_value(); });
    solution.reason =
        llvm::formatv("the {0} budget {1} cannot be met{2}: the smallest "
                      "feasible {0} is {3}",
                      kCostNames[c], formatNumber(*problem.budget[c]),
                      alone ? "" : " with the other budgets as given",
                      formatNumber(smallest))
            .str();
    return solution;
  }
  solution.reason = "the budgets cannot be met together";
  return solution;
}

Value quantx::solver::toJSON(const Problem &problem, const Solution &solution) {
  if (solution.status == Solution::Status::Infeasible) {
    Object result{{"status", "infeasible"}, {"reason", solution.reason}};
    if (solution.violated)
      result["budget"] = kCostNames[*solution.violated];
    if (solution.smallestFeasible)
      result["smallest_feasible"] = *solution.smallestFeasible;
    return result;
  }
  Object choice, totals;
  for (size_t i = 0; i < problem.layers.size(); ++i)
    choice[problem.layers[i].name] =
        problem.layers[i].options[solution.choice[i]].precision;
  for (int c = 0; c < kNumCosts; ++c)
    totals[kCostNames[c]] = solution.totals[c];
  return Object{{"status", "optimal"},
                {"objective", solution.objective},
                {"choice", std::move(choice)},
                {"totals", std::move(totals)}};
}
