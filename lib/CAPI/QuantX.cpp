//===- QuantX.cpp - C API of the quantx dialect ---------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x-c/QuantX.h"

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/InitAllDialects.h"
#include "quant-x/InitAllPasses.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"

using namespace mlir;
using namespace mlir::quantx;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(QuantX, quantx, QuantXDialect)

void quantxRegisterAllDialects(MlirDialectRegistry registry) {
  registerAllDialects(*unwrap(registry));
}

void quantxRegisterAllPasses(void) { mlir::quantx::registerAllPasses(); }

//===----------------------------------------------------------------------===//
// !quantx.uniform
//===----------------------------------------------------------------------===//

bool quantxTypeIsAUniform(MlirType type) {
  return isa<UniformType>(unwrap(type));
}

/// The uniform type with `params`, or null (with an error on the context)
/// where the storage or expressed type is of the wrong kind or the type's
/// verifier rejects it.
static MlirType getUniform(MlirType storageType, MlirType expressedType,
                           bool narrowRange, QuantParamsAttr params) {
  // Invalid scales were reported when `params` was built.
  if (!params)
    return {nullptr};
  MLIRContext *context = unwrap(storageType).getContext();
  auto storage = dyn_cast<IntegerType>(unwrap(storageType));
  auto expressed = dyn_cast<FloatType>(unwrap(expressedType));
  if (!storage || !expressed) {
    emitError(UnknownLoc::get(context))
        << "!quantx.uniform needs an integer storage type and a float "
           "expressed type";
    return {nullptr};
  }
  return wrap(UniformType::getChecked(
      mlir::detail::getDefaultDiagnosticEmitFn(context), context, storage,
      expressed, narrowRange, params));
}

MlirType quantxUniformTypeGetPerTensor(MlirType storageType,
                                       MlirType expressedType, bool narrowRange,
                                       double scale, int64_t zeroPoint) {
  MLIRContext *context = unwrap(storageType).getContext();
  auto params = PerTensorAttr::getChecked(
      mlir::detail::getDefaultDiagnosticEmitFn(context), context,
      llvm::APFloat(scale), zeroPoint);
  return getUniform(storageType, expressedType, narrowRange, params);
}

MlirType quantxUniformTypeGetPerAxis(MlirType storageType,
                                     MlirType expressedType, bool narrowRange,
                                     int64_t axis, intptr_t numScales,
                                     const double *scales,
                                     const int64_t *zeroPoints) {
  MLIRContext *context = unwrap(storageType).getContext();
  ArrayRef<int64_t> zeroPointRange;
  if (zeroPoints)
    zeroPointRange = ArrayRef(zeroPoints, numScales);
  auto params = PerAxisAttr::getChecked(
      mlir::detail::getDefaultDiagnosticEmitFn(context), context, axis,
      DenseF64ArrayAttr::get(context, ArrayRef(scales, numScales)),
      zeroPointRange);
  return getUniform(storageType, expressedType, narrowRange, params);
}

MlirType quantxUniformTypeGetStorageType(MlirType type) {
  return wrap(cast<UniformType>(unwrap(type)).getStorageType());
}
MlirType quantxUniformTypeGetExpressedType(MlirType type) {
  return wrap(cast<UniformType>(unwrap(type)).getExpressedType());
}
bool quantxUniformTypeIsNarrowRange(MlirType type) {
  return cast<UniformType>(unwrap(type)).getNarrowRange();
}
int64_t quantxUniformTypeGetStorageMin(MlirType type) {
  return cast<UniformType>(unwrap(type)).getStorageMin();
}
int64_t quantxUniformTypeGetStorageMax(MlirType type) {
  return cast<UniformType>(unwrap(type)).getStorageMax();
}
MlirAttribute quantxUniformTypeGetParams(MlirType type) {
  return wrap(Attribute(cast<UniformType>(unwrap(type)).getParams()));
}

//===----------------------------------------------------------------------===//
// #quantx.per_tensor and #quantx.per_axis
//===----------------------------------------------------------------------===//

bool quantxAttributeIsAPerTensor(MlirAttribute attr) {
  return isa<PerTensorAttr>(unwrap(attr));
}
double quantxPerTensorAttrGetScale(MlirAttribute attr) {
  return cast<PerTensorAttr>(unwrap(attr)).getScale().convertToDouble();
}
int64_t quantxPerTensorAttrGetZeroPoint(MlirAttribute attr) {
  return cast<PerTensorAttr>(unwrap(attr)).getZeroPoint();
}

bool quantxAttributeIsAPerAxis(MlirAttribute attr) {
  return isa<PerAxisAttr>(unwrap(attr));
}
int64_t quantxPerAxisAttrGetAxis(MlirAttribute attr) {
  return cast<PerAxisAttr>(unwrap(attr)).getAxis();
}
intptr_t quantxPerAxisAttrGetNumScales(MlirAttribute attr) {
  return cast<PerAxisAttr>(unwrap(attr)).getScales().size();
}
double quantxPerAxisAttrGetScale(MlirAttribute attr, intptr_t pos) {
  return cast<PerAxisAttr>(unwrap(attr)).getScales()[pos];
}
int64_t quantxPerAxisAttrGetZeroPoint(MlirAttribute attr, intptr_t pos) {
  ArrayRef<int64_t> zeroPoints =
      cast<PerAxisAttr>(unwrap(attr)).getZeroPoints();
  return zeroPoints.empty() ? 0 : zeroPoints[pos];
}

//===----------------------------------------------------------------------===//
// #quantx.dyadic
//===----------------------------------------------------------------------===//

static RoundingMode unwrapRounding(QuantxRoundingMode rounding) {
  return rounding == QuantxRoundingSingle ? RoundingMode::Single
                                          : RoundingMode::Double;
}

bool quantxAttributeIsADyadic(MlirAttribute attr) {
  return isa<DyadicAttr>(unwrap(attr));
}

MlirAttribute quantxDyadicAttrGet(MlirContext ctx, intptr_t numPairs,
                                  const int32_t *multipliers,
                                  const int32_t *shifts,
                                  QuantxRoundingMode rounding) {
  MLIRContext *context = unwrap(ctx);
  return wrap(Attribute(DyadicAttr::getChecked(
      mlir::detail::getDefaultDiagnosticEmitFn(context), context,
      ArrayRef(multipliers, numPairs), ArrayRef(shifts, numPairs),
      unwrapRounding(rounding))));
}

MlirAttribute quantxDyadicAttrGetFromScales(MlirContext ctx, intptr_t numScales,
                                            const double *scales,
                                            QuantxRoundingMode rounding) {
  MLIRContext *context = unwrap(ctx);
  SmallVector<int32_t> multipliers, shifts;
  for (intptr_t i = 0; i < numScales; ++i) {
    FailureOr<DyadicValue> value = computeDyadic(scales[i]);
    if (failed(value)) {
      emitError(UnknownLoc::get(context))
          << "scale " << scales[i]
          << " has no dyadic form (it must be finite, > 0 and < 2^31)";
      return {nullptr};
    }
    multipliers.push_back(value->multiplier);
    shifts.push_back(value->shift);
  }
  return quantxDyadicAttrGet(ctx, numScales, multipliers.data(), shifts.data(),
                             rounding);
}

intptr_t quantxDyadicAttrGetNumPairs(MlirAttribute attr) {
  return cast<DyadicAttr>(unwrap(attr)).size();
}
int32_t quantxDyadicAttrGetMultiplier(MlirAttribute attr, intptr_t pos) {
  return cast<DyadicAttr>(unwrap(attr)).getMultiplier()[pos];
}
int32_t quantxDyadicAttrGetShift(MlirAttribute attr, intptr_t pos) {
  return cast<DyadicAttr>(unwrap(attr)).getShift()[pos];
}
double quantxDyadicAttrGetScale(MlirAttribute attr, intptr_t pos) {
  return cast<DyadicAttr>(unwrap(attr)).getScale(pos);
}
QuantxRoundingMode quantxDyadicAttrGetRounding(MlirAttribute attr) {
  return cast<DyadicAttr>(unwrap(attr)).getRounding() == RoundingMode::Single
             ? QuantxRoundingSingle
             : QuantxRoundingDouble;
}
