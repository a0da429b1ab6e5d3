//===- GpuKernelCalls.h - the CPU kernel ABI, run on the GPU ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// `quant-run --target gpu` compiles a model as for the CPU, with the generic
// ISA's packed weights, its int8 conv, depthwise and max-pooling calls sent
// to quantx_gpu_conv_s8, _depthwise_s8 and _maxpool_s8: each call the GPU
// kernels cover runs there (operands copied to the device and the result
// back); the rest runs on the CPU. docs/GPU.md.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_GPUKERNELCALLS_H
#define QUANTX_RUNTIME_GPUKERNELCALLS_H

#include "quant-x/Runtime/CudaDriver.h"
#include "quant-x/Runtime/Kernels.h"

#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

namespace quantx::gpu {

/// Loads the kernels' PTX or cubin (mlir::quantx::compileGpuKernels) on
/// `device`; the GPU entry points launch them from then on. `device` must
/// outlive the process's GPU calls: a later load frees the earlier model's
/// device memory through it (quant-run opens one device for the process).
llvm::Error loadGpuKernels(const CudaDevice &device, const std::string &ptx);

/// Whether GPU entry point `kind` (KernelKind::GpuConvS8, GpuDepthwiseS8,
/// GpuMaxPoolS8 or GpuAddS8) runs the call `params` describes on the GPU:
/// checkParams takes it for that kind (the conv kernel: the generic ISA's int8
/// panels, no weight zero point, no low-bit packing, weights shared by the
/// batch), with the call's buffers in `spec`, and its grid is within the
/// driver's limits. Others run on the CPU kernel.
bool runsOnGpu(kernels::KernelKind kind, const int64_t *params,
               kernels::CallSpec &spec);

/// The grid (x, y, z) and the threads per block of a launch of kernel
/// `kind` for the call `params` describes.
struct LaunchShape {
  int64_t grid[3];
  int64_t block;
};
LaunchShape getLaunchShape(kernels::KernelKind kind, const int64_t *params);

/// The first failure of a GPU kernel call since the last take, or success.
/// A failed call falls back to the CPU kernel, so that the model's outputs
/// stay complete; the caller reports the error.
llvm::Error takeGpuKernelError();

/// How many calls of the GPU entry points ran on the GPU and on the CPU
/// since the process started, and how many of the GPU's read their input
/// where an earlier call left it in device memory (kResidentInput), with
/// no copy.
struct GpuCallCounts {
  int64_t gpu = 0, cpu = 0, residentInputs = 0;
};
GpuCallCounts getGpuCallCounts();

/// The int8 conv/matmul kernel, as compileGpuKernels builds it:
/// `quantx_conv_s8(input, weights, bias, requant, params, output)`, device
/// pointers to quantx_kernel_conv_s8's operands, the weights in the layout
/// of packGpuWeights. A block is kConvWarpsM x kConvWarpsN warps; each warp
/// computes kConvWarpTilesM x kConvWarpTilesN tiles of mma.sync m16n8k32
/// (16 output pixels by 8 output channels each), reusing each A fragment for
/// a row of tiles and each B fragment for a column. A block thus covers
/// kConvBlockRows pixels by kConvBlockCols channels; the grid is
/// (ceil(M / kConvBlockRows), ceil(N / kConvBlockCols), batch).
inline constexpr const char *kConvS8KernelName = "quantx_conv_s8";
inline constexpr int64_t kConvWarpsM = 2, kConvWarpsN = 2;
inline constexpr int64_t kConvWarpTilesM = 2, kConvWarpTilesN = 4;
/// The k of one mma.sync m16n8k32.
inline constexpr int64_t kConvStepK = 32;
inline constexpr int64_t kConvBlockThreads = 32 * kConvWarpsM * kConvWarpsN;
inline constexpr int64_t kConvBlockRows = 16 * kConvWarpTilesM * kConvWarpsM;
inline constexpr int64_t kConvBlockCols = 8 * kConvWarpTilesN * kConvWarpsN;
/// A lane's registers per k step: four A registers per row of tiles, two B
/// registers per column; and its accumulators, four per tile.
inline constexpr int64_t kConvFragmentRegisters =
    4 * kConvWarpTilesM + 2 * kConvWarpTilesN;
inline constexpr int64_t kConvAccumulators =
    4 * kConvWarpTilesM * kConvWarpTilesN;

/// The conv kernel's shared memory. Per stage of kConvStageK k, the block's
/// threads copy its A tile (kConvBlockRows pixels) and B tile
/// (kConvBlockCols channels) there, each row of kConvStageK bytes at a
/// stride of kConvSharedRowBytes (16 bytes of padding, so that the eight
/// rows an ldmatrix reads fall in distinct banks), A's rows first. Each
/// warp then loads its fragments with kConvLdMatrixCalls ldmatrix.x4 per
/// mma k step: one per row of tiles, one per two columns.
inline constexpr int64_t kConvStageK = 2 * kConvStepK;
inline constexpr int64_t kConvSharedRowBytes = kConvStageK + 16;
inline constexpr int64_t kConvSharedBytes =
    (kConvBlockRows + kConvBlockCols) * kConvSharedRowBytes;
inline constexpr int64_t kConvLdMatrixCalls =
    kConvWarpTilesM + kConvWarpTilesN / 2;
static_assert(kConvWarpTilesN % 2 == 0, "ldmatrix.x4 loads two B tiles");
static_assert(kConvBlockThreads % (kConvStageK / 4) == 0 &&
                  kConvBlockRows % (kConvBlockThreads / (kConvStageK / 4)) == 0,
              "each thread stages whole words of A rows");
static_assert(kConvBlockThreads % (kConvStageK / 16) == 0 &&
                  kConvBlockCols % (kConvBlockThreads / (kConvStageK / 16)) ==
                      0,
              "each thread stages whole 16-byte chunks of B rows");

/// The int8 depthwise and max-pooling kernels: `quantx_depthwise_s8(...)`
/// and `quantx_maxpool_s8(...)` with their CPU kernels' operands, one
/// thread per output element (channels fastest), kWindowBlockThreads a
/// block, the grid (ceil(M N / kWindowBlockThreads), 1, batch).
inline constexpr const char *kDepthwiseS8KernelName = "quantx_depthwise_s8";
inline constexpr const char *kMaxPoolS8KernelName = "quantx_maxpool_s8";
/// The int8 average pooling, the same way: `quantx_avgpool_s8(...)`.
inline constexpr const char *kAvgPoolS8KernelName = "quantx_avgpool_s8";
inline constexpr int64_t kWindowBlockThreads = 256;
/// The requantized int8 add: `quantx_add_s8(first, second, table, unused,
/// params, output)`, quantx_kernel_add_s8's operands, one thread per
/// element, kWindowBlockThreads a block, the grid (ceil(elements /
/// kWindowBlockThreads), 1, 1).
inline constexpr const char *kAddS8KernelName = "quantx_add_s8";
/// The kernel behind each GPU entry point, in KernelKind order from
/// KernelKind::GpuConvS8.
inline constexpr const char *kGpuKernelNames[] = {
    kConvS8KernelName, kDepthwiseS8KernelName, kMaxPoolS8KernelName,
    kAddS8KernelName, kAvgPoolS8KernelName};
static_assert(std::size(kGpuKernelNames) == kernels::kNumGpuKernelSymbols);
/// kGpuKernelNames' index of GPU entry point `kind`.
inline size_t getGpuKernelIndex(kernels::KernelKind kind) {
  return size_t(kind) - size_t(kernels::KernelKind::GpuConvS8);
}

/// The GPU kernel's weight layout: W[N'][K'] row-major int8, N rounded up
/// to kConvBlockCols and K to kConvStageK, zeros in the padding. A stage's
/// 16 bytes of one channel are then one aligned 128-bit load, and no weight
/// load needs a bounds check.
inline int64_t getGpuWeightRows(int64_t n) {
  return (n + kConvBlockCols - 1) / kConvBlockCols * kConvBlockCols;
}
inline int64_t getGpuWeightDepth(int64_t k) {
  return (k + kConvStageK - 1) / kConvStageK * kConvStageK;
}
/// The weights of the conv `params` describes, from the generic ISA's
/// panels (packWeightsS8 with Isa::Generic) into that layout.
std::vector<int8_t> packGpuWeights(const int64_t *params, const void *panels);

} // namespace quantx::gpu

extern "C" {
/// quantx_kernel_conv_s8's signature and meaning (quant-x/Runtime/Kernels.h).
void quantx_gpu_conv_s8(const void *input, const void *weights,
                        const void *bias, const void *requant,
                        const int64_t *params, void *output);
/// quantx_kernel_depthwise_s8's and quantx_kernel_maxpool_s8's.
void quantx_gpu_depthwise_s8(const void *input, const void *weights,
                             const void *bias, const void *requant,
                             const int64_t *params, void *output);
void quantx_gpu_maxpool_s8(const void *input, const void *weights,
                           const void *bias, const void *requant,
                           const int64_t *params, void *output);
/// quantx_kernel_add_s8's and quantx_kernel_avgpool_s8's.
void quantx_gpu_add_s8(const void *input, const void *weights, const void *bias,
                       const void *requant, const int64_t *params,
                       void *output);
void quantx_gpu_avgpool_s8(const void *input, const void *weights,
                           const void *bias, const void *requant,
                           const int64_t *params, void *output);
}

#endif // QUANTX_RUNTIME_GPUKERNELCALLS_H
