//===- QuantXAttrs.td - quantx attributes ------------------*- tablegen -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Quantization parameters (one attribute per granularity, all implementing
// QuantParamsAttrInterface), dyadic multipliers and calibration statistics.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_ATTRS_TD
#define QUANTX_ATTRS_TD

include "quant-x/Dialect/QuantX/IR/QuantXBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// A double (held as an APFloat, which is hashable), printed exactly.
def QuantX_F64Param : APFloatParameter<"a 64-bit float"> {
  let parser = "::mlir::quantx::parseF64($_parser)";
  let printer = "::mlir::quantx::printF64($_printer, $_self)";
}

/// A list of doubles, printed exactly: `[0.1, 0.25]`.
def QuantX_F64ArrayParam : AttrParameter<"::mlir::DenseF64ArrayAttr",
                                         "64-bit floats"> {
  let parser = "::mlir::quantx::parseF64ArrayAttr($_parser)";
  let printer = "::mlir::quantx::printF64ArrayAttr($_printer, $_self)";
}

/// `[i, i, ...]` 64-bit integers.
class QuantX_I64ArrayParamBase : ArrayRefParameter<"int64_t", "64-bit integers"> {
  let parser = "::mlir::quantx::parseI64Array($_parser)";
  let printer = "::mlir::quantx::printI64Array($_printer, $_self)";
}
def QuantX_I64ArrayParam : QuantX_I64ArrayParamBase;
/// Omitted when empty.
def QuantX_OptionalI64ArrayParam
    : OptionalArrayRefParameter<"int64_t", "64-bit integers"> {
  let parser = "::mlir::quantx::parseI64Array($_parser)";
  let printer = "::mlir::quantx::printI64Array($_printer, $_self)";
}

def QuantX_I32ArrayParam : ArrayRefParameter<"int32_t", "32-bit integers"> {
  let parser = "::mlir::quantx::parseI32Array($_parser)";
  let printer = "::mlir::quantx::printI32Array($_printer, $_self)";
}

//===----------------------------------------------------------------------===//
// Interface implemented by every granularity
//===----------------------------------------------------------------------===//

def QuantX_QuantParamsAttrInterface : AttrInterface<"QuantParamsAttr"> {
  let cppNamespace = "::mlir::quantx";
  let description = [{
    Scales and zero points of a quantized tensor at one granularity. Each
    granularity normalizes to a `QuantGrid` for a concrete tensor shape: a
    block size per dimension and a scale / zero point per block, which is what
    the verifiers and the lowerings work on.
  }];
  let methods = [
    InterfaceMethod<"Checks the parameters against a tensor shape (axes in "
      "range, dimensions divisible by block sizes, scale counts).",
      "::llvm::LogicalResult", "verifyForShape",
      (ins "::llvm::ArrayRef<int64_t>":$shape,
           "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError)>,
    InterfaceMethod<"The block sizes of getGrid's grid for a (verified) "
      "shape, without materializing its scales and zero points.",
      "::llvm::SmallVector<int64_t>", "getGridBlockSizes",
      (ins "::llvm::ArrayRef<int64_t>":$shape)>,
    InterfaceMethod<"Calls `fn` on every zero point (on a splat's value "
      "once).",
      "void", "forEachZeroPoint",
      (ins "::llvm::function_ref<void(int64_t)>":$fn)>,
    InterfaceMethod<"The scales and zero points for a (verified) shape, one "
      "per block of the returned grid.",
      "::mlir::quantx::QuantGrid", "getGrid",
      (ins "::llvm::ArrayRef<int64_t>":$shape)>,
  ];
}

class QuantX_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<QuantX_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Granularities
//===----------------------------------------------------------------------===//

def QuantX_PerTensorAttr : QuantX_Attr<"PerTensor", "per_tensor",
    [DeclareAttrInterfaceMethods<QuantX_QuantParamsAttrInterface>]> {
  let summary = "one scale and zero point for the whole tensor";
  let description = [{
    `real = scale * (q - zero_point)`.

    ```mlir
    #quantx.per_tensor<scale = 0.0235, zero_point = -4>
    ```
  }];
  let parameters = (ins QuantX_F64Param:$scale, "int64_t":$zero_point);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def QuantX_PerAxisAttr : QuantX_Attr<"PerAxis", "per_axis",
    [DeclareAttrInterfaceMethods<QuantX_QuantParamsAttrInterface>]> {
  let summary = "a scale and zero point per index of one axis (per channel)";
  let description = [{
    `real[..., c, ...] = scales[c] * (q[..., c, ...] - zero_points[c])`, `c`
    indexing dimension `axis`. `zero_points` may be omitted (all zero).

    ```mlir
    #quantx.per_axis<axis = 0, scales = array<f64: 0.1, 0.25>,
                     zero_points = [0, 3]>
    ```
  }];
  let parameters = (ins "int64_t":$axis, QuantX_F64ArrayParam:$scales,
                        QuantX_OptionalI64ArrayParam:$zero_points);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def QuantX_PerBlockAttr : QuantX_Attr<"PerBlock", "per_block",
    [DeclareAttrInterfaceMethods<QuantX_QuantParamsAttrInterface>]> {
  let summary = "a scale and zero point per block along any axes (per group)";
  let description = [{
    The tensor is cut into blocks of `block_sizes` (one entry per dimension;
    1 = per index, the whole dimension = one block). `scales` and the optional
    `zero_points` hold one value per block: their shape is the tensor shape
    divided by `block_sizes`. Group-wise int4 weights with groups of 32 along
    the input dimension of a `[N, K]` matrix:

    ```mlir
    #quantx.per_block<block_sizes = [1, 32],
                      scales = dense<...> : tensor<Nx(K/32)xf64>>
    ```
  }];
  let parameters = (ins QuantX_I64ArrayParam:$block_sizes,
                        "::mlir::DenseFPElementsAttr":$scales,
                        OptionalParameter<"::mlir::DenseIntElementsAttr">:$zero_points);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def QuantX_TwoLevelAttr : QuantX_Attr<"TwoLevel", "two_level",
    [DeclareAttrInterfaceMethods<QuantX_QuantParamsAttrInterface>]> {
  let summary = "per-channel float scale times a per-vector integer scale "
                "(VS-Quant)";
  let description = [{
    `real = scales[c] * sub_scales[c, v / vector_size] * q`, with `c` indexing
    `axis` and `v` indexing `vector_axis`. Sub-scales are unsigned integers of
    `sub_scale_bits` bits, at least 1. Two-level quantization is symmetric: the
    zero point is 0.

    ```mlir
    #quantx.two_level<axis = 0, vector_axis = 1, vector_size = 16,
                      sub_scale_bits = 4, scales = array<f64: ...>,
                      sub_scales = dense<...> : tensor<Cx(K/16)xi64>>
    ```
  }];
  let parameters = (ins "int64_t":$axis, "int64_t":$vector_axis,
                        "int64_t":$vector_size, "int64_t":$sub_scale_bits,
                        QuantX_F64ArrayParam:$scales,
                        "::mlir::DenseIntElementsAttr":$sub_scales);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Dyadic multipliers
//===----------------------------------------------------------------------===//

def QuantX_DyadicAttr : QuantX_Attr<"Dyadic", "dyadic"> {
  let summary = "int32 multipliers and right shifts: scale = m * 2^-shift";
  let description = [{
    One (`multiplier`, `shift`) pair per tensor, or one per channel. Each pair
    stands for the real number `multiplier * 2^-shift`, with `multiplier` in
    `[0, 2^31)` and `shift` in `[0, 62]`; `quantx::computeDyadic` produces the
    normalized form (`multiplier` in `[2^30, 2^31)`) from a real scale.
    `rounding` says how the product is rounded (see `docs/Numerics.md`).

    ```mlir
    #quantx.dyadic<multiplier = [1518500250], shift = [38], rounding = double>
    ```
  }];
  let parameters = (ins QuantX_I32ArrayParam:$multiplier,
                        QuantX_I32ArrayParam:$shift,
                        EnumParameter<QuantX_RoundingMode>:$rounding);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The number of (multiplier, shift) pairs: 1 per tensor, else per channel.
    size_t size() const { return getMultiplier().size(); }
    /// The real number that pair `i` stands for.
    double getScale(size_t i) const;
  }];
}

//===----------------------------------------------------------------------===//
// Calibration statistics
//===----------------------------------------------------------------------===//

def QuantX_HistogramAttr : QuantX_Attr<"Histogram", "histogram"> {
  let summary = "a histogram of observed values over [min, max)";
  let description = [{
    `counts.size()` equal-width bins covering `[min, max)`; the last bin also
    holds `max`.
  }];
  let parameters = (ins QuantX_F64Param:$min, QuantX_F64Param:$max,
                        QuantX_I64ArrayParam:$counts);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def QuantX_CalibStatsAttr : QuantX_Attr<"CalibStats", "calib_stats"> {
  let summary = "statistics of one activation observed during calibration";
  let description = [{
    ```mlir
    #quantx.calib_stats<min = -1.5, max = 4.0,
        histogram = #quantx.histogram<min = -1.5, max = 4.0, counts = [...]>>
    ```
  }];
  let parameters = (ins QuantX_F64Param:$min, QuantX_F64Param:$max,
                        OptionalParameter<"::mlir::quantx::HistogramAttr">:$histogram);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Per-layer precision
//===----------------------------------------------------------------------===//

def QuantX_GranularityParam : EnumParameter<QuantX_WeightGranularity> {
  let defaultValue = "::mlir::quantx::WeightGranularity::PerChannel";
}

def QuantX_LevelsParam : EnumParameter<QuantX_WeightLevels> {
  let defaultValue = "::mlir::quantx::WeightLevels::Uniform";
}

def QuantX_PrecisionAttr : QuantX_Attr<"Precision", "precision"> {
  let summary = "the precision one conv/matmul layer is quantized to";
  let description = [{
    Set on a quantizable op (conv2d, depthwise_conv2d, matmul) as the
    discardable attribute `quantx.precision`, by `quantx-set-precision` or
    by hand; `quantx-quantize` honours it, and an op without one gets int8
    per-channel weights with 8-bit activations. `weights = float` keeps the
    layer float (a deny-list); the other fields then do not apply.
    `block` is the group size G of `group` and the vector length N of
    `two_level`. `activations` is 8, 16 or 1 (sign activations, for binary
    networks). `levels` says which integers the weight codes stand for:
    `uniform` (the default), a learned `codebook`, or powers of two
    (`pow2`); see `WeightLevels`.

    ```mlir
    #quantx.precision<weights = int4>
    #quantx.precision<weights = int4, granularity = group, block = 32>
    #quantx.precision<weights = int8, activations = 16>
    #quantx.precision<weights = float>
    #quantx.precision<weights = int4, levels = codebook>
    ```
  }];
  let parameters = (ins
    EnumParameter<QuantX_WeightFormat>:$weights,
    QuantX_GranularityParam:$granularity,
    DefaultValuedParameter<"int64_t", "0">:$block,
    DefaultValuedParameter<"int64_t", "8">:$activations,
    QuantX_LevelsParam:$levels);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bits per stored weight: 8, 4, 3, 2 (ternary), 1 (binary); 32 for float.
    int64_t getWeightBits() const;
    /// The largest integer magnitude a weight takes (127 for int8, 7 for
    /// int4, 1 for ternary and binary, 127 for a codebook, 64 for 4-bit
    /// powers of two).
    int64_t getMaxWeightMagnitude() const;
    /// Bits of the integers the layer multiplies: the stored bits for
    /// uniform, ternary and binary weights; for codebook and power-of-two
    /// codes, those of the decoded integers (8 for a codebook). What
    /// bit-operation counts use.
    int64_t getArithmeticWeightBits() const;
    /// Whether the weight codes index a table (codebook or pow2).
    bool hasWeightTable() const {
      return getLevels() != WeightLevels::Uniform;
    }
    /// The largest integer sub-scale of a group or two-level vector: the
    /// largest that keeps every weight times its sub-scale within int8 (so
    /// the int8 kernels compute the layer exactly), and at most 15 (4-bit
    /// sub-scales, VS-Quant's choice) for two-level. 1 for other
    /// granularities.
    int64_t getMaxSubscale() const;
    bool isFloat() const { return getWeights() == WeightFormat::Float; }
    /// The text form `quantx-set-precision` reads (`w4a8`, `w4a8-g32`, ...).
    std::string str() const;
  }];
}

#endif // QUANTX_ATTRS_TD
