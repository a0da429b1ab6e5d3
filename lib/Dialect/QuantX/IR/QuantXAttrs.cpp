//===- QuantXAttrs.cpp - quantx attribute verifiers and grids -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

#include "quant-x/Dialect/QuantX/IR/QuantXAttrInterfaces.cpp.inc"
#include "quant-x/Dialect/QuantX/IR/QuantXEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "quant-x/Dialect/QuantX/IR/QuantXAttrs.cpp.inc"

void QuantXDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "quant-x/Dialect/QuantX/IR/QuantXAttrs.cpp.inc"
      >();
}

using EmitErrorFn = function_ref<InFlightDiagnostic()>;

static LogicalResult verifyScale(EmitErrorFn emitError, double scale) {
  if (!std::isfinite(scale) || scale <= 0.0)
    return emitError() << "scale must be finite and > 0, got " << scale;
  return success();
}

static LogicalResult verifyScales(EmitErrorFn emitError,
                                  ArrayRef<double> scales) {
  if (scales.empty())
    return emitError() << "expected at least one scale";
  for (double scale : scales)
    if (failed(verifyScale(emitError, scale)))
      return failure();
  return success();
}

/// Scales given as a dense tensor. A splat is checked once: its few bytes may
/// stand for billions of elements.
static LogicalResult verifyScales(EmitErrorFn emitError,
                                  DenseFPElementsAttr scales) {
  if (scales.empty())
    return emitError() << "expected at least one scale";
  if (scales.isSplat())
    return verifyScale(emitError,
                       scales.getSplatValue<APFloat>().convertToDouble());
  for (const APFloat &scale : scales.getValues<APFloat>())
    if (failed(verifyScale(emitError, scale.convertToDouble())))
      return failure();
  return success();
}

/// A parameter tensor holds one value per block of the grid: refuses element
/// counts that overflow int64 or exceed the grid bound (the lowerings
/// materialize every block), before anything counts or iterates them.
static LogicalResult verifyParamCount(EmitErrorFn emitError, ShapedType type,
                                      StringRef what) {
  std::optional<int64_t> count = getCheckedProduct(type.getShape());
  if (!count)
    return emitError() << what << " of type " << type
                       << " have more elements than int64 can count";
  if (*count > QuantGrid::kMaxBlocks)
    return emitError() << what << " have " << *count
                       << " elements, more than the " << QuantGrid::kMaxBlocks
                       << " blocks a quantization grid may have";
  return success();
}

/// Integer parameters (zero points, sub-scales) are read as int64.
static LogicalResult verifyInt64Elements(EmitErrorFn emitError,
                                         DenseIntElementsAttr values,
                                         StringRef what) {
  if (values.getType().getElementTypeBitWidth() > 64)
    return emitError() << what << " must be integers of at most 64 bits, got "
                       << values.getType().getElementType();
  return success();
}

static SmallVector<double> toDoubles(DenseFPElementsAttr values) {
  return llvm::map_to_vector(values.getValues<APFloat>(), [](APFloat value) {
    return value.convertToDouble();
  });
}

/// A dimension that carries per-index parameters must be static and in range.
static LogicalResult verifyAxis(EmitErrorFn emitError, ArrayRef<int64_t> shape,
                                int64_t axis, StringRef what) {
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return emitError() << what << " " << axis << " is out of range for rank "
                       << shape.size();
  if (ShapedType::isDynamic(shape[axis]))
    return emitError() << what << " " << axis << " must have a static size";
  return success();
}

//===----------------------------------------------------------------------===//
// PerTensorAttr
//===----------------------------------------------------------------------===//

LogicalResult PerTensorAttr::verify(EmitErrorFn emitError, APFloat scale,
                                    int64_t zeroPoint) {
  return verifyScale(emitError, scale.convertToDouble());
}

LogicalResult PerTensorAttr::verifyForShape(ArrayRef<int64_t> shape,
                                            EmitErrorFn emitError) const {
  return success();
}

void PerTensorAttr::forEachZeroPoint(function_ref<void(int64_t)> fn) const {
  fn(getZeroPoint());
}

SmallVector<int64_t>
PerTensorAttr::getGridBlockSizes(ArrayRef<int64_t> shape) const {
  return SmallVector<int64_t>(shape);
}

QuantGrid PerTensorAttr::getGrid(ArrayRef<int64_t> shape) const {
  return QuantGrid::uniform(shape, getScale().convertToDouble(),
                            getZeroPoint());
}

//===----------------------------------------------------------------------===//
// PerAxisAttr
//===----------------------------------------------------------------------===//

LogicalResult PerAxisAttr::verify(EmitErrorFn emitError, int64_t axis,
                                  DenseF64ArrayAttr scales,
                                  ArrayRef<int64_t> zeroPoints) {
  if (axis < 0)
    return emitError() << "axis must be >= 0, got " << axis;
  if (failed(verifyScales(emitError, scales.asArrayRef())))
    return failure();
  if (!zeroPoints.empty() &&
      zeroPoints.size() != static_cast<size_t>(scales.size()))
    return emitError() << "expected " << scales.size()
                       << " zero points (one per scale), got "
                       << zeroPoints.size();
  return success();
}

LogicalResult PerAxisAttr::verifyForShape(ArrayRef<int64_t> shape,
                                          EmitErrorFn emitError) const {
  if (failed(verifyAxis(emitError, shape, getAxis(), "axis")))
    return failure();
  if (shape[getAxis()] != static_cast<int64_t>(getScales().size()))
    return emitError() << "axis " << getAxis() << " has size "
                       << shape[getAxis()] << " but " << getScales().size()
                       << " scales are given";
  return success();
}

void PerAxisAttr::forEachZeroPoint(function_ref<void(int64_t)> fn) const {
  for (int64_t zeroPoint : getZeroPoints())
    fn(zeroPoint);
}

SmallVector<int64_t>
PerAxisAttr::getGridBlockSizes(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> blockSizes(shape);
  blockSizes[getAxis()] = 1;
  return blockSizes;
}

QuantGrid PerAxisAttr::getGrid(ArrayRef<int64_t> shape) const {
  QuantGrid grid = QuantGrid::uniform(shape, 0.0, 0);
  int64_t axis = getAxis();
  grid.blockSizes = getGridBlockSizes(shape);
  grid.shape[axis] = shape[axis];
  grid.scales = llvm::to_vector(getScales().asArrayRef());
  if (getZeroPoints().empty())
    grid.zeroPoints.assign(getScales().size(), 0);
  else
    grid.zeroPoints.assign(getZeroPoints().begin(), getZeroPoints().end());
  return grid;
}

//===----------------------------------------------------------------------===//
// PerBlockAttr
//===----------------------------------------------------------------------===//

LogicalResult PerBlockAttr::verify(EmitErrorFn emitError,
                                   ArrayRef<int64_t> blockSizes,
                                   DenseFPElementsAttr scales,
                                   DenseIntElementsAttr zeroPoints) {
  for (int64_t size : blockSizes)
    if (size < 1)
      return emitError() << "block sizes must be >= 1, got " << size;
  auto scalesType = scales.getType();
  if (scalesType.getRank() != static_cast<int64_t>(blockSizes.size()))
    return emitError() << "scales must have rank " << blockSizes.size()
                       << " (one dimension per block size), got "
                       << scalesType.getRank();
  if (failed(verifyParamCount(emitError, scalesType, "scales")) ||
      failed(verifyScales(emitError, scales)))
    return failure();
  if (zeroPoints && zeroPoints.getType().getShape() != scalesType.getShape())
    return emitError() << "zero points must have the shape of the scales";
  if (zeroPoints &&
      failed(verifyInt64Elements(emitError, zeroPoints, "zero points")))
    return failure();
  return success();
}

LogicalResult PerBlockAttr::verifyForShape(ArrayRef<int64_t> shape,
                                           EmitErrorFn emitError) const {
  ArrayRef<int64_t> blockSizes = getBlockSizes();
  if (shape.size() != blockSizes.size())
    return emitError() << "expected " << shape.size()
                       << " block sizes (one per dimension), got "
                       << blockSizes.size();
  ArrayRef<int64_t> scalesShape = getScales().getType().getShape();
  for (auto [dim, size] : llvm::enumerate(shape)) {
    if (ShapedType::isDynamic(size))
      return emitError() << "dimension " << dim
                         << " must have a static size for per-block "
                            "quantization";
    if (size % blockSizes[dim] != 0)
      return emitError() << "dimension " << dim << " of size " << size
                         << " is not divisible by block size "
                         << blockSizes[dim];
    if (scalesShape[dim] != size / blockSizes[dim])
      return emitError() << "scales have " << scalesShape[dim]
                         << " blocks along dimension " << dim << ", expected "
                         << size / blockSizes[dim];
  }
  return success();
}

void PerBlockAttr::forEachZeroPoint(function_ref<void(int64_t)> fn) const {
  DenseIntElementsAttr zeroPoints = getZeroPoints();
  if (!zeroPoints || zeroPoints.empty())
    return;
  // A splat once, not once per block.
  if (zeroPoints.isSplat())
    return fn(zeroPoints.getSplatValue<APInt>().getSExtValue());
  for (const APInt &zeroPoint : zeroPoints.getValues<APInt>())
    fn(zeroPoint.getSExtValue());
}

SmallVector<int64_t>
PerBlockAttr::getGridBlockSizes(ArrayRef<int64_t> shape) const {
  return SmallVector<int64_t>(getBlockSizes());
}

QuantGrid PerBlockAttr::getGrid(ArrayRef<int64_t> shape) const {
  QuantGrid grid;
  grid.blockSizes = getGridBlockSizes(shape);
  auto scalesShape = getScales().getType().getShape();
  grid.shape.assign(scalesShape.begin(), scalesShape.end());
  grid.scales = toDoubles(getScales());
  if (getZeroPoints())
    forEachZeroPoint([&](int64_t zp) { grid.zeroPoints.push_back(zp); });
  else
    grid.zeroPoints.assign(grid.scales.size(), 0);
  return grid;
}

//===----------------------------------------------------------------------===//
// TwoLevelAttr
//===----------------------------------------------------------------------===//

LogicalResult TwoLevelAttr::verify(EmitErrorFn emitError, int64_t axis,
                                   int64_t vectorAxis, int64_t vectorSize,
                                   int64_t subScaleBits,
                                   DenseF64ArrayAttr scales,
                                   DenseIntElementsAttr subScales) {
  if (axis < 0 || vectorAxis < 0)
    return emitError() << "axes must be >= 0";
  if (axis == vectorAxis)
    return emitError() << "axis and vector_axis must differ";
  if (vectorSize < 1)
    return emitError() << "vector_size must be >= 1, got " << vectorSize;
  if (subScaleBits < 1 || subScaleBits > 16)
    return emitError() << "sub_scale_bits must be in [1, 16], got "
                       << subScaleBits;
  if (failed(verifyScales(emitError, scales.asArrayRef())))
    return failure();
  auto subType = subScales.getType();
  if (subType.getRank() != 2 ||
      subType.getDimSize(0) != static_cast<int64_t>(scales.size()))
    return emitError() << "sub_scales must have shape [" << scales.size()
                       << ", vectors]";
  if (failed(verifyParamCount(emitError, subType, "sub_scales")) ||
      failed(verifyInt64Elements(emitError, subScales, "sub_scales")))
    return failure();
  int64_t maxSubScale = (int64_t(1) << subScaleBits) - 1;
  auto verifySubScale = [&](const APInt &sub) -> LogicalResult {
    int64_t value = sub.getSExtValue();
    if (value < 1 || value > maxSubScale)
      return emitError() << "sub-scale " << value << " is outside [1, "
                         << maxSubScale << "] for " << subScaleBits << " bits";
    return success();
  };
  // A splat once, not once per vector.
  if (!subScales.empty() && subScales.isSplat())
    return verifySubScale(subScales.getSplatValue<APInt>());
  for (const APInt &sub : subScales.getValues<APInt>())
    if (failed(verifySubScale(sub)))
      return failure();
  return success();
}

LogicalResult TwoLevelAttr::verifyForShape(ArrayRef<int64_t> shape,
                                           EmitErrorFn emitError) const {
  if (failed(verifyAxis(emitError, shape, getAxis(), "axis")) ||
      failed(verifyAxis(emitError, shape, getVectorAxis(), "vector_axis")))
    return failure();
  if (shape[getAxis()] != static_cast<int64_t>(getScales().size()))
    return emitError() << "axis " << getAxis() << " has size "
                       << shape[getAxis()] << " but " << getScales().size()
                       << " scales are given";
  int64_t vectorDim = shape[getVectorAxis()];
  if (vectorDim % getVectorSize() != 0)
    return emitError() << "dimension " << getVectorAxis() << " of size "
                       << vectorDim << " is not divisible by vector_size "
                       << getVectorSize();
  if (getSubScales().getType().getDimSize(1) != vectorDim / getVectorSize())
    return emitError() << "sub_scales must have " << vectorDim / getVectorSize()
                       << " vectors per channel";
  return success();
}

void TwoLevelAttr::forEachZeroPoint(function_ref<void(int64_t)> fn) const {
  fn(0);
}

SmallVector<int64_t>
TwoLevelAttr::getGridBlockSizes(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> blockSizes(shape);
  blockSizes[getAxis()] = 1;
  blockSizes[getVectorAxis()] = getVectorSize();
  return blockSizes;
}

QuantGrid TwoLevelAttr::getGrid(ArrayRef<int64_t> shape) const {
  QuantGrid grid = QuantGrid::uniform(shape, 0.0, 0);
  int64_t axis = getAxis(), vectorAxis = getVectorAxis();
  int64_t channels = shape[axis];
  int64_t vectors = shape[vectorAxis] / getVectorSize();
  grid.blockSizes = getGridBlockSizes(shape);
  grid.shape[axis] = channels;
  grid.shape[vectorAxis] = vectors;
  auto subScales = llvm::to_vector(getSubScales().getValues<APInt>());
  grid.scales.clear();
  grid.zeroPoints.assign(channels * vectors, 0);
  // Row-major over the grid: the outer of the two axes varies slowest.
  for (int64_t outer = 0, e = axis < vectorAxis ? channels : vectors; outer < e;
       ++outer) {
    for (int64_t inner = 0, f = axis < vectorAxis ? vectors : channels;
         inner < f; ++inner) {
      int64_t c = axis < vectorAxis ? outer : inner;
      int64_t v = axis < vectorAxis ? inner : outer;
      grid.scales.push_back(getScales()[c] *
                            subScales[c * vectors + v].getSExtValue());
    }
  }
  return grid;
}

//===----------------------------------------------------------------------===//
// DyadicAttr
//===----------------------------------------------------------------------===//

LogicalResult DyadicAttr::verify(EmitErrorFn emitError,
                                 ArrayRef<int32_t> multipliers,
                                 ArrayRef<int32_t> shifts,
                                 RoundingMode rounding) {
  if (multipliers.empty())
    return emitError() << "expected at least one multiplier";
  if (multipliers.size() != shifts.size())
    return emitError() << "expected as many shifts as multipliers ("
                       << multipliers.size() << "), got " << shifts.size();
  for (int32_t multiplier : multipliers)
    if (multiplier < 0)
      return emitError() << "multiplier must be in [0, 2^31), got "
                         << multiplier;
  for (int32_t shift : shifts)
    if (shift < 0 || shift > kMaxDyadicShift)
      return emitError() << "shift must be in [0, " << kMaxDyadicShift
                         << "], got " << shift;
  return success();
}

double DyadicAttr::getScale(size_t i) const {
  return DyadicValue{getMultiplier()[i], getShift()[i]}.toDouble();
}

//===----------------------------------------------------------------------===//
// Calibration statistics
//===----------------------------------------------------------------------===//

LogicalResult HistogramAttr::verify(EmitErrorFn emitError, APFloat minValue,
                                    APFloat maxValue,
                                    ArrayRef<int64_t> counts) {
  double min = minValue.convertToDouble(), max = maxValue.convertToDouble();
  if (!std::isfinite(min) || !std::isfinite(max) || !(min < max))
    return emitError() << "histogram range must be finite with min < max, got ["
                       << min << ", " << max << "]";
  if (counts.empty())
    return emitError() << "histogram needs at least one bin";
  for (int64_t count : counts)
    if (count < 0)
      return emitError() << "histogram counts must be >= 0, got " << count;
  return success();
}

LogicalResult CalibStatsAttr::verify(EmitErrorFn emitError, APFloat minValue,
                                     APFloat maxValue,
                                     HistogramAttr histogram) {
  double min = minValue.convertToDouble(), max = maxValue.convertToDouble();
  if (!std::isfinite(min) || !std::isfinite(max) || min > max)
    return emitError() << "statistics need finite min <= max, got [" << min
                       << ", " << max << "]";
  if (histogram && (histogram.getMin().convertToDouble() > min ||
                    histogram.getMax().convertToDouble() < max))
    return emitError() << "histogram range must contain [min, max]";
  return success();
}
