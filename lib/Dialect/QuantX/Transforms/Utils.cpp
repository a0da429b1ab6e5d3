//===- Utils.cpp - helpers shared by the quantization passes --------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::quantx;

bool mlir::quantx::isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

bool mlir::quantx::isActivationPath(Operation *op) {
  return isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp, tosa::PadOp,
             tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ClampOp>(op);
}

DenseElementsAttr mlir::quantx::getConstantElements(Value value) {
  if (auto unpack = value.getDefiningOp<UnpackWeightsOp>())
    return unpack.evaluate();
  auto constant = value.getDefiningOp<tosa::ConstOp>();
  if (!constant)
    return {};
  return dyn_cast<DenseElementsAttr>(constant.getValues());
}

SmallVector<double> mlir::quantx::getFloatValues(DenseElementsAttr elements) {
  SmallVector<double> values;
  if (!elements || !isa<FloatType>(elements.getElementType()))
    return values;
  values.reserve(elements.getNumElements());
  // f32, the common case, without an APFloat per element (a ResNet-50 has
  // 25 million weights).
  if (elements.getElementType().isF32()) {
    for (float v : elements.getValues<float>())
      values.push_back(v);
    return values;
  }
  for (APFloat v : elements.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

std::optional<SmallVector<double>>
mlir::quantx::getChannelValues(Value value, int64_t channels) {
  DenseElementsAttr elements = getConstantElements(value);
  SmallVector<double> values = getFloatValues(elements);
  if (values.empty())
    return std::nullopt;
  ArrayRef<int64_t> shape = elements.getType().getShape();
  for (int64_t d : shape.drop_back())
    if (d != 1)
      return std::nullopt;
  if (values.size() == 1)
    return SmallVector<double>(channels, values[0]);
  if (int64_t(values.size()) != channels)
    return std::nullopt;
  return values;
}

WeightChannels mlir::quantx::getWeightChannels(Operation *op,
                                               ShapedType weightType) {
  ArrayRef<int64_t> shape = weightType.getShape();
  if (isa<tosa::Conv2DOp>(op))
    return {shape[0], weightType.getNumElements() / shape[0]};
  if (isa<tosa::DepthwiseConv2DOp>(op))
    return {shape[2] * shape[3], 1};
  return {shape.back(), 1};
}

int64_t mlir::quantx::getWeightInputChannel(Operation *layer, ShapedType type,
                                            int64_t index) {
  ArrayRef<int64_t> shape = type.getShape();
  if (isa<tosa::DepthwiseConv2DOp>(layer))
    return (index / shape[3]) % shape[2];
  if (isa<tosa::MatMulOp>(layer))
    return (index / shape[2]) % shape[1];
  return index % shape[3];
}

std::optional<int64_t> mlir::quantx::getReductionAxis(Operation *op) {
  if (isa<tosa::Conv2DOp>(op))
    return 3;
  if (isa<tosa::MatMulOp>(op))
    return 1;
  return std::nullopt;
}

/// The number of weights one group or vector spans the reduction of.
static std::optional<int64_t> getGroupableReduction(Operation *op) {
  auto weightType = cast<ShapedType>(op->getOperand(1).getType());
  std::optional<int64_t> axis = getReductionAxis(op);
  if (!axis || !weightType.hasStaticShape() ||
      weightType.getRank() != (isa<tosa::MatMulOp>(op) ? 3 : 4))
    return std::nullopt;
  return weightType.getShape()[*axis];
}

/// Why `precision` cannot apply to `op`, or nothing if it can.
std::optional<std::string>
mlir::quantx::getPrecisionMismatch(Operation *op, PrecisionAttr precision) {
  if (precision.isFloat())
    return std::nullopt;
  WeightGranularity granularity = precision.getGranularity();
  if (granularity != WeightGranularity::Group &&
      granularity != WeightGranularity::TwoLevel)
    return std::nullopt;
  if (precision.getMaxSubscale() < 2)
    return std::string("int8 weights leave no room for sub-scales: a weight "
                       "times its sub-scale must fit int8");
  std::optional<int64_t> reduction = getGroupableReduction(op);
  if (!reduction)
    return std::string(isa<tosa::DepthwiseConv2DOp>(op)
                           ? "a depthwise convolution has no input-channel "
                             "axis to group"
                           : "its weights have no static reduction axis");
  if (*reduction % precision.getBlock() != 0)
    return "block size " + std::to_string(precision.getBlock()) +
           " does not divide the " + std::to_string(*reduction) +
           (isa<tosa::MatMulOp>(op) ? " reduction elements"
                                    : " input channels");
  return std::nullopt;
}

Value mlir::quantx::createConst(OpBuilder &b, Location loc,
                                DenseElementsAttr elements) {
  return tosa::ConstOp::create(b, loc, elements.getType(), elements);
}

bool mlir::quantx::keepsQuantization(Operation *op) {
  return isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp, tosa::PadOp,
             tosa::MaxPool2dOp, tosa::AvgPool2dOp>(op);
}

bool mlir::quantx::producesAccumulator(Operation *op) {
  return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp,
             tosa::AddOp, tosa::SubOp, tosa::MulOp, tosa::ReduceSumOp>(op);
}

/// Whether the integer form of `value` stays an accumulator because its only
/// consumer absorbs it: a clamp (fused into the range), or an add/sub/mul
/// with a constant (bias, scale).
static bool isFusedAccumulator(Value value) {
  Operation *producer = value.getDefiningOp();
  if (!producer || !producesAccumulator(producer) || !value.hasOneUse())
    return false;
  Operation *user = *value.getUsers().begin();
  if (isa<tosa::ClampOp>(user))
    return true;
  if (!isa<tosa::AddOp, tosa::SubOp, tosa::MulOp>(user))
    return false;
  Value lhs = user->getOperand(0), rhs = user->getOperand(1);
  if (isa<tosa::SubOp>(user))
    return lhs == value && getConstantElements(rhs);
  return getConstantElements(lhs == value ? rhs : lhs) != nullptr;
}

/// Whether every use of `value` quantizes it, directly or through ops that
/// keep quantization (a QDQ model, or a second calibration).
static bool isAlreadyQuantized(Value value) {
  return !value.use_empty() &&
         llvm::all_of(value.getUsers(), [](Operation *user) {
           if (isa<QuantizeOp>(user))
             return true;
           return keepsQuantization(user) && user->getNumResults() == 1 &&
                  isAlreadyQuantized(user->getResult(0));
         });
}

bool mlir::quantx::isQuantizationPoint(Value value) {
  if (!isFloatTensor(value.getType()))
    return false;
  if (isAlreadyQuantized(value))
    return false;
  Operation *op = value.getDefiningOp();
  if (!op)
    return true; // a function argument
  if (isa<tosa::ConstOp, tosa::ConstShapeOp>(op) ||
      isa<QuantXDialect>(op->getDialect()) || keepsQuantization(op))
    return false;
  // All-constant subgraphs are folded into weights, not quantized.
  if (llvm::all_of(op->getOperands(), [](Value v) {
        return !isFloatTensor(v.getType()) || getConstantElements(v);
      }))
    return false;
  if (auto clamp = dyn_cast<tosa::ClampOp>(op))
    return isFusedAccumulator(clamp.getInput());
  return !isFusedAccumulator(value);
}

UniformType mlir::quantx::getInt8Type(MLIRContext *ctx, double scale,
                                      int64_t zeroPoint) {
  return UniformType::get(ctx, IntegerType::get(ctx, 8), Float32Type::get(ctx),
                          /*narrow_range=*/false,
                          PerTensorAttr::get(ctx, APFloat(scale), zeroPoint));
}

UniformType mlir::quantx::getAccumulatorType(MLIRContext *ctx,
                                             ArrayRef<double> scales,
                                             int64_t axis, unsigned bits) {
  QuantParamsAttr params;
  if (scales.size() == 1)
    params = PerTensorAttr::get(ctx, APFloat(scales[0]), 0);
  else
    params =
        PerAxisAttr::get(ctx, axis, DenseF64ArrayAttr::get(ctx, scales), {});
  return UniformType::get(ctx, IntegerType::get(ctx, bits),
                          Float32Type::get(ctx),
                          /*narrow_range=*/false, params);
}
