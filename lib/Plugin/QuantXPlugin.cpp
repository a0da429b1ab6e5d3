//===- QuantXPlugin.cpp - quant-x as an mlir-opt plugin -------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One shared library that upstream MLIR tools load as both kinds of
// plugin:
//
//   mlir-opt-22 --load-dialect-plugin=QuantXPlugin.so \
//               --load-pass-plugin=QuantXPlugin.so \
//               --pass-pipeline='builtin.module(quantize-int8)' model.mlir
//
// The dialect plugin adds the quantx dialect and the bufferization model of
// quantx.kernel_call; the pass plugin registers every quant-x pass and
// pipeline, as quant-opt does. The tool must link the same libMLIR.so as the
// plugin (Debian's mlir-opt-22 does): quant-x's own code lives in the
// plugin, MLIR's in the shared library.
//
//===----------------------------------------------------------------------===//

#include "quant-x/InitAllDialects.h"
#include "quant-x/InitAllPasses.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QuantX", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            quantx::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QuantX", LLVM_VERSION_STRING,
          []() { quantx::registerAllPasses(); }};
}
