//===- GpuKernels.h - quant-x's kernels for NVIDIA tensor cores -*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The GPU counterpart of the CPU runtime kernels (quant-x/Runtime/Kernels.h):
// kernels that read the same int64 parameter array and the same packed
// operands, built as MLIR (gpu, nvvm, scf, arith, llvm) and compiled to PTX
// in-process; their names and launch geometry are in
// quant-x/Runtime/GpuKernelCalls.h. docs/GPU.md describes the tiling and the
// numerics.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_GPUKERNELS_GPUKERNELS_H
#define QUANTX_CONVERSION_GPUKERNELS_GPUKERNELS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::quantx {

inline constexpr llvm::StringLiteral kGpuKernelModuleName = "quantx_gpu";

/// Sends every `quantx.kernel_call` of a CPU kernel that a GPU entry point
/// stands in for (qk::getCpuCounterpart: the int8 conv, depthwise conv, max
/// and average pooling and add) to that entry point, where its parameters
/// are ones the GPU kernel takes (qk::checkParams with the GPU's kind);
/// whether there was one. The rest of
/// `quantx-lower-to-gpu`, for embedders that lower to kernel calls
/// themselves.
bool sendKernelCallsToGpu(ModuleOp module);

/// Replaces each residual add of `module` that the GPU's add kernel
/// computes (signed int8 operands each rescaled to int32 with no output
/// zero point or clamp, their tosa.add, the sum rescaled to signed int8;
/// multipliers per tensor or per channel of the last dimension, each
/// rescale read only by the next) with a call of quantx_gpu_add_s8; whether
/// it replaced one. Part of `quantx-lower-to-gpu`, run before
/// sendKernelCallsToGpu.
bool fuseResidualAddsForGpu(ModuleOp module);

/// Replaces each int8 tosa.avg_pool2d of `module` (static NHWC, int32
/// accumulator, constant zero points) with a call of
/// quantx_gpu_avgpool_s8; whether it replaced one. Part of
/// `quantx-lower-to-gpu`.
bool lowerAvgPoolsForGpu(ModuleOp module);

/// Sets kDeviceResidency in the params of the GPU kernel calls (after
/// sendKernelCallsToGpu) whose result only GPU kernel calls read, each as
/// its activation: the producer's kResidentOutput, the readers'
/// kResidentInput. Such a result stays in device memory, with no copy to
/// the host and back between the two calls.
void markDeviceResidentActivations(ModuleOp module);

/// Registers what building and compiling the GPU kernels needs: the gpu,
/// nvvm, scf, arith and llvm dialects, the NVVM target and the translations
/// to LLVM IR.
void registerGpuKernelDialects(DialectRegistry &registry);

/// Appends gpu.module @quantx_gpu with every kernel to `module`, which
/// becomes a gpu.container_module.
void buildGpuKernels(OpBuilder &builder, ModuleOp module);

/// The int8 conv kernel's per-thread work as host functions, for the CPU
/// check of its tiling (unittests/Integration/GpuTilingTest.cpp), built
/// from the same code as the kernel:
///   quantx_conv_s8_stage(input, weights, params, image, blockX, blockY,
///                        thread, k0, shared): the thread's part of the
///     shared tiles of the stage at k0 (kConvStageK k), loaded from the
///     input and the weights (packGpuWeights' layout) and stored into
///     `shared` (kConvSharedBytes);
///   quantx_conv_s8_ldmatrix_offsets(thread, kk, out): out[0 ..
///     kConvLdMatrixCalls) = the shared-memory byte offsets the lane gives
///     its warp's ldmatrix.x4 calls for the mma step at kk within a stage;
///   quantx_conv_s8_epilogue(bias, requant, params, output, image, blockX,
///                           blockY, thread, sums): stores the lane's C
///     fragments, sums[0 .. kConvAccumulators), as the kernel does.
/// Pointers are !llvm.ptr, the ids, k0 and kk i64, the offsets i64
/// (quant-x/Runtime/GpuKernelCalls.h has the sizes).
void buildConvS8LaneFunctions(OpBuilder &builder, ModuleOp module);

/// The depthwise and max-pooling kernels' per-thread work as host
/// functions, built from the same code, for the same check
/// (unittests/Integration/GpuWindowKernelsTest.cpp):
///   quantx_depthwise_s8_thread(input, weights, bias, requant, params,
///                              output, image, blockX, thread),
///   quantx_maxpool_s8_thread(...), quantx_avgpool_s8_thread(...): compute
///     and store the thread's output element as the kernel does.
void buildWindowThreadFunctions(OpBuilder &builder, ModuleOp module);

/// The add kernel's per-thread work as a host function, built from the same
/// code, for the same check: quantx_add_s8_thread(first, second, table,
/// unused, params, output, blockX, thread) computes and stores the thread's
/// element as the kernel does.
void buildAddThreadFunction(OpBuilder &builder, ModuleOp module);

/// The kernels' requantization of one int32 accumulator (bias included):
/// quant-x's dyadic rescale with multiplier and shift read at run time,
/// double rounding, or single where `singleRounding` (i1) holds, then the
/// zero point added and the clamp [lo, hi] (i64 values); an i8. The same
/// arithmetic as the CPU's reference lowering (DyadicEmitter.h), checked on
/// the CPU by unittests/Integration/GpuEpilogueTest.cpp.
Value emitGpuRequantize(OpBuilder &b, Location loc, Value x, Value multiplier,
                        Value shift, Value singleRounding, Value zeroPoint,
                        Value lo, Value hi);

/// Its rescale alone: `x` (i32) times the dyadic multiplier, rounded once
/// where `singleRounding` holds, else twice; saturated to i32.
Value emitGpuRescale(OpBuilder &b, Location loc, Value x, Value multiplier,
                     Value shift, Value singleRounding);

/// What the kernels are compiled to: PTX text (portable: PTX for sm_80
/// also runs on every later GPU, whose driver compiles it when it loads),
/// or a cubin for one SM, assembled by the CUDA toolkit's ptxas (loads
/// without the driver's compilation, and runs only on that SM's family).
enum class GpuBinaryFormat { Ptx, Cubin };

/// What the kernels are compiled for.
struct GpuTargetOptions {
  /// The SM (getPtxFeatures must know it).
  std::string chip = "sm_80";
  GpuBinaryFormat format = GpuBinaryFormat::Ptx;
  /// Cubin only: the CUDA toolkit whose bin/ptxas assembles it
  /// (findCudaToolkit).
  std::string toolkitPath;
};

/// The CUDA toolkit a cubin can be assembled with: $QUANTX_CUDA_TOOLKIT
/// where it is set (if it has bin/ptxas; set and empty means none), else
/// the first of $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH and /usr/local/cuda that
/// has an executable bin/ptxas, else the folder above the ptxas on $PATH;
/// none without ptxas.
std::optional<std::string> findCudaToolkit();

/// The PTX ISA version to compile for `chip` with: the oldest that LLVM
/// 22's NVPTX back end accepts for it ("+ptx80" for sm_80 to sm_90a,
/// "+ptx86" for sm_100, ...), given explicitly because the NVVM target's
/// default, PTX 6.0, is a fatal LLVM error with sm_90 and later
/// (../shared/GPU-NOTES.md). None for an SM without int8 mma.sync m16n8k32
/// (before sm_80) or one LLVM does not know: compiling for it would abort.
std::optional<std::string> getPtxFeatures(llvm::StringRef chip);

/// The SMs getPtxFeatures knows, for messages.
std::string getKnownGpuChips();

/// The kernels, compiled in-process to `options.format`: PTX needs no
/// CUDA at all; a cubin runs the toolkit's ptxas.
FailureOr<std::string> compileGpuKernels(MLIRContext *context,
                                         const GpuTargetOptions &options);

/// `module`'s gpu.module (a gpu.container_module holding one, as
/// buildGpuKernels makes it), compiled in place to `options.format`.
FailureOr<std::string> serializeGpuKernels(ModuleOp module,
                                           const GpuTargetOptions &options);

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_GPUKERNELS_GPUKERNELS_H
