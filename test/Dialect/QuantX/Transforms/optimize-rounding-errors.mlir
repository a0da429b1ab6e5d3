// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/ones.npy', np.ones((4, 1, 1, 1, 3), np.float32)); np.save('%t/empty.npy', np.ones((0, 1, 1, 1, 3), np.float32))"
// RUN: not quant-opt %s --quantx-optimize-rounding 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not quant-opt %s --quantx-correct-bias 2>&1 | FileCheck %s --check-prefix=NODATA-BIAS
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/empty.npy" 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not quant-opt %s --quantx-correct-bias="calibration-data=%t/missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy method=obq" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy method=adaround iterations=0" 2>&1 | FileCheck %s --check-prefix=ITERATIONS
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy method=adaround regularization=-1" 2>&1 | FileCheck %s --check-prefix=REGULARIZATION
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy dampening=0" 2>&1 | FileCheck %s --check-prefix=DAMPENING
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy max-samples=-1" 2>&1 | FileCheck %s --check-prefix=SAMPLES
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy entry=other" 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not quant-opt %s --quantize="calibration-data=%t/ones.npy optimize-rounding=obq" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not quant-opt %s --quantx-optimize-rounding="calibration-data=%t/ones.npy reconstruct=float" 2>&1 | FileCheck %s --check-prefix=RECONSTRUCT
// RUN: not quant-opt %s --quantx-correct-bias="calibration-data=%t/ones.npy reconstruct=network" 2>&1 | FileCheck %s --check-prefix=RECONSTRUCT-BIAS
// RUN: not quant-opt %s --quantize="calibration-data=%t/ones.npy bias-correction=true reconstruct=float" 2>&1 | FileCheck %s --check-prefix=RECONSTRUCT-PIPELINE

// NODATA: error: quantx-optimize-rounding: no calibration data: pass calibration-data=<file.npy>
// NODATA-BIAS: error: quantx-correct-bias: no calibration data: pass calibration-data=<file.npy>
// EMPTY: error: quantx-optimize-rounding: {{.*}}empty.npy holds no samples
// MISSING: error: quantx-correct-bias: {{.*}}missing.npy
// METHOD: error: quantx-optimize-rounding: unknown method 'obq' (expected gptq or adaround)
// ITERATIONS: error: quantx-optimize-rounding: iterations must be positive, got 0
// REGULARIZATION: error: quantx-optimize-rounding: regularization must be non-negative, got -1
// DAMPENING: error: quantx-optimize-rounding: dampening must be positive, got 0
// SAMPLES: error: quantx-optimize-rounding: max-samples must be 0 (all) or positive, got -1
// ENTRY: error: quantx-optimize-rounding: no function @other
// RECONSTRUCT: error: quantx-optimize-rounding: unknown reconstruct 'float' (expected layer or model)
// RECONSTRUCT-BIAS: error: quantx-correct-bias: unknown reconstruct 'network' (expected layer or model)
// RECONSTRUCT-PIPELINE: error: quantx-correct-bias: unknown reconstruct 'float' (expected layer or model)
func.func @main(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.7, 0.04, 0.04]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}
