//===- Check.cpp - validation of kernel call parameters -------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The kernels index their buffers with what the parameter array says, so a
// parameter that disagrees with the buffers, or a size that overflows,
// corrupts memory. checkParams is the one statement of what a kernel
// accepts: the verifier compares the CallSpec it derives with the operand
// types, the lowering skips what it rejects, and every entry point refuses
// a call it rejects (see takeCallError).
//
//===----------------------------------------------------------------------===//

#include "IsaKernels.h"
#include "quant-x/Runtime/Kernels.h"

#include <algorithm>
#include <iterator>
#include <string>

using namespace quantx::kernels;

std::optional<KernelKind>
quantx::kernels::parseKernel(const std::string &symbol) {
  for (size_t i = 0; i < std::size(kKernelSymbols); ++i)
    if (symbol == kKernelSymbols[i])
      return static_cast<KernelKind>(i);
  return std::nullopt;
}

namespace {

/// The names of the Param fields, for messages.
const char *const kParamNames[kNumParams] = {"isa",
                                             "batch",
                                             "in_h",
                                             "in_w",
                                             "in_c",
                                             "out_h",
                                             "out_w",
                                             "out_c",
                                             "kernel_h",
                                             "kernel_w",
                                             "stride_h",
                                             "stride_w",
                                             "dilation_h",
                                             "dilation_w",
                                             "pad_top",
                                             "pad_left",
                                             "pad_value",
                                             "weight_zp",
                                             "depth_multiplier",
                                             "weights_per_batch",
                                             "output_kind",
                                             "rounding",
                                             "output_zp",
                                             "clamp_min",
                                             "clamp_max",
                                             "panel_width",
                                             "packed_weight_bits",
                                             "weight_table_low",
                                             "weight_table_high",
                                             "device_residency"};
static_assert(std::size(kParamNames) == kNumParams);

/// Checked int64 multiplication; nullopt on overflow.
std::optional<int64_t> mul(std::optional<int64_t> a, std::optional<int64_t> b) {
  int64_t result;
  if (!a || !b || __builtin_mul_overflow(*a, *b, &result))
    return std::nullopt;
  return result;
}
int64_t roundUp(int64_t x, int64_t multiple) {
  return (x + multiple - 1) / multiple * multiple;
}

class Checker {
public:
  Checker(KernelKind kind, const int64_t *p) : kind(kind), p(p) {}

  std::string run(CallSpec &spec);

private:
  /// run() for the add kernel (kAddS8Symbol).
  std::string runAdd(CallSpec &spec);

  KernelKind kind;
  const int64_t *p;
  std::string error;

  bool isInt() const {
    return kind == KernelKind::ConvS8 || kind == KernelKind::DepthwiseS8 ||
           kind == KernelKind::MaxPoolS8 || kind == KernelKind::ConvB1 ||
           kind == KernelKind::AvgPoolS8;
  }

  /// Records the first error; returns whether there was none.
  bool fail(const std::string &message) {
    if (error.empty())
      error = message;
    return false;
  }
  bool inRange(Param field, int64_t lo, int64_t hi) {
    if (p[field] >= lo && p[field] <= hi)
      return true;
    return fail(std::string(kParamNames[field]) + " must be in [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                std::to_string(p[field]));
  }
  /// A product the kernel computes, which must not overflow and may be
  /// bounded.
  std::optional<int64_t> bounded(std::optional<int64_t> value, const char *what,
                                 int64_t max = INT64_MAX) {
    if (!value)
      return fail(std::string(what) + " overflows int64"), std::nullopt;
    if (*value > max)
      return fail(std::string(what) + " is " + std::to_string(*value) +
                  ", more than the " + std::to_string(max) +
                  " the kernels support"),
             std::nullopt;
    return value;
  }
  /// The windows of one spatial axis: the last starts at or before the
  /// last input row (which bounds every index the kernels compute), and for
  /// pooling, which skips padding and needs one element per window, the
  /// first ends at or after row 0. A convolution may read only padding.
  bool checkAxis(const char *axis, Param in, Param out, Param kernel,
                 Param stride, Param dilation, Param pad, bool isPool) {
    std::optional<int64_t> reach = mul(p[kernel] - 1, p[dilation]);
    std::optional<int64_t> lastStart = mul(p[out] - 1, p[stride]);
    if (isPool && (!reach || p[pad] > *reach))
      return fail(std::string(kParamNames[pad]) + " " + std::to_string(p[pad]) +
                  " exceeds the " + axis +
                  " kernel extent: the first window reads only padding");
    if (!lastStart || *lastStart - p[pad] > p[in] - 1)
      return fail(std::string("the last window along ") + axis +
                  " starts past the input (" + kParamNames[out] + " " +
                  std::to_string(p[out]) + ", " + kParamNames[stride] + " " +
                  std::to_string(p[stride]) + ", " + kParamNames[in] + " " +
                  std::to_string(p[in]) + ")");
    return true;
  }
};

std::string Checker::runAdd(CallSpec &spec) {
  static constexpr Param kUsed[] = {
      kBatch,           kOutC,     kPadValue, kWeightZeroPoint, kRounding,
      kOutputZeroPoint, kClampMin, kClampMax};
  for (int field = 0; field < kNumParams; ++field)
    if (std::find(std::begin(kUsed), std::end(kUsed), field) == std::end(kUsed))
      inRange(static_cast<Param>(field), 0, 0);
  inRange(kBatch, 1, kMaxDim);
  inRange(kOutC, 1, kMaxDim);
  inRange(kPadValue, -128, 127);
  inRange(kWeightZeroPoint, -128, 127);
  inRange(kRounding, 0, kAddSingleA | kAddSingleB | kAddSingleOut);
  inRange(kOutputZeroPoint, -128, 127);
  inRange(kClampMin, -128, 127);
  inRange(kClampMax, p[kClampMin], 127);
  if (!error.empty())
    return error;
  std::optional<int64_t> elements =
      bounded(mul(p[kBatch], p[kOutC]), "elements");
  std::optional<int64_t> table = bounded(mul(p[kOutC], 6), "table entries");
  if (!elements || !table)
    return error;
  spec.numInputs = 3;
  spec.inputs[0] = {ElementKind::I8, *elements, "first addend"};
  spec.inputs[1] = {ElementKind::I8, *elements, "second addend"};
  spec.inputs[2] = {ElementKind::I32, *table, "rescale table"};
  spec.output = {ElementKind::I8, *elements};
  return error;
}

std::string Checker::run(CallSpec &spec) {
  if (kind == KernelKind::AddS8)
    return runAdd(spec);
  bool isDepthwise =
      kind == KernelKind::DepthwiseS8 || kind == KernelKind::DepthwiseF32;
  bool isAvgPool = kind == KernelKind::AvgPoolS8;
  bool isPool = kind == KernelKind::MaxPoolS8 ||
                kind == KernelKind::MaxPoolF32 || isAvgPool;
  bool isConv = !isDepthwise && !isPool;
  bool isBinary = kind == KernelKind::ConvB1;
  if (!inRange(kIsa, 0, int64_t(Isa::Avx2Maddubs)) ||
      !inRange(kDeviceResidency, 0, 0))
    return error;
  for (Param dim : {kBatch, kInH, kInW, kInC, kOutH, kOutW, kOutC, kKernelH,
                    kKernelW, kStrideH, kStrideW, kDilationH, kDilationW})
    inRange(dim, 1, kMaxDim);
  inRange(kPadTop, 0, kMaxDim);
  inRange(kPadLeft, 0, kMaxDim);
  if (isPool) {
    // The pooling kernel has no dilation.
    inRange(kDilationH, 1, 1);
    inRange(kDilationW, 1, 1);
  }
  if (!error.empty())
    return error;
  if (!checkAxis("height", kInH, kOutH, kKernelH, kStrideH, kDilationH, kPadTop,
                 isPool) ||
      !checkAxis("width", kInW, kOutW, kKernelW, kStrideW, kDilationW, kPadLeft,
                 isPool))
    return error;

  // Epilogue and element values.
  bool int8Out = false;
  // Fields a kernel does not read (the float kernels' pad value and zero
  // point, the epilogue of an accumulator output) may hold anything.
  if (isInt()) {
    inRange(kPadValue, -128, 127);
    inRange(kWeightZeroPoint, -128, 127);
  }
  if (isPool) {
    inRange(kOutputKind, int64_t(OutputKind::Accumulator),
            int64_t(OutputKind::Accumulator));
    // The average pooling's rescale is its own (the window's count); it
    // reads the zero points and the clamp.
    if (isAvgPool) {
      inRange(kOutputZeroPoint, -128, 127);
      inRange(kClampMin, -128, 127);
      inRange(kClampMax, p[kClampMin], 127);
      inRange(kWeightZeroPoint, 0, 0);
    }
  } else if (inRange(kOutputKind, 0, isInt() ? 1 : 0)) {
    int8Out = static_cast<OutputKind>(p[kOutputKind]) == OutputKind::Int8;
  }
  if (int8Out) {
    inRange(kRounding, int64_t(Rounding::Double), int64_t(Rounding::Single));
    inRange(kOutputZeroPoint, -128, 127);
    inRange(kClampMin, -128, 127);
    inRange(kClampMax, p[kClampMin], 127);
  }
  inRange(kWeightsPerBatch, 0, isConv ? 1 : 0);
  // Low-bit weights: an int8 conv whose ISA expands them, with symmetric
  // weights (the packed bits hold w, not w - zero point).
  bool lowBit = isConv && isInt() && !isBinary &&
                getIsaKernels(static_cast<Isa>(p[kIsa])).lowBitWeights;
  if (inRange(kPackedWeightBits, 0, lowBit ? 4 : 0) &&
      p[kPackedWeightBits] != 0) {
    if (p[kPackedWeightBits] != 4 && p[kPackedWeightBits] != 2)
      fail("packed_weight_bits " + std::to_string(p[kPackedWeightBits]) +
           " is none of 0 (whole elements), 4 (int4) and 2 (int2)");
    else if (p[kWeightZeroPoint] != 0)
      fail("low-bit weights (packed_weight_bits " +
           std::to_string(p[kPackedWeightBits]) + ") need weight_zp 0");
  }
  if (isDepthwise)
    inRange(kDepthMultiplier, 1, kMaxDim);
  // The binary kernel's weights are +-1 signs, with no zero point or
  // panels.
  if (isBinary) {
    inRange(kWeightZeroPoint, 0, 0);
    inRange(kPanelWidth, 0, 0);
  }
  if (!error.empty())
    return error;

  std::optional<int64_t> taps =
      bounded(mul(p[kKernelH], p[kKernelW]), "kernel taps", kMaxTaps);
  std::optional<int64_t> input = bounded(
      mul(mul(mul(p[kBatch], p[kInH]), p[kInW]), p[kInC]), "input elements");
  std::optional<int64_t> output =
      bounded(mul(mul(mul(p[kBatch], p[kOutH]), p[kOutW]), p[kOutC]),
              "output elements");
  if (!taps || !input || !output)
    return error;
  ElementKind value = isInt() ? ElementKind::I8 : ElementKind::F32;
  ElementKind acc = isInt() ? ElementKind::I32 : ElementKind::F32;
  spec.inputs[0] = {value, *input};
  spec.output = {int8Out || isPool ? value : acc, *output};
  if (isPool) {
    if (p[kOutC] != p[kInC])
      return fail("out_c " + std::to_string(p[kOutC]) +
                  " of a pooling must equal in_c " + std::to_string(p[kInC])),
             error;
    spec.numInputs = 1;
    return error;
  }

  int64_t n = p[kOutC];
  std::optional<int64_t> weightBytes;
  if (isDepthwise) {
    if (mul(p[kInC], p[kDepthMultiplier]) != n)
      return fail("out_c " + std::to_string(n) + " must be in_c " +
                  std::to_string(p[kInC]) + " times depth_multiplier " +
                  std::to_string(p[kDepthMultiplier])),
             error;
    weightBytes = mul(mul(*taps, n), isInt() ? 2 : 4);
  } else {
    std::optional<int64_t> k =
        bounded(mul(*taps, p[kInC]), "K (kernel taps times in_c)", kMaxDepth);
    if (!k)
      return error;
    const IsaKernels &kernels = getIsaKernels(static_cast<Isa>(p[kIsa]));
    int64_t width = kernels.nrF32, ku = 1, bytes = 4;
    if (isBinary) {
      width = kBinaryPanel;
      ku = 64;
      bytes = 1;
    } else if (isInt()) {
      width = p[kPanelWidth];
      bool known = false;
      for (const int *w = kernels.panelWidthsS8; *w; ++w)
        known |= *w == width;
      if (!known)
        return fail("panel_width " + std::to_string(width) +
                    " is not a panel width of ISA " +
                    getIsaName(static_cast<Isa>(p[kIsa]))),
               error;
      ku = kernels.kuS8;
      bytes = kernels.weightBytesS8;
    }
    weightBytes = mul(mul(roundUp(n, width), roundUp(*k, ku)), bytes);
    if (isBinary && weightBytes)
      weightBytes = *weightBytes / 8; // one bit per element
    // Low bits: bits / 8 bytes per element (the element count is a
    // multiple of 32 on the ISAs that take them).
    if (weightBytes && p[kPackedWeightBits] != 0)
      weightBytes = *weightBytes / bytes * p[kPackedWeightBits] / 8;
    if (p[kWeightsPerBatch])
      weightBytes = mul(weightBytes, p[kBatch]);
  }
  if (!bounded(weightBytes, "packed weight bytes"))
    return error;
  spec.inputs[1] = {ElementKind::I8, *weightBytes};
  spec.inputs[2] = {acc, n};
  spec.numInputs = 3;
  if (int8Out) {
    spec.inputs[3] = {ElementKind::I32, 2 * n};
    spec.numInputs = 4;
  }
  return error;
}

} // namespace

std::string quantx::kernels::checkParams(KernelKind kind,
                                         const int64_t *gpuParams,
                                         CallSpec &spec) {
  if (!isGpuKernel(kind))
    return Checker(kind, gpuParams).run(spec);
  // The GPU's entry points also say which activations stay on the device
  // (a second input: the add kernel's); the rest is checked as for the
  // CPU's.
  int64_t residency = gpuParams[kDeviceResidency];
  int64_t maxResidency = kResidentInput | kResidentOutput;
  if (kind == KernelKind::GpuAddS8)
    maxResidency |= kResidentSecondInput;
  if (residency < 0 || residency > maxResidency)
    return std::string(kParamNames[kDeviceResidency]) + " must be in [0, " +
           std::to_string(maxResidency) + "], got " + std::to_string(residency);
  std::array<int64_t, kNumParams> cpuParams;
  std::copy_n(gpuParams, kNumParams, cpuParams.begin());
  cpuParams[kDeviceResidency] = 0;
  const int64_t *params = cpuParams.data();
  // The GPU's depthwise, pooling and add kernels take every call of their
  // CPU counterparts; the conv kernel those of the int8 conv that read whole
  // int8 weights from the generic ISA's panels, without a weight zero
  // point, shared by the batch.
  std::string error = Checker(getCpuCounterpart(kind), params).run(spec);
  if (!error.empty() || kind != KernelKind::GpuConvS8)
    return error;
  auto require = [&](Param field, int64_t value, const char *why) {
    if (error.empty() && params[field] != value)
      error = std::string(kParamNames[field]) + " must be " +
              std::to_string(value) + " for the GPU conv kernel (" + why +
              "), got " + std::to_string(params[field]);
  };
  require(kIsa, int64_t(Isa::Generic), "it reads the generic ISA's panels");
  require(kWeightZeroPoint, 0, "it adds no row sums");
  require(kPackedWeightBits, 0, "it reads whole int8 weights");
  require(kWeightsPerBatch, 0, "its weights are constants");
  return error;
}
