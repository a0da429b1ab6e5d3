//===- CalibrationSamples.h - reading and checking calibration data -*- C++
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//-*-===//
//
// The samples the passes that run the float model (quantx-calibrate,
// quantx-assign-precision) read: an .npy of [N, <argument shape>] float32
// for a one-argument function, or an .npz with arg0, arg1, ...
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_TRANSFORMS_CALIBRATIONSAMPLES_H
#define QUANTX_LIB_TRANSFORMS_CALIBRATIONSAMPLES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Runtime/Npy.h"

#include <vector>

namespace mlir::quantx {

/// The samples of each argument of `func` in `path`, checked against its
/// argument types (static f32) and for finite values; `numSamples` gets
/// their count. Errors go on `func`, prefixed with `pass`.
FailureOr<std::vector<NpyArray>> loadCalibrationSamples(func::FuncOp func,
                                                        StringRef path,
                                                        StringRef pass,
                                                        int64_t &numSamples);

/// The start of sample `index` of `array` (of `count` samples).
inline const void *getSample(const NpyArray &array, int64_t count,
                             int64_t index) {
  return array.data.data() + index * (array.data.size() / count);
}

/// The arguments of a call on sample `index`: its start in each of
/// `samples` (arrays of `count` samples each).
inline SmallVector<const void *>
getSampleArguments(ArrayRef<NpyArray> samples, int64_t count, int64_t index) {
  SmallVector<const void *> arguments;
  for (const NpyArray &array : samples)
    arguments.push_back(getSample(array, count, index));
  return arguments;
}

} // namespace mlir::quantx

#endif // QUANTX_LIB_TRANSFORMS_CALIBRATIONSAMPLES_H
