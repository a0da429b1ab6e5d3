//===- ObserverCalls.h - handing values to the host from the JIT -*- C++
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-*-===//
//
// The probes that run a model to learn about its values (calibration
// statistics, layer input moments) call a host function with each value of
// interest as it is computed: `name(id, values)` with the values flattened
// to a dynamically sized f32 vector, so that one declaration takes them
// all. The host side registers `_mlir_ciface_<name>` with the JIT
// (CPUCompileOptions::hostSymbols), of type ObserverFn.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_OBSERVERCALLS_H
#define QUANTX_LIB_TRANSFORMS_OBSERVERCALLS_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "quant-x/Runtime/Npy.h"

namespace mlir::quantx {

/// The host function's C signature.
using ObserverFn = void (*)(int64_t id, StridedMemRefType<float, 1> *values);

/// Declares `name` in `module` and calls it after each of `values` (f32
/// tensors of static shape), with its index in `values` as the id.
void insertObserverCalls(ModuleOp module, ArrayRef<Value> values,
                         StringRef name);

/// Inserts calls of `name` after each of `values` (of `probe`), compiles
/// `probe` with `observer` as that host function, and runs `funcName` on
/// the first `numSamples` of `samples` (`fileSamples` each), dropping its
/// results; the caller points `observer` at its state around the call.
/// Errors go on `at`, prefixed with `pass`.
LogicalResult runObservedProbe(ModuleOp probe, StringRef funcName,
                               ArrayRef<Value> values, StringRef name,
                               ObserverFn observer, ArrayRef<NpyArray> samples,
                               int64_t fileSamples, int64_t numSamples,
                               uint64_t maxTensorMB, Operation *at,
                               StringRef pass);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_OBSERVERCALLS_H
