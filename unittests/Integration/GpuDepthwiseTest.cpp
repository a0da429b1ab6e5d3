//===- GpuDepthwiseTest.cpp - the GPU depthwise kernel, on the CPU --------===//
//
// The depthwise kernel's per-thread work is built from the same code as a
// host function (buildDepthwiseS8ThreadFunction) and run here for every
// thread of every block of the launch quant-x makes (getLaunchShape). Its
// outputs must be bit-identical to the CPU kernel's
// (quantx_kernel_depthwise_s8, itself checked against a direct
// convolution) on odd layers: depth multipliers 1 and 3, strides,
// asymmetric padding with a pad value, dilation, a weight zero point, M N
// not a multiple of a block, a batch, both roundings, int8 and int32
// outputs, every element written. Only the NVPTX back end is left to the
// tests on a GPU.
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

TEST(GpuDepthwiseTest, ThreadsComputeTheConvolution) {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
  buildDepthwiseS8ThreadFunction(builder, *module);
  auto engine = compileForHostCPU(*module);
  ASSERT_TRUE(succeeded(engine));

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

    const void *input = x.data(), *weights = packed.data(),
               *biasData = folded.data(), *requantData = requant.data(),
               *paramData = params.data();
    void *output = actual.data();
    qg::LaunchShape shape =
        qg::getLaunchShape(qk::KernelKind::GpuDepthwiseS8, params.data());
    ASSERT_EQ(shape.grid[1], 1);
    ASSERT_EQ(shape.grid[2], layer.batch);
    for (int64_t image = 0; image < shape.grid[2]; ++image)
      for (int64_t block = 0; block < shape.grid[0]; ++block)
        for (int64_t thread = 0; thread < shape.block; ++thread) {
          void *args[] = {&input,       &weights,   &biasData,
                          &requantData, &paramData, &output,
                          &image,       &block,     &thread};
          llvm::Error error =
              (*engine)->invokePacked("quantx_depthwise_s8_thread", args);
          ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
        }
    ASSERT_EQ(actual, expected);
  }
}

} // namespace
