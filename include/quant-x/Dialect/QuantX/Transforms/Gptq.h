//===- Gptq.h - second-order weight rounding (GPTQ) -------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// GPTQ (Frantar et al., ICLR 2023; after Optimal Brain Quantization): rounds
// a layer's weights one input column at a time and spreads each column's
// rounding error over the columns not yet rounded, through the inverse of
// the layer-input Hessian H = E[x x^T], so that the layer's output W x
// moves as little as possible. quant-x keeps the grid fixed (the steps of
// the weight quantizer, chosen from the float weights as round-to-nearest
// would) and chooses only the integers, which may then differ from the
// nearest ones.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_DIALECT_QUANTX_TRANSFORMS_GPTQ_H
#define QUANTX_DIALECT_QUANTX_TRANSFORMS_GPTQ_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::quantx {

struct GptqOptions {
  /// Added to H's diagonal, as a fraction of its mean (the paper's 1%).
  double dampening = 0.01;
  /// Rounds the columns with the largest H_ii (the inputs with the most
  /// energy) first ("act-order").
  bool actOrder = true;
};

/// One weight matrix to round: `rows` outputs x `cols` inputs, row-major.
struct GptqProblem {
  int64_t rows = 0, cols = 0;
  llvm::ArrayRef<double> weights;
  /// The grid step of each weight (row-major, like `weights`): weight w
  /// becomes integer q * step with |q| <= maxInteger.
  llvm::ArrayRef<double> steps;
  int64_t maxInteger = 127;
  /// When not empty, the only integers q may be (ascending: a codebook's
  /// or pow2 table's levels), each weight rounded to the nearest;
  /// `maxInteger` then does not apply.
  llvm::ArrayRef<int64_t> levels;
  /// E[x x^T] of the inputs (cols x cols, symmetric positive semidefinite).
  llvm::ArrayRef<double> hessian;
};

/// Whether `problem` is well formed (sizes, sorted levels, positive steps,
/// a finite Hessian); if not, `error` says why, naming `method`.
bool checkRoundingProblem(const GptqProblem &problem, llvm::StringRef method,
                          std::string &error);

/// The integers (row-major) GPTQ chooses, or none with `error` set when
/// the problem is malformed or H is not positive definite even after
/// dampening (increased tenfold up to three times).
std::optional<std::vector<int64_t>> roundWithGptq(const GptqProblem &problem,
                                                  const GptqOptions &options,
                                                  std::string &error);

/// The weights V (`rows` x `cols`, row-major) whose output on the quantized
/// model's inputs x comes closest to the float model's W x_f:
/// argmin E|V x - W x_f|^2 = W E[x_f x^T] H^-1 with H = E[x x^T] dampened
/// as GPTQ dampens it (`dampening` times its mean diagonal, and a unit
/// diagonal for inputs that are always 0). `cross` is E[x x_f^T]. Computed
/// as W + W (E[x_f x^T] - H) H^-1, which is W where x_f = x. Since
/// E|V x - W x_f|^2 = tr((V - V*) H (V - V*)^T) + const, rounding V* with
/// GPTQ on H minimizes the error against the float model. None (with
/// `error` set) when H is not positive definite or not finite.
std::optional<std::vector<double>>
getFloatModelTarget(llvm::ArrayRef<double> weights,
                    llvm::ArrayRef<double> hessian,
                    llvm::ArrayRef<double> cross, int64_t rows, int64_t cols,
                    double dampening, std::string &error);

/// tr(D H D^T): the expected squared output error of the weight errors D
/// (`rows` x `cols`, row-major) on inputs with E[x x^T] = H (`cols` x
/// `cols`). What GPTQ minimizes, column by column.
double getOutputError(llvm::ArrayRef<double> delta,
                      llvm::ArrayRef<double> hessian, int64_t rows,
                      int64_t cols);

} // namespace mlir::quantx

#endif // QUANTX_DIALECT_QUANTX_TRANSFORMS_GPTQ_H
