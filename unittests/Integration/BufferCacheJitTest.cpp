//===- BufferCacheJitTest.cpp - compiled models reuse their buffers -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The JIT-compiled code allocates its heap buffers from the runtime's buffer
// cache (BufferCache.h): after the first call, a call allocates nothing new
// from the system, so that it touches no fresh page.
//
//===----------------------------------------------------------------------===//

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/BufferCache.h"

#include "gtest/gtest.h"

#include <vector>

using namespace mlir;
using namespace mlir::quantx;

namespace {

// The matmul's result is an intermediate buffer (the add reads it), large
// enough to live on the heap.
constexpr const char *kModel = R"mlir(
func.func @model(%a: tensor<1x256x256xf32>) -> tensor<1x256x256xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %a, %a, %zp, %zp : (tensor<1x256x256xf32>, tensor<1x256x256xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x256x256xf32>
  %s = tosa.add %m, %a : (tensor<1x256x256xf32>, tensor<1x256x256xf32>) -> tensor<1x256x256xf32>
  return %s : tensor<1x256x256xf32>
}
)mlir";

TEST(BufferCacheJitTest, SteadyStateCallsAllocateNothingNew) {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  MLIRContext ctx(registry);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kModel, &ctx);
  ASSERT_TRUE(module);
  auto engine = compileForHostCPU(*module);
  ASSERT_TRUE(succeeded(engine));
  std::vector<float> in(256 * 256), out(256 * 256);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = float(i % 7) - 3.0f;
  StridedMemRefType<float, 3> inDesc{
      in.data(), in.data(), 0, {1, 256, 256}, {65536, 256, 1}};
  StridedMemRefType<float, 3> outDesc{
      out.data(), out.data(), 0, {1, 256, 256}, {65536, 256, 1}};
  auto *inPtr = &inDesc;
  auto *outPtr = &outDesc;
  SmallVector<void *> args{&inPtr, &outPtr};
  auto call = [&] {
    llvm::Error error = (*engine)->invokePacked("_mlir_ciface_model", args);
    EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  };
  call();
  ::quantx::kernels::BufferCacheStats first =
      ::quantx::kernels::getBufferCacheStats();
  EXPECT_GT(first.misses, 0) << "the intermediate buffer bypassed the cache";
  call();
  call();
  ::quantx::kernels::BufferCacheStats later =
      ::quantx::kernels::getBufferCacheStats();
  EXPECT_EQ(later.misses, first.misses);
  EXPECT_GT(later.hits, first.hits);
  // The results are still right: out = a * a + a at one element.
  float expected = in[1 * 256 + 2];
  for (int k = 0; k < 256; ++k)
    expected += in[1 * 256 + k] * in[k * 256 + 2];
  EXPECT_FLOAT_EQ(out[1 * 256 + 2], expected);
}

} // namespace
