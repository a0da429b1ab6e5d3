//===- CudaDriver.cpp - the CUDA driver API through dlopen ----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/CudaDriver.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <dlfcn.h>

using namespace quantx::gpu;

char GpuUnavailableError::ID = 0;

void GpuUnavailableError::log(llvm::raw_ostream &os) const {
  os << "no usable GPU: " << reason;
}

std::error_code GpuUnavailableError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

static llvm::Error unavailable(const llvm::Twine &reason) {
  return llvm::make_error<GpuUnavailableError>(reason.str());
}

/// The names of the results a machine without a usable GPU, or a failed
/// load or launch, gives most (cuda.h's CUresult), for drivers that cannot
/// name them: the toolkit's stub answers cuGetErrorName with an error too.
static const char *getKnownResultName(CUresult result) {
  switch (result) {
  case 1:
    return "CUDA_ERROR_INVALID_VALUE";
  case 2:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case 3:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case 34:
    return "CUDA_ERROR_STUB_LIBRARY";
  case 35: // before CUDA 13
    return "CUDA_ERROR_INSUFFICIENT_DRIVER";
  case 36:
    return "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER";
  case 46:
    return "CUDA_ERROR_DEVICE_UNAVAILABLE";
  case 100:
    return "CUDA_ERROR_NO_DEVICE";
  case 101:
    return "CUDA_ERROR_INVALID_DEVICE";
  case 200:
    return "CUDA_ERROR_INVALID_IMAGE";
  case 201:
    return "CUDA_ERROR_INVALID_CONTEXT";
  case 209:
    return "CUDA_ERROR_NO_BINARY_FOR_GPU";
  case 218:
    return "CUDA_ERROR_INVALID_PTX";
  case 222:
    return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
  case 304:
    return "CUDA_ERROR_OPERATING_SYSTEM";
  case 500:
    return "CUDA_ERROR_NOT_FOUND";
  case 700:
    return "CUDA_ERROR_ILLEGAL_ADDRESS";
  case 701:
    return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
  case 719:
    return "CUDA_ERROR_LAUNCH_FAILED";
  case 803:
    return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
  case 804:
    return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
  case 999:
    return "CUDA_ERROR_UNKNOWN";
  default:
    return nullptr;
  }
}

/// "CUDA_ERROR_NO_DEVICE (100)", or the number alone where neither the
/// driver nor quant-x can name it.
static std::string describeResult(const CudaDriverApi &api, CUresult result) {
  const char *name = nullptr;
  if (api.cuGetErrorName && api.cuGetErrorName(result, &name) != kCudaSuccess)
    name = nullptr;
  if (!name)
    name = getKnownResultName(result);
  std::string text = name ? std::string(name) + " " : std::string();
  return text + "(" + std::to_string(result) + ")";
}

llvm::Error quantx::gpu::checkCuda(const CudaDriverApi &api, CUresult result,
                                   const char *call) {
  if (result == kCudaSuccess)
    return llvm::Error::success();
  return llvm::createStringError(std::string(call) + ": " +
                                 describeResult(api, result));
}

namespace {
/// One entry point: the name to look up and where its address goes.
struct Symbol {
  const char *name;
  void **slot;
};
} // namespace

/// Every entry point of `api` resolved in `library`, or the first missing.
static llvm::Error resolve(void *library, CudaDriverApi &api) {
  auto slot = [](auto &pointer) { return reinterpret_cast<void **>(&pointer); };
  const Symbol symbols[] = {
      {"cuInit", slot(api.cuInit)},
      {"cuDriverGetVersion", slot(api.cuDriverGetVersion)},
      {"cuDeviceGetCount", slot(api.cuDeviceGetCount)},
      {"cuDeviceGet", slot(api.cuDeviceGet)},
      {"cuDeviceGetAttribute", slot(api.cuDeviceGetAttribute)},
      {"cuDeviceGetName", slot(api.cuDeviceGetName)},
      {"cuDevicePrimaryCtxRetain", slot(api.cuDevicePrimaryCtxRetain)},
      {"cuCtxSetCurrent", slot(api.cuCtxSetCurrent)},
      {"cuCtxSynchronize", slot(api.cuCtxSynchronize)},
      {"cuModuleLoadData", slot(api.cuModuleLoadData)},
      {"cuModuleUnload", slot(api.cuModuleUnload)},
      {"cuModuleGetFunction", slot(api.cuModuleGetFunction)},
      {"cuLaunchKernel", slot(api.cuLaunchKernel)},
      {"cuMemAlloc_v2", slot(api.cuMemAlloc)},
      {"cuMemFree_v2", slot(api.cuMemFree)},
      {"cuMemcpyHtoD_v2", slot(api.cuMemcpyHtoD)},
      {"cuMemcpyDtoH_v2", slot(api.cuMemcpyDtoH)},
      {"cuGetErrorName", slot(api.cuGetErrorName)},
  };
  for (const Symbol &symbol : symbols) {
    *symbol.slot = dlsym(library, symbol.name);
    if (!*symbol.slot)
      return unavailable(llvm::Twine("the CUDA driver has no ") + symbol.name +
                         " (a driver older than CUDA 4, or not a CUDA "
                         "driver)");
  }
  // Optional: only the profile's kernel times use them.
  *slot(api.cuEventCreate) = dlsym(library, "cuEventCreate");
  *slot(api.cuEventRecord) = dlsym(library, "cuEventRecord");
  *slot(api.cuEventSynchronize) = dlsym(library, "cuEventSynchronize");
  *slot(api.cuEventDestroy) = dlsym(library, "cuEventDestroy_v2");
  void *elapsed = dlsym(library, "cuEventElapsedTime_v2");
  *slot(api.cuEventElapsedTime) =
      elapsed ? elapsed : dlsym(library, "cuEventElapsedTime");
  return llvm::Error::success();
}

// Device attributes (CUdevice_attribute).
constexpr int kComputeCapabilityMajor = 75, kComputeCapabilityMinor = 76;

llvm::Expected<CudaDevice>
quantx::gpu::openCudaDevice(const std::string &driverPath) {
  std::string path = driverPath;
  if (path.empty()) {
    const char *fromEnv = std::getenv("QUANTX_CUDA_DRIVER");
    path = fromEnv && *fromEnv ? fromEnv : "libcuda.so.1";
  }
  // Never closed: the driver stays loaded for the process, as the device
  // memory and modules it hands out would not survive its unloading.
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    return unavailable("cannot load the CUDA driver " + path + ": " +
                       (why ? why : "unknown error"));
  }
  CudaDevice device;
  CudaDriverApi &api = device.api;
  if (llvm::Error error = resolve(library, api))
    return std::move(error);
  // Every failure up to a current context means the GPU cannot be used
  // here: the toolkit's stub (CUDA_ERROR_STUB_LIBRARY), no device, a
  // driver older than the kernel module, a container without /dev/nvidia*.
  auto opening = [&](CUresult result, const char *call) -> llvm::Error {
    if (result == kCudaSuccess)
      return llvm::Error::success();
    return unavailable(llvm::Twine(call) + " failed with " +
                       describeResult(api, result) + " (driver " + path + ")");
  };
  if (llvm::Error error = opening(api.cuInit(0), "cuInit"))
    return std::move(error);
  int count = 0;
  if (llvm::Error error =
          opening(api.cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return std::move(error);
  if (count < 1)
    return unavailable("the CUDA driver " + path + " sees no device");
  if (llvm::Error error =
          opening(api.cuDeviceGet(&device.device, 0), "cuDeviceGet"))
    return std::move(error);
  char name[256] = {};
  if (llvm::Error error =
          opening(api.cuDeviceGetName(name, sizeof(name) - 1, device.device),
                  "cuDeviceGetName"))
    return std::move(error);
  device.name = name;
  if (llvm::Error error =
          opening(api.cuDeviceGetAttribute(
                      &device.major, kComputeCapabilityMajor, device.device),
                  "cuDeviceGetAttribute"))
    return std::move(error);
  if (llvm::Error error =
          opening(api.cuDeviceGetAttribute(
                      &device.minor, kComputeCapabilityMinor, device.device),
                  "cuDeviceGetAttribute"))
    return std::move(error);
  if (llvm::Error error = opening(api.cuDriverGetVersion(&device.driverVersion),
                                  "cuDriverGetVersion"))
    return std::move(error);
  // int8 mma.sync m16n8k32 needs compute capability 8.0.
  if (device.major < 8)
    return unavailable(device.name + " has compute capability " +
                       llvm::Twine(device.major) + "." +
                       llvm::Twine(device.minor) +
                       "; quant-x's int8 tensor-core kernels need 8.0 or "
                       "newer");
  if (llvm::Error error =
          opening(api.cuDevicePrimaryCtxRetain(&device.context, device.device),
                  "cuDevicePrimaryCtxRetain"))
    return std::move(error);
  if (llvm::Error error =
          opening(api.cuCtxSetCurrent(device.context), "cuCtxSetCurrent"))
    return std::move(error);
  return device;
}

llvm::Expected<const CudaDevice &> quantx::gpu::getCudaDevice() {
  struct Opened {
    CudaDevice device;
    std::string error;
    bool unavailable = false;
  };
  static const Opened opened = [] {
    Opened result;
    llvm::Expected<CudaDevice> device = openCudaDevice();
    if (device) {
      result.device = std::move(*device);
      return result;
    }
    llvm::handleAllErrors(
        device.takeError(),
        [&](const GpuUnavailableError &error) {
          result.unavailable = true;
          result.error = error.getReason();
        },
        [&](const llvm::ErrorInfoBase &error) {
          result.error = error.message();
        });
    return result;
  }();
  if (opened.error.empty())
    return opened.device;
  if (opened.unavailable)
    return unavailable(opened.error);
  return llvm::createStringError(opened.error);
}
