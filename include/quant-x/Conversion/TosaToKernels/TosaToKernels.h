//===- TosaToKernels.h - conv/matmul to runtime CPU kernels -----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_TOSATOKERNELS_TOSATOKERNELS_H
#define QUANTX_CONVERSION_TOSATOKERNELS_TOSATOKERNELS_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::quantx {

/// Lets one-shot bufferization handle `quantx.kernel_call`.
void registerKernelCallBufferization(DialectRegistry &registry);

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_TOSATOKERNELS_TOSATOKERNELS_H
