// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

// Parses a quantized module, lowers it with quant-x's pass and checks one
// dyadic multiplier: the smallest real use of the exported libraries.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include <cstdio>

int main() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::quantx::QuantXDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext ctx(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(R"(
    func.func @f(%x: tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>>)
        -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 1>>> {
      %y = quantx.requantize %x : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>>
          -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 1>>>
      return %y : tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 1>>>
    })",
                                                        &ctx);
  if (!module)
    return 1;
  mlir::PassManager pm(&ctx);
  pm.addPass(mlir::quantx::createConvertQuantXToArith());
  if (mlir::failed(pm.run(*module)))
    return 1;
  bool lowered = true;
  module->walk([&](mlir::Operation *op) {
    if (llvm::isa<mlir::quantx::QuantXDialect>(op->getDialect()))
      lowered = false;
  });
  auto dyadic = mlir::quantx::computeDyadic(0.25);
  if (!lowered || mlir::failed(dyadic) || dyadic->multiplier != (1 << 30) ||
      dyadic->shift != 32)
    return 1;
  std::printf("consumer: quantx lowered, 0.25 = %d * 2^-%d\n",
              dyadic->multiplier, dyadic->shift);
  // The int8 pipeline, as an embedder adds it to its own pass manager.
  mlir::PassManager quantize(&ctx);
  mlir::quantx::QuantizeInt8Options options;
  mlir::quantx::buildQuantizeInt8Pipeline(quantize, options);
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  quantize.printAsTextualPipeline(os);
  std::printf("consumer: %s\n",
              pipeline.find("quantx-calibrate") != std::string::npos
                  ? "quantize-int8 pipeline built"
                  : "quantize-int8 pipeline missing");
  return 0;
}
