//===- QuantXBase.td - quantx dialect definition -----------*- tablegen -*-===//
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
