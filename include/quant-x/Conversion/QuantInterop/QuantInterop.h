//===- QuantInterop.h - upstream quant <-> quantx ---------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_QUANTINTEROP_QUANTINTEROP_H
#define QUANTX_CONVERSION_QUANTINTEROP_QUANTINTEROP_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

namespace mlir::quantx {

/// Converts an upstream quantized element type of a tensor of `shape` to
/// `!quantx.uniform`, or
/// emits a diagnostic and returns null.
UniformType convertFromUpstream(quant::QuantizedType type,
                                ArrayRef<int64_t> shape,
                                function_ref<InFlightDiagnostic()> emitError);

/// Converts `!quantx.uniform` to an upstream quantized type, or emits a
/// diagnostic (two-level has no upstream form) and returns null.
quant::QuantizedType
convertToUpstream(UniformType type, ArrayRef<int64_t> shape,
                  function_ref<InFlightDiagnostic()> emitError);

/// Patterns for quant.qcast/dcast/scast -> quantx.
void populateImportUpstreamQuantPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);
/// Patterns for quantx quantize/dequantize/requantize/storage_cast -> quant.
void populateExportUpstreamQuantPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_QUANTINTEROP_QUANTINTEROP_H
