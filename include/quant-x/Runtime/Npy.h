//===- Npy.h - NumPy .npy and .npz files ------------------------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The data format of quant-run and of calibration: little-endian, C-order
// arrays of the dtypes a model's arguments can have. .npz archives may be
// stored or deflated (np.savez, np.savez_compressed).
//
// The readers take untrusted files: every size a header declares is checked
// against the bytes that are really there before anything is allocated.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_NPY_H
#define QUANTX_RUNTIME_NPY_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <map>
#include <memory>
#include <string>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace mlir::quantx {

/// An n-dimensional array read from or written to a .npy file.
struct NpyArray {
  /// NumPy's type string without byte order, e.g. "f4", "i1", "i4".
  std::string dtype;
  SmallVector<int64_t> shape;
  /// The elements in C order. An array read with readNpy views a read-only
  /// mapping of its file, so that a 2 GiB calibration file costs address
  /// space rather than RAM; copies of an NpyArray share the bytes.
  ArrayRef<char> data;
  /// Keeps `data` alive: the file mapping, or memory of the array's own.
  std::shared_ptr<llvm::MemoryBuffer> storage;

  int64_t getNumElements() const;
  /// Bytes per element of `dtype`.
  size_t getElementSize() const;
  /// "float32[2, 3]", for diagnostics.
  std::string describe() const;
  /// Gives the array zero-filled memory of its own for `shape` elements of
  /// `dtype` and returns it for writing; fails when the size overflows or the
  /// memory cannot be had.
  llvm::Expected<MutableArrayRef<char>> allocate();
};

/// The NumPy dtype string of an MLIR element type (f32 -> "f4", i8 -> "i1"),
/// or "" when quant-x cannot exchange that type through .npy files.
std::string getNpyDtype(Type elementType);

llvm::Expected<NpyArray> readNpy(StringRef path);
/// The arrays of an .npz archive by name (without the ".npy" suffix).
llvm::Expected<std::map<std::string, NpyArray>> readNpz(StringRef path);
llvm::Error writeNpy(StringRef path, const NpyArray &array);

/// Parses the bytes of one .npy file into an array with memory of its own;
/// `name` appears in error messages.
llvm::Expected<NpyArray> parseNpy(StringRef bytes, const Twine &name);
/// Parses the bytes of an .npz archive, as readNpz does a file.
llvm::Expected<std::map<std::string, NpyArray>> parseNpz(StringRef bytes,
                                                         const Twine &name);

} // namespace mlir::quantx

#endif // QUANTX_RUNTIME_NPY_H
