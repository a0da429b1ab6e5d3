//===- ThreadPool.h - the kernels' worker threads ---------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A fixed set of workers that split a range of work items into contiguous
// chunks, one per thread (the caller runs the first). Contiguous chunks let a
// thread reuse the activation block it packed for the previous item.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_THREADPOOL_H
#define QUANTX_LIB_RUNTIME_KERNELS_THREADPOOL_H

#include <cstdint>
#include <type_traits>

namespace quantx::kernels {

using ChunkFn = void (*)(void *context, int64_t begin, int64_t end);

/// Calls `body(context, begin, end)` on disjoint chunks covering [0, count),
/// at most one chunk per thread of getThreadCount(), and returns when all are
/// done. Calls from inside a chunk run serially. (A plain function pointer:
/// std::function would put shared inline code into the ISA files, see
/// IsaLocal.h.)
void parallelForChunks(int64_t count, ChunkFn body, void *context);

namespace {
/// parallelForChunks over a callable `body(begin, end)`.
template <class Body>
void parallelFor(int64_t count, Body &&body) {
  using Callable = std::remove_reference_t<Body>;
  parallelForChunks(
      count,
      [](void *context, int64_t begin, int64_t end) {
        (*static_cast<Callable *>(context))(begin, end);
      },
      &body);
}
} // namespace

} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_THREADPOOL_H
