//===- ThreadPool.cpp - the kernels' worker threads -----------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ThreadPool.h"
#include "quant-x/Runtime/Kernels.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <sched.h>
#include <thread>
#include <vector>

using namespace quantx::kernels;

namespace {
int countAffinityCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Workers spin briefly on the generation counter before sleeping: a model
/// calls the kernels dozens of times per inference, and waking a sleeping
/// thread costs tens of microseconds.
class Pool {
public:
  explicit Pool(int threads) : size(threads) {
    for (int i = 1; i < threads; ++i)
      workers.emplace_back([this, i] { work(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      generation.fetch_add(1);
    }
    wake.notify_all();
    for (std::thread &worker : workers)
      worker.join();
  }

  void run(int64_t count, const std::function<void(int64_t, int64_t)> &body) {
    task = &body;
    taskCount = count;
    taskChunks = std::min<int64_t>(count, size);
    pending.store(int(taskChunks) - 1);
    {
      std::lock_guard<std::mutex> lock(mutex);
      generation.fetch_add(1);
    }
    wake.notify_all();
    runChunk(0);
    while (pending.load(std::memory_order_acquire) != 0)
      std::this_thread::yield();
  }

private:
  static constexpr int kSpins = 20000;

  void runChunk(int64_t chunk) {
    int64_t begin = taskCount * chunk / taskChunks;
    int64_t end = taskCount * (chunk + 1) / taskChunks;
    (*task)(begin, end);
  }

  void work(int index) {
    uint64_t seen = 0;
    while (true) {
      int spins = 0;
      while (generation.load(std::memory_order_acquire) == seen &&
             spins < kSpins)
        ++spins, pause();
      if (generation.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return generation.load() != seen; });
      }
      seen = generation.load(std::memory_order_acquire);
      if (stopping)
        return;
      if (index >= taskChunks)
        continue;
      runChunk(index);
      pending.fetch_sub(1, std::memory_order_release);
    }
  }

  static void pause() {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }

  const int size;
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  bool stopping = false;
  const std::function<void(int64_t, int64_t)> *task = nullptr;
  int64_t taskCount = 0, taskChunks = 1;
};

std::mutex poolMutex;
int requestedThreads = 0;
std::unique_ptr<Pool> pool;
thread_local bool insideChunk = false;
} // namespace

void quantx::kernels::setThreadCount(int count) {
  std::lock_guard<std::mutex> lock(poolMutex);
  requestedThreads = count;
  pool.reset();
}

int quantx::kernels::getThreadCount() {
  // Every kernel call asks; the affinity mask is read once, not per call.
  static const int affinityCores = countAffinityCores();
  return requestedThreads > 0 ? requestedThreads : affinityCores;
}

void quantx::kernels::parallelForChunks(int64_t count, ChunkFn chunk,
                                        void *context) {
  auto body = [&](int64_t begin, int64_t end) { chunk(context, begin, end); };
  if (count <= 0)
    return;
  if (insideChunk || count == 1 || getThreadCount() == 1) {
    body(0, count);
    return;
  }
  std::lock_guard<std::mutex> lock(poolMutex);
  if (!pool)
    pool = std::make_unique<Pool>(getThreadCount());
  insideChunk = true;
  auto guarded = [&](int64_t begin, int64_t end) {
    bool outer = insideChunk;
    insideChunk = true;
    body(begin, end);
    insideChunk = outer;
  };
  pool->run(count, guarded);
  insideChunk = false;
}
