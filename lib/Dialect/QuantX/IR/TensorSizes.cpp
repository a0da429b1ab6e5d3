//===- TensorSizes.cpp - bounds on the memory a tensor needs --------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::quantx;

/// Storage bits of one element: quantized types count their storage.
static unsigned getElementBits(Type element) {
  if (auto quantized = dyn_cast<UniformType>(element))
    return quantized.getStorageWidth();
  if (element.isIntOrFloat())
    return element.getIntOrFloatBitWidth();
  if (auto complex = dyn_cast<ComplexType>(element))
    return 2 * getElementBits(complex.getElementType());
  return 64; // index and the like
}

std::optional<uint64_t> mlir::quantx::getTensorBytes(ShapedType type) {
  if (!type.hasStaticShape())
    return std::nullopt;
  // Sub-byte elements may be stored a byte each.
  uint64_t bytes =
      std::max<uint64_t>(1, (getElementBits(type.getElementType()) + 7) / 8);
  for (int64_t dim : type.getShape()) {
    uint64_t product;
    if (__builtin_mul_overflow(bytes, uint64_t(dim), &product))
      return std::nullopt;
    bytes = product;
  }
  return bytes;
}

LogicalResult mlir::quantx::checkTensorSizes(Operation *root, uint64_t maxMB,
                                             StringRef optionName) {
  uint64_t limit = maxMB >= (UINT64_MAX >> 20) ? UINT64_MAX : maxMB << 20;
  auto check = [&](Type type, function_ref<InFlightDiagnostic()> emitError) {
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !shaped.hasStaticShape())
      return success();
    std::optional<uint64_t> bytes = getTensorBytes(shaped);
    if (bytes && *bytes <= limit)
      return success();
    InFlightDiagnostic diagnostic = emitError();
    diagnostic << type << " needs ";
    if (bytes)
      diagnostic << *bytes << " bytes";
    else
      diagnostic << "more than 2^64 bytes";
    diagnostic << ", more than the limit of " << maxMB << " MiB on one tensor ("
               << optionName << ")";
    return failure();
  };
  WalkResult result = root->walk([&](Operation *op) {
    auto atOp = [&] { return op->emitError(); };
    for (Type type : op->getResultTypes())
      if (failed(check(type, atOp)))
        return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument argument : block.getArguments())
          if (failed(check(argument.getType(),
                           [&] { return mlir::emitError(argument.getLoc()); })))
            return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}
