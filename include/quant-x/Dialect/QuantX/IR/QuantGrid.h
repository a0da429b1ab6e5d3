//===- QuantGrid.h - quantization parameters on a block grid ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every granularity (per tensor, per axis, per block, two-level) is, for a
// concrete tensor shape, a grid of blocks with one scale and one zero point
// each. Verifiers and lowerings work on this one form.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_IR_QUANTGRID_H
#define QUANTX_DIALECT_QUANTX_IR_QUANTGRID_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>

namespace mlir::quantx {

/// Scales and zero points, one per block; blocks tile the tensor.
struct QuantGrid {
  /// The most blocks a grid may have. Lowerings materialize one scale and one
  /// zero point per block, and a splat attribute of a few bytes can declare
  /// any number of them; the verifiers refuse parameters past this bound, so
  /// that getGrid and refine never allocate more than a few GiB.
  static constexpr int64_t kMaxBlocks = int64_t(1) << 28;

  /// Block extent per tensor dimension; divides the dimension.
  llvm::SmallVector<int64_t> blockSizes;
  /// Number of blocks per dimension (tensor shape / blockSizes).
  llvm::SmallVector<int64_t> shape;
  /// Row-major over `shape`.
  llvm::SmallVector<double> scales;
  llvm::SmallVector<int64_t> zeroPoints;

  /// A grid with a single block covering `tensorShape`.
  static QuantGrid uniform(llvm::ArrayRef<int64_t> tensorShape, double scale,
                           int64_t zeroPoint);

  int64_t getNumBlocks() const { return scales.size(); }
  /// Whether every dimension has a single block.
  bool isPerTensor() const;
  /// The one dimension with several blocks of size 1, if the grid is exactly
  /// per-axis; -1 otherwise.
  int64_t getPerAxisDim() const;

  /// The same values on a finer grid whose block sizes divide ours.
  QuantGrid refine(llvm::ArrayRef<int64_t> finerBlockSizes) const;
};

/// The product of `values` (an element count), or nullopt when a value is
/// negative (dynamic) or the product overflows int64.
std::optional<int64_t> getCheckedProduct(llvm::ArrayRef<int64_t> values);

/// Per dimension, the largest block size dividing the block sizes of both
/// grids: the coarsest grid on which both are constant per block.
llvm::SmallVector<int64_t> commonBlockSizes(const QuantGrid &a,
                                            const QuantGrid &b);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_IR_QUANTGRID_H
