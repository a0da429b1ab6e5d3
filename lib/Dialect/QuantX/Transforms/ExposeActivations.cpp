//===- ExposeActivations.cpp - quantized activations as results -----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "quant-x/Dialect/QuantX/Transforms/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_EXPOSEACTIVATIONS
#include "quant-x/Dialect/QuantX/Transforms/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

/// "tosa.conv2d (conv1)" for a named location (the importer names ops after
/// their ONNX node), "tosa.conv2d at model.mlir:12:9", or "argument 0".
static std::string describeProducer(Value value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  Operation *op = value.getDefiningOp();
  if (!op) {
    os << "argument " << cast<BlockArgument>(value).getArgNumber();
    return text;
  }
  os << op->getName();
  if (auto nameLoc = dyn_cast<NameLoc>(op->getLoc()))
    os << " (" << nameLoc.getName().getValue() << ")";
  else if (auto fileLoc = dyn_cast<FileLineColLoc>(op->getLoc()))
    os << " at " << fileLoc.getFilename().getValue() << ":" << fileLoc.getLine()
       << ":" << fileLoc.getColumn();
  return text;
}

namespace {
struct ExposeActivationsPass
    : quantx::impl::ExposeActivationsBase<ExposeActivationsPass> {
  using ExposeActivationsBase::ExposeActivationsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<std::pair<Value, std::string>> exposed;
    func.walk([&](DequantizeOp dequantize) {
      auto quantize = dequantize.getInput().getDefiningOp<QuantizeOp>();
      if (!quantize)
        return;
      Value result = dequantize.getResult();
      if (bypass) {
        result.replaceAllUsesWith(quantize.getInput());
        result = quantize.getInput();
      }
      exposed.emplace_back(result, describeProducer(quantize.getInput()));
    });
    if (exposed.empty())
      return;
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    unsigned first = results.size();
    for (auto &[value, name] : exposed)
      results.push_back(value);
    ret->setOperands(results);
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    OpBuilder b(&getContext());
    for (auto [i, entry] : llvm::enumerate(exposed))
      func.setResultAttr(first + i, "quantx.layer",
                         b.getStringAttr(entry.second));
  }
};
} // namespace
