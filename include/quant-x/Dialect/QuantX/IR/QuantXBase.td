//===- QuantXBase.td - quantx dialect definition -----------*- tablegen -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The quantx dialect: quantized tensors with every granularity a quantization
// compiler needs, dyadic requantization multipliers and calibration statistics.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_BASE_TD
#define QUANTX_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def QuantX_Dialect : Dialect {
  let name = "quantx";
  let cppNamespace = "::mlir::quantx";
  let summary = "Quantized tensors, requantization and calibration for quant-x";
  let description = [{
    The `quantx` dialect has two levels. At the *quantized level* values carry
    their quantization in the `!quantx.uniform` element type (storage integer,
    expressed float, scales and zero points at any granularity), and
    `quantx.quantize`, `quantx.dequantize` and `quantx.requantize` move between
    representations. At the *integer level* only signless integer tensors
    remain, with explicit zero points and `quantx.rescale`, whose
    `#quantx.dyadic` multiplier makes every requantization exact integer
    arithmetic with a defined rounding.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();
  }];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def QuantX_WeightFormat : I32EnumAttr<"WeightFormat",
    "how a layer's weights are quantized", [
      I32EnumAttrCase<"Float", 0, "float">,
      I32EnumAttrCase<"Int8", 1, "int8">,
      I32EnumAttrCase<"Int4", 2, "int4">,
      I32EnumAttrCase<"Int3", 3, "int3">,
      I32EnumAttrCase<"Int2", 4, "int2">,
      I32EnumAttrCase<"Ternary", 5, "ternary">,
      I32EnumAttrCase<"Binary", 6, "binary">
    ]> {
  let cppNamespace = "::mlir::quantx";
  let genSpecializedAttr = 0;
  let description = [{
    `float`: the layer stays float. `intN`: symmetric N-bit integers in
    `[-(2^(N-1) - 1), 2^(N-1) - 1]` times a scale. `ternary`: `{-a, 0, +a}`
    per channel (Ternary Weight Networks). `binary`: `{-a, +a}` per channel,
    `a = mean|w|` (XNOR-Net).
  }];
}

def QuantX_WeightLevels : I32EnumAttr<"WeightLevels",
    "which integers an N-bit weight code stands for", [
      I32EnumAttrCase<"Uniform", 0, "uniform">,
      I32EnumAttrCase<"Codebook", 1, "codebook">,
      I32EnumAttrCase<"Pow2", 2, "pow2">
    ]> {
  let cppNamespace = "::mlir::quantx";
  let genSpecializedAttr = 0;
  let description = [{
    `uniform`: the N-bit code is the integer itself (`intN`). `codebook`:
    the code indexes a table of 2^N int8 integers that the quantizer learns
    per layer by 1-D k-means over the channel-normalized weights (Deep
    Compression's weight sharing). `pow2`: the code is a sign and an
    exponent, the integers `{0, +-1, +-2, ..., +-2^(2^(N-1) - 2)}` (to
    +-64 at 4 bits; a fixed table). Codebook and power-of-two weights are
    `int4`, `int3` or `int2` codes with one scale per channel or tensor;
    they are stored as packed codes and decoded through the table.
  }];
}

def QuantX_WeightGranularity : I32EnumAttr<"WeightGranularity",
    "which weights share a scale", [
      I32EnumAttrCase<"PerTensor", 0, "per_tensor">,
      I32EnumAttrCase<"PerChannel", 1, "per_channel">,
      I32EnumAttrCase<"Group", 2, "group">,
      I32EnumAttrCase<"TwoLevel", 3, "two_level">
    ]> {
  let cppNamespace = "::mlir::quantx";
  let genSpecializedAttr = 0;
  let description = [{
    `per_tensor`: one scale. `per_channel`: one per output channel. `group`:
    one per output channel and group of `block` consecutive elements of the
    reduction axis. `two_level`: a float scale per output channel times a
    small unsigned integer sub-scale per vector of `block` elements of the
    reduction axis (VS-Quant).
  }];
}

def QuantX_PackedFormat : I32EnumAttr<"PackedFormat",
    "how sub-byte integers are packed into bytes", [
      I32EnumAttrCase<"Int4", 0, "int4">,
      I32EnumAttrCase<"Int2", 1, "int2">,
      I32EnumAttrCase<"Sign", 2, "sign">
    ]> {
  let cppNamespace = "::mlir::quantx";
  let genSpecializedAttr = 0;
  let description = [{
    Element `i` of a row-major tensor lives in byte `i / (8 / bits)`, at bit
    `(i % (8 / bits)) * bits` (the first element in the low bits). `int4`:
    4-bit two's complement, two per byte (int4 and int3 weights). `int2`:
    2-bit two's complement, four per byte (int2 and ternary weights). `sign`:
    one bit per element, 0 for -1 and 1 for +1, eight per byte (binary
    weights: the exact `{-1, +1}` that `ui1` storage cannot express).
  }];
}

def QuantX_RoundingMode : I32EnumAttr<"RoundingMode",
    "rounding of a dyadic rescale", [
      I32EnumAttrCase<"Double", 0, "double">,
      I32EnumAttrCase<"Single", 1, "single">
    ]> {
  let cppNamespace = "::mlir::quantx";
  let genSpecializedAttr = 0;
  let description = [{
    `double`: TFLite/gemmlowp SaturatingRoundingDoublingHighMul (ties toward
    +infinity) followed by RoundingDivideByPOT (ties away from zero).
    `single`: one rounding of the exact 64-bit product, half toward +infinity
    (TOSA SINGLE_ROUND, TFLite single rounding).
  }];
}

#endif // QUANTX_BASE_TD
