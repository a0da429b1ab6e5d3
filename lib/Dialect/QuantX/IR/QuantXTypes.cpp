//===- QuantXTypes.cpp - !quantx.uniform ----------------------------------===//
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

#define GET_TYPEDEF_CLASSES
#include "quant-x/Dialect/QuantX/IR/QuantXTypes.cpp.inc"

void QuantXDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "quant-x/Dialect/QuantX/IR/QuantXTypes.cpp.inc"
      >();
}

Type UniformType::parse(AsmParser &parser) {
  IntegerType storageType;
  FloatType expressedType;
  QuantParamsAttr params;
  if (parser.parseLess() || parser.parseType(storageType) ||
      parser.parseColon() || parser.parseType(expressedType) ||
      parser.parseComma())
    return {};
  bool narrowRange = succeeded(parser.parseOptionalKeyword("narrow"));
  if ((narrowRange && parser.parseComma()) || parser.parseAttribute(params) ||
      parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), storageType, expressedType,
                    narrowRange, params);
}

void UniformType::print(AsmPrinter &printer) const {
  printer << '<' << getStorageType() << ':' << getExpressedType() << ", ";
  if (getNarrowRange())
    printer << "narrow, ";
  printer << getParams() << '>';
}

LogicalResult UniformType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  IntegerType storageType, FloatType,
                                  bool narrowRange, QuantParamsAttr params) {
  unsigned width = storageType.getWidth();
  // Up to 16 bits for stored values; 32 for accumulators and biases, 48 for
  // the wide accumulators of quantx-widen-accumulators.
  if (width < 1 || (width > 32 && width != 48))
    return emitError() << "storage type must have 1 to 32 bits or 48, got "
                       << storageType;
  if (storageType.isSigned())
    return emitError() << "signed storage is written i" << width << ", not "
                       << storageType;
  if (narrowRange && width < 2)
    return emitError() << "narrow range needs at least 2 storage bits";
  bool isSigned = !storageType.isUnsigned();
  int64_t lo = integerMin(width, !isSigned) + (narrowRange ? 1 : 0);
  int64_t hi = integerMax(width, !isSigned);
  LogicalResult result = success();
  params.forEachZeroPoint([&](int64_t zeroPoint) {
    if (succeeded(result) && (zeroPoint < lo || zeroPoint > hi))
      result = emitError() << "zero point " << zeroPoint
                           << " is outside the storage range [" << lo << ", "
                           << hi << "] of " << storageType;
  });
  return result;
}

int64_t UniformType::getStorageMin() const {
  return integerMin(getStorageWidth(), !isSigned()) +
         (getNarrowRange() ? 1 : 0);
}

int64_t UniformType::getStorageMax() const {
  return integerMax(getStorageWidth(), !isSigned());
}

LogicalResult UniformType::verifyForShape(
    ArrayRef<int64_t> shape,
    function_ref<InFlightDiagnostic()> emitError) const {
  return getParams().verifyForShape(shape, emitError);
}
