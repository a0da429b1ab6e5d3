//===- IsaLocal.h - helpers private to each ISA's kernel file ---*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The ISA files are compiled with different target flags but linked into one
// library. An inline function with external linkage (std::min, std::vector
// members, ...) instantiated in two of them is merged by the linker into one
// copy, possibly the AVX-512 one, which would then run on CPUs without
// AVX-512. Code reached from an ISA file therefore uses these helpers, which
// live in an anonymous namespace: one private copy per file.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_ISALOCAL_H
#define QUANTX_LIB_RUNTIME_KERNELS_ISALOCAL_H

#include "quant-x/Runtime/BufferCache.h"

#include <cstdint>
#include <cstring>

namespace quantx::kernels {
namespace {

template <class T>
inline T minOf(T a, T b) {
  return b < a ? b : a;
}
template <class T>
inline T maxOf(T a, T b) {
  return a < b ? b : a;
}
template <class T>
inline T clampTo(T v, T lo, T hi) {
  return v < lo ? lo : (hi < v ? hi : v);
}
/// A 32-bit word at any alignment (the broadcast operand of a k unit).
inline int32_t load32(const void *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <class T>
inline void fillN(T *begin, int64_t count, T value) {
  for (int64_t i = 0; i < count; ++i)
    begin[i] = value;
}

/// A 64-byte aligned scratch array of trivially copyable T, from the buffer
/// cache: the same scratch is needed on every call.
template <class T>
class Buffer {
public:
  explicit Buffer(int64_t count, T value = T(0)) {
    data_ = static_cast<T *>(allocateCachedBuffer(count * sizeof(T)));
    fillN(data_, count, value);
  }
  ~Buffer() { releaseCachedBuffer(data_); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  T *data() { return data_; }
  T &operator[](int64_t i) { return data_[i]; }

private:
  T *data_;
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_ISALOCAL_H
