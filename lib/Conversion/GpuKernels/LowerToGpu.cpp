//===- LowerToGpu.cpp - int8 kernel calls to the GPU kernels --------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Runtime/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_LOWERTOGPU
#include "quant-x/Conversion/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;
namespace qk = ::quantx::kernels;

bool mlir::quantx::sendKernelCallsToGpu(ModuleOp module) {
  bool any = false;
  // Each CPU kernel the GPU has a counterpart of, and the counterpart.
  const std::pair<const char *, qk::KernelKind> counterparts[] = {
      {qk::kConvS8Symbol, qk::KernelKind::GpuConvS8},
      {qk::kDepthwiseS8Symbol, qk::KernelKind::GpuDepthwiseS8},
      {qk::kMaxPoolS8Symbol, qk::KernelKind::GpuMaxPoolS8}};
  module.walk([&](KernelCallOp call) {
    for (auto [cpu, gpu] : counterparts) {
      qk::CallSpec spec;
      if (call.getKernel() != cpu ||
          !qk::checkParams(gpu, call.getParams().data(), spec).empty())
        continue;
      call.setKernel(qk::kKernelSymbols[size_t(gpu)]);
      any = true;
      return;
    }
  });
  return any;
}

namespace {

/// Whether `call` calls one of the GPU's entry points.
bool callsGpu(KernelCallOp call) {
  std::optional<qk::KernelKind> kind = qk::parseKernel(call.getKernel().str());
  return kind && (*kind == qk::KernelKind::GpuConvS8 ||
                  *kind == qk::KernelKind::GpuDepthwiseS8 ||
                  *kind == qk::KernelKind::GpuMaxPoolS8);
}

void addResidency(KernelCallOp call, int64_t bits) {
  SmallVector<int64_t> params(call.getParams());
  params[qk::kDeviceResidency] |= bits;
  call.setParams(params);
}

} // namespace

void mlir::quantx::markDeviceResidentActivations(ModuleOp module) {
  module.walk([&](KernelCallOp producer) {
    if (!callsGpu(producer) || producer.getResult().size() != 1)
      return;
    Value result = producer.getResult().front();
    // Read by GPU kernel calls alone, each as its activation (operand 0):
    // then no host code ever reads the result.
    auto readByGpu = [](OpOperand &use) {
      auto consumer = dyn_cast<KernelCallOp>(use.getOwner());
      return consumer && callsGpu(consumer) && !consumer.getInputs().empty() &&
             &use == &consumer.getInputsMutable()[0];
    };
    if (result.use_empty() || !llvm::all_of(result.getUses(), readByGpu))
      return;
    addResidency(producer, qk::kResidentOutput);
    for (Operation *consumer : result.getUsers())
      addResidency(cast<KernelCallOp>(consumer), qk::kResidentInput);
  });
}

void mlir::quantx::buildGpuKernels(OpBuilder &builder, ModuleOp module) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = module.getLoc();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  builder.getUnitAttr());
  builder.setInsertionPointToEnd(module.getBody());
  auto gpuModule = gpu::GPUModuleOp::create(builder, loc, kGpuKernelModuleName);
  builder.setInsertionPointToStart(gpuModule.getBody());
  gpu_kernels::buildConvS8Kernel(builder, loc);
  gpu_kernels::buildDepthwiseS8Kernel(builder, loc);
  gpu_kernels::buildMaxPoolS8Kernel(builder, loc);
}

namespace {
struct LowerToGpuPass
    : public mlir::quantx::impl::LowerToGpuBase<LowerToGpuPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The generic ISA's panels are the layout the GPU kernel reads.
    OpPassManager kernels(ModuleOp::getOperationName());
    LowerToKernelsOptions options;
    options.isaName = "generic";
    kernels.addNestedPass<func::FuncOp>(createLowerToKernels(options));
    if (failed(runPipeline(kernels, module)))
      return signalPassFailure();
    if (!sendKernelCallsToGpu(module))
      return;
    markDeviceResidentActivations(module);
    if (module.lookupSymbol(kGpuKernelModuleName))
      return;
    OpBuilder builder(&getContext());
    buildGpuKernels(builder, module);
  }
};
} // namespace
