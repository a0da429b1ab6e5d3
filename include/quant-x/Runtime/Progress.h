//===- Progress.h - a progress bar on stderr --------------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Long loops (calibration, evaluation over a data set) report progress: a
// bar redrawn in place on a terminal, a line per quarter otherwise (logs).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_PROGRESS_H
#define QUANTX_RUNTIME_PROGRESS_H

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace mlir::quantx {

class ProgressBar {
public:
  /// Reports nothing when `enabled` is false, nor before `quietSeconds`
  /// have passed (so that loops that end quickly stay quiet).
  ProgressBar(llvm::StringRef label, int64_t total, bool enabled,
              double quietSeconds = 0);
  ~ProgressBar();
  /// `done` of `total` items are finished.
  void update(int64_t done);

private:
  std::string label;
  int64_t total;
  bool enabled, interactive;
  double quietSeconds;
  /// Whether anything was printed.
  bool shown = false;
  int64_t lastQuarter = 0;
  std::chrono::steady_clock::time_point start;
};

} // namespace mlir::quantx

#endif // QUANTX_RUNTIME_PROGRESS_H
