//===- CudaDriver.h - the CUDA driver API through dlopen --------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quant-x's GPU runtime talks to the CUDA driver (libcuda.so.1) through
// dlopen, never by linking it: quant-x then builds without CUDA and its CPU
// path runs on machines without a driver, and the toolkit's stub library
// (lib64/stubs/libcuda.so, which answers every call with
// CUDA_ERROR_STUB_LIBRARY) never ends up in a binary. The types are the
// driver API's own, declared here so that no CUDA header is needed.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_CUDADRIVER_H
#define QUANTX_RUNTIME_CUDADRIVER_H

#include "llvm/Support/Error.h"

#include <cstddef>
#include <string>

namespace quantx::gpu {

// The driver API's types, as cuda.h declares them.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

constexpr CUresult kCudaSuccess = 0;

/// The entry points quant-x uses. The unversioned names stand for the _v2
/// symbols where the driver has both (64-bit device pointers).
struct CudaDriverApi {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDriverGetVersion)(int *version);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDeviceGetName)(char *name, int length, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext context);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *module, const void *image);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module,
                                  const char *name);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned gridX,
                             unsigned gridY, unsigned gridZ, unsigned blockX,
                             unsigned blockY, unsigned blockZ,
                             unsigned sharedBytes, CUstream stream,
                             void **params, void **extra);
  CUresult (*cuMemAlloc)(CUdeviceptr *pointer, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr pointer);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr to, const void *from, size_t bytes);
  CUresult (*cuMemcpyDtoH)(void *to, CUdeviceptr from, size_t bytes);
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  /// Events, for QUANTX_KERNEL_PROFILE's kernel times only: null where the
  /// driver lacks them. cuEventElapsedTime is the _v2 symbol where there is
  /// one (CUDA 12.8 and later), cuEventDestroy always.
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags);
  CUresult (*cuEventRecord)(CUevent event, CUstream stream);
  CUresult (*cuEventSynchronize)(CUevent event);
  CUresult (*cuEventElapsedTime)(float *milliseconds, CUevent start,
                                 CUevent end);
  CUresult (*cuEventDestroy)(CUevent event);

  /// Whether the event entry points are all there.
  bool hasEvents() const {
    return cuEventCreate && cuEventRecord && cuEventSynchronize &&
           cuEventElapsedTime && cuEventDestroy;
  }
};

/// The GPU quant-x runs on: device 0 with its primary context current on
/// the thread that opened it.
struct CudaDevice {
  CudaDriverApi api;
  CUdevice device = 0;
  CUcontext context = nullptr;
  std::string name;
  /// Compute capability, e.g. 9.0 for an H100.
  int major = 0, minor = 0;
  /// The driver's CUDA version, e.g. 12040 for 12.4.
  int driverVersion = 0;
};

/// No GPU can be used here: no driver, the toolkit's stub, no device, a
/// driver too old. Tools exit with 77 (the convention for "skipped") on
/// this error and with 1 on any other.
class GpuUnavailableError : public llvm::ErrorInfo<GpuUnavailableError> {
public:
  static char ID;
  explicit GpuUnavailableError(std::string reason)
      : reason(std::move(reason)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
  const std::string &getReason() const { return reason; }

private:
  std::string reason;
};

/// Loads `driverPath` (empty: $QUANTX_CUDA_DRIVER if set, else
/// "libcuda.so.1"), resolves every entry point and opens device 0. Each call
/// loads afresh; getCudaDevice() keeps one for the process.
llvm::Expected<CudaDevice> openCudaDevice(const std::string &driverPath = "");

/// The process's device, opened once (thread-safe); the error, if any, is
/// the same on every call.
llvm::Expected<const CudaDevice &> getCudaDevice();

/// "cuModuleLoadData: CUDA_ERROR_INVALID_PTX (218)", or an Error of that
/// text for a failed `result`, success otherwise.
llvm::Error checkCuda(const CudaDriverApi &api, CUresult result,
                      const char *call);

} // namespace quantx::gpu

#endif // QUANTX_RUNTIME_CUDADRIVER_H
