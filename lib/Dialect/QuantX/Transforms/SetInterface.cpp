//===- SetInterface.cpp - int8 arguments and results ----------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"
#include "llvm/Support/Format.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_SETINTERFACE
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// "scale=0.0235 zero_point=-128": no float type appears in the IR.
static StringAttr describeInterface(Builder &b, UniformType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto perTensor = dyn_cast<PerTensorAttr>(type.getParams()))
    os << "scale="
       << llvm::format("%.9g", perTensor.getScale().convertToDouble())
       << " zero_point=" << perTensor.getZeroPoint();
  else
    os << "see the quantized type";
  return b.getStringAttr(text);
}

static IntegerType getStorageType(UniformType type) {
  return IntegerType::get(type.getContext(), type.getStorageWidth());
}

namespace {
struct SetInterfacePass : quantx::impl::SetInterfaceBase<SetInterfacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    OpBuilder b(func.getContext());
    SmallVector<Type> inputs(func.getArgumentTypes());
    for (BlockArgument arg : func.getArguments()) {
      if (!isFloatTensor(arg.getType()))
        continue;
      SmallVector<QuantizeOp> quantizes;
      for (Operation *user : arg.getUsers())
        if (auto q = dyn_cast<QuantizeOp>(user))
          quantizes.push_back(q);
      if (quantizes.empty() ||
          int64_t(quantizes.size()) !=
              std::distance(arg.use_begin(), arg.use_end()) ||
          llvm::any_of(quantizes, [&](QuantizeOp q) {
            return q.getType() != quantizes[0].getType();
          })) {
        func.emitError("quantx-set-interface: argument ")
            << arg.getArgNumber()
            << " is used as float; an int8 interface needs it to be quantized "
               "once and used only through that quantize";
        return signalPassFailure();
      }
      auto quantType = cast<RankedTensorType>(quantizes[0].getType());
      UniformType element = getQuantizedElementType(quantType);
      arg.setType(quantType.clone(getStorageType(element)));
      inputs[arg.getArgNumber()] = arg.getType();
      func.setArgAttr(arg.getArgNumber(), "quantx.interface",
                      describeInterface(b, element));
      b.setInsertionPointToStart(&entry);
      Value cast = StorageCastOp::create(b, arg.getLoc(), quantType, arg);
      for (QuantizeOp q : quantizes) {
        q.replaceAllUsesWith(cast);
        q.erase();
      }
    }
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    SmallVector<Type> results;
    for (OpOperand &operand : ret->getOpOperands()) {
      auto dequantize = operand.get().getDefiningOp<DequantizeOp>();
      if (!dequantize) {
        if (isFloatTensor(operand.get().getType())) {
          ret.emitError("quantx-set-interface: result ")
              << operand.getOperandNumber()
              << " is computed in float; an int8 interface needs it to come "
                 "from a dequantize";
          return signalPassFailure();
        }
        results.push_back(operand.get().getType());
        continue;
      }
      auto quantType = cast<RankedTensorType>(dequantize.getInput().getType());
      UniformType element = getQuantizedElementType(quantType);
      b.setInsertionPoint(ret);
      Value storage = StorageCastOp::create(
          b, ret.getLoc(), quantType.clone(getStorageType(element)),
          dequantize.getInput());
      operand.set(storage);
      results.push_back(storage.getType());
      func.setResultAttr(operand.getOperandNumber(), "quantx.interface",
                         describeInterface(b, element));
      if (dequantize->use_empty())
        dequantize.erase();
    }
    func.setFunctionType(b.getFunctionType(inputs, results));
  }
};
} // namespace
