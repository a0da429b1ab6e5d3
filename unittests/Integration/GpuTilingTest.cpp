//===- GpuTilingTest.cpp - the GPU conv kernel's tiling, on the CPU -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The kernel's per-lane work (which input, padding and weight bytes each
// lane packs into its mma.sync registers, and where it stores its results)
// is built from the same code as host functions (buildConvS8LaneFunctions)
// and run here for every lane of every warp and block. Between the two, the
// test does what mma.sync m16n8k32 does by the PTX ISA's fragment layout:
// for every tile of a warp, it gathers the 16 x 32 A and 32 x 8 B tiles
// from the lanes' registers (every element exactly once) and hands each
// lane its C fragment of A B + C. The outputs must be bit-identical to the CPU
// kernel's (quantx_kernel_conv_s8, itself checked against a direct convolution)
// on odd layers: K and N not multiples of the tiles, strides, asymmetric
// padding, dilation, M below and above a block, a batch, both roundings,
// int8 and int32 outputs, input channels that are and are not a multiple
// of 4 (one-word and byte loads of the activations). Only the instruction
// itself and the NVPTX back end are left to the tests on a GPU.
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

namespace {

struct Layer {
  int64_t batch, inH, inW, inC, outC, kH, kW, stride, dilation, padTop,
      padBottom, padLeft, padRight, inputZp;
  qk::OutputKind kind;
  qk::Rounding rounding;

  int64_t outH() const {
    return (inH + padTop + padBottom - dilation * (kH - 1) - 1) / stride + 1;
  }
  int64_t outW() const {
    return (inW + padLeft + padRight - dilation * (kW - 1) - 1) / stride + 1;
  }
  int64_t k() const { return kH * kW * inC; }

  std::vector<int64_t> params() const {
    std::vector<int64_t> p(qk::kNumParams, 0);
    p[qk::kIsa] = int64_t(qk::Isa::Generic);
    p[qk::kBatch] = batch, p[qk::kInH] = inH, p[qk::kInW] = inW;
    p[qk::kInC] = inC, p[qk::kOutH] = outH(), p[qk::kOutW] = outW();
    p[qk::kOutC] = outC, p[qk::kKernelH] = kH, p[qk::kKernelW] = kW;
    p[qk::kStrideH] = p[qk::kStrideW] = stride;
    p[qk::kDilationH] = p[qk::kDilationW] = dilation;
    p[qk::kPadTop] = padTop, p[qk::kPadLeft] = padLeft;
    p[qk::kPadValue] = inputZp;
    p[qk::kDepthMultiplier] = 1;
    p[qk::kOutputKind] = int64_t(kind);
    p[qk::kRounding] = int64_t(rounding);
    p[qk::kOutputZeroPoint] = -7;
    p[qk::kClampMin] = -128, p[qk::kClampMax] = 127;
    p[qk::kPanelWidth] = qk::getPanelWidthS8(qk::Isa::Generic, outC);
    return p;
  }
};

const Layer kLayers[] = {
    // 3x3 stem on 3 channels, stride 2, asymmetric padding, N = 17.
    {1, 7, 9, 3, 17, 3, 3, 2, 1, 1, 0, 2, 1, -3, qk::OutputKind::Int8,
     qk::Rounding::Double},
    // A matrix-vector product: M = 1, K = 40 (a 32-k step and a padded
    // one), N = 8.
    {1, 1, 1, 40, 8, 1, 1, 1, 1, 0, 0, 0, 0, 5, qk::OutputKind::Int8,
     qk::Rounding::Single},
    // Dilation 2, a batch of 2, int32 results.
    {2, 6, 6, 5, 20, 3, 3, 1, 2, 2, 2, 2, 2, 0, qk::OutputKind::Accumulator,
     qk::Rounding::Double},
    // 8 channels, padded: the one-word loads of four channels, padding
    // included, with a pad value of 3.
    {1, 5, 6, 8, 12, 3, 3, 1, 1, 1, 1, 1, 1, 3, qk::OutputKind::Int8,
     qk::Rounding::Double},
    // N = 70: two blocks of channels, the second with 6 of its 64; K = 16,
    // half a step.
    {1, 5, 8, 16, 70, 1, 1, 1, 1, 0, 0, 0, 0, 2, qk::OutputKind::Int8,
     qk::Rounding::Single},
    // M = 130 (three blocks of 64 rows), K = 100, N = 9.
    {1, 10, 13, 100, 9, 1, 1, 1, 1, 0, 0, 0, 0, -128, qk::OutputKind::Int8,
     qk::Rounding::Double},
};

namespace qg = ::quantx::gpu;

/// One lane's registers of one 32-k step.
using Registers = int32_t[qg::kConvFragmentRegisters];

/// The warp's A tile of row of tiles `i` and B tile of column of tiles `j`
/// in one 32-k step, gathered from the lanes' registers as the PTX ISA lays
/// them out for mma.m16n8k32 .s8 (row-major A, column-major B); each
/// element must come from exactly one lane.
void gatherTiles(const Registers (&regs)[32], int i, int j, int8_t a[16][32],
                 int8_t b[32][8]) {
  int seenA[16][32] = {}, seenB[32][8] = {};
  for (int lane = 0; lane < 32; ++lane) {
    int g = lane / 4, t = lane % 4;
    for (int e = 0; e < 16; ++e) {
      int row = (e < 4 || (e >= 8 && e < 12)) ? g : g + 8;
      int col = t * 4 + (e & 3) + (e >= 8 ? 16 : 0);
      uint32_t reg = uint32_t(regs[lane][4 * i + e / 4]);
      a[row][col] = int8_t(reg >> (8 * (e % 4)));
      ++seenA[row][col];
    }
    for (int e = 0; e < 8; ++e) {
      int row = t * 4 + (e & 3) + (e >= 4 ? 16 : 0);
      uint32_t reg =
          uint32_t(regs[lane][4 * qg::kConvWarpTilesM + 2 * j + e / 4]);
      b[row][g] = int8_t(reg >> (8 * (e % 4)));
      ++seenB[row][g];
    }
  }
  for (auto &row : seenA)
    for (int count : row)
      ASSERT_EQ(count, 1);
  for (auto &row : seenB)
    for (int count : row)
      ASSERT_EQ(count, 1);
}

TEST(GpuTilingTest, LanesComputeTheConvolution) {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
  buildConvS8LaneFunctions(builder, *module);
  auto engine = compileForHostCPU(*module);
  ASSERT_TRUE(succeeded(engine));

  std::mt19937 rng(3);
  for (const Layer &layer : kLayers) {
    SCOPED_TRACE("layer with K = " + std::to_string(layer.k()) +
                 ", N = " + std::to_string(layer.outC));
    int64_t m = layer.outH() * layer.outW(), n = layer.outC, k = layer.k();
    std::vector<int8_t> x(layer.batch * layer.inH * layer.inW * layer.inC),
        w(n * k);
    for (int8_t &v : x)
      v = int8_t(rng());
    for (int8_t &v : w)
      v = int8_t(rng() % 255 - 127);
    std::vector<int32_t> bias(n), requant(2 * n);
    for (int64_t c = 0; c < n; ++c) {
      bias[c] = int32_t(rng() % 20001) - 10000;
      requant[c] = int32_t(rng() % (1u << 31));
      requant[n + c] = 28 + int32_t(rng() % 12);
    }
    std::vector<uint8_t> packed =
        qk::packWeightsS8(qk::Isa::Generic, w.data(), n, k);
    std::vector<int32_t> folded = qk::foldConvBiasS8(
        qk::Isa::Generic, w.data(), n, k, bias.data(), layer.inputZp, 0);
    std::vector<int64_t> params = layer.params();
    qk::CallSpec spec;
    ASSERT_TRUE(qg::runsOnGpu(qk::KernelKind::GpuConvS8, params.data(), spec));
    size_t elementBytes = layer.kind == qk::OutputKind::Int8 ? 1 : 4;
    std::vector<char> expected(layer.batch * m * n * elementBytes),
        actual(expected.size(), 0x5A);
    quantx_kernel_conv_s8(x.data(), packed.data(), folded.data(),
                          requant.data(), params.data(), expected.data());

    std::vector<int8_t> gpuWeights =
        qg::packGpuWeights(params.data(), packed.data());
    ASSERT_EQ(int64_t(gpuWeights.size()),
              qg::getGpuWeightRows(n) * qg::getGpuWeightDepth(k));
    const void *input = x.data(), *weights = gpuWeights.data(),
               *biasData = folded.data(), *requantData = requant.data(),
               *paramData = params.data();
    void *output = actual.data();
    int64_t gridX = (m + qg::kConvBlockRows - 1) / qg::kConvBlockRows;
    int64_t gridY = (n + qg::kConvBlockCols - 1) / qg::kConvBlockCols;
    int64_t kSteps = (k + 31) / 32;
    int64_t warps = qg::kConvBlockThreads / 32;
    for (int64_t image = 0; image < layer.batch; ++image)
      for (int64_t bx = 0; bx < gridX; ++bx)
        for (int64_t by = 0; by < gridY; ++by)
          for (int64_t warp = 0; warp < warps; ++warp) {
            int32_t c[32][qg::kConvAccumulators] = {};
            for (int64_t step = 0; step < kSteps; ++step) {
              Registers regs[32];
              int64_t k0 = step * 32;
              for (int64_t lane = 0; lane < 32; ++lane) {
                int64_t thread = warp * 32 + lane;
                void *out = regs[lane];
                void *args[] = {&input, &weights, &paramData, &image, &bx,
                                &by,    &thread,  &k0,        &out};
                llvm::Error error =
                    (*engine)->invokePacked("quantx_conv_s8_fragments", args);
                ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
              }
              // D = A B + C for every tile of the warp, wrapping as
              // mma.sync's .s32 accumulation.
              for (int i = 0; i < qg::kConvWarpTilesM; ++i)
                for (int j = 0; j < qg::kConvWarpTilesN; ++j) {
                  int8_t a[16][32], b[32][8];
                  gatherTiles(regs, i, j, a, b);
                  for (int lane = 0; lane < 32; ++lane)
                    for (int r = 0; r < 4; ++r) {
                      int row = lane / 4 + (r >= 2 ? 8 : 0);
                      int col = (lane % 4) * 2 + (r & 1);
                      int32_t &sum =
                          c[lane][4 * (i * qg::kConvWarpTilesN + j) + r];
                      uint32_t wrapped = uint32_t(sum);
                      for (int kk = 0; kk < 32; ++kk)
                        wrapped += uint32_t(int32_t(a[row][kk]) * b[kk][col]);
                      sum = int32_t(wrapped);
                    }
                }
            }
            for (int64_t lane = 0; lane < 32; ++lane) {
              int64_t thread = warp * 32 + lane;
              void *sums = c[lane];
              void *args[] = {&biasData, &requantData, &paramData,
                              &output,   &image,       &bx,
                              &by,       &thread,      &sums};
              llvm::Error error =
                  (*engine)->invokePacked("quantx_conv_s8_epilogue", args);
              ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
            }
          }
    ASSERT_EQ(actual, expected);
  }
}

} // namespace
