// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/ones.npy', np.ones((4, 1, 1, 3), np.float32))"
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=pow2" --quantx-optimize-rounding="calibration-data=%t/ones.npy" 2>&1 | FileCheck %s --check-prefix=POW2
// RUN: quant-opt %s --quantize="calibration-data=%t/ones.npy weight-bits=4 weight-format=pow2 optimize-rounding=gptq" 2>&1 | FileCheck %s --check-prefix=QUANTIZED
// RUN: quant-opt %s --quantx-set-precision="weight-bits=2 weight-format=codebook" --quantx-optimize-rounding="calibration-data=%t/ones.npy" 2>&1 | FileCheck %s --check-prefix=CODEBOOK

// GPTQ on table levels: each weight goes to the nearest level of the
// table (not of the uniform grid), and the error it carries forward moves
// the next. Three equal inputs and weights 0.7, 0.06, 0.06 as powers of
// two (the best scale is 0.7/64, the first weight on 64): the small ones
// are 5.49 steps, nearest 4 each (the output 72 steps for 74.98); GPTQ
// rounds the second to 4 and the third, carrying 1.49, from 6.98 to 8
// (76 steps).
// POW2: remark: quantx-optimize-rounding: output error 1.056e-03 round-to-nearest, 1.266e-04 gptq
// POW2: quantx.rounded_weights = {integers = dense<{{\[\[\[}}64], [4], [8]]]> : tensor<1x3x1xi8>, method = "gptq", precision = #quantx.precision<weights = int4, levels = pow2>}
// QUANTIZED: quantx.unpack_weights %{{.*}} codebook(%{{.*}} : tensor<16xi8>) format int4
// QUANTIZED-NOT: quantx.rounded_weights

// A 2-bit codebook learns the three distinct weights exactly (127, 11,
// 11 on the channel's scale 0.7/127): nothing left for GPTQ to move.
// CODEBOOK: remark: quantx-optimize-rounding: output error 1.587e-06 round-to-nearest, 1.587e-06 gptq
// CODEBOOK: integers = dense<{{\[\[\[}}127], [11], [11]]]>
func.func @main(%x: tensor<1x1x3xf32>) -> tensor<1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[0.7], [0.06], [0.06]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %m : tensor<1x1x1xf32>
}
