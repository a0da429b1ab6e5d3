//===- RescaleJitTest.cpp - lowered quantx.rescale vs its reference -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Compiles quantx.rescale through quantx-lower-to-arith and the CPU pipeline,
// runs it on over 10^6 random cases plus every edge case, and compares each
// output bit for bit with quantx::rescaleReference (Dyadic.cpp), for both
// roundings, the per-channel (run-time multiplier) and per-tensor
// (compile-time, possibly 32-bit) code paths, and signed/unsigned outputs.
//
//===----------------------------------------------------------------------===//

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "quant-x/Dialect/QuantX/IR/Dyadic.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "llvm/Support/FormatVariadic.h"

#include "gtest/gtest.h"

#include <limits>
#include <random>

using namespace mlir;
using namespace mlir::quantx;

namespace {
/// One rescale configuration over a [channels, width] tensor.
struct RescaleCase {
  std::string inType = "i32", outType = "i8";
  bool inputUnsigned = false, outputUnsigned = false;
  int64_t inputZp = 0, outputZp = 0;
  RoundingMode rounding = RoundingMode::Double;
  std::vector<DyadicValue> multipliers; // 1 = per tensor, else per channel
  std::optional<int64_t> clampMin, clampMax;
};

int64_t integerMin(unsigned width, bool isUnsigned) {
  return isUnsigned ? 0 : -(int64_t(1) << (width - 1));
}
int64_t integerMax(unsigned width, bool isUnsigned) {
  return isUnsigned ? (int64_t(1) << width) - 1
                    : (int64_t(1) << (width - 1)) - 1;
}
unsigned widthOf(const std::string &type) { return std::stoi(type.substr(1)); }

std::string join(const std::vector<DyadicValue> &values, bool shifts) {
  std::string out;
  for (const DyadicValue &v : values)
    out += (out.empty() ? "" : ", ") +
           std::to_string(shifts ? v.shift : v.multiplier);
  return out;
}

std::string buildModule(const RescaleCase &c, int64_t channels, int64_t width) {
  std::string attrs = llvm::formatv(
      "multiplier = #quantx.dyadic<multiplier = [{0}], shift = [{1}], "
      "rounding = {2}>, input_zero_point = {3} : i64, output_zero_point = {4} "
      ": i64",
      join(c.multipliers, false), join(c.multipliers, true),
      c.rounding == RoundingMode::Double ? "double" : "single", c.inputZp,
      c.outputZp);
  if (c.multipliers.size() > 1)
    attrs += ", axis = 0 : i64";
  if (c.inputUnsigned)
    attrs += ", input_unsigned";
  if (c.outputUnsigned)
    attrs += ", output_unsigned";
  if (c.clampMin)
    attrs += llvm::formatv(", clamp_min = {0} : i64", *c.clampMin).str();
  if (c.clampMax)
    attrs += llvm::formatv(", clamp_max = {0} : i64", *c.clampMax).str();
  return llvm::formatv(R"mlir(
func.func @rescale(%x: tensor<{0}x{1}x{2}>) -> tensor<{0}x{1}x{3}> {{
  %y = quantx.rescale %x {{{4}} : tensor<{0}x{1}x{2}> -> tensor<{0}x{1}x{3}>
  return %y : tensor<{0}x{1}x{3}>
})mlir",
                       channels, width, c.inType, c.outType, attrs);
}

template <typename T>
StridedMemRefType<T, 2> describe(std::vector<T> &data, int64_t rows,
                                 int64_t cols) {
  return StridedMemRefType<T, 2>{
      data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

/// Runs the lowered op on `inputs` (row-major [channels, width]) and returns
/// the outputs widened to int64, signed or unsigned as the op reads them.
template <typename InT, typename OutT>
std::vector<int64_t> runTyped(const RescaleCase &c,
                              const std::vector<int64_t> &inputs,
                              int64_t channels, int64_t width) {
  DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  MLIRContext ctx(registry);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(buildModule(c, channels, width), &ctx);
  EXPECT_TRUE(module);
  if (!module)
    return {};
  auto engine = compileForHostCPU(*module);
  EXPECT_TRUE(succeeded(engine));
  if (failed(engine))
    return {};
  std::vector<InT> in(inputs.begin(), inputs.end());
  std::vector<OutT> out(inputs.size());
  auto inDesc = describe(in, channels, width);
  auto outDesc = describe(out, channels, width);
  auto *inPtr = &inDesc;
  auto *outPtr = &outDesc;
  SmallVector<void *> args{&inPtr, &outPtr};
  llvm::Error error = (*engine)->invokePacked("_mlir_ciface_rescale", args);
  EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  std::vector<int64_t> result;
  unsigned outWidth = widthOf(c.outType);
  for (OutT v : out) {
    // Re-read the stored bits with the op's signedness.
    uint64_t bits = static_cast<uint64_t>(v) &
                    (outWidth == 64 ? ~0ull : ((1ull << outWidth) - 1));
    int64_t value = static_cast<int64_t>(bits);
    if (!c.outputUnsigned && outWidth < 64 && (bits >> (outWidth - 1)) & 1)
      value -= int64_t(1) << outWidth;
    result.push_back(value);
  }
  return result;
}

template <typename InT>
std::vector<int64_t> runWithInput(const RescaleCase &c,
                                  const std::vector<int64_t> &inputs,
                                  int64_t channels, int64_t width) {
  unsigned outWidth = widthOf(c.outType);
  if (outWidth <= 8)
    return runTyped<InT, int8_t>(c, inputs, channels, width);
  if (outWidth <= 16)
    return runTyped<InT, int16_t>(c, inputs, channels, width);
  return runTyped<InT, int32_t>(c, inputs, channels, width);
}

/// Compares the JIT-compiled op with the reference on every element;
/// returns the number of mismatches (and reports the first few).
int64_t countMismatches(const RescaleCase &c,
                        const std::vector<int64_t> &inputs, int64_t channels,
                        int64_t width) {
  unsigned inWidth = widthOf(c.inType);
  std::vector<int64_t> got =
      inWidth <= 8    ? runWithInput<int8_t>(c, inputs, channels, width)
      : inWidth <= 16 ? runWithInput<int16_t>(c, inputs, channels, width)
      : inWidth <= 32 ? runWithInput<int32_t>(c, inputs, channels, width)
                      : runWithInput<int64_t>(c, inputs, channels, width);
  if (got.size() != inputs.size())
    return static_cast<int64_t>(inputs.size());
  unsigned outWidth = widthOf(c.outType);
  int64_t lo = integerMin(outWidth, c.outputUnsigned);
  int64_t hi = integerMax(outWidth, c.outputUnsigned);
  if (c.clampMin)
    lo = std::max(lo, *c.clampMin);
  if (c.clampMax)
    hi = std::min(hi, *c.clampMax);
  int64_t mismatches = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const DyadicValue &d =
        c.multipliers[c.multipliers.size() == 1 ? 0 : i / width];
    int64_t expected = rescaleReference(inputs[i], c.inputZp, d, c.rounding,
                                        c.outputZp, lo, hi, inWidth == 48);
    if (got[i] != expected && ++mismatches <= 5)
      ADD_FAILURE() << "x=" << inputs[i] << " m=" << d.multiplier
                    << " s=" << d.shift << " expected " << expected << " got "
                    << got[i];
  }
  return mismatches;
}

std::vector<int64_t> randomInputs(std::mt19937_64 &rng, size_t count,
                                  unsigned width, bool isUnsigned) {
  std::uniform_int_distribution<int64_t> any(integerMin(width, isUnsigned),
                                             integerMax(width, isUnsigned));
  std::uniform_int_distribution<int64_t> small(-300, 300);
  std::vector<int64_t> values(count);
  for (size_t i = 0; i < count; ++i) {
    int64_t v = (i % 3 == 0) ? small(rng) : any(rng);
    values[i] = std::clamp(v, integerMin(width, isUnsigned),
                           integerMax(width, isUnsigned));
  }
  return values;
}

std::vector<DyadicValue> randomMultipliers(std::mt19937_64 &rng, size_t count) {
  std::uniform_int_distribution<int32_t> multiplier(0, INT32_MAX);
  std::uniform_int_distribution<int32_t> normalized(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> shift(0, kMaxDyadicShift);
  std::uniform_int_distribution<int32_t> typicalShift(31, 45);
  std::vector<DyadicValue> values(count);
  for (size_t i = 0; i < count; ++i)
    values[i] = i % 2 ? DyadicValue{multiplier(rng), shift(rng)}
                      : DyadicValue{normalized(rng), typicalShift(rng)};
  return values;
}
} // namespace

/// 10^6 random cases per rounding through the run-time multiplier path.
class RescaleRandom : public ::testing::TestWithParam<RoundingMode> {};

TEST_P(RescaleRandom, PerChannelMillion) {
  std::mt19937_64 rng(7);
  constexpr int64_t channels = 1000, width = 1000;
  RescaleCase c;
  c.rounding = GetParam();
  c.outputZp = -3;
  c.multipliers = randomMultipliers(rng, channels);
  auto inputs = randomInputs(rng, channels * width, 32, false);
  EXPECT_EQ(countMismatches(c, inputs, channels, width), 0);
}

TEST_P(RescaleRandom, PerChannelNarrowInputsAllOutputs) {
  std::mt19937_64 rng(11);
  constexpr int64_t channels = 64, width = 2048;
  for (auto [inType, inUnsigned, outType, outUnsigned, inZp, outZp] :
       std::vector<
           std::tuple<std::string, bool, std::string, bool, int64_t, int64_t>>{
           {"i8", false, "i8", true, -5, 128},
           {"i8", true, "i16", false, 130, -7},
           {"i16", false, "i32", false, 9, 11},
           {"i32", false, "i32", true, 0, 3},
           {"i16", true, "i4", false, 0, -8}}) {
    RescaleCase c;
    c.rounding = GetParam();
    c.inType = inType;
    c.inputUnsigned = inUnsigned;
    c.outType = outType;
    c.outputUnsigned = outUnsigned;
    c.inputZp = inZp;
    c.outputZp = outZp;
    c.multipliers = randomMultipliers(rng, channels);
    auto inputs =
        randomInputs(rng, channels * width, widthOf(inType), inUnsigned);
    EXPECT_EQ(countMismatches(c, inputs, channels, width), 0)
        << inType << " -> " << outType;
  }
}

/// Compile-time multipliers, the edge cases of the issue among them; each
/// runs over a tensor holding every interesting input.
TEST_P(RescaleRandom, PerTensorEdgeCases) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  std::vector<int64_t> edgeInputs = {
      kMin, kMin + 1, -65536, -257, -256,  -255,     -129, -128, -127,
      -6,   -3,       -2,     -1,   0,     1,        2,    3,    6,
      127,  128,      255,    256,  65535, kMax - 1, kMax};
  std::mt19937_64 rng(3);
  auto random = randomInputs(rng, 4096 - edgeInputs.size(), 32, false);
  edgeInputs.insert(edgeInputs.end(), random.begin(), random.end());
  std::vector<DyadicValue> multipliers = {
      {0, 0},           {0, 40},          {1 << 30, 31},   {1 << 30, 32},
      {1 << 30, 62},    {kMax, 62},       {kMax, 31},      {kMax, 0},
      {1 << 30, 0},     {1 << 30, 30},    {1 << 30, 1},    {1518500250, 38},
      {1276901417, 39}, {3 << 28, 33},    {1, 0},          {1, 1},
      {5, 3},           {1073741825, 37}, {2147483520, 45}};
  for (DyadicValue d : multipliers) {
    for (auto [outType, outUnsigned, outZp] :
         std::vector<std::tuple<std::string, bool, int64_t>>{
             {"i8", false, -3}, {"i8", true, 128}, {"i32", false, 0}}) {
      RescaleCase c;
      c.rounding = GetParam();
      c.outType = outType;
      c.outputUnsigned = outUnsigned;
      c.outputZp = outZp;
      c.multipliers = {d};
      EXPECT_EQ(countMismatches(c, edgeInputs, 1, edgeInputs.size()), 0)
          << "m=" << d.multiplier << " s=" << d.shift << " -> " << outType;
    }
  }
}

/// Narrow inputs with multipliers that strip to few bits take the 32-bit
/// path; it must agree too, and with a clamp (fused ReLU).
TEST_P(RescaleRandom, ThirtyTwoBitPathAndClamp) {
  std::vector<int64_t> inputs;
  for (int64_t v = -128; v <= 127; ++v)
    inputs.push_back(v);
  for (DyadicValue d : std::vector<DyadicValue>{{1 << 30, 31},
                                                {1 << 30, 35},
                                                {3 << 29, 33},
                                                {0x7FFF0000, 40},
                                                {1234567 << 8, 50},
                                                {1 << 30, 62}}) {
    RescaleCase c;
    c.rounding = GetParam();
    c.inType = "i8";
    c.inputZp = -7;
    c.outputZp = -20;
    c.clampMin = -20;
    c.multipliers = {d};
    EXPECT_EQ(countMismatches(c, inputs, 1, inputs.size()), 0)
        << "m=" << d.multiplier << " s=" << d.shift;
  }
}

/// int48 accumulators (quantx-widen-accumulators), per channel and per
/// tensor, over the whole 48-bit range and near the int32 limits.
TEST_P(RescaleRandom, WideInputs) {
  std::mt19937_64 rng(13);
  constexpr int64_t channels = 256, width = 1024;
  std::vector<int64_t> inputs = randomInputs(rng, channels * width, 48, false);
  for (size_t i = 0; i < inputs.size(); i += 4)
    inputs[i] = (i % 8 ? 1 : -1) * (int64_t(INT32_MAX) + int64_t(i % 1000));
  RescaleCase perChannel;
  perChannel.rounding = GetParam();
  perChannel.inType = "i48";
  perChannel.outputZp = 5;
  perChannel.multipliers = randomMultipliers(rng, channels);
  EXPECT_EQ(countMismatches(perChannel, inputs, channels, width), 0);
  for (DyadicValue d : std::vector<DyadicValue>{
           {1 << 30, 31}, {1518500250, 52}, {INT32_MAX, 62}, {1 << 30, 20}}) {
    RescaleCase perTensor = perChannel;
    perTensor.multipliers = {d};
    EXPECT_EQ(countMismatches(perTensor, inputs, 1, inputs.size()), 0)
        << "m=" << d.multiplier << " s=" << d.shift;
  }
}

INSTANTIATE_TEST_SUITE_P(Roundings, RescaleRandom,
                         ::testing::Values(RoundingMode::Double,
                                           RoundingMode::Single),
                         [](const auto &info) {
                           return info.param == RoundingMode::Double
                                      ? std::string("Double")
                                      : std::string("Single");
                         });
