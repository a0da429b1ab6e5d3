//===- QuantXDialect.h - quantx dialect, types, attributes, ops -*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The one header an embedder includes to use the quantx dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_IR_QUANTXDIALECT_H
#define QUANTX_DIALECT_QUANTX_IR_QUANTXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "quant-x/Dialect/QuantX/IR/QuantGrid.h"

#include "quant-x/Dialect/QuantX/IR/Dyadic.h"

namespace mlir::quantx {
/// Exact parsing and printing of the float and integer list parameters.
FailureOr<APFloat> parseF64(AsmParser &parser);
void printF64(AsmPrinter &printer, const APFloat &value);
FailureOr<DenseF64ArrayAttr> parseF64ArrayAttr(AsmParser &parser);
void printF64ArrayAttr(AsmPrinter &printer, DenseF64ArrayAttr values);
FailureOr<SmallVector<int64_t>> parseI64Array(AsmParser &parser);
void printI64Array(AsmPrinter &printer, ArrayRef<int64_t> values);
FailureOr<SmallVector<int32_t>> parseI32Array(AsmParser &parser);
void printI32Array(AsmPrinter &printer, ArrayRef<int32_t> values);
} // namespace mlir::quantx

#include "quant-x/Dialect/QuantX/IR/QuantXAttrInterfaces.h.inc"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "quant-x/Dialect/QuantX/IR/QuantXAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "quant-x/Dialect/QuantX/IR/QuantXTypes.h.inc"

#define GET_OP_CLASSES
#include "quant-x/Dialect/QuantX/IR/QuantXOps.h.inc"

namespace mlir::quantx {
/// The `!quantx.uniform` element type of `type` if it is a tensor of them.
UniformType getQuantizedElementType(Type type);
} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_IR_QUANTXDIALECT_H
