//===- CheckTensorSizes.cpp - refuse tensors too large to materialize -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_CHECKTENSORSIZES
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

namespace {
struct CheckTensorSizesPass
    : quantx::impl::CheckTensorSizesBase<CheckTensorSizesPass> {
  using CheckTensorSizesBase::CheckTensorSizesBase;

  void runOnOperation() override {
    if (failed(checkTensorSizes(getOperation(), maxTensorMB,
                                "quantx-check-tensor-sizes: max-tensor-mb")))
      signalPassFailure();
  }
};
} // namespace
