//===- FakeCudaDriver.cpp - a CUDA driver stand-in for the loader's tests -===//
//
// Exports the driver API entry points quant-x loads; $QUANTX_FAKE_CUDA picks
// how it behaves: "stub" (cuInit answers CUDA_ERROR_STUB_LIBRARY, as the
// toolkit's stub library does), "no-device", "old" (compute capability
// 7.5), anything else a working compute capability 9.0 device. Built once
// more with QUANTX_FAKE_CUDA_PARTIAL, without cuLaunchKernel.
//
//===----------------------------------------------------------------------===//

#include <cstdlib>
#include <cstring>
#include <string>

namespace {
std::string mode() {
  const char *value = std::getenv("QUANTX_FAKE_CUDA");
  return value ? value : "";
}
int contextStorage;
} // namespace

extern "C" {
int cuInit(unsigned) { return mode() == "stub" ? 34 : 0; }
int cuDriverGetVersion(int *version) {
  *version = 12040;
  return 0;
}
int cuDeviceGetCount(int *count) {
  *count = mode() == "no-device" ? 0 : 1;
  return 0;
}
int cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? 0 : 101;
}
int cuDeviceGetAttribute(int *value, int attribute, int) {
  bool old = mode() == "old";
  if (attribute == 75)
    *value = old ? 7 : 9;
  else if (attribute == 76)
    *value = old ? 5 : 0;
  else
    return 1;
  return 0;
}
int cuDeviceGetName(char *name, int length, int) {
  std::strncpy(name, "Fake GPU", length);
  return 0;
}
int cuDevicePrimaryCtxRetain(void **context, int) {
  *context = &contextStorage;
  return 0;
}
int cuCtxSetCurrent(void *context) { return context ? 0 : 201; }
int cuCtxSynchronize() { return 0; }
int cuModuleLoadData(void **, const void *) { return 218; }
int cuModuleUnload(void *) { return 0; }
int cuModuleGetFunction(void **, void *, const char *) { return 500; }
#ifndef QUANTX_FAKE_CUDA_PARTIAL
int cuLaunchKernel(void *, unsigned, unsigned, unsigned, unsigned, unsigned,
                   unsigned, unsigned, void *, void **, void **) {
  return 0;
}
#endif
int cuMemAlloc_v2(unsigned long long *, size_t) { return 2; }
int cuMemFree_v2(unsigned long long) { return 0; }
int cuMemcpyHtoD_v2(unsigned long long, const void *, size_t) { return 0; }
int cuMemcpyDtoH_v2(void *, unsigned long long, size_t) { return 0; }
int cuGetErrorName(int error, const char **name) {
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
