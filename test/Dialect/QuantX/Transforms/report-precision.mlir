// RUN: quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-report.json weight-bits=4" --quantx-report-precision="report=%t.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.json
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=codebook" --quantx-report-precision="report=%t.cb.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.cb.json --check-prefix=CODEBOOK
// RUN: not quant-opt %s --quantx-report-precision 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quant-opt %s --quantx-set-precision --quantx-report-precision="report=%t.missing/r.json" 2>&1 | FileCheck %s --check-prefix=UNWRITABLE

// conv1 (8 x 3x3x4 weights, 1x4x4x8 output): 288 weights, 4608 MACs, int2
// from the file: as stored now (float until quantized) 1152 bytes, packed
// 72 bytes + 8 scales of 4 bytes. fc (16 x 4 weights, 3 x 4 outputs): 64
// weights, 192 MACs, int4 from the global option, per tensor.
// CHECK: "layers": [
// CHECK: "activation_bits": 8,
// CHECK-NEXT: "granularity": "per-channel",
// CHECK-NEXT: "macs": 4608,
// CHECK-NEXT: "name": "conv1",
// CHECK-NEXT: "op": "tosa.conv2d",
// CHECK-NEXT: "packed_weight_bytes": 104,
// CHECK-NEXT: "weight_bits": 2,
// CHECK-NEXT: "weight_bytes": 1152,
// CHECK-NEXT: "weight_elements": 288,
// CHECK-NEXT: "weight_levels": "uniform",
// CHECK-NEXT: "weights": "int2"
// CHECK: "activation_bits": 8,
// CHECK-NEXT: "granularity": "per-tensor",
// CHECK-NEXT: "macs": 192,
// CHECK-NEXT: "name": "fc",
// CHECK-NEXT: "op": "tosa.matmul",
// CHECK-NEXT: "packed_weight_bytes": 36,
// CHECK-NEXT: "weight_bits": 4,
// CHECK-NEXT: "weight_bytes": 256,
// CHECK-NEXT: "weight_elements": 64,
// CHECK-NEXT: "weight_levels": "uniform",
// CHECK-NEXT: "weights": "int4"
// CHECK: "total_packed_weight_bytes": 140,
// CHECK-NEXT: "total_weight_bytes": 1408

// Codebook weights add their table, 16 bytes for int4 codes: conv1 144
// packed + 16 + 8 scales of 4 bytes, fc 32 + 16 + 4 x 4.
// CODEBOOK: "packed_weight_bytes": 192,
// CODEBOOK: "weight_levels": "codebook",
// CODEBOOK: "packed_weight_bytes": 64,
// CODEBOOK: "weight_levels": "codebook",
// CODEBOOK: "total_packed_weight_bytes": 256,

// MISSING: error: quantx-report-precision: report=<file.json> is required
// UNWRITABLE: error: quantx-report-precision: cannot write '{{.*}}r.json'

func.func @main(%x: tensor<1x4x4x4xf32>, %m: tensor<1x3x16xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x3x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.1> : tensor<8xf32>}> : () -> tensor<8xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<8x3x3x4xf32>}> : () -> tensor<8x3x3x4xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, quantx.layer = "conv1"} : (tensor<1x4x4x4xf32>, tensor<8x3x3x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %mw = "tosa.const"() <{values = dense<0.25> : tensor<1x16x4xf32>}> : () -> tensor<1x16x4xf32>
  %mm = tosa.matmul %m, %mw, %zp, %zp : (tensor<1x3x16xf32>, tensor<1x16x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4xf32> loc("fc")
  return %c, %mm : tensor<1x4x4x8xf32>, tensor<1x3x4xf32>
}
