//===- CalibrationSamples.cpp - reading and checking calibration data -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "CalibrationSamples.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::quantx;

FailureOr<std::vector<NpyArray>>
mlir::quantx::loadCalibrationSamples(func::FuncOp func, StringRef path,
                                     StringRef pass, int64_t &numSamples) {
  std::vector<NpyArray> samples;
  auto fail = [&](const Twine &message) {
    func.emitError(pass) << ": " << message;
    return failure();
  };
  if (path.ends_with(".npz")) {
    auto arrays = readNpz(path);
    if (!arrays)
      return fail(llvm::toString(arrays.takeError()));
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto it = arrays->find("arg" + std::to_string(i));
      if (it == arrays->end())
        return fail(path + " has no array 'arg" + Twine(i) + "' for argument " +
                    Twine(i));
      samples.push_back(std::move(it->second));
    }
  } else {
    if (func.getNumArguments() != 1)
      return fail("@" + func.getSymName() + " takes " +
                  Twine(func.getNumArguments()) +
                  " arguments: pass an .npz with arrays arg0, arg1, ...");
    auto array = readNpy(path);
    if (!array)
      return fail(llvm::toString(array.takeError()));
    samples.push_back(std::move(*array));
  }
  std::optional<int64_t> count;
  for (auto [i, array, type] :
       llvm::enumerate(samples, func.getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() || !tensor.getElementType().isF32())
      return fail("argument " + Twine(i) + " must be a static f32 tensor");
    ArrayRef<int64_t> shape = array.shape;
    if (array.dtype != "f4")
      return fail(path + ": argument " + Twine(i) +
                  " samples must be float32, got " + array.describe());
    int64_t n = 1;
    if (shape.size() == size_t(tensor.getRank()) + 1 &&
        shape.drop_front() == tensor.getShape())
      n = shape[0];
    else if (shape != tensor.getShape())
      return fail(path + ": samples of argument " + Twine(i) +
                  " must have shape [N, " +
                  llvm::join(llvm::map_range(
                                 tensor.getShape(),
                                 [](int64_t d) { return std::to_string(d); }),
                             ", ") +
                  "], got " + array.describe());
    if (count && *count != n)
      return fail("arguments have different numbers of samples (" +
                  Twine(*count) + " and " + Twine(n) + ")");
    count = n;
    const float *data = reinterpret_cast<const float *>(array.data.data());
    for (int64_t e = 0, end = array.getNumElements(); e < end; ++e)
      if (!std::isfinite(data[e]))
        return fail(path + ": element " + Twine(e) + " of argument " +
                    Twine(i) + " is " + (std::isnan(data[e]) ? "NaN" : "inf"));
  }
  numSamples = count.value_or(0);
  if (numSamples == 0)
    return fail(path + " holds no samples");
  return samples;
}
