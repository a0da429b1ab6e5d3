// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" --quantx-quantize | FileCheck %s --check-prefix=INT4
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=per-tensor" --quantx-quantize | FileCheck %s --check-prefix=TENSOR
// RUN: quant-opt %s --quantx-set-precision="weight-bits=3" --quantx-quantize | FileCheck %s --check-prefix=INT3
// RUN: quant-opt %s --quantx-set-precision="weight-bits=2" --quantx-quantize | FileCheck %s --check-prefix=INT2
// RUN: quant-opt %s --quantx-set-precision="weight-bits=ternary" --quantx-quantize | FileCheck %s --check-prefix=TERNARY
// RUN: quant-opt %s --quantx-set-precision="weight-bits=binary" --quantx-quantize | FileCheck %s --check-prefix=BINARY
// RUN: quant-opt %s --quantx-set-precision="weight-bits=float" --quantx-quantize 2>&1 | FileCheck %s --check-prefix=FLOAT
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=group:2" --quantx-quantize | FileCheck %s --check-prefix=GROUP
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=two-level:2" --quantx-quantize | FileCheck %s --check-prefix=TWOLEVEL
// RUN: quant-opt %s --quantx-set-precision="activation-bits=16" --quantx-quantize | FileCheck %s --check-prefix=A16
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=codebook" --quantx-quantize | FileCheck %s --check-prefix=CODEBOOK
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=pow2" --quantx-quantize | FileCheck %s --check-prefix=POW2

!qa = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.5, zero_point = 0>>
!qo = !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 1.0, zero_point = 0>>

// Weights [K = 4, N = 2]: column 0 is (0.7, -0.3, 0.1, 0), column 1 is
// (1, 0.5, -0.5, 0.05).
//
// int4, per channel: scales max|w| / 7 = 0.1 and 1/7; integers rounded to
// nearest in [-7, 7] (0.7 and 0.05 as f32). The accumulator's scales are 0.5 times the weights'.
// Stored packed, two per byte, low nibble first: (7, 7) is 0x77 = 119,
// (-3, 4) 0x4D = 77, (1, -4) 0xC1 = -63.
// INT4: %[[PACKED:.*]] = "tosa.const"() <{values = dense<[119, 77, -63, 0]> : tensor<4xi8>}>
// INT4: quantx.unpack_weights %[[PACKED]] format int4 : tensor<4xi8> -> tensor<1x4x2xi8>
// INT4: tosa.matmul {{.*}}quantx.precision = #quantx.precision<weights = int4>
// INT4: #quantx.per_axis<axis = 2, scales = [0.049999999148505073, 0.071428571428571425]>
//
// int4, per tensor: one scale 1/7 for both columns.
// (5, 7) -> 0x75 = 117, (-2, 4) -> 0x4E = 78, (1, -4) -> 0xC1 = -63.
// TENSOR: "tosa.const"() <{values = dense<[117, 78, -63, 0]> : tensor<4xi8>}>
// TENSOR: #quantx.per_axis<axis = 2, scales = [0.071428571428571425, 0.071428571428571425]>
//
// int3: [-3, 3], scales 0.7/3 and 1/3.
// int3 takes the int4 layout: (3, 3) 0x33 = 51, (-1, 2) 0x2F = 47,
// (0, -2) 0xE0 = -32.
// INT3: "tosa.const"() <{values = dense<[51, 47, -32, 0]> : tensor<4xi8>}>
// INT3: quantx.unpack_weights %{{.*}} format int4
//
// int2: [-1, 1], scales 0.7 and 1 (0.5 rounds to even: 0).
// Four per byte: (1, 1, 0, 0) is 0b0101 = 5.
// INT2: "tosa.const"() <{values = dense<[5, 0]> : tensor<2xi8>}>
// INT2: quantx.unpack_weights %{{.*}} format int2
//
// Ternary: thresholds 0.7 * mean|w| = 0.1925 and 0.35875; the scales are
// the mean magnitudes kept: (0.7 + 0.3) / 2 = 0.5 and (1 + 0.5 + 0.5) / 3.
// In 2-bit two's complement (1, 1, -1, 1) is 01 01 11 01 from the low
// bits: 0x75 = 117; (0, -1, 0, 0) is 0x0C = 12.
// TERNARY: "tosa.const"() <{values = dense<[117, 12]> : tensor<2xi8>}>
// TERNARY: quantx.unpack_weights %{{.*}} format int2
// TERNARY: #quantx.per_axis<axis = 2, scales = [2.500000e-01, 0.33333333333333331]>
//
// Binary: signs (0 counts as +), scales mean|w| = 0.275 and 0.5125.
// One bit each, 1 for +1: (1, 1, -1, 1, 1, -1, 1, 1) is 0b11011011 = -37.
// BINARY: "tosa.const"() <{values = dense<-37> : tensor<1xi8>}>
// BINARY: quantx.unpack_weights %{{.*}} format sign : tensor<1xi8> -> tensor<1x4x2xi8>
// BINARY: #quantx.per_axis<axis = 2, scales = [0.13750000018626451, 0.25625000009313226]>
//
// FLOAT: remark: quantx-quantize: 'tosa.matmul' stays float (its precision is float)
// FLOAT: tosa.matmul {{.*}} : (tensor<1x1x4xf32>, tensor<1x4x2xf32>
//
// Groups of 2 along K: group scales max|w| / 7 are 0.1, 0.1/7 (column 0)
// and 1/7, 0.5/7 (column 1). Each column's scale is its largest over 18
// (the largest sub-scale that keeps 7 * 18 in int8), and each group's
// sub-scale its scale over that, rounded up: 18, ceil(2.57) = 3; 18, 9.
// Integers at the sub-scaled scales: (7, -3 | 6, 0), (7, 4 | -7, 1).
// GROUP: %[[PACKED:.*]] = "tosa.const"() <{values = dense<[119, 77, -106, 16]> : tensor<4xi8>}>
// GROUP: %[[SUB:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}18, 18], [3, 9]]]> : tensor<1x2x2xi8>}>
// GROUP: quantx.unpack_weights %[[PACKED]], %[[SUB]] format int4 {axis = 1 : i64, block = 2 : i64}
// GROUP: #quantx.per_axis<axis = 2, scales = [0.002777777730472504, 0.003968253968253968]>
//
// Two-level (VS-Quant): 4-bit sub-scales (at most 15) rounded to nearest:
// 15, round(2.14) = 2; 15, round(7.5) = 8. Integers (7, -3 | 7, 0) (7.5
// clamps to 7), (7, 4 | -7, 1).
// TWOLEVEL: "tosa.const"() <{values = dense<[119, 77, -105, 16]> : tensor<4xi8>}>
// TWOLEVEL: "tosa.const"() <{values = dense<{{\[\[\[}}15, 15], [2, 8]]]> : tensor<1x2x2xi8>}>
// TWOLEVEL: #quantx.per_axis<axis = 2, scales = [0.0033333332765670049, 0.0047619047619047615]>
//
// 16-bit activations: the input quantized again, symmetric over the range
// of its int8 point ([-64, 63.5] at scale 0.5): 64 / 32767. TOSA's int48
// matmul takes int16 on both sides: the int8 weights are widened.
// A16: %[[X:.*]] = quantx.quantize %arg0 : tensor<1x1x4xf32> -> tensor<1x1x4x!quantx.uniform<i16:f32, #quantx.per_tensor<scale = 0.0019531846064638203, zero_point = 0>>>
// A16: %[[X16:.*]] = quantx.storage_cast %[[X]] {{.*}} -> tensor<1x1x4xi16>
// A16: %[[W:.*]] = tosa.cast %{{.*}} : (tensor<1x4x2xi8>) -> tensor<1x4x2xi16>
// A16: tosa.matmul %[[X16]], %[[W]], {{.*}} : (tensor<1x1x4xi16>, tensor<1x4x2xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x2xi48>
// A16: quantx.requantize {{.*}}i48:f32, #quantx.per_axis<axis = 2, scales = [1.0765584261739364E-5, 1.5379406350108821E-5]>>> -> tensor<1x1x2x!quantx.uniform<i8
//
// Codebook, 4 bits: each column scaled so its largest magnitude is 127
// (scales 0.7/127 and 1/127), giving 127, -54.4, 18.1, 0 and 127, 63.5,
// -63.5, 6.35. Seven occupied integers, sixteen entries: each its own
// cluster, the entry its rounded mean (63.5 to even: 64). The table lists
// the levels ascending and repeats the first for the unused codes; the
// packed nibbles are codes: (127, 127) -> (6, 6) = 0x66 = 102, (-54, 64)
// -> (1, 5) = 0x51 = 81, (18, -64) -> (4, 0) = 4, (0, 6) -> (2, 3) = 0x32.
// CODEBOOK: %[[CODES:.*]] = "tosa.const"() <{values = dense<[102, 81, 4, 50]> : tensor<4xi8>}>
// CODEBOOK: %[[TABLE:.*]] = "tosa.const"() <{values = dense<[-64, -54, 0, 6, 18, 64, 127, -64, -64, -64, -64, -64, -64, -64, -64, -64]> : tensor<16xi8>}>
// CODEBOOK: quantx.unpack_weights %[[CODES]] codebook(%[[TABLE]] : tensor<16xi8>) format int4 : tensor<4xi8> -> tensor<1x4x2xi8>
// CODEBOOK: #quantx.per_axis<axis = 2, scales = [0.0027559054648782326, 0.003937007874015748]>
//
// Powers of two, 4 bits: the fixed table 0, 1, ..., 64, 0, -1, ..., -64.
// Column 1's best scale puts its largest weight on 64 (1/64: 64, 32, -32,
// and 3.2 -> 4); column 0's is one sixteenth of an octave lower (0.7/64 *
// 2^(-1/16)), where 66.8, -28.6, 9.5, 0 -> 64, -32, 8, 0 err less (sum of
// squares 0.0024 against 0.0027 at 0.7/64). Codes: 7, 7 | 14, 6 | 4, 14 |
// 0, 3 -> 0x77 = 119, 0x6E = 110, 0xE4 = -28, 0x30 = 48.
// POW2: %[[CODES:.*]] = "tosa.const"() <{values = dense<[119, 110, -28, 48]> : tensor<4xi8>}>
// POW2: %[[TABLE:.*]] = "tosa.const"() <{values = dense<[0, 1, 2, 4, 8, 16, 32, 64, 0, -1, -2, -4, -8, -16, -32, -64]> : tensor<16xi8>}>
// POW2: quantx.unpack_weights %[[CODES]] codebook(%[[TABLE]] : tensor<16xi8>) format int4
// POW2: #quantx.per_axis<axis = 2, scales = [0.0052368928521365696, 7.812500e-03]>
func.func @fully_connected(%a: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %q = quantx.quantize %a : tensor<1x1x4xf32> -> tensor<1x1x4x!qa>
  %d = quantx.dequantize %q : tensor<1x1x4x!qa> -> tensor<1x1x4xf32>
  %w = "tosa.const"() <{values = dense<[[[0.7, 1.0], [-0.3, 0.5], [0.1, -0.5], [0.0, 0.05]]]> : tensor<1x4x2xf32>}> : () -> tensor<1x4x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %d, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %o = quantx.quantize %m : tensor<1x1x2xf32> -> tensor<1x1x2x!qo>
  %r = quantx.dequantize %o : tensor<1x1x2x!qo> -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}
