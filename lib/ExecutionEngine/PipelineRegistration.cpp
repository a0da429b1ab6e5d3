//===- PipelineRegistration.cpp - quant-run's stages as named pipelines ---===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The pipelines compileForHostCPU runs, registered under names so that
// quant-opt (or mlir-opt with the plugin) reproduces quant-run's lowering
// stage by stage: the same builders, in the same order.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/Passes.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"

#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace mlir::quantx;

namespace {
struct KernelStageOptions : public PassPipelineOptions<KernelStageOptions> {
  Option<std::string> kernels{
      *this, "kernels",
      llvm::cl::desc("the conv/matmul kernels, as quant-run --kernels: host "
                     "(default), avx512vnni, avx2-maddubs, avx2, generic, or "
                     "none (reference loops)"),
      llvm::cl::init("host")};

  CPUCompileOptions toCompileOptions() const {
    CPUCompileOptions options;
    options.kernelIsa = kernels;
    return options;
  }
};
} // namespace

void mlir::quantx::registerCPUPipelines() {
  PassPipelineRegistration<KernelStageOptions>(
      "quantx-cpu-kernels",
      "quant-run's first stage: upstream !quant IR to quantx, then the "
      "convolutions, matmuls and poolings to quant-x's kernel calls",
      [](OpPassManager &pm, const KernelStageOptions &options) {
        buildKernelStage(pm, options.toCompileOptions());
      });
  PassPipelineRegistration<>(
      "quantx-tosa-to-linalg",
      "quant-run's second stage: the remaining TOSA to linalg, arith and "
      "tensor",
      buildTosaToLinalgPipeline);
  PassPipelineRegistration<>(
      "quantx-linalg-to-llvm",
      "quant-run's third stage: quantx to arith, bufferization, kernel calls "
      "to calls, loops, and everything to the LLVM dialect",
      buildLowerToLLVMPipeline);
  PassPipelineRegistration<KernelStageOptions>(
      "quantx-lower-to-llvm",
      "The three stages in one: a model as quant-opt emits it to the LLVM "
      "dialect quant-run JIT-compiles (mlir-translate --mlir-to-llvmir "
      "makes it LLVM IR)",
      [](OpPassManager &pm, const KernelStageOptions &options) {
        buildKernelStage(pm, options.toCompileOptions());
        buildTosaToLinalgPipeline(pm);
        buildLowerToLLVMPipeline(pm);
      });
}
