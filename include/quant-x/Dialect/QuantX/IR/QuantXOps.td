//===- QuantXOps.td - quantx operations --------------------*- tablegen -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_OPS_TD
#define QUANTX_OPS_TD

include "quant-x/Dialect/QuantX/IR/QuantXTypes.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"

class QuantX_Op<string mnemonic, list<Trait> traits = []>
    : Op<QuantX_Dialect, mnemonic, traits>;

def QuantX_FloatTensor : RankedTensorOf<[AnyFloat]>;
def QuantX_IntTensor : RankedTensorOf<[AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Quantized level
//===----------------------------------------------------------------------===//

def QuantX_QuantizeOp : QuantX_Op<"quantize",
    [Pure, SameOperandsAndResultShape]> {
  let summary = "float tensor to quantized tensor";
  let description = [{
    `q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax)`, computed
    in the expressed type; NaN becomes the zero point, infinities saturate.

    ```mlir
    %q = quantx.quantize %x : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32,
        #quantx.per_tensor<scale = 0.1, zero_point = 0>>>
    ```
  }];
  let arguments = (ins QuantX_FloatTensor:$input);
  let results = (outs QuantX_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QuantX_DequantizeOp : QuantX_Op<"dequantize",
    [Pure, SameOperandsAndResultShape]> {
  let summary = "quantized tensor to float tensor";
  let description = [{
    `x = (q - zero_point) * scale`, computed in the expressed type.
  }];
  let arguments = (ins QuantX_QuantizedTensor:$input);
  let results = (outs QuantX_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QuantX_RequantizeOp : QuantX_Op<"requantize",
    [Pure, SameOperandsAndResultShape]> {
  let summary = "quantized tensor to another quantization";
  let description = [{
    Changes scale, zero point, granularity or storage type. Its meaning is
    `quantize(dequantize(x))`; lowered to integers it becomes a dyadic rescale
    whose multiplier per element is `scale_in / scale_out` (see
    `docs/Numerics.md` for the rounding).
  }];
  let arguments = (ins QuantX_QuantizedTensor:$input);
  let results = (outs QuantX_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QuantX_StorageCastOp : QuantX_Op<"storage_cast",
    [Pure, SameOperandsAndResultShape]> {
  let summary = "reinterpret a quantized tensor as its storage integers, or back";
  let description = [{
    No computation: the bits stay. One side is a quantized tensor, the other
    a signless integer tensor of the storage width. This is the boundary
    between the quantized and the integer level.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Integer level
//===----------------------------------------------------------------------===//

def QuantX_RescaleOp : QuantX_Op<"rescale",
    [Pure, SameOperandsAndResultShape]> {
  let summary = "saturating dyadic rescale of integers";
  let description = [{
    For each element `x` (signed, or unsigned with `input_unsigned`):

    ```
    y = clamp(dyadic(x - input_zero_point) + output_zero_point, lo, hi)
    ```

    where `dyadic` multiplies by `multiplier * 2^-shift` with the rounding of
    the `#quantx.dyadic` attribute (bit-exact definition in
    `docs/Numerics.md`) and `[lo, hi]` is the output type's range (unsigned
    with `output_unsigned`), narrowed by `clamp_min`/`clamp_max` (a fused
    ReLU, a narrow range). A per-channel multiplier needs `axis`.

    ```mlir
    %y = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1276901417],
        shift = [39], rounding = double>, output_zero_point = -3 : i64}
        : tensor<1x16xi32> -> tensor<1x16xi8>
    ```
  }];
  let arguments = (ins QuantX_IntTensor:$input,
                       QuantX_DyadicAttr:$multiplier,
                       DefaultValuedAttr<I64Attr, "0">:$input_zero_point,
                       DefaultValuedAttr<I64Attr, "0">:$output_zero_point,
                       OptionalAttr<I64Attr>:$axis,
                       UnitAttr:$input_unsigned,
                       UnitAttr:$output_unsigned,
                       OptionalAttr<I64Attr>:$clamp_min,
                       OptionalAttr<I64Attr>:$clamp_max);
  let results = (outs QuantX_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The output range after the optional clamp.
    int64_t getOutputMin();
    int64_t getOutputMax();
  }];
}

def QuantX_PackedFormatAttr
    : EnumAttr<QuantX_Dialect, QuantX_PackedFormat, "packed_format"> {
  let assemblyFormat = "$value";
}

def QuantX_UnpackWeightsOp : QuantX_Op<"unpack_weights",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "sub-byte packed weights (times integer sub-scales, or "
                "through a codebook) to int8";
  let description = [{
    Expands weights stored at fewer than 8 bits (`#quantx.packed_format`:
    `int4`, `int2`, `sign`) from the 1-D byte tensor `packed` to an int8
    tensor of the result's shape, element `i` (row-major) from packed
    element `i`. With `subscales` (two-level and group scales), each element
    is multiplied by the small unsigned integer sub-scale of its vector: the
    sub-scale tensor has the result's shape with dimension `axis` divided by
    `block`, and element `[.., j, ..]` takes sub-scale `[.., j / block, ..]`.
    Sub-scales lie in [1, 127] and every product fits int8 (the verifier
    checks constant operands), so the result is exact and feeds the int8
    convolution and matmul kernels unchanged.

    With a `codebook` (codebook and power-of-two weights, `int4` or `int2`
    format), each packed element is instead an unsigned code `c` in
    `[0, 2^bits)` and the element is `codebook[c]`: the codebook is a 1-D
    int8 tensor of exactly 2^bits entries. A codebook and sub-scales do not
    go together.

    ```mlir
    %w = quantx.unpack_weights %bytes format int4
        : tensor<12xi8> -> tensor<2x3x4xi8>
    %v = quantx.unpack_weights %bytes, %sub format int4 {axis = 2 : i64, block = 2 : i64}
        : tensor<12xi8>, tensor<2x3x2xi8> -> tensor<2x3x4xi8>
    %c = quantx.unpack_weights %bytes codebook(%table : tensor<16xi8>)
        format int4 : tensor<12xi8> -> tensor<2x3x4xi8>
    ```
  }];
  let arguments = (ins 1DTensorOf<[I8]>:$packed,
                       Optional<RankedTensorOf<[I8]>>:$subscales,
                       Optional<1DTensorOf<[I8]>>:$codebook,
                       QuantX_PackedFormatAttr:$format,
                       OptionalAttr<I64Attr>:$axis,
                       OptionalAttr<I64Attr>:$block);
  let results = (outs StaticShapeTensorOf<[I8]>:$output);
  let assemblyFormat = [{
    $packed (`,` $subscales^)?
    (`codebook` `(` $codebook^ `:` type($codebook) `)`)?
    `format` `` $format attr-dict `:` type($packed)
    (`,` type($subscales)^)? `->` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The int8 result when `packed` (and `subscales` or `codebook`) are
    /// constants, else null.
    ::mlir::DenseElementsAttr evaluate();
  }];
}

//===----------------------------------------------------------------------===//
// CPU kernel level
//===----------------------------------------------------------------------===//

def QuantX_KernelCallOp : QuantX_Op<"kernel_call",
    [DestinationStyleOpInterface,
     DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "a call of a runtime CPU kernel";
  let description = [{
    Emitted by `quantx-lower-to-kernels`: runs the runtime kernel named
    `kernel` (see `include/quant-x/Runtime/Kernels.h`) on `inputs` (the
    activation, the weights packed at compile time, the bias and the
    requantization table) and writes `init`. `params` is the kernel's
    parameter array (shapes, strides, padding, ISA, epilogue). On tensors the
    op returns the written tensor; after bufferization it has no result and
    `quantx-lower-kernel-calls` turns it into a call with pointers.

    ```mlir
    %y = quantx.kernel_call "quantx_kernel_conv_s8"(%x, %w, %b, %rq
        : tensor<1x8x8x16xi8>, tensor<2304xi8>, tensor<16xi32>, tensor<32xi32>)
        outs(%init : tensor<1x8x8x16xi8>) {params = array<i64: ...>}
        -> tensor<1x8x8x16xi8>
    ```
  }];
  let arguments = (ins StrAttr:$kernel, Variadic<AnyShaped>:$inputs,
                       AnyShaped:$init, DenseI64ArrayAttr:$params);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $kernel `(` $inputs `:` type($inputs) `)` `outs` `(` $init `:` type($init)
    `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
}

#endif // QUANTX_OPS_TD
