//===- GpuCompile.cpp - the GPU kernels to PTX or a cubin, in-process -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

void mlir::quantx::registerGpuKernelDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, cf::ControlFlowDialect, gpu::GPUDialect,
                  LLVM::LLVMDialect, NVVM::NVVMDialect, scf::SCFDialect>();
  // convert-gpu-to-nvvm lowers the arith and cf ops inside the kernels
  // through these interfaces.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

namespace {
/// Each SM with int8 mma.sync m16n8k32 that LLVM 22 knows, and the oldest
/// PTX ISA its NVPTX back end accepts for it (measured with llc-22 -mcpu
/// -mattr=+ptxNN on an empty kernel).
struct ChipPtx {
  const char *chip, *features;
};
constexpr ChipPtx kChipPtx[] = {
    {"sm_80", "+ptx80"},   {"sm_86", "+ptx80"},   {"sm_87", "+ptx80"},
    {"sm_88", "+ptx90"},   {"sm_89", "+ptx80"},   {"sm_90", "+ptx80"},
    {"sm_90a", "+ptx80"},  {"sm_100", "+ptx86"},  {"sm_100a", "+ptx86"},
    {"sm_101", "+ptx86"},  {"sm_101a", "+ptx86"}, {"sm_103", "+ptx88"},
    {"sm_103a", "+ptx88"}, {"sm_110", "+ptx90"},  {"sm_110a", "+ptx90"},
    {"sm_120", "+ptx87"},  {"sm_120a", "+ptx87"}, {"sm_121", "+ptx88"},
    {"sm_121a", "+ptx88"}};
} // namespace

std::optional<std::string> mlir::quantx::getPtxFeatures(StringRef chip) {
  for (const ChipPtx &known : kChipPtx)
    if (chip == known.chip)
      return std::string(known.features);
  return std::nullopt;
}

std::string mlir::quantx::getKnownGpuChips() {
  std::string chips;
  for (const ChipPtx &known : kChipPtx)
    chips += (chips.empty() ? "" : ", ") + std::string(known.chip);
  return chips;
}

/// Loads the dialects and interfaces the kernels need into `context` (the
/// extensions also reach dialects loaded before).
static void loadGpuKernelDialects(MLIRContext *context) {
  DialectRegistry registry;
  mlir::quantx::registerGpuKernelDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
}

std::optional<std::string> mlir::quantx::findCudaToolkit() {
  auto hasPtxas = [](StringRef root) {
    SmallString<128> ptxas(root);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    return llvm::sys::fs::can_execute(ptxas);
  };
  // quant-x's own variable, when set, is the only place to look (empty:
  // nowhere), so that a toolkit can be chosen or hidden.
  if (const char *root = std::getenv("QUANTX_CUDA_TOOLKIT")) {
    if (*root && hasPtxas(root))
      return std::string(root);
    return std::nullopt;
  }
  for (const char *variable : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *root = std::getenv(variable); root && hasPtxas(root))
      return std::string(root);
  if (hasPtxas("/usr/local/cuda"))
    return std::string("/usr/local/cuda");
  if (llvm::ErrorOr<std::string> ptxas = llvm::sys::findProgramByName("ptxas"))
    return llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
        .str();
  return std::nullopt;
}

FailureOr<std::string>
mlir::quantx::compileGpuKernels(MLIRContext *context,
                                const GpuTargetOptions &options) {
  loadGpuKernelDialects(context);
  OpBuilder builder(context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(context));
  buildGpuKernels(builder, *module);
  return serializeGpuKernels(*module, options);
}

FailureOr<std::string>
mlir::quantx::serializeGpuKernels(ModuleOp module,
                                  const GpuTargetOptions &options) {
  MLIRContext *context = module.getContext();
  std::optional<std::string> features = getPtxFeatures(options.chip);
  if (!features)
    return module.emitError("quant-x GPU kernels: no int8 mma.sync "
                            "m16n8k32 PTX for '")
           << options.chip << "' (known: " << getKnownGpuChips() << ")";
  bool cubin = options.format == GpuBinaryFormat::Cubin;
  if (cubin && options.toolkitPath.empty())
    return module.emitError("quant-x GPU kernels: a cubin needs the CUDA "
                            "toolkit's ptxas, and none was given");
  loadGpuKernelDialects(context);
  PassManager pm(context);
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = *features;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  // PTX text needs no CUDA toolkit; a cubin runs its ptxas.
  binary.compilationTarget = cubin ? "bin" : "isa";
  binary.toolkitPath = options.toolkitPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (failed(pm.run(module)))
    return failure();

  std::string image;
  module.walk([&](gpu::BinaryOp binaryOp) {
    for (Attribute object : binaryOp.getObjects())
      if (auto gpuObject = dyn_cast<gpu::ObjectAttr>(object))
        image = gpuObject.getObject().str();
  });
  if (image.empty())
    return module.emitError("quant-x GPU kernels: nothing was produced");
  return image;
}
