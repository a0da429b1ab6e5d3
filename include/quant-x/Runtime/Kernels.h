//===- Kernels.h - CPU conv/matmul kernels and their ABI --------*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The contract between `quantx-lower-to-kernels` (which packs weights at
// compile time and emits calls) and the runtime kernels (which the JIT links
// in). Both sides include this header; it depends on nothing but the C++
// standard library, so the kernels build without MLIR.
//
// A convolution or matmul is one GEMM per image: C[M][N] = A[M][K] * W[N][K]
// with M = output pixels, N = output channels and K = kernel taps times input
// channels (in (kh, kw, c) order, TOSA's OHWI weight layout). A matmul is a
// 1x1 convolution over a 1xM image. docs/Performance.md describes the
// blocking and the packed layouts.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_RUNTIME_KERNELS_H
#define QUANTX_RUNTIME_KERNELS_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantx::kernels {

/// Instruction sets with a kernel of their own, best last. Every ISA gives
/// results bit-identical to the reference integer lowering.
enum class Isa : int64_t {
  /// Portable C++ (whatever the compiler's baseline vectorizes).
  Generic = 0,
  /// AVX2 + FMA (+ POPCNT, which every AVX2 CPU has): int8 widened to int16,
  /// `vpmaddwd` (exact; `vpmaddubsw`
  /// saturates int16 and would not be).
  Avx2 = 1,
  /// AVX-512 with VNNI: `vpdpbusd` on uint8 activations (int8 + 128, the
  /// correction folded into the bias) times int8 weights.
  Avx512Vnni = 2,
  /// AVX2 at twice the multiply rate of `Avx2`: `vpmaddubsw` on uint8
  /// activations (int8 + 128) times int8 weight pairs, widened by
  /// `vpmaddwd` with ones. `vpmaddubsw` saturates a pair's int16 sum, so
  /// the compiler uses it only for layers whose every weight pair is
  /// proven not to (provesNoPairSaturation); the others run on `Avx2`.
  Avx2Maddubs = 3,
};

const char *getIsaName(Isa isa);
std::optional<Isa> parseIsa(const std::string &name);
/// Whether this CPU (and OS) can run `isa`.
bool hostSupports(Isa isa);
/// The best ISA this CPU runs.
Isa getHostIsa();

/// Threads the kernels use: `count` <= 0 means all cores of the process's
/// CPU affinity mask.
void setThreadCount(int count);
int getThreadCount();

/// Indices into the int64 parameter array every kernel call receives.
enum Param : int {
  kIsa,
  kBatch,
  kInH,
  kInW,
  kInC,
  kOutH,
  kOutW,
  kOutC,
  kKernelH,
  kKernelW,
  kStrideH,
  kStrideW,
  kDilationH,
  kDilationW,
  kPadTop,
  kPadLeft,
  /// Value of padded input elements (int8 kernels; float kernels pad with 0).
  kPadValue,
  /// int8 only: the weight zero point, for the runtime row-sum term (the
  /// input zero point is folded into the bias at compile time).
  kWeightZeroPoint,
  /// Depthwise only: output channels per input channel.
  kDepthMultiplier,
  /// Matmul only: 1 when each batch has its own weights, 0 when shared.
  kWeightsPerBatch,
  /// What the kernel stores: an OutputKind.
  kOutputKind,
  /// Requantization (OutputKind::Int8): a RoundingMode, the output zero
  /// point and the clamp range.
  kRounding,
  kOutputZeroPoint,
  kClampMin,
  kClampMax,
  /// int8 conv: columns per packed weight panel (getPanelWidthS8).
  kPanelWidth,
  /// int8 conv: 0 when the packed weights hold whole elements, 4 or 2 when
  /// they are int4 nibbles or 2-bit crumbs (packWeightsLowBit), expanded a
  /// panel slice at a time.
  kPackedWeightBits,
  /// int8 conv with low-bit weights: the int8 weight each code stands for,
  /// code c's in byte c % 8 (little-endian) of kWeightTableLow (c < 8) or
  /// kWeightTableHigh (setWeightTable): two's complement for uniform
  /// weights (getTwosComplementTable), the layer's table for codebook and
  /// power-of-two weights. The kernels decode with a byte shuffle.
  kWeightTableLow,
  kWeightTableHigh,
  /// GPU entry points only (0 on the CPU's): which activations stay in
  /// device memory between calls, kResidentInput, kResidentSecondInput and
  /// kResidentOutput (markDeviceResidentActivations).
  kDeviceResidency,
  kNumParams
};

/// Bits of kDeviceResidency. kResidentOutput: every reader of the call's
/// result is a GPU kernel call, so the result need not come back to host
/// memory. kResidentInput: the call's input is such a result;
/// kResidentSecondInput: its second addend (the add kernel). The runtime
/// keeps the host copy valid for any reader that runs on the CPU after all
/// (quant-x/Runtime/GpuKernelCalls.h).
inline constexpr int64_t kResidentInput = 1, kResidentOutput = 2,
                         kResidentSecondInput = 4;

enum class OutputKind : int64_t {
  /// The int32 (or float) accumulator plus bias.
  Accumulator = 0,
  /// int8: accumulator plus bias, requantized per output channel.
  Int8 = 1,
};

/// Matches quantx::RoundingMode's meaning (docs/Numerics.md).
enum class Rounding : int64_t { Double = 0, Single = 1 };

/// Names of the C entry points, all `void(const void *input, const void
/// *weights, const void *bias, const void *requant, const int64_t *params,
/// void *output)`. `requant` holds N int32 multipliers then N int32 shifts.
/// Max pooling reads only `input` and `params` (no dilation; padded
/// elements are ignored, as TOSA's max_pool2d says).
inline constexpr const char *kConvS8Symbol = "quantx_kernel_conv_s8";
inline constexpr const char *kConvF32Symbol = "quantx_kernel_conv_f32";
inline constexpr const char *kDepthwiseS8Symbol = "quantx_kernel_depthwise_s8";
inline constexpr const char *kDepthwiseF32Symbol =
    "quantx_kernel_depthwise_f32";
inline constexpr const char *kMaxPoolS8Symbol = "quantx_kernel_maxpool_s8";
inline constexpr const char *kMaxPoolF32Symbol = "quantx_kernel_maxpool_f32";
/// XNOR-popcount conv/matmul: int8 activations that are -1, 0 or +1 (sign
/// activations and their zero padding; other values read as their sign)
/// times +-1 weights packed by packWeightsBinary, exact int32 dot products
/// and the int8 conv's epilogue. kPanelWidth and kPackedWeightBits are 0.
inline constexpr const char *kConvB1Symbol = "quantx_kernel_conv_b1";
/// The requantized int8 add of a residual connection, in one pass:
///   out = clamp(R_out(R_a(a - zp_a) + R_b(b - zp_b)) + zp_out, lo, hi)
/// with R_a, R_b rescales to int32 (saturating), their int32 sum wrapping
/// and R_out the rescale back (quantx.rescale's arithmetic each, per channel
/// of the last dimension). Operands: a (`input`), b (`weights`), the
/// rescale table (`bias`: [6][channels] int32, the multipliers of R_a, the
/// shifts of R_a, then R_b's, then R_out's). Params: kBatch the rows
/// (elements / channels), kOutC the channels, kPadValue zp_a,
/// kWeightZeroPoint zp_b, kOutputZeroPoint, kClampMin, kClampMax,
/// kRounding a mask of the rescales rounded once (kAddSingleA |
/// kAddSingleB | kAddSingleOut; clear: gemmlowp's double rounding); every
/// other field 0.
inline constexpr const char *kAddS8Symbol = "quantx_kernel_add_s8";
inline constexpr int64_t kAddSingleA = 1, kAddSingleB = 2, kAddSingleOut = 4;
/// int8 average pooling, as TOSA's avg_pool2d with an int32 accumulator
/// and its reference lowering compute it: per output, the sum of the
/// window's taps inside the input minus count times the input zero point
/// (kPadValue), count the taps inside, times ((2^30 + 1) << k) / count
/// with k = ceil(log2 count), shifted right by k + 30 rounding half up,
/// plus the output zero point (kOutputZeroPoint), clamped to [kClampMin,
/// kClampMax]. The max pooling's window parameters; no dilation.
inline constexpr const char *kAvgPoolS8Symbol = "quantx_kernel_avgpool_s8";
/// The int8 conv on the GPU (quant-x/Runtime/GpuKernelCalls.h, which
/// implements it: the JIT gets its address from the caller): the int8
/// conv's operands and parameters, restricted to the generic ISA's panels,
/// no weight zero point, whole int8 weights and weights shared by the batch.
inline constexpr const char *kGpuConvS8Symbol = "quantx_gpu_conv_s8";
/// The int8 depthwise conv and max pooling on the GPU, as above: every
/// depthwise_s8 and maxpool_s8 call.
inline constexpr const char *kGpuDepthwiseS8Symbol = "quantx_gpu_depthwise_s8";
inline constexpr const char *kGpuMaxPoolS8Symbol = "quantx_gpu_maxpool_s8";
/// The requantized int8 add and the int8 average pooling on the GPU: every
/// add_s8 and avgpool_s8 call.
inline constexpr const char *kGpuAddS8Symbol = "quantx_gpu_add_s8";
inline constexpr const char *kGpuAvgPoolS8Symbol = "quantx_gpu_avgpool_s8";
inline constexpr const char *kKernelSymbols[] = {
    kConvS8Symbol,       kConvF32Symbol,        kDepthwiseS8Symbol,
    kDepthwiseF32Symbol, kMaxPoolS8Symbol,      kMaxPoolF32Symbol,
    kConvB1Symbol,       kAddS8Symbol,          kAvgPoolS8Symbol,
    kGpuConvS8Symbol,    kGpuDepthwiseS8Symbol, kGpuMaxPoolS8Symbol,
    kGpuAddS8Symbol,     kGpuAvgPoolS8Symbol};
/// How many of kKernelSymbols, from the end, are the GPU's.
inline constexpr size_t kNumGpuKernelSymbols = 5;

/// The address of the CPU entry point named `symbol`, or null (unknown, or
/// the GPU's).
void *lookupKernel(const std::string &symbol);

/// The entry points, in kKernelSymbols' order.
enum class KernelKind {
  ConvS8,
  ConvF32,
  DepthwiseS8,
  DepthwiseF32,
  MaxPoolS8,
  MaxPoolF32,
  ConvB1,
  AddS8,
  AvgPoolS8,
  GpuConvS8,
  GpuDepthwiseS8,
  GpuMaxPoolS8,
  GpuAddS8,
  GpuAvgPoolS8
};
/// Whether `kind` is one of the GPU's entry points.
inline bool isGpuKernel(KernelKind kind) {
  return kind >= KernelKind::GpuConvS8;
}
/// The CPU entry point GPU entry point `kind` stands in for: it takes that
/// one's calls (the conv kernel only some of them) and falls back to it.
inline KernelKind getCpuCounterpart(KernelKind kind) {
  switch (kind) {
  case KernelKind::GpuConvS8:
    return KernelKind::ConvS8;
  case KernelKind::GpuDepthwiseS8:
    return KernelKind::DepthwiseS8;
  case KernelKind::GpuMaxPoolS8:
    return KernelKind::MaxPoolS8;
  case KernelKind::GpuAddS8:
    return KernelKind::AddS8;
  case KernelKind::GpuAvgPoolS8:
    return KernelKind::AvgPoolS8;
  default:
    return kind;
  }
}
/// The kDeviceResidency bit of input `operand` of GPU entry point `kind`
/// where that operand is an activation (the input; the add kernel's second
/// addend), else 0: a constant of the model. The marking pass and the
/// runtime both read activations through this.
inline int64_t getActivationBit(KernelKind kind, unsigned operand) {
  if (operand == 0)
    return kResidentInput;
  if (operand == 1 && kind == KernelKind::GpuAddS8)
    return kResidentSecondInput;
  return 0;
}
/// The kernel named `symbol`, if it is one of kKernelSymbols.
std::optional<KernelKind> parseKernel(const std::string &symbol);

/// Element types of the buffers a kernel call exchanges; packed weights are
/// raw bytes (I8).
enum class ElementKind { I8, I32, F32 };

/// One buffer of a call as the kernel will index it.
struct BufferSpec {
  ElementKind element;
  int64_t elements;
  /// What the operand is, for messages; null: the conv's names (input,
  /// packed weights, bias, requantization table).
  const char *name = nullptr;
};

/// What a call's buffers must be for its parameters: `numInputs` inputs
/// (activation, packed weights, bias, requantization table; max pooling
/// reads the activation only) and the output.
struct CallSpec {
  int numInputs = 0;
  BufferSpec inputs[4];
  BufferSpec output;
};

/// Bounds of the parameters the kernels accept. Dimensions, strides,
/// dilations and pads stay below 2^31 so that no index computation can
/// overflow; K (taps times input channels) and the taps of one window bound
/// the per-thread scratch the kernels allocate (at most a few hundred MiB).
inline constexpr int64_t kMaxDim = (int64_t(1) << 31) - 1;
inline constexpr int64_t kMaxDepth = int64_t(1) << 18;
inline constexpr int64_t kMaxTaps = int64_t(1) << 18;

/// Checks `params` (kNumParams values) for kernel `kind`: every field in
/// range, the window geometry consistent (each window overlaps the input),
/// every size the kernel derives from them representable. Returns why they
/// are not runnable, or an empty string and the buffers the call must pass
/// in `spec`. The verifier of quantx.kernel_call, the lowering that emits it
/// and the entry points all check through this one function.
std::string checkParams(KernelKind kind, const int64_t *params, CallSpec &spec);

/// The first error for which an entry point refused a call since the last
/// takeCallError (and clears it), or an empty string. A refused call returns
/// without touching its output, so that the caller reports the error instead
/// of the process crashing.
std::string takeCallError();

/// The panel width the int8 conv kernel of `isa` uses for `n` output
/// channels: the micro-kernel width that pads `n` the least (AVX-512 has
/// 16-, 32- and 64-column micro-kernels, so thin layers waste no lanes).
int64_t getPanelWidthS8(Isa isa, int64_t n);

/// Compile-time packing of conv/matmul weights `w[n][k]` (row-major) into the
/// layout `isa`'s micro-kernel streams (raw bytes); int8 weights in panels of
/// getPanelWidthS8(isa, n) columns.
std::vector<uint8_t> packWeightsS8(Isa isa, const int8_t *w, int64_t n,
                                   int64_t k);
std::vector<uint8_t> packWeightsF32(Isa isa, const float *w, int64_t n,
                                    int64_t k);

/// Whether the Avx2Maddubs kernel computes the int8 GEMM with weights `w`
/// ([n][k], row-major) exactly: in its packed layout (four k per int32
/// lane, in pairs (4q, 4q + 1) and (4q + 2, 4q + 3)), every pair of a
/// column has |w_a| + |w_b| <= 128, so that 255 |w_a| + 255 |w_b| (the
/// largest uint8 activations) stays within int16. Weights of 4 bits or
/// fewer always pass.
bool provesNoPairSaturation(const int8_t *w, int64_t n, int64_t k);

/// Whether `isa`'s int8 conv kernel reads low-bit weights
/// (kPackedWeightBits = 4 or 2).
bool supportsLowBitWeights(Isa isa);

/// packWeightsS8's layout with each element's code in `bits` = 4 or 2
/// bits, the low bits of `codes` (the values themselves for two's
/// complement, in [-8, 7] or [-2, 1]; indices into the layer's table for
/// codebook weights): in every run of 32 elements, byte i of the run's
/// 32 * bits / 8 holds elements i, i + R, i + 2R, ... (R = 32 * bits / 8
/// elements apart) from its low bits up. A half or a quarter of the bytes
/// in memory; the kernel expands a panel slice at a time through the
/// table in kWeightTableLow / kWeightTableHigh.
std::vector<uint8_t> packWeightsLowBit(Isa isa, const int8_t *codes, int64_t n,
                                       int64_t k, int bits);

/// The 16-entry table of `bits`-bit (4 or 2) two's-complement codes:
/// entry c is c, or c - 2^bits for c >= 2^(bits-1); zeros past 2^bits.
std::array<int8_t, 16> getTwosComplementTable(int bits);

/// Stores `table` (the weight of each code) in kWeightTableLow and
/// kWeightTableHigh of `params`.
void setWeightTable(int64_t *params, const std::array<int8_t, 16> &table);

/// The table setWeightTable stored in `params`.
std::array<int8_t, 16> getWeightTable(const int64_t *params);
/// Binary weights (quantx_kernel_conv_b1): each output channel's K signs as
/// 64-bit little-endian words, bit k of a channel's row set where
/// w[n][k] < 0 and clear past K; channels in panels of kBinaryPanel,
/// word-interleaved ([N / kBinaryPanel][words][kBinaryPanel], the last
/// panel padded with clear rows), so that one vector holds the same word of
/// a panel's channels. The same layout on every ISA.
inline constexpr int64_t kBinaryPanel = 8;
/// 64-bit words per channel (and per activation row) for depth `k`.
int64_t getBinaryWords(int64_t k);
/// `w[n][k]` (every element -1 or +1) in the layout above, as bytes.
std::vector<uint8_t> packWeightsBinary(const int8_t *w, int64_t n, int64_t k);
/// The int32 bias the int8 conv kernel of `isa` adds: `bias` plus the
/// input-zero-point terms (and, for VNNI, the +128 activation shift) folded in:
/// bias[n] - (zpIn + shift) * sum_k w[n][k] + K * zpIn * zpW.
std::vector<int32_t> foldConvBiasS8(Isa isa, const int8_t *w, int64_t n,
                                    int64_t k, const int32_t *bias,
                                    int64_t inputZeroPoint,
                                    int64_t weightZeroPoint);
/// Depthwise weights `w[kh][kw][c*multiplier]` (TOSA's HWCM flattened) minus
/// the weight zero point, as int16, and the bias with the input zero point
/// folded in as above (no shift).
std::vector<int16_t> packDepthwiseWeightsS8(const int8_t *w, int64_t taps,
                                            int64_t channels,
                                            int64_t weightZeroPoint);
std::vector<int32_t> foldDepthwiseBiasS8(const int16_t *packed, int64_t taps,
                                         int64_t channels, const int32_t *bias,
                                         int64_t inputZeroPoint);

} // namespace quantx::kernels

extern "C" {
void quantx_kernel_conv_s8(const void *input, const void *weights,
                           const void *bias, const void *requant,
                           const int64_t *params, void *output);
void quantx_kernel_conv_f32(const void *input, const void *weights,
                            const void *bias, const void *requant,
                            const int64_t *params, void *output);
void quantx_kernel_depthwise_s8(const void *input, const void *weights,
                                const void *bias, const void *requant,
                                const int64_t *params, void *output);
void quantx_kernel_depthwise_f32(const void *input, const void *weights,
                                 const void *bias, const void *requant,
                                 const int64_t *params, void *output);
void quantx_kernel_maxpool_s8(const void *input, const void *weights,
                              const void *bias, const void *requant,
                              const int64_t *params, void *output);
void quantx_kernel_maxpool_f32(const void *input, const void *weights,
                               const void *bias, const void *requant,
                               const int64_t *params, void *output);
void quantx_kernel_conv_b1(const void *input, const void *weights,
                           const void *bias, const void *requant,
                           const int64_t *params, void *output);
void quantx_kernel_add_s8(const void *input, const void *weights,
                          const void *bias, const void *requant,
                          const int64_t *params, void *output);
void quantx_kernel_avgpool_s8(const void *input, const void *weights,
                              const void *bias, const void *requant,
                              const int64_t *params, void *output);
}

#endif // QUANTX_RUNTIME_KERNELS_H
