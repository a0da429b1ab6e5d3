//===- quant-opt.cpp - the quant-x optimizer driver -----------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Registers the dialects quant-x parses and the passes it offers, with
// every upstream dialect and pass and quant-run's lowering stages as named
// pipelines (docs/Passes.md), then hands over to MlirOptMain, on a stack
// large enough for deeply nested IR.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "quant-x/InitAllDialects.h"
#include "quant-x/InitAllPasses.h"
#include "quant-x/Support/LargeStack.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  // Every upstream dialect, extension and pass, as mlir-opt has them: the
  // stages after --quantize-int8 (TOSA to linalg, bufferization, the LLVM
  // lowering) run and can be inspected one pass at a time.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  mlir::quantx::registerAllDialects(registry);
  mlir::quantx::registerAllPasses();
  return quantx::runOnLargeStack([&] {
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, "quant-x optimizer driver\n", registry));
  });
}
