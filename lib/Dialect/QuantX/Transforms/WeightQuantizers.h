//===- WeightQuantizers.h - float weights to integers at any precision ----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One quantizer per weight format (uniform N-bit, ternary, binary), each
// turning a group of weights that share a scale into integers and that
// scale. `quantizeWeightValues` applies one to a whole weight tensor, one
// group per output channel or one for the tensor.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_WEIGHTQUANTIZERS_H
#define QUANTX_LIB_TRANSFORMS_WEIGHTQUANTIZERS_H

#include "Utils.h"
#include "quant-x/Dialect/QuantX/IR/Precision.h"

#include <memory>

namespace mlir::quantx {

/// Quantizes one group of weights sharing a scale.
class WeightQuantizer {
public:
  virtual ~WeightQuantizer() = default;
  /// Writes the integers of `values` to `integers` (same size) and returns
  /// the scale they share (> 0): each weight is about `integer * scale`.
  virtual double quantize(ArrayRef<double> values,
                          MutableArrayRef<int64_t> integers) const = 0;
  /// Rewrites `integers` for `values` at a given `scale` (a sub-scaled
  /// group's, near the one `quantize` chose). Ternary and binary integers
  /// are the weights' signs whatever the scale: they stay.
  virtual void quantizeAt(ArrayRef<double> values, double scale,
                          MutableArrayRef<int64_t> integers) const {}
};

/// How a uniform quantizer chooses a group's scale.
enum class WeightClipping {
  /// The largest magnitude maps to the largest integer: nothing clips.
  Max,
  /// OCTAV's threshold: the squared error of rounding and clipping
  /// together is smallest (some large weights clip).
  Octav,
};

/// The clipping `layer` asks for (kWeightClippingAttrName), or none for an
/// unknown value.
std::optional<WeightClipping> getWeightClipping(Operation *layer);

/// The quantizer of `precision`'s weight format (not float).
std::unique_ptr<WeightQuantizer>
createWeightQuantizer(PrecisionAttr precision,
                      WeightClipping clipping = WeightClipping::Max);

/// A weight tensor's integers (flattened, as the float values were), the
/// scale of each output channel and, for group and two-level granularity,
/// the integer sub-scale of each vector: weight `i` is about
/// `integers[i] * subscales[getSubscaleIndex(shape, axis, block, i)] *
/// scales[channel of i]`.
struct WeightIntegers {
  SmallVector<int64_t> integers;
  SmallVector<double> scales;
  SmallVector<int64_t> subscales;
  /// Codebook and pow2 weights: the table of 2^bits integers their codes
  /// stand for (every integer is one of them); empty otherwise.
  SmallVector<int64_t> codebook;
};

/// Quantizes `values`, the weights of `op` (static `shape`) whose output
/// channels `channelOf` describes, to `precision`: one scale per output
/// channel, one for the tensor (repeated per channel) with `per_tensor`, or
/// per channel times an integer sub-scale per vector of `block` elements of
/// `getReductionAxis(op)` with `group` and `two_level`. A group's sub-scale
/// is its float scale rounded up to a multiple of the channel's scale (no
/// weight is clipped); a two-level vector's is rounded to nearest
/// (VS-Quant). Codebook weights: each channel's (or the tensor's) scale
/// maps its largest magnitude to 127 and the integers are the nearest
/// entries of the codebook learned over the whole layer (learnCodebook);
/// pow2 weights: each scale is the one (of 33 over an octave either side
/// of the largest magnitude on the top power) with the least squared
/// error, the integers the nearest powers of two.
WeightIntegers
quantizeWeightValues(PrecisionAttr precision, ArrayRef<double> values,
                     WeightChannels channelOf, ArrayRef<int64_t> shape,
                     std::optional<int64_t> reductionAxis,
                     WeightClipping clipping = WeightClipping::Max);

/// The integers and grid of `layer`'s float weights `values` (of `type`)
/// at `precision`: the grid of quantizeWeightValues (with the layer's
/// clipping), with the integers
/// quantx-optimize-rounding chose (kRoundedWeightsAttrName) when the layer
/// has them, round-to-nearest otherwise. Fails with `error` when the chosen
/// integers are for another precision or shape, or off the format's range
/// or codebook, or the clipping is unknown.
FailureOr<WeightIntegers> getLayerWeightIntegers(Operation *layer,
                                                 PrecisionAttr precision,
                                                 ArrayRef<double> values,
                                                 ShapedType type,
                                                 std::string &error);

/// The step of each weight on the grid of `integers`: its channel's scale
/// times its vector's sub-scale.
std::vector<double> getWeightSteps(const WeightIntegers &integers,
                                   PrecisionAttr precision,
                                   WeightChannels channelOf,
                                   ArrayRef<int64_t> shape,
                                   std::optional<int64_t> reductionAxis);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_WEIGHTQUANTIZERS_H
