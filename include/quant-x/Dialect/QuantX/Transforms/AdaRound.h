//===- AdaRound.h - learned weight rounding (AdaRound) ----------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// AdaRound (Nagel et al., ICML 2020): each weight chooses between the two
// grid points around it (floor or ceil, or the two codebook levels around
// it) through a continuous variable h in [0, 1] (a rectified sigmoid of V),
// optimized with Adam to minimize the layer's output error plus a
// regularizer that drives every h to 0 or 1 as its temperature falls.
// quant-x optimizes the output error in its second-moment form,
// tr((W~ - W) H (W~ - W)^T) with H = E[x x^T] of the layer's inputs (the
// paper's loss without the activation function), so an iteration costs one
// rows x cols x cols product and no pass over the data; the rows are
// independent. Deterministic: no sampling, h starts at the fraction
// round-to-nearest discards.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_TRANSFORMS_ADAROUND_H
#define QUANTX_DIALECT_QUANTX_TRANSFORMS_ADAROUND_H

#include "quant-x/Dialect/QuantX/Transforms/Gptq.h"

namespace mlir::quantx {

struct AdaRoundOptions {
  /// Adam steps.
  int64_t iterations = 1000;
  /// Weight of the rounding regularizer against the normalized output
  /// error (the paper's lambda).
  double regularization = 1.0;
  /// The regularizer's exponent anneals from `betaStart` to `betaEnd`
  /// after the first `warmup` fraction of the steps (no regularizer then).
  double betaStart = 20, betaEnd = 2, warmup = 0.2;
  /// Adam's step size on V.
  double learningRate = 0.05;
};

/// The integers (row-major) AdaRound chooses for `problem` (its `weights`
/// are the target the rounded weights should reproduce, its grid and
/// levels as GPTQ takes them), or none with `error` set when the problem
/// is malformed.
std::optional<std::vector<int64_t>>
roundWithAdaRound(const GptqProblem &problem, const AdaRoundOptions &options,
                  std::string &error);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_TRANSFORMS_ADAROUND_H
