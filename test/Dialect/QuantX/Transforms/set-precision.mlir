// RUN: quant-opt %s --quantx-set-precision | FileCheck %s --check-prefix=DEFAULT
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-granularity=group:16" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: quant-opt %s --quantx-set-precision="weight-granularity=group:16" 2>&1 | FileCheck %s --check-prefix=INT8GROUP
// RUN: quant-opt %s --quantx-set-precision="weight-bits=ternary weight-granularity=group:16" | FileCheck %s --check-prefix=TERNARY
// RUN: quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-layers.json weight-bits=4" | FileCheck %s --check-prefix=FILE
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4" | quant-opt --quantx-set-precision="weight-bits=2" | FileCheck %s --check-prefix=KEEP
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-unknown-layer.json" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-group.json" 2>&1 | FileCheck %s --check-prefix=BADGROUP
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-combination.json" 2>&1 | FileCheck %s --check-prefix=COMBINATION
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-not-object.json" 2>&1 | FileCheck %s --check-prefix=NOTOBJECT
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-key.json" 2>&1 | FileCheck %s --check-prefix=BADKEY
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-two-names.json" 2>&1 | FileCheck %s --check-prefix=TWONAMES
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-truncated.json" 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/missing.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-bits-type.json" 2>&1 | FileCheck %s --check-prefix=BITSTYPE
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-granularity-type.json" 2>&1 | FileCheck %s --check-prefix=GRANULARITYTYPE
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-activations-type.json" 2>&1 | FileCheck %s --check-prefix=ACTIVATIONSTYPE
// RUN: not quant-opt %s --quantx-set-precision="weight-bits=5" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not quant-opt %s --quantx-set-precision="weight-granularity=group:0" 2>&1 | FileCheck %s --check-prefix=GRANULARITY
// RUN: not quant-opt %s --quantx-set-precision="activation-bits=1" 2>&1 | FileCheck %s --check-prefix=ACTIVATIONS
// RUN: quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=codebook" | FileCheck %s --check-prefix=CODEBOOK
// RUN: quant-opt %s --quantx-set-precision="weight-bits=3 weight-format=pow2 weight-granularity=per-tensor" | FileCheck %s --check-prefix=POW2
// RUN: quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-levels.json" | FileCheck %s --check-prefix=LEVELSFILE
// RUN: not quant-opt %s --quantx-set-precision="weight-format=codebook" 2>&1 | FileCheck %s --check-prefix=CODEBOOK8
// RUN: not quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=codebook weight-granularity=group:8" 2>&1 | FileCheck %s --check-prefix=CODEBOOKGROUP
// RUN: not quant-opt %s --quantx-set-precision="weight-bits=4 weight-format=kmeans" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not quant-opt %s --quantx-set-precision="precision-file=%S/Inputs/precision-bad-format.json" 2>&1 | FileCheck %s --check-prefix=FORMATFILE

// Three layers: a conv named by its quantx.layer attribute, a matmul named
// by its location, and a depthwise conv known only by position (#2). The
// elementwise add is not a layer.

// DEFAULT: tosa.conv2d {{.*}}quantx.precision = #quantx.precision<weights = int8>
// DEFAULT: tosa.matmul {{.*}}quantx.precision = #quantx.precision<weights = int8>
// DEFAULT: tosa.depthwise_conv2d {{.*}}quantx.precision = #quantx.precision<weights = int8>
// DEFAULT-NOT: tosa.add {{.*}}quantx.precision

// group:16 does not divide the conv's 8 input channels, nor is there an
// input-channel axis in a depthwise conv: per channel there, with a remark.
// GROUP: remark: quantx-set-precision: group:16 does not fit this layer (block size 16 does not divide the 8 input channels): per channel instead
// GROUP: remark: quantx-set-precision: group:16 does not fit this layer (a depthwise convolution has no input-channel axis to group): per channel instead
// GROUP: tosa.conv2d {{.*}}#quantx.precision<weights = int4>
// GROUP: tosa.matmul {{.*}}#quantx.precision<weights = int4, granularity = group, block = 16>
// GROUP: tosa.depthwise_conv2d {{.*}}#quantx.precision<weights = int4>

// int8 weights cannot take sub-scales (a weight times its sub-scale must fit
// int8, the kernels' operand): per channel, with a remark, on every layer.
// INT8GROUP-COUNT-3: remark: {{.*}}quantx-set-precision: group:16 does not fit this layer (int8 weights leave no room for sub-scales: a weight times its sub-scale must fit int8): per channel instead

// Ternary weights have a scale per channel whatever the granularity says.
// TERNARY-COUNT-3: #quantx.precision<weights = ternary>

// The file names the conv by quantx.layer, the matmul by location and the
// depthwise conv by position (the float deny-list); global options apply to
// layers it does not name (none here).
// FILE: tosa.conv2d {{.*}}#quantx.precision<weights = ternary>
// FILE: tosa.matmul {{.*}}#quantx.precision<weights = int2, granularity = group, block = 8>
// FILE: tosa.depthwise_conv2d {{.*}}#quantx.precision<weights = float>

// A precision already set (by hand, or by an earlier run) is kept.
// KEEP-COUNT-3: #quantx.precision<weights = int4>

// UNKNOWN: error: quantx-set-precision: {{.*}}precision-unknown-layer.json names layer 'conv9', which is not a quantizable layer of this model (conv2d, depthwise_conv2d or matmul with constant weights; names are quantx.layer attributes, location names or #0 to #2)
// BADGROUP: error: quantx-set-precision: precision w4a8-g3 from {{.*}}precision-bad-group.json does not fit this layer: block size 3 does not divide the 8 input channels
// COMBINATION: error: quantx-set-precision: {{.*}}precision-bad-combination.json: layer 'conv1': 'w4a1' is not a precision (1-bit (sign) activations need binary weights; expected e.g. w8a8
// NOTOBJECT: error: quantx-set-precision: {{.*}}precision-not-object.json must hold a JSON object mapping layer names to precisions
// BADKEY: error: quantx-set-precision: {{.*}}precision-bad-key.json: layer 'conv1': unknown key 'bits' (expected weight-bits, weight-format, weight-granularity, activation-bits)
// TWONAMES: error: quantx-set-precision: the precision file gives this layer two precisions (w4a8 and w2a8) under different names
// TRUNCATED: error: quantx-set-precision: {{.*}}precision-truncated.json is not valid JSON
// MISSING: error: quantx-set-precision: cannot read precision-file '{{.*}}missing.json'
// A present key with a value of the wrong JSON type is an error, not the
// default.
// BITSTYPE: error: quantx-set-precision: {{.*}}precision-bad-bits-type.json: layer 'conv1': weight-bits must be 8, 4, 3, 2, ternary, binary or float
// GRANULARITYTYPE: error: quantx-set-precision: {{.*}}precision-bad-granularity-type.json: layer 'conv1': weight-granularity must be per-tensor, per-channel, group:G or two-level:N
// ACTIVATIONSTYPE: error: quantx-set-precision: {{.*}}precision-bad-activations-type.json: layer 'conv1': activation-bits must be an integer (8, 16 or 1)
// BITS: error: quantx-set-precision: weight-bits must be 8, 4, 3, 2, ternary, binary or float, got '5'
// GRANULARITY: error: quantx-set-precision: weight-granularity must be per-tensor, per-channel, group:G or two-level:N (G, N positive), got 'group:0'
// ACTIVATIONS: error: quantx-set-precision: invalid precision: 1-bit (sign) activations need binary weights

// weight-format: what the codes stand for, on every layer, in the compact
// form too (-cb, -p2).
// CODEBOOK-COUNT-3: #quantx.precision<weights = int4, levels = codebook>
// POW2-COUNT-3: #quantx.precision<weights = int3, granularity = per_tensor, levels = pow2>
// LEVELSFILE: tosa.conv2d {{.*}}#quantx.precision<weights = int4, levels = codebook>
// LEVELSFILE: tosa.matmul {{.*}}#quantx.precision<weights = int3, levels = pow2>
// LEVELSFILE: tosa.depthwise_conv2d {{.*}}#quantx.precision<weights = int2, granularity = per_tensor, levels = codebook>
// CODEBOOK8: error: quantx-set-precision: invalid precision: codebook weights are int4, int3 or int2 codes, not int8
// CODEBOOKGROUP: error: quantx-set-precision: invalid precision: codebook weights have one scale per channel or tensor, not group
// FORMAT: error: quantx-set-precision: weight-format must be uniform, codebook or pow2, got 'kmeans'
// FORMATFILE: error: quantx-set-precision: {{.*}}precision-bad-format.json: layer 'conv1': weight-format must be uniform, codebook or pow2

func.func @main(%x: tensor<1x4x4x8xf32>, %m: tensor<1x3x16xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x3x4xf32>, tensor<1x4x4x8xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = "tosa.const"() <{values = dense<0.1> : tensor<8xf32>}> : () -> tensor<8xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x8xf32>}> : () -> tensor<8x1x1x8xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, quantx.layer = "conv1"} : (tensor<1x4x4x8xf32>, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %mw = "tosa.const"() <{values = dense<0.25> : tensor<1x16x4xf32>}> : () -> tensor<1x16x4xf32>
  %mm = tosa.matmul %m, %mw, %zp, %zp : (tensor<1x3x16xf32>, tensor<1x16x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4xf32> loc("fc")
  %dw = "tosa.const"() <{values = dense<0.5> : tensor<3x3x8x1xf32>}> : () -> tensor<3x3x8x1xf32>
  %d = tosa.depthwise_conv2d %x, %dw, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, tensor<3x3x8x1xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %s = tosa.add %c, %d : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %s, %mm, %d : tensor<1x4x4x8xf32>, tensor<1x3x4xf32>, tensor<1x4x4x8xf32>
}
