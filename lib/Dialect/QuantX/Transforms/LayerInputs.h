//===- LayerInputs.h - what layers read, and its quantization noise -*- C++
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-*-===//
//
// The sensitivity measurements perturb a layer's input activations as well
// as its weights when a candidate precision changes them (8-bit, 16-bit or
// sign activations). Both need each layer's input statistics first: one
// run of the float model over the samples with an observer call after
// every layer input, giving its range (the min/max grid the probe
// quantizes on), and each input channel's first and second absolute
// moments (for the layer-output proxy, and the scale of sign activations).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_LAYERINPUTS_H
#define QUANTX_LIB_TRANSFORMS_LAYERINPUTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Runtime/Npy.h"

#include <vector>

namespace mlir::quantx {

/// One layer's input over all samples.
struct LayerInputStatistics {
  double min = 0, max = 0;
  /// The input's last dimension: the channel axis of every layer kind
  /// (NHWC convolutions, [B, M, K] matmuls).
  int64_t channels = 1;
  /// Per channel: sum x^2 and sum |x|; `positions` values each.
  std::vector<double> sumOfSquares, sumOfMagnitudes;
  int64_t positions = 0;

  /// E|x| over the whole tensor: the scale of its sign activations.
  double getMeanMagnitude() const;
  /// E[x_c^2].
  double getSecondMoment(int64_t channel) const;
  /// E[(q(x_c) - x_c)^2], the mean squared error the quantization of
  /// `activationBits` adds to channel `channel` (uniform noise of the grid
  /// step for 8 and 16 bits, measured from the moments for sign).
  double getQuantizationNoise(int64_t activationBits, int64_t channel) const;
};

/// Runs `func` (float) on `numSamples` samples and returns the statistics
/// of operand 0 of each of `layers`. `pass` prefixes diagnostics.
FailureOr<std::vector<LayerInputStatistics>>
observeLayerInputs(func::FuncOp func, ArrayRef<Operation *> layers,
                   ArrayRef<NpyArray> samples, int64_t fileSamples,
                   int64_t numSamples, uint64_t maxTensorMB, StringRef pass);

/// Replaces operand 0 of `layer` (in a probe copy) by its value as a layer
/// of `activationBits` reads it: quantized on the min/max grid of `stats`
/// and dequantized (8 bits asymmetric, 16 bits symmetric over the 8-bit
/// range, as quantx-quantize does), or sign(x) * E|x| for 1 bit.
void perturbLayerInput(Operation *layer, int64_t activationBits,
                       const LayerInputStatistics &stats);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_LAYERINPUTS_H
