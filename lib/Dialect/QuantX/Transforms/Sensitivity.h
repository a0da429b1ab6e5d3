//===- Sensitivity.h - measured precision sensitivity of layers -*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// How much the model's output moves when one layer alone takes a lower
// precision, measured by running the float model through the JIT on the
// calibration samples: for each (layer, precision) pair, a copy of the
// model whose layer reads its weights quantized and dequantized exactly as
// quantx-quantize would quantize them and its input quantized to the
// precision's activation bits, every other layer float. Each copy
// is compiled with the weights as constants, so that the packed CPU
// kernels run every layer (weights passed as arguments would leave the
// layers to the reference loops, several times slower). No labels or
// gradients are needed.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_SENSITIVITY_H
#define QUANTX_LIB_TRANSFORMS_SENSITIVITY_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Runtime/Npy.h"
#include "quant-x/Support/RankCorrelation.h"

#include <vector>

namespace mlir::quantx {

/// What a perturbed run is compared with the float run by.
enum class SensitivityMetric {
  /// Mean squared difference of the outputs.
  OutputMse,
  /// Kullback-Leibler divergence of the softmax of each output from the
  /// float one's (for logits).
  OutputKl,
};

struct SensitivityOptions {
  SensitivityMetric metric = SensitivityMetric::OutputMse;
  /// Random assignments (a candidate for every layer at once) on which to
  /// check that sensitivities add up.
  int64_t additivityChecks = 8;
  uint64_t maxTensorMB = 0;
  /// Prefix of diagnostics (the pass's name).
  StringRef pass;
};

struct SensitivityResult {
  /// Per layer, per candidate.
  std::vector<std::vector<double>> sensitivity;
  /// Per random joint assignment: the sum of its layers' sensitivities
  /// (what the solver assumes) and the output error measured with all of
  /// them quantized at once.
  std::vector<std::pair<double, double>> additivity;
};

/// The sensitivity of each of `layers` (conv2d, depthwise_conv2d or matmul
/// of `func` with float constant weights) at each of its `candidates`, on
/// `numSamples` samples of each argument. Emits an error and fails when
/// the probe does not compile or run, or an output is not finite.
FailureOr<SensitivityResult>
measureSensitivity(func::FuncOp func, ArrayRef<Operation *> layers,
                   ArrayRef<SmallVector<PrecisionAttr>> candidates,
                   ArrayRef<NpyArray> samples, int64_t fileSamples,
                   int64_t numSamples, const SensitivityOptions &options);

/// The layer-output proxy, for models too large to run once per layer and
/// candidate: E||(Q(W) - W) x||^2 + E||Q(W) (Q(x) - x)||^2 over the layer's
/// output, with the cross terms between input channels dropped, from each
/// input channel's moments measured in one run over the samples. Per
/// layer, per candidate; in each layer's own output units.
FailureOr<std::vector<std::vector<double>>> measureLayerOutputSensitivity(
    func::FuncOp func, ArrayRef<Operation *> layers,
    ArrayRef<SmallVector<PrecisionAttr>> candidates, ArrayRef<NpyArray> samples,
    int64_t fileSamples, int64_t numSamples, const SensitivityOptions &options);

/// The squared error sum((Q(w) - w)^2) of `layer`'s float constant weights
/// quantized to `precision` as quantx-quantize does it: with a layer's
/// average Hessian trace, HAWQ-V3's sensitivity Tr(H) / n ||Q(W) - W||^2.
double getWeightError(Operation *layer, PrecisionAttr precision);

/// `values`, the float weights of `layer` (of `type`), quantized to
/// `precision` as quantx-quantize does it and dequantized.
std::vector<float> fakeQuantizeWeights(Operation *layer,
                                       PrecisionAttr precision,
                                       ArrayRef<double> values,
                                       ShapedType type);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_SENSITIVITY_H
