//===- LayerLatency.h - a layer's latency on this machine -------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What a latency budget means: each layer alone, quantized at a precision
// exactly as `--quantize` would (int8 interface) and JIT-compiled with this
// CPU's kernels, timed over repeated calls. Measurements are cached on disk
// by the layer's shapes and attributes, the precision, the kernel ISA and
// the thread count, so that a model compiles against the same numbers
// again and other models with layers of the same shape reuse them.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_LAYERLATENCY_H
#define QUANTX_LIB_TRANSFORMS_LAYERLATENCY_H

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

#include <string>
#include <vector>

namespace mlir::quantx {

struct LatencyOptions {
  /// The cache file: empty for the default
  /// ($XDG_CACHE_HOME or ~/.cache)/quantx/layer-latency.json, "none" for
  /// none.
  std::string cacheFile;
  uint64_t maxTensorMB = 0;
  /// Prefix of diagnostics (the pass's name).
  StringRef pass;
};

/// The median milliseconds of one run of `layer` (a conv2d,
/// depthwise_conv2d or matmul with constant weights and a float input) at
/// each of `precisions`. Emits an error on `layer` and fails when the
/// single-layer model does not quantize, compile or run.
FailureOr<std::vector<double>>
measureLayerLatency(Operation *layer, ArrayRef<PrecisionAttr> precisions,
                    const LatencyOptions &options);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_LAYERLATENCY_H
