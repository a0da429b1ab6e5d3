//===- AotCompile.cpp - models to object files with a C ABI ---------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/ExecutionEngine/AotCompile.h"

#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/CompiledFunction.h"
#include "quant-x/Runtime/Kernels.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::quantx;
namespace qk = ::quantx::kernels;

namespace {

/// The target machine for `cpu` on x86-64 Linux, or null with `error` set.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(StringRef cpu, unsigned optLevel, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  if (triple.getArch() != llvm::Triple::x86_64) {
    error = "quant-compile targets x86-64, not " + triple.str();
    return nullptr;
  }
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string name = cpu.str(), features;
  if (cpu == "native") {
    name = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.getValue() ? "+" : "-") +
                  feature.getKey().str();
  }
  llvm::CodeGenOptLevel level = optLevel >= 3
                                    ? llvm::CodeGenOptLevel::Aggressive
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                                : llvm::CodeGenOptLevel::None;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, name, features, llvm::TargetOptions(),
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine || !machine->getMCSubtargetInfo()->isCPUStringValid(name)) {
    error = "unknown --cpu '" + cpu.str() +
            "' (native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, or an x86 "
            "CPU name such as znver4 or skylake-avx512)";
    return nullptr;
  }
  return machine;
}

/// The best conv/matmul kernels `machine`'s CPU runs, as
/// qk::hostSupports decides for this machine's.
qk::Isa chooseKernelIsa(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo &cpu = *machine.getMCSubtargetInfo();
  auto has = [&](const char *features) { return cpu.checkFeatures(features); };
  if (has("+popcnt,+avx512f,+avx512bw,+avx512dq,+avx512vl,+avx512vnni"))
    return qk::Isa::Avx512Vnni;
  if (has("+avx2,+fma,+popcnt"))
    return qk::Isa::Avx2Maddubs;
  return qk::Isa::Generic;
}

/// The C type of a tensor element, for the header.
std::string getCType(Type element) {
  if (auto integer = dyn_cast<IntegerType>(element))
    return (integer.isUnsigned() ? "uint" : "int") +
           std::to_string(integer.getWidth()) + "_t";
  if (element.isF32())
    return "float";
  if (element.isF64())
    return "double";
  // 16-bit floats: their bits.
  return "uint16_t";
}

/// `int <name>(ptr input0, ..., ptr output0, ...)`: builds a memref
/// descriptor ({allocated, aligned, offset, sizes, strides}, 64-bit words)
/// for each contiguous buffer, calls the entry's C interface, then
/// quantx_aot_end_call(), which reports a kernel that refused its call.
void addCWrapper(llvm::Module &module, StringRef name, StringRef entry,
                 ArrayRef<RankedTensorType> operands) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *i32 = llvm::Type::getInt32Ty(context);
  SmallVector<llvm::Type *> pointers(operands.size(), ptr);
  auto *function =
      llvm::Function::Create(llvm::FunctionType::get(i32, pointers, false),
                             llvm::GlobalValue::ExternalLinkage, name, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", function));
  SmallVector<llvm::Value *> descriptors;
  for (auto [buffer, type] : llvm::zip(function->args(), operands)) {
    int64_t rank = type.getRank();
    auto *words = llvm::ArrayType::get(i64, 3 + 2 * rank);
    llvm::Value *descriptor = b.CreateAlloca(words);
    auto set = [&](int64_t i, llvm::Value *value) {
      b.CreateStore(value,
                    b.CreateConstInBoundsGEP2_64(words, descriptor, 0, i));
    };
    llvm::Value *address = b.CreatePtrToInt(&buffer, i64);
    set(0, address);
    set(1, address);
    set(2, b.getInt64(0));
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      set(3 + d, b.getInt64(type.getDimSize(d)));
      set(3 + rank + d, b.getInt64(stride));
      stride *= type.getDimSize(d);
    }
    descriptors.push_back(descriptor);
  }
  llvm::FunctionCallee callee = module.getOrInsertFunction(
      ("_mlir_ciface_" + entry).str(),
      llvm::FunctionType::get(b.getVoidTy(), pointers, false));
  b.CreateCall(callee, descriptors);
  llvm::FunctionCallee endCall = module.getOrInsertFunction(
      "quantx_aot_end_call", llvm::FunctionType::get(i32, {}, false));
  b.CreateRet(b.CreateCall(endCall));
}

/// The C header of the compiled function.
std::string writeHeader(StringRef name, StringRef entry, StringRef cpu,
                        qk::Isa isa, func::FuncOp func,
                        ArrayRef<RankedTensorType> arguments,
                        ArrayRef<RankedTensorType> results) {
  std::string guard = "QUANTX_MODEL_" + StringRef(name).upper() + "_H";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* " << name << ": @" << entry
     << " compiled ahead of time by quant-compile, for CPU " << cpu
     << " with the " << qk::getIsaName(isa)
     << " conv/matmul kernels.\n"
        " * Link the object with libQuantXAotRuntime.a and "
        "libQuantXKernels.a (and -lstdc++ -lpthread -lm),\n"
        " * or use the shared library quant-compile -o NAME.so makes. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  std::string upper = StringRef(name).upper();
  auto describe = [&](StringRef kind, int64_t index, RankedTensorType type,
                      DictionaryAttr attrs) {
    std::string macro = upper + "_" + kind.upper() + std::to_string(index);
    os << "/* " << kind << " " << index << ": "
       << getCType(type.getElementType()) << "[";
    llvm::interleave(type.getShape(), os, "][");
    os << "], " << type.getNumElements() << " elements in C order";
    // An int8 interface (quantx-set-interface) says "scale=S zero_point=Z":
    // real = S * (q - Z).
    auto interface =
        attrs ? dyn_cast_or_null<StringAttr>(attrs.get("quantx.interface"))
              : nullptr;
    StringRef scale, zeroPoint;
    if (interface) {
      auto [first, second] = interface.getValue().split(' ');
      if (first.consume_front("scale=") && second.consume_front("zero_point="))
        scale = first, zeroPoint = second;
      else
        os << "; quantization: " << interface.getValue();
    }
    if (!scale.empty())
      os << "; quantized: real = " << macro << "_SCALE * (q - " << macro
         << "_ZERO_POINT)";
    os << ". */\n#define " << macro << "_RANK " << type.getRank()
       << "\n#define " << macro << "_ELEMENTS " << type.getNumElements()
       << "\n#define " << macro << "_SHAPE {";
    llvm::interleaveComma(type.getShape(), os);
    os << "}\n";
    if (!scale.empty())
      os << "#define " << macro << "_SCALE (" << scale << ")\n#define " << macro
         << "_ZERO_POINT (" << zeroPoint << ")\n";
  };
  for (auto [i, type] : llvm::enumerate(arguments))
    describe("input", i, type, func.getArgAttrDict(i));
  for (auto [i, type] : llvm::enumerate(results))
    describe("output", i, type, func.getResultAttrDict(i));
  os << "\n/* Runs @" << entry
     << " on the inputs, writing the outputs (the caller's memory).\n"
        " * Returns 0, or 1 when a kernel refused its call (the CPU lacks "
        "its ISA,\n * say): quantx_last_error() says why. */\n"
     << "int " << name << "(";
  bool first = true;
  for (auto [i, type] : llvm::enumerate(arguments)) {
    os << (first ? "" : ", ") << "const " << getCType(type.getElementType())
       << " *input" << i;
    first = false;
  }
  for (auto [i, type] : llvm::enumerate(results)) {
    os << (first ? "" : ", ") << getCType(type.getElementType()) << " *output"
       << i;
    first = false;
  }
  os << ");\n\n"
     << "#ifndef QUANTX_AOT_RUNTIME_DECLARED\n"
     << "#define QUANTX_AOT_RUNTIME_DECLARED\n"
     << "/* Threads of the conv/matmul kernels: count <= 0 means all cores "
        "(the default). */\n"
     << "void quantx_set_threads(int count);\n"
     << "/* Why this thread's last failed call failed, or \"\". */\n"
     << "const char *quantx_last_error(void);\n"
     << "#endif\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard
     << " */\n";
  return text;
}

bool isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

} // namespace

FailureOr<AotResult>
mlir::quantx::compileAheadOfTime(ModuleOp module, const AotOptions &options) {
  std::string name = options.functionName.empty() ? "quantx_" + options.entry
                                                  : options.functionName;
  if (!isCIdentifier(name))
    return module.emitError("the C function's name '")
           << name << "' is not a C identifier (--name)";
  SmallVector<RankedTensorType> arguments, results;
  FailureOr<func::FuncOp> func =
      getEntryTypes(module, options.entry, arguments, results);
  if (failed(func))
    return failure();
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options.cpu, options.optLevel, error);
  if (!machine)
    return module.emitError(error);
  qk::Isa isa = chooseKernelIsa(*machine);

  OwningOpRef<ModuleOp> clone = cloneForEntry(module, options.entry);
  if (failed(checkTensorSizes(*clone, options.maxTensorMB, "max-tensor-mb")))
    return failure();
  CPUCompileOptions lowering;
  lowering.kernelIsa = qk::getIsaName(isa);
  PassManager pm(module.getContext());
  buildKernelStage(pm, lowering);
  buildTosaToLinalgPipeline(pm);
  buildLowerToLLVMPipeline(pm);
  if (failed(pm.run(*clone)))
    return failure();

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*clone, context, options.entry);
  if (!llvmModule)
    return module.emitError("cannot translate @")
           << options.entry << " to LLVM IR";
  if (llvmModule->getFunction(name))
    return module.emitError("the C function's name '")
           << name << "' is taken by the model's own code (--name)";
  SmallVector<RankedTensorType> operands(arguments);
  operands.append(results.begin(), results.end());
  addCWrapper(*llvmModule, name, options.entry, operands);
  // Only the C function is exported: the model's own functions keep their
  // MLIR names (@main, say), which would clash with, or be interposed by,
  // the program's.
  for (llvm::GlobalValue &global : llvmModule->global_values())
    if (!global.isDeclaration() && global.getName() != name)
      global.setLinkage(llvm::GlobalValue::InternalLinkage);
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  if (llvm::verifyModule(*llvmModule, &llvm::errs()))
    return module.emitError("quant-compile built invalid LLVM IR");
  if (llvm::Error failure = makeOptimizingTransformer(
          options.optLevel, /*sizeLevel=*/0, machine.get())(llvmModule.get()))
    return module.emitError("optimizing: ")
           << llvm::toString(std::move(failure));

  AotResult result;
  {
    llvm::raw_string_ostream object(result.object);
    // Written to `object` when it goes out of scope.
    llvm::buffer_ostream stream(object);
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, stream, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return module.emitError("LLVM cannot emit an object file for --cpu ")
             << options.cpu;
    codegen.run(*llvmModule);
  }
  result.kernelIsa = qk::getIsaName(isa);
  std::string cpuName =
      options.cpu == "native"
          ? "native (" + llvm::sys::getHostCPUName().str() + ")"
          : options.cpu;
  result.header =
      writeHeader(name, options.entry, cpuName, isa, *func, arguments, results);
  return result;
}
