//===- UnpackWeights.cpp - lower quantx.unpack_weights to linalg ----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One linalg.generic over the result: each element finds its byte in the
// packed tensor from its row-major index, shifts its bits down, extends
// them (two's complement or sign) and multiplies by its vector's sub-scale,
// or reads its code's entry of the codebook.
// The packed bytes stay packed in memory; unpacking happens where the
// weights are read.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/QuantXToArith/QuantXToArith.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"

using namespace mlir;
using namespace mlir::quantx;

namespace {
struct UnpackWeightsOpLowering : OpConversionPattern<UnpackWeightsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnpackWeightsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getOutput().getType();
    int64_t rank = type.getRank();
    PackedFormat format = op.getFormat();
    int64_t bits = getPackedBits(format);
    MLIRContext *ctx = rewriter.getContext();

    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    if (Value subscales = adaptor.getSubscales()) {
      SmallVector<AffineExpr> exprs;
      for (int64_t d = 0; d < rank; ++d)
        exprs.push_back(d == int64_t(*op.getAxis())
                            ? getAffineDimExpr(d, ctx).floorDiv(*op.getBlock())
                            : getAffineDimExpr(d, ctx));
      inputs.push_back(subscales);
      maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value packed = adaptor.getPacked();
    Value codebook = adaptor.getCodebook();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, init, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          auto index = [&](int64_t v) {
            return arith::ConstantIndexOp::create(b, loc, v).getResult();
          };
          auto i32 = [&](int64_t v) {
            return arith::ConstantIntOp::create(b, loc, v, 32).getResult();
          };
          // Row-major index of this element.
          Value linear = index(0);
          for (int64_t d = 0; d < rank; ++d) {
            Value scaled = arith::MulIOp::create(b, loc, linear,
                                                 index(type.getDimSize(d)));
            linear = arith::AddIOp::create(b, loc, scaled,
                                           linalg::IndexOp::create(b, loc, d));
          }
          int64_t perByte = 8 / bits;
          Value byteIndex =
              arith::DivUIOp::create(b, loc, linear, index(perByte));
          Value slot = arith::RemUIOp::create(b, loc, linear, index(perByte));
          Value shift = arith::MulIOp::create(
              b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), slot),
              i32(bits));
          Value byte = tensor::ExtractOp::create(b, loc, packed, byteIndex);
          Value word = arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
          Value code = arith::AndIOp::create(
              b, loc, arith::ShRUIOp::create(b, loc, word, shift),
              i32((1 << bits) - 1));
          Value value;
          if (codebook) {
            Value entry = tensor::ExtractOp::create(
                b, loc, codebook,
                arith::IndexCastUIOp::create(b, loc, b.getIndexType(), code)
                    .getResult());
            value = arith::ExtSIOp::create(b, loc, b.getI32Type(), entry);
          } else if (format == PackedFormat::Sign) {
            // 0 is -1, 1 is +1: 2 * code - 1.
            value = arith::SubIOp::create(
                b, loc, arith::ShLIOp::create(b, loc, code, i32(1)), i32(1));
          } else {
            // Sign-extend the low `bits` bits.
            Value up = arith::ShLIOp::create(b, loc, code, i32(32 - bits));
            value = arith::ShRSIOp::create(b, loc, up, i32(32 - bits));
          }
          if (args.size() == 2)
            value = arith::MulIOp::create(
                b, loc, value,
                arith::ExtUIOp::create(b, loc, b.getI32Type(), args[0]));
          linalg::YieldOp::create(
              b, loc,
              arith::TruncIOp::create(b, loc, b.getI8Type(), value)
                  .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};
} // namespace

void mlir::quantx::populateUnpackWeightsLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<UnpackWeightsOpLowering>(converter, patterns.getContext());
}
