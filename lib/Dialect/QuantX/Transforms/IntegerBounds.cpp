//===- IntegerBounds.cpp - value ranges of integer tensors ----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "IntegerBounds.h"

#include "Utils.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::quantx;

static constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
static constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

/// Channel vectors longer than this are kept as one interval: the bounds stay
/// sound, and memory stays proportional to the model.
static constexpr int64_t kMaxChannels = 1 << 16;

//===----------------------------------------------------------------------===//
// Saturating interval arithmetic
//===----------------------------------------------------------------------===//

static int64_t satAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return a > 0 ? kMax : kMin;
  return r;
}

static int64_t satMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return (a < 0) == (b < 0) ? kMax : kMin;
  return r;
}

static int64_t satNeg(int64_t a) { return a == kMin ? kMax : -a; }

/// A double rounded outward to an int64, saturating (NaN as the widest).
static int64_t floorToInt(double v) {
  if (!(v > -9.2e18))
    return kMin;
  return v >= 9.2e18 ? kMax : int64_t(std::floor(v));
}
static int64_t ceilToInt(double v) {
  if (!(v < 9.2e18))
    return kMax;
  return v <= -9.2e18 ? kMin : int64_t(std::ceil(v));
}

Interval Interval::ofType(unsigned width, bool isUnsigned) {
  if (width == 1)
    return {0, 1};
  if (width >= 64)
    return isUnsigned ? Interval{0, kMax} : Interval{kMin, kMax};
  return {integerMin(width, isUnsigned), integerMax(width, isUnsigned)};
}

Interval Interval::join(Interval other) const {
  return {std::min(lo, other.lo), std::max(hi, other.hi)};
}

Interval Interval::meet(Interval other) const {
  Interval r{std::max(lo, other.lo), std::min(hi, other.hi)};
  // Disjoint intervals cannot occur for sound inputs; keep r non-empty.
  if (r.lo > r.hi)
    r.hi = r.lo;
  return r;
}

int64_t Interval::magnitude() const {
  return std::max(satNeg(lo), hi < 0 ? satNeg(hi) : hi);
}

Interval mlir::quantx::operator+(Interval a, Interval b) {
  return {satAdd(a.lo, b.lo), satAdd(a.hi, b.hi)};
}

Interval mlir::quantx::operator-(Interval a, Interval b) {
  return {satAdd(a.lo, satNeg(b.hi)), satAdd(a.hi, satNeg(b.lo))};
}

Interval mlir::quantx::operator*(Interval a, Interval b) {
  int64_t p[] = {satMul(a.lo, b.lo), satMul(a.lo, b.hi), satMul(a.hi, b.lo),
                 satMul(a.hi, b.hi)};
  return {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
}

Interval mlir::quantx::scaleBy(Interval a, int64_t n) {
  return {satMul(a.lo, n), satMul(a.hi, n)};
}

Interval TensorBounds::hull() const {
  Interval r = channels.front();
  for (Interval c : channels)
    r = r.join(c);
  return r;
}

//===----------------------------------------------------------------------===//
// Reading IR
//===----------------------------------------------------------------------===//

Interval mlir::quantx::getTypeRange(Type type) {
  Type element = type;
  if (auto shaped = dyn_cast<ShapedType>(type))
    element = shaped.getElementType();
  if (auto quantized = dyn_cast<UniformType>(element))
    return {quantized.getStorageMin(), quantized.getStorageMax()};
  if (auto integer = dyn_cast<IntegerType>(element))
    return Interval::ofType(integer.getWidth(), integer.isUnsigned());
  return {kMin, kMax};
}

static bool isIntegerTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<IntegerType, UniformType>(tensor.getElementType());
}

static int64_t lastDim(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getRank() == 0 ? 1 : type.getShape().back();
}

/// Calls `fn(flatIndex, value)` for each element of an integer constant,
/// once for a splat (index 0, `isSplat` true).
static void forEachInteger(DenseElementsAttr elements,
                           function_ref<void(int64_t, int64_t)> fn) {
  if (elements.isSplat()) {
    fn(0, elements.getSplatValue<APInt>().getSExtValue());
    return;
  }
  auto each = [&](auto values) {
    int64_t i = 0;
    for (auto v : values)
      fn(i++, int64_t(v));
  };
  switch (elements.getElementType().getIntOrFloatBitWidth()) {
  case 8:
    return each(elements.getValues<int8_t>());
  case 16:
    return each(elements.getValues<int16_t>());
  case 32:
    return each(elements.getValues<int32_t>());
  case 64:
    return each(elements.getValues<int64_t>());
  default: {
    int64_t i = 0;
    for (APInt v : elements.getValues<APInt>())
      fn(i++, v.getSExtValue());
  }
  }
}

/// The integer elements of a constant: one interval per channel of the last
/// dimension, or one for all.
static std::optional<TensorBounds> getConstantBounds(Value value) {
  DenseElementsAttr elements = getConstantElements(value);
  if (!elements || !elements.getElementType().isSignlessInteger() ||
      elements.getNumElements() == 0)
    return std::nullopt;
  int64_t channels = lastDim(value);
  if (elements.isSplat() || channels > kMaxChannels)
    channels = 1;
  TensorBounds result;
  result.channels.assign(channels, Interval{kMax, kMin});
  forEachInteger(elements, [&](int64_t i, int64_t v) {
    Interval &c = result.channels[i % channels];
    c = {std::min(c.lo, v), std::max(c.hi, v)};
  });
  return result;
}

/// A zero point operand: its value when constant, else its type's range.
static Interval getZeroPoint(Value zp) {
  if (std::optional<TensorBounds> c = getConstantBounds(zp))
    return c->hull();
  return getTypeRange(zp.getType());
}

//===----------------------------------------------------------------------===//
// Transfer functions
//===----------------------------------------------------------------------===//

IntegerBounds::IntegerBounds(func::FuncOp func) { recompute(func); }

void IntegerBounds::recompute(func::FuncOp func) {
  bounds.clear();
  reductions.clear();
  internal.clear();
  modeled.clear();
  func.walk([&](Operation *op) { visit(op); });
}

TensorBounds IntegerBounds::get(Value value) const {
  auto it = bounds.find(value);
  if (it != bounds.end())
    return it->second;
  if (std::optional<TensorBounds> c = getConstantBounds(value))
    return *c;
  return TensorBounds::uniform(getTypeRange(value.getType()));
}

std::optional<ReductionInfo> IntegerBounds::getReduction(Operation *op) const {
  auto it = reductions.find(op);
  if (it == reductions.end())
    return std::nullopt;
  return it->second;
}

std::optional<Interval>
IntegerBounds::getInternalAccumulator(Operation *op) const {
  auto it = internal.find(op);
  if (it == internal.end())
    return std::nullopt;
  return it->second;
}

void IntegerBounds::visit(Operation *op) {
  if (op->getNumResults() != 1 || !isIntegerTensor(op->getResult(0).getType()))
    return;
  std::optional<TensorBounds> result = transfer(op);
  if (!result)
    return;
  modeled.insert(op);
  bounds[op->getResult(0)] = std::move(*result);
}

/// `f` applied channel by channel to the bounds of two operands that
/// broadcast to a result with `channels` channels.
static TensorBounds combine(const TensorBounds &a, const TensorBounds &b,
                            int64_t channels,
                            function_ref<Interval(Interval, Interval)> f) {
  auto fits = [&](const TensorBounds &t) {
    return t.isUniform() || int64_t(t.channels.size()) == channels;
  };
  if (a.isUniform() && b.isUniform())
    return TensorBounds::uniform(f(a.channels[0], b.channels[0]));
  if (!fits(a) || !fits(b))
    return TensorBounds::uniform(f(a.hull(), b.hull()));
  TensorBounds r;
  for (int64_t c = 0; c < channels; ++c)
    r.channels.push_back(f(a.at(c), b.at(c)));
  return r;
}

/// Bounds that survive an op moving data: per channel when the last
/// dimension stays the last and whole, else one interval.
static TensorBounds moved(const TensorBounds &in, bool keepsChannels) {
  return keepsChannels ? in : TensorBounds::uniform(in.hull());
}

/// The rescale `round((x - zpIn) * ratio) + zpOut` with `ratio` in
/// [rLo, rHi], clamped to `range`.
static Interval rescaleBounds(Interval x, Interval zpIn, double rLo, double rHi,
                              Interval zpOut, Interval range) {
  Interval centered = x - zpIn;
  double candidates[] = {double(centered.lo) * rLo, double(centered.lo) * rHi,
                         double(centered.hi) * rLo, double(centered.hi) * rHi};
  double lo = *std::min_element(candidates, candidates + 4);
  double hi = *std::max_element(candidates, candidates + 4);
  // One step of slack for the rounding of the ratio and of the product.
  Interval scaled{satAdd(floorToInt(lo), -1), satAdd(ceilToInt(hi), 1)};
  return (scaled + zpOut).meet(range);
}

/// Scales and zero points of per-tensor or per-axis parameters.
static bool getScaleRange(UniformType type, double &lo, double &hi,
                          Interval &zp) {
  if (auto perTensor = dyn_cast<PerTensorAttr>(type.getParams())) {
    lo = hi = perTensor.getScale().convertToDouble();
    zp = Interval::point(perTensor.getZeroPoint());
    return true;
  }
  auto perAxis = dyn_cast<PerAxisAttr>(type.getParams());
  if (!perAxis || perAxis.getScales().empty())
    return false;
  ArrayRef<double> scales = perAxis.getScales().asArrayRef();
  lo = *llvm::min_element(scales);
  hi = *llvm::max_element(scales);
  ArrayRef<int64_t> zeroPoints = perAxis.getZeroPoints();
  zp = Interval::point(zeroPoints.empty() ? 0 : zeroPoints.front());
  for (int64_t z : zeroPoints)
    zp = zp.join(Interval::point(z));
  return true;
}

std::optional<TensorBounds> IntegerBounds::transfer(Operation *op) {
  Value result = op->getResult(0);
  Interval range = getTypeRange(result.getType());
  int64_t channels = lastDim(result);
  auto operand = [&](unsigned i) { return get(op->getOperand(i)); };
  auto sameLastDim = [&](Value in) { return lastDim(in) == channels; };

  return llvm::TypeSwitch<Operation *, std::optional<TensorBounds>>(op)
      .Case<tosa::ConstOp>([&](auto) { return getConstantBounds(result); })
      .Case<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(
          [&](Operation *) { return transferReduction(op); })
      .Case<tosa::AddOp>([&](auto) {
        return combine(operand(0), operand(1), channels,
                       [](Interval a, Interval b) { return a + b; });
      })
      .Case<tosa::SubOp>([&](auto) {
        return combine(operand(0), operand(1), channels,
                       [](Interval a, Interval b) { return a - b; });
      })
      .Case<tosa::MulOp>([&](tosa::MulOp mul) -> std::optional<TensorBounds> {
        std::optional<TensorBounds> shift = getConstantBounds(mul.getShift());
        if (!shift || shift->hull().lo < 0 || shift->hull().hi > 63)
          return std::nullopt;
        int64_t s = shift->hull().hi;
        return combine(
            operand(0), operand(1), channels, [s](Interval a, Interval b) {
              Interval p = a * b;
              if (s == 0)
                return p;
              // (p + 2^(s-1)) >> s, rounded outward.
              return Interval{p.lo >> s,
                              satAdd(p.hi, int64_t(1) << (s - 1)) >> s};
            });
      })
      .Case<tosa::ReduceSumOp>([&](tosa::ReduceSumOp sum) {
        auto inType = cast<RankedTensorType>(sum.getInput().getType());
        int64_t axis = sum.getAxis();
        int64_t length = inType.getDimSize(axis);
        TensorBounds in = operand(0);
        TensorBounds r = moved(in, axis != inType.getRank() - 1);
        for (Interval &c : r.channels)
          c = scaleBy(c.withZero(), length);
        reductions[op] = {length, in.hull().magnitude()};
        return r;
      })
      .Case<tosa::AvgPool2dOp>([&](tosa::AvgPool2dOp pool) {
        Interval centered = operand(0).hull() - getZeroPoint(pool.getInputZp());
        ArrayRef<int64_t> kernel = pool.getKernel();
        int64_t window = satMul(kernel[0], kernel[1]);
        internal[op] = scaleBy(centered.withZero(), window);
        reductions[op] = {window, centered.magnitude()};
        return TensorBounds::uniform(
            (centered.withZero() + getZeroPoint(pool.getOutputZp()))
                .meet(range));
      })
      .Case<tosa::ClampOp>([&](tosa::ClampOp clamp) {
        auto lo = dyn_cast<IntegerAttr>(clamp.getMinValAttr());
        auto hi = dyn_cast<IntegerAttr>(clamp.getMaxValAttr());
        TensorBounds r = operand(0);
        if (lo && hi)
          for (Interval &c : r.channels)
            c = c.meet({lo.getInt(), hi.getInt()});
        return r;
      })
      .Case<tosa::PadOp>([&](tosa::PadOp pad) {
        TensorBounds r = moved(operand(0), sameLastDim(pad.getInput1()));
        Interval fill = getZeroPoint(pad.getPadConst());
        for (Interval &c : r.channels)
          c = c.join(fill);
        return r;
      })
      .Case<tosa::TransposeOp>([&](tosa::TransposeOp transpose) {
        ArrayRef<int32_t> perms = transpose.getPerms();
        bool keeps =
            !perms.empty() && perms.back() == int32_t(perms.size()) - 1;
        return moved(operand(0), keeps);
      })
      .Case<tosa::ReshapeOp, tosa::SliceOp, tosa::MaxPool2dOp, tosa::ReverseOp,
            tosa::IdentityOp, tosa::TileOp>([&](auto) {
        return moved(operand(0), sameLastDim(op->getOperand(0)));
      })
      .Case<tosa::ConcatOp>([&](tosa::ConcatOp concat) {
        int64_t rank = cast<RankedTensorType>(result.getType()).getRank();
        bool lastAxis = int64_t(concat.getAxis()) == rank - 1;
        std::optional<TensorBounds> r;
        for (Value input : concat.getInput1()) {
          TensorBounds b = moved(get(input), !lastAxis);
          r = r ? combine(*r, b, channels,
                          [](Interval x, Interval y) { return x.join(y); })
                : b;
        }
        return r;
      })
      .Case<tosa::CastOp>([&](auto) -> std::optional<TensorBounds> {
        TensorBounds in = operand(0);
        if (!range.contains(in.hull()))
          return TensorBounds::uniform(range); // a wrapping narrowing cast
        return in;
      })
      .Case<StorageCastOp>([&](auto) {
        TensorBounds r = operand(0);
        for (Interval &c : r.channels)
          c = c.meet(range);
        return r;
      })
      .Case<RequantizeOp>(
          [&](RequantizeOp requantize) -> std::optional<TensorBounds> {
            auto in = cast<UniformType>(
                cast<RankedTensorType>(requantize.getInput().getType())
                    .getElementType());
            auto out = cast<UniformType>(
                cast<RankedTensorType>(requantize.getType()).getElementType());
            double inLo, inHi, outLo, outHi;
            Interval zpIn, zpOut;
            if (!getScaleRange(in, inLo, inHi, zpIn) ||
                !getScaleRange(out, outLo, outHi, zpOut))
              return std::nullopt;
            return TensorBounds::uniform(
                rescaleBounds(operand(0).hull(), zpIn, inLo / outHi,
                              inHi / outLo, zpOut, range));
          })
      .Case<RescaleOp>([&](RescaleOp rescale) {
        DyadicAttr dyadic = rescale.getMultiplier();
        double rLo = std::numeric_limits<double>::infinity(), rHi = 0;
        for (auto [m, s] :
             llvm::zip(dyadic.getMultiplier(), dyadic.getShift())) {
          double r = std::ldexp(double(m), -int(s));
          rLo = std::min(rLo, r);
          rHi = std::max(rHi, r);
        }
        Interval out{rescale.getOutputMin(), rescale.getOutputMax()};
        return TensorBounds::uniform(rescaleBounds(
            operand(0).hull(),
            Interval::point(int64_t(rescale.getInputZeroPoint())), rLo, rHi,
            Interval::point(int64_t(rescale.getOutputZeroPoint())), out));
      })
      .Case<QuantizeOp>([&](auto) { return TensorBounds::uniform(range); })
      .Default([](Operation *) { return std::nullopt; });
}

/// Sum over a reduction of `w * x` for each output channel of a convolution
/// or matmul: with constant weights, per channel from the sums of its
/// positive and negative (zero-point-corrected) weights; otherwise the
/// reduction length times the widest product.
std::optional<TensorBounds> IntegerBounds::transferReduction(Operation *op) {
  bool isMatMul = isa<tosa::MatMulOp>(op);
  Value input = op->getOperand(0), weights = op->getOperand(1);
  Value inputZp = op->getOperand(isMatMul ? 2 : 3);
  Value weightZp = op->getOperand(isMatMul ? 3 : 4);
  auto weightType = cast<RankedTensorType>(weights.getType());
  if (!weightType.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> shape = weightType.getShape();
  int64_t count = weightType.getNumElements();
  if (count == 0)
    return std::nullopt;
  // Output channels, and which output channel (and batch) each weight feeds.
  int64_t channels, length, batches = 1;
  std::function<int64_t(int64_t)> slotOf;
  if (isa<tosa::Conv2DOp>(op)) {
    channels = shape[0];
    length = channels ? count / channels : 0;
    slotOf = [length](int64_t i) { return i / length; };
  } else if (isa<tosa::DepthwiseConv2DOp>(op)) {
    channels = shape[2] * shape[3];
    length = shape[0] * shape[1];
    slotOf = [channels](int64_t i) { return i % channels; };
  } else {
    batches = shape[0];
    length = shape[1];
    channels = shape[2];
    int64_t perBatch = length * channels;
    slotOf = [perBatch, channels](int64_t i) {
      return (i / perBatch) * channels + i % channels;
    };
  }
  Interval x =
      (get(input).hull() - getZeroPoint(inputZp)).withZero(); // pads add 0
  Interval wZp = getZeroPoint(weightZp);
  reductions[op] = {length, x.magnitude()};

  TensorBounds result;
  DenseElementsAttr constant = getConstantElements(weights);
  if (constant && wZp.lo == wZp.hi && !constant.isSplat() &&
      channels <= kMaxChannels) {
    // Per slot: the sums of positive and of negative weights.
    SmallVector<int64_t> positive(batches * channels, 0),
        negative(batches * channels, 0);
    forEachInteger(constant, [&](int64_t i, int64_t v) {
      int64_t w = v - wZp.lo;
      int64_t slot = slotOf(i);
      if (w > 0)
        positive[slot] = satAdd(positive[slot], w);
      else
        negative[slot] = satAdd(negative[slot], w);
    });
    result.channels.assign(channels, Interval{kMax, kMin});
    for (int64_t slot = 0; slot < batches * channels; ++slot) {
      Interval sum{
          satAdd(satMul(x.lo, positive[slot]), satMul(x.hi, negative[slot])),
          satAdd(satMul(x.hi, positive[slot]), satMul(x.lo, negative[slot]))};
      Interval &c = result.channels[slot % channels];
      c = c.lo > c.hi ? sum : c.join(sum);
    }
  } else {
    Interval w = (get(weights).hull() - wZp).withZero();
    result = TensorBounds::uniform(scaleBy(x * w, length));
  }
  if (result.channels.empty())
    result = TensorBounds::uniform(Interval::point(0));
  if (!isMatMul) {
    TensorBounds bias = get(op->getOperand(2));
    result = combine(result, bias, channels,
                     [](Interval a, Interval b) { return a + b; });
  }
  return result;
}
