//===- CompiledFunction.h - call a JIT-compiled model function --*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quant-run and the calibration pass execute `func.func` entries over
// statically shaped tensors. This compiles a clone of the module for the host
// CPU and calls the entry on caller-owned buffers.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_COMPILEDFUNCTION_H
#define QUANTX_RUNTIME_COMPILEDFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace mlir::quantx {

/// Bytes per element of a tensor the runtime exchanges (whole-byte integer
/// and float types), or 0 for any other element type.
size_t getElementBytes(Type elementType);

/// The function `entry` of `module` and its argument and result types,
/// which must be statically shaped tensors of whole-byte integers or floats
/// (what a caller can pass as C arrays). Emits a diagnostic otherwise.
FailureOr<func::FuncOp>
getEntryTypes(ModuleOp module, StringRef entry,
              SmallVectorImpl<RankedTensorType> &arguments,
              SmallVectorImpl<RankedTensorType> &results);

/// A clone of `module` to compile `entry` from: the other functions
/// private, no argument or result attributes.
OwningOpRef<ModuleOp> cloneForEntry(ModuleOp module, StringRef entry);

class CompiledFunction {
public:
  /// Compiles a clone of `module` (float TOSA, integer TOSA and quantx alike).
  /// `entry` must take and return statically shaped tensors of whole-byte
  /// element types. Emits a diagnostic on `module` and fails otherwise.
  static FailureOr<std::unique_ptr<CompiledFunction>>
  compile(ModuleOp module, StringRef entry,
          const CPUCompileOptions &options = {});

  ArrayRef<RankedTensorType> getArgumentTypes() const { return argumentTypes; }
  ArrayRef<RankedTensorType> getResultTypes() const { return resultTypes; }

  /// Zero-filled memory for the elements of each of `types`, and a pointer
  /// to each: room for a call's results (or arguments).
  struct Buffers {
    std::vector<std::vector<char>> storage;
    SmallVector<void *> pointers;
  };
  static Buffers allocateBuffers(ArrayRef<RankedTensorType> types);

  /// Calls the entry: `inputs[i]` holds argument i's elements in C order,
  /// `outputs[j]` has room for result j's.
  llvm::Error call(ArrayRef<const void *> inputs, ArrayRef<void *> outputs);

  /// Frees the buffers the runtime kept for the calls (BufferCache.h):
  /// another model would have other sizes.
  ~CompiledFunction();

private:
  CompiledFunction() = default;

  std::unique_ptr<ExecutionEngine> engine;
  std::string symbol;
  SmallVector<RankedTensorType> argumentTypes, resultTypes;
};

} // namespace mlir::quantx

#endif // QUANTX_RUNTIME_COMPILEDFUNCTION_H
