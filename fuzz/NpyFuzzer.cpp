//===- NpyFuzzer.cpp - libFuzzer target of the .npy and .npz readers ------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Feeds each input to both parsers: they must reject whatever is malformed
// with an error, never crash, read out of bounds or allocate what the input
// only declares. A parsed array's bytes are read in full, so that
// AddressSanitizer sees any view that runs past its buffer.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/Npy.h"

#include <cstdint>

using namespace mlir::quantx;

/// Reads every byte of `array` and checks its size against its shape.
static void touch(const NpyArray &array) {
  volatile char sink = 0;
  for (char c : array.data)
    sink = sink ^ c;
  if (array.data.size() !=
      size_t(array.getNumElements()) * array.getElementSize())
    __builtin_trap();
  (void)array.describe();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  if (auto array = parseNpy(bytes, "fuzz.npy"))
    touch(*array);
  else
    llvm::consumeError(array.takeError());
  if (auto arrays = parseNpz(bytes, "fuzz.npz")) {
    for (const auto &entry : *arrays)
      touch(entry.second);
  } else {
    llvm::consumeError(arrays.takeError());
  }
  return 0;
}
