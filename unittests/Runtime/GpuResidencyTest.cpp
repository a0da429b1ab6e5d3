//===- GpuResidencyTest.cpp - activations kept in device memory -----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Two GPU conv calls in a row on the stand-in driver ("emulate": launches
// run on the CPU kernel, device memory is separate host memory), the
// first's result marked kResidentOutput and the second's input
// kResidentInput, as markDeviceResidentActivations marks them. The result
// must stay on the device (its host buffer untouched) and the second call
// read it there; and where the second launch fails and the call falls back
// to the CPU kernel, the runtime must first bring the result to the host.
// Both ways the output is the CPU kernels' to the bit. A resident input
// that no call left is an error.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/CudaDriver.h"
#include "quant-x/Runtime/GpuKernelCalls.h"
#include "quant-x/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <random>

using namespace quantx::gpu;
namespace qk = quantx::kernels;

namespace {

/// A 3x3 int8 conv, padding 1, on a 5x6 image of 8 channels, to int8.
struct Conv {
  std::vector<uint8_t> weights;
  std::vector<int32_t> bias, requant;
  std::vector<int64_t> params;

  Conv(std::mt19937 &rng, int64_t residency) {
    int64_t n = 8, k = 3 * 3 * 8;
    std::vector<int8_t> w(n * k);
    for (int8_t &v : w)
      v = int8_t(rng() % 255 - 127);
    weights = qk::packWeightsS8(qk::Isa::Generic, w.data(), n, k);
    std::vector<int32_t> raw(n);
    for (int32_t &v : raw)
      v = int32_t(rng() % 2001) - 1000;
    bias = qk::foldConvBiasS8(qk::Isa::Generic, w.data(), n, k, raw.data(),
                              /*inputZeroPoint=*/-3, 0);
    for (int64_t c = 0; c < n; ++c)
      requant.push_back(int32_t(1u << 30) + int32_t(rng() % (1u << 29)));
    for (int64_t c = 0; c < n; ++c)
      requant.push_back(40);
    params.assign(qk::kNumParams, 0);
    params[qk::kIsa] = int64_t(qk::Isa::Generic);
    params[qk::kBatch] = 1;
    params[qk::kInH] = params[qk::kOutH] = 5;
    params[qk::kInW] = params[qk::kOutW] = 6;
    params[qk::kInC] = params[qk::kOutC] = 8;
    params[qk::kKernelH] = params[qk::kKernelW] = 3;
    params[qk::kStrideH] = params[qk::kStrideW] = 1;
    params[qk::kDilationH] = params[qk::kDilationW] = 1;
    params[qk::kPadTop] = params[qk::kPadLeft] = 1;
    params[qk::kPadValue] = -3;
    params[qk::kDepthMultiplier] = 1;
    params[qk::kOutputKind] = int64_t(qk::OutputKind::Int8);
    params[qk::kOutputZeroPoint] = -3;
    params[qk::kClampMin] = -128;
    params[qk::kClampMax] = 127;
    params[qk::kPanelWidth] = qk::getPanelWidthS8(qk::Isa::Generic, n);
    params[qk::kDeviceResidency] = residency;
  }

  void runOnGpu(const void *input, void *output) const {
    quantx_gpu_conv_s8(input, weights.data(), bias.data(), requant.data(),
                       params.data(), output);
  }
  void runOnCpu(const void *input, void *output) const {
    std::vector<int64_t> cpu = params;
    cpu[qk::kDeviceResidency] = 0;
    quantx_kernel_conv_s8(input, weights.data(), bias.data(), requant.data(),
                          cpu.data(), output);
  }
};

class GpuResidencyTest : public ::testing::Test {
protected:
  void SetUp() override {
    setenv("QUANTX_FAKE_CUDA", "emulate", 1);
    // One device for the process, as loadGpuKernels asks.
    static CudaDevice *device = [] {
      llvm::Expected<CudaDevice> opened = openCudaDevice(QUANTX_FAKE_CUDA_PATH);
      if (!opened) {
        ADD_FAILURE() << llvm::toString(opened.takeError());
        return static_cast<CudaDevice *>(nullptr);
      }
      return new CudaDevice(std::move(*opened));
    }();
    ASSERT_NE(device, nullptr);
    // The stand-in takes any image that names the kernels.
    std::string image;
    for (const char *kernel : kGpuKernelNames)
      image += std::string(".entry ") + kernel + "(";
    llvm::Error error = loadGpuKernels(*device, image);
    ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
    std::mt19937 rng(7);
    input.resize(5 * 6 * 8);
    for (int8_t &v : input)
      v = int8_t(rng());
    first = std::make_unique<Conv>(rng, qk::kResidentOutput);
    second = std::make_unique<Conv>(rng, qk::kResidentInput);
    std::vector<int8_t> middle(input.size());
    expected.resize(input.size());
    first->runOnCpu(input.data(), middle.data());
    second->runOnCpu(middle.data(), expected.data());
  }
  void TearDown() override {
    unsetenv("QUANTX_FAKE_CUDA");
    unsetenv("QUANTX_FAKE_CUDA_LAUNCH_FAILS");
  }

  std::vector<int8_t> input, expected;
  std::unique_ptr<Conv> first, second;
};

TEST_F(GpuResidencyTest, ResultStaysOnTheDevice) {
  std::vector<int8_t> middle(input.size(), 0x5A), output(input.size());
  GpuCallCounts before = getGpuCallCounts();
  first->runOnGpu(input.data(), middle.data());
  second->runOnGpu(middle.data(), output.data());
  ASSERT_FALSE(bool(takeGpuKernelError()));
  GpuCallCounts after = getGpuCallCounts();
  EXPECT_EQ(after.gpu - before.gpu, 2);
  EXPECT_EQ(after.residentInputs - before.residentInputs, 1);
  // Never copied back: the host buffer still holds what it held.
  EXPECT_EQ(middle, std::vector<int8_t>(input.size(), 0x5A));
  EXPECT_EQ(output, expected);
}

TEST_F(GpuResidencyTest, CpuFallbackBringsTheResultToTheHost) {
  std::vector<int8_t> middle(input.size(), 0x5A), output(input.size());
  first->runOnGpu(input.data(), middle.data());
  setenv("QUANTX_FAKE_CUDA_LAUNCH_FAILS", "1", 1);
  GpuCallCounts before = getGpuCallCounts();
  second->runOnGpu(middle.data(), output.data());
  EXPECT_EQ(getGpuCallCounts().cpu - before.cpu, 1);
  llvm::Error error = takeGpuKernelError();
  EXPECT_EQ(llvm::toString(std::move(error)),
            "GPU kernel call failed: cuLaunchKernel: "
            "CUDA_ERROR_LAUNCH_FAILED (719)");
  EXPECT_EQ(output, expected);
  EXPECT_NE(middle, std::vector<int8_t>(input.size(), 0x5A));
}

TEST_F(GpuResidencyTest, InputNoCallLeftIsAnError) {
  // A kResidentInput at an address no kResidentOutput call wrote: the marks
  // disagree with the compiled model, and the call must fail, not read a
  // host buffer nothing wrote.
  std::vector<int8_t> stranger(input.size(), 0x5A), output(input.size());
  second->runOnGpu(stranger.data(), output.data());
  llvm::Error error = takeGpuKernelError();
  EXPECT_NE(llvm::toString(std::move(error))
                .find("no GPU call left a result at the device-resident input"),
            std::string::npos);
}

} // namespace
