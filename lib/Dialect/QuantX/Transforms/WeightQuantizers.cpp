//===- WeightQuantizers.cpp - float weights to integers at any precision --===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "WeightQuantizers.h"

#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"
#include "quant-x/Dialect/QuantX/Transforms/Codebooks.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

/// The mean magnitude of `values` (0 for none).
static double meanAbsolute(ArrayRef<double> values) {
  double sum = 0;
  for (double w : values)
    sum += std::abs(w);
  return values.empty() ? 0.0 : sum / double(values.size());
}

namespace {
/// Symmetric N-bit integers in [-(2^(N-1) - 1), 2^(N-1) - 1], the scale
/// mapping the largest magnitude to the largest integer (round to nearest).
class UniformQuantizer final : public WeightQuantizer {
public:
  UniformQuantizer(int64_t maxInteger, WeightClipping clipping)
      : maxInteger(maxInteger), clipping(clipping) {}

  double quantize(ArrayRef<double> values,
                  MutableArrayRef<int64_t> integers) const override {
    double maxAbs = 0;
    for (double w : values)
      maxAbs = std::max(maxAbs, std::abs(w));
    double threshold = clipping == WeightClipping::Octav
                           ? getOctavThreshold(values, maxAbs)
                           : maxAbs;
    // An all-zero group: any scale gives zeros.
    double scale = threshold > 0 ? threshold / double(maxInteger) : 1.0;
    for (auto [w, q] : llvm::zip(values, integers))
      q = int64_t(std::clamp(std::nearbyint(w / scale), -double(maxInteger),
                             double(maxInteger)));
    return scale;
  }

  void quantizeAt(ArrayRef<double> values, double scale,
                  MutableArrayRef<int64_t> integers) const override {
    for (auto [w, q] : llvm::zip(values, integers))
      q = int64_t(std::clamp(std::nearbyint(w / scale), -double(maxInteger),
                             double(maxInteger)));
  }

private:
  /// OCTAV (Sakr et al., 2022) on the group's own values: the s that
  /// minimizes c s^2 #{|w| <= s} + sum_{|w| > s} (|w| - s)^2, with c s^2 the
  /// rounding noise of a grid of step s / maxInteger, by the recursion
  /// s <- sum_{|w| > s} |w| / (c #{|w| <= s} + #{|w| > s}) from the mean
  /// magnitude.
  double getOctavThreshold(ArrayRef<double> values, double maxAbs) const {
    double c = 1.0 / (12.0 * double(maxInteger) * double(maxInteger));
    double s = meanAbsolute(values);
    if (!(s > 0))
      return maxAbs;
    for (int step = 0; step < 100; ++step) {
      double tail = 0, inside = 0, outside = 0;
      for (double w : values) {
        double a = std::abs(w);
        if (a > s) {
          tail += a;
          outside += 1;
        } else {
          inside += 1;
        }
      }
      // Nothing beyond s: the whole range is kept.
      if (outside == 0)
        return s;
      double next = std::min(tail / (c * inside + outside), maxAbs);
      bool converged = std::abs(next - s) <= 1e-9 * s;
      s = next;
      if (converged)
        break;
    }
    return s;
  }

  int64_t maxInteger;
  WeightClipping clipping;
};

/// Ternary Weight Networks (Li et al., 2016): weights above the threshold
/// 0.7 * mean|w| in magnitude become their sign, the rest 0; the scale is
/// the mean magnitude of the weights kept, which minimizes the L2 error for
/// that threshold.
class TernaryQuantizer final : public WeightQuantizer {
public:
  double quantize(ArrayRef<double> values,
                  MutableArrayRef<int64_t> integers) const override {
    double threshold = 0.7 * meanAbsolute(values), kept = 0;
    int64_t count = 0;
    for (auto [w, q] : llvm::zip(values, integers)) {
      q = std::abs(w) > threshold ? (w > 0 ? 1 : -1) : 0;
      if (q != 0) {
        kept += std::abs(w);
        ++count;
      }
    }
    return count ? kept / double(count) : 1.0;
  }
};

/// XNOR-Net (Rastegari et al., 2016): the sign of each weight, scaled by
/// the mean magnitude. An all-zero group has no sign to give: its weights
/// stay 0 (the one value outside {-1, +1} a binary layer can hold).
class BinaryQuantizer final : public WeightQuantizer {
public:
  double quantize(ArrayRef<double> values,
                  MutableArrayRef<int64_t> integers) const override {
    double meanAbs = meanAbsolute(values);
    for (auto [w, q] : llvm::zip(values, integers))
      q = meanAbs > 0 ? (w >= 0 ? 1 : -1) : 0;
    return meanAbs > 0 ? meanAbs : 1.0;
  }
};
} // namespace

std::optional<WeightClipping>
mlir::quantx::getWeightClipping(Operation *layer) {
  auto attr = layer->getAttrOfType<StringAttr>(kWeightClippingAttrName);
  if (!attr || attr.getValue() == "max")
    return WeightClipping::Max;
  if (attr.getValue() == "octav")
    return WeightClipping::Octav;
  return std::nullopt;
}

std::unique_ptr<WeightQuantizer>
mlir::quantx::createWeightQuantizer(PrecisionAttr precision,
                                    WeightClipping clipping) {
  switch (precision.getWeights()) {
  case WeightFormat::Ternary:
    return std::make_unique<TernaryQuantizer>();
  case WeightFormat::Binary:
    return std::make_unique<BinaryQuantizer>();
  case WeightFormat::Float:
    llvm_unreachable("float weights are not quantized");
  default:
    return std::make_unique<UniformQuantizer>(precision.getMaxWeightMagnitude(),
                                              clipping);
  }
}

/// Quantizes each group of `members` (indices into `values`) with its own
/// scale.
static void quantizeGroups(const WeightQuantizer &quantizer,
                           ArrayRef<double> values,
                           ArrayRef<SmallVector<int64_t>> members,
                           MutableArrayRef<int64_t> integers,
                           SmallVectorImpl<double> &scales) {
  SmallVector<double> group;
  SmallVector<int64_t> groupIntegers;
  for (const SmallVector<int64_t> &indices : members) {
    group.clear();
    for (int64_t i : indices)
      group.push_back(values[i]);
    groupIntegers.assign(indices.size(), 0);
    scales.push_back(quantizer.quantize(group, groupIntegers));
    for (auto [i, q] : llvm::zip(indices, groupIntegers))
      integers[i] = q;
  }
}

/// Two-level quantization: each vector first gets its own float scale;
/// each channel's scale is then its largest vector scale over the largest
/// sub-scale, and each vector's scale becomes the channel's times an
/// integer sub-scale, its weights requantized at that scale.
static void quantizeVectors(PrecisionAttr precision,
                            const WeightQuantizer &quantizer,
                            ArrayRef<double> values, WeightChannels channelOf,
                            ArrayRef<int64_t> shape, int64_t axis,
                            WeightIntegers &result) {
  int64_t block = precision.getBlock();
  int64_t vectors = int64_t(values.size()) / block;
  SmallVector<SmallVector<int64_t>> members(vectors);
  SmallVector<int64_t> channelOfVector(vectors, 0);
  for (int64_t i = 0, e = values.size(); i < e; ++i) {
    int64_t v = getSubscaleIndex(shape, axis, block, i);
    members[v].push_back(i);
    channelOfVector[v] = channelOf.of(i);
  }
  SmallVector<double> vectorScales;
  quantizeGroups(quantizer, values, members, result.integers, vectorScales);
  // An all-zero vector has no scale of its own: any sub-scale gives zeros.
  auto isZero = [&](int64_t v) {
    return llvm::all_of(members[v], [&](int64_t i) { return values[i] == 0; });
  };
  int64_t maxSubscale = precision.getMaxSubscale();
  result.scales.assign(channelOf.count, 0.0);
  for (int64_t v = 0; v < vectors; ++v)
    if (!isZero(v))
      result.scales[channelOfVector[v]] =
          std::max(result.scales[channelOfVector[v]], vectorScales[v]);
  for (double &scale : result.scales)
    scale = scale > 0 ? scale / double(maxSubscale) : 1.0;
  bool roundUp = precision.getGranularity() == WeightGranularity::Group;
  result.subscales.assign(vectors, 1);
  SmallVector<double> group;
  SmallVector<int64_t> integers;
  for (int64_t v = 0; v < vectors; ++v) {
    if (isZero(v))
      continue;
    double channelScale = result.scales[channelOfVector[v]];
    double ratio = vectorScales[v] / channelScale;
    // Rounding up keeps the group's largest weight on the grid; the
    // 1e-9 absorbs the division's error on exact multiples.
    double subscale =
        roundUp ? std::ceil(ratio * (1 - 1e-9)) : std::nearbyint(ratio);
    result.subscales[v] =
        int64_t(std::clamp(subscale, 1.0, double(maxSubscale)));
    group.clear();
    for (int64_t i : members[v])
      group.push_back(values[i]);
    integers.assign(group.size(), 0);
    for (auto [j, i] : llvm::enumerate(members[v]))
      integers[j] = result.integers[i];
    quantizer.quantizeAt(group, channelScale * double(result.subscales[v]),
                         integers);
    for (auto [j, i] : llvm::enumerate(members[v]))
      result.integers[i] = integers[j];
  }
}

/// The indices of `values` in each scale group: one per output channel, or
/// one for the tensor.
static SmallVector<SmallVector<int64_t>>
getScaleGroups(PrecisionAttr precision, int64_t size,
               WeightChannels channelOf) {
  bool perTensor = precision.getGranularity() == WeightGranularity::PerTensor;
  SmallVector<SmallVector<int64_t>> members(perTensor ? 1 : channelOf.count);
  for (int64_t i = 0; i < size; ++i)
    members[perTensor ? 0 : channelOf.of(i)].push_back(i);
  return members;
}

/// The largest magnitude among `indices` of `values`.
static double getMaxMagnitude(ArrayRef<double> values,
                              ArrayRef<int64_t> indices) {
  double maxAbs = 0;
  for (int64_t i : indices)
    maxAbs = std::max(maxAbs, std::abs(values[i]));
  return maxAbs;
}

/// Codebook weights (see quantizeWeightValues).
static void quantizeOnCodebook(PrecisionAttr precision, ArrayRef<double> values,
                               ArrayRef<SmallVector<int64_t>> members,
                               SmallVectorImpl<double> &groupScales,
                               WeightIntegers &result) {
  SmallVector<double> normalized(values.size());
  for (const SmallVector<int64_t> &indices : members) {
    double maxAbs = getMaxMagnitude(values, indices);
    double scale = maxAbs > 0 ? maxAbs / 127.0 : 1.0;
    groupScales.push_back(scale);
    for (int64_t i : indices)
      normalized[i] = values[i] / scale;
  }
  int64_t entries = int64_t(1) << precision.getWeightBits();
  std::vector<int64_t> levels = learnCodebook(normalized, entries);
  for (auto [i, u] : llvm::enumerate(normalized))
    result.integers[i] = getNearestLevel(u, levels);
  result.codebook.assign(levels.begin(), levels.end());
}

/// Power-of-two weights (see quantizeWeightValues).
static void quantizeOnPowersOfTwo(PrecisionAttr precision,
                                  ArrayRef<double> values,
                                  ArrayRef<SmallVector<int64_t>> members,
                                  SmallVectorImpl<double> &groupScales,
                                  WeightIntegers &result) {
  std::vector<int64_t> table = getPow2Table(precision.getWeightBits());
  std::vector<int64_t> levels = getSortedLevels(table);
  double top = double(levels.back());
  for (const SmallVector<int64_t> &indices : members) {
    double maxAbs = getMaxMagnitude(values, indices);
    if (!(maxAbs > 0)) {
      groupScales.push_back(1.0);
      continue;
    }
    // Powers of two repeat every octave: the scales within one octave
    // either side of the largest magnitude's cover every placement.
    double bestScale = maxAbs / top, bestError = -1;
    for (int64_t step = -16; step <= 16; ++step) {
      double scale = maxAbs / top * std::exp2(double(step) / 16.0);
      double error = 0;
      for (int64_t i : indices) {
        double q = double(getNearestLevel(values[i] / scale, levels));
        error += (values[i] - q * scale) * (values[i] - q * scale);
      }
      if (bestError < 0 || error < bestError) {
        bestError = error;
        bestScale = scale;
      }
    }
    groupScales.push_back(bestScale);
    for (int64_t i : indices)
      result.integers[i] = getNearestLevel(values[i] / bestScale, levels);
  }
  result.codebook.assign(table.begin(), table.end());
}

WeightIntegers mlir::quantx::quantizeWeightValues(
    PrecisionAttr precision, ArrayRef<double> values, WeightChannels channelOf,
    ArrayRef<int64_t> shape, std::optional<int64_t> reductionAxis,
    WeightClipping clipping) {
  if (precision.hasWeightTable()) {
    WeightIntegers result;
    result.integers.assign(values.size(), 0);
    SmallVector<SmallVector<int64_t>> members =
        getScaleGroups(precision, values.size(), channelOf);
    SmallVector<double> groupScales;
    if (precision.getLevels() == WeightLevels::Codebook)
      quantizeOnCodebook(precision, values, members, groupScales, result);
    else
      quantizeOnPowersOfTwo(precision, values, members, groupScales, result);
    result.scales = members.size() == 1 && channelOf.count != 1
                        ? SmallVector<double>(channelOf.count, groupScales[0])
                        : groupScales;
    // One entry per code of the packed layout (int3 codes are stored as
    // int4): the codes no level uses repeat the first entry, so that the
    // table holds the levels and nothing else.
    std::optional<PackedFormat> format =
        choosePackedFormat(precision.getWeights(), {});
    result.codebook.resize(int64_t(1) << getPackedBits(*format),
                           result.codebook.front());
    return result;
  }
  std::unique_ptr<WeightQuantizer> quantizer =
      createWeightQuantizer(precision, clipping);
  WeightIntegers result;
  result.integers.assign(values.size(), 0);
  int64_t channels = channelOf.count;
  WeightGranularity granularity = precision.getGranularity();
  if (granularity == WeightGranularity::PerTensor) {
    double scale = quantizer->quantize(values, result.integers);
    result.scales.assign(channels, scale);
    return result;
  }
  if (granularity == WeightGranularity::Group ||
      granularity == WeightGranularity::TwoLevel) {
    assert(reductionAxis && "groups need a reduction axis");
    quantizeVectors(precision, *quantizer, values, channelOf, shape,
                    *reductionAxis, result);
    return result;
  }
  // Gather each channel's weights (strided in the tensor), quantize them,
  // and scatter the integers back.
  quantizeGroups(*quantizer, values,
                 getScaleGroups(precision, values.size(), channelOf),
                 result.integers, result.scales);
  return result;
}

std::vector<double>
mlir::quantx::getWeightSteps(const WeightIntegers &integers,
                             PrecisionAttr precision, WeightChannels channelOf,
                             ArrayRef<int64_t> shape,
                             std::optional<int64_t> reductionAxis) {
  std::vector<double> steps(integers.integers.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    double subscale = 1;
    if (!integers.subscales.empty())
      subscale = double(integers.subscales[getSubscaleIndex(
          shape, *reductionAxis, precision.getBlock(), int64_t(i))]);
    steps[i] = subscale * integers.scales[channelOf.of(int64_t(i))];
  }
  return steps;
}

FailureOr<WeightIntegers>
mlir::quantx::getLayerWeightIntegers(Operation *layer, PrecisionAttr precision,
                                     ArrayRef<double> values, ShapedType type,
                                     std::string &error) {
  WeightChannels channelOf = getWeightChannels(layer, type);
  std::optional<WeightClipping> clipping = getWeightClipping(layer);
  if (!clipping) {
    error = (Twine(kWeightClippingAttrName) + " must be \"max\" or \"octav\"")
                .str();
    return failure();
  }
  WeightIntegers result =
      quantizeWeightValues(precision, values, channelOf, type.getShape(),
                           getReductionAxis(layer), *clipping);
  auto rounded = layer->getAttrOfType<DictionaryAttr>(kRoundedWeightsAttrName);
  if (!rounded)
    return result;
  auto roundedFor = dyn_cast_or_null<PrecisionAttr>(rounded.get("precision"));
  auto integers =
      dyn_cast_or_null<DenseIntElementsAttr>(rounded.get("integers"));
  if (!roundedFor || !integers ||
      integers.getType().getShape() != type.getShape()) {
    error = (Twine(kRoundedWeightsAttrName) +
             " needs `precision` and `integers` of the weights' shape")
                .str();
    return failure();
  }
  if (roundedFor != precision) {
    std::string was, now;
    llvm::raw_string_ostream(was) << roundedFor;
    llvm::raw_string_ostream(now) << precision;
    error = "the weights were rounded for " + was +
            " but the layer's "
            "precision is " +
            now + ": round them after the precision is set";
    return failure();
  }
  int64_t limit = precision.getMaxWeightMagnitude();
  for (auto [i, q] : llvm::enumerate(integers.getValues<APInt>())) {
    int64_t v = q.getSExtValue();
    if (!result.codebook.empty() && !llvm::is_contained(result.codebook, v)) {
      error = (Twine(kRoundedWeightsAttrName) + ": integer " + Twine(v) +
               " at " + Twine(i) + " is not in the layer's codebook")
                  .str();
      return failure();
    }
    if (v < -limit || v > limit) {
      error = (Twine(kRoundedWeightsAttrName) + ": integer " + Twine(v) +
               " at " + Twine(i) + " is outside [-" + Twine(limit) + ", " +
               Twine(limit) + "]")
                  .str();
      return failure();
    }
    result.integers[i] = v;
  }
  return result;
}
