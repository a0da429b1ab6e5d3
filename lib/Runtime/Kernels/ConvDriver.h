//===- ConvDriver.h - blocked conv/matmul over a micro-kernel ---*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Included by each ISA's kernel file inside an anonymous namespace, with that
// ISA's micro-kernel `MK`:
//
//   using AElem, BElem, Acc;     packed activation, weight, accumulator types
//   MR, NR, KU                   tile rows, tile columns, k unit (weights are
//                                packed [N/NR][K/KU][NR][KU])
//   AElem convert(In)            an input element as the kernel reads it
//   tile<R>(kc, a, lda, b, c, ldc, accumulate)
//                                c[R][NR] (+)= a[R][kc] * panel b[kc][NR]
//
// Work is split into blocks of kBlockRows output pixels times blockCols
// output channels; a thread packs the im2col rows of its block once (the
// input zero point, padding and the VNNI shift handled there), then runs the
// micro-kernel over K slices (whole K up to 512, else equal slices of at most
// 384) so that one weight panel stays in L1 while the tiles of the block
// stream past it, and ends with the epilogue.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_CONVDRIVER_H
#define QUANTX_LIB_RUNTIME_KERNELS_CONVDRIVER_H

#include "Epilogue.h"
#include "IsaKernels.h"
#include "ThreadPool.h"
#include "quant-x/Runtime/Kernels.h"

#include <cstdlib>
#include <cstring>
#include <tuple>
#include <type_traits>

namespace quantx::kernels {
namespace {

inline int64_t roundUp(int64_t x, int64_t multiple) {
  return (x + multiple - 1) / multiple * multiple;
}

/// The GEMM view of a convolution (matmul: a 1x1 convolution).
struct ConvShape {
  const int64_t *p;
  int64_t m, n, k;
  explicit ConvShape(const int64_t *params)
      : p(params), m(params[kOutH] * params[kOutW]), n(params[kOutC]),
        k(params[kKernelH] * params[kKernelW] * params[kInC]) {}
};

template <class MK, class In>
struct ConvRun {
  using AElem = typename MK::AElem;
  using BElem = typename MK::BElem;
  using Acc = typename MK::Acc;
  static constexpr bool kIsInt = std::is_integral_v<Acc>;
  static constexpr int64_t kBlockRows = MK::MR * 16;
  static constexpr int64_t kBlockDepth = 256;
  static constexpr int64_t kMaxSliceDepth = 384;

  const ConvShape shape;
  const In *input;
  const BElem *weights;
  /// Low-bit weights (kPackedWeightBits = 4 or 2): packWeightsLowBit's,
  /// and the weight each code stands for.
  const uint8_t *lowBits = nullptr;
  int64_t packedBits = 0;
  alignas(16) int8_t weightTable[16] = {};
  const Acc *bias;
  const void *requant;
  void *output;
  int64_t depth;     // K rounded up to KU
  int64_t blockCols; // a multiple of NR
  int64_t blockRows; // a multiple of MR, at most kBlockRows
  int64_t rowBlocks, colBlocks;

  explicit ConvRun(const KernelArgs &args)
      : shape(args.params), input(static_cast<const In *>(args.input)),
        weights(static_cast<const BElem *>(args.weights)),
        bias(static_cast<const Acc *>(args.bias)), requant(args.requant),
        output(args.output) {
    const int64_t *params = args.params;
    packedBits = params[kPackedWeightBits];
    if (packedBits != 0) {
      lowBits = static_cast<const uint8_t *>(args.weights);
      std::array<int8_t, 16> table = getWeightTable(params);
      std::copy(table.begin(), table.end(), weightTable);
    }
    depth = roundUp(shape.k, MK::KU);
    int64_t threads = getThreadCount();
    // Blocks of equal rows (multiples of MR), never a sliver after full
    // ones; and when there are only a few per thread, a multiple of the
    // thread count: M = 196 in blocks of 192 and 4 left one of two threads
    // idle, and 2 threads ran such layers slower than one.
    int64_t blocks = (shape.m + kBlockRows - 1) / kBlockRows;
    if (blocks >= threads && params[kBatch] * blocks < 8 * threads)
      blocks = minOf(roundUp(blocks, threads), (shape.m + MK::MR - 1) / MK::MR);
    blockRows = roundUp((shape.m + blocks - 1) / blocks, MK::MR);
    rowBlocks = (shape.m + blockRows - 1) / blockRows;
    // Enough column blocks that every thread has work when the rows alone
    // do not split (M = 1: a matrix-vector product).
    int64_t panels = (shape.n + MK::NR - 1) / MK::NR;
    int64_t items = params[kBatch] * rowBlocks;
    int64_t split = items >= threads ? 1 : (threads + items - 1) / items;
    int64_t panelsPerBlock =
        minOf<int64_t>(maxOf<int64_t>((panels + split - 1) / split, 1), 8);
    blockCols = panelsPerBlock * MK::NR;
    colBlocks = (shape.n + blockCols - 1) / blockCols;
  }

  /// The first packed weight element of `image`'s matrix.
  int64_t weightOffset(int64_t image) const {
    if (!shape.p[kWeightsPerBatch])
      return 0;
    return image * (roundUp(shape.n, MK::NR) * depth);
  }

  /// Expands `count` low-bit weights (a multiple of 32, from an element
  /// offset that is one too) into `dst` through the weight table, with the
  /// micro-kernel's own routines when it has them.
  void expandLowBits(int64_t offset, BElem *dst, int64_t count) const {
    const uint8_t *src = lowBits + offset * packedBits / 8;
    if constexpr (hasUnpackNibbles<MK>(0)) {
      if (packedBits == 4)
        return MK::unpackNibbles(src, dst, count, weightTable);
      return MK::unpackCrumbs(src, dst, count, weightTable);
    }
    // Runs of 32 elements; byte i of a run holds elements i, i + R, ...
    int64_t runBytes = 32 * packedBits / 8, perByte = 8 / packedBits;
    int64_t mask = (int64_t(1) << packedBits) - 1;
    for (int64_t run = 0; run < count; run += 32, src += runBytes)
      for (int64_t i = 0; i < runBytes; ++i)
        for (int64_t slot = 0; slot < perByte; ++slot) {
          int64_t code = (src[i] >> (slot * packedBits)) & mask;
          dst[run + i + slot * runBytes] = BElem(weightTable[code]);
        }
  }

  /// im2col rows [row0, row0 + rows) of `image` into `a` ([rows][depth]),
  /// and their sums of input values into `rowSums` when the weight zero
  /// point needs them.
  void packRows(int64_t image, int64_t row0, int64_t rows, AElem *a,
                int32_t *rowSums) const {
    const int64_t *p = shape.p;
    int64_t inC = p[kInC];
    In pad = static_cast<In>(kIsInt ? p[kPadValue] : 0);
    AElem padded = MK::convert(pad);
    bool sums = kIsInt && p[kWeightZeroPoint] != 0;
    for (int64_t r = 0; r < rows; ++r) {
      int64_t m = row0 + r;
      int64_t oh = m / p[kOutW], ow = m % p[kOutW];
      AElem *dst = a + r * depth;
      int64_t sum = 0;
      int64_t iw0 = ow * p[kStrideW] - p[kPadLeft];
      // With unit dilation, a kernel row inside the image is one contiguous
      // run of kW * C input elements.
      bool rowRuns =
          p[kDilationW] == 1 && iw0 >= 0 && iw0 + p[kKernelW] <= p[kInW];
      for (int64_t kh = 0; kh < p[kKernelH]; ++kh) {
        int64_t ih = oh * p[kStrideH] - p[kPadTop] + kh * p[kDilationH];
        if (rowRuns && ih >= 0 && ih < p[kInH]) {
          int64_t run = p[kKernelW] * inC;
          const In *src =
              input + ((image * p[kInH] + ih) * p[kInW] + iw0) * inC;
          convertRun(src, dst, run);
          if (sums)
            for (int64_t c = 0; c < run; ++c)
              sum += src[c];
          dst += run;
          continue;
        }
        for (int64_t kw = 0; kw < p[kKernelW]; ++kw, dst += inC) {
          int64_t iw = ow * p[kStrideW] - p[kPadLeft] + kw * p[kDilationW];
          if (ih < 0 || ih >= p[kInH] || iw < 0 || iw >= p[kInW]) {
            fillN(dst, inC, padded);
            sum += int64_t(inC) * int64_t(pad);
            continue;
          }
          const In *src = input + ((image * p[kInH] + ih) * p[kInW] + iw) * inC;
          convertRun(src, dst, inC);
          if (sums)
            for (int64_t c = 0; c < inC; ++c)
              sum += src[c];
        }
      }
      fillN(dst, a + (r + 1) * depth - dst, AElem(0));
      if (sums)
        rowSums[r] = static_cast<int32_t>(sum);
    }
  }

  /// dst[0, n) = convert(src[0, n)), with the micro-kernel's own routine
  /// when it has one (short runs dominate im2col of thin inputs).
  static void convertRun(const In *src, AElem *dst, int64_t n) {
    if constexpr (std::is_same_v<In, int8_t> && hasConvertRun<MK>(0)) {
      MK::convertRun(src, dst, n);
    } else {
      for (int64_t c = 0; c < n; ++c)
        dst[c] = MK::convert(src[c]);
    }
  }
  template <class K>
  static constexpr auto hasConvertRun(int)
      -> decltype(K::convertRun(nullptr, nullptr, 0), true) {
    return true;
  }
  template <class K>
  static constexpr bool hasConvertRun(...) {
    return false;
  }

  template <class K>
  static constexpr auto hasUnpackNibbles(int)
      -> decltype(K::unpackNibbles(nullptr, nullptr, 0, nullptr),
                  K::unpackCrumbs(nullptr, nullptr, 0, nullptr), true) {
    return true;
  }
  template <class K>
  static constexpr bool hasUnpackNibbles(...) {
    return false;
  }

  template <int R>
  void tiles(int64_t rows, int64_t kc, const AElem *a, const BElem *b, Acc *c,
             int64_t ldc, bool accumulate) const {
    int64_t r = 0;
    for (; r + R <= rows; r += R)
      MK::template tile<R>(kc, a + r * depth, depth, b, c + r * ldc, ldc,
                           accumulate);
    if constexpr (R > 1)
      if (r < rows)
        tiles<R - 1>(rows - r, kc, a + r * depth, b, c + r * ldc, ldc,
                     accumulate);
  }

  void epilogue(int64_t image, int64_t row0, int64_t rows, int64_t col0,
                int64_t cols, const Acc *c, int64_t ldc,
                const int32_t *rowSums) const {
    const int64_t *p = shape.p;
    int64_t weightZp = kIsInt ? p[kWeightZeroPoint] : 0;
    int64_t flat = (image * shape.m + row0) * shape.n + col0;
    // -weightZp * sum(x) per row, modulo 2^32 like the accumulators.
    Buffer<int32_t> rowTerms(weightZp != 0 ? rows : 0);
    for (int64_t r = 0; weightZp != 0 && r < rows; ++r)
      rowTerms[r] =
          static_cast<int32_t>(uint32_t(-weightZp) * uint32_t(rowSums[r]));
    const int32_t *terms = weightZp != 0 ? rowTerms.data() : nullptr;
    if constexpr (kIsInt) {
      if (static_cast<OutputKind>(p[kOutputKind]) == OutputKind::Int8) {
        Requant rq(requant, p, shape.n);
        MK::requantize(c, ldc, rows, bias + col0, terms, rq, col0, cols,
                       static_cast<int8_t *>(output) + flat, shape.n);
        return;
      }
    }
    for (int64_t r = 0; r < rows; ++r)
      biasRow(c + r * ldc, bias + col0, terms ? terms[r] : Acc(0), cols,
              static_cast<Acc *>(output) + flat + r * shape.n);
  }

  void run() const {
    int64_t items = shape.p[kBatch] * rowBlocks * colBlocks;
    // Whole K in one slice when it is short, saving the accumulator reloads
    // of a second slice; otherwise equal slices of at most kMaxSliceDepth,
    // so that no short last slice pays a full reload.
    int64_t slices = (depth + kMaxSliceDepth - 1) / kMaxSliceDepth;
    int64_t sliceDepth = depth <= 2 * kBlockDepth
                             ? depth
                             : roundUp((depth + slices - 1) / slices, MK::KU);
    parallelFor(items, [&](int64_t begin, int64_t end) {
      Buffer<AElem> a(blockRows * depth);
      Buffer<Acc> c(blockRows * blockCols);
      Buffer<int32_t> rowSums(blockRows);
      // One panel slice of low-bit weights, expanded.
      Buffer<BElem> expanded(lowBits ? sliceDepth * MK::NR : 0);
      int64_t packed = -1;
      for (int64_t item = begin; item < end; ++item) {
        int64_t rowBlock = item / colBlocks, colBlock = item % colBlocks;
        int64_t image = rowBlock / rowBlocks;
        int64_t row0 = (rowBlock % rowBlocks) * blockRows;
        int64_t rows = minOf(blockRows, shape.m - row0);
        int64_t col0 = colBlock * blockCols;
        int64_t cols = minOf(blockCols, shape.n - col0);
        if (packed != rowBlock) {
          packRows(image, row0, rows, a.data(), rowSums.data());
          packed = rowBlock;
        }
        int64_t panels = weightOffset(image);
        for (int64_t k0 = 0; k0 < depth; k0 += sliceDepth) {
          int64_t kc = minOf(sliceDepth, depth - k0);
          for (int64_t j = 0; j < cols; j += MK::NR) {
            int64_t offset = panels + (col0 + j) * depth + k0 * MK::NR;
            const BElem *b = weights + offset;
            if (lowBits) {
              expandLowBits(offset, expanded.data(), kc * MK::NR);
              b = expanded.data();
            }
            tiles<MK::MR>(rows, kc, a.data() + k0, b, c.data() + j, blockCols,
                          k0 > 0);
          }
        }
        epilogue(image, row0, rows, col0, cols, c.data(), blockCols,
                 rowSums.data());
      }
    });
  }
};

/// Depthwise convolution, vectorized along channels: for each output pixel,
/// acc[c * mult + q] += x[c] * w[tap][c * mult + q] over the taps, with
/// padded taps reading a row of the pad value. `W` holds the weights minus
/// their zero point, the bias has the input zero point folded in.
/// `Epi` supplies the int8 epilogue (the ISA's int8 micro-kernel).
template <class In, class W, class Acc, class Epi>
struct DepthwiseRun {
  const int64_t *p;
  const In *input;
  const W *weights;
  const Acc *bias;
  const void *requant;
  void *output;

  explicit DepthwiseRun(const KernelArgs &args)
      : p(args.params), input(static_cast<const In *>(args.input)),
        weights(static_cast<const W *>(args.weights)),
        bias(static_cast<const Acc *>(args.bias)), requant(args.requant),
        output(args.output) {}

  /// The accumulators of one output pixel. With multiplier 1, 16 channels
  /// at a time stay in registers over all taps.
  void pixel(const In *const *taps, int64_t numTaps, Acc *acc) const {
    int64_t channels = p[kOutC], inC = p[kInC], mult = p[kDepthMultiplier];
    if (mult != 1) {
      fillN(acc, channels, Acc(0));
      for (int64_t t = 0; t < numTaps; ++t) {
        const W *w = weights + t * channels;
        for (int64_t c = 0; c < inC; ++c)
          for (int64_t q = 0; q < mult; ++q)
            acc[c * mult + q] += Acc(taps[t][c]) * Acc(w[c * mult + q]);
      }
      return;
    }
    int64_t c0 = 0;
    for (; c0 + 16 <= channels; c0 += 16) {
      Acc local[16] = {};
      for (int64_t t = 0; t < numTaps; ++t) {
        const In *x = taps[t] + c0;
        const W *w = weights + t * channels + c0;
        for (int i = 0; i < 16; ++i)
          local[i] += Acc(x[i]) * Acc(w[i]);
      }
      for (int i = 0; i < 16; ++i)
        acc[c0 + i] = local[i];
    }
    for (int64_t c = c0; c < channels; ++c) {
      Acc sum = 0;
      for (int64_t t = 0; t < numTaps; ++t)
        sum += Acc(taps[t][c]) * Acc(weights[t * channels + c]);
      acc[c] = sum;
    }
  }

  /// pixel() for 4 output pixels at once (multiplier 1), sharing each
  /// weight vector: `taps` holds 4 rows of numTaps pointers, `acc` 4 rows of
  /// `channels` accumulators.
  void pixels4(const In *const *taps, int64_t numTaps, Acc *acc) const {
    int64_t channels = p[kOutC];
    int64_t c0 = 0;
    for (; c0 + 16 <= channels; c0 += 16) {
      Acc local[4][16] = {};
      for (int64_t t = 0; t < numTaps; ++t) {
        const W *w = weights + t * channels + c0;
        for (int q = 0; q < 4; ++q) {
          const In *x = taps[q * numTaps + t] + c0;
          for (int i = 0; i < 16; ++i)
            local[q][i] += Acc(x[i]) * Acc(w[i]);
        }
      }
      for (int q = 0; q < 4; ++q)
        for (int i = 0; i < 16; ++i)
          acc[q * channels + c0 + i] = local[q][i];
    }
    for (int64_t c = c0; c < channels; ++c)
      for (int q = 0; q < 4; ++q) {
        Acc sum = 0;
        for (int64_t t = 0; t < numTaps; ++t)
          sum += Acc(taps[q * numTaps + t][c]) * Acc(weights[t * channels + c]);
        acc[q * channels + c] = sum;
      }
  }

  /// Whether the ISA has a vector int8 row routine, `MK::depthwiseRow`.
  template <class K>
  static constexpr auto hasDepthwiseRow(int)
      -> decltype(K::depthwiseRow(nullptr, 0, 0, nullptr, 0, nullptr), true) {
    return true;
  }
  template <class K>
  static constexpr bool hasDepthwiseRow(...) {
    return false;
  }

  void run() const {
    int64_t channels = p[kOutC], inC = p[kInC], outW = p[kOutW];
    int64_t numTaps = p[kKernelH] * p[kKernelW];
    bool vectorRows = false;
    if constexpr (std::is_same_v<In, int8_t> && hasDepthwiseRow<Epi>(0))
      vectorRows = p[kDepthMultiplier] == 1;
    parallelFor(p[kBatch] * p[kOutH], [&](int64_t begin, int64_t end) {
      Buffer<Acc> acc(outW * channels);
      // Every pixel's tap pointers for the ISA's row routine, else 4.
      Buffer<const In *> taps((vectorRows ? outW : 4) * numTaps);
      Buffer<In> padRow(
          inC, static_cast<In>(std::is_integral_v<In> ? p[kPadValue] : 0));
      Buffer<const In *> rowsOfTaps(p[kKernelH]);
      for (int64_t row = begin; row < end; ++row) {
        int64_t image = row / p[kOutH], oh = row % p[kOutH];
        // The input row each kernel row reads (null: padding).
        for (int64_t kh = 0; kh < p[kKernelH]; ++kh) {
          int64_t ih = oh * p[kStrideH] - p[kPadTop] + kh * p[kDilationH];
          rowsOfTaps[kh] = ih >= 0 && ih < p[kInH]
                               ? input + (image * p[kInH] + ih) * p[kInW] * inC
                               : nullptr;
        }
        auto findTaps = [&](int64_t ow, const In **pixelTaps) {
          int64_t iw0 = ow * p[kStrideW] - p[kPadLeft];
          for (int64_t kh = 0, t = 0; kh < p[kKernelH]; ++kh) {
            const In *inputRow = rowsOfTaps[kh];
            for (int64_t kw = 0; kw < p[kKernelW]; ++kw, ++t) {
              int64_t iw = iw0 + kw * p[kDilationW];
              pixelTaps[t] = inputRow && iw >= 0 && iw < p[kInW]
                                 ? inputRow + iw * inC
                                 : padRow.data();
            }
          }
        };
        int64_t ow = 0;
        if constexpr (std::is_same_v<In, int8_t> && hasDepthwiseRow<Epi>(0)) {
          if (vectorRows) {
            // Between the pixels whose taps reach into the left and right
            // padding, each tap moves by one stride: no bounds to test.
            int64_t step = p[kStrideW] * inC;
            int64_t reach = (p[kKernelW] - 1) * p[kDilationW];
            for (; ow < outW; ++ow) {
              const In **pixelTaps = taps.data() + ow * numTaps;
              int64_t iw0 = ow * p[kStrideW] - p[kPadLeft];
              if (ow > 0 && iw0 - p[kStrideW] >= 0 && iw0 + reach < p[kInW]) {
                const In **previous = pixelTaps - numTaps;
                for (int64_t t = 0; t < numTaps; ++t)
                  pixelTaps[t] = previous[t] == padRow.data()
                                     ? previous[t]
                                     : previous[t] + step;
              } else {
                findTaps(ow, pixelTaps);
              }
            }
            Epi::depthwiseRow(taps.data(), numTaps, outW, weights, channels,
                              acc.data());
          }
        }
        if (p[kDepthMultiplier] == 1) {
          for (; ow + 4 <= outW; ow += 4) {
            for (int q = 0; q < 4; ++q)
              findTaps(ow + q, taps.data() + q * numTaps);
            pixels4(taps.data(), numTaps, acc.data() + ow * channels);
          }
        }
        for (; ow < outW; ++ow) {
          findTaps(ow, taps.data());
          pixel(taps.data(), numTaps, acc.data() + ow * channels);
        }
        int64_t flat = row * outW * channels;
        if constexpr (std::is_integral_v<Acc>) {
          if (static_cast<OutputKind>(p[kOutputKind]) == OutputKind::Int8) {
            Requant rq(requant, p, channels);
            Epi::requantize(acc.data(), channels, outW, bias, nullptr, rq, 0,
                            channels, static_cast<int8_t *>(output) + flat,
                            channels);
            continue;
          }
        }
        for (int64_t ow = 0; ow < outW; ++ow)
          biasRow(acc.data() + ow * channels, bias, Acc(0), channels,
                  static_cast<Acc *>(output) + flat + ow * channels);
      }
    });
  }
};

/// max(a, b), with NaN winning as in TOSA's PROPAGATE mode.
inline int8_t poolMax(int8_t a, int8_t b) { return maxOf(a, b); }
inline float poolMax(float a, float b) { return (b != b || b > a) ? b : a; }

/// Max pooling, vectorized along channels: padded taps are skipped.
template <class In>
struct MaxPoolRun {
  const int64_t *p;
  const In *input;
  In *output;

  explicit MaxPoolRun(const KernelArgs &args)
      : p(args.params), input(static_cast<const In *>(args.input)),
        output(static_cast<In *>(args.output)) {}

  void run() const {
    int64_t channels = p[kInC], outW = p[kOutW];
    int64_t maxTaps = p[kKernelH] * p[kKernelW];
    parallelFor(p[kBatch] * p[kOutH], [&](int64_t begin, int64_t end) {
      Buffer<const In *> taps(maxTaps);
      for (int64_t row = begin; row < end; ++row) {
        int64_t image = row / p[kOutH], oh = row % p[kOutH];
        for (int64_t ow = 0; ow < outW; ++ow) {
          int64_t count = 0;
          for (int64_t kh = 0; kh < p[kKernelH]; ++kh) {
            int64_t ih = oh * p[kStrideH] - p[kPadTop] + kh;
            for (int64_t kw = 0; kw < p[kKernelW]; ++kw) {
              int64_t iw = ow * p[kStrideW] - p[kPadLeft] + kw;
              if (ih >= 0 && ih < p[kInH] && iw >= 0 && iw < p[kInW])
                taps[count++] =
                    input + ((image * p[kInH] + ih) * p[kInW] + iw) * channels;
            }
          }
          In *out = output + (row * outW + ow) * channels;
          int64_t c0 = 0;
          for (; c0 + 16 <= channels; c0 += 16) {
            In best[16];
            for (int i = 0; i < 16; ++i)
              best[i] = taps[0][c0 + i];
            for (int64_t t = 1; t < count; ++t)
              for (int i = 0; i < 16; ++i)
                best[i] = poolMax(best[i], taps[t][c0 + i]);
            for (int i = 0; i < 16; ++i)
              out[c0 + i] = best[i];
          }
          for (int64_t c = c0; c < channels; ++c) {
            In best = taps[0][c];
            for (int64_t t = 1; t < count; ++t)
              best = poolMax(best, taps[t][c]);
            out[c] = best;
          }
        }
      }
    });
  }
};

/// The kernel set of one ISA: its int8 micro-kernels `S8<W>` for each panel
/// variant W (widest first), its float micro-kernel, its binary conv
/// (`Binary::conv<Epi>(args)`, BinaryConv.h), and the shift its int8
/// micro-kernels add to activations.
template <template <int> class S8, class F32, class Binary, int ActivationShift,
          int... Variants>
struct IsaSet {
  using Widest = S8<std::get<0>(std::make_tuple(Variants...))>;

  static void convS8(const KernelArgs &args) {
    int64_t width = args.params[kPanelWidth];
    bool ran = ((width == S8<Variants>::NR
                     ? (ConvRun<S8<Variants>, int8_t>(args).run(), true)
                     : false) ||
                ...);
    if (!ran)
      std::abort(); // The compiler packed for a width this ISA lacks.
  }
  static void convF32(const KernelArgs &args) {
    ConvRun<F32, float>(args).run();
  }
  static void depthwiseS8(const KernelArgs &args) {
    DepthwiseRun<int8_t, int16_t, int32_t, Widest>(args).run();
  }
  static void depthwiseF32(const KernelArgs &args) {
    DepthwiseRun<float, float, float, Widest>(args).run();
  }
  static void maxPoolS8(const KernelArgs &args) {
    MaxPoolRun<int8_t>(args).run();
  }
  static void maxPoolF32(const KernelArgs &args) {
    MaxPoolRun<float>(args).run();
  }
  static void convB1(const KernelArgs &args) {
    Binary::template conv<Widest>(args);
  }
  static IsaKernels get() {
    IsaKernels kernels{
        convS8,
        convF32,
        depthwiseS8,
        depthwiseF32,
        maxPoolS8,
        maxPoolF32,
        convB1,
        {S8<Variants>::NR..., 0},
        Widest::KU,
        F32::NR,
        int(sizeof(typename Widest::BElem)),
        ActivationShift,
        ConvRun<Widest, int8_t>::template hasUnpackNibbles<Widest>(0)};
    return kernels;
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_CONVDRIVER_H
