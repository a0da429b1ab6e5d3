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

/// The GPU entry point `call` calls, if it calls one.
std::optional<qk::KernelKind> getGpuKernel(KernelCallOp call) {
  std::optional<qk::KernelKind> kind = qk::parseKernel(call.getKernel().str());
  if (kind && qk::isGpuKernel(*kind))
    return kind;
  return std::nullopt;
}

/// The residency bit of `use` where it is an activation operand of a GPU
/// kernel call (the input; the add kernel's second addend too), else 0.
int64_t getActivationBit(OpOperand &use) {
  auto call = dyn_cast<KernelCallOp>(use.getOwner());
  std::optional<qk::KernelKind> kind = call ? getGpuKernel(call) : std::nullopt;
  if (!kind)
    return 0;
  MutableOperandRange inputs = call.getInputsMutable();
  if (!inputs.empty() && &use == &inputs[0])
    return qk::kResidentInput;
  if (*kind == qk::KernelKind::GpuAddS8 && inputs.size() > 1 &&
      &use == &inputs[1])
    return qk::kResidentSecondInput;
  return 0;
}

void addResidency(KernelCallOp call, int64_t bits) {
  SmallVector<int64_t> params(call.getParams());
  params[qk::kDeviceResidency] |= bits;
  call.setParams(params);
}

} // namespace

/// Whether every reader of `value` is a GPU kernel call taking it as an
/// activation; collects those operands. A tosa.reshape between two calls
/// is a reader of its own: bufferization may copy it (the kernel call's
/// buffer has no layout that a view could be proven of), and a copy of a
/// result left on the device would read a host buffer nothing wrote.
static bool collectGpuReaders(Value value,
                              SmallVectorImpl<OpOperand *> &readers) {
  if (value.use_empty())
    return false;
  for (OpOperand &use : value.getUses()) {
    if (!getActivationBit(use))
      return false;
    readers.push_back(&use);
  }
  return true;
}

void mlir::quantx::markDeviceResidentActivations(ModuleOp module) {
  module.walk([&](KernelCallOp producer) {
    if (!getGpuKernel(producer) || producer.getResult().size() != 1)
      return;
    // Read by GPU kernel calls alone, each as an activation: then no host
    // code ever reads the result.
    SmallVector<OpOperand *> readers;
    if (!collectGpuReaders(producer.getResult().front(), readers))
      return;
    addResidency(producer, qk::kResidentOutput);
    for (OpOperand *use : readers)
      addResidency(cast<KernelCallOp>(use->getOwner()), getActivationBit(*use));
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
