//===- ModelFile.cpp - a model file parsed for a command-line tool --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/ExecutionEngine/ModelFile.h"

#include "quant-x/ExecutionEngine/CPUPipeline.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace mlir::quantx;

ModelFile::ModelFile() {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  registry.insert<quant::QuantDialect>();
  context = std::make_unique<MLIRContext>(registry);
  context->printOpOnDiagnostic(false);
  diagnostics =
      std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr, context.get());
}

OwningOpRef<ModuleOp> ModelFile::parse(StringRef path, std::string &error) {
  auto file = openInputFile(path, &error);
  if (!file)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, context.get());
}
