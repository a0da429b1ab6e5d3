//===- ModelFile.h - a model file parsed for a command-line tool -*- C++
//-*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_EXECUTIONENGINE_MODELFILE_H
#define QUANTX_EXECUTIONENGINE_MODELFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>

namespace mlir::quantx {

/// What quant-run and quant-compile read: a model in a context that knows
/// the CPU pipeline's dialects and upstream `quant`, its diagnostics
/// printed against the file, one line each (printing the operation with an
/// error would print a whole module where the JIT fails).
class ModelFile {
public:
  ModelFile();

  /// Parses `path` ("-" for stdin); null after a diagnostic, or with
  /// `error` set when the file cannot be read.
  OwningOpRef<ModuleOp> parse(StringRef path, std::string &error);

  MLIRContext &getContext() { return *context; }

private:
  std::unique_ptr<MLIRContext> context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> diagnostics;
};

} // namespace mlir::quantx

#endif // QUANTX_EXECUTIONENGINE_MODELFILE_H
