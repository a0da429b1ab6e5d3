//===- quant-x-c/QuantX.h - C API of the quantx dialect -----------*- C -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The quantx dialect, its passes and pipelines, and the types and
// attributes most needed from outside, for C programs and bindings, in the
// style of upstream's mlir-c: link libQuantXCAPI.so, which also carries the
// core of mlir-c (mlir-c/IR.h).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_C_QUANTX_H
#define QUANTX_C_QUANTX_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// mlirGetDialectHandle__quantx__(): register or load the dialect with
/// mlirDialectHandleRegisterDialect / mlirDialectHandleLoadDialect.
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(QuantX, quantx);

/// Adds quantx, the upstream dialects quant-x's passes read and produce, and
/// the bufferization model of quantx.kernel_call to `registry`.
MLIR_CAPI_EXPORTED void quantxRegisterAllDialects(MlirDialectRegistry registry);

/// Registers every quant-x pass and pipeline (quantize, quantize-int8,
/// quantize-mixed, the lowering stages) with the global registry, so that
/// mlirParsePassPipeline and mlirOpPassManagerAddPipeline know them.
MLIR_CAPI_EXPORTED void quantxRegisterAllPasses(void);

//===----------------------------------------------------------------------===//
// !quantx.uniform
//===----------------------------------------------------------------------===//

MLIR_CAPI_EXPORTED bool quantxTypeIsAUniform(MlirType type);

/// !quantx.uniform<storage:expressed, [narrow,] #quantx.per_tensor<...>>:
/// `storageType` an integer type (iN or uiN, 1 <= N <= 32), `expressedType` a
/// float type. A null type (and an error on the context) for invalid
/// parameters.
MLIR_CAPI_EXPORTED MlirType quantxUniformTypeGetPerTensor(
    MlirType storageType, MlirType expressedType, bool narrowRange,
    double scale, int64_t zeroPoint);

/// The same with #quantx.per_axis: `numScales` scales along `axis`, and as
/// many zero points (`zeroPoints` may be NULL: all zero).
MLIR_CAPI_EXPORTED MlirType
quantxUniformTypeGetPerAxis(MlirType storageType, MlirType expressedType,
                            bool narrowRange, int64_t axis, intptr_t numScales,
                            const double *scales, const int64_t *zeroPoints);

MLIR_CAPI_EXPORTED MlirType quantxUniformTypeGetStorageType(MlirType type);
MLIR_CAPI_EXPORTED MlirType quantxUniformTypeGetExpressedType(MlirType type);
MLIR_CAPI_EXPORTED bool quantxUniformTypeIsNarrowRange(MlirType type);
/// The smallest and largest storage values, narrow range included.
MLIR_CAPI_EXPORTED int64_t quantxUniformTypeGetStorageMin(MlirType type);
MLIR_CAPI_EXPORTED int64_t quantxUniformTypeGetStorageMax(MlirType type);
/// The scales and zero points: a #quantx.per_tensor, #quantx.per_axis,
/// #quantx.per_block or #quantx.two_level attribute.
MLIR_CAPI_EXPORTED MlirAttribute quantxUniformTypeGetParams(MlirType type);

//===----------------------------------------------------------------------===//
// #quantx.per_tensor and #quantx.per_axis
//===----------------------------------------------------------------------===//

MLIR_CAPI_EXPORTED bool quantxAttributeIsAPerTensor(MlirAttribute attr);
MLIR_CAPI_EXPORTED double quantxPerTensorAttrGetScale(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t quantxPerTensorAttrGetZeroPoint(MlirAttribute attr);

MLIR_CAPI_EXPORTED bool quantxAttributeIsAPerAxis(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t quantxPerAxisAttrGetAxis(MlirAttribute attr);
MLIR_CAPI_EXPORTED intptr_t quantxPerAxisAttrGetNumScales(MlirAttribute attr);
MLIR_CAPI_EXPORTED double quantxPerAxisAttrGetScale(MlirAttribute attr,
                                                    intptr_t pos);
/// 0 where the attribute leaves its zero points out.
MLIR_CAPI_EXPORTED int64_t quantxPerAxisAttrGetZeroPoint(MlirAttribute attr,
                                                         intptr_t pos);

//===----------------------------------------------------------------------===//
// #quantx.dyadic: requantization multipliers
//===----------------------------------------------------------------------===//

/// How a dyadic rescale rounds (docs/Numerics.md).
typedef enum {
  /// gemmlowp's two roundings (TFLite's).
  QuantxRoundingDouble = 0,
  /// One rounding of the exact product (TOSA's single_round).
  QuantxRoundingSingle = 1,
} QuantxRoundingMode;

MLIR_CAPI_EXPORTED bool quantxAttributeIsADyadic(MlirAttribute attr);

/// `numPairs` (multiplier, shift) pairs, each standing for multiplier *
/// 2^-shift (multiplier in [0, 2^31), shift in [0, 62]). A null attribute
/// (and an error on the context) for invalid pairs.
MLIR_CAPI_EXPORTED MlirAttribute quantxDyadicAttrGet(
    MlirContext ctx, intptr_t numPairs, const int32_t *multipliers,
    const int32_t *shifts, QuantxRoundingMode rounding);

/// The nearest normalized pairs to real `scales` (quant-x's computeDyadic:
/// relative error at most 2^-31). A null attribute (and an error on the
/// context) for a scale that is NaN, infinite, <= 0 or >= 2^31.
MLIR_CAPI_EXPORTED MlirAttribute quantxDyadicAttrGetFromScales(
    MlirContext ctx, intptr_t numScales, const double *scales,
    QuantxRoundingMode rounding);

MLIR_CAPI_EXPORTED intptr_t quantxDyadicAttrGetNumPairs(MlirAttribute attr);
MLIR_CAPI_EXPORTED int32_t quantxDyadicAttrGetMultiplier(MlirAttribute attr,
                                                         intptr_t pos);
MLIR_CAPI_EXPORTED int32_t quantxDyadicAttrGetShift(MlirAttribute attr,
                                                    intptr_t pos);
/// The real number pair `pos` stands for.
MLIR_CAPI_EXPORTED double quantxDyadicAttrGetScale(MlirAttribute attr,
                                                   intptr_t pos);
MLIR_CAPI_EXPORTED QuantxRoundingMode
quantxDyadicAttrGetRounding(MlirAttribute attr);

#ifdef __cplusplus
}
#endif

#endif // QUANTX_C_QUANTX_H
