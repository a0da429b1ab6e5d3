//===- CudaDriverTest.cpp - the CUDA driver loader ------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Runs everywhere: a stand-in driver (FakeCudaDriver.cpp) plays each way a
// machine can lack a usable GPU, and a working one; the toolkit's own stub
// library, where installed, must read as "no usable GPU".
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/CudaDriver.h"

#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

#include <cstdlib>

using namespace quantx::gpu;

namespace {

/// The reason openCudaDevice gives for finding no usable GPU, or "" when it
/// opened one or failed otherwise.
std::string unavailableReason(const std::string &driver,
                              const char *mode = "") {
  setenv("QUANTX_FAKE_CUDA", mode, 1);
  llvm::Expected<CudaDevice> device = openCudaDevice(driver);
  unsetenv("QUANTX_FAKE_CUDA");
  std::string reason;
  if (!device)
    llvm::handleAllErrors(
        device.takeError(),
        [&](const GpuUnavailableError &error) { reason = error.getReason(); },
        [&](const llvm::ErrorInfoBase &error) {
          ADD_FAILURE() << "not a GpuUnavailableError: " << error.message();
        });
  return reason;
}

TEST(CudaDriverTest, MissingLibraryIsUnavailable) {
  std::string reason = unavailableReason("/nonexistent/libcuda.so.1");
  EXPECT_NE(
      reason.find("cannot load the CUDA driver /nonexistent/libcuda.so.1"),
      std::string::npos)
      << reason;
}

TEST(CudaDriverTest, MissingEntryPointIsUnavailable) {
  std::string reason = unavailableReason(QUANTX_FAKE_CUDA_PARTIAL_PATH);
  EXPECT_NE(reason.find("has no cuLaunchKernel"), std::string::npos) << reason;
}

TEST(CudaDriverTest, DriverWithoutUsableDeviceIsUnavailable) {
  const std::pair<const char *, const char *> cases[] = {
      {"stub", "cuInit failed with CUDA_ERROR_STUB_LIBRARY (34)"},
      {"no-device", "sees no device"},
      {"old", "Fake GPU has compute capability 7.5"},
  };
  for (auto [mode, expected] : cases) {
    std::string reason = unavailableReason(QUANTX_FAKE_CUDA_PATH, mode);
    EXPECT_NE(reason.find(expected), std::string::npos)
        << mode << ": " << reason;
  }
}

TEST(CudaDriverTest, OpensAWorkingDevice) {
  llvm::Expected<CudaDevice> device = openCudaDevice(QUANTX_FAKE_CUDA_PATH);
  ASSERT_TRUE(bool(device)) << llvm::toString(device.takeError());
  EXPECT_EQ(device->name, "Fake GPU");
  EXPECT_EQ(device->major, 9);
  EXPECT_EQ(device->minor, 0);
  EXPECT_EQ(device->driverVersion, 12040);
  EXPECT_NE(device->context, nullptr);
  // Later failures are plain errors, named by the driver where it can.
  CUmodule module = nullptr;
  llvm::Error error =
      checkCuda(device->api, device->api.cuModuleLoadData(&module, ""),
                "cuModuleLoadData");
  EXPECT_EQ(llvm::toString(std::move(error)),
            "cuModuleLoadData: CUDA_ERROR_INVALID_PTX (218)");
  CUdeviceptr pointer = 0;
  error = checkCuda(device->api, device->api.cuMemAlloc(&pointer, 16),
                    "cuMemAlloc");
  // The stand-in cannot name it; quant-x's own table does.
  EXPECT_EQ(llvm::toString(std::move(error)),
            "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)");
  error = checkCuda(device->api,
                    device->api.cuModuleGetFunction(nullptr, nullptr, "main"),
                    "cuModuleGetFunction");
  EXPECT_EQ(llvm::toString(std::move(error)),
            "cuModuleGetFunction: CUDA_ERROR_NOT_FOUND (500)");
  EXPECT_EQ(llvm::toString(checkCuda(device->api, 12345, "cuLaunchKernel")),
            "cuLaunchKernel: (12345)");
  EXPECT_FALSE(checkCuda(device->api, kCudaSuccess, "cuInit"));
}

TEST(CudaDriverTest, EnvironmentNamesTheDriver) {
  setenv("QUANTX_CUDA_DRIVER", QUANTX_FAKE_CUDA_PATH, 1);
  llvm::Expected<CudaDevice> device = openCudaDevice();
  unsetenv("QUANTX_CUDA_DRIVER");
  ASSERT_TRUE(bool(device)) << llvm::toString(device.takeError());
  EXPECT_EQ(device->name, "Fake GPU");
}

TEST(CudaDriverTest, ToolkitStubIsUnavailable) {
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (!llvm::sys::fs::exists(stub))
    GTEST_SKIP() << "no CUDA toolkit stub at " << stub;
  std::string reason = unavailableReason(stub);
  EXPECT_NE(reason.find("cuInit failed with CUDA_ERROR_STUB_LIBRARY (34)"),
            std::string::npos)
      << reason;
}

} // namespace
