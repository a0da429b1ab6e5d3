//===- Passes.h - quant-x conversion passes ---------------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_PASSES_H
#define QUANTX_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"
#include "quant-x/Conversion/QuantInterop/QuantInterop.h"
#include "quant-x/Conversion/QuantXToArith/QuantXToArith.h"
#include "quant-x/Conversion/TosaToKernels/TosaToKernels.h"

namespace mlir::quantx {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "quant-x/Conversion/Passes.h.inc"

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_PASSES_H
