//===- GpuAddKernelTest.cpp - the requantized int8 add, CPU and GPU -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quantx_kernel_add_s8 against its definition written with
// quantx::rescaleReference (each operand rescaled to int32, the int32 sum
// wrapping, the sum rescaled to int8), for every combination of roundings,
// per-channel multipliers and shifts down to 0 (which saturate the int32
// addends, so that the sum wraps); and the GPU kernel's per-thread work
// (buildAddThreadFunction, the kernel's own code as a host function) run
// for every thread of the launch getLaunchShape makes, against the CPU
// kernel: every element written, bit-identical.
//
//===----------------------------------------------------------------------===//

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/MLIRContext.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Dialect/QuantX/IR/Dyadic.h"
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

/// An add of `rows` x `channels` int8 elements with random operands, zero
/// points and per-channel rescales (some shifts tiny, so that the addends
/// saturate and their sum wraps).
struct AddCall {
  int64_t rows, channels;
  std::vector<int8_t> a, b;
  std::vector<int32_t> table;
  std::vector<int64_t> params;

  AddCall(std::mt19937 &rng, int64_t rows, int64_t channels, int64_t rounding)
      : rows(rows), channels(channels), a(rows * channels), b(rows * channels),
        params(qk::kNumParams, 0) {
    for (int8_t &v : a)
      v = int8_t(rng());
    for (int8_t &v : b)
      v = int8_t(rng());
    for (int rescale = 0; rescale < 3; ++rescale) {
      for (int64_t c = 0; c < channels; ++c)
        table.push_back(int32_t(rng() % (1u << 31)));
      for (int64_t c = 0; c < channels; ++c)
        table.push_back(c == 0 ? 0 : int32_t(rng() % (rescale == 2 ? 63 : 40)));
    }
    params[qk::kBatch] = rows;
    params[qk::kOutC] = channels;
    params[qk::kPadValue] = int8_t(rng());
    params[qk::kWeightZeroPoint] = int8_t(rng());
    params[qk::kRounding] = rounding;
    params[qk::kOutputZeroPoint] = int8_t(rng());
    params[qk::kClampMin] = -100;
    params[qk::kClampMax] = 120;
  }

  /// The definition: quantx.rescale's arithmetic per step.
  std::vector<int8_t> reference() const {
    auto value = [&](int index, int64_t c) {
      return DyadicValue{table[2 * index * channels + c],
                         table[(2 * index + 1) * channels + c]};
    };
    auto rounding = [&](int64_t bit) {
      return params[qk::kRounding] & bit ? RoundingMode::Single
                                         : RoundingMode::Double;
    };
    std::vector<int8_t> out(a.size());
    for (int64_t i = 0; i < int64_t(a.size()); ++i) {
      int64_t c = i % channels;
      int64_t ra =
          rescaleReference(a[i], params[qk::kPadValue], value(0, c),
                           rounding(qk::kAddSingleA), 0, INT32_MIN, INT32_MAX);
      int64_t rb =
          rescaleReference(b[i], params[qk::kWeightZeroPoint], value(1, c),
                           rounding(qk::kAddSingleB), 0, INT32_MIN, INT32_MAX);
      int32_t sum = int32_t(uint32_t(ra) + uint32_t(rb));
      out[i] = int8_t(
          rescaleReference(sum, 0, value(2, c), rounding(qk::kAddSingleOut),
                           params[qk::kOutputZeroPoint], params[qk::kClampMin],
                           params[qk::kClampMax]));
    }
    return out;
  }

  std::vector<int8_t> runCpuKernel() const {
    std::vector<int8_t> out(a.size());
    quantx_kernel_add_s8(a.data(), b.data(), table.data(), nullptr,
                         params.data(), out.data());
    return out;
  }
};

TEST(GpuAddKernelTest, CpuKernelIsTheDefinition) {
  std::mt19937 rng(11);
  for (int64_t rounding = 0; rounding < 8; ++rounding) {
    AddCall call(rng, 37, 5, rounding);
    qk::CallSpec spec;
    ASSERT_EQ(qk::checkParams(qk::KernelKind::AddS8, call.params.data(), spec),
              "");
    EXPECT_EQ(call.runCpuKernel(), call.reference()) << "rounding " << rounding;
  }
}

TEST(GpuAddKernelTest, ThreadsMatchTheCpuKernel) {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
  buildAddThreadFunction(builder, *module);
  auto engine = compileForHostCPU(*module);
  ASSERT_TRUE(succeeded(engine));

  std::mt19937 rng(12);
  // Elements below, at and above a block of threads.
  const std::pair<int64_t, int64_t> shapes[] = {{3, 7}, {4, 64}, {41, 13}};
  for (auto [rows, channels] : shapes)
    for (int64_t rounding : {0, 5, 7}) {
      AddCall call(rng, rows, channels, rounding);
      std::vector<int8_t> expected = call.runCpuKernel();
      qk::CallSpec spec;
      ASSERT_TRUE(
          qg::runsOnGpu(qk::KernelKind::GpuAddS8, call.params.data(), spec));
      qg::LaunchShape shape =
          qg::getLaunchShape(qk::KernelKind::GpuAddS8, call.params.data());
      ASSERT_EQ(shape.grid[1], 1);
      ASSERT_EQ(shape.grid[2], 1);
      // Two sentinels: an element no thread writes keeps one of them.
      for (int8_t sentinel : {int8_t(0x55), int8_t(-0x56)}) {
        std::vector<int8_t> out(expected.size(), sentinel);
        const void *first = call.a.data(), *second = call.b.data(),
                   *table = call.table.data(), *unused = nullptr,
                   *params = call.params.data();
        void *output = out.data();
        for (int64_t block = 0; block < shape.grid[0]; ++block)
          for (int64_t thread = 0; thread < shape.block; ++thread) {
            void *args[] = {&first,  &second, &table, &unused,
                            &params, &output, &block, &thread};
            llvm::Error error =
                (*engine)->invokePacked("quantx_add_s8_thread", args);
            ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
          }
        EXPECT_EQ(out, expected)
            << rows << " x " << channels << ", rounding " << rounding;
      }
    }
}

} // namespace
