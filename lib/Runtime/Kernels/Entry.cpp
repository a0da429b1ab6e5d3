//===- Entry.cpp - kernel entry points, ISA selection, weight packing -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "IsaKernels.h"
#include "quant-x/Runtime/KernelProfile.h"
#include "quant-x/Runtime/Kernels.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <utility>

using namespace quantx::kernels;

const char *quantx::kernels::getIsaName(Isa isa) {
  switch (isa) {
  case Isa::Generic:
    return "generic";
  case Isa::Avx2:
    return "avx2";
  case Isa::Avx512Vnni:
    return "avx512vnni";
  case Isa::Avx2Maddubs:
    return "avx2-maddubs";
  }
  return "unknown";
}

std::optional<Isa> quantx::kernels::parseIsa(const std::string &name) {
  for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512Vnni, Isa::Avx2Maddubs})
    if (name == getIsaName(isa))
      return isa;
  return std::nullopt;
}

bool quantx::kernels::hostSupports(Isa isa) {
  switch (isa) {
  case Isa::Generic:
    return true;
#ifdef QUANTX_X86_KERNELS
  case Isa::Avx2:
  case Isa::Avx2Maddubs:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("popcnt");
  case Isa::Avx512Vnni:
    return __builtin_cpu_supports("popcnt") &&
           __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni");
#else
  case Isa::Avx2:
  case Isa::Avx512Vnni:
  case Isa::Avx2Maddubs:
    return false;
#endif
  }
  return false;
}

Isa quantx::kernels::getHostIsa() {
  for (Isa isa : {Isa::Avx512Vnni, Isa::Avx2Maddubs})
    if (hostSupports(isa))
      return isa;
  return Isa::Generic;
}

const IsaKernels &quantx::kernels::getIsaKernels(Isa isa) {
#ifdef QUANTX_X86_KERNELS
  switch (isa) {
  case Isa::Avx512Vnni:
    return getAvx512Kernels();
  case Isa::Avx2:
    return getAvx2Kernels();
  case Isa::Avx2Maddubs:
    return getAvx2MaddubsKernels();
  case Isa::Generic:
    break;
  }
#else
  (void)isa;
#endif
  return getGenericKernels();
}

static std::mutex callErrorMutex;
static std::string callError;

std::string quantx::kernels::takeCallError() {
  std::lock_guard<std::mutex> lock(callErrorMutex);
  return std::exchange(callError, std::string());
}

/// Whether the kernel `name` of `kind` can run `params` on this host;
/// records why not otherwise. The JIT calls whatever IR it was given, which
/// need not come from quantx-lower-to-kernels, so nothing is trusted.
static bool isRunnable(const char *name, KernelKind kind,
                       const int64_t *params) {
  CallSpec spec;
  std::string error = checkParams(kind, params, spec);
  if (error.empty() && !hostSupports(static_cast<Isa>(params[kIsa])))
    error = std::string("compiled for ISA ") +
            getIsaName(static_cast<Isa>(params[kIsa])) +
            ", which this CPU cannot run";
  if (error.empty())
    return true;
  std::lock_guard<std::mutex> lock(callErrorMutex);
  if (callError.empty())
    callError = std::string(name) + ": " + error;
  return false;
}

/// Runs `kernel`, timed when profiling.
static void call(const char *name, KernelFn kernel, const KernelArgs &args) {
  if (!isProfiling())
    return kernel(args);
  auto start = std::chrono::steady_clock::now();
  kernel(args);
  recordCall(name, args.params,
             std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - start)
                 .count());
}

#define QUANTX_ENTRY(NAME, KIND, FIELD)                                        \
  void NAME(const void *input, const void *weights, const void *bias,          \
            const void *requant, const int64_t *params, void *output) {        \
    if (!isRunnable(#NAME, KernelKind::KIND, params))                          \
      return;                                                                  \
    call(#NAME, getIsaKernels(static_cast<Isa>(params[kIsa])).FIELD,           \
         KernelArgs{input, weights, bias, requant, params, output});           \
  }
extern "C" {
QUANTX_ENTRY(quantx_kernel_conv_s8, ConvS8, convS8)
QUANTX_ENTRY(quantx_kernel_conv_f32, ConvF32, convF32)
QUANTX_ENTRY(quantx_kernel_depthwise_s8, DepthwiseS8, depthwiseS8)
QUANTX_ENTRY(quantx_kernel_depthwise_f32, DepthwiseF32, depthwiseF32)
QUANTX_ENTRY(quantx_kernel_maxpool_s8, MaxPoolS8, maxPoolS8)
QUANTX_ENTRY(quantx_kernel_maxpool_f32, MaxPoolF32, maxPoolF32)
QUANTX_ENTRY(quantx_kernel_conv_b1, ConvB1, convB1)

void quantx_kernel_add_s8(const void *input, const void *weights,
                          const void *bias, const void *, const int64_t *params,
                          void *output) {
  if (!isRunnable("quantx_kernel_add_s8", KernelKind::AddS8, params))
    return;
  call(
      "quantx_kernel_add_s8",
      [](const KernelArgs &args) {
        addS8(args.input, args.weights, args.bias, args.params, args.output);
      },
      KernelArgs{input, weights, bias, nullptr, params, output});
}

void quantx_kernel_avgpool_s8(const void *input, const void *weights,
                              const void *bias, const void *requant,
                              const int64_t *params, void *output) {
  if (!isRunnable("quantx_kernel_avgpool_s8", KernelKind::AvgPoolS8, params))
    return;
  call("quantx_kernel_avgpool_s8", avgPoolS8,
       KernelArgs{input, weights, bias, requant, params, output});
}
}
#undef QUANTX_ENTRY

void *quantx::kernels::lookupKernel(const std::string &symbol) {
  using Entry = void (*)(const void *, const void *, const void *, const void *,
                         const int64_t *, void *);
  static const Entry entries[] = {
      quantx_kernel_conv_s8,      quantx_kernel_conv_f32,
      quantx_kernel_depthwise_s8, quantx_kernel_depthwise_f32,
      quantx_kernel_maxpool_s8,   quantx_kernel_maxpool_f32,
      quantx_kernel_conv_b1,      quantx_kernel_add_s8,
      quantx_kernel_avgpool_s8};
  // The last symbols, the GPU's, are not the CPU's.
  static_assert(std::size(entries) + kNumGpuKernelSymbols ==
                std::size(kKernelSymbols));
  for (size_t i = 0; i < std::size(entries); ++i)
    if (symbol == kKernelSymbols[i])
      return reinterpret_cast<void *>(entries[i]);
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Compile-time packing
//===----------------------------------------------------------------------===//

/// w[n][k] into [N/nr][K/ku][nr][ku] (zero-padded), as `Out`.
template <class Out, class In>
static std::vector<uint8_t> packPanels(const In *w, int64_t n, int64_t k,
                                       int64_t nr, int64_t ku) {
  int64_t depth = (k + ku - 1) / ku * ku;
  int64_t cols = (n + nr - 1) / nr * nr;
  std::vector<Out> packed(cols * depth, Out(0));
  for (int64_t col = 0; col < n; ++col) {
    Out *panel = packed.data() + (col / nr) * nr * depth;
    for (int64_t kk = 0; kk < k; ++kk)
      panel[(kk / ku) * nr * ku + (col % nr) * ku + kk % ku] =
          static_cast<Out>(w[col * k + kk]);
  }
  std::vector<uint8_t> bytes(packed.size() * sizeof(Out));
  std::memcpy(bytes.data(), packed.data(), bytes.size());
  return bytes;
}

int64_t quantx::kernels::getPanelWidthS8(Isa isa, int64_t n) {
  const IsaKernels &kernels = getIsaKernels(isa);
  int64_t best = kernels.panelWidthsS8[0];
  for (const int *width = kernels.panelWidthsS8; *width; ++width) {
    auto waste = [&](int64_t w) { return (n + w - 1) / w * w - n; };
    if (waste(*width) < waste(best))
      best = *width;
  }
  return best;
}

std::vector<uint8_t> quantx::kernels::packWeightsS8(Isa isa, const int8_t *w,
                                                    int64_t n, int64_t k) {
  const IsaKernels &kernels = getIsaKernels(isa);
  int64_t width = getPanelWidthS8(isa, n);
  if (kernels.weightBytesS8 == 2)
    return packPanels<int16_t>(w, n, k, width, kernels.kuS8);
  return packPanels<int8_t>(w, n, k, width, kernels.kuS8);
}

bool quantx::kernels::supportsLowBitWeights(Isa isa) {
  return getIsaKernels(isa).lowBitWeights;
}

std::vector<uint8_t> quantx::kernels::packWeightsLowBit(Isa isa,
                                                        const int8_t *codes,
                                                        int64_t n, int64_t k,
                                                        int bits) {
  std::vector<uint8_t> whole = packWeightsS8(isa, codes, n, k);
  int64_t bytes = getIsaKernels(isa).weightBytesS8;
  int64_t elements = int64_t(whole.size()) / bytes;
  uint32_t mask = (1u << bits) - 1;
  auto element = [&](int64_t i) -> uint32_t {
    // Little-endian int8 or int16: the low byte holds the low bits.
    return i < elements ? whole[i * bytes] & mask : 0;
  };
  int64_t runBytes = 32 * bits / 8, perByte = 8 / bits;
  std::vector<uint8_t> packed((elements + 31) / 32 * runBytes, 0);
  for (int64_t run = 0; run < elements; run += 32)
    for (int64_t i = 0; i < runBytes; ++i) {
      uint32_t byte = 0;
      for (int64_t slot = 0; slot < perByte; ++slot)
        byte |= element(run + i + slot * runBytes) << (slot * bits);
      packed[run / 32 * runBytes + i] = uint8_t(byte);
    }
  return packed;
}

bool quantx::kernels::provesNoPairSaturation(const int8_t *w, int64_t n,
                                             int64_t k) {
  // Past K the packed weights are zero: a lone last weight pairs with 0.
  for (int64_t col = 0; col < n; ++col)
    for (int64_t kk = 0; kk < k; kk += 2) {
      int a = std::abs(int(w[col * k + kk]));
      int b = kk + 1 < k ? std::abs(int(w[col * k + kk + 1])) : 0;
      if (a + b > 128)
        return false;
    }
  return true;
}

std::array<int8_t, 16> quantx::kernels::getTwosComplementTable(int bits) {
  std::array<int8_t, 16> table{};
  int half = 1 << (bits - 1);
  for (int code = 0; code < 2 * half; ++code)
    table[code] = int8_t(code < half ? code : code - 2 * half);
  return table;
}

void quantx::kernels::setWeightTable(int64_t *params,
                                     const std::array<int8_t, 16> &table) {
  for (int word = 0; word < 2; ++word) {
    uint64_t bytes = 0;
    for (int i = 0; i < 8; ++i)
      bytes |= uint64_t(uint8_t(table[word * 8 + i])) << (8 * i);
    params[kWeightTableLow + word] = int64_t(bytes);
  }
}

std::array<int8_t, 16> quantx::kernels::getWeightTable(const int64_t *params) {
  std::array<int8_t, 16> table{};
  for (int word = 0; word < 2; ++word) {
    uint64_t bytes = uint64_t(params[kWeightTableLow + word]);
    for (int i = 0; i < 8; ++i)
      table[word * 8 + i] = int8_t(uint8_t(bytes >> (8 * i)));
  }
  return table;
}

int64_t quantx::kernels::getBinaryWords(int64_t k) { return (k + 63) / 64; }

std::vector<uint8_t> quantx::kernels::packWeightsBinary(const int8_t *w,
                                                        int64_t n, int64_t k) {
  int64_t words = getBinaryWords(k);
  int64_t panels = (n + kBinaryPanel - 1) / kBinaryPanel;
  std::vector<uint8_t> packed(panels * words * kBinaryPanel * 8, 0);
  for (int64_t col = 0; col < n; ++col)
    for (int64_t kk = 0; kk < k; ++kk)
      if (w[col * k + kk] < 0) {
        int64_t word = ((col / kBinaryPanel) * words + kk / 64) * kBinaryPanel +
                       col % kBinaryPanel;
        packed[word * 8 + kk % 64 / 8] |= uint8_t(1u << (kk % 8));
      }
  return packed;
}

std::vector<uint8_t> quantx::kernels::packWeightsF32(Isa isa, const float *w,
                                                     int64_t n, int64_t k) {
  return packPanels<float>(w, n, k, getIsaKernels(isa).nrF32, 1);
}

std::vector<int32_t> quantx::kernels::foldConvBiasS8(Isa isa, const int8_t *w,
                                                     int64_t n, int64_t k,
                                                     const int32_t *bias,
                                                     int64_t inputZeroPoint,
                                                     int64_t weightZeroPoint) {
  int64_t shift = getIsaKernels(isa).activationShift;
  std::vector<int32_t> folded(n);
  for (int64_t col = 0; col < n; ++col) {
    int64_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk)
      sum += w[col * k + kk];
    // Modulo 2^32, as the accumulation it corrects.
    uint32_t value = uint32_t(bias[col]) -
                     uint32_t(inputZeroPoint + shift) * uint32_t(sum) +
                     uint32_t(k * inputZeroPoint * weightZeroPoint);
    folded[col] = static_cast<int32_t>(value);
  }
  return folded;
}

std::vector<int16_t> quantx::kernels::packDepthwiseWeightsS8(
    const int8_t *w, int64_t taps, int64_t channels, int64_t weightZeroPoint) {
  std::vector<int16_t> packed(taps * channels);
  for (int64_t i = 0, e = taps * channels; i < e; ++i)
    packed[i] = static_cast<int16_t>(w[i] - weightZeroPoint);
  return packed;
}

std::vector<int32_t>
quantx::kernels::foldDepthwiseBiasS8(const int16_t *packed, int64_t taps,
                                     int64_t channels, const int32_t *bias,
                                     int64_t inputZeroPoint) {
  std::vector<int32_t> folded(channels);
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int64_t t = 0; t < taps; ++t)
      sum += packed[t * channels + c];
    folded[c] = static_cast<int32_t>(uint32_t(bias[c]) -
                                     uint32_t(inputZeroPoint) * uint32_t(sum));
  }
  return folded;
}
