//===- CPUPipeline.cpp - quantx/linalg on tensors to a CPU JIT ------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/ExecutionEngine/CPUPipeline.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"
#include "quant-x/Runtime/BufferCache.h"
#include "quant-x/Runtime/Kernels.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir;

void mlir::quantx::registerCPUPipelineDialects(DialectRegistry &registry) {
  registry.insert<QuantXDialect, affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, LLVM::LLVMDialect, linalg::LinalgDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect, tosa::TosaDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerKernelCallBufferization(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // Models that quantx-lower-to-gpu lowered hold a gpu.module.
  registerGpuKernelDialects(registry);
}

void mlir::quantx::buildTosaToLinalgPipeline(OpPassManager &pm) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(tosa::createTosaToLinalgNamed());
  funcPm.addPass(tosa::createTosaToLinalg());
  TosaToArithPassOptions arith;
  arith.includeApplyRescale = true;
  funcPm.addPass(createTosaToArithPass(arith));
  funcPm.addPass(createTosaToTensorPass());
}

void mlir::quantx::buildLowerToKernelsPipeline(
    OpPassManager &pm, const CPUCompileOptions &options) {
  if (options.kernelIsa == "none")
    return;
  if (options.kernelIsa == "gpu") {
    pm.addPass(createLowerToGpu());
    return;
  }
  LowerToKernelsOptions kernels;
  kernels.isaName = options.kernelIsa;
  pm.addNestedPass<func::FuncOp>(createLowerToKernels(kernels));
}

void mlir::quantx::buildKernelStage(OpPassManager &pm,
                                    const CPUCompileOptions &options) {
  // Upstream !quant types and quant.qcast/dcast run as quantx's own ops.
  pm.addPass(createImportUpstreamQuant());
  buildLowerToKernelsPipeline(pm, options);
}

void mlir::quantx::buildLowerToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createConvertQuantXToArith());
  pm.addPass(createCanonicalizerPass());
  // One loop nest per chain of elementwise ops (a residual add's rescales,
  // add and requantization), instead of one buffer per op.
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  // Bufferization, deallocation and LLVM's code generation all cost more
  // than linear time in the size of one function: cut a long model into a
  // chain of calls (before bufferization, whose function-boundary analysis
  // then passes the buffers between the pieces).
  pm.addPass(createSplitLargeFunctions());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createLowerKernelCalls());
  // C wrappers for the model's own functions only, not the outlined ones.
  pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());
  pm.addPass(createOutlineLoopNests());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  // Heap buffers come from the runtime's buffer cache (BufferCache.h), which
  // keeps them between calls instead of faulting in fresh pages each time.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  // Upstream's TOSA lowering emits `index` ops (tosa.fft2d's angle
  // arithmetic, for one).
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// The runtime kernels' entry points and the buffer cache's allocation
/// functions, for calls the JIT cannot resolve otherwise; not those that
/// `overrides` binds elsewhere (`quant-run --target gpu`'s convolutions).
static llvm::orc::SymbolMap
getKernelSymbols(llvm::orc::MangleAndInterner interner,
                 const llvm::StringMap<void *> &overrides) {
  llvm::orc::SymbolMap symbols;
  for (const char *name : ::quantx::kernels::kKernelSymbols)
    if (void *address = ::quantx::kernels::lookupKernel(name);
        address && !overrides.contains(name))
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
  size_t count = 0;
  const ::quantx::kernels::BufferCacheSymbol *cacheSymbols =
      ::quantx::kernels::getBufferCacheSymbols(count);
  for (size_t i = 0; i < count; ++i)
    symbols[interner(cacheSymbols[i].name)] = {
        llvm::orc::ExecutorAddr::fromPtr(cacheSymbols[i].address),
        llvm::JITSymbolFlags::Exported};
  return symbols;
}

/// Constants at least this large are not compiled into the JIT's code.
constexpr size_t kMinExternalConstantBytes = 4096;

/// Turns each large constant global of `module` (LLVM dialect) into an
/// external declaration, and returns the address its data has in the
/// attribute that defined it. A ResNet-50's 100 MB of weights would
/// otherwise be translated to LLVM constants, written into an object file
/// and copied again by the JIT linker: most of its compile time. The
/// attributes live as long as the MLIRContext, which outlives the engine.
static llvm::StringMap<void *> externalizeLargeConstants(ModuleOp module) {
  llvm::StringMap<void *> addresses;
  module.walk([&](LLVM::GlobalOp global) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(global.getValueAttr());
    if (!global.getConstant() || !dense || dense.isSplat() ||
        !global.getInitializer().empty())
      return;
    Type element = dense.getElementType();
    // The attribute's raw data is the memory layout only for whole-byte
    // integer and float elements (i1 and sub-byte types are packed
    // differently).
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
      return;
    ArrayRef<char> data = dense.getRawData();
    if (data.size() < kMinExternalConstantBytes ||
        int64_t(data.size()) !=
            dense.getNumElements() * (element.getIntOrFloatBitWidth() / 8))
      return;
    // Code may assume the declared alignment: declare what the data has.
    uint64_t address = reinterpret_cast<uintptr_t>(data.data());
    uint64_t alignment = std::min<uint64_t>(address & -address, 64);
    addresses[global.getSymName()] = const_cast<char *>(data.data());
    global.removeValueAttr();
    global.setLinkage(LLVM::Linkage::External);
    global.setAlignment(alignment);
  });
  return addresses;
}

/// The GPU kernels that `quantx-lower-to-gpu` appended, compiled as
/// options.gpuTarget says and handed to options.gpuKernelLoader, then taken out
/// of `module`: the JIT compiles the rest for the host.
static LogicalResult
loadGpuKernels(ModuleOp module,
               const mlir::quantx::CPUCompileOptions &options) {
  auto kernels =
      module.lookupSymbol<gpu::GPUModuleOp>(mlir::quantx::kGpuKernelModuleName);
  module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  if (!kernels)
    return success();
  if (!options.gpuKernelLoader)
    return module.emitError("the model calls GPU kernels, but no GPU kernel "
                            "loader was given (quant-run: --target gpu)");
  OpBuilder builder(module.getContext());
  OwningOpRef<ModuleOp> container = ModuleOp::create(module.getLoc());
  container.get()->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                           builder.getUnitAttr());
  kernels->moveBefore(container->getBody(), container->getBody()->end());
  FailureOr<std::string> image =
      mlir::quantx::serializeGpuKernels(*container, options.gpuTarget);
  if (failed(image))
    return failure();
  return options.gpuKernelLoader(*image);
}

FailureOr<std::unique_ptr<ExecutionEngine>>
mlir::quantx::compileForHostCPU(ModuleOp module,
                                const CPUCompileOptions &compileOptions) {
  if (failed(checkTensorSizes(module, compileOptions.maxTensorMB,
                              "max-tensor-mb")))
    return failure();
  PassManager kernels(module.getContext());
  buildKernelStage(kernels, compileOptions);
  if (failed(kernels.run(module)) ||
      failed(loadGpuKernels(module, compileOptions)))
    return failure();
  PassManager pm(module.getContext());
  buildTosaToLinalgPipeline(pm);
  buildLowerToLLVMPipeline(pm);
  if (failed(pm.run(module)))
    return failure();
  llvm::StringMap<void *> constants = externalizeLargeConstants(module);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // Optimize for the host CPU, so that the vectorizer knows its vector
  // registers (the reference loops of elementwise ops depend on it).
  static std::unique_ptr<llvm::TargetMachine> hostMachine = [] {
    std::unique_ptr<llvm::TargetMachine> machine;
    if (auto builder = llvm::orc::JITTargetMachineBuilder::detectHost()) {
      if (auto created = builder->createTargetMachine())
        machine = std::move(*created);
      else
        llvm::consumeError(created.takeError());
    } else {
      llvm::consumeError(builder.takeError());
    }
    return machine;
  }();
  auto optimize = makeOptimizingTransformer(compileOptions.optLevel,
                                            /*sizeLevel=*/0, hostMachine.get());
  ExecutionEngineOptions options;
  options.transformer = optimize;
  if (compileOptions.optLevel < 2)
    options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Less;
  // memref.copy (from padding, among others) calls memrefCopy.
  StringRef runtime = QUANTX_C_RUNNER_UTILS;
  options.sharedLibPaths = runtime;
  auto engine = ExecutionEngine::create(module, options);
  if (!engine) {
    module.emitError("JIT compilation failed: ")
        << llvm::toString(engine.takeError());
    return failure();
  }
  (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    return getKernelSymbols(interner, compileOptions.hostSymbols);
  });
  (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    for (const llvm::StringMap<void *> *map :
         {&compileOptions.hostSymbols,
          const_cast<const llvm::StringMap<void *> *>(&constants)})
      for (const auto &entry : *map)
        symbols[interner(entry.getKey())] = {
            llvm::orc::ExecutorAddr::fromPtr(entry.getValue()),
            llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  return std::move(*engine);
}
