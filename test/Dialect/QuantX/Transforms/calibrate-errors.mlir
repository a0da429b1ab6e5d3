// Bad calibration data gets an error naming the problem.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/ok.npy', np.zeros((3, 1, 4), np.float32)); np.save('%t/shape.npy', np.zeros((3, 5), np.float32)); np.save('%t/f64.npy', np.zeros((3, 1, 4))); x = np.zeros((2, 1, 4), np.float32); x[1, 0, 2] = np.nan; np.save('%t/nan.npy', x); np.savez('%t/keys.npz', other=x)"
// RUN: not quant-opt %s --quantx-calibrate 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not quant-opt %s --quantx-calibrate="calibration-data=%t/missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quant-opt %s --quantx-calibrate="calibration-data=%t/shape.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not quant-opt %s --quantx-calibrate="calibration-data=%t/f64.npy" 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not quant-opt %s --quantx-calibrate="calibration-data=%t/nan.npy" 2>&1 | FileCheck %s --check-prefix=NAN
// RUN: not quant-opt %s --quantx-calibrate="calibration-data=%t/keys.npz" 2>&1 | FileCheck %s --check-prefix=KEYS
// RUN: not quant-opt %s --quantx-calibrate="calibration-data=%t/ok.npy entry=other" 2>&1 | FileCheck %s --check-prefix=ENTRY

// NODATA: error: quantx-calibrate: no calibration data: pass calibration-data=<file.npy>
// MISSING: error: quantx-calibrate: cannot read '{{.*}}missing.npy': No such file or directory
// SHAPE: error: quantx-calibrate: {{.*}}shape.npy: samples of argument 0 must have shape [N, 1, 4], got float32[3, 5]
// DTYPE: error: quantx-calibrate: {{.*}}f64.npy: argument 0 samples must be float32, got float64[3, 1, 4]
// NAN: error: quantx-calibrate: {{.*}}nan.npy: element 6 of argument 0 is NaN
// KEYS: error: quantx-calibrate: {{.*}}keys.npz has no array 'arg0' for argument 0
// ENTRY: error: quantx-calibrate: no function @other
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.0 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
