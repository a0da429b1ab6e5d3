//===- ConstantOperands.cpp - the constant operands a kernel packs --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ConstantOperands.h"

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::quantx;

std::optional<int64_t> mlir::quantx::getConstantInt(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      !attr.getElementType().isInteger() || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<APInt>().getSExtValue();
}

std::optional<double> mlir::quantx::getConstantFloat(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      !isa<FloatType>(attr.getElementType()) || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

DenseElementsAttr mlir::quantx::getConstant(Value value) {
  // Packed weights are unpacked for the kernels' own layout.
  if (auto unpack =
          value ? value.getDefiningOp<UnpackWeightsOp>() : UnpackWeightsOp())
    return unpack.evaluate();
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return {};
  return attr;
}
