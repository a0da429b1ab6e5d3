//===- LayerCosts.h - MACs, weight bytes and BOPs of a layer ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What a conv2d, depthwise_conv2d or matmul costs at a precision, as the
// report states it (quantx-report-precision) and the mixed-precision
// assignment budgets it (quantx-assign-precision): the same functions, so
// that a budget the assignment meets is the total the report shows.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_LAYERCOSTS_H
#define QUANTX_LIB_TRANSFORMS_LAYERCOSTS_H

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

namespace mlir::quantx {

/// Multiply-accumulates of one run (static shapes; 0 when a shape is
/// dynamic).
int64_t countMacs(Operation *op);

/// Bytes of the scales of an integer layer: one float per channel, or one.
int64_t countScaleBytes(Operation *op, PrecisionAttr precision);

/// Bytes the quantize pass stores `precision`'s weights in: packed bytes
/// (int3 in the int4 layout), a byte per group or vector sub-scale, the
/// decoding table of codebook and pow2 codes, and the scales (float
/// weights: 4 bytes each).
int64_t countPackedBytes(Operation *op, PrecisionAttr precision);

/// Bit operations: weight bits x activation bits x MACs (float: 32-bit
/// activations; ternary weights count 2 bits, binary 1; codebook and pow2
/// codes the bits of the integers they decode to).
int64_t countBops(Operation *op, PrecisionAttr precision);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_LAYERCOSTS_H
