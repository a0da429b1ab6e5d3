//===- QuantXToArith.cpp - lower quantx ops to linalg + arith -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Each quantx op becomes one elementwise linalg.generic. Parameters that are
// constant over the tensor are folded into the body; per-axis and per-block
// parameters are constant tensors on the block grid, read through
// `d floordiv block` indexing maps.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/QuantXToArith/QuantXToArith.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "quant-x/Conversion/QuantXToArith/DyadicEmitter.h"

using namespace mlir;
using namespace mlir::quantx;

//===----------------------------------------------------------------------===//
// Type conversion
//===----------------------------------------------------------------------===//

QuantXStorageTypeConverter::QuantXStorageTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type {
    auto quant = dyn_cast<UniformType>(type.getElementType());
    if (!quant)
      return type;
    return type.clone(
        IntegerType::get(type.getContext(), quant.getStorageWidth()));
  });
  auto materialize = [](OpBuilder &b, Type resultType, ValueRange inputs,
                        Location loc) -> Value {
    if (inputs.size() != 1)
      return Value();
    return StorageCastOp::create(b, loc, resultType, inputs.front());
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

//===----------------------------------------------------------------------===//
// Elementwise generic over a block grid
//===----------------------------------------------------------------------===//

namespace {
/// A constant operand on the block grid of a tensor.
struct GridOperand {
  DenseElementsAttr values;
  SmallVector<int64_t> blockSizes;
};

using BodyFn = function_ref<Value(OpBuilder &, Location, Value, ValueRange)>;
} // namespace

/// (d0, ..., dn) -> (di floordiv blocki), with 0 for single-block dims.
static AffineMap getGridMap(MLIRContext *ctx, ArrayRef<int64_t> gridShape,
                            ArrayRef<int64_t> blockSizes) {
  SmallVector<AffineExpr> exprs;
  for (auto [dim, count] : llvm::enumerate(gridShape)) {
    AffineExpr d = getAffineDimExpr(dim, ctx);
    if (count == 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else if (blockSizes[dim] == 1)
      exprs.push_back(d);
    else
      exprs.push_back(d.floorDiv(blockSizes[dim]));
  }
  return AffineMap::get(gridShape.size(), 0, exprs, ctx);
}

/// linalg.generic computing `body(x, gridValues...)` for every element of
/// `input`, producing a tensor of `resultElementType`.
static Value buildElementwise(OpBuilder &b, Location loc, Value input,
                              Type resultElementType,
                              ArrayRef<GridOperand> gridOperands, BodyFn body) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<Value> inputs{input};
  SmallVector<AffineMap> maps{identity};
  for (const GridOperand &operand : gridOperands) {
    inputs.push_back(arith::ConstantOp::create(b, loc, operand.values));
    maps.push_back(getGridMap(ctx, operand.values.getType().getShape(),
                              operand.blockSizes));
  }
  maps.push_back(identity);
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, input), resultElementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result =
            body(nb, nloc, args.front(), args.drop_front().drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

static DenseElementsAttr gridAttr(ArrayRef<int64_t> shape, Type elementType,
                                  ArrayRef<Attribute> values) {
  return DenseElementsAttr::get(RankedTensorType::get(shape, elementType),
                                values);
}

//===----------------------------------------------------------------------===//
// Quantize / dequantize
//===----------------------------------------------------------------------===//

/// The float type the conversion computes in: the expressed type, widened to
/// f32 when narrower so that every 16-bit storage value is exact.
static FloatType getComputeType(UniformType quant) {
  FloatType expressed = quant.getExpressedType();
  if (expressed.getWidth() < 32)
    return Float32Type::get(expressed.getContext());
  return expressed;
}

static Value castFloat(OpBuilder &b, Location loc, Value v, Type to) {
  auto from = cast<FloatType>(v.getType());
  if (from == to)
    return v;
  if (from.getWidth() < cast<FloatType>(to).getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

/// Scale and zero point of the block as values: folded constants for a
/// single block, else the grid operands' block arguments.
static std::pair<Value, Value>
getBlockParams(OpBuilder &b, Location loc, const QuantGrid &grid,
               ValueRange args, FloatType scaleType, Type zeroPointType) {
  if (!grid.isPerTensor())
    return {args[0], args[1]};
  Value scale = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(scaleType, grid.scales[0]));
  Value zeroPoint = arith::ConstantOp::create(
      b, loc,
      isa<FloatType>(zeroPointType)
          ? TypedAttr(b.getFloatAttr(zeroPointType, grid.zeroPoints[0]))
          : TypedAttr(b.getIntegerAttr(zeroPointType, grid.zeroPoints[0])));
  return {scale, zeroPoint};
}

static SmallVector<GridOperand> getGridOperands(OpBuilder &b,
                                                const QuantGrid &grid,
                                                FloatType scaleType,
                                                Type zeroPointType) {
  if (grid.isPerTensor())
    return {};
  SmallVector<Attribute> scales, zeroPoints;
  for (auto [scale, zeroPoint] : llvm::zip(grid.scales, grid.zeroPoints)) {
    scales.push_back(b.getFloatAttr(scaleType, scale));
    zeroPoints.push_back(
        isa<FloatType>(zeroPointType)
            ? Attribute(b.getFloatAttr(zeroPointType, zeroPoint))
            : Attribute(b.getIntegerAttr(zeroPointType, zeroPoint)));
  }
  return {GridOperand{gridAttr(grid.shape, scaleType, scales), grid.blockSizes},
          GridOperand{gridAttr(grid.shape, zeroPointType, zeroPoints),
                      grid.blockSizes}};
}

namespace {
struct QuantizeOpLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    UniformType quant = getQuantizedElementType(resultType);
    QuantGrid grid = quant.getParams().getGrid(resultType.getShape());
    FloatType computeType = getComputeType(quant);
    Type storageType = rewriter.getIntegerType(quant.getStorageWidth());
    double qmin = quant.getStorageMin(), qmax = quant.getStorageMax();
    bool isSigned = quant.isSigned();
    Location loc = op.getLoc();
    auto body = [&](OpBuilder &b, Location l, Value x, ValueRange args) {
      auto [scale, zeroPoint] =
          getBlockParams(b, l, grid, args, computeType, computeType);
      auto constant = [&](double v) -> Value {
        return arith::ConstantOp::create(b, l, b.getFloatAttr(computeType, v));
      };
      Value xc = castFloat(b, l, x, computeType);
      Value scaled = arith::DivFOp::create(b, l, xc, scale);
      Value rounded = math::RoundEvenOp::create(b, l, scaled);
      Value shifted = arith::AddFOp::create(b, l, rounded, zeroPoint);
      Value clamped = arith::MinimumFOp::create(
          b, l, arith::MaximumFOp::create(b, l, shifted, constant(qmin)),
          constant(qmax));
      // NaN means "no value": it becomes the zero point (real 0).
      Value isNan =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, xc, xc);
      Value q = arith::SelectOp::create(b, l, isNan, zeroPoint, clamped);
      if (isSigned)
        return Value(arith::FPToSIOp::create(b, l, storageType, q));
      return Value(arith::FPToUIOp::create(b, l, storageType, q));
    };
    rewriter.replaceOp(
        op,
        buildElementwise(
            rewriter, loc, adaptor.getInput(), storageType,
            getGridOperands(rewriter, grid, computeType, computeType), body));
    return success();
  }
};

struct DequantizeOpLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    UniformType quant = getQuantizedElementType(inputType);
    QuantGrid grid = quant.getParams().getGrid(inputType.getShape());
    FloatType computeType = getComputeType(quant);
    FloatType expressed = quant.getExpressedType();
    // Storage values and zero points in i32, or i64 for wide accumulators.
    unsigned storageWidth = quant.getStorageWidth();
    Type i32 = rewriter.getIntegerType(storageWidth > 32 ? 64 : 32);
    bool isSigned = quant.isSigned();
    auto body = [&](OpBuilder &b, Location l, Value q, ValueRange args) {
      auto [scale, zeroPoint] =
          getBlockParams(b, l, grid, args, computeType, i32);
      Value wide = q;
      if (storageWidth < i32.getIntOrFloatBitWidth())
        wide = isSigned ? Value(arith::ExtSIOp::create(b, l, i32, q))
                        : Value(arith::ExtUIOp::create(b, l, i32, q));
      Value centered = arith::SubIOp::create(b, l, wide, zeroPoint);
      Value real = arith::SIToFPOp::create(b, l, computeType, centered);
      Value scaled = arith::MulFOp::create(b, l, real, scale);
      return castFloat(b, l, scaled, expressed);
    };
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, op.getLoc(), adaptor.getInput(), expressed,
                getGridOperands(rewriter, grid, computeType, i32), body));
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Integer rescales
//===----------------------------------------------------------------------===//

namespace {
/// Everything an integer rescale needs, on one block grid.
struct RescalePlan {
  SmallVector<int64_t> gridShape, blockSizes;
  SmallVector<DyadicValue> multipliers;
  SmallVector<int64_t> inputZeroPoints, outputZeroPoints;
  RoundingMode rounding;
  bool inputUnsigned, outputUnsigned;
  int64_t outputMin, outputMax;
};
} // namespace

static bool isUniform(ArrayRef<int64_t> values) {
  return llvm::all_equal(values);
}

/// Largest |x - zp| for an input of `width` bits.
static int64_t getInputBound(unsigned width, bool isUnsigned,
                             ArrayRef<int64_t> zeroPoints) {
  int64_t lo = integerMin(width, isUnsigned);
  int64_t hi = integerMax(width, isUnsigned);
  int64_t bound = 0;
  for (int64_t zp : zeroPoints)
    bound = std::max({bound, std::abs(lo - zp), std::abs(hi - zp)});
  return bound;
}

static Value lowerRescale(OpBuilder &rewriter, Location loc, Value input,
                          Type resultElementType, const RescalePlan &plan) {
  auto inputType = cast<RankedTensorType>(input.getType());
  unsigned inWidth = inputType.getElementTypeBitWidth();
  Type i32 = rewriter.getI32Type();
  bool perTensorMultiplier = plan.multipliers.size() == 1;
  bool uniformZeroPoints =
      isUniform(plan.inputZeroPoints) && isUniform(plan.outputZeroPoints);
  SmallVector<GridOperand> operands;
  auto addGridOperand = [&](auto values) {
    SmallVector<Attribute> attrs;
    for (int64_t v : values)
      attrs.push_back(rewriter.getI32IntegerAttr(v));
    operands.push_back(
        GridOperand{gridAttr(plan.gridShape, i32, attrs), plan.blockSizes});
  };
  if (!perTensorMultiplier) {
    addGridOperand(llvm::map_range(
        plan.multipliers, [](DyadicValue d) { return int64_t(d.multiplier); }));
    addGridOperand(llvm::map_range(
        plan.multipliers, [](DyadicValue d) { return int64_t(d.shift); }));
  }
  if (!uniformZeroPoints) {
    addGridOperand(plan.inputZeroPoints);
    addGridOperand(plan.outputZeroPoints);
  }
  int64_t inputBound =
      getInputBound(inWidth, plan.inputUnsigned, plan.inputZeroPoints);

  auto body = [&](OpBuilder &b, Location l, Value x, ValueRange args) {
    if (inWidth == 48) {
      // A wide accumulator (signed, zero point 0: the verifier checks).
      Value x64 = arith::ExtSIOp::create(b, l, b.getI64Type(), x);
      auto constant = [&](int64_t v) -> Value {
        return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(v));
      };
      Value scaled =
          perTensorMultiplier
              ? emitWideDyadicRescale(
                    b, l, x64, constant(plan.multipliers[0].multiplier),
                    constant(plan.multipliers[0].shift), plan.rounding)
              : emitWideDyadicRescale(b, l, x64, args[0], args[1],
                                      plan.rounding);
      return emitOutputClamp(b, l, scaled, plan.outputZeroPoints[0],
                             plan.outputMin, plan.outputMax, resultElementType);
    }
    Value wide = x;
    if (inWidth < 32)
      wide = plan.inputUnsigned ? Value(arith::ExtUIOp::create(b, l, i32, x))
                                : Value(arith::ExtSIOp::create(b, l, i32, x));
    else if (inWidth > 32)
      wide = arith::TruncIOp::create(b, l, i32, x);
    Value inputZp =
        uniformZeroPoints
            ? Value(arith::ConstantOp::create(
                  b, l, b.getI32IntegerAttr(plan.inputZeroPoints[0])))
            : args[perTensorMultiplier ? 0 : 2];
    Value centered = uniformZeroPoints && plan.inputZeroPoints[0] == 0
                         ? wide
                         : Value(arith::SubIOp::create(b, l, wide, inputZp));
    Value scaled = perTensorMultiplier
                       ? emitDyadicRescale(b, l, centered, plan.multipliers[0],
                                           plan.rounding, inputBound)
                       : emitDyadicRescale(b, l, centered, args[0], args[1],
                                           plan.rounding);
    if (uniformZeroPoints)
      return emitOutputClamp(b, l, scaled, plan.outputZeroPoints[0],
                             plan.outputMin, plan.outputMax, resultElementType);
    // Per-block output zero points: clamp(r + zp) in 64 bits.
    Value outputZp = args[perTensorMultiplier ? 1 : 3];
    Type i64 = b.getI64Type();
    Value sum =
        arith::AddIOp::create(b, l, arith::ExtSIOp::create(b, l, i64, scaled),
                              arith::ExtSIOp::create(b, l, i64, outputZp));
    Value lo =
        arith::ConstantOp::create(b, l, b.getI64IntegerAttr(plan.outputMin));
    Value hi =
        arith::ConstantOp::create(b, l, b.getI64IntegerAttr(plan.outputMax));
    Value clamped =
        arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, sum, lo), hi);
    return Value(arith::TruncIOp::create(b, l, resultElementType, clamped));
  };
  return buildElementwise(rewriter, loc, input, resultElementType, operands,
                          body);
}

namespace {
struct RescaleOpLowering : OpConversionPattern<RescaleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RescaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    DyadicAttr dyadic = op.getMultiplier();
    RescalePlan plan;
    plan.gridShape.assign(rank, 1);
    plan.blockSizes.assign(type.getShape().begin(), type.getShape().end());
    if (std::optional<uint64_t> axis = op.getAxis()) {
      plan.gridShape[*axis] = dyadic.size();
      plan.blockSizes[*axis] = 1;
    }
    for (auto [m, s] : llvm::zip(dyadic.getMultiplier(), dyadic.getShift()))
      plan.multipliers.push_back(DyadicValue{m, s});
    plan.inputZeroPoints = {op.getInputZeroPointAttr().getInt()};
    plan.outputZeroPoints = {op.getOutputZeroPointAttr().getInt()};
    plan.rounding = dyadic.getRounding();
    plan.inputUnsigned = op.getInputUnsigned();
    plan.outputUnsigned = op.getOutputUnsigned();
    plan.outputMin = op.getOutputMin();
    plan.outputMax = op.getOutputMax();
    rewriter.replaceOp(op,
                       lowerRescale(rewriter, op.getLoc(), adaptor.getInput(),
                                    type.getElementType(), plan));
    return success();
  }
};

struct RequantizeOpLowering : OpConversionPattern<RequantizeOp> {
  RequantizeOpLowering(const TypeConverter &converter, MLIRContext *ctx,
                       RoundingMode rounding)
      : OpConversionPattern(converter, ctx), rounding(rounding) {}

  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    UniformType in = getQuantizedElementType(op.getInput().getType());
    UniformType out = getQuantizedElementType(type);
    QuantGrid inGrid = in.getParams().getGrid(type.getShape());
    QuantGrid outGrid = out.getParams().getGrid(type.getShape());
    SmallVector<int64_t> blockSizes = commonBlockSizes(inGrid, outGrid);
    inGrid = inGrid.refine(blockSizes);
    outGrid = outGrid.refine(blockSizes);

    RescalePlan plan;
    plan.gridShape = inGrid.shape;
    plan.blockSizes = blockSizes;
    for (auto [inScale, outScale] : llvm::zip(inGrid.scales, outGrid.scales)) {
      FailureOr<DyadicValue> dyadic = computeDyadic(inScale / outScale);
      if (failed(dyadic))
        return op.emitOpError("scale ratio ")
               << inScale / outScale
               << " has no dyadic multiplier (it must be below 2^31)";
      plan.multipliers.push_back(*dyadic);
    }
    // One multiplier for all blocks when they agree.
    if (llvm::all_of(plan.multipliers, [&](DyadicValue d) {
          return d.multiplier == plan.multipliers[0].multiplier &&
                 d.shift == plan.multipliers[0].shift;
        }))
      plan.multipliers.resize(1);
    plan.inputZeroPoints = inGrid.zeroPoints;
    plan.outputZeroPoints = outGrid.zeroPoints;
    if (isUniform(plan.inputZeroPoints) && isUniform(plan.outputZeroPoints)) {
      plan.inputZeroPoints.resize(1);
      plan.outputZeroPoints.resize(1);
    }
    plan.rounding = rounding;
    plan.inputUnsigned = !in.isSigned();
    plan.outputUnsigned = !out.isSigned();
    plan.outputMin = out.getStorageMin();
    plan.outputMax = out.getStorageMax();
    Type storage = rewriter.getIntegerType(out.getStorageWidth());
    rewriter.replaceOp(op, lowerRescale(rewriter, op.getLoc(),
                                        adaptor.getInput(), storage, plan));
    return success();
  }

  RoundingMode rounding;
};

struct StorageCastOpLowering : OpConversionPattern<StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Both sides are the storage integers once types are converted.
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};
} // namespace

void mlir::quantx::populateQuantXToArithConversionPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    RoundingMode rounding) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<QuantizeOpLowering, DequantizeOpLowering, RescaleOpLowering,
               StorageCastOpLowering>(converter, ctx);
  patterns.add<RequantizeOpLowering>(converter, ctx, rounding);
  populateUnpackWeightsLoweringPatterns(converter, patterns);
}
