//===- Profile.cpp - per-shape timing of kernel calls ---------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/KernelProfile.h"
#include "quant-x/Runtime/Kernels.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

using namespace quantx::kernels;

namespace {
struct Shape {
  std::string kernel;
  int64_t m, n, k, stride;
  bool operator<(const Shape &other) const {
    return std::tie(kernel, m, n, k, stride) <
           std::tie(other.kernel, other.m, other.n, other.k, other.stride);
  }
};

struct Totals {
  double milliseconds = 0;
  int64_t calls = 0;
  bool withinAnotherCall = false;
};

class Profile {
public:
  ~Profile() {
    if (totals.empty())
      return;
    std::fprintf(stderr,
                 "quant-x kernel profile (QUANTX_KERNEL_PROFILE):\n"
                 "%-28s %8s %6s %6s %4s %7s %10s %8s\n",
                 "kernel", "M", "N", "K", "s", "calls", "ms/call", "GOP/s");
    double all = 0;
    for (const auto &[shape, total] : totals) {
      double mean = total.milliseconds / total.calls;
      double gops = 2.0 * shape.m * shape.n * shape.k / (mean * 1e6);
      std::fprintf(stderr, "%-28s %8lld %6lld %6lld %4lld %7lld %10.4f %8.1f\n",
                   shape.kernel.c_str(), (long long)shape.m, (long long)shape.n,
                   (long long)shape.k, (long long)shape.stride,
                   (long long)total.calls, mean, gops);
      if (!total.withinAnotherCall)
        all += total.milliseconds;
    }
    std::fprintf(stderr, "total %.3f ms\n", all);
  }

  void record(const char *kernel, const int64_t *p, double milliseconds,
              bool withinAnotherCall) {
    // K counts multiply-adds per output: one input channel for depthwise
    // convolutions, the window for pooling.
    std::string name = kernel;
    bool perChannel = name.find("depthwise") != std::string::npos ||
                      name.find("maxpool") != std::string::npos;
    int64_t taps = p[kKernelH] * p[kKernelW];
    Shape shape{name, p[kBatch] * p[kOutH] * p[kOutW], p[kOutC],
                perChannel ? taps : taps * p[kInC], p[kStrideH]};
    std::lock_guard<std::mutex> lock(mutex);
    Totals &total = totals[shape];
    total.milliseconds += milliseconds;
    ++total.calls;
    total.withinAnotherCall = withinAnotherCall;
  }

private:
  std::mutex mutex;
  std::map<Shape, Totals> totals;
};

Profile &getProfile() {
  static Profile profile;
  return profile;
}
} // namespace

bool quantx::kernels::isProfiling() {
  static const bool enabled = [] {
    const char *value = std::getenv("QUANTX_KERNEL_PROFILE");
    return value && *value && std::string(value) != "0";
  }();
  return enabled;
}

void quantx::kernels::recordCall(const char *kernel, const int64_t *params,
                                 double milliseconds, bool withinAnotherCall) {
  getProfile().record(kernel, params, milliseconds, withinAnotherCall);
}
