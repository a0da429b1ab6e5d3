//===- GpuTilingTest.cpp - the GPU conv kernel's tiling, on the CPU -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The kernel's per-thread work is built from the same code as host
// functions (buildConvS8LaneFunctions) and run here for every thread of
// every block, stage by stage, as the kernel's barriers order it:
// - every thread stages its part of the shared A and B tiles (which input,
//   padding and weight bytes go where); each tile byte must be written by
//   exactly one thread, and no padding byte;
// - every warp loads its fragments with ldmatrix.x4, done here as the PTX
//   ISA defines it from the offsets each lane gives (16-byte aligned,
//   inside the tiles, reading only staged bytes, the eight rows of each
//   matrix in distinct banks);
// - mma.sync m16n8k32 is done as the PTX ISA lays out its fragments: for
//   every tile of a warp, the 16 x 32 A and 32 x 8 B tiles gathered from the
//   lanes' registers (every element exactly once), each lane handed its C
//   fragment of A B + C;
// - every lane stores its results through the kernel's epilogue.
// The outputs must be bit-identical to the CPU kernel's
// (quantx_kernel_conv_s8, itself checked against a direct convolution) on
// odd layers: K and N not multiples of the tiles, several stages, strides,
// asymmetric padding, dilation, M below and above a block, a batch, both
// roundings, int8 and int32 outputs, input channels that are and are not a
// multiple of 4 (one-word and byte loads of the activations). Only the
// instructions themselves, the barriers and the NVPTX back end are left to
// the tests on a GPU.
//
//===----------------------------------------------------------------------===//

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/MLIRContext.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/GpuKernelCalls.h"
#include "quant-x/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <array>
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
    // M = 130 (three blocks of 64 rows), K = 100 (two stages), N = 9.
    {1, 10, 13, 100, 9, 1, 1, 1, 1, 0, 0, 0, 0, -128, qk::OutputKind::Int8,
     qk::Rounding::Double},
    // K = 3 x 3 x 24 = 216: four stages, the last a quarter full; N = 64,
    // one whole block of channels; word loads.
    {1, 9, 9, 24, 64, 3, 3, 1, 1, 1, 1, 1, 1, 0, qk::OutputKind::Int8,
     qk::Rounding::Single},
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

/// A block's shared tiles after every thread staged one stage, and which
/// bytes were written.
struct SharedTiles {
  alignas(16) uint8_t bytes[qg::kConvSharedBytes];
  bool written[qg::kConvSharedBytes];
};

/// The offsets each lane of warp `warp` gives its ldmatrix.x4 calls at kk.
using LaneOffsets = int64_t[32][qg::kConvLdMatrixCalls];

/// ldmatrix.x4 (.b16, no transpose) of every call of a warp, as the PTX ISA
/// defines it: matrix q of a call is the 8 rows of 16 bytes whose addresses
/// lanes 8q .. 8q + 7 give, and lane L receives, in the call's register q,
/// bytes 4 (L % 4) .. + 3 of row L / 4. Each row must be 16-byte aligned,
/// inside the tiles and staged, and the eight rows of a matrix must fall in
/// distinct banks (4-byte words modulo 32), so that it is read in one go.
void loadMatrices(const SharedTiles &shared, const LaneOffsets &offsets,
                  Registers (&regs)[32]) {
  for (int call = 0; call < qg::kConvLdMatrixCalls; ++call)
    for (int q = 0; q < 4; ++q) {
      bool banks[32] = {};
      for (int row = 0; row < 8; ++row) {
        int64_t address = offsets[8 * q + row][call];
        ASSERT_EQ(address % 16, 0);
        ASSERT_GE(address, 0);
        ASSERT_LE(address + 16, qg::kConvSharedBytes);
        for (int byte = 0; byte < 16; ++byte)
          ASSERT_TRUE(shared.written[address + byte]) << "at " << address;
        for (int word = 0; word < 4; ++word) {
          int bank = int((address / 4 + word) % 32);
          ASSERT_FALSE(banks[bank]) << "bank conflict in call " << call;
          banks[bank] = true;
        }
      }
      for (int lane = 0; lane < 32; ++lane) {
        int64_t address = offsets[8 * q + lane / 4][call] + 4 * (lane % 4);
        uint32_t word = 0;
        for (int byte = 0; byte < 4; ++byte)
          word |= uint32_t(shared.bytes[address + byte]) << (8 * byte);
        regs[lane][4 * call + q] = int32_t(word);
      }
    }
}

/// D = A B + C for every tile of the warp, wrapping as mma.sync's .s32
/// accumulation.
void multiplyTiles(const Registers (&regs)[32],
                   int32_t (&c)[32][qg::kConvAccumulators]) {
  for (int i = 0; i < qg::kConvWarpTilesM; ++i)
    for (int j = 0; j < qg::kConvWarpTilesN; ++j) {
      int8_t a[16][32], b[32][8];
      gatherTiles(regs, i, j, a, b);
      for (int lane = 0; lane < 32; ++lane)
        for (int r = 0; r < 4; ++r) {
          int row = lane / 4 + (r >= 2 ? 8 : 0);
          int col = (lane % 4) * 2 + (r & 1);
          int32_t &sum = c[lane][4 * (i * qg::kConvWarpTilesN + j) + r];
          uint32_t wrapped = uint32_t(sum);
          for (int kk = 0; kk < 32; ++kk)
            wrapped += uint32_t(int32_t(a[row][kk]) * b[kk][col]);
          sum = int32_t(wrapped);
        }
    }
}

class GpuTilingTest : public ::testing::Test {
protected:
  void SetUp() override {
    DialectRegistry registry;
    registerCPUPipelineDialects(registry);
    context = std::make_unique<MLIRContext>(registry);
    context->loadAllAvailableDialects();
    OpBuilder builder(context.get());
    OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
    buildConvS8LaneFunctions(builder, *module);
    auto compiled = compileForHostCPU(*module);
    ASSERT_TRUE(succeeded(compiled));
    engine = std::move(*compiled);
  }

  void invoke(const char *name, llvm::MutableArrayRef<void *> args) {
    llvm::Error error = engine->invokePacked(name, args);
    ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
  }

  /// Every thread of a block stages the stage at k0 into `shared`; each
  /// thread's writes are found by staging it twice, over a buffer of zeros
  /// and one of 0xff: a byte it writes reads the same in both.
  void stage(const void *input, const void *weights, const int64_t *params,
             int64_t image, int64_t bx, int64_t by, int64_t k0,
             SharedTiles &shared) {
    std::fill(std::begin(shared.written), std::end(shared.written), false);
    static SharedTiles low, high;
    for (int64_t thread = 0; thread < qg::kConvBlockThreads; ++thread) {
      std::fill(std::begin(low.bytes), std::end(low.bytes), 0x00);
      std::fill(std::begin(high.bytes), std::end(high.bytes), 0xff);
      for (SharedTiles *run : {&low, &high}) {
        void *tiles = run->bytes;
        void *args[] = {&input, &weights, &params, &image, &bx,
                        &by,    &thread,  &k0,     &tiles};
        ASSERT_NO_FATAL_FAILURE(invoke("quantx_conv_s8_stage", args));
      }
      for (int64_t at = 0; at < qg::kConvSharedBytes; ++at)
        if (low.bytes[at] == high.bytes[at]) {
          ASSERT_FALSE(shared.written[at])
              << "byte " << at << " staged twice, again by thread " << thread;
          shared.written[at] = true;
          shared.bytes[at] = low.bytes[at];
        }
    }
    // Every byte of the tiles' rows, and none of their padding.
    for (int64_t at = 0; at < qg::kConvSharedBytes; ++at)
      ASSERT_EQ(shared.written[at],
                at % qg::kConvSharedRowBytes < qg::kConvStageK)
          << "byte " << at;
  }

  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<ExecutionEngine> engine;
};

TEST_F(GpuTilingTest, ThreadsComputeTheConvolution) {
  // The ldmatrix offsets do not depend on the layer or the stage.
  int64_t warps = qg::kConvBlockThreads / 32;
  int64_t mmaSteps = qg::kConvStageK / qg::kConvStepK;
  std::vector<LaneOffsets> offsets(warps * mmaSteps);
  for (int64_t warp = 0; warp < warps; ++warp)
    for (int64_t step = 0; step < mmaSteps; ++step)
      for (int64_t lane = 0; lane < 32; ++lane) {
        int64_t thread = warp * 32 + lane, kk = step * qg::kConvStepK;
        void *out = offsets[warp * mmaSteps + step][lane];
        void *args[] = {&thread, &kk, &out};
        ASSERT_NO_FATAL_FAILURE(
            invoke("quantx_conv_s8_ldmatrix_offsets", args));
      }

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
    int64_t depth = qg::getGpuWeightDepth(k);
    ASSERT_EQ(int64_t(gpuWeights.size()), qg::getGpuWeightRows(n) * depth);
    const void *input = x.data(), *weights = gpuWeights.data(),
               *biasData = folded.data(), *requantData = requant.data(),
               *paramData = params.data();
    void *output = actual.data();
    int64_t gridX = (m + qg::kConvBlockRows - 1) / qg::kConvBlockRows;
    int64_t gridY = (n + qg::kConvBlockCols - 1) / qg::kConvBlockCols;
    static SharedTiles shared;
    for (int64_t image = 0; image < layer.batch; ++image)
      for (int64_t bx = 0; bx < gridX; ++bx)
        for (int64_t by = 0; by < gridY; ++by) {
          std::vector<std::array<int32_t, qg::kConvAccumulators>> sums(
              qg::kConvBlockThreads);
          for (int64_t k0 = 0; k0 < depth; k0 += qg::kConvStageK) {
            ASSERT_NO_FATAL_FAILURE(stage(input, weights, params.data(), image,
                                          bx, by, k0, shared));
            for (int64_t step = 0; step < mmaSteps; ++step)
              for (int64_t warp = 0; warp < warps; ++warp) {
                Registers regs[32];
                ASSERT_NO_FATAL_FAILURE(loadMatrices(
                    shared, offsets[warp * mmaSteps + step], regs));
                int32_t c[32][qg::kConvAccumulators];
                for (int lane = 0; lane < 32; ++lane)
                  std::copy_n(sums[warp * 32 + lane].begin(),
                              qg::kConvAccumulators, c[lane]);
                ASSERT_NO_FATAL_FAILURE(multiplyTiles(regs, c));
                for (int lane = 0; lane < 32; ++lane)
                  std::copy_n(c[lane], qg::kConvAccumulators,
                              sums[warp * 32 + lane].begin());
              }
          }
          for (int64_t thread = 0; thread < qg::kConvBlockThreads; ++thread) {
            void *laneSums = sums[thread].data();
            void *args[] = {&biasData, &requantData, &paramData,
                            &output,   &image,       &bx,
                            &by,       &thread,      &laneSums};
            ASSERT_NO_FATAL_FAILURE(invoke("quantx_conv_s8_epilogue", args));
          }
        }
    ASSERT_EQ(actual, expected);
  }
}

} // namespace
