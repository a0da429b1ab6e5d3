// RUN: quant-opt %s --quantx-fold-calibration | FileCheck %s --check-prefix=MINMAX
// RUN: quant-opt %s --quantx-fold-calibration="calibration=percentile percentile=90" | FileCheck %s --check-prefix=PCT
// RUN: quant-opt %s --quantx-fold-calibration=calibration=entropy | FileCheck %s --check-prefix=ENTROPY
// RUN: quant-opt %s --quantx-fold-calibration=calibration=mse | FileCheck %s --check-prefix=MSE
// RUN: quant-opt %s --quantx-fold-calibration=calibration=octav | FileCheck %s --check-prefix=OCTAV
// RUN: not quant-opt %s --quantx-fold-calibration=calibration=median 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not quant-opt %s --quantx-fold-calibration="calibration=percentile percentile=20" 2>&1 | FileCheck %s --check-prefix=PERCENTILE

// The argument keeps its min/max range [-1, 3] under every method (as do
// returned values): scale 4/255, zero point round(-128 + 1 / scale) = -64.
// MINMAX-LABEL: func.func @main
// MINMAX: %[[Q:.*]] = quantx.quantize %arg0 : tensor<4xf32> -> tensor<4x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.015686274509803921, zero_point = -64>>>
// MINMAX: %[[D:.*]] = quantx.dequantize %[[Q]]
// MINMAX: %[[S:.*]] = tosa.sigmoid %[[D]]
// MINMAX-NOT: quantx.calib
// MINMAX: %[[Q1:.*]] = quantx.quantize %[[S]] {{.*}}<scale = 0.011764705882352941, zero_point = -128>
// MINMAX: %[[D1:.*]] = quantx.dequantize %[[Q1]]
// MINMAX: %[[A:.*]] = tosa.add %[[D1]], %[[D]]
// MINMAX: %[[Q2:.*]] = quantx.quantize %[[A]] {{.*}}<scale = 0.019607843137254902, zero_point = -52>
// MINMAX: %[[D2:.*]] = quantx.dequantize %[[Q2]]
// MINMAX: return %[[D2]]

// The sigmoid: 100 samples in [0, 3): 90 in the first of 10 bins, 10 spread
// over the rest. The 90th percentile ends the first bin (0.3); the lower end
// stays 0 (ranges always hold 0). MSE and entropy clip a little of the
// sparse tail.
// PCT: quantx.quantize %arg0 {{.*}}<scale = 0.015686274509803921, zero_point = -64>
// PCT: quantx.quantize %{{.*}} {{.*}}<scale = 0.001176470588235294, zero_point = -128>
// ENTROPY: quantx.quantize %arg0 {{.*}}<scale = 0.015686274509803921, zero_point = -64>
// ENTROPY: quantx.quantize %{{.*}} {{.*}}<scale = 0.011758961397058823, zero_point = -128>
// The returned sum keeps its min/max range whatever the method.
// ENTROPY: quantx.quantize %{{.*}} {{.*}}<scale = 0.019607843137254902, zero_point = -52>
// MSE: quantx.quantize %arg0 {{.*}}<scale = 0.015686274509803921, zero_point = -64>
// MSE: quantx.quantize %{{.*}} {{.*}}<scale = 0.011167279411764706, zero_point = -128>
// OCTAV's recursion (from E|x| = 0.42, on the bin centres) settles at
// s = 2.8496 (scale s / 255), next to MSE's search.
// OCTAV: quantx.quantize %arg0 {{.*}}<scale = 0.015686274509803921, zero_point = -64>
// OCTAV: quantx.quantize %{{.*}} {{.*}}<scale = 0.011175052761472017, zero_point = -128>

// METHOD: error: quantx-fold-calibration: unknown calibration method 'median' (expected minmax, percentile, entropy, mse or octav)
// PERCENTILE: error: quantx-fold-calibration: percentile must be in (50, 100], got 2.000000e+01
func.func @main(%x: tensor<4xf32> {quantx.calib = #quantx.calib_stats<min = -1.0, max = 3.0>}) -> tensor<4xf32> {
  %s = tosa.sigmoid %x {quantx.calib = [#quantx.calib_stats<min = 0.0, max = 3.0, histogram = <min = 0.0, max = 3.0, counts = [90, 2, 1, 1, 1, 1, 1, 1, 1, 1]>>]} : (tensor<4xf32>) -> tensor<4xf32>
  %a = tosa.add %s, %x {quantx.calib = [#quantx.calib_stats<min = -1.5, max = 3.5>]} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}

// RUN: not quant-opt %S/Inputs/no-stats.mlir --quantx-fold-calibration 2>&1 | FileCheck %s --check-prefix=NOSTATS
// NOSTATS: error: quantx-fold-calibration: no calibration statistics in @main: run quantx-calibrate first (quantize-int8 needs calibration-data=<file.npy>)
