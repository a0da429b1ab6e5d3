//===- TensorSizes.h - bounds on the memory a tensor needs ------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The byte size of a tensor type, computed without overflow, and the check
// that no tensor of a module exceeds a limit: what every step that
// materializes tensors (quantization, kernel packing, the JIT) relies on to
// fail with a clear error instead of running out of memory.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_IR_TENSORSIZES_H
#define QUANTX_DIALECT_QUANTX_IR_TENSORSIZES_H

#include "mlir/IR/Operation.h"
#include <cstdint>
#include <optional>

namespace mlir::quantx {

/// Default limit on one tensor, in MiB.
constexpr uint64_t kDefaultMaxTensorMB = 4096;

/// Bytes of a static shaped type (whole bytes per element), or nothing when
/// its size does not fit 64 bits.
std::optional<uint64_t> getTensorBytes(ShapedType type);

/// Emits an error at the first place under `root` (an argument or result
/// type) whose static tensor type needs more than `maxMB` MiB, naming the
/// type, its size and `optionName` (the option that raises the limit).
LogicalResult checkTensorSizes(Operation *root, uint64_t maxMB,
                               StringRef optionName);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_IR_TENSORSIZES_H
