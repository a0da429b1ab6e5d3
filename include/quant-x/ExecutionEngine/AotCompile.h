//===- AotCompile.h - models to object files with a C ABI -------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Ahead-of-time compilation (quant-compile): the lowering quant-run's JIT
// runs, then LLVM's code generation for a chosen CPU into a relocatable
// object, with one C function per entry point and a C header describing
// it. The object calls quant-x's runtime kernels (libQuantXKernels.a) and
// its AOT runtime (libQuantXAotRuntime.a: buffers, copies, errors,
// threads); linked with those two it needs neither LLVM nor MLIR.
// docs/Tools.md describes the ABI.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_EXECUTIONENGINE_AOTCOMPILE_H
#define QUANTX_EXECUTIONENGINE_AOTCOMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"

#include <string>

namespace mlir::quantx {

struct AotOptions {
  /// The function of the module to compile.
  std::string entry = "main";
  /// The C function's name; empty: `quantx_<entry>`.
  std::string functionName;
  /// The CPU the code is for: "native" (this machine's CPU and features),
  /// "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", or any CPU name
  /// LLVM's x86 back end knows ("znver4", "skylake-avx512", ...). The
  /// conv/matmul kernels are the best this CPU has (avx512vnni, the AVX2
  /// kernels, or generic).
  std::string cpu = "native";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 3;
  uint64_t maxTensorMB = kDefaultMaxTensorMB;
};

struct AotResult {
  /// An ELF relocatable object for x86-64.
  std::string object;
  /// The C header declaring the function, its operands' shapes and types,
  /// and the runtime's functions.
  std::string header;
  /// The conv/matmul kernels the object calls (getIsaName).
  std::string kernelIsa;
};

/// Compiles `options.entry` of `module` (float TOSA, integer TOSA and quantx
/// alike; statically shaped tensors of whole-byte elements in and out) to
/// an object exporting `int <functionName>(const T0 *input0, ..., U0
/// *output0, ...)`: inputs in C order, outputs filled in C order; 0 on
/// success, 1 when a kernel refused its call (quantx_last_error() says
/// why). Emits a diagnostic on `module` and fails otherwise.
FailureOr<AotResult> compileAheadOfTime(ModuleOp module,
                                        const AotOptions &options);

} // namespace mlir::quantx

#endif // QUANTX_EXECUTIONENGINE_AOTCOMPILE_H
