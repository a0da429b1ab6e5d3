//===- Passes.td - quant-x conversion passes ---------------*- tablegen -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_CONVERSION_PASSES_TD
#define QUANTX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQuantXToArith : Pass<"quantx-lower-to-arith", "ModuleOp"> {
  let summary = "Lower quantx ops to integer arith on tensors";
  let description = [{
    Replaces every quantized tensor by its storage integers and every quantx
    op by a `linalg.generic` whose body is scalar `arith` (and `math.roundeven`
    for quantize):

    - `quantx.requantize` and `quantx.rescale` become integer-only arithmetic:
      the multiplier of each block is `scale_in / scale_out` as an exact
      dyadic value, rounded as `rounding` says. 64-bit intermediates appear
      only where the rounding needs them; when the input range and a constant
      multiplier prove that 32 bits suffice, the whole rescale is 32-bit.
    - `quantx.quantize` / `quantx.dequantize` become float <-> integer
      arithmetic with round-half-to-even and saturation.
    - Function signatures, calls and returns take the storage integer types.

    Per-axis and per-block parameters become constant tensors read through
    `floordiv` indexing maps, so no parameter is materialized per element.

    Before:
    ```mlir
    %y = quantx.requantize %x : tensor<8x!quantx.uniform<i8:f32,
        #quantx.per_tensor<scale = 0.5, zero_point = 1>>>
      -> tensor<8x!quantx.uniform<i8:f32, #quantx.per_tensor<scale = 0.25, zero_point = 0>>>
    ```
    After: a `linalg.generic` on `tensor<8xi8>` computing
    `clamp(dyadic(x - 1), -128, 127)` with multiplier 2^30 and shift 29.
  }];
  let options = [
    Option<"rounding", "rounding", "::mlir::quantx::RoundingMode",
           "::mlir::quantx::RoundingMode::Double",
           "Rounding of the requantize multipliers",
           [{::llvm::cl::values(
             clEnumValN(::mlir::quantx::RoundingMode::Double, "double",
                        "TFLite/gemmlowp double rounding"),
             clEnumValN(::mlir::quantx::RoundingMode::Single, "single",
                        "TOSA SINGLE_ROUND"))}]>,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def ImportUpstreamQuant : Pass<"quantx-import-quant", "ModuleOp"> {
  let summary = "Convert upstream !quant types and quant ops to quantx";
  let description = [{
    `!quant.uniform` (per tensor, per axis and sub-channel) become
    `!quantx.uniform` with `#quantx.per_tensor`, `#quantx.per_axis` and
    `#quantx.per_block`; `quant.qcast`, `quant.dcast` and `quant.scast` become
    `quantx.quantize`, `quantx.dequantize` and `quantx.storage_cast`. Function
    signatures, calls and returns are converted. Storage bounds other than the
    full or the narrow range, and ops outside func and quant that use
    quantized types, are refused with a diagnostic.
  }];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def ExportUpstreamQuant : Pass<"quantx-export-quant", "ModuleOp"> {
  let summary = "Convert quantx types and ops to upstream !quant and quant ops";
  let description = [{
    The inverse of `quantx-import-quant`. `quantx.requantize` becomes
    `quant.dcast` followed by `quant.qcast` (its meaning). Two-level
    quantization has no upstream equivalent and is refused with a diagnostic,
    as is `quantx.rescale` on quantized types.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def LowerToKernels : Pass<"quantx-lower-to-kernels", "func::FuncOp"> {
  let summary = "Lower conv2d, depthwise_conv2d and matmul to CPU kernels";
  let description = [{
    Replaces `tosa.conv2d`, `tosa.depthwise_conv2d` and `tosa.matmul` with
    constant weights, int8 x int8 -> int32 or float, by `quantx.kernel_call`s
    of the runtime kernels (`include/quant-x/Runtime/Kernels.h`):

    - the weights are packed at compile time into the layout the micro-kernel
      of `isa` streams; zero points (and, for AVX-512 VNNI, the +128 that
      makes activations unsigned) are folded into the bias;
    - a preceding `tosa.pad` of H and W becomes the kernel's padding (its
      fill value is kept);
    - constant [1, 1, N] adds after a matmul are folded into the bias;
    - a following `quantx.rescale` to int8 (per tensor, or per channel along
      the last axis) becomes the kernel's epilogue;
    - packed weights (`quantx.unpack_weights` without sub-scales) stay
      packed in the kernel's memory where the ISA expands them: int4 as
      nibbles, and int2, ternary and binary in 2 bits when their int8 form
      would not fit the host's last-level cache (`low-bit-min-weights`).

    Results are bit-identical to the reference lowering for int8; float
    kernels sum in a different order. Ops it cannot take are left alone.
  }];
  let options = [
    Option<"isaName", "isa", "std::string", "\"host\"",
           "Kernel ISA: host (the best this CPU runs), avx512vnni, "
           "avx2-maddubs (vpmaddubsw for the layers proven not to saturate "
           "it, avx2 for the others), avx2 or generic">,
    Option<"lowBitMinWeights", "low-bit-min-weights", "int64_t", "-1",
           "Int2, ternary and binary weights stay 2-bit in the kernel's "
           "memory from this many weights up; -1: more weights than the "
           "host's last-level cache holds bytes (smaller layers stay in "
           "cache, where expanding them costs more than the bytes they "
           "save: bench/lowbit.py). int4 weights always stay nibbles">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quantx::QuantXDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowerToGpu : Pass<"quantx-lower-to-gpu", "ModuleOp"> {
  let summary = "Run int8 convolutions and matmuls on NVIDIA GPUs";
  let description = [{
    Lowers `tosa.conv2d`, `tosa.depthwise_conv2d` and `tosa.matmul` (with a
    preceding pad and a following rescale) to kernel calls as
    `quantx-lower-to-kernels{isa=generic}` does, then sends every int8
    conv/matmul call that the GPU conv kernel takes to `quantx_gpu_conv_s8`,
    every int8 depthwise call to `quantx_gpu_depthwise_s8`, every int8 max
    pooling to `quantx_gpu_maxpool_s8`, and appends `gpu.module
    @quantx_gpu` with the kernels. The conv kernel is an
    implicit GEMM on `nvvm.mma.sync` m16n8k32 (s8 x s8, wrapping s32 sums),
    each warp a 2 x 4 grid of tiles; the depthwise and pooling kernels run
    a thread per output element on CUDA cores. The epilogues add the bias
    and requantize exactly as the CPU does. The kernels read the layer from the
    call's parameters at run time, so one kernel serves every layer.

    Calls the GPU conv kernel does not take (a weight zero point, int4 or
    2-bit packed weights, weights per batch) and every other kernel
    (float, binary) stay CPU kernels, as does everything between
    them. `quant-run --target gpu` compiles the gpu.module to PTX in-process
    and runs the rest on the CPU (docs/GPU.md).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::gpu::GPUDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::quantx::QuantXDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect"
  ];
}

def LowerKernelCalls : Pass<"quantx-lower-kernel-calls", "ModuleOp"> {
  let summary = "Lower bufferized quantx.kernel_call to runtime calls";
  let description = [{
    Each `quantx.kernel_call` on memrefs becomes an `llvm.call` of its runtime
    entry point with `!llvm.ptr` arguments: the inputs (contiguous copies of
    strided buffers), null for absent ones, the parameter array (a constant
    `memref.global`) and the output.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect"];
}

def OutlineLoopNests : Pass<"quantx-outline-loop-nests", "ModuleOp"> {
  let summary = "Give each bufferized linalg op a function of its own";
  let description = [{
    Moves every linalg op on buffers at the top level of a function into a
    private `no_inline` function of its own, called in its place (constants
    its body uses are cloned in). LLVM's loop analyses (ScalarEvolution's
    guard search walks the dominators of a block) cost time that grows with
    the number of loop nests in one function, so one function per model
    made compile time grow quadratically with model size; one function per
    loop nest makes it linear. The call costs nothing next to a loop nest.
    Equivalent loop nests (layers of one shape: their weights are arguments)
    share one function, so LLVM compiles each shape once.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def SplitLargeFunctions : Pass<"quantx-split-large-functions", "ModuleOp"> {
  let summary = "Split long straight-line functions into a chain of calls";
  let description = [{
    Cuts the body of every single-block function with more than twice
    `max-ops` operations into consecutive segments of about `max-ops`
    operations (constants not counted), each moved into a private
    `no_inline` function called in its place. A segment takes the values it
    uses from before it as arguments and returns the ones used after it;
    constants are cloned in. The CPU pipeline runs it on tensors, before
    bufferization: bufferization's deallocation simplification, the LLVM
    conversions and LLVM's code generation (instruction scheduling, DAG
    combining, called-value propagation) all cost more than linear time in
    the size of one function, and a model is one function.

    A cut never separates a value from its uses when it cannot be a
    function result: dynamically shaped values (bufferization returns only
    static shapes) and stack memory (`memref.alloca` and views of it). The
    segment grows until no such value is live across; a tail that returns
    one stays in place.
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"64",
           "Operations per segment (functions no longer than twice this "
           "are left alone)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // QUANTX_CONVERSION_PASSES_TD
