//===- QuantGrid.cpp - quantization parameters on a block grid ------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/QuantGrid.h"

#include "llvm/Support/CheckedArithmetic.h"

#include <numeric>

using namespace mlir::quantx;

QuantGrid QuantGrid::uniform(llvm::ArrayRef<int64_t> tensorShape, double scale,
                             int64_t zeroPoint) {
  QuantGrid grid;
  grid.blockSizes.assign(tensorShape.begin(), tensorShape.end());
  grid.shape.assign(tensorShape.size(), 1);
  grid.scales = {scale};
  grid.zeroPoints = {zeroPoint};
  return grid;
}

bool QuantGrid::isPerTensor() const {
  return llvm::all_of(shape, [](int64_t n) { return n == 1; });
}

int64_t QuantGrid::getPerAxisDim() const {
  int64_t axis = -1;
  for (auto [dim, count] : llvm::enumerate(shape)) {
    if (count == 1)
      continue;
    if (axis != -1 || blockSizes[dim] != 1)
      return -1;
    axis = dim;
  }
  return axis;
}

QuantGrid QuantGrid::refine(llvm::ArrayRef<int64_t> finerBlockSizes) const {
  QuantGrid finer;
  finer.blockSizes.assign(finerBlockSizes.begin(), finerBlockSizes.end());
  int64_t rank = shape.size();
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    finer.shape.push_back(shape[d] * (blockSizes[d] / finerBlockSizes[d]));
    count *= finer.shape.back();
  }
  finer.scales.reserve(count);
  finer.zeroPoints.reserve(count);
  llvm::SmallVector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    // Source block of the finer block `index`.
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source =
          source * shape[d] + index[d] * finerBlockSizes[d] / blockSizes[d];
    finer.scales.push_back(scales[source]);
    finer.zeroPoints.push_back(zeroPoints[source]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < finer.shape[d])
        break;
      index[d] = 0;
    }
  }
  return finer;
}

std::optional<int64_t>
mlir::quantx::getCheckedProduct(llvm::ArrayRef<int64_t> values) {
  int64_t product = 1;
  for (int64_t value : values) {
    if (value < 0)
      return std::nullopt;
    std::optional<int64_t> next = llvm::checkedMul(product, value);
    if (!next)
      return std::nullopt;
    product = *next;
  }
  return product;
}

llvm::SmallVector<int64_t> mlir::quantx::commonBlockSizes(const QuantGrid &a,
                                                          const QuantGrid &b) {
  llvm::SmallVector<int64_t> sizes;
  for (auto [x, y] : llvm::zip_equal(a.blockSizes, b.blockSizes))
    sizes.push_back(std::gcd(x, y));
  return sizes;
}
