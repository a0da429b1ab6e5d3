//===- KernelsTest.cpp - CPU kernels against a direct convolution ---------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every ISA this host runs, on odd shapes (K not a multiple of 4, N not a
// multiple of the tile width, M = 1, padding with a non-zero value, strides,
// dilation, zero points, depth multipliers), 1 and 2 threads: int8 results
// must equal a direct convolution followed by quantx::rescaleReference bit
// for bit; float results must agree to rounding.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/Kernels.h"
#include "quant-x/Dialect/QuantX/IR/Dyadic.h"

#include "gtest/gtest.h"

#include <random>

using namespace quantx::kernels;
namespace qx = mlir::quantx;

namespace {
struct ConvCase {
  int64_t batch, inH, inW, inC, outC, kH, kW, strideH, strideW, dilH, dilW,
      padTop, padBottom, padLeft, padRight;
  int64_t padValue, inputZp, weightZp;
  bool depthwise = false;
  int64_t multiplier = 1;

  int64_t outH() const {
    return (inH + padTop + padBottom - dilH * (kH - 1) - 1) / strideH + 1;
  }
  int64_t outW() const {
    return (inW + padLeft + padRight - dilW * (kW - 1) - 1) / strideW + 1;
  }
  std::vector<int64_t> params(Isa isa, OutputKind kind,
                              qx::RoundingMode rounding) const {
    std::vector<int64_t> p(kNumParams, 0);
    p[kIsa] = int64_t(isa);
    p[kBatch] = batch;
    p[kInH] = inH, p[kInW] = inW, p[kInC] = inC;
    p[kOutH] = outH(), p[kOutW] = outW(), p[kOutC] = outC;
    p[kKernelH] = kH, p[kKernelW] = kW;
    p[kStrideH] = strideH, p[kStrideW] = strideW;
    p[kDilationH] = dilH, p[kDilationW] = dilW;
    p[kPadTop] = padTop, p[kPadLeft] = padLeft;
    p[kPadValue] = padValue;
    p[kWeightZeroPoint] = weightZp;
    p[kDepthMultiplier] = multiplier;
    p[kOutputKind] = int64_t(kind);
    p[kRounding] = rounding == qx::RoundingMode::Single ? 1 : 0;
    p[kOutputZeroPoint] = -5;
    p[kClampMin] = -128, p[kClampMax] = 120;
    p[kPanelWidth] = getPanelWidthS8(isa, outC);
    return p;
  }
};

/// Direct convolution: int32 accumulators of (x - zpIn) * (w - zpW) + bias,
/// padded input elements reading `padValue`. Weights are [outC][kH][kW][inC]
/// or, depthwise, [kH][kW][inC * multiplier].
template <class T, class Acc>
std::vector<Acc> directConv(const ConvCase &c, const std::vector<T> &x,
                            const std::vector<T> &w, const std::vector<Acc> &b,
                            Acc padValue, Acc zpIn, Acc zpW) {
  std::vector<Acc> out;
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t oh = 0; oh < c.outH(); ++oh)
      for (int64_t ow = 0; ow < c.outW(); ++ow)
        for (int64_t oc = 0; oc < c.outC; ++oc) {
          Acc acc = b[oc];
          for (int64_t kh = 0; kh < c.kH; ++kh)
            for (int64_t kw = 0; kw < c.kW; ++kw) {
              int64_t ih = oh * c.strideH - c.padTop + kh * c.dilH;
              int64_t iw = ow * c.strideW - c.padLeft + kw * c.dilW;
              bool inside = ih >= 0 && ih < c.inH && iw >= 0 && iw < c.inW;
              auto in = [&](int64_t ci) {
                return inside ? Acc(x[((n * c.inH + ih) * c.inW + iw) * c.inC +
                                      ci])
                              : padValue;
              };
              if (c.depthwise) {
                Acc wv = w[(kh * c.kW + kw) * c.outC + oc];
                acc += (in(oc / c.multiplier) - zpIn) * (wv - zpW);
                continue;
              }
              for (int64_t ci = 0; ci < c.inC; ++ci)
                acc +=
                    (in(ci)-zpIn) *
                    (Acc(w[((oc * c.kH + kh) * c.kW + kw) * c.inC + ci]) - zpW);
            }
          out.push_back(acc);
        }
  return out;
}

std::vector<Isa> hostIsas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512Vnni, Isa::Avx2Maddubs})
    if (hostSupports(isa))
      isas.push_back(isa);
  return isas;
}

const ConvCase kCases[] = {
    // batch inH inW inC outC kH kW sH sW dH dW pads(t,b,l,r) pad zpIn zpW
    {1, 1, 1, 13, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},      // M = 1
    {1, 1, 37, 77, 130, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, -3, 0},  // matmul
    {2, 9, 11, 3, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, -7, -7, 0},   // padding
    {1, 12, 10, 5, 70, 3, 2, 2, 3, 1, 1, 1, 0, 2, 1, 4, 2, 3},    // strides
    {1, 13, 13, 6, 9, 3, 3, 1, 1, 2, 3, 2, 2, 3, 3, -128, 5, -2}, // dilation
    {1, 20, 20, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, 0}, // K > 512
};

void randomFill(std::mt19937 &rng, std::vector<int8_t> &v, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  for (int8_t &x : v)
    x = static_cast<int8_t>(dist(rng));
}

/// The conv kernel against the direct convolution; with `lowBits` (4 or 2),
/// weights packed in that many bits (packWeightsLowBit, kPackedWeightBits):
/// two's complement in [-8, 7] or [-2, 1], or with `codebook` codes into a
/// random table of int8 weights (codebook and pow2 weights), anywhere in
/// [-128, 127].
void checkConvS8(const ConvCase &c, Isa isa, OutputKind kind,
                 qx::RoundingMode rounding, int lowBits = 0,
                 bool codebook = false) {
  std::mt19937 rng(int(c.inC * 131 + c.outC));
  std::vector<int8_t> x(c.batch * c.inH * c.inW * c.inC),
      w(c.outC * c.kH * c.kW * c.inC), codes;
  randomFill(rng, x, -128, 127);
  std::array<int8_t, 16> table = {};
  if (lowBits)
    table = getTwosComplementTable(lowBits);
  // The vpmaddubsw kernel runs only on weights whose pairs it cannot
  // saturate: |w| <= 64 always qualifies.
  int weightLimit = isa == Isa::Avx2Maddubs ? 64 : 127;
  if (codebook) {
    std::vector<int8_t> entries(16);
    randomFill(rng, entries, isa == Isa::Avx2Maddubs ? -64 : -128, weightLimit);
    std::copy(entries.begin(), entries.end(), table.begin());
    codes.resize(w.size());
    randomFill(rng, codes, 0, (1 << lowBits) - 1);
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = table[codes[i]];
  } else if (lowBits) {
    randomFill(rng, w, -(1 << (lowBits - 1)), (1 << (lowBits - 1)) - 1);
  } else {
    randomFill(rng, w, -weightLimit, weightLimit);
  }
  if (isa == Isa::Avx2Maddubs)
    ASSERT_TRUE(provesNoPairSaturation(w.data(), c.outC, c.kH * c.kW * c.inC));
  std::vector<int32_t> bias(c.outC), requant(2 * c.outC);
  for (int64_t i = 0; i < c.outC; ++i) {
    bias[i] = int32_t(rng() % 20001) - 10000;
    requant[i] = int32_t(rng() % (1u << 31));
    requant[c.outC + i] = 28 + int32_t(rng() % 12);
  }
  int64_t k = c.kH * c.kW * c.inC;
  std::vector<uint8_t> packed =
      lowBits ? packWeightsLowBit(isa, codebook ? codes.data() : w.data(),
                                  c.outC, k, lowBits)
              : packWeightsS8(isa, w.data(), c.outC, k);
  std::vector<int32_t> folded = foldConvBiasS8(
      isa, w.data(), c.outC, k, bias.data(), c.inputZp, c.weightZp);
  std::vector<int64_t> params = c.params(isa, kind, rounding);
  params[kPackedWeightBits] = lowBits;
  setWeightTable(params.data(), table);
  CallSpec spec;
  ASSERT_EQ(checkParams(KernelKind::ConvS8, params.data(), spec), "");
  ASSERT_EQ(int64_t(packed.size()), spec.inputs[1].elements);
  std::vector<int32_t> expected =
      directConv<int8_t, int32_t>(c, x, w, bias, int32_t(c.padValue),
                                  int32_t(c.inputZp), int32_t(c.weightZp));
  std::vector<int32_t> raw(expected.size());
  std::vector<int8_t> q(expected.size());
  void *out = kind == OutputKind::Int8 ? static_cast<void *>(q.data())
                                       : static_cast<void *>(raw.data());
  quantx_kernel_conv_s8(x.data(), packed.data(), folded.data(), requant.data(),
                        params.data(), out);
  for (size_t i = 0; i < expected.size(); ++i) {
    int64_t oc = int64_t(i) % c.outC;
    if (kind == OutputKind::Accumulator) {
      ASSERT_EQ(raw[i], expected[i]) << "element " << i;
      continue;
    }
    int64_t want = qx::rescaleReference(expected[i], 0,
                                        {requant[oc], requant[c.outC + oc]},
                                        rounding, -5, -128, 120);
    ASSERT_EQ(q[i], want) << "element " << i << " acc " << expected[i];
  }
}

TEST(KernelsTest, ConvS8MatchesDirectConvolution) {
  for (int threads : {1, 2}) {
    setThreadCount(threads);
    for (Isa isa : hostIsas())
      for (const ConvCase &c : kCases)
        for (OutputKind kind : {OutputKind::Accumulator, OutputKind::Int8})
          for (auto rounding :
               {qx::RoundingMode::Double, qx::RoundingMode::Single}) {
            SCOPED_TRACE(std::string(getIsaName(isa)) + " inC " +
                         std::to_string(c.inC) + " outC " +
                         std::to_string(c.outC) + " threads " +
                         std::to_string(threads));
            checkConvS8(c, isa, kind, rounding);
          }
  }
  setThreadCount(0);
}

/// An int8 output's zero point and clamp.
struct OutputClamp {
  int64_t zeroPoint, lo, hi;
  void apply(std::vector<int64_t> &params) const {
    params[kOutputZeroPoint] = zeroPoint;
    params[kClampMin] = lo, params[kClampMax] = hi;
  }
};

/// A clamp below the zero point, and two at or above it (a ReLU's), where
/// the epilogues may skip rounding results <= 0 exactly.
constexpr OutputClamp kOutputClamps[] = {
    {-5, -128, 120}, {-128, -128, 127}, {-100, -60, 127}};
/// The same kinds, with the ties inside the output range: results near 0
/// are kept where the clamp does not raise them.
constexpr OutputClamp kTieClamps[] = {
    {3, -128, 127}, {-128, -128, 127}, {-20, -20, 127}};

/// The int8 outputs of the 1x1, one-input-channel convolution `c` of `x`
/// with weights `w` (`packed` for `isa`), `bias` and `requant`.
std::vector<int8_t> runRequantizingConv(
    Isa isa, const ConvCase &c, const std::vector<int8_t> &x,
    const std::vector<int8_t> &w, const std::vector<uint8_t> &packed,
    const std::vector<int32_t> &bias, const std::vector<int32_t> &requant,
    qx::RoundingMode rounding, const OutputClamp &clamp) {
  std::vector<int32_t> folded =
      foldConvBiasS8(isa, w.data(), c.outC, 1, bias.data(), 0, 0);
  std::vector<int64_t> params = c.params(isa, OutputKind::Int8, rounding);
  clamp.apply(params);
  std::vector<int8_t> q(c.inH * c.inW * c.outC);
  quantx_kernel_conv_s8(x.data(), packed.data(), folded.data(), requant.data(),
                        params.data(), q.data());
  return q;
}

TEST(KernelsTest, RequantizationMatchesReferenceAtExtremes) {
  // A 1x1 convolution with one input channel: acc = x * w + bias, so that
  // the bias walks the accumulators over the whole int32 range (wrapping
  // included), per channel with the extreme multipliers and shifts, through
  // each ISA's vector epilogue and its scalar tail (N = 19).
  const int64_t pixels = 64, channels = 19;
  const int32_t multipliers[] = {0, 1, 1 << 30, INT32_MAX, 1518500250};
  const int32_t shifts[] = {1, 15, 30, 31, 32, 40, 47, 62};
  const int32_t biases[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30), -1, 0, 1,
                            1 << 30,   INT32_MAX - 1, INT32_MAX};
  ConvCase c{1, 1, pixels, 1, channels, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
  std::mt19937 rng(11);
  std::vector<int8_t> x(pixels), w(channels);
  randomFill(rng, x, -128, 127);
  randomFill(rng, w, -127, 127);
  for (Isa isa : hostIsas())
    for (auto rounding : {qx::RoundingMode::Double, qx::RoundingMode::Single})
      for (const OutputClamp &clamp : kOutputClamps)
        for (int32_t biasValue : biases)
          for (int trial = 0; trial < 8; ++trial) {
            std::vector<int32_t> bias(channels), requant(2 * channels);
            for (int64_t i = 0; i < channels; ++i) {
              bias[i] =
                  biasValue + int32_t(rng() % 4096) * (biasValue < 0 ? 1 : -1);
              requant[i] = multipliers[(i + trial) % std::size(multipliers)];
              requant[channels + i] =
                  shifts[(i * 3 + trial) % std::size(shifts)];
            }
            std::vector<uint8_t> packed =
                packWeightsS8(isa, w.data(), channels, 1);
            std::vector<int8_t> q = runRequantizingConv(
                isa, c, x, w, packed, bias, requant, rounding, clamp);
            for (int64_t i = 0; i < pixels * channels; ++i) {
              int64_t oc = i % channels;
              // The int32 accumulation wraps, as the kernels' does.
              int32_t acc = int32_t(uint32_t(bias[oc]) +
                                    uint32_t(int32_t(x[i / channels]) * w[oc]));
              ASSERT_EQ(q[i],
                        qx::rescaleReference(
                            acc, 0, {requant[oc], requant[channels + oc]},
                            rounding, clamp.zeroPoint, clamp.lo, clamp.hi))
                  << getIsaName(isa) << " rounding " << int(rounding) << " acc "
                  << acc << " multiplier " << requant[oc] << " shift "
                  << requant[channels + oc] << " zero point " << clamp.zeroPoint
                  << " clamp " << clamp.lo;
            }
          }
}

TEST(KernelsTest, RequantizationMatchesReferenceAtTies) {
  // Consecutive accumulators (a 1x1 convolution of x = -128..127 with
  // weight 1, the bias stepping by 256) through scales that put them
  // exactly on, and just beside, the ties of both roundings, where a
  // vector epilogue's shortcut would go wrong first (a float multiply, for
  // one, was measured and dropped: it takes the wrong side of these ties
  // unless each near-tie vector goes back to the integer rescale, and that
  // branch cost more than the multiply saved). Every channel shares the
  // scale, so that a vector's lanes are all on a tie or all beside one.
  const int64_t pixels = 256, channels = 19;
  const int32_t multipliers[] = {1 << 30,       3 << 28,       1 << 29,
                                 (1 << 30) + 1, (1 << 30) - 1, 1431655765,
                                 INT32_MAX};
  const int32_t shifts[] = {31, 32, 33, 34, 35, 36, 38, 40, 45};
  ConvCase c{1, 1, pixels, 1, channels, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
  std::vector<int8_t> x(pixels), w(channels, 1);
  for (int64_t i = 0; i < pixels; ++i)
    x[i] = int8_t(i - 128);
  for (Isa isa : hostIsas()) {
    std::vector<uint8_t> packed = packWeightsS8(isa, w.data(), channels, 1);
    for (auto rounding : {qx::RoundingMode::Double, qx::RoundingMode::Single})
      for (const OutputClamp &clamp : kTieClamps)
        for (int32_t multiplier : multipliers)
          for (int32_t shift : shifts)
            for (int64_t step = -2; step <= 2; ++step) {
              std::vector<int32_t> bias(channels, int32_t(step * 256)),
                  requant(2 * channels);
              for (int64_t i = 0; i < channels; ++i) {
                requant[i] = multiplier;
                requant[channels + i] = shift;
              }
              std::vector<int8_t> q = runRequantizingConv(
                  isa, c, x, w, packed, bias, requant, rounding, clamp);
              for (int64_t i = 0; i < pixels * channels; ++i) {
                int32_t acc = int32_t(x[i / channels]) + bias[0];
                ASSERT_EQ(q[i], qx::rescaleReference(
                                    acc, 0, {multiplier, shift}, rounding,
                                    clamp.zeroPoint, clamp.lo, clamp.hi))
                    << getIsaName(isa) << " rounding " << int(rounding)
                    << " acc " << acc << " multiplier " << multiplier
                    << " shift " << shift;
              }
            }
  }
}

TEST(KernelsTest, ConvLowBitMatchesDirectConvolution) {
  for (int threads : {1, 2}) {
    setThreadCount(threads);
    for (Isa isa : hostIsas()) {
      if (!supportsLowBitWeights(isa))
        continue;
      for (int bits : {4, 2})
        for (const ConvCase &c : kCases) {
          if (c.weightZp != 0)
            continue; // low-bit weights are symmetric
          SCOPED_TRACE(std::string(getIsaName(isa)) + " bits " +
                       std::to_string(bits) + " inC " + std::to_string(c.inC) +
                       " outC " + std::to_string(c.outC) + " threads " +
                       std::to_string(threads));
          checkConvS8(c, isa, OutputKind::Int8, qx::RoundingMode::Double, bits);
          checkConvS8(c, isa, OutputKind::Accumulator, qx::RoundingMode::Single,
                      bits);
          // Codebook codes: the table holds any int8 weight.
          checkConvS8(c, isa, OutputKind::Int8, qx::RoundingMode::Double, bits,
                      /*codebook=*/true);
          checkConvS8(c, isa, OutputKind::Accumulator, qx::RoundingMode::Single,
                      bits, /*codebook=*/true);
        }
    }
  }
  setThreadCount(0);
}

/// The XNOR-popcount kernel against the direct convolution: activations in
/// {-1, 0, +1} (`zeros` of them 0, exercising the masked path beyond
/// padding), weights +-1, and with `perBatch` each image its own weights.
void checkConvB1(const ConvCase &c, Isa isa, OutputKind kind, bool zeros,
                 bool perBatch = false) {
  std::mt19937 rng(int(c.inC * 7 + c.outC * 3 + zeros));
  std::vector<int8_t> x(c.batch * c.inH * c.inW * c.inC);
  int64_t k = c.kH * c.kW * c.inC, matrices = perBatch ? c.batch : 1;
  std::vector<int8_t> w(matrices * c.outC * k);
  randomFill(rng, x, zeros ? -1 : 0, 1);
  for (int8_t &v : x)
    v = zeros ? v : int8_t(2 * v - 1);
  randomFill(rng, w, 0, 1);
  for (int8_t &v : w)
    v = int8_t(2 * v - 1);
  std::vector<int32_t> bias(c.outC), requant(2 * c.outC);
  for (int64_t i = 0; i < c.outC; ++i) {
    bias[i] = int32_t(rng() % 2001) - 1000;
    requant[i] = int32_t(rng() % (1u << 31));
    requant[c.outC + i] = 28 + int32_t(rng() % 12);
  }
  std::vector<uint8_t> packed;
  for (int64_t i = 0; i < matrices; ++i) {
    std::vector<uint8_t> one =
        packWeightsBinary(w.data() + i * c.outC * k, c.outC, k);
    packed.insert(packed.end(), one.begin(), one.end());
  }
  std::vector<int64_t> params = c.params(isa, kind, qx::RoundingMode::Double);
  params[kPanelWidth] = 0;
  params[kWeightsPerBatch] = perBatch;
  CallSpec spec;
  ASSERT_EQ(checkParams(KernelKind::ConvB1, params.data(), spec), "");
  ASSERT_EQ(int64_t(packed.size()), spec.inputs[1].elements);
  std::vector<int32_t> expected;
  ConvCase one = c;
  one.batch = 1;
  int64_t image = c.inH * c.inW * c.inC;
  for (int64_t b = 0; b < c.batch; ++b) {
    std::vector<int8_t> xb(x.begin() + b * image, x.begin() + (b + 1) * image);
    auto wb = perBatch ? std::vector<int8_t>(w.begin() + b * c.outC * k,
                                             w.begin() + (b + 1) * c.outC * k)
                       : w;
    std::vector<int32_t> part = directConv<int8_t, int32_t>(
        one, xb, wb, bias, int32_t(c.padValue), 0, 0);
    expected.insert(expected.end(), part.begin(), part.end());
  }
  std::vector<int32_t> raw(expected.size());
  std::vector<int8_t> q(expected.size());
  void *out = kind == OutputKind::Int8 ? static_cast<void *>(q.data())
                                       : static_cast<void *>(raw.data());
  quantx_kernel_conv_b1(x.data(), packed.data(), bias.data(), requant.data(),
                        params.data(), out);
  ASSERT_EQ(takeCallError(), "");
  for (size_t i = 0; i < expected.size(); ++i) {
    int64_t oc = int64_t(i) % c.outC;
    if (kind == OutputKind::Accumulator) {
      ASSERT_EQ(raw[i], expected[i]) << "element " << i;
      continue;
    }
    int64_t want = qx::rescaleReference(
        expected[i], 0, {requant[oc], requant[c.outC + oc]},
        qx::RoundingMode::Double, -5, -128, 120);
    ASSERT_EQ(q[i], want) << "element " << i << " acc " << expected[i];
  }
}

TEST(KernelsTest, ConvBinaryMatchesDirectConvolution) {
  const ConvCase cases[] = {
      // batch inH inW inC outC kH kW sH sW dH dW pads(t,b,l,r) pad zpIn zpW
      {1, 1, 1, 13, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},     // M = 1
      {1, 1, 37, 300, 130, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}, // matmul
      {2, 9, 11, 3, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},    // padding
      {1, 12, 10, 5, 70, 3, 2, 2, 3, 1, 1, 1, 0, 2, 1, -1, 0, 0},  // strides
      {1, 13, 13, 6, 9, 3, 3, 1, 1, 2, 3, 2, 2, 3, 3, 1, 0, 0},    // dilation
      {1, 20, 20, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},  // K = 576
      // K = 9000: past one 31-word byte accumulation of the AVX2 kernel.
      {1, 5, 5, 1000, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
  };
  for (int threads : {1, 2}) {
    setThreadCount(threads);
    for (Isa isa : hostIsas())
      for (const ConvCase &c : cases)
        for (OutputKind kind : {OutputKind::Accumulator, OutputKind::Int8})
          for (bool zeros : {false, true}) {
            SCOPED_TRACE(
                std::string(getIsaName(isa)) + " inC " + std::to_string(c.inC) +
                " outC " + std::to_string(c.outC) + " zeros " +
                std::to_string(zeros) + " threads " + std::to_string(threads));
            checkConvB1(c, isa, kind, zeros);
          }
    for (Isa isa : hostIsas()) {
      // A batched matmul with a weight matrix per batch.
      ConvCase c{3, 1, 5, 100, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
      checkConvB1(c, isa, OutputKind::Int8, false, /*perBatch=*/true);
    }
  }
  setThreadCount(0);
}

TEST(KernelsTest, PackWeightsBinaryLayout) {
  // Panels of 8 channels, word-interleaved: word i of channel c sits at
  // ((c / 8) * words + i) * 8 + c % 8, little-endian, bit k % 64 set for
  // -1; the last panel padded with clear rows.
  int64_t n = 9, k = 70;
  std::vector<int8_t> w(n * k, 1);
  w[0 * k + 0] = -1;
  w[1 * k + 63] = -1;
  w[1 * k + 64] = -1;
  w[8 * k + 69] = -1;
  std::vector<uint8_t> packed = packWeightsBinary(w.data(), n, k);
  int64_t words = getBinaryWords(k);
  EXPECT_EQ(words, 2);
  EXPECT_EQ(int64_t(packed.size()), 2 * words * 8 * 8);
  std::vector<uint8_t> expected(packed.size(), 0);
  auto byteOf = [&](int64_t c, int64_t word, int64_t byte) {
    return (((c / 8) * words + word) * 8 + c % 8) * 8 + byte;
  };
  expected[byteOf(0, 0, 0)] = 0x01;
  expected[byteOf(1, 0, 7)] = 0x80;
  expected[byteOf(1, 1, 0)] = 0x01;
  expected[byteOf(8, 1, 0)] = 0x20;
  EXPECT_EQ(packed, expected);
  EXPECT_EQ(getBinaryWords(1), 1);
  EXPECT_EQ(getBinaryWords(64), 1);
  EXPECT_EQ(getBinaryWords(65), 2);
}

TEST(KernelsTest, PackWeightsLowBitLayout) {
  // In each run of 32 packed elements (32 * bits / 8 bytes), byte i holds
  // elements i, i + R, i + 2R, ... (R: the run's byte count) from its low
  // bits up, of packWeightsS8's layout.
  for (Isa isa : {Isa::Avx2, Isa::Avx512Vnni, Isa::Avx2Maddubs}) {
    if (!supportsLowBitWeights(isa))
      continue;
    for (int bits : {4, 2}) {
      std::mt19937 rng(3);
      int64_t n = 37, k = 29;
      std::vector<int8_t> w(n * k);
      randomFill(rng, w, -(1 << (bits - 1)), (1 << (bits - 1)) - 1);
      std::vector<uint8_t> whole = packWeightsS8(isa, w.data(), n, k);
      std::vector<uint8_t> packed =
          packWeightsLowBit(isa, w.data(), n, k, bits);
      int64_t runBytes = 32 * bits / 8;
      int64_t elements = int64_t(packed.size()) / runBytes * 32;
      // Whole elements of one (VNNI: int8) or two (AVX2: int16) bytes.
      int64_t bytes = int64_t(whole.size()) / elements;
      ASSERT_EQ(int64_t(whole.size()), elements * bytes);
      ASSERT_TRUE(bytes == 1 || bytes == 2);
      for (int64_t e = 0; e < elements; ++e) {
        int64_t run = e / 32, index = e % 32;
        uint8_t byte = packed[run * runBytes + index % runBytes];
        int64_t shift = (index / runBytes) * bits;
        int64_t code = (byte >> shift) & ((1 << bits) - 1);
        int64_t value = code >= (1 << (bits - 1)) ? code - (1 << bits) : code;
        ASSERT_EQ(value, int8_t(whole[e * bytes]))
            << "bits " << bits << " element " << e;
      }
    }
  }
}

TEST(KernelsTest, WeightTableRoundTrips) {
  std::array<int8_t, 16> table;
  for (int i = 0; i < 16; ++i)
    table[i] = int8_t(i * 17 - 128);
  std::vector<int64_t> params(kNumParams, 0);
  setWeightTable(params.data(), table);
  EXPECT_EQ(getWeightTable(params.data()), table);
  std::array<int8_t, 16> nibbles = getTwosComplementTable(4);
  std::array<int8_t, 16> crumbs = getTwosComplementTable(2);
  for (int code = 0; code < 16; ++code)
    EXPECT_EQ(nibbles[code], code < 8 ? code : code - 16);
  EXPECT_EQ(crumbs[0], 0);
  EXPECT_EQ(crumbs[1], 1);
  EXPECT_EQ(crumbs[2], -2);
  EXPECT_EQ(crumbs[3], -1);
  EXPECT_EQ(crumbs[4], 0);
}

TEST(KernelsTest, DepthwiseS8MatchesDirectConvolution) {
  // Channel counts around the vector widths (8 and 16 lanes, 32-channel
  // blocks), 3x3 and 5x5 kernels, strides, dilation, asymmetric padding,
  // rows narrower than the 4-pixel blocks, and a depth multiplier.
  const ConvCase cases[] = {
      {1, 10, 9, 19, 19, 3, 3, 2, 1, 1, 2, 1, 1, 2, 2, -9, -9, 4, true, 1},
      {1, 10, 9, 19, 57, 3, 3, 2, 1, 1, 2, 1, 1, 2, 2, -9, -9, 4, true, 3},
      {1, 12, 13, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 0, true, 1},
      {1, 11, 11, 48, 48, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1, -128, -128, 0, true, 1},
      {1, 9, 8, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, -3, true, 1},
      {1, 8, 9, 24, 24, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 5, 5, 0, true, 1},
      {2, 5, 3, 200, 200, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 127, 127, 0, true, 1},
      {1, 6, 6, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, true, 1},
  };
  for (Isa isa : hostIsas())
    for (const ConvCase &c : cases) {
      int64_t taps = c.kH * c.kW;
      std::mt19937 rng(7);
      std::vector<int8_t> x(c.batch * c.inH * c.inW * c.inC), w(taps * c.outC);
      randomFill(rng, x, -128, 127);
      // The extremes too: -128 activations times weights whose zero point
      // pushes them past the int8 range.
      x[0] = -128;
      randomFill(rng, w, -127, 127);
      w[0] = -127;
      std::vector<int32_t> bias(c.outC, 77), requant(2 * c.outC);
      for (int64_t i = 0; i < c.outC; ++i) {
        requant[i] = 1518500250 + int32_t(i);
        requant[c.outC + i] = 38 + int32_t(i % 3);
      }
      std::vector<int16_t> packed =
          packDepthwiseWeightsS8(w.data(), taps, c.outC, c.weightZp);
      std::vector<int32_t> folded = foldDepthwiseBiasS8(
          packed.data(), taps, c.outC, bias.data(), c.inputZp);
      std::vector<int64_t> params =
          c.params(isa, OutputKind::Int8, qx::RoundingMode::Double);
      std::vector<int32_t> expected =
          directConv<int8_t, int32_t>(c, x, w, bias, int32_t(c.padValue),
                                      int32_t(c.inputZp), int32_t(c.weightZp));
      std::vector<int8_t> q(expected.size());
      quantx_kernel_depthwise_s8(x.data(), packed.data(), folded.data(),
                                 requant.data(), params.data(), q.data());
      for (size_t i = 0; i < expected.size(); ++i) {
        int64_t oc = int64_t(i) % c.outC;
        ASSERT_EQ(q[i], qx::rescaleReference(
                            expected[i], 0, {requant[oc], requant[c.outC + oc]},
                            qx::RoundingMode::Double, -5, -128, 120))
            << getIsaName(isa) << " " << c.inC << " channels, " << c.kH << "x"
            << c.kW << ", element " << i;
      }
    }
}

TEST(KernelsTest, ConvF32MatchesDirectConvolution) {
  for (Isa isa : hostIsas())
    for (const ConvCase &c : kCases) {
      std::mt19937 rng(3);
      std::normal_distribution<float> dist;
      std::vector<float> x(c.batch * c.inH * c.inW * c.inC),
          w(c.outC * c.kH * c.kW * c.inC), bias(c.outC);
      for (float &v : x)
        v = dist(rng);
      for (float &v : w)
        v = dist(rng);
      for (float &v : bias)
        v = dist(rng);
      int64_t k = c.kH * c.kW * c.inC;
      std::vector<uint8_t> packed = packWeightsF32(isa, w.data(), c.outC, k);
      std::vector<int64_t> params =
          c.params(isa, OutputKind::Accumulator, qx::RoundingMode::Double);
      std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()),
          bd(bias.begin(), bias.end());
      std::vector<double> expected =
          directConv<double, double>(c, xd, wd, bd, 0.0, 0.0, 0.0);
      std::vector<float> y(expected.size());
      quantx_kernel_conv_f32(x.data(), packed.data(), bias.data(), nullptr,
                             params.data(), y.data());
      for (size_t i = 0; i < expected.size(); ++i)
        ASSERT_NEAR(y[i], expected[i], 1e-4 * std::sqrt(double(k)) + 1e-4)
            << getIsaName(isa) << " element " << i;
    }
}

TEST(KernelsTest, PairSaturationProof) {
  // Pairs (0, 1), (2, 3), ... of each row; 255 * 128 = 32640 fits int16.
  std::vector<int8_t> w = {100, -28, -128, 0, 127, 1, 5};
  EXPECT_TRUE(provesNoPairSaturation(w.data(), 1, 7));
  w[1] = -29; // 255 * 129 = 32895 does not
  EXPECT_FALSE(provesNoPairSaturation(w.data(), 1, 7));
  w[1] = 0;
  w[6] = -128; // the lone last weight pairs with a zero
  EXPECT_TRUE(provesNoPairSaturation(w.data(), 1, 7));
  // Two rows of K = 3: the second's first pair fails.
  std::vector<int8_t> two = {1, 2, 127, 64, 65, 0};
  EXPECT_FALSE(provesNoPairSaturation(two.data(), 2, 3));
  EXPECT_TRUE(provesNoPairSaturation(two.data(), 1, 3));
}

TEST(KernelsTest, IsaNames) {
  for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512Vnni, Isa::Avx2Maddubs})
    EXPECT_EQ(parseIsa(getIsaName(isa)), isa);
  EXPECT_FALSE(parseIsa("sse9").has_value());
  EXPECT_TRUE(hostSupports(getHostIsa()));
}
} // namespace
