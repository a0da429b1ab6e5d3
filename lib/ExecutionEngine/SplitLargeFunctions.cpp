//===- SplitLargeFunctions.cpp - long straight-line bodies as call chains -===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Outlining.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "quant-x/Conversion/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_SPLITLARGEFUNCTIONS
#include "quant-x/Conversion/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;

/// Whether a result of `op` must not cross a cut: memory that may be in the
/// function's stack frame (a stack allocation, or a memref computed from
/// one), or a dynamically shaped value (bufferization gives a function
/// result only a static shape).
static bool definesPinnedValue(Operation *op,
                               llvm::DenseSet<Value> &stackValues) {
  if (isa<memref::AllocaOp>(op) ||
      llvm::any_of(op->getOperands(), [&](Value operand) {
        return stackValues.contains(operand);
      })) {
    stackValues.insert(op->result_begin(), op->result_end());
    return true;
  }
  return llvm::any_of(op->getResultTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && !shaped.hasStaticShape();
  });
}

namespace {
/// The straight-line body of one function, cut into segments.
class FunctionSplitter {
public:
  FunctionSplitter(func::FuncOp func, SymbolTable &symbols)
      : func(func), body(func.getBody().front()), symbols(symbols) {}

  /// Cuts the body into segments of at least `maxOps` movable ops.
  SmallVector<SmallVector<Operation *>> planSegments(unsigned maxOps);

  /// Moves `segment` into a new private function called in its place.
  void outline(ArrayRef<Operation *> segment);

private:
  /// Position in `body` of the last op using a result of `op` (nested uses
  /// count as their ancestor in `body`).
  unsigned lastUse(Operation *op);

  func::FuncOp func;
  Block &body;
  SymbolTable &symbols;
  llvm::DenseMap<Operation *, unsigned> position;
  Operation *lastInserted = nullptr;
};
} // namespace

unsigned FunctionSplitter::lastUse(Operation *op) {
  unsigned last = position.lookup(op);
  for (Operation *user : op->getUsers())
    if (Operation *ancestor = body.findAncestorOpInBlock(*user))
      last = std::max(last, position.lookup(ancestor));
  return last;
}

SmallVector<SmallVector<Operation *>>
FunctionSplitter::planSegments(unsigned maxOps) {
  unsigned index = 0;
  for (Operation &op : body)
    position[&op] = index++;

  SmallVector<SmallVector<Operation *>> segments(1);
  llvm::DenseSet<Value> stackValues;
  // Ops defining values that must not cross a cut, with the position of
  // their last use: the body may only be cut where none is live.
  SmallVector<std::pair<Operation *, unsigned>> livePinned;
  for (Operation &op : body.without_terminator()) {
    // Constants stay where they are and are cloned into each segment that
    // uses them, rather than passed as arguments.
    if (quantx::isClonableConstant(&op))
      continue;
    segments.back().push_back(&op);
    unsigned here = position[&op];
    if (definesPinnedValue(&op, stackValues))
      livePinned.emplace_back(&op, lastUse(&op));
    llvm::erase_if(livePinned,
                   [&](auto &entry) { return entry.second <= here; });
    if (segments.back().size() >= maxOps && livePinned.empty())
      segments.emplace_back();
  }
  // The last segment stays in place when it is empty, or when a pinned value
  // reaches the terminator (it would become a segment's result).
  if (segments.back().empty() || !livePinned.empty())
    segments.pop_back();
  return segments;
}

void FunctionSplitter::outline(ArrayRef<Operation *> segment) {
  llvm::SmallPtrSet<Operation *, 32> inSegment(segment.begin(), segment.end());
  llvm::SetVector<Value> used;
  for (Operation *op : segment) {
    used.insert(op->operand_begin(), op->operand_end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
  }
  llvm::SetVector<Value> arguments;
  SmallVector<Operation *> constants;
  for (Value value : used) {
    Operation *def = value.getDefiningOp();
    if (def && inSegment.contains(def))
      continue;
    if (quantx::isClonableConstant(def))
      constants.push_back(def);
    else
      arguments.insert(value);
  }
  SmallVector<Value> results;
  for (Operation *op : segment)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !inSegment.contains(body.findAncestorOpInBlock(*user));
          }))
        results.push_back(result);

  Location loc = segment.front()->getLoc();
  OpBuilder b(func);
  // Segments follow the function in order.
  b.setInsertionPointAfter(lastInserted ? lastInserted : func.getOperation());
  auto type = b.getFunctionType(ValueRange(arguments.getArrayRef()).getTypes(),
                                ValueRange(results).getTypes());
  func::FuncOp callee = quantx::createOutlinedFunction(
      b, loc, func.getSymName() + "_part", type, symbols);
  lastInserted = callee;

  b.setInsertionPoint(segment.front());
  auto call = func::CallOp::create(b, loc, callee, arguments.getArrayRef());
  for (auto [index, result] : llvm::enumerate(results))
    result.replaceUsesWithIf(call.getResult(index), [&](OpOperand &use) {
      return !inSegment.contains(body.findAncestorOpInBlock(*use.getOwner()));
    });

  Block *entry = callee.addEntryBlock();
  b.setInsertionPointToStart(entry);
  auto isInCallee = [&](OpOperand &use) {
    return callee->isProperAncestor(use.getOwner());
  };
  for (Operation *op : segment)
    op->moveBefore(entry, entry->end());
  for (auto [index, value] : llvm::enumerate(arguments.getArrayRef()))
    Value(value).replaceUsesWithIf(entry->getArgument(index), isInCallee);
  for (Operation *constant : constants) {
    b.setInsertionPointToStart(entry);
    Operation *clone = b.clone(*constant);
    constant->replaceUsesWithIf(clone->getResults(), isInCallee);
  }
  b.setInsertionPointToEnd(entry);
  func::ReturnOp::create(b, loc, results);
}

namespace {
struct SplitLargeFunctionsPass
    : quantx::impl::SplitLargeFunctionsBase<SplitLargeFunctionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxOps == 0) {
      getOperation().emitError("quantx-split-large-functions: max-ops must "
                               "be at least 1");
      return signalPassFailure();
    }
    SymbolTable symbols(getOperation());
    SmallVector<func::FuncOp> functions(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp func : functions) {
      if (func.isExternal() || !func.getBody().hasOneBlock() ||
          func.getBody().front().getOperations().size() <= 2 * maxOps)
        continue;
      FunctionSplitter splitter(func, symbols);
      auto segments = splitter.planSegments(maxOps);
      if (segments.empty())
        continue;
      for (ArrayRef<Operation *> segment : segments)
        splitter.outline(segment);
      // Constants whose users all moved into segments.
      for (Operation &op : llvm::make_early_inc_range(func.getBody().front()))
        if (quantx::isClonableConstant(&op) && op.use_empty())
          op.erase();
    }
  }
};
} // namespace
