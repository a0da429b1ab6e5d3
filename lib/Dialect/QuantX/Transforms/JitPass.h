//===- JitPass.h - passes that JIT-compile the model -----------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A pass that compiles and runs the model it transforms (calibration, the
// sensitivity probes, rounding optimization, bias correction) lowers it
// through every dialect of the CPU pipeline inside its own context, so it
// must declare them, with their bufferization models, before it runs: a
// dialect loaded later without them fails to bufferize.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_JITPASS_H
#define QUANTX_LIB_TRANSFORMS_JITPASS_H

#include "quant-x/ExecutionEngine/CPUPipeline.h"

namespace mlir::quantx {

/// Derive `struct XPass : JitPass<impl::XBase<XPass>>` instead of from
/// `impl::XBase<XPass>` directly.
template <class PassBase>
struct JitPass : PassBase {
  using PassBase::PassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    PassBase::getDependentDialects(registry);
    registerCPUPipelineDialects(registry);
  }
};

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_JITPASS_H
