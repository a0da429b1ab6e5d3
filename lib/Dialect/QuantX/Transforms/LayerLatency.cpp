//===- LayerLatency.cpp - a layer's latency on this machine ---------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LayerLatency.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "quant-x/Runtime/CompiledFunction.h"
#include "quant-x/Runtime/Kernels.h"
#include "quant-x/Runtime/Npy.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <random>

using namespace mlir;
using namespace mlir::quantx;

/// The default cache file, or "" when no cache directory is known.
static std::string getDefaultCacheFile() {
  SmallString<256> path;
  if (std::optional<std::string> xdg =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME")) {
    path = *xdg;
  } else if (std::optional<std::string> home =
                 llvm::sys::Process::GetEnv("HOME")) {
    path = *home;
    llvm::sys::path::append(path, ".cache");
  } else {
    return "";
  }
  llvm::sys::path::append(path, "quantx", "layer-latency.json");
  return std::string(path);
}

/// What a layer's latency depends on: its op, types and attributes (not the
/// weights' values), the precision, the kernels and the threads.
static std::string getCacheKey(Operation *layer, PrecisionAttr precision) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << layer->getName() << " (";
  llvm::interleaveComma(layer->getOperandTypes(), os);
  os << ") -> ";
  llvm::interleaveComma(layer->getResultTypes(), os);
  for (NamedAttribute attr : layer->getAttrs()) {
    StringRef name = attr.getName().getValue();
    if (name.starts_with("quantx."))
      continue;
    os << " " << name << "=" << attr.getValue();
  }
  namespace kernels = ::quantx::kernels;
  os << " @ " << precision.str() << " on "
     << kernels::getIsaName(kernels::getHostIsa()) << " x"
     << kernels::getThreadCount();
  return key;
}

/// Clones `value`'s defining ops (constants and ops on them) into `b`.
static LogicalResult cloneConstantTree(OpBuilder &b, Value value,
                                       IRMapping &mapping) {
  if (mapping.contains(value))
    return success();
  Operation *def = value.getDefiningOp();
  if (!def || def->getNumRegions() != 0)
    return failure();
  for (Value operand : def->getOperands())
    if (failed(cloneConstantTree(b, operand, mapping)))
      return failure();
  b.clone(*def, mapping);
  return success();
}

/// `layer` alone, at `precision`, as a float module @main(input) ->
/// result.
static OwningOpRef<ModuleOp> buildLayerModule(Operation *layer,
                                              PrecisionAttr precision) {
  MLIRContext *ctx = layer->getContext();
  Location loc = layer->getLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module->getBody());
  auto func =
      func::FuncOp::create(b, loc, "main",
                           b.getFunctionType({layer->getOperand(0).getType()},
                                             layer->getResultTypes()));
  b.setInsertionPointToStart(func.addEntryBlock());
  IRMapping mapping;
  mapping.map(layer->getOperand(0), func.getArgument(0));
  for (Value operand : llvm::drop_begin(layer->getOperands()))
    if (failed(cloneConstantTree(b, operand, mapping)))
      return nullptr;
  Operation *clone = b.clone(*layer, mapping);
  clone->setAttr(kPrecisionAttrName, precision);
  clone->removeAttr("quantx.sensitivity");
  func::ReturnOp::create(b, loc, clone->getResults());
  return module;
}

/// Quantizes, compiles and times the single-layer module.
static FailureOr<double> timeLayer(Operation *layer, PrecisionAttr precision,
                                   const LatencyOptions &options) {
  auto fail = [&](const Twine &message) {
    layer->emitError(options.pass) << ": " << message;
    return failure();
  };
  OwningOpRef<ModuleOp> module = buildLayerModule(layer, precision);
  auto inputType = dyn_cast<RankedTensorType>(layer->getOperand(0).getType());
  if (!module || !inputType || !inputType.hasStaticShape() ||
      !inputType.getElementType().isF32())
    return fail("cannot time this layer alone (its operands other than the "
                "input must be constants, its input a static f32 tensor)");
  // Calibration samples: Gaussian values (latency does not depend on them).
  SmallString<128> samplesPath;
  if (llvm::sys::fs::createTemporaryFile("quantx-latency", "npy", samplesPath))
    return fail("cannot create a temporary file");
  llvm::FileRemover remover(samplesPath);
  NpyArray samples;
  samples.dtype = "f4";
  samples.shape.push_back(2);
  llvm::append_range(samples.shape, inputType.getShape());
  auto data = samples.allocate();
  if (!data)
    return fail(llvm::toString(data.takeError()));
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  auto *values = reinterpret_cast<float *>(data->data());
  for (int64_t i = 0, e = samples.getNumElements(); i < e; ++i)
    values[i] = normal(rng);
  if (llvm::Error error = writeNpy(samplesPath, samples))
    return fail(llvm::toString(std::move(error)));

  {
    // The nested pipeline's remarks are not the user's concern; its errors
    // are.
    std::string errors;
    ScopedDiagnosticHandler handler(layer->getContext(), [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        errors += diag.str() + "; ";
      return success();
    });
    PassManager pm(layer->getContext(), ModuleOp::getOperationName());
    QuantizeOptions quantize;
    quantize.calibrationData = std::string(samplesPath);
    quantize.interface = Interface::Int8;
    quantize.maxTensorMB = options.maxTensorMB;
    buildQuantizePipeline(pm, quantize);
    if (failed(pm.run(*module)))
      return fail("quantizing this layer alone at " + precision.str() +
                  " failed: " + errors);
  }
  CPUCompileOptions compile;
  compile.maxTensorMB = options.maxTensorMB;
  auto compiled = CompiledFunction::compile(*module, "main", compile);
  if (failed(compiled))
    return failure();
  CompiledFunction::Buffers inputs =
      CompiledFunction::allocateBuffers((*compiled)->getArgumentTypes());
  CompiledFunction::Buffers outputs =
      CompiledFunction::allocateBuffers((*compiled)->getResultTypes());
  SmallVector<const void *> arguments(inputs.pointers.begin(),
                                      inputs.pointers.end());
  // Warm up, then the median of at least 5 calls and 20 ms.
  std::vector<double> times;
  double total = 0;
  for (int call = 0; call < 1000 && (times.size() < 7 || total < 20.0);
       ++call) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error error = (*compiled)->call(arguments, outputs.pointers))
      return fail("running this layer alone failed: " +
                  llvm::toString(std::move(error)));
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    if (call < 2)
      continue;
    times.push_back(ms);
    total += ms;
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2,
                   times.end());
  return times[times.size() / 2];
}

FailureOr<std::vector<double>>
mlir::quantx::measureLayerLatency(Operation *layer,
                                  ArrayRef<PrecisionAttr> precisions,
                                  const LatencyOptions &options) {
  std::string cacheFile =
      options.cacheFile.empty() ? getDefaultCacheFile() : options.cacheFile;
  if (cacheFile == "none")
    cacheFile.clear();
  llvm::json::Object cache;
  if (!cacheFile.empty()) {
    // A missing or unreadable cache is an empty one.
    if (auto buffer = llvm::MemoryBuffer::getFile(cacheFile)) {
      if (auto parsed = llvm::json::parse((*buffer)->getBuffer())) {
        if (llvm::json::Object *object = parsed->getAsObject())
          cache = std::move(*object);
      } else {
        llvm::consumeError(parsed.takeError());
      }
    }
  }
  std::vector<double> result;
  bool changed = false;
  for (PrecisionAttr precision : precisions) {
    std::string key = getCacheKey(layer, precision);
    if (std::optional<double> cached = cache.getNumber(key);
        cached && *cached > 0) {
      result.push_back(*cached);
      continue;
    }
    FailureOr<double> ms = timeLayer(layer, precision, options);
    if (failed(ms))
      return failure();
    result.push_back(*ms);
    cache[key] = *ms;
    changed = true;
  }
  if (changed && !cacheFile.empty()) {
    // Best effort: a cache that cannot be written is measured again.
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(cacheFile));
    std::error_code error;
    llvm::raw_fd_ostream os(cacheFile, error, llvm::sys::fs::OF_Text);
    if (!error)
      os << llvm::formatv("{0:2}\n", llvm::json::Value(std::move(cache)));
  }
  return result;
}
