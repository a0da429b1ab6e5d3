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
  module.walk([&](KernelCallOp call) {
    std::optional<qk::KernelKind> cpu = qk::parseKernel(call.getKernel().str());
    if (!cpu || qk::isGpuKernel(*cpu))
      return;
    // The GPU entry point that stands in for this CPU kernel, if any.
    for (size_t i = size_t(qk::KernelKind::GpuConvS8);
         i < std::size(qk::kKernelSymbols); ++i) {
      auto gpu = static_cast<qk::KernelKind>(i);
      qk::CallSpec spec;
      if (qk::getCpuCounterpart(gpu) != *cpu ||
          !qk::checkParams(gpu, call.getParams().data(), spec).empty())
        continue;
      call.setKernel(qk::kKernelSymbols[i]);
      any = true;
      return;
    }
  });
  return any;
}

namespace {

/// The GPU entry point `call` calls, if it calls one.
std::optional<qk::KernelKind> getGpuKernel(KernelCallOp call) {
  std::optional<qk::KernelKind> kind = qk::parseKernel(call.getKernel().str());
  if (kind && qk::isGpuKernel(*kind))
    return kind;
  return std::nullopt;
}

/// The residency bit of `use` where it is an activation operand of a GPU
/// kernel call (qk::getActivationBit), else 0.
int64_t getActivationBit(OpOperand &use) {
  auto call = dyn_cast<KernelCallOp>(use.getOwner());
  std::optional<qk::KernelKind> kind = call ? getGpuKernel(call) : std::nullopt;
  // The inputs are the call's first operands, the init its last.
  if (!kind || use.getOperandNumber() >= call.getInputs().size())
    return 0;
  return qk::getActivationBit(*kind, use.getOperandNumber());
}

void addResidency(KernelCallOp call, int64_t bits) {
  SmallVector<int64_t> params(call.getParams());
  params[qk::kDeviceResidency] |= bits;
  call.setParams(params);
}

} // namespace

void mlir::quantx::markDeviceResidentActivations(ModuleOp module) {
  module.walk([&](KernelCallOp producer) {
    if (!getGpuKernel(producer) || producer.getResult().size() != 1)
      return;
    // Read by GPU kernel calls alone, each as an activation: then no host
    // code ever reads the result. Anything else reads it on the host: a
    // tosa.reshape too, since bufferization may copy it (the call's buffer
    // has no layout a view could be proven of), and a copy of a result left
    // on the device would read a host buffer nothing wrote.
    Value result = producer.getResult().front();
    if (result.use_empty() ||
        !llvm::all_of(result.getUses(), [](OpOperand &use) {
          return getActivationBit(use) != 0;
        }))
      return;
    addResidency(producer, qk::kResidentOutput);
    for (OpOperand &use : result.getUses())
      addResidency(cast<KernelCallOp>(use.getOwner()), getActivationBit(use));
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
  gpu_kernels::buildAddS8Kernel(builder, loc);
  gpu_kernels::buildAvgPoolS8Kernel(builder, loc);
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
    bool anyDirect = fuseResidualAddsForGpu(module);
    anyDirect |= lowerAvgPoolsForGpu(module);
    if (!sendKernelCallsToGpu(module) && !anyDirect)
      return;
    markDeviceResidentActivations(module);
    if (module.lookupSymbol(kGpuKernelModuleName))
      return;
    OpBuilder builder(&getContext());
    buildGpuKernels(builder, module);
  }
};
} // namespace
