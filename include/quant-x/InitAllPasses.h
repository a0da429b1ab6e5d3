//===- InitAllPasses.h - every quant-x pass and pipeline --------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One registration of quant-x's passes and pipelines, shared by quant-opt,
// the mlir-opt plugin and the C API.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_INITALLPASSES_H
#define QUANTX_INITALLPASSES_H

#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"

namespace mlir::quantx {

/// Registers every quant-x pass, the quantize pipelines and quant-run's
/// lowering stages (registerCPUPipelines) with the global registry.
inline void registerAllPasses() {
  registerQuantXConversionPasses();
  registerQuantXTransformsPassesAndPipelines();
  registerCPUPipelines();
}

} // namespace mlir::quantx

#endif // QUANTX_INITALLPASSES_H
