//===- FakeCudaDriver.cpp - a CUDA driver stand-in for the loader's tests -===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Exports the driver API entry points quant-x loads; $QUANTX_FAKE_CUDA picks
// how it behaves: "stub" (cuInit answers CUDA_ERROR_STUB_LIBRARY, as the
// toolkit's stub library does), "no-device", "old" (compute capability
// 7.5), anything else a working compute capability 9.0 device that rejects
// every module. "emulate" accepts a module (PTX or cubin) with quant-x's
// kernels and runs their launches on the CPU kernel with the operands the
// launch points at: device memory is host memory whose allocations are checked
// on every copy, and a launch whose geometry is not the one the parameters call
// for fails. The weights, which the runtime repacks into the GPU layout, are
// packed back into the CPU kernel's. That checks quant-x's host side of a
// GPU call (sizes, copies, the repacking, argument order, grid) end to end,
// the PTX kernel aside. With $QUANTX_FAKE_CUDA_LAUNCH_FAILS set, every
// launch fails. Built once more with QUANTX_FAKE_CUDA_PARTIAL, without
// cuLaunchKernel.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/GpuKernelCalls.h"
#include "quant-x/Runtime/Kernels.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace qk = quantx::kernels;
// The driver API's own types (the loader calls through pointers of these
// types: UBSan checks the callee's type in the sanitized builds).
using namespace quantx::gpu;

namespace {
std::string mode() {
  const char *value = std::getenv("QUANTX_FAKE_CUDA");
  return value ? value : "";
}
// What the stand-in's handles point at.
int contextStorage, moduleStorage;
/// One per kernel, in kGpuKernelNames' order: a function handle points at
/// its kernel's.
int kernelStorage[std::size(kGpuKernelNames)];
/// The live allocations: start address to size.
std::map<unsigned long long, size_t> allocations;

/// Whether [pointer, pointer + bytes) lies in one allocation.
bool allocated(unsigned long long pointer, size_t bytes) {
  auto it = allocations.upper_bound(pointer);
  if (it == allocations.begin())
    return false;
  --it;
  return pointer + bytes <= it->first + it->second;
}

/// Whether the module image (PTX text, or a cubin: an ELF file) names
/// `kernel`.
bool definesKernel(const void *image, const std::string &kernel) {
  const char *bytes = static_cast<const char *>(image);
  if (std::memcmp(bytes,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return std::strstr(bytes, (".entry " + kernel + "(").c_str());
  // A cubin ends with its section header table (ELF64: e_shoff at 0x28,
  // e_shentsize at 0x3A, e_shnum at 0x3C); its string tables hold the
  // kernel's name, NUL-terminated.
  uint64_t tableOffset;
  uint16_t entrySize, entries;
  std::memcpy(&tableOffset, bytes + 0x28, 8);
  std::memcpy(&entrySize, bytes + 0x3A, 2);
  std::memcpy(&entries, bytes + 0x3C, 2);
  std::string_view file(bytes, tableOffset + uint64_t(entrySize) * entries);
  return file.find(std::string_view(kernel.c_str(), kernel.size() + 1)) !=
         std::string_view::npos;
}
} // namespace

extern "C" {
CUresult cuInit(unsigned) { return mode() == "stub" ? 34 : 0; }
CUresult cuDriverGetVersion(int *version) {
  *version = 12040;
  return 0;
}
CUresult cuDeviceGetCount(int *count) {
  *count = mode() == "no-device" ? 0 : 1;
  return 0;
}
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? 0 : 101;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice) {
  bool old = mode() == "old";
  if (attribute == 75)
    *value = old ? 7 : 9;
  else if (attribute == 76)
    *value = old ? 5 : 0;
  else
    return 1;
  return 0;
}
CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  std::strncpy(name, "Fake GPU", length);
  return 0;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  *context = reinterpret_cast<CUcontext>(&contextStorage);
  return 0;
}
CUresult cuCtxSetCurrent(CUcontext context) { return context ? 0 : 201; }
CUresult cuCtxSynchronize() { return 0; }
CUresult cuModuleLoadData(CUmodule *module, const void *image) {
  if (mode() != "emulate")
    return 218;
  for (const char *kernel : kGpuKernelNames)
    if (!definesKernel(image, kernel))
      return 218; // CUDA_ERROR_INVALID_PTX
  *module = reinterpret_cast<CUmodule>(&moduleStorage);
  return 0;
}
CUresult cuModuleUnload(CUmodule) { return 0; }
CUresult cuModuleGetFunction(CUfunction *function, CUmodule, const char *name) {
  if (mode() != "emulate")
    return 500;
  for (size_t i = 0; i < std::size(kGpuKernelNames); ++i)
    if (std::strcmp(name, kGpuKernelNames[i]) == 0) {
      *function = reinterpret_cast<CUfunction>(&kernelStorage[i]);
      return 0;
    }
  return 500; // CUDA_ERROR_NOT_FOUND
}
#ifndef QUANTX_FAKE_CUDA_PARTIAL
CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream,
                        void **params, void **extra) {
  auto is = [&](const char *kernel) {
    for (size_t i = 0; i < std::size(kGpuKernelNames); ++i)
      if (kGpuKernelNames[i] == kernel)
        return function == reinterpret_cast<CUfunction>(&kernelStorage[i]);
    return false;
  };
  bool conv = is(kConvS8KernelName), depthwise = is(kDepthwiseS8KernelName),
       maxPool = is(kMaxPoolS8KernelName), add = is(kAddS8KernelName),
       avgPool = is(kAvgPoolS8KernelName);
  if ((!conv && !depthwise && !maxPool && !add && !avgPool) || extra ||
      sharedBytes)
    return 1;
  if (std::getenv("QUANTX_FAKE_CUDA_LAUNCH_FAILS"))
    return 719; // CUDA_ERROR_LAUNCH_FAILED
  void *args[6];
  for (int i = 0; i < 6; ++i) {
    unsigned long long pointer =
        *static_cast<const unsigned long long *>(params[i]);
    if (!allocated(pointer, 1))
      return 700; // CUDA_ERROR_ILLEGAL_ADDRESS
    args[i] = reinterpret_cast<void *>(pointer);
  }
  if (!allocated(reinterpret_cast<unsigned long long>(args[4]),
                 qk::kNumParams * sizeof(int64_t)))
    return 700;
  // The parameters without the GPU's residency bits, which the CPU kernels
  // refuse.
  int64_t cpuParams[qk::kNumParams];
  std::memcpy(cpuParams, args[4], sizeof(cpuParams));
  cpuParams[qk::kDeviceResidency] = 0;
  const int64_t *p = cpuParams;
  int64_t m = p[qk::kOutH] * p[qk::kOutW], n = p[qk::kOutC];
  if (add) {
    // One thread per element, one row of blocks.
    int64_t elements = p[qk::kBatch] * n;
    if (gridX != (elements + kWindowBlockThreads - 1) / kWindowBlockThreads ||
        gridY != 1 || gridZ != 1 || blockX != kWindowBlockThreads ||
        blockY != 1 || blockZ != 1)
      return 1;
    const size_t sizes[] = {
        size_t(elements), size_t(elements), size_t(6 * n * 4), 0, 0,
        size_t(elements)};
    for (int i = 0; i < 6; ++i)
      if (sizes[i] &&
          !allocated(reinterpret_cast<unsigned long long>(args[i]), sizes[i]))
        return 700;
    qk::setThreadCount(1);
    quantx_kernel_add_s8(args[0], args[1], args[2], args[3], p, args[5]);
    return 0;
  }
  // The geometry the kernels are built for, computed here from their
  // constants, not taken from the runtime.
  unsigned wantX =
      conv ? (m + kConvBlockRows - 1) / kConvBlockRows
           : (m * n + kWindowBlockThreads - 1) / kWindowBlockThreads;
  unsigned wantY = conv ? (n + kConvBlockCols - 1) / kConvBlockCols : 1;
  unsigned threads = conv ? kConvBlockThreads : kWindowBlockThreads;
  if (gridX != wantX || gridY != wantY || gridZ != unsigned(p[qk::kBatch]) ||
      blockX != threads || blockY != 1 || blockZ != 1)
    return 1; // CUDA_ERROR_INVALID_VALUE
  qk::setThreadCount(1);
  if (maxPool) {
    quantx_kernel_maxpool_s8(args[0], args[1], args[2], args[3], p, args[5]);
    return 0;
  }
  if (avgPool) {
    quantx_kernel_avgpool_s8(args[0], args[1], args[2], args[3], p, args[5]);
    return 0;
  }
  if (depthwise) {
    int64_t weightBytes = p[qk::kKernelH] * p[qk::kKernelW] * n * 2;
    if (!allocated(reinterpret_cast<unsigned long long>(args[1]), weightBytes))
      return 700;
    quantx_kernel_depthwise_s8(args[0], args[1], args[2], args[3], p, args[5]);
    return 0;
  }
  // The weights, in the GPU layout (packGpuWeights), back into the CPU
  // kernel's panels.
  int64_t k = p[qk::kKernelH] * p[qk::kKernelW] * p[qk::kInC];
  int64_t depth = getGpuWeightDepth(k);
  if (!allocated(reinterpret_cast<unsigned long long>(args[1]),
                 getGpuWeightRows(n) * depth))
    return 700;
  std::vector<int8_t> rows(n * k);
  for (int64_t col = 0; col < n; ++col)
    std::memcpy(&rows[col * k],
                static_cast<const int8_t *>(args[1]) + col * depth, k);
  std::vector<uint8_t> panels =
      qk::packWeightsS8(qk::Isa::Generic, rows.data(), n, k);
  quantx_kernel_conv_s8(args[0], panels.data(), args[2], args[3], p, args[5]);
  return 0;
}
#endif
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  if (mode() != "emulate")
    return 2;
  *pointer = reinterpret_cast<unsigned long long>(std::malloc(bytes));
  allocations[*pointer] = bytes;
  return 0;
}
CUresult cuMemFree_v2(CUdeviceptr pointer) {
  if (!allocations.erase(pointer))
    return 1;
  std::free(reinterpret_cast<void *>(pointer));
  return 0;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr to, const void *from, size_t bytes) {
  if (!allocated(to, bytes))
    return 1;
  std::memcpy(reinterpret_cast<void *>(to), from, bytes);
  return 0;
}
CUresult cuMemcpyDtoH_v2(void *to, CUdeviceptr from, size_t bytes) {
  if (!allocated(from, bytes))
    return 1;
  std::memcpy(to, reinterpret_cast<const void *>(from), bytes);
  return 0;
}
// Events: the host's clock at the record.
CUresult cuEventCreate(CUevent *event, unsigned) {
  *event = reinterpret_cast<CUevent>(new double(0));
  return 0;
}
CUresult cuEventRecord(CUevent event, CUstream) {
  *reinterpret_cast<double *>(event) =
      std::chrono::duration<double, std::milli>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count();
  return 0;
}
CUresult cuEventSynchronize(CUevent) { return 0; }
CUresult cuEventElapsedTime_v2(float *milliseconds, CUevent start,
                               CUevent end) {
  *milliseconds = float(*reinterpret_cast<double *>(end) -
                        *reinterpret_cast<double *>(start));
  return 0;
}
CUresult cuEventDestroy_v2(CUevent event) {
  delete reinterpret_cast<double *>(event);
  return 0;
}
CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case 34:
    *name = "CUDA_ERROR_STUB_LIBRARY";
    return 0;
  case 218:
    *name = "CUDA_ERROR_INVALID_PTX";
    return 0;
  default:
    return 1;
  }
}
}
