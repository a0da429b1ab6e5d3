//===- IRFuzzer.cpp - libFuzzer target of the quantx parser and verifiers -===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Parses each input as a module with every dialect quant-opt knows and, when
// it verifies, prints it and parses the printed form again: the quantx type
// and attribute parsers, printers and verifiers (lib/Dialect/QuantX/IR) must
// reject malformed IR with a diagnostic, never crash or overflow, and must
// print whatever they accepted.
//
//===----------------------------------------------------------------------===//

#include "FuzzIR.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>

using namespace mlir::quantx;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = fuzz::makeContext();
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module = fuzz::parseModule(*context, bytes);
  if (!module)
    return 0;
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os);
  // Whether the printed form parses again is upstream's round-trip promise as
  // much as ours; the reparse is here for the parsers it reaches.
  (void)fuzz::parseModule(*context, printed);
  return 0;
}
