//===- AssignPrecision.cpp - mixed precision under budgets ----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Builds the solver's problem from the module (each layer's candidates, the
// sensitivity of each, its packed weight bytes and BOPs at each), solves
// it exactly, and writes the choice back as `quantx.precision`.
//
//===----------------------------------------------------------------------===//

#include "CalibrationSamples.h"
#include "JitPass.h"
#include "LayerCosts.h"
#include "LayerLatency.h"
#include "Sensitivity.h"
#include "Utils.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "quant-x/Solver/PrecisionSolver.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_ASSIGNPRECISION
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;
namespace solver = ::quantx::solver;

namespace {
/// A candidate as the user spelled it and as an attribute.
struct Candidate {
  std::string name;
  PrecisionAttr precision;
};

/// A layer the assignment sees: its options (indices into the candidates)
/// or, when fixed, its precision alone.
struct LayerEntry {
  Operation *op;
  std::string name;
  bool fixed = false;
  SmallVector<size_t> options;
};

struct AssignPrecisionPass
    : JitPass<mlir::quantx::impl::AssignPrecisionBase<AssignPrecisionPass>> {
  using JitPass::JitPass;

  void runOnOperation() override;

private:
  LogicalResult parseCandidates();
  /// The sensitivities of the assignable layers, from their attributes or
  /// measured.
  FailureOr<std::vector<std::vector<double>>>
  getSensitivities(func::FuncOp func, ArrayRef<LayerEntry> layers);

  /// HAWQ-V3's sensitivities from the traces in `hessian-traces`.
  FailureOr<std::vector<std::vector<double>>>
  getHessianSensitivities(ArrayRef<LayerEntry> layers);

  /// Where the sensitivities came from, for the report.
  std::string sensitivitySource;

  /// The additivity check of measured sensitivities (none when given).
  std::vector<std::pair<double, double>> additivity;
  /// The budget of `cost`: the fraction `fraction` of the problem's range,
  /// or `absolute`, or none; fails on a bad value or both.
  LogicalResult setBudget(solver::Problem &problem, solver::Cost cost,
                          double fraction, double absolute,
                          StringRef fractionName, StringRef absoluteName);

  SmallVector<Candidate> parsed;
};
} // namespace

LogicalResult AssignPrecisionPass::parseCandidates() {
  ModuleOp module = getOperation();
  SmallVector<StringRef> names;
  StringRef(candidates).split(names, ',', -1, /*KeepEmpty=*/false);
  for (StringRef raw : names) {
    StringRef name = raw.trim();
    std::string error;
    FailureOr<PrecisionAttr> precision =
        parsePrecision(&getContext(), name, error);
    if (failed(precision))
      return module.emitError("quantx-assign-precision: candidate '")
             << name << "': " << error;
    if (precision->isFloat())
      return module.emitError("quantx-assign-precision: candidate 'float' "
                              "is a deny-list entry, not a precision to "
                              "assign: list it in the precision file");
    if (llvm::any_of(parsed,
                     [&](const Candidate &c) { return c.name == name; }))
      return module.emitError("quantx-assign-precision: candidate '")
             << name << "' is listed twice";
    parsed.push_back({name.str(), *precision});
  }
  if (parsed.empty())
    return module.emitError("quantx-assign-precision: candidates= lists no "
                            "precision");
  return success();
}

FailureOr<std::vector<std::vector<double>>>
AssignPrecisionPass::getSensitivities(func::FuncOp func,
                                      ArrayRef<LayerEntry> layers) {
  if (!hessianTraces.empty()) {
    sensitivitySource = "hessian-traces";
    return getHessianSensitivities(layers);
  }
  std::vector<std::vector<double>> given;
  bool allGiven = true;
  for (const LayerEntry &layer : layers) {
    if (layer.fixed)
      continue;
    auto attr = layer.op->getAttrOfType<DictionaryAttr>("quantx.sensitivity");
    given.emplace_back();
    for (size_t c : layer.options) {
      auto value = attr ? dyn_cast_or_null<FloatAttr>(attr.get(parsed[c].name))
                        : nullptr;
      if (!value) {
        if (attr) {
          layer.op->emitError("quantx-assign-precision: quantx.sensitivity "
                              "gives no value for candidate ")
              << parsed[c].name;
          return failure();
        }
        allGiven = false;
        break;
      }
      double v = value.getValueAsDouble();
      if (!std::isfinite(v) || v < 0) {
        layer.op->emitError("quantx-assign-precision: quantx.sensitivity of ")
            << parsed[c].name << " must be finite and >= 0, got " << v;
        return failure();
      }
      given.back().push_back(v);
    }
  }
  if (allGiven) {
    sensitivitySource = "quantx.sensitivity";
    return given;
  }
  sensitivitySource = sensitivity;

  if (calibrationData.empty()) {
    func.emitError("quantx-assign-precision: no calibration data to measure "
                   "sensitivities on: pass calibration-data=<file.npy>, or "
                   "give every layer a quantx.sensitivity");
    return failure();
  }
  if (maxSamples < 0) {
    func.emitError("quantx-assign-precision: max-samples must be 0 (all) or "
                   "positive, got ")
        << maxSamples;
    return failure();
  }
  int64_t fileSamples = 0;
  auto samples = loadCalibrationSamples(func, calibrationData,
                                        "quantx-assign-precision", fileSamples);
  if (failed(samples))
    return failure();
  int64_t numSamples =
      maxSamples > 0 ? std::min<int64_t>(fileSamples, maxSamples) : fileSamples;
  SmallVector<Operation *> ops;
  SmallVector<SmallVector<PrecisionAttr>> options;
  for (const LayerEntry &layer : layers) {
    if (layer.fixed)
      continue;
    ops.push_back(layer.op);
    options.emplace_back();
    for (size_t c : layer.options)
      options.back().push_back(parsed[c].precision);
  }
  SensitivityOptions measure;
  measure.metric = sensitivity == "output-kl" ? SensitivityMetric::OutputKl
                                              : SensitivityMetric::OutputMse;
  measure.maxTensorMB = maxTensorMB;
  measure.pass = "quantx-assign-precision";
  if (sensitivity == "layer-mse")
    return measureLayerOutputSensitivity(func, ops, options, *samples,
                                         fileSamples, numSamples, measure);
  FailureOr<SensitivityResult> measured = measureSensitivity(
      func, ops, options, *samples, fileSamples, numSamples, measure);
  if (failed(measured))
    return failure();
  additivity = measured->additivity;
  return measured->sensitivity;
}

FailureOr<std::vector<std::vector<double>>>
AssignPrecisionPass::getHessianSensitivities(ArrayRef<LayerEntry> layers) {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &message) {
    module.emitError("quantx-assign-precision: ")
        << hessianTraces << ": " << message;
    return failure();
  };
  auto buffer = llvm::MemoryBuffer::getFile(hessianTraces);
  if (!buffer)
    return fail("cannot read it: " + buffer.getError().message());
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail("not valid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *traces = json->getAsObject();
  if (!traces)
    return fail("must be a JSON object of layer names to traces");
  llvm::StringSet<> matched;
  std::vector<std::vector<double>> result;
  int64_t position = 0;
  for (const LayerEntry &layer : layers) {
    SmallVector<std::string> names = getLayerNames(layer.op, position++);
    if (layer.fixed)
      continue;
    std::optional<double> trace;
    for (const std::string &name : names)
      if (const llvm::json::Value *value = traces->get(name)) {
        matched.insert(name);
        trace = value->getAsNumber();
        if (!trace || !std::isfinite(*trace) || *trace < 0)
          return fail("the trace of '" + name +
                      "' must be a finite number >= 0");
        break;
      }
    if (!trace)
      return fail("gives no trace for layer '" + names.front() +
                  "' (names: " + llvm::join(names, ", ") + ")");
    result.emplace_back();
    for (size_t c : layer.options)
      result.back().push_back(*trace *
                              getWeightError(layer.op, parsed[c].precision));
  }
  for (const auto &entry : *traces)
    if (!matched.contains(entry.first.str()))
      return fail("names '" + entry.first.str() +
                  "', which is no assignable layer of this model");
  return result;
}

LogicalResult AssignPrecisionPass::setBudget(solver::Problem &problem,
                                             solver::Cost cost, double fraction,
                                             double absolute,
                                             StringRef fractionName,
                                             StringRef absoluteName) {
  ModuleOp module = getOperation();
  bool hasFraction = fraction != -1, hasAbsolute = absolute != -1;
  if (hasFraction && hasAbsolute)
    return module.emitError("quantx-assign-precision: give ")
           << fractionName << "= or " << absoluteName << "=, not both";
  if (hasFraction && !(fraction >= 0 && fraction <= 1))
    return module.emitError("quantx-assign-precision: ")
           << fractionName
           << "= is a fraction of the range between the all-lowest and the "
              "all-highest candidates, in [0, 1]; got "
           << fraction;
  if (hasAbsolute && !(absolute >= 0 && std::isfinite(absolute)))
    return module.emitError("quantx-assign-precision: ")
           << absoluteName << "= must be finite and >= 0, got " << absolute;
  if (hasAbsolute) {
    problem.budget[cost] = absolute;
    return success();
  }
  if (!hasFraction)
    return success();
  auto range = solver::getCostRange(problem, cost);
  if (!range)
    return module.emitError("quantx-assign-precision: ")
           << llvm::toString(range.takeError());
  problem.budget[cost] =
      range->first + fraction * (range->second - range->first);
  return success();
}

/// The value a layer reads its input from, past the ops that only move or
/// pad it: layers reading one such value share its quantization point.
static Value getInputSource(Operation *layer) {
  Value value = layer->getOperand(0);
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<tosa::PadOp, tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp>(
            def))
      break;
    value = def->getOperand(0);
  }
  return value;
}

/// The user's name of a budgeted cost, for messages.
static StringRef getBudgetName(solver::Cost cost) {
  switch (cost) {
  case solver::WeightBytes:
    return "weight-size";
  case solver::Bops:
    return "BOPs";
  default:
    return "latency";
  }
}

void AssignPrecisionPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal()) {
    module.emitError("quantx-assign-precision: no function @") << entry;
    return signalPassFailure();
  }
  if (sensitivity != "output-mse" && sensitivity != "output-kl" &&
      sensitivity != "layer-mse") {
    module.emitError("quantx-assign-precision: sensitivity must be "
                     "output-mse, output-kl or layer-mse, got '")
        << sensitivity << "'";
    return signalPassFailure();
  }
  if (failed(parseCandidates()))
    return signalPassFailure();

  // The layers, as quantx-set-precision numbers them.
  SmallVector<LayerEntry> layers;
  llvm::StringSet<> usedNames;
  bool failedLayer = false;
  int64_t position = 0;
  func.walk([&](Operation *op) {
    if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op) ||
        !isFloatTensor(op->getResult(0).getType()) ||
        !getConstantElements(op->getOperand(1)))
      return;
    // Names must be unique in the problem: a repeated one (two nodes of
    // one name) falls back to the layer's position.
    SmallVector<std::string> names = getLayerNames(op, position++);
    std::string name = names.front();
    if (!usedNames.insert(name).second)
      name = names.back();
    LayerEntry layer;
    layer.op = op;
    layer.name = name;
    layer.fixed = getPrecision(op).isFloat();
    if (!layer.fixed) {
      std::string why;
      for (auto [c, candidate] : llvm::enumerate(parsed)) {
        if (std::optional<std::string> mismatch =
                getPrecisionMismatch(op, candidate.precision)) {
          why += (why.empty() ? "" : "; ") + candidate.name + ": " + *mismatch;
          continue;
        }
        layer.options.push_back(c);
      }
      if (layer.options.empty()) {
        op->emitError("quantx-assign-precision: no candidate fits this "
                      "layer (")
            << why << ")";
        failedLayer = true;
      }
    }
    layers.push_back(std::move(layer));
  });
  if (failedLayer)
    return signalPassFailure();
  if (llvm::all_of(layers, [](const LayerEntry &l) { return l.fixed; }))
    return;

  FailureOr<std::vector<std::vector<double>>> sensitivities =
      getSensitivities(func, layers);
  if (failed(sensitivities))
    return signalPassFailure();

  // Layers reading one quantization point must agree on its bits when the
  // candidates' activation bits differ.
  bool activationsDiffer = llvm::any_of(parsed, [&](const Candidate &c) {
    return c.precision.getActivations() !=
           parsed.front().precision.getActivations();
  });
  // Latencies are measured only when budgeted (each a compilation).
  bool timed = latency != -1 || latencyMs != -1;
  std::vector<std::vector<double>> latencies;
  if (timed) {
    LatencyOptions timing;
    timing.cacheFile = latencyCache;
    timing.maxTensorMB = maxTensorMB;
    timing.pass = "quantx-assign-precision";
    for (const LayerEntry &layer : layers) {
      latencies.emplace_back();
      if (layer.fixed)
        continue;
      SmallVector<PrecisionAttr> precisions;
      for (size_t c : layer.options)
        precisions.push_back(parsed[c].precision);
      FailureOr<std::vector<double>> ms =
          measureLayerLatency(layer.op, precisions, timing);
      if (failed(ms))
        return signalPassFailure();
      latencies.back() = std::move(*ms);
    }
  }
  llvm::DenseMap<Value, std::string> tieOfSource;
  solver::Problem problem;
  size_t measured = 0;
  for (const LayerEntry &layer : layers) {
    solver::Layer entry;
    entry.name = layer.name;
    auto addOption = [&](StringRef name, PrecisionAttr precision,
                         double sensitivityValue, double ms) {
      solver::Option option;
      option.precision = name.str();
      option.sensitivity = sensitivityValue;
      option.costs[solver::WeightBytes] =
          double(countPackedBytes(layer.op, precision));
      option.costs[solver::Bops] = double(countBops(layer.op, precision));
      option.costs[solver::LatencyMs] = ms;
      entry.options.push_back(std::move(option));
    };
    if (layer.fixed) {
      // Fixed layers count toward the whole model's size and BOPs (not
      // timed: their latency is the same in every assignment).
      addOption("float", getPrecision(layer.op), 0.0, 0.0);
    } else {
      size_t index = &layer - layers.data();
      for (auto [i, c] : llvm::enumerate(layer.options))
        addOption(parsed[c].name, parsed[c].precision,
                  (*sensitivities)[measured][i],
                  timed ? latencies[index][i] : 0.0);
      ++measured;
      if (activationsDiffer) {
        auto [it, inserted] = tieOfSource.try_emplace(getInputSource(layer.op),
                                                      "input of " + layer.name);
        entry.tie = it->second;
      }
    }
    problem.layers.push_back(std::move(entry));
  }
  // A tie of one layer is no tie.
  llvm::StringMap<int> tieSizes;
  for (const solver::Layer &layer : problem.layers)
    if (!layer.tie.empty())
      ++tieSizes[layer.tie];
  for (solver::Layer &layer : problem.layers)
    if (!layer.tie.empty() && tieSizes[layer.tie] == 1)
      layer.tie.clear();

  if (failed(setBudget(problem, solver::WeightBytes, size, sizeBytes, "size",
                       "size-bytes")) ||
      failed(setBudget(problem, solver::Bops, bops, bopsCount, "bops",
                       "bops-count")) ||
      failed(setBudget(problem, solver::LatencyMs, latency, latencyMs,
                       "latency", "latency-ms")))
    return signalPassFailure();

  if (!costsFile.empty()) {
    std::error_code error;
    llvm::raw_fd_ostream os(costsFile, error, llvm::sys::fs::OF_Text);
    if (error) {
      module.emitError("quantx-assign-precision: cannot write '")
          << costsFile << "': " << error.message();
      return signalPassFailure();
    }
    os << llvm::formatv("{0:2}\n", solver::toJSON(problem));
  }

  llvm::Expected<solver::Solution> solution = solver::solve(problem);
  if (!solution) {
    module.emitError("quantx-assign-precision: ")
        << llvm::toString(solution.takeError());
    return signalPassFailure();
  }
  if (solution->status != solver::Solution::Status::Optimal) {
    InFlightDiagnostic diag = module.emitError("quantx-assign-precision: ");
    if (solution->violated && solution->smallestFeasible) {
      solver::Cost cost = *solution->violated;
      auto amount = [&](double value, bool roundUp) {
        if (cost == solver::LatencyMs)
          return llvm::formatv("{0:F3} ms", value).str();
        return llvm::formatv("{0}{1}",
                             int64_t(roundUp ? std::ceil(value) : value),
                             cost == solver::WeightBytes ? " bytes" : "")
            .str();
      };
      diag << "the " << getBudgetName(cost) << " budget ("
           << amount(*problem.budget[cost], false) << ") cannot be met"
           << (llvm::count_if(problem.budget,
                              [](auto &b) { return b.has_value(); }) > 1
                   ? " with the other budgets as given"
                   : "")
           << ": the smallest feasible is "
           << amount(*solution->smallestFeasible, true);
      if (auto range = solver::getCostRange(problem, cost);
          range && range->second > range->first)
        diag << llvm::formatv(" ({0}={1:F4})",
                              cost == solver::WeightBytes ? "size"
                              : cost == solver::Bops      ? "bops"
                                                          : "latency",
                              (*solution->smallestFeasible - range->first) /
                                  (range->second - range->first));
      else
        llvm::consumeError(range.takeError());
    } else {
      diag << solution->reason;
    }
    return signalPassFailure();
  }

  // The choice, and what the report says of it.
  MLIRContext *ctx = &getContext();
  llvm::json::Object summary;
  llvm::json::Object budgets, totals;
  for (int c = 0; c < solver::kNumCosts; ++c) {
    if (problem.budget[c])
      budgets[solver::kCostNames[c]] = *problem.budget[c];
    if (c != solver::LatencyMs || timed)
      totals[solver::kCostNames[c]] = solution->totals[c];
  }
  llvm::json::Array ties;
  llvm::StringMap<llvm::json::Array> members;
  for (auto [i, layer] : llvm::enumerate(layers)) {
    const solver::Layer &entry = problem.layers[i];
    if (!entry.tie.empty())
      members[entry.tie].push_back(entry.name);
    if (layer.fixed)
      continue;
    layer.op->setAttr(kPrecisionAttrName,
                      parsed[layer.options[solution->choice[i]]].precision);
  }
  for (auto &tie : members)
    ties.push_back(std::move(tie.second));
  summary["candidates"] = llvm::json::Array(llvm::map_range(
      parsed, [](const Candidate &c) { return llvm::json::Value(c.name); }));
  summary["sensitivity"] = sensitivitySource;
  summary["budget"] = std::move(budgets);
  summary["predicted_totals"] = std::move(totals);
  summary["objective"] = solution->objective;
  summary["ties"] = std::move(ties);
  if (!additivity.empty()) {
    llvm::json::Array pairs;
    for (auto [predicted, measuredError] : additivity)
      pairs.push_back(llvm::json::Array{predicted, measuredError});
    summary["additivity"] = llvm::json::Object{
        {"spearman_rho", ::quantx::getSpearmanRho(additivity)},
        {"predicted_vs_measured", std::move(pairs)}};
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(summary));
  module->setAttr("quantx.mixed_precision", StringAttr::get(ctx, text));
}
