//===- Npy.h - NumPy .npy and .npz files ------------------------*- C++ -*-===//
//
// The data format of quant-run and of calibration: little-endian, C-order
// arrays of the dtypes a model's arguments can have. .npz archives may be
// stored or deflated (np.savez, np.savez_compressed).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_NPY_H
#define QUANTX_RUNTIME_NPY_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <map>
#include <string>
#include <vector>

namespace mlir::quantx {

/// An n-dimensional array read from or written to a .npy file.
struct NpyArray {
  /// NumPy's type string without byte order, e.g. "f4", "i1", "i4".
  std::string dtype;
  SmallVector<int64_t> shape;
  std::vector<char> data;

  int64_t getNumElements() const;
  /// Bytes per element of `dtype`.
  size_t getElementSize() const;
  /// "float32[2, 3]", for diagnostics.
  std::string describe() const;
};

/// The NumPy dtype string of an MLIR element type (f32 -> "f4", i8 -> "i1"),
/// or "" when quant-x cannot exchange that type through .npy files.
std::string getNpyDtype(Type elementType);

llvm::Expected<NpyArray> readNpy(StringRef path);
/// The arrays of an .npz archive by name (without the ".npy" suffix).
llvm::Expected<std::map<std::string, NpyArray>> readNpz(StringRef path);
llvm::Error writeNpy(StringRef path, const NpyArray &array);

/// Parses the bytes of one .npy file; `name` appears in error messages.
llvm::Expected<NpyArray> parseNpy(StringRef bytes, const Twine &name);

} // namespace mlir::quantx

#endif // QUANTX_RUNTIME_NPY_H
