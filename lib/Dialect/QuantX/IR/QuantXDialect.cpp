//===- QuantXDialect.cpp - quantx dialect registration and parsing helpers ===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::quantx;

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.cpp.inc"

void QuantXDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "quant-x/Dialect/QuantX/IR/QuantXOps.cpp.inc"
      >();
}

UniformType mlir::quantx::getQuantizedElementType(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return dyn_cast<UniformType>(shaped ? shaped.getElementType() : type);
}

//===----------------------------------------------------------------------===//
// Parameter parsing and printing
//===----------------------------------------------------------------------===//

FailureOr<APFloat> mlir::quantx::parseF64(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return APFloat(value);
}

void mlir::quantx::printF64(AsmPrinter &printer, const APFloat &value) {
  printer.printFloat(value);
}

template <typename T, typename ParseElement>
static FailureOr<SmallVector<T>> parseBracketList(AsmParser &parser,
                                                  ParseElement parseElement) {
  SmallVector<T> values;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        FailureOr<T> value = parseElement();
        if (failed(value))
          return failure();
        values.push_back(*value);
        return success();
      }))
    return failure();
  return values;
}

template <typename T>
static FailureOr<T> parseInteger(AsmParser &parser) {
  T value;
  if (parser.parseInteger(value))
    return failure();
  return value;
}

FailureOr<SmallVector<int64_t>> mlir::quantx::parseI64Array(AsmParser &parser) {
  return parseBracketList<int64_t>(
      parser, [&] { return parseInteger<int64_t>(parser); });
}

FailureOr<DenseF64ArrayAttr>
mlir::quantx::parseF64ArrayAttr(AsmParser &parser) {
  auto values = parseBracketList<double>(parser, [&]() -> FailureOr<double> {
    FailureOr<APFloat> value = parseF64(parser);
    if (failed(value))
      return failure();
    return value->convertToDouble();
  });
  if (failed(values))
    return failure();
  return DenseF64ArrayAttr::get(parser.getContext(), *values);
}

void mlir::quantx::printF64ArrayAttr(AsmPrinter &printer,
                                     DenseF64ArrayAttr values) {
  printer << '[';
  llvm::interleaveComma(values.asArrayRef(), printer,
                        [&](double v) { printer.printFloat(APFloat(v)); });
  printer << ']';
}

void mlir::quantx::printI64Array(AsmPrinter &printer,
                                 ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

FailureOr<SmallVector<int32_t>> mlir::quantx::parseI32Array(AsmParser &parser) {
  return parseBracketList<int32_t>(
      parser, [&] { return parseInteger<int32_t>(parser); });
}

void mlir::quantx::printI32Array(AsmPrinter &printer,
                                 ArrayRef<int32_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}
