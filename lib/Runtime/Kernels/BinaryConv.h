//===- BinaryConv.h - XNOR-popcount conv/matmul driver ----------*- C++ -*-===//
//
// Included by each ISA's kernel file inside an anonymous namespace, with that
// ISA's popcount micro-kernel `PK`:
//
//   MR, NR               tile rows, tile channels (NR divides
//                        kBinaryChannelUnit)
//   signBits(src, s, m)  the sign and nonzero bits of 32 int8 activations
//   tile<R, Masked>(words, signs, masks, lda, w, ldw, d, ldd)
//                        d[r][j] = popcount((signs[r] ^ w[j]) [& masks[r]])
//                        summed over `words` 64-bit words (a multiple of
//                        kBinaryWordUnit)
//
// Activations are -1, 0 or +1 (the lowering proves it: sign activations and
// their zero padding) and weights -1 or +1. With s = (a < 0), m = (a != 0)
// and t = (w < 0), a * w = m * (1 - 2 * (s xor t)), so a row's dot product
// with a channel is popcount(m) - 2 * popcount((s xor t) and m). On rows
// where every activation is nonzero (all but those that touch zero padding)
// the `and` drops out; past K, s and t are both clear and add nothing.
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

  void append(uint32_t s, uint32_t m, int64_t n) {
    int64_t word = bit >> 6, offset = bit & 63;
    signs[word] |= uint64_t(s) << offset;
    masks[word] |= uint64_t(m) << offset;
    // n <= 32, so a spill means offset > 32.
    if (offset + n > 64) {
      signs[word + 1] |= uint64_t(s) >> (64 - offset);
      masks[word + 1] |= uint64_t(m) >> (64 - offset);
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
  int64_t words;     // per activation row and weight channel
  int64_t blockCols; // a multiple of kBinaryChannelUnit
  int64_t rowBlocks, colBlocks;

  explicit BinaryConvRun(const KernelArgs &args)
      : p(args.params), m(p[kOutH] * p[kOutW]), n(p[kOutC]),
        k(p[kKernelH] * p[kKernelW] * p[kInC]),
        input(static_cast<const int8_t *>(args.input)),
        weights(static_cast<const uint8_t *>(args.weights)),
        bias(static_cast<const int32_t *>(args.bias)), requant(args.requant),
        output(args.output), words(getBinaryWords(k)) {
    static_assert(kBinaryChannelUnit % PK::NR == 0);
    rowBlocks = (m + kBlockRows - 1) / kBlockRows;
    // As ConvRun: column blocks enough for every thread when rows do not
    // split (M = 1).
    int64_t units = (n + kBinaryChannelUnit - 1) / kBinaryChannelUnit;
    int64_t threads = getThreadCount();
    int64_t items = p[kBatch] * rowBlocks;
    int64_t split = items >= threads ? 1 : (threads + items - 1) / items;
    int64_t unitsPerBlock =
        minOf<int64_t>(maxOf<int64_t>((units + split - 1) / split, 1), 16);
    blockCols = unitsPerBlock * kBinaryChannelUnit;
    colBlocks = (n + blockCols - 1) / blockCols;
  }

  /// The first weight word of channel 0 of `image`'s matrix.
  const uint8_t *matrix(int64_t image) const {
    if (!p[kWeightsPerBatch])
      return weights;
    int64_t channels =
        (n + kBinaryChannelUnit - 1) / kBinaryChannelUnit * kBinaryChannelUnit;
    return weights + image * channels * words * 8;
  }

  /// Appends `count` activations from `src` (a null `src`: `count` copies
  /// of the pad value).
  void appendRun(BitRowWriter &row, const int8_t *src, int64_t count) const {
    if (!src) {
      int8_t pad = static_cast<int8_t>(p[kPadValue]);
      uint32_t s = pad < 0 ? ~0u : 0u, nz = pad != 0 ? ~0u : 0u;
      for (int64_t i = 0; i < count; i += 32) {
        int64_t chunk = minOf<int64_t>(32, count - i);
        uint32_t keep = chunk == 32 ? ~0u : (1u << chunk) - 1;
        row.append(s & keep, nz & keep, chunk);
      }
      return;
    }
    int64_t i = 0;
    uint32_t s, nz;
    for (; i + 32 <= count; i += 32) {
      PK::signBits(src + i, s, nz);
      row.append(s, nz, 32);
    }
    if (i < count) {
      signBitsScalar(src + i, count - i, s, nz);
      row.append(s, nz, count - i);
    }
  }

  /// The im2col rows [row0, row0 + rows) of `image` as sign and nonzero
  /// bits, and each row's count of nonzero activations.
  void packRows(int64_t image, int64_t row0, int64_t rows, uint64_t *signs,
                uint64_t *masks, int32_t *nonzero) const {
    int64_t inC = p[kInC];
    fillN(signs, rows * words, uint64_t(0));
    fillN(masks, rows * words, uint64_t(0));
    for (int64_t r = 0; r < rows; ++r) {
      int64_t pixel = row0 + r;
      int64_t oh = pixel / p[kOutW], ow = pixel % p[kOutW];
      BitRowWriter row{signs + r * words, masks + r * words};
      int64_t iw0 = ow * p[kStrideW] - p[kPadLeft];
      bool rowRuns =
          p[kDilationW] == 1 && iw0 >= 0 && iw0 + p[kKernelW] <= p[kInW];
      for (int64_t kh = 0; kh < p[kKernelH]; ++kh) {
        int64_t ih = oh * p[kStrideH] - p[kPadTop] + kh * p[kDilationH];
        bool inside = ih >= 0 && ih < p[kInH];
        if (rowRuns && inside) {
          appendRun(row, input + ((image * p[kInH] + ih) * p[kInW] + iw0) * inC,
                    p[kKernelW] * inC);
          continue;
        }
        for (int64_t kw = 0; kw < p[kKernelW]; ++kw) {
          int64_t iw = iw0 + kw * p[kDilationW];
          bool in = inside && iw >= 0 && iw < p[kInW];
          appendRun(row,
                    in ? input + ((image * p[kInH] + ih) * p[kInW] + iw) * inC
                       : nullptr,
                    inC);
        }
      }
      int64_t count = 0;
      for (int64_t w = 0; w < words; ++w)
        count += __builtin_popcountll(masks[r * words + w]);
      nonzero[r] = static_cast<int32_t>(count);
    }
  }

  /// Popcounts of rows [0, rows) against the NR channels at `w`, tiles
  /// whose rows are all nonzero taking the unmasked path.
  template <int R>
  void tiles(int64_t rows, const uint64_t *signs, const uint64_t *masks,
             const int32_t *nonzero, const uint64_t *w, int32_t *d,
             int64_t ldd) const {
    int64_t r = 0;
    for (; r + R <= rows; r += R) {
      bool full = true;
      for (int i = 0; i < R; ++i)
        full &= nonzero[r + i] == k;
      const uint64_t *s = signs + r * words, *mk = masks + r * words;
      if (full)
        PK::template tile<R, false>(words, s, mk, words, w, words, d + r * ldd,
                                    ldd);
      else
        PK::template tile<R, true>(words, s, mk, words, w, words, d + r * ldd,
                                   ldd);
    }
    if constexpr (R > 1)
      if (r < rows)
        tiles<R - 1>(rows - r, signs + r * words, masks + r * words,
                     nonzero + r, w, d + r * ldd, ldd);
  }

  void run() const {
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
          packRows(image, row0, rows, signs.data(), masks.data(),
                   nonzero.data());
          packed = rowBlock;
        }
        // The weights are read as words at any alignment of the buffer.
        const uint8_t *base = matrix(image);
        for (int64_t j = 0; j < cols; j += PK::NR) {
          const uint64_t *w =
              reinterpret_cast<const uint64_t *>(base + (col0 + j) * words * 8);
          tiles<PK::MR>(rows, signs.data(), masks.data(), nonzero.data(), w,
                        c.data() + j, blockCols);
        }
        // Popcounts to dot products: nonzero - 2 * mismatches.
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = 0; j < cols; ++j)
            c[r * blockCols + j] = nonzero[r] - 2 * c[r * blockCols + j];
        int64_t flat = (image * m + row0) * n + col0;
        if (static_cast<OutputKind>(p[kOutputKind]) == OutputKind::Int8) {
          Requant rq(requant, p, n);
          Epi::requantize(c.data(), blockCols, rows, bias + col0, nullptr, rq,
                          col0, cols, static_cast<int8_t *>(output) + flat, n);
          continue;
        }
        for (int64_t r = 0; r < rows; ++r)
          biasRow(c.data() + r * blockCols, bias + col0, 0, cols,
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

/// Portable micro-kernel: one word at a time.
struct ScalarPopcount {
  static constexpr int MR = 4, NR = 4;
  static void signBits(const int8_t *src, uint32_t &s, uint32_t &m) {
    signBitsScalar(src, 32, s, m);
  }
  template <int R, bool Masked>
  static void tile(int64_t words, const uint64_t *s, const uint64_t *m,
                   int64_t lda, const uint64_t *w, int64_t ldw, int32_t *d,
                   int64_t ldd) {
    int64_t acc[R][NR] = {};
    for (int64_t i = 0; i < words; ++i)
      for (int r = 0; r < R; ++r) {
        uint64_t a = load64(s + r * lda + i);
        uint64_t keep = Masked ? load64(m + r * lda + i) : ~uint64_t(0);
        for (int j = 0; j < NR; ++j)
          acc[r][j] +=
              __builtin_popcountll((a ^ load64(w + j * ldw + i)) & keep);
      }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < NR; ++j)
        d[r * ldd + j] = static_cast<int32_t>(acc[r][j]);
  }
  /// A word at any alignment (the packed weights are a byte buffer).
  static uint64_t load64(const uint64_t *p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
};

} // namespace
} // namespace quantx::kernels

#endif // QUANTX_LIB_RUNTIME_KERNELS_BINARYCONV_H
