//===- LayerCosts.cpp - MACs, weight bytes and BOPs of a layer ------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LayerCosts.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"

using namespace mlir;
using namespace mlir::quantx;

/// Multiply-accumulates of one run of a conv2d, depthwise_conv2d or matmul
/// (static shapes; 0 when a shape is dynamic).
int64_t mlir::quantx::countMacs(Operation *op) {
  auto output = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  auto weights = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  int64_t rank = isa<tosa::MatMulOp>(op) ? 3 : 4;
  if (!output || !weights || !output.hasStaticShape() ||
      !weights.hasStaticShape() || weights.getRank() != rank)
    return 0;
  ArrayRef<int64_t> w = weights.getShape();
  // conv2d: every output element reduces over KH * KW * IC (OHWI weights);
  // depthwise: over KH * KW (HWCM); matmul [B, M, N] over K ([B, K, N]).
  if (isa<tosa::Conv2DOp>(op))
    return output.getNumElements() * w[1] * w[2] * w[3];
  if (isa<tosa::DepthwiseConv2DOp>(op))
    return output.getNumElements() * w[0] * w[1];
  if (isa<tosa::MatMulOp>(op))
    return output.getNumElements() * w[1];
  return 0;
}

/// Output channels (the number of per-channel scales).
static int64_t countChannels(Operation *op) {
  auto output = cast<ShapedType>(op->getResult(0).getType());
  return output.hasRank() && output.getRank() > 0 ? output.getShape().back()
                                                  : 1;
}

/// Bytes of the scales of an integer layer: one float per channel, or one.
int64_t mlir::quantx::countScaleBytes(Operation *op, PrecisionAttr precision) {
  return 4 * (precision.getGranularity() == WeightGranularity::PerTensor
                  ? 1
                  : countChannels(op));
}

/// Bytes the quantize pass stores `precision`'s weights in: packed bytes
/// (int3 in the int4 layout), a byte per group or vector sub-scale, the
/// decoding table of codebook and power-of-two codes, and the scales.
int64_t mlir::quantx::countPackedBytes(Operation *op, PrecisionAttr precision) {
  auto weights = cast<ShapedType>(op->getOperand(1).getType());
  int64_t elements = weights.hasStaticShape() ? weights.getNumElements() : 0;
  if (precision.isFloat())
    return 4 * elements;
  int64_t bytes = elements;
  std::optional<PackedFormat> format =
      choosePackedFormat(precision.getWeights(), {});
  if (format)
    bytes = getPackedBytes(*format, elements);
  if (precision.getMaxSubscale() > 1)
    bytes += elements / precision.getBlock();
  // A table entry per code of the packed layout.
  if (precision.hasWeightTable() && format)
    bytes += int64_t(1) << getPackedBits(*format);
  return bytes + countScaleBytes(op, precision);
}

int64_t mlir::quantx::countBops(Operation *op, PrecisionAttr precision) {
  int64_t activationBits =
      precision.isFloat() ? 32 : precision.getActivations();
  return precision.getArithmeticWeightBits() * activationBits * countMacs(op);
}
