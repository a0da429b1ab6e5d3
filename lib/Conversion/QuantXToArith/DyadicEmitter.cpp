//===- DyadicEmitter.cpp - scalar arith for a dyadic rescale --------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every function here mirrors a function of Dyadic.cpp operation by
// operation; the integration tests compare the two bit for bit.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/QuantXToArith/DyadicEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/bit.h"

using namespace mlir;
using namespace mlir::quantx;

namespace {
/// Small arith builder shorthand: all values share one integer type.
struct IntBuilder {
  OpBuilder &b;
  Location loc;
  Type type;

  Value c(int64_t v) {
    // Sign-extended: the builder's int64_t overload zero-extends v into
    // the i128 of the wide rescale.
    APInt value(type.getIntOrFloatBitWidth(), v, /*isSigned=*/true);
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shr(Value x, Value y) { return arith::ShRSIOp::create(b, loc, x, y); }
  Value band(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value ext(Value x) { return arith::ExtSIOp::create(b, loc, type, x); }
  Value clamp(Value x, int64_t lo, int64_t hi) {
    return min(max(x, c(lo)), c(hi));
  }
  /// round(x / 2^31) with ties toward +infinity, the core of SRDHM, with the
  /// nudge of gemmlowp for a product scaled down by 2^strip.
  Value roundingHighHalf(Value product, int strip) {
    int64_t half = int64_t(1) << (30 - strip);
    Value nonNegative = cmp(arith::CmpIPredicate::sge, product, c(0));
    Value nudge = select(nonNegative, c(half), c(1 - half));
    return div(add(product, nudge), c(int64_t(1) << (31 - strip)));
  }
  /// (product + 2^(s-1)) >> s: single rounding, ties toward +infinity (no
  /// rounding term when s = 0).
  Value roundingShift(Value product, Value s) {
    Value round = shr(shl(c(1), s), c(1));
    return shr(add(product, round), s);
  }
  /// gemmlowp RoundingDivideByPOT by a runtime or constant exponent.
  Value roundingDivideByPOT(Value x, Value exponent) {
    Value mask = sub(shl(c(1), exponent), c(1));
    Value remainder = band(x, mask);
    Value isNegative = cmp(arith::CmpIPredicate::slt, x, c(0));
    Value threshold = add(shr(mask, c(1)), select(isNegative, c(1), c(0)));
    Value roundUp = cmp(arith::CmpIPredicate::sgt, remainder, threshold);
    return add(shr(x, exponent), select(roundUp, c(1), c(0)));
  }
};
} // namespace

static constexpr int64_t kInt32Min = INT32_MIN;
static constexpr int64_t kInt32Max = INT32_MAX;

Value mlir::quantx::emitDyadicRescale(OpBuilder &b, Location loc, Value x,
                                      Value multiplier, Value shift,
                                      RoundingMode rounding) {
  IntBuilder i64{b, loc, b.getI64Type()};
  Value x64 = i64.ext(x), m64 = i64.ext(multiplier), s64 = i64.ext(shift);
  Value result;
  if (rounding == RoundingMode::Single) {
    result = i64.roundingShift(i64.mul(x64, m64), s64);
  } else {
    // Left shift by max(31 - s, 0) (saturating), SRDHM, then divide by
    // 2^max(s - 31, 0).
    Value left = i64.max(i64.sub(i64.c(31), s64), i64.c(0));
    Value shifted = i64.clamp(i64.shl(x64, left), kInt32Min, kInt32Max);
    Value high = i64.roundingHighHalf(i64.mul(shifted, m64), /*strip=*/0);
    Value right = i64.max(i64.sub(s64, i64.c(31)), i64.c(0));
    result = i64.roundingDivideByPOT(high, right);
  }
  result = i64.clamp(result, kInt32Min, kInt32Max);
  return arith::TruncIOp::create(b, loc, b.getI32Type(), result);
}

Value mlir::quantx::emitDyadicRescale(OpBuilder &b, Location loc, Value x,
                                      DyadicValue value, RoundingMode rounding,
                                      int64_t inputBound) {
  IntBuilder i32{b, loc, b.getI32Type()};
  IntBuilder i64{b, loc, b.getI64Type()};
  int64_t m = value.multiplier;
  int s = value.shift;
  if (m == 0)
    return i32.c(0);
  // Dropping the multiplier's trailing zeros changes no result (the
  // roundings see the same rational numbers) and may make 32 bits enough.
  int strip = std::min<int>(llvm::countr_zero(uint64_t(m)),
                            rounding == RoundingMode::Single ? s : 30);

  if (rounding == RoundingMode::Single) {
    int64_t mr = m >> strip;
    int sr = s - strip;
    int64_t round = sr > 0 ? int64_t(1) << (sr - 1) : 0;
    bool fits32 = inputBound * mr + round <= kInt32Max;
    IntBuilder &ib = fits32 ? i32 : i64;
    Value xe = fits32 ? x : i64.ext(x);
    Value product = ib.mul(xe, ib.c(mr));
    Value result =
        sr > 0 ? ib.shr(ib.add(product, ib.c(round)), ib.c(sr)) : product;
    if (fits32)
      return result;
    result = i64.clamp(result, kInt32Min, kInt32Max);
    return arith::TruncIOp::create(b, loc, b.getI32Type(), result);
  }

  if (s < 31) {
    // Scales >= 1/2: saturating left shift, SRDHM; 64-bit.
    Value shifted =
        i64.clamp(i64.shl(i64.ext(x), i64.c(31 - s)), kInt32Min, kInt32Max);
    Value high = i64.roundingHighHalf(i64.mul(shifted, i64.c(m)), 0);
    return arith::TruncIOp::create(b, loc, b.getI32Type(), high);
  }
  int64_t mr = m >> strip;
  bool fits32 = inputBound * mr + (int64_t(1) << (30 - strip)) <= kInt32Max;
  Value high;
  if (fits32) {
    high = i32.roundingHighHalf(i32.mul(x, i32.c(mr)), strip);
  } else {
    Value wide = i64.roundingHighHalf(i64.mul(i64.ext(x), i64.c(m)), 0);
    high = arith::TruncIOp::create(b, loc, b.getI32Type(), wide);
  }
  if (s == 31)
    return high;
  return i32.roundingDivideByPOT(high, i32.c(s - 31));
}

Value mlir::quantx::emitWideDyadicRescale(OpBuilder &b, Location loc, Value x,
                                          Value multiplier, Value shift,
                                          RoundingMode rounding) {
  IntBuilder w{b, loc, b.getIntegerType(128)};
  Value x128 = w.ext(x), m128 = w.ext(multiplier), s128 = w.ext(shift);
  Value result;
  if (rounding == RoundingMode::Single) {
    result = w.roundingShift(w.mul(x128, m128), s128);
  } else {
    Value left = w.max(w.sub(w.c(31), s128), w.c(0));
    Value product = w.mul(w.shl(x128, left), m128);
    // (product + nudge) / 2^31 truncated, with shifts only (an i128
    // division would need a runtime library call): ties toward +infinity.
    Value nonNegative = w.cmp(arith::CmpIPredicate::sge, product, w.c(0));
    Value up = w.shr(w.add(product, w.c(int64_t(1) << 30)), w.c(31));
    Value negated = w.sub(w.c(0), product);
    Value down = w.sub(
        w.c(0), w.shr(w.add(negated, w.c((int64_t(1) << 30) - 1)), w.c(31)));
    Value high = w.select(nonNegative, up, down);
    Value right = w.max(w.sub(s128, w.c(31)), w.c(0));
    result = w.roundingDivideByPOT(high, right);
  }
  result = w.clamp(result, kInt32Min, kInt32Max);
  return arith::TruncIOp::create(b, loc, b.getI32Type(), result);
}

Value mlir::quantx::emitOutputClamp(OpBuilder &b, Location loc, Value r,
                                    int64_t zeroPoint, int64_t lo, int64_t hi,
                                    Type resultType) {
  // clamp(r, lo - zp, hi - zp) + zp equals clamp(r + zp, lo, hi) and stays
  // in i32 unless the output itself is 32 bits wide.
  bool wide = resultType.getIntOrFloatBitWidth() >= 32;
  IntBuilder ib{b, loc, wide ? b.getI64Type() : b.getI32Type()};
  Value v = wide ? ib.ext(r) : r;
  v = ib.clamp(v, lo - zeroPoint, hi - zeroPoint);
  if (zeroPoint != 0)
    v = ib.add(v, ib.c(zeroPoint));
  if (v.getType() == resultType)
    return v;
  return arith::TruncIOp::create(b, loc, resultType, v);
}
