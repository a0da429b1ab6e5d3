//===- BufferCacheTest.cpp - buffers kept between model calls -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The cache hands back a freed buffer of the same size and alignment, keeps
// the alignment it promises, respects its limit, and survives threads that
// allocate and release at once (the kernels' scratch does).
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/BufferCache.h"

#include "gtest/gtest.h"

#include <cstring>
#include <thread>
#include <vector>

using namespace quantx::kernels;

namespace {

bool isAligned(void *p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

class BufferCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    setBufferCacheLimit(size_t(1) << 30);
    trimBufferCache();
  }
  void TearDown() override {
    setBufferCacheLimit(size_t(1) << 30);
    trimBufferCache();
  }
};

TEST_F(BufferCacheTest, ReusesAFreedBufferOfTheSameSize) {
  void *a = allocateCachedBuffer(100000);
  std::memset(a, 1, 100000);
  releaseCachedBuffer(a);
  BufferCacheStats before = getBufferCacheStats();
  EXPECT_GE(before.cachedBytes, 100000u);
  // Sizes round to 64 bytes: 99999 shares the buffer of 100000.
  void *b = allocateCachedBuffer(99999);
  EXPECT_EQ(a, b);
  BufferCacheStats after = getBufferCacheStats();
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.cachedBytes, 0u);
  // Another size, or another alignment, is a new buffer.
  void *c = allocateCachedBuffer(200000);
  EXPECT_NE(c, b);
  releaseCachedBuffer(b);
  void *d = allocateCachedBuffer(100000, 4096);
  EXPECT_NE(d, b);
  EXPECT_EQ(getBufferCacheStats().misses, before.misses + 2);
  releaseCachedBuffer(c);
  releaseCachedBuffer(d);
}

TEST_F(BufferCacheTest, KeepsTheAlignmentItPromises) {
  std::vector<void *> buffers;
  for (size_t alignment : {1, 8, 16, 64, 128, 4096})
    for (size_t bytes : {0, 1, 63, 64, 65, 5000}) {
      void *p = allocateCachedBuffer(bytes, alignment);
      EXPECT_TRUE(isAligned(p, alignment < 64 ? 64 : alignment))
          << bytes << " bytes at " << alignment;
      std::memset(p, 0xAB, bytes);
      buffers.push_back(p);
    }
  // Not a power of two: rounded up to one.
  void *odd = allocateCachedBuffer(10, 96);
  EXPECT_TRUE(isAligned(odd, 128));
  buffers.push_back(odd);
  for (void *p : buffers)
    releaseCachedBuffer(p);
  releaseCachedBuffer(nullptr);
}

TEST_F(BufferCacheTest, FreesWhatPassesTheLimit) {
  setBufferCacheLimit(0);
  void *a = allocateCachedBuffer(4096);
  releaseCachedBuffer(a);
  EXPECT_EQ(getBufferCacheStats().cachedBytes, 0u);

  setBufferCacheLimit(size_t(1) << 20);
  void *big = allocateCachedBuffer(size_t(2) << 20);
  void *small = allocateCachedBuffer(1000);
  releaseCachedBuffer(big);
  releaseCachedBuffer(small);
  BufferCacheStats stats = getBufferCacheStats();
  EXPECT_GT(stats.cachedBytes, 0u);
  EXPECT_LE(stats.cachedBytes, size_t(1) << 20);

  // Lowering the limit below what is cached frees it all.
  setBufferCacheLimit(16);
  EXPECT_EQ(getBufferCacheStats().cachedBytes, 0u);
}

TEST_F(BufferCacheTest, TrimFreesOnlyTheCachedBuffers) {
  void *kept = allocateCachedBuffer(3000);
  std::memset(kept, 7, 3000);
  releaseCachedBuffer(allocateCachedBuffer(5000));
  EXPECT_GT(getBufferCacheStats().cachedBytes, 0u);
  trimBufferCache();
  EXPECT_EQ(getBufferCacheStats().cachedBytes, 0u);
  EXPECT_EQ(static_cast<unsigned char *>(kept)[2999], 7);
  releaseCachedBuffer(kept);
}

TEST_F(BufferCacheTest, ThreadsShareTheCache) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 2000; ++i) {
        size_t bytes = 64 * (1 + (i + t) % 7);
        auto *p = static_cast<unsigned char *>(allocateCachedBuffer(bytes));
        std::memset(p, t, bytes);
        for (size_t j = 0; j < bytes; ++j)
          ASSERT_EQ(p[j], t); // Nobody else holds this buffer.
        releaseCachedBuffer(p);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  BufferCacheStats stats = getBufferCacheStats();
  EXPECT_EQ(stats.hits + stats.misses >= 8000, true);
}

TEST_F(BufferCacheTest, GivesTheJitItsAllocationFunctions) {
  size_t count = 0;
  const BufferCacheSymbol *symbols = getBufferCacheSymbols(count);
  ASSERT_EQ(count, 3u);
  using Alloc = void *(*)(size_t);
  using AlignedAlloc = void *(*)(size_t, size_t);
  using Free = void (*)(void *);
  Alloc alloc = nullptr;
  AlignedAlloc alignedAlloc = nullptr;
  Free release = nullptr;
  for (size_t i = 0; i < count; ++i) {
    std::string name = symbols[i].name;
    if (name == "_mlir_memref_to_llvm_alloc")
      alloc = reinterpret_cast<Alloc>(symbols[i].address);
    else if (name == "_mlir_memref_to_llvm_aligned_alloc")
      alignedAlloc = reinterpret_cast<AlignedAlloc>(symbols[i].address);
    else if (name == "_mlir_memref_to_llvm_free")
      release = reinterpret_cast<Free>(symbols[i].address);
  }
  ASSERT_TRUE(alloc && alignedAlloc && release);
  void *p = alloc(1000);
  // MLIR passes (alignment, size), as aligned_alloc does.
  void *q = alignedAlloc(256, 1000);
  EXPECT_TRUE(isAligned(q, 256));
  release(p);
  release(q);
  EXPECT_EQ(alloc(1000), p);
  release(p);
}

} // namespace
