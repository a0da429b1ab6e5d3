//===- CompiledFunction.cpp - call a JIT-compiled model function ----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/CompiledFunction.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/ExecutionEngine/CPUPipeline.h"
#include "quant-x/Runtime/BufferCache.h"
#include "quant-x/Runtime/Kernels.h"

using namespace mlir;
using namespace mlir::quantx;

size_t mlir::quantx::getElementBytes(Type type) {
  if (!isa<IntegerType, FloatType>(type))
    return 0;
  unsigned width = type.getIntOrFloatBitWidth();
  return width % 8 == 0 ? width / 8 : 0;
}

static LogicalResult
collectTensorTypes(func::FuncOp func, TypeRange types, StringRef what,
                   SmallVectorImpl<RankedTensorType> &out) {
  for (auto [i, type] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() ||
        !getElementBytes(tensor.getElementType()))
      return func.emitError("cannot run @")
             << func.getSymName() << ": " << what << " " << i << " has type "
             << type
             << " (expected a statically shaped tensor of whole-byte "
                "integers or floats)";
    out.push_back(tensor);
  }
  return success();
}

FailureOr<func::FuncOp>
mlir::quantx::getEntryTypes(ModuleOp module, StringRef entry,
                            SmallVectorImpl<RankedTensorType> &arguments,
                            SmallVectorImpl<RankedTensorType> &results) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal())
    return module.emitError("no function @") << entry << " to run";
  if (failed(collectTensorTypes(func, func.getArgumentTypes(), "argument",
                                arguments)) ||
      failed(
          collectTensorTypes(func, func.getResultTypes(), "result", results)))
    return failure();
  return func;
}

OwningOpRef<ModuleOp> mlir::quantx::cloneForEntry(ModuleOp module,
                                                  StringRef entry) {
  OwningOpRef<ModuleOp> clone = module.clone();
  // Only the entry must be callable; the others may be inlined away.
  // Argument and result attributes (quantx.interface, quantx.calib) are
  // notes for people, not for LLVM.
  for (auto other : clone->getOps<func::FuncOp>()) {
    if (other.getSymName() != entry && !other.isExternal())
      other.setPrivate();
    other.removeArgAttrsAttr();
    other.removeResAttrsAttr();
  }
  clone->lookupSymbol<func::FuncOp>(entry).setPublic();
  return clone;
}

FailureOr<std::unique_ptr<CompiledFunction>>
CompiledFunction::compile(ModuleOp module, StringRef entry,
                          const CPUCompileOptions &options) {
  std::unique_ptr<CompiledFunction> compiled(new CompiledFunction());
  if (failed(getEntryTypes(module, entry, compiled->argumentTypes,
                           compiled->resultTypes)))
    return failure();
  OwningOpRef<ModuleOp> clone = cloneForEntry(module, entry);
  auto engine = compileForHostCPU(*clone, options);
  if (failed(engine))
    return failure();
  compiled->engine = std::move(*engine);
  compiled->symbol = ("_mlir_ciface_" + entry).str();
  return compiled;
}

/// A ranked memref descriptor {allocated, aligned, offset, sizes, strides}
/// for a contiguous buffer, as 64-bit words.
static SmallVector<int64_t> describeBuffer(const void *data,
                                           RankedTensorType type) {
  SmallVector<int64_t> descriptor = {reinterpret_cast<int64_t>(data),
                                     reinterpret_cast<int64_t>(data), 0};
  llvm::append_range(descriptor, type.getShape());
  int64_t stride = 1;
  SmallVector<int64_t> strides(type.getRank());
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= type.getDimSize(d);
  }
  llvm::append_range(descriptor, strides);
  return descriptor;
}

llvm::Error CompiledFunction::call(ArrayRef<const void *> inputs,
                                   ArrayRef<void *> outputs) {
  assert(inputs.size() == argumentTypes.size() &&
         outputs.size() == resultTypes.size() && "wrong number of buffers");
  // The C wrapper takes one descriptor pointer per input, then per output.
  SmallVector<SmallVector<int64_t>> descriptors;
  for (auto [data, type] : llvm::zip(inputs, argumentTypes))
    descriptors.push_back(describeBuffer(data, type));
  for (auto [data, type] : llvm::zip(outputs, resultTypes))
    descriptors.push_back(describeBuffer(data, type));
  SmallVector<void *> descriptorPointers;
  for (SmallVector<int64_t> &descriptor : descriptors)
    descriptorPointers.push_back(descriptor.data());
  SmallVector<void *> packed;
  for (void *&pointer : descriptorPointers)
    packed.push_back(&pointer);
  if (llvm::Error error = engine->invokePacked(symbol, packed))
    return error;
  // A kernel entry point that refused its parameters left its output
  // unwritten: the results are meaningless.
  std::string kernelError = ::quantx::kernels::takeCallError();
  if (!kernelError.empty())
    return llvm::createStringError(kernelError);
  return llvm::Error::success();
}

CompiledFunction::~CompiledFunction() { ::quantx::kernels::trimBufferCache(); }

CompiledFunction::Buffers
CompiledFunction::allocateBuffers(ArrayRef<RankedTensorType> types) {
  Buffers buffers;
  buffers.storage.reserve(types.size());
  for (RankedTensorType type : types) {
    buffers.storage.emplace_back(type.getNumElements() *
                                 ((type.getElementTypeBitWidth() + 7) / 8));
    buffers.pointers.push_back(buffers.storage.back().data());
  }
  return buffers;
}
