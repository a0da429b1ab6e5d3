//===- ThreadPool.cpp - the kernels' worker threads -----------------------===//

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

class Pool {
public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; ++i)
      workers.emplace_back([this, i] { work(i); });
    size = threads;
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      ++generation;
    }
    wake.notify_all();
    for (std::thread &worker : workers)
      worker.join();
  }
  int getSize() const { return size; }

  void run(int64_t count, const std::function<void(int64_t, int64_t)> &body) {
    int64_t chunks = std::min<int64_t>(count, size);
    {
      std::lock_guard<std::mutex> lock(mutex);
      task = &body;
      taskCount = count;
      taskChunks = chunks;
      pending = static_cast<int>(chunks) - 1;
      ++generation;
    }
    wake.notify_all();
    runChunk(0);
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [this] { return pending == 0; });
    task = nullptr;
  }

private:
  void runChunk(int64_t chunk) {
    int64_t begin = taskCount * chunk / taskChunks;
    int64_t end = taskCount * (chunk + 1) / taskChunks;
    (*task)(begin, end);
  }

  void work(int index) {
    uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return generation != seen; });
        seen = generation;
        if (stopping)
          return;
        if (index >= taskChunks)
          continue;
      }
      runChunk(index);
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0)
        done.notify_one();
    }
  }

  std::vector<std::thread> workers;
  int size = 1;
  std::mutex mutex;
  std::condition_variable wake, done;
  uint64_t generation = 0;
  bool stopping = false;
  const std::function<void(int64_t, int64_t)> *task = nullptr;
  int64_t taskCount = 0, taskChunks = 1;
  int pending = 0;
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
  return requestedThreads > 0 ? requestedThreads : countAffinityCores();
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
