//===- Quantizer.h - the quantize pass's rewriter, shared by op family ---===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The quantize pass walks a function in order and gives every float value
// it can an integer form (`IntValue`): an int8 activation (scale, zero
// point) or an int32 accumulator (scale per tensor or per channel of the
// last dimension, zero point 0, maybe a clamp still to apply). The rewrites
// live by op family: Quantize.cpp (the walk, quantize/dequantize and the
// shared helpers), QuantizeLayers.cpp (conv2d, depthwise_conv2d, matmul and
// their weights), QuantizeElementwise.cpp (add, sub, mul, clamp,
// reduce_sum), QuantizeDataMovement.cpp (concat, and the ops that keep
// their input's quantization).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_QUANTIZER_H
#define QUANTX_LIB_TRANSFORMS_QUANTIZER_H

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::quantx {

/// The integer form of a float value.
struct IntValue {
  Value value;
  SmallVector<double> scales;
  int64_t zeroPoint = 0;
  /// A float clamp (ReLU, ReLU6) still to apply to an accumulator.
  std::optional<std::pair<double, double>> clamp;

  /// An int32 accumulator, or an int48 one (16-bit activations).
  bool isAccumulator() const {
    Type element = cast<RankedTensorType>(value.getType()).getElementType();
    return element.isInteger(32) || element.isInteger(48);
  }
  RankedTensorType getType() const {
    return cast<RankedTensorType>(value.getType());
  }
};

/// Integer weights (int8 storage), one scale per output channel: at the
/// layer's precision (int8 symmetric in [-127, 127] by default), or on the
/// int8 grid the model gave them.
struct QuantizedWeights {
  /// The int8 integers the layer computes with (a group's or vector's
  /// sub-scale applied).
  DenseElementsAttr values;
  /// Below 8 bits: the format, the packed integers before sub-scales (or
  /// their codes in `codebook`) and the sub-scales (none, or one per
  /// vector of `block` along `axis`).
  std::optional<PackedFormat> format;
  SmallVector<int8_t> packed;
  SmallVector<int8_t> subscales;
  /// Codebook and pow2 weights: the integer each code stands for.
  SmallVector<int8_t> codebook;
  int64_t axis = 0, block = 0;
  SmallVector<double> scales;
  /// One zero point for all channels (a QDQ model's asymmetric weights).
  int64_t zeroPoint = 0;
  /// Sum of `q - zeroPoint` over each channel (input zero-point folding).
  SmallVector<int64_t> sums;
};

class Quantizer {
public:
  explicit Quantizer(func::FuncOp func) : func(func), b(func.getContext()) {}
  LogicalResult run();

private:
  std::optional<IntValue> convert(Operation *op);
  std::optional<IntValue> convertConv(Operation *op);
  std::optional<IntValue> convertMatMul(tosa::MatMulOp op);
  std::optional<IntValue> convertAddSub(Operation *op);
  std::optional<IntValue> convertMul(tosa::MulOp op);
  std::optional<IntValue> convertClamp(tosa::ClampOp op);
  std::optional<IntValue> convertConcat(tosa::ConcatOp op);
  std::optional<IntValue> convertKeepingQuantization(Operation *op);
  std::optional<IntValue> convertReduceSum(tosa::ReduceSumOp op);
  LogicalResult handleQuantize(QuantizeOp op);
  void handleDequantize(DequantizeOp op);

  /// The integer form of an activation operand (not an accumulator).
  const IntValue *getActivation(Value v) {
    auto it = ints.find(v);
    if (it == ints.end() || it->second.isAccumulator() || it->second.clamp)
      return nullptr;
    return &it->second;
  }
  const IntValue *lookup(Value v) {
    auto it = ints.find(v);
    return it == ints.end() ? nullptr : &it->second;
  }
  Location loc() { return currentLoc; }
  /// The 16-bit form of a layer's input activation `input` (symmetric, over
  /// the range its int8 quantization point covers), for layers with 16-bit
  /// activations; an error if `input` is not a quantization point (through
  /// reshapes, transposes, slices, pads and max pools).
  std::optional<IntValue> getInt16Activation(Operation *layer, Value input);
  /// The sign activations (+1 for x >= 0, else -1, int8, zero point 0) of
  /// a layer's int8 input, at the scale E|x| of the quantization point it
  /// comes from (through data movement, pools and clamps).
  std::optional<IntValue> getSignActivation(Operation *layer, Value input);
  /// The 8-, 16- or 1-bit integer form of a conv's or matmul's input
  /// activation, as its precision asks; an error when it cannot be given.
  std::optional<IntValue> getLayerInput(Operation *layer, Value input);
  /// A [1] zero-point constant of `bits` bits.
  Value zeroPoint(int64_t zp, unsigned bits) {
    auto type = RankedTensorType::get({1}, b.getIntegerType(bits));
    return createConst(
        b, loc(),
        DenseElementsAttr::get(type, APInt(bits, zp, /*isSigned=*/true)));
  }
  Value i8ZeroPoint(int64_t zp) {
    auto type = RankedTensorType::get({1}, b.getI8Type());
    return createConst(b, loc(),
                       DenseElementsAttr::get(type, b.getI8IntegerAttr(zp)));
  }
  Value toQuantized(const IntValue &iv);
  Value toFloat(const IntValue &iv, Type floatType);
  /// `x - zero_point` of an int8 activation, in int32.
  Value centered(const IntValue &iv);
  /// `op` cloned with new operands and its result's element type changed.
  Operation *cloneWith(Operation *op, ValueRange operands, Type elementType);
  Value requantize(const IntValue &iv, UniformType to);
  FailureOr<QuantizedWeights> quantizeWeights(Operation *op, Value weights);
  /// The weights as the layer stores them: an int8 constant, or packed
  /// bytes (and sub-scales) through `quantx.unpack_weights`.
  Value materializeWeights(const QuantizedWeights &weights);
  bool supportsPrecision(Operation *op);

  func::FuncOp func;
  OpBuilder b;
  Location currentLoc = UnknownLoc::get(func.getContext());
  DenseMap<Value, IntValue> ints;
  /// The float value each dequantized quantization point quantizes (its
  /// integer form in `ints`, or a float argument), for 16-bit layers.
  DenseMap<Value, Value> floatSources;
  /// What the quantize ops the pass replaced quantized.
  DenseMap<Value, Value> replacedQuantizeSources;
  /// E|x| of quantized and dequantized values that sign activations read
  /// (from `quantx.mean_magnitude`).
  DenseMap<Value, double> meanMagnitudes;
  SmallVector<Operation *> converted;
  /// Set when a diagnostic made the result unusable.
  bool hadError = false;
};
} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_QUANTIZER_H
