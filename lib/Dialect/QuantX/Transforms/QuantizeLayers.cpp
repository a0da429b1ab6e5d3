//===- QuantizeLayers.cpp - conv2d, depthwise_conv2d, matmul in integer
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-----===//

#include "Quantizer.h"
#include "WeightQuantizers.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

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
  SmallVector<int64_t> subscales;
  if (integers.empty()) {
    std::optional<int64_t> axis = getReductionAxis(op);
    std::string error;
    FailureOr<WeightIntegers> quantized = getLayerWeightIntegers(
        op, precision, values, elements.getType(), error);
    if (failed(quantized)) {
      op->emitError("quantx-quantize: ") << error;
      hadError = true;
      return failure();
    }
    integers = std::move(quantized->integers);
    result.scales = std::move(quantized->scales);
    subscales = std::move(quantized->subscales);
    result.format = choosePackedFormat(precision.getWeights(), integers);
    if (!quantized->codebook.empty()) {
      // Codebook and pow2 weights: the codes of their decoded integers.
      std::optional<SmallVector<int64_t>> codes =
          encodeWithCodebook(integers, quantized->codebook);
      if (!codes) {
        op->emitError("quantx-quantize: weights off their own codebook");
        hadError = true;
        return failure();
      }
      result.packed = packCodes(*result.format, *codes);
      result.codebook.assign(quantized->codebook.begin(),
                             quantized->codebook.end());
    } else if (result.format) {
      result.packed = packValues(*result.format, integers);
    }
    if (!subscales.empty()) {
      result.axis = *axis;
      result.block = precision.getBlock();
      result.subscales.assign(subscales.begin(), subscales.end());
    }
  }
  result.sums.assign(channels, 0);
  SmallVector<int8_t> quantized;
  quantized.reserve(integers.size());
  ArrayRef<int64_t> shape = elements.getType().getShape();
  for (auto [i, q] : llvm::enumerate(integers)) {
    if (!subscales.empty())
      q *= subscales[getSubscaleIndex(shape, result.axis, result.block, i)];
    quantized.push_back(int8_t(q));
    result.sums[channelOf.of(i)] += q - result.zeroPoint;
  }
  result.values = DenseElementsAttr::get(
      elements.getType().clone(b.getI8Type()), ArrayRef(quantized));
  return result;
}

Value Quantizer::materializeWeights(const QuantizedWeights &weights) {
  if (!weights.format)
    return createConst(b, loc(), weights.values);
  auto bytes = [&](ArrayRef<int8_t> data, ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, b.getI8Type());
    return createConst(b, loc(), DenseElementsAttr::get(type, data));
  };
  Value packed = bytes(weights.packed, {int64_t(weights.packed.size())});
  auto type = cast<RankedTensorType>(weights.values.getType());
  if (weights.subscales.empty())
    return UnpackWeightsOp::create(
        b, loc(), type, packed, Value(),
        weights.codebook.empty()
            ? Value()
            : bytes(weights.codebook, {int64_t(weights.codebook.size())}),
        *weights.format, nullptr, nullptr);
  SmallVector<int64_t> shape(type.getShape());
  shape[weights.axis] /= weights.block;
  return UnpackWeightsOp::create(
      b, loc(), type, packed, bytes(weights.subscales, shape), Value(),
      *weights.format, b.getI64IntegerAttr(weights.axis),
      b.getI64IntegerAttr(weights.block));
}

std::optional<IntValue> Quantizer::getInt16Activation(Operation *layer,
                                                      Value input) {
  // Back through data movement, pools and clamps (a ReLU after the point),
  // to the quantization point's dequantize.
  SmallVector<Operation *> path;
  Value value = input;
  while (!floatSources.count(value)) {
    Operation *def = value.getDefiningOp();
    if (!def ||
        !isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp, tosa::PadOp,
             tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ClampOp>(def)) {
      layer->emitError("quantx-quantize: 16-bit activations need the "
                       "layer's input to be a quantization point");
      hadError = true;
      return std::nullopt;
    }
    path.push_back(def);
    value = def->getOperand(0);
  }
  // Symmetric int16 over the range of the int8 point (zero point 0, as
  // TOSA's int16 x int8 convolutions require).
  const IntValue *point = getActivation(value);
  if (!point)
    return std::nullopt;
  double lo = point->scales[0] * double(-128 - point->zeroPoint);
  double hi = point->scales[0] * double(127 - point->zeroPoint);
  double maxAbs = std::max(std::abs(lo), std::abs(hi));
  IntValue result;
  result.scales = {maxAbs > 0 ? maxAbs / 32767.0 : 1.0};
  auto toInt16 = [&](double v) {
    return int64_t(
        std::clamp(std::nearbyint(v / result.scales[0]), -32768.0, 32767.0));
  };
  auto i16Type = UniformType::get(
      b.getContext(), b.getI16Type(), b.getF32Type(), /*narrowRange=*/false,
      PerTensorAttr::get(b.getContext(), APFloat(result.scales[0]), 0));
  Value source = floatSources.lookup(value);
  Value quantized;
  if (const IntValue *wide = lookup(source)) {
    // From the accumulator (or activation) the int8 point was requantized
    // from: no int8 rounding in between.
    quantized = requantize(*wide, i16Type);
    if (wide->clamp) {
      // The accumulator's ReLU / ReLU6 still applies: its range in int16.
      auto storageType =
          cast<RankedTensorType>(quantized.getType()).clone(b.getI16Type());
      Value storage = StorageCastOp::create(b, loc(), storageType, quantized);
      Value clamped = tosa::ClampOp::create(
          b, loc(), storageType, storage,
          b.getIntegerAttr(b.getI16Type(), toInt16(wide->clamp->first)),
          b.getIntegerAttr(b.getI16Type(), toInt16(wide->clamp->second)));
      quantized = StorageCastOp::create(
          b, loc(), cast<RankedTensorType>(quantized.getType()), clamped);
    }
  } else {
    auto type = cast<RankedTensorType>(source.getType());
    quantized = QuantizeOp::create(b, loc(), type.clone(i16Type), source);
  }
  auto quantizedType = cast<RankedTensorType>(quantized.getType());
  result.value = StorageCastOp::create(
      b, loc(), quantizedType.clone(b.getI16Type()), quantized);
  // The path again, on int16 (pads with the zero point 0).
  for (Operation *op : llvm::reverse(path)) {
    SmallVector<Value> operands(op->getOperands());
    operands[0] = result.value;
    if (isa<tosa::PadOp>(op))
      operands[2] = zeroPoint(0, 16);
    if (isa<tosa::AvgPool2dOp>(op))
      operands[1] = operands[2] = zeroPoint(0, 16);
    Operation *clone = cloneWith(op, operands, b.getI16Type());
    if (isa<tosa::AvgPool2dOp>(op))
      clone->setAttr("acc_type", TypeAttr::get(b.getI32Type()));
    if (auto clamp = dyn_cast<tosa::ClampOp>(op)) {
      auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
      auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
      if (!lo || !hi)
        return std::nullopt;
      clone->setAttr(
          "min_val",
          b.getIntegerAttr(b.getI16Type(), toInt16(lo.getValueAsDouble())));
      clone->setAttr(
          "max_val",
          b.getIntegerAttr(b.getI16Type(), toInt16(hi.getValueAsDouble())));
    }
    result.value = clone->getResult(0);
  }
  return result;
}

std::optional<IntValue> Quantizer::getSignActivation(Operation *layer,
                                                     Value input) {
  const IntValue *x = getActivation(input);
  if (!x)
    return std::nullopt;
  Value value = input;
  while (!floatSources.count(value)) {
    Operation *def = value.getDefiningOp();
    if (!def || !isActivationPath(def)) {
      layer->emitError("quantx-quantize: sign activations need the layer's "
                       "input to be a quantization point");
      hadError = true;
      return std::nullopt;
    }
    value = def->getOperand(0);
  }
  auto mean = meanMagnitudes.find(value);
  double beta = mean == meanMagnitudes.end() ? 0.0 : mean->second;
  if (!(beta > 0) || !std::isfinite(beta)) {
    layer->emitError("quantx-quantize: sign activations need the positive "
                     "mean magnitude (")
        << kMeanMagnitudeAttrName
        << ") of the layer's input quantization point, which "
           "quantx-fold-calibration measures; got "
        << beta;
    hadError = true;
    return std::nullopt;
  }
  // sign(x - zero point), with sign(0) = +1 as binary weights have it.
  RankedTensorType type = x->getType();
  SmallVector<int64_t> ones(type.getRank(), 1);
  auto splat = [&](int64_t v) {
    return createConst(
        b, loc(),
        DenseElementsAttr::get(type.clone(ones), b.getI8IntegerAttr(v)));
  };
  Value nonNegative = tosa::GreaterEqualOp::create(
      b, loc(), type.clone(b.getI1Type()), x->value, splat(x->zeroPoint));
  IntValue result;
  result.scales = {beta};
  result.value =
      tosa::SelectOp::create(b, loc(), type, nonNegative, splat(1), splat(-1));
  return result;
}

std::optional<IntValue> Quantizer::getLayerInput(Operation *layer,
                                                 Value input) {
  switch (getPrecision(layer).getActivations()) {
  case 16:
    return getInt16Activation(layer, input);
  case 1:
    return getSignActivation(layer, input);
  default:
    if (const IntValue *x = getActivation(input))
      return *x;
    return std::nullopt;
  }
}

std::optional<IntValue> Quantizer::convertConv(Operation *op) {
  std::optional<IntValue> layerInput = getLayerInput(op, op->getOperand(0));
  if (!layerInput)
    return std::nullopt;
  const IntValue *x = &*layerInput;
  bool wide = getPrecision(op).getActivations() == 16;
  SmallVector<double> bias =
      getFloatValues(getConstantElements(op->getOperand(2)));
  if (bias.empty())
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
  Value weightConst = materializeWeights(*w);
  // int16 activations accumulate in int48 (TOSA's int16 x int8 form).
  unsigned accBits = wide ? 48 : 32;
  Type accType = b.getIntegerType(accBits);
  auto biasType = RankedTensorType::get({channels}, accType);
  SmallVector<APInt> biasValues;
  for (int32_t v : biasQ)
    biasValues.push_back(APInt(accBits, v, /*isSigned=*/true));
  Value biasConst =
      createConst(b, loc(), DenseElementsAttr::get(biasType, biasValues));
  Operation *conv =
      cloneWith(op,
                {input, weightConst, biasConst, zeroPoint(0, wide ? 16 : 8),
                 i8ZeroPoint(w->zeroPoint)},
                accType);
  conv->setAttr("acc_type", TypeAttr::get(accType));
  if (input != x->value)
    conv->setAttr("pad", b.getDenseI64ArrayAttr({0, 0, 0, 0}));
  result.value = conv->getResult(0);
  return result;
}

std::optional<IntValue> Quantizer::convertMatMul(tosa::MatMulOp op) {
  std::optional<IntValue> layerInput = getLayerInput(op, op.getA());
  if (!layerInput)
    return std::nullopt;
  const IntValue *a = &*layerInput;
  bool wide = getPrecision(op).getActivations() == 16;
  IntValue result;
  if (const IntValue *rhs = getPrecision(op).getActivations() == 8
                                ? getActivation(op.getB())
                                : nullptr) {
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
  Value weights = materializeWeights(*w);
  if (wide) {
    // TOSA's int48 matmul takes int16 on both sides.
    auto type = cast<RankedTensorType>(weights.getType());
    weights =
        tosa::CastOp::create(b, loc(), type.clone(b.getI16Type()), weights);
    result.value = cloneWith(op,
                             {a->value, weights, zeroPoint(0, 16),
                              zeroPoint(w->zeroPoint, 16)},
                             b.getIntegerType(48))
                       ->getResult(0);
    return result;
  }
  result.value =
      cloneWith(op,
                {a->value, weights, i8ZeroPoint(0), i8ZeroPoint(w->zeroPoint)},
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

/// Whether this pass computes `op`'s precision in integer; an error names
/// the ones it cannot compute yet.
bool Quantizer::supportsPrecision(Operation *op) {
  PrecisionAttr precision = getPrecision(op);
  if (precision.isFloat())
    return false;
  if (std::optional<std::string> mismatch =
          getPrecisionMismatch(op, precision)) {
    op->emitError("quantx-quantize: precision ")
        << precision.str() << " does not fit this layer: " << *mismatch;
    hadError = true;
    return false;
  }
  return true;
}
