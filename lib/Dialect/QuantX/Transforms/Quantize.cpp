//===- Quantize.cpp - float ops between dequantize/quantize to integers ---===//
//
// Walks the function in order and gives every float value it can an integer
// form: an int8 activation (scale, zero point) or an int32 accumulator
// (scale per tensor or per channel of the last dimension, zero point 0, maybe
// a clamp still to apply). Float ops are rewritten in terms of those forms;
// accumulators become int8 again at the next quantize (a requantize). Float
// values still needed by ops it cannot quantize are dequantized, so those
// ops stay float between a dequantize and a quantize.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "WeightQuantizers.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

namespace mlir::quantx {
#define GEN_PASS_DEF_QUANTIZE
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// TFLite's headroom for adds: inputs are rescaled to 2^-20 of twice the
/// larger input scale, so an int8 difference stays below 2^28.
constexpr int kAddLeftShift = 20;

namespace {
/// The integer form of a float value.
struct IntValue {
  Value value;
  SmallVector<double> scales;
  int64_t zeroPoint = 0;
  /// A float clamp (ReLU, ReLU6) still to apply to an accumulator.
  std::optional<std::pair<double, double>> clamp;

  bool isAccumulator() const {
    return cast<RankedTensorType>(value.getType())
        .getElementType()
        .isInteger(32);
  }
  RankedTensorType getType() const {
    return cast<RankedTensorType>(value.getType());
  }
};

/// Integer weights (int8 storage), one scale per output channel: at the
/// layer's precision (int8 symmetric in [-127, 127] by default), or on the
/// int8 grid the model gave them.
struct QuantizedWeights {
  DenseElementsAttr values;
  SmallVector<double> scales;
  /// One zero point for all channels (a QDQ model's asymmetric weights).
  int64_t zeroPoint = 0;
  /// Sum of `q - zeroPoint` over each channel (input zero-point folding).
  SmallVector<int64_t> sums;
};

class Quantizer {
public:
  explicit Quantizer(func::FuncOp func) : func(func), b(func.getContext()) {}
  LogicalResult run();

private:
  std::optional<IntValue> convert(Operation *op);
  std::optional<IntValue> convertConv(Operation *op);
  std::optional<IntValue> convertMatMul(tosa::MatMulOp op);
  std::optional<IntValue> convertAddSub(Operation *op);
  std::optional<IntValue> convertMul(tosa::MulOp op);
  std::optional<IntValue> convertClamp(tosa::ClampOp op);
  std::optional<IntValue> convertConcat(tosa::ConcatOp op);
  std::optional<IntValue> convertKeepingQuantization(Operation *op);
  std::optional<IntValue> convertReduceSum(tosa::ReduceSumOp op);
  LogicalResult handleQuantize(QuantizeOp op);
  void handleDequantize(DequantizeOp op);

  /// The integer form of an activation operand (not an accumulator).
  const IntValue *getActivation(Value v) {
    auto it = ints.find(v);
    if (it == ints.end() || it->second.isAccumulator() || it->second.clamp)
      return nullptr;
    return &it->second;
  }
  const IntValue *lookup(Value v) {
    auto it = ints.find(v);
    return it == ints.end() ? nullptr : &it->second;
  }
  Location loc() { return currentLoc; }
  Value i8ZeroPoint(int64_t zp) {
    auto type = RankedTensorType::get({1}, b.getI8Type());
    return createConst(b, loc(),
                       DenseElementsAttr::get(type, b.getI8IntegerAttr(zp)));
  }
  Value toQuantized(const IntValue &iv);
  Value toFloat(const IntValue &iv, Type floatType);
  /// `x - zero_point` of an int8 activation, in int32.
  Value centered(const IntValue &iv);
  /// `op` cloned with new operands and its result's element type changed.
  Operation *cloneWith(Operation *op, ValueRange operands, Type elementType);
  Value requantize(const IntValue &iv, UniformType to);
  FailureOr<QuantizedWeights> quantizeWeights(Operation *op, Value weights);
  bool supportsPrecision(Operation *op);

  func::FuncOp func;
  OpBuilder b;
  Location currentLoc = UnknownLoc::get(func.getContext());
  DenseMap<Value, IntValue> ints;
  SmallVector<Operation *> converted;
  /// Set when a diagnostic made the result unusable.
  bool hadError = false;
};
} // namespace

Operation *Quantizer::cloneWith(Operation *op, ValueRange operands,
                                Type elementType) {
  Operation *clone = b.clone(*op);
  clone->setOperands(operands);
  clone->removeAttr(kCalibAttrName);
  for (Value result : clone->getResults())
    result.setType(cast<RankedTensorType>(result.getType()).clone(elementType));
  return clone;
}

Value Quantizer::toQuantized(const IntValue &iv) {
  RankedTensorType type = iv.getType();
  UniformType element =
      iv.isAccumulator()
          ? getAccumulatorType(b.getContext(), iv.scales, type.getRank() - 1)
          : getInt8Type(b.getContext(), iv.scales[0], iv.zeroPoint);
  return StorageCastOp::create(b, loc(), type.clone(element), iv.value);
}

Value Quantizer::centered(const IntValue &iv) {
  auto type = iv.getType().clone(b.getI32Type());
  Value wide = tosa::CastOp::create(b, loc(), type, iv.value);
  if (iv.zeroPoint == 0)
    return wide;
  SmallVector<int64_t> ones(type.getRank(), 1);
  Value zp =
      createConst(b, loc(),
                  DenseElementsAttr::get(type.clone(ones),
                                         b.getI32IntegerAttr(iv.zeroPoint)));
  return tosa::SubOp::create(b, loc(), type, wide, zp);
}

Value Quantizer::toFloat(const IntValue &iv, Type floatType) {
  Value result = DequantizeOp::create(b, loc(), floatType, toQuantized(iv));
  if (iv.clamp) {
    auto f32 = b.getF32Type();
    result = tosa::ClampOp::create(b, loc(), floatType, result,
                                   b.getFloatAttr(f32, iv.clamp->first),
                                   b.getFloatAttr(f32, iv.clamp->second));
  }
  return result;
}

Value Quantizer::requantize(const IntValue &iv, UniformType to) {
  Value quantized = toQuantized(iv);
  auto type = cast<RankedTensorType>(quantized.getType());
  if (type.getElementType() == to)
    return quantized;
  return RequantizeOp::create(b, loc(), type.clone(to), quantized);
}

/// The integers `w / scale + zeroPoint` of weights that lie on the grid
/// their constant's `quantx.weight_scales` (one scale, or one per output
/// channel) and `quantx.weight_zero_point` name (a QDQ model's own
/// quantization): each within 1e-3 steps of an int8 integer.
static std::optional<SmallVector<int64_t>>
getWeightsOnGrid(ArrayRef<double> values, ArrayRef<double> scales,
                 int64_t zeroPoint, WeightChannels channelOf) {
  SmallVector<int64_t> integers;
  integers.reserve(values.size());
  for (auto [i, w] : llvm::enumerate(values)) {
    double q = w / scales[scales.size() == 1 ? 0 : channelOf.of(i)];
    double rounded = std::nearbyint(q) + double(zeroPoint);
    if (!(std::abs(q + double(zeroPoint) - rounded) <= 1e-3) ||
        rounded < -128 || rounded > 127)
      return std::nullopt;
    integers.push_back(int64_t(rounded));
  }
  return integers;
}

FailureOr<QuantizedWeights> Quantizer::quantizeWeights(Operation *op,
                                                       Value weights) {
  DenseElementsAttr elements = getConstantElements(weights);
  SmallVector<double> values = getFloatValues(elements);
  if (values.empty())
    return failure();
  WeightChannels channelOf = getWeightChannels(op, elements.getType());
  int64_t channels = channelOf.count;
  for (auto [i, w] : llvm::enumerate(values)) {
    if (!std::isfinite(w)) {
      op->emitError("quantx-quantize: weight ") << i << " is " << w;
      hadError = true;
      return failure();
    }
  }
  QuantizedWeights result;
  SmallVector<int64_t> integers;
  PrecisionAttr precision = getPrecision(op);
  Operation *constant = weights.getDefiningOp();
  auto given =
      constant->getAttrOfType<DenseF64ArrayAttr>(kWeightScalesAttrName);
  auto givenZeroPoint =
      constant->getAttrOfType<IntegerAttr>(kWeightZeroPointAttrName);
  int64_t zeroPoint = givenZeroPoint ? givenZeroPoint.getInt() : 0;
  // A QDQ model's own int8 grid, unless the layer asks for other bits.
  if (given && precision.getWeights() == WeightFormat::Int8 &&
      precision.getGranularity() == WeightGranularity::PerChannel &&
      (given.size() == 1 || given.size() == channels) &&
      llvm::all_of(given.asArrayRef(), [](double s) { return s > 0; }) &&
      zeroPoint >= -128 && zeroPoint <= 127) {
    if (auto onGrid = getWeightsOnGrid(values, given.asArrayRef(), zeroPoint,
                                       channelOf)) {
      integers = std::move(*onGrid);
      result.zeroPoint = zeroPoint;
      result.scales.assign(given.asArrayRef().begin(),
                           given.asArrayRef().end());
      if (result.scales.size() == 1)
        result.scales.assign(channels, result.scales[0]);
    } else {
      emitRemark(constant->getLoc(),
                 "quantx-quantize: weights are off the grid of their ")
          << kWeightScalesAttrName << "; requantized per channel";
    }
  }
  if (integers.empty()) {
    WeightIntegers quantized =
        quantizeWeightValues(precision, values, channelOf);
    integers = std::move(quantized.integers);
    result.scales = std::move(quantized.scales);
  }
  result.sums.assign(channels, 0);
  SmallVector<int8_t> quantized;
  quantized.reserve(integers.size());
  for (auto [i, q] : llvm::enumerate(integers)) {
    quantized.push_back(int8_t(q));
    result.sums[channelOf.of(i)] += q - result.zeroPoint;
  }
  result.values = DenseElementsAttr::get(
      elements.getType().clone(b.getI8Type()), ArrayRef(quantized));
  return result;
}

std::optional<IntValue> Quantizer::convertConv(Operation *op) {
  const IntValue *x = getActivation(op->getOperand(0));
  SmallVector<double> bias =
      getFloatValues(getConstantElements(op->getOperand(2)));
  if (!x || bias.empty())
    return std::nullopt;
  FailureOr<QuantizedWeights> w = quantizeWeights(op, op->getOperand(1));
  if (failed(w))
    return std::nullopt;
  int64_t channels = w->scales.size();
  if (bias.size() == 1)
    bias.assign(channels, bias[0]);
  if (int64_t(bias.size()) != channels)
    return std::nullopt;
  IntValue result;
  SmallVector<int32_t> biasQ;
  for (int64_t c = 0; c < channels; ++c) {
    double scale = x->scales[0] * w->scales[c];
    result.scales.push_back(scale);
    // The input zero point moves into the bias: sum (x - zp) w = sum x w -
    // zp sum w, with padding by zp so that padded positions are real zeros.
    double q =
        std::nearbyint(bias[c] / scale) - double(x->zeroPoint) * w->sums[c];
    if (!(std::abs(q) < 2147483647.0)) {
      op->emitError("quantx-quantize: bias of channel ")
          << c << " does not fit int32 at scale " << scale;
      hadError = true;
      return std::nullopt;
    }
    biasQ.push_back(int32_t(q));
  }
  Value input = x->value;
  auto pad = op->getAttrOfType<DenseI64ArrayAttr>("pad");
  if (x->zeroPoint != 0 &&
      llvm::any_of(pad.asArrayRef(), [](int64_t p) { return p != 0; })) {
    ArrayRef<int64_t> p = pad.asArrayRef(); // top, bottom, left, right
    SmallVector<int64_t> padding = {0, 0, p[0], p[1], p[2], p[3], 0, 0};
    auto type = x->getType();
    SmallVector<int64_t> shape(type.getShape());
    shape[1] += p[0] + p[1];
    shape[2] += p[2] + p[3];
    ImplicitLocOpBuilder ib(loc(), b);
    input = tosa::PadOp::create(b, loc(), type.clone(shape), input,
                                tosa::getTosaConstShape(ib, padding),
                                i8ZeroPoint(x->zeroPoint));
  }
  Value weightConst = createConst(b, loc(), w->values);
  auto biasType = RankedTensorType::get({channels}, b.getI32Type());
  Value biasConst =
      createConst(b, loc(), DenseElementsAttr::get(biasType, ArrayRef(biasQ)));
  Operation *conv = cloneWith(op,
                              {input, weightConst, biasConst, i8ZeroPoint(0),
                               i8ZeroPoint(w->zeroPoint)},
                              b.getI32Type());
  conv->setAttr("acc_type", TypeAttr::get(b.getI32Type()));
  if (input != x->value)
    conv->setAttr("pad", b.getDenseI64ArrayAttr({0, 0, 0, 0}));
  result.value = conv->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertMatMul(tosa::MatMulOp op) {
  const IntValue *a = getActivation(op.getA());
  if (!a)
    return std::nullopt;
  IntValue result;
  if (const IntValue *rhs = getActivation(op.getB())) {
    // Both activations: zero points stay operands of the matmul.
    result.scales = {a->scales[0] * rhs->scales[0]};
    result.value = cloneWith(op,
                             {a->value, rhs->value, i8ZeroPoint(a->zeroPoint),
                              i8ZeroPoint(rhs->zeroPoint)},
                             b.getI32Type())
                       ->getResult(0);
    return result;
  }
  FailureOr<QuantizedWeights> w = quantizeWeights(op, op.getB());
  if (failed(w))
    return std::nullopt;
  for (double s : w->scales)
    result.scales.push_back(a->scales[0] * s);
  result.value = cloneWith(op,
                           {a->value, createConst(b, loc(), w->values),
                            i8ZeroPoint(0), i8ZeroPoint(w->zeroPoint)},
                           b.getI32Type())
                     ->getResult(0);
  if (a->zeroPoint != 0) {
    // sum_k (a - zp) w = sum_k a w - zp * colsum(w), w = q - weight zero
    // point: one constant row per batch of weights [B, K, N].
    ArrayRef<int64_t> wShape = w->values.getType().getShape();
    int64_t batches = wShape[0], depth = wShape[1], columns = wShape[2];
    SmallVector<int32_t> correction(batches * columns, 0);
    for (auto [i, q] : llvm::enumerate(w->values.getValues<int8_t>())) {
      int64_t batch = i / (depth * columns), column = i % columns;
      correction[batch * columns + column] -=
          int32_t(a->zeroPoint * (q - w->zeroPoint));
    }
    auto resultType = cast<RankedTensorType>(result.value.getType());
    SmallVector<int64_t> shape = {batches, 1, columns};
    Value row = createConst(
        b, loc(),
        DenseElementsAttr::get(resultType.clone(shape), ArrayRef(correction)));
    result.value = tosa::AddOp::create(b, loc(), resultType, result.value, row);
  }
  return result;
}

std::optional<IntValue> Quantizer::convertAddSub(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  // accumulator +/- constant (bias): the constant at the accumulator's scale.
  for (auto [accValue, constValue] :
       {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    if (isa<tosa::SubOp>(op) && accValue != lhs)
      break;
    const IntValue *acc = lookup(accValue);
    DenseElementsAttr constant = getConstantElements(constValue);
    if (!acc || !acc->isAccumulator() || acc->clamp || !constant)
      continue;
    auto constType = constant.getType();
    int64_t channels = acc->scales.size();
    if (acc->getType().getShape() != resultType.getShape() ||
        (channels > 1 && constType.getShape().back() != channels &&
         constType.getShape().back() != 1))
      continue;
    SmallVector<int32_t> values;
    int64_t last = constType.getRank() ? constType.getShape().back() : 1;
    bool fits = true;
    for (auto [i, v] : llvm::enumerate(getFloatValues(constant))) {
      double scale = acc->scales[channels == 1 ? 0 : i % last];
      double q = std::nearbyint(v / scale);
      fits &= std::abs(q) < 2147483647.0;
      values.push_back(fits ? int32_t(q) : 0);
    }
    if (!fits || values.empty())
      continue;
    Value qConst =
        createConst(b, loc(),
                    DenseElementsAttr::get(constType.clone(b.getI32Type()),
                                           ArrayRef(values)));
    IntValue result = *acc;
    result.value =
        cloneWith(op,
                  accValue == lhs ? SmallVector<Value>{acc->value, qConst}
                                  : SmallVector<Value>{qConst, acc->value},
                  b.getI32Type())
            ->getResult(0);
    return result;
  }
  // activation +/- activation: both at a common int32 scale.
  const IntValue *x = getActivation(lhs), *y = getActivation(rhs);
  if (!x || !y)
    return std::nullopt;
  double common = 2 * std::max(x->scales[0], y->scales[0]) /
                  double(int64_t(1) << kAddLeftShift);
  UniformType commonType = getAccumulatorType(b.getContext(), {common}, 0);
  auto widen = [&](const IntValue &iv) {
    Value wide = requantize(iv, commonType);
    auto type = cast<RankedTensorType>(wide.getType());
    return StorageCastOp::create(b, loc(), type.clone(b.getI32Type()), wide)
        .getResult();
  };
  IntValue result;
  result.scales = {common};
  result.value =
      cloneWith(op, {widen(*x), widen(*y)}, b.getI32Type())->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertMul(tosa::MulOp op) {
  Value lhs = op.getInput1(), rhs = op.getInput2();
  // x * positive constant: only the scale changes.
  for (auto [value, constValue] : {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    const IntValue *x = lookup(value);
    if (!x || x->clamp ||
        x->getType() != cast<RankedTensorType>(op.getType())
                            .clone(x->getType().getElementType()))
      continue;
    int64_t channels = x->getType().getShape().back();
    std::optional<SmallVector<double>> c =
        getChannelValues(constValue, channels);
    if (!c || llvm::any_of(
                  *c, [](double v) { return !(v > 0) || !std::isfinite(v); }))
      continue;
    bool uniform = llvm::all_equal(*c);
    if (!x->isAccumulator() && !uniform)
      continue;
    IntValue result = *x;
    if (uniform) {
      for (double &s : result.scales)
        s *= (*c)[0];
    } else {
      if (result.scales.size() == 1)
        result.scales.assign(channels, result.scales[0]);
      for (int64_t ch = 0; ch < channels; ++ch)
        result.scales[ch] *= (*c)[ch];
    }
    return result;
  }
  // activation * activation in int32.
  const IntValue *x = getActivation(lhs), *y = getActivation(rhs);
  if (!x || !y)
    return std::nullopt;
  IntValue result;
  result.scales = {x->scales[0] * y->scales[0]};
  auto shiftType = RankedTensorType::get({1}, b.getI8Type());
  Value shift = createConst(
      b, loc(), DenseElementsAttr::get(shiftType, b.getI8IntegerAttr(0)));
  result.value = tosa::MulOp::create(
      b, loc(), cast<RankedTensorType>(op.getType()).clone(b.getI32Type()),
      centered(*x), centered(*y), shift);
  return result;
}

std::optional<IntValue> Quantizer::convertClamp(tosa::ClampOp op) {
  const IntValue *x = lookup(op.getInput());
  if (!x)
    return std::nullopt;
  auto minAttr = dyn_cast<FloatAttr>(op.getMinValAttr());
  auto maxAttr = dyn_cast<FloatAttr>(op.getMaxValAttr());
  if (!minAttr || !maxAttr)
    return std::nullopt;
  double lo = minAttr.getValueAsDouble(), hi = maxAttr.getValueAsDouble();
  IntValue result = *x;
  if (x->isAccumulator()) {
    if (x->clamp) {
      lo = std::max(lo, x->clamp->first);
      hi = std::min(hi, x->clamp->second);
    }
    result.clamp = {lo, hi};
    return result;
  }
  auto toStorage = [&](double v) {
    double q = std::nearbyint(v / x->scales[0]) + x->zeroPoint;
    return int64_t(std::clamp(q, -128.0, 127.0));
  };
  Operation *clamp = cloneWith(op, {x->value}, b.getI8Type());
  clamp->setAttr("min_val", b.getIntegerAttr(b.getI8Type(), toStorage(lo)));
  clamp->setAttr("max_val", b.getIntegerAttr(b.getI8Type(), toStorage(hi)));
  result.value = clamp->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertConcat(tosa::ConcatOp op) {
  // The output's quantization is that of the quantize it feeds.
  Value output = op.getResult();
  if (!output.hasOneUse())
    return std::nullopt;
  auto quantize = dyn_cast<QuantizeOp>(*output.getUsers().begin());
  if (!quantize)
    return std::nullopt;
  UniformType outType = getQuantizedElementType(quantize.getType());
  auto params = dyn_cast<PerTensorAttr>(outType.getParams());
  if (!params || outType.getStorageWidth() != 8 || !outType.isSigned())
    return std::nullopt;
  SmallVector<Value> operands;
  for (Value input : op.getInput1()) {
    const IntValue *x = getActivation(input);
    if (!x)
      return std::nullopt;
    Value q = requantize(*x, outType);
    operands.push_back(StorageCastOp::create(
        b, loc(), cast<RankedTensorType>(q.getType()).clone(b.getI8Type()), q));
  }
  IntValue result;
  result.scales = {params.getScale().convertToDouble()};
  result.zeroPoint = params.getZeroPoint();
  result.value = cloneWith(op, operands, b.getI8Type())->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertKeepingQuantization(Operation *op) {
  const IntValue *x = lookup(op->getOperand(0));
  if (!x || (x->isAccumulator() &&
             !isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp>(op)))
    return std::nullopt;
  auto inType = x->getType();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  if (x->isAccumulator() && x->scales.size() > 1) {
    // The channel (last) dimension must stay last and whole.
    if (outType.getShape().back() != inType.getShape().back())
      return std::nullopt;
    if (auto transpose = dyn_cast<tosa::TransposeOp>(op))
      if (transpose.getPerms().back() != inType.getRank() - 1)
        return std::nullopt;
  }
  SmallVector<Value> operands(op->getOperands());
  operands[0] = x->value;
  Type element = inType.getElementType();
  if (auto pad = dyn_cast<tosa::PadOp>(op)) {
    SmallVector<double> padValue =
        getFloatValues(getConstantElements(pad.getPadConst()));
    if (padValue.size() != 1)
      return std::nullopt;
    double q =
        std::clamp(std::nearbyint(padValue[0] / x->scales[0]) + x->zeroPoint,
                   -128.0, 127.0);
    operands[2] = i8ZeroPoint(int64_t(q));
  }
  if (isa<tosa::AvgPool2dOp>(op)) {
    operands[1] = i8ZeroPoint(x->zeroPoint);
    operands[2] = i8ZeroPoint(x->zeroPoint);
  }
  Operation *clone = cloneWith(op, operands, element);
  if (isa<tosa::AvgPool2dOp>(op))
    clone->setAttr("acc_type", TypeAttr::get(b.getI32Type()));
  IntValue result = *x;
  result.value = clone->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertReduceSum(tosa::ReduceSumOp op) {
  const IntValue *x = getActivation(op.getInput());
  if (!x)
    return std::nullopt;
  IntValue result;
  result.scales = {x->scales[0]};
  result.value = cloneWith(op, {centered(*x)}, b.getI32Type())->getResult(0);
  return result;
}

/// Whether this pass computes `op`'s precision in integer; an error names
/// the ones it cannot compute yet.
bool Quantizer::supportsPrecision(Operation *op) {
  PrecisionAttr precision = getPrecision(op);
  if (precision.isFloat())
    return false;
  if (precision.getGranularity() == WeightGranularity::Group ||
      precision.getGranularity() == WeightGranularity::TwoLevel ||
      precision.getActivations() != 8) {
    op->emitError("quantx-quantize: precision ")
        << precision.str()
        << " is not computed in integer yet (group and two-level scales "
           "and 16-bit or sign activations are not implemented); choose "
           "per-tensor or per-channel weights with 8-bit activations";
    hadError = true;
    return false;
  }
  return true;
}

std::optional<IntValue> Quantizer::convert(Operation *op) {
  if (op->getNumResults() != 1 || !isFloatTensor(op->getResult(0).getType()))
    return std::nullopt;
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op) &&
      !supportsPrecision(op))
    return std::nullopt;
  return llvm::TypeSwitch<Operation *, std::optional<IntValue>>(op)
      .Case<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(
          [&](Operation *conv) { return convertConv(conv); })
      .Case<tosa::MatMulOp>([&](auto matmul) { return convertMatMul(matmul); })
      .Case<tosa::AddOp, tosa::SubOp>(
          [&](Operation *addSub) { return convertAddSub(addSub); })
      .Case<tosa::MulOp>([&](auto mul) { return convertMul(mul); })
      .Case<tosa::ClampOp>([&](auto clamp) { return convertClamp(clamp); })
      .Case<tosa::ConcatOp>([&](auto concat) { return convertConcat(concat); })
      .Case<tosa::ReduceSumOp>([&](auto sum) { return convertReduceSum(sum); })
      .Default([&](Operation *other) -> std::optional<IntValue> {
        if (keepsQuantization(other))
          return convertKeepingQuantization(other);
        return std::nullopt;
      });
}

void Quantizer::handleDequantize(DequantizeOp op) {
  UniformType type = getQuantizedElementType(op.getInput().getType());
  auto params = dyn_cast<PerTensorAttr>(type.getParams());
  if (!params || type.getStorageWidth() != 8 || !type.isSigned() ||
      type.getNarrowRange())
    return;
  IntValue iv;
  iv.scales = {params.getScale().convertToDouble()};
  iv.zeroPoint = params.getZeroPoint();
  iv.value = StorageCastOp::create(
      b, loc(), op.getInput().getType().clone(b.getI8Type()), op.getInput());
  ints[op.getResult()] = iv;
}

LogicalResult Quantizer::handleQuantize(QuantizeOp op) {
  const IntValue *iv = lookup(op.getInput());
  if (!iv)
    return success(); // a real quantize of a float value
  UniformType to = getQuantizedElementType(op.getType());
  auto params = dyn_cast<PerTensorAttr>(to.getParams());
  if (!params || !to.isSigned() || to.getNarrowRange())
    return success();
  // int8 activations, or an int32 result at the accumulator level
  // (ConvInteger, MatMulInteger).
  bool toAccumulator =
      to.getStorageWidth() == 32 && iv->isAccumulator() && !iv->clamp;
  if (to.getStorageWidth() != 8 && !toAccumulator)
    return success();
  Value result = requantize(*iv, to);
  if (iv->clamp) {
    // The range does the clamp unless the clamp is narrower than the range.
    double scale = params.getScale().convertToDouble();
    auto toStorage = [&](double v) {
      return std::clamp(std::nearbyint(v / scale) + params.getZeroPoint(),
                        -128.0, 127.0);
    };
    double lo = toStorage(iv->clamp->first), hi = toStorage(iv->clamp->second);
    if (lo > -128 || hi < 127) {
      auto storageType =
          cast<RankedTensorType>(result.getType()).clone(b.getI8Type());
      Value storage = StorageCastOp::create(b, loc(), storageType, result);
      Value clamped =
          tosa::ClampOp::create(b, loc(), storageType, storage,
                                b.getIntegerAttr(b.getI8Type(), int64_t(lo)),
                                b.getIntegerAttr(b.getI8Type(), int64_t(hi)));
      result = StorageCastOp::create(b, loc(), op.getType(), clamped);
    }
  }
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult Quantizer::run() {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    b.setInsertionPoint(op);
    currentLoc = op->getLoc();
    if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
      handleDequantize(dequantize);
      continue;
    }
    if (auto quantize = dyn_cast<QuantizeOp>(op)) {
      if (failed(handleQuantize(quantize)))
        return failure();
      continue;
    }
    if (std::optional<IntValue> iv = convert(op)) {
      ints[op->getResult(0)] = *iv;
      converted.push_back(op);
    }
  }
  if (hadError)
    return failure();
  // Converted float ops go; values still used as float are dequantized.
  for (Operation *op : llvm::reverse(converted)) {
    Value result = op->getResult(0);
    if (!result.use_empty()) {
      const IntValue &iv = ints[result];
      b.setInsertionPointAfterValue(iv.value);
      currentLoc = op->getLoc();
      result.replaceAllUsesWith(toFloat(iv, result.getType()));
    }
    op->erase();
  }
  // Drop what became dead (dequantize ops, float constants), then name the
  // ops that stay float.
  SmallVector<Operation *> remaining;
  func.walk([&](Operation *op) { remaining.push_back(op); });
  for (Operation *op : llvm::reverse(remaining))
    if (op->use_empty() && isPure(op) && op->getNumResults() > 0)
      op->erase();
  func.walk([&](Operation *op) {
    if (isa<tosa::ConstOp, tosa::ConstShapeOp, func::ReturnOp>(op) ||
        isa<QuantXDialect>(op->getDialect()))
      return;
    if (!llvm::any_of(op->getResultTypes(), isFloatTensor))
      return;
    if (auto precision = op->getAttrOfType<PrecisionAttr>(kPrecisionAttrName);
        precision && precision.isFloat())
      emitRemark(op->getLoc(), "quantx-quantize: '")
          << op->getName() << "' stays float (its precision is float)";
    else
      emitRemark(op->getLoc(), "quantx-quantize: '")
          << op->getName() << "' stays float (no integer form for it with "
          << "these operands)";
  });
  return success();
}

namespace {
struct QuantizePass : quantx::impl::QuantizeBase<QuantizePass> {
  void runOnOperation() override {
    if (getOperation().isExternal())
      return;
    if (failed(Quantizer(getOperation()).run()))
      signalPassFailure();
  }
};
} // namespace
