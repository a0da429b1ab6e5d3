//===- Precision.h - per-layer precision: names and text form ---*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A layer's precision (`#quantx.precision`) in the compact text form that
// options, precision files and reports use:
//
//   precision   := "float" | weights activations granularity?
//   weights     := "w8" | "w4" | "w3" | "w2" | "wt" (ternary) | "wb" (binary)
//   activations := "a8" | "a16" | "a1"
//   granularity := "-pt" (per tensor) | "-pc" (per channel, the default)
//                | "-g" G (groups of G) | "-tl" N (two-level, vectors of N)
//   levels      := "-cb" (a learned codebook) | "-p2" (powers of two);
//                  uniform when absent
//
// e.g. `w8a8`, `w4a8-g32`, `wta8`, `w8a16-pt`, `w4a8-cb`, `w3a8-pt-p2`.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_IR_PRECISION_H
#define QUANTX_DIALECT_QUANTX_IR_PRECISION_H

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

#include <string>

namespace mlir::quantx {

/// The discardable attribute naming a layer (the ONNX importer sets it to
/// the node's name).
inline constexpr llvm::StringLiteral kLayerAttrName = "quantx.layer";

/// The discardable attribute holding a layer's precision.
inline constexpr llvm::StringLiteral kPrecisionAttrName = "quantx.precision";

/// Parses the compact form; on failure, says why in `error`.
FailureOr<PrecisionAttr>
parsePrecision(MLIRContext *context, llvm::StringRef text, std::string &error);

/// Parses a weight format as the `weight-bits` option spells it: 8, 4, 3, 2,
/// `ternary`, `binary` (or `float`).
std::optional<WeightFormat> parseWeightFormat(llvm::StringRef text);

/// Parses weight levels as the `weight-format` option spells them:
/// `uniform`, `codebook`, `pow2`.
std::optional<WeightLevels> parseWeightLevels(llvm::StringRef text);

/// The largest power-of-two integer `bits`-bit pow2 codes stand for: 64 at
/// 4 bits, 4 at 3, 1 at 2.
int64_t getLargestPowerOfTwoWeight(int64_t bits);

/// Parses a granularity as the `weight-granularity` option spells it:
/// `per-tensor`, `per-channel`, `group:G`, `two-level:N`; sets `block`.
std::optional<WeightGranularity> parseGranularity(llvm::StringRef text,
                                                  int64_t &block);

/// The `weight-granularity` spelling of a granularity (`group:32`, ...).
std::string granularityName(WeightGranularity granularity, int64_t block);

/// The precision of `op`: its `quantx.precision`, or int8 per channel with
/// 8-bit activations.
PrecisionAttr getPrecision(Operation *op);

/// The precision with these parameters, or the verifier's reason in `why`.
FailureOr<PrecisionAttr>
getCheckedPrecision(MLIRContext *context, WeightFormat weights,
                    WeightGranularity granularity, int64_t block,
                    int64_t activations, WeightLevels levels, std::string &why);

/// The names a layer answers to, preferred first: its `quantx.layer`, its
/// location's name, and `#position` (its position among the module's
/// layers).
SmallVector<std::string> getLayerNames(Operation *op, int64_t position);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_IR_PRECISION_H
