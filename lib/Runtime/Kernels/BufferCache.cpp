//===- BufferCache.cpp - heap buffers kept between model calls ------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/BufferCache.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace quantx::kernels;

namespace {

/// What precedes every buffer: the system allocation it lives in and the
/// free list it returns to.
struct Header {
  void *allocation;
  uint64_t key;
};
constexpr size_t kMinAlignment = 64;
static_assert(sizeof(Header) <= kMinAlignment);

/// Buffers of equal rounded size and alignment are interchangeable: the key
/// is the size (a multiple of the alignment, at least 64) with
/// log2(alignment) in its low bits.
uint64_t getKey(size_t roundedBytes, size_t alignment) {
  return roundedBytes | static_cast<uint64_t>(__builtin_ctzll(alignment));
}
size_t getBytes(uint64_t key) { return key & ~uint64_t(kMinAlignment - 1); }
size_t getAlignment(uint64_t key) { return size_t(1) << (key & 63); }

size_t getDefaultLimit() {
  if (const char *mb = std::getenv("QUANTX_BUFFER_CACHE_MB")) {
    char *end = nullptr;
    unsigned long long value = std::strtoull(mb, &end, 10);
    if (end != mb && *end == '\0')
      return static_cast<size_t>(value) << 20;
  }
  return size_t(1) << 30;
}

class Cache {
public:
  void *allocate(size_t bytes, size_t alignment) {
    if (alignment < kMinAlignment || (alignment & (alignment - 1)))
      alignment = alignment < kMinAlignment
                      ? kMinAlignment
                      : size_t(1) << (64 - __builtin_clzll(alignment));
    // A multiple of the alignment, as aligned_alloc requires of the size
    // (and so of 64: the key's low bits stay free). Sizes no allocation
    // could satisfy fail as an exhausted allocation would.
    if (bytes > (SIZE_MAX >> 1))
      std::abort();
    size_t rounded = bytes == 0
                         ? alignment
                         : (bytes + alignment - 1) / alignment * alignment;
    uint64_t key = getKey(rounded, alignment);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = free.find(key);
      if (it != free.end() && !it->second.empty()) {
        void *buffer = it->second.back();
        it->second.pop_back();
        cached -= rounded + alignment;
        ++hits;
        return buffer;
      }
      ++misses;
    }
    // The header sits in the `alignment` bytes before the buffer.
    void *allocation = std::aligned_alloc(alignment, alignment + rounded);
    if (!allocation)
      std::abort();
    char *buffer = static_cast<char *>(allocation) + alignment;
    Header header{allocation, key};
    std::memcpy(buffer - sizeof(Header), &header, sizeof(Header));
    return buffer;
  }

  void release(void *buffer) {
    if (!buffer)
      return;
    Header header;
    std::memcpy(&header, static_cast<char *>(buffer) - sizeof(Header),
                sizeof(Header));
    size_t footprint = getBytes(header.key) + getAlignment(header.key);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (cached + footprint <= limit) {
        free[header.key].push_back(buffer);
        cached += footprint;
        return;
      }
    }
    std::free(header.allocation);
  }

  void trim() {
    std::unordered_map<uint64_t, std::vector<void *>> dropped;
    {
      std::lock_guard<std::mutex> lock(mutex);
      dropped.swap(free);
      cached = 0;
    }
    for (auto &[key, buffers] : dropped)
      for (void *buffer : buffers)
        std::free(static_cast<char *>(buffer) - getAlignment(key));
  }

  void setLimit(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      limit = bytes;
      if (cached <= limit)
        return;
    }
    trim();
  }

  BufferCacheStats getStats() {
    std::lock_guard<std::mutex> lock(mutex);
    return {hits, misses, cached};
  }

private:
  std::mutex mutex;
  std::unordered_map<uint64_t, std::vector<void *>> free;
  size_t cached = 0;
  size_t limit = getDefaultLimit();
  int64_t hits = 0, misses = 0;
};

Cache &getCache() {
  // Never destroyed: buffers may be released by threads or static
  // destructors that run after this translation unit's.
  static Cache *cache = new Cache;
  return *cache;
}

void *memrefAlloc(size_t bytes) { return getCache().allocate(bytes, 64); }
void *memrefAlignedAlloc(size_t alignment, size_t bytes) {
  return getCache().allocate(bytes, alignment);
}
void memrefFree(void *buffer) { getCache().release(buffer); }

} // namespace

void *quantx::kernels::allocateCachedBuffer(size_t bytes, size_t alignment) {
  return getCache().allocate(bytes, alignment);
}
void quantx::kernels::releaseCachedBuffer(void *buffer) {
  getCache().release(buffer);
}
void quantx::kernels::trimBufferCache() { getCache().trim(); }
void quantx::kernels::setBufferCacheLimit(size_t bytes) {
  getCache().setLimit(bytes);
}
BufferCacheStats quantx::kernels::getBufferCacheStats() {
  return getCache().getStats();
}

const BufferCacheSymbol *quantx::kernels::getBufferCacheSymbols(size_t &count) {
  static const BufferCacheSymbol symbols[] = {
      {"_mlir_memref_to_llvm_alloc", reinterpret_cast<void *>(memrefAlloc)},
      {"_mlir_memref_to_llvm_aligned_alloc",
       reinterpret_cast<void *>(memrefAlignedAlloc)},
      {"_mlir_memref_to_llvm_free", reinterpret_cast<void *>(memrefFree)},
  };
  count = std::size(symbols);
  return symbols;
}
