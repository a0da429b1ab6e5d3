//===- WeightQuantizers.cpp - float weights to integers at any precision --===//

#include "WeightQuantizers.h"

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
  explicit UniformQuantizer(int64_t maxInteger) : maxInteger(maxInteger) {}

  double quantize(ArrayRef<double> values,
                  MutableArrayRef<int64_t> integers) const override {
    double maxAbs = 0;
    for (double w : values)
      maxAbs = std::max(maxAbs, std::abs(w));
    // An all-zero group: any scale gives zeros.
    double scale = maxAbs > 0 ? maxAbs / double(maxInteger) : 1.0;
    for (auto [w, q] : llvm::zip(values, integers))
      q = int64_t(std::clamp(std::nearbyint(w / scale), -double(maxInteger),
                             double(maxInteger)));
    return scale;
  }

private:
  int64_t maxInteger;
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

std::unique_ptr<WeightQuantizer>
mlir::quantx::createWeightQuantizer(PrecisionAttr precision) {
  switch (precision.getWeights()) {
  case WeightFormat::Ternary:
    return std::make_unique<TernaryQuantizer>();
  case WeightFormat::Binary:
    return std::make_unique<BinaryQuantizer>();
  case WeightFormat::Float:
    llvm_unreachable("float weights are not quantized");
  default:
    return std::make_unique<UniformQuantizer>(
        precision.getMaxWeightMagnitude());
  }
}

WeightIntegers mlir::quantx::quantizeWeightValues(PrecisionAttr precision,
                                                  ArrayRef<double> values,
                                                  WeightChannels channelOf) {
  std::unique_ptr<WeightQuantizer> quantizer = createWeightQuantizer(precision);
  WeightIntegers result;
  result.integers.assign(values.size(), 0);
  int64_t channels = channelOf.count;
  if (precision.getGranularity() == WeightGranularity::PerTensor) {
    double scale = quantizer->quantize(values, result.integers);
    result.scales.assign(channels, scale);
    return result;
  }
  // Gather each channel's weights (strided in the tensor), quantize them,
  // and scatter the integers back.
  SmallVector<SmallVector<int64_t>> members(channels);
  for (int64_t i = 0, e = values.size(); i < e; ++i)
    members[channelOf.of(i)].push_back(i);
  SmallVector<double> group;
  SmallVector<int64_t> integers;
  for (const SmallVector<int64_t> &indices : members) {
    group.clear();
    for (int64_t i : indices)
      group.push_back(values[i]);
    integers.assign(indices.size(), 0);
    result.scales.push_back(quantizer->quantize(group, integers));
    for (auto [i, q] : llvm::zip(indices, integers))
      result.integers[i] = q;
  }
  return result;
}
