//===- BufferCache.h - heap buffers kept between model calls ----*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A compiled model allocates the same buffers, of the same sizes, on every
// call. Through malloc, the large ones come from fresh pages each time
// (glibc maps them, or trims the heap they came from on free), and every
// page faults on first touch: about 6,000 faults per MobileNetV2 float call,
// which on a virtual machine whose faults cost ~20 us took ten times the
// arithmetic (docs/Performance.md). This cache keeps freed buffers by size
// and hands them back, so that a model's steady state touches no new page.
//
// The JIT-compiled code allocates through it (`getBufferCacheSymbols`, the
// `_mlir_memref_to_llvm_*` functions `finalize-memref-to-llvm` calls with
// `use-generic-functions`), and so do the kernels' scratch buffers. It
// depends on nothing but the C++ standard library.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_BUFFERCACHE_H
#define QUANTX_RUNTIME_BUFFERCACHE_H

#include <cstddef>
#include <cstdint>

namespace quantx::kernels {

/// A buffer of at least `bytes` bytes aligned to `alignment` (a power of
/// two; at least 64 is given), reused from the cache when one of the same
/// rounded size and alignment is free. Aborts when memory is exhausted, as
/// the JIT's code cannot handle a null buffer.
void *allocateCachedBuffer(size_t bytes, size_t alignment = 64);
/// Returns a buffer of allocateCachedBuffer to the cache (null is ignored).
/// Beyond the cache's limit it goes back to the system instead.
void releaseCachedBuffer(void *buffer);

/// Frees every cached buffer (those in use are not affected).
void trimBufferCache();
/// The most bytes the cache keeps when they are free. The default is 1 GiB,
/// or QUANTX_BUFFER_CACHE_MB megabytes from the environment (0 disables
/// caching).
void setBufferCacheLimit(size_t bytes);

struct BufferCacheStats {
  /// Allocations served from the cache / from the system.
  int64_t hits = 0, misses = 0;
  /// Bytes of free buffers the cache holds now.
  size_t cachedBytes = 0;
};
BufferCacheStats getBufferCacheStats();

/// The allocation functions of `finalize-memref-to-llvm` with
/// `use-generic-functions`, by symbol name, for the JIT to resolve.
struct BufferCacheSymbol {
  const char *name;
  void *address;
};
const BufferCacheSymbol *getBufferCacheSymbols(size_t &count);

} // namespace quantx::kernels

#endif // QUANTX_RUNTIME_BUFFERCACHE_H
