//===- FuzzIR.h - parsing fuzzer inputs as MLIR modules ---------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What quantx-ir-fuzzer and quantx-opt-fuzzer share: each input is parsed in
// a context of its own, with quant-opt's dialects, and every diagnostic is
// swallowed, since rejecting malformed IR with an error is the expected
// outcome. Only a crash or a sanitizer report is a finding.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_FUZZ_FUZZIR_H
#define QUANTX_FUZZ_FUZZIR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::quantx::fuzz {

/// A fresh context per input: nothing an earlier input uniqued or loaded can
/// change how this one behaves, so every crash reproduces from its input
/// alone. Single-threaded, so that a report's stack is the failing one.
/// Dialects load as the parser meets them. Every diagnostic emitted in it,
/// by the parser, the verifier or a pass, is dropped for its whole life.
std::unique_ptr<MLIRContext> makeContext();

/// Parses and verifies `bytes` as a module. Returns null when the input is not
/// valid IR.
OwningOpRef<ModuleOp> parseModule(MLIRContext &context, llvm::StringRef bytes);

} // namespace mlir::quantx::fuzz

#endif // QUANTX_FUZZ_FUZZIR_H
