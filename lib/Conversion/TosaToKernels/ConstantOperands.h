//===- ConstantOperands.h - the constant operands a kernel packs -*- C++
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-*-===//
//
// Reading the weights, biases, zero points and pad values of a conv or
// matmul as the kernel lowering packs them: packed (`quantx.unpack_weights`)
// weights are unpacked, splats broadcast, and sizes bounded so that a huge
// splat is never materialized.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_CONVERSION_TOSATOKERNELS_CONSTANTOPERANDS_H
#define QUANTX_LIB_CONVERSION_TOSATOKERNELS_CONSTANTOPERANDS_H

#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <type_traits>
#include <vector>

namespace mlir::quantx {

/// The single integer of a constant zero-point (or pad) tensor.
std::optional<int64_t> getConstantInt(Value value);

/// The single float of a constant (pad) tensor.
std::optional<double> getConstantFloat(Value value);

/// The elements of a constant, unpacked when `value` is packed weights.
DenseElementsAttr getConstant(Value value);

/// Values of an int8 / int32 / float constant, broadcast from one element to
/// `count` when splat or of size 1.
template <class T>
std::optional<std::vector<T>> getValues(DenseElementsAttr attr, int64_t count) {
  // A splat expands to `count` values here: a weight that
  // quantx-check-tensor-sizes would refuse is left to the reference lowering
  // instead of allocated (the pass may run without that check first).
  if (!attr || count < 0 ||
      uint64_t(count) > (kDefaultMaxTensorMB << 20) / sizeof(T))
    return std::nullopt;
  std::vector<T> values;
  if constexpr (std::is_floating_point_v<T>) {
    if (!attr.getElementType().isF32())
      return std::nullopt;
    // Native element access: no APFloat per weight.
    for (float v : attr.getValues<float>())
      values.push_back(static_cast<T>(v));
  } else {
    auto type = dyn_cast<IntegerType>(attr.getElementType());
    if (!type || type.getWidth() != sizeof(T) * 8)
      return std::nullopt;
    for (T v : attr.getValues<T>())
      values.push_back(v);
  }
  if (values.size() == 1 && count != 1)
    values.assign(count, values.front());
  if (int64_t(values.size()) != count)
    return std::nullopt;
  return values;
}

} // namespace mlir::quantx

#endif // QUANTX_LIB_CONVERSION_TOSATOKERNELS_CONSTANTOPERANDS_H
