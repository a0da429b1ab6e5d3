// RUN: quant-opt %s --split-input-file --quantx-lower-to-gpu | FileCheck %s

// An int8 conv with its rescale: lowered as for the generic CPU kernels
// (panels of 8 columns, the rescale fused), then sent to the GPU kernel;
// the module gets the kernels, once.
// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @conv
// CHECK: quantx.kernel_call "quantx_gpu_conv_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<144xi8>, tensor<2xi32>, tensor<4xi32>)
// CHECK-SAME: params = array<i64: 0, 1, 4, 4, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 5, -128, 127, 8, 0, 0, 0, 0>
// CHECK-NOT: tosa.conv2d
// CHECK-NOT: quantx.rescale
// CHECK-LABEL: func.func @matmul
// CHECK: quantx.kernel_call "quantx_gpu_conv_s8"
// A depthwise convolution goes to the GPU's depthwise kernel, with the CPU
// kernel's int16 weights (2 channels x 9 taps x 2 bytes).
// CHECK-LABEL: func.func @depthwise
// CHECK: quantx.kernel_call "quantx_gpu_depthwise_s8"(%arg0, %{{.*}} : tensor<1x4x4x2xi8>, tensor<36xi8>, tensor<2xi32>)
// And an int8 max pooling to the GPU's pooling kernel.
// CHECK-LABEL: func.func @max_pool
// CHECK: quantx.kernel_call "quantx_gpu_maxpool_s8"(%arg0 : tensor<1x7x7x3xi8>)
// CHECK: gpu.module @quantx_gpu
// CHECK-NEXT: llvm.mlir.global internal @quantx_conv_s8_tiles() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<10240 x i8>
// CHECK-NEXT: gpu.func @quantx_conv_s8(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK-NEXT: %[[TILES:.*]] = llvm.mlir.addressof @quantx_conv_s8_tiles : !llvm.ptr<3>
// The first stage's loads, before the k loop: 128-bit weight loads.
// CHECK: llvm.load {{.*}} {alignment = 16 : i64} : !llvm.ptr -> vector<4xi32>
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: llvm.store {{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<3>
// CHECK: llvm.store {{.*}} {alignment = 16 : i64} : vector<4xi32>, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: nvvm.ldmatrix {{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK: nvvm.mma.sync
// CHECK-SAME: intOverflowBehavior = #nvvm.mma_int_overflow<wrapped>
// CHECK-SAME: multiplicandAPtxType = #nvvm.mma_type<s8>, multiplicandBPtxType = #nvvm.mma_type<s8>
// CHECK-SAME: shape = #nvvm.shape<m = 16, n = 8, k = 32>
// CHECK: gpu.func @quantx_depthwise_s8(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.extsi {{.*}} : i16 to i32
// CHECK: gpu.func @quantx_maxpool_s8({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: arith.maxsi
// CHECK-NOT: gpu.module
func.func @conv(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {axis = 3 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1518500250], shift = [38, 39], rounding = double>, output_zero_point = 5 : i64} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  return %y : tensor<1x4x4x2xi8>
}
func.func @matmul(%a: tensor<1x5x2xi8>) -> tensor<1x5x3xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<[[[1, 0, -1], [1, 0, -1]]]> : tensor<1x2x3xi8>}> : () -> tensor<1x2x3xi8>
  %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x5x2xi8>, tensor<1x2x3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x5x3xi32>
  return %m : tensor<1x5x3xi32>
}

func.func @depthwise(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<3x3x2x1xi8>}> : () -> tensor<3x3x2x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}

func.func @max_pool(%x: tensor<1x7x7x3xi8>) -> tensor<1x4x4x3xi8> {
  %y = tosa.max_pool2d %x {kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x7x7x3xi8>) -> tensor<1x4x4x3xi8>
  return %y : tensor<1x4x4x3xi8>
}

// -----

// What the GPU kernels do not take stays a CPU kernel, and then no GPU
// module is added: a weight zero point (the CPU kernel adds its row sums),
// float.
// CHECK-NOT: gpu.container_module
// CHECK-LABEL: func.func @weight_zero_point
// CHECK: quantx.kernel_call "quantx_kernel_conv_s8"
// CHECK-LABEL: func.func @float
// CHECK: quantx.kernel_call "quantx_kernel_conv_f32"
// CHECK-NOT: gpu.module
func.func @weight_zero_point(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %acc : tensor<1x4x4x2xi32>
}
func.func @float(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<1.0> : tensor<2x3x3x2xf32>}> : () -> tensor<2x3x3x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x3x3x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %acc : tensor<1x4x4x2xf32>
}

// -----

// Activations stay in device memory between GPU calls: the params' last
// field (device_residency) marks a result that only GPU calls read, each
// as its activation, kResidentOutput (2), and those readers kResidentInput
// (1). A result the host also reads (returned here) goes back to the host.
// CHECK-LABEL: func.func @chain
// CHECK: %[[CONV:.*]] = quantx.kernel_call "quantx_gpu_conv_s8"(%arg0,
// CHECK-SAME: 8, 0, 0, 0, 2>
// CHECK: %[[POOL:.*]] = quantx.kernel_call "quantx_gpu_maxpool_s8"(%[[CONV]] :
// CHECK-SAME: 0, 0, 0, 0, 3>
// CHECK: quantx.kernel_call "quantx_gpu_conv_s8"(%[[POOL]],
// CHECK-SAME: 8, 0, 0, 0, 1>
// CHECK-LABEL: func.func @host_reads
// CHECK: %[[FIRST:.*]] = quantx.kernel_call "quantx_gpu_conv_s8"(%arg0,
// CHECK-SAME: 8, 0, 0, 0, 0>
// CHECK: quantx.kernel_call "quantx_gpu_conv_s8"(%[[FIRST]],
// CHECK-SAME: 8, 0, 0, 0, 0>
func.func @chain(%x: tensor<1x4x4x2xi8>) -> tensor<1x3x3x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x3x3x2xi8>}> : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [38], rounding = double>} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  %p = tosa.max_pool2d %y {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>) -> tensor<1x3x3x2xi8>
  %w2 = "tosa.const"() <{values = dense<1> : tensor<2x1x1x2xi8>}> : () -> tensor<2x1x1x2xi8>
  %r = tosa.conv2d %p, %w2, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  return %r : tensor<1x3x3x2xi32>
}
func.func @host_reads(%x: tensor<1x4x4x2xi8>) -> (tensor<1x4x4x2xi8>, tensor<1x4x4x2xi32>) {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x2xi8>}> : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [38], rounding = double>} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  %r = tosa.conv2d %y, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %y, %r : tensor<1x4x4x2xi8>, tensor<1x4x4x2xi32>
}

// -----

// A residual connection (each int8 operand rescaled to int32, the sum,
// the sum rescaled to int8) becomes one call of the add kernel: the
// table holds the three rescales' multipliers and shifts per channel (a
// per-tensor one repeated), the params rows (4) and channels (3), the
// operands' zero points (pad_value 10, weight_zp -128), the rounding mask
// (4: the last rescale rounds once), the output zero point and clamp.
// CHECK-LABEL: func.func @residual
// CHECK: %[[TABLE:.*]] = arith.constant dense<[1073741824, 1073741824, 1073741824, 11, 11, 11, 1500000000, 1400000000, 1300000000, 12, 12, 12, 1740239225, 1740239225, 1740239225, 49, 49, 49]> : tensor<18xi32>
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<1x2x2x3xi8>
// CHECK: quantx.kernel_call "quantx_gpu_add_s8"(%arg0, %arg1, %[[TABLE]] : tensor<1x2x2x3xi8>, tensor<1x2x2x3xi8>, tensor<18xi32>) outs(%[[INIT]] : tensor<1x2x2x3xi8>) {params = array<i64: 0, 4, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 10, -128, 0, 0, 0, 4, -128, -128, 100, 0, 0, 0, 0, 0>}
// CHECK-NOT: tosa.add
// CHECK: gpu.module @quantx_gpu
// CHECK: gpu.func @quantx_add_s8(
func.func @residual(%a: tensor<1x2x2x3xi8>, %b: tensor<1x2x2x3xi8>) -> tensor<1x2x2x3xi8> {
  %ra = quantx.rescale %a {input_zero_point = 10 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<1x2x2x3xi8> -> tensor<1x2x2x3xi32>
  %rb = quantx.rescale %b {axis = 3 : i64, input_zero_point = -128 : i64, multiplier = #quantx.dyadic<multiplier = [1500000000, 1400000000, 1300000000], shift = [12, 12, 12], rounding = double>} : tensor<1x2x2x3xi8> -> tensor<1x2x2x3xi32>
  %sum = tosa.add %ra, %rb : (tensor<1x2x2x3xi32>, tensor<1x2x2x3xi32>) -> tensor<1x2x2x3xi32>
  %y = quantx.rescale %sum {clamp_max = 100 : i64, multiplier = #quantx.dyadic<multiplier = [1740239225], shift = [49], rounding = single>, output_zero_point = -128 : i64} : tensor<1x2x2x3xi32> -> tensor<1x2x2x3xi8>
  return %y : tensor<1x2x2x3xi8>
}

// -----

// What the add kernel does not compute stays as it was: an addend the host
// also reads, an addend rescale with an output zero point, a sum rescaled
// to int16.
// CHECK-NOT: gpu.container_module
// CHECK-LABEL: func.func @addend_read_twice
// CHECK: tosa.add
// CHECK-LABEL: func.func @addend_zero_point
// CHECK: tosa.add
// CHECK-LABEL: func.func @wide_sum
// CHECK: tosa.add
// CHECK-NOT: quantx_gpu_add_s8
func.func @addend_read_twice(%a: tensor<4xi8>, %b: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi32>) {
  %ra = quantx.rescale %a {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<4xi8> -> tensor<4xi32>
  %rb = quantx.rescale %b {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<4xi8> -> tensor<4xi32>
  %sum = tosa.add %ra, %rb : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %y = quantx.rescale %sum {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [49], rounding = double>} : tensor<4xi32> -> tensor<4xi8>
  return %y, %ra : tensor<4xi8>, tensor<4xi32>
}
func.func @addend_zero_point(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %ra = quantx.rescale %a {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>, output_zero_point = 3 : i64} : tensor<4xi8> -> tensor<4xi32>
  %rb = quantx.rescale %b {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<4xi8> -> tensor<4xi32>
  %sum = tosa.add %ra, %rb : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %y = quantx.rescale %sum {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [49], rounding = double>} : tensor<4xi32> -> tensor<4xi8>
  return %y : tensor<4xi8>
}
func.func @wide_sum(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi16> {
  %ra = quantx.rescale %a {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<4xi8> -> tensor<4xi32>
  %rb = quantx.rescale %b {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<4xi8> -> tensor<4xi32>
  %sum = tosa.add %ra, %rb : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %y = quantx.rescale %sum {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [49], rounding = double>} : tensor<4xi32> -> tensor<4xi16>
  return %y : tensor<4xi16>
}

// -----

// A conv feeding a residual add's second operand, the add feeding a conv:
// every activation between them stays in device memory (the add's
// device_residency 6: its second addend and its result).
// CHECK-LABEL: func.func @residual_chain
// CHECK: %[[CONV:.*]] = quantx.kernel_call "quantx_gpu_conv_s8"(%arg0,
// CHECK-SAME: 8, 0, 0, 0, 2>
// CHECK: %[[ADD:.*]] = quantx.kernel_call "quantx_gpu_add_s8"(%arg0, %[[CONV]],
// CHECK-SAME: 0, 0, 0, 0, 6>
// CHECK: quantx.kernel_call "quantx_gpu_conv_s8"(%[[ADD]],
// CHECK-SAME: 8, 0, 0, 0, 1>
func.func @residual_chain(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x2xi8>}> : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [32], rounding = double>} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  %ra = quantx.rescale %x {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<1x4x4x2xi8> -> tensor<1x4x4x2xi32>
  %rb = quantx.rescale %y {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [11], rounding = double>} : tensor<1x4x4x2xi8> -> tensor<1x4x4x2xi32>
  %sum = tosa.add %ra, %rb : (tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32>
  %s = quantx.rescale %sum {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = double>} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  %r = tosa.conv2d %s, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %r : tensor<1x4x4x2xi32>
}

// -----

// An int8 average pooling becomes a call of the GPU's pooling kernel (the
// zero points in pad_value and output_zp); it reads the conv's result in
// device memory (device_residency 1). A reshape reads its result on the
// host: bufferization may copy a reshape, and a copy would read a host
// buffer nothing wrote.
// CHECK-LABEL: func.func @pool_reshape
// CHECK: %[[CONV:.*]] = quantx.kernel_call "quantx_gpu_conv_s8"(%arg0,
// CHECK-SAME: 8, 0, 0, 0, 2>
// CHECK: %[[POOL:.*]] = quantx.kernel_call "quantx_gpu_avgpool_s8"(%[[CONV]] : tensor<1x4x4x2xi8>) outs(%{{.*}} : tensor<1x1x1x2xi8>) {params = array<i64: 0, 1, 4, 4, 2, 1, 1, 2, 4, 4, 1, 1, 1, 1, 0, 0, -128, 0, 0, 0, 0, 0, 5, -128, 127, 0, 0, 0, 0, 1>}
// CHECK: %[[FLAT:.*]] = tosa.reshape %[[POOL]]
// CHECK: quantx.kernel_call "quantx_gpu_conv_s8"(%[[FLAT]],
// CHECK-SAME: 0, 0, 0, 0>
// CHECK: gpu.func @quantx_avgpool_s8(
func.func @pool_reshape(%x: tensor<1x4x4x2xi8>) -> tensor<1x1x3xi32> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x2xi8>}> : () -> tensor<2x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<[7, -7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %acc = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  %y = quantx.rescale %acc {multiplier = #quantx.dyadic<multiplier = [1073741824], shift = [32], rounding = double>, output_zero_point = -128 : i64} : tensor<1x4x4x2xi32> -> tensor<1x4x4x2xi8>
  %inzp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  %outzp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %p = tosa.avg_pool2d %y, %inzp, %outzp {acc_type = i32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x2xi8>
  %shape = tosa.const_shape {values = dense<[1, 1, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %flat = tosa.reshape %p, %shape : (tensor<1x1x1x2xi8>, !tosa.shape<3>) -> tensor<1x1x2xi8>
  %fw = "tosa.const"() <{values = dense<[[[1, 0, -1], [1, 0, -1]]]> : tensor<1x2x3xi8>}> : () -> tensor<1x2x3xi8>
  %m = tosa.matmul %flat, %fw, %zp, %zp : (tensor<1x1x2xi8>, tensor<1x2x3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x3xi32>
  return %m : tensor<1x1x3xi32>
}
