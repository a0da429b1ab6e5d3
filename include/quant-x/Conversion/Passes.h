//===- Passes.h - quant-x conversion passes ---------------------*- C++ -*-===//

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
