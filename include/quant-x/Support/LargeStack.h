//===- LargeStack.h - run a tool's main on a large stack --------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// MLIR's parser, verifier, printer and op destruction recurse once per level
// of nested regions and attributes, so IR nested 10^4 deep overflows the
// 8 MiB main-thread stack. The drivers run their whole main on a larger one.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_SUPPORT_LARGESTACK_H
#define QUANTX_SUPPORT_LARGESTACK_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/ProgramStack.h"

namespace quantx {

/// Stack of a driver's main. Only reserved: pages are committed as the
/// recursion touches them, so shallow IR costs nothing.
inline constexpr unsigned kToolStackSize = 512u << 20;

/// Runs `body` (a tool's main, from command-line parsing to the last output)
/// on a kToolStackSize stack and returns its exit code.
inline int runOnLargeStack(llvm::function_ref<int()> body) {
  return llvm::runOnNewStack(kToolStackSize, body);
}

} // namespace quantx

#endif // QUANTX_SUPPORT_LARGESTACK_H
