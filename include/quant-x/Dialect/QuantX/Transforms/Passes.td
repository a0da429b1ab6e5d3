//===- Passes.td - quant-x quantization passes -------------*- tablegen -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The stages of post-training quantization, each usable alone; the
// `quantize-int8` pipeline chains them (docs/Passes.md).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_TRANSFORMS_PASSES_TD
#define QUANTX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CheckTensorSizes : Pass<"quantx-check-tensor-sizes", "ModuleOp"> {
  let summary = "Refuse tensors too large to materialize";
  let description = [{
    Every step of quant-x materializes at most a few copies of a tensor of
    the model: weights are expanded to quantize or pack them (a splat
    constant too), activations are allocated to run it. This pass bounds
    that memory before any step allocates: every static tensor type of the
    module (function arguments, op results, constants) must hold at most
    `max-tensor-mb` MiB, its byte size computed with overflow checks. A
    larger one is an error naming its type and size, instead of an
    out-of-memory kill or a wrapped size. It runs first in `quantize-int8`
    and in every JIT compilation (quant-run, calibration).
  }];
  let options = [
    Option<"maxTensorMB", "max-tensor-mb", "uint64_t",
           "::mlir::quantx::kDefaultMaxTensorMB",
           "Largest tensor, in MiB, a step may materialize">,
  ];
}

def FoldBatchNorm : Pass<"quantx-fold-batch-norm", "func::FuncOp"> {
  let summary = "Fold per-channel affine ops (batch norm) into conv/matmul";
  let description = [{
    A `tosa.sub`, `tosa.mul` or `tosa.add` with a per-channel constant
    (shape `1x...x1xC`, or a scalar) applied to the only use of a
    `tosa.conv2d`, `tosa.depthwise_conv2d` (constant weights and bias) or a
    `tosa.matmul` with constant right-hand side (and its bias `tosa.add`) is
    folded into new weights and bias. Decomposed batch normalization
    `(x - mean) * (gamma / sqrt(var + eps)) + beta` disappears entirely; a
    lone mul or add folds too. Per-channel ops behind a `tosa.reshape` that
    keeps the channel dimension are moved in front of it first.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def Equalize : Pass<"quantx-equalize", "func::FuncOp"> {
  let summary = "Cross-layer equalization of weight ranges";
  let description = [{
    Data-free cross-layer equalization (Nagel et al., ICCV 2019). For each
    pair of layers (conv2d, depthwise_conv2d, matmul with constant weights)
    where the first one's output reaches only the second one's input
    through ReLU (`tosa.clamp` from 0 to the float maximum), reshapes,
    zero pads and max / average pooling, each channel c between them is
    scaled: the first layer's output channel (weights and bias, a matmul's
    bias add) by 1 / s_c, the second layer's input channel by s_c, with
    s_c = sqrt(r1_c / r2_c) from the channel's weight ranges, so that both
    become sqrt(r1_c r2_c). A positive scale commutes with what lies
    between, so the float function is unchanged. The pairs are swept until
    no scale moves by more than `tolerance` (chains such as
    depthwise-separable blocks share layers). A ReLU6 (a clamp with a finite
    upper bound) does not commute with per-channel scales: with
    `relu6=stop` the pair is left alone; with `relu6=relu` it becomes a ReLU
    (as Nagel et al. and AIMET do for MobileNetV2), which changes the float
    function wherever the input exceeds the bound, with a warning. A remark
    gives each layer's weight range spread (largest over smallest output
    channel range) before and after.
  }];
  let options = [
    Option<"relu6", "relu6", "std::string", "\"stop\"",
           "At a ReLU6 between two layers: stop, or relu (replace it)">,
    Option<"tolerance", "tolerance", "double", "1e-4",
           "Stop when no scale moves by more than this (relative)">,
    Option<"maxSweeps", "max-sweeps", "int64_t", "1000",
           "Most sweeps over the pairs">,
  ];
}

def Calibrate : Pass<"quantx-calibrate", "ModuleOp"> {
  let summary = "Run the float model on calibration data; attach statistics";
  let description = [{
    Compiles the module with the LLVM JIT, runs `entry` over every sample of
    `calibration-data` and attaches `#quantx.calib_stats` (min, max and a
    histogram of `bins` bins over [min, max]) to every activation that will
    be quantized: the function arguments (`quantx.calib` argument attribute)
    and each op result that is not fused into its consumer (`quantx.calib`,
    an array with one entry per result). Results of conv/matmul/add feeding
    a clamp, of a matmul feeding its bias add, and of ops that keep their
    input's quantization (reshape, transpose, pooling, pad, slice) are not
    quantization points.

    `calibration-data` is a float32 `.npy` of shape `[N, <argument shape>]`
    for a one-argument entry, or an `.npz` with arrays `arg0`, `arg1`, ...
    Progress goes to stderr for runs of 100 samples or more.
  }];
  let options = [
    Option<"calibrationData", "calibration-data", "std::string", "",
           "Calibration samples (.npy for one argument, .npz with arg0, "
           "arg1, ... for several)">,
    Option<"entry", "entry", "std::string", "\"main\"", "Function to run">,
    Option<"bins", "bins", "unsigned", "2048", "Histogram bins">,
    Option<"maxSamples", "max-samples", "int64_t", "0",
           "Calibrate on at most this many samples (0: all)">,
    Option<"maxTensorMB", "max-tensor-mb", "uint64_t",
           "::mlir::quantx::kDefaultMaxTensorMB",
           "Largest tensor, in MiB, the compiled model may materialize">,
  ];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def FoldCalibration : Pass<"quantx-fold-calibration", "func::FuncOp"> {
  let summary = "Turn calibration statistics into scales and zero points";
  let description = [{
    Chooses the range `[lo, hi]` of every value with `#quantx.calib_stats`
    (always including 0) by `calibration`:

    - `minmax`: the observed range;
    - `percentile`: the `percentile`-th and `(100 - percentile)`-th
      percentiles of the histogram;
    - `entropy`: TensorRT's KL-divergence threshold on the histogram of
      |x| (2048 bins, 128 quantization levels);
    - `mse`: the clip threshold minimizing the expected squared error
      (rounding plus clipping) over the histogram, by search;
    - `octav`: the same optimum by OCTAV's Newton-Raphson recursion
      (Sakr et al., 2022).

    Function arguments and the values the function returns (directly or
    through reshapes and other ops that keep their quantization) always keep
    their min/max range: clipping an input discards data the model was
    given, clipping logits merges exactly the values a consumer compares.

    It then inserts `quantx.quantize` / `quantx.dequantize` (int8,
    asymmetric, per tensor) after the value, so that the model computes the
    quantized values in float (a simulated-quantization model), and drops
    the statistics.
  }];
  let options = [
    Option<"method", "calibration", "std::string", "\"minmax\"",
           "minmax, percentile, entropy, mse or octav">,
    Option<"percentile", "percentile", "double", "99.99",
           "Percentile kept by `calibration=percentile`">,
  ];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def SetPrecision : Pass<"quantx-set-precision", "ModuleOp"> {
  let summary = "Give each conv/matmul layer its precision";
  let description = [{
    Sets `quantx.precision` (`#quantx.precision<...>`) on every quantizable
    layer: `tosa.conv2d`, `tosa.depthwise_conv2d` and `tosa.matmul` with
    constant weights. A layer named in `precision-file` gets the precision
    given there; a layer that already has a precision (set by hand) keeps
    it; every other layer gets the one the `weight-bits`,
    `weight-format`, `weight-granularity` and `activation-bits` options
    describe.

    A layer's name is its `quantx.layer` attribute (the ONNX importer sets
    it to the node's name), else the name of its location
    (`loc("name")`), and in any case `#i`, its position among the module's
    quantizable layers (from 0, in order). The precision file is a JSON
    object mapping names to a precision in the compact form (`"w4a8"`,
    `"w4a8-g32"`, `"wta8"`, `"float"`: see docs/Dialect.md) or to an object
    with the option keys (`{"weight-bits": 4, "weight-format": "codebook",
    "weight-granularity": "per-channel", "activation-bits": 8}`). A name that matches no layer is an
    error, and so is a group or vector size that does not divide a named
    layer's input channels (conv) or reduction (matmul); the same size
    asked for globally falls back to per channel on that layer, with a
    remark.
  }];
  let options = [
    Option<"weightBits", "weight-bits", "std::string", /*default=*/"\"8\"",
           "Weight format: 8, 4, 3, 2, ternary, binary or float">,
    Option<"weightFormat", "weight-format", "std::string",
           /*default=*/"\"uniform\"",
           "What 4-, 3- and 2-bit weight codes stand for: uniform integers, "
           "a learned codebook of int8 integers, or pow2 (powers of two)">,
    Option<"weightGranularity", "weight-granularity", "std::string",
           /*default=*/"\"per-channel\"",
           "per-tensor, per-channel, group:G or two-level:N">,
    Option<"activationBits", "activation-bits", "int64_t", /*default=*/"8",
           "Activation bits: 8, 16, or 1 (sign, with binary weights)">,
    Option<"precisionFile", "precision-file", "std::string",
           /*default=*/"\"\"",
           "JSON object mapping layer names to precisions">,
    Option<"weightClipping", "weight-clipping", "std::string",
           /*default=*/"\"max\"",
           "Scale of a group of uniform weights: max (its largest magnitude) "
           "or octav (the MSE-optimal clipping threshold)">,
  ];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def AssignPrecision : Pass<"quantx-assign-precision", "ModuleOp"> {
  let summary = "Choose each layer's precision under size and BOPs budgets";
  let description = [{
    Mixed-precision assignment: for every quantizable layer (as
    quantx-set-precision finds them; layers it set to `float`, the
    precision file's deny-list, stay as they are) picks one of the
    `candidates` (compact precisions, `w8a8,w4a8,w4a8-g32,w2a8,...`; those
    that do not fit a layer are not offered to it) so that the sum of the
    layers' sensitivities is smallest while the model's weight bytes
    (packed, scales included, as the report counts them) and BOPs (weight
    bits x activation bits x MACs) stay within their budgets. The choice is
    the proven optimum of a 0-1 integer program (COIN-OR CBC,
    include/quant-x/Solver/PrecisionSolver.h).

    A budget is a fraction f of the range between the all-lowest and the
    all-highest candidate assignment (`size=f`, `bops=f`: lowest + f x
    (highest - lowest), HAWQ-V3's convention) or absolute (`size-bytes=`,
    `bops-count=`, whole model). An infeasible budget is an error that
    names it and its smallest feasible value. A latency budget (`latency=f`,
    `latency-ms=`) times each assigned layer alone at each of its
    candidates, quantized as `--quantize` would and run with this CPU's
    kernels (lib/Dialect/QuantX/Transforms/LayerLatency.h; cached on disk
    by shape, precision, ISA and thread count), and budgets their sum.

    Sensitivity is measured on the calibration samples with the float
    model in the JIT: the output error (`sensitivity=output-mse`, or
    `output-kl` of the softmax, for logits) when only that layer's weights
    take that precision, quantized exactly as quantx-quantize will; or,
    for models too large for a run per layer and candidate,
    `sensitivity=layer-mse`: the layer's own output error E||dW x||^2 from
    its input channels' second moments, measured in one run. A
    layer may instead carry its own, `quantx.sensitivity = {w4a8 = 0.3 :
    f64, ...}` for each of its candidates; when every layer does, no
    calibration data is needed. With `hessian-traces` (a JSON object of
    layer names to average Hessian traces, e.g. from
    `quantx.hessian_traces` in Python) a layer's sensitivity is HAWQ-V3's
    Tr(H)/n x ||Q(W) - W||^2, the weight error computed with the
    quantizer quantx-quantize uses. Activation precision is not measured: the
    candidates should share their activation bits (layers reading one
    quantization point are tied to one precision otherwise).

    Sets `quantx.precision` on each layer and records the budgets, the
    predicted totals, the objective and the ties on the module
    (`quantx.mixed_precision`, which the report includes); `costs-file`
    writes the problem in `python3 -m quantx solve-precision`'s format.
  }];
  let options = [
    Option<"calibrationData", "calibration-data", "std::string", "\"\"",
           "Samples: .npy [N, <argument shape>] or .npz (arg0, arg1, ...)">,
    Option<"entry", "entry", "std::string", "\"main\"", "Function to run">,
    Option<"maxSamples", "max-samples", "int64_t", "256",
           "Measure on at most this many samples (0: all)">,
    Option<"maxTensorMB", "max-tensor-mb", "uint64_t",
           "::mlir::quantx::kDefaultMaxTensorMB",
           "Largest tensor, in MiB, the probe may materialize">,
    Option<"candidates", "candidates", "std::string", "\"w8a8,w4a8\"",
           "Comma-separated compact precisions each layer may take">,
    Option<"size", "size", "double", "-1",
           "Weight-size budget as a fraction of the candidates' range">,
    Option<"bops", "bops", "double", "-1",
           "BOPs budget as a fraction of the candidates' range">,
    Option<"sizeBytes", "size-bytes", "double", "-1",
           "Weight-size budget in bytes (whole model)">,
    Option<"bopsCount", "bops-count", "double", "-1",
           "BOPs budget (whole model)">,
    Option<"latency", "latency", "double", "-1",
           "Latency budget as a fraction of the candidates' range">,
    Option<"latencyMs", "latency-ms", "double", "-1",
           "Latency budget in milliseconds (the assigned layers)">,
    Option<"latencyCache", "latency-cache", "std::string", "\"\"",
           "File caching the measured layer latencies (default under "
           "~/.cache/quantx; none: no cache)">,
    Option<"sensitivity", "sensitivity", "std::string", "\"output-mse\"",
           "output-mse, output-kl, or layer-mse (the layer-output proxy)">,
    Option<"hessianTraces", "hessian-traces", "std::string", "\"\"",
           "JSON object: layer name -> average Hessian trace Tr(H)/n; the "
           "sensitivity is then Tr(H)/n x ||Q(W) - W||^2 (HAWQ-V3)">,
    Option<"costsFile", "costs-file", "std::string", "\"\"",
           "Write the layers' options, sensitivities, costs and budgets as "
           "JSON">,
  ];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def OptimizeRounding : Pass<"quantx-optimize-rounding", "ModuleOp"> {
  let summary = "Choose weight integers that minimize each layer's output error";
  let description = [{
    GPTQ (Frantar et al., 2023): for each quantizable layer in program order
    (conv2d, depthwise_conv2d, matmul with constant weights at an integer
    precision), the module as quantx-fold-calibration leaves it, with the
    layers already done reading their quantized weights, runs over the
    calibration samples and accumulates the layer-input Hessian H = E[x x^T]
    of the layer's input patches. The weights are then rounded one input
    column at a time (largest H_ii first with `act-order`), each column's
    rounding error spread over the columns not yet rounded through the
    Cholesky factor of H^-1 (H dampened by `dampening` times its mean
    diagonal). The grid (scales and sub-scales) stays the one
    quantx-quantize derives from the float weights; the integers chosen are
    stored as `quantx.rounded_weights` for quantx-quantize to use. Any
    uniform or ternary weight format and any granularity; binary weights
    (signs, nothing to choose) keep round-to-nearest. A remark gives each
    layer's output error tr(dW H dW^T) with round-to-nearest and after.

    `method=adaround` (Nagel et al., ICML 2020) chooses each weight between
    the two grid points (or codebook levels) around it instead: a rectified
    sigmoid h per weight, optimized with Adam (`iterations` steps) on the
    same output error tr(dW H dW^T), normalized per output channel, plus
    `regularization` times the regularizer sum(1 - |2h - 1|^beta), beta
    annealed from 20 to 2 after the first 20% of the steps; then h is
    rounded to 0 or 1. Deterministic (h starts at the discarded fraction).

    With `reconstruct=model` (asymmetric reconstruction, as AdaRound's and
    GPTAQ's) each layer reproduces the float model's output W x_f instead
    of W x, x_f being the same input patches in the float model (float
    weights, activations not quantized), computed in the same run: the
    weights rounded are V* = W E[x_f x^T] H^-1, the minimizer of
    E|V x - W x_f|^2, so that each layer also compensates the error the
    layers before it left.
  }];
  let options = [
    Option<"method", "method", "std::string", "\"gptq\"",
           "Rounding method: gptq or adaround">,
    Option<"iterations", "iterations", "int64_t", "1000",
           "AdaRound's optimization steps per layer">,
    Option<"regularization", "regularization", "double", "1.0",
           "AdaRound's rounding regularizer weight (lambda)">,
    Option<"dampening", "dampening", "double", "0.01",
           "Added to H's diagonal, as a fraction of its mean">,
    Option<"actOrder", "act-order", "bool", "true",
           "Round the inputs with the largest H_ii first">,
    Option<"reconstruct", "reconstruct", "std::string", "\"layer\"",
           "What the rounded layer reproduces: layer (the float layer on "
           "the same quantized inputs) or model (the float model's output "
           "of the layer, compensating the layers before)">,
    Option<"calibrationData", "calibration-data", "std::string", "",
           "Calibration samples (.npy for one argument, .npz with arg0, "
           "arg1, ... for several)">,
    Option<"entry", "entry", "std::string", "\"main\"", "Function to run">,
    Option<"maxSamples", "max-samples", "int64_t", "0",
           "Use at most this many samples (0: all)">,
    Option<"maxTensorMB", "max-tensor-mb", "uint64_t",
           "::mlir::quantx::kDefaultMaxTensorMB",
           "Largest tensor, in MiB, the compiled model may materialize">,
  ];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def CorrectBias : Pass<"quantx-correct-bias", "ModuleOp"> {
  let summary = "Fold the expected output shift of weight quantization into the bias";
  let description = [{
    Bias correction (Nagel et al., ICCV 2019), empirical: for each
    quantizable layer in program order, the mean of its input patches E[x]
    on the inputs the quantized model gives it (the module as
    quantx-fold-calibration leaves it, the layers already done reading
    their quantized weights and corrected biases), and the expected shift
    E[(Q(W) - W) x] = (Q(W) - W) E[x] of each output channel that
    quantizing its weights causes (with the integers
    quantx-optimize-rounding chose, if it ran first), subtracted from the
    layer's bias. A matmul gets a bias add after it. A remark gives each
    layer's largest shift corrected.

    With `reconstruct=model` the shift corrected is the whole mean error
    against the float model, Q(W) E[x] - W E[x_f], where x_f are the same
    patches in the float model (float weights, activations not quantized):
    it also removes the mean shift the layers before left.
  }];
  let options = [
    Option<"reconstruct", "reconstruct", "std::string", "\"layer\"",
           "Which shift is corrected: layer (of this layer's weights) or "
           "model (against the float model's output)">,
    Option<"calibrationData", "calibration-data", "std::string", "",
           "Calibration samples (.npy for one argument, .npz with arg0, "
           "arg1, ... for several)">,
    Option<"entry", "entry", "std::string", "\"main\"", "Function to run">,
    Option<"maxSamples", "max-samples", "int64_t", "0",
           "Use at most this many samples (0: all)">,
    Option<"maxTensorMB", "max-tensor-mb", "uint64_t",
           "::mlir::quantx::kDefaultMaxTensorMB",
           "Largest tensor, in MiB, the compiled model may materialize">,
  ];
  let dependentDialects = ["::mlir::quantx::QuantXDialect"];
}

def ReportPrecision : Pass<"quantx-report-precision", "ModuleOp"> {
  let summary = "Write each layer's precision, weight bytes and MACs as JSON";
  let description = [{
    Writes `report` as a JSON object: `layers`, one entry per layer with a
    `quantx.precision` (conv2d, depthwise_conv2d, matmul) in order, each
    with `name` (as `quantx-set-precision` names layers), `op`, `weights`
    (the format: int8, int4, ..., ternary, binary, float), `weight_bits`,
    `granularity`, `activation_bits`, `weight_elements`, `weight_bytes`
    (as the module stores them now, scales included: one byte per integer
    weight until weights are packed, four per float weight, four per
    per-channel scale), `packed_weight_bytes` (at `weight_bits` per weight,
    scales included) and `macs`; and `total_weight_bytes` and
    `total_packed_weight_bytes`, the sums. Runs at the end of `--quantize`
    and `--quantize-int8` when their `report` option is set.
  }];
  let options = [
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Where to write the JSON report (required)">,
  ];
}

def Quantize : Pass<"quantx-quantize", "func::FuncOp"> {
  let summary = "Rewrite float ops between dequantize/quantize to integers";
  let description = [{
    Works on the output of `quantx-fold-calibration`. Float TOSA ops whose
    operands are dequantized activations (or constants) become integer TOSA
    ops on the storage integers:

    - conv2d / depthwise_conv2d / matmul: weights quantized now, symmetric
      int8 in [-127, 127] per output channel; int32 bias at
      `s_in * s_w`; the input zero point folded into the bias (explicit
      `tosa.pad` with the zero point where the op pads);
    - a following clamp (ReLU, ReLU6) fused into the output range;
    - add/sub of two activations: both rescaled to a common int32 scale
      (2^-20 of twice the larger input scale), as TFLite does;
    - mul by a positive constant folded into the scale; mul of two
      activations in int32;
    - reshape, transpose, slice, pad, max_pool2d, avg_pool2d, clamp in
      int8 with the input's scale; concat with each input requantized;
      reduce_sum in int32.

    Accumulators reach the next `quantx.quantize` as `quantx.requantize`
    from `!quantx.uniform<i32:f32, ...>`. An op it cannot quantize stays
    float between a dequantize and a quantize, with a remark naming it.
  }];
  let dependentDialects = ["::mlir::quantx::QuantXDialect",
                           "::mlir::tosa::TosaDialect"];
}

def WidenAccumulators : Pass<"quantx-widen-accumulators", "func::FuncOp"> {
  let summary = "Accumulate in int48 where an int32 sum could overflow";
  let description = [{
    Bounds every integer value with the interval analysis of
    `quantx-check-accumulators`. An int8 `tosa.conv2d`,
    `tosa.depthwise_conv2d` or `tosa.matmul` whose int32 accumulator, or a
    constant (bias, zero-point correction) added to it before it is
    requantized, could leave int32 is rewritten to TOSA's wide form: the
    activation cast to int16 (and a matmul's weights to int16 constants),
    an i48 result, i48 constants, and an accumulator type of
    `!quantx.uniform<i48:f32, ...>` for the requantize, which lowers to an
    exact 48-bit rescale. A remark names each widened layer and its bound.

    ```mlir
    // Before: K = 70000 products of |x - zp| <= 255 and |w| <= 127.
    %acc = tosa.matmul %x, %w, %zp0, %zp0 : (...xi8>, ...xi8>, ...) -> tensor<1x1x1xi32>
    // After:
    %x16 = tosa.cast %x : (tensor<1x1x70000xi8>) -> tensor<1x1x70000xi16>
    %acc = tosa.matmul %x16, %w16, %zp16, %zp16 : (...) -> tensor<1x1x1xi48>
    ```
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def CheckAccumulators : Pass<"quantx-check-accumulators", "func::FuncOp"> {
  let summary = "Prove that no integer value overflows its type";
  let description = [{
    An interval analysis bounds the mathematical value of every integer
    tensor the function computes: convolutions and matmuls per output
    channel (from the sums of the positive and the negative weights, with
    zero points and bias; `K * max|a| * max|w|` for non-constant weights),
    adds, subs and muls (bias, zero-point corrections, residual adds at the
    common scale), reductions, the window sums of integer avg_pool2d,
    requantizes, rescales, casts and data movement. Every bound also covers
    every partial sum of its reduction, in any order. A convolution or matmul
    gets a remark with its bound and headroom; any value that may leave its
    type is an error naming the op, since the code would silently wrap.
  }];
}

def LowerRequantize : Pass<"quantx-lower-requantize", "func::FuncOp"> {
  let summary = "Per-tensor/per-axis requantize to integer dyadic rescale";
  let description = [{
    `quantx.requantize` with per-tensor or per-axis parameters becomes
    `quantx.storage_cast` + `quantx.rescale` with an exact
    `#quantx.dyadic` multiplier `scale_in / scale_out` per channel, the zero
    points and the output range made explicit: the integer level.
  }];
  let options = [
    Option<"rounding", "rounding", "::mlir::quantx::RoundingMode",
           "::mlir::quantx::RoundingMode::Double",
           "Rounding of the multipliers",
           [{::llvm::cl::values(
             clEnumValN(::mlir::quantx::RoundingMode::Double, "double",
                        "TFLite/gemmlowp double rounding"),
             clEnumValN(::mlir::quantx::RoundingMode::Single, "single",
                        "TOSA SINGLE_ROUND"))}]>,
  ];
}

def SetInterface : Pass<"quantx-set-interface", "func::FuncOp"> {
  let summary = "Make a quantized function take and return int8 tensors";
  let description = [{
    Arguments used only by a `quantx.quantize` become its storage integers,
    and results produced by a `quantx.dequantize` are returned as storage
    integers, so that the function holds no float type. The quantization of
    each argument and result is recorded as a string attribute
    `quantx.interface` ("scale=... zero_point=...").
  }];
}

def VerifyInteger : Pass<"quantx-verify-integer", "func::FuncOp"> {
  let summary = "Check that no float op remains inside a quantized function";
  let description = [{
    Fails, naming the op, if any op other than the boundary
    `quantx.quantize` (float operand) / `quantx.dequantize` (float result)
    and `func.return` has a float operand or result. With
    `allow-float-boundary=false` those are refused too. With `warn-only`
    the ops are named in warnings and the pass succeeds (`quantize-int8`
    with `interface=float` does this, since ops it cannot quantize stay
    float by design).
  }];
  let options = [
    Option<"allowFloatBoundary", "allow-float-boundary", "bool", "true",
           "Allow float arguments and results behind quantize/dequantize">,
    Option<"warnOnly", "warn-only", "bool", "false",
           "Report float ops as warnings instead of failing">,
  ];
}

def ExposeActivations : Pass<"quantx-expose-activations", "func::FuncOp"> {
  let summary = "Return every quantized activation, for per-layer comparison";
  let description = [{
    On a simulated-quantization model (after `quantx-fold-calibration`),
    appends to the function's results the dequantized value of every
    quantize/dequantize pair, in program order, each with a result
    attribute `quantx.layer` naming the op that produced the float value
    (`tosa.conv2d (conv1)` where the location is a name, as the ONNX
    importer writes, or `tosa.conv2d at model.mlir:12:9`). With `bypass=true` the pairs are
    removed first, so the same results carry the float model's values:
    running both variants on the same inputs compares float and quantized
    values layer by layer (`quantx.compare_layers` in Python).
  }];
  let options = [
    Option<"bypass", "bypass", "bool", "false",
           "Return the float values (quantize/dequantize pairs removed)">,
  ];
}

def ExportTosa : Pass<"quantx-export-tosa", "func::FuncOp"> {
  let summary = "Integer-level quantx to TOSA int8 (tosa.rescale)";
  let description = [{
    `quantx.rescale` becomes `tosa.rescale` (multiplier, shift and zero
    points as constant operands; `SINGLE_ROUND` for single rounding,
    `DOUBLE_ROUND` for double rounding), storage casts disappear, and the
    function is plain TOSA that upstream `tosa-to-linalg` compiles. Boundary
    `quantx.quantize`/`quantx.dequantize` (interface=float) stay. Rescales
    whose semantics TOSA cannot express exactly are refused.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

#endif // QUANTX_TRANSFORMS_PASSES_TD
