//===- WeightQuantizers.h - float weights to integers at any precision ----===//
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
};

/// The quantizer of `precision`'s weight format (not float).
std::unique_ptr<WeightQuantizer> createWeightQuantizer(PrecisionAttr precision);

/// A weight tensor's integers (flattened, as the float values were) and the
/// scale of each output channel.
struct WeightIntegers {
  SmallVector<int64_t> integers;
  SmallVector<double> scales;
};

/// Quantizes `values`, the weights of an op whose output channels
/// `channelOf` describes, to `precision`: one scale per output channel, or
/// one for the tensor (repeated per channel) with `per_tensor`.
WeightIntegers quantizeWeightValues(PrecisionAttr precision,
                                    ArrayRef<double> values,
                                    WeightChannels channelOf);

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_WEIGHTQUANTIZERS_H
