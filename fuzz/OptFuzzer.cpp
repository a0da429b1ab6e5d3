//===- OptFuzzer.cpp - libFuzzer target of the quant-x passes -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Parses each input as a module and, when it verifies, runs fixed pipelines of
// the passes that need no calibration data, each on a fresh clone. A pass may
// fail with a diagnostic on IR it does not handle; it must never crash or
// trip a sanitizer on verified IR.
//
//===----------------------------------------------------------------------===//

#include "FuzzIR.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

#include <cstdint>

using namespace mlir;
using namespace mlir::quantx;

/// Each pipeline is a path the tools take through the passes: quantization
/// down to arith, the runtime-kernel lowering (for a fixed ISA: what "host"
/// picks depends on the machine, and a finding must reproduce anywhere), the
/// GPU lowering, the round trip through upstream quant, TOSA export, the
/// checks, cross-layer equalization and the mixed-precision assignment.
static constexpr const char *kPipelines[] = {
    ("func.func(quantx-fold-batch-norm,quantx-quantize,"
     "quantx-widen-accumulators,quantx-check-accumulators,"
     "quantx-lower-requantize),quantx-lower-to-arith"),
    "quantx-lower-to-arith{rounding=single}",
    ("quantx-import-quant,func.func(quantx-lower-to-kernels{isa=avx512vnni}),"
     "quantx-lower-kernel-calls"),
    "func.func(quantx-lower-to-kernels{isa=avx2-maddubs})",
    // The GPU lowering: the generic kernel calls, the GPU's share of them
    // and the kernel module (no PTX: that needs no input).
    "quantx-import-quant,quantx-lower-to-gpu",
    "quantx-import-quant,quantx-export-quant",
    "func.func(quantx-export-tosa)",
    "func.func(quantx-verify-integer)",
    // Cross-layer equalization (data-free), across ReLU6s too.
    "func.func(quantx-fold-batch-norm,quantx-equalize{relu6=relu})",
    // Mixed precision from given sensitivities (no calibration data, so no
    // JIT): the solver on whatever layers and attributes the input has.
    ("quantx-assign-precision{candidates=w8a8,w4a8,w2a8 size=0.5 "
     "bops=0.7}"),
};

/// Runs first in every pipeline, as in the tools' pipelines: passes that
/// materialize constants rely on it to refuse huge tensors (TensorSizes.h).
/// The limit stays well under the runs' -rss_limit_mb, so that a big but
/// legal tensor is not reported as running out of memory.
static constexpr const char *kCheckSizes =
    "quantx-check-tensor-sizes{max-tensor-mb=64}";

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  registerQuantXConversionPasses();
  registerQuantXTransformsPassesAndPipelines();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = fuzz::makeContext();
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = fuzz::parseModule(*context, bytes);
  if (!module)
    return 0;
  for (const char *pipeline : kPipelines) {
    PassManager pm(context.get());
    if (failed(parsePassPipeline(kCheckSizes, pm)) ||
        failed(parsePassPipeline(pipeline, pm)))
      __builtin_trap(); // A typo in the pipelines, not a finding.
    OwningOpRef<ModuleOp> clone = module->clone();
    (void)pm.run(*clone);
  }
  return 0;
}
