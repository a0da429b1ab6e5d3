//===- quant-run.cpp - execute a model on the CPU -------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quant-run model.mlir --input x.npy [--input ...] [--output y.npy ...]
//           [--entry main] [--time] [--threads N] [--kernels ISA]
//           [--target cpu|gpu [--gpu-binary auto|ptx|cubin]]
//           [--target gpu --emit-ptx out.ptx | --emit-cubin out.cubin
//            [--gpu-arch sm_NN]]
//
// JIT-compiles float TOSA and quantized models alike and runs the entry on
// .npy inputs. An input with one more leading dimension than its argument is
// a batch: each sample is run and the outputs are stacked. With --target gpu
// the int8 convolutions and matmuls run on the GPU (docs/GPU.md); without a
// usable GPU it exits with 77.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/ExecutionEngine/ModelFile.h"
#include "quant-x/Runtime/CompiledFunction.h"
#include "quant-x/Runtime/CudaDriver.h"
#include "quant-x/Runtime/GpuKernelCalls.h"
#include "quant-x/Runtime/Kernels.h"
#include "quant-x/Runtime/Npy.h"
#include "quant-x/Runtime/Progress.h"
#include "quant-x/Support/LargeStack.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include <chrono>
#include <cmath>

using namespace mlir;
using namespace mlir::quantx;
namespace cl = llvm::cl;

/// quant-run's own options: --help lists these alone (the LLVM back end's
/// hundreds of options stay accepted but unlisted, as mlir-opt does).
static cl::OptionCategory runCategory("quant-run options");

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::init("-"), cl::cat(runCategory));
static cl::list<std::string>
    inputPaths("input", cl::desc("an argument (.npy), in order"),
               cl::value_desc("file.npy"), cl::cat(runCategory));
static cl::list<std::string>
    outputPaths("output", cl::desc("where to write a result (.npy), in order"),
                cl::value_desc("file.npy"), cl::cat(runCategory));
static cl::opt<std::string> entryName("entry", cl::desc("function to run"),
                                      cl::init("main"), cl::cat(runCategory));
static cl::opt<bool> timeCalls("time",
                               cl::desc("print the median latency of one call"),
                               cl::cat(runCategory));
static cl::opt<bool> showProgress(
    "progress",
    cl::desc("show progress on stderr when running 100 samples or more"),
    cl::cat(runCategory));

static cl::opt<std::string> kernelIsa(
    "kernels",
    cl::desc("conv/matmul kernels: host (default: the best this CPU runs), "
             "avx512vnni, avx2-maddubs (vpmaddubsw where proven exact, else "
             "avx2), avx2, generic, or none (reference loops)"),
    cl::init("host"), cl::cat(runCategory));
static cl::opt<unsigned>
    optLevel("opt-level",
             cl::desc("LLVM optimization level of the compiled model, 0 to 3 "
                      "(default 3; lower compiles faster and runs slower)"),
             cl::init(3), cl::cat(runCategory));
static cl::opt<uint64_t> maxTensorMB(
    "max-tensor-mb",
    cl::desc("largest tensor, in MiB, the model may materialize (default "
             "4096)"),
    cl::init(kDefaultMaxTensorMB), cl::cat(runCategory));
static cl::opt<bool> listKernels(
    "list-kernels",
    cl::desc("print the kernel ISAs this CPU runs (with --target gpu: the "
             "GPU the kernels run on, or exit code 77) and exit"),
    cl::cat(runCategory));
static cl::opt<std::string>
    target("target",
           cl::desc("where the int8 convolutions, matmuls and max poolings "
                    "run: cpu "
                    "(default) or gpu (NVIDIA, compute capability 8.0 or "
                    "newer; exit code 77 where none can be used)"),
           cl::init("cpu"), cl::cat(runCategory));
static cl::opt<std::string> emitPtx(
    "emit-ptx",
    cl::desc("with --target gpu: write the GPU kernels' PTX to this file "
             "and exit (no GPU or model needed)"),
    cl::value_desc("file.ptx"), cl::cat(runCategory));
static cl::opt<std::string> emitCubin(
    "emit-cubin",
    cl::desc("with --target gpu: write the GPU kernels as a cubin for "
             "--gpu-arch, assembled by the CUDA toolkit's ptxas, and exit (no "
             "GPU or model needed)"),
    cl::value_desc("file.cubin"), cl::cat(runCategory));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("the SM of --emit-ptx and --emit-cubin (default sm_80, "
                     "whose PTX later GPUs also run)"),
            cl::init("sm_80"), cl::cat(runCategory));
static cl::opt<std::string> gpuBinary(
    "gpu-binary",
    cl::desc("with --target gpu, what the kernels load as: auto (default: a "
             "cubin for the GPU's own SM where ptxas is found, else PTX), "
             "ptx (PTX for sm_80, compiled by the driver), or cubin"),
    cl::init("auto"), cl::cat(runCategory));

/// Exit code for "nothing to run on" (no usable GPU), which test drivers
/// read as skipped.
constexpr int kExitSkipped = 77;

static int fail(const Twine &message) {
  llvm::WithColor::error(llvm::errs(), "quant-run") << message << "\n";
  return 1;
}

static std::string describe(RankedTensorType type) {
  NpyArray shape;
  shape.dtype = getNpyDtype(type.getElementType());
  shape.shape.assign(type.getShape().begin(), type.getShape().end());
  return shape.describe();
}

/// The index of the first NaN in a float array, if any.
static std::optional<int64_t> findNaN(const NpyArray &array) {
  auto scan = [&](auto *data) -> std::optional<int64_t> {
    for (int64_t i = 0, e = array.getNumElements(); i < e; ++i)
      if (std::isnan(data[i]))
        return i;
    return std::nullopt;
  };
  if (array.dtype == "f4")
    return scan(reinterpret_cast<const float *>(array.data.data()));
  if (array.dtype == "f8")
    return scan(reinterpret_cast<const double *>(array.data.data()));
  return std::nullopt;
}

namespace {
/// Runs the compiled entry over each sample of the inputs.
struct BatchRunner {
  CompiledFunction &function;
  std::vector<NpyArray> &inputs;
  SmallVector<bool> batched;
  int64_t batchSize = 1;
  /// Whether kernel calls go to the GPU, whose failures surface after the
  /// call.
  bool onGpu = false;

  /// Runs `sample`, writing its results into its slice of `outputs`.
  llvm::Error runSample(int64_t sample,
                        ArrayRef<MutableArrayRef<char>> outputs) {
    SmallVector<const void *> in;
    for (auto [array, isBatched] : llvm::zip(inputs, batched)) {
      size_t sampleBytes = isBatched ? array.data.size() / batchSize : 0;
      in.push_back(array.data.data() + sample * sampleBytes);
    }
    SmallVector<void *> out;
    for (MutableArrayRef<char> bytes : outputs)
      out.push_back(bytes.data() + sample * (bytes.size() / batchSize));
    if (llvm::Error error = function.call(in, out))
      return error;
    return onGpu ? ::quantx::gpu::takeGpuKernelError() : llvm::Error::success();
  }
};
} // namespace

/// The CUDA toolkit for a cubin, or a message saying there is none.
static llvm::Expected<std::string> findPtxas() {
  if (std::optional<std::string> toolkit = findCudaToolkit())
    return *toolkit;
  return llvm::createStringError(
      "a cubin needs the CUDA toolkit's ptxas, and none was found "
      "($QUANTX_CUDA_TOOLKIT, or $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, "
      "/usr/local/cuda, $PATH)");
}

/// --emit-ptx, --emit-cubin: the GPU kernels for `arch`, compiled
/// in-process.
static int writeGpuKernels(StringRef path, StringRef arch,
                           GpuBinaryFormat format) {
  if (!getPtxFeatures(arch))
    return fail("--gpu-arch must be an SM with int8 mma.sync m16n8k32 (" +
                getKnownGpuChips() + "), not '" + arch + "'");
  GpuTargetOptions options;
  options.chip = arch.str();
  options.format = format;
  if (format == GpuBinaryFormat::Cubin) {
    llvm::Expected<std::string> toolkit = findPtxas();
    if (!toolkit)
      return fail("--emit-cubin: " + llvm::toString(toolkit.takeError()));
    options.toolkitPath = *toolkit;
  }
  MLIRContext context;
  FailureOr<std::string> image = compileGpuKernels(&context, options);
  if (failed(image))
    return 1;
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file)
    return fail(error);
  file->os() << *image;
  file->keep();
  return 0;
}

/// The exit code for a GPU that cannot be opened: kExitSkipped where there
/// is no usable one, 1 for any other failure; the reason goes to stderr.
static int reportNoGpu(llvm::Error error) {
  int code = 1;
  llvm::handleAllErrors(
      std::move(error),
      [&](const ::quantx::gpu::GpuUnavailableError &unavailable) {
        llvm::WithColor::error(llvm::errs(), "quant-run")
            << "no usable GPU: " << unavailable.getReason() << "\n";
        code = kExitSkipped;
      },
      [&](const llvm::ErrorInfoBase &other) { fail(other.message()); });
  return code;
}

/// --list-kernels --target gpu: the device, or why there is none.
static int listGpu() {
  llvm::Expected<const ::quantx::gpu::CudaDevice &> device =
      ::quantx::gpu::getCudaDevice();
  if (!device)
    return reportNoGpu(device.takeError());
  llvm::outs() << "gpu: " << device->name << ", compute capability "
               << device->major << "." << device->minor << ", CUDA driver "
               << device->driverVersion / 1000 << "."
               << device->driverVersion % 1000 / 10 << "\n";
  return 0;
}

/// --target gpu: opens the GPU, loads the kernels and binds the
/// convolutions to them; 0, or the exit code.
static int prepareGpu(CPUCompileOptions &options) {
  namespace gpu = ::quantx::gpu;
  llvm::Expected<const gpu::CudaDevice &> device = gpu::getCudaDevice();
  if (!device)
    return reportNoGpu(device.takeError());
  // quantx-lower-to-gpu; the kernels are loaded while the model compiles:
  // a cubin for this GPU's SM where ptxas can make one (no compilation by
  // the driver at load time), else PTX for sm_80, which the driver
  // compiles for whatever GPU this is.
  options.kernelIsa = "gpu";
  std::string chip =
      "sm_" + std::to_string(device->major) + std::to_string(device->minor);
  bool knownChip = getPtxFeatures(chip).has_value();
  if (gpuBinary != "ptx") {
    llvm::Expected<std::string> toolkit = findPtxas();
    if (toolkit && knownChip) {
      options.gpuTarget.chip = chip;
      options.gpuTarget.format = GpuBinaryFormat::Cubin;
      options.gpuTarget.toolkitPath = *toolkit;
    } else if (gpuBinary == "cubin") {
      return fail("--gpu-binary cubin: " +
                  (toolkit ? "quant-x does not compile for " + chip +
                                 " (known: " + getKnownGpuChips() + ")"
                           : llvm::toString(toolkit.takeError())));
    } else {
      llvm::consumeError(toolkit.takeError());
    }
  }
  bool cubin = options.gpuTarget.format == GpuBinaryFormat::Cubin;
  llvm::errs() << "quant-run: GPU kernels: "
               << (cubin ? "cubin for " + chip + ", assembled by " +
                               options.gpuTarget.toolkitPath + "/bin/ptxas"
                         : "PTX for sm_80, compiled by the driver for " + chip)
               << "\n";
  const gpu::CudaDevice *opened = &*device;
  options.gpuKernelLoader = [opened](StringRef ptx) -> LogicalResult {
    if (llvm::Error error = gpu::loadGpuKernels(*opened, ptx.str())) {
      fail("loading the GPU kernels on " + opened->name + ": " +
           llvm::toString(std::move(error)));
      return failure();
    }
    return success();
  };
  options.hostSymbols[::quantx::kernels::kGpuConvS8Symbol] =
      reinterpret_cast<void *>(&quantx_gpu_conv_s8);
  options.hostSymbols[::quantx::kernels::kGpuDepthwiseS8Symbol] =
      reinterpret_cast<void *>(&quantx_gpu_depthwise_s8);
  options.hostSymbols[::quantx::kernels::kGpuMaxPoolS8Symbol] =
      reinterpret_cast<void *>(&quantx_gpu_maxpool_s8);
  options.hostSymbols[::quantx::kernels::kGpuAddS8Symbol] =
      reinterpret_cast<void *>(&quantx_gpu_add_s8);
  options.hostSymbols[::quantx::kernels::kGpuAvgPoolS8Symbol] =
      reinterpret_cast<void *>(&quantx_gpu_avgpool_s8);
  return 0;
}

/// The whole run, from option parsing to the written outputs.
static int runTool(int argc, char **argv) {
  // libLLVM registers a `threads` option of its own; quant-run's takes the
  // name, LLVM's keeps working as --llvm-threads.
  auto &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("threads"); it != registered.end())
    it->second->setArgStr("llvm-threads");
  cl::opt<int> threadCount(
      "threads",
      cl::desc("threads of the conv/matmul kernels (default: all cores)"),
      cl::init(0), cl::cat(runCategory));
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "quant-x model runner: JIT-executes a float or quantized model on .npy "
      "inputs\n");

  namespace kernels = ::quantx::kernels;
  bool onGpu = target == "gpu";
  if (!onGpu && target != "cpu")
    return fail("--target must be cpu or gpu, not '" + target + "'");
  if (listKernels && onGpu)
    return listGpu();
  if (listKernels) {
    for (kernels::Isa isa :
         {kernels::Isa::Avx512Vnni, kernels::Isa::Avx2Maddubs,
          kernels::Isa::Avx2, kernels::Isa::Generic})
      if (kernels::hostSupports(isa))
        llvm::outs() << kernels::getIsaName(isa) << "\n";
    return 0;
  }
  if (threadCount < 0)
    return fail("--threads must be at least 1 (or 0 for all cores)");
  kernels::setThreadCount(threadCount);
  if (!onGpu && (emitPtx.getNumOccurrences() || emitCubin.getNumOccurrences() ||
                 gpuArch.getNumOccurrences() || gpuBinary.getNumOccurrences()))
    return fail(
        "--emit-ptx, --emit-cubin, --gpu-arch and --gpu-binary need --target "
        "gpu");
  if (gpuBinary != "auto" && gpuBinary != "ptx" && gpuBinary != "cubin")
    return fail("--gpu-binary must be auto, ptx or cubin, not '" + gpuBinary +
                "'");
  if (onGpu && kernelIsa.getNumOccurrences())
    return fail("--kernels chooses CPU kernels; with --target gpu the "
                "convolutions run on the GPU's");
  if (!emitPtx.empty() || !emitCubin.empty()) {
    for (auto [path, format] :
         {std::pair(StringRef(emitPtx), GpuBinaryFormat::Ptx),
          std::pair(StringRef(emitCubin), GpuBinaryFormat::Cubin)})
      if (!path.empty())
        if (int code = writeGpuKernels(path, gpuArch, format))
          return code;
    return 0;
  }
  CPUCompileOptions options;
  options.kernelIsa = kernelIsa;
  if (onGpu) {
    if (int code = prepareGpu(options))
      return code;
  }

  ModelFile modelFile;
  std::string error;
  OwningOpRef<ModuleOp> module = modelFile.parse(modelPath, error);
  if (!error.empty())
    return fail(error);
  if (!module)
    return 1;

  if (optLevel > 3) {
    llvm::errs() << "quant-run: --opt-level must be 0 to 3, got " << optLevel
                 << "\n";
    return 1;
  }
  options.optLevel = optLevel;
  options.maxTensorMB = maxTensorMB;
  auto compiled = CompiledFunction::compile(*module, entryName, options);
  if (failed(compiled))
    return 1;
  CompiledFunction &function = **compiled;
  ArrayRef<RankedTensorType> argTypes = function.getArgumentTypes();
  ArrayRef<RankedTensorType> resultTypes = function.getResultTypes();
  if (inputPaths.size() != argTypes.size())
    return fail("@" + entryName + " takes " + Twine(argTypes.size()) +
                " arguments but " + Twine(inputPaths.size()) +
                " --input files were given");
  if (outputPaths.size() > resultTypes.size())
    return fail("@" + entryName + " returns " + Twine(resultTypes.size()) +
                " results but " + Twine(outputPaths.size()) +
                " --output files were given");

  std::vector<NpyArray> inputs;
  BatchRunner runner{function, inputs, {}, 1, onGpu};
  std::optional<int64_t> batch;
  for (auto [i, path, type] : llvm::enumerate(inputPaths, argTypes)) {
    auto array = readNpy(path);
    if (!array)
      return fail(llvm::toString(array.takeError()));
    std::string expected = describe(type);
    if (array->dtype != getNpyDtype(type.getElementType()))
      return fail(path + ": argument " + Twine(i) + " of @" + entryName +
                  " is " + expected + " but the file holds " +
                  array->describe());
    ArrayRef<int64_t> shape = array->shape;
    bool isBatched = shape.size() == size_t(type.getRank()) + 1 &&
                     shape.drop_front() == type.getShape();
    if (!isBatched && shape != type.getShape())
      return fail(path + ": argument " + Twine(i) + " of @" + entryName +
                  " is " + expected + " (or a batch of them) but the file " +
                  "holds " + array->describe());
    if (isBatched) {
      if (batch && *batch != shape[0])
        return fail(path + ": batch of " + Twine(shape[0]) +
                    " samples, but another input has " + Twine(*batch));
      batch = shape[0];
    }
    if (std::optional<int64_t> nan = findNaN(*array))
      return fail(path + ": element " + Twine(*nan) + " is NaN");
    runner.batched.push_back(isBatched);
    inputs.push_back(std::move(*array));
  }
  runner.batchSize = batch.value_or(1);

  std::vector<NpyArray> outputs;
  SmallVector<MutableArrayRef<char>> outputBytes;
  for (RankedTensorType type : resultTypes) {
    NpyArray array;
    array.dtype = getNpyDtype(type.getElementType());
    if (batch)
      array.shape.push_back(*batch);
    llvm::append_range(array.shape, type.getShape());
    if (array.dtype.empty())
      return fail("result type " + Twine(describe(type)) +
                  " cannot be written to .npy");
    auto bytes = array.allocate();
    if (!bytes)
      return fail(llvm::toString(bytes.takeError()));
    outputBytes.push_back(*bytes);
    outputs.push_back(std::move(array));
  }

  {
    ProgressBar progress("quant-run: samples", runner.batchSize,
                         showProgress && runner.batchSize >= 100);
    for (int64_t sample = 0; sample < runner.batchSize; ++sample) {
      if (llvm::Error error = runner.runSample(sample, outputBytes))
        return fail("running @" + entryName + ": " +
                    llvm::toString(std::move(error)));
      progress.update(sample + 1);
    }
  }

  for (auto [path, array] : llvm::zip(outputPaths, outputs))
    if (llvm::Error error = writeNpy(path, array))
      return fail(llvm::toString(std::move(error)));
  if (onGpu) {
    // Which convolutions the GPU took: the others (weight zero points,
    // low-bit packing, weights per batch) ran on the CPU kernel.
    ::quantx::gpu::GpuCallCounts counts = ::quantx::gpu::getGpuCallCounts();
    llvm::errs()
        << "quant-run: int8 kernel calls (convolutions, matmuls, pooling, "
           "adds): "
        << counts.gpu << " on the GPU, " << counts.cpu << " on the CPU; "
        << counts.residentInputs << " inputs already in device memory\n";
  }

  if (timeCalls) {
    // At least 10 calls and half a second, at most 1000 calls.
    using Clock = std::chrono::steady_clock;
    std::vector<double> millis;
    auto start = Clock::now();
    while (millis.size() < 1000 &&
           (millis.size() < 10 ||
            Clock::now() - start < std::chrono::milliseconds(500))) {
      auto before = Clock::now();
      // The outputs are written: timing runs may overwrite them.
      if (llvm::Error error = runner.runSample(0, outputBytes))
        return fail(llvm::toString(std::move(error)));
      millis.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - before)
              .count());
    }
    std::nth_element(millis.begin(), millis.begin() + millis.size() / 2,
                     millis.end());
    llvm::outs() << llvm::format("median latency: %.4f ms (%zu calls)\n",
                                 millis[millis.size() / 2], millis.size());
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return ::quantx::runOnLargeStack([&] { return runTool(argc, argv); });
}
