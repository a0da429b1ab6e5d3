//===- quant-compile.cpp - compile a model ahead of time ------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quant-compile model.mlir -o model.o | model.so [--header model.h]
//               [--cpu native|x86-64-v3|x86-64-v4|<name>] [--entry main]
//               [--name quantx_main] [--opt-level 3]
//
// Compiles one entry of a model (what quant-opt emits, or a float TOSA
// model) to an object file, or to a self-contained shared library with
// quant-x's kernels linked in, exporting a C function and described by a C
// header (docs/Tools.md). Neither needs LLVM or MLIR at run time.
//
//===----------------------------------------------------------------------===//

#include "quant-x/ExecutionEngine/AotCompile.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/ExecutionEngine/ModelFile.h"
#include "quant-x/Support/LargeStack.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace mlir::quantx;
namespace cl = llvm::cl;

static cl::OptionCategory compileCategory("quant-compile options");
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::init("-"), cl::cat(compileCategory));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("the object file (.o) or shared library (.so) to "
                        "write"),
               cl::value_desc("file"), cl::Required, cl::cat(compileCategory));
static cl::opt<std::string>
    headerPath("header", cl::desc("also write the C header describing it"),
               cl::value_desc("file.h"), cl::cat(compileCategory));
static cl::opt<std::string>
    cpuName("cpu",
            cl::desc("the CPU to compile for: native (default), x86-64, "
                     "x86-64-v2, x86-64-v3 (AVX2), x86-64-v4 (AVX-512), or an "
                     "x86 CPU name (znver4, skylake-avx512, ...)"),
            cl::init("native"), cl::cat(compileCategory));
static cl::opt<std::string> entryName("entry",
                                      cl::desc("the function to compile"),
                                      cl::init("main"),
                                      cl::cat(compileCategory));
static cl::opt<std::string>
    functionName("name",
                 cl::desc("the C function's name (default quantx_<entry>)"),
                 cl::cat(compileCategory));
static cl::opt<unsigned>
    optLevel("opt-level",
             cl::desc("LLVM optimization level, 0 to 3 (default 3)"),
             cl::init(3), cl::cat(compileCategory));
static cl::opt<uint64_t> maxTensorMB(
    "max-tensor-mb",
    cl::desc("largest tensor, in MiB, the model may materialize (default "
             "4096)"),
    cl::init(kDefaultMaxTensorMB), cl::cat(compileCategory));

static int fail(const Twine &message) {
  llvm::WithColor::error(llvm::errs(), "quant-compile") << message << "\n";
  return 1;
}

static int writeFile(StringRef path, StringRef contents) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file)
    return fail(error);
  file->os() << contents;
  file->keep();
  return 0;
}

/// The archives a shared library links in: the build tree's, else those
/// installed beside the tool (<prefix>/lib).
static llvm::Expected<SmallVector<std::string>> findRuntimeArchives() {
  SmallVector<std::string> archives;
  SmallVector<StringRef> built;
  StringRef(QUANTX_AOT_BUILD_LIBS).split(built, '|');
  if (llvm::all_of(built,
                   [](StringRef p) { return llvm::sys::fs::exists(p); })) {
    for (StringRef path : built)
      archives.push_back(path.str());
    return archives;
  }
  std::string tool = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  SmallString<256> lib(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(tool)));
  llvm::sys::path::append(lib, "lib");
  for (StringRef name : {"libQuantXAotRuntime.a", "libQuantXKernels.a"}) {
    SmallString<256> path(lib);
    llvm::sys::path::append(path, name);
    if (!llvm::sys::fs::exists(path))
      return llvm::createStringError("quant-x's runtime archive " + path.str() +
                                     " is missing");
    archives.push_back(path.str().str());
  }
  return archives;
}

/// Links `object` and the runtime into the shared library `output` with the
/// system's C++ compiler driver.
static int linkSharedLibrary(StringRef object, StringRef output) {
  llvm::ErrorOr<std::string> driver =
      std::make_error_code(std::errc::no_such_file_or_directory);
  for (const char *name : {"clang++-22", "clang++", "g++", "c++"})
    if ((driver = llvm::sys::findProgramByName(name)))
      break;
  if (!driver)
    return fail("a shared library needs a C++ compiler driver to link it "
                "(clang++-22, clang++, g++ or c++ on PATH); -o model.o needs "
                "none");
  llvm::Expected<SmallVector<std::string>> archives = findRuntimeArchives();
  if (!archives)
    return fail(llvm::toString(archives.takeError()));
  SmallVector<std::string> args = {*driver, "-shared", "-o", output.str(),
                                   object.str()};
  args.append(archives->begin(), archives->end());
  SmallVector<StringRef> flags;
  StringRef(QUANTX_AOT_LINK_FLAGS).split(flags, ' ', -1, false);
  for (StringRef flag : flags)
    args.push_back(flag.str());
  args.append({"-lpthread", "-lm"});
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int code = llvm::sys::ExecuteAndWait(*driver, argRefs, std::nullopt, {}, 0, 0,
                                       &message);
  if (code != 0)
    return fail("linking " + output + " failed (" + llvm::join(argRefs, " ") +
                ")" + (message.empty() ? "" : ": " + message));
  return 0;
}

static int runTool(int argc, char **argv) {
  cl::HideUnrelatedOptions(compileCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "quant-x ahead-of-time compiler: a model to an object file or shared "
      "library with a C ABI\n");
  bool shared = StringRef(outputPath).ends_with(".so");
  if (!shared && !StringRef(outputPath).ends_with(".o"))
    return fail("-o must name an object file (.o) or a shared library (.so), "
                "not '" +
                outputPath + "'");
  if (optLevel > 3)
    return fail("--opt-level must be 0 to 3, got " + Twine(optLevel));

  ModelFile modelFile;
  std::string error;
  OwningOpRef<ModuleOp> module = modelFile.parse(modelPath, error);
  if (!error.empty())
    return fail(error);
  if (!module)
    return 1;

  AotOptions options;
  options.entry = entryName;
  options.functionName = functionName;
  options.cpu = cpuName;
  options.optLevel = optLevel;
  options.maxTensorMB = maxTensorMB;
  FailureOr<AotResult> result = compileAheadOfTime(*module, options);
  if (failed(result))
    return 1;
  if (!headerPath.empty())
    if (int code = writeFile(headerPath, result->header))
      return code;
  if (!shared)
    return writeFile(outputPath, result->object);
  SmallString<128> object;
  if (std::error_code code =
          llvm::sys::fs::createTemporaryFile("quant-compile", "o", object))
    return fail("cannot create a temporary object file: " + code.message());
  llvm::FileRemover removeObject(object);
  if (int code = writeFile(object, result->object))
    return code;
  return linkSharedLibrary(object, outputPath);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return ::quantx::runOnLargeStack([&] { return runTool(argc, argv); });
}
