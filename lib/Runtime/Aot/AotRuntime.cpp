//===- AotRuntime.cpp - what quant-compile's objects call -----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The functions an object from quant-compile calls besides the kernels,
// which the JIT binds from MLIR's runtime and quant-x's buffer cache: the
// buffer allocation functions of MLIR's memref lowering, memrefCopy, and
// the C ABI's error and thread functions. No LLVM or MLIR: with
// libQuantXKernels.a, all a compiled model needs.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/BufferCache.h"
#include "quant-x/Runtime/Kernels.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace qk = ::quantx::kernels;

namespace {
/// MLIR's ranked memref descriptor, any rank: {allocated, aligned, offset,
/// sizes[rank], strides[rank]}.
struct StridedDescriptor {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[];
};
/// MLIR's unranked memref: the rank and a ranked descriptor.
struct UnrankedMemRef {
  int64_t rank;
  StridedDescriptor *descriptor;
};

/// Why the calling thread's last failed call failed.
thread_local std::string lastError;

/// Copies the elements of `from` into `to` (both of `rank` dimensions,
/// `sizes`), `elementBytes` each, through their strides.
void copyStrided(char *to, const int64_t *toStrides, const char *from,
                 const int64_t *fromStrides, const int64_t *sizes, int64_t rank,
                 int64_t elementBytes) {
  if (rank == 0) {
    std::memcpy(to, from, elementBytes);
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i)
    copyStrided(to + i * toStrides[0] * elementBytes, toStrides + 1,
                from + i * fromStrides[0] * elementBytes, fromStrides + 1,
                sizes + 1, rank - 1, elementBytes);
}
} // namespace

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  return qk::allocateCachedBuffer(bytes, 64);
}
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) {
  return qk::allocateCachedBuffer(bytes, alignment);
}
void _mlir_memref_to_llvm_free(void *buffer) {
  qk::releaseCachedBuffer(buffer);
}

/// memref.copy of non-contiguous memrefs (MLIR's CRunnerUtils signature).
void memrefCopy(int64_t elementBytes, UnrankedMemRef *from,
                UnrankedMemRef *to) {
  int64_t rank = from->rank;
  const StridedDescriptor &source = *from->descriptor;
  const StridedDescriptor &target = *to->descriptor;
  copyStrided(target.aligned + target.offset * elementBytes,
              target.sizesAndStrides + rank,
              source.aligned + source.offset * elementBytes,
              source.sizesAndStrides + rank, source.sizesAndStrides, rank,
              elementBytes);
}

/// Called by each compiled function after its body: 0, or 1 when a kernel
/// refused its call (the message is kept for quantx_last_error).
int quantx_aot_end_call(void) {
  std::string error = qk::takeCallError();
  if (error.empty())
    return 0;
  lastError = std::move(error);
  return 1;
}

const char *quantx_last_error(void) { return lastError.c_str(); }

void quantx_set_threads(int count) { qk::setThreadCount(count); }
}
