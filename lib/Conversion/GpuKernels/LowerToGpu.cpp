//===- LowerToGpu.cpp - int8 kernel calls to the GPU kernel ---------------===//

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
    if (call.getKernel() != qk::kConvS8Symbol)
      return;
    qk::CallSpec spec;
    if (!qk::checkParams(qk::KernelKind::GpuConvS8, call.getParams().data(),
                         spec)
             .empty())
      return;
    call.setKernel(qk::kGpuConvS8Symbol);
    any = true;
  });
  return any;
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
    if (!sendKernelCallsToGpu(module) ||
        module.lookupSymbol(kGpuKernelModuleName))
      return;
    OpBuilder builder(&getContext());
    buildGpuKernels(builder, module);
  }
};
} // namespace
