//===- Calibrate.cpp - run the float model, attach statistics -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The probe: a clone of the module that hands every quantization point to
// a host function as it is computed (`quantx_calibration_observe(id,
// values)`), JIT-compiled and run twice over the samples (ranges first, then
// histograms over those ranges). A call per point, not a result per point:
// the code that passes results (a memref descriptor each, one C wrapper
// argument each) grows with their number in ways LLVM handles in quadratic
// time, and a buffer chain that gathers them into one result makes
// bufferization quadratic instead.
//
//===----------------------------------------------------------------------===//

#include "CalibrationSamples.h"
#include "JitPass.h"
#include "ObserverCalls.h"
#include "Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "quant-x/Runtime/CompiledFunction.h"
#include "quant-x/Runtime/Npy.h"
#include "quant-x/Runtime/Progress.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>

namespace mlir::quantx {
#define GEN_PASS_DEF_CALIBRATE
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// The quantization points of `func` in a deterministic order (arguments,
/// then op results in program order), so that a clone lists the same ones.
static SmallVector<Value> getQuantizationPoints(func::FuncOp func) {
  SmallVector<Value> points;
  for (BlockArgument arg : func.getArguments())
    if (isQuantizationPoint(arg))
      points.push_back(arg);
  func.walk([&](Operation *op) {
    for (Value result : op->getResults())
      if (isQuantizationPoint(result))
        points.push_back(result);
  });
  return points;
}

namespace {
/// Running statistics of one activation.
struct Observer {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  SmallVector<int64_t> counts;

  void observeRange(ArrayRef<float> values) {
    for (float v : values) {
      min = std::min<double>(min, v);
      max = std::max<double>(max, v);
    }
  }
  void observeHistogram(ArrayRef<float> values) {
    if (counts.empty()) // a constant activation: min == max, no histogram
      return;
    double scale = counts.size() / (max - min);
    int64_t last = counts.size() - 1;
    for (float v : values)
      ++counts[std::clamp<int64_t>(int64_t((v - min) * scale), 0, last)];
  }
};

/// The host function the probe calls with each point's values.
constexpr llvm::StringLiteral kObserveName = "quantx_calibration_observe";

/// The observers of the run in progress and what they collect. The JIT
/// calls back into the pass through a plain function, so it reaches them
/// through this (one calibration at a time per thread).
struct ObservationScope {
  ObservationScope(std::vector<Observer> &observers, int pass)
      : previous(current) {
    current = {&observers, pass};
  }
  ~ObservationScope() { current = previous; }

  struct State {
    std::vector<Observer> *observers = nullptr;
    int pass = 0;
  };
  static thread_local State current;
  State previous;
};
thread_local ObservationScope::State ObservationScope::current;

/// `_mlir_ciface_quantx_calibration_observe(id, memref<?xf32>)`, called by
/// address (a C signature; its name is registered with the JIT).
void observeCallback(int64_t id, StridedMemRefType<float, 1> *values) {
  ObservationScope::State state = ObservationScope::current;
  if (!state.observers || id < 0 || id >= int64_t(state.observers->size()) ||
      values->strides[0] != 1)
    return;
  ArrayRef<float> data(values->data + values->offset, values->sizes[0]);
  Observer &observer = (*state.observers)[id];
  state.pass == 0 ? observer.observeRange(data)
                  : observer.observeHistogram(data);
}
} // namespace

namespace {
struct CalibratePass
    : JitPass<mlir::quantx::impl::CalibrateBase<CalibratePass>> {
  using JitPass::JitPass;

  void runOnOperation() override;
};
} // namespace

void CalibratePass::runOnOperation() {
  ModuleOp module = getOperation();
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal()) {
    module.emitError("quantx-calibrate: no function @") << entry;
    return signalPassFailure();
  }
  if (maxSamples < 0) {
    module.emitError("quantx-calibrate: max-samples must be 0 (all) or "
                     "positive, got ")
        << maxSamples;
    return signalPassFailure();
  }
  SmallVector<Value> points = getQuantizationPoints(func);
  if (points.empty())
    return;
  if (calibrationData.empty()) {
    func.emitError("quantx-calibrate: no calibration data: pass "
                   "calibration-data=<file.npy> (float32 samples [N, "
                   "<argument shape>]) or an .npz with arg0, arg1, ... for "
                   "several arguments");
    return signalPassFailure();
  }
  int64_t numSamples = 0;
  auto samples = loadCalibrationSamples(func, calibrationData,
                                        "quantx-calibrate", numSamples);
  if (failed(samples))
    return signalPassFailure();

  OwningOpRef<ModuleOp> probe = module.clone();
  auto probeFunc = probe->lookupSymbol<func::FuncOp>(entry);
  insertObserverCalls(*probe, getQuantizationPoints(probeFunc), kObserveName);
  CPUCompileOptions compileOptions;
  compileOptions.maxTensorMB = maxTensorMB;
  compileOptions.hostSymbols[(Twine("_mlir_ciface_") + kObserveName).str()] =
      reinterpret_cast<void *>(&observeCallback);
  auto compiled = CompiledFunction::compile(*probe, entry, compileOptions);
  if (failed(compiled))
    return signalPassFailure();

  // The model's own results are computed and dropped.
  CompiledFunction::Buffers results =
      CompiledFunction::allocateBuffers((*compiled)->getResultTypes());
  std::vector<Observer> observers(points.size());
  // Samples are taken from the start of the file: the rest is never read
  // (the file is memory-mapped).
  int64_t stride = numSamples;
  if (maxSamples > 0)
    numSamples = std::min(numSamples, int64_t(maxSamples));

  for (int pass = 0; pass < 2; ++pass) {
    ProgressBar progress(pass ? "quantx-calibrate: histograms"
                              : "quantx-calibrate: ranges    ",
                         numSamples, /*enabled=*/true,
                         /*quietSeconds=*/1.0);
    for (int64_t s = 0; s < numSamples; ++s) {
      ObservationScope scope(observers, pass);
      if (llvm::Error error = (*compiled)->call(
              getSampleArguments(*samples, stride, s), results.pointers)) {
        func.emitError("quantx-calibrate: running the model failed: ")
            << llvm::toString(std::move(error));
        return signalPassFailure();
      }
      progress.update(s + 1);
    }
    if (pass == 1)
      break;
    for (auto [point, observer] : llvm::zip(points, observers)) {
      if (!std::isfinite(observer.min) || !std::isfinite(observer.max)) {
        Operation *op = point.getDefiningOp();
        (op ? op->emitError() : func.emitError())
            << "quantx-calibrate: this activation takes non-finite values "
               "on the calibration data";
        return signalPassFailure();
      }
      if (observer.max > observer.min)
        observer.counts.assign(bins, 0);
    }
  }

  MLIRContext *ctx = &getContext();
  for (auto [point, observer] : llvm::zip(points, observers)) {
    HistogramAttr histogram;
    if (!observer.counts.empty())
      histogram = HistogramAttr::get(ctx, APFloat(observer.min),
                                     APFloat(observer.max), observer.counts);
    auto stats = CalibStatsAttr::get(ctx, APFloat(observer.min),
                                     APFloat(observer.max), histogram);
    if (auto arg = dyn_cast<BlockArgument>(point)) {
      func.setArgAttr(arg.getArgNumber(), kCalibAttrName, stats);
      continue;
    }
    Operation *op = point.getDefiningOp();
    SmallVector<Attribute> perResult(op->getNumResults(), UnitAttr::get(ctx));
    if (auto existing = op->getAttrOfType<ArrayAttr>(kCalibAttrName))
      perResult.assign(existing.begin(), existing.end());
    perResult[cast<OpResult>(point).getResultNumber()] = stats;
    op->setAttr(kCalibAttrName, ArrayAttr::get(ctx, perResult));
  }
}
