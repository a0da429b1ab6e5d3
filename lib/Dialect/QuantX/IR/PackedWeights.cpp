//===- PackedWeights.cpp - sub-byte weight storage ------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::quantx;

int64_t mlir::quantx::getPackedBits(PackedFormat format) {
  switch (format) {
  case PackedFormat::Int4:
    return 4;
  case PackedFormat::Int2:
    return 2;
  case PackedFormat::Sign:
    return 1;
  }
  llvm_unreachable("unknown packed format");
}

int64_t mlir::quantx::getPackedBytes(PackedFormat format, int64_t count) {
  int64_t perByte = 8 / getPackedBits(format);
  return (count + perByte - 1) / perByte;
}

bool mlir::quantx::isPackable(PackedFormat format, int64_t value) {
  if (format == PackedFormat::Sign)
    return value == -1 || value == 1;
  int64_t half = int64_t(1) << (getPackedBits(format) - 1);
  return value >= -half && value < half;
}

std::optional<PackedFormat>
mlir::quantx::choosePackedFormat(WeightFormat weights,
                                 ArrayRef<int64_t> values) {
  switch (weights) {
  case WeightFormat::Int4:
  case WeightFormat::Int3:
    return PackedFormat::Int4;
  case WeightFormat::Int2:
  case WeightFormat::Ternary:
    return PackedFormat::Int2;
  case WeightFormat::Binary:
    if (llvm::all_of(values, [](int64_t v) {
          return isPackable(PackedFormat::Sign, v);
        }))
      return PackedFormat::Sign;
    return PackedFormat::Int2;
  case WeightFormat::Int8:
  case WeightFormat::Float:
    return std::nullopt;
  }
  llvm_unreachable("unknown weight format");
}

SmallVector<int8_t> mlir::quantx::packValues(PackedFormat format,
                                             ArrayRef<int64_t> values) {
  int64_t bits = getPackedBits(format), perByte = 8 / bits;
  uint32_t mask = (1u << bits) - 1;
  SmallVector<uint8_t> bytes(getPackedBytes(format, values.size()), 0);
  for (auto [i, v] : llvm::enumerate(values)) {
    assert(isPackable(format, v) && "value outside the packed format");
    uint32_t code =
        format == PackedFormat::Sign ? (v > 0 ? 1u : 0u) : uint32_t(v) & mask;
    bytes[i / perByte] |= uint8_t(code << ((i % perByte) * bits));
  }
  return SmallVector<int8_t>(bytes.begin(), bytes.end());
}

int64_t mlir::quantx::unpackCode(PackedFormat format, ArrayRef<int8_t> bytes,
                                 int64_t index) {
  int64_t bits = getPackedBits(format), perByte = 8 / bits;
  uint32_t byte = uint8_t(bytes[index / perByte]);
  return (byte >> ((index % perByte) * bits)) & ((1u << bits) - 1);
}

SmallVector<int8_t> mlir::quantx::packCodes(PackedFormat format,
                                            ArrayRef<int64_t> codes) {
  int64_t bits = getPackedBits(format), perByte = 8 / bits;
  SmallVector<uint8_t> bytes(getPackedBytes(format, codes.size()), 0);
  for (auto [i, code] : llvm::enumerate(codes)) {
    assert(code >= 0 && code < (int64_t(1) << bits) && "code out of range");
    bytes[i / perByte] |= uint8_t(uint32_t(code) << ((i % perByte) * bits));
  }
  return SmallVector<int8_t>(bytes.begin(), bytes.end());
}

std::optional<SmallVector<int64_t>>
mlir::quantx::encodeWithCodebook(ArrayRef<int64_t> values,
                                 ArrayRef<int64_t> codebook) {
  llvm::SmallDenseMap<int64_t, int64_t> codeOf;
  for (auto [code, value] : llvm::enumerate(codebook))
    codeOf.try_emplace(value, int64_t(code));
  SmallVector<int64_t> codes;
  codes.reserve(values.size());
  for (int64_t value : values) {
    auto it = codeOf.find(value);
    if (it == codeOf.end())
      return std::nullopt;
    codes.push_back(it->second);
  }
  return codes;
}

int64_t mlir::quantx::unpackValue(PackedFormat format, ArrayRef<int8_t> bytes,
                                  int64_t index) {
  int64_t bits = getPackedBits(format);
  int64_t code = unpackCode(format, bytes, index);
  if (format == PackedFormat::Sign)
    return code ? 1 : -1;
  // Two's complement of `bits` bits.
  int64_t half = int64_t(1) << (bits - 1);
  return code >= half ? code - 2 * half : code;
}

int64_t mlir::quantx::getSubscaleIndex(ArrayRef<int64_t> shape, int64_t axis,
                                       int64_t block, int64_t index) {
  int64_t inner = 1;
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  int64_t along = shape[axis];
  int64_t outer = index / (along * inner);
  int64_t position = (index / inner) % along;
  return (outer * (along / block) + position / block) * inner + index % inner;
}
