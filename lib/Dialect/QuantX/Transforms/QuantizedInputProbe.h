//===- QuantizedInputProbe.h - the inputs a quantized layer sees -*- C++
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-*-===//
//
// Rounding optimization and bias correction fix one layer at a time, in
// program order, on the inputs the quantized model itself gives that layer
// (so that errors do not compound, as in GPTQ and AdaRound): the module as
// quantx-fold-calibration leaves it (every activation on its quantization
// grid) with the layers already done reading their quantized weights
// (their integers on their grid, dequantized) is compiled and run over the
// calibration samples, and the moments of the next layer's input patches
// are accumulated on the host. To match the float model's output instead
// of the float layer's (errors of the layers before then get compensated),
// the same run also computes the float model, whose patches are paired
// with the quantized ones.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_QUANTIZEDINPUTPROBE_H
#define QUANTX_LIB_TRANSFORMS_QUANTIZEDINPUTPROBE_H

#include "LayerPatches.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Runtime/Npy.h"

#include <vector>

namespace mlir::quantx {

/// The layers the passes fix: conv2d, depthwise_conv2d and matmul of
/// `func` with constant f32 weights of static shape at an integer
/// precision, whose weights carry no grid of their own (a QDQ model's).
SmallVector<Operation *> getQuantizableLayers(func::FuncOp func);

/// `layer`'s float weights quantized as quantx-quantize will quantize them
/// (with the integers quantx-optimize-rounding chose, if any), dequantized.
FailureOr<std::vector<float>> getQuantizedWeightValues(Operation *layer,
                                                       StringRef pass);

/// The function a pass runs and the samples it runs it on.
struct ProbeInputs {
  func::FuncOp func;
  std::vector<NpyArray> samples;
  int64_t fileSamples = 0, numSamples = 0;
};

/// Finds `entry` in `module` and loads `calibrationData` for it (at most
/// `maxSamples` of them, 0 for all); errors are prefixed with `pass`.
FailureOr<ProbeInputs> loadProbeInputs(ModuleOp module, StringRef entry,
                                       StringRef calibrationData,
                                       int64_t maxSamples, StringRef pass);

/// Whether the `reconstruct` option of a pass asks to match the float
/// model ("model") rather than the float layer ("layer"); another value is
/// an error on `module`, prefixed with `pass`.
FailureOr<bool> parseReconstructOption(ModuleOp module, StringRef value,
                                       StringRef pass);

/// The moments of the current layer's input patches (its matrices, and
/// which moments are needed) on the quantized model's own inputs.
using ObserveInputs = llvm::function_ref<FailureOr<PatchMoments>(
    const LayerMatrices &matrices, MomentRequest request)>;

/// Runs `visit` on each quantizable layer of `inputs.func` in program order,
/// with the probe of the module in which the layers visited before it read
/// their quantized weights (the integers `visit` left, or the nearest
/// ones); progress on stderr. Stops at the first failure.
LogicalResult visitLayersInOrder(
    const ProbeInputs &inputs, uint64_t maxTensorMB, StringRef pass,
    llvm::function_ref<LogicalResult(Operation *layer, ObserveInputs observe)>
        visit);

class QuantizedInputProbe {
public:
  QuantizedInputProbe(const ProbeInputs &inputs, uint64_t maxTensorMB,
                      StringRef pass)
      : func(inputs.func), samples(inputs.samples),
        fileSamples(inputs.fileSamples), numSamples(inputs.numSamples),
        maxTensorMB(maxTensorMB), pass(pass) {}

  /// The moments of `layer`'s input patches when `quantizedLayers` (the
  /// quantizable layers before it) read their quantized weights, and with
  /// `request.floatReference`, paired with the float model's: the function
  /// as it was at the first such call. Fails (with an error on `layer`) when
  /// the probe does not compile or run, or the layer never ran.
  FailureOr<PatchMoments> observe(ArrayRef<Operation *> quantizedLayers,
                                  Operation *layer,
                                  const LayerMatrices &matrices,
                                  MomentRequest request);

private:
  func::FuncOp func;
  ArrayRef<NpyArray> samples;
  int64_t fileSamples, numSamples;
  uint64_t maxTensorMB;
  StringRef pass;
  /// The float model, copied before the passes change biases.
  OwningOpRef<func::FuncOp> floatModel;
};

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_QUANTIZEDINPUTPROBE_H
