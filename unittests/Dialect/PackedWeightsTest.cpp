//===- PackedWeightsTest.cpp - sub-byte weight layout ---------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir;
using namespace mlir::quantx;

namespace {

/// Every value each format holds, at every slot of a byte, round-trips, and
/// sits where the layout says: element i in bits [(i % k) * b, ...) of
/// byte i / k, two's complement, or 0 / 1 for -1 / +1.
TEST(PackedWeightsTest, EveryValueAtEverySlot) {
  for (PackedFormat format :
       {PackedFormat::Int4, PackedFormat::Int2, PackedFormat::Sign}) {
    int64_t bits = getPackedBits(format), perByte = 8 / bits;
    SmallVector<int64_t> domain;
    for (int64_t v = -8; v <= 8; ++v)
      if (isPackable(format, v))
        domain.push_back(v);
    ASSERT_EQ(int64_t(domain.size()),
              format == PackedFormat::Sign ? 2 : int64_t(1) << bits);
    for (int64_t slot = 0; slot < perByte; ++slot)
      for (int64_t v : domain) {
        SmallVector<int64_t> values(perByte + 1,
                                    format == PackedFormat::Sign ? 1 : 0);
        values[slot] = v;
        SmallVector<int8_t> bytes = packValues(format, values);
        ASSERT_EQ(int64_t(bytes.size()), getPackedBytes(format, perByte + 1));
        for (int64_t i = 0; i <= perByte; ++i)
          ASSERT_EQ(unpackValue(format, bytes, i), values[i]);
        uint32_t code =
            (uint8_t(bytes[0]) >> (slot * bits)) & ((1u << bits) - 1);
        uint32_t want = format == PackedFormat::Sign
                            ? (v > 0 ? 1u : 0u)
                            : uint32_t(v) & ((1u << bits) - 1);
        ASSERT_EQ(code, want) << "slot " << slot << " value " << v;
      }
  }
}

/// Codebook codes: every code at every slot round-trips, unsigned, and
/// encoding through a codebook picks each value's first code.
TEST(PackedWeightsTest, CodesThroughACodebook) {
  for (PackedFormat format : {PackedFormat::Int4, PackedFormat::Int2}) {
    int64_t bits = getPackedBits(format), entries = int64_t(1) << bits;
    SmallVector<int64_t> codes;
    for (int64_t i = 0; i < 3 * entries + 1; ++i)
      codes.push_back((i * 7 + 3) % entries);
    SmallVector<int8_t> bytes = packCodes(format, codes);
    ASSERT_EQ(int64_t(bytes.size()), getPackedBytes(format, codes.size()));
    for (auto [i, code] : llvm::enumerate(codes))
      ASSERT_EQ(unpackCode(format, bytes, int64_t(i)), code);
  }
  SmallVector<int64_t> codebook = {-90, -3, 0, 5, 0, 127};
  auto codes = encodeWithCodebook({127, 0, -90, 5, 0}, codebook);
  ASSERT_TRUE(codes);
  EXPECT_EQ(*codes, (SmallVector<int64_t>{5, 2, 0, 3, 2}));
  EXPECT_FALSE(encodeWithCodebook({1}, codebook));
}

TEST(PackedWeightsTest, FormatOfEachWeightFormat) {
  EXPECT_EQ(choosePackedFormat(WeightFormat::Int4, {}), PackedFormat::Int4);
  EXPECT_EQ(choosePackedFormat(WeightFormat::Int3, {}), PackedFormat::Int4);
  EXPECT_EQ(choosePackedFormat(WeightFormat::Int2, {}), PackedFormat::Int2);
  EXPECT_EQ(choosePackedFormat(WeightFormat::Ternary, {}), PackedFormat::Int2);
  EXPECT_EQ(choosePackedFormat(WeightFormat::Binary, {1, -1}),
            PackedFormat::Sign);
  // An all-zero binary channel holds 0, which sign storage cannot.
  EXPECT_EQ(choosePackedFormat(WeightFormat::Binary, {1, 0}),
            PackedFormat::Int2);
  EXPECT_EQ(choosePackedFormat(WeightFormat::Int8, {}), std::nullopt);
}

/// getSubscaleIndex against the multi-index definition on random shapes.
TEST(PackedWeightsTest, SubscaleIndex) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    int64_t rank = 1 + rng() % 4;
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(1 + rng() % 5);
    int64_t axis = rng() % rank;
    int64_t block = 1 + rng() % 3;
    shape[axis] *= block;
    SmallVector<int64_t> grid(shape);
    grid[axis] /= block;
    int64_t count = 1;
    for (int64_t s : shape)
      count *= s;
    for (int64_t i = 0; i < count; ++i) {
      // The multi-index of i, its axis coordinate divided by block, and
      // the row-major index of that in the grid.
      SmallVector<int64_t> index(rank);
      for (int64_t d = rank - 1, rest = i; d >= 0; --d) {
        index[d] = rest % shape[d];
        rest /= shape[d];
      }
      index[axis] /= block;
      int64_t want = 0;
      for (int64_t d = 0; d < rank; ++d)
        want = want * grid[d] + index[d];
      ASSERT_EQ(getSubscaleIndex(shape, axis, block, i), want);
    }
  }
}

} // namespace
