//===- GpuWindowKernelsTest.cpp - GPU depthwise and pooling, on the CPU ---===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The depthwise and max-pooling kernels' per-thread work is built from the
// same code as host functions (buildWindowThreadFunctions) and run here for
// every thread of every block of the launch quant-x makes
// (getLaunchShape). The outputs must be bit-identical to the CPU kernels'
// (quantx_kernel_depthwise_s8 and quantx_kernel_maxpool_s8, themselves
// checked against direct loops) on odd layers: depth multipliers 1 and 3,
// strides, asymmetric padding with a pad value, dilation, a weight zero
// point, M N not a multiple of a block, a batch, both roundings, int8 and
// int32 outputs, pooling windows cut by the padding; every element
// written. Only the NVPTX back end is left to the tests on a GPU.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/MLIRContext.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/GpuKernelCalls.h"
#include "quant-x/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir;
using namespace mlir::quantx;
namespace qk = ::quantx::kernels;
namespace qg = ::quantx::gpu;

namespace {

/// The window kernels' per-thread host functions, JIT-compiled once.
class GpuWindowKernelsTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    DialectRegistry registry;
    registerCPUPipelineDialects(registry);
    context = new MLIRContext(registry);
    context->loadAllAvailableDialects();
    OpBuilder builder(context);
    OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
    buildWindowThreadFunctions(builder, *module);
    auto compiled = compileForHostCPU(*module);
    if (succeeded(compiled))
      engine = compiled->release();
  }
  static void TearDownTestSuite() {
    delete engine;
    delete context;
  }

  /// Runs thread function `name` for every thread of kernel `kind`'s
  /// launch for `params`, on the CPU kernels' operands.
  static void runThreads(const char *name, qk::KernelKind kind,
                         const std::vector<int64_t> &params, const void *input,
                         const void *weights, const void *bias,
                         const void *requant, void *output) {
    ASSERT_TRUE(engine);
    const void *paramData = params.data();
    qg::LaunchShape shape = qg::getLaunchShape(kind, params.data());
    ASSERT_EQ(shape.grid[1], 1);
    ASSERT_EQ(shape.grid[2], params[qk::kBatch]);
    for (int64_t image = 0; image < shape.grid[2]; ++image)
      for (int64_t block = 0; block < shape.grid[0]; ++block)
        for (int64_t thread = 0; thread < shape.block; ++thread) {
          void *args[] = {&input,  &weights, &bias,  &requant, &paramData,
                          &output, &image,   &block, &thread};
          llvm::Error error = engine->invokePacked(name, args);
          ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
        }
  }

  static MLIRContext *context;
  static ExecutionEngine *engine;
};
MLIRContext *GpuWindowKernelsTest::context = nullptr;
ExecutionEngine *GpuWindowKernelsTest::engine = nullptr;

struct DepthwiseLayer {
  int64_t batch, inH, inW, inC, multiplier, kH, kW, strideH, strideW, dilation,
      padTop, padBottom, padLeft, padRight, inputZp, weightZp;
  qk::OutputKind kind;
  qk::Rounding rounding;

  int64_t outH() const {
    return (inH + padTop + padBottom - dilation * (kH - 1) - 1) / strideH + 1;
  }
  int64_t outW() const {
    return (inW + padLeft + padRight - dilation * (kW - 1) - 1) / strideW + 1;
  }
  int64_t outC() const { return inC * multiplier; }

  std::vector<int64_t> params() const {
    std::vector<int64_t> p(qk::kNumParams, 0);
    p[qk::kIsa] = int64_t(qk::Isa::Generic);
    p[qk::kBatch] = batch, p[qk::kInH] = inH, p[qk::kInW] = inW;
    p[qk::kInC] = inC, p[qk::kOutH] = outH(), p[qk::kOutW] = outW();
    p[qk::kOutC] = outC(), p[qk::kKernelH] = kH, p[qk::kKernelW] = kW;
    p[qk::kStrideH] = strideH, p[qk::kStrideW] = strideW;
    p[qk::kDilationH] = p[qk::kDilationW] = dilation;
    p[qk::kPadTop] = padTop, p[qk::kPadLeft] = padLeft;
    p[qk::kPadValue] = inputZp;
    p[qk::kWeightZeroPoint] = weightZp;
    p[qk::kDepthMultiplier] = multiplier;
    p[qk::kOutputKind] = int64_t(kind);
    p[qk::kRounding] = int64_t(rounding);
    p[qk::kOutputZeroPoint] = 9;
    p[qk::kClampMin] = -100, p[qk::kClampMax] = 127;
    return p;
  }
};

const DepthwiseLayer kLayers[] = {
    // MobileNet's 3x3 with stride 2 and padding on the bottom right only,
    // 40 channels (M N = 1000: four blocks, the last partial).
    {1, 9, 10, 40, 1, 3, 3, 2, 2, 1, 0, 1, 0, 1, -128, 0, qk::OutputKind::Int8,
     qk::Rounding::Double},
    // Depth multiplier 3, dilation 2, a weight zero point, single
    // rounding, a pad value of 5.
    {1, 7, 6, 5, 3, 3, 3, 1, 1, 2, 2, 2, 2, 2, 5, -3, qk::OutputKind::Int8,
     qk::Rounding::Single},
    // A batch of 2, a 5x1 window, strides (1, 2), int32 results.
    {2, 6, 7, 9, 1, 5, 1, 1, 2, 1, 2, 2, 0, 1, 0, 0,
     qk::OutputKind::Accumulator, qk::Rounding::Double},
    // One output pixel of one channel: a launch of a single thread's work.
    {1, 3, 3, 1, 1, 3, 3, 1, 1, 1, 0, 0, 0, 0, 1, 2, qk::OutputKind::Int8,
     qk::Rounding::Double},
};

TEST_F(GpuWindowKernelsTest, DepthwiseThreadsComputeTheConvolution) {
  std::mt19937 rng(11);
  for (const DepthwiseLayer &layer : kLayers) {
    int64_t n = layer.outC(), taps = layer.kH * layer.kW;
    SCOPED_TRACE("depthwise layer with " + std::to_string(n) +
                 " channels, multiplier " + std::to_string(layer.multiplier));
    std::vector<int8_t> x(layer.batch * layer.inH * layer.inW * layer.inC),
        w(taps * n);
    for (int8_t &v : x)
      v = int8_t(rng());
    for (int8_t &v : w)
      v = int8_t(rng());
    x[0] = -128, w[0] = 127;
    std::vector<int32_t> bias(n), requant(2 * n);
    for (int64_t c = 0; c < n; ++c) {
      bias[c] = int32_t(rng() % 20001) - 10000;
      requant[c] = int32_t(rng() % (1u << 31));
      requant[n + c] = 25 + int32_t(rng() % 12);
    }
    std::vector<int16_t> packed =
        qk::packDepthwiseWeightsS8(w.data(), taps, n, layer.weightZp);
    std::vector<int32_t> folded = qk::foldDepthwiseBiasS8(
        packed.data(), taps, n, bias.data(), layer.inputZp);
    std::vector<int64_t> params = layer.params();
    qk::CallSpec spec;
    ASSERT_TRUE(
        qg::runsOnGpu(qk::KernelKind::GpuDepthwiseS8, params.data(), spec));
    size_t elementBytes = layer.kind == qk::OutputKind::Int8 ? 1 : 4;
    int64_t outputs = layer.batch * layer.outH() * layer.outW() * n;
    std::vector<char> expected(outputs * elementBytes),
        actual(expected.size(), 0x5A);
    quantx_kernel_depthwise_s8(x.data(), packed.data(), folded.data(),
                               requant.data(), params.data(), expected.data());
    // The CPU kernel must not coincide with the fill byte everywhere, or an
    // unwritten element would go unseen.
    ASSERT_NE(expected, std::vector<char>(expected.size(), 0x5A));

    runThreads("quantx_depthwise_s8_thread", qk::KernelKind::GpuDepthwiseS8,
               params, x.data(), packed.data(), folded.data(), requant.data(),
               actual.data());
    ASSERT_EQ(actual, expected);
  }
}

/// A max pooling: kernel, stride and padding per axis.
struct PoolLayer {
  int64_t batch, inH, inW, channels, kH, kW, strideH, strideW, padTop,
      padBottom, padLeft, padRight;

  std::vector<int64_t> params() const {
    std::vector<int64_t> p(qk::kNumParams, 0);
    p[qk::kIsa] = int64_t(qk::Isa::Generic);
    p[qk::kBatch] = batch, p[qk::kInH] = inH, p[qk::kInW] = inW;
    p[qk::kInC] = p[qk::kOutC] = channels;
    p[qk::kOutH] = (inH + padTop + padBottom - kH) / strideH + 1;
    p[qk::kOutW] = (inW + padLeft + padRight - kW) / strideW + 1;
    p[qk::kKernelH] = kH, p[qk::kKernelW] = kW;
    p[qk::kStrideH] = strideH, p[qk::kStrideW] = strideW;
    p[qk::kDilationH] = p[qk::kDilationW] = 1;
    p[qk::kPadTop] = padTop, p[qk::kPadLeft] = padLeft;
    p[qk::kDepthMultiplier] = 1;
    return p;
  }
};

TEST_F(GpuWindowKernelsTest, MaxPoolThreadsTakeTheWindowsMaximum) {
  const PoolLayer layers[] = {
      // ResNet's 3x3 stride-2 pooling with padding 1, 64 channels.
      {1, 9, 8, 64, 3, 3, 2, 2, 1, 1, 1, 1},
      // Windows cut by asymmetric padding (a corner window has one of its
      // nine taps inside), odd channels, a batch of 2.
      {2, 5, 6, 3, 3, 3, 1, 2, 2, 0, 2, 1},
      // A global pooling of 7x7.
      {1, 7, 7, 10, 7, 7, 1, 1, 0, 0, 0, 0},
  };
  std::mt19937 rng(5);
  for (const PoolLayer &layer : layers) {
    SCOPED_TRACE("pooling " + std::to_string(layer.kH) + "x" +
                 std::to_string(layer.kW) + " on " +
                 std::to_string(layer.channels) + " channels");
    std::vector<int64_t> params = layer.params();
    qk::CallSpec spec;
    ASSERT_TRUE(
        qg::runsOnGpu(qk::KernelKind::GpuMaxPoolS8, params.data(), spec));
    std::vector<int8_t> x(layer.batch * layer.inH * layer.inW * layer.channels);
    // Mostly negative values, -128 included, so that a window maximum
    // taken over padding (as 0 or -128) would show.
    for (int8_t &v : x)
      v = int8_t(-128 + int(rng() % 100));
    std::vector<int8_t> expected(spec.output.elements),
        actual(expected.size(), 0x5A);
    quantx_kernel_maxpool_s8(x.data(), nullptr, nullptr, nullptr, params.data(),
                             expected.data());
    runThreads("quantx_maxpool_s8_thread", qk::KernelKind::GpuMaxPoolS8, params,
               x.data(), nullptr, nullptr, nullptr, actual.data());
    ASSERT_EQ(actual, expected);
  }
}

TEST_F(GpuWindowKernelsTest, AvgPoolThreadsAverageTheWindow) {
  const PoolLayer layers[] = {
      // A 3x3 stride-2 pooling with padding 1: the windows at the edges
      // average 4 or 6 taps, the others 9.
      {1, 9, 8, 12, 3, 3, 2, 2, 1, 1, 1, 1},
      // Asymmetric padding (a corner window of one tap), a batch of 2.
      {2, 5, 6, 3, 3, 3, 1, 2, 2, 0, 2, 1},
      // ResNet's global 7x7 pooling (49 taps).
      {1, 7, 7, 10, 7, 7, 1, 1, 0, 0, 0, 0},
  };
  std::mt19937 rng(6);
  for (const PoolLayer &layer : layers)
    for (int64_t inputZp : {-128, 3})
      for (int64_t outputZp : {-128, 0, 17}) {
        SCOPED_TRACE("pooling " + std::to_string(layer.kH) + "x" +
                     std::to_string(layer.kW) + ", zero points " +
                     std::to_string(inputZp) + ", " + std::to_string(outputZp));
        std::vector<int64_t> params = layer.params();
        params[qk::kPadValue] = inputZp;
        params[qk::kOutputZeroPoint] = outputZp;
        params[qk::kClampMin] = -128, params[qk::kClampMax] = 127;
        qk::CallSpec spec;
        ASSERT_TRUE(
            qg::runsOnGpu(qk::KernelKind::GpuAvgPoolS8, params.data(), spec));
        std::vector<int8_t> x(layer.batch * layer.inH * layer.inW *
                              layer.channels);
        for (int8_t &v : x)
          v = int8_t(rng());
        std::vector<int8_t> expected(spec.output.elements),
            actual(expected.size(), 0x5A);
        quantx_kernel_avgpool_s8(x.data(), nullptr, nullptr, nullptr,
                                 params.data(), expected.data());
        runThreads("quantx_avgpool_s8_thread", qk::KernelKind::GpuAvgPoolS8,
                   params, x.data(), nullptr, nullptr, nullptr, actual.data());
        ASSERT_EQ(actual, expected);
      }
}

} // namespace
