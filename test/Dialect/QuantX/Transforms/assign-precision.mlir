// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8,w2a8 size-bytes=264 costs-file=%t.json" | FileCheck %s --check-prefix=BYTES
// RUN: FileCheck %s --input-file=%t.json --check-prefix=COSTS
// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8,w2a8 size=0.5" | FileCheck %s --check-prefix=BYTES
// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8,w2a8 size=1" | FileCheck %s --check-prefix=ALL8
// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8,w2a8 size=0" | FileCheck %s --check-prefix=ALL2
// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8,w2a8 bops=0.5 size=1" | FileCheck %s --check-prefix=BOPS
// RUN: rm -f %t.latency.json && echo '{"not a cache' > %t.corrupt.json
// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8 latency=1 latency-cache=%t.latency.json" | FileCheck %s --check-prefix=LATENCY
// RUN: FileCheck %s --input-file=%t.latency.json --check-prefix=CACHE
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8 latency-ms=0 latency-cache=%t.corrupt.json" 2>&1 | FileCheck %s --check-prefix=NOTIME
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,w2a8 size-bytes=100" 2>&1 | FileCheck %s --check-prefix=INFEASIBLE
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,w4a8,w2a8 size-bytes=150 bops=0" 2>&1 | FileCheck %s --check-prefix=JOINT
// RUN: echo '{"conv1": 1.0, "fc": 0.001, "#2": 0.0}' > %t.traces.json
// RUN: quant-opt %s --quantx-assign-precision="candidates=w8a8,w2a8 size=0 hessian-traces=%t.traces.json" | FileCheck %s --check-prefix=HESSIAN
// RUN: echo '{"conv1": 1.0, "fc": 0.001, "#2": 0.0, "conv9": 1}' > %t.unknown.json
// RUN: not quant-opt %s --quantx-assign-precision="size=0 hessian-traces=%t.unknown.json" 2>&1 | FileCheck %s --check-prefix=HESSIANUNKNOWN
// RUN: echo '{"conv1": 1.0, "fc": 0.001}' > %t.partial.json
// RUN: not quant-opt %s --quantx-assign-precision="size=0 hessian-traces=%t.partial.json" 2>&1 | FileCheck %s --check-prefix=HESSIANMISSING
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,w5a8" 2>&1 | FileCheck %s --check-prefix=BADCANDIDATE
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,w8a8" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,float" 2>&1 | FileCheck %s --check-prefix=FLOAT
// RUN: not quant-opt %s --quantx-assign-precision="size=1.5" 2>&1 | FileCheck %s --check-prefix=FRACTION
// RUN: not quant-opt %s --quantx-assign-precision="size=0.5 size-bytes=264" 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w8a8,w3a8" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quant-opt %s --quantx-assign-precision="candidates=w4a8-g32" 2>&1 | FileCheck %s --check-prefix=NOFIT
// RUN: not quant-opt %s --quantx-assign-precision="sensitivity=hessian" 2>&1 | FileCheck %s --check-prefix=METRIC

// Three layers with their sensitivities given (no calibration data needed)
// and a fourth on the deny-list (float), which stays float and counts 4
// bytes per weight. Packed bytes, scales included (4 per channel):
//   conv1 (64 weights, 8 channels):  w8a8 96, w4a8 64, w2a8 48
//   fc    (64 weights, 4 channels):  w8a8 80, w4a8 48, w2a8 32
//   #2, depthwise (72, 8 channels):  w8a8 104, w4a8 68, w2a8 50
//   #3, float (16 weights):          64
// All w8a8: 344 bytes; all w2a8: 194. 264 bytes (and size=0.5, 269: no
// better choice fits) means saving 80 bytes: conv1 w2a8 + fc w4a8 (48 +
// 32, sensitivity 1.0 + 0.5) is the cheapest way; conv1 w4a8 + fc w2a8
// costs 2.1, the depthwise layer anything 3.0 or more.

// BYTES: quantx.mixed_precision = "{{.*}}\22objective\22:1.5,\22predicted_totals\22:{\22bops\22:{{[0-9]+}},\22weight_bytes\22:264}
// BYTES: tosa.conv2d {{.*}}quantx.precision = #quantx.precision<weights = int2>
// BYTES: tosa.matmul {{.*}}quantx.precision = #quantx.precision<weights = int4>
// BYTES: tosa.depthwise_conv2d {{.*}}quantx.precision = #quantx.precision<weights = int8>
// BYTES: tosa.conv2d {{.*}}quantx.precision = #quantx.precision<weights = float>

// COSTS: "budget": {
// COSTS-NEXT: "weight_bytes": 264
// COSTS: "name": "conv1"
// COSTS: "precision": "w8a8",
// COSTS-NEXT: "sensitivity": 0,
// COSTS-NEXT: "weight_bytes": 96
// COSTS: "precision": "w2a8",
// COSTS-NEXT: "sensitivity": 1,
// COSTS-NEXT: "weight_bytes": 48
// COSTS: "name": "fc"
// COSTS: "name": "#2"
// COSTS: "name": "#3"
// COSTS: "precision": "float",
// COSTS-NEXT: "sensitivity": 0,
// COSTS-NEXT: "weight_bytes": 64

// ALL8-COUNT-3: quantx.precision = #quantx.precision<weights = int8>
// ALL2-COUNT-3: quantx.precision = #quantx.precision<weights = int2>

// BOPs (weight bits x 8 x MACs; the float layer 32 x 32 x 256 MACs):
// conv1 1024 MACs, fc 192, #2 1152: all w2a8 300032, all w8a8 413696,
// half-way 356864, so 56832 must go. conv1 w2a8 + fc w2a8 (49152 + 9216,
// sensitivity 3.0) is the cheapest way; conv1 w4a8 + #2 w4a8 (69632)
// costs 3.1, conv1 w2a8 + fc w4a8 (55296) is not enough.
// BOPS: tosa.conv2d {{.*}}quantx.precision = #quantx.precision<weights = int2>
// BOPS: tosa.matmul {{.*}}quantx.precision = #quantx.precision<weights = int2>
// BOPS: tosa.depthwise_conv2d {{.*}}quantx.precision = #quantx.precision<weights = int8>

// A latency budget times each layer alone at each candidate on this CPU
// (quantized with --quantize, run with the host's kernels), caching the
// medians by shape, precision, ISA and thread count; a corrupt cache is
// measured anew.
// LATENCY: quantx.mixed_precision = "{{.*}}\22latency_ms\22:
// CACHE: "tosa.conv2d (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32> acc_type=f32 dilation=array<i64: 1, 1> pad=array<i64: 0, 0, 0, 0> stride=array<i64: 1, 1> @ w4a8 on {{[a-z0-9]+}} x{{[0-9]+}}":
// CACHE: "tosa.matmul (tensor<1x3x16xf32>, tensor<1x16x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4xf32> @ w8a8 on
// NOTIME: error: quantx-assign-precision: the latency budget (0.000 ms) cannot be met: the smallest feasible is {{[0-9.]+}} ms (latency=0.0000)

// With Hessian traces (HAWQ-V3: Tr(H)/n x ||Q(W) - W||^2) the layers'
// given sensitivities give way; size=0 forces every layer to w2a8, and the
// report names the source.
// HESSIAN: quantx.mixed_precision = "{{.*}}\22sensitivity\22:\22hessian-traces\22
// HESSIAN-COUNT-3: quantx.precision = #quantx.precision<weights = int2>
// HESSIANUNKNOWN: error: quantx-assign-precision: {{.*}}unknown.json: names 'conv9', which is no assignable layer of this model
// HESSIANMISSING: error: quantx-assign-precision: {{.*}}partial.json: gives no trace for layer '#2' (names: #2)

// INFEASIBLE: error: quantx-assign-precision: the weight-size budget (100 bytes) cannot be met: the smallest feasible is 194 bytes (size=0.0000)
// JOINT: error: quantx-assign-precision: the weight-size budget (150 bytes) cannot be met with the other budgets as given: the smallest feasible is 194 bytes
// BADCANDIDATE: error: quantx-assign-precision: candidate 'w5a8':
// TWICE: error: quantx-assign-precision: candidate 'w8a8' is listed twice
// FLOAT: error: quantx-assign-precision: candidate 'float' is a deny-list entry, not a precision to assign: list it in the precision file
// FRACTION: error: quantx-assign-precision: size= is a fraction of the range between the all-lowest and the all-highest candidates, in [0, 1]; got 1.5
// BOTH: error: quantx-assign-precision: give size= or size-bytes=, not both
// MISSING: error: quantx-assign-precision: quantx.sensitivity gives no value for candidate w3a8
// NOFIT: error: quantx-assign-precision: no candidate fits this layer (w4a8-g32:
// METRIC: error: quantx-assign-precision: sensitivity must be output-mse, output-kl or layer-mse, got 'hessian'

func.func @main(%x: tensor<1x4x4x8xf32>, %m: tensor<1x3x16xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x3x4xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.1> : tensor<8xf32>}> : () -> tensor<8xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.layer = "conv1", quantx.sensitivity = {w8a8 = 0.0 : f64, w4a8 = 0.1 : f64, w2a8 = 1.0 : f64}} : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %mw = "tosa.const"() <{values = dense<0.25> : tensor<1x16x4xf32>}> : () -> tensor<1x16x4xf32>
  %mm = tosa.matmul %m, %mw, %zp, %zp {quantx.sensitivity = {w8a8 = 0.0 : f64, w4a8 = 0.5 : f64, w2a8 = 2.0 : f64}} : (tensor<1x3x16xf32>, tensor<1x16x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4xf32> loc("fc")
  %dw = "tosa.const"() <{values = dense<0.5> : tensor<3x3x8x1xf32>}> : () -> tensor<3x3x8x1xf32>
  %d = tosa.depthwise_conv2d %x, %dw, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, quantx.sensitivity = {w8a8 = 0.0 : f64, w4a8 = 3.0 : f64, w2a8 = 9.0 : f64}} : (tensor<1x4x4x8xf32>, tensor<3x3x8x1xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %b2 = "tosa.const"() <{values = dense<0.1> : tensor<2xf32>}> : () -> tensor<2xf32>
  %fw = "tosa.const"() <{values = dense<0.5> : tensor<2x1x1x8xf32>}> : () -> tensor<2x1x1x8xf32>
  %f = tosa.conv2d %x, %fw, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.precision = #quantx.precision<weights = float>} : (tensor<1x4x4x8xf32>, tensor<2x1x1x8xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %c, %mm, %d, %f : tensor<1x4x4x8xf32>, tensor<1x3x4xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x2xf32>
}
