//===- BinaryConv.h - XNOR-popcount conv/matmul driver ----------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Included by each ISA's kernel file inside an anonymous namespace, with that
// ISA's popcount micro-kernel `PK`:
//
//   MR, kMaxPanels       tile rows, and weight panels (kBinaryPanel
//                        channels each) a tile reads at most
//   signBits(src, s, m)  the sign and nonzero bits of 32 int8 activations
//   tile<R, P, Masked>(words, signs, masks, lda, w, d, ldd)
//                        d[r][c] = -2 * popcount((signs[r] ^ w[c])
//                                                [& masks[r]])
//                        over `words` 64-bit words, for the P * kBinaryPanel
//                        channels c of the P panels at `w`
//
// Activations are -1, 0 or +1 (the lowering proves it: sign activations and
// their zero padding) and weights -1 or +1. With s = (a < 0), m = (a != 0)
// and t = (w < 0), a * w = m * (1 - 2 * (s xor t)), so a row's dot product
// with a channel is popcount(m) - 2 * popcount((s xor t) and m). On rows
// where every activation is nonzero (all but those that touch zero padding)
// the `and` drops out; past K, s and t are both clear and add nothing.
//
// The micro-kernels broadcast one activation word and xor it with the same
// word of a panel's channels (the packed layout interleaves them), so each
// lane counts for one channel and no horizontal sum is needed, as the int8
// micro-kernels broadcast an activation k unit against a weight panel.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_RUNTIME_KERNELS_BINARYCONV_H
#define QUANTX_LIB_RUNTIME_KERNELS_BINARYCONV_H

#include "Epilogue.h"
#include "IsaKernels.h"
#include "ThreadPool.h"
#include "quant-x/Runtime/Kernels.h"

#include <cstdint>
#include <cstring>

namespace quantx::kernels {
namespace {

/// The sign and nonzero bits of `n` <= 32 int8 values, element i in bit i.
inline void signBitsScalar(const int8_t *src, int64_t n, uint32_t &s,
                           uint32_t &m) {
  s = m = 0;
  for (int64_t i = 0; i < n; ++i) {
    s |= uint32_t(src[i] < 0) << i;
    m |= uint32_t(src[i] != 0) << i;
  }
}

/// Appends bits to a row of sign words and one of nonzero words (both
/// zeroed beforehand).
struct BitRowWriter {
  uint64_t *signs, *masks;
  int64_t bit = 0;

  /// The low `n` <= 64 bits of `s` and `m` (clear above `n`).
  void append(uint64_t s, uint64_t m, int64_t n) {
    int64_t word = bit >> 6, offset = bit & 63;
    signs[word] |= s << offset;
    masks[word] |= m << offset;
    // A spill means offset > 0.
    if (offset + n > 64) {
      signs[word + 1] |= s >> (64 - offset);
      masks[word + 1] |= m >> (64 - offset);
    }
    bit += n;
  }
};

template <class PK, class Epi>
struct BinaryConvRun {
  static constexpr int64_t kBlockRows = PK::MR * 16;

  const int64_t *p;
  int64_t m, n, k;
  const int8_t *input;
  const uint8_t *weights;
  const int32_t *bias;
  const void *requant;
  void *output;
  int64_t words;      // per activation row and weight channel
  int64_t pixelWords; // per input pixel's channels
  int64_t blockCols;  // a multiple of kBinaryPanel
  int64_t rowBlocks, colBlocks;

  explicit BinaryConvRun(const KernelArgs &args)
      : p(args.params), m(p[kOutH] * p[kOutW]), n(p[kOutC]),
        k(p[kKernelH] * p[kKernelW] * p[kInC]),
        input(static_cast<const int8_t *>(args.input)),
        weights(static_cast<const uint8_t *>(args.weights)),
        bias(static_cast<const int32_t *>(args.bias)), requant(args.requant),
        output(args.output), words(getBinaryWords(k)),
        pixelWords(getBinaryWords(p[kInC])) {
    rowBlocks = (m + kBlockRows - 1) / kBlockRows;
    // As ConvRun: column blocks enough for every thread when rows do not
    // split (M = 1).
    int64_t panels = (n + kBinaryPanel - 1) / kBinaryPanel;
    int64_t threads = getThreadCount();
    int64_t items = p[kBatch] * rowBlocks;
    int64_t split = items >= threads ? 1 : (threads + items - 1) / items;
    int64_t panelsPerBlock =
        minOf<int64_t>(maxOf<int64_t>((panels + split - 1) / split, 1), 16);
    blockCols = panelsPerBlock * kBinaryPanel;
    colBlocks = (n + blockCols - 1) / blockCols;
  }

  /// The first weight word of `image`'s matrix.
  const uint8_t *matrix(int64_t image) const {
    if (!p[kWeightsPerBatch])
      return weights;
    int64_t panels = (n + kBinaryPanel - 1) / kBinaryPanel;
    return weights + image * panels * words * kBinaryPanel * 8;
  }

  /// The sign and nonzero bits of the channels of `count` pixels at `src`,
  /// pixelWords words each (clear past the channels), and each pixel's
  /// count of nonzero channels.
  void pixelBits(const int8_t *src, int64_t count, uint64_t *signs,
                 uint64_t *masks, int32_t *nonzero) const {
    const int64_t inC = p[kInC], perPixel = pixelWords;
    fillN(signs, count * perPixel, uint64_t(0));
    fillN(masks, count * perPixel, uint64_t(0));
    for (int64_t px = 0; px < count; ++px, src += inC) {
      uint64_t *s = signs + px * perPixel, *nz = masks + px * perPixel;
      int64_t ones = 0;
      for (int64_t c = 0; c < inC; c += 32) {
        uint32_t bits, nonzeroBits;
        if (c + 32 <= inC)
          PK::signBits(src + c, bits, nonzeroBits);
        else
          signBitsScalar(src + c, inC - c, bits, nonzeroBits);
        s[c / 64] |= uint64_t(bits) << (c % 64);
        nz[c / 64] |= uint64_t(nonzeroBits) << (c % 64);
        ones += __builtin_popcount(nonzeroBits);
      }
      nonzero[px] = static_cast<int32_t>(ones);
    }
  }

  /// The bits of every input pixel (and of a padded one), computed once
  /// per call and shared by the threads.
  struct Pixels {
    Buffer<uint64_t> signs, masks;
    Buffer<int32_t> nonzero;
    Buffer<uint64_t> padSigns, padMasks;
    int32_t padNonzero = 0;
    Pixels(int64_t pixels, int64_t words)
        : signs(pixels * words), masks(pixels * words), nonzero(pixels),
          padSigns(words), padMasks(words) {}
  };

  /// The im2col rows [row0, row0 + rows) of `image` from the pixels' bits,
  /// and each row's count of nonzero activations.
  void packRows(int64_t image, int64_t row0, int64_t rows, Pixels &px,
                uint64_t *signs, uint64_t *masks, int32_t *nonzero) const {
    // Locals: the word stores below may alias the int64 parameter array,
    // which would otherwise be reloaded after each.
    const int64_t inC = p[kInC], inH = p[kInH], inW = p[kInW], outW = p[kOutW],
                  kernelH = p[kKernelH], kernelW = p[kKernelW],
                  strideH = p[kStrideH], strideW = p[kStrideW],
                  dilationH = p[kDilationH], dilationW = p[kDilationW],
                  padTop = p[kPadTop], padLeft = p[kPadLeft],
                  perPixel = pixelWords, rowWords = words;
    const uint64_t *pixelSigns = px.signs.data(), *pixelMasks = px.masks.data();
    const uint64_t *padSigns = px.padSigns.data(),
                   *padMasks = px.padMasks.data();
    const int32_t *pixelNonzero = px.nonzero.data();
    const int64_t padNonzero = px.padNonzero;
    // Whole words per pixel: im2col is a copy of words.
    bool aligned = inC % 64 == 0;
    if (!aligned) {
      fillN(signs, rows * rowWords, uint64_t(0));
      fillN(masks, rows * rowWords, uint64_t(0));
    }
    for (int64_t r = 0; r < rows; ++r) {
      int64_t pixel = row0 + r;
      int64_t oh = pixel / outW, ow = pixel % outW;
      BitRowWriter row{signs + r * rowWords, masks + r * rowWords};
      int64_t count = 0;
      for (int64_t kh = 0; kh < kernelH; ++kh) {
        int64_t ih = oh * strideH - padTop + kh * dilationH;
        bool rowInside = ih >= 0 && ih < inH;
        int64_t iw0 = ow * strideW - padLeft;
        // A kernel row inside the image, with unit dilation and whole
        // words per pixel: one run of kernelW * perPixel words.
        if (aligned && rowInside && dilationW == 1 && iw0 >= 0 &&
            iw0 + kernelW <= inW) {
          int64_t at = (image * inH + ih) * inW + iw0;
          const uint64_t *s = pixelSigns + at * perPixel,
                         *nz = pixelMasks + at * perPixel;
          uint64_t *ds = row.signs + (row.bit >> 6),
                   *dm = row.masks + (row.bit >> 6);
          for (int64_t w = 0, e = kernelW * perPixel; w < e; ++w) {
            ds[w] = s[w];
            dm[w] = nz[w];
          }
          for (int64_t kw = 0; kw < kernelW; ++kw)
            count += pixelNonzero[at + kw];
          row.bit += kernelW * inC;
          continue;
        }
        for (int64_t kw = 0; kw < kernelW; ++kw) {
          int64_t iw = iw0 + kw * dilationW;
          const uint64_t *s = padSigns, *nz = padMasks;
          int64_t ones = padNonzero;
          if (rowInside && iw >= 0 && iw < inW) {
            int64_t at = (image * inH + ih) * inW + iw;
            s = pixelSigns + at * perPixel;
            nz = pixelMasks + at * perPixel;
            ones = pixelNonzero[at];
          }
          count += ones;
          if (aligned) {
            uint64_t *ds = row.signs + (row.bit >> 6),
                     *dm = row.masks + (row.bit >> 6);
            for (int64_t w = 0; w < perPixel; ++w) {
              ds[w] = s[w];
              dm[w] = nz[w];
            }
            row.bit += inC;
            continue;
          }
          for (int64_t w = 0; w < perPixel; ++w)
            row.append(s[w], nz[w], minOf<int64_t>(64, inC - 64 * w));
        }
      }
      nonzero[r] = static_cast<int32_t>(count);
    }
  }

  /// -2 * popcounts of rows [0, rows) against the `panels` weight panels at
  /// `w` (at most PK::kMaxPanels), tiles whose rows are all nonzero taking
  /// the unmasked path.
  template <int R>
  void tiles(int64_t rows, const uint64_t *signs, const uint64_t *masks,
             const int32_t *nonzero, int64_t panels, const uint64_t *w,
             int32_t *d, int64_t ldd) const {
    int64_t r = 0;
    for (; r + R <= rows; r += R) {
      bool full = true;
      for (int i = 0; i < R; ++i)
        full &= nonzero[r + i] == k;
      tile<R, PK::kMaxPanels>(full, panels, signs + r * words,
                              masks + r * words, w, d + r * ldd, ldd);
    }
    if constexpr (R > 1)
      if (r < rows)
        tiles<R - 1>(rows - r, signs + r * words, masks + r * words,
                     nonzero + r, panels, w, d + r * ldd, ldd);
  }

  /// PK's tile for `panels` <= P panels.
  template <int R, int P>
  void tile(bool full, int64_t panels, const uint64_t *s, const uint64_t *mk,
            const uint64_t *w, int32_t *d, int64_t ldd) const {
    if constexpr (P > 1)
      if (panels < P)
        return tile<R, P - 1>(full, panels, s, mk, w, d, ldd);
    if (full)
      PK::template tile<R, P, false>(words, s, mk, words, w, d, ldd);
    else
      PK::template tile<R, P, true>(words, s, mk, words, w, d, ldd);
  }

  void run() const {
    // Every input pixel's bits once, shared by the threads; a padded
    // pixel's from the pad value.
    int64_t pixels = p[kBatch] * p[kInH] * p[kInW];
    Pixels px(pixels, pixelWords);
    Buffer<int8_t> padPixel(p[kInC], static_cast<int8_t>(p[kPadValue]));
    pixelBits(padPixel.data(), 1, px.padSigns.data(), px.padMasks.data(),
              &px.padNonzero);
    parallelFor(pixels, [&](int64_t begin, int64_t end) {
      pixelBits(input + begin * p[kInC], end - begin,
                px.signs.data() + begin * pixelWords,
                px.masks.data() + begin * pixelWords,
                px.nonzero.data() + begin);
    });
    int64_t items = p[kBatch] * rowBlocks * colBlocks;
    parallelFor(items, [&](int64_t begin, int64_t end) {
      Buffer<uint64_t> signs(kBlockRows * words), masks(kBlockRows * words);
      Buffer<int32_t> nonzero(kBlockRows);
      Buffer<int32_t> c(kBlockRows * blockCols);
      int64_t packed = -1;
      for (int64_t item = begin; item < end; ++item) {
        int64_t rowBlock = item / colBlocks, colBlock = item % colBlocks;
        int64_t image = rowBlock / rowBlocks;
        int64_t row0 = (rowBlock % rowBlocks) * kBlockRows;
        int64_t rows = minOf(kBlockRows, m - row0);
        int64_t col0 = colBlock * blockCols;
        int64_t cols = minOf(blockCols, n - col0);
        if (packed != rowBlock) {
          packRows(image, row0, rows, px, signs.data(), masks.data(),
                   nonzero.data());
          packed = rowBlock;
        }
        // The weights are read as words at any alignment of the buffer.
        const uint8_t *base = matrix(image);
        int64_t step = PK::kMaxPanels * kBinaryPanel;
        for (int64_t j = 0; j < cols; j += step) {
          int64_t panels =
              (minOf(step, cols - j) + kBinaryPanel - 1) / kBinaryPanel;
          const uint64_t *w =
              reinterpret_cast<const uint64_t *>(base + (col0 + j) * words * 8);
          tiles<PK::MR>(rows, signs.data(), masks.data(), nonzero.data(),
                        panels, w, c.data() + j, blockCols);
        }
        // Dot products: nonzero - 2 * mismatches, the nonzero count as the
        // epilogue's row term.
        int64_t flat = (image * m + row0) * n + col0;
        if (static_cast<OutputKind>(p[kOutputKind]) == OutputKind::Int8) {
          Requant rq(requant, p, n);
          Epi::requantize(c.data(), blockCols, rows, bias + col0,
                          nonzero.data(), rq, col0, cols,
                          static_cast<int8_t *>(output) + flat, n);
          continue;
        }
        for (int64_t r = 0; r < rows; ++r)
          biasRow(c.data() + r * blockCols, bias + col0, nonzero[r], cols,
                  static_cast<int32_t *>(output) + flat + r * n);
      }
    });
  }
};

/// The binary conv of an ISA with one popcount micro-kernel.
template <class PK>
struct BinaryWith {
  template <class Epi>
  static void conv(const KernelArgs &args) {
    BinaryConvRun<PK, Epi>(args).run();
  }
};

/// A word at any alignment (the packed weights are a byte buffer).
inline uint64_t load64(const uint64_t *p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

/// Portable micro-kernel: one word at a time.
struct ScalarPopcount {
  static constexpr int MR = 4, kMaxPanels = 1;
  static void signBits(const int8_t *src, uint32_t &s, uint32_t &m) {
    signBitsScalar(src, 32, s, m);
  }
  template <int R, int P, bool Masked>
  static void tile(int64_t words, const uint64_t *s, const uint64_t *m,
                   int64_t lda, const uint64_t *w, int32_t *d, int64_t ldd) {
    constexpr int64_t kCols = P * kBinaryPanel;
    int64_t acc[R][kCols] = {};
    for (int64_t i = 0; i < words; ++i)
      for (int r = 0; r < R; ++r) {
        uint64_t a = load64(s + r * lda + i);
        uint64_t keep = Masked ? load64(m + r * lda + i) : ~uint64_t(0);
        for (int64_t c = 0; c < kCols; ++c) {
          const uint64_t *panel = w + (c / kBinaryPanel) * words * kBinaryPanel;
          uint64_t x = a ^ load64(panel + i * kBinaryPanel + c % kBinaryPanel);
          acc[r][c] += __builtin_popcountll(x & keep);
        }
      }
    for (int r = 0; r < R; ++r)
      for (int64_t c = 0; c < kCols; ++c)
        d[r * ldd + c] = static_cast<int32_t>(-2 * acc[r][c]);
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_BINARYCONV_H
