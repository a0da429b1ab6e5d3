//===- PackedWeights.h - sub-byte weight storage ----------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The byte layout of `#quantx.packed_format` (see QuantXBase.td): which
// format stores a layer's weights, and packing and unpacking them. The
// quantize pass packs, `quantx.unpack_weights` and its lowerings unpack.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_IR_PACKEDWEIGHTS_H
#define QUANTX_DIALECT_QUANTX_IR_PACKEDWEIGHTS_H

#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

namespace mlir::quantx {

/// Bits per element.
int64_t getPackedBits(PackedFormat format);

/// Bytes that `count` elements take.
int64_t getPackedBytes(PackedFormat format, int64_t count);

/// Whether `format` holds `value` (`sign`: only -1 and +1).
bool isPackable(PackedFormat format, int64_t value);

/// The format with the fewest bits that holds weights of `weights` format
/// whose integers are `values`: none for int8 (stored as bytes). A binary
/// layer with an all-zero channel (integers 0) takes `int2`.
std::optional<PackedFormat> choosePackedFormat(WeightFormat weights,
                                               ArrayRef<int64_t> values);

/// `values` (each `isPackable`) packed into bytes.
SmallVector<int8_t> packValues(PackedFormat format, ArrayRef<int64_t> values);

/// Element `index` of `bytes`.
int64_t unpackValue(PackedFormat format, ArrayRef<int8_t> bytes, int64_t index);

/// The unsigned code of element `index` of `bytes` (`int4`, `int2`): what
/// indexes a codebook.
int64_t unpackCode(PackedFormat format, ArrayRef<int8_t> bytes, int64_t index);

/// `codes` (each in [0, 2^bits)) packed into bytes.
SmallVector<int8_t> packCodes(PackedFormat format, ArrayRef<int64_t> codes);

/// The code of each of `values` in `codebook` (its first entry equal to
/// the value), or none when some value is not in the codebook.
std::optional<SmallVector<int64_t>>
encodeWithCodebook(ArrayRef<int64_t> values, ArrayRef<int64_t> codebook);

/// The index of the sub-scale of element `index` of a row-major tensor of
/// `shape` whose dimension `axis` has one sub-scale per `block` elements.
int64_t getSubscaleIndex(ArrayRef<int64_t> shape, int64_t axis, int64_t block,
                         int64_t index);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_IR_PACKEDWEIGHTS_H
