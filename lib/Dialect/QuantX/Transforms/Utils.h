//===- Utils.h - helpers shared by the quantization passes ------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_DIALECT_QUANTX_TRANSFORMS_UTILS_H
#define QUANTX_LIB_DIALECT_QUANTX_TRANSFORMS_UTILS_H

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

namespace mlir::quantx {

/// Name of the calibration statistics attributes (argument attribute, and
/// per-result array on ops).
constexpr llvm::StringLiteral kCalibAttrName = "quantx.calib";

/// Name of the attribute of a float weight constant that gives the scale
/// (one, or one per output channel) of the int8 grid its values lie on.
constexpr llvm::StringLiteral kWeightScalesAttrName = "quantx.weight_scales";
/// Its zero point (an integer attribute; 0 when absent): the grid holds
/// `w / scale + zero_point`.
constexpr llvm::StringLiteral kWeightZeroPointAttrName =
    "quantx.weight_zero_point";

/// Name of the mean magnitude E|x| (an f64 attribute) that the calibration
/// fold puts on the quantize of a value that sign (1-bit) activations read:
/// their scale.
constexpr llvm::StringLiteral kMeanMagnitudeAttrName = "quantx.mean_magnitude";

/// Name of the integers quantx-optimize-rounding chose for a layer's
/// weights: a dictionary of `precision` (the precision they are for),
/// `integers` (i8, the weights' shape, on the grid quantx-quantize derives
/// from the float weights) and `method`.
constexpr llvm::StringLiteral kRoundedWeightsAttrName =
    "quantx.rounded_weights";

/// Name of a layer's weight clipping (a string): "octav" scales each group
/// of weights to OCTAV's MSE-optimal clipping threshold instead of its
/// largest magnitude ("max", the default when absent).
constexpr llvm::StringLiteral kWeightClippingAttrName =
    "quantx.weight_clipping";

bool isFloatTensor(Type type);

/// Ops between a quantization point and a layer that a layer's 16-bit or
/// sign activations can look through: data movement, pools, clamps.
bool isActivationPath(Operation *op);

/// The elements of the `tosa.const` defining `value` (or, for packed
/// weights, of the `quantx.unpack_weights` of constants), or null.
DenseElementsAttr getConstantElements(Value value);

/// The float elements of a constant as doubles (empty when not a float
/// constant).
SmallVector<double> getFloatValues(DenseElementsAttr elements);

/// A constant that broadcasts per channel over the last dimension of a
/// tensor with `channels` channels (its own last dimension 1 or
/// `channels`, every other dimension 1): the value of each channel.
std::optional<SmallVector<double>> getChannelValues(Value value,
                                                    int64_t channels);

/// The output channel of each element of a weight tensor, flattened:
/// conv2d OHWI (dimension 0), depthwise_conv2d HWCM (C * M innermost),
/// matmul [B, K, N] (N innermost).
struct WeightChannels {
  int64_t count, stride;
  int64_t of(int64_t flatIndex) const { return (flatIndex / stride) % count; }
};
WeightChannels getWeightChannels(Operation *op, ShapedType weightType);

/// The input channel of weight element `index` of `layer` (of `type`):
/// conv2d OHWI: I; depthwise_conv2d HWCM: C; matmul [B, K, N]: K.
int64_t getWeightInputChannel(Operation *layer, ShapedType type, int64_t index);

/// The weight dimension that groups and two-level vectors run along: a
/// conv2d's input channels (OHWI: 3), a matmul's K ([B, K, N]: 1). A
/// depthwise convolution reduces over its kernel window alone: none.
std::optional<int64_t> getReductionAxis(Operation *op);

/// Why `precision` cannot apply to the layer `op` (a group that does not
/// divide its reduction axis, ...), or nothing if it can.
std::optional<std::string> getPrecisionMismatch(Operation *op,
                                                PrecisionAttr precision);

/// `tosa.const` holding `elements`.
Value createConst(OpBuilder &b, Location loc, DenseElementsAttr elements);

/// Ops that compute their integer result with the input's scale and zero
/// point (reshape, transpose, slice, pad, max_pool2d, avg_pool2d).
bool keepsQuantization(Operation *op);

/// Ops whose integer form is an int32 accumulator.
bool producesAccumulator(Operation *op);

/// Whether `value` is an activation that gets its own scale and zero point
/// (a quantization point), as opposed to a constant, a value already
/// quantized (used only by quantize ops), a value that keeps its input's
/// quantization, or an accumulator fused into its only consumer (clamp,
/// bias add, scale mul).
bool isQuantizationPoint(Value value);

/// `!quantx.uniform<i8:f32, #quantx.per_tensor<...>>`.
UniformType getInt8Type(MLIRContext *ctx, double scale, int64_t zeroPoint);

/// The accumulator type (i32, or i48 for 16-bit activations): one scale,
/// or one per channel of `axis`.
UniformType getAccumulatorType(MLIRContext *ctx, ArrayRef<double> scales,
                               int64_t axis, unsigned bits = 32);

} // namespace mlir::quantx

#endif // QUANTX_LIB_DIALECT_QUANTX_TRANSFORMS_UTILS_H
