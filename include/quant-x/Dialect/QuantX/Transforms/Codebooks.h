//===- Codebooks.h - non-uniform weight levels: codebooks, pow2 -*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Codebook and power-of-two weights (`#quantx.precision<levels = ...>`):
// a layer's weights are int8 integers drawn from a table of 2^bits entries
// and stored as bits-bit codes into it. Codebooks are learned per layer,
// after each output channel's weights are scaled to [-127, 127], by an
// exact 1-D k-means (Deep Compression's weight sharing, solved optimally by
// dynamic programming over the integer histogram instead of Lloyd's
// iterations); pow2 tables are fixed. One table per layer is what lets a
// kernel decode 4-bit codes with a single byte shuffle.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_TRANSFORMS_CODEBOOKS_H
#define QUANTX_DIALECT_QUANTX_TRANSFORMS_CODEBOOKS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::quantx {

/// The entry of `sortedLevels` (ascending, not empty) nearest to `x`, the
/// lower one on a tie.
int64_t getNearestLevel(double x, llvm::ArrayRef<int64_t> sortedLevels);

/// The table of `bits`-bit power-of-two codes (2^bits entries): code c <
/// 2^(bits-1) stands for 0 (c = 0) or 2^(c-1), code c + 2^(bits-1) for
/// the negation of code c (so code 2^(bits-1) is a second zero).
std::vector<int64_t> getPow2Table(int64_t bits);

/// A codebook of at most `entries` distinct integers in [-maxInteger,
/// maxInteger] for `values` (already scaled to that range, clipped to it):
/// the one minimizing sum_i (x_i - its cluster's entry)^2 among partitions
/// of the values into runs of histogram bins (1024 / (2 maxInteger + 1) bins
/// per integer; each entry its cluster's rounded mean), exactly, by dynamic
/// programming; then improved by Lloyd's iterations (values to their
/// nearest entry, entries to their cluster's rounded mean), which never
/// raise sum_i (x_i - nearest entry)^2. Ascending; fewer than `entries`
/// when fewer bins are occupied; {0} for no values.
std::vector<int64_t> learnCodebook(llvm::ArrayRef<double> values,
                                   int64_t entries, int64_t maxInteger = 127);

/// `table` (a codebook or pow2 table) sorted ascending without duplicates.
std::vector<int64_t> getSortedLevels(llvm::ArrayRef<int64_t> table);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_TRANSFORMS_CODEBOOKS_H
