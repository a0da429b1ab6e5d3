//===- DyadicEmitter.h - scalar arith for a dyadic rescale ------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Emits, inside a linalg.generic body, exactly the arithmetic of
// quantx::applyDyadic (Dyadic.h) on i32 scalars.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_QUANTXTOARITH_DYADICEMITTER_H
#define QUANTX_CONVERSION_QUANTXTOARITH_DYADICEMITTER_H

#include "mlir/IR/Builders.h"
#include "quant-x/Dialect/QuantX/IR/Dyadic.h"

namespace mlir::quantx {

/// `x * multiplier * 2^-shift` rounded per `rounding`, saturated to i32.
/// `x` is i32 with |x| <= inputBound; multiplier and shift are i32 values
/// read per block at run time.
Value emitDyadicRescale(OpBuilder &b, Location loc, Value x, Value multiplier,
                        Value shift, RoundingMode rounding);

/// The same for a compile-time multiplier: the branches are resolved now,
/// and the arithmetic is 32-bit when `inputBound` proves that no
/// intermediate leaves i32.
Value emitDyadicRescale(OpBuilder &b, Location loc, Value x, DyadicValue value,
                        RoundingMode rounding, int64_t inputBound);

/// quantx::applyDyadicWide: `x` is an i64 holding an i48 accumulator;
/// computed in i128, saturated to i32.
Value emitWideDyadicRescale(OpBuilder &b, Location loc, Value x,
                            Value multiplier, Value shift,
                            RoundingMode rounding);

/// clamp(r + zeroPoint, lo, hi) for an i32 `r`, truncated to `resultType`
/// (lo/hi bounds of that type's signed or unsigned range).
Value emitOutputClamp(OpBuilder &b, Location loc, Value r, int64_t zeroPoint,
                      int64_t lo, int64_t hi, Type resultType);

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_QUANTXTOARITH_DYADICEMITTER_H
