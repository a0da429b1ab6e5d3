//===- CPUPipeline.h - quantx/linalg on tensors to a CPU JIT ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The reference CPU path: quantx lowering, bufferization, loops, LLVM, JIT.
// Integration tests and quant-run use it to execute what quant-opt emits.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_EXECUTIONENGINE_CPUPIPELINE_H
#define QUANTX_EXECUTIONENGINE_CPUPIPELINE_H

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"
#include "llvm/ADT/StringMap.h"

#include <functional>

namespace mlir::quantx {

/// Registers the dialects the CPU pipeline consumes and produces, and their
/// LLVM IR translations.
void registerCPUPipelineDialects(DialectRegistry &registry);

/// Adds upstream's TOSA lowering (float and integer TOSA, `tosa.rescale`
/// included) to linalg, arith and tensor on every function.
void buildTosaToLinalgPipeline(OpPassManager &pm);

/// Adds the passes taking a module of quantx, linalg, tensor, arith and math
/// on tensors (public functions over tensors) to the LLVM dialect. Function
/// results become trailing out-parameters and every function gets a C
/// interface wrapper (`_mlir_ciface_<name>`).
void buildLowerToLLVMPipeline(OpPassManager &pm);

struct CPUCompileOptions {
  /// ISA of the conv/matmul kernels (`quantx-lower-to-kernels`): "host" (the
  /// best this CPU runs), "avx512vnni", "avx2", "generic", or "none" for the
  /// reference lowering of every op to loops; "gpu" for
  /// `quantx-lower-to-gpu`: the int8 convolutions and matmuls on the GPU's
  /// kernels (gpuKernelLoader), the rest on the CPU.
  std::string kernelIsa = "host";
  /// With kernelIsa "gpu": what the GPU kernels are compiled to (PTX for
  /// sm_80 by default, or a cubin), and the loader of the image (called
  /// once, when the model calls any) that puts them where the calls will
  /// find them.
  GpuTargetOptions gpuTarget;
  std::function<LogicalResult(StringRef image)> gpuKernelLoader;
  /// LLVM optimization level (0 to 3) of the JIT-compiled code. Calibration
  /// runs a model a few times, so compile time matters more than speed.
  unsigned optLevel = 3;
  /// Largest tensor, in MiB, the compiled model may materialize (checked
  /// before compiling).
  uint64_t maxTensorMB = kDefaultMaxTensorMB;
  /// Host functions the compiled code may call, by symbol name (an external
  /// function of the module with `llvm.emit_c_interface` calls
  /// `_mlir_ciface_<name>`).
  llvm::StringMap<void *> hostSymbols;
};

/// Adds `quantx-lower-to-kernels` for `options` (nothing for "none",
/// `quantx-lower-to-gpu` for "gpu").
void buildLowerToKernelsPipeline(OpPassManager &pm,
                                 const CPUCompileOptions &options);

/// compileForHostCPU's first stage: `quantx-import-quant` (upstream !quant
/// IR to quantx), then buildLowerToKernelsPipeline. Then come
/// buildTosaToLinalgPipeline and buildLowerToLLVMPipeline.
void buildKernelStage(OpPassManager &pm, const CPUCompileOptions &options);

/// Registers the stages under names, for quant-opt: quantx-cpu-kernels
/// {kernels=ISA}, quantx-tosa-to-linalg, quantx-linalg-to-llvm, and the three
/// in one, quantx-lower-to-llvm{kernels=ISA} (docs/Passes.md).
void registerCPUPipelines();

/// Lowers `module` (TOSA, quantx, linalg on tensors) in place and
/// JIT-compiles it for the host at -O3, with the runtime kernels linked in.
FailureOr<std::unique_ptr<ExecutionEngine>>
compileForHostCPU(ModuleOp module, const CPUCompileOptions &options = {});

} // namespace mlir::quantx

#endif // QUANTX_EXECUTIONENGINE_CPUPIPELINE_H
