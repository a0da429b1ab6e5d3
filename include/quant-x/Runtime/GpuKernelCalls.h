//===- GpuKernelCalls.h - the CPU kernel ABI, run on the GPU ----*- C++ -*-===//
//
// `quant-run --target gpu` compiles a model as for the CPU, with the generic
// ISA's packed weights, and binds quantx_kernel_conv_s8 to
// quantx_gpu_conv_s8: each int8 convolution and matmul the GPU kernel covers
// runs there (operands copied to the device and the result back); the rest
// runs on the CPU. docs/GPU.md.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_GPUKERNELCALLS_H
#define QUANTX_RUNTIME_GPUKERNELCALLS_H

#include "quant-x/Runtime/CudaDriver.h"

#include <cstdint>
#include <string>

namespace quantx::gpu {

/// Loads the kernels' PTX (mlir::quantx::compileGpuKernelsToPtx) on
/// `device`; quantx_gpu_conv_s8 launches them from then on.
llvm::Error loadGpuKernels(const CudaDevice &device, const std::string &ptx);

/// Whether the GPU kernel takes the convolution `params` describes: the
/// generic ISA's int8 panels, no weight zero point, no low-bit packing,
/// weights shared by the batch. Others run on the CPU kernel.
bool runsOnGpu(const int64_t *params);

/// The first failure of a GPU kernel call since the last take, or success.
/// A failed call falls back to the CPU kernel, so that the model's outputs
/// stay complete; the caller reports the error.
llvm::Error takeGpuKernelError();

/// How many convolutions ran on the GPU and on the CPU since the process
/// started.
struct GpuCallCounts {
  int64_t gpu = 0, cpu = 0;
};
GpuCallCounts getGpuCallCounts();

/// The int8 conv/matmul kernel, as compileGpuKernelsToPtx builds it:
/// `quantx_conv_s8(input, weights, bias, requant, params, output)`, device
/// pointers to quantx_kernel_conv_s8's operands; 4 warps of 32 threads, each
/// warp one 16 x 8 tile of mma.sync m16n8k32, a block 64 output pixels by 8
/// output channels, the grid (ceil(M / 64), ceil(N / 8), batch).
inline constexpr const char *kConvS8KernelName = "quantx_conv_s8";
inline constexpr int64_t kConvBlockThreads = 128;
inline constexpr int64_t kConvBlockRows = 64;
inline constexpr int64_t kConvBlockCols = 8;

} // namespace quantx::gpu

extern "C" {
/// quantx_kernel_conv_s8's signature and meaning (quant-x/Runtime/Kernels.h).
void quantx_gpu_conv_s8(const void *input, const void *weights,
                        const void *bias, const void *requant,
                        const int64_t *params, void *output);
}

#endif // QUANTX_RUNTIME_GPUKERNELCALLS_H
