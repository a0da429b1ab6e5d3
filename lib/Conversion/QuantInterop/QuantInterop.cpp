//===- QuantInterop.cpp - upstream !quant <-> !quantx.uniform -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/QuantInterop/QuantInterop.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

using namespace mlir;
using namespace mlir::quantx;

using EmitErrorFn = function_ref<InFlightDiagnostic()>;

/// Full or narrow storage range of quantx's storage type; anything else has
/// no quantx form.
static FailureOr<bool> getNarrowRange(quant::QuantizedType type,
                                      EmitErrorFn emitError) {
  int64_t lo = type.getStorageTypeMin(), hi = type.getStorageTypeMax();
  unsigned width = type.getStorageTypeIntegralWidth();
  int64_t fullMin = integerMin(width, !type.isSigned());
  int64_t fullMax = integerMax(width, !type.isSigned());
  if (hi == fullMax && (lo == fullMin || lo == fullMin + 1))
    return lo != fullMin;
  emitError() << "storage range [" << lo << ", " << hi << "] of " << type
              << " is neither the full nor the narrow range of its "
                 "storage type";
  return failure();
}

UniformType mlir::quantx::convertFromUpstream(quant::QuantizedType type,
                                              ArrayRef<int64_t> shape,
                                              EmitErrorFn emitError) {
  MLIRContext *ctx = type.getContext();
  unsigned width = type.getStorageTypeIntegralWidth();
  auto storage = IntegerType::get(ctx, width,
                                  type.isSigned() ? IntegerType::Signless
                                                  : IntegerType::Unsigned);
  auto expressed = dyn_cast<FloatType>(type.getExpressedType());
  if (!expressed) {
    emitError() << "expressed type of " << type << " is not a float type";
    return {};
  }
  FailureOr<bool> narrow = getNarrowRange(type, emitError);
  if (failed(narrow))
    return {};
  QuantParamsAttr params;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(type)) {
    params = PerTensorAttr::get(ctx, APFloat(perTensor.getScale()),
                                perTensor.getZeroPoint());
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    params = PerAxisAttr::get(ctx, perAxis.getQuantizedDimension(),
                              DenseF64ArrayAttr::get(ctx, perAxis.getScales()),
                              perAxis.getZeroPoints());
  } else if (auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    // Upstream lists block sizes of the quantized dimensions only; the
    // others are one block as large as the dimension. Upstream's verifier
    // never sees the tensor, so the dimensions are checked here, before
    // they index the shape.
    if (ShapedType::isDynamicShape(shape)) {
      emitError() << "sub-channel quantization " << type
                  << " needs a statically shaped tensor";
      return {};
    }
    SmallVector<int64_t> blockSizes(shape.begin(), shape.end());
    for (auto [dim, size] :
         llvm::zip(sub.getQuantizedDimensions(), sub.getBlockSizes())) {
      if (dim < 0 || dim >= static_cast<int64_t>(shape.size())) {
        emitError() << "quantized dimension " << dim << " of " << type
                    << " is out of range for a tensor of rank " << shape.size();
        return {};
      }
      blockSizes[dim] = size;
    }
    auto scales = cast<DenseFPElementsAttr>(sub.getScales());
    auto zeroPoints = cast<DenseIntElementsAttr>(sub.getZeroPoints());
    auto zpType = RankedTensorType::get(zeroPoints.getType().getShape(),
                                        IntegerType::get(ctx, 64));
    auto zp64 = cast<DenseIntElementsAttr>(
        zeroPoints.mapValues(zpType.getElementType(),
                             [](const APInt &v) { return v.sextOrTrunc(64); }));
    if (failed(PerBlockAttr::verify(emitError, blockSizes, scales, zp64)))
      return {};
    params = PerBlockAttr::get(ctx, blockSizes, scales, zp64);
  } else {
    emitError() << "quantized type " << type << " has no quantx form";
    return {};
  }
  UniformType result = UniformType::getChecked(emitError, ctx, storage,
                                               expressed, *narrow, params);
  // Axes, block divisibility and scale counts against the tensor's shape.
  if (!result || failed(result.verifyForShape(shape, emitError)))
    return {};
  return result;
}

quant::QuantizedType mlir::quantx::convertToUpstream(UniformType type,
                                                     ArrayRef<int64_t> shape,
                                                     EmitErrorFn emitError) {
  // The grid below indexes the shape by the parameters' axes.
  if (failed(type.verifyForShape(shape, emitError)))
    return {};
  MLIRContext *ctx = type.getContext();
  unsigned flags = type.isSigned() ? quant::QuantizationFlags::Signed : 0;
  auto storage = IntegerType::get(ctx, type.getStorageWidth());
  Type expressed = type.getExpressedType();
  int64_t lo = type.getStorageMin(), hi = type.getStorageMax();
  QuantParamsAttr params = type.getParams();
  if (auto perTensor = dyn_cast<PerTensorAttr>(params))
    return quant::UniformQuantizedType::getChecked(
        emitError, flags, storage, expressed,
        perTensor.getScale().convertToDouble(), perTensor.getZeroPoint(), lo,
        hi);
  if (auto perAxis = dyn_cast<PerAxisAttr>(params)) {
    SmallVector<int64_t> zeroPoints(perAxis.getZeroPoints());
    if (zeroPoints.empty())
      zeroPoints.assign(perAxis.getScales().size(), 0);
    return quant::UniformQuantizedPerAxisType::getChecked(
        emitError, flags, storage, expressed, perAxis.getScales().asArrayRef(),
        zeroPoints, perAxis.getAxis(), lo, hi);
  }
  if (auto perBlock = dyn_cast<PerBlockAttr>(params)) {
    QuantGrid grid = perBlock.getGrid(shape);
    SmallVector<int32_t> dims;
    SmallVector<int64_t> blockSizes;
    for (auto [dim, count] : llvm::enumerate(grid.shape)) {
      if (count == 1)
        continue;
      dims.push_back(dim);
      blockSizes.push_back(grid.blockSizes[dim]);
    }
    auto zpType = RankedTensorType::get(grid.shape, storage);
    SmallVector<APInt> zeroPoints;
    for (int64_t zp : grid.zeroPoints)
      zeroPoints.push_back(APInt(storage.getWidth(), zp, /*isSigned=*/true));
    return quant::UniformQuantizedSubChannelType::getChecked(
        emitError, flags, storage, expressed, perBlock.getScales(),
        DenseIntElementsAttr::get(zpType, zeroPoints), dims, blockSizes, lo,
        hi);
  }
  emitError() << "two-level quantization has no upstream !quant equivalent";
  return {};
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {
/// Replaces `SourceOp` by `TargetOp` with converted types.
template <typename SourceOp, typename TargetOp>
struct OneToOneCastLowering : OpConversionPattern<SourceOp> {
  using OpConversionPattern<SourceOp>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SourceOp op, typename SourceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = this->getTypeConverter()->convertType(op.getType());
    if (!resultType)
      return failure();
    rewriter.replaceOpWithNewOp<TargetOp>(op, resultType,
                                          adaptor.getOperands()[0]);
    return success();
  }
};

/// requantize means dequantize then quantize; upstream says it so.
struct RequantizeToUpstream : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = getTypeConverter()->convertType(op.getType());
    if (!resultType)
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    Type floatType =
        type.clone(getQuantizedElementType(type).getExpressedType());
    Value real = quant::DequantizeCastOp::create(rewriter, op.getLoc(),
                                                 floatType, adaptor.getInput());
    rewriter.replaceOpWithNewOp<quant::QuantizeCastOp>(op, resultType, real);
    return success();
  }
};
} // namespace

void mlir::quantx::populateImportUpstreamQuantPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<OneToOneCastLowering<quant::QuantizeCastOp, QuantizeOp>,
               OneToOneCastLowering<quant::DequantizeCastOp, DequantizeOp>,
               OneToOneCastLowering<quant::StorageCastOp, StorageCastOp>>(
      converter, patterns.getContext());
}

void mlir::quantx::populateExportUpstreamQuantPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<OneToOneCastLowering<QuantizeOp, quant::QuantizeCastOp>,
               OneToOneCastLowering<DequantizeOp, quant::DequantizeCastOp>,
               OneToOneCastLowering<StorageCastOp, quant::StorageCastOp>,
               RequantizeToUpstream>(converter, patterns.getContext());
}
