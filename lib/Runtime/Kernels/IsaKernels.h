//===- IsaKernels.h - the kernels each ISA's file defines -------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Each of KernelsGeneric.cpp, KernelsAvx2.cpp and KernelsAvx512.cpp is
// compiled with its own target flags and defines one set of these; Entry.cpp
// picks the set named by the call's kIsa parameter.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_ISAKERNELS_H
#define QUANTX_LIB_RUNTIME_KERNELS_ISAKERNELS_H

#include "quant-x/Runtime/Kernels.h"

#include <cstdint>

namespace quantx::kernels {

struct KernelArgs {
  const void *input, *weights, *bias, *requant;
  const int64_t *params;
  void *output;
};

using KernelFn = void (*)(const KernelArgs &);

/// The kernels of one ISA, and its packed weight layout.
struct IsaKernels {
  KernelFn convS8, convF32, depthwiseS8, depthwiseF32, maxPoolS8, maxPoolF32,
      convB1;
  /// Tile columns of the int8 micro-kernels (widest first, 0 past the
  /// last), their k unit, and the float micro-kernel's tile columns.
  int panelWidthsS8[4];
  int kuS8, nrF32;
  /// Bytes of one packed int8 weight element, and the value added to int8
  /// activations (128 for VNNI's uint8 operand).
  int weightBytesS8, activationShift;
  /// Whether convS8 reads low-bit weights (kPackedWeightBits = 4 or 2).
  bool lowBitWeights;
};

/// The kernels of `isa` (the generic ones where this build lacks `isa`'s).
const IsaKernels &getIsaKernels(Isa isa);

const IsaKernels &getGenericKernels();

/// quantx_kernel_add_s8's work, once its params are checked (AddS8.cpp):
/// one portable kernel for every ISA.
void addS8(const void *first, const void *second, const void *table,
           const int64_t *params, void *output);

/// quantx_kernel_avgpool_s8's work, once its params are checked
/// (AvgPoolS8.cpp).
void avgPoolS8(const KernelArgs &args);
const IsaKernels &getAvx2Kernels();
const IsaKernels &getAvx2MaddubsKernels();
const IsaKernels &getAvx512Kernels();

} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_ISAKERNELS_H
