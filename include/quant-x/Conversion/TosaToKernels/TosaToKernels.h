//===- TosaToKernels.h - conv/matmul to runtime CPU kernels -----*- C++ -*-===//

#ifndef QUANTX_CONVERSION_TOSATOKERNELS_TOSATOKERNELS_H
#define QUANTX_CONVERSION_TOSATOKERNELS_TOSATOKERNELS_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::quantx {

/// Lets one-shot bufferization handle `quantx.kernel_call`.
void registerKernelCallBufferization(DialectRegistry &registry);

} // namespace mlir::quantx

#endif // QUANTX_CONVERSION_TOSATOKERNELS_TOSATOKERNELS_H
