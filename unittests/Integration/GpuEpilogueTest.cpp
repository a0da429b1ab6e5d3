//===- GpuEpilogueTest.cpp - the GPU kernels' requantization on the CPU ---===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The GPU conv kernel's epilogue (emitGpuRequantize) is plain arith on
// scalars: compiled here for the host, it must equal quantx::rescaleReference
// bit for bit, for both roundings, on the extreme accumulators, multipliers,
// shifts, zero points and clamps and on random ones. The PTX kernel runs
// exactly these operations (test/Tools/quant-run-gpu.test checks they reach
// the PTX as integer instructions).
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Dialect/QuantX/IR/Dyadic.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir;
using namespace mlir::quantx;

namespace {

/// @requantize(x: i32, multiplier: i32, shift: i32, single: i1, zp: i64,
/// lo: i64, hi: i64) -> i8, the GPU kernel's epilogue.
OwningOpRef<ModuleOp> buildEpilogueModule(MLIRContext &context) {
  OpBuilder b(&context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto function = func::FuncOp::create(
      b, loc, "requantize",
      b.getFunctionType({i32, i32, i32, b.getI1Type(), i64, i64, i64},
                        {b.getI8Type()}));
  Block *body = function.addEntryBlock();
  b.setInsertionPointToStart(body);
  ValueRange a = body->getArguments();
  Value result =
      emitGpuRequantize(b, loc, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  func::ReturnOp::create(b, loc, result);
  return module;
}

TEST(GpuEpilogueTest, MatchesRescaleReference) {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = buildEpilogueModule(context);
  auto engine = compileForHostCPU(*module);
  ASSERT_TRUE(succeeded(engine));
  auto run = [&](int32_t x, int32_t multiplier, int32_t shift, bool single,
                 int64_t zp, int64_t lo, int64_t hi) {
    int8_t result = 0;
    bool singleBit = single;
    void *args[] = {&x,  &multiplier, &shift, &singleBit,
                    &zp, &lo,         &hi,    &result};
    llvm::Error error = (*engine)->invokePacked("requantize", args);
    EXPECT_FALSE(bool(error)) << llvm::toString(std::move(error));
    return result;
  };
  auto check = [&](int32_t x, int32_t multiplier, int32_t shift, bool single,
                   int64_t zp, int64_t lo, int64_t hi) {
    int64_t expected = rescaleReference(
        x, 0, {multiplier, shift},
        single ? RoundingMode::Single : RoundingMode::Double, zp, lo, hi);
    ASSERT_EQ(run(x, multiplier, shift, single, zp, lo, hi), expected)
        << "x " << x << " multiplier " << multiplier << " shift " << shift
        << " single " << single << " zp " << zp << " clamp [" << lo << ", "
        << hi << "]";
  };
  const int32_t accumulators[] = {
      INT32_MIN, INT32_MIN + 1, -(1 << 30),    -1,       0,
      1,         1 << 30,       INT32_MAX - 1, INT32_MAX};
  const int32_t multipliers[] = {0,          1,        1 << 30, (1 << 30) + 1,
                                 1518500250, INT32_MAX};
  const int32_t shifts[] = {1, 15, 30, 31, 32, 33, 40, 47, 62};
  for (bool single : {false, true})
    for (int32_t x : accumulators)
      for (int32_t multiplier : multipliers)
        for (int32_t shift : shifts)
          for (auto [zp, lo, hi] :
               {std::tuple<int64_t, int64_t, int64_t>{0, -128, 127},
                {-128, -128, 127},
                {5, -100, 120}})
            check(x, multiplier, shift, single, zp, lo, hi);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    auto x = int32_t(rng());
    // Accumulators of realistic layers too: |x| below 2^20.
    if (i % 2)
      x >>= 11;
    auto multiplier = int32_t(rng() % (uint64_t(1) << 31));
    auto shift = int32_t(1 + rng() % 62);
    int64_t zp = int64_t(rng() % 256) - 128;
    int64_t lo = int64_t(rng() % 256) - 128;
    int64_t hi = lo + int64_t(rng() % uint64_t(128 - lo));
    check(x, multiplier, shift, i % 3 == 0, zp, lo, hi);
  }
}

} // namespace
