//===- LayerPatches.h - a layer as matrices over input patches --*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Rounding optimization and bias correction see a layer as groups of weight
// matrices W [rows x cols], each applied to the layer's input patches x
// (cols values) of its group: a conv2d is one matrix over its im2col
// patches (cols = KH * KW * IC, zero padding included), a depthwise conv2d
// one per input channel over that channel's KH x KW window, a matmul one
// per batch over the rows of its left operand. What they need of the
// inputs are the patches' moments: the mean E[x] and E[x x^T], and for
// matching the float model's output, the same patches x_f of the float
// model alongside: E[x_f] and E[x x_f^T].
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_LAYERPATCHES_H
#define QUANTX_LIB_TRANSFORMS_LAYERPATCHES_H

#include "mlir/IR/Operation.h"

#include <vector>

namespace mlir::quantx {

/// How a layer's weights (flattened as stored) form its matrices.
struct LayerMatrices {
  int64_t groups = 1, rows = 0, cols = 0;
  /// The flat weight index of (group, row, col), groups x rows x cols.
  std::vector<int64_t> weightIndex;

  int64_t getIndex(int64_t group, int64_t row, int64_t col) const {
    return weightIndex[(group * rows + row) * cols + col];
  }
};

/// The matrices of `layer` (conv2d, depthwise_conv2d or matmul with static
/// shapes), or none for another op.
std::optional<LayerMatrices> getLayerMatrices(Operation *layer);

/// Which moments of a layer's input patches a pass needs.
struct MomentRequest {
  /// E[x x^T] (cols x cols per group) besides E[x].
  bool secondMoment = false;
  /// The patches x_f of the float model (float weights, activations not
  /// quantized) at the same positions: E[x_f], and with `secondMoment`
  /// E[x x_f^T].
  bool floatReference = false;
};

/// Accumulates the moments of each group's input patches over the samples
/// the layer sees.
class PatchMoments {
public:
  PatchMoments(Operation *layer, const LayerMatrices &matrices,
               MomentRequest request);

  /// One call of the layer: its input tensor, flattened (NHWC or [B, M, K]),
  /// and with `floatReference` the float model's (else null).
  void observe(const float *input, const float *reference, int64_t size);

  const MomentRequest &getRequest() const { return request; }
  int64_t getCount() const { return count; }
  /// E[x] of group `group`'s patches (cols).
  std::vector<double> getMean(int64_t group) const;
  /// E[x x^T] of group `group`'s patches (cols x cols, row-major).
  std::vector<double> getSecondMoment(int64_t group) const;
  /// E[x_f] of the float model's patches (cols).
  std::vector<double> getReferenceMean(int64_t group) const;
  /// E[x x_f^T] (cols x cols, row-major: row i is x_i).
  std::vector<double> getCrossMoment(int64_t group) const;

private:
  enum class Kind { Conv, Depthwise, MatMul } kind;
  /// Fills `patches` (patchesPerCall x cols) with group `group`'s patches
  /// of one call's input.
  template <typename PatchMatrix>
  void extractPatches(const float *input, int64_t group,
                      PatchMatrix &patches) const;

  LayerMatrices matrices;
  MomentRequest request;
  // Geometry: input [N, IH, IW, C] (or [B, M, K]), output spatial size,
  // kernel, stride, dilation, top/left padding.
  SmallVector<int64_t> inputShape;
  int64_t outH = 1, outW = 1, kernelH = 1, kernelW = 1;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int64_t padTop = 0, padLeft = 0;
  /// Patches per group and call.
  int64_t patchesPerCall = 0;
  int64_t count = 0;
  std::vector<std::vector<double>> sums, secondMoments;
  std::vector<std::vector<double>> referenceSums, crossMoments;
};

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_LAYERPATCHES_H
