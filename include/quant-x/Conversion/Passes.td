//===- Passes.td - quant-x conversion passes ---------------*- tablegen -*-===//

#ifndef QUANTX_CONVERSION_PASSES_TD
#define QUANTX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQuantXToArith : Pass<"quantx-lower-to-arith", "ModuleOp"> {
  let summary = "Lower quantx ops to integer arith on tensors";
  let description = [{
    Replaces every quantized tensor by its storage integers and every quantx
    op by a `linalg.generic` whose body is scalar `arith` (and `math.roundeven`
    for quantize):

    - `quantx.requantize` and `quantx.rescale` become integer-only arithmetic:
      the multiplier of each block is `scale_in / scale_out` as an exact
      dyadic value, rounded as `rounding` says. 64-bit intermediates appear
      only where the rounding needs them; when the input range and a constant
      multiplier prove that 32 bits suffice, the whole rescale is 32-bit.
    - `quantx.quantize` / `quantx.dequantize` become float <-> integer
      arithmetic with round-half-to-even and saturation.
    - Function signatures, calls and returns take the storage integer types.

    Per-axis and per-block parameters become constant tensors read through
    `floordiv` indexing maps, so no parameter is materialized per element.

    Before:
    ```mlir
    %y = quantx.requantize %x : tensor<8x!quantx.uniform<i8:f32,
        #quantx.per_tensor<scale = 0.5, zero_point = 1>>>
      -> tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 0>>>
    ```
    After: a `linalg.generic` on `tensor<8xi8>` computing
    `clamp(dyadic(x - 1), -128, 127)` with multiplier 2^30 and shift 29.
  }];
  let options = [
    Option<"rounding", "rounding", "::mlir::quantx::RoundingMode",
           "::mlir::quantx::RoundingMode::Double",
           "Rounding of the requantize multipliers",
           [{::llvm::cl::values(
             clEnumValN(::mlir::quantx::RoundingMode::Double, "double",
                        "TFLite/gemmlowp double rounding"),
             clEnumValN(::mlir::quantx::RoundingMode::Single, "single",
                        "TOSA SINGLE_ROUND"))}]>,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def ImportUpstreamQuant : Pass<"quantx-import-quant", "ModuleOp"> {
  let summary = "Convert upstream !quant types and quant ops to quantx";
  let description = [{
    `!quant.uniform` (per tensor, per axis and sub-channel) become
    `!quantx.uniform` with `#quantx.per_tensor`, `#quantx.per_axis` and
    `#quantx.per_block`; `quant.qcast`, `quant.dcast` and `quant.scast` become
    `quantx.quantize`, `quantx.dequantize` and `quantx.storage_cast`. Function
    signatures, calls and returns are converted. Storage bounds other than the
    full or the narrow range, and ops outside func and quant that use
    quantized types, are refused with a diagnostic.
  }];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def ExportUpstreamQuant : Pass<"quantx-export-quant", "ModuleOp"> {
  let summary = "Convert quantx types and ops to upstream !quant and quant ops";
  let description = [{
    The inverse of `quantx-import-quant`. `quantx.requantize` becomes
    `quant.dcast` followed by `quant.qcast` (its meaning). Two-level
    quantization has no upstream equivalent and is refused with a diagnostic,
    as is `quantx.rescale` on quantized types.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

#endif // QUANTX_CONVERSION_PASSES_TD
