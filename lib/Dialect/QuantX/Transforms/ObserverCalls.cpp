//===- ObserverCalls.cpp - handing values to the host from the JIT --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ObserverCalls.h"

#include "CalibrationSamples.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/CompiledFunction.h"

using namespace mlir;

void mlir::quantx::insertObserverCalls(ModuleOp module, ArrayRef<Value> values,
                                       StringRef name) {
  MLIRContext *ctx = module.getContext();
  auto f32 = Float32Type::get(ctx);
  auto dynamic = RankedTensorType::get({ShapedType::kDynamic}, f32);
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto observe =
      func::FuncOp::create(b, module.getLoc(), name,
                           b.getFunctionType({b.getI64Type(), dynamic}, {}));
  observe.setPrivate();
  observe->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                   b.getUnitAttr());
  for (auto [id, value] : llvm::enumerate(values)) {
    b.setInsertionPointAfterValue(value);
    ImplicitLocOpBuilder ib(value.getLoc(), b);
    auto type = cast<RankedTensorType>(value.getType());
    int64_t count = type.getNumElements();
    Value flat = tosa::ReshapeOp::create(
        ib, type.clone({count}), value,
        tosa::getTosaConstShape(ib, ArrayRef<int64_t>{count}));
    Value erased = tensor::CastOp::create(ib, dynamic, flat);
    Value index = arith::ConstantOp::create(ib, ib.getI64IntegerAttr(id));
    func::CallOp::create(ib, observe, ValueRange{index, erased});
  }
}

LogicalResult mlir::quantx::runObservedProbe(
    ModuleOp probe, StringRef funcName, ArrayRef<Value> values, StringRef name,
    ObserverFn observer, ArrayRef<NpyArray> samples, int64_t fileSamples,
    int64_t numSamples, uint64_t maxTensorMB, Operation *at, StringRef pass) {
  insertObserverCalls(probe, values, name);
  CPUCompileOptions options;
  options.maxTensorMB = maxTensorMB;
  options.hostSymbols[(Twine("_mlir_ciface_") + name).str()] =
      reinterpret_cast<void *>(observer);
  auto compiled = CompiledFunction::compile(probe, funcName, options);
  if (failed(compiled))
    return failure();
  CompiledFunction::Buffers results =
      CompiledFunction::allocateBuffers((*compiled)->getResultTypes());
  for (int64_t s = 0; s < numSamples; ++s) {
    if (llvm::Error error = (*compiled)->call(
            getSampleArguments(samples, fileSamples, s), results.pointers)) {
      at->emitError(pass) << ": running the probe failed: "
                          << llvm::toString(std::move(error));
      return failure();
    }
  }
  return success();
}
