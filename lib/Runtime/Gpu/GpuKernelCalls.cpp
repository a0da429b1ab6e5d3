//===- GpuKernelCalls.cpp - the CPU kernel ABI, run on the GPU ------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/GpuKernelCalls.h"

#include "DeviceMemory.h"
#include "quant-x/Runtime/KernelProfile.h"
#include "quant-x/Runtime/Kernels.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

using namespace quantx::gpu;
namespace qk = ::quantx::kernels;

namespace {

/// A call's result kept in device memory for the GPU calls that read it
/// (kResidentOutput), by its host buffer, and which of the two copies
/// holds its latest value. The host copy is brought up to date only where
/// a reader runs on the CPU after all (a launch failed, or its grid is too
/// large).
struct ResidentActivation {
  CUdeviceptr pointer = 0;
  size_t capacity = 0, bytes = 0;
  bool deviceCurrent = false, hostCurrent = true;
};

/// The loaded kernels, the model's constants and the calls' activation
/// buffers on the device, and what the calls met. One model runs at a time (the
/// mutex makes concurrent calls wait, not race).
struct GpuKernelState {
  std::mutex mutex;
  const CudaDevice *device = nullptr;
  /// The loaded kernels, in kGpuKernelNames' order.
  CUfunction functions[qk::kNumGpuKernelSymbols] = {};
  /// Device copies of the calls' constant operands (packed weights, bias,
  /// requantization table, parameters: globals of the compiled model, at
  /// fixed addresses while it lives), by host address and size, made at
  /// the first call that reads them. Loading the kernels for another model
  /// frees them: a new model's constants may reuse a freed one's addresses,
  /// while two models alive at once never share one.
  std::unique_ptr<DeviceBuffers> constants;
  std::map<std::pair<const void *, size_t>, CUdeviceptr> constantCopies;
  /// The activation operands' buffers (the add kernel has two) and the
  /// result's, where they are not kept on the device.
  std::unique_ptr<ScratchBuffer> inputs[2], output;
  /// Results kept on the device, by host buffer; their memory is freed with
  /// `constants`, when another model's kernels load.
  std::map<const void *, ResidentActivation> resident;
  std::string firstError;
  GpuCallCounts counts;

  /// The kernel behind entry point `kind`, once loaded.
  CUfunction functionOf(qk::KernelKind kind) const {
    return qk::isGpuKernel(kind) ? functions[getGpuKernelIndex(kind)] : nullptr;
  }

  /// The device copy of a constant operand of `bytes` at `host`, made by
  /// copying what `deviceForm` returns (the bytes themselves, or the
  /// weights repacked) at the first call.
  template <class DeviceForm>
  llvm::Expected<CUdeviceptr> copyConstant(const void *host, size_t bytes,
                                           DeviceForm deviceForm) {
    auto key = std::make_pair(host, bytes);
    if (auto it = constantCopies.find(key); it != constantCopies.end())
      return it->second;
    auto [data, size] = deviceForm();
    llvm::Expected<CUdeviceptr> copy = constants->copyIn(data, size);
    if (copy)
      constantCopies[key] = *copy;
    return copy;
  }
  llvm::Expected<CUdeviceptr> copyConstant(const void *host, size_t bytes) {
    return copyConstant(host, bytes,
                        [&] { return std::make_pair(host, bytes); });
  }

  /// The device buffer that keeps the result written to host buffer
  /// `host`, of `bytes`: the one it had, or a new one where that is too
  /// small.
  llvm::Expected<ResidentActivation *> keepOnDevice(const void *host,
                                                    size_t bytes) {
    ResidentActivation &kept = resident[host];
    if (kept.capacity < bytes) {
      llvm::Expected<CUdeviceptr> pointer = constants->allocate(bytes);
      if (!pointer)
        return pointer.takeError();
      kept.pointer = *pointer;
      kept.capacity = bytes;
    }
    kept.bytes = bytes;
    return &kept;
  }

  /// What is known of the result a kResidentInput reads at `host`: every
  /// call marked kResidentOutput records its result, on either side, so a
  /// missing one means the compiled model and its marks disagree (say, a
  /// copy between the two calls). That is an error, not a read of a host
  /// buffer nothing wrote.
  llvm::Expected<const ResidentActivation *>
  findResident(const void *host) const {
    auto it = resident.find(host);
    if (it == resident.end())
      return llvm::createStringError(
          "no GPU call left a result at the device-resident input " +
          llvm::utohexstr(reinterpret_cast<uintptr_t>(host)));
    return &it->second;
  }

  /// Before a CPU kernel reads `host`: copies a result that only the device
  /// holds back to the host.
  llvm::Error bringToHost(const void *host) {
    auto it = resident.find(host);
    if (it == resident.end() || it->second.hostCurrent)
      return llvm::Error::success();
    const CudaDriverApi &api = device->api;
    if (llvm::Error error = checkCuda(api, api.cuCtxSetCurrent(device->context),
                                      "cuCtxSetCurrent"))
      return error;
    if (llvm::Error error =
            checkCuda(api,
                      api.cuMemcpyDtoH(const_cast<void *>(host),
                                       it->second.pointer, it->second.bytes),
                      "cuMemcpyDtoH"))
      return error;
    it->second.hostCurrent = true;
    return llvm::Error::success();
  }

  /// After a CPU kernel or a copy wrote `host`: a device copy is out of
  /// date. `resident`: the call was marked kResidentOutput, so its readers
  /// will look the result up (and find it on the host).
  void wroteOnHost(const void *host, bool resident) {
    auto it = this->resident.find(host);
    if (it == this->resident.end() && resident)
      it = this->resident.emplace(host, ResidentActivation{}).first;
    if (it != this->resident.end())
      it->second = {it->second.pointer, it->second.capacity, 0, false, true};
  }
};

GpuKernelState &getState() {
  // Never destroyed: freeing device memory while the process exits could
  // meet a driver already shut down.
  static GpuKernelState *state = new GpuKernelState;
  return *state;
}

/// A profile row's name: the entry point and what the row times.
std::string getProfileName(qk::KernelKind kind, const char *what) {
  return std::string(qk::kKernelSymbols[size_t(kind)]) + " " + what;
}

/// The kernel's own time of one launch, with QUANTX_KERNEL_PROFILE and a
/// driver with events: recorded as "<entry point> kernel" (say,
/// "quantx_gpu_conv_s8 kernel"), beside the whole call's "<entry point>
/// call".
class KernelTimer {
public:
  explicit KernelTimer(const CudaDriverApi &api)
      : api(api), enabled(qk::isProfiling() && api.hasEvents()) {}
  ~KernelTimer() {
    for (CUevent event : events)
      if (event)
        api.cuEventDestroy(event);
  }

  llvm::Error start() {
    if (!enabled)
      return llvm::Error::success();
    for (CUevent &event : events)
      if (llvm::Error error =
              checkCuda(api, api.cuEventCreate(&event, 0), "cuEventCreate"))
        return error;
    return checkCuda(api, api.cuEventRecord(events[0], nullptr),
                     "cuEventRecord");
  }
  llvm::Error stop() {
    if (!enabled)
      return llvm::Error::success();
    return checkCuda(api, api.cuEventRecord(events[1], nullptr),
                     "cuEventRecord");
  }
  /// After the launch of kernel `kind` has finished.
  llvm::Error record(qk::KernelKind kind, const int64_t *params) {
    if (!enabled)
      return llvm::Error::success();
    if (llvm::Error error = checkCuda(api, api.cuEventSynchronize(events[1]),
                                      "cuEventSynchronize"))
      return error;
    float milliseconds = 0;
    if (llvm::Error error = checkCuda(
            api, api.cuEventElapsedTime(&milliseconds, events[0], events[1]),
            "cuEventElapsedTime"))
      return error;
    // Part of the call's time, which the profile's total counts.
    qk::recordCall(getProfileName(kind, "kernel").c_str(), params, milliseconds,
                   /*withinAnotherCall=*/true);
    return llvm::Error::success();
  }

private:
  const CudaDriverApi &api;
  bool enabled;
  CUevent events[2] = {nullptr, nullptr};
};

size_t getBytes(const qk::BufferSpec &buffer) {
  return buffer.elements * (buffer.element == qk::ElementKind::I8 ? 1 : 4);
}

/// One call on the GPU: the input in (the constants once per model), the
/// kernel, the result out. `spec` is the call's buffers (checkParams).
llvm::Error launch(GpuKernelState &state, qk::KernelKind kind,
                   const qk::CallSpec &spec, const void *input,
                   const void *weights, const void *bias, const void *requant,
                   const int64_t *p, void *output) {
  const CudaDevice &device = *state.device;
  const CudaDriverApi &api = device.api;
  if (llvm::Error error = checkCuda(api, api.cuCtxSetCurrent(device.context),
                                    "cuCtxSetCurrent"))
    return error;
  CUdeviceptr args[6];
  int64_t residency = p[qk::kDeviceResidency];
  const void *operands[4] = {input, weights, bias, requant};
  // The operands a call passes: max pooling reads its input alone.
  auto operandBytes = [&](int i) {
    return spec.numInputs > i ? getBytes(spec.inputs[i]) : 0;
  };
  for (int i = 0; i < 4; ++i) {
    // An activation: where an earlier GPU call's result left it on the
    // device, else copied in.
    if (int64_t bit = qk::getActivationBit(kind, i)) {
      const ResidentActivation *kept = nullptr;
      if (residency & bit) {
        llvm::Expected<const ResidentActivation *> found =
            state.findResident(operands[i]);
        if (!found)
          return found.takeError();
        if ((*found)->deviceCurrent)
          kept = *found;
      }
      if (kept) {
        args[i] = kept->pointer;
        ++state.counts.residentInputs;
        continue;
      }
      llvm::Expected<CUdeviceptr> in = state.inputs[i]->get(operandBytes(i));
      if (!in)
        return in.takeError();
      if (llvm::Error error = checkCuda(
              api, api.cuMemcpyHtoD(*in, operands[i], operandBytes(i)),
              "cuMemcpyHtoD"))
        return error;
      args[i] = *in;
      continue;
    }
    // A constant of the model, copied once. The conv kernel reads its
    // weights repacked (packGpuWeights).
    std::vector<int8_t> repacked;
    llvm::Expected<CUdeviceptr> copy =
        state.copyConstant(operands[i], operandBytes(i), [&] {
          if (i != 1 || kind != qk::KernelKind::GpuConvS8)
            return std::make_pair(operands[i], operandBytes(i));
          repacked = packGpuWeights(p, weights);
          return std::make_pair(static_cast<const void *>(repacked.data()),
                                repacked.size());
        });
    if (!copy)
      return copy.takeError();
    args[i] = *copy;
  }
  llvm::Expected<CUdeviceptr> paramCopy =
      state.copyConstant(p, qk::kNumParams * sizeof(int64_t));
  if (!paramCopy)
    return paramCopy.takeError();
  args[4] = *paramCopy;
  // The result: into its own device buffer where it stays there for the
  // next calls, else into the scratch buffer it is copied back from.
  size_t outputBytes = getBytes(spec.output);
  ResidentActivation *keptResult = nullptr;
  if (residency & qk::kResidentOutput) {
    llvm::Expected<ResidentActivation *> buffer =
        state.keepOnDevice(output, outputBytes);
    if (!buffer)
      return buffer.takeError();
    keptResult = *buffer;
    // Stale on both sides until the kernel has run.
    keptResult->deviceCurrent = keptResult->hostCurrent = false;
    args[5] = keptResult->pointer;
  } else {
    llvm::Expected<CUdeviceptr> out = state.output->get(outputBytes);
    if (!out)
      return out.takeError();
    args[5] = *out;
  }
  void *argPointers[6];
  for (int i = 0; i < 6; ++i)
    argPointers[i] = &args[i];
  LaunchShape shape = getLaunchShape(kind, p);
  KernelTimer timer(api);
  if (llvm::Error error = timer.start())
    return error;
  if (llvm::Error error = checkCuda(
          api,
          api.cuLaunchKernel(state.functionOf(kind), unsigned(shape.grid[0]),
                             unsigned(shape.grid[1]), unsigned(shape.grid[2]),
                             unsigned(shape.block), 1, 1, 0, nullptr,
                             argPointers, nullptr),
          "cuLaunchKernel"))
    return error;
  if (llvm::Error error = timer.stop())
    return error;
  if (llvm::Error error =
          checkCuda(api, api.cuCtxSynchronize(), "cuCtxSynchronize"))
    return error;
  if (llvm::Error error = timer.record(kind, p))
    return error;
  if (keptResult) {
    keptResult->deviceCurrent = true;
    return llvm::Error::success();
  }
  state.wroteOnHost(output, /*resident=*/false);
  return checkCuda(api, api.cuMemcpyDtoH(output, args[5], outputBytes),
                   "cuMemcpyDtoH");
}

/// A GPU entry point: the call on the GPU where it can run there, else (or
/// after an earlier failure) on the CPU kernel `cpu`.
template <class CpuKernel>
void runCall(qk::KernelKind kind, CpuKernel cpu, const void *input,
             const void *weights, const void *bias, const void *requant,
             const int64_t *params, void *output) {
  GpuKernelState &state = getState();
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    qk::CallSpec spec;
    if (state.functionOf(kind) && state.firstError.empty() &&
        runsOnGpu(kind, params, spec)) {
      auto start = std::chrono::steady_clock::now();
      llvm::Error error = launch(state, kind, spec, input, weights, bias,
                                 requant, params, output);
      if (!error) {
        ++state.counts.gpu;
        if (qk::isProfiling())
          qk::recordCall(getProfileName(kind, "call").c_str(), params,
                         std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - start)
                             .count());
        return;
      }
      state.firstError = llvm::toString(std::move(error));
    }
    ++state.counts.cpu;
    // The CPU kernel reads the host copies of its activations: bring a
    // result that only the device holds back first.
    const void *operands[2] = {input, weights};
    for (int i = 0; i < 2; ++i)
      if (params[qk::kDeviceResidency] & qk::getActivationBit(kind, i))
        if (llvm::Error error = state.bringToHost(operands[i]))
          if (state.firstError.empty())
            state.firstError = llvm::toString(std::move(error));
    state.wroteOnHost(output,
                      params[qk::kDeviceResidency] & qk::kResidentOutput);
  }
  // The CPU's entry points take no residency.
  std::array<int64_t, qk::kNumParams> cpuParams;
  std::copy_n(params, qk::kNumParams, cpuParams.begin());
  cpuParams[qk::kDeviceResidency] = 0;
  cpu(input, weights, bias, requant, cpuParams.data(), output);
}

} // namespace

llvm::Error quantx::gpu::loadGpuKernels(const CudaDevice &device,
                                        const std::string &ptx) {
  const CudaDriverApi &api = device.api;
  if (llvm::Error error = checkCuda(api, api.cuCtxSetCurrent(device.context),
                                    "cuCtxSetCurrent"))
    return error;
  CUmodule module = nullptr;
  if (llvm::Error error = checkCuda(
          api, api.cuModuleLoadData(&module, ptx.c_str()), "cuModuleLoadData"))
    return error;
  CUfunction functions[qk::kNumGpuKernelSymbols] = {};
  for (auto [function, name] : llvm::zip(functions, kGpuKernelNames))
    if (llvm::Error error =
            checkCuda(api, api.cuModuleGetFunction(&function, module, name),
                      "cuModuleGetFunction"))
      return error;
  GpuKernelState &state = getState();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.device = &device;
  std::copy(std::begin(functions), std::end(functions), state.functions);
  state.constantCopies.clear();
  state.constants = std::make_unique<DeviceBuffers>(api);
  for (std::unique_ptr<ScratchBuffer> &buffer : state.inputs)
    buffer = std::make_unique<ScratchBuffer>(api);
  state.output = std::make_unique<ScratchBuffer>(api);
  state.resident.clear();
  return llvm::Error::success();
}

std::vector<int8_t> quantx::gpu::packGpuWeights(const int64_t *p,
                                                const void *panels) {
  int64_t n = p[qk::kOutC], k = p[qk::kKernelH] * p[qk::kKernelW] * p[qk::kInC];
  int64_t width = p[qk::kPanelWidth];
  int64_t depth = getGpuWeightDepth(k);
  const auto *from = static_cast<const int8_t *>(panels);
  std::vector<int8_t> packed(getGpuWeightRows(n) * depth, 0);
  // The generic panels: [N / width][K][width], one byte per weight.
  for (int64_t col = 0; col < n; ++col) {
    const int8_t *panel = from + col / width * width * k + col % width;
    for (int64_t kk = 0; kk < k; ++kk)
      packed[col * depth + kk] = panel[kk * width];
  }
  return packed;
}

LaunchShape quantx::gpu::getLaunchShape(qk::KernelKind kind, const int64_t *p) {
  int64_t m = p[qk::kOutH] * p[qk::kOutW], n = p[qk::kOutC];
  auto blocks = [](int64_t items, int64_t perBlock) {
    return (items + perBlock - 1) / perBlock;
  };
  if (kind == qk::KernelKind::GpuAddS8)
    return {{blocks(p[qk::kBatch] * n, kWindowBlockThreads), 1, 1},
            kWindowBlockThreads};
  if (kind != qk::KernelKind::GpuConvS8)
    return {{blocks(m * n, kWindowBlockThreads), 1, p[qk::kBatch]},
            kWindowBlockThreads};
  return {{blocks(m, kConvBlockRows), blocks(n, kConvBlockCols), p[qk::kBatch]},
          kConvBlockThreads};
}

bool quantx::gpu::runsOnGpu(qk::KernelKind kind, const int64_t *p,
                            qk::CallSpec &spec) {
  if (!qk::checkParams(kind, p, spec).empty())
    return false;
  // The conv kernel divides taps out of k in 32 bits (ConvS8Kernel.cpp).
  // Each factor of K is below 2^31 (checkParams), so no product overflows.
  constexpr int64_t kLimit = int64_t(1) << 31;
  if (kind == qk::KernelKind::GpuConvS8) {
    int64_t taps = p[qk::kKernelH] * p[qk::kKernelW];
    if (taps >= kLimit || getGpuWeightDepth(taps * p[qk::kInC]) >= kLimit)
      return false;
  }
  // The driver's limits on a grid: 2^31 - 1 blocks along x, 65535 along y
  // and z.
  LaunchShape shape = getLaunchShape(kind, p);
  return shape.grid[0] < (int64_t(1) << 31) && shape.grid[1] < 65536 &&
         shape.grid[2] < 65536;
}

llvm::Error quantx::gpu::takeGpuKernelError() {
  GpuKernelState &state = getState();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.firstError.empty())
    return llvm::Error::success();
  std::string error;
  std::swap(error, state.firstError);
  return llvm::createStringError("GPU kernel call failed: " + error);
}

GpuCallCounts quantx::gpu::getGpuCallCounts() {
  GpuKernelState &state = getState();
  std::lock_guard<std::mutex> lock(state.mutex);
  return state.counts;
}

void quantx_gpu_conv_s8(const void *input, const void *weights,
                        const void *bias, const void *requant,
                        const int64_t *params, void *output) {
  runCall(qk::KernelKind::GpuConvS8, quantx_kernel_conv_s8, input, weights,
          bias, requant, params, output);
}

void quantx_gpu_depthwise_s8(const void *input, const void *weights,
                             const void *bias, const void *requant,
                             const int64_t *params, void *output) {
  runCall(qk::KernelKind::GpuDepthwiseS8, quantx_kernel_depthwise_s8, input,
          weights, bias, requant, params, output);
}

void quantx_gpu_maxpool_s8(const void *input, const void *weights,
                           const void *bias, const void *requant,
                           const int64_t *params, void *output) {
  runCall(qk::KernelKind::GpuMaxPoolS8, quantx_kernel_maxpool_s8, input,
          weights, bias, requant, params, output);
}

void quantx_gpu_add_s8(const void *input, const void *weights, const void *bias,
                       const void *requant, const int64_t *params,
                       void *output) {
  runCall(qk::KernelKind::GpuAddS8, quantx_kernel_add_s8, input, weights, bias,
          requant, params, output);
}

void quantx_gpu_avgpool_s8(const void *input, const void *weights,
                           const void *bias, const void *requant,
                           const int64_t *params, void *output) {
  runCall(qk::KernelKind::GpuAvgPoolS8, quantx_kernel_avgpool_s8, input,
          weights, bias, requant, params, output);
}
