//===- OutlineLoopNests.cpp - one function per bufferized linalg op -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Outlining.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "quant-x/Conversion/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "quant-x/Conversion/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;

/// Replaces `op` by a call of a new private function holding it, and
/// returns the call.
static func::CallOp outline(linalg::LinalgOp op, func::FuncOp parent,
                            SymbolTable &symbols) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  llvm::SetVector<Value> arguments(op->getOperands().begin(),
                                   op->getOperands().end());
  SmallVector<Value> constants;
  for (Value value : captured) {
    if (quantx::isClonableConstant(value.getDefiningOp()))
      constants.push_back(value);
    else
      arguments.insert(value);
  }
  Location loc = op->getLoc();
  OpBuilder b(parent);
  b.setInsertionPointAfter(parent);
  auto type =
      b.getFunctionType(ValueRange(arguments.getArrayRef()).getTypes(), {});
  func::FuncOp callee = quantx::createOutlinedFunction(
      b, loc, parent.getSymName() + "_loops", type, symbols);
  Block *entry = callee.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [value, argument] : llvm::zip(arguments, entry->getArguments()))
    mapping.map(value, argument);
  for (Value value : constants)
    b.clone(*value.getDefiningOp(), mapping);
  b.clone(*op, mapping);
  func::ReturnOp::create(b, loc);
  b.setInsertionPoint(op);
  auto call = func::CallOp::create(b, loc, callee, arguments.getArrayRef());
  op->erase();
  return call;
}

/// A hash of `func`'s type and of every op in its body (names, attributes,
/// types; not operand identities), equal for equivalent functions.
static llvm::hash_code hashFunction(func::FuncOp func) {
  llvm::hash_code hash = hash_value(func.getFunctionType());
  func.getBody().walk([&](Operation *op) {
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

namespace {
/// The outlined functions so far, by content: layers of one shape give
/// identical loop nests (the weights are arguments), and LLVM need compile
/// each only once.
class OutlinedFunctions {
public:
  /// Makes `call` call an earlier function equivalent to its callee, if
  /// there is one, and erases the callee.
  void deduplicate(func::CallOp call, SymbolTable &symbols) {
    auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
    auto &candidates = byHash[hashFunction(callee)];
    for (func::FuncOp existing : candidates) {
      if (existing.getFunctionType() != callee.getFunctionType() ||
          !OperationEquivalence::isRegionEquivalentTo(
              &existing.getBody(), &callee.getBody(),
              OperationEquivalence::IgnoreLocations))
        continue;
      call.setCallee(existing.getSymName());
      symbols.erase(callee);
      return;
    }
    candidates.push_back(callee);
  }

private:
  llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> byHash;
};
} // namespace

namespace {
struct OutlineLoopNestsPass
    : quantx::impl::OutlineLoopNestsBase<OutlineLoopNestsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    OutlinedFunctions outlined;
    for (func::FuncOp func : functions) {
      if (func.isExternal())
        continue;
      SmallVector<linalg::LinalgOp> ops;
      for (Block &block : func.getBody())
        for (Operation &op : block)
          if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
            if (linalgOp.hasPureBufferSemantics())
              ops.push_back(linalgOp);
      // One loop nest alone gains nothing from a function of its own.
      if (ops.size() < 2)
        continue;
      for (linalg::LinalgOp op : ops)
        outlined.deduplicate(outline(op, func, symbols), symbols);
    }
  }
};
} // namespace
