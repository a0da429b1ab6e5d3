//===- FuzzIR.cpp - parsing fuzzer inputs as MLIR modules -----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "FuzzIR.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "quant-x/InitAllDialects.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::quantx;

std::unique_ptr<MLIRContext> fuzz::makeContext() {
  // Built once: registering is a cost per process, not per input.
  static const DialectRegistry registry = [] {
    DialectRegistry registry;
    registerAllDialects(registry);
    return registry;
  }();
  auto context =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  // The handler lives as long as the context: a ScopedDiagnosticHandler whose
  // scope is the context's.
  context->getDiagEngine().registerHandler(
      [](Diagnostic &) { return success(); });
  return context;
}

OwningOpRef<ModuleOp> fuzz::parseModule(MLIRContext &context,
                                        llvm::StringRef bytes) {
  // A null-terminated copy: MLIR's lexer stops at the terminating null, not at
  // the buffer's end.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(bytes, "fuzz.mlir"), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
}
