//===- QuantXTypes.td - quantx types -----------------------*- tablegen -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_TYPES_TD
#define QUANTX_TYPES_TD

include "quant-x/Dialect/QuantX/IR/QuantXAttrs.td"

class QuantX_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<QuantX_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def QuantX_UniformType : QuantX_Type<"Uniform", "uniform"> {
  let summary = "uniformly quantized element type";
  let description = [{
    A value stored as an integer of `storage_type` (`iN` signed, `uiN`
    unsigned, 1 <= N <= 32; 32 for accumulators) that stands for the `expressed_type` value
    `scale * (q - zero_point)`, with scales and zero points given by `params`
    at any granularity. `narrow` drops the most negative storage value
    (signed int8 becomes [-127, 127]).

    ```mlir
    tensor<16x3x3x8x!quantx.uniform<i8:f32, narrow,
        #quantx.per_axis<axis = 0, scales = [...]>>>
    tensor<1x16x16x8x!quantx.uniform<i8:f32,
        #quantx.per_tensor<scale = 0.02, zero_point = -5>>>
    ```
  }];
  let parameters = (ins "::mlir::IntegerType":$storage_type,
                        "::mlir::FloatType":$expressed_type,
                        "bool":$narrow_range,
                        "::mlir::quantx::QuantParamsAttr":$params);
  // `<` storage `:` expressed `,` [`narrow` `,`] params `>`, written by hand
  // because ODS would put spaces around the `:`.
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether the storage integer is signed (`iN`) rather than unsigned.
    bool isSigned() const { return !getStorageType().isUnsigned(); }
    unsigned getStorageWidth() const { return getStorageType().getWidth(); }
    /// Smallest and largest storage values, narrow range included.
    int64_t getStorageMin() const;
    int64_t getStorageMax() const;
    /// Verifies `params` against the shape of a tensor of this type.
    ::llvm::LogicalResult verifyForShape(::llvm::ArrayRef<int64_t> shape,
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError) const;
  }];
}

/// A ranked tensor whose elements are `!quantx.uniform`.
def QuantX_QuantizedTensor : RankedTensorOf<[QuantX_UniformType]>;

#endif // QUANTX_TYPES_TD
