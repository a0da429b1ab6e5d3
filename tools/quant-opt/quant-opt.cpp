//===- quant-opt.cpp - the quant-x optimizer driver -----------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Registers the dialects quant-x parses and the passes it offers, then hands
// over to MlirOptMain, on a stack large enough for deeply nested IR.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "quant-x/InitAllDialects.h"
#include "quant-x/Support/LargeStack.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::quantx::registerAllDialects(registry);
  mlir::quantx::registerQuantXConversionPasses();
  mlir::quantx::registerQuantXTransformsPassesAndPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return quantx::runOnLargeStack([&] {
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, "quant-x optimizer driver\n", registry));
  });
}
