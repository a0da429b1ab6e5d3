//===- DeviceMemory.h - device buffers of the GPU runtime -------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The two ways GpuKernelCalls.cpp holds device memory: buffers that live as
// long as a model (its constants, the activations kept on the device) and
// scratch buffers reused by every call. Internal to QuantXGpuRuntime.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_GPU_DEVICEMEMORY_H
#define QUANTX_LIB_RUNTIME_GPU_DEVICEMEMORY_H

#include "quant-x/Runtime/CudaDriver.h"

#include <vector>

namespace quantx::gpu {

/// Device memory, freed with this object: a model's constants, and the
/// results its calls keep on the device.
class DeviceBuffers {
public:
  explicit DeviceBuffers(const CudaDriverApi &api) : api(api) {}
  ~DeviceBuffers() {
    for (CUdeviceptr pointer : owned)
      api.cuMemFree(pointer);
  }

  llvm::Expected<CUdeviceptr> allocate(size_t bytes) {
    CUdeviceptr pointer = 0;
    // A zero-byte operand (no requantization table) still gets a valid
    // address.
    if (llvm::Error error = checkCuda(
            api, api.cuMemAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc"))
      return std::move(error);
    owned.push_back(pointer);
    return pointer;
  }

  llvm::Expected<CUdeviceptr> copyIn(const void *host, size_t bytes) {
    llvm::Expected<CUdeviceptr> pointer = allocate(bytes);
    if (!pointer || bytes == 0)
      return pointer;
    if (llvm::Error error = checkCuda(
            api, api.cuMemcpyHtoD(*pointer, host, bytes), "cuMemcpyHtoD"))
      return std::move(error);
    return pointer;
  }

private:
  const CudaDriverApi &api;
  std::vector<CUdeviceptr> owned;
};

/// Device memory for one operand of every call (an input or a result),
/// kept between calls and grown when a call needs more: an allocation and a
/// free per call would cost more than a small layer's kernel.
class ScratchBuffer {
public:
  explicit ScratchBuffer(const CudaDriverApi &api) : api(api) {}
  ~ScratchBuffer() {
    if (pointer)
      api.cuMemFree(pointer);
  }

  /// At least `bytes` of device memory (at least one byte: a valid address).
  llvm::Expected<CUdeviceptr> get(size_t bytes) {
    if (pointer && bytes <= capacity)
      return pointer;
    if (pointer)
      api.cuMemFree(pointer);
    pointer = 0;
    capacity = 0;
    if (llvm::Error error = checkCuda(
            api, api.cuMemAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc"))
      return std::move(error);
    capacity = bytes;
    return pointer;
  }

private:
  const CudaDriverApi &api;
  CUdeviceptr pointer = 0;
  size_t capacity = 0;
};

} // namespace quantx::gpu

#endif // QUANTX_LIB_RUNTIME_GPU_DEVICEMEMORY_H
