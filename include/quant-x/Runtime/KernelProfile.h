//===- KernelProfile.h - per-shape timing of kernel calls -------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// With QUANTX_KERNEL_PROFILE=1 in the environment, every kernel call is
// timed, and at exit a table on stderr gives, per kernel and shape, the
// calls, the mean time and the GOP/s. docs/Performance.md reads it. The
// CPU kernels and the GPU kernel calls (GpuKernelCalls.h) record into it.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_KERNELPROFILE_H
#define QUANTX_RUNTIME_KERNELPROFILE_H

#include <cstdint>

namespace quantx::kernels {

/// Whether QUANTX_KERNEL_PROFILE is set (read once).
bool isProfiling();

/// Records one call of `kernel` with `params` that took `milliseconds`;
/// `withinAnotherCall`: a part of a call recorded too (a GPU call's
/// kernel), listed but not added to the total.
void recordCall(const char *kernel, const int64_t *params, double milliseconds,
                bool withinAnotherCall = false);

} // namespace quantx::kernels

#endif // QUANTX_RUNTIME_KERNELPROFILE_H
