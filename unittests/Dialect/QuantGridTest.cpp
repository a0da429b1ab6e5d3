//===- QuantGridTest.cpp - block grids of quantization parameters ---------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/QuantGrid.h"

#include "gtest/gtest.h"

using namespace mlir::quantx;

TEST(QuantGrid, PerTensorRefinesToPerAxis) {
  QuantGrid grid = QuantGrid::uniform({4, 6}, 0.5, 3);
  EXPECT_TRUE(grid.isPerTensor());
  QuantGrid finer = grid.refine({1, 6});
  EXPECT_EQ(finer.shape, (llvm::SmallVector<int64_t>{4, 1}));
  EXPECT_EQ(finer.scales.size(), 4u);
  EXPECT_EQ(finer.getPerAxisDim(), 0);
  for (double s : finer.scales)
    EXPECT_EQ(s, 0.5);
}

TEST(QuantGrid, CommonBlocksOfAxisAndBlock) {
  // Per-axis on dim 0 and blocks of 2 along dim 1 meet on [1, 2] blocks.
  QuantGrid axis = QuantGrid::uniform({2, 4}, 1.0, 0);
  axis.blockSizes = {1, 4};
  axis.shape = {2, 1};
  axis.scales = {1.0, 2.0};
  axis.zeroPoints = {0, 1};
  QuantGrid block = QuantGrid::uniform({2, 4}, 1.0, 0);
  block.blockSizes = {2, 2};
  block.shape = {1, 2};
  block.scales = {10.0, 20.0};
  block.zeroPoints = {5, 6};
  auto common = commonBlockSizes(axis, block);
  EXPECT_EQ(common, (llvm::SmallVector<int64_t>{1, 2}));
  QuantGrid a = axis.refine(common), b = block.refine(common);
  EXPECT_EQ(a.scales, (llvm::SmallVector<double>{1.0, 1.0, 2.0, 2.0}));
  EXPECT_EQ(a.zeroPoints, (llvm::SmallVector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(b.scales, (llvm::SmallVector<double>{10.0, 20.0, 10.0, 20.0}));
  EXPECT_EQ(a.getPerAxisDim(), -1);
}
