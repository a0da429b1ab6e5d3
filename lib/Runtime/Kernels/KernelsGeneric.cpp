//===- KernelsGeneric.cpp - portable C++ micro-kernels --------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Compiled for the baseline target: the reference for every CPU, and the
// path taken where neither AVX2 nor AVX-512 VNNI is available.
//
//===----------------------------------------------------------------------===//

#include "BinaryConv.h"
#include "ConvDriver.h"
#include "IsaKernels.h"

using namespace quantx::kernels;

namespace {
template <class A, class B, class C>
struct ScalarKernel : PortableRequantize {
  using AElem = A;
  using BElem = B;
  using Acc = C;
  static constexpr int MR = 4, NR = 8, KU = 1;
  template <class In>
  static AElem convert(In x) {
    return AElem(x);
  }

  template <int R>
  static void tile(int64_t kc, const A *a, int64_t lda, const B *b, C *c,
                   int64_t ldc, bool accumulate) {
    C acc[R][NR];
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < NR; ++j)
        acc[r][j] = accumulate ? c[r * ldc + j] : C(0);
    for (int64_t k = 0; k < kc; ++k, b += NR)
      for (int r = 0; r < R; ++r)
        for (int j = 0; j < NR; ++j)
          acc[r][j] += C(a[r * lda + k]) * C(b[j]);
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < NR; ++j)
        c[r * ldc + j] = acc[r][j];
  }
};

/// One int8 panel width.
template <int>
using GenericS8 = ScalarKernel<int8_t, int8_t, int32_t>;
} // namespace

const IsaKernels &quantx::kernels::getGenericKernels() {
  using F32 = ScalarKernel<float, float, float>;
  static const IsaKernels kernels =
      IsaSet<GenericS8, F32, BinaryWith<ScalarPopcount>, 0, 1>::get();
  return kernels;
}
