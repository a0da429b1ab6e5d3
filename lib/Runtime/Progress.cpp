//===- Progress.cpp - a progress bar on stderr ----------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir::quantx;

ProgressBar::ProgressBar(llvm::StringRef label, int64_t total, bool enabled,
                         double quietSeconds)
    : label(label.str()), total(total), enabled(enabled && total > 0),
      interactive(llvm::errs().is_displayed()), quietSeconds(quietSeconds),
      start(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (shown && interactive)
    llvm::errs() << "\n";
}

void ProgressBar::update(int64_t done) {
  // Redraw at most ~200 times.
  if (!enabled || (done != total && done % std::max<int64_t>(1, total / 200)))
    return;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!shown && seconds < quietSeconds)
    return;
  shown = true;
  auto &os = llvm::errs();
  if (interactive) {
    constexpr int width = 30;
    int filled = int(width * done / total);
    os << "\r" << label << " [" << std::string(filled, '#')
       << std::string(width - filled, '.') << "] " << done << "/" << total
       << llvm::format(" %.1fs", seconds);
    os.flush();
    return;
  }
  int64_t quarter = 4 * done / total;
  if (quarter > lastQuarter) {
    lastQuarter = quarter;
    os << label << " " << done << "/" << total
       << llvm::format(" %.1fs", seconds) << "\n";
  }
}
