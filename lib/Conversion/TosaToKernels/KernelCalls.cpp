//===- KernelCalls.cpp - bufferize and call quantx.kernel_call ------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// `quantx.kernel_call` bufferizes as a destination-style op (reads its
// inputs, writes its init in place). On memrefs, `quantx-lower-kernel-calls`
// turns it into a call of the runtime entry point with one pointer per
// buffer (contiguous copies where a buffer is strided), null pointers for
// absent inputs, and the parameters as a constant global.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/Passes.h"
#include "quant-x/Conversion/TosaToKernels/TosaToKernels.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_LOWERKERNELCALLS
#include "quant-x/Conversion/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

namespace {

struct KernelCallBufferization
    : public bufferization::DstBufferizableOpInterfaceExternalModel<
          KernelCallBufferization, KernelCallOp> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const bufferization::AnalysisState &) const {
    // The kernels overwrite their output without reading it.
    return !cast<KernelCallOp>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto call = cast<KernelCallOp>(op);
    SmallVector<Value> inputs;
    for (Value input : call.getInputs()) {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, input, options, state);
      if (failed(buffer))
        return failure();
      inputs.push_back(*buffer);
    }
    FailureOr<Value> init =
        bufferization::getBuffer(rewriter, call.getInit(), options, state);
    if (failed(init))
      return failure();
    rewriter.setInsertionPoint(op);
    KernelCallOp::create(rewriter, op->getLoc(), TypeRange{},
                         call.getKernelAttr(), inputs, *init,
                         call.getParamsAttr());
    bufferization::replaceOpWithBufferizedValues(rewriter, op, *init);
    return success();
  }
};

/// Pointer arguments the runtime entry points take before `params`.
constexpr unsigned kBufferArguments = 4;

struct LowerKernelCallsPass
    : public mlir::quantx::impl::LowerKernelCallsBase<LowerKernelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<KernelCallOp> calls;
    module.walk([&](KernelCallOp call) { calls.push_back(call); });
    for (KernelCallOp call : calls) {
      if (call.getNumResults() != 0) {
        call.emitError("quantx-lower-kernel-calls runs after bufferization");
        return signalPassFailure();
      }
      if (call.getInputs().size() > kBufferArguments) {
        call.emitError("a kernel takes at most ")
            << kBufferArguments << " inputs";
        return signalPassFailure();
      }
      lower(call);
    }
  }

  /// The address of `buffer`'s first element as an !llvm.ptr.
  static Value getPointer(OpBuilder &b, Location loc, Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
    int64_t bytes = type.getElementTypeBitWidth() / 8;
    Value offset =
        arith::MulIOp::create(b, loc, metadata.getOffset(),
                              arith::ConstantIndexOp::create(b, loc, bytes));
    Value address = arith::AddIOp::create(b, loc, base, offset);
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
  }

  /// `buffer`, or a contiguous copy of it.
  static Value makeContiguous(OpBuilder &b, Location loc, Value buffer,
                              bool copyIn) {
    auto type = cast<MemRefType>(buffer.getType());
    if (memref::isStaticShapeAndContiguousRowMajor(type))
      return buffer;
    auto contiguous = MemRefType::get(type.getShape(), type.getElementType());
    Value copy = memref::AllocOp::create(b, loc, contiguous);
    if (copyIn)
      memref::CopyOp::create(b, loc, buffer, copy);
    return copy;
  }

  Value getParams(OpBuilder &b, Location loc, KernelCallOp call) {
    ModuleOp module = getOperation();
    ArrayRef<int64_t> params = call.getParams();
    auto type = MemRefType::get({int64_t(params.size())}, b.getI64Type());
    auto tensorType =
        RankedTensorType::get({int64_t(params.size())}, b.getI64Type());
    std::string name = "__quantx_kernel_params_" + std::to_string(counter++);
    OpBuilder global = OpBuilder::atBlockBegin(module.getBody());
    memref::GlobalOp::create(global, loc, name, global.getStringAttr("private"),
                             type, DenseElementsAttr::get(tensorType, params),
                             /*constant=*/true, /*alignment=*/IntegerAttr());
    return memref::GetGlobalOp::create(b, loc, type, name);
  }

  /// An llvm.func, not a func.func: C-interface wrappers, which the CPU
  /// pipeline requests for every func.func, must not rename it.
  LLVM::LLVMFuncOp getDeclaration(StringRef name, unsigned numPointers) {
    ModuleOp module = getOperation();
    if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      return existing;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Type ptr = LLVM::LLVMPointerType::get(b.getContext());
    SmallVector<Type> args(numPointers, ptr);
    return LLVM::LLVMFuncOp::create(
        b, module.getLoc(), name,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(b.getContext()),
                                    args));
  }

  void lower(KernelCallOp call) {
    OpBuilder b(call);
    Location loc = call.getLoc();
    Type ptrType = LLVM::LLVMPointerType::get(b.getContext());
    SmallVector<Value> args, copies;
    for (Value input : call.getInputs()) {
      Value contiguous = makeContiguous(b, loc, input, /*copyIn=*/true);
      if (contiguous != input)
        copies.push_back(contiguous);
      args.push_back(getPointer(b, loc, contiguous));
    }
    while (args.size() < kBufferArguments)
      args.push_back(LLVM::ZeroOp::create(b, loc, ptrType));
    args.push_back(getPointer(b, loc, getParams(b, loc, call)));
    Value init = call.getInit();
    Value output = makeContiguous(b, loc, init, /*copyIn=*/false);
    args.push_back(getPointer(b, loc, output));
    LLVM::LLVMFuncOp callee = getDeclaration(call.getKernel(), args.size());
    LLVM::CallOp::create(b, loc, callee, args);
    if (output != init) {
      memref::CopyOp::create(b, loc, output, init);
      copies.push_back(output);
    }
    for (Value copy : copies)
      memref::DeallocOp::create(b, loc, copy);
    call.erase();
  }

  unsigned counter = 0;
};

} // namespace

void mlir::quantx::registerKernelCallBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, QuantXDialect *) {
    KernelCallOp::attachInterface<KernelCallBufferization>(*ctx);
  });
}
