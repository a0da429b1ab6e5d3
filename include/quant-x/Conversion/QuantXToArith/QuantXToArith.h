//===- QuantXToArith.h - lower quantx to integer arith ----------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_QUANTXTOARITH_QUANTXTOARITH_H
#define QUANTX_CONVERSION_QUANTXTOARITH_QUANTXTOARITH_H

#include "mlir/Transforms/DialectConversion.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

namespace mlir::quantx {

/// Maps tensors of `!quantx.uniform` to tensors of their signless storage
/// integers, with `quantx.storage_cast` as materialization.
class QuantXStorageTypeConverter : public TypeConverter {
public:
  QuantXStorageTypeConverter();
};

/// Patterns lowering quantize, dequantize, requantize, rescale and
/// storage_cast to `linalg.generic` over scalar arith. `rounding` applies to
/// requantize (rescale carries its own).
void populateQuantXToArithConversionPatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns,
                                             RoundingMode rounding);

/// The pattern lowering `quantx.unpack_weights` to a `linalg.generic` that
/// reads the packed bytes (included in the patterns above).
void populateUnpackWeightsLoweringPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_QUANTXTOARITH_QUANTXTOARITH_H
